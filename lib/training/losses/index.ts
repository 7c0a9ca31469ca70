/**
 * Losses over the output times of a batch, and a registry of the built-in losses by name.
 *
 * @example
 * ```ts
 * import { lossByName } from 'spikegrad';
 * const loss = lossByName('first_spike_cross_entropy', { gamma: 0.01 });
 * const { value, grad } = loss.compute(out, labels);
 * ```
 */
import { argumentError, describe, rangeError } from '../../base/errors';
import { didYouMean } from '../../base/validate';
import { firstSpikeCrossEntropy, type FirstSpikeCrossEntropyOptions, type Labels } from './first_spike_cross_entropy';
import type { Loss } from './loss';
import { spikeTimeMse, type TargetTimes } from './spike_time_mse';
import { targetTrainLoss, type TargetTrainOptions, type TargetTrainTargets } from './target_train';

export type { Loss, LossResult } from './loss';
export type { FirstSpikeCrossEntropyOptions, AccuracyOptions, Labels } from './first_spike_cross_entropy';
export { firstSpikeCrossEntropy, predict, accuracy, clipToTrial, checkLabels } from './first_spike_cross_entropy';
export type { TargetTimes } from './spike_time_mse';
export { spikeTimeMse } from './spike_time_mse';
export type { TargetTrains, TargetTrainTargets, TargetTrainOptions } from './target_train';
export { targetTrainLoss, targetTrainSlots } from './target_train';

/**
 * Names of the built-in losses, as accepted by {@link lossByName}.
 *
 * @example
 * ```ts
 * const name: LossName = 'target_train';
 * ```
 */
export type LossName = 'first_spike_cross_entropy' | 'spike_time_mse' | 'target_train';

const FACTORIES: Record<LossName, (options: unknown) => Loss<unknown>> = {
  first_spike_cross_entropy: (o) => firstSpikeCrossEntropy(o as FirstSpikeCrossEntropyOptions),
  spike_time_mse: (o) => spikeTimeMse(o as Record<string, never>),
  target_train: (o) => targetTrainLoss(o as TargetTrainOptions),
};

/**
 * The names of the built-in losses.
 *
 * @example
 * ```ts
 * lossNames(); // ['first_spike_cross_entropy', 'spike_time_mse', 'target_train']
 * ```
 */
export function lossNames(): LossName[] {
  return Object.keys(FACTORIES) as LossName[];
}

/**
 * Creates a built-in loss by its name (the loss's `name` property) with the given options.
 * An unknown name throws a RangeError with code ERR_SPIKEGRAD_RANGE listing the known names;
 * bad options throw the errors of the loss factory.
 *
 * @example
 * ```ts
 * const ce = lossByName('first_spike_cross_entropy', { gamma: 0.01 });
 * const rnn = lossByName('target_train', { sentinel: 1.1 });
 * lossByName('hinge'); // RangeError: Unknown loss 'hinge' (known: first_spike_cross_entropy, spike_time_mse, target_train)
 * ```
 */
export function lossByName(name: 'first_spike_cross_entropy', options?: FirstSpikeCrossEntropyOptions): Loss<Labels>;
export function lossByName(name: 'spike_time_mse', options?: Record<string, never>): Loss<TargetTimes>;
export function lossByName(name: 'target_train', options?: TargetTrainOptions): Loss<TargetTrainTargets>;
export function lossByName(name: string, options?: object): Loss<unknown>;
export function lossByName(name: string, options?: object): Loss<unknown> {
  if (typeof name !== 'string') {
    throw argumentError(`Expected a loss name string for name but received ${describe(name)}`);
  }
  if (!Object.hasOwn(FACTORIES, name)) {
    const guess = didYouMean(name, lossNames());
    throw rangeError(`Unknown loss '${name}'${guess === undefined ? '' : `; did you mean '${guess}'?`} (known: ${lossNames().join(', ')})`, 'ERR_SPIKEGRAD_RANGE');
  }
  return FACTORIES[name as LossName](options);
}
