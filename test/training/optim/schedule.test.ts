import { adam } from '../../../lib/training/optim/adam';
import { sgd } from '../../../lib/training/optim/sgd';
import { constant, exponentialDecay, resolveSchedule, scheduleFromSpec, type ScheduleSpec } from '../../../lib/training/optim/schedule';

const argCode = (name: string, code: string) =>
  expect.objectContaining({ code, message: expect.stringContaining(name) });

describe('constant', () => {
  it('returns the same rate at every step and carries its spec', () => {
    const s = constant(0.1);
    expect([s(0), s(1), s(1e6)]).toEqual([0.1, 0.1, 0.1]);
    expect(s.spec).toEqual({ kind: 'constant', value: 0.1 });
  });
});

describe('exponentialDecay', () => {
  it('is initial * decayRate^(step / transitionSteps), not staircased', () => {
    const lr = exponentialDecay({ initial: 4e-3, transitionSteps: 6000, decayRate: Math.exp(-1) });
    expect(lr(0)).toBe(4e-3);
    expect(lr(6000)).toBeCloseTo(4e-3 / Math.E, 17);
    expect(lr(3000)).toBeCloseTo(4e-3 / Math.sqrt(Math.E), 17);
    expect(lr(600000)).toBeCloseTo(4e-3 * Math.exp(-100), 40);
    // Not staircased: every step decays a little.
    expect(lr(1)).toBeLessThan(lr(0));
    expect(lr(1)).toBeCloseTo(4e-3 * Math.exp(-1 / 6000), 17);
    const rnn = exponentialDecay({ initial: 1e-2, transitionSteps: 2000, decayRate: Math.exp(-1) });
    for (const step of [0, 1, 10, 2000, 10000]) expect(rnn(step)).toBeCloseTo(1e-2 * Math.exp(-step / 2000), 16);
    const halving = exponentialDecay({ initial: 1, transitionSteps: 10, decayRate: 0.5 });
    expect([halving(0), halving(10), halving(20), halving(5)]).toEqual([1, 0.5, 0.25, Math.pow(0.5, 0.5)]);
    expect(rnn.spec).toEqual({ kind: 'exponential_decay', initial: 1e-2, transitionSteps: 2000, decayRate: Math.exp(-1) });
  });

  it('is evaluated at the pre-increment step: the first update uses lr(0)', () => {
    const calls: number[] = [];
    const opt = sgd({
      lr: (step) => {
        calls.push(step);
        return 0.5 ** step;
      },
    });
    const p = [new Float64Array([0])];
    for (let i = 0; i < 3; i++) opt.step(p, [new Float64Array([-1])]);
    expect(calls).toEqual([0, 1, 2]);
    expect(p[0][0]).toBe(1 + 0.5 + 0.25);
  });

  it('rejects bad options naming them', () => {
    const ok = { initial: 1e-2, transitionSteps: 2000, decayRate: 0.5 };
    expect(() => exponentialDecay({ ...ok, transitionSteps: 0 })).toThrow(argCode('transitionSteps', 'ERR_SPIKEGRAD_RANGE'));
    expect(() => exponentialDecay({ ...ok, transitionSteps: -5 })).toThrow(argCode('transitionSteps', 'ERR_SPIKEGRAD_RANGE'));
    expect(() => exponentialDecay({ ...ok, decayRate: 0 })).toThrow(argCode('decayRate', 'ERR_SPIKEGRAD_RANGE'));
    expect(() => exponentialDecay({ ...ok, decayRate: Infinity })).toThrow(argCode('decayRate', 'ERR_SPIKEGRAD_NONFINITE'));
    expect(() => exponentialDecay({ ...ok, initial: -1 })).toThrow(argCode('initial', 'ERR_SPIKEGRAD_RANGE'));
    expect(() => exponentialDecay({ ...ok, initial: '1' as unknown as number })).toThrow(
      expect.objectContaining({ name: 'TypeError', code: 'ERR_SPIKEGRAD_ARG', message: expect.stringMatching(/for initial but received/) }),
    );
    const { decayRate: _d, ...missing } = ok;
    expect(() => exponentialDecay(missing as typeof ok)).toThrow(argCode('decayRate', 'ERR_SPIKEGRAD_ARG'));
    expect(() => exponentialDecay({ ...ok, staircase: true } as unknown as typeof ok)).toThrow(argCode("'staircase'", 'ERR_SPIKEGRAD_ARG'));
    expect(() => exponentialDecay(undefined as unknown as typeof ok)).toThrow(argCode('exponentialDecay options', 'ERR_SPIKEGRAD_ARG'));
    expect(() => constant(-0.1)).toThrow(argCode('lr', 'ERR_SPIKEGRAD_RANGE'));
  });
});

describe('schedule specs', () => {
  it('round-trip through scheduleFromSpec', () => {
    const specs: ScheduleSpec[] = [
      { kind: 'constant', value: 0.3 },
      { kind: 'exponential_decay', initial: 1e-2, transitionSteps: 2000, decayRate: Math.exp(-1) },
    ];
    for (const spec of specs) {
      const s = scheduleFromSpec(JSON.parse(JSON.stringify(spec)) as ScheduleSpec);
      expect(s.spec).toEqual(spec);
    }
    expect(scheduleFromSpec(specs[1])(1234)).toBe(exponentialDecay({ initial: 1e-2, transitionSteps: 2000, decayRate: Math.exp(-1) })(1234));
  });

  it('marks user functions as custom, which cannot be recreated', () => {
    expect(resolveSchedule((s: number) => 1 / (s + 1)).spec).toEqual({ kind: 'custom' });
    expect(resolveSchedule(0.2).spec).toEqual({ kind: 'constant', value: 0.2 });
    expect(() => scheduleFromSpec({ kind: 'custom' })).toThrow(argCode('custom schedule', 'ERR_SPIKEGRAD_LOAD'));
    expect(() => scheduleFromSpec({ kind: 'cosine' } as unknown as ScheduleSpec)).toThrow(argCode('spec.kind', 'ERR_SPIKEGRAD_RANGE'));
    expect(() => resolveSchedule('0.1')).toThrow(argCode('for lr', 'ERR_SPIKEGRAD_ARG'));
  });

  it('turns a non-finite scheduled rate into an error before any state changes', () => {
    const opt = adam({ lr: (step) => (step === 0 ? 0.1 : NaN) });
    const p = [new Float64Array([1])];
    opt.step(p, [new Float64Array([1])]);
    const before = opt.state();
    expect(() => opt.step(p, [new Float64Array([1])])).toThrow(argCode('lr(1)', 'ERR_SPIKEGRAD_NONFINITE'));
    expect(opt.state()).toEqual(before);
  });
});
