import { sgd } from '../../../lib/training/optim/sgd';

const argCode = (name: string, code: string) =>
  expect.objectContaining({ code, message: expect.stringContaining(name) });

describe('sgd', () => {
  it('computes update = -lr * g for the first two steps', () => {
    const opt = sgd({ lr: 0.1 });
    const p = [new Float64Array([1, -2]), new Float64Array([0.5])];
    opt.step(p, [new Float64Array([0.5, -0.25]), new Float64Array([4])]);
    expect(Array.from(p[0])).toEqual([1 - 0.05, -2 + 0.025]);
    expect(Array.from(p[1])).toEqual([0.5 - 0.4]);
    opt.step(p, [new Float64Array([-1, 0]), new Float64Array([2])]);
    expect(Array.from(p[0])).toEqual([1 - 0.05 + 0.1, -2 + 0.025 - 0]);
    expect(Array.from(p[1])).toEqual([0.5 - 0.4 - 0.2]);
    expect(opt.stepCount).toBe(2);
  });

  it('clips every gradient element to [-clip, clip] before the update (method.md 6.2)', () => {
    const opt = sgd({ lr: 0.1, clip: 0.02 });
    const u1 = opt.computeUpdates([new Float64Array([0.5, -0.01, -3, 0.02, 0])]);
    expect(Array.from(u1[0])).toEqual([-0.1 * 0.02, -0.1 * -0.01, -0.1 * -0.02, -0.1 * 0.02, -0]);
    const u2 = opt.computeUpdates([new Float64Array([-0.015, 1e9, -1e-3, 0.019, -0.021])]);
    expect(Array.from(u2[0])).toEqual([-0.1 * -0.015, -0.1 * 0.02, -0.1 * -1e-3, -0.1 * 0.019, -0.1 * -0.02]);
    // At most 0.002 per step per parameter.
    expect(Math.max(...u1[0].map(Math.abs), ...u2[0].map(Math.abs))).toBeLessThanOrEqual(0.002);
  });

  it('uses the schedule at the pre-increment step', () => {
    const opt = sgd({ lr: (step) => [0.1, 0.01][step] });
    expect(opt.computeUpdates([new Float64Array([2])])[0][0]).toBe(-0.2);
    expect(opt.computeUpdates([new Float64Array([2])])[0][0]).toBe(-0.02);
  });

  it('stores clip and lr in its state', () => {
    const opt = sgd({ lr: 0.1, clip: 0.02 });
    expect(opt.state()).toEqual({
      version: 1,
      name: 'sgd',
      options: { lr: { kind: 'constant', value: 0.1 }, clip: 0.02 },
      step: 0,
      shapes: null,
      moments: {},
    });
    expect(sgd({ lr: 0.1 }).state().options.clip).toBeNull();
  });

  it('rejects bad options naming them', () => {
    expect(() => sgd({ lr: 0.1, clip: 0 })).toThrow(argCode('clip', 'ERR_SPIKEGRAD_RANGE'));
    expect(() => sgd({ lr: 0.1, clip: -0.02 })).toThrow(argCode('clip', 'ERR_SPIKEGRAD_RANGE'));
    expect(() => sgd({ lr: 0.1, clip: '0.02' as unknown as number })).toThrow(argCode('clip', 'ERR_SPIKEGRAD_ARG'));
    expect(() => sgd({ lr: -0.1 })).toThrow(argCode('lr', 'ERR_SPIKEGRAD_RANGE'));
    expect(() => sgd({ lr: NaN })).toThrow(argCode('lr', 'ERR_SPIKEGRAD_NONFINITE'));
    expect(() => sgd({} as { lr: number })).toThrow(argCode('for lr', 'ERR_SPIKEGRAD_ARG'));
    expect(() => sgd({ lr: 0.1, momentum: 0.9 } as unknown as { lr: number })).toThrow(argCode("'momentum'", 'ERR_SPIKEGRAD_ARG'));
    expect(() => sgd(undefined as unknown as { lr: number })).toThrow(argCode('sgd options', 'ERR_SPIKEGRAD_ARG'));
  });
});
