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
import { native } from '../base/native';

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
  // The flips are drawn in the core from the rng's state words: a Random (checked by its methods,
  // not instanceof, so that a Random of another copy of the package works too).
  const rngLike = options.rng as Partial<Random> | undefined;
  if (p > 0 && (typeof rngLike?.getState !== 'function' || typeof rngLike.setState !== 'function')) {
    throw argumentError(`Expected a Random (with getState and setState) for rng but received ${describe(options.rng)}`);
  }
  const samples = images.length / pixels;
  const times = ttfsTimes(options.T, bins);
  // The pixels of each (sample, bin) event, in increasing order, and the flips: native
  // (core/encoding.cc), drawing from the rng's own stream (one uniform per pixel, in order).
  const rng = p > 0 ? options.rng! : null;
  const before = rng === null ? null : rng.getState();
  const state = before === null ? null : Uint32Array.from(before.slice(0, 4));
  const encoded = native.ttfsEncode(images, pixels, bins, p, state);
  // Copies in the caller's realm (the addon's arrays are the main realm's: instanceof would fail
  // in a vm context); a memcpy, about 1% of the encoding.
  const channels = new Int32Array(encoded.channels);
  const eventStart = new Int32Array(encoded.eventStart);
  if (rng !== null) rng.setState([...state!, before![4]]);
  const allTimes = new Float64Array(samples * bins);
  const sampleStart = new Int32Array(samples + 1);
  for (let s = 0; s < samples; s++) {
    allTimes.set(times, s * bins);
    sampleStart[s + 1] = (s + 1) * bins;
  }
  return { samples, times: allTimes, channels, eventStart, sampleStart };
}
