/**
 * The loss interface: a loss maps the output times of one batch (ordinary spike times or
 * pseudospike times, method.md 4.3) to a batch-mean value and its gradient with respect to every
 * output time. The gradient is the seed of the adjoint pass (method.md 5.6).
 *
 * Built-in losses ({@link firstSpikeCrossEntropy}, {@link spikeTimeMse}, {@link targetTrainLoss})
 * and user-defined losses implement the same {@link Loss} interface.
 */
import { argumentError, describe, rangeError } from '../../base/errors';
import { expectFinite, expectInteger } from '../../base/validate';
import { isFloat64Array, isUint8Array } from '../../base/validate';

/**
 * Output times of a batch. Sample s, output slot k is at `times[s * slots + k]` (sample-major).
 * `isPseudo`, when present, has the same layout and holds 1 where the time is a pseudospike
 * time (which may exceed T) and 0 where it is an ordinary spike time.
 *
 * @example
 * ```ts
 * // Two samples with three output slots each, trial length T = 2.
 * const out: OutputBatch = {
 *   times: new Float64Array([0.5, 1.2, 3.0, 2.4, 0.7, 1.9]),
 *   isPseudo: new Uint8Array([0, 0, 1, 1, 0, 0]),
 *   samples: 2,
 *   slots: 3,
 *   T: 2,
 * };
 * ```
 */
export interface OutputBatch {
  /** Output times, `samples * slots` values, sample-major. */
  times: Float64Array;
  /** Optional pseudospike flags (1 = pseudospike), same layout as `times`. */
  isPseudo?: Uint8Array;
  /** Number of samples in the batch (at least 1). */
  samples: number;
  /** Number of output slots per sample (at least 1). */
  slots: number;
  /** Trial length T (finite, positive). */
  T: number;
}

/**
 * The result of a loss evaluation.
 *
 * @example
 * ```ts
 * const { value, perSample, grad } = firstSpikeCrossEntropy().compute(out, labels);
 * // value === mean of perSample; grad[s * out.slots + k] = d value / d out.times[s * out.slots + k]
 * ```
 */
export interface LossResult {
  /** The mean loss over the batch. */
  value: number;
  /** The loss of each sample (length `samples`). */
  perSample: Float64Array;
  /** d(mean loss)/d times, same layout as `OutputBatch.times` (already divided by the batch size). */
  grad: Float64Array;
}

/**
 * A loss over the output times of one batch. `Targets` is the type of the targets argument
 * (for example integer labels, or target times).
 *
 * Contract:
 * - `value` is the mean over the batch of the per-sample losses;
 * - `grad` is the derivative of `value` (not of the sum) with respect to each output time, so
 *   per-sample derivatives are divided by `samples`;
 * - `compute` validates its arguments and never mutates `out`.
 *
 * @example
 * A user-defined loss (mean absolute deviation of every slot from a fixed time c):
 * ```ts
 * import { checkOutputBatch, type Loss, type LossResult, type OutputBatch } from 'spikegrad/dist/losses';
 *
 * function meanAbsoluteDeviation(c: number): Loss<void> {
 *   return {
 *     name: 'mean_absolute_deviation',
 *     compute(out: OutputBatch): LossResult {
 *       const { times, samples, slots } = checkOutputBatch(out);
 *       const perSample = new Float64Array(samples);
 *       const grad = new Float64Array(times.length);
 *       for (let s = 0; s < samples; s++) {
 *         for (let k = 0; k < slots; k++) {
 *           const d = times[s * slots + k] - c;
 *           perSample[s] += Math.abs(d);
 *           grad[s * slots + k] = Math.sign(d) / samples;
 *         }
 *       }
 *       return { value: perSample.reduce((a, b) => a + b, 0) / samples, perSample, grad };
 *     },
 *   };
 * }
 * ```
 */
export interface Loss<Targets> {
  /** A stable name (used by `lossByName` for the built-in losses). */
  readonly name: string;
  /** The batch-mean loss, the per-sample losses and the gradient with respect to the output times. */
  compute(out: OutputBatch, targets: Targets): LossResult;
}

/**
 * Validates an {@link OutputBatch}: positive integer `samples` and `slots`, finite positive `T`,
 * a Float64Array `times` of length `samples * slots` holding finite values, and an optional
 * Uint8Array `isPseudo` of the same length. Returns the batch unchanged.
 *
 * @example
 * ```ts
 * checkOutputBatch({ times: new Float64Array([1, 2]), samples: 1, slots: 2, T: 2 }); // ok
 * checkOutputBatch({ times: new Float64Array([1]), samples: 1, slots: 2, T: 2 });    // RangeError ERR_SPIKEGRAD_SHAPE
 * ```
 */
export function checkOutputBatch(out: unknown, name = 'out'): OutputBatch {
  if (typeof out !== 'object' || out === null || Array.isArray(out)) {
    throw argumentError(`Expected an OutputBatch object for ${name} but received ${describe(out)}`);
  }
  const o = out as Record<string, unknown>;
  const samples = expectInteger(o.samples, `${name}.samples`, 1);
  const slots = expectInteger(o.slots, `${name}.slots`, 1);
  const T = expectPositive(o.T, `${name}.T`);
  const times = o.times;
  if (!isFloat64Array(times)) {
    throw argumentError(`Expected a Float64Array for ${name}.times but received ${describe(times)}`);
  }
  if (times.length !== samples * slots) {
    throw rangeError(
      `Expected a Float64Array of length ${samples * slots} (samples * slots) for ${name}.times but received length ${times.length}`,
      'ERR_SPIKEGRAD_SHAPE',
    );
  }
  for (let i = 0; i < times.length; i++) {
    if (!Number.isFinite(times[i])) {
      throw rangeError(
        `Expected a finite number for ${name}.times[${i}] but received ${times[i]}`,
        'ERR_SPIKEGRAD_NONFINITE',
      );
    }
  }
  const isPseudo = o.isPseudo;
  if (isPseudo !== undefined) {
    if (!isUint8Array(isPseudo)) {
      throw argumentError(`Expected a Uint8Array for ${name}.isPseudo but received ${describe(isPseudo)}`);
    }
    if (isPseudo.length !== times.length) {
      throw rangeError(
        `Expected a Uint8Array of length ${times.length} for ${name}.isPseudo but received length ${isPseudo.length}`,
        'ERR_SPIKEGRAD_SHAPE',
      );
    }
  }
  return { times, isPseudo: isPseudo as Uint8Array | undefined, samples, slots, T };
}

/**
 * Builds a checked {@link OutputBatch} from flat sample-major times.
 *
 * @example
 * ```ts
 * const out = outputBatch(new Float64Array([3, 3, 3, 3]), { samples: 2, slots: 2, T: 2 });
 * ```
 */
export function outputBatch(
  times: Float64Array,
  shape: { samples: number; slots: number; T: number; isPseudo?: Uint8Array },
): OutputBatch {
  if (typeof shape !== 'object' || shape === null) {
    throw argumentError(`Expected an object for shape but received ${describe(shape)}`);
  }
  return checkOutputBatch({ times, ...shape });
}

/**
 * Checks an options argument: undefined, or a plain object whose keys are all in `known`.
 * Returns the options as a record (an empty one for undefined).
 *
 * @example
 * ```ts
 * const o = checkOptions({ gamma: 0.01 }, 'firstSpikeCrossEntropy options', ['gamma']);
 * checkOptions({ gama: 0.01 }, 'firstSpikeCrossEntropy options', ['gamma']); // TypeError naming 'gama'
 * ```
 */
export function checkOptions(options: unknown, name: string, known: readonly string[]): Record<string, unknown> {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw argumentError(`Expected an options object for ${name} but received ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw argumentError(
        `Expected only known options (${known.join(', ') || 'none'}) for ${name} but received unknown option '${key}'`,
      );
    }
  }
  return options as Record<string, unknown>;
}

/**
 * A finite number > 0 (or >= 0 when `allowZero`), else a TypeError/RangeError naming `name`.
 *
 * @example
 * ```ts
 * expectPositive(2, 'T'); // 2
 * expectPositive(0, 'T'); // RangeError: Expected a positive finite number for T but received 0
 * ```
 */
export function expectPositive(value: unknown, name: string, allowZero = false): number {
  const v = expectFinite(value, name);
  if (allowZero ? v < 0 : v <= 0) {
    throw rangeError(`Expected a ${allowZero ? 'non-negative' : 'positive'} finite number for ${name} but received ${v}`);
  }
  return v;
}

/**
 * The mean of a Float64Array (summed in index order).
 *
 * @example
 * ```ts
 * mean(new Float64Array([1, 2, 3])); // 2
 * ```
 */
export function mean(values: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum / values.length;
}
