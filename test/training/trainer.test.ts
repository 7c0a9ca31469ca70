import fs = require('fs');
import os = require('os');
import path = require('path');
import { Trainer, adaBelief, exponentialDecay, firstSpikeCrossEntropy, imageDataset, loadModel } from '../../lib';
import { smallImageTask, twoClassImages } from '../helpers/tasks';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spikegrad-trainer-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function makeTrainer(seed = 3, threads = 0) {
  const { train, net } = smallImageTask(64, 1);
  const trainer = new Trainer({
    network: net(),
    loss: firstSpikeCrossEntropy(),
    optimizer: adaBelief({ lr: exponentialDecay({ initial: 0.05, transitionSteps: 50, decayRate: 0.5 }) }),
    batchSize: 16,
    seed,
    threads,
  });
  return { trainer, train };
}

function params(t: Trainer<Int32Array>): Float64Array[] {
  return t.network.parameterList().map((a) => a.slice());
}

describe('Trainer', () => {
  it('reduces the loss and reports the metrics with and without pseudospikes', async () => {
    const { trainer, train } = makeTrainer();
    const { images, labels } = twoClassImages(32, 9);
    const test = imageDataset({ images, pixels: 16, labels, T: 2 });
    const before = await trainer.evaluate(test);
    const epochs: number[] = [];
    let batches = 0;
    const result = await trainer.fit({
      train,
      test,
      epochs: 6,
      progress: false,
      onBatch: (b) => {
        batches++;
        expect(b.batches).toBe(4);
        expect(b.samples).toBe(16);
      },
      onEpoch: (e) => void epochs.push(e.epoch),
    });
    const after = result.history[result.history.length - 1].test!;
    expect(epochs).toEqual([1, 2, 3, 4, 5, 6]);
    expect(batches).toBe(24);
    expect(result.steps).toBe(24);
    expect(after.loss).toBeLessThan(before.loss * 0.8);
    expect(after.accuracy).toBeGreaterThan(0.8);
    for (const m of [before, after]) {
      for (const key of ['loss', 'lossOrdinary', 'accuracy', 'accuracyOrdinary', 'activity', 'activityFirst', 'silent', 'silentFirst'] as const) {
        expect(Number.isFinite(m[key])).toBe(true);
      }
      expect(m.silent).toBeGreaterThanOrEqual(0);
      expect(m.silent).toBeLessThanOrEqual(1);
      expect(m.activityFirst).toBeLessThanOrEqual(m.activity + 1e-12);
      expect(m.samples).toBe(32);
    }
  });

  it('reproduces a run bit for bit from its seed, whatever the thread count', async () => {
    const a = makeTrainer(7, 1);
    const b = makeTrainer(7, 2);
    await a.trainer.fit({ train: a.train, epochs: 2, progress: false });
    await b.trainer.fit({ train: b.train, epochs: 2, progress: false });
    expect(params(b.trainer)).toEqual(params(a.trainer));
    const c = makeTrainer(8, 2);
    await c.trainer.fit({ train: c.train, epochs: 2, progress: false });
    expect(params(c.trainer)).not.toEqual(params(a.trainer));
  });

  it('save -> load -> continue gives the same parameters as uninterrupted training', async () => {
    const full = makeTrainer();
    await full.trainer.fit({ train: full.train, epochs: 4, progress: false });

    const part = makeTrainer();
    await part.trainer.fit({ train: part.train, epochs: 2, progress: false });
    const file = path.join(tmp, 'resume.json');
    part.trainer.save(file);
    const resumed = Trainer.load<Int32Array>(file, { loss: firstSpikeCrossEntropy() });
    expect(resumed.epoch).toBe(2);
    expect(resumed.step).toBe(8);
    await resumed.fit({ train: part.train, epochs: 4, progress: false });
    expect(params(resumed)).toEqual(params(full.trainer));
  });

  it('stops on an AbortSignal mid-epoch, keeps a checkpoint, and resumes to the same result', async () => {
    const full = makeTrainer();
    await full.trainer.fit({ train: full.train, epochs: 3, progress: false });

    const run = makeTrainer();
    const controller = new AbortController();
    const file = path.join(tmp, 'abort.json');
    await expect(
      run.trainer.fit({
        train: run.train,
        epochs: 3,
        progress: false,
        checkpoint: file,
        signal: controller.signal,
        onBatch: (b) => {
          if (b.epoch === 2 && b.batch === 2) controller.abort();
        },
      }),
    ).rejects.toThrow(expect.objectContaining({ code: 'ABORT_ERR' }));
    const saved = loadModel(file);
    expect(saved.training).toMatchObject({ epoch: 1, batchInEpoch: 2 });
    const resumed = Trainer.load<Int32Array>(file, { loss: firstSpikeCrossEntropy() });
    await resumed.fit({ train: run.train, epochs: 3, progress: false, checkpoint: file });
    expect(params(resumed)).toEqual(params(full.trainer));
    expect(loadModel(file).training).toMatchObject({ epoch: 3, batchInEpoch: 0 });
  });

  it('rejects bad options with coded errors naming the option', () => {
    const { trainer, train } = makeTrainer();
    const base = { network: trainer.network, loss: trainer.loss, optimizer: trainer.optimizer, batchSize: 4 };
    expect(() => new Trainer({ ...base, batchSize: 0 })).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_RANGE', message: expect.stringMatching(/batchSize/) }));
    expect(() => new Trainer({ ...base, batchSize: 'x' as unknown as number })).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_ARG', message: expect.stringMatching(/batchSize/) }));
    expect(() => new Trainer({ ...base, seed: -1 })).toThrow(expect.objectContaining({ message: expect.stringMatching(/seed/) }));
    expect(() => new Trainer({ ...base, network: {} as never })).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_ARG', message: expect.stringMatching(/network/) }));
    return expect(trainer.fit({ train, epochs: -1 })).rejects.toThrow(expect.objectContaining({ message: expect.stringMatching(/epochs/) }));
  });
});
