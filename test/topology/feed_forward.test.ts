/**
 * feedForward and layerWeights (lib/topology/feed_forward.ts, method.md 6.4): synapse layout,
 * column-major layer views that write through, initialisation bounds and seeding, default initial
 * states, readout and layers, and a short training run on a tiny 2-class ttfs task.
 */
import { feedForward, layerWeights, recurrent } from '../../lib/topology';
import { Network } from '../../lib/network/network';
import { osclif, qif, theta } from '../../lib/neurons';
import { spikeBatch } from '../../lib/network/inputs';
import { ttfsBatch } from '../../lib/data/ttfs';
import { Random } from '../../lib/base/random';
import { accuracy, firstSpikeCrossEntropy } from '../../lib/training/losses';
import { adam } from '../../lib/training/optim';

const coded = (code: string, re: RegExp) => expect.objectContaining({ code, message: expect.stringMatching(re) });

describe('feedForward structure', () => {
  const sizes = [5, 4, 3, 2];
  const net = feedForward({ neuron: theta({ tau: 6 / Math.PI }), sizes, T: 2, seed: 1, outputCount: 2 });
  const s = net.structure;

  it('numbers neurons layer after layer and exposes the layers and the readout', () => {
    expect(s.n).toBe(9);
    expect(s.nIn).toBe(5);
    expect(s.layers!.map((l) => Array.from(l))).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6],
      [7, 8],
    ]);
    expect(Array.from(s.readout.neurons)).toEqual([7, 8]);
    expect(Array.from(s.readout.counts)).toEqual([2, 2]);
    expect(net.slots).toBe(4);
    expect(s.T).toBe(2);
    expect(s.maxEvents).toBe(1000 + 20 * 9);
    expect(feedForward({ neuron: qif(), sizes, T: 2, maxEvents: 77 }).structure.maxEvents).toBe(77);
    expect(s.trainableInputs).toBeUndefined();
    expect(net.params.inputTimes.length).toBe(0);
    expect(net.trainable.inputTimes).toBe(false);
  });

  it('connects every channel to every first-layer neuron and consecutive layers densely', () => {
    expect(s.input.source.length).toBe(5 * 4);
    expect(net.params.inputWeights.length).toBe(20);
    for (let c = 0; c < 5; c++) {
      for (let h = 0; h < 4; h++) {
        expect(s.input.source[c * 4 + h]).toBe(c);
        expect(s.input.target[c * 4 + h]).toBe(h);
      }
    }
    expect(s.recurrent.source.length).toBe(4 * 3 + 3 * 2);
    expect(net.params.weights.length).toBe(18);
    // Grouped by source in increasing order; only layer L-1 -> L.
    const layerOf = (i: number) => s.layers!.findIndex((l) => l.includes(i));
    for (let k = 0; k < s.recurrent.source.length; k++) {
      if (k > 0) expect(s.recurrent.source[k]).toBeGreaterThanOrEqual(s.recurrent.source[k - 1]);
      expect(layerOf(s.recurrent.target[k])).toBe(layerOf(s.recurrent.source[k]) + 1);
    }
    const pairs = new Set(Array.from(s.recurrent.source, (src, k) => `${src}-${s.recurrent.target[k]}`));
    expect(pairs.size).toBe(18);
  });

  it('starts from the default state of the model (theta: phi0 = Theta/2)', () => {
    expect(Array.from(net.params.initial)).toEqual(new Array(9).fill(3));
    const th = feedForward({ neuron: theta(), sizes: [2, 3], T: 2 });
    expect(Array.from(th.params.initial)).toEqual(new Array(3).fill(theta().period / 2));
    const os = feedForward({ neuron: osclif(), sizes: [2, 3], T: 2 });
    expect(Array.from(os.params.initial)).toEqual(new Array(3).fill(osclif().period / 2));
    const q = feedForward({ neuron: qif(), sizes: [2, 3], T: 2 });
    expect(Array.from(q.params.initial)).toEqual(new Array(6).fill(0));
  });

  it('a two-size network has no recurrent synapses, a zero-channel network no input synapses', () => {
    const one = feedForward({ neuron: qif(), sizes: [3, 2], T: 2 });
    expect(one.params.weights.length).toBe(0);
    expect(one.params.inputWeights.length).toBe(6);
    const none = feedForward({ neuron: theta(), sizes: [0, 2, 1], T: 2 });
    expect(none.params.inputWeights.length).toBe(0);
    const out = none.forward(spikeBatch([{ times: [], channels: [] }]));
    expect(out.times.length).toBe(1);
    expect(Number.isFinite(out.times[0])).toBe(true);
  });
});

describe('layerWeights', () => {
  const sizes = [5, 4, 3, 2];
  const net = feedForward({ neuron: qif(), sizes, T: 4, wScale: 10, seed: 2 });
  const s = net.structure;

  it('returns column-major views W[post][pre] = data[post + pre * rows] onto the synapses', () => {
    for (let L = 0; L < 3; L++) {
      const view = layerWeights(net, L);
      expect(view.rows).toBe(sizes[L + 1]);
      expect(view.cols).toBe(sizes[L]);
      expect(view.data.length).toBe(view.rows * view.cols);
      const params = L === 0 ? net.params.inputWeights : net.params.weights;
      const list = L === 0 ? s.input : s.recurrent;
      expect(view.data.buffer).toBe(params.buffer);
      const first = (view.data.byteOffset - params.byteOffset) / 8;
      for (let pre = 0; pre < view.cols; pre++) {
        for (let post = 0; post < view.rows; post++) {
          const k = first + post + pre * view.rows;
          expect(view.data[post + pre * view.rows]).toBe(params[k]);
          expect(list.source[k]).toBe(L === 0 ? pre : s.layers![L - 1][pre]);
          expect(list.target[k]).toBe(s.layers![L][post]);
        }
      }
    }
    expect(layerWeights(net, 0).data).toBe(net.params.inputWeights);
    // The recurrent views tile params.weights.
    expect(layerWeights(net, 1).data.byteOffset).toBe(net.params.weights.byteOffset);
    expect(layerWeights(net, 2).data.byteOffset).toBe(net.params.weights.byteOffset + 12 * 8);
  });

  it('writes through to the network', () => {
    const c = net.clone();
    const batch = spikeBatch([{ times: [0.2, 0.4], channels: [0, 3] }]);
    const before = c.forward(batch).times.slice();
    const W = layerWeights(c, 2);
    W.data[1 + 2 * W.rows] = 7.5; // hidden-2 neuron 2 -> output 1
    const k = c.structure.recurrent.source.findIndex((src, q) => src === s.layers![1][2] && c.structure.recurrent.target[q] === s.layers![2][1]);
    expect(c.params.weights[k]).toBe(7.5);
    const Win = layerWeights(c, 0);
    Win.data.fill(0);
    expect(c.params.inputWeights.every((x) => x === 0)).toBe(true);
    expect(c.forward(batch).times).not.toEqual(before);
    // The original is untouched (clone copies).
    expect(net.params.inputWeights.some((x) => x !== 0)).toBe(true);
  });

  it('rejects bad layer indices and non-layered networks', () => {
    expect(() => layerWeights(net, 3)).toThrow(coded('ERR_SPIKEGRAD_RANGE', /layer index/));
    expect(() => layerWeights(net, -1)).toThrow(coded('ERR_SPIKEGRAD_RANGE', /layer index/));
    expect(() => layerWeights(net, 0.5)).toThrow(coded('ERR_SPIKEGRAD_RANGE', /layer index/));
    const rnn = recurrent({ neuron: qif(), n: 2, nIn: 1, inputs: [], readout: { neurons: [0], counts: [1] }, T: 1 });
    expect(() => layerWeights(rnn, 0)).toThrow(coded('ERR_SPIKEGRAD_ARG', /layered/));
  });
});

describe('feedForward initialisation', () => {
  const sizes = [60, 40, 30, 10];

  it('draws weights in +-wScale / sqrt(fan-in) per layer, filling the range', () => {
    for (const wScale of [0.5, 2]) {
      const net = feedForward({ neuron: theta(), sizes, T: 2, wScale, seed: 3 });
      for (let L = 0; L < 3; L++) {
        const bound = wScale / Math.sqrt(sizes[L]);
        const d = Array.from(layerWeights(net, L).data);
        expect(Math.max(...d.map(Math.abs))).toBeLessThanOrEqual(bound);
        expect(Math.max(...d)).toBeGreaterThan(0.9 * bound);
        expect(Math.min(...d)).toBeLessThan(-0.9 * bound);
        const mean = d.reduce((a, b) => a + b, 0) / d.length;
        expect(Math.abs(mean)).toBeLessThan(0.15 * bound);
      }
    }
    const def = feedForward({ neuron: theta(), sizes, T: 2, seed: 3 });
    const half = feedForward({ neuron: theta(), sizes, T: 2, seed: 3, wScale: 0.5 });
    expect(def.params.weights).toEqual(half.params.weights);
    const zero = feedForward({ neuron: theta(), sizes, T: 2, seed: 3, wScale: 0 });
    expect(zero.params.weights.every((x) => x === 0) && zero.params.inputWeights.every((x) => x === 0)).toBe(true);
  });

  it('is reproducible from the seed (default 0) and differs between seeds', () => {
    const a = feedForward({ neuron: qif(), sizes, T: 2, seed: 9 });
    const b = feedForward({ neuron: qif(), sizes, T: 2, seed: 9 });
    const c = feedForward({ neuron: qif(), sizes, T: 2, seed: 10 });
    expect(a.params.weights).toEqual(b.params.weights);
    expect(a.params.inputWeights).toEqual(b.params.inputWeights);
    expect(a.params.weights).not.toEqual(c.params.weights);
    expect(feedForward({ neuron: qif(), sizes, T: 2 }).params.inputWeights).toEqual(feedForward({ neuron: qif(), sizes, T: 2, seed: 0 }).params.inputWeights);
    // The same seed gives the same weights for another neuron model (the draws do not depend on it).
    expect(feedForward({ neuron: theta(), sizes, T: 2, seed: 9 }).params.weights).toEqual(a.params.weights);
  });

  it('the MNIST network at initialisation is essentially silent with outputs near T + Theta - 5 = 3', () => {
    const rng = new Random(4);
    const net = feedForward({ neuron: theta({ tau: 6 / Math.PI }), sizes: [784, 100, 100, 10], T: 2, seed: 1 });
    const images = Uint8Array.from({ length: 20 * 784 }, () => (rng.uniform() < 0.2 ? 200 + rng.int(56) : rng.int(60)));
    const out = net.forward(ttfsBatch(images, 784, { T: 2 }));
    const hidden = out.spikeCount.subarray(0, 200).reduce((a, b) => a + b, 0);
    expect(hidden / (20 * 200)).toBeLessThan(0.05);
    for (const t of out.times) expect(Math.abs(t - 3)).toBeLessThan(0.5);
    expect(out.isPseudo.every((p) => p === 1)).toBe(true);
  });
});

describe('feedForward training sanity', () => {
  it('a few Adam steps reduce the cross-entropy on a 2-class ttfs task of 8 images', async () => {
    const rng = new Random(1);
    const pixels = 16;
    const images = Uint8Array.from({ length: 8 * pixels }, () => rng.int(256));
    const labels = [0, 1, 0, 1, 1, 0, 1, 0];
    const net = feedForward({ neuron: theta({ tau: 6 / Math.PI }), sizes: [pixels, 8, 2], T: 2, wScale: 2, seed: 1 });
    const batch = ttfsBatch(images, pixels, { T: 2 });
    const loss = firstSpikeCrossEntropy();
    const opt = adam({ lr: 0.05 });
    const values: number[] = [];
    for (let step = 0; step < 15; step++) {
      const { loss: r, grad } = await net.lossAndGradient(batch, loss, labels, { threads: 2 });
      values.push(r.value);
      opt.step(net.parameterList(), Network.gradientList(grad));
      net.constrain();
      const Theta = 6;
      expect(net.params.initial.every((x) => x >= 0 && x <= Theta)).toBe(true);
    }
    const final = loss.compute(net.forward(batch), labels).value;
    expect(final).toBeLessThan(0.5 * values[0]);
    expect(accuracy(net.forward(batch), labels)).toBe(1);
  });
});

describe('argument errors carry a code and name the option', () => {
  it('feedForward', () => {
    const ok = { neuron: qif(), sizes: [3, 2], T: 2 };
    expect(() => feedForward({ ...ok, sizes: [3] })).toThrow(coded('ERR_SPIKEGRAD_ARG', /sizes/));
    expect(() => feedForward({ ...ok, sizes: 'x' as never })).toThrow(coded('ERR_SPIKEGRAD_ARG', /sizes/));
    expect(() => feedForward({ ...ok, sizes: [3, 0] })).toThrow(coded('ERR_SPIKEGRAD_RANGE', /sizes\[1\]/));
    expect(() => feedForward({ ...ok, sizes: [3, 2.5] })).toThrow(coded('ERR_SPIKEGRAD_RANGE', /sizes\[1\]/));
    expect(() => feedForward({ ...ok, sizes: [3, '2' as never] })).toThrow(coded('ERR_SPIKEGRAD_ARG', /sizes\[1\]/));
    expect(() => feedForward({ ...ok, T: 0 })).toThrow(coded('ERR_SPIKEGRAD_RANGE', /\bT\b/));
    expect(() => feedForward({ ...ok, T: -1 })).toThrow(coded('ERR_SPIKEGRAD_RANGE', /\bT\b/));
    expect(() => feedForward({ ...ok, T: '2' as never })).toThrow(coded('ERR_SPIKEGRAD_ARG', /\bT\b/));
    expect(() => feedForward({ ...ok, wScale: -1 })).toThrow(coded('ERR_SPIKEGRAD_RANGE', /wScale/));
    expect(() => feedForward({ ...ok, wScale: Infinity })).toThrow(coded('ERR_SPIKEGRAD_RANGE', /wScale/));
    expect(() => feedForward({ ...ok, seed: -1 })).toThrow(coded('ERR_SPIKEGRAD_RANGE', /seed/));
    expect(() => feedForward({ ...ok, outputCount: 0 })).toThrow(coded('ERR_SPIKEGRAD_RANGE', /outputCount/));
    expect(() => feedForward({ ...ok, maxEvents: -5 })).toThrow(coded('ERR_SPIKEGRAD_RANGE', /maxEvents/));
    expect(() => feedForward({ ...ok, wscale: 1 } as never)).toThrow(coded('ERR_SPIKEGRAD_ARG', /wscale/));
    expect(() => feedForward({ ...ok, neuron: 'qif' as never })).toThrow(coded('ERR_SPIKEGRAD_ARG', /neuron/));
    expect(() => feedForward(null as never)).toThrow(coded('ERR_SPIKEGRAD_ARG', /options/));
    expect(() => feedForward({ ...ok, T: 0 })).toThrow(expect.objectContaining({ name: 'RangeError' }));
    expect(() => feedForward({ ...ok, sizes: [3] })).toThrow(expect.objectContaining({ name: 'TypeError' }));
  });
});
