/**
 * The training loop: epochs over a dataset in seeded random order, mini-batches run natively
 * (forward, loss in TypeScript, backward), an optimiser step with the network's constraints,
 * evaluation with and without pseudospikes, activity metrics, callbacks, progress (progress.ts),
 * cancellation through an AbortSignal, checkpoints, and exact resumption from a checkpoint.
 */
import { argumentError, codedError, describe, rangeError } from '../base/errors';
import { expectInteger, optionNames, readOptions } from '../base/validate';
import { Network, type NetworkOutput, type RunOptions } from '../network/network';
import type { InputBatch } from '../network/inputs';
import { Random } from '../base/random';
import type { Dataset } from '../data/datasets';
import type { Loss } from './losses/loss';
import { checkLabels, clipTimes, fractionCorrect } from './losses/first_spike_cross_entropy';
import type { Optimizer } from './optim/optimizer';
import { optimizerFromState } from './optim';
import { Progress, type ProgressOptions } from './progress';
import { loadModel, loadModelAsync, saveModel, saveModelAsync, type LoadedModel, type TrainingState } from './checkpoint';

/** Evaluation metrics (method.md 6.4). */
export interface Metrics {
  /** Mean loss with pseudospikes deciding (the merged output times). */
  loss: number;
  /** Mean loss with output times clipped to T (real spikes only). */
  lossOrdinary: number;
  /** Accuracy with pseudospikes (datasets with labels only). */
  accuracy?: number;
  /** Accuracy of the real spiking network: times clipped to T, ties to the lowest index. */
  accuracyOrdinary?: number;
  /** Spikes per hidden (non-readout) neuron per sample. */
  activity: number;
  /** The same, counting only spikes before the first output spike. */
  activityFirst: number;
  /** Fraction of hidden neurons that never spiked on the evaluated samples. */
  silent: number;
  /** Fraction of hidden neurons that never spiked before the first output spike. */
  silentFirst: number;
  /** Number of samples evaluated. */
  samples: number;
}

/** Passed to onBatch after every optimiser step. */
export interface BatchInfo {
  epoch: number;
  batch: number;
  batches: number;
  step: number;
  loss: number;
  samples: number;
}

/** Passed to onEpoch after every epoch (and for epoch 0 with evaluateBefore). */
export interface EpochInfo {
  epoch: number;
  step: number;
  /** Mean training loss over the epoch's batches (undefined for epoch 0). */
  trainLoss?: number;
  /** Evaluation on the test set, when one was given. */
  test?: Metrics;
  /** Evaluation on the validation set, when one was given. */
  validation?: Metrics;
  seconds: number;
}

/** The metrics {@link FitOptions.keepBest} can select on (higher is better). */
export const SELECTION_METRICS = ['accuracyOrdinary', 'accuracy'] as const;
export type SelectionMetric = (typeof SELECTION_METRICS)[number];

/** The parameters of the epoch with the best validation score ({@link FitOptions.keepBest}). */
export interface BestState {
  /** The epoch (0: before training) whose parameters these are. */
  epoch: number;
  /** The validation metric selected on, and its value at that epoch. */
  metric: SelectionMetric;
  score: number;
  /** The network's parameter arrays at that epoch, in parameterList() order. */
  parameters: Float64Array[];
}

export interface TrainerOptions<Targets> {
  network: Network;
  loss: Loss<Targets>;
  optimizer: Optimizer;
  /** Samples per optimiser step. */
  batchSize: number;
  /** Seed of shuffling and augmentation. Default 0. */
  seed?: number;
  /** Native worker threads (0: all cores). Results do not depend on it. */
  threads?: number;
}

export interface FitOptions<Targets> {
  train: Dataset<Targets>;
  /** Train until this many epochs are complete (a resumed trainer continues its count). */
  epochs: number;
  test?: Dataset<Targets>;
  /** A validation set, evaluated after every epoch (and before training with evaluateBefore) into `validation`. */
  validation?: Dataset<Targets>;
  /**
   * Keep the parameters of the epoch with the highest validation value of this metric
   * (`trainer.best`, saved in checkpoints, so a resumed run selects the same epoch; ties keep
   * the earlier epoch). Needs `validation`. Default: no selection.
   */
  keepBest?: SelectionMetric;
  /** Evaluate on the test set before training (epoch 0). Default false. */
  evaluateBefore?: boolean;
  /** Samples per evaluation batch. Default the training batch size. */
  evalBatchSize?: number;
  signal?: AbortSignal;
  onBatch?: (info: BatchInfo) => void | Promise<void>;
  onEpoch?: (info: EpochInfo) => void | Promise<void>;
  /**
   * Progress (lib/training/progress.ts): the epoch of epochs, batch, loss, elapsed time, ETA,
   * samples per second and the evaluation phase; a line redrawn in place on a terminal, else one
   * plain line every 5 s. `true` writes to stderr, an object chooses the stream, the mode and the
   * interval. Default: on when stderr is a terminal.
   */
  progress?: boolean | ProgressOptions;
  /** Checkpoint file: written after every epoch, every checkpointEvery batches and on abort. */
  checkpoint?: string;
  checkpointEvery?: number;
}

export interface FitResult {
  epochs: number;
  steps: number;
  history: EpochInfo[];
}

const TRAINER_OPTIONS = optionNames<TrainerOptions<unknown>>()(['network', 'loss', 'optimizer', 'batchSize', 'seed', 'threads']);
const FIT_OPTIONS = optionNames<FitOptions<unknown>>()([
  'train',
  'epochs',
  'test',
  'validation',
  'keepBest',
  'evaluateBefore',
  'evalBatchSize',
  'signal',
  'onBatch',
  'onEpoch',
  'progress',
  'checkpoint',
  'checkpointEvery',
]);

/** Options of {@link Trainer.load}. */
interface LoadOptions<Targets> {
  loss: Loss<Targets>;
  threads?: number;
  lr?: number | ((step: number) => number);
}
const LOAD_OPTIONS = optionNames<LoadOptions<unknown>>()(['loss', 'threads', 'lr']);

/**
 * Trains a network.
 *
 * @example
 * ```ts
 * const trainer = new Trainer({ network: net, loss: firstSpikeCrossEntropy(), batchSize: 100,
 *   optimizer: adaBelief({ lr: exponentialDecay({ initial: 4e-3, transitionSteps: 6000, decayRate: Math.exp(-1) }) }) });
 * const result = await trainer.fit({ train, test, epochs: 5 });
 * ```
 */
/**
 * A training batch gathered and encoded ahead (Trainer.fit): its augmentation draws come from a
 * copy of the stream at `from`; `after` is the stream's state once they are drawn.
 */
function prepareBatch<Targets>(dataset: Dataset<Targets>, indices: Int32Array, from: number[]): { inputs: InputBatch; targets: Targets; after: number[] } {
  const rng = new Random();
  rng.setState(from);
  const { inputs, targets } = dataset.batch(indices, { training: true, rng });
  return { inputs, targets, after: rng.getState() };
}

/** Throws ERR_SPIKEGRAD_ARG unless `value` is a Dataset with at least one sample. */
function expectNonEmptyDataset(value: unknown, name: string): void {
  const d = value as Partial<Dataset<unknown>> | undefined;
  if (typeof d?.batch !== 'function' || !Number.isInteger(d.size) || (d.size as number) < 1) {
    throw argumentError(`Expected a non-empty Dataset for ${name} but received ${describe(value)}`);
  }
}

export class Trainer<Targets> {
  readonly network: Network;
  readonly loss: Loss<Targets>;
  readonly optimizer: Optimizer;
  readonly batchSize: number;
  readonly seed: number;
  readonly threads: number;
  /** Completed epochs. */
  epoch = 0;
  /** Batches done in the current epoch. */
  batchInEpoch = 0;
  history: EpochInfo[] = [];
  /** The best epoch's parameters so far (fit with keepBest; restored from checkpoints). */
  best?: BestState;
  /**
   * Settings of the run outside the trainer (its data, a command line), saved with checkpoints
   * and restored by {@link Trainer.load}, so that a resume can check them against its own.
   */
  settings?: Record<string, string | number | boolean>;
  private secondsBefore = 0;
  private fitStart?: number;
  private readonly shuffleRng: Random;
  private readonly augmentRng: Random;
  private shuffleStateAtEpochStart: number[];

  constructor(given: TrainerOptions<Targets>) {
    const options = readOptions(given, 'Trainer options', TRAINER_OPTIONS, true) as TrainerOptions<Targets>;
    if (!(options.network instanceof Network)) throw argumentError(`Expected a Network for network but received ${describe(options.network)}`);
    if (typeof options.loss?.compute !== 'function') throw argumentError(`Expected a Loss for loss but received ${describe(options.loss)}`);
    if (typeof options.optimizer?.step !== 'function') throw argumentError(`Expected an Optimizer for optimizer but received ${describe(options.optimizer)}`);
    this.network = options.network;
    this.loss = options.loss;
    this.optimizer = options.optimizer;
    this.batchSize = expectInteger(options.batchSize, 'batchSize', 1);
    this.seed = expectInteger(options.seed ?? 0, 'seed', 0);
    this.threads = expectInteger(options.threads ?? 0, 'threads', 0);
    this.shuffleRng = new Random(this.seed);
    this.augmentRng = new Random((this.seed ^ 0x5bd1e995) >>> 0);
    this.shuffleStateAtEpochStart = this.shuffleRng.getState();
  }

  /** Optimiser steps taken. */
  get step(): number {
    return this.optimizer.stepCount;
  }

  /** Wall-clock seconds spent in {@link fit}, summed over this trainer and the runs it resumed. */
  get seconds(): number {
    return this.secondsBefore + (this.fitStart === undefined ? 0 : (Date.now() - this.fitStart) / 1000);
  }

  private runOptions(): RunOptions {
    return { threads: this.threads };
  }

  /** One optimiser step on a batch; returns the batch loss (before the step). */
  async trainBatch(dataset: Dataset<Targets>, indices: Int32Array): Promise<{ loss: number; output: NetworkOutput }> {
    const { inputs, targets } = dataset.batch(indices, { training: true, rng: this.augmentRng });
    return this.stepOn(inputs, targets);
  }

  /** The optimiser step of trainBatch on an encoded batch. */
  private async stepOn(inputs: InputBatch, targets: Targets): Promise<{ loss: number; output: NetworkOutput }> {
    const { loss, output, grad } = await this.network.lossAndGradient(inputs, this.loss, targets, this.runOptions());
    if (!Number.isFinite(loss.value)) throw codedError(`The loss is ${loss.value} at step ${this.step}`, 'ERR_SPIKEGRAD_NONFINITE');
    this.optimizer.step(this.network.parameterList(), Network.gradientList(grad));
    this.network.constrain();
    return { loss: loss.value, output };
  }

  /** Evaluates on a whole dataset (no augmentation, no parameter change). */
  async evaluate(dataset: Dataset<Targets>, batchSize = this.batchSize): Promise<Metrics> {
    return this.evaluateWith(dataset, batchSize);
  }

  private async evaluateWith(dataset: Dataset<Targets>, batchSize: number, onBatch?: (done: number, total: number) => void): Promise<Metrics> {
    expectInteger(batchSize, 'batchSize', 1);
    // Metrics of no samples would be 0 / 0 = NaN: an empty dataset is an error, not NaN metrics.
    if (typeof dataset?.batch !== 'function') throw argumentError(`Expected a Dataset for dataset but received ${describe(dataset)}`);
    if (typeof dataset.size !== 'number') throw argumentError(`Expected an integer for dataset.size but received ${describe(dataset.size)}`);
    if (!Number.isInteger(dataset.size) || dataset.size < 1) {
      throw rangeError(`Expected a non-empty dataset (an integer dataset.size >= 1) to evaluate but received dataset.size = ${dataset.size}`);
    }
    const net = this.network;
    const { neurons } = net.structure.readout;
    const isReadout = new Uint8Array(net.n);
    for (const i of neurons) isReadout[i] = 1;
    const hidden = net.n - isReadout.reduce((a, b) => a + b, 0);
    const count = new Float64Array(net.n);
    const countFirst = new Float64Array(net.n);
    let loss = 0;
    let lossOrd = 0;
    let correct = 0;
    let correctOrd = 0;
    const ctx = { training: false, rng: new Random(0) };
    for (let lo = 0; lo < dataset.size; lo += batchSize) {
      const indices = Int32Array.from({ length: Math.min(batchSize, dataset.size - lo) }, (_, k) => lo + k);
      const { inputs, targets } = dataset.batch(indices, ctx);
      // The output comes from the network: each loss call checks it (the Loss contract), the
      // metrics do not check it again; the labels are checked once for both accuracies.
      const out = await net.forwardAsync(inputs, this.runOptions());
      const value = this.loss.compute(out, targets).value;
      const ord = clipTimes(out);
      const valueOrd = this.loss.compute(ord, targets).value;
      for (const [v, what] of [[value, 'loss'], [valueOrd, 'loss with ordinary spikes only']] as const) {
        if (typeof v !== 'number' || !Number.isFinite(v)) {
          throw codedError(`The ${what} is ${typeof v === 'number' ? v : describe(v)} on the evaluation batch of samples ${lo} to ${lo + indices.length - 1}`, 'ERR_SPIKEGRAD_NONFINITE');
        }
      }
      loss += value * out.samples;
      lossOrd += valueOrd * out.samples;
      if (dataset.labels) {
        const labels = checkLabels(dataset.labels(indices), out.samples, out.slots);
        correct += fractionCorrect(out, labels) * out.samples;
        correctOrd += fractionCorrect(ord, labels) * out.samples;
      }
      for (let i = 0; i < net.n; i++) {
        count[i] += out.spikeCount[i];
        countFirst[i] += out.spikeCountFirst[i];
      }
      onBatch?.(lo + indices.length, dataset.size);
    }
    const S = dataset.size;
    let spikes = 0;
    let spikesFirst = 0;
    let silent = 0;
    let silentFirst = 0;
    for (let i = 0; i < net.n; i++) {
      if (isReadout[i]) continue;
      spikes += count[i];
      spikesFirst += countFirst[i];
      if (count[i] === 0) silent++;
      if (countFirst[i] === 0) silentFirst++;
    }
    const metrics: Metrics = {
      loss: loss / S,
      lossOrdinary: lossOrd / S,
      activity: hidden > 0 ? spikes / (S * hidden) : 0,
      activityFirst: hidden > 0 ? spikesFirst / (S * hidden) : 0,
      silent: hidden > 0 ? silent / hidden : 0,
      silentFirst: hidden > 0 ? silentFirst / hidden : 0,
      samples: S,
    };
    if (dataset.labels) {
      metrics.accuracy = correct / S;
      metrics.accuracyOrdinary = correctOrd / S;
    }
    return metrics;
  }

  /** Trains until `epochs` epochs are complete. Rejects with code ABORT_ERR when aborted. */
  async fit(given: FitOptions<Targets>): Promise<FitResult> {
    if (this.fitStart !== undefined) throw codedError('This trainer is already fitting (one fit at a time)', 'ERR_SPIKEGRAD_ARG');
    this.fitStart = Date.now();
    try {
      return await this.fitLoop(given);
    } finally {
      this.secondsBefore += (Date.now() - this.fitStart) / 1000;
      this.fitStart = undefined;
    }
  }

  private async fitLoop(given: FitOptions<Targets>): Promise<FitResult> {
    const options = readOptions(given, 'fit options', FIT_OPTIONS, true) as FitOptions<Targets>;
    const { train, test, signal } = options;
    expectNonEmptyDataset(train, 'train');
    const epochs = expectInteger(options.epochs, 'epochs', 0);
    const evalBatch = expectInteger(options.evalBatchSize ?? this.batchSize, 'evalBatchSize', 1);
    const every = options.checkpointEvery === undefined ? 0 : expectInteger(options.checkpointEvery, 'checkpointEvery', 1);
    const batches = Math.ceil(train.size / this.batchSize);
    const wanted = options.progress ?? process.stderr.isTTY === true;
    const fresh = this.epoch === 0 && this.batchInEpoch === 0 && this.history.length === 0;
    const { validation, keepBest } = options;
    if (validation !== undefined) expectNonEmptyDataset(validation, 'validation');
    if (keepBest !== undefined) {
      if (!(SELECTION_METRICS as readonly unknown[]).includes(keepBest)) throw rangeError(`Expected keepBest in ${SELECTION_METRICS.join(', ')} but received ${describe(keepBest)}`);
      if (validation === undefined) throw argumentError('keepBest selects on the validation set: give validation too');
    }
    const perEval = (test ? 1 : 0) + (validation ? 1 : 0);
    const evalsLeft = perEval * (Math.max(0, epochs - this.epoch) + (options.evaluateBefore && fresh ? 1 : 0));
    const samplesLeft = Math.max(0, (epochs - this.epoch) * train.size - Math.min(train.size, this.batchInEpoch * this.batchSize));
    const progress = wanted === false ? undefined : new Progress(wanted === true ? undefined : wanted, epochs, samplesLeft, evalsLeft);
    const evaluateTest = async (epoch: number, data: Dataset<Targets>): Promise<Metrics> => {
      progress?.beginEvaluation();
      const m = await this.evaluateWith(data, evalBatch, progress && ((done, total) => progress.evaluating(epoch, done, total)));
      progress?.endEvaluation();
      progress?.clearLine();
      return m;
    };
    if (this.batchInEpoch > batches) {
      throw codedError(
        `The training position (batch ${this.batchInEpoch} of epoch ${this.epoch + 1}) lies beyond an epoch of this dataset (${batches} batches): a damaged checkpoint or another dataset`,
        'ERR_SPIKEGRAD_LOAD',
      );
    }
    const abortIfNeeded = async () => {
      if (signal?.aborted) {
        if (options.checkpoint) await this.saveAsync(options.checkpoint);
        progress?.finishLine();
        throw codedError(`Training aborted at epoch ${this.epoch}, batch ${this.batchInEpoch}`, 'ABORT_ERR');
      }
    };
    // The validation metrics of an epoch, and the selection of its parameters when they are the best.
    const validate = async (info: EpochInfo) => {
      if (!validation) return;
      info.validation = await evaluateTest(info.epoch, validation);
      if (keepBest === undefined) return;
      const score = info.validation[keepBest];
      if (typeof score === 'number' && (this.best === undefined || this.best.metric !== keepBest || score > this.best.score)) {
        this.best = { epoch: info.epoch, metric: keepBest, score, parameters: this.network.parameterList().map((a) => a.slice()) };
      }
    };
    if (options.evaluateBefore && (test || validation) && this.epoch === 0 && this.batchInEpoch === 0 && this.history.length === 0) {
      const t0 = Date.now();
      const info: EpochInfo = { epoch: 0, step: this.step, ...(test ? { test: await evaluateTest(0, test) } : {}), seconds: 0 };
      await validate(info);
      info.seconds = (Date.now() - t0) / 1000;
      this.history.push(info);
      await options.onEpoch?.(info);
    }
    while (this.epoch < epochs) {
      const t0 = Date.now();
      // The epoch's order comes from the shuffling state at its start, so a resumed run
      // regenerates the same permutation and skips the batches already done.
      this.shuffleRng.setState(this.shuffleStateAtEpochStart);
      const order = this.shuffleRng.shuffle(Int32Array.from({ length: train.size }, (_, k) => k));
      const next = this.shuffleRng.getState();
      let lossSum = 0;
      let lossCount = 0;
      progress?.beginTraining();
      const batchIndices = (b: number) => order.subarray(b * this.batchSize, Math.min((b + 1) * this.batchSize, train.size));
      // The next batch of the epoch is gathered and encoded (on this thread) while the core
      // computes the current one. Its draws come from a copy of the augmentation stream, taken
      // over when that batch starts, so a checkpoint or an abort in between saves the stream of
      // the batches done; the draws are the same, in the same order, as trainBatch's.
      let ahead: { inputs: InputBatch; targets: Targets; after: number[] } | undefined;
      for (let b = this.batchInEpoch; b < batches; b++) {
        await abortIfNeeded();
        const indices = batchIndices(b);
        const current = ahead ?? prepareBatch(train, indices, this.augmentRng.getState());
        ahead = undefined;
        this.augmentRng.setState(current.after);
        const pending = this.stepOn(current.inputs, current.targets);
        if (b + 1 < batches) {
          try {
            ahead = prepareBatch(train, batchIndices(b + 1), current.after);
          } catch {
            // The next iteration gathers that batch again and reports the error in order.
            ahead = undefined;
          }
        }
        const { loss } = await pending;
        lossSum += loss;
        lossCount++;
        this.batchInEpoch = b + 1;
        progress?.batch(this.epoch + 1, b + 1, batches, loss, indices.length);
        await options.onBatch?.({ epoch: this.epoch + 1, batch: b + 1, batches, step: this.step, loss, samples: indices.length });
        if (every > 0 && options.checkpoint && (b + 1) % every === 0 && b + 1 < batches) await this.saveAsync(options.checkpoint);
      }
      this.epoch++;
      this.batchInEpoch = 0;
      this.shuffleStateAtEpochStart = next;
      const info: EpochInfo = {
        epoch: this.epoch,
        step: this.step,
        trainLoss: lossCount > 0 ? lossSum / lossCount : undefined,
        seconds: 0,
      };
      progress?.finishLine();
      if (test) info.test = await evaluateTest(this.epoch, test);
      await validate(info);
      info.seconds = (Date.now() - t0) / 1000;
      this.history.push(info);
      if (options.checkpoint) await this.saveAsync(options.checkpoint);
      await options.onEpoch?.(info);
    }
    return { epochs: this.epoch, steps: this.step, history: this.history };
  }

  /** The training position (for checkpoints). */
  trainingState(): TrainingState {
    return {
      epoch: this.epoch,
      batchInEpoch: this.batchInEpoch,
      seed: this.seed,
      batchSize: this.batchSize,
      shuffleState: this.shuffleStateAtEpochStart,
      augmentState: this.augmentRng.getState(),
      history: this.history,
      seconds: this.seconds,
      ...(this.settings === undefined ? {} : { settings: { ...this.settings } }),
      ...(this.best === undefined ? {} : { best: { epoch: this.best.epoch, metric: this.best.metric, score: this.best.score, parameters: this.best.parameters.map((a) => Array.from(a)) } }),
    };
  }

  /** A copy of the network with the parameters of {@link best} (undefined without a selection). */
  bestNetwork(): Network | undefined {
    if (this.best === undefined) return undefined;
    const net = this.network.clone();
    net.parameterList().forEach((a, k) => a.set(this.best!.parameters[k]));
    return net;
  }

  /** Saves network, optimiser state and training position atomically. */
  save(file: string): void {
    saveModel(file, this.network, { optimizer: this.optimizer.storedState?.() ?? this.optimizer.state(), training: this.trainingState() });
  }

  /** {@link save} without blocking the event loop (saveModelAsync); the state at the call is saved. */
  async saveAsync(file: string): Promise<void> {
    await saveModelAsync(file, this.network, { optimizer: this.optimizer.storedState?.() ?? this.optimizer.state(), training: this.trainingState() });
  }

  /** {@link load} without blocking the event loop (loadModelAsync). */
  static async loadAsync<Targets>(file: string, given: LoadOptions<Targets>): Promise<Trainer<Targets>> {
    readOptions(given, 'Trainer.load options', LOAD_OPTIONS, true);
    return Trainer.fromModel(file, await loadModelAsync(file), given);
  }

  /**
   * Recreates a trainer from a checkpoint written by {@link save}: the same network, optimiser
   * state and training position, so that continuing gives the same parameters as an
   * uninterrupted run. The loss (a function) must be given again; a custom learning-rate
   * schedule too (as `lr`).
   */
  static load<Targets>(file: string, given: LoadOptions<Targets>): Trainer<Targets> {
    readOptions(given, 'Trainer.load options', LOAD_OPTIONS, true);
    return Trainer.fromModel(file, loadModel(file), given);
  }

  private static fromModel<Targets>(file: string, model: LoadedModel, given: LoadOptions<Targets>): Trainer<Targets> {
    const options = readOptions(given, 'Trainer.load options', LOAD_OPTIONS, true) as LoadOptions<Targets>;
    if (!model.optimizer || !model.training) {
      throw codedError(`Cannot resume from ${file}: it holds no optimiser state or training position`, 'ERR_SPIKEGRAD_LOAD');
    }
    const bad = (what: string, cause?: unknown): Error =>
      codedError(`Cannot resume from ${file}: ${what}${cause instanceof Error ? ` (${cause.message})` : ''}`, 'ERR_SPIKEGRAD_LOAD');
    const tr = model.training;
    if (!Number.isInteger(tr.epoch) || tr.epoch < 0) throw bad(`training.epoch ${describe(tr.epoch)} is not a non-negative integer`);
    if (!Number.isInteger(tr.batchInEpoch) || tr.batchInEpoch < 0) throw bad(`training.batchInEpoch ${describe(tr.batchInEpoch)} is not a non-negative integer`);
    if (!Number.isInteger(tr.seed) || tr.seed < 0 || tr.seed > 0xffffffff) throw bad(`training.seed ${describe(tr.seed)} is not a 32-bit seed`);
    if (tr.history !== undefined && !Array.isArray(tr.history)) throw bad('training.history is not an array');
    for (const key of ['shuffleState', 'augmentState'] as const) {
      try {
        new Random(0).setState(tr[key]);
      } catch (err) {
        throw bad(`training.${key} is not a random state`, err);
      }
    }
    let optimizer: Optimizer;
    try {
      optimizer = optimizerFromState(model.optimizer, options.lr === undefined ? {} : { lr: options.lr });
    } catch (err) {
      throw bad('the optimiser state is damaged or does not match', err);
    }
    const shapes = model.optimizer.shapes;
    const lengths = model.network.parameterList().map((a) => a.length);
    if (shapes !== null && (shapes.length !== lengths.length || shapes.some((n, k) => n !== lengths[k]))) {
      throw bad(`the optimiser state is for parameters of lengths ${JSON.stringify(shapes)}, the network has ${JSON.stringify(lengths)}`);
    }
    const t = new Trainer<Targets>({
      network: model.network,
      loss: options.loss,
      optimizer,
      batchSize: tr.batchSize,
      seed: tr.seed,
      threads: options.threads,
    });
    t.epoch = tr.epoch;
    t.batchInEpoch = tr.batchInEpoch;
    t.shuffleStateAtEpochStart = tr.shuffleState;
    t.augmentRng.setState(tr.augmentState);
    t.history = (tr.history ?? []) as EpochInfo[];
    t.secondsBefore = tr.seconds ?? t.history.reduce((sum, h) => sum + h.seconds, 0);
    if (tr.settings !== undefined) t.settings = { ...tr.settings };
    if (tr.best !== undefined) {
      const b = tr.best;
      if (b.parameters.length !== lengths.length || b.parameters.some((p, k) => p.length !== lengths[k])) {
        throw bad(`training.best holds parameters of lengths ${JSON.stringify(b.parameters.map((p) => p.length))}, the network has ${JSON.stringify(lengths)}`);
      }
      t.best = { epoch: b.epoch, metric: b.metric, score: b.score, parameters: b.parameters.map((p) => Float64Array.from(p)) };
    }
    return t;
  }
}
