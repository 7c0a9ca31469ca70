import { summedInputWeights, summedInputWeightsAsync } from '../lib/input_encoding';

// W is column-major 3 x 4: W[h, c] = 10 h + c.
const rows = 3;
const cols = 4;
const W = Float64Array.from({ length: rows * cols }, (_, k) => 10 * (k % rows) + Math.floor(k / rows));
const active = new Float64Array([1, 0, 1, 1]);
// Row h sums columns 0, 2 and 3: 3 * 10 h + (0 + 2 + 3).
const expected = [5, 35, 65];

describe('summedInputWeights', () => {
  it('sums the active columns synchronously', () => {
    expect(Array.from(summedInputWeights(W, rows, cols, active))).toEqual(expected);
  });

  it('sums the active columns off the main thread', async () => {
    const out = await summedInputWeightsAsync(W, rows, cols, active);
    expect(Array.from(out)).toEqual(expected);
  });

  it('owns its inputs: mutating them after the call does not change the result', async () => {
    const w = W.slice();
    const p = summedInputWeightsAsync(w, rows, cols, active);
    w.fill(1e9);
    expect(Array.from(await p)).toEqual(expected);
  });

  it('turns a C++ error into a thrown Error with a code (sync)', () => {
    const bad = active.slice();
    bad[2] = NaN;
    expect(() => summedInputWeights(W, rows, cols, bad)).toThrow(
      expect.objectContaining({ name: 'RangeError', code: 'ERR_SPIKEGRAD_NONFINITE', message: expect.stringMatching(/active/) }),
    );
  });

  it('turns a C++ error into a rejected promise with a code (async)', async () => {
    const bad = W.slice();
    bad[5] = Infinity;
    await expect(summedInputWeightsAsync(bad, rows, cols, active)).rejects.toThrow(
      expect.objectContaining({ code: 'ERR_SPIKEGRAD_NONFINITE', message: expect.stringMatching(/W must hold finite/) }),
    );
  });

  it('keeps the caller stack on native errors', () => {
    const bad = active.slice();
    bad[0] = NaN;
    try {
      summedInputWeights(W, rows, cols, bad);
      throw new Error('no error');
    } catch (err) {
      expect((err as Error).stack).toMatch(/input_encoding\.test\.ts/);
    }
  });

  it('rejects bad arguments with a TypeError or RangeError naming them', () => {
    expect(() => summedInputWeights([1, 2] as unknown as Float64Array, 1, 2, new Float64Array(2))).toThrow(
      expect.objectContaining({ name: 'TypeError', code: 'ERR_SPIKEGRAD_ARG', message: expect.stringMatching(/for W/) }),
    );
    expect(() => summedInputWeights(W, rows, cols, new Float64Array(3))).toThrow(
      expect.objectContaining({ name: 'RangeError', code: 'ERR_SPIKEGRAD_SHAPE', message: expect.stringMatching(/active/) }),
    );
    expect(() => summedInputWeights(W, 2.5, cols, active)).toThrow(
      expect.objectContaining({ code: 'ERR_SPIKEGRAD_RANGE', message: expect.stringMatching(/rows/) }),
    );
  });
});
