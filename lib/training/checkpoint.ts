/**
 * Saving and loading models as versioned JSON: the network (architecture, neuron parameters, all
 * parameters, trainability), optionally the optimiser state and the training position. Saving is
 * atomic: the file is written beside the target, flushed to disk and renamed over it, so an
 * interrupted save leaves the previous file intact and never a truncated one.
 */
import fs = require('fs');
import path = require('path');
import { argumentError, codedError, describe, rangeError } from '../base/errors';
import { Network, type NetworkJSON } from '../network/network';
import type { OptimizerState } from './optim/optimizer';

/** The `format` field of every model file. */
export const MODEL_FORMAT = 'spikegrad-model';
/** The current file version; loading rejects other versions. */
export const MODEL_VERSION = 1;

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
  /** Per-epoch metrics so far (free-form, for reports). */
  history?: unknown[];
}

/** The content of a model file. */
export interface ModelFile {
  format: typeof MODEL_FORMAT;
  version: typeof MODEL_VERSION;
  network: NetworkJSON;
  optimizer?: OptimizerState;
  training?: TrainingState;
}

/** What {@link loadModel} returns. */
export interface LoadedModel {
  network: Network;
  optimizer?: OptimizerState;
  training?: TrainingState;
}

/** The path of the first non-finite number in value, or '' (JSON would write it as null). */
function nonFinite(value: unknown, where: string): string {
  if (typeof value === 'number') return Number.isFinite(value) ? '' : where;
  if (ArrayBuffer.isView(value)) {
    const a = value as unknown as ArrayLike<number>;
    for (let k = 0; k < a.length; k++) if (typeof a[k] === 'number' && !Number.isFinite(a[k])) return `${where}[${k}]`;
    return '';
  }
  if (Array.isArray(value)) {
    for (let k = 0; k < value.length; k++) {
      const w = nonFinite(value[k], `${where}[${k}]`);
      if (w) return w;
    }
    return '';
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, v] of Object.entries(value)) {
      const w = nonFinite(v, `${where}.${key}`);
      if (w) return w;
    }
  }
  return '';
}

function stringify(network: Network, extra: { optimizer?: OptimizerState; training?: TrainingState }): string {
  // A non-finite number would be written as null and the file could not be loaded back.
  const bad = nonFinite(network.params, 'params') || nonFinite(extra.optimizer, 'optimizer');
  if (bad) throw rangeError(`Cannot save a model with a non-finite number at ${bad}`, 'ERR_SPIKEGRAD_NONFINITE');
  const file: ModelFile = { format: MODEL_FORMAT, version: MODEL_VERSION, network: network.toJSON(), ...extra };
  return JSON.stringify(file);
}

/** Writes text to file atomically (temporary file, fsync, rename, fsync of the folder). */
export function writeFileAtomic(file: string, text: string): void {
  const dir = path.dirname(path.resolve(file));
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, 'w', 0o644);
    fs.writeFileSync(fd, text);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, file);
  } catch (err) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  try {
    const dfd = fs.openSync(dir, 'r');
    fs.fsyncSync(dfd);
    fs.closeSync(dfd);
  } catch {
    // Some file systems cannot fsync a directory; the rename itself is still atomic.
  }
}

/**
 * Saves a network (and optionally optimiser state and training position) to a JSON file.
 *
 * @example
 * ```ts
 * saveModel('model.json', net, { optimizer: opt.state() });
 * ```
 */
export function saveModel(file: string, network: Network, extra: { optimizer?: OptimizerState; training?: TrainingState } = {}): void {
  if (typeof file !== 'string' || file === '') throw argumentError(`Expected a file path for file but received ${describe(file)}`);
  if (!(network instanceof Network)) throw argumentError(`Expected a Network for network but received ${describe(network)}`);
  writeFileAtomic(file, stringify(network, extra));
}

function loadError(file: string, message: string): Error {
  return codedError(`Cannot load model ${file}: ${message}`, 'ERR_SPIKEGRAD_LOAD');
}

/** Validates parsed JSON as a model file and builds the network. */
export function parseModel(value: unknown, file = 'model'): LoadedModel {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw loadError(file, 'not a JSON object');
  const v = value as Partial<ModelFile>;
  if (v.format !== MODEL_FORMAT) throw loadError(file, `format is ${describe(v.format)}, expected "${MODEL_FORMAT}"`);
  if (v.version !== MODEL_VERSION) {
    throw loadError(file, `version ${describe(v.version)} is not supported (this spikegrad reads version ${MODEL_VERSION})`);
  }
  let network: Network;
  try {
    network = Network.fromJSON(v.network);
  } catch (err) {
    throw loadError(file, `network: ${(err as Error).message}`);
  }
  if (v.optimizer !== undefined && (typeof v.optimizer !== 'object' || v.optimizer === null)) throw loadError(file, 'optimizer is not an object');
  if (v.training !== undefined) {
    const t = v.training as Partial<TrainingState>;
    const ok =
      typeof t === 'object' &&
      t !== null &&
      Number.isInteger(t.epoch) &&
      Number.isInteger(t.batchInEpoch) &&
      Number.isInteger(t.seed) &&
      Number.isInteger(t.batchSize) &&
      (t.batchSize as number) >= 1 &&
      Array.isArray(t.shuffleState) &&
      Array.isArray(t.augmentState);
    if (!ok) throw loadError(file, 'training is not a valid training state');
  }
  return { network, optimizer: v.optimizer, training: v.training };
}

/**
 * Loads a model file. A missing, truncated, corrupted or version-mismatched file throws an error
 * with code ERR_SPIKEGRAD_LOAD that says what is wrong.
 *
 * @example
 * ```ts
 * const { network } = loadModel('model.json');
 * ```
 */
export function loadModel(file: string): LoadedModel {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw loadError(file, (err as Error).message);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw loadError(file, `not valid JSON (truncated or corrupted?): ${(err as Error).message}`);
  }
  return parseModel(value, file);
}
