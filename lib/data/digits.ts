/**
 * The bundled MNIST digits: the first 10,000 MNIST training images and labels, shipped in the
 * package as a gzipped IDX pair (data/mnist-10k/, built by scripts/make-bundled-digits.js;
 * MNIST is CC BY-SA 3.0, see the LICENSE there) and returned in a fixed interleaved order.
 * Full IDX datasets are read with readIdx / loadIdxDataset instead; `spikegrad data` downloads
 * them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { codedError } from '../base/errors';
import { Random } from '../base/random';
import { readIdxImages, type ImageSet } from './idx';

export type { ImageSet } from './idx';

const BUNDLED_DIR = path.join('data', 'mnist-10k');
const BUNDLED_IMAGES = 'train-images-idx3-ubyte.gz';
const BUNDLED_LABELS = 'train-labels-idx1-ubyte.gz';

/** The folder of the bundled digits: data/mnist-10k in the package root, found upwards from here. */
export function bundledDigitsDir(): string {
  const tried: string[] = [];
  for (let dir = __dirname, k = 0; k < 4; k++, dir = path.dirname(dir)) {
    const candidate = path.join(dir, BUNDLED_DIR);
    if (fs.existsSync(path.join(candidate, BUNDLED_IMAGES))) return candidate;
    tried.push(candidate);
  }
  throw codedError(
    `The bundled digits are missing from the spikegrad package: looked for ${BUNDLED_IMAGES} in ${tried.join(', ')}; reinstall spikegrad`,
    'ERR_SPIKEGRAD_LOAD',
  );
}

/**
 * Loads the 10,000 bundled digits (the first 10,000 MNIST training images, 28 x 28 uint8
 * pixels). They come in a fixed interleaved order: the images of each class in their MNIST
 * order, the classes taken in turn (0, 1, ..., 9, 0, 1, ...) until a class runs out, so that any
 * prefix holds all ten digits. Throws ERR_SPIKEGRAD_LOAD when the files are missing or damaged.
 *
 * @example
 * ```ts
 * const digits = loadBundledDigits();
 * const { train, test } = splitImages(digits, 0.2, 1); // a seeded held-out split
 * ```
 */
export function loadBundledDigits(): ImageSet {
  const dir = bundledDigitsDir();
  const set = readIdxImages(path.join(dir, BUNDLED_IMAGES), path.join(dir, BUNDLED_LABELS));
  // Group by class in file order, then interleave the classes (round robin).
  const byClass: number[][] = Array.from({ length: 10 }, () => []);
  for (let s = 0; s < set.size; s++) {
    const label = set.labels[s];
    if (!(label >= 0 && label < 10)) {
      throw codedError(`${path.join(dir, BUNDLED_LABELS)}: label ${label} of image ${s} is not a digit 0-9`, 'ERR_SPIKEGRAD_LOAD');
    }
    byClass[label].push(s);
  }
  const order: number[] = [];
  for (let round = 0; order.length < set.size; round++) {
    for (let d = 0; d < 10; d++) if (round < byClass[d].length) order.push(byClass[d][round]);
  }
  return subsetImages(set, order);
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
