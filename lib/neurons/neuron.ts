/**
 * Neuron models: immutable, validated parameter records with the defaults of method.md. A model
 * object is what a network is built from; its `name` and `params` are what the native core gets.
 */
import { argumentError, describe, rangeError } from '../base/errors';

/** The neuron models of method.md section 2, by the names the case format and the native core use. */
export type ModelName = 'qif' | 'theta' | 'lif' | 'osclif';

/** The common shape of every neuron model. */
export interface NeuronModel {
  /** The model's name in the case format and the native core. */
  readonly name: ModelName;
  /** All parameters, defaults filled in. */
  readonly params: Readonly<Record<string, number>>;
  /** State variables per neuron: 2 (V, I) for qif and lif, 1 (phi) for theta and osclif. */
  readonly stateDim: 1 | 2;
  /** Names of the state variables, in the order of the initial-state array. */
  readonly stateNames: readonly string[];
  /** The default initial state of one neuron. */
  defaultState(): number[];
}

/** Throws a RangeError (ERR_SPIKEGRAD_DOMAIN) unless ok. */
export function requireDomain(ok: boolean, message: string): void {
  if (!ok) throw rangeError(message, 'ERR_SPIKEGRAD_DOMAIN');
}

/** A neuron model made by qif(), theta(), lif() or osclif() (or of their shape). */
export function expectNeuron(value: unknown, name = 'neuron'): NeuronModel {
  const v = value as Partial<NeuronModel>;
  if (typeof v !== 'object' || v === null || typeof v.name !== 'string' || typeof v.defaultState !== 'function') {
    throw argumentError(`Expected a neuron model (qif(), theta(), lif() or osclif()) for ${name} but received ${describe(value)}`);
  }
  return value as NeuronModel;
}
