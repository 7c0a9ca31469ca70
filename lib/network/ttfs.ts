/**
 * Time-to-first-spike encoding of images (method.md 6.4): each uint8 pixel p falls into bin
 * (255 - p) // (256 // (bins + 1)); bins k = 0 .. bins-1 are "virtual input neurons" that spike
 * once at t_k = T ln(I_k / (I_k - V_th)) with I_k = bins - k and V_th = 0.01 bins (brighter
 * spikes earlier); higher bins send nothing. All pixels of a bin spike at the same time, so a bin
 * is one bundled event whose weight onto a neuron is the sum over its pixels (exact, because
 * voltage jumps add). Channels are pixel indices.
 */
import { argumentError, describe, rangeError } from '../base/errors';
import type { InputBatch } from './inputs';
import type { Random } from '../base/random';
import { isUint8Array, optionNames, readOptions } from '../base/validate';

export interface TtfsOptions {
  /** Trial length T, which sets the bin spike times. */
  T: number;
  /** Number of spiking bins (Nin_virtual). Default 1: pixels >= 128 spike, the rest are silent. */
  bins?: number;
  /** Augmentation: probability of flipping a pixel's bin k to bins - k (default 0). */
  flipProbability?: number;
  /** The random source of the flips (required when flipProbability > 0). */
  rng?: Random;
}

const TTFS_OPTIONS = optionNames<TtfsOptions>()(['T', 'bins', 'flipProbability', 'rng']);

/** The spike time of each bin: t_k = T ln(I_k / (I_k - V_th)). */
export function ttfsTimes(T: number, bins = 1): Float64Array {
  const vth = 0.01 * bins;
  return Float64Array.from({ length: bins }, (_, k) => {
    const I = bins - k;
    return T * Math.log(I / (I - vth));
  });
}

/**
 * Encodes `samples` images of `pixels` uint8 values each (image after image in `images`).
 *
 * @example
 * ```ts
 * const batch = ttfsBatch(images, 784, { T: 2 }); // one bundled event per image at t = 0.0201
 * ```
 */
export function ttfsBatch(images: Uint8Array, pixels: number, given: TtfsOptions): InputBatch {
  if (!isUint8Array(images)) throw argumentError(`Expected a Uint8Array for images but received ${describe(images)}`);
  if (!Number.isInteger(pixels) || pixels < 1) throw rangeError(`Expected a positive integer for pixels but received ${describe(pixels)}`);
  const options = readOptions(given, 'ttfsBatch options', TTFS_OPTIONS, true) as TtfsOptions;
  if (images.length % pixels !== 0) {
    throw rangeError(`images has ${images.length} values, not a multiple of pixels = ${pixels}`, 'ERR_SPIKEGRAD_SHAPE');
  }
  const bins = options.bins ?? 1;
  if (!Number.isInteger(bins) || bins < 1 || bins > 255) throw rangeError(`Expected an integer in [1, 255] for bins but received ${describe(bins)}`);
  if (typeof options.T !== 'number' || !(options.T > 0)) throw rangeError(`Expected a positive number for T but received ${options.T}`);
  const p = options.flipProbability ?? 0;
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw rangeError(`Expected a probability in [0, 1] for flipProbability but received ${describe(p)}`);
  if (p > 0 && options.rng === undefined) throw argumentError('flipProbability > 0 needs an rng');
  const samples = images.length / pixels;
  const width = Math.floor(256 / (bins + 1));
  const times = ttfsTimes(options.T, bins);
  // Per sample: `bins` events (empty bundles are kept so every sample has the same layout), each
  // listing its pixels in ascending order: a counting sort of the sample's pixels by bin.
  const binOf = new Int32Array(pixels);
  const binOfValue = Int32Array.from({ length: 256 }, (_, v) => Math.floor((255 - v) / width));
  const next = new Int32Array(bins);
  const chans = new Int32Array(samples * pixels); // each pixel is in at most one bin
  const eventStart = new Int32Array(samples * bins + 1);
  const allTimes = new Float64Array(samples * bins);
  const sampleStart = new Int32Array(samples + 1);
  const rng = options.rng;
  let used = 0;
  for (let s = 0; s < samples; s++) {
    next.fill(0);
    const base = s * pixels;
    for (let q = 0; q < pixels; q++) {
      let k = binOfValue[images[base + q]];
      if (p > 0 && rng!.uniform() < p) k = bins - k;
      binOf[q] = k;
      if (k >= 0 && k < bins) next[k]++;
    }
    // next[k]: where bin k's next pixel goes.
    for (let k = 0; k < bins; k++) {
      const e = s * bins + k;
      allTimes[e] = times[k];
      const count = next[k];
      next[k] = used;
      used += count;
      eventStart[e + 1] = used;
    }
    for (let q = 0; q < pixels; q++) {
      const k = binOf[q];
      if (k >= 0 && k < bins) chans[next[k]++] = q;
    }
    sampleStart[s + 1] = (s + 1) * bins;
  }
  return { samples, times: allTimes, channels: chans.slice(0, used), eventStart, sampleStart };
}
