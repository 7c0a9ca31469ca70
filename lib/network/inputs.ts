/**
 * Input batches: the input events of many samples in one set of flat arrays, the form the native
 * batch runner takes. Each event is one spike on one channel, or a bundle of channels that spike
 * at the same time and are delivered as a single event with summed weights (method.md 6.4).
 */
import { argumentError, describe, rangeError } from '../base/errors';
import { expectAttached, isFloat64Array, isInt32Array } from '../base/validate';

/** Input events of a batch: sample s has events sampleStart[s] .. sampleStart[s+1]. */
export interface InputBatch {
  /** Number of samples. */
  readonly samples: number;
  /** Event times (+Infinity allowed: never processed). */
  readonly times: Float64Array;
  /** Channels: one per event, or with eventStart the bundles' channels back to back. */
  readonly channels: Int32Array;
  /** Optional bundle offsets: event e has channels[eventStart[e] .. eventStart[e+1]). */
  readonly eventStart?: Int32Array;
  /** samples + 1 offsets into times. */
  readonly sampleStart: Int32Array;
}

/**
 * Checks the layout of an input batch (types, samples, increasing offsets that cover the arrays),
 * so that no consumer reads outside its arrays. Throws coded TypeError/RangeError naming the field.
 */
export function checkInputBatch(batch: unknown, name = 'batch'): InputBatch {
  const b = batch as InputBatch;
  if (typeof b !== 'object' || b === null || !isFloat64Array(b.times) || !isInt32Array(b.channels) || !isInt32Array(b.sampleStart)) {
    throw argumentError(`Expected an InputBatch {samples, times, channels, sampleStart} for ${name} but received ${describe(batch)}`);
  }
  for (const key of ['times', 'channels', 'sampleStart'] as const) expectAttached(b[key], `${name}.${key}`);
  if (b.eventStart !== undefined && isInt32Array(b.eventStart)) expectAttached(b.eventStart, `${name}.eventStart`);
  if (!Number.isInteger(b.samples) || b.samples < 0 || b.sampleStart.length !== b.samples + 1) {
    throw rangeError(`Expected ${name}.samples (${describe(b.samples)}) to equal ${name}.sampleStart.length - 1 (${b.sampleStart.length - 1})`, 'ERR_SPIKEGRAD_SHAPE');
  }
  const offsets = (off: Int32Array, end: number, what: string) => {
    if (off[0] !== 0 || off[off.length - 1] !== end) throw rangeError(`${name}.${what} must run from 0 to ${end}`, 'ERR_SPIKEGRAD_SHAPE');
    for (let k = 1; k < off.length; k++) {
      if (off[k] < off[k - 1]) throw rangeError(`${name}.${what} must not decrease (entry ${k})`, 'ERR_SPIKEGRAD_SHAPE');
    }
  };
  offsets(b.sampleStart, b.times.length, 'sampleStart');
  if (b.eventStart !== undefined) {
    if (!isInt32Array(b.eventStart) || b.eventStart.length !== b.times.length + 1) {
      throw rangeError(`Expected an Int32Array of ${b.times.length + 1} offsets for ${name}.eventStart`, 'ERR_SPIKEGRAD_SHAPE');
    }
    offsets(b.eventStart, b.channels.length, 'eventStart');
  } else if (b.channels.length !== b.times.length) {
    throw rangeError(`${name}.channels must have the length of ${name}.times`, 'ERR_SPIKEGRAD_SHAPE');
  }
  return b;
}

/** The input spikes of one sample: spike k on channels[k] at times[k], in any order. */
export interface SampleSpikes {
  times: ArrayLike<number>;
  channels: ArrayLike<number>;
}

/**
 * A batch of plain spike lists, one per sample.
 *
 * @example
 * ```ts
 * const batch = spikeBatch([
 *   { times: [0.5, 1.0], channels: [0, 1] },   // sample 0
 *   { times: [0.2], channels: [1] },           // sample 1
 * ]);
 * ```
 */
export function spikeBatch(samples: readonly SampleSpikes[]): InputBatch {
  if (!Array.isArray(samples)) throw argumentError(`Expected an array of samples but received ${describe(samples)}`);
  const total = samples.reduce((a, s, k) => {
    if (typeof s !== 'object' || s === null || s.times === undefined || s.channels === undefined) {
      throw argumentError(`Expected {times, channels} for samples[${k}] but received ${describe(s)}`);
    }
    if (s.times.length !== s.channels.length) {
      throw rangeError(`samples[${k}]: times and channels differ in length (${s.times.length} vs ${s.channels.length})`, 'ERR_SPIKEGRAD_SHAPE');
    }
    return a + s.times.length;
  }, 0);
  const times = new Float64Array(total);
  const channels = new Int32Array(total);
  const sampleStart = new Int32Array(samples.length + 1);
  let e = 0;
  samples.forEach((s, k) => {
    for (let i = 0; i < s.times.length; i++, e++) {
      const c = s.channels[i];
      if (!Number.isInteger(c) || c < 0 || c > 0x7fffffff) {
        throw rangeError(`samples[${k}].channels[${i}]: expected a channel index but received ${describe(c)}`);
      }
      times[e] = s.times[i];
      channels[e] = c;
    }
    sampleStart[k + 1] = e;
  });
  return { samples: samples.length, times, channels, sampleStart };
}

/** The same spikes for every one of `samples` samples (a deterministic task). */
export function repeatBatch(sample: SampleSpikes, samples = 1): InputBatch {
  return spikeBatch(Array.from({ length: samples }, () => sample));
}

/** Concatenates the events of two batches sample by sample (both must have the same samples). */
export function mergeBatches(a: InputBatch, b: InputBatch): InputBatch {
  checkInputBatch(a, 'a');
  checkInputBatch(b, 'b');
  if (a.samples !== b.samples) throw rangeError(`Cannot merge batches of ${a.samples} and ${b.samples} samples`, 'ERR_SPIKEGRAD_SHAPE');
  if ((a.eventStart === undefined) !== (b.eventStart === undefined)) {
    throw rangeError('Cannot merge a bundled and a plain batch', 'ERR_SPIKEGRAD_SHAPE');
  }
  const bundled = a.eventStart !== undefined;
  const times = new Float64Array(a.times.length + b.times.length);
  const channels = new Int32Array(a.channels.length + b.channels.length);
  const eventStart = bundled ? new Int32Array(times.length + 1) : undefined;
  const sampleStart = new Int32Array(a.samples + 1);
  let e = 0;
  let c = 0;
  const copy = (x: InputBatch, s: number) => {
    for (let k = x.sampleStart[s]; k < x.sampleStart[s + 1]; k++, e++) {
      times[e] = x.times[k];
      if (bundled) {
        const lo = x.eventStart![k];
        const hi = x.eventStart![k + 1];
        for (let q = lo; q < hi; q++) channels[c++] = x.channels[q];
        eventStart![e + 1] = c;
      } else {
        channels[e] = x.channels[k];
      }
    }
  };
  for (let s = 0; s < a.samples; s++) {
    copy(a, s);
    copy(b, s);
    sampleStart[s + 1] = e;
  }
  return { samples: a.samples, times, channels, eventStart, sampleStart };
}

/** Selects samples (in the given order) from a batch. */
export function selectSamples(batch: InputBatch, indices: ArrayLike<number>): InputBatch {
  return pickSamples(checkInputBatch(batch), indices);
}

/** {@link selectSamples} from a batch that is known to be valid (checked once, or built valid). */
export function pickSamples(batch: InputBatch, indices: ArrayLike<number>): InputBatch {
  let events = 0;
  let chans = 0;
  for (let i = 0; i < indices.length; i++) {
    const s = indices[i];
    if (!Number.isInteger(s) || s < 0 || s >= batch.samples) throw rangeError(`sample index ${s} is out of range [0, ${batch.samples})`);
    events += batch.sampleStart[s + 1] - batch.sampleStart[s];
    if (batch.eventStart) chans += batch.eventStart[batch.sampleStart[s + 1]] - batch.eventStart[batch.sampleStart[s]];
  }
  const bundled = batch.eventStart !== undefined;
  const times = new Float64Array(events);
  const channels = new Int32Array(bundled ? chans : events);
  const eventStart = bundled ? new Int32Array(events + 1) : undefined;
  const sampleStart = new Int32Array(indices.length + 1);
  let e = 0;
  let c = 0;
  for (let i = 0; i < indices.length; i++) {
    const s = indices[i];
    for (let k = batch.sampleStart[s]; k < batch.sampleStart[s + 1]; k++, e++) {
      times[e] = batch.times[k];
      if (bundled) {
        for (let q = batch.eventStart![k]; q < batch.eventStart![k + 1]; q++) channels[c++] = batch.channels[q];
        eventStart![e + 1] = c;
      } else {
        channels[e] = batch.channels[k];
      }
    }
    sampleStart[i + 1] = e;
  }
  return { samples: indices.length, times, channels, eventStart, sampleStart };
}
