/**
 * Fuzzing the keys of data and options (issue 12 class 4): model files (version-1 JSON, read by
 * loadModel and Network.fromJSON), optimiser states and the options objects of the public API get
 * a random object's key misspelt (one edit), given twice (data read from text only) or a
 * prototype name ('__proto__', 'constructor', 'toString', ...) added, at any depth. Every damaged
 * input is refused with a coded error that names the key: "Unknown key"/"Unknown option"/"unknown
 * field" with the key, or "Duplicate key". (The eval case format: eval.test.ts.)
 */
import fs = require('fs');
import os = require('os');
import path = require('path');
import fc from 'fast-check';
import {
  adam,
  adaBelief,
  feedForward,
  firstSpikeCrossEntropy,
  imageDataset,
  loadModel,
  lif,
  Network,
  optimizerFromState,
  osclif,
  qif,
  recurrent,
  sgd,
  spikeBatch,
  theta,
  Trainer,
} from '../../lib';
import { params } from './support';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spikegrad-fuzz-keys-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const PROTO_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf'];

interface KeyEdit {
  kind: 'misspell' | 'duplicate' | 'proto';
  pick: number;
  op: number;
  proto: string;
}
const keyEdit = (kinds: KeyEdit['kind'][]): fc.Arbitrary<KeyEdit> =>
  fc.record({ kind: fc.constantFrom(...kinds), pick: fc.nat(), op: fc.nat(), proto: fc.constantFrom(...PROTO_NAMES) });

/** The plain objects inside a JSON value, with their paths. */
function objectsOf(value: unknown, p: (string | number)[] = []): { p: (string | number)[]; o: Record<string, unknown> }[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => objectsOf(v, [...p, i]));
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return [];
  const o = value as Record<string, unknown>;
  return [{ p, o }, ...Object.entries(o).flatMap(([k, v]) => objectsOf(v, [...p, k]))];
}

/** One-edit misspellings of a key: a character dropped, doubled, case-changed, neighbours swapped. */
function typoOf(key: string, op: number): string {
  const at = op % key.length;
  const c = key[at];
  const variants = [key.slice(0, at) + key.slice(at + 1), key.slice(0, at) + c + key.slice(at), key.slice(0, at) + (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()) + key.slice(at + 1)];
  if (at + 1 < key.length) variants.push(key.slice(0, at) + key[at + 1] + c + key.slice(at + 2));
  return variants[Math.floor(op / key.length) % variants.length];
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Applies a key edit to a JSON value and returns its text (so that '__proto__' is an own key and
 * a key can occur twice) and what the error must name, or undefined when the edit does not apply
 * (an object without keys, a "misspelling" that is another key of the object).
 */
function damage(value: unknown, edit: KeyEdit): { text: string; expected: RegExp } | undefined {
  const objects = objectsOf(value).filter(({ o }) => Object.keys(o).length > 0);
  if (objects.length === 0) return undefined;
  const { o } = objects[edit.pick % objects.length];
  const keys = Object.keys(o);
  const key = keys[edit.op % keys.length];
  const marker = '__spikegrad_marker__';
  let extra: string;
  let expected: RegExp;
  if (edit.kind === 'misspell') {
    const typo = typoOf(key, edit.op);
    if (typo === key || typo === '' || Object.hasOwn(o, typo)) return undefined;
    const entries = Object.entries(o);
    for (const k of keys) delete o[k];
    for (const [k, v] of entries) o[k === key ? marker : k] = v;
    extra = typo;
    expected = new RegExp(`[Uu]nknown (key|option|field) '${escape(typo)}'`);
    const text = JSON.stringify(value).replace(`"${marker}"`, JSON.stringify(typo));
    return { text, expected };
  }
  extra = edit.kind === 'proto' ? edit.proto : key;
  const entries = Object.entries(o);
  for (const k of keys) delete o[k];
  o[marker] = 0;
  for (const [k, v] of entries) o[k] = v;
  expected = edit.kind === 'proto' ? new RegExp(`[Uu]nknown (key|option|field) '${escape(extra)}'`) : new RegExp(`Duplicate key '${escape(extra)}'`);
  const text = JSON.stringify(value).replace(`"${marker}":0`, `${JSON.stringify(extra)}:${JSON.stringify(entries.find(([k]) => k === key)?.[1] ?? 1)}`);
  return { text, expected };
}

function thrown(fn: () => unknown): { code?: string; message: string } | 'none' {
  try {
    fn();
    return 'none';
  } catch (err) {
    const e = err as Error & { code?: string };
    return { code: e.code, message: e.message };
  }
}

const models = { qif, theta, lif, osclif };
/** A small network of a random model and shape, with random trainability and an encoding or classes. */
const networkJSON = fc
  .record({
    model: fc.constantFrom('qif', 'theta', 'lif', 'osclif') as fc.Arbitrary<keyof typeof models>,
    layered: fc.boolean(),
    hidden: fc.integer({ min: 1, max: 3 }),
    seed: fc.nat(1000),
    mask: fc.boolean(),
    classes: fc.boolean(),
  })
  .map((r) => {
    const net = r.layered
      ? feedForward({ neuron: models[r.model](), sizes: [2, r.hidden, 2], T: 2, seed: r.seed })
      : recurrent({
          neuron: models[r.model](),
          n: r.hidden + 1,
          nIn: 2,
          inputs: [
            { channel: 0, target: 0, weight: 1 },
            { channel: 1, target: r.hidden, weight: 1 },
          ],
          readout: { neurons: [0], counts: [1] },
          T: 2,
          seed: r.seed,
        });
    if (r.mask) net.trainable.inputWeights = Uint8Array.from(net.params.inputWeights, (_, k) => k % 2);
    if (r.classes) net.classes = net.structure.readout.neurons.length === 2 ? ['a', 'b'] : ['a'];
    return JSON.parse(JSON.stringify(net.toJSON())) as Record<string, unknown>;
  });

describe('fuzz: keys of model files (version-1 JSON) and Network.fromJSON', () => {
  it('a misspelt key, a key given twice or a prototype name anywhere is refused at load, naming the key', () => {
    let checked = 0;
    fc.assert(
      fc.property(networkJSON, keyEdit(['misspell', 'duplicate', 'proto']), (network, edit) => {
        const file = { format: 'spikegrad-model', version: 1, network };
        const d = damage(file, edit);
        if (d === undefined) return;
        const f = path.join(tmp, `m-${checked}.json`);
        fs.writeFileSync(f, d.text);
        const e = thrown(() => loadModel(f));
        fs.rmSync(f);
        if (e === 'none' || e.code !== 'ERR_SPIKEGRAD_LOAD' || !d.expected.test(e.message)) {
          throw new Error(`expected ERR_SPIKEGRAD_LOAD matching ${d.expected}, got ${JSON.stringify(e)}\n  file: ${d.text.slice(0, 1500)}`);
        }
        // The same network object (not text: no duplicates) through Network.fromJSON.
        if (edit.kind !== 'duplicate') {
          const parsed = JSON.parse(d.text) as { network: unknown };
          const direct = thrown(() => Network.fromJSON(parsed.network));
          if (d.text.indexOf('"network"') >= 0 && Object.hasOwn(parsed, 'network')) {
            if (direct === 'none' && !/[Uu]nknown field/.test(e.message)) throw new Error(`Network.fromJSON accepted ${d.text.slice(0, 1500)}`);
          }
        }
        checked++;
      }),
      params(31, 200),
    );
    expect(checked).toBeGreaterThan(100);
  });
});

describe('fuzz: keys of optimiser states', () => {
  it('a misspelt key or a prototype name anywhere in the state is refused, naming the key', () => {
    const states = [sgd({ lr: 0.1 }), adam({ lr: 0.1 }), adaBelief({ lr: 0.1 })].map((opt) => {
      opt.step([new Float64Array([1, 2])], [new Float64Array([0.5, -0.5])]);
      return opt.state();
    });
    fc.assert(
      fc.property(fc.nat(2), keyEdit(['misspell', 'proto']), (which, edit) => {
        const state = JSON.parse(JSON.stringify(states[which])) as Record<string, unknown>;
        const d = damage(state, edit);
        if (d === undefined) return;
        const e = thrown(() => optimizerFromState(JSON.parse(d.text) as never));
        // The moments' names are data: an unknown one is "Expected only the moments ... but received 'NAME'".
        const named = d.expected.test(e === 'none' ? '' : e.message) || (e !== 'none' && /state\.moments but received '/.test(e.message));
        // Inside state.options the options readers answer (ERR_SPIKEGRAD_ARG), elsewhere the state's (LOAD).
        if (e === 'none' || !['ERR_SPIKEGRAD_LOAD', 'ERR_SPIKEGRAD_ARG'].includes(e.code ?? '') || !named) {
          throw new Error(`expected a coded error naming the key (${d.expected}), got ${JSON.stringify(e)}\n  state: ${d.text}`);
        }
      }),
      params(32, 200),
    );
  });
});

describe('fuzz: keys of options objects', () => {
  const net = () => feedForward({ neuron: theta(), sizes: [2, 2], T: 1 });
  const batch = spikeBatch([{ times: [0.1], channels: [0] }]);
  const images = new Uint8Array(8);
  // [API, a call with the options object o, a valid options object]
  const apis: [string, (o: Record<string, unknown>) => unknown, Record<string, unknown>][] = [
    ['qif', (o) => qif(o as never), { tau: 1, alpha: 10, eps: 1e-6 }],
    ['theta', (o) => theta(o as never), { tau: 1, I0: 1, eps: 1e-6 }],
    ['feedForward', (o) => feedForward(o as never), { neuron: qif(), sizes: [2, 2], T: 1, maxEvents: 100, outputCount: 1, wScale: 0.5, seed: 1 }],
    ['forward options', (o) => net().forward(batch, o as never), { threads: 1 }],
    ['trial options', (o) => net().trial(batch, o as never), { recordEvents: true, traceDt: 0.5 }],
    ['firstSpikeCrossEntropy', (o) => firstSpikeCrossEntropy(o as never), { gamma: 0.1 }],
    ['sgd', (o) => sgd(o as never), { lr: 0.1, clip: 0.1 }],
    ['adam', (o) => adam(o as never), { lr: 0.1, b1: 0.9, b2: 0.99, eps: 1e-8, epsRoot: 0 }],
    ['Trainer', (o) => new Trainer(o as never), { network: net(), loss: firstSpikeCrossEntropy(), optimizer: adam({ lr: 0.01 }), batchSize: 2, seed: 1, threads: 1 }],
    ['imageDataset', (o) => imageDataset(o as never), { images, pixels: 4, labels: [0, 1], T: 2, bins: 2, flipProbability: 0.1 }],
  ];
  it('a misspelt option or a prototype name is refused with "Unknown option" naming it (ERR_SPIKEGRAD_ARG)', () => {
    for (const [, call, valid] of apis) expect(thrown(() => call(valid))).toBe('none');
    fc.assert(
      fc.property(fc.nat(apis.length - 1), keyEdit(['misspell', 'proto']), (which, edit) => {
        const [name, call, valid] = apis[which];
        const keys = Object.keys(valid);
        const key = keys[edit.op % keys.length];
        const extra = edit.kind === 'proto' ? edit.proto : typoOf(key, edit.op);
        if (extra === '' || (edit.kind === 'misspell' && Object.hasOwn(valid, extra))) return;
        // A prototype name as an own key: defined, not assigned (an assignment of '__proto__' sets the prototype).
        const o: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(valid)) if (edit.kind === 'proto' || k !== key) Object.defineProperty(o, k, { value: v, enumerable: true, configurable: true, writable: true });
        Object.defineProperty(o, extra, { value: valid[key], enumerable: true, configurable: true, writable: true });
        const e = thrown(() => call(o));
        if (e === 'none' || e.code !== 'ERR_SPIKEGRAD_ARG' || !e.message.startsWith(`Unknown option '${extra}'`)) {
          throw new Error(`${name}: expected "Unknown option '${extra}'", got ${JSON.stringify(e)}`);
        }
      }),
      params(33, 300),
    );
  });
});
