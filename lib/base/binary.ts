/**
 * Binary helpers of the model file format (network/model_file.ts): typed arrays as little-endian
 * bytes, CRC-32 checksums, padding to 8 bytes.
 *
 * CRC-32 is zlib's (the polynomial of gzip, PNG and zip), through `zlib.crc32`, which Node has
 * since 20.15 (spikegrad needs 20.17): native speed (several GB/s), incremental over chunks, and
 * available in every language's standard library for readers in other languages. It detects
 * every burst of up to 32 flipped bits and all but 1 in 2^32 other accidental damage; it is not
 * a defence against deliberate tampering (nothing short of a signature is).
 */
import os = require('os');
import zlib = require('zlib');

/** Element types of binary blocks. */
export type BlockType = 'f64' | 'i32' | 'u8';
export const BLOCK_TYPES: readonly BlockType[] = ['f64', 'i32', 'u8'];
export type BlockArray = Float64Array | Int32Array | Uint8Array;

/** Bytes per element. */
export const BLOCK_BYTES: Readonly<Record<BlockType, number>> = { f64: 8, i32: 4, u8: 1 };

/** The block type of a typed array. */
export function blockType(a: BlockArray): BlockType {
  return a.BYTES_PER_ELEMENT === 8 ? 'f64' : a.BYTES_PER_ELEMENT === 4 ? 'i32' : 'u8';
}

/** A new zeroed typed array of the type and length. */
export function newBlockArray(type: BlockType, length: number): BlockArray {
  return type === 'f64' ? new Float64Array(length) : type === 'i32' ? new Int32Array(length) : new Uint8Array(length);
}

/** Whether this machine stores numbers little-endian (every platform Node supports but s390x). */
export const LITTLE_ENDIAN = os.endianness() === 'LE';

/**
 * Elements [start, end) of a typed array as little-endian bytes: a view of the array's memory
 * on little-endian machines, a byte-swapped copy elsewhere.
 */
export function leBytes(a: BlockArray, start = 0, end = a.length): Uint8Array {
  const size = a.BYTES_PER_ELEMENT;
  const view = Buffer.from(a.buffer, a.byteOffset + start * size, (end - start) * size);
  if (LITTLE_ENDIAN || size === 1) return view;
  const copy = Buffer.from(view);
  return size === 8 ? copy.swap64() : copy.swap32();
}

/** Converts little-endian bytes just read into a typed array's memory to the machine's order, in place. */
export function fromLE(bytes: Uint8Array, size: number): void {
  if (LITTLE_ENDIAN || size === 1) return;
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (size === 8) b.swap64();
  else b.swap32();
}

/** The byte view of a typed array's memory, for reading into it. */
export function bytesOf(a: BlockArray): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** CRC-32 (zlib) of bytes, continuing from `previous`. */
export function crc32(bytes: Uint8Array, previous = 0): number {
  return zlib.crc32(bytes, previous) >>> 0;
}

/** n rounded up to a multiple of 8. */
export function pad8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

/** Zero bytes to pad n bytes to a multiple of 8. */
export function padding(n: number): Uint8Array {
  return new Uint8Array(pad8(n) - n);
}

/**
 * The index of the first NaN or infinity in a Float64Array, or -1. (A monomorphic loop: the
 * generic findNonFinite of validate.ts is far slower on large arrays in some contexts.)
 */
export function firstNonFinite(a: Float64Array): number {
  for (let k = 0; k < a.length; k++) {
    const x = a[k];
    if (x - x !== 0) return k;
  }
  return -1;
}
