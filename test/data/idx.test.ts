/**
 * IDX readers of lib/data/idx.ts: small IDX files of every type written to a temp dir (raw and
 * gzipped) and read back, every load error (bad magic, unknown type, bad dimensions, truncated
 * data, trailing bytes, corrupt gzip, shape and count mismatches, missing files), and the real
 * Fashion-MNIST files of the Debian package dataset-fashion-mnist when they are installed.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { loadIdxDataset, readIdx, readIdxImages, type IdxType } from '../../lib/data/idx';

const CODES: Record<IdxType, number> = { uint8: 0x08, int8: 0x09, int16: 0x0b, int32: 0x0c, float32: 0x0d, float64: 0x0e };
const BYTES: Record<IdxType, number> = { uint8: 1, int8: 1, int16: 2, int32: 4, float32: 4, float64: 8 };

/** IDX bytes of `values` (row-major) with the given type and dimensions, big-endian. */
function idxBytes(type: IdxType, dims: number[], values: readonly number[]): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = CODES[type];
  header[3] = dims.length;
  dims.forEach((d, k) => header.writeUInt32BE(d, 4 + 4 * k));
  const body = Buffer.alloc(values.length * BYTES[type]);
  values.forEach((v, i) => {
    switch (type) {
      case 'uint8':
        body.writeUInt8(v, i);
        break;
      case 'int8':
        body.writeInt8(v, i);
        break;
      case 'int16':
        body.writeInt16BE(v, 2 * i);
        break;
      case 'int32':
        body.writeInt32BE(v, 4 * i);
        break;
      case 'float32':
        body.writeFloatBE(v, 4 * i);
        break;
      case 'float64':
        body.writeDoubleBE(v, 8 * i);
        break;
    }
  });
  return Buffer.concat([header, body]);
}

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spikegrad-idx-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

let fileNo = 0;
/** Writes bytes to a fresh file in the temp dir and returns its path. */
function write(bytes: Buffer, name = `f${fileNo++}.idx`): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return file;
}

const loadError = (message: RegExp) => expect.objectContaining({ code: 'ERR_SPIKEGRAD_LOAD', message: expect.stringMatching(message) });

/** 3 images of 2 x 3 pixels and their labels. */
const IMAGES = Array.from({ length: 18 }, (_, i) => (i * 37) % 256);
const LABELS = [7, 0, 9];

describe('readIdx', () => {
  const cases: [IdxType, number[]][] = [
    ['uint8', [0, 1, 127, 128, 255, 3]],
    ['int8', [-128, -1, 0, 1, 127, 5]],
    ['int16', [-32768, -2, 0, 3, 32767, 1000]],
    ['int32', [-2147483648, -5, 0, 7, 2147483647, 123456]],
    ['float32', [-1.5, 0, 0.25, 3.5, 1e6, -2.75]],
    ['float64', [Math.PI, -Math.E, 0, 1e-300, -1e300, 0.1]],
  ];
  it.each(cases)('reads %s data with its dimensions, raw and gzipped', (type, values) => {
    const bytes = idxBytes(type, [2, 3], values);
    for (const file of [write(bytes), write(zlib.gzipSync(bytes))]) {
      const t = readIdx(file);
      expect(t.type).toBe(type);
      expect(t.dims).toEqual([2, 3]);
      expect(Array.from(t.data)).toEqual(values);
    }
  });

  it('returns the matching typed array for each type', () => {
    expect(readIdx(write(idxBytes('uint8', [1], [1]))).data).toBeInstanceOf(Uint8Array);
    expect(readIdx(write(idxBytes('int8', [1], [1]))).data).toBeInstanceOf(Int8Array);
    expect(readIdx(write(idxBytes('int16', [1], [1]))).data).toBeInstanceOf(Int16Array);
    expect(readIdx(write(idxBytes('int32', [1], [1]))).data).toBeInstanceOf(Int32Array);
    expect(readIdx(write(idxBytes('float32', [1], [1]))).data).toBeInstanceOf(Float32Array);
    expect(readIdx(write(idxBytes('float64', [1], [1]))).data).toBeInstanceOf(Float64Array);
  });

  it('detects gzip by its magic bytes, not by the file name', () => {
    const bytes = idxBytes('uint8', [4], [1, 2, 3, 4]);
    expect(Array.from(readIdx(write(zlib.gzipSync(bytes), 'no-suffix')).data)).toEqual([1, 2, 3, 4]);
    expect(Array.from(readIdx(write(bytes, 'raw-but-named.gz')).data)).toEqual([1, 2, 3, 4]);
  });

  it('reads 1-dimensional and 4-dimensional files', () => {
    expect(readIdx(write(idxBytes('uint8', [5], [1, 2, 3, 4, 5]))).dims).toEqual([5]);
    const t = readIdx(write(idxBytes('int16', [2, 1, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8])));
    expect(t.dims).toEqual([2, 1, 2, 2]);
    expect(Array.from(t.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('rejects a bad magic, naming the file', () => {
    const bytes = idxBytes('uint8', [2], [1, 2]);
    bytes[0] = 0x12;
    const file = write(bytes);
    expect(() => readIdx(file)).toThrow(loadError(/bad magic 0x12 0x00 0x08 0x01: not an IDX file/));
    expect(() => readIdx(file)).toThrow(file);
    // A text file is not an IDX file either.
    expect(() => readIdx(write(Buffer.from('hello world')))).toThrow(loadError(/bad magic/));
  });

  it('rejects files too short for the magic, including empty files', () => {
    expect(() => readIdx(write(Buffer.alloc(0)))).toThrow(loadError(/has 0 bytes, too short/));
    expect(() => readIdx(write(Buffer.from([0, 0, 8])))).toThrow(loadError(/has 3 bytes, too short/));
  });

  it('rejects an unknown type code', () => {
    const bytes = idxBytes('uint8', [2], [1, 2]);
    bytes[2] = 0x0a;
    expect(() => readIdx(write(bytes))).toThrow(loadError(/unknown IDX type code 0x0a/));
  });

  it('rejects zero dimensions, zero sizes and absurd dimensions', () => {
    expect(() => readIdx(write(Buffer.from([0, 0, 8, 0])))).toThrow(loadError(/declares 0 dimensions/));
    expect(() => readIdx(write(Buffer.from([0, 0, 8, 200, 0, 0, 0, 1])))).toThrow(loadError(/declares 200 dimensions/));
    expect(() => readIdx(write(idxBytes('uint8', [3, 0], [])))).toThrow(loadError(/dimension 1 has size 0 \(dimensions 3 x 0\)/));
    expect(() => readIdx(write(idxBytes('float64', [0xffffffff, 0xffffffff], [1])))).toThrow(loadError(/absurd dimensions 4294967295 x 4294967295/));
  });

  it('rejects a truncated header', () => {
    const bytes = idxBytes('uint8', [2, 2, 2], []).subarray(0, 10);
    expect(() => readIdx(write(bytes))).toThrow(loadError(/truncated header: 3 dimensions need 16 header bytes but the file has only 10/));
  });

  it('rejects truncated data, saying how many bytes were expected and found', () => {
    const bytes = idxBytes('int32', [2, 3], [1, 2, 3, 4, 5, 6]);
    const cut = bytes.subarray(0, bytes.length - 5);
    expect(() => readIdx(write(cut))).toThrow(loadError(/truncated data: dimensions 2 x 3 of int32 need 24 bytes after the 12-byte header but the file has only 19/));
    expect(() => readIdx(write(zlib.gzipSync(cut)))).toThrow(loadError(/need 24 bytes .* the decompressed data has only 19/));
  });

  it('rejects trailing garbage after the data', () => {
    const bytes = Buffer.concat([idxBytes('uint8', [3], [1, 2, 3]), Buffer.from([9, 9])]);
    expect(() => readIdx(write(bytes))).toThrow(loadError(/2 bytes of trailing garbage after the 3 data bytes/));
  });

  it('rejects corrupt and truncated gzip data', () => {
    const gz = zlib.gzipSync(idxBytes('uint8', [100], Array.from({ length: 100 }, (_, i) => i)));
    expect(() => readIdx(write(gz.subarray(0, gz.length - 10)))).toThrow(loadError(/gzip data is corrupt or truncated/));
    const bad = Buffer.from(gz);
    bad[3] = 0xff; // reserved flag bits
    expect(() => readIdx(write(bad))).toThrow(loadError(/gzip data is corrupt or truncated/));
    expect(() => readIdx(write(Buffer.from([0x1f, 0x8b])))).toThrow(loadError(/gzip/));
  });

  it('rejects a missing file with a load error and a non-string path with an argument error', () => {
    const missing = path.join(dir, 'does-not-exist');
    expect(() => readIdx(missing)).toThrow(loadError(/does-not-exist: cannot read the file/));
    expect(() => readIdx(dir)).toThrow(loadError(/cannot read the file/));
    expect(() => readIdx(42 as unknown as string)).toThrow(expect.objectContaining({ name: 'TypeError', code: 'ERR_SPIKEGRAD_ARG' }));
    expect(() => readIdx('')).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_ARG' }));
  });
});

describe('readIdxImages', () => {
  it('reads images and labels into an ImageSet with rows and cols', () => {
    const images = write(zlib.gzipSync(idxBytes('uint8', [3, 2, 3], IMAGES)));
    const labels = write(idxBytes('uint8', [3], LABELS));
    const set = readIdxImages(images, labels);
    expect(set.size).toBe(3);
    expect(set.pixels).toBe(6);
    expect(set.rows).toBe(2);
    expect(set.cols).toBe(3);
    expect(set.images).toBeInstanceOf(Uint8Array);
    expect(Array.from(set.images)).toEqual(IMAGES);
    expect(set.labels).toBeInstanceOf(Int32Array);
    expect(Array.from(set.labels)).toEqual(LABELS);
  });

  it('rejects images of the wrong type or shape and labels of the wrong type or shape', () => {
    const labels = write(idxBytes('uint8', [3], LABELS));
    const images = write(idxBytes('uint8', [3, 2, 3], IMAGES));
    expect(() => readIdxImages(write(idxBytes('int16', [3, 2, 3], IMAGES)), labels)).toThrow(loadError(/expected IDX images of type uint8 with 3 dimensions .* found int16 with dimensions 3 x 2 x 3/));
    expect(() => readIdxImages(write(idxBytes('uint8', [3, 6], IMAGES)), labels)).toThrow(loadError(/found uint8 with dimensions 3 x 6/));
    expect(() => readIdxImages(images, write(idxBytes('int32', [3], LABELS))))
      .toThrow(loadError(/expected IDX labels of type uint8 with 1 dimension but found int32/));
    expect(() => readIdxImages(images, write(idxBytes('uint8', [3, 1], LABELS)))).toThrow(loadError(/found uint8 with dimensions 3 x 1/));
    // Swapped arguments are caught by the shape checks.
    expect(() => readIdxImages(labels, images)).toThrow(loadError(/expected IDX images/));
  });

  it('rejects differing counts, naming both files and both counts', () => {
    const images = write(idxBytes('uint8', [3, 2, 3], IMAGES), 'count-images');
    const labels = write(idxBytes('uint8', [2], [1, 2]), 'count-labels');
    let err: unknown;
    try {
      readIdxImages(images, labels);
    } catch (e) {
      err = e;
    }
    expect(err).toEqual(loadError(/differ in count/));
    const message = (err as Error).message;
    expect(message).toContain(`${images} holds 3 images`);
    expect(message).toContain(`${labels} holds 2 labels`);
  });

  it('passes on load errors of either file', () => {
    const labels = write(idxBytes('uint8', [3], LABELS));
    expect(() => readIdxImages(path.join(dir, 'missing-images'), labels)).toThrow(loadError(/missing-images: cannot read/));
    expect(() => readIdxImages(write(idxBytes('uint8', [3, 2, 3], IMAGES)), 7 as unknown as string)).toThrow(
      expect.objectContaining({ code: 'ERR_SPIKEGRAD_ARG', message: expect.stringMatching(/labelsFile/) }),
    );
  });
});

describe('loadIdxDataset', () => {
  /** A dataset dir with 3 train and 2 test images; `gz` says which files are gzipped. */
  function makeDataset(name: string, gz: { trainImages: boolean; trainLabels: boolean; testImages: boolean; testLabels: boolean }): string {
    const d = path.join(dir, name);
    fs.mkdirSync(d);
    const put = (file: string, bytes: Buffer, zipped: boolean) =>
      fs.writeFileSync(path.join(d, zipped ? `${file}.gz` : file), zipped ? zlib.gzipSync(bytes) : bytes);
    put('train-images-idx3-ubyte', idxBytes('uint8', [3, 2, 3], IMAGES), gz.trainImages);
    put('train-labels-idx1-ubyte', idxBytes('uint8', [3], LABELS), gz.trainLabels);
    put('t10k-images-idx3-ubyte', idxBytes('uint8', [2, 2, 3], IMAGES.slice(0, 12)), gz.testImages);
    put('t10k-labels-idx1-ubyte', idxBytes('uint8', [2], [4, 5]), gz.testLabels);
    return d;
  }

  it.each([
    ['all raw', { trainImages: false, trainLabels: false, testImages: false, testLabels: false }],
    ['all gzipped', { trainImages: true, trainLabels: true, testImages: true, testLabels: true }],
    ['mixed', { trainImages: true, trainLabels: false, testImages: false, testLabels: true }],
  ])('loads train and test sets (%s)', (name, gz) => {
    const { train, test } = loadIdxDataset(makeDataset(name.replace(' ', '-'), gz));
    expect(train.size).toBe(3);
    expect(Array.from(train.images)).toEqual(IMAGES);
    expect(Array.from(train.labels)).toEqual(LABELS);
    expect(test.size).toBe(2);
    expect([test.rows, test.cols, test.pixels]).toEqual([2, 3, 6]);
    expect(Array.from(test.labels)).toEqual([4, 5]);
  });

  it('reads the raw file where both the raw and the gzipped file exist', () => {
    const d = makeDataset('both', { trainImages: false, trainLabels: false, testImages: false, testLabels: false });
    fs.writeFileSync(path.join(d, 't10k-labels-idx1-ubyte.gz'), zlib.gzipSync(idxBytes('uint8', [2], [8, 8])));
    expect(Array.from(loadIdxDataset(d).test.labels)).toEqual([4, 5]);
  });

  it('lists what it looked for when files are missing', () => {
    const d = makeDataset('partial', { trainImages: true, trainLabels: false, testImages: false, testLabels: false });
    fs.rmSync(path.join(d, 't10k-labels-idx1-ubyte'));
    fs.rmSync(path.join(d, 'train-labels-idx1-ubyte'));
    let err: unknown;
    try {
      loadIdxDataset(d);
    } catch (e) {
      err = e;
    }
    expect(err).toEqual(loadError(/missing IDX files/));
    const message = (err as Error).message;
    expect(message).toContain(d);
    expect(message).toContain(`looked for ${path.join(d, 'train-labels-idx1-ubyte')}, ${path.join(d, 'train-labels-idx1-ubyte.gz')}, `);
    expect(message).toContain(`${path.join(d, 't10k-labels-idx1-ubyte')}, ${path.join(d, 't10k-labels-idx1-ubyte.gz')}, none of which exists`);
    expect(message).not.toContain(path.join(d, 'train-images-idx3-ubyte'));
    expect(message).toContain('needs train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz]');
    const empty = path.join(dir, 'empty');
    fs.mkdirSync(empty);
    expect(() => loadIdxDataset(empty)).toThrow(loadError(/looked for .*train-images-idx3-ubyte, .*t10k-labels-idx1-ubyte\.gz, none/));
  });

  it('rejects a missing directory, a file instead of a directory and a bad argument', () => {
    expect(() => loadIdxDataset(path.join(dir, 'no-such-dir'))).toThrow(loadError(/no-such-dir: cannot open the dataset directory/));
    expect(() => loadIdxDataset(write(Buffer.from([1])))).toThrow(loadError(/not a directory/));
    expect(() => loadIdxDataset(undefined as unknown as string)).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_ARG' }));
  });

  it('passes on the error of a corrupt file in the dataset', () => {
    const d = makeDataset('corrupt', { trainImages: false, trainLabels: false, testImages: false, testLabels: false });
    const file = path.join(d, 't10k-images-idx3-ubyte');
    fs.writeFileSync(file, fs.readFileSync(file).subarray(0, 20));
    expect(() => loadIdxDataset(d)).toThrow(loadError(/t10k-images-idx3-ubyte: truncated data/));
  });
});

const FASHION = '/usr/share/datasets/fashion-mnist/';
const haveFashion = fs.existsSync(FASHION);
const fashionIt = haveFashion ? it : it.skip;

describe('Fashion-MNIST (Debian package dataset-fashion-mnist)', () => {
  fashionIt(
    haveFashion
      ? `reads ${FASHION}: 60000 train and 10000 test images of 28 x 28 with labels 0..9`
      : `SKIPPED: ${FASHION} not found (install the Debian package dataset-fashion-mnist to run this test)`,
    () => {
      const { train, test } = loadIdxDataset(FASHION);
      for (const [set, size] of [
        [train, 60000],
        [test, 10000],
      ] as const) {
        expect(set.size).toBe(size);
        expect([set.rows, set.cols, set.pixels]).toEqual([28, 28, 784]);
        expect(set.images.length).toBe(size * 784);
        expect(set.labels.length).toBe(size);
        const counts = new Array<number>(10).fill(0);
        let outside = 0;
        for (const l of set.labels) {
          if (l >= 0 && l <= 9) counts[l]++;
          else outside++;
        }
        expect(outside).toBe(0);
        // Fashion-MNIST is exactly balanced: 6000 / 1000 images per class.
        expect(counts).toEqual(new Array<number>(10).fill(size / 10));
        let max = 0;
        for (const p of set.images) if (p > max) max = p;
        expect(max).toBe(255);
      }
    },
  );
});
