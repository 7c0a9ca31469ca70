/**
 * Model files: versioned JSON holding a network (architecture, neuron parameters, all parameters,
 * trainability) and, beside it, sections that higher layers add (training/checkpoint.ts adds the
 * optimiser state and the training position). This module owns the envelope and the network;
 * it does not know what the other sections hold.
 */
import fs = require('fs');
import { codedError, describe, rangeError, type CodedError } from '../base/errors';
import { findNonFinite } from '../base/validate';
import { Network } from './network';

/** The `format` field of every model file. */
export const MODEL_FORMAT = 'spikegrad-model';
/** The current file version; loading rejects other versions. */
export const MODEL_VERSION = 1;

/** An ERR_SPIKEGRAD_LOAD error naming the file. */
export function modelLoadError(file: string, message: string): CodedError {
  return codedError(`Cannot load model ${file}: ${message}`, 'ERR_SPIKEGRAD_LOAD');
}

/** The error for a non-finite number at `where` in what is being saved. */
export function nonFiniteSaveError(where: string): RangeError {
  return rangeError(`Cannot save a model with a non-finite number at ${where}`, 'ERR_SPIKEGRAD_NONFINITE');
}

/**
 * The JSON text of a model file with the network and the given sections (stringified as they
 * are). A non-finite parameter would be written as null and the file could not be loaded back: it
 * is refused with ERR_SPIKEGRAD_NONFINITE naming where it is. Sections are the caller's to check.
 */
export function modelFileText(network: Network, sections: Readonly<Record<string, unknown>> = {}): string {
  const bad = findNonFinite(network.params, 'params');
  if (bad) throw nonFiniteSaveError(bad);
  return JSON.stringify({ format: MODEL_FORMAT, version: MODEL_VERSION, network: network.toJSON(), ...sections });
}

/**
 * Validates parsed JSON as a model file (format, version, network) and builds the network.
 * Returns it with the file's other top-level fields, for the layer that knows them.
 */
export function parseModelFile(value: unknown, file = 'model'): { network: Network; sections: Record<string, unknown> } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw modelLoadError(file, 'not a JSON object');
  const { format, version, network: json, ...sections } = value as Record<string, unknown>;
  if (format !== MODEL_FORMAT) throw modelLoadError(file, `format is ${describe(format)}, expected "${MODEL_FORMAT}"`);
  if (version !== MODEL_VERSION) {
    throw modelLoadError(file, `version ${describe(version)} is not supported (this spikegrad reads version ${MODEL_VERSION})`);
  }
  let network: Network;
  try {
    network = Network.fromJSON(json);
  } catch (err) {
    throw modelLoadError(file, `network: ${(err as Error).message}`);
  }
  return { network, sections };
}

/** Reads a model file and parses its JSON; a missing, unreadable or corrupted file is ERR_SPIKEGRAD_LOAD. */
export function readModelJSON(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw modelLoadError(file, (err as Error).message);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw modelLoadError(file, `not valid JSON (truncated or corrupted?): ${(err as Error).message}`);
  }
}
