/**
 * Files (issues 7, 12 and 14): a save killed (SIGKILL) at any moment leaves the previous file
 * loadable; damaged files of either version are rejected with ERR_SPIKEGRAD_LOAD at load time
 * (version 2: any damage at all, through its lengths and checksums; version 1: or load as a
 * valid network, JSON cannot tell); FIFOs, devices and directories are refused without
 * blocking; a save writes through a symbolic link and keeps the file's mode; a full disk loses
 * nothing; networks at the builders' size limit save and load; the asynchronous forms keep the
 * event loop turning; training stopped with Ctrl-C (SIGINT to the `spikegrad mnist` CLI) or an
 * AbortSignal keeps its last checkpoint, and resuming gives bit for bit the parameters of an
 * uninterrupted run.
 */
import { execFileSync, spawn, spawnSync } from 'child_process';
import fs = require('fs');
import os = require('os');
import path = require('path');
import zlib = require('zlib');
import {
  Random,
  Trainer,
  adaBelief,
  exponentialDecay,
  feedForward,
  firstSpikeCrossEntropy,
  imageDataset,
  loadModel,
  loadModelAsync,
  saveModel,
  saveModelAsync,
  theta,
  type LoadedModel,
  type Network,
} from '../../lib';
import { twoClassImages } from '../helpers/tasks';

const root = path.join(__dirname, '..', '..');
const register = path.join(root, 'test', 'helpers', 'register-ts.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spikegrad-files-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return 'none';
  } catch (err) {
    return (err as { code?: string }).code;
  }
}

/** Everything a loaded model holds, as comparable plain data (numbers through their bytes). */
function contentOf(m: LoadedModel): unknown {
  const hex = (a: ArrayLike<number>) => Buffer.from(Float64Array.from(a).buffer).toString('hex');
  return {
    network: m.network.toJSON(),
    params: m.network.parameterList().map(hex),
    optimizer: m.optimizer && { ...m.optimizer, moments: Object.fromEntries(Object.entries(m.optimizer.moments).map(([k, l]) => [k, l.map(hex)])) },
    training: m.training,
  };
}

describe('a save killed at a random moment', () => {
  it.each(['sync', 'async'])('leaves the previous (or the new) file, complete and loadable, every time (%s)', async (mode) => {
    const file = path.join(tmp, `killed-${mode}.spikegrad`);
    const rng = new Random(mode === 'sync' ? 7 : 8);
    for (let round = 0; round < 6; round++) {
      const child = spawn(process.execPath, ['-r', register, path.join(__dirname, 'fixtures', 'save-loop.js'), file, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
      let last = 0;
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
      await new Promise<void>((resolve) => {
        let killing = false;
        child.stdout.on('data', (d: Buffer) => {
          const m = d.toString().match(/saved (\d+)\s*$/);
          if (m) last = Number(m[1]);
          if (!killing && last >= 1) {
            killing = true;
            setTimeout(() => {
              child.kill('SIGKILL');
              resolve();
            }, rng.int(40));
          }
        });
        child.on('exit', () => resolve());
      });
      expect(await exited).toBe('SIGKILL');
      expect(stderr).toBe('');
      const { network, training } = loadModel(file);
      const k = network.params.weights[0];
      // The file is the last save that returned, or the one in flight if its rename happened.
      expect([last, last + 1]).toContain(k);
      expect(network.params.weights.every((w) => w === k)).toBe(true);
      expect(network.params.inputWeights.every((w) => w === k)).toBe(true);
      expect(training!.epoch).toBe(k);
    }
    // A killed save can leave its temporary file behind (it never reaches the rename); never the target.
    const leftovers = fs.readdirSync(tmp).filter((f) => f.startsWith(`.killed-${mode}.spikegrad.`));
    for (const f of leftovers) expect(f).toMatch(/\.tmp$/);
  });
});

describe('damaged version-1 (JSON) model files', () => {
  const text = fs.readFileSync(path.join(__dirname, '..', 'training', 'fixtures', 'checkpoint-v1.json'), 'utf8');
  const write = (content: string | Buffer) => {
    const f = path.join(tmp, 'damaged.json');
    fs.writeFileSync(f, content);
    return f;
  };

  it('the undamaged fixture loads', () => {
    expect(loadModel(write(text)).network.n).toBe(12);
  });

  it('truncated anywhere: ERR_SPIKEGRAD_LOAD', () => {
    const cuts = new Set([0, 1, 2, text.length - 1, text.length - 2]);
    for (let k = 1; k < 60; k++) cuts.add(Math.floor((k * text.length) / 60));
    for (const at of cuts) expect(codeOf(() => loadModel(write(text.slice(0, at))))).toBe('ERR_SPIKEGRAD_LOAD');
  });

  it('missing, a directory, empty, not JSON, binary garbage, not an object: ERR_SPIKEGRAD_LOAD', () => {
    expect(codeOf(() => loadModel(path.join(tmp, 'does-not-exist.json')))).toBe('ERR_SPIKEGRAD_LOAD');
    expect(codeOf(() => loadModel(tmp))).toBe('ERR_SPIKEGRAD_LOAD');
    for (const content of ['', ' ', 'null', '[]', '42', '"model"', '{', '{}', Buffer.from([0xff, 0xfe, 0, 1, 2]), Buffer.alloc(1000), 'spikegrad-model\n']) {
      expect(codeOf(() => loadModel(write(content)))).toBe('ERR_SPIKEGRAD_LOAD');
    }
  });

  it('another format or version: ERR_SPIKEGRAD_LOAD naming the version', () => {
    const base = JSON.parse(text) as Record<string, unknown>;
    for (const version of [0, 2, 1.5, '1', null, undefined, [1]]) {
      const f = write(JSON.stringify({ ...base, version }));
      expect(codeOf(() => loadModel(f))).toBe('ERR_SPIKEGRAD_LOAD');
      expect(() => loadModel(f)).toThrow(/version/);
    }
    for (const format of ['spikegrad-model-2', 'other', null, undefined, 1]) expect(codeOf(() => loadModel(write(JSON.stringify({ ...base, format }))))).toBe('ERR_SPIKEGRAD_LOAD');
  });

  it('corrupted fields of the network: ERR_SPIKEGRAD_LOAD', () => {
    const edits: ((f: { network: Record<string, unknown> & { params: Record<string, unknown>; neuron: Record<string, unknown> } }) => void)[] = [
      (f) => (f.network.n = 7),
      (f) => (f.network.n = 1e300),
      (f) => (f.network.nIn = -1),
      (f) => (f.network.T = -2),
      (f) => (f.network.maxEvents = 'many'),
      (f) => (f.network.neuron.name = 'hodgkin-huxley'),
      (f) => (f.network.neuron.params = { tau: -1 }),
      (f) => ((f.network.params.weights as number[]).length = 3),
      (f) => ((f.network.params.initial as unknown[])[0] = 'x'),
      (f) => ((f.network.params.initial as unknown[])[0] = null),
      (f) => (f.network.recurrent = null),
      (f) => ((f.network.readout as { neurons: number[] }).neurons = [99]),
      (f) => delete (f.network as Record<string, unknown>).params,
    ];
    for (const edit of edits) {
      const f = JSON.parse(text);
      edit(f);
      expect(codeOf(() => loadModel(write(JSON.stringify(f))))).toBe('ERR_SPIKEGRAD_LOAD');
    }
    // A number that JSON turns into Infinity.
    expect(codeOf(() => loadModel(write(text.replace(/("weights":\[)-?[0-9.e-]+/, '$11e999'))))).toBe('ERR_SPIKEGRAD_LOAD');
  });

  it('random byte damage: ERR_SPIKEGRAD_LOAD or a valid network, never another error', () => {
    const rng = new Random(3);
    let accepted = 0;
    for (let k = 0; k < 200; k++) {
      const bytes = Buffer.from(text);
      for (let q = 0; q <= rng.int(3); q++) bytes[rng.int(bytes.length)] = rng.int(256);
      const f = write(bytes);
      let loaded: { network: Network } | undefined;
      try {
        loaded = loadModel(f);
      } catch (err) {
        expect((err as { code?: string }).code).toBe('ERR_SPIKEGRAD_LOAD');
        continue;
      }
      // Damage inside a number can give another valid file (version 1 has no checksum).
      accepted++;
      expect(loaded.network.parameterList().every((a) => a.every(Number.isFinite))).toBe(true);
    }
    expect(accepted).toBeLessThan(200);
  });
});

/** A version-2 file taken apart: its header and the bytes of each block. */
interface FileParts {
  header: Record<string, unknown> & { blocks: { name: string; type: string; length: number; offset: number; crc32: number }[] };
  data: Map<string, Buffer>;
}

function partsOf(bytes: Buffer): FileParts {
  const header = JSON.parse(bytes.subarray(32, 32 + bytes.readUInt32LE(20)).toString()) as FileParts['header'];
  const size = { f64: 8, i32: 4, u8: 1 } as Record<string, number>;
  const data = new Map(header.blocks.map((b) => [b.name, Buffer.from(bytes.subarray(b.offset, b.offset + b.length * size[b.type]))]));
  return { header, data };
}

/** Lays a file out again from its parts, with correct offsets and checksums (so only the edit is wrong). */
function fileOf({ header, data }: FileParts): Buffer {
  const size = { f64: 8, i32: 4, u8: 1 } as Record<string, number>;
  const pad = (n: number) => Math.ceil(n / 8) * 8;
  let text = '';
  let start = 0;
  for (let round = 0; round < 8; round++) {
    let offset = start;
    for (const b of header.blocks) {
      const d = data.get(b.name)!;
      b.offset = offset;
      b.length = d.length / size[b.type];
      b.crc32 = zlib.crc32(d) >>> 0;
      offset += pad(d.length);
    }
    text = JSON.stringify(header);
    if (pad(32 + Buffer.byteLength(text)) === start) break;
    start = pad(32 + Buffer.byteLength(text));
  }
  const h = Buffer.from(text);
  const pre = Buffer.alloc(32);
  pre.write('spikegrad-model\n', 0, 'latin1');
  pre.writeUInt32LE(2, 16);
  pre.writeUInt32LE(h.length, 20);
  pre.writeUInt32LE(zlib.crc32(h) >>> 0, 24);
  pre.writeUInt32LE(zlib.crc32(pre.subarray(0, 28)) >>> 0, 28);
  const parts: Buffer[] = [pre, h, Buffer.alloc(pad(32 + h.length) - 32 - h.length)];
  for (const b of header.blocks) {
    const d = data.get(b.name)!;
    parts.push(d, Buffer.alloc(pad(d.length) - d.length));
  }
  return Buffer.concat(parts);
}

describe('damaged version-2 checkpoints: every load succeeds with identical content or throws ERR_SPIKEGRAD_LOAD', () => {
  let bytes: Buffer;
  let expected: unknown;
  const write = (content: Buffer) => {
    const f = path.join(tmp, 'damaged.spikegrad');
    fs.writeFileSync(f, content);
    return f;
  };
  /** Loads (sync and async, which must agree); returns 'ok' for identical content or the error code. */
  const outcome = async (content: Buffer): Promise<string> => {
    const f = write(content);
    const sync = (() => {
      try {
        const m = loadModel(f);
        expect(contentOf(m)).toEqual(expected);
        return 'ok';
      } catch (err) {
        return (err as { code?: string }).code ?? `uncoded: ${(err as Error).message}`;
      }
    })();
    const async = await loadModelAsync(f).then(
      (m) => {
        expect(contentOf(m)).toEqual(expected);
        return 'ok';
      },
      (err: { code?: string; message: string }) => err.code ?? `uncoded: ${err.message}`,
    );
    expect(async).toBe(sync);
    return sync;
  };

  beforeAll(async () => {
    const { images, labels } = twoClassImages(40, 8);
    const train = imageDataset({ images, pixels: 16, labels, T: 2, flipProbability: 0.05 });
    const trainer = new Trainer({
      network: feedForward({ neuron: theta({ tau: 6 / Math.PI }), sizes: [16, 10, 2], T: 2, seed: 3, wScale: 2 }),
      loss: firstSpikeCrossEntropy({ gamma: 0.01 }),
      optimizer: adaBelief({ lr: exponentialDecay({ initial: 1e-2, transitionSteps: 20, decayRate: 0.5 }) }),
      batchSize: 8,
      seed: 5,
    });
    trainer.network.trainable = { ...trainer.network.trainable, initial: Uint8Array.from(trainer.network.params.initial, (_, k) => k % 2) };
    trainer.network.encoding = { kind: 'image', T: 2, bins: 1, pixels: 16, shape: [4, 4] };
    trainer.network.classes = ['left', 'right'];
    await trainer.fit({ train, test: train, epochs: 1, progress: false });
    const file = path.join(tmp, 'checkpoint.spikegrad');
    await trainer.saveAsync(file);
    bytes = fs.readFileSync(file);
    expected = contentOf(loadModel(file));
  });

  it('undamaged, and re-laid out from its parts: loads with identical content', async () => {
    expect(await outcome(bytes)).toBe('ok');
    expect(fileOf(partsOf(bytes))).toEqual(bytes);
  });

  it('truncated anywhere, or with bytes appended', async () => {
    const { header } = partsOf(bytes);
    const cuts = new Set([0, 1, 15, 16, 31, 32, 33, bytes.length - 1, bytes.length - 8]);
    for (const b of header.blocks) [b.offset - 1, b.offset, b.offset + 1, b.offset + 4].forEach((c) => cuts.add(c));
    for (let k = 1; k < 80; k++) cuts.add(Math.floor((k * bytes.length) / 80));
    for (const at of cuts) if (at >= 0 && at < bytes.length) expect(await outcome(bytes.subarray(0, at))).toBe('ERR_SPIKEGRAD_LOAD');
    for (const extra of [Buffer.alloc(1), Buffer.alloc(8), Buffer.from('{}')]) expect(await outcome(Buffer.concat([bytes, extra]))).toBe('ERR_SPIKEGRAD_LOAD');
  });

  it('flipped bytes anywhere: in the preamble, the header, the padding, every block', async () => {
    const { header } = partsOf(bytes);
    const rng = new Random(12);
    const spots = new Set<number>();
    for (let k = 0; k < 32; k++) spots.add(k);
    const headerEnd = header.blocks[0].offset;
    for (let k = 0; k < 120; k++) spots.add(32 + rng.int(headerEnd - 32));
    for (const b of header.blocks) for (let k = 0; k < 6 && b.length > 0; k++) spots.add(b.offset + rng.int(b.length * ({ f64: 8, i32: 4, u8: 1 } as Record<string, number>)[b.type]));
    for (let k = 0; k < 200; k++) spots.add(rng.int(bytes.length));
    for (const at of spots) {
      const damaged = Buffer.from(bytes);
      damaged[at] ^= 1 << rng.int(8);
      expect([at, await outcome(damaged)]).toEqual([at, 'ERR_SPIKEGRAD_LOAD']);
    }
    // Several bytes at once.
    for (let k = 0; k < 100; k++) {
      const damaged = Buffer.from(bytes);
      for (let q = 0; q <= rng.int(4); q++) damaged[rng.int(bytes.length)] ^= 1 + rng.int(255);
      expect(['ok', 'ERR_SPIKEGRAD_LOAD']).toContain(await outcome(damaged));
    }
  });

  it('consistent files with wrong contents (lengths, counts, layouts, names, values), checksums recomputed', async () => {
    type Edit = (p: FileParts) => void;
    const net = (p: FileParts) => p.header.network as Record<string, Record<string, unknown>>;
    const block = (p: FileParts, name: string) => p.header.blocks.find((b) => b.name === name)!;
    const setData = (p: FileParts, name: string, d: Buffer) => p.data.set(name, d);
    const edits: Record<string, Edit> = {
      'weights one element short': (p) => setData(p, 'network.params.weights', p.data.get('network.params.weights')!.subarray(8)),
      'weights one element long': (p) => setData(p, 'network.params.weights', Buffer.concat([p.data.get('network.params.weights')!, Buffer.alloc(8)])),
      'a moment one element short': (p) => setData(p, 'optimizer.moments.mu.1', p.data.get('optimizer.moments.mu.1')!.subarray(8)),
      'a NaN weight': (p) => p.data.get('network.params.inputWeights')!.writeDoubleLE(NaN, 16),
      'an infinite moment': (p) => p.data.get('optimizer.moments.nu.0')!.writeDoubleLE(Infinity, 0),
      'a NaN moment': (p) => p.data.get('optimizer.moments.nu.0')!.writeDoubleLE(NaN, 8),
      'synapse count +1': (p) => (net(p).input.synapses = (net(p).input.synapses as number) + 1),
      'synapse count -1': (p) => (net(p).input.synapses = (net(p).input.synapses as number) - 1),
      'layout pairs without pair blocks': (p) => (net(p).recurrent.layout = 'pairs'),
      'unknown layout': (p) => (net(p).recurrent.layout = 'csr'),
      'a run of length 0': (p) => p.data.get('network.input.runs')!.writeInt32LE(0, 8),
      'a run past the synapse count': (p) => p.data.get('network.input.runs')!.writeInt32LE(1000, 8),
      'a run with a negative target': (p) => p.data.get('network.input.runs')!.writeInt32LE(-5, 4),
      'a synapse target out of range': (p) => p.data.get('network.input.runs')!.writeInt32LE(50, 4),
      'sources out of order': (p) => p.data.get('network.input.runs')!.writeInt32LE(9, 0),
      'runs not a multiple of 3': (p) => setData(p, 'network.input.runs', p.data.get('network.input.runs')!.subarray(4)),
      'n changed': (p) => ((p.header.network as Record<string, unknown>).n = 13),
      'readout count changed': (p) => (net(p).readout.neurons = 3),
      'a layer size changed': (p) => ((p.header.network as { layers: number[] }).layers[0] = 9),
      'a mask value 2': (p) => (p.data.get('network.trainable.initial')![1] = 2),
      'a mask missing': (p) => (net(p).trainable.weights = 'mask'),
      'a mask without its flag': (p) => (net(p).trainable.initial = true),
      'an unknown block': (p) => {
        p.header.blocks.push({ name: 'network.extra', type: 'u8', length: 0, offset: 0, crc32: 0 });
        p.data.set('network.extra', Buffer.alloc(0));
      },
      'a block renamed': (p) => {
        const b = block(p, 'network.params.initial');
        p.data.set('network.params.initials', p.data.get(b.name)!);
        b.name = 'network.params.initials';
      },
      'a block of the wrong type': (p) => (block(p, 'network.readout.counts').type = 'f64'),
      'a duplicate block name': (p) => (block(p, 'network.layers.1').name = 'network.layers.0'),
      'an unknown block type': (p) => (block(p, 'network.readout.counts').type = 'i64'),
      'an unknown header key': (p) => (p.header.extra = 1),
      'a misspelled header key': (p) => ((p.header.trainig = p.header.training), delete p.header.training),
      'an unknown network key': (p) => ((p.header.network as Record<string, unknown>).bias = 1),
      'a misspelled block entry key': (p) => ((block(p, 'network.readout.counts') as Record<string, unknown>).lenght = 1),
      'the format renamed': (p) => (p.header.format = 'other'),
      'the version in the header': (p) => (p.header.version = 3),
      'the optimiser name': (p) => ((p.header.optimizer as Record<string, unknown>).name = 'adam'),
      'the optimiser step': (p) => ((p.header.optimizer as Record<string, unknown>).step = -1),
      'the optimiser shapes': (p) => ((p.header.optimizer as Record<string, unknown>).shapes = [1, 2, 3, 4]),
      'a moment count': (p) => (((p.header.optimizer as Record<string, Record<string, number>>).moments.mu = 3)),
      'an unknown optimiser option': (p) => ((p.header.optimizer as Record<string, Record<string, unknown>>).options.momentum = 0.9),
      'a random state': (p) => ((p.header.training as Record<string, number[]>).shuffleState[0] = -1),
      'a random state spare': (p) => ((p.header.training as Record<string, unknown[]>).augmentState[4] = 'x'),
      'the batch size': (p) => ((p.header.training as Record<string, unknown>).batchSize = 0),
      'the history': (p) => ((p.header.training as Record<string, unknown[]>).history[0] = 'x'),
      'a metric in the history': (p) => (((p.header.training as Record<string, { test: Record<string, unknown> }[]>).history[0].test.loss = null)),
      'the encoding': (p) => ((net(p).encoding as Record<string, unknown>).pixels = 17),
      'the encoding kind': (p) => ((net(p).encoding as Record<string, unknown>).kind = 'audio'),
      'the class names': (p) => ((p.header.network as Record<string, unknown>).classes = ['only one']),
      'the neuron model': (p) => ((net(p).neuron as Record<string, unknown>).name = 'constructor'),
      'a neuron parameter': (p) => ((net(p).neuron.params as Record<string, unknown>).I0 = 0.1),
    };
    for (const [what, edit] of Object.entries(edits)) {
      const parts = partsOf(bytes);
      edit(parts);
      expect([what, await outcome(fileOf(parts))]).toEqual([what, 'ERR_SPIKEGRAD_LOAD']);
    }
  });
});

describe('paths that are not regular files', () => {
  it('FIFOs, devices and directories are refused with a coded error, without blocking (child process with a time limit)', () => {
    const fifo = path.join(tmp, 'model.fifo');
    execFileSync('mkfifo', [fifo]);
    const linkToFifo = path.join(tmp, 'link-to-fifo.spikegrad');
    fs.symlinkSync(fifo, linkToFifo);
    const script = `
      const lib = require(${JSON.stringify(path.join(root, 'lib', 'index.ts'))});
      const net = lib.feedForward({ neuron: lib.theta({ tau: 2 }), sizes: [2, 2], T: 2 });
      const code = (fn) => { try { fn(); return 'none'; } catch (e) { return e.code; } };
      const acode = (p) => p.then(() => 'none', (e) => e.code);
      (async () => {
        const out = {};
        for (const [name, p] of Object.entries(${JSON.stringify({ fifo, linkToFifo, devNull: '/dev/null', devZero: '/dev/zero', dir: tmp })})) {
          out[name] = [code(() => lib.loadModel(p)), await acode(lib.loadModelAsync(p)), code(() => lib.saveModel(p, net)), await acode(lib.saveModelAsync(p, net))];
        }
        process.stdout.write(JSON.stringify(out));
      })();`;
    const r = spawnSync(process.execPath, ['-r', register, '-e', script], { encoding: 'utf8', timeout: 30000 });
    expect(r.error).toBeUndefined(); // a hang would be killed by the time limit and reported here
    expect(r.stderr).toBe('');
    const codes = JSON.parse(r.stdout) as Record<string, string[]>;
    for (const name of ['fifo', 'linkToFifo', 'devNull', 'devZero', 'dir']) {
      expect([name, codes[name]]).toEqual([name, ['ERR_SPIKEGRAD_LOAD', 'ERR_SPIKEGRAD_LOAD', 'ERR_SPIKEGRAD_ARG', 'ERR_SPIKEGRAD_ARG']]);
    }
    expect(fs.lstatSync(fifo).isFIFO()).toBe(true); // not replaced
    expect(fs.lstatSync(linkToFifo).isSymbolicLink()).toBe(true);
    expect(() => loadModel(fifo)).toThrow(/FIFO/);
    expect(() => saveModel('/dev/null', feedForward({ neuron: theta({ tau: 2 }), sizes: [2, 2], T: 2 }))).toThrow(/character device/);
  });
});

describe('symbolic links and file modes', () => {
  const net = () => feedForward({ neuron: theta({ tau: 2 }), sizes: [4, 3, 2], T: 2, seed: 2 });

  it.each(['sync', 'async'])('a save through a symbolic link replaces its target and keeps the link (%s)', async (mode) => {
    const save = (f: string, n: Network) => (mode === 'sync' ? new Promise<void>((resolve) => resolve(saveModel(f, n))) : saveModelAsync(f, n));
    const dir = fs.mkdtempSync(path.join(tmp, 'links-'));
    const other = fs.mkdtempSync(path.join(tmp, 'targets-'));
    const target = path.join(other, 'real.spikegrad');
    const a = net();
    await save(target, a);
    const link = path.join(dir, 'model.spikegrad');
    fs.symlinkSync(path.relative(dir, target), link); // relative, to another folder
    const chain = path.join(dir, 'chain.spikegrad');
    fs.symlinkSync(link, chain); // a link to the link
    const b = net();
    b.params.weights.fill(0.25);
    await save(chain, b);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.lstatSync(chain).isSymbolicLink()).toBe(true);
    expect(Array.from(loadModel(target).network.params.weights)).toEqual(Array.from(b.params.weights));
    expect(fs.readdirSync(dir).sort()).toEqual(['chain.spikegrad', 'model.spikegrad']);
    expect(fs.readdirSync(other)).toEqual(['real.spikegrad']);
    // A dangling link: the save creates its target.
    const dangling = path.join(dir, 'dangling.spikegrad');
    fs.symlinkSync(path.join(other, 'new.spikegrad'), dangling);
    await save(dangling, a);
    expect(fs.lstatSync(dangling).isSymbolicLink()).toBe(true);
    expect(loadModel(path.join(other, 'new.spikegrad')).network.n).toBe(5);
    // A loop of links is a file-system error (ELOOP), as Node reports it.
    const loop1 = path.join(dir, 'loop1');
    const loop2 = path.join(dir, 'loop2');
    fs.symlinkSync(loop2, loop1);
    fs.symlinkSync(loop1, loop2);
    await expect(save(loop1, a)).rejects.toMatchObject({ code: 'ELOOP' });
  });

  it.each(['sync', 'async'])('an existing file keeps its mode; a new one gets 0666 less the umask (%s)', async (mode) => {
    const save = (f: string, n: Network) => (mode === 'sync' ? new Promise<void>((resolve) => resolve(saveModel(f, n))) : saveModelAsync(f, n));
    const file = path.join(tmp, `mode-${mode}.spikegrad`);
    await save(file, net());
    const umask = process.umask();
    expect(fs.statSync(file).mode & 0o777).toBe(0o666 & ~umask);
    for (const m of [0o600, 0o640, 0o444, 0o755]) {
      fs.chmodSync(file, m);
      await save(file, net());
      expect((fs.statSync(file).mode & 0o777).toString(8)).toBe(m.toString(8));
    }
  });
});

describe('a full disk', () => {
  const mount = path.join(tmp, 'small-disk');
  let mounted = false;
  beforeAll(() => {
    fs.mkdirSync(mount);
    if (process.getuid?.() !== 0) {
      console.log('skipped: the full-disk test mounts a 256 kB tmpfs, which needs root');
      return;
    }
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mount], { stdio: 'pipe' });
      mounted = true;
    } catch (err) {
      console.log(`skipped: cannot mount a tmpfs here (${(err as Error).message.split('\n')[0]})`);
    }
  });
  afterAll(() => {
    if (mounted) execFileSync('umount', [mount]);
  });

  it.each(['sync', 'async'])('a save that runs out of space fails with ENOSPC and keeps the previous file (%s)', async (mode) => {
    if (!mounted) return;
    const file = path.join(mount, `model-${mode}.spikegrad`);
    const small = feedForward({ neuron: theta({ tau: 2 }), sizes: [10, 10, 2], T: 2, seed: 1 });
    saveModel(file, small);
    const before = fs.readFileSync(file);
    const large = feedForward({ neuron: theta({ tau: 2 }), sizes: [200, 200, 2], T: 2, seed: 1 }); // about 330 kB
    const attempt = mode === 'sync' ? new Promise<void>((resolve) => resolve(saveModel(file, large))) : saveModelAsync(file, large);
    await expect(attempt).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(fs.readFileSync(file)).toEqual(before);
    expect(fs.readdirSync(mount).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    fs.rmSync(file);
  });
});

describe('networks at the size limit of the builders', () => {
  const run = (sizes: number[], mode: string) => {
    const file = path.join(tmp, `large-${mode}.spikegrad`);
    const r = spawnSync(process.execPath, ['--max-old-space-size=6144', path.join(__dirname, 'fixtures', 'save-large.js'), file, JSON.stringify(sizes), mode], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    return JSON.parse(r.stdout) as Record<string, unknown>;
  };

  it('a feed-forward network of 50 million synapses saves and loads back bit for bit', () => {
    const r = run([5000, 9998, 1], 'model');
    expect(r).toEqual({ synapses: 49_999_998, bytes: expect.any(Number), params: true, structure: true, moments: true, step: 0, epoch: 0 });
    expect(r.bytes).toBeLessThan(8.01 * 50e6); // the weights, plus a few kB for everything else
  }, 300_000);

  it('a checkpoint with Adam moments of 5 million synapses saves and loads back bit for bit', () => {
    const r = run([1000, 4999, 1], 'checkpoint');
    expect(r).toEqual({ synapses: 5_003_999, bytes: expect.any(Number), params: true, structure: true, moments: true, step: 1, epoch: 1 });
  }, 300_000);
});

describe('the asynchronous forms keep the event loop turning (the MNIST model and a checkpoint of it)', () => {
  /**
   * The largest gap between ticks of a 1 ms interval while `work` runs, in ms: how long the
   * work blocked the event loop at most, measured against the timer. The best of 15 runs is
   * taken, because the machine's scheduler can delay any tick when other processes compete for
   * the cores (a call that blocks delays every run by as much).
   */
  async function largestGap(work: () => Promise<unknown>): Promise<number> {
    let best = Infinity;
    for (let run = 0; run < 15; run++) {
      let last = performance.now();
      let gap = 0;
      const timer = setInterval(() => {
        const now = performance.now();
        gap = Math.max(gap, now - last);
        last = now;
      }, 1);
      await new Promise((resolve) => setTimeout(resolve, 5));
      last = performance.now();
      gap = 0;
      await work();
      gap = Math.max(gap, performance.now() - last);
      clearInterval(timer);
      best = Math.min(best, gap);
    }
    return best;
  }

  it('saveModelAsync, loadModelAsync and Trainer.saveAsync block it for at most 10 ms; the sync forms block it throughout', async () => {
    const network = feedForward({ neuron: theta({ tau: 6 / Math.PI, I0: 1.25 }), sizes: [784, 100, 100, 10], T: 2, maxEvents: 1000, wScale: 0.5, seed: 0 });
    network.encoding = { kind: 'image', T: 2, bins: 1, pixels: 784, shape: [28, 28] };
    const optimizer = adaBelief({ lr: 4e-3 });
    optimizer.step(network.parameterList(), network.parameterList().map((a) => a.map((_, k) => Math.sin(k) * 1e-3)));
    const training = { epoch: 3, batchInEpoch: 5, seed: 0, batchSize: 100, shuffleState: new Random(1).getState(), augmentState: new Random(2).getState(), history: [] };
    const model = path.join(tmp, 'mnist.spikegrad');
    const checkpoint = path.join(tmp, 'mnist-checkpoint.spikegrad');
    saveModel(model, network);
    const state = optimizer.state();
    saveModel(checkpoint, network, { optimizer: state, training });
    expect(fs.statSync(model).size).toBeLessThan(1e6); // 89,400 weights of 8 bytes and a few kB
    const trainer = new Trainer({ network, loss: firstSpikeCrossEntropy(), optimizer, batchSize: 100 });
    const gaps = {
      saveModel: await largestGap(() => saveModelAsync(model, network)),
      loadModel: await largestGap(() => loadModelAsync(model)),
      saveCheckpoint: await largestGap(() => saveModelAsync(checkpoint, network, { optimizer: state, training })),
      loadCheckpoint: await largestGap(() => loadModelAsync(checkpoint)),
      trainerSave: await largestGap(() => trainer.saveAsync(checkpoint)),
      trainerLoad: await largestGap(() => Trainer.loadAsync(checkpoint, { loss: firstSpikeCrossEntropy() })),
    };
    console.log(`largest event-loop gaps of the async forms (best of 15, ms): ${JSON.stringify(Object.fromEntries(Object.entries(gaps).map(([k, v]) => [k, +v.toFixed(2)])))}`);
    for (const [what, gap] of Object.entries(gaps)) expect([what, gap]).toEqual([what, expect.any(Number)]);
    for (const [what, gap] of Object.entries(gaps)) expect([what, gap <= 10]).toEqual([what, true]);
    // The measurement can fail: a synchronous save of the checkpoint holds the loop for its whole duration.
    const syncGap = await largestGap(async () => {
      for (let k = 0; k < 3; k++) saveModel(checkpoint, network, { optimizer: state, training });
    });
    expect(syncGap).toBeGreaterThan(10);
    expect(contentOf(await loadModelAsync(checkpoint))).toEqual(contentOf(loadModel(checkpoint)));
  });
});

/** A small MNIST-like training setup for the resume tests (seeded, with augmentation). */
function setup(): { train: ReturnType<typeof imageDataset>; make: () => Trainer<Int32Array> } {
  const { images, labels } = twoClassImages(60, 8);
  const train = imageDataset({ images, pixels: 16, labels, T: 2, flipProbability: 0.05 });
  const make = () =>
    new Trainer({
      network: feedForward({ neuron: theta({ tau: 6 / Math.PI }), sizes: [16, 10, 2], T: 2, seed: 3, wScale: 2 }),
      loss: firstSpikeCrossEntropy({ gamma: 0.01 }),
      optimizer: adaBelief({ lr: exponentialDecay({ initial: 1e-2, transitionSteps: 20, decayRate: 0.5 }) }),
      batchSize: 8,
      seed: 5,
    });
  return { train, make };
}

describe('training stopped through an AbortSignal', () => {
  it('keeps its checkpoint, and resuming gives the parameters of an uninterrupted run', async () => {
    const { train, make } = setup();
    const full = make();
    await full.fit({ train, epochs: 3, progress: false });
    const expected = full.network.parameterList().map((a) => a.slice());
    for (const stopAfter of [1, 7, 8, 13, 23]) {
      const checkpoint = path.join(tmp, `abort-${stopAfter}.json`);
      const controller = new AbortController();
      let batches = 0;
      const first = make();
      await expect(
        first.fit({
          train,
          epochs: 3,
          progress: false,
          checkpoint,
          signal: controller.signal,
          onBatch: () => {
            if (++batches === stopAfter) controller.abort();
          },
        }),
      ).rejects.toMatchObject({ code: 'ABORT_ERR' });
      const resumed = Trainer.load<Int32Array>(checkpoint, { loss: firstSpikeCrossEntropy({ gamma: 0.01 }) });
      expect(resumed.step).toBe(stopAfter);
      await resumed.fit({ train, epochs: 3, progress: false });
      expect(resumed.network.parameterList()).toEqual(expected);
    }
  });
});

describe('the mnist command stopped with Ctrl-C (SIGINT)', () => {
  function mnist(args: string[], sigintAfterMs?: number): Promise<{ status: number | null; signal: NodeJS.Signals | null; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['-r', register, path.join(root, 'lib', 'cli', 'main.ts'), 'mnist', '--samples', '300', '--epochs', '2', '--batch-size', '10', ...args], { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      let sent = false;
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        // The SIGINT handler is installed once training starts: "epoch 0:" is the evaluation before it.
        if (sigintAfterMs !== undefined && !sent && /epoch 0:/.test(stderr)) {
          sent = true;
          setTimeout(() => child.kill('SIGINT'), sigintAfterMs);
        }
      });
      child.on('error', reject);
      child.on('close', (status, signal) => resolve({ status, signal, stderr }));
    });
  }
  const paramsOf = (file: string) => {
    const f = loadModel(file);
    return { params: contentOf({ network: f.network, optimizer: f.optimizer }), epoch: f.training!.epoch, batchInEpoch: f.training!.batchInEpoch };
  };

  it('keeps the last checkpoint; --resume ends with the parameters of an uninterrupted run', async () => {
    const reference = path.join(tmp, 'reference.json');
    const r0 = await mnist(['--checkpoint', reference, '--out', path.join(tmp, 'ref-out')]);
    expect(r0.status).toBe(0);
    const expected = paramsOf(reference);
    let interrupted = 0;
    for (const delay of [0, 30, 90, 160]) {
      const checkpoint = path.join(tmp, `sigint-${delay}.json`);
      const out = path.join(tmp, `out-${delay}`);
      const r1 = await mnist(['--checkpoint', checkpoint, '--out', out], delay);
      expect(r1.signal).toBeNull();
      expect([0, 130]).toContain(r1.status);
      if (r1.status === 130) {
        interrupted++;
        expect(r1.stderr).toMatch(/the checkpoint .* is written: continue with --resume/);
        expect(fs.existsSync(path.join(out, 'mnist.html'))).toBe(true); // the report of what has run
        const stopped = paramsOf(checkpoint); // the checkpoint of the interrupted run is complete
        expect(stopped.epoch * 24 + stopped.batchInEpoch).toBeLessThan(48);
      }
      const r2 = await mnist(['--checkpoint', checkpoint, '--out', out, '--resume']);
      expect(r2.status).toBe(0);
      expect(paramsOf(checkpoint)).toEqual(expected);
    }
    expect(interrupted).toBeGreaterThan(0); // at least one SIGINT landed during training
  });
});
