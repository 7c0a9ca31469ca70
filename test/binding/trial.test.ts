/**
 * NativeNetwork.trial / trialAsync (native/binding/native_network.cc): one sample of a network in
 * synapse-list form with everything the single-trial `simulate` offers. Against `simulate` on the
 * same small networks (dense matrices and masks) it must give bit-identical spike lists, outputs,
 * state at T, events, traces and gradients (after scattering the per-synapse gradient into the
 * dense layout); against a forward/backward of a one-sample batch also with bundled events; with
 * trainable input spikes it must equal `simulate` with those spikes appended. It has no dense
 * matrices, so no neuron-count cap.
 */
import type { TrialSpec } from 'spikegrad';
import { native } from '../../lib/base/native';
import { MODELS, randomCotangent, randomFeedForward, randomRecurrent } from '../helpers/networks';
import { listsOf, scatter } from './support';

type Result = Record<string, unknown> & { grad?: Record<string, Float64Array> };

const coded = (code: string, message?: RegExp) => expect.objectContaining({ code, ...(message ? { message: expect.stringMatching(message) } : {}) });

function cases(): [string, TrialSpec][] {
  const out: [string, TrialSpec][] = [];
  for (const model of MODELS) for (let seed = 1; seed <= 6; seed++) out.push([`${model} recurrent ${seed}`, randomRecurrent(model, seed, seed % 2 === 0)]);
  for (const model of ['theta', 'qif'] as const) for (let seed = 1; seed <= 4; seed++) out.push([`${model} layered ${seed}`, randomFeedForward(model, seed)]);
  return out;
}

/** The trial's gradient in the dense layout of simulate. */
function denseGrad(spec: TrialSpec, lists: ReturnType<typeof listsOf>, g: Record<string, Float64Array>): Record<string, Float64Array> {
  const s = lists.structure as Record<string, Int32Array>;
  return {
    weights: scatter(g.weights, s.recurrentSource, s.recurrentTarget, spec.n, spec.n),
    inputWeights: scatter(g.inputWeights, s.inputSource, s.inputTarget, spec.n, spec.nIn),
    inputTimes: g.inputTimes,
    initial: g.initial,
  };
}

describe('binding: NativeNetwork.trial', () => {
  it.each(cases())('%s: bit-identical to simulate (outputs, events, traces, gradient)', (_name, spec) => {
    const cotangent = randomCotangent(spec, 3);
    const traceNeurons = Int32Array.from({ length: spec.n }, (_, i) => i);
    const want = native.simulate({ ...spec, cotangent, recordEvents: true, traceDt: spec.T / 37, traceNeurons }) as Result;
    const lists = listsOf(spec);
    const net = new native.NativeNetwork(lists.structure);
    const got = net.trial(lists.params, { times: spec.inputTimes, channels: spec.inputChannels }, { cotangent, recordEvents: true, traceDt: spec.T / 37 }) as Result;
    const { grad: wantGrad, ...wantRest } = want;
    const { grad: gotGrad, ...gotRest } = got;
    expect(gotRest).toEqual(wantRest);
    expect(denseGrad(spec, lists, gotGrad!)).toEqual(wantGrad);
    expect(gotGrad!.trainableTimes).toEqual(new Float64Array(0));
    // Without options: outputs only.
    const plain = net.trial(lists.params, { times: spec.inputTimes, channels: spec.inputChannels }) as Result;
    expect(plain.outputTimes).toEqual(want.outputTimes);
    expect(plain.grad).toBeUndefined();
    expect(plain.events).toBeUndefined();
    expect(plain.traces).toBeUndefined();
  });

  it('runs sample k of a batch, plain or bundled, like a one-sample forward and backward', async () => {
    const spec = randomRecurrent('theta', 4);
    const lists = listsOf(spec);
    const net = new native.NativeNetwork(lists.structure);
    // Two samples, bundled: sample 1 holds two bundles of 2 and 1 channels.
    const batch = {
      times: Float64Array.of(0.2, spec.T * 0.3, spec.T * 0.6),
      channels: Int32Array.of(0, 0, spec.nIn - 1, 0),
      eventStart: Int32Array.of(0, 1, 3, 4),
      sampleStart: Int32Array.of(0, 1, 3),
    };
    const one = { times: batch.times.slice(1), channels: batch.channels.slice(1), eventStart: Int32Array.of(0, 2, 3), sampleStart: Int32Array.of(0, 2) };
    const slots = spec.readoutCounts.reduce((a, b) => a + b, 0);
    const cotangent = Float64Array.from({ length: slots }, (_, k) => 1 - 0.4 * k);
    const got = net.trial(lists.params, batch, { sample: 1, cotangent }) as Result;
    const fwd = net.forward(lists.params, one, { keepTapes: true }) as { outputTimes: Float64Array; batch: { backward(c: Float64Array, o: object): Record<string, Float64Array> } };
    expect(got.outputTimes).toEqual(fwd.outputTimes);
    const g = fwd.batch.backward(cotangent, { threads: 1 });
    expect(got.grad).toEqual(g);
    // The same sample given on its own, and asynchronously.
    expect(net.trial(lists.params, { times: one.times, channels: one.channels, eventStart: one.eventStart }, { cotangent })).toEqual(got);
    expect(await net.trialAsync(lists.params, batch, { sample: 1, cotangent })).toEqual(got);
  });

  it('with trainable input spikes: equal to simulate with the spikes appended, their gradient apart', () => {
    for (const model of MODELS) {
      const spec = randomRecurrent(model, 9);
      const channels = Int32Array.of(0, spec.nIn - 1);
      const times = Float64Array.of(spec.T * 0.4, spec.inputTimes[0]); // the second ties with an own event
      const own = spec.inputTimes.length;
      const cotangent = randomCotangent(spec, 5);
      const merged = {
        ...spec,
        inputTimes: Float64Array.from([...spec.inputTimes, ...times]),
        inputChannels: Int32Array.from([...spec.inputChannels, ...channels]),
        maxEvents: spec.maxEvents,
      };
      const want = native.simulate({ ...merged, cotangent, recordEvents: true }) as Result;
      const lists = listsOf(spec, { trainableChannels: channels });
      const net = new native.NativeNetwork(lists.structure);
      const got = net.trial({ ...lists.params, inputTimes: times }, { times: spec.inputTimes, channels: spec.inputChannels }, { cotangent, recordEvents: true }) as Result;
      expect(got.outputTimes).toEqual(want.outputTimes);
      expect(got.events).toEqual(want.events);
      const dense = denseGrad(spec, lists, got.grad!);
      expect(dense.weights).toEqual(want.grad!.weights);
      expect(dense.inputWeights).toEqual(want.grad!.inputWeights);
      expect(dense.initial).toEqual(want.grad!.initial);
      expect(got.grad!.inputTimes).toEqual(want.grad!.inputTimes.slice(0, own));
      expect(got.grad!.trainableTimes).toEqual(want.grad!.inputTimes.slice(own));
    }
  });

  it('works on synapse lists of networks far beyond the dense 4096-neuron cap', () => {
    const n = 20000;
    // A chain: input -> 0 -> 1 -> ... (one synapse per neuron), QIF neurons.
    const net = new native.NativeNetwork({
      model: 'qif',
      n,
      nIn: 1,
      recurrentSource: Int32Array.from({ length: n - 1 }, (_, i) => i),
      recurrentTarget: Int32Array.from({ length: n - 1 }, (_, i) => i + 1),
      inputSource: Int32Array.of(0),
      inputTarget: Int32Array.of(0),
      readoutNeurons: Int32Array.of(5),
      readoutCounts: Int32Array.of(1),
      T: 3,
      maxEvents: 100,
    });
    const params = { weights: new Float64Array(n - 1).fill(30), inputWeights: Float64Array.of(30), initial: new Float64Array(2 * n) };
    const r = net.trial(params, { times: Float64Array.of(0.1), channels: Int32Array.of(0) }, { cotangent: Float64Array.of(1) }) as Result & { spikeNeurons: Int32Array; outputIsPseudo: Uint8Array };
    expect(r.outputIsPseudo[0]).toBe(0);
    expect([...new Set(r.spikeNeurons)].slice(0, 6)).toEqual([0, 1, 2, 3, 4, 5]); // in order of first spikes
    expect(r.grad!.weights.length).toBe(n - 1);
    expect(r.grad!.inputWeights[0]).toBeLessThan(0); // a stronger input makes the chain fire earlier
  });

  it('rejects malformed calls with coded errors', () => {
    const spec = randomRecurrent('qif', 2);
    const lists = listsOf(spec, { trainableChannels: Int32Array.of(0) });
    const net = new native.NativeNetwork(lists.structure);
    const p = { ...lists.params, inputTimes: Float64Array.of(0.3) };
    const sample = { times: spec.inputTimes, channels: spec.inputChannels };
    expect(() => net.trial(p, sample)).not.toThrow();
    expect(() => net.trial(lists.params, sample)).toThrow(coded('ERR_SPIKEGRAD_ARG', /params\.inputTimes is required/));
    expect(() => net.trial({ ...p, inputTimes: Float64Array.of(NaN) }, sample)).toThrow(coded('ERR_SPIKEGRAD_RANGE', /trainableTimes\[0\]/));
    expect(() => net.trial(p, sample, { cotangent: new Float64Array(99) })).toThrow(coded('ERR_SPIKEGRAD_SHAPE', /cotangent/));
    expect(() => net.trial(p, { ...sample, sampleStart: Int32Array.of(0, spec.inputTimes.length) }, { sample: 1 })).toThrow(coded('ERR_SPIKEGRAD_RANGE', /options\.sample/));
    expect(() => net.trial(p, sample, { traceDt: 0.1, traceNeurons: Int32Array.of(spec.n) })).toThrow(coded('ERR_SPIKEGRAD_RANGE', /neuron index/));
    expect(() => net.trial(p, sample, 'options' as unknown as object)).toThrow(coded('ERR_SPIKEGRAD_ARG', /options/));
    expect(() => net.trial(p, { times: spec.inputTimes })).toThrow(coded('ERR_SPIKEGRAD_ARG', /sample\.channels/));
    expect(() => (net.trial as unknown as (x: unknown) => unknown)(p)).toThrow(coded('ERR_SPIKEGRAD_ARG'));
    expect(() => new native.NativeNetwork({ ...lists.structure, trainableChannels: Int32Array.of(spec.nIn) })).toThrow(coded('ERR_SPIKEGRAD_RANGE', /trainableChannels\[0\]/));
  });
});
