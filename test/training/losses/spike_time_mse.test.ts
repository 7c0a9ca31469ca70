import type { OutputBatch } from '../../../lib/network/output';
import { spikeTimeMse } from '../../../lib/training/losses/spike_time_mse';
import { centralDifferences, rng } from '../../helpers/numeric';

const argCode = (name: string, code: string) =>
  expect.objectContaining({ code, message: expect.stringContaining(name) });

describe('spikeTimeMse', () => {
  it('gives (1/2) sum (t - target)^2 with gradient t - target for one sample (single-neuron task)', () => {
    const out: OutputBatch = { times: new Float64Array([3, 11.5]), isPseudo: new Uint8Array([0, 1]), samples: 1, slots: 2, T: 10 };
    const r = spikeTimeMse().compute(out, new Float64Array([2.5, 7.5]));
    expect(r.value).toBe(0.5 * (0.25 + 16));
    expect(Array.from(r.perSample)).toEqual([8.125]);
    expect(Array.from(r.grad)).toEqual([0.5, 4]);
  });

  it('averages over the batch with a shared target vector', () => {
    const out: OutputBatch = { times: new Float64Array([1, 2, 3, 5]), samples: 2, slots: 2, T: 10 };
    const r = spikeTimeMse().compute(out, new Float64Array([1, 1]));
    // Sample 0: (0 + 1) / 2 = 0.5; sample 1: (4 + 16) / 2 = 10.
    expect(Array.from(r.perSample)).toEqual([0.5, 10]);
    expect(r.value).toBe(5.25);
    expect(Array.from(r.grad)).toEqual([0, 0.5, 1, 2]);
  });

  it('accepts per-sample targets as a flat array or as one array per sample', () => {
    const out: OutputBatch = { times: new Float64Array([1, 2, 3, 5]), samples: 2, slots: 2, T: 10 };
    const flat = spikeTimeMse().compute(out, new Float64Array([0, 2, 3, 1]));
    const rows = spikeTimeMse().compute(out, [new Float64Array([0, 2]), new Float64Array([3, 1])]);
    expect(Array.from(flat.perSample)).toEqual([0.5, 8]);
    expect(rows).toEqual(flat);
  });

  it('has gradients equal to central finite differences (including pseudospike times > T)', () => {
    const r = rng(11);
    const samples = 4;
    const slots = 3;
    const T = 10;
    const times = Float64Array.from({ length: samples * slots }, () => 2 * T * r());
    const targets = Float64Array.from({ length: slots }, () => T * r());
    const out: OutputBatch = { times, samples, slots, T };
    const loss = spikeTimeMse();
    const { grad } = loss.compute(out, targets);
    const fd = centralDifferences((t) => loss.compute({ ...out, times: t }, targets).value, times);
    for (let i = 0; i < grad.length; i++) expect(grad[i]).toBeCloseTo(fd[i], 7);
  });

  it('rejects bad targets and options with coded errors naming them', () => {
    const loss = spikeTimeMse();
    const out: OutputBatch = { times: new Float64Array(4), samples: 2, slots: 2, T: 10 };
    expect(() => loss.compute(out, new Float64Array(3))).toThrow(argCode('targets', 'ERR_SPIKEGRAD_SHAPE'));
    expect(() => loss.compute(out, [new Float64Array(2)])).toThrow(argCode('targets', 'ERR_SPIKEGRAD_SHAPE'));
    expect(() => loss.compute(out, [new Float64Array(2), new Float64Array(3)])).toThrow(argCode('targets[1]', 'ERR_SPIKEGRAD_SHAPE'));
    expect(() => loss.compute(out, [new Float64Array(2), [1, 2] as unknown as Float64Array])).toThrow(
      argCode('targets[1]', 'ERR_SPIKEGRAD_ARG'),
    );
    expect(() => loss.compute(out, new Float64Array([1, NaN]))).toThrow(argCode('targets[1]', 'ERR_SPIKEGRAD_NONFINITE'));
    expect(() => loss.compute(out, 'x' as unknown as Float64Array)).toThrow(argCode('targets', 'ERR_SPIKEGRAD_ARG'));
    expect(() => loss.compute(null as unknown as OutputBatch, new Float64Array(2))).toThrow(argCode('out', 'ERR_SPIKEGRAD_ARG'));
    expect(() => spikeTimeMse({ scale: 2 } as unknown as Record<string, never>)).toThrow(argCode("'scale'", 'ERR_SPIKEGRAD_ARG'));
  });
});
