/**
 * Input batches (lib/network/inputs.ts): the flat layout of spikeBatch, repeatBatch, mergeBatches and
 * selectSamples for plain and bundled batches, their argument checks, and that a network sees a
 * merged or selected batch exactly as the equivalent hand-built one.
 */
import { mergeBatches, repeatBatch, selectSamples, spikeBatch, type InputBatch } from '../../lib/network/inputs';
import { feedForward } from '../../lib/topology';
import { qif } from '../../lib/neurons';

const coded = (code: string, re: RegExp) => expect.objectContaining({ code, message: expect.stringMatching(re) });

/** A bundled batch by hand: per sample a list of [time, channels]. */
function bundled(samples: [number, number[]][][]): InputBatch {
  const times: number[] = [];
  const channels: number[] = [];
  const eventStart = [0];
  const sampleStart = [0];
  for (const s of samples) {
    for (const [t, cs] of s) {
      times.push(t);
      channels.push(...cs);
      eventStart.push(channels.length);
    }
    sampleStart.push(times.length);
  }
  return {
    samples: samples.length,
    times: Float64Array.from(times),
    channels: Int32Array.from(channels),
    eventStart: Int32Array.from(eventStart),
    sampleStart: Int32Array.from(sampleStart),
  };
}

/** The events of sample s as [time, channels[]] (bundled) or [time, [channel]] (plain). */
function eventsOf(b: InputBatch, s: number): [number, number[]][] {
  const out: [number, number[]][] = [];
  for (let e = b.sampleStart[s]; e < b.sampleStart[s + 1]; e++) {
    const cs = b.eventStart ? Array.from(b.channels.subarray(b.eventStart[e], b.eventStart[e + 1])) : [b.channels[e]];
    out.push([b.times[e], cs]);
  }
  return out;
}

describe('spikeBatch', () => {
  it('lays out the samples back to back with samples + 1 offsets, keeping the given order', () => {
    const b = spikeBatch([
      { times: [0.5, 0.25], channels: [0, 3] },
      { times: [], channels: [] },
      { times: Float64Array.of(1, Infinity, 2), channels: Int32Array.of(2, 1, 2) },
    ]);
    expect(b.samples).toBe(3);
    expect(b.times).toBeInstanceOf(Float64Array);
    expect(b.channels).toBeInstanceOf(Int32Array);
    expect(b.sampleStart).toBeInstanceOf(Int32Array);
    expect(Array.from(b.times)).toEqual([0.5, 0.25, 1, Infinity, 2]);
    expect(Array.from(b.channels)).toEqual([0, 3, 2, 1, 2]);
    expect(Array.from(b.sampleStart)).toEqual([0, 2, 2, 5]);
    expect(b.eventStart).toBeUndefined();
  });

  it('handles no samples at all', () => {
    const b = spikeBatch([]);
    expect(b.samples).toBe(0);
    expect(b.times.length).toBe(0);
    expect(Array.from(b.sampleStart)).toEqual([0]);
  });

  it('rejects malformed samples with coded errors naming the sample', () => {
    expect(() => spikeBatch('x' as never)).toThrow(coded('ERR_SPIKEGRAD_ARG', /array of samples/));
    expect(() => spikeBatch([{ times: [1] } as never])).toThrow(coded('ERR_SPIKEGRAD_ARG', /samples\[0\]/));
    expect(() => spikeBatch([{ times: [], channels: [] }, null as never])).toThrow(coded('ERR_SPIKEGRAD_ARG', /samples\[1\]/));
    expect(() => spikeBatch([{ times: [1, 2], channels: [0] }])).toThrow(coded('ERR_SPIKEGRAD_SHAPE', /samples\[0\].*differ in length/));
    expect(() => spikeBatch([{ times: [1], channels: [-1] }])).toThrow(coded('ERR_SPIKEGRAD_RANGE', /samples\[0\]\.channels\[0\]/));
    expect(() => spikeBatch([{ times: [1, 2], channels: [0, 1.5] }])).toThrow(coded('ERR_SPIKEGRAD_RANGE', /samples\[0\]\.channels\[1\]/));
    expect(() => spikeBatch([{ times: [1], channels: [-1] }])).toThrow(expect.objectContaining({ name: 'RangeError' }));
    expect(() => spikeBatch([{ times: [1] } as never])).toThrow(expect.objectContaining({ name: 'TypeError' }));
  });
});

describe('repeatBatch', () => {
  it('repeats one sample', () => {
    const b = repeatBatch({ times: [0.1, 0.2], channels: [1, 0] }, 3);
    expect(b.samples).toBe(3);
    expect(Array.from(b.times)).toEqual([0.1, 0.2, 0.1, 0.2, 0.1, 0.2]);
    expect(Array.from(b.channels)).toEqual([1, 0, 1, 0, 1, 0]);
    expect(Array.from(b.sampleStart)).toEqual([0, 2, 4, 6]);
    expect(repeatBatch({ times: [1], channels: [0] }).samples).toBe(1);
  });
});

describe('mergeBatches', () => {
  it('concatenates plain batches sample by sample', () => {
    const a = spikeBatch([{ times: [1], channels: [0] }, { times: [2, 3], channels: [1, 2] }]);
    const b = spikeBatch([{ times: [4, 5], channels: [3, 4] }, { times: [], channels: [] }]);
    const m = mergeBatches(a, b);
    expect(m.samples).toBe(2);
    expect(Array.from(m.times)).toEqual([1, 4, 5, 2, 3]);
    expect(Array.from(m.channels)).toEqual([0, 3, 4, 1, 2]);
    expect(Array.from(m.sampleStart)).toEqual([0, 3, 5]);
    expect(m.eventStart).toBeUndefined();
    // The inputs are not modified.
    expect(Array.from(a.times)).toEqual([1, 2, 3]);
  });

  it('concatenates bundled batches with their bundles', () => {
    const a = bundled([[[0.1, [0, 2]]], [[0.2, []], [0.3, [1]]]]);
    const b = bundled([[[0.5, [3]], [0.6, [1, 2, 3]]], [[0.7, [0, 1]]]]);
    const m = mergeBatches(a, b);
    expect(m.samples).toBe(2);
    expect(eventsOf(m, 0)).toEqual([
      [0.1, [0, 2]],
      [0.5, [3]],
      [0.6, [1, 2, 3]],
    ]);
    expect(eventsOf(m, 1)).toEqual([
      [0.2, []],
      [0.3, [1]],
      [0.7, [0, 1]],
    ]);
    expect(Array.from(m.eventStart!)).toEqual([0, 2, 3, 6, 6, 7, 9]);
    expect(Array.from(m.sampleStart)).toEqual([0, 3, 6]);
  });

  it('rejects batches of different sizes or kinds', () => {
    const a = spikeBatch([{ times: [1], channels: [0] }]);
    const b = spikeBatch([{ times: [1], channels: [0] }, { times: [1], channels: [0] }]);
    expect(() => mergeBatches(a, b)).toThrow(coded('ERR_SPIKEGRAD_SHAPE', /1 and 2 samples/));
    expect(() => mergeBatches(a, bundled([[[1, [0]]]]))).toThrow(coded('ERR_SPIKEGRAD_SHAPE', /bundled and a plain/));
  });
});

describe('selectSamples', () => {
  it('selects plain samples in the given order, with repeats', () => {
    const b = spikeBatch([
      { times: [1], channels: [0] },
      { times: [2, 3], channels: [1, 2] },
      { times: [4], channels: [3] },
    ]);
    const s = selectSamples(b, [2, 0, 2]);
    expect(s.samples).toBe(3);
    expect(Array.from(s.times)).toEqual([4, 1, 4]);
    expect(Array.from(s.channels)).toEqual([3, 0, 3]);
    expect(Array.from(s.sampleStart)).toEqual([0, 1, 2, 3]);
    expect(s.eventStart).toBeUndefined();
    const t = selectSamples(b, Int32Array.of(1));
    expect(Array.from(t.times)).toEqual([2, 3]);
    expect(selectSamples(b, []).samples).toBe(0);
  });

  it('selects bundled samples with their bundles', () => {
    const b = bundled([[[0.1, [0, 2]]], [[0.2, []], [0.3, [1, 4, 5]]], [[0.4, [3]]]]);
    const s = selectSamples(b, [1, 2]);
    expect(eventsOf(s, 0)).toEqual([
      [0.2, []],
      [0.3, [1, 4, 5]],
    ]);
    expect(eventsOf(s, 1)).toEqual([[0.4, [3]]]);
    expect(Array.from(s.eventStart!)).toEqual([0, 0, 3, 4]);
    expect(s.channels.length).toBe(4);
  });

  it('rejects out-of-range indices naming them', () => {
    const b = spikeBatch([{ times: [1], channels: [0] }]);
    expect(() => selectSamples(b, [1])).toThrow(coded('ERR_SPIKEGRAD_RANGE', /sample index 1/));
    expect(() => selectSamples(b, [-1])).toThrow(coded('ERR_SPIKEGRAD_RANGE', /sample index -1/));
    expect(() => selectSamples(b, [0.5])).toThrow(coded('ERR_SPIKEGRAD_RANGE', /sample index 0.5/));
  });
});

describe('batches in a network', () => {
  const net = feedForward({ neuron: qif(), sizes: [4, 3, 2], T: 4, wScale: 12, seed: 3 });
  const s0 = { times: [0.3, 0.9, 1.4], channels: [0, 2, 3] };
  const s1 = { times: [0.2, 0.25], channels: [1, 1] };
  const s2 = { times: [0.7, 2.0, 0.1], channels: [3, 0, 2] };

  it('a merged batch runs exactly like the hand-concatenated one', () => {
    const a = spikeBatch([{ times: s0.times.slice(0, 1), channels: s0.channels.slice(0, 1) }, s1]);
    const b = spikeBatch([{ times: s0.times.slice(1), channels: s0.channels.slice(1) }, { times: [], channels: [] }]);
    const merged = net.forward(mergeBatches(a, b), { threads: 1 });
    const direct = net.forward(spikeBatch([s0, s1]), { threads: 1 });
    expect(merged.times).toEqual(direct.times);
    expect(merged.spikeCount).toEqual(direct.spikeCount);
  });

  it('a selected batch gives the selected samples of the full run', () => {
    const full = net.forward(spikeBatch([s0, s1, s2]), { threads: 1 });
    const sel = net.forward(selectSamples(spikeBatch([s0, s1, s2]), [2, 0]), { threads: 1 });
    const slots = full.slots;
    expect(Array.from(sel.times)).toEqual([...full.times.subarray(2 * slots, 3 * slots), ...full.times.subarray(0, slots)]);
  });

  it('the order of a sample\'s spikes does not matter', () => {
    const a = net.forward(spikeBatch([s2]), { threads: 1 });
    const b = net.forward(spikeBatch([{ times: [0.1, 0.7, 2.0], channels: [2, 3, 0] }]), { threads: 1 });
    expect(a.times).toEqual(b.times);
  });
});
