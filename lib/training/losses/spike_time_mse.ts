/**
 * Squared error between output times and target times (method.md 6.2, single-neuron task).
 */
import { argumentError, describe, rangeError } from '../../base/errors';
import { mean, type Loss, type LossResult } from './loss';
import { checkOutputBatch, type OutputBatch } from '../../network/output';
import { isFloat64Array, readOptions } from '../../base/validate';

/**
 * Target times of {@link spikeTimeMse}:
 * - a Float64Array of length `slots`: one target vector shared by all samples;
 * - a Float64Array of length `samples * slots`: one target vector per sample, sample-major;
 * - an array of `samples` Float64Arrays of length `slots`: one per sample.
 *
 * @example
 * ```ts
 * const shared: TargetTimes = new Float64Array([2.5, 7.5]);
 * const perSample: TargetTimes = [new Float64Array([2.5, 7.5]), new Float64Array([3, 8])];
 * ```
 */
export type TargetTimes = Float64Array | readonly Float64Array[];

function checkFiniteTargets(v: Float64Array, name: string): void {
  for (let i = 0; i < v.length; i++) {
    if (!Number.isFinite(v[i])) {
      throw rangeError(`Expected a finite number for ${name}[${i}] but received ${v[i]}`, 'ERR_SPIKEGRAD_NONFINITE');
    }
  }
}

/** Target of sample s, slot k, as a function; checks shapes and finiteness once. */
function targetAccessor(targets: unknown, samples: number, slots: number): (s: number, k: number) => number {
  if (isFloat64Array(targets)) {
    checkFiniteTargets(targets, 'targets');
    if (targets.length === slots) return (_s, k) => targets[k];
    if (targets.length === samples * slots) return (s, k) => targets[s * slots + k];
    throw rangeError(
      `Expected a Float64Array of length ${slots} (slots) or ${samples * slots} (samples * slots) for targets but received length ${targets.length}`,
      'ERR_SPIKEGRAD_SHAPE',
    );
  }
  if (Array.isArray(targets)) {
    if (targets.length !== samples) {
      throw rangeError(
        `Expected ${samples} target vectors (one per sample) for targets but received length ${targets.length}`,
        'ERR_SPIKEGRAD_SHAPE',
      );
    }
    targets.forEach((v: unknown, s) => {
      if (!isFloat64Array(v)) {
        throw argumentError(`Expected a Float64Array for targets[${s}] but received ${describe(v)}`);
      }
      if (v.length !== slots) {
        throw rangeError(
          `Expected a Float64Array of length ${slots} for targets[${s}] but received length ${v.length}`,
          'ERR_SPIKEGRAD_SHAPE',
        );
      }
      checkFiniteTargets(v, `targets[${s}]`);
    });
    const rows = targets as Float64Array[];
    return (s, k) => rows[s][k];
  }
  throw argumentError(`Expected a Float64Array or an array of Float64Arrays for targets but received ${describe(targets)}`);
}

/**
 * Per-sample squared error L = (1/2) sum_n (t[n] - target[n])^2, averaged over the batch; the
 * gradient is dL/dt[n] = (t[n] - target[n]) / samples (method.md 5.6). Takes no options.
 *
 * @example
 * ```ts
 * const loss = spikeTimeMse();
 * const out = { times: new Float64Array([3, 7]), samples: 1, slots: 2, T: 10 };
 * const r = loss.compute(out, new Float64Array([2.5, 7.5]));
 * r.value; // 0.25
 * r.grad;  // Float64Array [0.5, -0.5]
 * ```
 */
export function spikeTimeMse(options?: Record<string, never>): Loss<TargetTimes> {
  readOptions(options, 'spikeTimeMse options', []);
  return {
    name: 'spike_time_mse',
    compute(out: OutputBatch, targets: TargetTimes): LossResult {
      const { times, samples, slots } = checkOutputBatch(out);
      const target = targetAccessor(targets, samples, slots);
      const perSample = new Float64Array(samples);
      const grad = new Float64Array(times.length);
      for (let s = 0; s < samples; s++) {
        let sum = 0;
        for (let k = 0; k < slots; k++) {
          const d = times[s * slots + k] - target(s, k);
          sum += d * d;
          grad[s * slots + k] = d / samples;
        }
        perSample[s] = 0.5 * sum;
      }
      return { value: mean(perSample), perSample, grad };
    },
  };
}
