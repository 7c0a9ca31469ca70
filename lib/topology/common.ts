/** The limits of the network builders and the checks that use them (the checks themselves are base/validate.ts). */
import { rangeError } from '../base/errors';
import { expectInteger } from '../base/validate';

/** The most neurons, channels or events a builder accepts (2^26, as the native core). */
export const MAX_COUNT = 2 ** 26;

/** An integer in [min, 2^26]: a size, a count or a seed of a builder. */
export function expectCount(value: unknown, name: string, min = 0): number {
  return expectInteger(value, name, min, MAX_COUNT);
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
