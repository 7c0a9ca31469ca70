import { checkOutputBatch, outputBatch, type Loss, type LossResult, type OutputBatch } from '../../../lib/training/losses/loss';

const argCode = (name: string, code: string) =>
  expect.objectContaining({ code, message: expect.stringContaining(name) });

/** The user-defined loss of the Loss TSDoc example. */
function meanAbsoluteDeviation(c: number): Loss<void> {
  return {
    name: 'mean_absolute_deviation',
    compute(out: OutputBatch): LossResult {
      const { times, samples, slots } = checkOutputBatch(out);
      const perSample = new Float64Array(samples);
      const grad = new Float64Array(times.length);
      for (let s = 0; s < samples; s++) {
        for (let k = 0; k < slots; k++) {
          const d = times[s * slots + k] - c;
          perSample[s] += Math.abs(d);
          grad[s * slots + k] = Math.sign(d) / samples;
        }
      }
      return { value: perSample.reduce((a, b) => a + b, 0) / samples, perSample, grad };
    },
  };
}

describe('Loss interface', () => {
  it('is implementable by user-defined losses', () => {
    const loss: Loss<void> = meanAbsoluteDeviation(1);
    const r = loss.compute(outputBatch(new Float64Array([0, 3, 1.5, 1.5]), { samples: 2, slots: 2, T: 2 }));
    expect(r.value).toBe(2);
    expect(Array.from(r.perSample)).toEqual([3, 1]);
    expect(Array.from(r.grad)).toEqual([-0.5, 0.5, 0.5, 0.5]);
  });
});

describe('checkOutputBatch', () => {
  const good = { times: new Float64Array(6), samples: 2, slots: 3, T: 2 };

  it('accepts a well-formed batch, with or without pseudospike flags', () => {
    expect(checkOutputBatch(good)).toEqual(good);
    const flagged = { ...good, isPseudo: new Uint8Array(6) };
    expect(checkOutputBatch(flagged).isPseudo).toBe(flagged.isPseudo);
  });

  it('rejects malformed batches naming the field', () => {
    expect(() => checkOutputBatch(undefined)).toThrow(argCode('for out', 'ERR_SPIKEGRAD_ARG'));
    expect(() => checkOutputBatch({ ...good, times: [0, 0, 0, 0, 0, 0] })).toThrow(argCode('out.times', 'ERR_SPIKEGRAD_ARG'));
    expect(() => checkOutputBatch({ ...good, times: new Float64Array(5) })).toThrow(argCode('out.times', 'ERR_SPIKEGRAD_SHAPE'));
    expect(() => checkOutputBatch({ ...good, times: new Float64Array([0, 0, Infinity, 0, 0, 0]) })).toThrow(
      argCode('out.times[2]', 'ERR_SPIKEGRAD_NONFINITE'),
    );
    expect(() => checkOutputBatch({ ...good, slots: 0 })).toThrow(argCode('out.slots', 'ERR_SPIKEGRAD_RANGE'));
    expect(() => checkOutputBatch({ ...good, samples: 1.5 })).toThrow(argCode('out.samples', 'ERR_SPIKEGRAD_RANGE'));
    expect(() => checkOutputBatch({ ...good, T: -1 })).toThrow(argCode('out.T', 'ERR_SPIKEGRAD_RANGE'));
    expect(() => checkOutputBatch({ ...good, T: '2' })).toThrow(argCode('out.T', 'ERR_SPIKEGRAD_ARG'));
    expect(() => checkOutputBatch({ ...good, isPseudo: new Uint8Array(5) })).toThrow(argCode('out.isPseudo', 'ERR_SPIKEGRAD_SHAPE'));
    expect(() => checkOutputBatch({ ...good, isPseudo: [0, 0, 0, 0, 0, 0] })).toThrow(argCode('out.isPseudo', 'ERR_SPIKEGRAD_ARG'));
    expect(() => outputBatch(new Float64Array(2), null as unknown as { samples: number; slots: number; T: number })).toThrow(
      argCode('shape', 'ERR_SPIKEGRAD_ARG'),
    );
  });
});
