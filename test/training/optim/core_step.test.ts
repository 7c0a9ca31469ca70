/**
 * The core's optimiser step (native/core/optim.cc, through BaseOptimizer's coreStep fast path on
 * the native backend) against the TypeScript updateArray path, bit for bit: Adam and both
 * AdaBelief variants, many steps of random gradients of several magnitudes and a decaying
 * learning rate, parameters and the whole saved state compared; a step that overflows takes
 * the checked path and is refused as before.
 */
import { adaBelief } from '../../../lib/training/optim/adabelief';
import { adam } from '../../../lib/training/optim/adam';
import { backend, native } from '../../../lib/base/native';
import type { Optimizer } from '../../../lib/training/optim/optimizer';
import { exponentialDecay } from '../../../lib/training/optim/schedule';
import { Random } from '../../../lib/base/random';

const makers: [string, () => Optimizer][] = [
  ['adam', () => adam({ lr: exponentialDecay({ initial: 0.05, transitionSteps: 7, decayRate: 0.6 }), b2: 0.99, epsRoot: 1e-9 })],
  ['adabelief optax-0.2.3', () => adaBelief({ lr: exponentialDecay({ initial: 1e-2, transitionSteps: 5, decayRate: 0.5 }) })],
  ['adabelief optax-0.2.4', () => adaBelief({ lr: 2e-2, variant: 'optax-0.2.4', eps: 1e-12 })],
];

/** The same optimiser with the core step switched off: updateArray only. */
function inTypeScript(make: () => Optimizer): Optimizer {
  const opt = make();
  (opt as unknown as { coreStep?: unknown }).coreStep = undefined;
  return opt;
}

const shapes = [257, 3, 40];

describe.each(makers)('%s: the core step', (_name, make) => {
  it('equals updateArray bit for bit over many steps', () => {
    if (backend !== 'native') return; // the fast path runs on the native backend only
    const rng = new Random(31);
    const calls = jest.spyOn(native, 'adamStep');
    const a = make();
    const b = inTypeScript(make);
    const pa = shapes.map((n) => Float64Array.from({ length: n }, () => rng.uniform() - 0.5));
    const pb = pa.map((p) => p.slice());
    for (let step = 0; step < 25; step++) {
      const scale = 10 ** (rng.uniform() * 8 - 4);
      const grads = shapes.map((n) => Float64Array.from({ length: n }, () => (rng.uniform() - 0.5) * scale));
      a.step(pa, grads);
      b.step(pb, grads);
      const u = a.computeUpdates(grads);
      const w = b.computeUpdates(grads);
      expect(u).toEqual(w);
    }
    expect(pa).toEqual(pb);
    expect(JSON.stringify(a.state())).toBe(JSON.stringify(b.state()));
    // a took the core path: one call per array and step (step and computeUpdates), b never.
    expect(calls).toHaveBeenCalledTimes(2 * 25 * shapes.length);
    calls.mockRestore();
  });

  it('takes the checked path for a step that overflows: refused, nothing changed, as in TypeScript', () => {
    const a = make();
    const b = inTypeScript(make);
    const p = [new Float64Array([1, 2, 3])];
    const grads = [new Float64Array([0.1, -0.2, 0.3])];
    a.step(p.map((x) => x.slice()), grads);
    b.step(p.map((x) => x.slice()), grads);
    const huge = [new Float64Array([1e200, 0, 0])];
    const before = JSON.stringify(a.state());
    const thrown = (o: Optimizer) => {
      try {
        o.step(p, huge);
      } catch (e) {
        return { code: (e as { code?: string }).code, message: (e as Error).message };
      }
      return undefined;
    };
    expect(thrown(a)).toEqual(thrown(b));
    expect(thrown(a)).toEqual(expect.objectContaining({ code: 'ERR_SPIKEGRAD_NONFINITE' }));
    expect(JSON.stringify(a.state())).toBe(before);
    expect(Array.from(p[0])).toEqual([1, 2, 3]);
  });
});
