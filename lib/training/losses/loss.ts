/**
 * The loss interface: a loss maps the output times of one batch (ordinary spike times or
 * pseudospike times, method.md 4.3) to a batch-mean value and its gradient with respect to every
 * output time. The gradient is the seed of the adjoint pass (method.md 5.6).
 *
 * Built-in losses ({@link firstSpikeCrossEntropy}, {@link spikeTimeMse}, {@link targetTrainLoss})
 * and user-defined losses implement the same {@link Loss} interface.
 */
import type { OutputBatch } from '../../network/output';
import type { NativeLossSpec } from '../../network/network';

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
 * import { checkOutputBatch, type Loss, type LossResult, type OutputBatch } from 'spikegrad';
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
  /** Set where the core computes the same loss (Network.lossAndGradient then runs the step sample by sample in the core). */
  readonly native?: NativeLossSpec;
  /** The batch-mean loss, the per-sample losses and the gradient with respect to the output times. */
  compute(out: OutputBatch, targets: Targets): LossResult;
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
