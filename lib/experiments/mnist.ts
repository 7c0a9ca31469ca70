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
import { Trainer, type EpochInfo, type Metrics } from '../training/trainer';
import { loadBundledDigits, splitImages, subsetImages, type ImageSet } from '../data/digits';
import type { Network } from '../network/network';
import fs = require('fs');
import { CLASS_NAMES } from '../data/classes';
import { optionNames, readOptions } from '../base/validate';

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
  progress?: boolean;
  onEpoch?: (info: EpochInfo) => void;
  /** Class names stored with the model (network.classes). Default the digits '0' to '9'. */
  classes?: readonly string[];
}

export interface MnistSpikes {
  times: number[];
  neurons: number[];
}

export interface MnistResult {
  history: EpochInfo[];
  final: Metrics;
  /** Test image used for the rasters (its pixels and label). */
  example: { pixels: number[]; label: number };
  rasterBefore: MnistSpikes;
  rasterAfter: MnistSpikes;
  /** Output-neuron voltage traces after training for the example image, dt = 0.001. */
  traces: { times: number[]; V: number[][] };
  seconds: number;
  settings: { epochs: number; batchSize: number; trainSize: number; testSize: number; seed: number };
  network: Network;
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
]);

/** Trains and evaluates; resumable from a checkpoint. */
export async function runMnist(given: MnistOptions): Promise<MnistResult> {
  const options = readOptions(given, 'runMnist options', MNIST_OPTIONS, true) as MnistOptions;
  const t0 = Date.now();
  const epochs = options.epochs ?? 100;
  const batchSize = options.batchSize ?? 1000;
  const seed = options.seed ?? 0;
  const train = imageDataset({ ...options.train, T: 2, flipProbability: 0.02 });
  const test = imageDataset({ ...options.test, T: 2 });
  const stepsPerEpoch = Math.ceil(options.train.size / batchSize);
  const loss = firstSpikeCrossEntropy({ gamma: 0.01 });
  let trainer: Trainer<Int32Array>;
  if (options.resume && options.checkpoint && fs.existsSync(options.checkpoint)) {
    trainer = Trainer.load<Int32Array>(options.checkpoint, { loss, threads: options.threads });
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
  }
  const exampleIndex = Math.min(2, options.test.size - 1);
  const image = options.test.images.subarray(exampleIndex * 784, (exampleIndex + 1) * 784);
  const initial = mnistNetwork(seed);
  const rasterBefore = rasterOf(initial, image);
  await trainer.fit({
    train,
    test,
    epochs,
    evaluateBefore: true,
    signal: options.signal,
    progress: options.progress,
    checkpoint: options.checkpoint,
    onEpoch: options.onEpoch,
  });
  const net = trainer.network;
  const outputs = Array.from(net.structure.readout.neurons);
  const r = net.trial(ttfsBatch(image, 784, { T: 2 }), { traceDt: 0.001, traceNeurons: outputs });
  const G = r.traces!.times.length;
  const last = trainer.history[trainer.history.length - 1];
  return {
    history: trainer.history,
    final: last.test!,
    example: { pixels: Array.from(image), label: options.test.labels[exampleIndex] },
    rasterBefore,
    rasterAfter: { times: Array.from(r.spikeTimes), neurons: Array.from(r.spikeNeurons) },
    traces: { times: Array.from(r.traces!.times), V: outputs.map((_, q) => Array.from(r.traces!.V.subarray(q * G, (q + 1) * G))) },
    seconds: (Date.now() - t0) / 1000,
    settings: { epochs, batchSize, trainSize: options.train.size, testSize: options.test.size, seed },
    network: net,
  };
}
