/**
 * recurrent (lib/topology/recurrent.ts, method.md 6.3): all-to-all synapses without (or with)
 * self-connections grouped by source, zero or seeded uniform initial weights, input synapses
 * sorted by channel, trainable defaults, readout, and a short target-train training run.
 */
import { recurrent, type InputSynapse } from '../../lib/topology';
import { Network } from '../../lib/network/network';
import { qif, theta } from '../../lib/neurons';
import { spikeBatch } from '../../lib/network/inputs';
import { targetTrainLoss } from '../../lib/training/losses';
import { adaBelief } from '../../lib/training/optim';

const coded = (code: string, re: RegExp) => expect.objectContaining({ code, message: expect.stringMatching(re) });

const base = (n: number, inputs: InputSynapse[] = []) => ({
  neuron: qif(),
  n,
  nIn: 3,
  inputs,
  readout: { neurons: [0], counts: [2] },
  T: 5,
});

describe('recurrent structure', () => {
  it('has n (n - 1) synapses without self-connections, grouped by source, targets increasing', () => {
    for (const n of [1, 2, 4, 7]) {
      const net = recurrent(base(n));
      const { source, target } = net.structure.recurrent;
      expect(source.length).toBe(n * (n - 1));
      expect(net.params.weights.length).toBe(n * (n - 1));
      let k = 0;
      for (let j = 0; j < n; j++) {
        for (let i = 0; i < n; i++) {
          if (i === j) continue;
          expect([source[k], target[k]]).toEqual([j, i]);
          k++;
        }
      }
      expect(net.structure.layers).toBeUndefined();
      expect(net.structure.n).toBe(n);
    }
  });

  it('with selfConnections has all n^2 synapses', () => {
    const net = recurrent({ ...base(3), selfConnections: true });
    const { source, target } = net.structure.recurrent;
    expect(source.length).toBe(9);
    expect(Array.from(source)).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2]);
    expect(Array.from(target)).toEqual([0, 1, 2, 0, 1, 2, 0, 1, 2]);
  });

  it('sorts the input synapses by channel (then target) and keeps their weights', () => {
    const inputs = [
      { channel: 2, target: 0, weight: -5 },
      { channel: 0, target: 3, weight: 5 },
      { channel: 2, target: 1, weight: 1.5 },
      { channel: 0, target: 1, weight: 2 },
    ];
    const net = recurrent(base(4, inputs));
    expect(Array.from(net.structure.input.source)).toEqual([0, 0, 2, 2]);
    expect(Array.from(net.structure.input.target)).toEqual([1, 3, 0, 1]);
    expect(Array.from(net.params.inputWeights)).toEqual([2, 5, -5, 1.5]);
    expect(net.structure.nIn).toBe(3);
    // The caller's array is not reordered.
    expect(inputs[0].channel).toBe(2);
  });

  it('starts with zero weights and the default initial state; trains weights and initial states only', () => {
    const net = recurrent(base(4));
    expect(net.params.weights.every((w) => w === 0)).toBe(true);
    expect(Array.from(net.params.initial)).toEqual(new Array(8).fill(0));
    const th = recurrent({ ...base(3), neuron: theta() });
    expect(Array.from(th.params.initial)).toEqual(new Array(3).fill(theta().period / 2));
    expect(net.trainable.inputWeights).toBe(false);
    expect(net.trainable.inputTimes).toBe(false);
    expect(net.trainable.weights ?? true).toBe(true);
    expect(net.trainable.initial ?? true).toBe(true);
    expect(recurrent({ ...base(2), trainInputWeights: true }).trainable.inputWeights).toBe(true);
  });

  it('sets the readout, T and the default budget 500 + 50 n', () => {
    const net = recurrent({ ...base(5), readout: { neurons: [3, 0], counts: [4, 1] } });
    expect(Array.from(net.structure.readout.neurons)).toEqual([3, 0]);
    expect(Array.from(net.structure.readout.counts)).toEqual([4, 1]);
    expect(net.slots).toBe(5);
    expect(net.structure.maxEvents).toBe(750);
    expect(net.T).toBe(5);
    expect(recurrent({ ...base(5), maxEvents: 42 }).structure.maxEvents).toBe(42);
  });

  it('draws weights in +-weightScale / sqrt(n), reproducibly from the seed', () => {
    const n = 12;
    const scale = 3;
    const a = recurrent({ ...base(n), weightScale: scale, seed: 5 });
    const bound = scale / Math.sqrt(n);
    const w = Array.from(a.params.weights);
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...w)).toBeGreaterThan(0.9 * bound);
    expect(Math.min(...w)).toBeLessThan(-0.9 * bound);
    expect(w.every((x) => x !== 0)).toBe(true);
    expect(recurrent({ ...base(n), weightScale: scale, seed: 5 }).params.weights).toEqual(a.params.weights);
    expect(recurrent({ ...base(n), weightScale: scale, seed: 6 }).params.weights).not.toEqual(a.params.weights);
    expect(recurrent({ ...base(n), weightScale: scale }).params.weights).toEqual(recurrent({ ...base(n), weightScale: scale, seed: 0 }).params.weights);
  });

  it('gives zero weights gradients (structural synapses) and the initial states gradients', () => {
    const inputs = [0, 1, 2].map((i) => ({ channel: i, target: i, weight: 5 }));
    const net = recurrent({ ...base(3, inputs), readout: { neurons: [0, 1], counts: [2, 2] } });
    const rec = net.record(spikeBatch([{ times: [0.3, 0.5, 1.1, 2.0, 2.4], channels: [0, 1, 2, 0, 1] }]));
    const g = rec.backward(Float64Array.of(1, 1, 1, 1));
    rec.dispose();
    expect(g.weights.filter((x) => x !== 0).length).toBeGreaterThan(2);
    expect(g.initial.filter((x) => x !== 0).length).toBeGreaterThan(2);
    expect(g.inputWeights.every((x) => x === 0)).toBe(true);
  });

  it('rejects bad options naming them', () => {
    expect(() => recurrent({ ...base(2), readout: { neurons: [2], counts: [1] } })).toThrow(coded('ERR_SPIKEGRAD_RANGE', /readout\.neurons\[0\]/));
    expect(() => recurrent({ ...base(2), readout: { neurons: [0], counts: [-1] } })).toThrow(coded('ERR_SPIKEGRAD_RANGE', /readout\.counts\[0\]/));
    expect(() => recurrent({ ...base(2), readout: undefined as never })).toThrow(coded('ERR_SPIKEGRAD_ARG', /readout/));
    expect(() => recurrent({ ...base(2), T: 0 })).toThrow(coded('ERR_SPIKEGRAD_RANGE', /\bT\b/));
    expect(() => recurrent({ ...base(2), nIn: -1 })).toThrow(coded('ERR_SPIKEGRAD_RANGE', /nIn/));
    expect(() => recurrent({ ...base(2), inputs: [null as never] })).toThrow(coded('ERR_SPIKEGRAD_ARG', /inputs\[0\]/));
    expect(() => recurrent({ ...base(2), seed: 1.5 })).toThrow(coded('ERR_SPIKEGRAD_RANGE', /seed/));
    expect(() => recurrent({ ...base(2), weightscale: 1 } as never)).toThrow(coded('ERR_SPIKEGRAD_ARG', /weightscale/));
  });
});

describe('recurrent training sanity', () => {
  it('AdaBelief on weights and initial states reduces a target-train loss of one neuron', async () => {
    const inputs = [0, 1, 2].map((i) => ({ channel: i, target: i, weight: 5 }));
    const net = recurrent({ neuron: qif(), n: 3, nIn: 3, inputs, readout: { neurons: [0], counts: [3] }, T: 8 });
    const batch = spikeBatch([
      {
        times: [0.3, 1.2, 2.0, 3.1, 4.4, 5.0, 6.2, 7.0, 0.8, 2.5, 4.0, 6.0],
        channels: [0, 1, 2, 0, 1, 2, 0, 1, 0, 1, 2, 2],
      },
    ]);
    const loss = targetTrainLoss();
    const targets = [[2, 5]];
    const opt = adaBelief({ lr: 0.05 });
    const values: number[] = [];
    for (let step = 0; step < 30; step++) {
      const { loss: r, grad } = await net.lossAndGradient(batch, loss, targets, { threads: 1 });
      values.push(r.value);
      opt.step(net.parameterList(), Network.gradientList(grad));
      net.constrain();
    }
    const out = net.forward(batch);
    const final = loss.compute(out, targets).value;
    expect(final).toBeLessThan(0.5 * values[0]);
    // The recurrent weights moved away from 0; the input weights (not trainable) did not.
    expect(net.params.weights.some((w) => w !== 0)).toBe(true);
    expect(Array.from(net.params.inputWeights)).toEqual([5, 5, 5]);
  });
});

describe('argument errors carry a code and name the option', () => {
  it('recurrent', () => {
    const ok = { neuron: qif(), n: 3, nIn: 2, inputs: [{ channel: 0, target: 1, weight: 1 }], readout: { neurons: [0], counts: [1] }, T: 2 };
    expect(() => recurrent({ ...ok, inputs: [{ channel: 2, target: 0, weight: 1 }] })).toThrow(coded('ERR_SPIKEGRAD_RANGE', /inputs\[0\]/));
    expect(() => recurrent({ ...ok, inputs: [ok.inputs[0], { channel: 0, target: 3, weight: 1 }] })).toThrow(coded('ERR_SPIKEGRAD_RANGE', /inputs\[1\]/));
    expect(() => recurrent({ ...ok, inputs: [{ channel: -1, target: 0, weight: 1 }] })).toThrow(coded('ERR_SPIKEGRAD_RANGE', /inputs\[0\]\.channel/));
    expect(() => recurrent({ ...ok, inputs: [{ channel: 0, target: 0, weight: NaN }] })).toThrow(coded('ERR_SPIKEGRAD_RANGE', /inputs\[0\]\.weight/));
    expect(() => recurrent({ ...ok, inputs: 'x' as never })).toThrow(coded('ERR_SPIKEGRAD_ARG', /inputs/));
    expect(() => recurrent({ ...ok, readout: { neurons: [3], counts: [1] } })).toThrow(coded('ERR_SPIKEGRAD_RANGE', /readout\.neurons\[0\]/));
    expect(() => recurrent({ ...ok, readout: { neurons: [0, 1], counts: [1] } })).toThrow(coded('ERR_SPIKEGRAD_ARG', /readout/));
    expect(() => recurrent({ ...ok, n: 0 })).toThrow(coded('ERR_SPIKEGRAD_RANGE', /\bn\b/));
    expect(() => recurrent({ ...ok, weightScale: -1 })).toThrow(coded('ERR_SPIKEGRAD_RANGE', /weightScale/));
    expect(() => recurrent({ ...ok, selfconnections: true } as never)).toThrow(coded('ERR_SPIKEGRAD_ARG', /selfconnections/));
  });
});
