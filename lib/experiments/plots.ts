/** Plot helpers shared by the experiment reports. */

/** Every k-th point so that at most `max` remain (keeps reports small). */
export function thin<T>(xs: readonly T[], max = 2000): T[] {
  if (xs.length <= max) return xs.slice();
  const step = Math.ceil(xs.length / max);
  return xs.filter((_, k) => k % step === 0 || k === xs.length - 1);
}

/** Clips values into [lo, hi] for plotting voltages that run to +-infinity. */
export function clip(values: ArrayLike<number>, lo: number, hi: number): number[] {
  return Array.from(values, (v) => Math.min(hi, Math.max(lo, v)));
}

/**
 * A voltage trace for a plot: the values clipped to [lo, hi], with a gap where the voltage passes
 * through infinity (a sample at or above hi followed by one at or below lo: a spike and its
 * reset), so that the line does not draw a vertical stroke over the spike's own mark.
 */
export function voltageTrace(times: ArrayLike<number>, values: ArrayLike<number>, lo = -10, hi = 10): { xs: number[]; ys: number[] } {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let k = 0; k < values.length; k++) {
    const v = Math.min(hi, Math.max(lo, values[k]));
    if (k > 0 && v <= lo && ys[ys.length - 1] >= hi) {
      xs.push(NaN);
      ys.push(NaN);
    }
    xs.push(times[k]);
    ys.push(v);
  }
  return { xs, ys };
}

/** Cumulative arc length sum_k |Delta t_k| of a sequence of output-time vectors. */
export function arcLength(history: readonly (readonly number[])[]): number[] {
  const out = [0];
  for (let k = 1; k < history.length; k++) {
    let d = 0;
    history[k].forEach((t, n) => (d += Math.abs(t - history[k - 1][n])));
    out.push(out[k - 1] + d);
  }
  return out;
}

/** Centred moving average with a window of w points (edges use the available points). */
export function movingAverage(xs: readonly number[], w: number): number[] {
  const h = Math.floor(w / 2);
  return xs.map((_, k) => {
    let sum = 0;
    let count = 0;
    for (let j = Math.max(0, k - h); j <= Math.min(xs.length - 1, k + h); j++) {
      sum += xs[j];
      count++;
    }
    return sum / count;
  });
}

/** A 28 x 28 grey image as a small SVG. */
export function imageSvg(pixels: readonly number[], side = 28, scale = 4): string {
  const rects: string[] = [];
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const v = pixels[y * side + x];
      if (v === 0) continue;
      const g = 255 - v;
      rects.push(`<rect x="${x}" y="${y}" width="1" height="1" fill="rgb(${g},${g},${g})"/>`);
    }
  }
  const size = side * scale;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${side} ${side}" shape-rendering="crispEdges"><rect width="${side}" height="${side}" fill="#fff" stroke="#999" stroke-width="0.2"/>${rects.join('')}</svg>`;
}
