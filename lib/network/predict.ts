/**
 * Decisions from output times, for `Network.predict` (docs/serving.md): per sample the predicted
 * class, the output times, and which of them are pseudospikes.
 *
 * The rule: the classes are the readout neurons, in readout order. A neuron's decisive time is
 * its first output time; the predicted class is the neuron with the earliest one (argmin, ties to
 * the lowest index). For the first-spike readouts of classifiers (one output time per neuron)
 * this is the argmin of the output times, the rule of training and of `accuracy`. Pseudospike
 * times (method.md 4) are later than T and ordered smoothly, so by default an output that did
 * not spike can still win when no output spiked (the paper's acc). With `ordinaryOnly` the
 * decision uses real spikes only (the paper's acc_ord): every time is clipped to T first, so
 * outputs that did not spike tie at T, and when no output spiked at all the class is 0 (the
 * lowest index) with `spiked: false`.
 */
import { argumentError, describe } from '../base/errors';
import { expectBoolean, expectInteger, readOptions } from '../base/validate';

/** Options of `Network.predict`. */
export interface PredictOptions {
  /** Decide by real spikes only (acc_ord): times clipped to T, ties to the lowest index. Default false. */
  ordinaryOnly?: boolean;
  /** Native worker threads (0 or absent: all cores). Results do not depend on it. */
  threads?: number;
  /** The input encoding, for a network that has none (or to override it). */
  encoding?: unknown;
}

export const PREDICT_OPTIONS = ['ordinaryOnly', 'threads', 'encoding'] as const;

/** The prediction for one sample. */
export interface Prediction {
  /** The predicted class: an index into the readout neurons (and into the class names). */
  class: number;
  /** The name of the predicted class, when the network has class names. */
  className?: string;
  /**
   * Whether the decision rests on a real spike: the winning neuron spiked before T. False when
   * a pseudospike decided (default rule) or when no output spiked (ordinaryOnly: class 0).
   */
  spiked: boolean;
  /** The output times, one per output slot (readout neuron after readout neuron); pseudospike times are > T. */
  times: number[];
  /** Per output slot: true where the time is a pseudospike (no real spike before T). */
  pseudo: boolean[];
}

/** Validated predict options. */
export function readPredictOptions(options: unknown): { ordinaryOnly: boolean; threads: number; encoding?: unknown } {
  const o = readOptions(options, 'predict options', PREDICT_OPTIONS);
  const ordinaryOnly = o.ordinaryOnly === undefined ? false : expectBoolean(o.ordinaryOnly, 'ordinaryOnly');
  const threads = o.threads === undefined ? 0 : expectInteger(o.threads, 'threads', 0, 1024);
  return { ordinaryOnly, threads, encoding: o.encoding };
}

/**
 * Predictions from a batch's output times (`times`/`isPseudo` sample-major, `slots` per sample)
 * for a readout whose neuron k has `counts[k]` output times.
 */
export function decide(
  out: { times: Float64Array; isPseudo: Uint8Array; samples: number; slots: number; T: number },
  counts: Int32Array,
  ordinaryOnly: boolean,
  classes?: readonly string[],
): Prediction[] {
  if (classes !== undefined && classes.length !== counts.length) throw argumentError(`Expected ${counts.length} class names but received ${describe(classes)}`);
  const first: number[] = [];
  let offset = 0;
  for (const c of counts) {
    first.push(offset);
    offset += c;
  }
  const result: Prediction[] = [];
  for (let s = 0; s < out.samples; s++) {
    const base = s * out.slots;
    const at = (k: number) => {
      const t = out.times[base + first[k]];
      return ordinaryOnly ? Math.min(t, out.T) : t;
    };
    let best = -1;
    for (let k = 0; k < counts.length; k++) if (counts[k] > 0 && (best < 0 || at(k) < at(best))) best = k;
    if (best < 0) best = 0;
    const times = Array.from(out.times.subarray(base, base + out.slots));
    const pseudo = Array.from(out.isPseudo.subarray(base, base + out.slots), (p) => p === 1);
    const spiked = counts[best] > 0 && !pseudo[first[best]];
    const p: Prediction = { class: best, spiked, times, pseudo };
    if (classes !== undefined) p.className = classes[best];
    result.push(p);
  }
  return result;
}
