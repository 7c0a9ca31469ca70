import { native, bindingPath } from '../../lib/base/native';

describe('native binding', () => {
  it('loads from build/ or prebuilds/', () => {
    expect(bindingPath).toMatch(/spikegrad\.node$/);
    expect(native.napiVersion).toBe(8);
  });

  it('re-checks arguments when called directly, without the TypeScript layer', () => {
    expect(() => native.summedInputWeights(new Float64Array(4), 2, 3, new Float64Array(3))).toThrow(
      expect.objectContaining({ code: 'ERR_SPIKEGRAD_SHAPE', message: expect.stringMatching(/W must have length 6/) }),
    );
    expect(() => (native.summedInputWeights as unknown as () => void)()).toThrow(
      expect.objectContaining({ name: 'TypeError', code: 'ERR_SPIKEGRAD_ARG' }),
    );
    expect(() => native.summedInputWeights(new Float64Array(4), -1, 3, new Float64Array(3))).toThrow(
      expect.objectContaining({ code: 'ERR_SPIKEGRAD_RANGE', message: expect.stringMatching(/rows/) }),
    );
    expect(() => native.summedInputWeights(new Float64Array(4), 2 ** 40, 2 ** 40, new Float64Array(3))).toThrow(
      expect.objectContaining({ code: 'ERR_SPIKEGRAD_RANGE' }),
    );
  });
});
