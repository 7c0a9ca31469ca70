/**
 * Time-to-first-spike cross-entropy (method.md 6.4) with the early-spike regulariser, plus the
 * MNIST prediction and metric conventions (method.md 6.4 metrics, 7 item 14).
 */
import { argumentError, describe, rangeError } from '../../base/errors';
import { mean, type Loss, type LossResult } from './loss';
import { checkOutputBatch, type OutputBatch } from '../../network/output';
import { expectBoolean, expectPositive, readOptions } from '../../base/validate';

/**
 * Options of {@link firstSpikeCrossEntropy}.
 *
 * @example
 * ```ts
 * const options: FirstSpikeCrossEntropyOptions = { gamma: 0.01 };
 * ```
 */
export interface FirstSpikeCrossEntropyOptions {
  /** Weight of the regulariser gamma (exp(t_y / T) - 1); finite, >= 0. Default 0.01. */
  gamma?: number;
  /**
   * Weight alpha of the real-spike margin alpha max(0, t[y] + margin - min(T, min_{k != y} t[k])):
   * it pushes the correct output to spike at least `margin` before every other output's real
   * spike and before T, so that real spikes (not pseudospikes) decide. Finite, >= 0. Default 0 (off).
   */
  marginWeight?: number;
  /** The margin m of {@link marginWeight}, in units of time; finite, >= 0. Default 0.5. */
  margin?: number;
}

/**
 * Integer class labels, one per sample (a number array or a typed array).
 *
 * @example
 * ```ts
 * const labels: Labels = Uint8Array.from([7, 2, 1]);
 * ```
 */
export type Labels = ArrayLike<number>;

/**
 * Checks labels: an array or typed array of `samples` integers in [0, slots - 1].
 *
 * @example
 * ```ts
 * checkLabels([0, 3], 2, 10, 'labels'); // ok
 * checkLabels([0, 10], 2, 10, 'labels'); // RangeError naming labels[1]
 * ```
 */
export function checkLabels(labels: unknown, samples: number, slots: number, name = 'labels'): Labels {
  const arrayLike = Array.isArray(labels) || (ArrayBuffer.isView(labels) && !(labels instanceof DataView));
  if (!arrayLike) {
    throw argumentError(`Expected an array of integer labels for ${name} but received ${describe(labels)}`);
  }
  const l = labels as ArrayLike<unknown>;
  if (l.length !== samples) {
    throw rangeError(
      `Expected ${samples} labels (one per sample) for ${name} but received length ${l.length}`,
      'ERR_SPIKEGRAD_SHAPE',
    );
  }
  for (let s = 0; s < samples; s++) {
    const y = l[s];
    if (typeof y !== 'number') {
      throw argumentError(`Expected an integer label for ${name}[${s}] but received ${describe(y)}`);
    }
    if (!Number.isInteger(y) || y < 0 || y >= slots) {
      throw rangeError(`Expected an integer in [0, ${slots - 1}] for ${name}[${s}] but received ${y}`);
    }
  }
  return l as Labels;
}

/**
 * The MNIST loss of method.md 6.4. Per sample with label y and output times t (ordinary or
 * pseudo):
 *
 *     L = -log softmax(-t)[y] + gamma (exp(t[y] / T) - 1)
 *
 * averaged over the batch. The gradient (method.md 5.6), divided by the batch size, is
 *
 *     dL/dt[k] = delta_{k,y} (1 + (gamma / T) exp(t[y] / T)) - softmax(-t)[k].
 *
 * The log-sum-exp is shifted by the earliest time, so large times neither overflow nor underflow.
 * Targets are integer labels, one per sample.
 *
 * @example
 * ```ts
 * const loss = firstSpikeCrossEntropy({ gamma: 0.01 });
 * const out = { times: new Float64Array(10).fill(3), samples: 1, slots: 10, T: 2 };
 * loss.compute(out, [7]).value; // ln 10 + 0.01 (e^1.5 - 1) = 2.33740...
 * ```
 */
export function firstSpikeCrossEntropy(options?: FirstSpikeCrossEntropyOptions): Loss<Labels> {
  const o = readOptions(options, 'firstSpikeCrossEntropy options', ['gamma', 'marginWeight', 'margin']);
  const gamma = o.gamma === undefined ? 0.01 : expectPositive(o.gamma, 'gamma', true);
  const alpha = o.marginWeight === undefined ? 0 : expectPositive(o.marginWeight, 'marginWeight', true);
  const margin = o.margin === undefined ? 0.5 : expectPositive(o.margin, 'margin', true);
  return {
    name: 'first_spike_cross_entropy',
    // The core computes the cross-entropy with its regulariser; the margin term only here.
    ...(alpha === 0 ? { native: { name: 'first_spike_cross_entropy', gamma } } : {}),
    compute(out: OutputBatch, labels: Labels): LossResult {
      const { times, samples, slots, T } = checkOutputBatch(out);
      checkLabels(labels, samples, slots);
      const perSample = new Float64Array(samples);
      const grad = new Float64Array(times.length);
      for (let s = 0; s < samples; s++) {
        const base = s * slots;
        let tMin = Infinity;
        for (let k = 0; k < slots; k++) tMin = Math.min(tMin, times[base + k]);
        // softmax(-t) with the shift -t + tMin <= 0: every exponential is in (0, 1].
        let z = 0;
        for (let k = 0; k < slots; k++) {
          const e = Math.exp(tMin - times[base + k]);
          grad[base + k] = e;
          z += e;
        }
        const y = labels[s];
        const ty = times[base + y];
        // -log softmax(-t)[y] = t[y] + log sum_k exp(-t[k]) = t[y] - tMin + log z.
        // gamma = 0 skips the regulariser, so huge times cannot produce 0 * Infinity.
        perSample[s] = ty - tMin + Math.log(z) + (gamma === 0 ? 0 : gamma * Math.expm1(ty / T));
        for (let k = 0; k < slots; k++) grad[base + k] = -grad[base + k] / z / samples;
        grad[base + y] += (1 + (gamma === 0 ? 0 : (gamma / T) * Math.exp(ty / T))) / samples;
        if (alpha > 0) {
          // The earliest other real spike (or T); its slot takes the opposite gradient.
          let rival = -1;
          let tRival = T;
          for (let k = 0; k < slots; k++) {
            if (k !== y && times[base + k] < tRival) {
              tRival = times[base + k];
              rival = k;
            }
          }
          const h = ty + margin - tRival;
          if (h > 0) {
            perSample[s] += alpha * h;
            grad[base + y] += alpha / samples;
            if (rival >= 0) grad[base + rival] -= alpha / samples;
          }
        }
      }
      return { value: mean(perSample), perSample, grad };
    },
  };
}

/**
 * The predicted class of each sample: the slot with the earliest time (argmin); ties go to the
 * lowest index.
 *
 * @example
 * ```ts
 * predict({ times: new Float64Array([2, 1, 1, 3, 3, 3]), samples: 2, slots: 3, T: 2 }); // Int32Array [1, 0]
 * ```
 */
export function predict(out: OutputBatch): Int32Array {
  return argmin(checkOutputBatch(out));
}

/** {@link predict} of a batch that is known to be valid (made by a network, or checked). */
function argmin({ times, samples, slots }: OutputBatch): Int32Array {
  const pred = new Int32Array(samples);
  for (let s = 0; s < samples; s++) {
    const base = s * slots;
    let best = 0;
    for (let k = 1; k < slots; k++) if (times[base + k] < times[base + best]) best = k;
    pred[s] = best;
  }
  return pred;
}

/**
 * The "ordinary" view of a batch (method.md 6.4, acc_ord / loss_ord): a copy with every time
 * replaced by min(t, T), so all outputs that did not spike tie at T. `isPseudo` is copied
 * unchanged (it still tells which slots had no ordinary spike).
 *
 * @example
 * ```ts
 * const ord = clipToTrial({ times: new Float64Array([0.5, 3.1]), samples: 1, slots: 2, T: 2 });
 * ord.times; // Float64Array [0.5, 2]
 * firstSpikeCrossEntropy().compute(ord, [0]).value; // loss_ord
 * ```
 */
export function clipToTrial(out: OutputBatch): OutputBatch {
  return clipTimes(checkOutputBatch(out));
}

/**
 * {@link clipToTrial} of a batch that is known to be valid (a network's output, or checked):
 * the trainer's evaluation, which must not check the same output once per metric.
 */
export function clipTimes({ times, isPseudo, samples, slots, T }: OutputBatch): OutputBatch {
  const result: OutputBatch = { times: times.map((t) => Math.min(t, T)), samples, slots, T };
  if (isPseudo !== undefined) result.isPseudo = isPseudo.slice();
  return result;
}

/**
 * The fraction of samples whose predicted class is the label, for a valid batch and labels
 * checked against it ({@link checkLabels}): {@link accuracy} without its checks.
 */
export function fractionCorrect(out: OutputBatch, labels: Labels): number {
  const pred = argmin(out);
  let correct = 0;
  for (let s = 0; s < out.samples; s++) if (pred[s] === labels[s]) correct++;
  return correct / out.samples;
}

/**
 * Options of {@link accuracy}.
 *
 * @example
 * ```ts
 * const accOrd = accuracy(out, labels, { ordinaryOnly: true } satisfies AccuracyOptions);
 * ```
 */
export interface AccuracyOptions {
  /**
   * Count only ordinary spikes (acc_ord): clip the times to T first, so outputs that did not
   * spike tie at T and ties go to the lowest index. Default false (pseudospikes decide: acc).
   */
  ordinaryOnly?: boolean;
}

/**
 * The fraction of samples whose prediction ({@link predict}) equals the label. With
 * `ordinaryOnly` the times are clipped to T first (method.md 6.4 acc_ord): a sample where no
 * output spiked predicts class 0.
 *
 * @example
 * ```ts
 * const out = { times: new Float64Array([3.2, 2.9, 1.5, 3.0]), samples: 2, slots: 2, T: 2 };
 * accuracy(out, [1, 0]);                          // 1: sample 0 -> 1 (pseudo), sample 1 -> 0
 * accuracy(out, [1, 0], { ordinaryOnly: true });  // 0.5: sample 0 ties at T -> 0, sample 1 -> 0
 * ```
 */
export function accuracy(out: OutputBatch, labels: Labels, options?: AccuracyOptions): number {
  const o = readOptions(options, 'accuracy options', ['ordinaryOnly']);
  if (o.ordinaryOnly !== undefined) expectBoolean(o.ordinaryOnly, 'ordinaryOnly');
  const batch = checkOutputBatch(out);
  checkLabels(labels, batch.samples, batch.slots);
  return fractionCorrect(o.ordinaryOnly === true ? clipTimes(batch) : batch, labels);
}
