/**
 * The Yin-Yang dataset of lib/data/yinyang.ts: the published class rule on hand-picked points and
 * its symmetry, the balanced rejection sampling (class shares, points in the big circle, mirrored
 * values), determinism by seed, the standard splits, argument checks, and the latency encoding.
 */
import { spikeBatch } from '../../lib/network/inputs';
import { Random } from '../../lib/base/random';
import { YIN_YANG_CLASSES, YIN_YANG_SPLITS, yinYang, yinYangClass, yinYangSpikes } from '../../lib/data/yinyang';

const rangeErr = (message: RegExp) => expect.objectContaining({ name: 'RangeError', code: 'ERR_SPIKEGRAD_RANGE', message: expect.stringMatching(message) });

describe('yinYangClass', () => {
  it('labels the dots 2, wherever they lie within r_small of a dot centre', () => {
    expect(yinYangClass(0.25, 0.5)).toBe(2); // left dot centre
    expect(yinYangClass(0.75, 0.5)).toBe(2); // right dot centre
    expect(yinYangClass(0.25 + 0.07, 0.5 - 0.07)).toBe(2);
    expect(yinYangClass(0.75 - 0.05, 0.5 + 0.08)).toBe(2);
    expect(YIN_YANG_CLASSES[yinYangClass(0.25, 0.5)]).toBe('dot');
  });

  it('labels the upper half with the left lobe 1 and the lower half with the right lobe 0', () => {
    // Upper half, away from the right lobe: 1; lower half, away from the left lobe: 0.
    expect(yinYangClass(0.5, 0.9)).toBe(1);
    expect(yinYangClass(0.2, 0.8)).toBe(1);
    expect(yinYangClass(0.5, 0.1)).toBe(0);
    expect(yinYangClass(0.8, 0.2)).toBe(0);
    // The lobe of radius r_big / 2 around the left dot is 1 even in the lower half...
    expect(yinYangClass(0.25, 0.35)).toBe(1);
    expect(yinYangClass(0.1, 0.5)).toBe(1);
    expect(yinYangClass(0.4, 0.45)).toBe(1);
    // ...and the lobe around the right dot is 0 even in the upper half.
    expect(yinYangClass(0.75, 0.65)).toBe(0);
    expect(yinYangClass(0.9, 0.5)).toBe(0);
    expect(yinYangClass(0.6, 0.55)).toBe(0);
    expect([YIN_YANG_CLASSES[0], YIN_YANG_CLASSES[1]]).toEqual(['yin', 'yang']);
  });

  it('is point-symmetric: rotating by 180 degrees about the centre swaps yin and yang and keeps dots', () => {
    const rng = new Random(5);
    for (let k = 0; k < 2000; k++) {
      const x = rng.uniform();
      const y = rng.uniform();
      const c = yinYangClass(x, y);
      const mirrored = yinYangClass(1 - x, 1 - y);
      if (c === 2) expect(mirrored).toBe(2);
      else expect(mirrored).toBe(1 - c);
    }
  });

  it('gives the published area shares: dots 2 r_small^2 / r_big^2 of the circle, yin and yang half the rest', () => {
    const rng = new Random(11);
    const counts = [0, 0, 0];
    let n = 0;
    while (n < 40000) {
      const x = rng.uniform();
      const y = rng.uniform();
      if ((x - 0.5) ** 2 + (y - 0.5) ** 2 > 0.25) continue;
      counts[yinYangClass(x, y)]++;
      n++;
    }
    expect(Math.abs(counts[2] / n - 0.08)).toBeLessThan(0.01);
    expect(Math.abs(counts[0] / n - 0.46)).toBeLessThan(0.015);
    expect(Math.abs(counts[1] / n - 0.46)).toBeLessThan(0.015);
  });

  it('scales with the radii', () => {
    // r_big = 1: centre (1, 1), dots at (0.5, 1) and (1.5, 1).
    expect(yinYangClass(0.5, 1, 0.2, 1)).toBe(2);
    expect(yinYangClass(1.5, 1, 0.2, 1)).toBe(2);
    expect(yinYangClass(1, 1.8, 0.2, 1)).toBe(1);
    expect(yinYangClass(1, 0.2, 0.2, 1)).toBe(0);
    // A larger dot swallows a point that is yang for the default r_small.
    expect(yinYangClass(0.25, 0.36)).toBe(1);
    expect(yinYangClass(0.25, 0.36, 0.2)).toBe(2);
  });

  it('rejects invalid radii and coordinates', () => {
    expect(() => yinYangClass(0.5, 0.5, 0.25)).toThrow(rangeErr(/rSmall/));
    expect(() => yinYangClass(0.5, 0.5, 0)).toThrow(rangeErr(/rSmall/));
    expect(() => yinYangClass(0.5, 0.5, 0.1, -1)).toThrow(rangeErr(/rBig/));
    expect(() => yinYangClass(0.5, 0.5, 0.1, Infinity)).toThrow(rangeErr(/rBig/));
    expect(() => yinYangClass('0.5' as unknown as number, 0.5)).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_ARG' }));
  });
});

describe('yinYang', () => {
  it('balances the classes to about a third each on 3000 points', () => {
    const set = yinYang({ size: 3000, seed: 42 });
    const counts = [0, 0, 0];
    for (const l of set.labels) counts[l]++;
    expect(counts[0] + counts[1] + counts[2]).toBe(3000);
    // Binomial standard deviation ~26: allow about 4.5 of them.
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(120);
  });

  it('draws points inside the big circle, labelled by the class rule, with mirrored values 1 - x and 1 - y', () => {
    const set = yinYang({ size: 3000, seed: 7 });
    expect(set.size).toBe(3000);
    expect(set.points).toBeInstanceOf(Float64Array);
    expect(set.points.length).toBe(3000 * 4);
    expect(set.labels).toBeInstanceOf(Int32Array);
    let outside = 0;
    let wrong = 0;
    let badMirror = 0;
    for (let s = 0; s < set.size; s++) {
      const [x, y, xf, yf] = set.points.subarray(4 * s, 4 * s + 4);
      if (Math.hypot(x - 0.5, y - 0.5) > 0.5) outside++;
      if (yinYangClass(x, y) !== set.labels[s]) wrong++;
      if (xf !== 1 - x || yf !== 1 - y) badMirror++;
    }
    expect([outside, wrong, badMirror]).toEqual([0, 0, 0]);
  });

  it('encodes every value in [0, 1]', () => {
    const { points } = yinYang(YIN_YANG_SPLITS.train);
    expect(points.every((v) => v >= 0 && v <= 1)).toBe(true);
    // The points fill the square: some come close to every edge.
    expect(Math.min(...points)).toBeLessThan(0.02);
    expect(Math.max(...points)).toBeGreaterThan(0.98);
  });

  it('is deterministic by seed and differs between seeds', () => {
    const a = yinYang({ size: 500, seed: 3 });
    const b = yinYang({ size: 500, seed: 3 });
    const c = yinYang({ size: 500, seed: 4 });
    expect(a.points).toEqual(b.points);
    expect(a.labels).toEqual(b.labels);
    expect(a.points).not.toEqual(c.points);
    // A shorter set with the same seed is a prefix of a longer one.
    const prefix = yinYang({ size: 100, seed: 3 });
    expect(prefix.points).toEqual(a.points.subarray(0, 400));
    expect(prefix.labels).toEqual(a.labels.subarray(0, 100));
  });

  it('gives the standard splits with disjoint points', () => {
    expect(YIN_YANG_SPLITS).toEqual({ train: { size: 5000, seed: 42 }, validation: { size: 1000, seed: 41 }, test: { size: 1000, seed: 40 } });
    expect(Object.isFrozen(YIN_YANG_SPLITS) && Object.isFrozen(YIN_YANG_SPLITS.train)).toBe(true);
    const train = yinYang(YIN_YANG_SPLITS.train);
    const validation = yinYang(YIN_YANG_SPLITS.validation);
    const test = yinYang(YIN_YANG_SPLITS.test);
    expect([train.size, validation.size, test.size]).toEqual([5000, 1000, 1000]);
    const seen = new Set<string>();
    for (const set of [train, validation, test]) {
      for (let s = 0; s < set.size; s++) seen.add(`${set.points[4 * s]},${set.points[4 * s + 1]}`);
    }
    expect(seen.size).toBe(7000);
  });

  it('honours custom radii', () => {
    const set = yinYang({ size: 600, seed: 9, rSmall: 0.3, rBig: 1 });
    for (let s = 0; s < set.size; s++) {
      const x = set.points[4 * s];
      const y = set.points[4 * s + 1];
      expect(Math.hypot(x - 1, y - 1)).toBeLessThanOrEqual(1);
      expect(yinYangClass(x, y, 0.3, 1)).toBe(set.labels[s]);
    }
    expect(new Set(set.labels).size).toBe(3);
  });

  it('allows an empty set and rejects invalid options', () => {
    const empty = yinYang({ size: 0, seed: 1 });
    expect([empty.size, empty.points.length, empty.labels.length]).toEqual([0, 0, 0]);
    expect(() => yinYang({ size: -1, seed: 1 })).toThrow(rangeErr(/size/));
    expect(() => yinYang({ size: 2.5, seed: 1 })).toThrow(rangeErr(/size/));
    expect(() => yinYang({ size: 10, seed: -3 })).toThrow(rangeErr(/seed/));
    expect(() => yinYang({ size: 10 } as unknown as { size: number; seed: number })).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_ARG', message: expect.stringMatching(/seed/) }));
    expect(() => yinYang({ size: 10, seed: 1, rSmall: 0.3 })).toThrow(rangeErr(/rSmall/));
    expect(() => yinYang({ size: 10, seed: 1, rBig: 0 })).toThrow(rangeErr(/rBig/));
    expect(() => yinYang(null as unknown as { size: number; seed: number })).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_ARG' }));
  });
});

describe('yinYangSpikes', () => {
  const set = yinYang({ size: 1000, seed: 40 });

  it('sends one spike per value on channels 0..3 at tEarly + value * (tLate - tEarly)', () => {
    const spikes = yinYangSpikes(set, { T: 3, tEarly: 0.5, tLate: 2 });
    expect(spikes.length).toBe(1000);
    for (let s = 0; s < set.size; s++) {
      expect(spikes[s].channels).toEqual([0, 1, 2, 3]);
      for (let c = 0; c < 4; c++) expect(spikes[s].times[c]).toBeCloseTo(0.5 + set.points[4 * s + c] * 1.5, 12);
    }
  });

  it('keeps every spike time in [tEarly, tLate]', () => {
    const tEarly = 0.1;
    const tLate = 1.1;
    const times = yinYangSpikes(set, { T: 2, tEarly, tLate }).flatMap((s) => s.times);
    expect(times.length).toBe(4000);
    expect(times.every((t) => t >= tEarly && t <= tLate)).toBe(true);
    // The extreme values 0 and 1 map exactly onto tEarly and tLate.
    const edge = yinYangSpikes({ points: Float64Array.from([0, 1, 1, 0]), labels: Int32Array.from([0]), size: 1 }, { T: 2, tEarly, tLate });
    expect(edge[0].times).toEqual([tEarly, tLate, tLate, tEarly]);
  });

  it('adds a bias spike on channel 4 at a fixed time', () => {
    const spikes = yinYangSpikes(set, { T: 2, tEarly: 0, tLate: 1, bias: 0.6 });
    for (const s of spikes) {
      expect(s.channels).toEqual([0, 1, 2, 3, 4]);
      expect(s.times[4]).toBe(0.6);
    }
  });

  it('gives sample spike lists that spikeBatch accepts', () => {
    const batch = spikeBatch(yinYangSpikes(set, { T: 2, tEarly: 0, tLate: 1, bias: 0 }));
    expect(batch.samples).toBe(1000);
    expect(batch.times.length).toBe(5000);
    expect(Math.max(...batch.channels)).toBe(4);
  });

  it('rejects invalid times, values outside [0, 1] and a bad set', () => {
    expect(() => yinYangSpikes(set, { T: 0, tEarly: 0, tLate: 1 })).toThrow(rangeErr(/\bT\b/));
    expect(() => yinYangSpikes(set, { T: 2, tEarly: -1, tLate: 1 })).toThrow(rangeErr(/tEarly/));
    expect(() => yinYangSpikes(set, { T: 2, tEarly: 1, tLate: 1 })).toThrow(rangeErr(/tLate/));
    expect(() => yinYangSpikes(set, { T: 2, tEarly: 0, tLate: 3 })).toThrow(rangeErr(/tLate/));
    expect(() => yinYangSpikes(set, { T: 2, tEarly: 0, tLate: 1, bias: 2.5 })).toThrow(rangeErr(/bias/));
    expect(() => yinYangSpikes(set, { T: 2, tEarly: 0, tLate: 1, bias: NaN })).toThrow(rangeErr(/bias/));
    // With r_big > 0.5 the mirrored values 1 - x go negative, as in the reference code.
    const big = yinYang({ size: 200, seed: 1, rBig: 0.8 });
    expect(() => yinYangSpikes(big, { T: 2, tEarly: 0, tLate: 1 })).toThrow(rangeErr(/outside \[0, 1\]/));
    expect(() => yinYangSpikes({ points: new Float64Array(7), labels: new Int32Array(2), size: 2 }, { T: 2, tEarly: 0, tLate: 1 })).toThrow(
      expect.objectContaining({ code: 'ERR_SPIKEGRAD_SHAPE' }),
    );
    expect(() => yinYangSpikes(null as never, { T: 2, tEarly: 0, tLate: 1 })).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_ARG' }));
  });
});
