/** The neuron models of method.md section 2. */
export type { NeuronModel } from './neuron';
export { qif, type QifNeuron, type QifParams } from './qif';
export { theta, type ThetaNeuron, type ThetaParams } from './theta';
export { lif, type LifNeuron, type LifParams } from './lif';
export { osclif, type OscLifNeuron, type OscLifParams } from './osclif';

import { argumentError, describe, rangeError } from '../base/errors';
import type { NeuronModel } from './neuron';
import { MODEL_NAMES, isModelName, modelFactory } from './models';

/** Recreates a model from its name and parameters (e.g. from a saved file). */
export function neuronFromJSON(value: unknown): NeuronModel {
  if (typeof value !== 'object' || value === null) {
    throw argumentError(`Expected a neuron object {name, params} but received ${describe(value)}`);
  }
  const { name, params } = value as { name?: unknown; params?: unknown };
  if (!isModelName(name)) throw rangeError(`Unknown neuron model ${describe(name)} (known: ${MODEL_NAMES.join(', ')})`, 'ERR_SPIKEGRAD_DOMAIN');
  return modelFactory(name)(params);
}
