/**
 * The neuron-model registry of the TypeScript layer. It is derived from the native core's
 * registry (native/core/neurons/registry.hpp) and holds nothing of its own: the model names, their
 * families, parameter names and defaults, and state names come from the addon's `models`; the
 * constants of a parameter set (a phase model's period, ...), the domain of the initial state and
 * the default state come from `modelConstants`, so they are the very doubles the engines use (a
 * period recomputed here could differ by an ulp, and the core would then reject a state the
 * TypeScript layer had clamped to it). Parameter validation is the core's too.
 *
 * Lookups go through a Map, never through an object's prototype, so a name such as 'constructor'
 * or '__proto__' is simply unknown.
 */
import { native, type NativeModelInfo } from '../base/native';
import { argumentError, codedError, describe, rangeError } from '../base/errors';
import { readNumbers } from '../base/validate';
import type { ModelFamily, ModelName, NeuronModel } from './neuron';

const INFO: ReadonlyMap<string, NativeModelInfo> = new Map(native.models.map((m) => [m.name, m]));

/** The registered model names, in the order of the native registry. */
export const MODEL_NAMES: readonly ModelName[] = Object.freeze(native.models.map((m) => m.name as ModelName));

/** Whether value names a registered neuron model. */
export function isModelName(value: unknown): value is ModelName {
  return typeof value === 'string' && INFO.has(value);
}

/** The native description of a model: family, state names, parameter names and defaults. */
export function modelInfo(name: string): NativeModelInfo {
  const info = INFO.get(name);
  if (info === undefined) throw rangeError(`Unknown neuron model ${describe(name)} (known: ${MODEL_NAMES.join(', ')})`, 'ERR_SPIKEGRAD_DOMAIN');
  return info;
}

/** The parameter names of a model, in the order of the native registry. */
export function parameterNames(name: ModelName): readonly string[] {
  return modelInfo(name).params.map((p) => p.name);
}

/** The model's default parameters. */
export function defaultParams(name: ModelName): Record<string, number> {
  return Object.fromEntries(modelInfo(name).params.map((p) => [p.name, p.default]));
}

/** Names a model object must not carry as constants (they are its own fields). */
const RESERVED = new Set(['name', 'family', 'params', 'stateDim', 'stateNames', 'constants', 'stateBounds', 'defaultState']);

/**
 * A neuron model: the parameters (unknown keys refused with a suggestion, defaults filled in)
 * validated by the core, with the constants, state domain and default state the core derives
 * from them. Every constant is also a property of the model (theta and osclif: `period`).
 */
export function makeNeuron<N extends NeuronModel = NeuronModel>(name: ModelName, params: unknown): N {
  const info = modelInfo(name);
  const p = readNumbers(params, `${name} parameters`, name, defaultParams(name));
  const c = native.modelConstants(name, p);
  const constants: Record<string, number> = {};
  for (const [key, value] of Object.entries(c.constants)) {
    if (RESERVED.has(key)) throw codedError(`the core's model ${name} has a constant named '${key}', which is reserved`, 'ERR_SPIKEGRAD_INTERNAL');
    constants[key] = value;
  }
  const defaultState = Object.freeze([...c.defaultState]);
  const min = Object.freeze([...c.stateMin]);
  const max = Object.freeze([...c.stateMax]);
  return Object.freeze({
    ...constants,
    name,
    family: info.family as ModelFamily,
    params: Object.freeze({ ...c.params }),
    stateDim: info.stateNames.length,
    stateNames: Object.freeze([...info.stateNames]),
    constants: Object.freeze(constants),
    stateBounds: () => ({ min: [...min], max: [...max] }),
    defaultState: () => [...defaultState],
  }) as unknown as N;
}

/**
 * A neuron model made by qif(), theta(), lif() or osclif(), or an object of their shape ({name,
 * params}); returned as the registry makes it from its name and parameters, so that its constants
 * are the core's.
 */
export function expectNeuron(value: unknown, name = 'neuron'): NeuronModel {
  const v = value as Partial<NeuronModel>;
  if (typeof v !== 'object' || v === null || typeof v.name !== 'string' || (v.params !== undefined && (typeof v.params !== 'object' || v.params === null))) {
    throw argumentError(`Expected a neuron model (${MODEL_NAMES.map((m) => `${m}()`).join(', ')}) for ${name} but received ${describe(value)}`);
  }
  return makeNeuron(v.name as ModelName, v.params);
}

/** Recreates a model from its name and parameters (e.g. from a saved file). */
export function neuronFromJSON(value: unknown): NeuronModel {
  if (typeof value !== 'object' || value === null) {
    throw argumentError(`Expected a neuron object {name, params} but received ${describe(value)}`);
  }
  const { name, params } = value as { name?: unknown; params?: unknown };
  if (!isModelName(name)) throw rangeError(`Unknown neuron model ${describe(name)} (known: ${MODEL_NAMES.join(', ')})`, 'ERR_SPIKEGRAD_DOMAIN');
  return makeNeuron(name, params);
}
