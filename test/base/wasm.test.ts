/**
 * The WebAssembly backend (lib/base/wasm.ts, built by `npm run build:wasm`) against the native
 * addon, in one process: the same surface, the same coded errors, and the same numbers on the
 * shared fixtures and on random networks of every model. The two builds differ only in libm
 * (musl's in emscripten, glibc's natively: tan, atan2, hypot, expm1 ...), so values agree to
 * rounding: every array within 1e-12 of its largest magnitude (docs/wasm.md). A training run in
 * two child processes (SPIKEGRAD_BACKEND=native and =wasm) ends with the same parameters.
 */
import { spawnSync } from 'child_process';
import fs = require('fs');
import path = require('path');
import load = require('node-gyp-build');
import type { NativeBinding } from '../../lib/base/native';
import { loadWasmBinding, wasmPath } from '../../lib/base/wasm';
import { parseCase } from '../../lib/trial/case';
import { MODELS, randomCotangent, randomFeedForward, randomRecurrent } from '../helpers/networks';

const root = path.join(__dirname, '..', '..');

function tryLoad<T>(f: () => T): { value?: T; why?: string } {
  try {
    return { value: f() };
  } catch (err) {
    return { why: err instanceof Error ? err.message : String(err) };
  }
}
const wasmLoaded = fs.existsSync(wasmPath) ? tryLoad(() => loadWasmBinding() as NativeBinding) : { why: `no ${wasmPath} (run \`npm run build:wasm\`)` };
const nativeLoaded = tryLoad(() => load(root) as NativeBinding);
const skip = wasmLoaded.why ?? nativeLoaded.why;
if (skip) console.log(`wasm agreement tests skipped: ${skip}`);
const maybe = skip ? describe.skip : describe;
const wasm = wasmLoaded.value as NativeBinding;
const nat = nativeLoaded.value as NativeBinding;

/** Own and prototype member names of a binding export (for classes: the methods). */
function members(x: unknown): string[] {
  if (typeof x !== 'function') return [];
  return Object.getOwnPropertyNames((x as { prototype: object }).prototype).sort();
}

/** Every numeric leaf of a result, by path. */
function leaves(x: unknown, at = '', out = new Map<string, ArrayLike<number> | number>()): Map<string, ArrayLike<number> | number> {
  if (typeof x === 'number') out.set(at, x);
  else if (ArrayBuffer.isView(x)) out.set(at, x as unknown as ArrayLike<number>);
  else if (Array.isArray(x)) x.forEach((v, k) => leaves(v, `${at}[${k}]`, out));
  else if (typeof x === 'object' && x !== null) for (const k of Object.keys(x).sort()) leaves((x as Record<string, unknown>)[k], `${at}.${k}`, out);
  return out;
}

/** Worst |a - b| / max(1e-300, max |a|) over every array of two results; throws on a structural difference. */
function compare(a: unknown, b: unknown, what: string): number {
  const la = leaves(a);
  const lb = leaves(b);
  expect({ what, keys: [...lb.keys()] }).toEqual({ what, keys: [...la.keys()] });
  let worst = 0;
  for (const [key, va] of la) {
    const vb = lb.get(key)!;
    const xa = typeof va === 'number' ? [va] : Array.from(va);
    const xb = typeof vb === 'number' ? [vb] : Array.from(vb);
    expect({ what, key, length: xb.length }).toEqual({ what, key, length: xa.length });
    // Integer arrays (spike neurons, flags, event kinds and indices) must be identical.
    // (By tag: the addon's arrays come from another realm than jest's.)
    if (typeof va !== 'number' && Object.prototype.toString.call(va) !== '[object Float64Array]') {
      expect({ what, key, values: xb }).toEqual({ what, key, values: xa });
      continue;
    }
    const scale = Math.max(1e-300, ...xa.map((v) => (Number.isFinite(v) ? Math.abs(v) : 0)));
    xa.forEach((v, k) => {
      if (v === xb[k]) return;
      const d = Math.abs(v - xb[k]) / scale;
      if (!(d <= 1e-12)) throw new Error(`${what} ${key}[${k}]: native ${v}, wasm ${xb[k]} (relative ${d})`);
      worst = Math.max(worst, d);
    });
  }
  return worst;
}

function rawSpec(spec: object, cotangent?: Float64Array): Record<string, unknown> {
  return { ...spec, cotangent, recordEvents: true };
}

maybe('WebAssembly backend against the native addon', () => {
  it('exports every function, class and method of the native binding', () => {
    const natKeys = Object.keys(nat).sort();
    expect(Object.keys(wasm).sort()).toEqual(natKeys);
    for (const key of natKeys) {
      const k = key as keyof NativeBinding;
      expect({ key, type: typeof wasm[k] }).toEqual({ key, type: typeof nat[k] });
      expect({ key, methods: members(wasm[k]) }).toEqual({ key, methods: members(nat[k]) });
    }
    expect(wasm.models).toEqual(nat.models);
    expect(wasm.napiVersion).toBe(nat.napiVersion);
  });

  it('derives the same model constants and projections', () => {
    for (const m of nat.models) {
      expect(wasm.modelConstants(m.name)).toEqual(nat.modelConstants(m.name));
      const a = Float64Array.from({ length: 4 * m.stateNames.length }, (_, k) => (k % 3) * 7 - 5);
      const b = a.slice();
      expect(wasm.projectInitial(m.name, undefined, b)).toBe(nat.projectInitial(m.name, undefined, a));
      expect(b).toEqual(a);
    }
  });

  it('throws the same coded errors with the same messages', () => {
    const good = (): Record<string, unknown> => ({
      model: 'qif', n: 2, nIn: 1, weights: new Float64Array(4), inputWeights: new Float64Array(2), initial: new Float64Array(4),
      inputTimes: Float64Array.of(0.5), inputChannels: Int32Array.of(0), readoutNeurons: Int32Array.of(0), readoutCounts: Int32Array.of(1), T: 2, maxEvents: 100,
    });
    const bad: Record<string, unknown>[] = [
      {},
      { ...good(), model: 'nope' },
      { ...good(), weights: new Float64Array(3) },
      { ...good(), T: Number.NaN },
      { ...good(), inputChannels: Int32Array.of(5) },
      { ...good(), maxEvents: 0, inputTimes: Float64Array.of(0.1, 0.2), inputChannels: Int32Array.of(0, 0), inputWeights: Float64Array.of(40, 40) },
      { ...good(), params: { tau: -1 } },
    ];
    const outcome = (b: NativeBinding, spec: Record<string, unknown>): unknown => {
      try {
        b.simulate(spec);
        return 'ok';
      } catch (err) {
        const e = err as Error & { code?: string };
        return { name: e.constructor.name, code: e.code, message: e.message };
      }
    };
    expect(outcome(wasm, good())).toBe('ok');
    for (const spec of bad) {
      const want = outcome(nat, spec);
      expect(want).not.toBe('ok');
      expect(outcome(wasm, spec)).toEqual(want);
    }
  });

  const fixtures = path.join(root, '..', 'shared', 'fixtures', 'cases');
  const cases = fs.existsSync(fixtures) ? fs.readdirSync(fixtures).filter((f) => f.endsWith('.case.json')) : [];
  (cases.length ? it : it.skip)(`agrees on the shared fixtures (${cases.length} cases)`, () => {
    for (const file of cases) {
      const parsed = parseCase(JSON.parse(fs.readFileSync(path.join(fixtures, file), 'utf8')));
      const spec = rawSpec(parsed.spec, parsed.cotangent);
      compare(nat.simulate(spec), wasm.simulate(spec), file);
    }
  });

  it('agrees on random recurrent and layered networks of every model, forward and gradient', () => {
    let trials = 0;
    for (const model of MODELS) {
      for (let seed = 1; seed <= 12; seed++) {
        const spec = randomRecurrent(model, seed, seed % 2 === 0);
        const s = rawSpec(spec, randomCotangent(spec, seed));
        compare(nat.simulate(s), wasm.simulate(s), `${model} seed ${seed}`);
        trials++;
      }
    }
    for (const model of ['theta', 'qif'] as const) {
      for (let seed = 1; seed <= 8; seed++) {
        const spec = randomFeedForward(model, seed);
        const s = rawSpec(spec, randomCotangent(spec, seed));
        compare(nat.simulate(s), wasm.simulate(s), `feed-forward ${model} seed ${seed}`);
        trials++;
      }
    }
    expect(trials).toBe(MODELS.length * 12 + 16);
  });

  it('resolves simulateAsync with the same result', async () => {
    const spec = randomRecurrent('theta', 5);
    const s = rawSpec(spec, randomCotangent(spec, 5));
    compare(await nat.simulateAsync(s), await wasm.simulateAsync(s), 'simulateAsync');
  });

  it('trains a network to the same parameters (SPIKEGRAD_BACKEND=native and =wasm in child processes)', () => {
    const run = (backend: string): { backend: string; weights: number[]; inputWeights: number[]; accuracy: number; loss: number } => {
      const r = spawnSync(process.execPath, [path.join(__dirname, 'fixtures', 'train-digits.js')], {
        encoding: 'utf8',
        env: { ...process.env, SPIKEGRAD_BACKEND: backend },
        timeout: 240_000,
      });
      if (r.status !== 0) throw new Error(`training with ${backend} failed (${r.status}): ${r.stderr}`);
      return JSON.parse(r.stdout);
    };
    const a = run('native');
    const b = run('wasm');
    expect([a.backend, b.backend]).toEqual(['native', 'wasm']);
    // Training moved the parameters: the comparison is not between two untouched initialisations.
    expect(a.loss).toBeGreaterThan(0);
    compare({ w: Float64Array.from(a.weights), win: Float64Array.from(a.inputWeights), loss: a.loss }, { w: Float64Array.from(b.weights), win: Float64Array.from(b.inputWeights), loss: b.loss }, 'trained');
    expect(b.accuracy).toBe(a.accuracy);
  }, 300_000);
});
