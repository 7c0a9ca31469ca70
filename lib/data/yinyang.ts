/**
 * The Yin-Yang dataset (L. Kriener, J. Göltz, M. A. Petrovici, "The Yin-Yang dataset", NICE 2022,
 * https://doi.org/10.1145/3517343.3517380, arXiv 2102.08211; reference implementation
 * https://github.com/lkriener/yin_yang_data_set): points of a yin-yang symbol in three classes that
 * a shallow network cannot separate well but a network with one hidden layer can.
 *
 * Generation follows the published definition. With R = rBig (0.5) and r = rSmall (0.1), a sample
 * is drawn as follows: pick a goal class uniformly from {0, 1, 2}; then draw (x, y) uniformly in
 * [0, 2R]^2 until the point lies in the big circle (centre (R, R), radius R) and belongs to the
 * goal class. That keeps the classes balanced (about a third each). Each sample is encoded as the
 * four values (x, y, 1 - x, 1 - y); the mirrored pair lets neurons without a bias term separate the
 * classes.
 *
 * Classes (the numeric labels of the reference code and its published data; names from its
 * `class_names = ['yin', 'yang', 'dot']`): with d_l, d_r the distances to the dot centres
 * (R/2, R) and (3R/2, R),
 * - 2 "dot" when d_l < r or d_r < r;
 * - 1 "yang" when d_r <= r, or r < d_l <= R/2, or (y > R and d_r > R/2): the upper half of the
 *   circle with the lobe around the right dot cut out and the lobe around the left dot added
 *   (the reference code calls this region `is_yin`, but labels it 1);
 * - 0 "yin" otherwise: the lower half with the right lobe added and the left lobe cut out.
 *
 * Reproducibility: samples are drawn with spikegrad's own {@link Random} (xoshiro128**), not
 * NumPy's Mersenne twister, so the standard seeds (train 42, validation 41, test 40) give the same
 * distribution and the same sizes as the reference sets but not the same numbers. A given seed
 * gives the same points on every platform.
 */
import { argumentError, describe, rangeError } from '../base/errors';
import { Random } from '../base/random';
import { optionNames, readOptions } from '../base/validate';

/**
 * The class names, indexed by label.
 *
 * @example
 * ```ts
 * YIN_YANG_CLASSES[yinYangClass(0.25, 0.5)]; // 'dot'
 * ```
 */
export const YIN_YANG_CLASSES: readonly ['yin', 'yang', 'dot'] = Object.freeze(['yin', 'yang', 'dot'] as const);

/**
 * The standard splits of the reference implementation: 5000 training, 1000 validation and 1000
 * test samples with seeds 42, 41 and 40 (with spikegrad's generator, so the points differ from the
 * Python sets; the seeds still keep the splits apart).
 *
 * @example
 * ```ts
 * const train = yinYang(YIN_YANG_SPLITS.train);           // 5000 samples, seed 42
 * const validation = yinYang(YIN_YANG_SPLITS.validation); // 1000 samples, seed 41
 * const test = yinYang(YIN_YANG_SPLITS.test);             // 1000 samples, seed 40
 * ```
 */
export const YIN_YANG_SPLITS: {
  readonly train: { readonly size: 5000; readonly seed: 42 };
  readonly validation: { readonly size: 1000; readonly seed: 41 };
  readonly test: { readonly size: 1000; readonly seed: 40 };
} = Object.freeze({
  train: Object.freeze({ size: 5000, seed: 42 } as const),
  validation: Object.freeze({ size: 1000, seed: 41 } as const),
  test: Object.freeze({ size: 1000, seed: 40 } as const),
});

/**
 * Options of {@link yinYang}.
 *
 * @example
 * ```ts
 * const options: YinYangOptions = { size: 300, seed: 7 };
 * ```
 */
export interface YinYangOptions {
  /** Number of samples (a non-negative integer). */
  size: number;
  /** Seed of the generator (an integer in [0, 2^32 - 1]); use a different seed for every split. */
  seed: number;
  /** Radius of the two dots (default 0.1); must be below rBig / 2. */
  rSmall?: number;
  /**
   * Radius of the whole symbol (default 0.5); the points lie in [0, 2 rBig]^2. As in the reference
   * code the mirrored values are 1 - x and 1 - y whatever rBig, so they leave [0, 1] for rBig > 0.5.
   */
  rBig?: number;
}

/**
 * A Yin-Yang set: `size` samples of 4 values (x, y, 1 - x, 1 - y) each, sample after sample, and
 * one label in {0 yin, 1 yang, 2 dot} per sample.
 *
 * @example
 * ```ts
 * const set: YinYangSet = yinYang({ size: 10, seed: 1 });
 * const [x, y] = set.points.subarray(0, 2); // the first sample's coordinates
 * ```
 */
export interface YinYangSet {
  /** size x 4 values: x, y, 1 - x, 1 - y for each sample. */
  points: Float64Array;
  /** The class of each sample: 0 yin, 1 yang, 2 dot. */
  labels: Int32Array;
  /** Number of samples. */
  size: number;
}

function checkRadii(rSmall: unknown, rBig: unknown): void {
  if (typeof rBig !== 'number' || !Number.isFinite(rBig) || !(rBig > 0)) {
    throw rangeError(`Expected a positive finite number for rBig but received ${describe(rBig)}`);
  }
  if (typeof rSmall !== 'number' || !(rSmall > 0 && rSmall < rBig / 2)) {
    throw rangeError(`Expected a number in (0, rBig / 2) = (0, ${rBig / 2}) for rSmall but received ${describe(rSmall)}`);
  }
}

/**
 * The class of the point (x, y) by the published rules: 0 yin, 1 yang, 2 dot (see the module
 * comment). Like the reference `which_class`, it does not check that the point lies in the big
 * circle; {@link yinYang} only draws points that do.
 *
 * @example
 * ```ts
 * yinYangClass(0.25, 0.5); // 2: the centre of the left dot
 * yinYangClass(0.5, 0.9);  // 1: upper half, away from the right lobe
 * yinYangClass(0.5, 0.1);  // 0: lower half, away from the left lobe
 * ```
 */
export function yinYangClass(x: number, y: number, rSmall = 0.1, rBig = 0.5): 0 | 1 | 2 {
  if (typeof x !== 'number' || typeof y !== 'number') {
    throw argumentError(`Expected numbers for x and y but received ${describe(x)} and ${describe(y)}`);
  }
  checkRadii(rSmall, rBig);
  return classify(x, y, rSmall, rBig);
}

function classify(x: number, y: number, rSmall: number, rBig: number): 0 | 1 | 2 {
  const dRight = Math.hypot(x - 1.5 * rBig, y - rBig);
  const dLeft = Math.hypot(x - 0.5 * rBig, y - rBig);
  if (dRight < rSmall || dLeft < rSmall) return 2;
  const upper = dRight <= rSmall || (dLeft > rSmall && dLeft <= 0.5 * rBig) || (y > rBig && dRight > 0.5 * rBig);
  return upper ? 1 : 0;
}

const YIN_YANG_OPTIONS = optionNames<YinYangOptions>()(['size', 'seed', 'rSmall', 'rBig']);

/**
 * Generates a class-balanced Yin-Yang set (the published rejection sampling; see the module
 * comment). The same options always give the same set.
 *
 * @example
 * ```ts
 * const train = yinYang(YIN_YANG_SPLITS.train);  // { points: Float64Array(20000), labels, size: 5000 }
 * const small = yinYang({ size: 200, seed: 3, rSmall: 0.12 });
 * ```
 */
export function yinYang(options: YinYangOptions): YinYangSet {
  const { size, seed, rSmall = 0.1, rBig = 0.5 } = readOptions(options, 'yinYang options', YIN_YANG_OPTIONS, true) as YinYangOptions;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 0) {
    throw rangeError(`Expected a non-negative integer for size but received ${describe(size)}`);
  }
  if (typeof seed !== 'number') throw argumentError(`Expected an integer for seed but received ${describe(seed)}`);
  checkRadii(rSmall, rBig);
  const rng = new Random(seed);
  const points = new Float64Array(size * 4);
  const labels = new Int32Array(size);
  const r2 = rBig * rBig;
  for (let s = 0; s < size; s++) {
    const goal = rng.int(3);
    let x: number;
    let y: number;
    for (;;) {
      x = rng.uniform() * 2 * rBig;
      y = rng.uniform() * 2 * rBig;
      if ((x - rBig) * (x - rBig) + (y - rBig) * (y - rBig) > r2) continue;
      if (classify(x, y, rSmall, rBig) === goal) break;
    }
    points[4 * s] = x;
    points[4 * s + 1] = y;
    points[4 * s + 2] = 1 - x;
    points[4 * s + 3] = 1 - y;
    labels[s] = goal;
  }
  return { points, labels, size };
}

/**
 * Options of {@link yinYangSpikes}.
 *
 * @example
 * ```ts
 * const options: YinYangSpikeOptions = { T: 2, tEarly: 0.1, tLate: 1.1, bias: 0.6 };
 * ```
 */
export interface YinYangSpikeOptions {
  /** Trial length; all spikes lie in [0, T]. */
  T: number;
  /** Spike time of the value 0. */
  tEarly: number;
  /** Spike time of the value 1 (after tEarly). */
  tLate: number;
  /** Time of an extra bias spike on channel 4, the same in every sample (none by default). */
  bias?: number;
}

const YIN_YANG_SPIKE_OPTIONS = optionNames<YinYangSpikeOptions>()(['T', 'tEarly', 'tLate', 'bias']);

/**
 * Latency-encodes a Yin-Yang set: each of the 4 values v of a sample becomes one spike on its own
 * channel (0 x, 1 y, 2 1 - x, 3 1 - y) at time tEarly + v (tLate - tEarly), so larger values spike
 * later; with `bias`, every sample also gets a spike on channel 4 at time `bias`. Spikes are listed
 * by channel; each sample is a `SampleSpikes` for `spikeBatch`. Needs 0 <= tEarly < tLate <= T, bias in [0, T] and every value in [0, 1] (true for
 * the default rBig = 0.5).
 *
 * @example
 * ```ts
 * const train = yinYang(YIN_YANG_SPLITS.train);
 * const batch = spikeBatch(yinYangSpikes(train, { T: 2, tEarly: 0.1, tLate: 1.1, bias: 0.6 }));
 * // 5 input channels; targets: train.labels
 * ```
 */
export function yinYangSpikes(set: YinYangSet, options: YinYangSpikeOptions): { times: number[]; channels: number[] }[] {
  if (typeof set !== 'object' || set === null || !(set.points instanceof Float64Array) || !Number.isInteger(set.size)) {
    throw argumentError(`Expected a Yin-Yang set { points, labels, size } but received ${describe(set)}`);
  }
  if (set.points.length !== set.size * 4) {
    throw rangeError(`The set has ${set.points.length} values for ${set.size} samples (expected ${set.size * 4})`, 'ERR_SPIKEGRAD_SHAPE');
  }
  const { T, tEarly, tLate, bias } = readOptions(options, 'yinYangSpikes options', YIN_YANG_SPIKE_OPTIONS, true) as YinYangSpikeOptions;
  if (typeof T !== 'number' || !Number.isFinite(T) || !(T > 0)) {
    throw rangeError(`Expected a positive finite number for T but received ${describe(T)}`);
  }
  if (typeof tEarly !== 'number' || !(tEarly >= 0 && tEarly < T)) {
    throw rangeError(`Expected a number in [0, T) = [0, ${T}) for tEarly but received ${describe(tEarly)}`);
  }
  if (typeof tLate !== 'number' || !(tLate > tEarly && tLate <= T)) {
    throw rangeError(`Expected a number in (tEarly, T] = (${tEarly}, ${T}] for tLate but received ${describe(tLate)}`);
  }
  if (bias !== undefined && (typeof bias !== 'number' || !(bias >= 0 && bias <= T))) {
    throw rangeError(`Expected a time in [0, T] = [0, ${T}] for bias but received ${describe(bias)}`);
  }
  const span = tLate - tEarly;
  const out: { times: number[]; channels: number[] }[] = [];
  for (let s = 0; s < set.size; s++) {
    const times: number[] = [];
    const channels: number[] = [];
    for (let c = 0; c < 4; c++) {
      const v = set.points[4 * s + c];
      if (!(v >= 0 && v <= 1)) {
        throw rangeError(`Sample ${s}, value ${c} is ${v}, outside [0, 1]; it cannot be encoded as a time in [tEarly, tLate]`);
      }
      // Clamped against rounding, so that v = 0 and v = 1 give exactly tEarly and tLate.
      times.push(Math.min(tLate, Math.max(tEarly, tEarly + v * span)));
      channels.push(c);
    }
    if (bias !== undefined) {
      times.push(bias);
      channels.push(4);
    }
    out.push({ times, channels });
  }
  return out;
}
