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

/** Reads numeric options with defaults; rejects unknown keys and non-finite values by name. */
export function readParams<K extends string>(
  model: string,
  options: unknown,
  defaults: Record<K, number>,
): Record<K, number> {
  if (options === undefined) return { ...defaults };
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw argumentError(`Expected an object of ${model} parameters but received ${describe(options)}`);
  }
  const out = { ...defaults };
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    if (!(key in defaults)) {
      throw rangeError(`Unknown ${model} parameter '${key}' (known: ${Object.keys(defaults).join(', ')})`, 'ERR_SPIKEGRAD_ARG');
    }
    if (typeof value !== 'number') {
      throw argumentError(`Expected a number for ${model}.${key} but received ${describe(value)}`);
    }
    if (!Number.isFinite(value)) {
      throw rangeError(`Expected a finite number for ${model}.${key} but received ${value}`, 'ERR_SPIKEGRAD_NONFINITE');
    }
    out[key as K] = value;
  }
  return out;
}

/** Throws a RangeError (ERR_SPIKEGRAD_DOMAIN) unless ok. */
export function requireDomain(ok: boolean, message: string): void {
  if (!ok) throw rangeError(message, 'ERR_SPIKEGRAD_DOMAIN');
}
