/**
 * The published JSON Schemas (docs/schema/) are contracts for other languages: real model
 * headers and the shared eval cases validate against them (with Ajv, the reference validator of
 * draft 2020-12, a devDependency), damaged ones do not, and the keys each schema allows are
 * exactly the keys spikegrad's readers accept.
 */
import fs = require('fs');
import os = require('os');
import path = require('path');
import Ajv2020 from 'ajv/dist/2020';
import {
  Network,
  Trainer,
  adaBelief,
  adam,
  exponentialDecay,
  feedForward,
  firstSpikeCrossEntropy,
  imageDataset,
  qif,
  recurrent,
  saveModel,
  sgd,
  singleNeuron,
  theta,
} from '../../lib';
import { MODEL_HEADER_KEYS } from '../../lib/training/checkpoint';
import { IMAGE_KEYS, SPIKE_KEYS } from '../../lib/network/encoding';
import { parseCase } from '../../lib/trial/case';
import { MODEL_NAMES, parameterNames } from '../../lib/neurons';
import { twoClassImages } from '../helpers/tasks';

const root = path.join(__dirname, '..', '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spikegrad-schema-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

type Schema = Record<string, unknown> & { properties?: Record<string, Schema>; $defs?: Record<string, Schema>; $ref?: string };
const load = (name: string) => JSON.parse(fs.readFileSync(path.join(root, 'docs', 'schema', name), 'utf8')) as Schema;
const headerSchema = load('model-header.schema.json');
const caseSchema = load('case.schema.json');
const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
const validHeader = ajv.compile(headerSchema);
const validCase = ajv.compile(caseSchema);

/** The header of a version-2 model file. */
function headerOf(file: string): Record<string, unknown> {
  const b = fs.readFileSync(file);
  return JSON.parse(b.subarray(32, 32 + b.readUInt32LE(20)).toString()) as Record<string, unknown>;
}

/** A schema node with $refs resolved (within the same schema). */
function resolve(schema: Schema, node: Schema): Schema {
  let n = node;
  while (n.$ref) n = n.$ref.slice(2).split('/').reduce((o: Schema, k) => (o as Record<string, Schema>)[k], schema);
  return n;
}
const keysAt = (schema: Schema, node: Schema) => Object.keys(resolve(schema, node).properties ?? {}).sort();

/** Headers of every kind of model file: networks of each layout and each optimiser's checkpoint. */
async function realHeaders(): Promise<Record<string, Record<string, unknown>>> {
  const out: Record<string, Record<string, unknown>> = {};
  const save = (name: string, net: Network, extra = {}) => {
    const f = path.join(tmp, `${name}.spikegrad`);
    saveModel(f, net, extra);
    out[name] = headerOf(f);
  };
  const ff = feedForward({ neuron: theta({ tau: 2 }), sizes: [16, 8, 3], T: 2, seed: 1 });
  ff.trainable = { ...ff.trainable, weights: Uint8Array.from(ff.params.weights, (_, k) => k % 2) };
  ff.encoding = { kind: 'image', T: 2, bins: 2, pixels: 16, shape: [4, 4] };
  ff.classes = ['a', 'b', 'c'];
  save('feedForward', ff, { optimizer: sgd({ lr: 0.1, clip: 1 }).state() });
  const rec = recurrent({ neuron: qif(), n: 4, nIn: 2, inputs: [{ channel: 1, target: 2, weight: 1 }], readout: { neurons: [3], counts: [2] }, T: 3, seed: 1 });
  rec.encoding = { kind: 'spikes', channels: 2 };
  const opt = adam({ lr: (s: number) => 1 / (1 + s) });
  opt.step(rec.parameterList(), rec.parameterList().map((a) => a.map(() => 0.1)));
  save('recurrent', rec, { optimizer: opt.state() });
  const { network: single } = singleNeuron({ neuron: qif(), trainableTimes: [1, 2], outputCount: 2, T: 3 });
  save('singleNeuron', single);
  for (const model of MODEL_NAMES) {
    const neuron = { name: model, params: {} } as never;
    save(`model-${model}`, new Network({ neuron, n: 2, nIn: 1, recurrent: { source: new Int32Array(0), target: new Int32Array(0) }, input: { source: Int32Array.from([0]), target: Int32Array.from([1]) }, readout: { neurons: Int32Array.from([1]), counts: Int32Array.from([1]) }, T: 1, maxEvents: 10 }));
  }
  const { images, labels } = twoClassImages(24, 3);
  const train = imageDataset({ images, pixels: 16, labels, T: 2 });
  const trainer = new Trainer({ network: feedForward({ neuron: theta({ tau: 2 }), sizes: [16, 6, 2], T: 2, seed: 2, wScale: 2 }), loss: firstSpikeCrossEntropy(), optimizer: adaBelief({ lr: exponentialDecay({ initial: 0.01, transitionSteps: 10, decayRate: 0.5 }) }), batchSize: 8, seed: 4 });
  await trainer.fit({ train, test: train, epochs: 2, evaluateBefore: true, progress: false });
  const file = path.join(tmp, 'checkpoint.spikegrad');
  trainer.save(file);
  out.checkpoint = headerOf(file);
  return out;
}

describe('docs/schema/model-header.schema.json', () => {
  let headers: Record<string, Record<string, unknown>>;
  beforeAll(async () => {
    headers = await realHeaders();
  });

  it('accepts the header of every kind of file spikegrad writes', () => {
    expect(Object.keys(headers).length).toBeGreaterThanOrEqual(8);
    for (const [name, header] of Object.entries(headers)) {
      const ok = validHeader(header);
      expect([name, ok, validHeader.errors ?? null]).toEqual([name, true, null]);
    }
    expect((headers.checkpoint.training as { history: unknown[] }).history).toHaveLength(3);
  });

  it('refuses headers spikegrad refuses', () => {
    const edits: Record<string, (h: Record<string, Record<string, unknown>>) => void> = {
      'an unknown top-level key': (h) => (h.extra = {}),
      'an unknown network key': (h) => (h.network.bias = 1),
      'a misspelled training key': (h) => ((h.training.histroy = []), delete h.training.history),
      'another version': (h) => ((h as Record<string, unknown>).version = 1),
      'a block entry without its checksum': (h) => delete (h.blocks as unknown as Record<string, unknown>[])[0].crc32,
      'an odd block offset': (h) => ((h.blocks as unknown as Record<string, number>[])[0].offset += 4),
      'an unknown layout': (h) => ((h.network.recurrent as Record<string, unknown>).layout = 'csr'),
      'an unknown trainability': (h) => ((h.network.trainable as Record<string, unknown>).weights = 'some'),
      'an unknown neuron parameter': (h) => ((h.network.neuron as { params: Record<string, unknown> }).params.gamma = 1),
      'an encoding of another kind': (h) => (h.network.encoding = { kind: 'audio' }),
      'a random state of four words': (h) => ((h.training.shuffleState as unknown[]).length = 4),
      'a metric that is not one': (h) => ((h.training.history as { test?: Record<string, unknown> }[])[1].test!.f1 = 0.5),
      'an unknown optimiser': (h) => ((h.optimizer as Record<string, unknown>).name = 'rmsprop'),
    };
    for (const [what, edit] of Object.entries(edits)) {
      const h = JSON.parse(JSON.stringify(headers.checkpoint));
      edit(h);
      expect([what, validHeader(h)]).toEqual([what, false]);
    }
  });

  it('allows exactly the keys the reader accepts, object by object', () => {
    const defs = headerSchema.$defs!;
    const pairs: [string, Schema][] = [
      ['header', headerSchema],
      ['network', defs.network],
      ['neuron', defs.neuron],
      ['synapses', defs.synapses],
      ['readout', defs.network.properties!.readout],
      ['trainableInputs', defs.network.properties!.trainableInputs],
      ['trainable', defs.network.properties!.trainable],
      ['block', defs.block],
      ['optimizer', defs.optimizer],
      ['training', defs.training],
      ['epoch', defs.epoch],
      ['metrics', defs.epoch.properties!.test],
      ['best', defs.best],
    ];
    for (const [name, node] of pairs) expect([name, keysAt(headerSchema, node)]).toEqual([name, [...MODEL_HEADER_KEYS[name]].sort()]);
    expect(pairs.map(([n]) => n).sort()).toEqual(Object.keys(MODEL_HEADER_KEYS).sort());
    const [image, spikes] = (defs.encoding.oneOf as Schema[]).map((e) => Object.keys(e.properties!).sort());
    expect(image).toEqual([...IMAGE_KEYS].sort());
    expect(spikes).toEqual([...SPIKE_KEYS].sort());
    const params = defs.params as Record<string, Schema>;
    expect(Object.keys(params).sort()).toEqual([...MODEL_NAMES].sort());
    expect((resolve(headerSchema, defs.neuron.properties!.name).enum as string[]).sort()).toEqual([...MODEL_NAMES].sort());
    for (const model of MODEL_NAMES) expect([model, Object.keys(params[model].properties!).sort()]).toEqual([model, [...parameterNames(model)].sort()]);
  });
});

describe('docs/schema/case.schema.json', () => {
  const casesDir = path.join(root, '..', 'shared', 'fixtures', 'cases');
  const cases = fs.existsSync(casesDir) ? fs.readdirSync(casesDir).filter((f) => f.endsWith('.case.json')) : [];

  it('accepts every shared eval case, which spikegrad also accepts', () => {
    expect(cases.length).toBeGreaterThanOrEqual(5);
    for (const f of cases) {
      const value = JSON.parse(fs.readFileSync(path.join(casesDir, f), 'utf8'));
      expect([f, validCase(value), validCase.errors ?? null]).toEqual([f, true, null]);
      expect(() => parseCase(value)).not.toThrow();
    }
  });

  it('refuses cases with unknown, misspelled or missing keys and values of the wrong kind', () => {
    const base = JSON.parse(fs.readFileSync(path.join(casesDir, cases[0]), 'utf8'));
    const edits: ((c: Record<string, Record<string, unknown>>) => void)[] = [
      (c) => (c.extra = {}),
      (c) => ((c.maxevents = c.maxEvents), delete c.maxEvents),
      (c) => (c.neuron.gamma = 1),
      (c) => (c.neuron.model = 'constructor'),
      (c) => (c.readout.layer = []),
      (c) => (c.inputSpikes.channels = []),
      (c) => delete c.cotangent,
      (c) => ((c as Record<string, unknown>).n = 0),
      (c) => ((c.inputSpikes.times as number[])[0] = -1),
    ];
    for (const edit of edits) {
      const c = JSON.parse(JSON.stringify(base));
      edit(c);
      expect(validCase(c)).toBe(false);
    }
  });

  /** The keys parseCase reads from each object of a case: every property access, recorded through proxies. */
  function keysRead(value: Record<string, unknown>): Record<string, Set<string>> {
    const seen: Record<string, Set<string>> = {};
    const wrap = (obj: unknown, where: string): unknown => {
      if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return obj;
      seen[where] ??= new Set();
      return new Proxy(obj as Record<string, unknown>, {
        get(target, key) {
          if (typeof key === 'string') seen[where].add(key);
          return wrap(Reflect.get(target, key), where === '' ? String(key) : `${where}.${String(key)}`);
        },
        has(target, key) {
          if (typeof key === 'string') seen[where].add(key);
          return Reflect.has(target, key);
        },
        getOwnPropertyDescriptor(target, key) {
          if (typeof key === 'string') seen[where].add(key);
          return Reflect.getOwnPropertyDescriptor(target, key);
        },
      });
    };
    parseCase(wrap(value, ''));
    return seen;
  }

  it('allows exactly the keys the case reader reads, for every neuron model and both kinds of initial state', () => {
    const base = JSON.parse(fs.readFileSync(path.join(casesDir, cases[0]), 'utf8'));
    const n = base.n as number;
    const defs = caseSchema.$defs!;
    const initialKinds = (caseSchema.properties!.initial.oneOf as Schema[]).map((s) => Object.keys(s.properties!).sort());
    const modelParams = (defs.neuron.allOf as { then: Schema }[]).map((b) => Object.keys(b.then.properties!).filter((k) => k !== 'model').sort());
    MODEL_NAMES.forEach((model, m) => {
      const phase = model === 'theta' || model === 'osclif';
      const c = { ...base, neuron: { model }, initial: phase ? { phi: new Array(n).fill(0.5) } : { V: new Array(n).fill(0), I: new Array(n).fill(0.5) } };
      expect(validCase(c)).toBe(true);
      const read = keysRead(c);
      expect(Object.keys(caseSchema.properties!).sort()).toEqual([...read['']].sort());
      expect([model, [...read.neuron].filter((k) => k !== 'model').sort()]).toEqual([model, [...parameterNames(model)].sort()]);
      expect([model, modelParams[m]]).toEqual([model, [...parameterNames(model)].sort()]);
      expect(initialKinds[phase ? 0 : 1]).toEqual([...read.initial].sort());
      expect(keysAt(caseSchema, caseSchema.properties!.inputSpikes)).toEqual([...read.inputSpikes].sort());
      expect(keysAt(caseSchema, caseSchema.properties!.readout)).toEqual([...read.readout].sort());
    });
    expect(((defs.neuron.properties!.model as Schema).enum as string[]).sort()).toEqual([...MODEL_NAMES].sort());
  });
});
