import { adam } from '../../../lib/training/optim/adam';
import { exponentialDecay } from '../../../lib/training/optim/schedule';

const argCode = (name: string, code: string) =>
  expect.objectContaining({ code, message: expect.stringContaining(name) });

function expectClose(actual: ArrayLike<number>, expected: number[], rel = 1e-14): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    expect(Math.abs(actual[i] - expected[i])).toBeLessThanOrEqual(rel * Math.abs(expected[i]) + 1e-300);
  }
}

describe('adam', () => {
  it('matches hand-computed first two steps (optax semantics, defaults)', () => {
    const opt = adam({ lr: 0.1 });
    const p = [new Float64Array([1, -1])];
    opt.step(p, [new Float64Array([0.5, -2])]);
    // Step 1 (t = 1): m = 0.1 g, v = 0.001 g^2; m / 0.1 = g, v / 0.001 = g^2.
    // element 0: m = 0.05, v = 0.00025; update = -0.1 * 0.5 / (0.5 + 1e-8)
    // element 1: m = -0.2, v = 0.004;   update = -0.1 * -2 / (2 + 1e-8)
    const u1 = [(-0.1 * 0.5) / (0.5 + 1e-8), (-0.1 * -2) / (2 + 1e-8)];
    expectClose(p[0], [1 + u1[0], -1 + u1[1]]);
    expectClose(opt.state().moments.mu[0], [0.05, -0.2]);
    expectClose(opt.state().moments.nu[0], [0.00025, 0.004]);
    opt.step(p, [new Float64Array([1, 0.25])]);
    // Step 2 (t = 2): bias corrections 1 - 0.9^2 = 0.19 and 1 - 0.999^2 = 0.001999.
    // element 0: m = 0.9 * 0.05 + 0.1 * 1 = 0.145; v = 0.999 * 0.00025 + 0.001 * 1 = 0.00124975
    // element 1: m = 0.9 * -0.2 + 0.1 * 0.25 = -0.155; v = 0.999 * 0.004 + 0.001 * 0.0625 = 0.0040585
    const u2 = [
      (-0.1 * (0.145 / 0.19)) / (Math.sqrt(0.00124975 / 0.001999) + 1e-8),
      (-0.1 * (-0.155 / 0.19)) / (Math.sqrt(0.0040585 / 0.001999) + 1e-8),
    ];
    expectClose(opt.state().moments.mu[0], [0.145, -0.155]);
    expectClose(opt.state().moments.nu[0], [0.00124975, 0.0040585]);
    expectClose(p[0], [1 + u1[0] + u2[0], -1 + u1[1] + u2[1]], 1e-13);
  });

  it('uses b1, b2, eps, epsRoot and the scheduled lr as in optax', () => {
    const lr = exponentialDecay({ initial: 0.2, transitionSteps: 1, decayRate: 0.5 });
    const opt = adam({ lr, b1: 0.5, b2: 0.75, eps: 0.1, epsRoot: 0.01 });
    const u1 = opt.computeUpdates([new Float64Array([2])])[0][0];
    // m = 1, v = 1; m/(1 - 0.5) = 2, v/(1 - 0.75) = 4; update = -0.2 * 2 / (sqrt(4 + 0.01) + 0.1).
    expect(u1).toBeCloseTo((-0.2 * 2) / (Math.sqrt(4.01) + 0.1), 15);
    const u2 = opt.computeUpdates([new Float64Array([-1])])[0][0];
    // m = 0.5 - 0.5 = 0, so the second update is 0 (lr(1) = 0.1).
    expect(u2).toBeCloseTo(0, 15);
    const u3 = opt.computeUpdates([new Float64Array([4])])[0][0];
    // m = 2, v = 0.75 * (0.75 * 1 + 0.25 * 1) + 0.25 * 16 = 4.75; t = 3, lr(2) = 0.05.
    expect(u3).toBeCloseTo((-0.05 * (2 / (1 - 0.125))) / (Math.sqrt(4.75 / (1 - 0.421875) + 0.01) + 0.1), 15);
  });

  it('rejects bad options naming them', () => {
    expect(() => adam({ lr: 0.1, b1: 1 })).toThrow(argCode('b1', 'ERR_SPIKEGRAD_RANGE'));
    expect(() => adam({ lr: 0.1, b2: -0.1 })).toThrow(argCode('b2', 'ERR_SPIKEGRAD_RANGE'));
    expect(() => adam({ lr: 0.1, eps: -1e-8 })).toThrow(argCode('eps', 'ERR_SPIKEGRAD_RANGE'));
    expect(() => adam({ lr: 0.1, epsRoot: NaN })).toThrow(argCode('epsRoot', 'ERR_SPIKEGRAD_NONFINITE'));
    expect(() => adam({ lr: 0.1, b1: '0.9' as unknown as number })).toThrow(
      expect.objectContaining({ name: 'TypeError', code: 'ERR_SPIKEGRAD_ARG', message: expect.stringMatching(/for b1 but received/) }),
    );
    expect(() => adam({ lr: 0.1, beta1: 0.9 } as unknown as { lr: number })).toThrow(argCode("'beta1'", 'ERR_SPIKEGRAD_ARG'));
    expect(() => adam({ lr: [0.1] as unknown as number })).toThrow(argCode('for lr', 'ERR_SPIKEGRAD_ARG'));
  });
});
