import { arcLength, clip, voltageTrace } from '../../lib/experiments/plots';

describe('plot helpers (lib/experiments/plots.ts)', () => {
  it('clip bounds values', () => {
    expect(clip([-20, 0, 20, Infinity, -Infinity], -10, 10)).toEqual([-10, 0, 10, 10, -10]);
  });

  it('voltageTrace clips and breaks the line where the voltage passes through infinity', () => {
    // Rises to +inf at the spike, resets from -inf: a gap between the clipped +10 and -10.
    const { xs, ys } = voltageTrace([0, 1, 2, 3, 4], [0, 5, Infinity, -Infinity, -2]);
    expect(xs).toEqual([0, 1, 2, NaN, 3, 4]);
    expect(ys).toEqual([0, 5, 10, NaN, -10, -2]);
    // A steep but finite fall within the bounds, or a fall that starts below hi, is drawn as is.
    expect(voltageTrace([0, 1, 2], [9, -10, -3]).ys).toEqual([9, -10, -3]);
    expect(voltageTrace([0, 1], [3, 4], -1, 1)).toEqual({ xs: [0, 1], ys: [1, 1] });
  });

  it('arcLength sums the absolute changes of the output times', () => {
    expect(arcLength([[0, 0], [1, -1], [1, 1]])).toEqual([0, 2, 4]);
  });
});
