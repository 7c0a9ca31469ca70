/**
 * Readers for IDX files, the format of MNIST, Fashion-MNIST, KMNIST and EMNIST: a 4-byte magic
 * (0x00 0x00, a type code, the number of dimensions), one big-endian uint32 size per dimension,
 * then the values in row-major order, big-endian. Files may be gzipped; compression is detected
 * from the gzip magic bytes 0x1f 0x8b, never from the file name.
 *
 * Every problem with a file is reported as an Error with code ERR_SPIKEGRAD_LOAD whose message
 * names the file and the problem; bad arguments throw ERR_SPIKEGRAD_ARG.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { argumentError, codedError, describe, type CodedError } from '../base/errors';

/** Labelled images, image after image. */
export interface ImageSet {
  images: Uint8Array;
  labels: Int32Array;
  /** Pixels per image. */
  pixels: number;
  /** Number of images. */
  size: number;
}

/** The element types of IDX files, by type code. */
export type IdxType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

/**
 * The contents of an IDX file: its element type, its dimensions (outermost first) and its values
 * in row-major order, converted to the platform's byte order. `type` tells which typed array
 * `data` is.
 *
 * @example
 * ```ts
 * const t = readIdx('train-labels-idx1-ubyte.gz');
 * if (t.type === 'uint8') console.log(t.dims, t.data[0]); // t.data is a Uint8Array here
 * ```
 */
export type IdxTensor =
  | { type: 'uint8'; dims: number[]; data: Uint8Array }
  | { type: 'int8'; dims: number[]; data: Int8Array }
  | { type: 'int16'; dims: number[]; data: Int16Array }
  | { type: 'int32'; dims: number[]; data: Int32Array }
  | { type: 'float32'; dims: number[]; data: Float32Array }
  | { type: 'float64'; dims: number[]; data: Float64Array };

/**
 * Labelled images read from IDX files: an {@link ImageSet} plus the image height and width.
 *
 * @example
 * ```ts
 * const set: IdxImageSet = readIdxImages('t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz');
 * console.log(set.size, set.rows, set.cols); // 10000 28 28
 * ```
 */
export interface IdxImageSet extends ImageSet {
  /** Image height (the second IDX dimension). */
  rows: number;
  /** Image width (the third IDX dimension). */
  cols: number;
}

const TYPES: Readonly<Record<number, { type: IdxType; bytes: number }>> = {
  0x08: { type: 'uint8', bytes: 1 },
  0x09: { type: 'int8', bytes: 1 },
  0x0b: { type: 'int16', bytes: 2 },
  0x0c: { type: 'int32', bytes: 4 },
  0x0d: { type: 'float32', bytes: 4 },
  0x0e: { type: 'float64', bytes: 8 },
};

/** More dimensions than this is taken as a corrupt header. */
const MAX_DIMS = 16;
/** Larger data than this (2 GiB, the most fs.readFileSync can return) is taken as a corrupt header. */
const MAX_DATA_BYTES = 2 ** 31 - 1;
/** The largest possible IDX file: the longest header and the most data. */
const MAX_FILE_BYTES = 4 + 4 * MAX_DIMS + MAX_DATA_BYTES;

const hex = (b: number) => '0x' + b.toString(16).padStart(2, '0');

function loadError(file: string, problem: string, cause?: unknown): CodedError {
  const err = codedError(`${file}: ${problem}`, 'ERR_SPIKEGRAD_LOAD');
  if (cause !== undefined) err.cause = cause;
  return err;
}

/** The file's bytes, gunzipped when they start with the gzip magic. */
function readBytes(file: string): { bytes: Buffer; gzipped: boolean } {
  let raw: Buffer;
  try {
    raw = fs.readFileSync(file);
  } catch (err) {
    throw loadError(file, `cannot read the file (${(err as Error).message})`, err);
  }
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      return { bytes: zlib.gunzipSync(raw, { maxOutputLength: MAX_FILE_BYTES }), gzipped: true };
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'ERR_BUFFER_TOO_LARGE') {
        throw loadError(file, `the gzip data decompresses to more than ${MAX_FILE_BYTES} bytes, too large for an IDX file`, err);
      }
      throw loadError(file, `the gzip data is corrupt or truncated (${(err as Error).message}${code ? `, ${code}` : ''})`, err);
    }
  }
  return { bytes: raw, gzipped: false };
}

/** Parses IDX bytes; `file` is only used in messages. */
function parseIdx(file: string, buf: Buffer, gzipped: boolean): IdxTensor {
  const what = gzipped ? 'the decompressed data' : 'the file';
  if (buf.length < 4) {
    throw loadError(file, `${what} has ${buf.length} bytes, too short for the 4-byte IDX magic; not an IDX file`);
  }
  const magic = Array.from(buf.subarray(0, 4), hex).join(' ');
  if (buf[0] !== 0 || buf[1] !== 0) {
    throw loadError(file, `bad magic ${magic}: not an IDX file (expected 0x00 0x00 <type code> <number of dimensions>)`);
  }
  const spec = TYPES[buf[2]];
  if (spec === undefined) {
    throw loadError(
      file,
      `unknown IDX type code ${hex(buf[2])} in magic ${magic} (expected 0x08 uint8, 0x09 int8, 0x0b int16, 0x0c int32, 0x0d float32 or 0x0e float64)`,
    );
  }
  const ndims = buf[3];
  if (ndims === 0 || ndims > MAX_DIMS) {
    throw loadError(file, `the header declares ${ndims} dimensions (expected 1 to ${MAX_DIMS}); the file is corrupt`);
  }
  const headerBytes = 4 + 4 * ndims;
  if (buf.length < headerBytes) {
    throw loadError(
      file,
      `truncated header: ${ndims} dimensions need ${headerBytes} header bytes but ${what} has only ${buf.length}`,
    );
  }
  const dims: number[] = [];
  let count = 1;
  for (let d = 0; d < ndims; d++) {
    const n = buf.readUInt32BE(4 + 4 * d);
    if (n === 0) throw loadError(file, `dimension ${d} has size 0 (dimensions ${describeDims(buf, ndims)})`);
    dims.push(n);
    count *= n;
  }
  const dataBytes = count * spec.bytes;
  if (dataBytes > MAX_DATA_BYTES) {
    throw loadError(
      file,
      `absurd dimensions ${dims.join(' x ')}: ${dataBytes} bytes of ${spec.type} data (more than ${MAX_DATA_BYTES}); the header is corrupt`,
    );
  }
  const found = buf.length - headerBytes;
  if (found < dataBytes) {
    throw loadError(
      file,
      `truncated data: dimensions ${dims.join(' x ')} of ${spec.type} need ${dataBytes} bytes after the ${headerBytes}-byte header but ${what} has only ${found}`,
    );
  }
  if (found > dataBytes) {
    throw loadError(
      file,
      `${found - dataBytes} bytes of trailing garbage after the ${dataBytes} data bytes of dimensions ${dims.join(' x ')} of ${spec.type}`,
    );
  }
  const view = new DataView(buf.buffer, buf.byteOffset + headerBytes, dataBytes);
  switch (spec.type) {
    case 'uint8':
      return { type: 'uint8', dims, data: new Uint8Array(buf.subarray(headerBytes)) };
    case 'int8': {
      return { type: 'int8', dims, data: new Int8Array(new Int8Array(buf.buffer, buf.byteOffset + headerBytes, count)) };
    }
    case 'int16': {
      const data = new Int16Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getInt16(2 * i, false);
      return { type: 'int16', dims, data };
    }
    case 'int32': {
      const data = new Int32Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getInt32(4 * i, false);
      return { type: 'int32', dims, data };
    }
    case 'float32': {
      const data = new Float32Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getFloat32(4 * i, false);
      return { type: 'float32', dims, data };
    }
    case 'float64': {
      const data = new Float64Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getFloat64(8 * i, false);
      return { type: 'float64', dims, data };
    }
  }
}

function describeDims(buf: Buffer, ndims: number): string {
  return Array.from({ length: ndims }, (_, d) => buf.readUInt32BE(4 + 4 * d)).join(' x ');
}

function checkFileArg(file: unknown, name: string): asserts file is string {
  if (typeof file !== 'string' || file.length === 0) {
    throw argumentError(`Expected a file path (a non-empty string) for ${name} but received ${describe(file)}`);
  }
}

/**
 * Reads an IDX file, gzipped or raw (gzip is recognised by its magic bytes, whatever the name).
 * Throws ERR_SPIKEGRAD_LOAD, naming the file, for an unreadable file, corrupt gzip data, a bad
 * magic, an unknown type code, zero or absurd dimensions, truncated data (with the bytes expected
 * and found) and trailing bytes after the data.
 *
 * @example
 * ```ts
 * const labels = readIdx('/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz');
 * labels.type;   // 'uint8'
 * labels.dims;   // [10000]
 * labels.data;   // Uint8Array of 10000 labels
 * ```
 */
export function readIdx(file: string): IdxTensor {
  checkFileArg(file, 'file');
  const { bytes, gzipped } = readBytes(file);
  return parseIdx(file, bytes, gzipped);
}

/**
 * Reads labelled images from an IDX image file (uint8, 3 dimensions: count x rows x cols) and an
 * IDX label file (uint8, 1 dimension: count), gzipped or raw. Throws ERR_SPIKEGRAD_LOAD when a
 * file has another type or shape, or when the counts differ (naming both files and counts).
 *
 * @example
 * ```ts
 * const test = readIdxImages('t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz');
 * test.size;   // 10000
 * test.pixels; // 784 (test.rows * test.cols)
 * const batch = ttfsBatch(test.images, test.pixels, { T: 2 });
 * ```
 */
export function readIdxImages(imagesFile: string, labelsFile: string): IdxImageSet {
  checkFileArg(imagesFile, 'imagesFile');
  checkFileArg(labelsFile, 'labelsFile');
  const images = readIdx(imagesFile);
  if (images.type !== 'uint8' || images.dims.length !== 3) {
    throw loadError(
      imagesFile,
      `expected IDX images of type uint8 with 3 dimensions (count x rows x cols) but found ${images.type} with dimensions ${images.dims.join(' x ')}`,
    );
  }
  const labels = readIdx(labelsFile);
  if (labels.type !== 'uint8' || labels.dims.length !== 1) {
    throw loadError(
      labelsFile,
      `expected IDX labels of type uint8 with 1 dimension but found ${labels.type} with dimensions ${labels.dims.join(' x ')}`,
    );
  }
  const [size, rows, cols] = images.dims;
  if (labels.dims[0] !== size) {
    throw codedError(
      `The image and label files differ in count: ${imagesFile} holds ${size} images but ${labelsFile} holds ${labels.dims[0]} labels`,
      'ERR_SPIKEGRAD_LOAD',
    );
  }
  return { images: images.data, labels: new Int32Array(labels.data), pixels: rows * cols, size, rows, cols };
}

/** The file names of an MNIST-style IDX dataset, without the optional .gz. */
const DATASET_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

/**
 * Loads an MNIST-style dataset (MNIST, Fashion-MNIST, KMNIST) from a directory holding
 * `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte` and
 * `t10k-labels-idx1-ubyte`, each either raw or gzipped with the suffix `.gz` (where both exist,
 * the raw file is read). Throws ERR_SPIKEGRAD_LOAD listing every name looked for when a file is
 * missing, or naming the file for any problem reading it.
 *
 * @example
 * ```ts
 * const { train, test } = loadIdxDataset('/usr/share/datasets/fashion-mnist');
 * train.size; // 60000
 * test.size;  // 10000
 * ```
 */
export function loadIdxDataset(dir: string): { train: IdxImageSet; test: IdxImageSet } {
  checkFileArg(dir, 'dir');
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch (err) {
    throw loadError(dir, `cannot open the dataset directory (${(err as Error).message})`, err);
  }
  if (!stat.isDirectory()) throw loadError(dir, 'expected a directory of IDX files but this is not a directory');
  const found: Partial<Record<keyof typeof DATASET_FILES, string>> = {};
  const missing: string[] = [];
  for (const key of Object.keys(DATASET_FILES) as (keyof typeof DATASET_FILES)[]) {
    const name = DATASET_FILES[key];
    const candidates = [name, `${name}.gz`].map((n) => path.join(dir, n));
    const hit = candidates.find((c) => {
      try {
        return fs.statSync(c).isFile();
      } catch {
        return false;
      }
    });
    if (hit === undefined) missing.push(...candidates);
    else found[key] = hit;
  }
  if (missing.length > 0) {
    throw loadError(
      dir,
      `missing IDX files: looked for ${missing.join(', ')}, none of which exists (a dataset directory needs ${Object.values(
        DATASET_FILES,
      )
        .map((n) => `${n}[.gz]`)
        .join(', ')})`,
    );
  }
  return {
    train: readIdxImages(found.trainImages!, found.trainLabels!),
    test: readIdxImages(found.testImages!, found.testLabels!),
  };
}
