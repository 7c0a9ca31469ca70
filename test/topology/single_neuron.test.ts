/**
 * singleNeuron (lib/topology/single_neuron.ts, method.md 6.2): one neuron, k trainable input
 * spikes (weights and times are parameters) plus fixed inputs in the returned batch; structure,
 * trainable masks, equivalence with the same spikes given as plain inputs, and a training run
 * that makes a silent neuron spike at a target inside the trial.
 */
import { fromMatrices, singleNeuron } from '../../lib/topology';
import { Network } from '../../lib/network/network';
import { qif } from '../../lib/neurons';
import { spikeBatch } from '../../lib/network/inputs';
import { spikeTimeMse } from '../../lib/training/losses';
import { adam } from '../../lib/training/optim';

const coded = (code: string, re: RegExp) => expect.objectContaining({ code, message: expect.stringMatching(re) });

describe('singleNeuron structure', () => {
  const { network: net, batch } = singleNeuron({
    neuron: qif(),
    trainableTimes: [1, 9],
    trainableWeights: [0.5, -0.25],
    fixed: { times: [0.5, 3.2, 7], weights: [0.8, -1.1, 2] },
    outputCount: 2,
    T: 10,
  });
  const s = net.structure;

  it('has one neuron, channels 0..k-1 trainable and k.. fixed, each with one input synapse', () => {
    expect(s.n).toBe(1);
    expect(s.nIn).toBe(5);
    expect(s.recurrent.source.length).toBe(0);
    expect(Array.from(s.input.source)).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(s.input.target)).toEqual([0, 0, 0, 0, 0]);
    expect(Array.from(net.params.inputWeights)).toEqual([0.5, -0.25, 0.8, -1.1, 2]);
    expect(Array.from(net.params.inputTimes)).toEqual([1, 9]);
    expect(Array.from(s.trainableInputs!.channels)).toEqual([0, 1]);
    expect(Array.from(s.readout.neurons)).toEqual([0]);
    expect(Array.from(s.readout.counts)).toEqual([2]);
    expect(s.maxEvents).toBe(100 + 2 * 5);
    expect(Array.from(net.params.initial)).toEqual([0, 0]);
    expect(s.layers).toBeUndefined();
  });

  it('returns a one-sample batch of the fixed spikes on channels k..', () => {
    expect(batch.samples).toBe(1);
    expect(Array.from(batch.times)).toEqual([0.5, 3.2, 7]);
    expect(Array.from(batch.channels)).toEqual([2, 3, 4]);
    expect(batch.eventStart).toBeUndefined();
  });

  it('trains only the trainable weights and times', () => {
    expect(net.trainable.weights).toBe(false);
    expect(net.trainable.initial).toBe(false);
    expect(net.trainable.inputTimes).toBe(true);
    expect(Array.from(net.trainable.inputWeights as Uint8Array)).toEqual([1, 1, 0, 0, 0]);
  });

  it('defaults: zero trainable weights, no fixed inputs', () => {
    const { network, batch: b } = singleNeuron({ neuron: qif(), trainableTimes: [2, 4, 6], outputCount: 1, T: 8 });
    expect(Array.from(network.params.inputWeights)).toEqual([0, 0, 0]);
    expect(network.structure.nIn).toBe(3);
    expect(b.samples).toBe(1);
    expect(b.times.length).toBe(0);
    // A neuron with only zero-weight inputs is silent: its outputs are pseudospikes after T.
    const out = network.forward(b);
    expect(out.isPseudo[0]).toBe(1);
    expect(out.times[0]).toBeGreaterThan(8);
  });

  it('rejects bad options naming them', () => {
    expect(() => singleNeuron({ neuron: qif(), trainableTimes: 'x' as never, outputCount: 1, T: 2 })).toThrow(coded('ERR_SPIKEGRAD_ARG', /trainableTimes/));
    expect(() => singleNeuron({ neuron: qif(), trainableTimes: [1], outputCount: 1, T: -2 })).toThrow(coded('ERR_SPIKEGRAD_RANGE', /\bT\b/));
    expect(() => singleNeuron({ neuron: qif(), trainableTimes: [1], outputCount: 1, T: 2, target: 3 } as never)).toThrow(coded('ERR_SPIKEGRAD_ARG', /target/));
    expect(() => singleNeuron({ neuron: qif(), trainableTimes: [NaN], outputCount: 1, T: 2 })).toThrow(coded('ERR_SPIKEGRAD_RANGE', /trainableTimes\[0\]/));
  });
});

describe('trainable input spikes are ordinary input spikes', () => {
  it('gives the same outputs and gradients as the same spikes passed in the batch', () => {
    const trainableTimes = [1.2, 4.5];
    const trainableWeights = [3.5, 2];
    const fixed = { times: [0.3, 2.2, 6], weights: [1.5, -2, 4] };
    const { network, batch } = singleNeuron({ neuron: qif(), trainableTimes, trainableWeights, fixed, outputCount: 3, T: 8 });
    const plain = fromMatrices({
      neuron: qif(),
      weights: [[0]],
      weightMask: [[0]],
      inputWeights: [[...trainableWeights, ...fixed.weights]],
      readout: { neurons: [0], counts: [3] },
      T: 8,
      maxEvents: 100,
    });
    const all = spikeBatch([{ times: [...fixed.times, ...trainableTimes], channels: [2, 3, 4, 0, 1] }]);
    const a = network.forward(batch, { threads: 1 });
    const b = plain.forward(all, { threads: 1 });
    expect(a.times).toEqual(b.times);
    expect(a.isPseudo).toEqual(b.isPseudo);
    expect(a.isPseudo.some((p) => p === 0)).toBe(true);

    const cot = Float64Array.of(0.4, -1, 0.7);
    const ra = network.record(batch);
    const rb = plain.record(all);
    const ga = ra.backward(cot);
    const gb = rb.backward(cot);
    ra.dispose();
    rb.dispose();
    // Trainable weights: same gradients; fixed weights masked to 0.
    expect(Array.from(ga.inputWeights.subarray(0, 2))).toEqual(Array.from(gb.inputWeights.subarray(0, 2)));
    expect(Array.from(ga.inputWeights.subarray(2))).toEqual([0, 0, 0]);
    // Input times: the trainable ones land in inputTimes, the batch's own in eventTimes.
    expect(Array.from(ga.inputTimes)).toEqual(Array.from(gb.eventTimes.subarray(3)));
    expect(Array.from(ga.eventTimes)).toEqual(Array.from(gb.eventTimes.subarray(0, 3)));
  });
});

describe('singleNeuron training sanity', () => {
  it('pulls a silent neuron\'s first output (a pseudospike) to a target inside the trial', async () => {
    const T = 10;
    const target = 5;
    const { network: net, batch } = singleNeuron({
      neuron: qif(),
      trainableTimes: [1, 4],
      fixed: { times: [2, 3, 6], weights: [0.5, -0.5, 0.8] },
      outputCount: 1,
      T,
    });
    const before = net.forward(batch);
    expect(before.isPseudo[0]).toBe(1);
    expect(before.times[0]).toBeGreaterThan(T);
    const loss = spikeTimeMse();
    const targets = Float64Array.of(target);
    const opt = adam({ lr: 0.2 });
    const values: number[] = [];
    for (let step = 0; step < 40; step++) {
      const { loss: r, grad } = await net.lossAndGradient(batch, loss, targets);
      values.push(r.value);
      opt.step(net.parameterList(), Network.gradientList(grad));
      net.constrain();
      expect(net.params.inputTimes.every((t) => t >= 0 && t <= T)).toBe(true);
    }
    const after = net.forward(batch);
    expect(loss.compute(after, targets).value).toBeLessThan(0.01 * values[0]);
    // The neuron now spikes inside the trial, close to the target.
    expect(after.isPseudo[0]).toBe(0);
    expect(Math.abs(after.times[0] - target)).toBeLessThan(0.5);
    // Only the trainable weights moved.
    expect(Array.from(net.params.inputWeights.subarray(2))).toEqual([0.5, -0.5, 0.8]);
    expect(net.params.inputWeights[0] !== 0 || net.params.inputWeights[1] !== 0).toBe(true);
  });
});

describe('argument errors carry a code and name the option', () => {
  it('singleNeuron', () => {
    expect(() => singleNeuron({ neuron: qif(), trainableTimes: [1, -1], outputCount: 1, T: 2 })).toThrow(coded('ERR_SPIKEGRAD_RANGE', /trainableTimes\[1\]/));
    expect(() => singleNeuron({ neuron: qif(), trainableTimes: [1], trainableWeights: [1, 2], outputCount: 1, T: 2 })).toThrow(coded('ERR_SPIKEGRAD_ARG', /trainableWeights/));
    expect(() => singleNeuron({ neuron: qif(), trainableTimes: [1], outputCount: 0, T: 2 })).toThrow(coded('ERR_SPIKEGRAD_RANGE', /outputCount/));
    expect(() => singleNeuron({ neuron: qif(), trainableTimes: [1], outputCount: 1, T: 2, fixed: { times: [1], weights: [] } })).toThrow(coded('ERR_SPIKEGRAD_ARG', /fixed/));
  });
});
