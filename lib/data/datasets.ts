/**
 * Datasets for training: a dataset knows its size and turns a list of sample indices into an
 * input batch plus the loss targets of those samples. Augmentation happens here, when the trainer
 * asks for a training batch (with its seeded random source), so that a seed reproduces it.
 */
import { argumentError, describe, rangeError } from '../base/errors';
import { checkInputBatch, pickSamples, repeatBatch, spikeBatch, type InputBatch, type SampleSpikes } from '../network/inputs';
import { ttfsBatch } from './ttfs';
import type { Random } from '../base/random';
import { expectAttached, expectInteger, expectObject, isInt32Array, isUint8Array, optionNames, readOptions } from '../base/validate';

/** How a batch is requested. */
export interface BatchContext {
  /** True for training batches (augmentation applies), false for evaluation. */
  training: boolean;
  /** The trainer's augmentation random source. */
  rng: Random;
}

/** A dataset of `size` samples with targets of type Targets (for a batch). */
export interface Dataset<Targets> {
  readonly size: number;
  /**
   * The encoded inputs and the targets of the samples `indices`. Return new arrays (or arrays
   * left unchanged until the call after next): `Trainer.fit` calls `batch` for the next batch
   * while the current one is still being computed. Draw any augmentation from `context.rng`.
   */
  batch(indices: Int32Array, context: BatchContext): { inputs: InputBatch; targets: Targets };
  /** Optional integer class labels (enables accuracy metrics). */
  labels?(indices: Int32Array): Int32Array;
}

export interface ImageDatasetOptions {
  /** Images, uint8 pixels, image after image. */
  images: Uint8Array;
  /** Pixels per image (784 for MNIST). */
  pixels: number;
  /** A class label per image. */
  labels: ArrayLike<number>;
  /** Trial end (sets the spike times of the encoding). */
  T: number;
  /** Encoding bins (Nin_virtual). Default 1. */
  bins?: number;
  /** Per-pixel flip probability for training batches (the paper's augmentation, 0.02). Default 0. */
  flipProbability?: number;
  /** The number of images, as an ImageSet carries it (so that `{ ...set, T }` works); checked. */
  size?: number;
  /** Image height and width, as an IdxImageSet carries them; rows x cols must be pixels. */
  rows?: number;
  cols?: number;
}

const IMAGE_DATASET_OPTIONS = optionNames<ImageDatasetOptions>()(['images', 'pixels', 'labels', 'T', 'bins', 'flipProbability', 'size', 'rows', 'cols']);

/**
 * Labelled images with time-to-first-spike encoding (method.md 6.4); targets are labels.
 *
 * @example
 * ```ts
 * const train = imageDataset({ images, pixels: 784, labels, T: 2, flipProbability: 0.02 });
 * ```
 */
export function imageDataset(given: ImageDatasetOptions): Dataset<Int32Array> {
  const options = readOptions(given, 'imageDataset options', IMAGE_DATASET_OPTIONS, true) as ImageDatasetOptions;
  const { images, pixels, T } = options;
  if (!isUint8Array(images)) throw argumentError(`Expected a Uint8Array for images but received ${describe(images)}`);
  if (!Number.isInteger(pixels) || pixels < 1 || images.length % pixels !== 0) {
    throw rangeError(`images (length ${images.length}) is not a whole number of images of ${pixels} pixels`, 'ERR_SPIKEGRAD_SHAPE');
  }
  const size = images.length / pixels;
  if (options.size !== undefined && options.size !== size) {
    throw rangeError(`Expected size = ${size} (images.length / pixels) but received ${describe(options.size)}`, 'ERR_SPIKEGRAD_SHAPE');
  }
  if ((options.rows !== undefined || options.cols !== undefined) && expectInteger(options.rows, 'rows', 1) * expectInteger(options.cols, 'cols', 1) !== pixels) {
    throw rangeError(`Expected rows x cols = pixels (${pixels}) but received ${options.rows} x ${options.cols}`, 'ERR_SPIKEGRAD_SHAPE');
  }
  // Checked element by element: Int32Array.from would make 1.5 a 1, NaN a 0 and 2^32 + 1 a 1.
  const labels = readLabels(options.labels, size, 'labels');
  const flip = options.flipProbability ?? 0;
  return {
    size,
    batch(indices, context) {
      const sub = new Uint8Array(indices.length * pixels);
      for (let k = 0; k < indices.length; k++) {
        const s = indices[k];
        sub.set(images.subarray(s * pixels, (s + 1) * pixels), k * pixels);
      }
      const inputs = ttfsBatch(sub, pixels, {
        T,
        bins: options.bins,
        flipProbability: context.training ? flip : 0,
        rng: context.rng,
      });
      return { inputs, targets: Int32Array.from(indices, (s) => labels[s]) };
    },
    labels: (indices) => Int32Array.from(indices, (s) => labels[s]),
  };
}

/** Options of {@link spikeDataset}. */
export interface SpikeDatasetOptions {
  /**
   * An integer class label per sample (an array or an Int32Array): the dataset then has labels,
   * so the trainer reports accuracy. Default: the targets themselves when they are an Int32Array
   * (class labels, as `yinYang()` returns them), none otherwise.
   */
  labels?: ArrayLike<number>;
}

const SPIKE_DATASET_OPTIONS = optionNames<SpikeDatasetOptions>()(['labels']);

/** A label array checked once: integers >= 0, one per sample (a copy). */
function readLabels(labels: unknown, size: number, name: string): Int32Array {
  const arrayLike = Array.isArray(labels) || (ArrayBuffer.isView(labels) && !(labels instanceof DataView));
  if (!arrayLike) throw argumentError(`Expected an array or Int32Array of integer labels for ${name} but received ${describe(labels)}`);
  const l = labels as ArrayLike<unknown>;
  if (l.length !== size) throw rangeError(`Expected ${size} labels (one per sample) for ${name} but received length ${l.length}`, 'ERR_SPIKEGRAD_SHAPE');
  const out = new Int32Array(size);
  for (let s = 0; s < size; s++) {
    const y = l[s];
    if (typeof y !== 'number') throw argumentError(`Expected an integer label for ${name}[${s}] but received ${describe(y)}`);
    if (!Number.isInteger(y) || y < 0 || y > 0x7fffffff) throw rangeError(`Expected an integer label >= 0 for ${name}[${s}] but received ${y}`);
    out[s] = y;
  }
  return out;
}

/**
 * Samples given as spike lists, with one target per sample. Targets given as an Int32Array are
 * class labels: each batch's targets are then an Int32Array (what `firstSpikeCrossEntropy`
 * takes) and the dataset has labels, so evaluation reports accuracy. Other targets (an array)
 * come back as an array per batch; `options.labels` adds class labels to them.
 *
 * @example
 * ```ts
 * const data = spikeDataset([{ times: [0.5], channels: [0] }, { times: [0.9], channels: [1] }], [0, 1], { labels: [0, 1] });
 * const set = yinYang({ size: 100, seed: 1 });
 * const yy = spikeDataset(yinYangSpikes(set, { T: 2 }), set.labels); // Dataset<Int32Array>, with accuracy
 * ```
 */
export function spikeDataset(samples: readonly SampleSpikes[], labels: Int32Array, options?: SpikeDatasetOptions): Dataset<Int32Array>;
export function spikeDataset<Target>(samples: readonly SampleSpikes[], targets: readonly Target[], options?: SpikeDatasetOptions): Dataset<Target[]>;
export function spikeDataset<Target>(samples: readonly SampleSpikes[], targets: readonly Target[] | Int32Array, given?: SpikeDatasetOptions): Dataset<Target[] | Int32Array> {
  const options = readOptions(given, 'spikeDataset options', SPIKE_DATASET_OPTIONS) as SpikeDatasetOptions;
  if (!Array.isArray(samples)) throw argumentError(`Expected an array of {times, channels} samples but received ${describe(samples)}`);
  const all = spikeBatch(samples);
  const typed = isInt32Array(targets);
  if (!typed && !Array.isArray(targets)) throw argumentError(`Expected an array or an Int32Array of targets but received ${describe(targets)}`);
  if (typed) expectAttached(targets, 'targets');
  if (targets.length !== samples.length) {
    throw rangeError(`Expected ${samples.length} targets (one per sample) but received length ${targets.length}`, 'ERR_SPIKEGRAD_SHAPE');
  }
  const typedTargets = typed ? readLabels(targets, samples.length, 'targets') : undefined;
  const labels = options.labels !== undefined ? readLabels(options.labels, samples.length, 'labels') : typedTargets;
  const dataset: Dataset<Target[] | Int32Array> = {
    size: samples.length,
    batch: typed
      ? (indices) => ({ inputs: pickSamples(all, indices), targets: Int32Array.from(indices, (s) => typedTargets![s]) })
      : (indices) => ({ inputs: pickSamples(all, indices), targets: Array.from(indices, (s) => (targets as readonly Target[])[s]) }),
  };
  if (labels !== undefined) dataset.labels = (indices) => Int32Array.from(indices, (s) => labels[s]);
  return dataset;
}

/**
 * One deterministic trial, repeated: the dataset of the single-neuron and RNN tasks, whose
 * targets are the same for every batch.
 *
 * @example
 * ```ts
 * const data = fixedDataset(batch, new Float64Array([2.5, 7.5]));
 * ```
 */
export function fixedDataset<Targets>(inputs: InputBatch | SampleSpikes, targets: Targets): Dataset<Targets> {
  const given = expectObject(inputs, 'inputs', 'an InputBatch or {times, channels}');
  // Checked once here; the dataset keeps its own copy, so every batch is made without a check.
  const batch = Object.hasOwn(given, 'sampleStart') ? checkInputBatch(given, 'inputs') : repeatBatch(inputs as SampleSpikes, 1);
  if (batch.samples !== 1) throw rangeError(`Expected a batch of one sample but received ${batch.samples}`, 'ERR_SPIKEGRAD_SHAPE');
  const one = pickSamples(batch, [0]);
  return {
    size: 1,
    batch: (indices) => ({ inputs: pickSamples(one, new Int32Array(indices.length)), targets }),
  };
}
