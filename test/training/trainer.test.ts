import fs = require('fs');
import os = require('os');
import path = require('path');
import { Trainer, adaBelief, exponentialDecay, firstSpikeCrossEntropy, imageDataset, loadModel } from '../../lib';
import { smallImageTask, twoClassImages } from '../helpers/tasks';
import { Random } from '../../lib/base/random';

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

  it('fit, which encodes the next batch while the core runs, equals trainBatch over the same order, flips included', async () => {
    const fitted = makeTrainer(5);
    await fitted.trainer.fit({ train: fitted.train, epochs: 2, progress: false });
    const manual = makeTrainer(5);
    // fit's order: the shuffle of 0..size-1 by a Random of the seed, continued from epoch to epoch.
    const shuffle = new Random(5);
    for (let epoch = 0; epoch < 2; epoch++) {
      const order = shuffle.shuffle(Int32Array.from({ length: manual.train.size }, (_, k) => k));
      for (let b = 0; b * 16 < order.length; b++) await manual.trainer.trainBatch(manual.train, order.subarray(b * 16, (b + 1) * 16));
    }
    expect(params(manual.trainer)).toEqual(params(fitted.trainer));
    expect(manual.trainer.trainingState().augmentState).toEqual(fitted.trainer.trainingState().augmentState);
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

describe('Trainer: validation and keepBest', () => {
  const validationSet = () => {
    const { images, labels } = twoClassImages(24, 5);
    return imageDataset({ images, pixels: 16, labels, T: 2 });
  };

  it('evaluates the validation set every epoch and keeps the parameters of the best epoch', async () => {
    const { trainer, train } = makeTrainer();
    const validation = validationSet();
    const seen: Float64Array[][] = [];
    await trainer.fit({ train, validation, keepBest: 'accuracyOrdinary', evaluateBefore: true, epochs: 5, progress: false, onEpoch: () => void seen.push(params(trainer)) });
    expect(trainer.history.map((e) => e.epoch)).toEqual([0, 1, 2, 3, 4, 5]);
    const scores = trainer.history.map((e) => e.validation!.accuracyOrdinary!);
    const bestEpoch = scores.indexOf(Math.max(...scores)); // the first of equal scores
    expect(trainer.best!.epoch).toBe(bestEpoch);
    expect(trainer.best!.score).toBe(scores[bestEpoch]);
    expect(trainer.best!.parameters).toEqual(seen[bestEpoch]);
    const net = trainer.bestNetwork()!;
    expect(net.parameterList()).toEqual(seen[bestEpoch]);
    expect(net).not.toBe(trainer.network);
    expect((await trainer.evaluate(validation)).accuracyOrdinary).toBe(scores[5]);
  });

  it('stores the best epoch in the checkpoint: a resumed run selects exactly as an uninterrupted one', async () => {
    const validation = validationSet();
    const full = makeTrainer(5);
    await full.trainer.fit({ train: full.train, validation, keepBest: 'accuracy', epochs: 4, progress: false });
    const part = makeTrainer(5);
    const file = path.join(tmp, 'best.sgm');
    await part.trainer.fit({ train: part.train, validation, keepBest: 'accuracy', epochs: 2, progress: false, checkpoint: file });
    const stored = loadModel(file).training!.best!;
    expect(stored.epoch).toBe(part.trainer.best!.epoch);
    expect(stored.parameters).toEqual(part.trainer.best!.parameters.map((a) => Array.from(a)));
    const resumed = await Trainer.loadAsync<Int32Array>(file, { loss: firstSpikeCrossEntropy() });
    expect(resumed.best).toEqual(part.trainer.best);
    await resumed.fit({ train: part.train, validation, keepBest: 'accuracy', epochs: 4, progress: false });
    expect(resumed.best).toEqual(full.trainer.best);
    expect(resumed.history.map((e) => e.validation)).toEqual(full.trainer.history.map((e) => e.validation));
  });

  it('refuses keepBest without a validation set or with an unknown metric, and a damaged stored best', async () => {
    const { trainer, train } = makeTrainer();
    await expect(trainer.fit({ train, epochs: 1, keepBest: 'accuracyOrdinary', progress: false })).rejects.toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_ARG', message: expect.stringMatching(/validation/) }));
    await expect(trainer.fit({ train, validation: validationSet(), epochs: 1, keepBest: 'loss' as never, progress: false })).rejects.toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_RANGE', message: expect.stringMatching(/keepBest/) }));
    await trainer.fit({ train, validation: validationSet(), keepBest: 'accuracyOrdinary', epochs: 1, progress: false });
    const file = path.join(tmp, 'best-damaged.json');
    const good = trainer.trainingState();
    const edits: [string, (b: Record<string, unknown>) => void, RegExp][] = [
      ['an epoch after the position', (b) => (b.epoch = 2), /training\.best\.epoch/],
      ['an unknown metric', (b) => (b.metric = 'loss'), /training\.best\.metric/],
      ['parameters that are not numbers', (b) => ((b.parameters as unknown[][])[0][0] = 'x'), /training\.best\.parameters/],
      ['an unknown key', (b) => (b.epochs = 1), /epochs/],
    ];
    for (const [, edit, message] of edits) {
      const training = JSON.parse(JSON.stringify(good)) as typeof good;
      edit(training.best as unknown as Record<string, unknown>);
      fs.writeFileSync(file, JSON.stringify({ format: 'spikegrad-model', version: 1, network: trainer.network.toJSON(), optimizer: trainer.optimizer.state(), training }));
      expect(() => loadModel(file)).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_LOAD', message: expect.stringMatching(message) }));
    }
    const training = JSON.parse(JSON.stringify(good)) as typeof good;
    training.best!.parameters[0].push(1);
    fs.writeFileSync(file, JSON.stringify({ format: 'spikegrad-model', version: 1, network: trainer.network.toJSON(), optimizer: trainer.optimizer.state(), training }));
    expect(() => Trainer.load(file, { loss: firstSpikeCrossEntropy() })).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_LOAD', message: expect.stringMatching(/training\.best holds parameters/) }));
  });
});
