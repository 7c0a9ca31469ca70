/**
 * Files (issue 7): a save killed (SIGKILL) at any moment leaves the previous file loadable; a
 * truncated, corrupted or version-mismatched file is rejected with ERR_SPIKEGRAD_LOAD (or, for
 * corruption that JSON cannot reveal, loads as a valid network); training stopped with Ctrl-C
 * (SIGINT to the `spikegrad mnist` CLI) or an AbortSignal keeps its last checkpoint, and resuming
 * gives bit for bit the parameters of an uninterrupted run.
 */
import { spawn } from 'child_process';
import fs = require('fs');
import os = require('os');
import path = require('path');
import { Random, Trainer, adaBelief, exponentialDecay, feedForward, firstSpikeCrossEntropy, imageDataset, loadModel, saveModel, theta, type Network } from '../../lib';
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

describe('a save killed at a random moment', () => {
  it('leaves the previous (or the new) file, complete and loadable, every time', async () => {
    const file = path.join(tmp, 'killed.json');
    const rng = new Random(7);
    for (let round = 0; round < 8; round++) {
      const child = spawn(process.execPath, ['-r', register, path.join(__dirname, 'fixtures', 'save-loop.js'), file], { stdio: ['ignore', 'pipe', 'pipe'] });
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
      const { network, optimizer } = loadModel(file);
      const k = network.params.weights[0];
      // The file is the last save that returned, or the one in flight if its rename happened.
      expect([last, last + 1]).toContain(k);
      expect(network.params.weights.every((w) => w === k)).toBe(true);
      expect(network.params.inputWeights.every((w) => w === k)).toBe(true);
      expect((optimizer as { step: number }).step).toBe(k);
    }
    // A killed save can leave its temporary file behind (it never reaches the rename); never the target.
    const leftovers = fs.readdirSync(tmp).filter((f) => f.startsWith('.killed.json.'));
    for (const f of leftovers) expect(f).toMatch(/\.tmp$/);
  });
});

describe('damaged model files', () => {
  let text: string;
  let file: string;
  beforeAll(() => {
    file = path.join(tmp, 'model.json');
    const net = feedForward({ neuron: theta({ tau: 6 / Math.PI }), sizes: [6, 5, 3], T: 2, seed: 4 });
    saveModel(file, net, { optimizer: adaBelief({ lr: 0.01 }).state() });
    text = fs.readFileSync(file, 'utf8');
  });
  const write = (content: string | Buffer) => {
    const f = path.join(tmp, 'damaged.json');
    fs.writeFileSync(f, content);
    return f;
  };

  it('truncated anywhere: ERR_SPIKEGRAD_LOAD', () => {
    const cuts = new Set([0, 1, 2, text.length - 1, text.length - 2]);
    for (let k = 1; k < 60; k++) cuts.add(Math.floor((k * text.length) / 60));
    for (const at of cuts) expect(codeOf(() => loadModel(write(text.slice(0, at))))).toBe('ERR_SPIKEGRAD_LOAD');
  });

  it('missing, a directory, empty, not JSON, binary garbage, not an object: ERR_SPIKEGRAD_LOAD', () => {
    expect(codeOf(() => loadModel(path.join(tmp, 'does-not-exist.json')))).toBe('ERR_SPIKEGRAD_LOAD');
    expect(codeOf(() => loadModel(tmp))).toBe('ERR_SPIKEGRAD_LOAD');
    for (const content of ['', ' ', 'null', '[]', '42', '"model"', '{', '{}', Buffer.from([0xff, 0xfe, 0, 1, 2]), Buffer.alloc(1000)]) {
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
      // Damage inside a number can give another valid file (the format has no checksum).
      accepted++;
      expect(loaded.network.parameterList().every((a) => a.every(Number.isFinite))).toBe(true);
    }
    expect(accepted).toBeLessThan(200);
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
    const f = JSON.parse(fs.readFileSync(file, 'utf8')) as { network: { params: unknown }; optimizer: unknown; training: { epoch: number; batchInEpoch: number } };
    return { params: f.network.params, optimizer: f.optimizer, epoch: f.training.epoch, batchInEpoch: f.training.batchInEpoch };
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
        expect(r1.stderr).toMatch(/checkpoint is kept/);
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
