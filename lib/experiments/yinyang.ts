/**
 * The Yin-Yang experiment (Kriener et al. 2022; the benchmark of EventProp, Göltz et al. and
 * DelGrad): a 5-H-3 spiking network classifies points of the yin-yang symbol by the first output
 * spike. The four values (x, y, 1 - x, 1 - y) of a sample become one input spike each (latency
 * code, larger values later) and a bias spike on a fifth channel; the loss is the first-spike
 * cross-entropy (method.md 6.4) plus a margin on the real output times, and the optimiser AdaBelief
 * with an exponentially decaying step. Accuracies are reported with pseudospikes and for the real
 * spiking network (`accuracyOrdinary`: output times clipped to T, ties to the lowest index), which
 * is the number compared with the literature. The reported epoch is the one with the best
 * real-spike accuracy on the validation split (seed 41; never the test set), as EventProp and
 * Göltz et al. report; `select: 'last'` reports the last epoch instead.
 */
import fs = require('fs');
import { lif, qif, theta } from '../neurons';
import type { NeuronModel } from '../neurons/neuron';
import { feedForward } from '../topology';
import { adaBelief, exponentialDecay } from '../training/optim';
import { firstSpikeCrossEntropy } from '../training/losses';
import { Trainer, type EpochInfo, type Metrics } from '../training/trainer';
import type { ProgressOptions } from '../training/progress';
import { pickSamples, spikeBatch, type InputBatch } from '../network/inputs';
import type { Dataset } from '../data/datasets';
import { YIN_YANG_CLASSES, YIN_YANG_SPLITS, yinYang, yinYangClass, yinYangSpikes, type YinYangSet } from '../data/yinyang';
import type { Network } from '../network/network';
import { rangeError } from '../base/errors';
import { optionNames, readOptions } from '../base/validate';

/** The neuron models the experiment offers. */
export const YINYANG_NEURONS = ['theta', 'qif', 'lif'] as const;
export type YinYangNeuron = (typeof YINYANG_NEURONS)[number];
/** Which epoch's network is reported: the best on the validation split, or the last. */
export const YINYANG_SELECTIONS = ['validation', 'last'] as const;
export type YinYangSelection = (typeof YINYANG_SELECTIONS)[number];

export interface YinYangExperimentOptions {
  /** Neuron model of all layers. Default 'theta'. */
  neuron?: YinYangNeuron;
  /** Hidden neurons. Default 200. */
  hidden?: number;
  /** Trial length. Default 6. */
  T?: number;
  /** Spike times of the values 0 and 1 and of the bias spike. Defaults 0.1, 1.1, 0.6. */
  tEarly?: number;
  tLate?: number;
  bias?: number;
  /** Epochs. Default 60. */
  epochs?: number;
  /** Samples per step. Default 50. */
  batchSize?: number;
  /** Initial learning rate. Default 0.003. */
  lr?: number;
  /** Learning-rate decay time in epochs (lr(step) = lr exp(-epoch / lrDecay)). Default 20. */
  lrDecay?: number;
  /** Weight of the early-spike regulariser. Default 0.01. */
  gamma?: number;
  /** Weight of the real-spike margin term of the loss (firstSpikeCrossEntropy's marginWeight; 0: off). Default 1. */
  marginWeight?: number;
  /** Its margin: the correct output should spike this much before the others' real spikes and T. Default 0.5. */
  margin?: number;
  /** The reported epoch: 'validation' (best real-spike accuracy on the validation split) or 'last'. Default 'validation'. */
  select?: YinYangSelection;
  /** Validation points (generated with the standard seed 41). Default 1000. */
  validationSize?: number;
  /** Initial weights ~ U(+-wScale / sqrt(fan-in)). Default 4. */
  wScale?: number;
  /** Seed of the weights, the shuffling and nothing else (the data sets are the standard splits). Default 0. */
  seed?: number;
  /** Training and test samples (generated with the standard seeds 42 and 40). Defaults 5000, 1000. */
  trainSize?: number;
  testSize?: number;
  threads?: number;
  /** Checkpoint file (every epoch and on abort); resumed from when it exists and resume is set. */
  checkpoint?: string;
  resume?: boolean;
  signal?: AbortSignal;
  progress?: boolean | ProgressOptions;
  onEpoch?: (info: EpochInfo) => void | Promise<void>;
  /** Called after every epoch (and the evaluation before training) with the result so far: for a live view. */
  onSnapshot?: (result: YinYangResult) => void | Promise<void>;
}

const YINYANG_OPTIONS = optionNames<YinYangExperimentOptions>()([
  'neuron',
  'hidden',
  'T',
  'tEarly',
  'tLate',
  'bias',
  'epochs',
  'batchSize',
  'lr',
  'lrDecay',
  'gamma',
  'marginWeight',
  'margin',
  'select',
  'validationSize',
  'wScale',
  'seed',
  'trainSize',
  'testSize',
  'threads',
  'checkpoint',
  'resume',
  'signal',
  'progress',
  'onEpoch',
  'onSnapshot',
]);

/** The resolved settings (everything that determines the result). */
export interface YinYangSettings {
  neuron: YinYangNeuron;
  hidden: number;
  T: number;
  tEarly: number;
  tLate: number;
  bias: number;
  epochs: number;
  batchSize: number;
  lr: number;
  lrDecay: number;
  gamma: number;
  marginWeight: number;
  margin: number;
  select: YinYangSelection;
  wScale: number;
  seed: number;
  trainSize: number;
  validationSize: number;
  testSize: number;
}

export const YINYANG_DEFAULTS: Readonly<Omit<YinYangSettings, 'seed'>> = Object.freeze({
  neuron: 'theta',
  hidden: 200,
  T: 6,
  tEarly: 0.1,
  tLate: 1.1,
  bias: 0.6,
  epochs: 60,
  batchSize: 50,
  lr: 0.003,
  lrDecay: 20,
  gamma: 0.01,
  marginWeight: 1,
  margin: 0.5,
  select: 'validation',
  wScale: 4,
  trainSize: 5000,
  validationSize: 1000,
  testSize: 1000,
});

export interface YinYangResult {
  settings: YinYangSettings;
  history: EpochInfo[];
  /** Test metrics of the reported epoch (`selected.epoch`). */
  final: Metrics;
  /** The reported epoch and its validation metrics (with select 'last': the last epoch). */
  selected: { epoch: number; validation?: Metrics };
  /** Test metrics of the last epoch (equal to final with select 'last'). */
  last: Metrics;
  /** Predicted class (real spikes only) on a grid over the unit square, row by row from y = 0. */
  map: { side: number; predicted: number[]; truth: number[] };
  /** The test points and their predictions (real spikes only). */
  test: { x: number[]; y: number[]; label: number[]; predicted: number[] };
  seconds: number;
  /** The network of the reported epoch. */
  network: Network;
  /** Set when the signal stopped the run: where it stopped (the checkpoint holds the position). */
  stopped?: { epoch: number; batchInEpoch: number };
}

function neuronOf(name: YinYangNeuron): NeuronModel {
  if (name === 'theta') return theta({ tau: 6 / Math.PI, I0: 1.25 });
  if (name === 'qif') return qif();
  return lif();
}

/** A Yin-Yang set as a labelled spike dataset. */
export function yinYangDataset(set: YinYangSet, s: Pick<YinYangSettings, 'T' | 'tEarly' | 'tLate' | 'bias'>): Dataset<Int32Array> & { all: InputBatch } {
  const all = spikeBatch(yinYangSpikes(set, { T: s.T, tEarly: s.tEarly, tLate: s.tLate, bias: s.bias }));
  const labels = set.labels;
  return {
    all,
    size: set.size,
    batch: (indices) => ({ inputs: pickSamples(all, indices), targets: Int32Array.from(indices, (k) => labels[k]) }),
    labels: (indices) => Int32Array.from(indices, (k) => labels[k]),
  };
}

/** Resolves and checks the options into settings (throws a RangeError for bad values). */
export function yinYangSettings(given: YinYangExperimentOptions): YinYangSettings {
  const o = readOptions(given, 'runYinYang options', YINYANG_OPTIONS, true) as YinYangExperimentOptions;
  const s: YinYangSettings = { ...YINYANG_DEFAULTS, seed: 0 };
  for (const key of Object.keys(s) as (keyof YinYangSettings)[]) {
    const v = o[key as keyof YinYangExperimentOptions];
    if (v !== undefined) (s as unknown as Record<string, unknown>)[key] = v;
  }
  if (!(YINYANG_NEURONS as readonly string[]).includes(s.neuron)) throw rangeError(`Expected neuron in ${YINYANG_NEURONS.join(', ')} but received ${String(s.neuron)}`);
  const ints: [keyof YinYangSettings, number][] = [
    ['hidden', 1],
    ['epochs', 0],
    ['batchSize', 1],
    ['seed', 0],
    ['trainSize', 1],
    ['validationSize', 1],
    ['testSize', 1],
  ];
  for (const [k, min] of ints) {
    const v = s[k] as number;
    if (!Number.isInteger(v) || v < min || v > 0xffffffff) throw rangeError(`Expected an integer >= ${min} for ${k} but received ${String(v)}`);
  }
  for (const k of ['T', 'lr', 'lrDecay', 'wScale'] as const) {
    if (typeof s[k] !== 'number' || !Number.isFinite(s[k]) || !(s[k] > 0)) throw rangeError(`Expected a positive finite number for ${k} but received ${String(s[k])}`);
  }
  for (const k of ['gamma', 'marginWeight', 'margin'] as const) {
    if (typeof s[k] !== 'number' || !Number.isFinite(s[k]) || s[k] < 0) throw rangeError(`Expected a finite number >= 0 for ${k} but received ${String(s[k])}`);
  }
  if (!(YINYANG_SELECTIONS as readonly string[]).includes(s.select)) throw rangeError(`Expected select in ${YINYANG_SELECTIONS.join(', ')} but received ${String(s.select)}`);
  if (!(s.tEarly >= 0 && s.tEarly < s.tLate && s.tLate <= s.T)) throw rangeError(`Expected 0 <= tEarly < tLate <= T but received ${s.tEarly}, ${s.tLate}, ${s.T}`);
  if (!(s.bias >= 0 && s.bias <= s.T)) throw rangeError(`Expected bias in [0, T] but received ${String(s.bias)}`);
  return s;
}

function predictions(net: Network, inputs: InputBatch): number[] {
  const out = net.forward(inputs);
  const T = net.structure.T;
  const pred: number[] = [];
  for (let s = 0; s < out.samples; s++) {
    let best = 0;
    let tBest = Infinity;
    for (let q = 0; q < out.slots; q++) {
      const t = Math.min(out.times[s * out.slots + q], T);
      if (t < tBest) {
        tBest = t;
        best = q;
      }
    }
    pred.push(best);
  }
  return pred;
}

/** Trains and evaluates one seed; resumable from a checkpoint with identical results. */
export async function runYinYang(given: YinYangExperimentOptions = {}): Promise<YinYangResult> {
  const settings = yinYangSettings(given);
  const options = given;
  const t0 = Date.now();
  const s = settings;
  const trainSet = yinYang({ size: s.trainSize, seed: YIN_YANG_SPLITS.train.seed });
  const testSet = yinYang({ size: s.testSize, seed: YIN_YANG_SPLITS.test.seed });
  const train = yinYangDataset(trainSet, s);
  const test = yinYangDataset(testSet, s);
  const validation = s.select === 'validation' ? yinYangDataset(yinYang({ size: s.validationSize, seed: YIN_YANG_SPLITS.validation.seed }), s) : undefined;
  const stepsPerEpoch = Math.ceil(s.trainSize / s.batchSize);
  const loss = firstSpikeCrossEntropy({ gamma: s.gamma, marginWeight: s.marginWeight, margin: s.margin });
  const lr = exponentialDecay({ initial: s.lr, transitionSteps: s.lrDecay * stepsPerEpoch, decayRate: Math.exp(-1) });
  let trainer: Trainer<Int32Array>;
  if (options.resume && options.checkpoint && fs.existsSync(options.checkpoint)) {
    trainer = await Trainer.loadAsync<Int32Array>(options.checkpoint, { loss, threads: options.threads });
  } else {
    const network = feedForward({ neuron: neuronOf(s.neuron), sizes: [5, s.hidden, 3], T: s.T, wScale: s.wScale, seed: s.seed });
    network.classes = YIN_YANG_CLASSES;
    trainer = new Trainer({ network, loss, optimizer: adaBelief({ lr }), batchSize: s.batchSize, seed: s.seed, threads: options.threads });
  }
  const side = 60;
  const truth: number[] = [];
  const grid: YinYangSet = { points: new Float64Array(side * side * 4), labels: new Int32Array(side * side), size: side * side };
  for (let j = 0; j < side; j++) {
    for (let i = 0; i < side; i++) {
      const x = (i + 0.5) / side;
      const y = (j + 0.5) / side;
      const k = j * side + i;
      grid.points.set([x, y, 1 - x, 1 - y], 4 * k);
      const inside = (x - 0.5) ** 2 + (y - 0.5) ** 2 <= 0.25;
      truth.push(inside ? yinYangClass(x, y) : -1);
    }
  }
  const gridBatch = spikeBatch(yinYangSpikes(grid, { T: s.T, tEarly: s.tEarly, tLate: s.tLate, bias: s.bias }));
  // The result as the run stands (after the run, and for onSnapshot after every epoch).
  const snapshot = (stopped?: YinYangResult['stopped']): YinYangResult => {
    const last = [...trainer.history].reverse().find((e) => e.test !== undefined)!;
    // The best epoch on the validation split (the trainer keeps its parameters), else the last.
    const best = validation ? trainer.best : undefined;
    const chosen = (best && trainer.history.find((e) => e.epoch === best.epoch && e.test !== undefined)) || last;
    const net = (chosen !== last && trainer.bestNetwork()) || trainer.network;
    const predicted = predictions(net, gridBatch).map((p, k) => (truth[k] < 0 ? -1 : p));
    const testPred = predictions(net, test.all);
    return {
      settings,
      history: trainer.history.slice(),
      final: chosen.test!,
      selected: { epoch: chosen.epoch, ...(chosen.validation ? { validation: chosen.validation } : {}) },
      last: last.test!,
      map: { side, predicted, truth },
      test: {
        x: Array.from({ length: testSet.size }, (_, k) => testSet.points[4 * k]),
        y: Array.from({ length: testSet.size }, (_, k) => testSet.points[4 * k + 1]),
        label: Array.from(testSet.labels),
        predicted: testPred,
      },
      seconds: (Date.now() - t0) / 1000,
      network: net,
      ...(stopped ? { stopped } : {}),
    };
  };
  let stopped: YinYangResult['stopped'];
  try {
    await trainer.fit({
      train,
      test,
      ...(validation ? { validation, keepBest: 'accuracyOrdinary' as const } : {}),
      epochs: s.epochs,
      evaluateBefore: true,
      evalBatchSize: 1000,
      signal: options.signal,
      progress: options.progress,
      checkpoint: options.checkpoint,
      onEpoch: async (info) => {
        await options.onEpoch?.(info);
        if (options.onSnapshot) await options.onSnapshot(snapshot());
      },
    });
  } catch (err) {
    // Stopped by the signal: the checkpoint is written; return what has run, for the report.
    if ((err as { code?: string }).code !== 'ABORT_ERR' || !trainer.history.some((e) => e.test)) throw err;
    stopped = { epoch: trainer.epoch, batchInEpoch: trainer.batchInEpoch };
  }
  return snapshot(stopped);
}
