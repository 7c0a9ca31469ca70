/**
 * Checkpoints: model files (network/model_file.ts) with the training layer's sections beside the
 * network, the optimiser state and the training position, so that a run resumes exactly.
 * saveModel, loadModel and parseModel read and write every model file; one without these
 * sections is a plain model. Saving is atomic (base/files.ts): an interrupted save leaves the
 * previous file intact and never a truncated one.
 */
import { argumentError, describe } from '../base/errors';
import { writeFileAtomic } from '../base/files';
import { Network, type NetworkJSON } from '../network/network';
import { findNonFinite, readOptions } from '../base/validate';
import { MODEL_FORMAT, MODEL_VERSION, modelFileText, modelLoadError, nonFiniteSaveError, parseModelFile, readModelJSON } from '../network/model_file';
import type { OptimizerState } from './optim/optimizer';

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
  const sections = readOptions(extra, 'saveModel options', ['optimizer', 'training'] as const);
  // The optimiser state must load back; the random states of the training position hold NaN on
  // purpose (no spare normal), which JSON writes as null and Random.setState reads back.
  const bad = findNonFinite(network.params, 'params') || findNonFinite(sections.optimizer, 'optimizer');
  if (bad) throw nonFiniteSaveError(bad);
  writeFileAtomic(file, modelFileText(network, sections));
}

/** Validates parsed JSON as a model file and builds the network. */
export function parseModel(value: unknown, file = 'model'): LoadedModel {
  const { network, sections } = parseModelFile(value, file);
  const { optimizer, training } = sections as Pick<ModelFile, 'optimizer' | 'training'>;
  if (optimizer !== undefined && (typeof optimizer !== 'object' || optimizer === null)) throw modelLoadError(file, 'optimizer is not an object');
  if (training !== undefined) {
    const t = training as Partial<TrainingState>;
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
    if (!ok) throw modelLoadError(file, 'training is not a valid training state');
  }
  return { network, optimizer, training };
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
  return parseModel(readModelJSON(file), file);
}
