import type { OutputBatch } from '../../../lib/network/output';
import { targetTrainLoss, targetTrainSlots } from '../../../lib/training/losses/target_train';
import { centralDifferences, rng } from '../../helpers/numeric';

const argCode = (name: string, code: string) =>
  expect.objectContaining({ code, message: expect.stringContaining(name) });

describe('targetTrainSlots', () => {
  it('counts n_i + 1 slots per neuron', () => {
    expect(targetTrainSlots([[1.2, 4.5, 8.0], [3.3], []])).toEqual([4, 2, 1]);
    expect(targetTrainSlots([new Float64Array([1, 2])])).toEqual([3]);
  });
});

describe('targetTrainLoss', () => {
  const T = 10;
  const S = 1.1 * T;
  const trains = [[2.0, 6.0], [4.0]];

  it('computes the relative error plus the sentinel term over sum(n_i + 1) (method.md 6.3)', () => {
    // Neuron 0: slots 0, 1 (targets) and 2 (sentinel); neuron 1: slot 3 (target) and 4 (sentinel).
    const times = new Float64Array([2.1, 5.0, 9.0, 4.5, 12.0]);
    const r = targetTrainLoss().compute({ times, samples: 1, slots: 5, T }, trains);
    const expected =
      ((0.1 / 4) ** 2 + (-1 / 8) ** 2 + ((9 - S) / (S + 2)) ** 2 + (0.5 / 6) ** 2 + 0) / 5;
    expect(r.value).toBeCloseTo(expected, 15);
    const g = Array.from(r.grad);
    expect(g[0]).toBeCloseTo((2 * 0.1) / (16 * 5), 15);
    expect(g[1]).toBeCloseTo((2 * -1) / (64 * 5), 15);
    expect(g[2]).toBeCloseTo((2 * (9 - S)) / ((S + 2) ** 2 * 5), 15);
    expect(g[3]).toBeCloseTo((2 * 0.5) / (36 * 5), 15);
    expect(g[4]).toBe(0);
  });

  it('makes the sentinel term one-sided: zero with zero gradient at or beyond sentinel * T', () => {
    const loss = targetTrainLoss({ sentinel: 1.1 });
    const at = (t: number) => loss.compute({ times: new Float64Array([2, 6, t, 4, 20]), samples: 1, slots: 5, T }, trains);
    for (const t of [S, S + 1e-9, 11.5, 30]) {
      expect(at(t).value).toBe(0);
      expect(at(t).grad[2]).toBe(0);
    }
    for (const t of [10.9, 5, 0]) {
      expect(at(t).value).toBeCloseTo(((t - S) / (S + 2)) ** 2 / 5, 15);
      expect(at(t).grad[2]).toBeLessThan(0);
    }
    // The sentinel follows the option: with sentinel 1.5 the target is 15.
    const wide = targetTrainLoss({ sentinel: 1.5 }).compute({ times: new Float64Array([2, 6, 12, 4, 20]), samples: 1, slots: 5, T }, trains);
    expect(wide.value).toBeCloseTo(((12 - 15) / 17) ** 2 / 5, 15);
  });

  it('has gradients equal to central finite differences (pseudo times > T, sentinels on both sides)', () => {
    const r = rng(21);
    const sets = [
      [[0.5, 3.2, 7.7], [1.1, 9.0], []],
      [[4.4], [2.0, 2.5, 8.8, 9.9]],
    ];
    for (const set of sets) {
      const slots = targetTrainSlots(set).reduce((a, b) => a + b, 0);
      const samples = 3;
      const times = Float64Array.from({ length: samples * slots }, () => 1.6 * T * r());
      // Keep every time away from the kink of the sentinel term.
      for (let i = 0; i < times.length; i++) if (Math.abs(times[i] - S) < 1e-3) times[i] += 0.01;
      const out: OutputBatch = { times, samples, slots, T };
      const loss = targetTrainLoss();
      const { grad } = loss.compute(out, set);
      const fd = centralDifferences((t) => loss.compute({ ...out, times: t }, set).value, times);
      for (let i = 0; i < grad.length; i++) expect(grad[i]).toBeCloseTo(fd[i], 9);
      expect(times.some((t) => t > S)).toBe(true);
    }
  });

  it('averages over samples, with shared or per-sample target trains', () => {
    const loss = targetTrainLoss();
    const times = new Float64Array([2.1, 5.0, 12, 4.5, 12, 2, 6, 9, 4, 12]);
    const out: OutputBatch = { times, samples: 2, slots: 5, T };
    const shared = loss.compute(out, trains);
    const one = (k: number) => loss.compute({ times: times.slice(5 * k, 5 * k + 5), samples: 1, slots: 5, T }, trains);
    expect(shared.perSample[0]).toBe(one(0).value);
    expect(shared.perSample[1]).toBe(one(1).value);
    expect(shared.value).toBeCloseTo((one(0).value + one(1).value) / 2, 15);
    for (let i = 0; i < 5; i++) expect(shared.grad[i]).toBeCloseTo(one(0).grad[i] / 2, 15);
    const perSample = loss.compute(out, [trains, [[2.1, 5.0], [4.5]]]);
    expect(perSample.perSample[0]).toBe(one(0).value);
    expect(perSample.perSample[1]).toBeGreaterThan(0);
  });

  it('rejects bad options, targets and layouts with coded errors naming them', () => {
    expect(() => targetTrainLoss({ sentinel: 0 })).toThrow(argCode('sentinel', 'ERR_SPIKEGRAD_RANGE'));
    expect(() => targetTrainLoss({ sentinel: 'x' as unknown as number })).toThrow(argCode('sentinel', 'ERR_SPIKEGRAD_ARG'));
    expect(() => targetTrainLoss({ sentinal: 1.1 } as unknown as { sentinel: number })).toThrow(argCode("'sentinal'", 'ERR_SPIKEGRAD_ARG'));
    const loss = targetTrainLoss();
    const out: OutputBatch = { times: new Float64Array(5), samples: 1, slots: 5, T };
    expect(() => loss.compute({ ...out, times: new Float64Array(4), slots: 4 }, trains)).toThrow(argCode('out.slots', 'ERR_SPIKEGRAD_SHAPE'));
    expect(() => loss.compute(out, [])).toThrow(argCode('targets', 'ERR_SPIKEGRAD_RANGE'));
    expect(() => loss.compute(out, [[2, -1], [4]])).toThrow(argCode('targets[0][1]', 'ERR_SPIKEGRAD_RANGE'));
    expect(() => loss.compute(out, [[2, Infinity], [4]])).toThrow(argCode('targets[0][1]', 'ERR_SPIKEGRAD_NONFINITE'));
    expect(() => loss.compute(out, [[2, '6'], [4]] as unknown as number[][])).toThrow(argCode('targets[0][1]', 'ERR_SPIKEGRAD_ARG'));
    expect(() => loss.compute(out, [[2, 6], 4] as unknown as number[][])).toThrow(argCode('targets[1]', 'ERR_SPIKEGRAD_ARG'));
    expect(() => loss.compute({ ...out, times: new Float64Array(10), samples: 2 }, [trains, [[1], [2, 3]]])).toThrow(
      argCode('targets[1]', 'ERR_SPIKEGRAD_SHAPE'),
    );
    expect(() => loss.compute(out, [trains, trains])).toThrow(argCode('targets', 'ERR_SPIKEGRAD_SHAPE'));
  });
});
