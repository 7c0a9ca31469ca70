/** The neuron models of method.md section 2. */
export type { NeuronModel } from './neuron';
export { qif, type QifNeuron, type QifParams } from './qif';
export { theta, type ThetaNeuron, type ThetaParams } from './theta';
export { lif, type LifNeuron, type LifParams } from './lif';
export { osclif, type OscLifNeuron, type OscLifParams } from './osclif';

import { argumentError, describe, rangeError } from '../base/errors';
import type { NeuronModel } from './neuron';
import { qif } from './qif';
import { theta } from './theta';
import { lif } from './lif';
import { osclif } from './osclif';

/** Recreates a model from its name and parameters (e.g. from a saved file). */
export function neuronFromJSON(value: unknown): NeuronModel {
  if (typeof value !== 'object' || value === null) {
    throw argumentError(`Expected a neuron object {name, params} but received ${describe(value)}`);
  }
  const { name, params } = value as { name?: unknown; params?: unknown };
  switch (name) {
    case 'qif':
      return qif(params as never);
    case 'theta':
      return theta(params as never);
    case 'lif':
      return lif(params as never);
    case 'osclif':
      return osclif(params as never);
    default:
      throw rangeError(`Unknown neuron model ${describe(name)} (known: qif, theta, lif, osclif)`, 'ERR_SPIKEGRAD_DOMAIN');
  }
}
