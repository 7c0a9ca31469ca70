import type { Loss, LossResult } from '../../../lib/training/losses/loss';
import { checkOutputBatch, outputBatch, type OutputBatch } from '../../../lib/network/output';

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
