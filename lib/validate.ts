/**
 * Argument checks shared by the public API. Every check throws a TypeError or RangeError with a
 * stable code and a message of one style: "Expected X for NAME but received Y".
 */
import { argumentError, describe, rangeError } from './errors';

export function expectFloat64Array(value: unknown, name: string, length?: number): Float64Array {
  if (!(value instanceof Float64Array)) {
    throw argumentError(`Expected a Float64Array for ${name} but received ${describe(value)}`);
  }
  if (length !== undefined && value.length !== length) {
    throw rangeError(
      `Expected a Float64Array of length ${length} for ${name} but received length ${value.length}`,
      'ERR_SPIKEGRAD_SHAPE',
    );
  }
  return value;
}

export function expectInteger(value: unknown, name: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number') {
    throw argumentError(`Expected an integer for ${name} but received ${describe(value)}`);
  }
  if (!Number.isInteger(value) || value < min || value > max) {
    throw rangeError(`Expected an integer in [${min}, ${max}] for ${name} but received ${value}`);
  }
  return value;
}

export function expectFinite(value: unknown, name: string): number {
  if (typeof value !== 'number') {
    throw argumentError(`Expected a finite number for ${name} but received ${describe(value)}`);
  }
  if (!Number.isFinite(value)) {
    throw rangeError(`Expected a finite number for ${name} but received ${value}`, 'ERR_SPIKEGRAD_NONFINITE');
  }
  return value;
}
