/**
 * Argument checks shared by the public API. Every check throws a TypeError or RangeError with a
 * stable code and a message of one style: "Expected X for NAME but received Y".
 */
import { argumentError, describe, rangeError } from './errors';

/**
 * Typed-array checks that also hold across realms (vm contexts, worker-made arrays): they test the
 * built-in tag instead of `instanceof`, which fails for arrays made by another realm, including
 * the arrays the native addon returns to code running in a vm context such as jest's.
 */
function hasTag(value: unknown, tag: string): boolean {
  return ArrayBuffer.isView(value) && Object.prototype.toString.call(value) === `[object ${tag}]`;
}
export const isFloat64Array = (value: unknown): value is Float64Array => hasTag(value, 'Float64Array');
export const isInt32Array = (value: unknown): value is Int32Array => hasTag(value, 'Int32Array');
export const isUint8Array = (value: unknown): value is Uint8Array => hasTag(value, 'Uint8Array');

/** Throws a coded TypeError when a typed array's buffer was detached (transferred). */
export function expectAttached(value: ArrayBufferView & { at(i: number): unknown }, name: string): void {
  try {
    value.at(0);
  } catch {
    throw argumentError(`Expected a usable typed array for ${name} but its ArrayBuffer was detached (transferred)`);
  }
}

/** Throws a coded TypeError unless value is a plain options object (undefined counts as {}). */
export function expectOptions(value: unknown, name: string): void {
  if (value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value))) {
    throw argumentError(`Expected an options object for ${name} but received ${describe(value)}`);
  }
}

export function expectFloat64Array(value: unknown, name: string, length?: number): Float64Array {
  if (!isFloat64Array(value)) {
    throw argumentError(`Expected a Float64Array for ${name} but received ${describe(value)}`);
  }
  expectAttached(value, name);
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
