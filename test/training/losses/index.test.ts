import {
  firstSpikeCrossEntropy,
  lossByName,
  lossNames,
  spikeTimeMse,
  targetTrainLoss,
} from '../../../lib/training/losses';
import type { OutputBatch } from '../../../lib/network/output';

describe('lossByName', () => {
  it('creates every built-in loss by its name, with options', () => {
    expect(lossNames()).toEqual(['first_spike_cross_entropy', 'spike_time_mse', 'target_train']);
    for (const name of lossNames()) expect(lossByName(name).name).toBe(name);
    const out: OutputBatch = { times: new Float64Array([0.5, 2.5, 1.0]), samples: 1, slots: 3, T: 2 };
    expect(lossByName('first_spike_cross_entropy', { gamma: 0.2 }).compute(out, [1])).toEqual(
      firstSpikeCrossEntropy({ gamma: 0.2 }).compute(out, [1]),
    );
    expect(lossByName('spike_time_mse').compute(out, new Float64Array(3))).toEqual(spikeTimeMse().compute(out, new Float64Array(3)));
    expect(lossByName('target_train', { sentinel: 1.3 }).compute(out, [[0.4, 1.2]])).toEqual(
      targetTrainLoss({ sentinel: 1.3 }).compute(out, [[0.4, 1.2]]),
    );
  });

  it('rejects unknown names listing the known ones, and passes bad options to the loss', () => {
    expect(() => lossByName('hinge')).toThrow(
      expect.objectContaining({
        name: 'RangeError',
        code: 'ERR_SPIKEGRAD_RANGE',
        message: "Unknown loss 'hinge' (known: first_spike_cross_entropy, spike_time_mse, target_train)",
      }),
    );
    expect(() => lossByName('toString')).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_RANGE' }));
    expect(() => lossByName(3 as unknown as string)).toThrow(
      expect.objectContaining({ code: 'ERR_SPIKEGRAD_ARG', message: expect.stringContaining('for name') }),
    );
    expect(() => lossByName('first_spike_cross_entropy', { gamma: -1 })).toThrow(
      expect.objectContaining({ code: 'ERR_SPIKEGRAD_RANGE', message: expect.stringContaining('gamma') }),
    );
  });
});
