import {
  adaBelief,
  adam,
  exponentialDecay,
  optimizerFromState,
  sgd,
  type Optimizer,
  type OptimizerState,
} from '../../../lib/training/optim';

const argCode = (name: string, code: string) =>
  expect.objectContaining({ code, message: expect.stringContaining(name) });

function grads(step: number): Float64Array[] {
  return [Float64Array.from([Math.sin(step + 1), Math.cos(3 * step)]), Float64Array.from([0.1 * (step - 4)])];
}

const makers: [string, () => Optimizer][] = [
  ['sgd', () => sgd({ lr: 0.1, clip: 0.3 })],
  ['adam', () => adam({ lr: exponentialDecay({ initial: 1e-2, transitionSteps: 5, decayRate: 0.9 }), epsRoot: 1e-12 })],
  ['adabelief', () => adaBelief({ lr: 4e-3, b2: 0.99 })],
  ['adabelief 0.2.4', () => adaBelief({ lr: 4e-3, variant: 'optax-0.2.4' })],
];

describe.each(makers)('optimizerFromState (%s)', (_name, make) => {
  it('recreates the optimizer and continues bit-identically', () => {
    const straight = make();
    const p1 = [new Float64Array([0.3, -0.2]), new Float64Array([1])];
    for (let i = 0; i < 10; i++) straight.step(p1, grads(i));

    const first = make();
    const p2 = [new Float64Array([0.3, -0.2]), new Float64Array([1])];
    for (let i = 0; i < 4; i++) first.step(p2, grads(i));
    const resumed = optimizerFromState(JSON.parse(JSON.stringify(first.state())) as OptimizerState);
    expect(resumed.name).toBe(first.name);
    expect(resumed.stepCount).toBe(4);
    for (let i = 4; i < 10; i++) resumed.step(p2, grads(i));
    expect(p2).toEqual(p1);
    expect(resumed.state()).toEqual(straight.state());
  });
});

describe('optimizerFromState', () => {
  it('needs the function again for a custom schedule, and may replace the learning rate', () => {
    const lr = (step: number) => 0.1 / (1 + step);
    const opt = adam({ lr });
    const p = [new Float64Array(2), new Float64Array(1)];
    opt.step(p, grads(0));
    const saved = JSON.parse(JSON.stringify(opt.state())) as OptimizerState;
    expect(saved.options.lr).toEqual({ kind: 'custom' });
    expect(() => optimizerFromState(saved)).toThrow(argCode('state.options.lr', 'ERR_SPIKEGRAD_LOAD'));
    const resumed = optimizerFromState(saved, { lr });
    const q = p.map((a) => a.slice());
    opt.step(p, grads(1));
    resumed.step(q, grads(1));
    expect(q).toEqual(p);
    const slower = optimizerFromState(saved, { lr: 0.01 });
    expect(slower.state().options.lr).toEqual({ kind: 'constant', value: 0.01 });
    expect(slower.stepCount).toBe(1);
  });

  it('rejects unknown optimizers and malformed states', () => {
    const state = sgd({ lr: 0.1 }).state();
    expect(() => optimizerFromState({ ...state, name: 'rmsprop' })).toThrow(argCode("'rmsprop'", 'ERR_SPIKEGRAD_LOAD'));
    expect(() => optimizerFromState('x' as unknown as OptimizerState)).toThrow(argCode('for state', 'ERR_SPIKEGRAD_ARG'));
    expect(() => optimizerFromState({ ...state, options: null as unknown as OptimizerState['options'] })).toThrow(
      argCode('state.options', 'ERR_SPIKEGRAD_ARG'),
    );
    expect(() => optimizerFromState(state, { learningRate: 1 } as never)).toThrow(argCode("'learningRate'", 'ERR_SPIKEGRAD_ARG'));
    expect(() => optimizerFromState({ ...state, options: { ...state.options, clip: -1 } })).toThrow(argCode('clip', 'ERR_SPIKEGRAD_RANGE'));
  });
});
