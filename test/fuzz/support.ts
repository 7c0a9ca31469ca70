/**
 * Shared machinery of the fuzz suites (test/fuzz/*.test.ts, issue 7):
 *
 * - seeds and run counts: a fixed seed (FUZZ_SEED overrides it) and a run multiplier (FUZZ_RUNS,
 *   default 1 in `npm test`; `npm run fuzz` raises it);
 * - the error codes of docs/errors.md, read from the file so that a new documented code is accepted
 *   without touching the tests;
 * - the outcome check: every call either returns a valid result (finite numbers wherever the
 *   result holds numbers) or throws an Error with a documented `code` other than
 *   ERR_SPIKEGRAD_INTERNAL. The bugs these suites found (K1 to K16, docs/robustness.md) are
 *   fixed, and nothing of theirs is tolerated; test/robustness/regressions.test.ts keeps a test of
 *   each;
 * - open issues (OPEN_ISSUES): a bug found and not fixed yet is tolerated only where its symptom
 *   shows, counted and printed, with an `it.failing` reproducer in regressions.test.ts. When the
 *   fix lands the reproducer passes and jest reports it: turn it into `it`, delete the entry here.
 */
import fs = require('fs');
import path = require('path');
import fc from 'fast-check';

/** The fixed seed of the reduced (npm test) form. */
export const FUZZ_SEED = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : 0x5eed7;
/** Run multiplier: `FUZZ_RUNS=50 npm run fuzz` runs 50 times as many cases. */
export const FUZZ_SCALE = process.env.FUZZ_RUNS !== undefined ? Math.max(0.01, Number(process.env.FUZZ_RUNS)) : 1;

/** Runs of a property in the current mode. */
export function runs(base: number): number {
  return Math.max(1, Math.round(base * FUZZ_SCALE));
}

/** fast-check parameters: reproducible seed per property, counted runs, verbose failure. */
export function params(offset: number, base: number): fc.Parameters<unknown> {
  return { seed: (FUZZ_SEED + offset * 7919) | 0, numRuns: runs(base), verbose: 1, endOnFailure: true };
}

/** Every `code` listed in the table of docs/errors.md. */
export const DOCUMENTED_CODES: ReadonlySet<string> = (() => {
  const text = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'errors.md'), 'utf8');
  const codes = new Set<string>();
  for (const m of text.matchAll(/^\|\s*`([A-Z_]+)`\s*\|/gm)) codes.add(m[1]);
  if (codes.size === 0) throw new Error('no error codes found in docs/errors.md');
  return codes;
})();

/** A thrown value as the checks see it. */
export interface Thrown {
  value: unknown;
  code?: string;
  message: string;
  name: string;
}

export function asThrown(value: unknown): Thrown {
  const o = (typeof value === 'object' && value !== null ? value : {}) as { code?: unknown; message?: unknown; name?: unknown };
  return {
    value,
    code: typeof o.code === 'string' ? o.code : undefined,
    message: typeof o.message === 'string' ? o.message : String(value),
    name: typeof o.name === 'string' ? o.name : typeof value,
  };
}

/** Is this an Error-like object (also across realms: native errors in jest's vm context)? */
export function isErrorLike(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as Error).message === 'string' && typeof (value as Error).name === 'string';
}

/** A documented, non-internal code on an Error with a message. */
export function isCodedInputError(value: unknown): boolean {
  const t = asThrown(value);
  return isErrorLike(value) && t.code !== undefined && DOCUMENTED_CODES.has(t.code) && t.code !== 'ERR_SPIKEGRAD_INTERNAL' && t.message.length > 0;
}

// ---- Context ------------------------------------------------------------------------------------

/** Where a thrown value came from. */
export interface Context {
  /** The entry point, e.g. 'native.simulate', 'Network', 'fromMatrices'. */
  api: string;
  /** Sentinel errors planted by the fuzzer (throwing getters), if any. */
  sentinels?: readonly Error[];
}

const SENTINEL_TEXT = 'fuzz-sentinel';

/** An error a fuzzed getter or proxy throws; it must come back to the caller unchanged. */
export function sentinel(): Error {
  return new Error(`${SENTINEL_TEXT} ${Math.random().toString(36).slice(2, 8)}`);
}

// ---- Open issues ----------------------------------------------------------------------------------

/**
 * Bugs found and not fixed yet (docs/robustness.md), by id. Empty: every bug the suites found is
 * fixed, and no symptom is tolerated. A new open bug gets an entry here and a narrow allowance
 * function that records its hits in openHits, next to the place where its symptom shows.
 */
export const OPEN_ISSUES: Readonly<Record<string, string>> = {};

const openHits = new Map<string, number>();

/** Prints which open issues a suite ran into. */
export function reportOpenIssues(suite: string): void {
  if (openHits.size === 0) return;
  const lines = [...openHits].map(([id, n]) => `  ${id} x${n}: ${OPEN_ISSUES[id]}`);
  process.stderr.write(`[${suite}] open issues seen (tolerated where their symptom shows):\n${lines.join('\n')}\n`);
}

// ---- The outcome check ----------------------------------------------------------------------------

/** Recursively finds a non-finite number in a result ('' when there is none). */
export function nonFinitePath(value: unknown, where = 'result', seen = new Set<unknown>()): string {
  if (typeof value === 'number') return Number.isFinite(value) ? '' : `${where} = ${value}`;
  if (typeof value !== 'object' || value === null || seen.has(value)) return '';
  seen.add(value);
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const a = value as unknown as ArrayLike<number | bigint>;
    for (let k = 0; k < a.length; k++) {
      const x = a[k];
      if (typeof x === 'number' && !Number.isFinite(x)) return `${where}[${k}] = ${x}`;
    }
    return '';
  }
  for (const [key, v] of Object.entries(value)) {
    const p = nonFinitePath(v, `${where}.${key}`, seen);
    if (p) return p;
  }
  return '';
}

export type Outcome = { ok: true; value: unknown } | { ok: false; code: string };

/**
 * Judges a thrown value: a documented code passes; anything else fails with a description. A
 * planted sentinel coming back unchanged also passes.
 */
export function judgeThrown(err: unknown, ctx: Context): Outcome {
  if (ctx.sentinels?.includes(err as Error)) return { ok: false, code: 'sentinel' };
  const t = asThrown(err);
  if (isCodedInputError(err)) return { ok: false, code: t.code! };
  throw new Error(`${ctx.api}: threw ${t.name} without an acceptable code (code ${String(t.code)}): ${t.message}`);
}

/**
 * Judges a returned value: every number in it must be finite, except where `allowNonFinite` says
 * (for values that are not results, such as a network object that also holds its inputs).
 */
export function judgeResult(value: unknown, ctx: Context, allowNonFinite?: (path: string) => boolean): Outcome {
  const bad = nonFinitePath(value);
  if (bad && !(allowNonFinite && allowNonFinite(bad))) throw new Error(`${ctx.api}: returned a non-finite number: ${bad}`);
  return { ok: true, value };
}

/** Runs fn and judges its outcome (sync). */
export function outcome(fn: () => unknown, ctx: Context, allowNonFinite?: (path: string) => boolean): Outcome {
  let value: unknown;
  try {
    value = fn();
  } catch (err) {
    return judgeThrown(err, ctx);
  }
  return judgeResult(value, ctx, allowNonFinite);
}

/** Runs fn and judges its outcome (async; a synchronous throw counts like a rejection). */
export async function outcomeAsync(fn: () => unknown, ctx: Context, allowNonFinite?: (path: string) => boolean): Promise<Outcome> {
  let value: unknown;
  try {
    value = await fn();
  } catch (err) {
    return judgeThrown(err, ctx);
  }
  return judgeResult(value, ctx, allowNonFinite);
}

// ---- Malformed values -----------------------------------------------------------------------------

/** Detaches an ArrayBuffer by transferring it (the views made before stay, with length 0). */
export function detach(buffer: ArrayBufferLike): void {
  if (buffer instanceof ArrayBuffer && !(buffer as ArrayBuffer & { detached?: boolean }).detached) {
    structuredClone(buffer, { transfer: [buffer] });
  }
}

/** Values of every JavaScript type, including the awkward ones. */
export const junkValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    undefined,
    null,
    true,
    false,
    0,
    -0,
    -1,
    1.5,
    NaN,
    Infinity,
    -Infinity,
    2 ** 31,
    2 ** 32 + 1,
    2 ** 53,
    -(2 ** 31) - 1,
    Number.MAX_VALUE,
    Number.MIN_VALUE,
    '',
    '1',
    'qif',
    [],
    [1, 2],
    {},
    10n,
  ),
  fc.constant(null).map(() => Symbol('junk')),
  fc.constant(null).map(() => () => 1),
  fc.constant(null).map(() => new Date(0)),
  fc.constant(null).map(() => new Map()),
  fc.string({ maxLength: 8 }),
  fc.double(),
  fc.integer(),
);

/** Typed arrays of every element type, plus DataView and plain arrays. */
export function wrongArray(length: number): fc.Arbitrary<unknown> {
  const n = Math.max(0, Math.min(length, 64));
  return fc.constantFrom(
    'Float32Array',
    'Int32Array',
    'Uint32Array',
    'Int16Array',
    'Uint8Array',
    'Uint8ClampedArray',
    'Float64Array',
    'BigInt64Array',
    'DataView',
    'Array',
    'ArrayBuffer',
    'Buffer',
  ).map((kind) => {
    switch (kind) {
      case 'Float32Array':
        return new Float32Array(n);
      case 'Int32Array':
        return new Int32Array(n);
      case 'Uint32Array':
        return new Uint32Array(n);
      case 'Int16Array':
        return new Int16Array(n);
      case 'Uint8Array':
        return new Uint8Array(n);
      case 'Uint8ClampedArray':
        return new Uint8ClampedArray(n);
      case 'Float64Array':
        return new Float64Array(n);
      case 'BigInt64Array':
        return new BigInt64Array(n);
      case 'DataView':
        return new DataView(new ArrayBuffer(8 * n));
      case 'ArrayBuffer':
        return new ArrayBuffer(8 * n);
      case 'Buffer':
        return Buffer.alloc(8 * n);
      default:
        return Array.from({ length: n }, () => 0);
    }
  });
}

/** Extreme but finite doubles and the special values. */
export const extremeDouble: fc.Arbitrary<number> = fc.oneof(
  { weight: 4, arbitrary: fc.double({ min: -10, max: 10, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(0, -0, 1e-300, -1e-300, 1e300, -1e300, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, 0.25, 0.5, 1) },
  { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity) },
  { weight: 1, arbitrary: fc.double() },
);

/**
 * With FUZZ_TRACE=FILE every case is written to FILE (overwritten) before it runs: after a crash the
 * file holds the input that crashed the process.
 */
export function trace(text: () => string): void {
  const file = process.env.FUZZ_TRACE;
  if (file) fs.writeFileSync(file, text() + '\n');
}

/** A printable form of a (possibly malformed) input: no getter runs, typed arrays are listed. */
export function show(value: unknown, depth = 0): string {
  if (depth > 4) return '…';
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol' || typeof value === 'function') return String(value);
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? String(value);
  if (ArrayBuffer.isView(value)) {
    const name = value.constructor.name;
    if (value instanceof DataView) return `DataView(${value.byteLength})`;
    if ((value.buffer as ArrayBuffer & { detached?: boolean }).detached) return `${name}(detached)`;
    const a = value as unknown as ArrayLike<number>;
    const items: string[] = [];
    for (let k = 0; k < a.length; k++) items.push(show(a[k]));
    return `${name}.from([${items.join(',')}])`;
  }
  if (Array.isArray(value)) return `[${value.map((v) => show(v, depth + 1)).join(',')}]`;
  const parts = Object.keys(value).map((k) => {
    const d = Object.getOwnPropertyDescriptor(value, k)!;
    return `${k}:${'value' in d ? show(d.value, depth + 1) : '<getter>'}`;
  });
  return `{${parts.join(',')}}`;
}

