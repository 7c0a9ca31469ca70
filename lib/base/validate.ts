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

/**
 * A finite number > 0 (or >= 0 when `allowZero`), else a TypeError/RangeError naming `name`.
 *
 * @example
 * ```ts
 * expectPositive(2, 'T'); // 2
 * expectPositive(0, 'T'); // RangeError: Expected a positive finite number for T but received 0
 * ```
 */
export function expectPositive(value: unknown, name: string, allowZero = false): number {
  const v = expectFinite(value, name);
  if (allowZero ? v < 0 : v <= 0) {
    throw rangeError(`Expected a ${allowZero ? 'non-negative' : 'positive'} finite number for ${name} but received ${v}`);
  }
  return v;
}

/**
 * The path of the first non-finite number reachable from value (typed arrays, arrays and plain
 * objects), or '' when there is none: what JSON would write as null.
 *
 * @example
 * ```ts
 * findNonFinite({ a: [1, NaN] }, 'x'); // 'x.a[1]'
 * ```
 */
export function findNonFinite(value: unknown, where: string): string {
  if (typeof value === 'number') return Number.isFinite(value) ? '' : where;
  if (ArrayBuffer.isView(value)) {
    const a = value as unknown as ArrayLike<number>;
    for (let k = 0; k < a.length; k++) if (typeof a[k] === 'number' && !Number.isFinite(a[k])) return `${where}[${k}]`;
    return '';
  }
  if (Array.isArray(value)) {
    for (let k = 0; k < value.length; k++) {
      const w = findNonFinite(value[k], `${where}[${k}]`);
      if (w) return w;
    }
    return '';
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, v] of Object.entries(value)) {
      const w = findNonFinite(v, `${where}.${key}`);
      if (w) return w;
    }
  }
  return '';
}

/**
 * Checks an options argument: a plain object whose keys are all in `known` (undefined allowed
 * when `required` is false). Returns it as a record.
 *
 * @example
 * ```ts
 * checkOptions({ lr: 0.1 }, 'sgd options', ['lr', 'clip']); // ok
 * checkOptions({ lr: 0.1, momentum: 0.9 }, 'sgd options', ['lr', 'clip']); // TypeError naming 'momentum'
 * ```
 */
export function checkRequiredOptions(
  options: unknown,
  name: string,
  known: readonly string[],
  required = true,
): Record<string, unknown> {
  if (options === undefined && !required) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw argumentError(`Expected an options object for ${name} but received ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw argumentError(`Expected only known options (${known.join(', ')}) for ${name} but received unknown option '${key}'`);
    }
  }
  return options as Record<string, unknown>;
}

/**
 * A finite number in [min, max) (or [min, max] when `closed`), else a TypeError/RangeError
 * naming `name`.
 *
 * @example
 * ```ts
 * expectInRange(0.9, 'b1', 0, 1); // 0.9
 * expectInRange(1, 'b1', 0, 1);   // RangeError: Expected a number in [0, 1) for b1 but received 1
 * ```
 */
export function expectInRange(value: unknown, name: string, min: number, max: number, closed = false): number {
  const v = expectFinite(value, name);
  if (v < min || (closed ? v > max : v >= max)) {
    throw rangeError(`Expected a number in [${min}, ${max}${closed ? ']' : ')'} for ${name} but received ${v}`);
  }
  return v;
}
