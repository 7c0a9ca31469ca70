/**
 * Time-to-first-spike encoding (lib/data/ttfs.ts, method.md 6.4): bin times
 * t_k = T ln(I_k / (I_k - V_th)), pixel binning, the bundled layout, flips, argument checks, and
 * that a bundle is exactly equivalent to one spike per pixel at the same time (summed kicks).
 */
import { ttfsBatch, ttfsTimes } from '../../lib/data/ttfs';
import { spikeBatch, type InputBatch } from '../../lib/network/inputs';
import { Random } from '../../lib/base/random';
import { feedForward } from '../../lib/topology';
import { qif, theta } from '../../lib/neurons';

const coded = (code: string, re: RegExp) => expect.objectContaining({ code, message: expect.stringMatching(re) });

/** The bin of each pixel of sample s in a ttfs batch (bins = silent). */
function binsOf(b: InputBatch, s: number, pixels: number, bins: number): number[] {
  const out = new Array(pixels).fill(bins);
  for (let e = b.sampleStart[s]; e < b.sampleStart[s + 1]; e++) {
    for (let q = b.eventStart![e]; q < b.eventStart![e + 1]; q++) out[b.channels[q]] = e - b.sampleStart[s];
  }
  return out;
}

function randomImages(seed: number, samples: number, pixels: number): Uint8Array {
  const rng = new Random(seed);
  return Uint8Array.from({ length: samples * pixels }, () => rng.int(256));
}

describe('ttfsTimes', () => {
  it('is T ln(I_k / (I_k - V_th)) with I_k = bins - k and V_th = 0.01 bins', () => {
    expect(ttfsTimes(2)[0]).toBeCloseTo(0.0201007, 7);
    expect(ttfsTimes(2).length).toBe(1);
    for (const bins of [1, 2, 3, 7]) {
      for (const T of [1, 2, 5.5]) {
        const t = ttfsTimes(T, bins);
        expect(t).toBeInstanceOf(Float64Array);
        expect(t.length).toBe(bins);
        const vth = 0.01 * bins;
        for (let k = 0; k < bins; k++) {
          const I = bins - k;
          expect(t[k]).toBeCloseTo(T * Math.log(I / (I - vth)), 14);
          expect(t[k]).toBeGreaterThan(0);
          expect(t[k]).toBeLessThan(T);
          // Brighter bins (lower k) spike earlier.
          if (k > 0) expect(t[k]).toBeGreaterThan(t[k - 1]);
        }
      }
    }
    // Linear in T.
    expect(ttfsTimes(4, 3)[2]).toBeCloseTo(2 * ttfsTimes(2, 3)[2], 15);
  });
});

describe('ttfsBatch', () => {
  it('bins pixels by (255 - p) // (256 // (bins + 1)); bins >= `bins` are silent', () => {
    const pixels = Uint8Array.from([255, 128, 127, 0, 200, 170, 169, 85, 84, 64, 63]);
    const one = ttfsBatch(pixels, pixels.length, { T: 2 });
    // bins = 1: p >= 128 -> bin 0, else silent.
    expect(binsOf(one, 0, pixels.length, 1)).toEqual([0, 0, 1, 1, 0, 0, 0, 1, 1, 1, 1]);
    const two = ttfsBatch(pixels, pixels.length, { T: 2, bins: 2 });
    const expected = Array.from(pixels, (p) => Math.min(Math.floor((255 - p) / 85), 2));
    expect(binsOf(two, 0, pixels.length, 2)).toEqual(expected);
    expect(expected).toEqual([0, 1, 1, 2, 0, 1, 1, 2, 2, 2, 2]);
    const three = ttfsBatch(pixels, pixels.length, { T: 2, bins: 3 });
    expect(binsOf(three, 0, pixels.length, 3)).toEqual(Array.from(pixels, (p) => Math.min(Math.floor((255 - p) / 64), 3)));
  });

  it('has one bundle per bin and sample (empty ones kept), at the bin times, pixels in increasing order', () => {
    const pixels = 10;
    const images = randomImages(1, 4, pixels);
    images.fill(0, 2 * pixels, 3 * pixels); // sample 2 is dark: all bundles empty
    const bins = 3;
    const T = 2.5;
    const b = ttfsBatch(images, pixels, { T, bins });
    const times = ttfsTimes(T, bins);
    expect(b.samples).toBe(4);
    expect(b.eventStart).toBeInstanceOf(Int32Array);
    expect(Array.from(b.sampleStart)).toEqual([0, 3, 6, 9, 12]);
    expect(b.times.length).toBe(12);
    expect(b.eventStart!.length).toBe(13);
    expect(b.eventStart![0]).toBe(0);
    expect(b.eventStart![12]).toBe(b.channels.length);
    for (let s = 0; s < 4; s++) {
      for (let k = 0; k < bins; k++) {
        const e = s * bins + k;
        expect(b.times[e]).toBe(times[k]);
        const chans = Array.from(b.channels.subarray(b.eventStart![e], b.eventStart![e + 1]));
        const want = [];
        for (let q = 0; q < pixels; q++) if (Math.floor((255 - images[s * pixels + q]) / 64) === k) want.push(q);
        expect(chans).toEqual(want);
      }
    }
    for (let e = 6; e < 9; e++) expect(b.eventStart![e + 1] - b.eventStart![e]).toBe(0);
    // Every bright pixel appears exactly once per sample.
    const total = Array.from(images).filter((p) => Math.floor((255 - p) / 64) < bins).length;
    expect(b.channels.length).toBe(total);
  });

  it('flips a bin k to bins - k with probability p, reproducibly from the rng', () => {
    const pixels = 200;
    const samples = 10;
    const images = randomImages(2, samples, pixels);
    const plain = ttfsBatch(images, pixels, { T: 2 });
    const allFlipped = ttfsBatch(images, pixels, { T: 2, flipProbability: 1, rng: new Random(0) });
    for (let s = 0; s < samples; s++) {
      const a = binsOf(plain, s, pixels, 1);
      const f = binsOf(allFlipped, s, pixels, 1);
      expect(f).toEqual(a.map((k) => 1 - k));
    }
    const p = 0.2;
    const flipped = ttfsBatch(images, pixels, { T: 2, flipProbability: p, rng: new Random(9) });
    let changed = 0;
    for (let s = 0; s < samples; s++) {
      const a = binsOf(plain, s, pixels, 1);
      const f = binsOf(flipped, s, pixels, 1);
      for (let q = 0; q < pixels; q++) if (a[q] !== f[q]) changed++;
    }
    const frac = changed / (samples * pixels);
    expect(Math.abs(frac - p)).toBeLessThan(0.04);
    const again = ttfsBatch(images, pixels, { T: 2, flipProbability: p, rng: new Random(9) });
    expect(again).toEqual(flipped);
    const other = ttfsBatch(images, pixels, { T: 2, flipProbability: p, rng: new Random(10) });
    expect(other.channels).not.toEqual(flipped.channels);
    // p = 0 never consults the rng: identical to no flips.
    expect(ttfsBatch(images, pixels, { T: 2, flipProbability: 0 })).toEqual(plain);
    // The layout is unchanged by flips.
    expect(flipped.sampleStart).toEqual(plain.sampleStart);
    expect(flipped.times).toEqual(plain.times);
  });

  it('flips with several bins: k -> bins - k', () => {
    const pixels = Uint8Array.from([255, 170, 84]); // bins = 2: 0, 1, 2 (silent)
    const f = ttfsBatch(pixels, 3, { T: 2, bins: 2, flipProbability: 1, rng: new Random(1) });
    expect(binsOf(f, 0, 3, 2)).toEqual([2, 1, 0]);
  });

  it('draws one uniform per pixel in pixel order (a reference written from the definition)', () => {
    const pixels = 97;
    const samples = 7;
    for (const [bins, p] of [[1, 0.3], [3, 0.3], [5, 0.9], [9, 0.3], [255, 0.5]]) {
      const images = randomImages(bins, samples, pixels);
      const b = ttfsBatch(images, pixels, { T: 2, bins, flipProbability: p, rng: new Random(21) });
      const rng = new Random(21);
      const width = Math.floor(256 / (bins + 1));
      for (let s = 0; s < samples; s++) {
        const expected = Array.from(images.subarray(s * pixels, (s + 1) * pixels), (v) => {
          let k = Math.floor((255 - v) / width);
          if (rng.uniform() < p) k = bins - k;
          return k >= 0 && k < bins ? k : bins;
        });
        expect(binsOf(b, s, pixels, bins)).toEqual(expected);
      }
      // The batch consumed exactly samples * pixels draws.
      const after = new Random(21);
      for (let i = 0; i < samples * pixels; i++) after.uniform();
      expect(rng.getState()).toEqual(after.getState());
      expect(b.channels.length).toBe(b.eventStart![b.eventStart!.length - 1]);
      expect(b.channels.buffer.byteLength).toBe(b.channels.length * 4);
    }
  });

  it('rejects bad arguments with coded errors naming them', () => {
    const img = new Uint8Array(8);
    expect(() => ttfsBatch([1, 2] as never, 2, { T: 2 })).toThrow(coded('ERR_SPIKEGRAD_ARG', /images/));
    expect(() => ttfsBatch(img, 0, { T: 2 })).toThrow(coded('ERR_SPIKEGRAD_RANGE', /pixels/));
    expect(() => ttfsBatch(img, 1.5, { T: 2 })).toThrow(coded('ERR_SPIKEGRAD_RANGE', /pixels/));
    expect(() => ttfsBatch(img, 3, { T: 2 })).toThrow(coded('ERR_SPIKEGRAD_SHAPE', /multiple of pixels/));
    expect(() => ttfsBatch(img, 4, { T: 2, bins: 0 })).toThrow(coded('ERR_SPIKEGRAD_RANGE', /bins/));
    expect(() => ttfsBatch(img, 4, { T: 2, bins: 256 })).toThrow(coded('ERR_SPIKEGRAD_RANGE', /bins/));
    expect(() => ttfsBatch(img, 4, { T: 0 })).toThrow(coded('ERR_SPIKEGRAD_RANGE', /\bT\b/));
    expect(() => ttfsBatch(img, 4, { T: NaN })).toThrow(coded('ERR_SPIKEGRAD_RANGE', /\bT\b/));
    expect(() => ttfsBatch(img, 4, { T: 2, flipProbability: 1.5, rng: new Random(1) })).toThrow(coded('ERR_SPIKEGRAD_RANGE', /flipProbability/));
    expect(() => ttfsBatch(img, 4, { T: 2, flipProbability: 0.5 })).toThrow(coded('ERR_SPIKEGRAD_ARG', /rng/));
    // The flips are drawn in the core from a Random's state words: an object with only uniform() is refused.
    expect(() => ttfsBatch(img, 4, { T: 2, flipProbability: 0.5, rng: { uniform: () => 0.5 } as never })).toThrow(coded('ERR_SPIKEGRAD_ARG', /Random \(with getState and setState\)/));
  });
});

describe('bundles are exactly one spike per bright pixel (summed kicks)', () => {
  /** The same inputs with one plain spike per pixel of a spiking bin. */
  function perPixel(b: InputBatch): InputBatch {
    const samples = [];
    for (let s = 0; s < b.samples; s++) {
      const times: number[] = [];
      const channels: number[] = [];
      for (let e = b.sampleStart[s]; e < b.sampleStart[s + 1]; e++) {
        for (let q = b.eventStart![e]; q < b.eventStart![e + 1]; q++) {
          times.push(b.times[e]);
          channels.push(b.channels[q]);
        }
      }
      samples.push({ times, channels });
    }
    return spikeBatch(samples);
  }

  const pixels = 16;
  const images = randomImages(3, 12, pixels);
  const cases = [
    { name: 'theta', neuron: theta({ tau: 6 / Math.PI }), T: 2, wScale: 6, bins: 2 },
    { name: 'qif', neuron: qif(), T: 4, wScale: 20, bins: 3 },
  ];

  it.each(cases)('$name: outputs within 1e-12 and the same gradients', ({ neuron, T, wScale, bins }) => {
    const net = feedForward({ neuron, sizes: [pixels, 6, 4, 3], T, wScale, seed: 5, maxEvents: 2000 });
    const b = ttfsBatch(images, pixels, { T, bins });
    const p = perPixel(b);
    const ob = net.forward(b, { threads: 1 });
    const op = net.forward(p, { threads: 1 });
    for (let k = 0; k < ob.times.length; k++) expect(Math.abs(ob.times[k] - op.times[k])).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(op.times[k])));
    expect(ob.isPseudo).toEqual(op.isPseudo);
    expect(ob.spikeCount).toEqual(op.spikeCount);
    // The network is active: some neurons spike, some outputs are ordinary spikes.
    expect(ob.spikeCount.reduce((a, c) => a + c, 0)).toBeGreaterThan(0);

    const cot = Float64Array.from({ length: ob.times.length }, (_, k) => Math.sin(k + 1));
    const rb = net.record(b, { threads: 1 });
    const rp = net.record(p, { threads: 1 });
    const gb = rb.backward(cot, { threads: 1 });
    const gp = rp.backward(cot, { threads: 1 });
    rb.dispose();
    rp.dispose();
    for (const name of ['weights', 'inputWeights', 'initial'] as const) {
      const a = gb[name];
      const c = gp[name];
      expect(a.length).toBe(c.length);
      for (let k = 0; k < a.length; k++) expect(Math.abs(a[k] - c[k])).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(c[k])));
    }
    expect(gb.inputWeights.some((g) => g !== 0)).toBe(true);
    // One event-time gradient per bundle (empty bundles included).
    expect(gb.eventTimes.length).toBe(b.times.length);
  });
});
