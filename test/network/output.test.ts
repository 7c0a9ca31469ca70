import { checkOutputBatch, outputBatch } from '../../lib/network/output';

const argCode = (name: string, code: string) =>
  expect.objectContaining({ code, message: expect.stringContaining(name) });

describe('checkOutputBatch', () => {
  const good = { times: new Float64Array(6), samples: 2, slots: 3, T: 2 };

  it('accepts a well-formed batch, with or without pseudospike flags', () => {
    expect(checkOutputBatch(good)).toEqual(good);
    const flagged = { ...good, isPseudo: new Uint8Array(6) };
    expect(checkOutputBatch(flagged).isPseudo).toBe(flagged.isPseudo);
  });

  it('rejects malformed batches naming the field', () => {
    expect(() => checkOutputBatch(undefined)).toThrow(argCode('for out', 'ERR_SPIKEGRAD_ARG'));
    expect(() => checkOutputBatch({ ...good, times: [0, 0, 0, 0, 0, 0] })).toThrow(argCode('out.times', 'ERR_SPIKEGRAD_ARG'));
    expect(() => checkOutputBatch({ ...good, times: new Float64Array(5) })).toThrow(argCode('out.times', 'ERR_SPIKEGRAD_SHAPE'));
    expect(() => checkOutputBatch({ ...good, times: new Float64Array([0, 0, Infinity, 0, 0, 0]) })).toThrow(
      argCode('out.times[2]', 'ERR_SPIKEGRAD_NONFINITE'),
    );
    expect(() => checkOutputBatch({ ...good, slots: 0 })).toThrow(argCode('out.slots', 'ERR_SPIKEGRAD_RANGE'));
    expect(() => checkOutputBatch({ ...good, samples: 1.5 })).toThrow(argCode('out.samples', 'ERR_SPIKEGRAD_RANGE'));
    expect(() => checkOutputBatch({ ...good, T: -1 })).toThrow(argCode('out.T', 'ERR_SPIKEGRAD_RANGE'));
    expect(() => checkOutputBatch({ ...good, T: '2' })).toThrow(argCode('out.T', 'ERR_SPIKEGRAD_ARG'));
    expect(() => checkOutputBatch({ ...good, isPseudo: new Uint8Array(5) })).toThrow(argCode('out.isPseudo', 'ERR_SPIKEGRAD_SHAPE'));
    expect(() => checkOutputBatch({ ...good, isPseudo: [0, 0, 0, 0, 0, 0] })).toThrow(argCode('out.isPseudo', 'ERR_SPIKEGRAD_ARG'));
    expect(() => outputBatch(new Float64Array(2), null as unknown as { samples: number; slots: number; T: number })).toThrow(
      argCode('shape', 'ERR_SPIKEGRAD_ARG'),
    );
  });
});
