/**
 * The input encoding a network was trained with and the names of its classes: stored with the
 * network in model files, so that `Network.predict` can take raw inputs (pixels or spike lists)
 * without the caller re-creating the encoding by hand.
 */
import { argumentError, codedError, describe, rangeError } from '../base/errors';
import { expectInteger, expectKnownKeys, isRecord, isUint8Array } from '../base/validate';
import { spikeBatch, type InputBatch, type SampleSpikes } from './inputs';
import { ttfsBatch } from './ttfs';

/**
 * Images of uint8 pixels, time-to-first-spike encoded ({@link ttfsBatch}): pixel q of an image
 * is input channel q; with `bins` = 1 pixels >= 128 spike at t = T ln(1 / 0.99) and the rest are
 * silent (in general pixel p falls into bin floor((255 - p) / floor(256 / (bins + 1))) and bins
 * 0 .. bins-1 spike, brighter ones earlier).
 */
export interface ImageEncoding {
  readonly kind: 'image';
  /** The T of the encoding (sets the bin spike times). */
  readonly T: number;
  /** Spiking bins (1: a threshold at 128). */
  readonly bins: number;
  /** Pixels per image; at most the network's input channels. */
  readonly pixels: number;
  /** Image height and width (rows x cols = pixels), for clients that show or reshape images. */
  readonly shape?: readonly [number, number];
}

/** Spike lists: each sample is `{ times, channels }` with channels in [0, channels). */
export interface SpikeEncoding {
  readonly kind: 'spikes';
  /** The number of input channels (the network's nIn). */
  readonly channels: number;
}

/** How raw inputs become input spikes. */
export type InputEncoding = ImageEncoding | SpikeEncoding;

/** The keys of each kind of encoding (docs/schema/model-header.schema.json). */
export const IMAGE_KEYS = ['kind', 'T', 'bins', 'pixels', 'shape'] as const;
export const SPIKE_KEYS = ['kind', 'channels'] as const;

/**
 * Validates an encoding for a network with `nIn` input channels and returns a frozen copy.
 * `name` names it in messages.
 *
 * @example
 * ```ts
 * checkEncoding({ kind: 'image', T: 2, bins: 1, pixels: 784, shape: [28, 28] }, 784);
 * ```
 */
export function checkEncoding(value: unknown, nIn: number, name = 'encoding'): InputEncoding {
  if (!isRecord(value)) throw argumentError(`Expected an encoding object ({ kind: 'image', ... } or { kind: 'spikes', ... }) for ${name} but received ${describe(value)}`);
  if (value.kind === 'image') {
    expectKnownKeys(value, name, IMAGE_KEYS);
    const T = value.T;
    if (typeof T !== 'number' || !Number.isFinite(T) || !(T > 0)) throw rangeError(`Expected a finite number > 0 for ${name}.T but received ${describe(T)}`);
    const bins = expectInteger(value.bins, `${name}.bins`, 1, 255);
    const pixels = expectInteger(value.pixels, `${name}.pixels`, 1, nIn);
    let shape: [number, number] | undefined;
    if (value.shape !== undefined) {
      const s = value.shape;
      if (!Array.isArray(s) || s.length !== 2) throw argumentError(`Expected [rows, cols] for ${name}.shape but received ${describe(s)}`);
      const rows = expectInteger(s[0], `${name}.shape[0]`, 1);
      const cols = expectInteger(s[1], `${name}.shape[1]`, 1);
      if (rows * cols !== pixels) throw rangeError(`Expected ${name}.shape (${rows} x ${cols}) to hold ${name}.pixels = ${pixels} pixels`, 'ERR_SPIKEGRAD_SHAPE');
      shape = [rows, cols];
    }
    return Object.freeze(shape ? { kind: 'image', T, bins, pixels, shape: Object.freeze(shape) as readonly [number, number] } : { kind: 'image', T, bins, pixels });
  }
  if (value.kind === 'spikes') {
    expectKnownKeys(value, name, SPIKE_KEYS);
    const channels = expectInteger(value.channels, `${name}.channels`, 0);
    if (channels !== nIn) throw rangeError(`Expected ${name}.channels to be the network's ${nIn} input channels but received ${channels}`, 'ERR_SPIKEGRAD_SHAPE');
    return Object.freeze({ kind: 'spikes', channels });
  }
  throw rangeError(`Expected 'image' or 'spikes' for ${name}.kind but received ${describe(value.kind)}`);
}

/**
 * Validates class names: one non-empty string per readout neuron. Returns a frozen copy.
 *
 * @example
 * ```ts
 * checkClasses(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], 10);
 * ```
 */
export function checkClasses(value: unknown, readout: number, name = 'classes'): readonly string[] {
  if (!Array.isArray(value)) throw argumentError(`Expected an array of class names for ${name} but received ${describe(value)}`);
  if (value.length !== readout) {
    throw rangeError(`Expected one class name per readout neuron (${readout}) for ${name} but received ${value.length}`, 'ERR_SPIKEGRAD_SHAPE');
  }
  value.forEach((c: unknown, k) => {
    if (typeof c !== 'string' || c === '') throw argumentError(`Expected a non-empty string for ${name}[${k}] but received ${describe(c)}`);
  });
  return Object.freeze([...(value as string[])]);
}

/** Raw inputs for {@link encodeInputs}: images for an image encoding, spike lists for a spike encoding. */
export type RawInputs = Uint8Array | readonly (Uint8Array | readonly number[])[] | SampleSpikes | readonly SampleSpikes[];

/** The error for a network that has no encoding, saying how to give one. */
export function noEncodingError(): Error {
  return codedError(
    'This network has no input encoding, so predict() cannot turn raw inputs into spikes. Give it once: ' +
      "network.encoding = { kind: 'image', T: 2, bins: 1, pixels: 784, shape: [28, 28] } (images, as imageDataset encodes them) " +
      "or { kind: 'spikes', channels: network.structure.nIn } (spike lists), or pass { encoding } in the options of predict(); " +
      'the encoding is then saved with the model',
    'ERR_SPIKEGRAD_ARG',
  );
}

/**
 * Turns raw inputs into an input batch with the encoding: for images one Uint8Array of one or
 * more images back to back, or an array of images (each a Uint8Array or an array of integers in
 * [0, 255]); for spike lists one sample `{ times, channels }` or an array of them. Returns the
 * batch and the number of samples.
 */
export function encodeInputs(encoding: InputEncoding, inputs: unknown, name = 'inputs'): InputBatch {
  if (encoding.kind === 'image') {
    const { pixels, T, bins } = encoding;
    let images: Uint8Array;
    if (isUint8Array(inputs)) {
      if (inputs.length === 0 || inputs.length % pixels !== 0) {
        throw rangeError(`Expected ${name} to hold whole images of ${pixels} pixels but received ${inputs.length} values`, 'ERR_SPIKEGRAD_SHAPE');
      }
      images = inputs;
    } else if (Array.isArray(inputs)) {
      images = new Uint8Array(inputs.length * pixels);
      inputs.forEach((img: unknown, s) => {
        if (isUint8Array(img)) {
          if (img.length !== pixels) throw rangeError(`Expected ${pixels} pixels for ${name}[${s}] but received ${img.length}`, 'ERR_SPIKEGRAD_SHAPE');
          images.set(img, s * pixels);
          return;
        }
        if (!Array.isArray(img)) throw argumentError(`Expected an image (a Uint8Array or an array of ${pixels} integers in [0, 255]) for ${name}[${s}] but received ${describe(img)}`);
        if (img.length !== pixels) throw rangeError(`Expected ${pixels} pixels for ${name}[${s}] but received ${img.length}`, 'ERR_SPIKEGRAD_SHAPE');
        for (let q = 0; q < pixels; q++) {
          const p = img[q] as unknown;
          if (typeof p !== 'number' || !Number.isInteger(p) || p < 0 || p > 255) {
            throw rangeError(`Expected an integer in [0, 255] for ${name}[${s}][${q}] but received ${describe(p)}`);
          }
          images[s * pixels + q] = p;
        }
      });
    } else {
      throw argumentError(`Expected images (a Uint8Array of whole images, or an array of images) for ${name} but received ${describe(inputs)}`);
    }
    return ttfsBatch(images, pixels, { T, bins });
  }
  const list = Array.isArray(inputs) ? (inputs as unknown[]) : [inputs];
  const batch = spikeBatch(list as SampleSpikes[]);
  for (let k = 0; k < batch.channels.length; k++) {
    const c = batch.channels[k];
    if (c < 0 || c >= encoding.channels) throw rangeError(`Input channel ${c} is out of range (the network has ${encoding.channels} input channels)`);
  }
  return batch;
}
