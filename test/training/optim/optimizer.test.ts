import { adaBelief } from '../../../lib/training/optim/adabelief';
import { adam } from '../../../lib/training/optim/adam';
import { clamp, type Optimizer, type OptimizerState } from '../../../lib/training/optim/optimizer';
import { exponentialDecay } from '../../../lib/training/optim/schedule';
import { sgd } from '../../../lib/training/optim/sgd';
import { rng } from '../../helpers/numeric';

const argCode = (name: string, code: string) =>
  expect.objectContaining({ code, message: expect.stringContaining(name) });

const shapes = [3, 1, 4];
function gradients(seed: number, steps: number): Float64Array[][] {
  const r = rng(seed);
  return Array.from({ length: steps }, () => shapes.map((n) => Float64Array.from({ length: n }, () => 2 * r() - 1)));
}
function initialParams(): Float64Array[] {
  return shapes.map((n, i) => Float64Array.from({ length: n }, (_, k) => 0.1 * (i + 1) * (k - 1)));
}

const makers: [string, () => Optimizer][] = [
  ['sgd', () => sgd({ lr: exponentialDecay({ initial: 0.1, transitionSteps: 3, decayRate: 0.7 }), clip: 0.5 })],
  ['adam', () => adam({ lr: 1e-2, b2: 0.99 })],
  ['adabelief optax-0.2.3', () => adaBelief({ lr: exponentialDecay({ initial: 1e-2, transitionSteps: 2000, decayRate: Math.exp(-1) }) })],
  ['adabelief optax-0.2.4', () => adaBelief({ lr: 1e-2, variant: 'optax-0.2.4' })],
];

describe.each(makers)('%s state', (_name, make) => {
  it('continues bit-identically after state() -> JSON -> loadState()', () => {
    const grads = gradients(42, 12);
    const straight = make();
    const p1 = initialParams();
    for (const g of grads) straight.step(p1, g);

    const first = make();
    const p2 = initialParams();
    for (const g of grads.slice(0, 5)) first.step(p2, g);
    const saved = JSON.parse(JSON.stringify(first.state())) as OptimizerState;
    const resumed = make();
    resumed.loadState(saved);
    expect(resumed.stepCount).toBe(5);
    for (const g of grads.slice(5)) resumed.step(p2, g);

    expect(p2).toEqual(p1);
    expect(resumed.state()).toEqual(straight.state());
    expect(JSON.stringify(resumed.state())).toBe(JSON.stringify(straight.state()));
  });

  it('a refused step mid-run changes nothing: the run continues bit-identically to one without it', () => {
    const grads = gradients(43, 8);
    const straight = make();
    const p1 = initialParams();
    for (const g of grads) straight.step(p1, g);

    const opt = make();
    const p2 = initialParams();
    for (const g of grads.slice(0, 4)) opt.step(p2, g);
    const before = JSON.stringify(opt.state());
    const pBefore = p2.map((a) => a.slice());
    // A parameter that is already infinite: refused after the moments were computed.
    const kept = p2[1][0];
    p2[1][0] = Infinity;
    expect(() => opt.step(p2, grads[4])).toThrow(argCode('params[1][0] non-finite', 'ERR_SPIKEGRAD_NONFINITE'));
    p2[1][0] = kept;
    // Gradients whose squares overflow the second moments (the optimisers that have them).
    if (opt.name !== 'sgd') {
      expect(() => opt.step(p2, shapes.map((n) => new Float64Array(n).fill(1e200)))).toThrow(argCode('overflowed', 'ERR_SPIKEGRAD_NONFINITE'));
    }
    expect(JSON.stringify(opt.state())).toBe(before);
    expect(p2).toEqual(pBefore);
    for (const g of grads.slice(4)) opt.step(p2, g);
    expect(p2).toEqual(p1);
    expect(JSON.stringify(opt.state())).toBe(JSON.stringify(straight.state()));
  });

  it('computeUpdates returns new arrays that later steps leave alone', () => {
    const opt = make();
    const p = initialParams();
    const [g1, g2, g3] = gradients(44, 3);
    const u1 = opt.computeUpdates(g1);
    const copy = u1.map((u) => u.slice());
    opt.step(p, g2);
    const u3 = opt.computeUpdates(g3);
    expect(u1).toEqual(copy);
    u3.forEach((u, i) => expect(u).not.toBe(u1[i]));
  });

  it('returns a copy: stepping after state() does not change the snapshot', () => {
    const opt = make();
    const p = initialParams();
    opt.step(p, gradients(1, 1)[0]);
    const snap = opt.state();
    const copy = JSON.parse(JSON.stringify(snap));
    opt.step(p, gradients(2, 1)[0]);
    expect(snap).toEqual(copy);
  });
});

describe('optimizer state validation', () => {
  function stepped(): { opt: Optimizer; state: OptimizerState } {
    const opt = adaBelief({ lr: 1e-2 });
    opt.step(initialParams(), gradients(3, 1)[0]);
    return { opt, state: opt.state() };
  }

  it('rejects a state of another optimizer or with other options, naming the field', () => {
    const { state } = stepped();
    expect(() => adam({ lr: 1e-2 }).loadState(state)).toThrow(argCode('state.name', 'ERR_SPIKEGRAD_LOAD'));
    expect(() => adaBelief({ lr: 1e-2, b1: 0.8 }).loadState(state)).toThrow(argCode('state.options.b1', 'ERR_SPIKEGRAD_LOAD'));
    expect(() => adaBelief({ lr: 1e-2, variant: 'optax-0.2.4' }).loadState(state)).toThrow(
      argCode('state.options.variant', 'ERR_SPIKEGRAD_LOAD'),
    );
    expect(() => adaBelief({ lr: 2e-2 }).loadState(state)).toThrow(argCode('state.options.lr', 'ERR_SPIKEGRAD_LOAD'));
    expect(() => adaBelief({ lr: 1e-2 }).loadState({ ...state, options: { ...state.options, extra: 1 } })).toThrow(
      argCode('state.options.extra', 'ERR_SPIKEGRAD_LOAD'),
    );
    expect(() => adaBelief({ lr: 1e-2 }).loadState({ ...state, version: 2 as 1 })).toThrow(argCode('state.version', 'ERR_SPIKEGRAD_LOAD'));
    expect(() => adaBelief({ lr: 1e-2 }).loadState({ ...state, step: -1 })).toThrow(argCode('state.step', 'ERR_SPIKEGRAD_LOAD'));
    expect(() => adaBelief({ lr: 1e-2 }).loadState(null as unknown as OptimizerState)).toThrow(argCode('state', 'ERR_SPIKEGRAD_ARG'));
  });

  it('rejects moment arrays that do not match the shapes, naming them', () => {
    const { state } = stepped();
    const fresh = () => adaBelief({ lr: 1e-2 });
    const nu = state.moments.nu.map((m) => [...m]);
    nu[2] = nu[2].slice(1);
    expect(() => fresh().loadState({ ...state, moments: { ...state.moments, nu } })).toThrow(
      argCode('state.moments.nu[2]', 'ERR_SPIKEGRAD_SHAPE'),
    );
    expect(() => fresh().loadState({ ...state, moments: { mu: state.moments.mu } })).toThrow(
      argCode('state.moments.nu', 'ERR_SPIKEGRAD_SHAPE'),
    );
    expect(() => fresh().loadState({ ...state, shapes: [3, 1] })).toThrow(argCode('state.moments.mu', 'ERR_SPIKEGRAD_SHAPE'));
    const bad = state.moments.mu.map((m) => [...m]) as unknown[][];
    bad[0][1] = null;
    expect(() => fresh().loadState({ ...state, moments: { ...state.moments, mu: bad as number[][] } })).toThrow(
      argCode('state.moments.mu[0][1]', 'ERR_SPIKEGRAD_LOAD'),
    );
    expect(() => fresh().loadState({ ...state, moments: { ...state.moments, v: [] } })).toThrow(argCode("'v'", 'ERR_SPIKEGRAD_LOAD'));
    expect(() => fresh().loadState({ ...state, shapes: null })).toThrow(argCode('state.shapes', 'ERR_SPIKEGRAD_LOAD'));
  });

  it('leaves the optimizer unchanged when loading fails', () => {
    const { opt, state } = stepped();
    const before = opt.state();
    expect(() => opt.loadState({ ...state, step: 7, shapes: [1] })).toThrow();
    expect(opt.state()).toEqual(before);
  });

  it('loads a fresh (never stepped) state', () => {
    const opt = adam({ lr: 0.1 });
    const p = initialParams();
    opt.step(p, gradients(5, 1)[0]);
    opt.loadState(adam({ lr: 0.1 }).state());
    expect(opt.stepCount).toBe(0);
    expect(opt.state().shapes).toBeNull();
    // New shapes are accepted after loading a fresh state.
    opt.step([new Float64Array(2)], [new Float64Array([1, 1])]);
    expect(opt.state().shapes).toEqual([2]);
  });
});

describe('shape checks', () => {
  it('creates state lazily on the first step and checks later steps against it, naming the parameter index', () => {
    const opt = adam({ lr: 0.1 });
    expect(opt.state().shapes).toBeNull();
    const p = initialParams();
    opt.step(p, gradients(6, 1)[0]);
    expect(opt.state().shapes).toEqual(shapes);
    const g = gradients(7, 1)[0];
    expect(() => opt.step(p.slice(0, 2), g.slice(0, 2))).toThrow(argCode('grads', 'ERR_SPIKEGRAD_SHAPE'));
    const short = [g[0], g[1].subarray(0, 0), g[2]];
    expect(() => opt.step(p, short)).toThrow(argCode('grads[1] (parameter 1', 'ERR_SPIKEGRAD_SHAPE'));
    expect(() => opt.step([p[0], new Float64Array(2), p[2]], g)).toThrow(argCode('params[1] (parameter 1', 'ERR_SPIKEGRAD_SHAPE'));
    expect(() => opt.step(p, g.slice(0, 2))).toThrow(argCode('grads', 'ERR_SPIKEGRAD_SHAPE'));
    expect(opt.stepCount).toBe(1);
  });

  it('checks params against grads on the first step', () => {
    const opt = sgd({ lr: 0.1 });
    expect(() => opt.step([new Float64Array(2)], [new Float64Array(3)])).toThrow(argCode('params[0]', 'ERR_SPIKEGRAD_SHAPE'));
    expect(opt.state().shapes).toBeNull();
  });

  it('rejects non-arrays and non-finite gradients without changing the state', () => {
    const opt = adaBelief({ lr: 0.1 });
    const p = initialParams();
    opt.step(p, gradients(8, 1)[0]);
    const before = opt.state();
    const pBefore = p.map((a) => a.slice());
    const g = gradients(9, 1)[0];
    g[2][3] = NaN;
    expect(() => opt.step(p, g)).toThrow(argCode('grads[2][3]', 'ERR_SPIKEGRAD_NONFINITE'));
    expect(() => opt.step(p, [g[0], [1] as unknown as Float64Array, g[2]])).toThrow(argCode('grads[1]', 'ERR_SPIKEGRAD_ARG'));
    expect(() => opt.step(p[0] as unknown as Float64Array[], g)).toThrow(argCode('params', 'ERR_SPIKEGRAD_ARG'));
    expect(opt.state()).toEqual(before);
    expect(p).toEqual(pBefore);
  });
});

describe('computeUpdates', () => {
  it('returns exactly what step adds, advancing the state the same way', () => {
    const a = adam({ lr: 0.05 });
    const b = adam({ lr: 0.05 });
    const p = initialParams();
    for (const g of gradients(10, 3)) {
      const before = p.map((x) => x.slice());
      a.step(p, g);
      const u = b.computeUpdates(g);
      p.forEach((x, i) => x.forEach((v, k) => expect(v).toBe(before[i][k] + u[i][k])));
    }
    expect(b.state()).toEqual(a.state());
  });
});

describe('clamp', () => {
  it('clamps in place and returns the array', () => {
    const a = new Float64Array([-1, 0, 3, 6, 7, NaN]);
    expect(clamp(a, 0, 6)).toBe(a);
    expect(Array.from(a)).toEqual([0, 0, 3, 6, 6, NaN]);
    expect(Array.from(clamp(new Float64Array([-5, 5]), -Infinity, 1))).toEqual([-5, 1]);
  });

  it('rejects bad arguments naming them', () => {
    expect(() => clamp([1] as unknown as Float64Array, 0, 1)).toThrow(argCode('for array', 'ERR_SPIKEGRAD_ARG'));
    expect(() => clamp(new Float64Array(1), 1, 0)).toThrow(argCode('for hi', 'ERR_SPIKEGRAD_RANGE'));
    expect(() => clamp(new Float64Array(1), NaN, 0)).toThrow(argCode('for lo', 'ERR_SPIKEGRAD_NONFINITE'));
    expect(() => clamp(new Float64Array(1), 0, '1' as unknown as number)).toThrow(argCode('for hi', 'ERR_SPIKEGRAD_ARG'));
  });
});
