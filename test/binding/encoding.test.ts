/**
 * The raw binding of the input encodings (native/binding/encoding.cc, core/encoding.cc):
 * ttfsEncode's layout on a small explicit case, its state words advanced exactly as Random's
 * stream (one uniform per pixel), and coded errors for bad arguments. ttfsBatch's behaviour on top
 * of it is tested in test/data/ttfs.test.ts.
 */
import { native } from '../../lib/base/native';
import { Random } from '../../lib/base/random';

const coded = (code: string, re: RegExp) => expect.objectContaining({ code, message: expect.stringMatching(re) });
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('binding: ttfsEncode', () => {
  it('lists each (sample, bin) event pixels in increasing order, empty events kept', () => {
    // bins = 2: width 85; 255 -> bin 0, 170 -> bin 1, 84 and 0 -> silent.
    const images = Uint8Array.of(255, 170, 84, 255, 0, 0, 170, 170);
    const r = native.ttfsEncode(images, 4, 2, 0, null);
    expect(Array.from(r.channels)).toEqual([0, 3, 1, 2, 3]);
    expect(Array.from(r.eventStart)).toEqual([0, 2, 3, 3, 5]);
    expect(Object.prototype.toString.call(r.channels)).toBe('[object Int32Array]');
  });

  it('advances the state words by one uniform per pixel, as Random does, and flips with them', () => {
    for (const bins of [1, 4, 9, 200]) {
      const rng = new Random(bins);
      const images = Uint8Array.from({ length: 3 * 50 }, () => rng.int(256));
      const before = new Random(77);
      const state = Uint32Array.from(before.getState().slice(0, 4));
      const p = 0.4;
      const r = native.ttfsEncode(images, 50, bins, p, state);
      const width = Math.floor(256 / (bins + 1));
      const want: number[][] = Array.from({ length: 3 * bins }, () => []);
      for (let s = 0; s < 3; s++) {
        for (let q = 0; q < 50; q++) {
          let k = Math.floor((255 - images[s * 50 + q]) / width);
          if (before.uniform() < p) k = bins - k;
          if (k >= 0 && k < bins) want[s * bins + k].push(q);
        }
      }
      expect(Array.from(state)).toEqual(before.getState().slice(0, 4));
      const got = want.map((_, e) => Array.from(r.channels.subarray(r.eventStart[e], r.eventStart[e + 1])));
      expect([bins, got]).toEqual([bins, want]);
    }
  });

  it('rejects bad arguments with coded errors', () => {
    const images = new Uint8Array(8);
    const state = Uint32Array.of(1, 2, 3, 4);
    expect(thrown(() => native.ttfsEncode([1, 2] as unknown as Uint8Array, 2, 1, 0, null))).toEqual(coded('ERR_SPIKEGRAD_ARG', /images must be a Uint8Array/));
    expect(thrown(() => native.ttfsEncode(images, 3, 1, 0, null))).toEqual(coded('ERR_SPIKEGRAD_SHAPE', /not a multiple of pixels = 3/));
    expect(thrown(() => native.ttfsEncode(images, 0, 1, 0, null))).toEqual(coded('ERR_SPIKEGRAD_RANGE', /pixels/));
    expect(thrown(() => native.ttfsEncode(images, 4, 0, 0, null))).toEqual(coded('ERR_SPIKEGRAD_RANGE', /bins/));
    expect(thrown(() => native.ttfsEncode(images, 4, 256, 0, null))).toEqual(coded('ERR_SPIKEGRAD_RANGE', /bins/));
    expect(thrown(() => native.ttfsEncode(images, 4, 1, 1.5, state))).toEqual(coded('ERR_SPIKEGRAD_RANGE', /flipProbability/));
    expect(thrown(() => native.ttfsEncode(images, 4, 1, 0.5, null))).toEqual(coded('ERR_SPIKEGRAD_ARG', /state must be a Uint32Array of 4/));
    expect(thrown(() => native.ttfsEncode(images, 4, 1, 0.5, new Uint32Array(3)))).toEqual(coded('ERR_SPIKEGRAD_ARG', /state/));
    expect(thrown(() => native.ttfsEncode(images, 4, 1, 0.5, new Uint32Array(4)))).toEqual(coded('ERR_SPIKEGRAD_ARG', /all zero/));
    expect(Array.from(state)).toEqual([1, 2, 3, 4]);
  });
});
