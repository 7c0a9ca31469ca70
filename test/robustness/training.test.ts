/**
 * No silent garbage in the training helpers (issue 12 class 5): labels that are not integers in
 * range, an empty (or not integer-sized) dataset to evaluate, a loss that returns NaN and an
 * optimiser step that would take a parameter to +-Infinity are coded errors naming the value.
 * Before: labels went through Int32Array.from (1.5 -> 1, NaN -> 0, 2^32 + 1 -> 1, '1' -> 1, so
 * another label), evaluate() returned NaN metrics, a NaN evaluation loss became a NaN metric and
 * Adam moved a parameter to Infinity.
 */
import { adaBelief, adam, feedForward, firstSpikeCrossEntropy, imageDataset, Random, sgd, theta, Trainer, type Dataset, type Loss } from '../../lib';

function thrown(fn: () => unknown): { code?: string; message: string } | 'none' {
  try {
    fn();
    return 'none';
  } catch (err) {
    const e = err as Error & { code?: string };
    return { code: e.code, message: e.message };
  }
}

async function rejected(p: () => Promise<unknown>): Promise<{ code?: string; message: string } | 'none'> {
  try {
    await p();
    return 'none';
  } catch (err) {
    const e = err as Error & { code?: string };
    return { code: e.code, message: e.message };
  }
}

const images = Uint8Array.from({ length: 16 }, (_, k) => (k * 37) % 256);

describe('labels', () => {
  it.each([
    [1.5, 'ERR_SPIKEGRAD_RANGE'],
    [NaN, 'ERR_SPIKEGRAD_RANGE'],
    [2 ** 32 + 1, 'ERR_SPIKEGRAD_RANGE'],
    [-1, 'ERR_SPIKEGRAD_RANGE'],
    [Infinity, 'ERR_SPIKEGRAD_RANGE'],
    ['1', 'ERR_SPIKEGRAD_ARG'],
    [null, 'ERR_SPIKEGRAD_ARG'],
  ])('imageDataset: label %p is refused (%s), naming the label and its value', (bad, code) => {
    const e = thrown(() => imageDataset({ images, pixels: 4, labels: [0, bad as number, 1, 0], T: 2 }));
    expect(e).toEqual({ code, message: expect.stringMatching(/labels\[1\]/) });
    if (typeof bad === 'number') expect((e as { message: string }).message).toContain(String(bad));
  });

  it('imageDataset keeps valid labels exactly, also from a Uint8Array', () => {
    const d = imageDataset({ images, pixels: 4, labels: Uint8Array.from([3, 0, 2, 1]), T: 2 });
    expect(Array.from(d.labels!(Int32Array.from([0, 1, 2, 3])))).toEqual([3, 0, 2, 1]);
  });
});

describe('Trainer.evaluate and the loss', () => {
  const net = () => feedForward({ neuron: theta(), sizes: [4, 3, 2], T: 2, seed: 1 });
  const trainer = (loss: Loss<Int32Array> = firstSpikeCrossEntropy()) => new Trainer({ network: net(), loss, optimizer: adam({ lr: 0.01 }), batchSize: 2 });
  const data = imageDataset({ images, pixels: 4, labels: [0, 1, 1, 0], T: 2 });

  it.each([0, -1, 1.5, NaN])('a dataset of size %p is refused (no NaN metrics)', async (size) => {
    const e = await rejected(() => trainer().evaluate({ ...data, size }));
    expect(e).toEqual({ code: 'ERR_SPIKEGRAD_RANGE', message: expect.stringMatching(`non-empty dataset .*dataset.size = ${size}`) });
  });

  it('a dataset that is not one is refused', async () => {
    expect(await rejected(() => trainer().evaluate({ size: 2 } as never))).toEqual({ code: 'ERR_SPIKEGRAD_ARG', message: expect.stringMatching(/Expected a Dataset/) });
    expect(await rejected(() => trainer().evaluate({ ...data, size: '4' } as never))).toEqual({ code: 'ERR_SPIKEGRAD_ARG', message: expect.stringMatching(/dataset\.size/) });
  });

  it('evaluation of a valid dataset gives finite metrics', async () => {
    const m = await trainer().evaluate(data);
    expect(Object.values(m).every((v) => Number.isFinite(v))).toBe(true);
    expect(m.samples).toBe(4);
  });

  it('labels from a dataset that are not integers in range are refused at evaluation', async () => {
    for (const bad of [1.5, NaN, 2, 2 ** 32 + 1]) {
      const d: Dataset<Int32Array> = { ...data, labels: (i) => Float64Array.from(i, () => bad) as never };
      expect([bad, await rejected(() => trainer().evaluate(d))]).toEqual([bad, { code: 'ERR_SPIKEGRAD_RANGE', message: expect.stringContaining(String(bad)) }]);
    }
  });

  it('a loss that returns NaN (or a non-number) is refused in evaluation, training steps and fit', async () => {
    for (const value of [NaN, Infinity, '1' as unknown as number]) {
      const loss: Loss<Int32Array> = { name: 'broken', compute: (out) => ({ value, grad: new Float64Array(out.times.length), perSample: new Float64Array(out.samples) }) };
      const shown = typeof value === 'number' ? String(value) : '"1"';
      expect(await rejected(() => trainer(loss).evaluate(data))).toEqual({ code: 'ERR_SPIKEGRAD_NONFINITE', message: expect.stringContaining(`The loss is ${shown}`) });
      expect(await rejected(() => trainer(loss).trainBatch(data, Int32Array.from([0, 1])))).toEqual({ code: 'ERR_SPIKEGRAD_NONFINITE', message: expect.stringContaining('The loss is') });
      expect(await rejected(() => trainer(loss).fit({ train: data, epochs: 1 }))).toEqual({ code: 'ERR_SPIKEGRAD_NONFINITE', message: expect.stringContaining('The loss is') });
    }
  });
});

describe('optimiser steps that would make a parameter non-finite', () => {
  it.each([
    ['sgd', () => sgd({ lr: 1e300 })],
    ['adam', () => adam({ lr: 1e308 })],
    ['adabelief', () => adaBelief({ lr: 1e308 })],
  ])('%s: refused with ERR_SPIKEGRAD_NONFINITE naming the element; the parameters and the state are unchanged', (_name, make) => {
    const opt = make();
    const params = [new Float64Array([1, 2]), new Float64Array([1e308, -3])];
    const grads = [new Float64Array([0, 0]), new Float64Array([-1e10, 1])];
    const before = params.map((p) => p.slice());
    const state = JSON.stringify(opt.state());
    expect(thrown(() => opt.step(params, grads))).toEqual({ code: 'ERR_SPIKEGRAD_NONFINITE', message: expect.stringMatching(/params\[1\]\[0\]|overflowed/) });
    expect(params).toEqual(before);
    expect(JSON.stringify(opt.state())).toBe(state);
    expect(opt.stepCount).toBe(0);
  });

  it('a parameter that is already infinite or NaN is refused at the next step', () => {
    for (const bad of [Infinity, -Infinity, NaN]) {
      const opt = adam({ lr: 0.1 });
      const params = [new Float64Array([0, bad])];
      expect([bad, thrown(() => opt.step(params, [new Float64Array([1, 1])]))]).toEqual([bad, { code: 'ERR_SPIKEGRAD_NONFINITE', message: expect.stringContaining(`params[0][1] non-finite (${bad} +`) }]);
      expect(opt.stepCount).toBe(0);
    }
  });

  it('random steps of every optimiser: either finite parameters or a refused step that changed nothing', () => {
    const rng = new Random(11);
    // Magnitudes 10^-308 to 10^308, half of them within a factor 20 of the largest float64.
    const magnitude = () => 10 ** (rng.uniform() < 0.5 ? 307 + rng.uniform() * 1.25 : rng.uniform() * 616 - 308);
    let refused = 0;
    for (let trial = 0; trial < 300; trial++) {
      const lr = magnitude();
      const opt = [sgd, adam, adaBelief][trial % 3]({ lr });
      const params = [Float64Array.from({ length: 3 }, () => (rng.uniform() - 0.5) * magnitude())];
      // Gradients of moderate size: their squares (Adam's moments) stay finite.
      const grads = [Float64Array.from({ length: 3 }, () => (rng.uniform() - 0.5) * 10 ** (rng.uniform() * 20 - 10))];
      const before = params[0].slice();
      const e = thrown(() => opt.step(params, grads));
      if (e === 'none') expect(params[0].every(Number.isFinite)).toBe(true);
      else {
        expect(e.code).toBe('ERR_SPIKEGRAD_NONFINITE');
        expect(params[0]).toEqual(before);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(10); // the draws reach the overflow
  });
});
