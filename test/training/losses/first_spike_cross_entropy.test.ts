import {
  accuracy,
  clipToTrial,
  firstSpikeCrossEntropy,
  predict,
} from '../../../lib/training/losses/first_spike_cross_entropy';
import type { OutputBatch } from '../../../lib/network/output';
import { centralDifferences, rng } from '../../helpers/numeric';

function randomBatch(seed: number, samples: number, slots: number, T: number): { out: OutputBatch; labels: number[] } {
  const r = rng(seed);
  // Times in [0, 2T): about half of them are pseudospike times beyond T.
  const times = Float64Array.from({ length: samples * slots }, () => 2 * T * r());
  const isPseudo = Uint8Array.from(times, (t) => (t > T ? 1 : 0));
  const labels = Array.from({ length: samples }, () => Math.floor(r() * slots));
  return { out: { times, isPseudo, samples, slots, T }, labels };
}

const argCode = (name: string, code: string) =>
  expect.objectContaining({ code, message: expect.stringContaining(name) });

describe('firstSpikeCrossEntropy', () => {
  it('has gradients equal to central finite differences (including pseudospike times > T)', () => {
    for (const [seed, gamma] of [
      [1, 0.01],
      [2, 0],
      [3, 0.5],
    ]) {
      const { out, labels } = randomBatch(seed, 5, 10, 2);
      expect(out.isPseudo?.some((p) => p === 1)).toBe(true);
      const loss = firstSpikeCrossEntropy({ gamma });
      const { grad } = loss.compute(out, labels);
      const fd = centralDifferences((times) => loss.compute({ ...out, times }, labels).value, out.times);
      for (let i = 0; i < grad.length; i++) expect(grad[i]).toBeCloseTo(fd[i], 8);
    }
  });

  it('matches the per-sample formula and the batch mean', () => {
    const out: OutputBatch = { times: new Float64Array([0.5, 1.5, 2.5, 1.0, 1.0, 0.25]), samples: 2, slots: 3, T: 2 };
    const labels = [1, 2];
    const r = firstSpikeCrossEntropy({ gamma: 0.1 }).compute(out, labels);
    const l0 = -Math.log(Math.exp(-1.5) / (Math.exp(-0.5) + Math.exp(-1.5) + Math.exp(-2.5))) + 0.1 * (Math.exp(1.5 / 2) - 1);
    const l1 = -Math.log(Math.exp(-0.25) / (2 * Math.exp(-1) + Math.exp(-0.25))) + 0.1 * (Math.exp(0.25 / 2) - 1);
    expect(r.perSample[0]).toBeCloseTo(l0, 14);
    expect(r.perSample[1]).toBeCloseTo(l1, 14);
    expect(r.value).toBeCloseTo((l0 + l1) / 2, 14);
  });

  it('gives ln 10 + 0.01 (e^1.5 - 1) ≈ 2.34 at MNIST initialisation (all outputs at 3, T = 2)', () => {
    const samples = 4;
    const out: OutputBatch = { times: new Float64Array(samples * 10).fill(3), samples, slots: 10, T: 2 };
    const labels = [0, 3, 7, 9];
    const r = firstSpikeCrossEntropy().compute(out, labels);
    expect(r.value).toBeCloseTo(Math.log(10) + 0.01 * (Math.exp(1.5) - 1), 13);
    expect(r.value).toBeCloseTo(2.34, 2);
    // Seed (method.md 5.6): delta_{k,y}(1 + (gamma/T) e^{t_y/T}) - 1/10, divided by the batch size.
    for (let s = 0; s < samples; s++) {
      for (let k = 0; k < 10; k++) {
        const expected = ((k === labels[s] ? 1 + 0.005 * Math.exp(1.5) : 0) - 0.1) / samples;
        expect(r.grad[s * 10 + k]).toBeCloseTo(expected, 15);
      }
    }
  });

  it('gives loss_ord = ln 10 + 0.01 (e - 1) = 2.3198 on the times clipped to T', () => {
    const out: OutputBatch = { times: new Float64Array(20).fill(3), samples: 2, slots: 10, T: 2 };
    const ord = clipToTrial(out);
    const value = firstSpikeCrossEntropy({ gamma: 0.01 }).compute(ord, [4, 8]).value;
    expect(value).toBeCloseTo(Math.log(10) + 0.01 * (Math.E - 1), 13);
    expect(value).toBeCloseTo(2.3198, 4);
  });

  it('is numerically stable for large and widely spread times', () => {
    const loss = firstSpikeCrossEntropy({ gamma: 0 });
    const base = new Float64Array([0.3, 1.7, 2.2]);
    const ref = loss.compute({ times: base, samples: 1, slots: 3, T: 2 }, [1]);
    // Without the regulariser the loss only depends on time differences.
    const shifted = loss.compute({ times: base.map((t) => t + 5000), samples: 1, slots: 3, T: 2 }, [1]);
    expect(shifted.value).toBeCloseTo(ref.value, 10);
    for (let k = 0; k < 3; k++) expect(shifted.grad[k]).toBeCloseTo(ref.grad[k], 12);
    const spread = loss.compute({ times: new Float64Array([0, 2000]), samples: 1, slots: 2, T: 2 }, [1]);
    expect(spread.value).toBeCloseTo(2000, 10);
    expect(Array.from(spread.grad)).toEqual([-1, 1]);
  });

  it('does not mutate its input', () => {
    const { out, labels } = randomBatch(9, 3, 4, 2);
    const copy = out.times.slice();
    firstSpikeCrossEntropy().compute(out, labels);
    expect(out.times).toEqual(copy);
  });

  it('accepts typed-array labels', () => {
    const { out, labels } = randomBatch(4, 3, 5, 2);
    const loss = firstSpikeCrossEntropy();
    expect(loss.compute(out, Int32Array.from(labels)).value).toBe(loss.compute(out, labels).value);
    expect(loss.name).toBe('first_spike_cross_entropy');
  });

  it('rejects bad options and arguments with coded errors naming them', () => {
    expect(() => firstSpikeCrossEntropy({ gamma: -1 })).toThrow(argCode('gamma', 'ERR_SPIKEGRAD_RANGE'));
    expect(() => firstSpikeCrossEntropy({ gamma: '0.1' as unknown as number })).toThrow(
      expect.objectContaining({ name: 'TypeError', code: 'ERR_SPIKEGRAD_ARG', message: expect.stringMatching(/for gamma but received/) }),
    );
    expect(() => firstSpikeCrossEntropy({ gamma: NaN })).toThrow(argCode('gamma', 'ERR_SPIKEGRAD_NONFINITE'));
    expect(() => firstSpikeCrossEntropy({ gama: 0.1 } as unknown as { gamma: number })).toThrow(argCode("'gama'", 'ERR_SPIKEGRAD_ARG'));
    const loss = firstSpikeCrossEntropy();
    const out: OutputBatch = { times: new Float64Array(6), samples: 2, slots: 3, T: 2 };
    expect(() => loss.compute(out, [0, 3])).toThrow(argCode('labels[1]', 'ERR_SPIKEGRAD_RANGE'));
    expect(() => loss.compute(out, [0, 1.5])).toThrow(argCode('labels[1]', 'ERR_SPIKEGRAD_RANGE'));
    expect(() => loss.compute(out, [0])).toThrow(argCode('labels', 'ERR_SPIKEGRAD_SHAPE'));
    expect(() => loss.compute(out, 1 as unknown as number[])).toThrow(argCode('labels', 'ERR_SPIKEGRAD_ARG'));
    expect(() => loss.compute({ ...out, times: new Float64Array(5) }, [0, 1])).toThrow(argCode('out.times', 'ERR_SPIKEGRAD_SHAPE'));
    expect(() => loss.compute({ ...out, times: new Float64Array([0, 1, NaN, 0, 0, 0]) }, [0, 1])).toThrow(
      argCode('out.times[2]', 'ERR_SPIKEGRAD_NONFINITE'),
    );
    expect(() => loss.compute({ ...out, T: 0 }, [0, 1])).toThrow(argCode('out.T', 'ERR_SPIKEGRAD_RANGE'));
    expect(() => loss.compute({ ...out, samples: 0 }, [])).toThrow(argCode('out.samples', 'ERR_SPIKEGRAD_RANGE'));
  });
});

describe('predict', () => {
  it('takes the argmin per sample with ties to the lowest index', () => {
    const out: OutputBatch = { times: new Float64Array([2, 1, 1, 3, 3, 3, 0.5, 0.7, 0.2]), samples: 3, slots: 3, T: 2 };
    expect(Array.from(predict(out))).toEqual([1, 0, 2]);
  });
});

describe('clipToTrial', () => {
  it('replaces every time by min(t, T) and leaves the input unchanged', () => {
    const times = new Float64Array([0.5, 2.5, 2, 7]);
    const isPseudo = new Uint8Array([0, 1, 0, 1]);
    const ord = clipToTrial({ times, isPseudo, samples: 2, slots: 2, T: 2 });
    expect(Array.from(ord.times)).toEqual([0.5, 2, 2, 2]);
    expect(Array.from(ord.isPseudo ?? [])).toEqual([0, 1, 0, 1]);
    expect(Array.from(times)).toEqual([0.5, 2.5, 2, 7]);
    expect(ord.times).not.toBe(times);
  });
});

describe('accuracy', () => {
  it('lets pseudospikes decide by default and clips to T with ordinaryOnly (ties at T -> lowest index)', () => {
    // Sample 0: no output spiked; pseudo times pick class 2. Sample 1: class 1 spiked.
    // Sample 2: no output spiked; pseudo times pick class 0.
    const out: OutputBatch = {
      times: new Float64Array([3.1, 3.2, 2.9, 2.5, 1.2, 2.7, 2.1, 3.4, 3.3]),
      samples: 3,
      slots: 3,
      T: 2,
    };
    const labels = [2, 1, 1];
    expect(accuracy(out, labels)).toBeCloseTo(2 / 3, 15);
    expect(accuracy(out, labels, { ordinaryOnly: false })).toBeCloseTo(2 / 3, 15);
    // Clipped: sample 0 ties at T -> 0 (wrong), sample 1 -> 1 (right), sample 2 ties -> 0 (wrong).
    expect(accuracy(out, labels, { ordinaryOnly: true })).toBeCloseTo(1 / 3, 15);
  });

  it('gives the frequency of label 0 for a silent network with ordinaryOnly', () => {
    const labels = [0, 3, 0, 9, 5, 0, 1, 2, 0, 7];
    const r = rng(5);
    const times = Float64Array.from({ length: labels.length * 10 }, () => 2 + 1e-3 + r());
    const out: OutputBatch = { times, samples: labels.length, slots: 10, T: 2 };
    expect(accuracy(out, labels, { ordinaryOnly: true })).toBe(0.4);
  });

  it('rejects bad options naming them', () => {
    const out: OutputBatch = { times: new Float64Array(2), samples: 1, slots: 2, T: 2 };
    expect(() => accuracy(out, [0], { ordinaryOnly: 1 as unknown as boolean })).toThrow(argCode('ordinaryOnly', 'ERR_SPIKEGRAD_ARG'));
    expect(() => accuracy(out, [0], { ordinary: true } as unknown as { ordinaryOnly: boolean })).toThrow(
      argCode("'ordinary'", 'ERR_SPIKEGRAD_ARG'),
    );
    expect(() => accuracy(out, [2])).toThrow(argCode('labels[0]', 'ERR_SPIKEGRAD_RANGE'));
  });
});

describe('firstSpikeCrossEntropy with the real-spike margin (marginWeight, margin)', () => {
  it('adds alpha max(0, t[y] + m - min(T, earliest other)) and keeps the core loss only without it', () => {
    const T = 2;
    const out: OutputBatch = { times: new Float64Array([1.0, 1.2, 3.0, 2.5, 2.8, 1.5, 0.5, 1.8, 2.2]), samples: 3, slots: 3, T };
    const labels = [0, 0, 0];
    const base = firstSpikeCrossEntropy({ gamma: 0.01 }).compute(out, labels);
    const loss = firstSpikeCrossEntropy({ gamma: 0.01, marginWeight: 2, margin: 0.5 });
    const r = loss.compute(out, labels);
    // sample 0: 1.0 + 0.5 - 1.2 = 0.3; sample 1: pseudo t[y] 2.5 + 0.5 - 1.5 = 1.5; sample 2: 0.5 + 0.5 - 1.8 < 0
    expect(r.perSample[0] - base.perSample[0]).toBeCloseTo(2 * 0.3, 14);
    expect(r.perSample[1] - base.perSample[1]).toBeCloseTo(2 * 1.5, 14);
    expect(r.perSample[2]).toBe(base.perSample[2]);
    expect(r.grad[0] - base.grad[0]).toBeCloseTo(2 / 3, 14);
    expect(r.grad[1] - base.grad[1]).toBeCloseTo(-2 / 3, 14);
    expect(r.grad[2]).toBe(base.grad[2]);
    // no other real spike: the rival is T itself (no slot takes a gradient)
    const late: OutputBatch = { times: new Float64Array([1.8, 2.5, 3.0]), samples: 1, slots: 3, T };
    const l = loss.compute(late, [0]);
    const l0 = firstSpikeCrossEntropy({ gamma: 0.01 }).compute(late, [0]);
    expect(l.value - l0.value).toBeCloseTo(2 * (1.8 + 0.5 - 2), 14);
    expect(Array.from(l.grad).map((g, k) => g - l0.grad[k])).toEqual([expect.closeTo(2, 14), 0, 0]);
    expect(loss.native).toBeUndefined();
    expect(firstSpikeCrossEntropy({ gamma: 0.01, marginWeight: 0 }).native).toEqual({ name: 'first_spike_cross_entropy', gamma: 0.01 });
  });

  it('has gradients equal to central finite differences', () => {
    for (const [seed, alpha, m] of [
      [4, 1, 0.5],
      [5, 0.3, 1],
    ]) {
      const { out, labels } = randomBatch(seed, 6, 3, 2);
      const loss = firstSpikeCrossEntropy({ gamma: 0.01, marginWeight: alpha, margin: m });
      const { grad, value } = loss.compute(out, labels);
      expect(value).toBeGreaterThan(firstSpikeCrossEntropy({ gamma: 0.01 }).compute(out, labels).value);
      const fd = centralDifferences((times) => loss.compute({ ...out, times }, labels).value, out.times);
      for (let i = 0; i < grad.length; i++) expect(grad[i]).toBeCloseTo(fd[i], 7);
    }
  });

  it('refuses negative or non-finite weights and margins', () => {
    expect(() => firstSpikeCrossEntropy({ marginWeight: -1 })).toThrow(argCode('marginWeight', 'ERR_SPIKEGRAD_RANGE'));
    expect(() => firstSpikeCrossEntropy({ margin: Infinity })).toThrow(expect.objectContaining({ message: expect.stringContaining('margin') }));
    expect(() => firstSpikeCrossEntropy({ margn: 1 } as never)).toThrow(expect.objectContaining({ message: expect.stringContaining('margin') }));
  });
});
