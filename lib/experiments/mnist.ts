/**
 * The MNIST experiment (method.md 6.4, presumably paper Fig. 4): a deep, initially silent
 * 784-100-100-10 theta-neuron network (tau = 6/pi, I0 = 5/4, period 6, phi0 = 3) with
 * time-to-first-spike input, the first-spike cross-entropy loss with gamma = 0.01, AdaBelief with
 * lr 4e-3 exp(-step / (100 epochs)), pixel-flip augmentation (p = 0.02) and phi0 clipped to
 * [0, Theta]; evaluated with and without pseudospikes, with activity and silent fractions.
 */
import { theta } from '../neurons';
import { feedForward } from '../topology';
import { adaBelief, exponentialDecay } from '../training/optim';
import { firstSpikeCrossEntropy } from '../training/losses';
import { imageDataset } from '../data/datasets';
import { ttfsBatch } from '../data/ttfs';
import { Trainer, type BatchInfo, type EpochInfo, type Metrics } from '../training/trainer';
import type { ProgressOptions } from '../training/progress';
import { loadBundledDigits, splitImages, subsetImages, type ImageSet } from '../data/digits';
import type { Network } from '../network/network';
import fs = require('fs');
import { CLASS_NAMES } from '../data/classes';
import { optionNames, readOptions } from '../base/validate';
import { codedError } from '../base/errors';

export interface MnistOptions {
  /** Training and test images. */
  train: ImageSet;
  test: ImageSet;
  /** Epochs to complete. Default 100 (the paper). */
  epochs?: number;
  /** Samples per step. Default 1000 (the paper). */
  batchSize?: number;
  /** Learning-rate decay time in epochs. Default 100. */
  tauLrEpochs?: number;
  seed?: number;
  threads?: number;
  /** Checkpoint file (written every epoch and on abort); resume from it when it exists and resume is set. */
  checkpoint?: string;
  resume?: boolean;
  signal?: AbortSignal;
  /** Progress of the training (FitOptions.progress). */
  progress?: boolean | ProgressOptions;
  onEpoch?: (info: EpochInfo) => void | Promise<void>;
  /** Class names stored with the model (network.classes). Default the digits '0' to '9'. */
  classes?: readonly string[];
  /** Called after every optimiser step (FitOptions.onBatch). */
  onBatch?: (info: BatchInfo) => void | Promise<void>;
  /** Called after every epoch (and the evaluation before training) with the result so far: for a live view. */
  onSnapshot?: (result: MnistResult) => void | Promise<void>;
  /** Settings stored with the checkpoint (Trainer.settings), e.g. the command line; a resume returns the stored ones. */
  settings?: Record<string, string | number | boolean>;
}

export interface MnistSpikes {
  times: number[];
  neurons: number[];
}

export interface MnistResult {
  history: EpochInfo[];
  final: Metrics;
  /**
   * Test image used for the rasters: its pixels, label, the network's prediction (the earliest
   * output, pseudospikes included), whether that output was a pseudospike, the ten output times
   * and the class names.
   */
  example: { pixels: number[]; label: number; prediction: number; predictionPseudo: boolean; outputTimes: number[]; classes: readonly string[] };
  rasterBefore: MnistSpikes;
  rasterAfter: MnistSpikes;
  /** Output-neuron voltage traces after training for the example image, dt = 0.001. */
  traces: { times: number[]; V: number[][] };
  /** Wall time of this call (s). */
  seconds: number;
  /** Training wall time over this run and the runs it resumed (s). */
  totalSeconds: number;
  settings: { epochs: number; batchSize: number; trainSize: number; testSize: number; seed: number };
  network: Network;
  /** Where the checkpoint stood when this run resumed it (absent for a fresh start). */
  resumedFrom?: { epoch: number; batchInEpoch: number; settings?: Record<string, string | number | boolean> };
  /** Set when the signal stopped training: the position reached (the result holds what has run). */
  stopped?: { epoch: number; batchInEpoch: number };
}

/** The bundled digits (the first 10,000 MNIST training images) as a seeded held-out split. */
export function bundledSplit(testFraction = 0.2, seed = 0, limit?: number): { train: ImageSet; test: ImageSet } {
  let digits = loadBundledDigits();
  if (limit !== undefined && limit < digits.size) digits = subsetImages(digits, Array.from({ length: limit }, (_, k) => k));
  return splitImages(digits, testFraction, seed);
}

/** The input encoding of the experiment: 28 x 28 images, T = 2, one bin (pixels >= 128 spike). */
export const MNIST_ENCODING = Object.freeze({ kind: 'image', T: 2, bins: 1, pixels: 784, shape: Object.freeze([28, 28]) as readonly [number, number] } as const);

/** The paper's network, with its input encoding and class names (saved with it, used by predict). */
export function mnistNetwork(seed: number, classes: readonly string[] = CLASS_NAMES.mnist): Network {
  const net = feedForward({ neuron: theta({ tau: 6 / Math.PI, I0: 1.25 }), sizes: [784, 100, 100, 10], T: 2, maxEvents: 1000, wScale: 0.5, seed });
  net.encoding = MNIST_ENCODING;
  net.classes = classes;
  return net;
}

function rasterOf(net: Network, image: Uint8Array): MnistSpikes {
  const r = net.trial(ttfsBatch(image, 784, { T: 2 }));
  return { times: Array.from(r.spikeTimes), neurons: Array.from(r.spikeNeurons) };
}

const MNIST_OPTIONS = optionNames<MnistOptions>()([
  'train',
  'test',
  'epochs',
  'batchSize',
  'tauLrEpochs',
  'seed',
  'threads',
  'checkpoint',
  'resume',
  'signal',
  'progress',
  'onEpoch',
  'classes',
  'settings',
  'onBatch',
  'onSnapshot',
]);

/** Trains and evaluates; resumable from a checkpoint. */
export async function runMnist(given: MnistOptions): Promise<MnistResult> {
  const options = readOptions(given, 'runMnist options', MNIST_OPTIONS, true) as MnistOptions;
  const t0 = Date.now();
  const epochs = options.epochs ?? 100;
  let batchSize = options.batchSize ?? 1000;
  let seed = options.seed ?? 0;
  const train = imageDataset({ ...options.train, T: 2, flipProbability: 0.02 });
  const test = imageDataset({ ...options.test, T: 2 });
  const stepsPerEpoch = Math.ceil(options.train.size / batchSize);
  const loss = firstSpikeCrossEntropy({ gamma: 0.01 });
  let trainer: Trainer<Int32Array>;
  let resumedFrom: MnistResult['resumedFrom'];
  if (options.resume && options.checkpoint && fs.existsSync(options.checkpoint)) {
    trainer = await Trainer.loadAsync<Int32Array>(options.checkpoint, { loss, threads: options.threads });
    // A resume continues the stored run: a batch size or seed given here must be the stored one.
    const conflicts = [
      options.batchSize !== undefined && options.batchSize !== trainer.batchSize ? `batchSize ${options.batchSize} (the checkpoint has ${trainer.batchSize})` : '',
      options.seed !== undefined && options.seed !== trainer.seed ? `seed ${options.seed} (the checkpoint has ${trainer.seed})` : '',
    ].filter(Boolean);
    if (conflicts.length > 0) {
      throw codedError(`Cannot resume ${options.checkpoint} with ${conflicts.join(' and ')}: leave them out to keep the checkpoint's, or start afresh without resume`, 'ERR_SPIKEGRAD_ARG');
    }
    batchSize = trainer.batchSize;
    seed = trainer.seed;
    resumedFrom = { epoch: trainer.epoch, batchInEpoch: trainer.batchInEpoch, ...(trainer.settings ? { settings: { ...trainer.settings } } : {}) };
    if (options.settings !== undefined) trainer.settings = { ...options.settings };
  } else {
    trainer = new Trainer({
      network: mnistNetwork(seed, options.classes),
      loss,
      optimizer: adaBelief({
        lr: exponentialDecay({ initial: 4e-3, transitionSteps: (options.tauLrEpochs ?? 100) * stepsPerEpoch, decayRate: Math.exp(-1) }),
      }),
      batchSize,
      seed,
      threads: options.threads,
    });
    if (options.settings !== undefined) trainer.settings = { ...options.settings };
  }
  const exampleIndex = Math.min(2, options.test.size - 1);
  const image = options.test.images.subarray(exampleIndex * 784, (exampleIndex + 1) * 784);
  const initial = mnistNetwork(seed);
  const rasterBefore = rasterOf(initial, image);
  // The result as the run stands (after the run, and for onSnapshot after every epoch).
  const snapshot = (stopped?: MnistResult['stopped']): MnistResult => {
    const net = trainer.network;
    const outputs = Array.from(net.structure.readout.neurons);
    const r = net.trial(ttfsBatch(image, 784, { T: 2 }), { traceDt: 0.001, traceNeurons: outputs });
    const G = r.traces!.times.length;
    const last = trainer.history[trainer.history.length - 1];
    const out = net.forward(ttfsBatch(image, 784, { T: 2 }));
    let prediction = 0;
    for (let q = 1; q < out.slots; q++) if (out.times[q] < out.times[prediction]) prediction = q;
    return {
      history: trainer.history.slice(),
      final: last.test!,
      example: {
        pixels: Array.from(image),
        label: options.test.labels[exampleIndex],
        prediction,
        predictionPseudo: out.isPseudo[prediction] === 1,
        outputTimes: Array.from(out.times),
        classes: net.classes ?? CLASS_NAMES.mnist,
      },
      rasterBefore,
      rasterAfter: { times: Array.from(r.spikeTimes), neurons: Array.from(r.spikeNeurons) },
      traces: { times: Array.from(r.traces!.times), V: outputs.map((_, q) => Array.from(r.traces!.V.subarray(q * G, (q + 1) * G))) },
      seconds: (Date.now() - t0) / 1000,
      totalSeconds: trainer.seconds,
      ...(resumedFrom ? { resumedFrom } : {}),
      ...(stopped ? { stopped } : {}),
      settings: { epochs, batchSize, trainSize: options.train.size, testSize: options.test.size, seed },
      network: net,
    };
  };
  let stopped: MnistResult['stopped'];
  try {
    await trainer.fit({
      train,
      test,
      epochs,
      evaluateBefore: true,
      signal: options.signal,
      progress: options.progress,
      checkpoint: options.checkpoint,
      onBatch: options.onBatch,
      onEpoch: async (info) => {
        await options.onEpoch?.(info);
        if (options.onSnapshot) await options.onSnapshot(snapshot());
      },
    });
  } catch (err) {
    // Stopped by the signal: the checkpoint is written; return what has run, for the report.
    if ((err as { code?: string }).code !== 'ABORT_ERR' || trainer.history.length === 0) throw err;
    stopped = { epoch: trainer.epoch, batchInEpoch: trainer.batchInEpoch };
  }
  return snapshot(stopped);
}
