/**
 * Fuzzing `spikegrad eval` (issue 7): random valid cases and malformed ones (fields replaced by
 * arbitrary JSON, deleted, truncated text, garbage bytes, huge numbers, deep nesting), run
 * in-process through evalCommand and, a few of them, as real child processes. Every run exits 0
 * with one JSON line on stdout and nothing on stderr, or exits 2 with exactly one line on stderr
 * and nothing on stdout. Exit 1 (an internal failure) is a bug unless it is a known issue.
 */
import { spawn } from 'child_process';
import fs = require('fs');
import os = require('os');
import path = require('path');
import fc from 'fast-check';
import { evalCommand } from '../../lib/cli/eval';
import { fresh, simulateSpec, stateDim, type ModelName } from './generators';
import { params, runs } from './support';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spikegrad-fuzz-eval-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The case-format JSON object of a generated raw spec (docs/case-format.md). */
function caseOf(spec: Record<string, unknown>): Record<string, unknown> {
  const n = spec.n as number;
  const nIn = spec.nIn as number;
  const W = spec.weights as Float64Array;
  const mask = spec.weightMask as Uint8Array | undefined;
  const Win = spec.inputWeights as Float64Array;
  const init = Array.from(spec.initial as Float64Array);
  const model = spec.model as ModelName;
  const counts = Array.from(spec.readoutCounts as Int32Array);
  const cot = spec.cotangent as Float64Array | undefined;
  let k = 0;
  const c: Record<string, unknown> = {
    neuron: { model, ...((spec.params as object | undefined) ?? {}) },
    T: spec.T,
    maxEvents: spec.maxEvents,
    n,
    initial: stateDim(model) === 1 ? { phi: init } : { V: init.slice(0, n), I: init.slice(n) },
    weights: Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => W[i + j * n])),
    inputWeights: Array.from({ length: n }, (_, i) => Array.from({ length: nIn }, (_, ch) => Win[i + ch * n])),
    inputSpikes: { times: Array.from(spec.inputTimes as Float64Array), sources: Array.from(spec.inputChannels as Int32Array) },
    readout: { neurons: Array.from(spec.readoutNeurons as Int32Array), counts, layers: (spec.layers as Int32Array[] | undefined)?.map((l) => Array.from(l)) },
    cotangent: counts.map((m) => Array.from({ length: m }, () => (cot ? cot[k++ % cot.length] : 1))),
  };
  if (mask) c.weightMask = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => mask[i + j * n]));
  return c;
}

/** Every path to a value inside a JSON value. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}

type JsonEdit = { kind: 'set'; pick: number; value: unknown } | { kind: 'delete'; pick: number } | { kind: 'none' };
const jsonEdit: fc.Arbitrary<JsonEdit> = fc.oneof(
  { weight: 2, arbitrary: fc.constant<JsonEdit>({ kind: 'none' }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('set' as const),
      pick: fc.nat(),
      value: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom<unknown>(-1, 0.5, -0, 1e308, -1e308, 2 ** 31, 2 ** 53, 5e-324, '', [], {}, null, [[]], [[1, 2], [3]])),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }) },
);

function applyEdit(c: Record<string, unknown>, edit: JsonEdit): unknown {
  if (edit.kind === 'none') return c;
  const all = paths(c);
  const where = all[edit.pick % all.length];
  if (where.length === 0) return edit.kind === 'set' ? edit.value : undefined;
  let o = c as Record<string | number, unknown>;
  for (const key of where.slice(0, -1)) o = o[key] as Record<string | number, unknown>;
  const last = where[where.length - 1];
  if (edit.kind === 'set') o[last] = edit.value;
  else if (Array.isArray(o)) o.splice(Number(last), 1);
  else delete o[last];
  return c;
}

type TextEdit = { kind: 'none' } | { kind: 'truncate'; at: number } | { kind: 'garbage'; at: number; bytes: number[] } | { kind: 'number'; text: string } | { kind: 'nest'; depth: number } | { kind: 'bom' };
const textEdit: fc.Arbitrary<TextEdit> = fc.oneof(
  { weight: 8, arbitrary: fc.constant<TextEdit>({ kind: 'none' }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('garbage' as const), at: fc.nat(), bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 4 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('number' as const), text: fc.constantFrom('1e999', '-1e999', '1e-999', '00', '-', '1.', 'NaN', 'Infinity', '0x10', '9'.repeat(400)) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('nest' as const), depth: fc.constantFrom(100, 5000, 200000) }) },
  { weight: 1, arbitrary: fc.constant<TextEdit>({ kind: 'bom' }) },
);

function textOf(value: unknown, edit: TextEdit): Buffer {
  const text = JSON.stringify(value) ?? 'undefined';
  switch (edit.kind) {
    case 'truncate':
      return Buffer.from(text.slice(0, edit.at % (text.length + 1)));
    case 'garbage': {
      const b = Buffer.from(text);
      const at = edit.at % (b.length + 1);
      return Buffer.concat([b.subarray(0, at), Buffer.from(edit.bytes), b.subarray(at)]);
    }
    case 'number':
      return Buffer.from(text.replace(/-?\d+(\.\d+)?(e[-+]?\d+)?/, edit.text));
    case 'nest':
      return Buffer.from(text.replace('"weights":', `"weights":${'['.repeat(edit.depth)}${']'.repeat(edit.depth)},"x":`));
    case 'bom':
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);
    default:
      return Buffer.from(text);
  }
}

/** Checks the output contract of one run; returns the status. */
function checkRun(status: number, out: string, err: string): void {
  const describeRun = () => `status ${status}, stdout ${JSON.stringify(out.slice(0, 300))}, stderr ${JSON.stringify(err.slice(0, 300))}`;
  if (status === 0) {
    if (err !== '' || !out.endsWith('\n') || out.indexOf('\n') !== out.length - 1) throw new Error(`exit 0 must print one line on stdout only: ${describeRun()}`);
    const parsed = JSON.parse(out) as Record<string, unknown>;
    expect(Object.keys(parsed).sort()).toEqual(['grad', 'outputTimes', 'spikes']);
    return;
  }
  if (out !== '' || !err.startsWith('spikegrad eval: ') || !err.endsWith('\n') || err.indexOf('\n') !== err.length - 1) {
    throw new Error(`a failing run must print exactly one line on stderr and nothing on stdout: ${describeRun()}`);
  }
  if (status === 2) return;
  // Exit 1 is an internal failure: none is expected.
  throw new Error(`internal failure: ${describeRun()}`);
}

let counter = 0;
function runInProcess(bytes: Buffer): { status: number; out: string; err: string } {
  const file = path.join(tmp, `case-${counter++}.json`);
  fs.writeFileSync(file, bytes);
  let out = '';
  let err = '';
  const status = evalCommand([file], { out: { write: (s: string) => (out += s) }, err: { write: (s: string) => (err += s) } });
  fs.rmSync(file, { force: true });
  return { status, out, err };
}

describe('fuzz: spikegrad eval (in-process)', () => {
  it('prints one JSON line and exits 0, or one stderr line and exits 2, for random and malformed cases', () => {
    fc.assert(
      fc.property(simulateSpec, jsonEdit, textEdit, (generated, edit, tedit) => {
        const value = applyEdit(caseOf(fresh(generated)), edit);
        const bytes = textOf(value, tedit);
        const r = runInProcess(bytes);
        try {
          checkRun(r.status, r.out, r.err);
        } catch (e) {
          throw new Error(`${(e as Error).message}\n  case: ${bytes.toString('utf8').slice(0, 3000)}`);
        }
      }),
      params(21, 600),
    );
  });

  it('refuses damaged keys (issue 12 class 4): a misspelt key, a key given twice and prototype names, at any depth', () => {
    let checked = 0;
    const protoNames = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];
    const keyEdit = fc.record({
      kind: fc.constantFrom('misspell', 'duplicate', 'proto'),
      pick: fc.nat(),
      op: fc.nat(),
      proto: fc.constantFrom(...protoNames),
    });
    fc.assert(
      fc.property(simulateSpec, keyEdit, (generated, edit) => {
        const c = caseOf(fresh(generated));
        // Only cases that are valid as generated: in another one an earlier field may fail first.
        if (runInProcess(Buffer.from(JSON.stringify(c))).status !== 0) return;
        // The objects of the case and their keys (readout.layers may be absent: dropped).
        const objects = paths(c)
          .map((p) => ({ p, o: p.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], c) }))
          .filter((x) => typeof x.o === 'object' && x.o !== null && !Array.isArray(x.o)) as { p: (string | number)[]; o: Record<string, unknown> }[];
        const { p, o } = objects[edit.pick % objects.length];
        const keys = Object.keys(o).filter((k) => o[k] !== undefined);
        const key = keys[edit.op % keys.length];
        let text: string;
        let expected: RegExp;
        if (edit.kind === 'misspell') {
          // One edit: drop, double or change the case of a character, or swap two neighbours.
          const at = edit.op % key.length;
          const variants = [key.slice(0, at) + key.slice(at + 1), key.slice(0, at) + key[at] + key.slice(at), key.slice(0, at) + (key[at] === key[at].toUpperCase() ? key[at].toLowerCase() : key[at].toUpperCase()) + key.slice(at + 1)];
          if (at + 1 < key.length) variants.push(key.slice(0, at) + key[at + 1] + key[at] + key.slice(at + 2));
          const typo = variants[edit.op % variants.length];
          if (typo === key || typo === '' || Object.hasOwn(o, typo)) return; // not a misspelling of this object
          const renamed = Object.fromEntries(Object.entries(o).map(([k, v]) => [k === key ? typo : k, v]));
          if (p.length === 0) text = JSON.stringify(renamed);
          else {
            let parent = c as Record<string | number, unknown>;
            for (const k of p.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
            parent[p[p.length - 1]] = renamed;
            text = JSON.stringify(c);
          }
          expected = new RegExp(`Unknown key '${typo.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}'`);
        } else {
          // Text level, so that '__proto__' is an own key and a key can occur twice.
          const extra = edit.kind === 'proto' ? edit.proto : key;
          const marker = '"__spikegrad_marker__":0';
          o.__spikegrad_marker__ = 0;
          const first = Object.keys(o)[0];
          delete o.__spikegrad_marker__;
          if (first === undefined) return;
          const inserted = Object.fromEntries([['__spikegrad_marker__', 0], ...Object.entries(o)]);
          if (p.length === 0) text = JSON.stringify(inserted);
          else {
            let parent = c as Record<string | number, unknown>;
            for (const k of p.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
            parent[p[p.length - 1]] = inserted;
            text = JSON.stringify(c);
          }
          text = text.replace(marker, `${JSON.stringify(extra)}:${JSON.stringify(o[key] ?? 1)}`);
          expected = edit.kind === 'proto' ? new RegExp(`Unknown key '${extra}'`) : new RegExp(`Duplicate key '${key}'`);
        }
        const r = runInProcess(Buffer.from(text));
        checked++;
        expect({ status: r.status, out: r.out }).toEqual({ status: 2, out: '' });
        if (!expected.test(r.err)) throw new Error(`expected ${expected} but stderr is ${JSON.stringify(r.err)}\n  case: ${text.slice(0, 2000)}`);
      }),
      params(22, 300),
    );
    expect(checked).toBeGreaterThan(runs(300) / 4); // most generated cases are valid and damaged
  });

  it('reports usage and unreadable files with exit 2 and one line', () => {
    const run = (args: string[]) => {
      let out = '';
      let err = '';
      const status = evalCommand(args, { out: { write: (s: string) => (out += s) }, err: { write: (s: string) => (err += s) } });
      return { status, out, err };
    };
    for (const args of [[], ['a', 'b'], [path.join(tmp, 'missing.json')], [tmp], ['']]) {
      const r = run(args);
      expect(r.status).toBe(2);
      expect(r.out).toBe('');
      expect(r.err.trim().split('\n').length).toBeGreaterThanOrEqual(1);
    }
  });
});

/** Runs `spikegrad eval` from the TypeScript sources in a child process. */
function runChild(args: string[], stdin?: Buffer): Promise<{ status: number | null; signal: NodeJS.Signals | null; out: string; err: string }> {
  const root = path.join(__dirname, '..', '..');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', path.join(root, 'test', 'helpers', 'register-ts.js'), path.join(root, 'lib', 'cli', 'main.ts'), 'eval', ...args], { cwd: root, stdio: 'pipe' });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, out, err }));
    child.stdin.end(stdin ?? Buffer.alloc(0));
  });
}

describe('fuzz: spikegrad eval (child processes)', () => {
  it('behaves the same as a real process: files, stdin, garbage, truncation', async () => {
    const samples = fc.sample(fc.tuple(simulateSpec, jsonEdit, textEdit), { seed: 4242, numRuns: 3 });
    const inputs: Buffer[] = samples.map(([g, e, t]) => textOf(applyEdit(caseOf(g), e), t));
    const valid = Buffer.from(JSON.stringify(caseOf(fc.sample(simulateSpec, { seed: 7, numRuns: 1 })[0])));
    inputs.push(valid, valid.subarray(0, valid.length >> 1), Buffer.from([0xff, 0xfe, 0x00, 0x7b]));
    const files = inputs.map((b, k) => {
      const f = path.join(tmp, `child-${k}.json`);
      fs.writeFileSync(f, b);
      return f;
    });
    const runs = await Promise.all([...files.map((f) => runChild([f])), runChild(['-'], valid), runChild(['-'], Buffer.from('{')), runChild([path.join(tmp, 'nope.json')])]);
    runs.forEach((r, k) => {
      expect(r.signal).toBeNull();
      const inProcess = k < inputs.length ? runInProcess(inputs[k]) : undefined;
      if (inProcess) {
        expect(r.status).toBe(inProcess.status);
        expect(r.out).toBe(inProcess.out);
      }
      checkRun(r.status ?? -1, r.out, r.err);
    });
    expect(runs[inputs.length].status).toBe(runInProcess(valid).status); // stdin equals the file
  });
});
