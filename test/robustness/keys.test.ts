/**
 * Strict keys in data (issue 12 class 4): the eval case format, model files (version-1 JSON and
 * the version-2 header), Network.fromJSON and optimiser states refuse a misspelt or unknown key
 * ("did you mean"), a key given twice in one object (JSON.parse would silently take the last
 * value) and prototype names ('__proto__', 'constructor', 'toString') as keys; nothing is looked
 * up through a prototype. Options objects are covered in test/base/validate.test.ts.
 */
import fs = require('fs');
import os = require('os');
import path = require('path');
import zlib = require('zlib');
import { feedForward, loadModel, Network, saveModel, theta, adam, optimizerFromState } from '../../lib';
import { findDuplicateKey, parseJson } from '../../lib/base/validate';
import { parseCase } from '../../lib/trial/case';
import { evalCommand } from '../../lib/cli/eval';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spikegrad-keys-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function thrown(fn: () => unknown): { code?: string; message: string } | 'none' {
  try {
    fn();
    return 'none';
  } catch (err) {
    const e = err as Error & { code?: string };
    return { code: e.code, message: e.message };
  }
}

/** A small valid QIF case (2 neurons, 1 input channel). */
function validCase(): Record<string, unknown> {
  return {
    neuron: { model: 'qif', tau: 1 },
    T: 4,
    maxEvents: 100,
    n: 2,
    initial: { V: [0, 0], I: [0, 0] },
    weights: [
      [0, 0.5],
      [0, 0],
    ],
    inputWeights: [[3], [0]],
    inputSpikes: { times: [0.5], sources: [0] },
    readout: { neurons: [1], counts: [1] },
    cotangent: [[1]],
  };
}

describe('findDuplicateKey and parseJson', () => {
  it('finds a key given twice in one object, at any depth, comparing unescaped keys', () => {
    expect(findDuplicateKey('{"a":1,"a":2}')).toEqual({ key: 'a', path: 'a', at: 7 });
    expect(findDuplicateKey('{"a":{"x":[1,{"y":1,"y":2}]}}')?.path).toBe('a.x[1].y');
    expect(findDuplicateKey('{"a":1,"\\u0061":2}')?.key).toBe('a');
    expect(findDuplicateKey('{"a\\"":1,"a\\"":2}')?.key).toBe('a"');
    expect(findDuplicateKey('{"__proto__":1,"__proto__":2}')?.key).toBe('__proto__');
    expect(findDuplicateKey('{"a":"\\\\","a":1}')?.key).toBe('a');
  });

  it('accepts equal keys in different objects, keys inside strings and values equal to keys', () => {
    for (const ok of ['{"a":1,"b":{"a":2}}', '[{"k":1},{"k":2}]', '{"a\\\\":1,"a":2}', '"{\\"a\\":1,\\"a\\":1}"', '{"a":"a","b":["a","a"]}', '{"a":{"a":{"a":1}}}']) {
      expect([ok, findDuplicateKey(ok)]).toEqual([ok, undefined]);
    }
  });

  it('walks nesting as deep as JSON.parse accepts without overflowing the stack', () => {
    const depth = 200000;
    expect(findDuplicateKey('['.repeat(depth) + ']'.repeat(depth))).toBeUndefined();
    expect(findDuplicateKey('{"a":'.repeat(depth) + '1' + '}'.repeat(depth))).toBeUndefined();
    expect(findDuplicateKey('['.repeat(depth) + '{"b":1,"b":1}' + ']'.repeat(depth))?.key).toBe('b');
  });

  it('parseJson: the value of JSON.parse, or a coded error naming the key, its path and its line', () => {
    expect(parseJson('{"a":[1,{"b":2}]}', 'x')).toEqual({ a: [1, { b: 2 }] });
    expect(thrown(() => parseJson('{\n "neuron": {"model":"qif",\n  "tau": 1, "tau": 2}}', 'the case'))).toEqual({
      code: 'ERR_SPIKEGRAD_ARG',
      message: "Duplicate key 'tau' in the case (at neuron.tau, line 3 column 13)",
    });
    // Invalid JSON: JSON.parse's SyntaxError unchanged.
    expect(() => parseJson('{"a":', 'x')).toThrow(SyntaxError);
  });
});

describe('the eval case format', () => {
  it('accepts the valid case', () => {
    expect(() => parseCase(validCase())).not.toThrow();
  });

  // [where, an edit that adds a misspelt key, the suggestion]
  const typos: [string, (c: Record<string, Record<string, unknown>>) => void, string | undefined][] = [
    ['the case', (c) => ((c.maxEvent = c.maxEvents), delete c.maxEvents), 'maxEvents'],
    ['the case', (c) => (c.weightMsk = c.weights), 'weightMask'],
    ['neuron', (c) => (c.neuron.tua = 2), 'tau'],
    ['neuron', (c) => (c.neuron.I0 = 2), undefined], // a parameter of theta, not of qif
    ['initial', (c) => (c.initial.phi = [0, 0]), undefined],
    ['inputSpikes', (c) => (c.inputSpikes.source = [0]), 'sources'],
    ['readout', (c) => (c.readout.layer = [[0, 1]]), 'layers'],
  ];
  it.each(typos)('%s: a misspelt or foreign key is refused with "did you mean"', (where, edit, suggestion) => {
    const c = validCase() as Record<string, Record<string, unknown>>;
    edit(c);
    const e = thrown(() => parseCase(c));
    expect(e).toEqual({ code: 'ERR_SPIKEGRAD_ARG', message: expect.stringMatching(new RegExp(`^Unknown key '\\w+' in ${where}`)) });
    if (suggestion) expect((e as { message: string }).message).toMatch(`did you mean '${suggestion}'?`);
    else expect((e as { message: string }).message).not.toMatch('did you mean');
  });

  it("prototype names are unknown keys at every level, and unknown models", () => {
    for (const key of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      for (const at of [undefined, 'neuron', 'initial', 'inputSpikes', 'readout'] as const) {
        const text = JSON.stringify(validCase());
        // Through the text, so that '__proto__' is an own key as JSON.parse makes it.
        const damaged = at === undefined ? text.replace('{', `{"${key}":1,`) : text.replace(`"${at}":{`, `"${at}":{"${key}":1,`);
        const e = thrown(() => parseCase(JSON.parse(damaged)));
        expect([key, at, e]).toEqual([key, at, { code: 'ERR_SPIKEGRAD_ARG', message: expect.stringMatching(`^Unknown key '${key}' in`) }]);
      }
      const c = validCase() as { neuron: Record<string, unknown> };
      c.neuron = { model: key };
      expect(thrown(() => parseCase(c))).toEqual({ code: 'ERR_SPIKEGRAD_DOMAIN', message: expect.stringMatching(/^neuron\.model: expected one of/) });
    }
  });

  it('spikegrad eval refuses a key given twice (exit 2, one line naming it)', () => {
    const file = path.join(tmp, 'dup.case.json');
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: { write: (s: string) => out.push(s) }, err: { write: (s: string) => err.push(s) } };
    fs.writeFileSync(file, JSON.stringify(validCase()));
    expect(evalCommand([file], io as never)).toBe(0);
    out.length = 0;
    // The first "tau" would be lost silently: JSON.parse keeps the last one.
    fs.writeFileSync(file, JSON.stringify(validCase()).replace('"tau":1', '"tau":0.5,"tau":1'));
    expect(evalCommand([file], io as never)).toBe(2);
    expect(out).toEqual([]);
    expect(err).toEqual([expect.stringMatching(/Duplicate key 'tau' in the case \(at neuron\.tau, line 1 column \d+\)\n$/)]);
  });
});

describe('model files and Network.fromJSON', () => {
  const net = () => feedForward({ neuron: theta({ tau: 2 }), sizes: [2, 3, 2], T: 2, seed: 1 });
  const v1 = () => ({ format: 'spikegrad-model', version: 1, network: net().toJSON() as unknown as Record<string, Record<string, unknown>> });
  const write = (name: string, text: string | Buffer) => {
    const f = path.join(tmp, name);
    fs.writeFileSync(f, text);
    return f;
  };

  // [where, edit of the network JSON, the suggestion]
  const typos: [string, (n: Record<string, Record<string, unknown>>) => void, string][] = [
    ['network', (n) => ((n.maxEvent = n.maxEvents), delete n.maxEvents), 'maxEvents'],
    ['network', (n) => (n.clases = n.readout), 'classes'],
    ['network.params', (n) => ((n.params.weight = n.params.weights), delete n.params.weights), 'weights'],
    ['network.recurrent', (n) => (n.recurrent.sources = []), 'source'],
    ['network.readout', (n) => (n.readout.count = [1, 1]), 'counts'],
    ['network.neuron', (n) => (n.neuron.param = {}), 'params'],
    ['network.trainable', (n) => (n.trainable.initials = false), 'initial'],
  ];
  it.each(typos)('%s: a misspelt key is refused ("did you mean"), by fromJSON and by loadModel', (where, edit, suggestion) => {
    const file = v1();
    edit(file.network);
    const message = new RegExp(`Unknown key '\\w+' in ${where.replace('.', '\\.')}; did you mean '${suggestion}'\\?`);
    expect(thrown(() => Network.fromJSON(file.network))).toEqual({ code: 'ERR_SPIKEGRAD_ARG', message: expect.stringMatching(message) });
    const loaded = thrown(() => loadModel(write('typo.json', JSON.stringify(file))));
    expect(loaded).toEqual({ code: 'ERR_SPIKEGRAD_LOAD', message: expect.stringMatching(message) });
  });

  it('a version-1 file: prototype names as keys, a misspelt top-level field and a key given twice are refused', () => {
    const text = JSON.stringify(v1());
    for (const key of ['__proto__', 'constructor', 'toString']) {
      for (const at of ['network', 'params', 'readout', 'neuron']) {
        const f = write('proto.json', text.replace(`"${at}":{`, `"${at}":{"${key}":1,`));
        expect([key, at, thrown(() => loadModel(f))]).toEqual([key, at, { code: 'ERR_SPIKEGRAD_LOAD', message: expect.stringMatching(`Unknown (key|option) '${key}'|unknown field '${key}'`) }]);
      }
    }
    expect(thrown(() => loadModel(write('typo.json', text.replace('"network":', '"netwrk":'))))).toEqual({
      code: 'ERR_SPIKEGRAD_LOAD',
      message: expect.stringMatching(/unknown field 'netwrk'; did you mean 'network'\?/),
    });
    // "T" twice: JSON.parse would keep the second value and load a network with another T.
    const dup = write('dup.json', text.replace('"T":2', '"T":5,"T":2'));
    expect(thrown(() => loadModel(dup))).toEqual({ code: 'ERR_SPIKEGRAD_LOAD', message: expect.stringMatching(/Duplicate key 'T' in the file \(at network\.T, line 1/) });
  });

  it('a version-2 header with a key given twice is refused (checksums consistent)', () => {
    const f = path.join(tmp, 'model.spikegrad');
    saveModel(f, net());
    const bytes = fs.readFileSync(f);
    expect(thrown(() => loadModel(write('v2.spikegrad', withHeader(bytes, (h) => h))))).toBe('none');
    const damaged = withHeader(bytes, (h) => h.replace('"network":{', '"network":{"T":7,'));
    expect(thrown(() => loadModel(write('v2.spikegrad', damaged)))).toEqual({
      code: 'ERR_SPIKEGRAD_LOAD',
      message: expect.stringMatching(/Duplicate key 'T' in the header \(at network\.T, line 1/),
    });
  });

  it('a version-2 header with a misspelt key says "Unknown key", as the JSON formats do', () => {
    const f = path.join(tmp, 'model.spikegrad');
    saveModel(f, net());
    const damaged = withHeader(fs.readFileSync(f), (h) => h.replace('"network":{', '"network":{"Tt":7,'));
    expect(thrown(() => loadModel(write('v2-key.spikegrad', damaged)))).toEqual({
      code: 'ERR_SPIKEGRAD_LOAD',
      message: expect.stringMatching(/Unknown key 'Tt' in network; did you mean 'T'\?/),
    });
  });

  it("trainable masks: values other than 0 and 1 are refused (256 used to wrap to 0), and so are indices beyond 32 bits", () => {
    const json = net().toJSON() as unknown as Record<string, Record<string, unknown>>;
    const weights = json.params.weights as number[];
    for (const bad of [256, 2, -1, 0.5]) {
      const j = structuredClone(json);
      j.trainable.weights = weights.map((_, k) => (k === 1 ? bad : 1));
      expect([bad, thrown(() => Network.fromJSON(j))]).toEqual([bad, { code: expect.stringMatching(/ERR_SPIKEGRAD_(RANGE|ARG)/), message: expect.stringMatching(/trainable\.weights/) }]);
    }
    const ok = structuredClone(json);
    ok.trainable.weights = weights.map((_, k) => k % 2);
    expect(Array.from(Network.fromJSON(ok).trainable.weights as Uint8Array)).toEqual(weights.map((_, k) => k % 2));
    const s = net().structure;
    expect(thrown(() => new Network(s, {}, { weights: new Uint8Array(s.recurrent.source.length).fill(2) }))).toEqual({
      code: 'ERR_SPIKEGRAD_RANGE',
      message: expect.stringMatching(/^Expected 0 or 1 for trainable\.weights\[0\]/),
    });
    const wrap = structuredClone(json);
    (wrap.readout.neurons as number[])[0] += 2 ** 32; // Int32Array.from would make it the same neuron
    expect(thrown(() => Network.fromJSON(wrap))).toEqual({ code: 'ERR_SPIKEGRAD_RANGE', message: expect.stringMatching(/network\.readout\.neurons\[0\]: expected a 32-bit integer/) });
  });
});

describe('optimiser states', () => {
  it('an unknown or misspelt top-level key is refused ("did you mean"); moments named by prototype names are refused', () => {
    const state = adam({ lr: 0.1 }).state();
    expect(thrown(() => optimizerFromState({ ...state, stpe: 0 } as never))).toEqual({
      code: 'ERR_SPIKEGRAD_LOAD',
      message: expect.stringMatching(/^Unknown key 'stpe' in the optimizer state; did you mean 'step'\?/),
    });
    for (const key of ['__proto__', 'constructor', 'toString']) {
      const withKey = JSON.parse(JSON.stringify(state).replace('{', `{"${key}":1,`)) as never;
      expect(thrown(() => optimizerFromState(withKey))).toEqual({ code: 'ERR_SPIKEGRAD_LOAD', message: expect.stringMatching(`^Unknown key '${key}'`) });
      const moments = JSON.parse(JSON.stringify(state).replace('"moments":{', `"moments":{"${key}":[],`)) as never;
      expect(thrown(() => optimizerFromState(moments))).toEqual({ code: 'ERR_SPIKEGRAD_LOAD', message: expect.stringMatching(key) });
    }
  });
});

/** A version-2 file with its header text edited, laid out again with consistent offsets and checksums. */
function withHeader(bytes: Buffer, edit: (header: string) => string): Buffer {
  const pad = (n: number) => Math.ceil(n / 8) * 8;
  const original = bytes.subarray(32, 32 + bytes.readUInt32LE(20)).toString();
  const header = JSON.parse(original) as { blocks: { offset: number; length: number; type: string; crc32: number }[] };
  const size: Record<string, number> = { f64: 8, i32: 4, u8: 1 };
  const data = header.blocks.map((b) => bytes.subarray(b.offset, b.offset + b.length * size[b.type]));
  const edited = edit(original);
  // The blocks follow the padded header: renumber their offsets until the header's length settles.
  let text = edited;
  for (let round = 0; round < 8; round++) {
    const start = pad(32 + Buffer.byteLength(text));
    let offset = start;
    let k = 0;
    text = edited.replace(/"offset":\d+/g, () => {
      const at = offset;
      offset += pad(data[k++].length);
      return `"offset":${at}`;
    });
    if (pad(32 + Buffer.byteLength(text)) === start) break;
  }
  const h = Buffer.from(text);
  const pre = Buffer.alloc(32);
  bytes.copy(pre, 0, 0, 20);
  pre.writeUInt32LE(h.length, 20);
  pre.writeUInt32LE(zlib.crc32(h) >>> 0, 24);
  pre.writeUInt32LE(zlib.crc32(pre.subarray(0, 28)) >>> 0, 28);
  const parts: Buffer[] = [pre, h, Buffer.alloc(pad(32 + h.length) - 32 - h.length)];
  for (const d of data) parts.push(d, Buffer.alloc(pad(d.length) - d.length));
  return Buffer.concat(parts);
}
