import {
  adaBelief,
  feedForward,
  firstSpikeCrossEntropy,
  spikeBatch,
  spikeDataset,
  spikeTimeMse,
  theta,
  Trainer,
  yinYang,
  yinYangSpikes,
} from 'spikegrad';

const set = yinYang({ size: 60, seed: 4 });
const samples = yinYangSpikes(set, { T: 2, tEarly: 0.1, tLate: 1.1, bias: 0.6 });

/** The trainer of a small 5-12-3 theta network (yin-yang: 5 input channels, 3 classes). */
function trainer(): Trainer<Int32Array> {
  return new Trainer({
    network: feedForward({ neuron: theta({ tau: 6 / Math.PI }), sizes: [5, 12, 3], T: 2, seed: 2, wScale: 3 }),
    loss: firstSpikeCrossEntropy({ gamma: 0.01 }),
    optimizer: adaBelief({ lr: 0.01 }),
    batchSize: 20,
  });
}

/** Accuracy computed here from the output times: the earliest output of each sample decides. */
async function accuracyByHand(t: Trainer<Int32Array>, labels: ArrayLike<number>): Promise<number> {
  const out = await t.network.forwardAsync(spikeBatch(samples));
  let correct = 0;
  for (let s = 0; s < out.samples; s++) {
    let best = 0;
    for (let q = 1; q < out.slots; q++) if (out.times[s * out.slots + q] < out.times[s * out.slots + best]) best = q;
    if (best === labels[s]) correct++;
  }
  return correct / out.samples;
}

describe('spikeDataset', () => {
  it('takes the Int32Array labels of yinYang() as targets and reports accuracy', async () => {
    const data = spikeDataset(samples, set.labels);
    expect(data.size).toBe(60);
    const batch = data.batch(Int32Array.from([3, 0, 7]), { training: true, rng: undefined as never });
    expect(Object.prototype.toString.call(batch.targets)).toBe('[object Int32Array]');
    expect(Array.from(batch.targets)).toEqual([set.labels[3], set.labels[0], set.labels[7]]);
    expect(batch.inputs.samples).toBe(3);
    expect(Array.from(data.labels!(Int32Array.from([5, 1])))).toEqual([set.labels[5], set.labels[1]]);
    const t = trainer();
    await t.fit({ train: data, test: data, epochs: 2, progress: false });
    const m = t.history[t.history.length - 1].test!;
    expect(m.accuracy).toBeCloseTo(await accuracyByHand(t, set.labels), 12);
    expect(m.accuracyOrdinary).toBeDefined();
  });

  it('keeps the labels it was given: a later change of the caller array does not reach it', () => {
    const labels = Int32Array.from(set.labels);
    const data = spikeDataset(samples, labels);
    labels[0] = labels[0] === 0 ? 1 : 0;
    expect(data.batch(Int32Array.from([0]), { training: false, rng: undefined as never }).targets[0]).toBe(set.labels[0]);
  });

  it('takes labels beside array targets (arrays or Int32Array) and reports accuracy', async () => {
    const plain = Array.from(set.labels);
    for (const labels of [plain, set.labels]) {
      const data = spikeDataset(samples, plain, { labels });
      expect(Array.from(data.labels!(Int32Array.from([2, 9])))).toEqual([plain[2], plain[9]]);
      expect(Array.isArray(data.batch(Int32Array.from([2]), { training: false, rng: undefined as never }).targets)).toBe(true);
    }
    const t = trainer();
    const m = await t.evaluate(spikeDataset(samples, plain, { labels: plain }) as never);
    expect(m.accuracy).toBeCloseTo(await accuracyByHand(t, plain), 12);
  });

  it('has no labels (and no accuracy) without them', async () => {
    const data = spikeDataset(samples, Array.from(set.labels));
    expect(data.labels).toBeUndefined();
    const net = feedForward({ neuron: theta({ tau: 6 / Math.PI }), sizes: [5, 4, 3], T: 2, seed: 1 });
    const targets = samples.map(() => new Float64Array([1, 1.5, 1.8]));
    const t = new Trainer({ network: net, loss: spikeTimeMse(), optimizer: adaBelief({ lr: 0.01 }), batchSize: 30 });
    const m = await t.evaluate(spikeDataset(samples, targets) as never);
    expect(m.accuracy).toBeUndefined();
    expect(Number.isFinite(m.loss)).toBe(true);
  });

  it('refuses bad labels and options with coded errors', () => {
    const two = samples.slice(0, 2);
    expect(() => spikeDataset(two, [0, 1], { labels: [0] })).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_SHAPE' }));
    expect(() => spikeDataset(two, [0, 1], { labels: [0, 1.5] })).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_RANGE', message: expect.stringMatching(/labels\[1\]/) }));
    expect(() => spikeDataset(two, [0, 1], { labels: [0, -1] })).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_RANGE' }));
    expect(() => spikeDataset(two, [0, 1], { labels: [0, '1' as never] })).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_ARG' }));
    expect(() => spikeDataset(two, [0, 1], { labels: 'ab' as never })).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_ARG' }));
    expect(() => spikeDataset(two, Int32Array.from([0]))).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_SHAPE' }));
    expect(() => spikeDataset(two, Int32Array.from([0, -2]))).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_RANGE' }));
    expect(() => spikeDataset(two, new Float64Array([0, 1]) as never)).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_ARG' }));
    expect(() => spikeDataset(two, [0, 1], { lables: [0, 1] } as never)).toThrow(
      expect.objectContaining({ code: 'ERR_SPIKEGRAD_ARG', message: expect.stringMatching(/did you mean 'labels'/) }),
    );
  });
});
