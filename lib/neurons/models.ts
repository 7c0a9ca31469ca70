/**
 * The neuron models by name, for the code that reads a model name from data (saved networks, trial
 * specs, cases). Lookups go through a Map, never through an object's prototype, so a name such as
 * 'constructor' or '__proto__' is simply unknown.
 */
import type { ModelName, NeuronModel } from './neuron';
import { qif } from './qif';
import { theta } from './theta';
import { lif } from './lif';
import { osclif } from './osclif';

const FACTORIES: ReadonlyMap<string, (params?: never) => NeuronModel> = new Map<ModelName, (params?: never) => NeuronModel>([
  ['qif', qif],
  ['theta', theta],
  ['lif', lif],
  ['osclif', osclif],
]);

/** The model names, in the order of method.md section 2. */
export const MODEL_NAMES: readonly ModelName[] = [...FACTORIES.keys()] as ModelName[];

/** Whether value names a neuron model. */
export function isModelName(value: unknown): value is ModelName {
  return typeof value === 'string' && FACTORIES.has(value);
}

/** The factory of a model (qif, theta, lif or osclif). */
export function modelFactory(model: ModelName): (params?: unknown) => NeuronModel {
  return FACTORIES.get(model)! as (params?: unknown) => NeuronModel;
}

/** The parameter names of a model, in the order of its defaults (from the model's factory). */
export function parameterNames(model: ModelName): readonly string[] {
  return Object.keys(modelFactory(model)().params);
}
