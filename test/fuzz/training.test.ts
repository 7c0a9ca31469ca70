/**
 * Fuzzing the training helpers (issue 12 class 5): labels of every JavaScript type and value
 * given to the datasets and the loss, dataset sizes given to evaluate, and optimiser steps with
 * extreme parameters, gradients and learning rates. Every call either gives exactly what was
 * asked (labels equal to the input, finite metrics, finite parameters) or a documented coded
 * error, and a refused optimiser step changes nothing.
 */
import fc from 'fast-check';
import { adaBelief, adam, feedForward, firstSpikeCrossEntropy, imageDataset, sgd, spikeDataset, theta, Trainer, type Dataset } from '../../lib';
import { DOCUMENTED_CODES, params } from './support';

const label = fc.oneof(
  fc.integer({ min: -3, max: 5 }),
  fc.constantFrom<unknown>(1.5, -0, NaN, Infinity, -Infinity, 2 ** 31, 2 ** 32 + 1, 2 ** 53, '1', '', null, undefined, true, [], {}, 1n),
  fc.double(),
);

function outcome(fn: () => unknown): unknown {
  try {
    return { value: fn() };
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === undefined || !DOCUMENTED_CODES.has(code) || code === 'ERR_SPIKEGRAD_INTERNAL') throw err;
    return { code };
  }
}

const isLabel = (y: unknown) => typeof y === 'number' && Number.isInteger(y) && y >= 0 && y <= 0x7fffffff;

describe('fuzz: labels', () => {
  it('imageDataset and spikeDataset keep valid labels exactly and refuse every other one with a coded error', () => {
    const images = new Uint8Array(12);
    const samples = [0, 1, 2].map((k) => ({ times: [0.1 * (k + 1)], channels: [0] }));
    fc.assert(
      fc.property(fc.array(label, { minLength: 3, maxLength: 3 }), (labels) => {
        const valid = labels.every(isLabel);
        const all = Int32Array.from([0, 1, 2]);
        for (const make of [() => imageDataset({ images, pixels: 4, labels: labels as number[], T: 2 }), () => spikeDataset(samples, [0, 0, 0], { labels: labels as number[] })]) {
          const r = outcome(() => Array.from(make().labels!(all))) as { value?: number[]; code?: string };
          if (valid) expect(r).toEqual({ value: (labels as number[]).map((y) => y + 0) }); // -0 is label 0
          else expect(r.code).toMatch(/^ERR_SPIKEGRAD_(ARG|RANGE)$/);
        }
      }),
      params(41, 300),
    );
  });

  it('the loss accepts labels in [0, classes) only', () => {
    const net = feedForward({ neuron: theta(), sizes: [2, 2], T: 2, seed: 3 });
    const out = net.forward(spikeDatasetBatch());
    const loss = firstSpikeCrossEntropy();
    fc.assert(
      fc.property(fc.array(label, { minLength: 2, maxLength: 2 }), (labels) => {
        const r = outcome(() => loss.compute(out, labels as never).value) as { value?: number; code?: string };
        if (labels.every((y) => isLabel(y) && (y as number) < 2)) expect(Number.isFinite(r.value)).toBe(true);
        else expect(r.code).toMatch(/^ERR_SPIKEGRAD_(ARG|RANGE|SHAPE)$/);
      }),
      params(42, 300),
    );
  });
});

function spikeDatasetBatch() {
  return spikeDataset([{ times: [0.1], channels: [0] }, { times: [0.3], channels: [1] }], Int32Array.from([0, 1])).batch(Int32Array.from([0, 1]), { training: false, rng: undefined as never }).inputs;
}

describe('fuzz: evaluation', () => {
  it('evaluate() gives finite metrics for a dataset of integer size >= 1 and a coded error for any other size', async () => {
    const images = Uint8Array.from({ length: 16 }, (_, k) => (k * 53) % 256);
    const data = imageDataset({ images, pixels: 4, labels: [0, 1, 1, 0], T: 2 });
    const trainer = new Trainer({ network: feedForward({ neuron: theta(), sizes: [4, 3, 2], T: 2, seed: 1 }), loss: firstSpikeCrossEntropy(), optimizer: adam({ lr: 0.01 }), batchSize: 3 });
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.integer({ min: -2, max: 4 }), fc.constantFrom<unknown>(0.5, 2.5, NaN, Infinity, '3', null, undefined)), async (size) => {
        const d = { ...data, size } as unknown as Dataset<Int32Array>;
        let r: { value?: Record<string, number>; code?: string };
        try {
          r = { value: (await trainer.evaluate(d)) as unknown as Record<string, number> };
        } catch (err) {
          r = { code: (err as { code?: string }).code };
        }
        if (typeof size === 'number' && Number.isInteger(size) && size >= 1) {
          expect(Object.values(r.value!).every(Number.isFinite)).toBe(true);
          expect(r.value!.samples).toBe(size);
        } else expect(r.code).toMatch(/^ERR_SPIKEGRAD_(ARG|RANGE)$/);
      }),
      params(43, 60),
    );
  });
});

describe('fuzz: optimiser steps', () => {
  const magnitude = fc.oneof(fc.double({ min: -1e308, max: 1e308, noNaN: true }), fc.constantFrom(0, -0, 5e-324, 1e-300, 1e154, 1e200, 1.7e308, -1.7e308));
  it('a step gives finite parameters or is refused (ERR_SPIKEGRAD_NONFINITE) and changes neither parameters nor state', () => {
    fc.assert(
      fc.property(fc.nat(2), fc.double({ min: 0, max: 1e308, noNaN: true }), fc.array(magnitude, { minLength: 1, maxLength: 4 }), fc.array(magnitude, { minLength: 4, maxLength: 4 }), (which, lr, p, g) => {
        const opt = [sgd, adam, adaBelief][which]({ lr });
        const params = [Float64Array.from(p)];
        const grads = [Float64Array.from(g.slice(0, p.length))];
        const before = params[0].slice();
        const state = JSON.stringify(opt.state());
        try {
          opt.step(params, grads);
        } catch (err) {
          expect((err as { code?: string }).code).toBe('ERR_SPIKEGRAD_NONFINITE');
          expect(params[0]).toEqual(before);
          expect(JSON.stringify(opt.state())).toBe(state);
          return;
        }
        expect(params[0].every(Number.isFinite)).toBe(true);
      }),
      params(44, 500),
    );
  });
});
