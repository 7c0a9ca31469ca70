/** Shared option checks of the network builders. */
import { argumentError, describe, rangeError } from '../base/errors';
import type { NeuronModel } from '../neurons/neuron';

export function expectNeuron(value: unknown, name = 'neuron'): NeuronModel {
  const v = value as NeuronModel;
  if (typeof v !== 'object' || v === null || typeof v.name !== 'string' || typeof v.defaultState !== 'function') {
    throw argumentError(`Expected a neuron model (qif(), theta(), lif() or osclif()) for ${name} but received ${describe(value)}`);
  }
  return v;
}

export function expectPositiveNumber(value: unknown, name: string, allowZero = false): number {
  if (typeof value !== 'number') throw argumentError(`Expected a number for ${name} but received ${describe(value)}`);
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw rangeError(`Expected a finite number ${allowZero ? '>= 0' : '> 0'} for ${name} but received ${value}`);
  }
  return value;
}

export function expectCount(value: unknown, name: string, min = 0): number {
  if (typeof value !== 'number') throw argumentError(`Expected an integer for ${name} but received ${describe(value)}`);
  if (!Number.isInteger(value) || value < min || value > 1 << 26) {
    throw rangeError(`Expected an integer >= ${min} for ${name} but received ${value}`);
  }
  return value;
}

/** Rejects option keys a builder does not know, naming the first unknown one. */
export function checkKeys(options: object, known: readonly string[], builder: string): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw rangeError(`Unknown option '${key}' for ${builder} (known: ${known.join(', ')})`, 'ERR_SPIKEGRAD_ARG');
    }
  }
}

/** The most synapses a builder creates (their lists are typed arrays of this size). */
export const MAX_SYNAPSES = 50_000_000;

/** Throws a RangeError naming the builder when a layout would need more than MAX_SYNAPSES. */
export function checkSynapseCount(count: number, builder: string): void {
  if (count > MAX_SYNAPSES) {
    throw rangeError(
      `${builder}: ${count} synapses exceed the limit of ${MAX_SYNAPSES}; build sparse synapse lists and use new Network(structure) instead`,
    );
  }
}
