import { adaBelief } from '../../../lib/training/optim/adabelief';

const argCode = (name: string, code: string) =>
  expect.objectContaining({ code, message: expect.stringContaining(name) });

function expectClose(actual: ArrayLike<number>, expected: number[], rel = 1e-14): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    expect(Math.abs(actual[i] - expected[i])).toBeLessThanOrEqual(rel * Math.abs(expected[i]) + 1e-300);
  }
}

const g1 = [0.5, -2];
const g2 = [1, 0.25];
const eps = 1e-16;
const epsRoot = 1e-16;

describe('adaBelief', () => {
  it("matches hand-computed first two steps of the default variant 'optax-0.2.3' (error uses m_{t-1})", () => {
    const opt = adaBelief({ lr: 0.1 });
    expect(opt.variant).toBe('optax-0.2.3');
    const u1 = opt.computeUpdates([Float64Array.from(g1)])[0];
    // Step 1: m_0 = 0 so e = g; m = 0.1 g; s = 0.001 g^2 + epsRoot (eps_root stored in s).
    const s1 = [0.001 * 0.25 + epsRoot, 0.001 * 4 + epsRoot];
    expectClose(u1, [(-0.1 * (0.05 / 0.1)) / (Math.sqrt(s1[0] / 0.001) + eps), (-0.1 * (-0.2 / 0.1)) / (Math.sqrt(s1[1] / 0.001) + eps)]);
    expectClose(opt.state().moments.nu[0], s1);
    const u2 = opt.computeUpdates([Float64Array.from(g2)])[0];
    // Step 2: e = g - m_1 = [1 - 0.05, 0.25 + 0.2] = [0.95, 0.45]; m_2 = [0.145, -0.155].
    const s2 = [0.999 * s1[0] + 0.001 * 0.9025 + epsRoot, 0.999 * s1[1] + 0.001 * 0.2025 + epsRoot];
    expectClose(opt.state().moments.mu[0], [0.145, -0.155]);
    expectClose(opt.state().moments.nu[0], s2);
    expectClose(u2, [
      (-0.1 * (0.145 / 0.19)) / (Math.sqrt(s2[0] / 0.001999) + eps),
      (-0.1 * (-0.155 / 0.19)) / (Math.sqrt(s2[1] / 0.001999) + eps),
    ]);
  });

  it("matches hand-computed first two steps of the variant 'optax-0.2.4' (error uses m_t)", () => {
    const opt = adaBelief({ lr: 0.1, variant: 'optax-0.2.4' });
    const u1 = opt.computeUpdates([Float64Array.from(g1)])[0];
    // Step 1: e = g - m_1 = 0.9 g = [0.45, -1.8].
    const s1 = [0.001 * 0.2025 + epsRoot, 0.001 * 3.24 + epsRoot];
    expectClose(u1, [(-0.1 * (0.05 / 0.1)) / (Math.sqrt(s1[0] / 0.001) + eps), (-0.1 * (-0.2 / 0.1)) / (Math.sqrt(s1[1] / 0.001) + eps)]);
    const u2 = opt.computeUpdates([Float64Array.from(g2)])[0];
    // Step 2: e = g - m_2 = [1 - 0.145, 0.25 + 0.155] = [0.855, 0.405].
    const s2 = [0.999 * s1[0] + 0.001 * 0.731025 + epsRoot, 0.999 * s1[1] + 0.001 * 0.164025 + epsRoot];
    expectClose(opt.state().moments.nu[0], s2);
    expectClose(u2, [
      (-0.1 * (0.145 / 0.19)) / (Math.sqrt(s2[0] / 0.001999) + eps),
      (-0.1 * (-0.155 / 0.19)) / (Math.sqrt(s2[1] / 0.001999) + eps),
    ]);
  });

  it('shares the first moment between the variants but not the second moment or the updates', () => {
    const a = adaBelief({ lr: 0.1 });
    const b = adaBelief({ lr: 0.1, variant: 'optax-0.2.4' });
    for (const g of [g1, g2]) {
      const ua = a.computeUpdates([Float64Array.from(g)])[0];
      const ub = b.computeUpdates([Float64Array.from(g)])[0];
      expect(a.state().moments.mu).toEqual(b.state().moments.mu);
      expect(a.state().moments.nu).not.toEqual(b.state().moments.nu);
      expect(Array.from(ua)).not.toEqual(Array.from(ub));
    }
  });

  it('adds eps_root into the stored second moment', () => {
    const opt = adaBelief({ lr: 0.1 });
    // A zero gradient gives a zero update (-lr * 0 = -0) but still stores eps_root.
    expect(Array.from(opt.computeUpdates([new Float64Array([0])])[0])).toEqual([-0]);
    expect(opt.state().moments.nu[0]).toEqual([1e-16]);
    opt.computeUpdates([new Float64Array([0])]);
    expect(opt.state().moments.nu[0]).toEqual([0.999 * 1e-16 + 1e-16]);
  });

  it('rejects bad options naming them', () => {
    expect(() => adaBelief({ lr: 0.1, variant: 'optax-0.2.5' as never })).toThrow(argCode('variant', 'ERR_SPIKEGRAD_RANGE'));
    expect(() => adaBelief({ lr: 0.1, b1: 1.5 })).toThrow(argCode('b1', 'ERR_SPIKEGRAD_RANGE'));
    expect(() => adaBelief({ lr: 0.1, b2: 1 })).toThrow(argCode('b2', 'ERR_SPIKEGRAD_RANGE'));
    expect(() => adaBelief({ lr: 0.1, eps: -1 })).toThrow(argCode('eps', 'ERR_SPIKEGRAD_RANGE'));
    expect(() => adaBelief({ lr: 0.1, epsRoot: -1e-16 })).toThrow(argCode('epsRoot', 'ERR_SPIKEGRAD_RANGE'));
    expect(() => adaBelief({ lr: 0.1, eps_root: 1e-16 } as unknown as { lr: number })).toThrow(argCode("'eps_root'", 'ERR_SPIKEGRAD_ARG'));
    expect(() => adaBelief({ lr: Infinity })).toThrow(argCode('lr', 'ERR_SPIKEGRAD_NONFINITE'));
  });
});
