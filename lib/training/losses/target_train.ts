/**
 * Relative spike-train loss with a one-sided sentinel term (method.md 6.3, recurrent task;
 * 7 item 16).
 */
import { argumentError, describe, rangeError } from '../../base/errors';
import { mean, type Loss, type LossResult } from './loss';
import { checkOutputBatch, type OutputBatch } from '../../network/output';
import { expectPositive, readOptions } from '../../base/validate';

/**
 * Real target times of each readout neuron (the sentinel is not included; the loss appends it).
 *
 * @example
 * ```ts
 * const trains: TargetTrains = [[1.3, 4.0, 8.2], [5.5]]; // neuron 0: 3 targets, neuron 1: 1 target
 * ```
 */
export type TargetTrains = readonly ArrayLike<number>[];

/**
 * Targets of {@link targetTrainLoss}: one {@link TargetTrains} shared by every sample, or one
 * per sample (all with the same number of targets per neuron).
 *
 * @example
 * ```ts
 * const shared: TargetTrainTargets = [[1.3, 4.0], [5.5]];
 * const perSample: TargetTrainTargets = [[[1.3, 4.0], [5.5]], [[1.1, 3.9], [6.0]]];
 * ```
 */
export type TargetTrainTargets = TargetTrains | readonly TargetTrains[];

/**
 * Options of {@link targetTrainLoss}.
 *
 * @example
 * ```ts
 * const options: TargetTrainOptions = { sentinel: 1.1 }; // sentinel target at 1.1 T
 * ```
 */
export interface TargetTrainOptions {
  /** The sentinel target is `sentinel * T`; finite, > 0. Default 1.1. */
  sentinel?: number;
}

function isArrayLikeOfNumbers(v: unknown): boolean {
  return Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
}

function checkTrains(trains: unknown, name: string): TargetTrains {
  if (!Array.isArray(trains)) {
    throw argumentError(`Expected an array of target trains (one per neuron) for ${name} but received ${describe(trains)}`);
  }
  if (trains.length === 0) {
    throw rangeError(`Expected at least one target train for ${name} but received an empty array`);
  }
  trains.forEach((train: unknown, i) => {
    if (!isArrayLikeOfNumbers(train)) {
      throw argumentError(`Expected an array of target times for ${name}[${i}] but received ${describe(train)}`);
    }
    const t = train as ArrayLike<unknown>;
    for (let n = 0; n < t.length; n++) {
      const v = t[n];
      if (typeof v !== 'number') {
        throw argumentError(`Expected a finite number for ${name}[${i}][${n}] but received ${describe(v)}`);
      }
      if (!Number.isFinite(v) || v < 0) {
        throw rangeError(
          `Expected a non-negative finite number for ${name}[${i}][${n}] but received ${v}`,
          Number.isFinite(v) ? 'ERR_SPIKEGRAD_RANGE' : 'ERR_SPIKEGRAD_NONFINITE',
        );
      }
    }
  });
  return trains as TargetTrains;
}

/**
 * The number of output slots of each readout neuron, n_i + 1 (its real targets plus the
 * sentinel). Output slots are laid out neuron after neuron, so neuron i occupies the slots
 * starting at the sum of the counts before it, and `slots` must equal the sum of all counts.
 *
 * @example
 * ```ts
 * targetTrainSlots([[1.2, 4.5, 8.0], [3.3]]); // [4, 2]: 6 output slots in all
 * ```
 */
export function targetTrainSlots(trains: TargetTrains): number[] {
  return checkTrains(trains, 'trains').map((t) => t.length + 1);
}

/** Per-sample target trains: one shared set, or one set per sample with identical slot counts. */
function resolveTargets(targets: unknown, samples: number): TargetTrains[] {
  const perSample =
    Array.isArray(targets) && targets.length > 0 && Array.isArray(targets[0]) && targets[0].length > 0 && isArrayLikeOfNumbers(targets[0][0]);
  if (!perSample) {
    const shared = checkTrains(targets, 'targets');
    return Array.from({ length: samples }, () => shared);
  }
  const sets = targets as unknown[];
  if (sets.length !== samples) {
    throw rangeError(
      `Expected ${samples} sets of target trains (one per sample) for targets but received length ${sets.length}`,
      'ERR_SPIKEGRAD_SHAPE',
    );
  }
  const result = sets.map((set, s) => checkTrains(set, `targets[${s}]`));
  const counts = result[0].map((t) => t.length);
  result.forEach((set, s) => {
    if (set.length !== counts.length || set.some((t, i) => t.length !== counts[i])) {
      throw rangeError(
        `Expected target trains with [${counts.join(', ')}] targets per neuron for targets[${s}] (as for targets[0]) but received [${set
          .map((t) => t.length)
          .join(', ')}]`,
        'ERR_SPIKEGRAD_SHAPE',
      );
    }
  });
  return result;
}

/**
 * The RNN loss of method.md 6.3. For readout neuron i with real targets that_i[0..n_i-1], its
 * n_i + 1 output slots are compared with the targets and the sentinel S = sentinel * T:
 *
 *     L = [ sum_i sum_{n < n_i} ((t_i[n] - that_i[n]) / (that_i[n] + 2))^2
 *         + sum_i 1[t_i[n_i] < S] ((t_i[n_i] - S) / (S + 2))^2 ] / Z,   Z = sum_i (n_i + 1)
 *
 * per sample, averaged over the batch. The sentinel term is one-sided: it pushes a surplus
 * (n_i + 1)-th spike beyond S and is zero (with zero gradient) at or after S. The gradient
 * (method.md 5.6) is 2 (t - that) / ((that + 2)^2 Z) for real slots and
 * 2 1[t < S] (t - S) / ((S + 2)^2 Z) for sentinel slots, divided by the batch size.
 *
 * Output slots are laid out neuron after neuron ({@link targetTrainSlots}); targets hold the real
 * target times per neuron (the loss appends the sentinel).
 *
 * @example
 * ```ts
 * const trains = [[2.0, 6.0], [4.0]];
 * const loss = targetTrainLoss({ sentinel: 1.1 });
 * // neuron 0: slots 0..2 (two targets + sentinel), neuron 1: slots 3..4.
 * const out = { times: new Float64Array([2.1, 6.0, 12.0, 4.0, 10.5]), samples: 1, slots: 5, T: 10 };
 * loss.compute(out, trains).value; // [(0.1/4)^2 + ((10.5 - 11)/13)^2] / 5
 * ```
 */
export function targetTrainLoss(options?: TargetTrainOptions): Loss<TargetTrainTargets> {
  const o = readOptions(options, 'targetTrainLoss options', ['sentinel']);
  const sentinel = o.sentinel === undefined ? 1.1 : expectPositive(o.sentinel, 'sentinel');
  return {
    name: 'target_train',
    compute(out: OutputBatch, targets: TargetTrainTargets): LossResult {
      const { times, samples, slots, T } = checkOutputBatch(out);
      const sets = resolveTargets(targets, samples);
      const Z = sets[0].reduce((acc, t) => acc + t.length + 1, 0);
      if (Z !== slots) {
        throw rangeError(
          `Expected ${Z} output slots (sum of n_i + 1 over the target trains) for out.slots but received ${slots}`,
          'ERR_SPIKEGRAD_SHAPE',
        );
      }
      const S = sentinel * T;
      const perSample = new Float64Array(samples);
      const grad = new Float64Array(times.length);
      for (let s = 0; s < samples; s++) {
        let slot = s * slots;
        let sum = 0;
        for (const train of sets[s]) {
          for (let n = 0; n < train.length; n++, slot++) {
            const w = train[n] + 2;
            const d = times[slot] - train[n];
            sum += (d / w) * (d / w);
            grad[slot] = (2 * d) / (w * w * Z) / samples;
          }
          const t = times[slot];
          if (t < S) {
            const d = t - S;
            const w = S + 2;
            sum += (d / w) * (d / w);
            grad[slot] = (2 * d) / (w * w * Z) / samples;
          }
          slot++;
        }
        perSample[s] = sum / Z;
      }
      return { value: mean(perSample), perSample, grad };
    },
  };
}
