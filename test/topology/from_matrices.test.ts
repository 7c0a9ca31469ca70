/**
 * fromMatrices (lib/topology/from_matrices.ts): dense weights[post][pre] and masks become synapse
 * lists grouped by source (column-major order), initial states, layers and trainable flags pass
 * through, a layered network equals the feedForward network with the same weights, and a short
 * training run on a two-neuron chain.
 */
import { feedForward, fromMatrices, layerWeights } from '../../lib/topology';
import { Network } from '../../lib/network/network';
import { qif, theta } from '../../lib/neurons';
import { spikeBatch } from '../../lib/network/inputs';
import { ttfsBatch } from '../../lib/data/ttfs';
import { Random } from '../../lib/base/random';
import { spikeTimeMse } from '../../lib/training/losses';
import { adam } from '../../lib/training/optim';

const coded = (code: string, re: RegExp) => expect.objectContaining({ code, message: expect.stringMatching(re) });

describe('fromMatrices structure', () => {
  const weights = [
    [0, 1.5, 0],
    [2, 0, -1],
    [0, 0, 0],
  ];
  const weightMask = [
    [0, 1, 0],
    [1, 0, 1],
    [1, 0, 0],
  ];
  const inputWeights = [
    [4, 0],
    [0, 0],
    [-3, 0.5],
  ];
  const inputMask = [
    [1, 0],
    [0, 0],
    [1, 1],
  ];
  const net = fromMatrices({ neuron: qif(), weights, weightMask, inputWeights, inputMask, readout: { neurons: [2, 0], counts: [1, 3] }, T: 4, maxEvents: 50 });
  const s = net.structure;

  it('keeps the masked synapses, grouped by source with increasing targets (column-major)', () => {
    expect(Array.from(s.recurrent.source)).toEqual([0, 0, 1, 2]);
    expect(Array.from(s.recurrent.target)).toEqual([1, 2, 0, 1]);
    // A masked-in synapse of weight 0 (2 <- 0) exists and is a parameter.
    expect(Array.from(net.params.weights)).toEqual([2, 0, 1.5, -1]);
    expect(Array.from(s.input.source)).toEqual([0, 0, 1]);
    expect(Array.from(s.input.target)).toEqual([0, 2, 2]);
    expect(Array.from(net.params.inputWeights)).toEqual([4, -3, 0.5]);
    expect(s.n).toBe(3);
    expect(s.nIn).toBe(2);
    expect(Array.from(s.readout.neurons)).toEqual([2, 0]);
    expect(Array.from(s.readout.counts)).toEqual([1, 3]);
    expect(s.T).toBe(4);
    expect(s.maxEvents).toBe(50);
    expect(s.layers).toBeUndefined();
    expect(Array.from(net.params.initial)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('without masks every entry is a synapse (zeros included)', () => {
    const all = fromMatrices({ neuron: qif(), weights, inputWeights, readout: { neurons: [0], counts: [1] }, T: 4, maxEvents: 50 });
    expect(all.params.weights.length).toBe(9);
    expect(all.params.inputWeights.length).toBe(6);
    // Column-major: entry k = post + pre * n.
    for (let pre = 0; pre < 3; pre++) {
      for (let post = 0; post < 3; post++) {
        const k = post + pre * 3;
        expect([all.structure.recurrent.source[k], all.structure.recurrent.target[k]]).toEqual([pre, post]);
        expect(all.params.weights[k]).toBe(weights[post][pre]);
      }
    }
  });

  it('passes initial states, layers and trainable flags through', () => {
    const th = fromMatrices({
      neuron: theta(),
      weights: [
        [0, 0],
        [1, 0],
      ],
      weightMask: [
        [0, 0],
        [1, 0],
      ],
      inputWeights: [[1], [0]],
      inputMask: [[1], [0]],
      initial: [0.5, 2],
      layers: [[0], [1]],
      readout: { neurons: [1], counts: [1] },
      T: 2,
      maxEvents: 20,
      trainable: { initial: false },
    });
    expect(Array.from(th.params.initial)).toEqual([0.5, 2]);
    expect(th.structure.layers!.map((l) => Array.from(l))).toEqual([[0], [1]]);
    expect(th.trainable.initial).toBe(false);
    const def = fromMatrices({ neuron: theta(), weights: [[0]], inputWeights: [[1]], readout: { neurons: [0], counts: [1] }, T: 2, maxEvents: 20 });
    expect(Array.from(def.params.initial)).toEqual([theta().period / 2]);
    // No input channels at all.
    const noIn = fromMatrices({ neuron: qif(), weights: [[0]], inputWeights: [[]], readout: { neurons: [0], counts: [1] }, T: 2, maxEvents: 20 });
    expect(noIn.structure.nIn).toBe(0);
  });

  it('rejects malformed matrices naming the entry', () => {
    const ok = { neuron: qif(), weights: [[0]], inputWeights: [[1]], readout: { neurons: [0], counts: [1] }, T: 2, maxEvents: 20 };
    expect(() => fromMatrices({ ...ok, weights: [] })).toThrow(coded('ERR_SPIKEGRAD_ARG', /weights/));
    expect(() => fromMatrices({ ...ok, weights: [[0], [0]] })).toThrow(coded('ERR_SPIKEGRAD_SHAPE', /weights\[0\]/));
    expect(() => fromMatrices({ ...ok, inputWeights: [[1], [2]] })).toThrow(coded('ERR_SPIKEGRAD_SHAPE', /inputWeights/));
    expect(() => fromMatrices({ ...ok, weights: [[Infinity]] })).toThrow(coded('ERR_SPIKEGRAD_NONFINITE', /weights\[0\]\[0\]/));
    expect(() => fromMatrices({ ...ok, weights: [[1]], weightMask: [[0]] })).toThrow(coded('ERR_SPIKEGRAD_RANGE', /weights\[0\]\[0\] must be 0/));
    expect(() => fromMatrices({ ...ok, initial: [0] })).toThrow(coded('ERR_SPIKEGRAD_SHAPE', /initial/));
    expect(() => fromMatrices({ ...ok, T: -1 })).toThrow(coded('ERR_SPIKEGRAD_RANGE', /\bT\b/));
    expect(() => fromMatrices({ ...ok, maxEvents: 2.5 })).toThrow(coded('ERR_SPIKEGRAD_RANGE', /maxEvents/));
    expect(() => fromMatrices({ ...ok, neuron: {} as never })).toThrow(coded('ERR_SPIKEGRAD_ARG', /neuron/));
    expect(() => fromMatrices({ ...ok, readout: { neurons: [1], counts: [1] } })).toThrow(expect.objectContaining({ code: expect.stringMatching(/^ERR_SPIKEGRAD_/), message: expect.stringMatching(/readout/) }));
  });
});

describe('a layered fromMatrices network equals feedForward with the same weights', () => {
  it('gives bitwise identical outputs and gradients', () => {
    const sizes = [6, 4, 3];
    const ff = feedForward({ neuron: theta({ tau: 6 / Math.PI }), sizes, T: 2.5, wScale: 6, seed: 11 });
    const n = 7;
    const W = Array.from({ length: n }, () => new Array(n).fill(0));
    const M = Array.from({ length: n }, () => new Array(n).fill(0));
    const Win = Array.from({ length: n }, () => new Array(6).fill(0));
    const Min = Array.from({ length: n }, () => new Array(6).fill(0));
    const L0 = layerWeights(ff, 0);
    for (let c = 0; c < 6; c++) {
      for (let h = 0; h < 4; h++) {
        Win[h][c] = L0.data[h + c * L0.rows];
        Min[h][c] = 1;
      }
    }
    const L1 = layerWeights(ff, 1);
    for (let pre = 0; pre < 4; pre++) {
      for (let post = 0; post < 3; post++) {
        W[4 + post][pre] = L1.data[post + pre * L1.rows];
        M[4 + post][pre] = 1;
      }
    }
    const fm = fromMatrices({
      neuron: theta({ tau: 6 / Math.PI }),
      weights: W,
      weightMask: M,
      inputWeights: Win,
      inputMask: Min,
      layers: [
        [0, 1, 2, 3],
        [4, 5, 6],
      ],
      readout: { neurons: [4, 5, 6], counts: [1, 1, 1] },
      T: 2.5,
      maxEvents: ff.structure.maxEvents,
    });
    expect(fm.structure.recurrent).toEqual(ff.structure.recurrent);
    expect(fm.structure.input).toEqual(ff.structure.input);
    expect(fm.params.weights).toEqual(ff.params.weights);
    expect(fm.params.inputWeights).toEqual(ff.params.inputWeights);
    const rng = new Random(12);
    const batch = ttfsBatch(Uint8Array.from({ length: 10 * 6 }, () => rng.int(256)), 6, { T: 2.5, bins: 2 });
    const a = ff.forward(batch);
    const b = fm.forward(batch);
    expect(b.times).toEqual(a.times);
    expect(b.isPseudo).toEqual(a.isPseudo);
    expect(a.isPseudo.some((p) => p === 0) && a.isPseudo.some((p) => p === 1)).toBe(true);
    const cot = Float64Array.from({ length: a.times.length }, (_, k) => Math.cos(k));
    const ra = ff.record(batch);
    const rb = fm.record(batch);
    const ga = ra.backward(cot);
    const gb = rb.backward(cot);
    ra.dispose();
    rb.dispose();
    for (const key of ['weights', 'inputWeights', 'initial', 'eventTimes'] as const) expect(gb[key]).toEqual(ga[key]);
  });
});

describe('fromMatrices training sanity', () => {
  it('Adam moves the first spike of a two-neuron chain to a target', async () => {
    const net = fromMatrices({
      neuron: qif(),
      weights: [
        [0, 0],
        [2, 0],
      ],
      weightMask: [
        [0, 0],
        [1, 0],
      ],
      inputWeights: [[4], [0]],
      readout: { neurons: [1], counts: [1] },
      T: 4,
      maxEvents: 20,
    });
    const batch = spikeBatch([{ times: [0.2], channels: [0] }]);
    const before = net.forward(batch);
    expect(before.isPseudo[0]).toBe(1);
    const loss = spikeTimeMse();
    const targets = Float64Array.of(2.5);
    const opt = adam({ lr: 0.1 });
    const values: number[] = [];
    for (let step = 0; step < 25; step++) {
      const { loss: r, grad } = await net.lossAndGradient(batch, loss, targets);
      values.push(r.value);
      opt.step(net.parameterList(), Network.gradientList(grad));
      net.constrain();
    }
    const after = net.forward(batch);
    expect(loss.compute(after, targets).value).toBeLessThan(0.05 * values[0]);
    expect(after.isPseudo[0]).toBe(0);
  });
});

describe('argument errors carry a code and name the option', () => {
  it('fromMatrices', () => {
    expect(() => fromMatrices({ neuron: qif(), weights: [[0, 1]], inputWeights: [[1]], readout: { neurons: [0], counts: [1] }, T: 2, maxEvents: 10 })).toThrow(
      coded('ERR_SPIKEGRAD_SHAPE', /weights\[0\]/),
    );
    expect(() =>
      fromMatrices({ neuron: qif(), weights: [[0]], weightMask: [[0]], inputWeights: [[1]], readout: { neurons: [0], counts: [1] }, T: 2, maxEvents: 10, initial: [0] }),
    ).toThrow(coded('ERR_SPIKEGRAD_SHAPE', /initial/));
    expect(() => fromMatrices({ neuron: qif(), weights: [[NaN]], inputWeights: [[1]], readout: { neurons: [0], counts: [1] }, T: 2, maxEvents: 10 })).toThrow(
      coded('ERR_SPIKEGRAD_NONFINITE', /weights\[0\]\[0\]/),
    );
  });
});
