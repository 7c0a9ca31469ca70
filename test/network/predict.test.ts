/**
 * Network.predict (lib/network/predict.ts, lib/network/encoding.ts): raw inputs in the stored
 * encoding give the class of the training rule (argmin of the first output times, ties to the
 * lowest index; with ordinaryOnly the acc_ord rule), the output times and the pseudospike flags
 * exactly as forward() gives them; clear coded errors for missing encodings and bad inputs.
 */
import fs = require('fs');
import os = require('os');
import path = require('path');
import {
  Network,
  Random,
  accuracy,
  feedForward,
  loadModel,
  qif,
  recurrent,
  saveModel,
  spikeBatch,
  theta,
  ttfsBatch,
  type Prediction,
} from '../../lib';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spikegrad-predict-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const coded = (code: string, re: RegExp) => expect.objectContaining({ code, message: expect.stringMatching(re) });

function images(rng: Random, count: number, pixels: number): Uint8Array {
  return Uint8Array.from({ length: count * pixels }, () => (rng.uniform() < 0.4 ? 200 + rng.int(56) : rng.int(120)));
}

/** A small image classifier whose outputs spike for some images and not for others. */
function imageNet(): Network {
  const net = feedForward({ neuron: theta({ tau: 6 / Math.PI }), sizes: [16, 12, 4], T: 2, seed: 4, wScale: 5 });
  net.encoding = { kind: 'image', T: 2, bins: 2, pixels: 16, shape: [4, 4] };
  net.classes = ['a', 'b', 'c', 'd'];
  return net;
}

/** The reference: argmin over slots of the (optionally clipped) times, ties to the lowest index. */
function argmin(times: Float64Array, s: number, slots: number, clipAt = Infinity): number {
  let best = 0;
  for (let k = 1; k < slots; k++) if (Math.min(times[s * slots + k], clipAt) < Math.min(times[s * slots + best], clipAt)) best = k;
  return best;
}

describe('Network.predict on images', () => {
  const rng = new Random(21);
  const S = 60;
  const pixels = images(rng, S, 16);

  it('gives the class, times and pseudospike flags of forward() under the training rule, with both rules', async () => {
    const net = imageNet();
    const out = net.forward(ttfsBatch(pixels, 16, { T: 2, bins: 2 }));
    const labels = Int32Array.from({ length: S }, (_, s) => s % 4);
    for (const ordinaryOnly of [false, true]) {
      const preds = await net.predict(pixels, { ordinaryOnly });
      expect(preds).toHaveLength(S);
      preds.forEach((p, s) => {
        const slots = out.slots;
        expect(p.times).toEqual(Array.from(out.times.subarray(s * slots, (s + 1) * slots)));
        expect(p.pseudo).toEqual(Array.from(out.isPseudo.subarray(s * slots, (s + 1) * slots), (x) => x === 1));
        expect(p.class).toBe(argmin(out.times, s, slots, ordinaryOnly ? 2 : Infinity));
        expect(p.className).toBe(['a', 'b', 'c', 'd'][p.class]);
        expect(p.spiked).toBe(!p.pseudo[p.class]);
      });
      // The same rule as the trainer's accuracies (acc and acc_ord).
      const correct = preds.filter((p, s) => p.class === labels[s]).length / S;
      expect(correct).toBeCloseTo(accuracy(out, labels, { ordinaryOnly }), 12);
    }
    // The inputs decide both ways: some samples spiked, some did not.
    const preds = await net.predict(pixels);
    expect(preds.some((p) => p.spiked)).toBe(true);
    expect(preds.some((p) => !p.spiked)).toBe(true);
  });

  it('takes one image, many images back to back, an array of Uint8Arrays or of number arrays; any thread count', async () => {
    const net = imageNet();
    const all = await net.predict(pixels);
    const one = await net.predict(pixels.subarray(16 * 5, 16 * 6));
    expect(one).toEqual([all[5]]);
    const list = Array.from({ length: S }, (_, s) => pixels.subarray(16 * s, 16 * (s + 1)));
    expect(await net.predict(list)).toEqual(all);
    expect(await net.predict(list.map((a) => Array.from(a)), { threads: 1 })).toEqual(all);
    expect(await net.predict(pixels, { threads: 2 })).toEqual(all);
    expect(await net.predict([])).toEqual([]);
  });

  it('a network that never spikes: pseudospikes decide by default; real spikes only gives class 0 with spiked false', async () => {
    const net = imageNet();
    net.params.inputWeights.fill(0);
    net.params.weights.fill(0);
    net.params.initial.fill(0);
    const preds = await net.predict(pixels.subarray(0, 16 * 4));
    const out = net.forward(ttfsBatch(pixels.subarray(0, 16 * 4), 16, { T: 2, bins: 2 }));
    preds.forEach((p, s) => {
      expect(p.pseudo.every(Boolean)).toBe(true);
      expect(p.spiked).toBe(false);
      expect(p.class).toBe(argmin(out.times, s, out.slots));
    });
    for (const p of await net.predict(pixels.subarray(0, 16 * 4), { ordinaryOnly: true })) {
      expect(p).toMatchObject({ class: 0, className: 'a', spiked: false });
    }
  });

  it('the encoding and class names travel with the model file', async () => {
    const net = imageNet();
    const file = path.join(tmp, 'net.spikegrad');
    saveModel(file, net);
    const loaded = loadModel(file).network;
    expect(loaded.encoding).toEqual(net.encoding);
    expect(loaded.classes).toEqual(net.classes);
    expect(await loaded.predict(pixels)).toEqual(await net.predict(pixels));
    expect(loaded.clone().encoding).toEqual(net.encoding);
    expect(Network.fromJSON(JSON.parse(JSON.stringify(net.toJSON()))).classes).toEqual(net.classes);
  });

  it('bad inputs and options are coded errors naming the problem', async () => {
    const net = imageNet();
    await expect(net.predict(pixels.subarray(0, 15))).rejects.toEqual(coded('ERR_SPIKEGRAD_SHAPE', /whole images of 16 pixels/));
    await expect(net.predict([new Uint8Array(15)])).rejects.toEqual(coded('ERR_SPIKEGRAD_SHAPE', /16 pixels for inputs\[0\]/));
    await expect(net.predict([Array.from({ length: 16 }, () => 256)])).rejects.toEqual(coded('ERR_SPIKEGRAD_RANGE', /\[0, 255\] for inputs\[0\]\[0\]/));
    await expect(net.predict([Array.from({ length: 16 }, () => 1.5)])).rejects.toEqual(coded('ERR_SPIKEGRAD_RANGE', /inputs\[0\]\[0\]/));
    await expect(net.predict('pixels' as never)).rejects.toEqual(coded('ERR_SPIKEGRAD_ARG', /Expected images/));
    await expect(net.predict([{}] as never)).rejects.toEqual(coded('ERR_SPIKEGRAD_ARG', /inputs\[0\]/));
    await expect(net.predict(pixels, { ordinaryonly: true } as never)).rejects.toEqual(coded('ERR_SPIKEGRAD_ARG', /did you mean 'ordinaryOnly'/));
    await expect(net.predict(pixels, { ordinaryOnly: 1 } as never)).rejects.toEqual(coded('ERR_SPIKEGRAD_ARG', /boolean for ordinaryOnly/));
    await expect(net.predict(pixels, { threads: -1 })).rejects.toEqual(coded('ERR_SPIKEGRAD_RANGE', /threads/));
  });

  it('a network without an encoding says how to give one; options.encoding works', async () => {
    const net = imageNet();
    net.encoding = undefined;
    await expect(net.predict(pixels)).rejects.toEqual(coded('ERR_SPIKEGRAD_ARG', /no input encoding.*network\.encoding = \{ kind: 'image'.*\{ encoding \}/));
    const withOption = await net.predict(pixels, { encoding: { kind: 'image', T: 2, bins: 2, pixels: 16 } });
    expect(withOption).toEqual(await imageNet().predict(pixels));
  });
});

describe('encodings and class names are checked when set', () => {
  it('refuses encodings and class names that do not fit the network', () => {
    const net = imageNet();
    const set = (e: unknown) => () => (net.encoding = e as never);
    expect(set({ kind: 'image', T: 2, bins: 1, pixels: 17 })).toThrow(coded('ERR_SPIKEGRAD_RANGE', /pixels/));
    expect(set({ kind: 'image', T: 0, bins: 1, pixels: 16 })).toThrow(coded('ERR_SPIKEGRAD_RANGE', /encoding.T/));
    expect(set({ kind: 'image', T: 2, bins: 0, pixels: 16 })).toThrow(coded('ERR_SPIKEGRAD_RANGE', /bins/));
    expect(set({ kind: 'image', T: 2, bins: 1, pixels: 16, shape: [4, 5] })).toThrow(coded('ERR_SPIKEGRAD_SHAPE', /shape/));
    expect(set({ kind: 'image', T: 2, bins: 1, pixels: 16, treshold: 3 })).toThrow(coded('ERR_SPIKEGRAD_ARG', /Unknown option 'treshold'/));
    expect(set({ kind: 'spikes', channels: 15 })).toThrow(coded('ERR_SPIKEGRAD_SHAPE', /16 input channels/));
    expect(set({ kind: 'audio' })).toThrow(coded('ERR_SPIKEGRAD_RANGE', /'image' or 'spikes'/));
    expect(set(null)).toThrow(coded('ERR_SPIKEGRAD_ARG', /encoding/));
    expect(() => (net.classes = ['a', 'b'])).toThrow(coded('ERR_SPIKEGRAD_SHAPE', /one class name per readout neuron \(4\)/));
    expect(() => (net.classes = ['a', 'b', '', 'd'])).toThrow(coded('ERR_SPIKEGRAD_ARG', /classes\[2\]/));
    expect(net.encoding).toEqual({ kind: 'image', T: 2, bins: 2, pixels: 16, shape: [4, 4] }); // unchanged
    expect(Object.isFrozen(net.encoding)).toBe(true);
  });
});

describe('Network.predict on spike lists and multi-spike readouts', () => {
  function spikeNet(): Network {
    const net = recurrent({
      neuron: qif(),
      n: 5,
      nIn: 2,
      inputs: [
        { channel: 0, target: 0, weight: 3 },
        { channel: 1, target: 3, weight: 3 },
        { channel: 1, target: 2, weight: 2 },
      ],
      readout: { neurons: [2, 4], counts: [3, 1] },
      T: 5,
      seed: 2,
      weightScale: 2,
    });
    net.encoding = { kind: 'spikes', channels: 2 };
    return net;
  }

  it('decides by the first output time of each readout neuron; times and flags per slot', async () => {
    const net = spikeNet();
    const rng = new Random(5);
    const samples = Array.from({ length: 30 }, () => {
      const k = 1 + rng.int(6);
      return { times: Array.from({ length: k }, () => rng.range(0, 4)), channels: Array.from({ length: k }, () => rng.int(2)) };
    });
    const out = net.forward(spikeBatch(samples));
    expect(out.slots).toBe(4);
    const preds: Prediction[] = await net.predict(samples);
    preds.forEach((p, s) => {
      const t = out.times.subarray(s * 4, (s + 1) * 4);
      expect(p.times).toEqual(Array.from(t));
      expect(p.class).toBe(t[3] < t[0] ? 1 : 0); // neuron 2's first time is slot 0, neuron 4's is slot 3
      expect(p.spiked).toBe(!p.pseudo[p.class === 0 ? 0 : 3]);
      expect(p.className).toBeUndefined();
    });
    expect(await net.predict(samples[3])).toEqual([preds[3]]);
    await expect(net.predict({ times: [1], channels: [2] })).rejects.toEqual(coded('ERR_SPIKEGRAD_RANGE', /channel 2/));
    await expect(net.predict({ times: [1, 2], channels: [0] })).rejects.toEqual(coded('ERR_SPIKEGRAD_SHAPE', /differ in length/));
  });
});
