/**
 * Checkpoints: model files (network/model_file.ts, docs/model-format.md) with the training
 * layer's sections beside the network, the optimiser state (moments as binary blocks) and the
 * training position with its random states, so that a run resumes exactly. saveModel,
 * loadModel and their asynchronous forms read and write every model file; one without these
 * sections is a plain model. Saving is atomic (base/files.ts): an interrupted save leaves the
 * previous file intact and never a truncated one. Loading checks everything a later step would
 * use (the optimiser state against the network, the random states, the history), so a damaged
 * checkpoint fails at load time with ERR_SPIKEGRAD_LOAD, never later.
 */
import { argumentError, describe } from '../base/errors';
import { YIELD, writeChunksAtomic, writeChunksAtomicAsync } from '../base/files';
import { firstNonFinite } from '../base/binary';
import { Network, type NetworkJSON } from '../network/network';
import { didYouMean, findNonFinite, isFloat64Array, isRecord, readOptions } from '../base/validate';
import {
  BlockSet,
  NETWORK_HEADER_KEYS,
  MODEL_FORMAT,
  decodeNetwork,
  headerObject,
  modelFileChunks,
  modelLoadError,
  nonFiniteSaveError,
  parseModelFile,
  readModelFile,
  readModelFileAsync,
  type Block,
  type FileSections,
  type ParsedFile,
} from '../network/model_file';
import { Random } from '../base/random';
import { optimizerFromState } from './optim';
import type { OptimizerState, StoredOptimizerState } from './optim/optimizer';

/** Where a training run stands, enough to resume it exactly. */
export interface TrainingState {
  /** Completed epochs. */
  epoch: number;
  /** Batches done in the current epoch. */
  batchInEpoch: number;
  /** The seed the run started from. */
  seed: number;
  /** Samples per optimiser step. */
  batchSize: number;
  /** Shuffling random state at the start of the current epoch. */
  shuffleState: number[];
  /** Augmentation random state now. */
  augmentState: number[];
  /** Per-epoch metrics so far (the trainer's EpochInfo objects). */
  history?: unknown[];
  /** Wall-clock seconds of training so far, summed over every run that resumed this one. */
  seconds?: number;
  /** Settings of the run that are not part of the trainer (its data, its command line), so a resume can check them. */
  settings?: Record<string, string | number | boolean>;
  /** The parameters of the epoch with the best validation score so far (the trainer's keepBest). */
  best?: { epoch: number; metric: 'accuracyOrdinary' | 'accuracy'; score: number; parameters: number[][] };
}

/** The content of a version-1 (JSON) model file, as earlier versions of spikegrad wrote it. */
export interface ModelFile {
  format: typeof MODEL_FORMAT;
  version: 1;
  network: NetworkJSON;
  optimizer?: OptimizerState;
  training?: TrainingState;
}

/** What saveModel stores beside the network. */
export interface SaveModelOptions {
  /** An optimiser state (`optimizer.state()`). */
  optimizer?: OptimizerState | StoredOptimizerState;
  /** The training position (`trainer.trainingState()`). */
  training?: TrainingState;
}

/** What {@link loadModel} returns. */
export interface LoadedModel {
  network: Network;
  /** The optimiser state; its moments are Float64Arrays in version-2 files, number arrays in version-1 files. */
  optimizer?: StoredOptimizerState;
  training?: TrainingState;
}

const SAVE_OPTIONS = ['optimizer', 'training'] as const;
const OPTIMIZER_KEYS = ['version', 'name', 'options', 'step', 'shapes', 'moments'] as const;
const TRAINING_KEYS = ['epoch', 'batchInEpoch', 'seed', 'batchSize', 'shuffleState', 'augmentState', 'history', 'seconds', 'settings', 'best'] as const;
const BEST_KEYS = ['epoch', 'metric', 'score', 'parameters'] as const;
const HEADER_KEYS = ['format', 'version', 'network', 'blocks', 'optimizer', 'training'] as const;

/** The sections of a save, checked; `copy` copies the moment arrays (asynchronous saves). */
function sectionsOf(network: Network, extra: unknown, copy: boolean): FileSections {
  if (!(network instanceof Network)) throw argumentError(`Expected a Network for network but received ${describe(network)}`);
  const sections = readOptions(extra, 'saveModel options', SAVE_OPTIONS);
  // The optimiser state must load back (the parameters are checked with the network); the
  // random states of the training position hold NaN on purpose (no spare normal), which the
  // header writes as null and Random.setState reads back.
  const header: Record<string, unknown> = {};
  const blocks: Block[] = [];
  if (sections.optimizer !== undefined) {
    const o = sections.optimizer as StoredOptimizerState;
    if (!isRecord(o) || !isRecord(o.moments)) throw argumentError(`Expected an optimizer state (optimizer.state()) for optimizer but received ${describe(o)}`);
    const names = Object.keys(o.moments);
    for (const name of names) {
      const list = o.moments[name];
      if (!Array.isArray(list)) throw argumentError(`Expected an array of moment arrays for optimizer.moments.${name} but received ${describe(list)}`);
      list.forEach((m: unknown, i) => {
        if (!Array.isArray(m) && !isFloat64Array(m)) throw argumentError(`Expected a number array for optimizer.moments.${name}[${i}] but received ${describe(m)}`);
        const data = isFloat64Array(m) ? (copy ? m.slice() : m) : Float64Array.from(m as number[]);
        const k = firstNonFinite(data);
        if (k >= 0) throw nonFiniteSaveError(`optimizer.moments.${name}[${i}][${k}]`);
        blocks.push({ name: `optimizer.moments.${name}.${i}`, data });
      });
    }
    const rest = { ...o, moments: {} };
    const bad = findNonFinite(rest, 'optimizer');
    if (bad) throw nonFiniteSaveError(bad);
    header.optimizer = { version: o.version, name: o.name, options: o.options, step: o.step, shapes: o.shapes, moments: Object.fromEntries(names.map((n) => [n, o.moments[n].length])) };
  }
  if (sections.training !== undefined) header.training = JSON.parse(JSON.stringify(sections.training)) as unknown;
  return { header, blocks };
}

/**
 * Saves a network (and optionally optimiser state and training position) to a model file of
 * version 2 (docs/model-format.md), atomically: the previous file stays intact until the new one
 * is complete. Through a symbolic link the link's target is replaced; an existing file keeps its
 * permission bits; a directory, FIFO, socket or device is refused (ERR_SPIKEGRAD_ARG).
 *
 * @example
 * ```ts
 * saveModel('model.spikegrad', net, { optimizer: opt.state() });
 * ```
 */
export function saveModel(file: string, network: Network, extra: SaveModelOptions = {}): void {
  expectFile(file);
  writeChunksAtomic(file, modelFileChunks(network, sectionsOf(network, extra, false), false));
}

/**
 * {@link saveModel} without blocking the event loop: the file-system calls run on the thread
 * pool and the checksums are computed in chunks between turns of the event loop. What is saved
 * is the state at the call (parameters and moments are copied first), so training may go on
 * while the file is written.
 *
 * @example
 * ```ts
 * await saveModelAsync('model.spikegrad', net);
 * ```
 */
export async function saveModelAsync(file: string, network: Network, extra: SaveModelOptions = {}): Promise<void> {
  expectFile(file);
  const chunks = modelFileChunks(network, sectionsOf(network, extra, true), true);
  await writeChunksAtomicAsync(file, chunks);
}

function expectFile(file: unknown): void {
  if (typeof file !== 'string' || file === '') throw argumentError(`Expected a file path for file but received ${describe(file)}`);
}

/** Validates parsed JSON as a version-1 model file and builds the network (checkpoint sections checked too). */
export function parseModel(value: unknown, file = 'model'): LoadedModel {
  // The fields are checked first: a misspelt 'network' is named as such, not as a missing network.
  for (const key of isRecord(value) ? Object.keys(value) : []) {
    if (!['format', 'version', 'network', 'optimizer', 'training'].includes(key)) {
      const guess = didYouMean(key, ['format', 'version', 'network', 'optimizer', 'training']);
      throw modelLoadError(file, `unknown field '${key}'${guess ? `; did you mean '${guess}'?` : ''} (known: format, version, network, optimizer, training)`);
    }
  }
  const { network, sections } = parseModelFile(value, file);
  return checked(file, network, sections.optimizer, sections.training);
}

/**
 * The model of a parsed file (either version), fully checked, in steps: a {@link YIELD} between
 * them lets an asynchronous load turn the event loop.
 */
function* modelOf(parsed: ParsedFile, file: string): Generator<typeof YIELD, LoadedModel> {
  if (parsed.version === 1) return parseModel(parsed.value, file);
  const header = headerObject(parsed.header, 'header', HEADER_KEYS, file);
  const blocks = new BlockSet(parsed.blocks, file);
  const network = decodeNetwork(header.network, blocks, file);
  yield YIELD;
  let optimizer: unknown;
  if (header.optimizer !== undefined) {
    const o = headerObject(header.optimizer, 'optimizer', OPTIMIZER_KEYS, file);
    const counts = headerObject(o.moments, 'optimizer.moments', Object.keys(isRecord(o.moments) ? o.moments : {}), file);
    const shapes = o.shapes;
    const moments = Object.create(null) as Record<string, Float64Array[]>; // a moment named '__proto__' stays a key
    for (const [name, count] of Object.entries(counts)) {
      if (!Number.isInteger(count) || (count as number) < 0 || (count as number) > 64) throw modelLoadError(file, `optimizer.moments.${name}: expected a count of arrays but received ${describe(count)}`);
      moments[name] = Array.from({ length: count as number }, (_, i) => {
        const want = Array.isArray(shapes) && Number.isInteger(shapes[i]) ? (shapes[i] as number) : undefined;
        return blocks.take<Float64Array>(`optimizer.moments.${name}.${i}`, 'f64', want);
      });
    }
    optimizer = { ...o, moments };
  }
  blocks.finish();
  yield* checkOptimizer(file, network, optimizer);
  yield YIELD;
  checkTraining(file, header.training);
  return { network, optimizer: optimizer as StoredOptimizerState | undefined, training: header.training as TrainingState | undefined };
}

function runSync<T>(steps: Generator<typeof YIELD, T>): T {
  let r = steps.next();
  while (!r.done) r = steps.next();
  return r.value;
}

async function runAsync<T>(steps: Generator<typeof YIELD, T>): Promise<T> {
  let r = steps.next();
  while (!r.done) {
    await new Promise((resolve) => setImmediate(resolve));
    r = steps.next();
  }
  return r.value;
}

/** Checks the sections of a checkpoint ({@link checkOptimizer}, {@link checkTraining}). */
function checked(file: string, network: Network, optimizer: unknown, training: unknown): LoadedModel {
  runSync(checkOptimizer(file, network, optimizer));
  checkTraining(file, training);
  return { network, optimizer: optimizer as StoredOptimizerState | undefined, training: training as TrainingState | undefined };
}

/**
 * Checks an optimiser state: it must load into its optimiser, hold finite moments and fit the
 * network's parameters, so that nothing fails when training resumes.
 */
function* checkOptimizer(file: string, network: Network, optimizer: unknown): Generator<typeof YIELD, void> {
  if (optimizer === undefined) return;
  const fail = (what: string, cause?: unknown) => modelLoadError(file, `${what}${cause instanceof Error ? ` (${cause.message})` : ''}`);
  if (!isRecord(optimizer) || !isRecord(optimizer.options)) throw fail('optimizer is not an optimizer state object');
  const lr = optimizer.options.lr;
  const custom = isRecord(lr) && lr.kind === 'custom' && Object.keys(lr).length === 1;
  try {
    // A custom learning-rate function is not stored; any function checks the rest.
    optimizerFromState(optimizer as unknown as StoredOptimizerState, custom ? { lr: () => 0 } : undefined);
  } catch (err) {
    throw fail('the optimiser state is damaged', err);
  }
  for (const [name, list] of Object.entries(optimizer.moments as Record<string, (number[] | Float64Array)[]>)) {
    yield YIELD;
    list.forEach((m, i) => {
      const k = firstNonFinite(isFloat64Array(m) ? m : Float64Array.from(m));
      if (k >= 0) throw fail(`optimizer.moments.${name}[${i}][${k}] is not a finite number`);
    });
  }
  const shapes = optimizer.shapes as number[] | null;
  const lengths = network.parameterList().map((a) => a.length);
  if (shapes !== null && (shapes.length !== lengths.length || shapes.some((n, k) => n !== lengths[k]))) {
    throw fail(`the optimiser state is for parameters of lengths ${JSON.stringify(shapes)}, the network has ${JSON.stringify(lengths)}`);
  }
}

/** Checks a training position: counts, seed, random states and the history the reports read. */
function checkTraining(file: string, training: unknown): void {
  if (training === undefined) return;
  const fail = (what: string, cause?: unknown) => modelLoadError(file, `${what}${cause instanceof Error ? ` (${cause.message})` : ''}`);
  const t = headerObject(training, 'training', TRAINING_KEYS, file);
  const count = (key: string, max = Number.MAX_SAFE_INTEGER, min = 0) => {
    const v = t[key];
    if (!Number.isInteger(v) || (v as number) < min || (v as number) > max) throw fail(`training.${key} ${describe(v)} is not an integer in [${min}, ${max}]`);
  };
  count('epoch');
  count('batchInEpoch');
  count('seed', 0xffffffff);
  count('batchSize', Number.MAX_SAFE_INTEGER, 1);
  for (const key of ['shuffleState', 'augmentState']) {
    const s = t[key];
    try {
      if (!Array.isArray(s) || !(s[4] === null || Number.isFinite(s[4]))) throw new Error('expected four 32-bit words and a finite spare value or null');
      new Random(0).setState(s as number[]);
    } catch (err) {
      throw fail(`training.${key} is not a random state`, err);
    }
  }
  if (t.history !== undefined) checkHistory(t.history, fail);
  if (t.seconds !== undefined && !(typeof t.seconds === 'number' && Number.isFinite(t.seconds) && t.seconds >= 0)) {
    throw fail(`training.seconds ${describe(t.seconds)} is not a finite number >= 0`);
  }
  if (t.settings !== undefined) {
    if (!isRecord(t.settings)) throw fail(`training.settings ${describe(t.settings)} is not an object`);
    for (const [key, v] of Object.entries(t.settings)) {
      if (!(typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)))) {
        throw fail(`training.settings.${key} ${describe(v)} is not a string, a finite number or a boolean`);
      }
    }
  }
  if (t.best !== undefined) {
    const b = headerObject(t.best, 'training.best', BEST_KEYS, file);
    if (!Number.isInteger(b.epoch) || (b.epoch as number) < 0 || (b.epoch as number) > (t.epoch as number)) throw fail(`training.best.epoch ${describe(b.epoch)} is not an epoch in [0, ${String(t.epoch)}]`);
    if (b.metric !== 'accuracyOrdinary' && b.metric !== 'accuracy') throw fail(`training.best.metric ${describe(b.metric)} is not accuracyOrdinary or accuracy`);
    if (typeof b.score !== 'number' || !Number.isFinite(b.score)) throw fail(`training.best.score ${describe(b.score)} is not a finite number`);
    if (!Array.isArray(b.parameters) || !b.parameters.every((p) => Array.isArray(p) && p.every((x) => typeof x === 'number' && Number.isFinite(x)))) {
      throw fail('training.best.parameters is not a list of arrays of finite numbers');
    }
  }
}

const EPOCH_KEYS = ['epoch', 'step', 'trainLoss', 'test', 'validation', 'seconds'];
const METRIC_KEYS = ['loss', 'lossOrdinary', 'accuracy', 'accuracyOrdinary', 'activity', 'activityFirst', 'silent', 'silentFirst', 'samples'];

/** The keys the reader accepts in each object of a header (docs/schema/model-header.schema.json). */
export const MODEL_HEADER_KEYS: Readonly<Record<string, readonly string[]>> = {
  header: HEADER_KEYS,
  ...NETWORK_HEADER_KEYS,
  optimizer: OPTIMIZER_KEYS,
  training: TRAINING_KEYS,
  best: BEST_KEYS,
  epoch: EPOCH_KEYS,
  metrics: METRIC_KEYS,
};

/** The history must be the trainer's EpochInfo objects: reports read every number of it. */
function checkHistory(history: unknown, fail: (what: string) => Error): void {
  if (!Array.isArray(history)) throw fail('training.history is not an array');
  history.forEach((h: unknown, k) => {
    const where = `training.history[${k}]`;
    if (!isRecord(h)) throw fail(`${where} is not an object`);
    for (const [key, v] of Object.entries(h)) {
      if (!EPOCH_KEYS.includes(key)) throw fail(`${where}.${key} is not a field of an epoch's record`);
      if (key === 'test' || key === 'validation') {
        if (!isRecord(v)) throw fail(`${where}.${key} is not an object of metrics`);
        for (const [m, x] of Object.entries(v)) {
          if (!METRIC_KEYS.includes(m)) throw fail(`${where}.${key}.${m} is not a metric`);
          if (typeof x !== 'number' || !Number.isFinite(x)) throw fail(`${where}.${key}.${m} is not a finite number`);
        }
      } else if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw fail(`${where}.${key} is not a number`);
      }
    }
    if (!Number.isInteger(h.epoch) || !Number.isInteger(h.step)) throw fail(`${where} lacks its epoch and step`);
  });
}

/**
 * Loads a model file of either version. A missing, truncated, corrupted or version-mismatched
 * file, a path that is not a regular file (a directory, FIFO or device: refused without
 * blocking), and a checkpoint whose optimiser state or training position cannot be used throw
 * an error with code ERR_SPIKEGRAD_LOAD that says what is wrong.
 *
 * @example
 * ```ts
 * const { network } = loadModel('model.spikegrad');
 * ```
 */
export function loadModel(file: string): LoadedModel {
  return runSync(modelOf(readModelFile(file), file));
}

/**
 * {@link loadModel} without blocking the event loop: the reads run on the thread pool, one chunk
 * at a time.
 *
 * @example
 * ```ts
 * const { network } = await loadModelAsync('model.spikegrad');
 * ```
 */
export async function loadModelAsync(file: string): Promise<LoadedModel> {
  return runAsync(modelOf(await readModelFileAsync(file), file));
}
