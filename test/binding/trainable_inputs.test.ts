/**
 * Trainable input spikes handled in the core (NativeNetwork spec.trainableChannels, their times in
 * params.inputTimes) against the way the TypeScript layer handles them today (lib/network.ts:
 * appended to every sample with mergeBatches, the gradient un-appended in RecordedBatch): through
 * the raw binding, and through the public Network. Forward outputs and activity, and every
 * gradient, must agree bit for bit: grad.inputTimes holds each sample's own events, and
 * grad.trainableTimes the trainable spikes' gradient summed over the samples.
 */
import { mergeBatches, Network, neuronFromJSON, type InputBatch, type TrialSpec } from 'spikegrad';
import { native, type NativeGradient } from '../../lib/base/native';
import { MODELS, Rng, randomRecurrent } from '../helpers/networks';
import { listsOf } from './support';

interface Forward {
  outputTimes: Float64Array;
  outputIsPseudo: Uint8Array;
  inTrialEvents: Float64Array;
  spikeCount: Float64Array;
  spikeCountFirst: Float64Array;
  samples: number;
  slots: number;
  batch?: { backward(cot: Float64Array, o: object): NativeGradient; dispose(): void };
}

/** A random batch of `samples` samples for spec's input channels, plain or bundled. */
function randomBatch(spec: TrialSpec, samples: number, bundled: boolean, rng: Rng): InputBatch {
  const times: number[] = [];
  const channels: number[] = [];
  const eventStart = [0];
  const sampleStart = [0];
  for (let s = 0; s < samples; s++) {
    const events = rng.int(0, 4);
    for (let e = 0; e < events; e++) {
      times.push(e === 0 ? 0.25 : rng.uniform(0, spec.T));
      const width = bundled ? rng.int(1, 3) : 1;
      for (let q = 0; q < width; q++) channels.push(rng.int(0, spec.nIn - 1));
      eventStart.push(channels.length);
    }
    sampleStart.push(times.length);
  }
  return {
    samples,
    times: Float64Array.from(times),
    channels: Int32Array.from(channels),
    eventStart: bundled ? Int32Array.from(eventStart) : undefined,
    sampleStart: Int32Array.from(sampleStart),
  };
}

/** The trainable spikes appended to every sample, as lib/network.ts does. */
function appendInJs(batch: InputBatch, times: Float64Array, channels: Int32Array): InputBatch {
  const m = times.length;
  const S = batch.samples;
  const extraTimes = new Float64Array(S * m);
  const extraChannels = new Int32Array(S * m);
  for (let s = 0; s < S; s++) {
    extraTimes.set(times, s * m);
    extraChannels.set(channels, s * m);
  }
  const extra: InputBatch = {
    samples: S,
    times: extraTimes,
    channels: extraChannels,
    sampleStart: Int32Array.from({ length: S + 1 }, (_, s) => s * m),
    eventStart: batch.eventStart ? Int32Array.from({ length: S * m + 1 }, (_, k) => k) : undefined,
  };
  return mergeBatches(batch, extra);
}

/** The gradient of the appended batch split as RecordedBatch.finish does. */
function unappendInJs(g: NativeGradient, batch: InputBatch, m: number): { own: Float64Array; trainable: Float64Array } {
  const own: number[] = [];
  const trainable = new Float64Array(m);
  let offset = 0;
  for (let s = 0; s < batch.samples; s++) {
    const count = batch.sampleStart[s + 1] - batch.sampleStart[s];
    for (let k = 0; k < count; k++) own.push(g.inputTimes[offset + k]);
    for (let k = 0; k < m; k++) trainable[k] += g.inputTimes[offset + count + k];
    offset += count + m;
  }
  return { own: Float64Array.from(own), trainable };
}

function cases(): [string, boolean, number][] {
  const out: [string, boolean, number][] = [];
  for (const model of MODELS) for (const bundled of [false, true]) for (const seed of [1, 2, 3]) out.push([model, bundled, seed]);
  return out;
}

describe('binding: trainable input spikes in the core', () => {
  it.each(cases())('%s (bundled %s, seed %d): bit-identical to appending in JavaScript', (model, bundled, seed) => {
    const spec = randomRecurrent(model as TrialSpec['model'], seed + 20);
    const rng = new Rng(seed * 31 + (bundled ? 7 : 0));
    const m = rng.int(1, 3);
    const channels = Int32Array.from({ length: m }, () => rng.int(0, spec.nIn - 1));
    const times = Float64Array.from({ length: m }, (_, k) => (k === 0 ? 0.25 : rng.uniform(0, spec.T))); // k = 0 ties with own events
    const batch = randomBatch(spec, 13, bundled, rng);
    const budget = { maxEvents: spec.maxEvents + 50 };
    const core = listsOf(spec, { trainableChannels: channels, ...budget });
    const js = listsOf(spec, budget);
    const coreNet = new native.NativeNetwork(core.structure);
    const jsNet = new native.NativeNetwork(js.structure);
    const merged = appendInJs(batch, times, channels);
    const a = coreNet.forward({ ...core.params, inputTimes: times }, batch, { keepTapes: true, threads: 3 }) as Forward;
    const b = jsNet.forward(js.params, merged, { keepTapes: true, threads: 1 }) as Forward;
    const { batch: ha, ...fa } = a;
    const { batch: hb, ...fb } = b;
    expect(fa).toEqual(fb);
    const cot = Float64Array.from({ length: a.samples * a.slots }, (_, k) => ((k * 5) % 7) / 3 - 1);
    const ga = ha!.backward(cot, { threads: 2 });
    const gb = hb!.backward(cot, { threads: 1 });
    expect(ga.weights).toEqual(gb.weights);
    expect(ga.inputWeights).toEqual(gb.inputWeights);
    expect(ga.initial).toEqual(gb.initial);
    const split = unappendInJs(gb, batch, m);
    expect(ga.inputTimes).toEqual(split.own);
    expect(ga.trainableTimes).toEqual(split.trainable);
    expect(gb.trainableTimes).toEqual(new Float64Array(0));
    expect(split.trainable.some((x) => x !== 0)).toBe(true); // the comparison is not of zeros
    ha!.dispose();
    hb!.dispose();

    // The public Network appends in TypeScript today: the same numbers.
    const s = core.structure as Record<string, Int32Array>;
    const net = new Network(
      {
        neuron: neuronFromJSON({ name: spec.model, params: spec.params }),
        n: spec.n,
        nIn: spec.nIn,
        recurrent: { source: s.recurrentSource, target: s.recurrentTarget },
        input: { source: s.inputSource, target: s.inputTarget },
        readout: { neurons: spec.readoutNeurons, counts: spec.readoutCounts },
        T: spec.T,
        maxEvents: budget.maxEvents,
        trainableInputs: { channels },
      },
      { ...core.params, inputTimes: times },
    );
    const rec = net.record(batch);
    expect(rec.output.times).toEqual(a.outputTimes);
    const g = rec.backward(cot);
    rec.dispose();
    expect(g.weights).toEqual(ga.weights);
    expect(g.inputWeights).toEqual(ga.inputWeights);
    expect(g.initial).toEqual(ga.initial);
    expect(g.inputTimes).toEqual(ga.trainableTimes);
    expect(g.eventTimes).toEqual(ga.inputTimes);
  });

  it('without trainable channels params.inputTimes is optional and grad.trainableTimes empty', () => {
    const spec = randomRecurrent('theta', 3);
    const lists = listsOf(spec);
    const net = new native.NativeNetwork(lists.structure);
    const batch = randomBatch(spec, 2, false, new Rng(1));
    const a = net.forward(lists.params, batch, { keepTapes: true }) as Forward;
    const b = net.forward({ ...lists.params, inputTimes: new Float64Array(0) }, batch, {}) as Forward;
    expect(b.outputTimes).toEqual(a.outputTimes);
    const g = a.batch!.backward(new Float64Array(a.samples * a.slots).fill(1), {});
    expect(g.trainableTimes).toEqual(new Float64Array(0));
    expect(() => net.forward({ ...lists.params, inputTimes: Float64Array.of(1) }, batch, {})).toThrow(
      expect.objectContaining({ code: 'ERR_SPIKEGRAD_SHAPE', message: expect.stringMatching(/params\.inputTimes/) }),
    );
  });
});
