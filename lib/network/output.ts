/**
 * The output times of a batch, as a network run returns them (NetworkOutput extends it)
 * and as losses read them: the contract between the network layer and the training layer.
 */
import { argumentError, describe, rangeError } from '../base/errors';
import { expectInteger, expectPositive, isFloat64Array, isUint8Array } from '../base/validate';

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

