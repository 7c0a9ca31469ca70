import { native, bindingPath, backend } from '../../lib/base/native';

describe('native binding', () => {
  it('loads from build/ or prebuilds/, or the WebAssembly build', () => {
    expect(bindingPath).toMatch(backend === 'native' ? /spikegrad\.node$/ : /build-wasm[\\/]spikegrad\.wasm$/);
    if (process.env.SPIKEGRAD_BACKEND) expect(backend).toBe(process.env.SPIKEGRAD_BACKEND);
    expect(native.napiVersion).toBe(8);
  });

  it('re-checks arguments when called directly, without the TypeScript layer', () => {
    // A valid two-neuron, three-channel spec, then one field at a time made wrong.
    const spec = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
      model: 'qif',
      n: 2,
      nIn: 3,
      weights: new Float64Array(4),
      inputWeights: new Float64Array(6),
      initial: new Float64Array(4),
      inputTimes: new Float64Array(0),
      inputChannels: new Int32Array(0),
      readoutNeurons: Int32Array.of(0),
      readoutCounts: Int32Array.of(1),
      T: 1,
      maxEvents: 10,
      ...over,
    });
    expect(() => native.simulate(spec())).not.toThrow();
    expect(() => native.simulate(spec({ inputWeights: new Float64Array(4) }))).toThrow(
      expect.objectContaining({ code: 'ERR_SPIKEGRAD_SHAPE', message: expect.stringMatching(/inputWeights must have length 6/) }),
    );
    expect(() => (native.simulate as unknown as () => void)()).toThrow(
      expect.objectContaining({ name: 'TypeError', code: 'ERR_SPIKEGRAD_ARG' }),
    );
    expect(() => native.simulate(spec({ n: -1 }))).toThrow(
      expect.objectContaining({ code: 'ERR_SPIKEGRAD_RANGE', message: expect.stringMatching(/spec\.n/) }),
    );
    expect(() => native.simulate(spec({ n: 2 ** 40, nIn: 2 ** 40 }))).toThrow(
      expect.objectContaining({ code: 'ERR_SPIKEGRAD_RANGE' }),
    );
  });
});
