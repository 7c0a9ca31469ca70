/**
 * Checkpoints and model files through the public API (lib/training/checkpoint.ts): exact round
 * trips in both forms (sync, async) for every kind of network, version-1 files of earlier
 * spikegrad (fixtures written by commit 3b72bfd) still load and resume, saves are atomic and
 * snapshot the state at the call, and a checkpoint whose sections cannot be used fails at load.
 */
import fs = require('fs');
import os = require('os');
import path = require('path');
import {
  MODEL_FORMAT,
  Network,
  Trainer,
  Random,
  adaBelief,
  adam,
  feedForward,
  firstSpikeCrossEntropy,
  loadModel,
  loadModelAsync,
  optimizerFromState,
  parseModel,
  qif,
  recurrent,
  saveModel,
  saveModelAsync,
  singleNeuron,
  theta,
  writeFileAtomic,
  type LoadedModel,
} from '../../lib';
import { smallImageTask, twoClassImages } from '../helpers/tasks';
import { imageDataset } from '../../lib/data/datasets';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spikegrad-checkpoint-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const fixtures = path.join(__dirname, 'fixtures');

const LOAD = (message: RegExp) => expect.objectContaining({ code: 'ERR_SPIKEGRAD_LOAD', message: expect.stringMatching(message) });

/** Moments as plain arrays, whichever form a state holds them in. */
function plainState(state: LoadedModel['optimizer']): unknown {
  if (!state) return state;
  return { ...state, moments: Object.fromEntries(Object.entries(state.moments).map(([k, list]) => [k, list.map((m) => Array.from(m))])) };
}

/** Everything a network is, as plain data (parameters bit for bit through their bytes). */
function contentOf(net: Network): unknown {
  return {
    json: net.toJSON(),
    bytes: net.parameterList().map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex')),
    encoding: net.encoding,
    classes: net.classes,
  };
}

/** Networks of every kind the file must carry. */
function networks(): Record<string, Network> {
  const rng = new Random(11);
  const ff = feedForward({ neuron: theta({ tau: 6 / Math.PI }), sizes: [16, 12, 3], T: 2, seed: 5, wScale: 2 });
  ff.params.initial.forEach((_, k, a) => (a[k] = rng.range(0, 6)));
  ff.trainable = { ...ff.trainable, initial: false, weights: Uint8Array.from(ff.params.weights, (_, k) => k % 3 === 0 ? 1 : 0) };
  ff.encoding = { kind: 'image', T: 2, bins: 3, pixels: 16, shape: [4, 4] };
  ff.classes = ['left', 'right', 'none'];
  const rec = recurrent({
    neuron: qif(),
    n: 5,
    nIn: 2,
    inputs: [
      { channel: 0, target: 0, weight: 1.5 },
      { channel: 1, target: 3, weight: -0.5 },
    ],
    readout: { neurons: [2, 4], counts: [3, 1] },
    T: 5,
    seed: 2,
  });
  rec.encoding = { kind: 'spikes', channels: 2 };
  const { network: single } = singleNeuron({ neuron: qif(), trainableTimes: [0.5, 1.5, 2.5], fixed: { times: [0.25], weights: [1.5] }, outputCount: 2, T: 3 });
  single.params.inputTimes[1] = Math.PI / 3;
  // Random sparse synapses: the pairs layout (runs would be larger).
  const n = 40;
  const src: number[] = [];
  const tgt: number[] = [];
  for (let s = 0; s < n; s++) {
    for (let t = 0; t < n; t++) {
      if (rng.uniform() < 0.1) {
        src.push(s);
        tgt.push(t);
      }
    }
  }
  const sparse = new Network(
    {
      neuron: theta({ tau: 2 }),
      n,
      nIn: 3,
      recurrent: { source: Int32Array.from(src), target: Int32Array.from(tgt) },
      input: { source: Int32Array.from([0, 1, 2]), target: Int32Array.from([7, 0, 39]) },
      readout: { neurons: Int32Array.from([1, 2]), counts: Int32Array.from([1, 1]) },
      T: 4,
      maxEvents: 500,
    },
    { weights: Float64Array.from(src, () => rng.range(-1, 1) * 1e-300 + rng.normal()) },
  );
  return { ff, rec, single, sparse };
}

describe('saveModel / loadModel and their async forms', () => {
  const { net, train } = smallImageTask(8, 2);

  it.each(['sync', 'async'])('round-trip every kind of network exactly (%s)', async (mode) => {
    for (const [name, network] of Object.entries(networks())) {
      const opt = adam({ lr: 0.01 });
      opt.step(network.parameterList(), network.parameterList().map((a) => a.map((_, k) => Math.sin(k + 1))));
      const file = path.join(tmp, `${name}-${mode}.spikegrad`);
      if (mode === 'sync') saveModel(file, network, { optimizer: opt.state() });
      else await saveModelAsync(file, network, { optimizer: opt.state() });
      const loaded = mode === 'sync' ? loadModel(file) : await loadModelAsync(file);
      expect(contentOf(loaded.network)).toEqual(contentOf(network));
      expect(plainState(loaded.optimizer)).toEqual(opt.state());
      expect(loaded.training).toBeUndefined();
      // The optimiser continues identically from the loaded state.
      const again = optimizerFromState(loaded.optimizer!);
      const grads = network.parameterList().map((a) => a.map((_, k) => Math.cos(k)));
      expect(again.computeUpdates(grads)).toEqual(opt.computeUpdates(grads));
    }
    const network = net();
    const file = path.join(tmp, `plain-${mode}.spikegrad`);
    if (mode === 'sync') saveModel(file, network);
    else await saveModelAsync(file, network);
    const loaded = loadModel(file);
    expect(loaded.optimizer).toBeUndefined();
    const batch = train.batch(Int32Array.from([0, 1, 2]), { training: false, rng: new Random(0) }).inputs;
    expect(loaded.network.forward(batch).times).toEqual(network.forward(batch).times);
  });

  it('writes the layout that is smaller: runs for dense layers, pairs for sparse lists', () => {
    const { ff, sparse } = networks();
    const header = (file: string) => {
      const b = fs.readFileSync(file);
      return JSON.parse(b.subarray(32, 32 + b.readUInt32LE(20)).toString()) as { network: { recurrent: { layout: string }; input: { layout: string } } };
    };
    saveModel(path.join(tmp, 'ff.spikegrad'), ff);
    saveModel(path.join(tmp, 'sparse.spikegrad'), sparse);
    expect(header(path.join(tmp, 'ff.spikegrad')).network.recurrent.layout).toBe('runs');
    expect(header(path.join(tmp, 'sparse.spikegrad')).network.recurrent.layout).toBe('pairs');
    expect(header(path.join(tmp, 'sparse.spikegrad')).network.input.layout).toBe('pairs');
  });

  it('an async save writes the state at the call, whatever happens to the network after it', async () => {
    const network = net();
    const before = contentOf(network);
    const opt = adaBelief({ lr: 0.1 });
    opt.step(network.parameterList(), network.parameterList().map((a) => a.map(() => 1)));
    const state = opt.state();
    const expectedNet = contentOf(network);
    const file = path.join(tmp, 'snapshot.spikegrad');
    const pending = saveModelAsync(file, network, { optimizer: state });
    network.params.weights.fill(7);
    network.params.initial.fill(0.5);
    state.moments.mu[0].fill(3);
    await pending;
    const loaded = loadModel(file);
    expect(contentOf(loaded.network)).toEqual(expectedNet);
    expect(contentOf(loaded.network)).not.toEqual(before);
    expect(plainState(loaded.optimizer)).toEqual(opt.state());
  });

  it('loads the version-1 (JSON) files of earlier versions, checkpoints included, and resumes from them', async () => {
    const v1 = JSON.parse(fs.readFileSync(path.join(fixtures, 'checkpoint-v1.json'), 'utf8'));
    const loaded = loadModel(path.join(fixtures, 'checkpoint-v1.json'));
    expect(loaded.network.toJSON()).toEqual(expect.objectContaining({ ...v1.network, params: v1.network.params }));
    expect(Array.from(loaded.network.params.weights)).toEqual(v1.network.params.weights);
    expect(loaded.optimizer).toEqual(v1.optimizer);
    expect(loaded.training).toEqual(v1.training);
    expect((await loadModelAsync(path.join(fixtures, 'checkpoint-v1.json'))).training).toEqual(v1.training);
    // Converting a version-1 file (docs/model-format.md): load it, save it.
    const { network: n1, optimizer: o1, training: t1 } = loadModel(path.join(fixtures, 'checkpoint-v1.json'));
    saveModel(path.join(tmp, 'from-v1.spikegrad'), n1, { optimizer: o1, training: t1 });
    const converted = loadModel(path.join(tmp, 'from-v1.spikegrad'));
    expect(contentOf(converted.network)).toEqual(contentOf(loaded.network));
    expect(plainState(converted.optimizer)).toEqual(v1.optimizer);
    expect(converted.training).toEqual(v1.training);
    const single = loadModel(path.join(fixtures, 'single-neuron-v1.json'));
    const s1 = JSON.parse(fs.readFileSync(path.join(fixtures, 'single-neuron-v1.json'), 'utf8'));
    expect(single.network.toJSON()).toEqual(expect.objectContaining(s1.network));
    expect(single.network.trainable.inputWeights).toEqual(Uint8Array.from([0, 1, 0]));

    // Resuming from the version-1 checkpoint and from its version-2 copy gives the same run.
    const { images, labels } = ((): { images: Uint8Array; labels: Int32Array } => {
      const rng = new Random(8);
      const S = 40;
      const im = new Uint8Array(S * 16);
      const lb = new Int32Array(S);
      for (let s = 0; s < S; s++) {
        const y = rng.int(2);
        lb[s] = y;
        for (let p = 0; p < 16; p++) {
          const left = p % 4 < 2;
          im[s * 16 + p] = ((left ? y === 0 : y === 1) ? rng.uniform() < 0.8 : rng.uniform() < 0.15) ? 200 : 30;
        }
      }
      return { images: im, labels: lb };
    })();
    const trainSet = imageDataset({ images, pixels: 16, labels, T: 2, flipProbability: 0.05 });
    const loss = () => firstSpikeCrossEntropy({ gamma: 0.01 });
    const fromV1 = Trainer.load<Int32Array>(path.join(fixtures, 'checkpoint-v1.json'), { loss: loss() });
    expect(fromV1.step).toBe(7);
    const copy = path.join(tmp, 'converted.spikegrad');
    fromV1.save(copy);
    const fromV2 = await Trainer.loadAsync<Int32Array>(copy, { loss: loss() });
    await fromV1.fit({ train: trainSet, epochs: 3, progress: false });
    await fromV2.fit({ train: trainSet, epochs: 3, progress: false });
    expect(fromV2.network.parameterList()).toEqual(fromV1.network.parameterList());
    expect(fromV1.step).toBe(15);
  });

  it('parseModel checks version-1 objects, their network and their sections', () => {
    const value = JSON.parse(fs.readFileSync(path.join(fixtures, 'checkpoint-v1.json'), 'utf8'));
    expect(value.format).toBe(MODEL_FORMAT);
    expect(() => parseModel({ ...value, version: 2 })).toThrow(LOAD(/version 2 .*not supported in JSON form/));
    expect(() => parseModel({ ...value, format: 'other' })).toThrow(LOAD(/format/));
    expect(() => parseModel([])).toThrow(LOAD(/not a JSON object/));
    expect(() => parseModel({ ...value, extra: 1 })).toThrow(LOAD(/unknown field 'extra'/));
    const edit = (f: (v: typeof value) => void) => {
      const v = JSON.parse(JSON.stringify(value));
      f(v);
      return () => parseModel(v);
    };
    expect(edit((v) => (v.network.params.weights[0] = 'x'))).toThrow(LOAD(/params\.weights/));
    expect(edit((v) => v.network.params.weights.pop())).toThrow(LOAD(/params\.weights of length/));
    expect(edit((v) => (v.network.neuron.params.I0 = 0.1))).toThrow(LOAD(/I0 must be greater than 1\/4/));
    expect(edit((v) => (v.training = { epoch: 'x' }))).toThrow(LOAD(/training/));
    // Damage that earlier versions found only when training resumed, or never:
    expect(edit((v) => v.optimizer.moments.mu[0].pop())).toThrow(LOAD(/optimiser state is damaged/));
    expect(edit((v) => (v.optimizer.moments.nu[0][0] = 'x'))).toThrow(LOAD(/optimiser state is damaged/));
    expect(edit((v) => (v.optimizer.name = 'adam'))).toThrow(LOAD(/optimiser state is damaged/));
    expect(edit((v) => (v.optimizer.options.b1 = 2))).toThrow(LOAD(/optimiser state is damaged/));
    expect(edit((v) => (v.optimizer.shapes = [1, 2, 3, 4]))).toThrow(LOAD(/optimiser state/));
    expect(edit((v) => (v.training.shuffleState = [1, 2, 3]))).toThrow(LOAD(/training.shuffleState is not a random state/));
    expect(edit((v) => (v.training.augmentState[0] = -1))).toThrow(LOAD(/training.augmentState/));
    expect(edit((v) => (v.training.augmentState[4] = 'x'))).toThrow(LOAD(/training.augmentState/));
    expect(edit((v) => (v.training.seed = 2 ** 32))).toThrow(LOAD(/training.seed/));
    expect(edit((v) => (v.training.batchSize = 0))).toThrow(LOAD(/training.batchSize/));
    expect(edit((v) => (v.training.batchInEpoch = 1.5))).toThrow(LOAD(/training.batchInEpoch/));
    expect(edit((v) => (v.training.history = {}))).toThrow(LOAD(/training.history/));
    expect(edit((v) => (v.training.history[0].test.loss = 'x'))).toThrow(LOAD(/history\[0\].test.loss/));
    expect(edit((v) => (v.training.history[0].epoch = undefined))).toThrow(LOAD(/history\[0\]/));
    expect(edit((v) => (v.training.histroy = []))).toThrow(LOAD(/did you mean 'history'/));
    expect(edit((v) => (v.training.shuffelState = v.training.shuffleState))).toThrow(LOAD(/did you mean 'shuffleState'/));
  });

  it('never leaves a truncated file: a failed save keeps the previous file and no temporary', async () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'atomic-'));
    const file = path.join(dir, 'model.spikegrad');
    saveModel(file, net());
    const before = fs.readFileSync(file);
    // A save refused before writing (a non-finite parameter) leaves it intact.
    const broken = net();
    broken.params.weights[3] = NaN;
    expect(() => saveModel(file, broken)).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_NONFINITE', message: expect.stringMatching(/params\.weights\[3\]/) }));
    await expect(saveModelAsync(file, broken)).rejects.toMatchObject({ code: 'ERR_SPIKEGRAD_NONFINITE' });
    expect(fs.readFileSync(file)).toEqual(before);
    // A save interrupted in the middle of writing (part of the bytes on disk, then a failure).
    const real = fs.writeSync;
    let calls = 0;
    const spy = jest.spyOn(fs, 'writeSync').mockImplementation(((fd: number, data: Uint8Array, offset?: number, length?: number) => {
      if (++calls === 2) throw Object.assign(new Error('disk full'), { code: 'ENOSPC' });
      return real(fd, data, offset, length);
    }) as typeof fs.writeSync);
    try {
      expect(() => saveModel(file, net())).toThrow('disk full');
    } finally {
      spy.mockRestore();
    }
    expect(fs.readFileSync(file)).toEqual(before);
    expect(fs.readdirSync(dir)).toEqual(['model.spikegrad']);
    // The same for the async form.
    const realOpen = fs.promises.open;
    const openSpy = jest.spyOn(fs.promises, 'open').mockImplementation((async (...args: Parameters<typeof fs.promises.open>) => {
      const fh = await realOpen(...args);
      if (String(args[1]) === 'wx') {
        let n = 0;
        const write = fh.write.bind(fh) as (...a: unknown[]) => Promise<{ bytesWritten: number }>;
        (fh as unknown as { write: (...a: unknown[]) => Promise<unknown> }).write = async (...a: unknown[]) => {
          if (++n === 2) throw Object.assign(new Error('disk full (async)'), { code: 'ENOSPC' });
          return write(...a);
        };
      }
      return fh;
    }) as typeof fs.promises.open);
    try {
      await expect(saveModelAsync(file, net())).rejects.toThrow('disk full (async)');
    } finally {
      openSpy.mockRestore();
    }
    expect(fs.readFileSync(file)).toEqual(before);
    expect(fs.readdirSync(dir)).toEqual(['model.spikegrad']);
    // A save that fails at the rename (the target turned into a directory meanwhile) removes its temporary.
    const target = path.join(dir, 'is-a-dir');
    fs.mkdirSync(target);
    const renameSpy = jest.spyOn(fs, 'renameSync').mockImplementation(() => {
      throw Object.assign(new Error('EISDIR'), { code: 'EISDIR' });
    });
    try {
      expect(() => writeFileAtomic(path.join(dir, 'x'), 'x')).toThrow('EISDIR');
    } finally {
      renameSpy.mockRestore();
    }
    expect(fs.readdirSync(dir).sort()).toEqual(['is-a-dir', 'model.spikegrad']);
    // The write goes to a temporary beside the target and is renamed over it.
    writeFileAtomic(file, before);
    expect(fs.readdirSync(dir).sort()).toEqual(['is-a-dir', 'model.spikegrad']);
  });

  it('rejects bad arguments', async () => {
    expect(() => saveModel('', net())).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_ARG' }));
    expect(() => saveModel(path.join(tmp, 'x.spikegrad'), {} as never)).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_ARG', message: expect.stringMatching(/network/) }));
    expect(() => saveModel(path.join(tmp, 'x.spikegrad'), net(), { optimiser: {} } as never)).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_ARG', message: expect.stringMatching(/did you mean 'optimizer'/) }));
    await expect(saveModelAsync(42 as never, net())).rejects.toMatchObject({ code: 'ERR_SPIKEGRAD_ARG' });
    expect(() => loadModel(undefined as never)).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_ARG' }));
    await expect(loadModelAsync(path.join(tmp, 'missing.spikegrad'))).rejects.toMatchObject({ code: 'ERR_SPIKEGRAD_LOAD', message: expect.stringMatching(/ENOENT/) });
  });
});

describe('checkpoints of the trainer', () => {
  it('Trainer.saveAsync and Trainer.loadAsync resume exactly, like save and load', async () => {
    const { images, labels } = twoClassImages(48, 4);
    const train = imageDataset({ images, pixels: 16, labels, T: 2, flipProbability: 0.05 });
    const make = () =>
      new Trainer({
        network: feedForward({ neuron: theta({ tau: 6 / Math.PI }), sizes: [16, 10, 2], T: 2, seed: 3, wScale: 2 }),
        loss: firstSpikeCrossEntropy({ gamma: 0.01 }),
        optimizer: adaBelief({ lr: 0.01 }),
        batchSize: 8,
        seed: 9,
      });
    const full = make();
    await full.fit({ train, epochs: 2, progress: false });
    const half = make();
    await half.fit({ train, epochs: 1, progress: false });
    const file = path.join(tmp, 'trainer.spikegrad');
    await half.saveAsync(file);
    const resumed = await Trainer.loadAsync<Int32Array>(file, { loss: firstSpikeCrossEntropy({ gamma: 0.01 }) });
    await resumed.fit({ train, epochs: 2, progress: false });
    expect(resumed.network.parameterList()).toEqual(full.network.parameterList());
    expect(resumed.history.map((h) => h.step)).toEqual(full.history.map((h) => h.step));
  });

  it('stores the training wall time (summed over resumes) and the run settings, and checks them at load', async () => {
    const { images, labels } = twoClassImages(32, 4);
    const train = imageDataset({ images, pixels: 16, labels, T: 2 });
    const t = new Trainer({
      network: feedForward({ neuron: theta({ tau: 6 / Math.PI }), sizes: [16, 6, 2], T: 2, seed: 3, wScale: 2 }),
      loss: firstSpikeCrossEntropy({ gamma: 0.01 }),
      optimizer: adaBelief({ lr: 0.01 }),
      batchSize: 8,
    });
    expect(t.seconds).toBe(0);
    t.settings = { data: 'toy', 'batch-size': 8, augment: false };
    await t.fit({ train, epochs: 1, progress: false });
    const first = t.seconds;
    expect(first).toBeGreaterThan(0);
    const file = path.join(tmp, 'timed.spikegrad');
    await t.saveAsync(file);
    const loaded = loadModel(file).training!;
    expect(loaded.seconds).toBe(first);
    expect(loaded.settings).toEqual({ data: 'toy', 'batch-size': 8, augment: false });
    const resumed = await Trainer.loadAsync<Int32Array>(file, { loss: firstSpikeCrossEntropy({ gamma: 0.01 }) });
    expect(resumed.seconds).toBe(first);
    expect(resumed.settings).toEqual(loaded.settings);
    await resumed.fit({ train, epochs: 2, progress: false });
    expect(resumed.seconds).toBeGreaterThan(first);
    // Damaged values are refused by name.
    const v1 = (training: object) => JSON.parse(JSON.stringify({ format: 'spikegrad-model', version: 1, network: t.network.toJSON(), optimizer: t.optimizer.state(), training: { ...t.trainingState(), ...training } }));
    expect(() => parseModel(v1({ seconds: -1 }), 'x')).toThrow(LOAD(/training\.seconds -1 .*is not a finite number >= 0/));
    expect(() => parseModel(v1({ settings: { a: [1] } }), 'x')).toThrow(LOAD(/training\.settings\.a .* is not a string, a finite number or a boolean/));
    expect(() => parseModel(v1({ settings: 'x' }), 'x')).toThrow(LOAD(/training\.settings .* is not an object/));
  });
});
