/**
 * The one validation module of spikegrad: every check of an argument, an option or a field of the
 * public API is here. A check returns the value it accepted or throws a coded error whose message
 * names what it checked (see docs/errors.md):
 *
 * - a value of the wrong type (or a missing one, or an unknown option name): TypeError,
 *   ERR_SPIKEGRAD_ARG, "Expected X for NAME but received Y";
 * - NaN or an infinity where a finite number is required: RangeError, ERR_SPIKEGRAD_NONFINITE;
 * - a number of the right type outside its range: RangeError, ERR_SPIKEGRAD_RANGE;
 * - an array of the wrong length: RangeError, ERR_SPIKEGRAD_SHAPE.
 *
 * Options objects are read with {@link readOptions}: only own properties count (nothing is looked
 * up through a prototype, so '__proto__', 'constructor' or 'toString' are unknown options like any
 * other), and an unknown option is refused with one message that suggests the closest known name.
 */
import { argumentError, describe, rangeError } from './errors';

// ---- Typed arrays ---------------------------------------------------------------------------

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

function expectTyped<T extends ArrayBufferView & { at(i: number): unknown; length: number }>(
  value: unknown,
  name: string,
  tag: string,
  is: (v: unknown) => v is T,
  length: number | undefined,
): T {
  if (!is(value)) throw argumentError(`Expected a${tag === 'Int32Array' ? 'n' : ''} ${tag} for ${name} but received ${describe(value)}`);
  expectAttached(value, name);
  if (length !== undefined && value.length !== length) {
    throw rangeError(`Expected a${tag === 'Int32Array' ? 'n' : ''} ${tag} of length ${length} for ${name} but received length ${value.length}`, 'ERR_SPIKEGRAD_SHAPE');
  }
  return value;
}

/** A usable Float64Array (of the given length). */
export function expectFloat64Array(value: unknown, name: string, length?: number): Float64Array {
  return expectTyped(value, name, 'Float64Array', isFloat64Array, length);
}

/** A usable Int32Array (of the given length). */
export function expectInt32Array(value: unknown, name: string, length?: number): Int32Array {
  return expectTyped(value, name, 'Int32Array', isInt32Array, length);
}

/** A usable Uint8Array (of the given length). */
export function expectUint8Array(value: unknown, name: string, length?: number): Uint8Array {
  return expectTyped(value, name, 'Uint8Array', isUint8Array, length);
}

/** An array of Float64Arrays (elements named NAME[i]). */
export function expectFloat64Arrays(value: unknown, name: string): Float64Array[] {
  if (!Array.isArray(value)) throw argumentError(`Expected an array of Float64Arrays for ${name} but received ${describe(value)}`);
  value.forEach((a: unknown, i) => {
    if (!isFloat64Array(a)) throw argumentError(`Expected a Float64Array for ${name}[${i}] but received ${describe(a)}`);
  });
  return value as Float64Array[];
}

// ---- Numbers --------------------------------------------------------------------------------

/** A number that is not NaN (infinities allowed). */
export function expectNumber(value: unknown, name: string): number {
  if (typeof value !== 'number') throw argumentError(`Expected a number for ${name} but received ${describe(value)}`);
  if (Number.isNaN(value)) throw rangeError(`Expected a number for ${name} but received NaN`, 'ERR_SPIKEGRAD_NONFINITE');
  return value;
}

/** A finite number. */
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
 * A finite number > 0 (or >= 0 when `allowZero`); NaN and infinities are ERR_SPIKEGRAD_NONFINITE.
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
 * A setting of a builder (a trial length, a scale, a time): a finite number > 0 (or >= 0 when
 * `allowZero`), where NaN and infinities count as out of range (ERR_SPIKEGRAD_RANGE).
 */
export function expectPositiveNumber(value: unknown, name: string, allowZero = false): number {
  if (typeof value !== 'number') throw argumentError(`Expected a number for ${name} but received ${describe(value)}`);
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw rangeError(`Expected a finite number ${allowZero ? '>= 0' : '> 0'} for ${name} but received ${value}`);
  }
  return value;
}

/**
 * A finite number in [min, max) (or [min, max] when `closed`).
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

/**
 * An integer in [min, max].
 *
 * @example
 * ```ts
 * expectInteger(3, 'batchSize', 1); // 3
 * expectInteger(0, 'batchSize', 1); // RangeError: Expected an integer >= 1 for batchSize but received 0
 * ```
 */
export function expectInteger(value: unknown, name: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number') {
    throw argumentError(`Expected an integer for ${name} but received ${describe(value)}`);
  }
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
    throw rangeError(`Expected an integer ${range} for ${name} but received ${value}`);
  }
  return value;
}

/** A boolean. */
export function expectBoolean(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') throw argumentError(`Expected a boolean for ${name} but received ${describe(value)}`);
  return value;
}

/** One of the given strings (ERR_SPIKEGRAD_RANGE otherwise, listing them). */
export function expectOneOf<T extends string>(value: unknown, name: string, choices: readonly T[]): T {
  if (!choices.includes(value as T)) {
    throw rangeError(`Expected one of ${choices.map((c) => `'${c}'`).join(', ')} for ${name} but received ${describe(value)}`);
  }
  return value as T;
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

// ---- Objects and options --------------------------------------------------------------------

/** A plain object (not null, not an array, not a typed array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

/** An object (not null, not an array, not a typed array); `what` describes it. */
export function expectObject(value: unknown, name: string, what = 'an object'): Record<string, unknown> {
  if (!isRecord(value)) throw argumentError(`Expected ${what} for ${name} but received ${describe(value)}`);
  return value;
}

/**
 * Edit distance between two strings: insertions, deletions, substitutions and transpositions of
 * neighbours each cost 1 (optimal string alignment). A 20-line function here rather than a
 * runtime dependency: it only ranks suggestions in error messages.
 */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/**
 * The known name closest to `key` (ignoring case), if it is close enough to be a typo: at most
 * one edit per three characters of the key, and at least one.
 *
 * @example
 * ```ts
 * didYouMean('gama', ['gamma']);           // 'gamma'
 * didYouMean('wscale', ['sizes', 'wScale']); // 'wScale'
 * didYouMean('momentum', ['lr', 'clip']);  // undefined
 * ```
 */
export function didYouMean(key: string, known: readonly string[]): string | undefined {
  const limit = Math.max(1, Math.floor(key.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of known) {
    const d = editDistance(key.toLowerCase(), name.toLowerCase());
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/** A key as a message shows it: quoted, control characters escaped, long keys cut. */
function showKey(key: string): string {
  const shown = JSON.stringify(key.length > 40 ? key.slice(0, 40) + '…' : key).slice(1, -1);
  return `'${shown}'`;
}

/**
 * The one error for an unknown option: a TypeError with code ERR_SPIKEGRAD_ARG,
 * "Unknown option 'KEY' for NAME; did you mean 'CLOSEST'? (known: A, B, ...)"; for data read from
 * JSON (a case, a model file) `noun` 'key' says "Unknown key 'KEY' in NAME; ...".
 */
export function unknownOptionError(key: string, name: string, known: readonly string[], noun: 'option' | 'key' = 'option'): TypeError {
  const guess = didYouMean(key, known);
  const hint = guess === undefined ? '' : `; did you mean '${guess}'?`;
  return argumentError(`Unknown ${noun} ${showKey(key)} ${noun === 'key' ? 'in' : 'for'} ${name}${hint} (known: ${known.join(', ') || 'none'})`);
}

/**
 * Reads an options object: undefined (when not `required`) or a plain object whose own keys are
 * all in `known`. Returns a copy with no prototype holding the known options that are set (each
 * read once). Nothing is looked up through a prototype: an inherited property is not an option,
 * and own keys such as '__proto__', 'constructor' or 'toString' are unknown options.
 *
 * @example
 * ```ts
 * const o = readOptions({ gamma: 0.01 }, 'firstSpikeCrossEntropy options', ['gamma']); // { gamma: 0.01 }
 * readOptions({ gama: 0.01 }, 'firstSpikeCrossEntropy options', ['gamma']);
 * // TypeError: Unknown option 'gama' for firstSpikeCrossEntropy options; did you mean 'gamma'? (known: gamma)
 * ```
 */
export function readOptions<K extends string>(
  value: unknown,
  name: string,
  known: readonly K[],
  required = false,
): Partial<Record<K, unknown>> {
  const out = Object.create(null) as Partial<Record<K, unknown>>;
  if (value === undefined && !required) return out;
  if (!isRecord(value)) throw argumentError(`Expected an options object for ${name} but received ${describe(value)}`);
  expectKnownKeys(value, name, known);
  for (const key of known) if (Object.hasOwn(value, key)) out[key] = value[key];
  return out;
}

/**
 * Refuses an own key of `value` that is not in `known` ({@link unknownOptionError}), without
 * reading any value: for objects that are kept as given (a network structure, a trial spec).
 */
export function expectKnownKeys(value: object, name: string, known: readonly string[], noun: 'option' | 'key' = 'option'): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) throw unknownOptionError(key, name, known, noun);
  }
}

/**
 * Reads numeric options with defaults (model parameters): undefined or an object whose own keys
 * are names of `defaults` and whose values are finite numbers (undefined takes the default).
 * Values are named `PREFIX.KEY`.
 *
 * @example
 * ```ts
 * readNumbers({ tau: 2 }, 'qif parameters', 'qif', { tau: 1, alpha: 10 }); // { tau: 2, alpha: 10 }
 * ```
 */
export function readNumbers<K extends string>(value: unknown, name: string, prefix: string, defaults: Readonly<Record<K, number>>): Record<K, number> {
  const keys = Object.keys(defaults) as K[];
  const given = readOptions(value, name, keys);
  const out = { ...defaults } as Record<K, number>;
  for (const key of keys) {
    const v = given[key];
    if (v === undefined) continue;
    if (typeof v !== 'number') throw argumentError(`Expected a number for ${prefix}.${key} but received ${describe(v)}`);
    if (!Number.isFinite(v)) throw rangeError(`Expected a finite number for ${prefix}.${key} but received ${v}`, 'ERR_SPIKEGRAD_NONFINITE');
    out[key] = v;
  }
  return out;
}

/**
 * The option names of an options interface T, checked by the compiler to be exactly its keys, so
 * that a list given to {@link readOptions} cannot drift from the interface it reads:
 * `optionNames<SgdOptions>()(['lr', 'clip'])` compiles; leaving out or adding a name does not.
 */
export const optionNames =
  <T>() =>
  <const K extends readonly (keyof T & string)[]>(names: K & ([Exclude<keyof T, K[number]>] extends [never] ? unknown : { missing: Exclude<keyof T, K[number]> })): K =>
    names;

// ---- JSON text ------------------------------------------------------------------------------

/** A JSON text position as a message shows it: "line L column C". */
function lineColumn(text: string, at: number): string {
  let line = 1;
  let start = 0;
  for (let k = text.indexOf('\n'); k !== -1 && k < at; k = text.indexOf('\n', k + 1)) {
    line++;
    start = k + 1;
  }
  return `line ${line} column ${at - start + 1}`;
}

/** The path of a key as a message shows it: `a.b[2].c`. */
function showPath(frames: readonly { key?: string; index: number }[], key: string): string {
  let out = '';
  for (const f of frames) out += f.key === undefined ? `[${f.index}]` : `${out ? '.' : ''}${f.key}`;
  return `${out ? `${out}.` : ''}${key}`;
}

/**
 * The first key that occurs twice in one object of a JSON text that `JSON.parse` accepted, as
 * `{ key, path, at }`, or undefined. Keys compare after unescaping (`"a"` and `"\u0061"` are
 * the same key). Iterative, so nesting as deep as `JSON.parse` allows cannot overflow the stack.
 * Only call it on text that parsed: it relies on the syntax being valid.
 */
export function findDuplicateKey(text: string): { key: string; path: string; at: number } | undefined {
  // One frame per open object ({ keys, key: the current key }) or array ({ index }).
  const frames: { keys?: Set<string>; key?: string; index: number; expectKey: boolean }[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      // The closing quote: the next one not preceded by an odd number of backslashes.
      let j = i + 1;
      for (;;) {
        const q = text.indexOf('"', j);
        let b = q - 1;
        while (text.charCodeAt(b) === 0x5c /* \ */) b--;
        j = q;
        if ((q - 1 - b) % 2 === 0) break;
        j = q + 1;
      }
      const top = frames[frames.length - 1];
      if (top?.keys !== undefined && top.expectKey) {
        const raw = text.slice(i + 1, j);
        const key = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
        if (top.keys.has(key)) return { key, path: showPath(frames.slice(0, -1), key), at: i };
        top.keys.add(key);
        top.key = key;
        top.expectKey = false;
      }
      i = j + 1;
    } else if (c === 0x7b /* { */) {
      frames.push({ keys: new Set(), index: 0, expectKey: true });
      i++;
    } else if (c === 0x5b /* [ */) {
      frames.push({ index: 0, expectKey: false });
      i++;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      frames.pop();
      i++;
    } else if (c === 0x2c /* , */) {
      const top = frames[frames.length - 1];
      if (top.keys !== undefined) top.expectKey = true;
      else top.index++;
      i++;
    } else {
      i++;
    }
  }
  return undefined;
}

/**
 * `JSON.parse` that also refuses a key given twice in one object (which `JSON.parse` resolves
 * silently to the last value): a TypeError with code ERR_SPIKEGRAD_ARG naming the key, its path
 * and its place, "Duplicate key 'KEY' in NAME (at PATH, line L column C)". Invalid JSON throws
 * `JSON.parse`'s SyntaxError unchanged.
 *
 * A small scanner rather than a library: the JSON parsers on npm that report duplicate keys
 * (jsonc-parser, @humanwhocodes/momoa, json-dup-key-validator) descend recursively and overflow
 * the stack on nesting that JSON.parse accepts, and they would parse every text a second time
 * into a tree; this one only walks the keys of a text `JSON.parse` already accepted.
 */
export function parseJson(text: string, name: string): unknown {
  const value: unknown = JSON.parse(text);
  const dup = findDuplicateKey(text);
  if (dup !== undefined) {
    throw argumentError(`Duplicate key ${showKey(dup.key)} in ${name} (at ${dup.path}, ${lineColumn(text, dup.at)})`);
  }
  return value;
}
