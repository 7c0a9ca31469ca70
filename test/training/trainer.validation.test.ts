/**
 * A training step validates each thing once per purpose (issue 10, item 4): the input batch once
 * before the network runs it (also with trainable input spikes appended), the output batch once
 * per loss evaluation (the metrics do not check it again), the gradient list once per optimiser
 * step, and a fixed dataset's batch once when the dataset is made. Counted through the checks of
 * lib/base/validate.ts, which every validation in lib/ goes through (jest wraps them, unchanged).
 */
jest.mock('../../lib/base/validate', () => {
  const actual = jest.requireActual('../../lib/base/validate');
  return {
    ...actual,
    expectAttached: jest.fn(actual.expectAttached),
    isFloat64Array: jest.fn(actual.isFloat64Array),
    expectFloat64Arrays: jest.fn(actual.expectFloat64Arrays),
  };
});

import * as validate from '../../lib/base/validate';
import {
  Trainer,
  adam,
  firstSpikeCrossEntropy,
  fixedDataset,
  qif,
  sgd,
  singleNeuron,
  spikeTimeMse,
  type Dataset,
  type InputBatch,
  type NetworkOutput,
} from '../../lib';
import { smallImageTask } from '../helpers/tasks';

const attached = validate.expectAttached as jest.MockedFunction<typeof validate.expectAttached>;
const isF64 = validate.isFloat64Array as unknown as jest.MockedFunction<(v: unknown) => boolean>;
const lists = validate.expectFloat64Arrays as jest.MockedFunction<typeof validate.expectFloat64Arrays>;

/** How often a batch was validated: each validation checks that its sampleStart is attached once. */
const batchChecks = (b: InputBatch) => attached.mock.calls.filter(([a]) => a === b.sampleStart).length;
/** How often an output batch was validated: each validation tests its times once. */
const outputChecks = (times: Float64Array) => isF64.mock.calls.filter(([a]) => a === times).length;

/** A dataset that records the batches it hands out. */
function recording<T>(data: Dataset<T>): { data: Dataset<T>; batches: InputBatch[] } {
  const batches: InputBatch[] = [];
  return {
    batches,
    data: {
      ...data,
      batch(indices, context) {
        const b = data.batch(indices, context);
        batches.push(b.inputs);
        return b;
      },
    },
  };
}

beforeEach(() => jest.clearAllMocks());

describe('one training step validates', () => {
  it('the input batch once and the gradient list once (feed-forward network, image batches)', async () => {
    const { train, net } = smallImageTask(16, 1);
    const { data, batches } = recording(train);
    const trainer = new Trainer({ network: net(), loss: firstSpikeCrossEntropy(), optimizer: adam({ lr: 0.01 }), batchSize: 8 });
    jest.clearAllMocks();
    await trainer.trainBatch(data, Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7]));
    expect(batches).toHaveLength(1);
    expect(batchChecks(batches[0])).toBe(1);
    expect(lists.mock.calls.filter(([, name]) => name === 'grads')).toHaveLength(1);
  });

  it('the input batch once when trainable input spikes are appended to it (single-neuron task)', async () => {
    const { network, batch } = singleNeuron({ neuron: qif(), trainableTimes: [1, 3], trainableWeights: [2, 2], outputCount: 2, T: 10, fixed: { times: [0.5], weights: [1] } });
    const { data, batches } = recording(fixedDataset(batch, new Float64Array([2.5, 7.5])));
    const trainer = new Trainer({ network, loss: spikeTimeMse(), optimizer: sgd({ lr: 0.1, clip: 0.02 }), batchSize: 1 });
    jest.clearAllMocks();
    await trainer.trainBatch(data, Int32Array.of(0));
    expect(batchChecks(batches[0])).toBe(1);
    expect(lists.mock.calls.filter(([, name]) => name === 'grads')).toHaveLength(1);
  });
});

describe('evaluation validates', () => {
  it('each output batch once per loss evaluation, and not again for the accuracies', async () => {
    const { train, net } = smallImageTask(12, 2);
    const network = net();
    const outputs: NetworkOutput[] = [];
    const forwardAsync = network.forwardAsync.bind(network);
    network.forwardAsync = async (b, o) => {
      const out = await forwardAsync(b, o);
      outputs.push(out);
      return out;
    };
    const trainer = new Trainer({ network, loss: firstSpikeCrossEntropy(), optimizer: adam({ lr: 0.01 }), batchSize: 4 });
    jest.clearAllMocks();
    const metrics = await trainer.evaluate(train, 4);
    expect(metrics.accuracy).toBeGreaterThanOrEqual(0);
    expect(outputs).toHaveLength(3);
    // The loss of the merged times checks them once; the clipped copy is another batch, checked
    // once by its own loss evaluation; predictions and accuracies check neither again.
    for (const out of outputs) expect(outputChecks(out.times)).toBe(1);
    const checked = isF64.mock.calls.map(([a]) => a).filter((a) => ArrayBuffer.isView(a) && (a as Float64Array).length === 4 * 2);
    expect(checked).toHaveLength(2 * outputs.length);
  });
});

describe('a fixed dataset', () => {
  it('validates the batch it is given once, when it is made, not for every batch it hands out', () => {
    const given = { samples: 1, times: new Float64Array([0.5, 1]), channels: new Int32Array([0, 1]), sampleStart: new Int32Array([0, 2]) };
    const data = fixedDataset(given, null);
    expect(batchChecks(given)).toBe(1);
    jest.clearAllMocks();
    for (let k = 0; k < 3; k++) data.batch(Int32Array.from([0, 0]), { training: true, rng: undefined as never });
    expect(attached).not.toHaveBeenCalled();
    // It keeps its own copy: changing the given batch later changes nothing.
    given.times[0] = 9;
    expect(data.batch(Int32Array.of(0), { training: false, rng: undefined as never }).inputs.times[0]).toBe(0.5);
  });
});
