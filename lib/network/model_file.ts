/**
 * Model files (docs/model-format.md). Version 2, written: a 32-byte preamble (a magic line,
 * the version, the header length and CRC-32s), a JSON header that describes the network and
 * lists the binary blocks, then the blocks: packed little-endian arrays (float64 parameters,
 * int32 synapse lists, uint8 masks), each 8-byte aligned and checked by its own CRC-32. Files
 * of any size are written and read in chunks, never as one string or buffer. Version 1, read
 * only: the JSON text earlier versions of spikegrad wrote.
 *
 * This module owns the envelope and the network; higher layers add their own header fields and
 * blocks beside the network (training/checkpoint.ts adds the optimiser state and the training
 * position) and check them.
 */
import fs = require('fs');
import { argumentError, codedError, describe, rangeError, type CodedError } from '../base/errors';
import { BLOCK_BYTES, BLOCK_TYPES, blockType, bytesOf, crc32, firstNonFinite, fromLE, leBytes, newBlockArray, pad8, padding, type BlockArray, type BlockType } from '../base/binary';
import { openRegularFile, openRegularFileAsync, YIELD, type WriteChunk } from '../base/files';
import { expectKnownKeys, isRecord, parseJson } from '../base/validate';
import { neuronFromJSON } from '../neurons';
import { Network, PARAMETER_NAMES, type NetworkStructure, type ParameterName, type Trainable } from './network';

/** The `format` field of every model file. */
export const MODEL_FORMAT = 'spikegrad-model';
/** The version this spikegrad writes. */
export const MODEL_VERSION = 2;
/** The versions this spikegrad reads. */
export const MODEL_VERSIONS_READ: readonly number[] = [1, 2];

/** The first 16 bytes of a version-2 file: a line a person (or `head -1`) can read. */
export const MAGIC = 'spikegrad-model\n';
/** Magic, version, header length, header CRC-32, preamble CRC-32. */
export const PREAMBLE_BYTES = 32;
/** Largest header accepted (the header holds no arrays, so real ones are a few kB). */
export const MAX_HEADER_BYTES = 64 * 2 ** 20;
/** Largest version-1 (JSON) file read. */
const MAX_JSON_BYTES = 512 * 2 ** 20;
/** Bytes per read or write and per checksum step. */
const CHUNK_BYTES = 2 ** 20;

/** An ERR_SPIKEGRAD_LOAD error naming the file. */
export function modelLoadError(file: string, message: string): CodedError {
  return codedError(`Cannot load model ${file}: ${message}`, 'ERR_SPIKEGRAD_LOAD');
}

/** The error for a non-finite number at `where` in what is being saved. */
export function nonFiniteSaveError(where: string): RangeError {
  return rangeError(`Cannot save a model with a non-finite number at ${where}`, 'ERR_SPIKEGRAD_NONFINITE');
}

// ---- Writing -------------------------------------------------------------------------------

/** A binary block: its name in the header and its elements. */
export interface Block {
  name: string;
  data: BlockArray;
}

/** What a higher layer adds to a file: fields of the header (beside format, version, network) and blocks. */
export interface FileSections {
  header: Record<string, unknown>;
  blocks: Block[];
}

/** One entry of the header's block list. */
export interface BlockEntry {
  name: string;
  type: BlockType;
  length: number;
  offset: number;
  crc32: number;
}

/** A synapse list as (source, first target, count) runs when that is smaller than the pairs, or null. */
function runsOf(source: Int32Array, target: Int32Array): Int32Array | null {
  const n = source.length;
  let runs = 0;
  for (let k = 0; k < n; k++) if (k === 0 || source[k] !== source[k - 1] || target[k] !== target[k - 1] + 1) runs++;
  if (3 * runs >= 2 * n) return null;
  const out = new Int32Array(3 * runs);
  let r = -1;
  for (let k = 0; k < n; k++) {
    if (k === 0 || source[k] !== source[k - 1] || target[k] !== target[k - 1] + 1) {
      r++;
      out[3 * r] = source[k];
      out[3 * r + 1] = target[k];
    }
    out[3 * r + 2]++;
  }
  return out;
}

/**
 * The network's part of a file: its header and its blocks. With `copy` the blocks are copies
 * (an asynchronous save writes the state at the call, whatever happens to the network later).
 */
export function networkSection(network: Network, copy: boolean): FileSections {
  if (!(network instanceof Network)) throw argumentError(`Expected a Network for network but received ${describe(network)}`);
  network.checkUsable(); // not disposed, structure as built
  const s = network.structure;
  const p = network.params;
  for (const name of PARAMETER_NAMES) {
    const k = firstNonFinite(p[name]);
    if (k >= 0) throw nonFiniteSaveError(`params.${name}[${k}]`);
  }
  const own = <A extends BlockArray>(a: A): A => (copy ? (a.slice() as A) : a);
  const blocks: Block[] = [];
  const synapses = (key: 'recurrent' | 'input') => {
    const list = s[key];
    const runs = runsOf(list.source, list.target);
    if (runs) blocks.push({ name: `network.${key}.runs`, data: runs });
    else blocks.push({ name: `network.${key}.source`, data: own(list.source) }, { name: `network.${key}.target`, data: own(list.target) });
    return { synapses: list.source.length, layout: runs ? 'runs' : 'pairs' };
  };
  const recurrent = synapses('recurrent');
  const input = synapses('input');
  blocks.push({ name: 'network.readout.neurons', data: own(s.readout.neurons) }, { name: 'network.readout.counts', data: own(s.readout.counts) });
  s.layers?.forEach((l, L) => blocks.push({ name: `network.layers.${L}`, data: own(l) }));
  if (s.trainableInputs) blocks.push({ name: 'network.trainableInputs.channels', data: own(s.trainableInputs.channels) });
  for (const name of PARAMETER_NAMES) blocks.push({ name: `network.params.${name}`, data: own(p[name]) });
  const trainable: Record<string, boolean | 'mask'> = {};
  for (const name of PARAMETER_NAMES) {
    const t = network.trainable[name];
    if (t === undefined || typeof t === 'boolean') trainable[name] = t ?? true;
    else {
      trainable[name] = 'mask';
      blocks.push({ name: `network.trainable.${name}`, data: Uint8Array.from(t, (v) => (v ? 1 : 0)) });
    }
  }
  const header: Record<string, unknown> = {
    neuron: { name: s.neuron.name, params: { ...s.neuron.params } },
    n: s.n,
    nIn: s.nIn,
    T: s.T,
    maxEvents: s.maxEvents,
    recurrent,
    input,
    readout: { neurons: s.readout.neurons.length },
    ...(s.layers ? { layers: s.layers.map((l) => l.length) } : {}),
    ...(s.trainableInputs ? { trainableInputs: { channels: s.trainableInputs.channels.length } } : {}),
    trainable,
    ...(network.encoding ? { encoding: network.encoding } : {}),
    ...(network.classes ? { classes: [...network.classes] } : {}),
  };
  return { header, blocks };
}

/** The 32-byte preamble for a header of `length` bytes with the given CRC-32. */
function preamble(length: number, headerCrc: number): Buffer {
  const b = Buffer.alloc(PREAMBLE_BYTES);
  b.write(MAGIC, 0, 'latin1');
  b.writeUInt32LE(MODEL_VERSION, 16);
  b.writeUInt32LE(length, 20);
  b.writeUInt32LE(headerCrc, 24);
  b.writeUInt32LE(crc32(b.subarray(0, 28)), 28);
  return b;
}

/**
 * The bytes of a version-2 file holding the network and the sections, as chunks: first the
 * checksums are computed (a {@link YIELD} after each chunk of work, where an asynchronous writer
 * lets the event loop turn), then the preamble and header, then each block in chunks of 1 MiB.
 * Everything is checked before the first chunk, so a save that fails leaves no file.
 */
export function modelFileChunks(network: Network, sections: FileSections, copy: boolean): Iterable<WriteChunk> {
  const net = networkSection(network, copy);
  for (const key of Object.keys(sections.header)) {
    if (['format', 'version', 'network', 'blocks'].includes(key)) throw argumentError(`A model file section cannot be called '${key}'`);
  }
  const blocks = [...net.blocks, ...sections.blocks];
  return {
    *[Symbol.iterator]() {
      const entries: BlockEntry[] = [];
      for (const b of blocks) {
        let c = 0;
        const step = Math.max(1, CHUNK_BYTES / b.data.BYTES_PER_ELEMENT);
        for (let k = 0; k < b.data.length; k += step) {
          c = crc32(leBytes(b.data, k, Math.min(b.data.length, k + step)), c);
          yield YIELD;
        }
        entries.push({ name: b.name, type: blockType(b.data), length: b.data.length, offset: 0, crc32: c });
      }
      // Offsets depend on the header's length, which depends on the offsets' digits: iterate.
      let start = 0;
      let text = '';
      for (let round = 0; round < 8; round++) {
        let offset = start;
        for (const e of entries) {
          e.offset = offset;
          offset += pad8(e.length * BLOCK_BYTES[e.type]);
        }
        text = JSON.stringify({ format: MODEL_FORMAT, version: MODEL_VERSION, network: net.header, ...sections.header, blocks: entries });
        const next = pad8(PREAMBLE_BYTES + Buffer.byteLength(text));
        if (next === start) break;
        start = next;
      }
      const header = Buffer.from(text);
      yield Buffer.concat([preamble(header.length, crc32(header)), header, padding(PREAMBLE_BYTES + header.length)]);
      for (const b of blocks) {
        const step = Math.max(1, CHUNK_BYTES / b.data.BYTES_PER_ELEMENT);
        for (let k = 0; k < b.data.length; k += step) yield leBytes(b.data, k, Math.min(b.data.length, k + step));
        const tail = padding(b.data.byteLength);
        if (tail.length > 0) yield tail;
      }
    },
  };
}

// ---- Reading -------------------------------------------------------------------------------

/** A read request of the file parser: fill `into` from byte `position`; answered with the bytes read. */
interface ReadOp {
  position: number;
  into: Uint8Array;
}

/** A parsed file: version 1 (the JSON value) or version 2 (the header and every block by name). */
export type ParsedFile = { version: 1; value: unknown } | { version: 2; header: Record<string, unknown>; blocks: Map<string, BlockArray> };

const ENTRY_KEYS = ['name', 'type', 'length', 'offset', 'crc32'] as const;

/**
 * Parses a model file of `size` bytes through read requests (so one parser serves synchronous
 * and asynchronous reading): checks the preamble, the header and every block against its
 * length, position and CRC-32 and the file's length against the blocks. A file that does not
 * start with the magic line is a version-1 JSON file: then it asks for the whole text.
 */
function* parseFile(file: string, size: number): Generator<ReadOp, ParsedFile, number> {
  const fail = (message: string) => modelLoadError(file, message);
  const head = new Uint8Array(Math.min(size, PREAMBLE_BYTES));
  if ((yield { position: 0, into: head }) !== head.length) throw fail('the file changed while it was read');
  if (Buffer.from(head.subarray(0, MAGIC.length)).toString('latin1') !== MAGIC) {
    if (size > MAX_JSON_BYTES) throw fail(`not a spikegrad model file (no "${MAGIC.trim()}" line) and too large (${size} bytes) for a version-1 JSON file`);
    const all = new Uint8Array(size);
    if ((yield { position: 0, into: all }) !== size) throw fail('the file changed while it was read');
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(all);
    } catch {
      throw fail(`neither a version-2 model file (it does not start with "${MAGIC.trim()}") nor version-1 JSON text (not UTF-8)`);
    }
    try {
      return { version: 1, value: parseJson(text, 'the file') };
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_SPIKEGRAD_ARG') throw fail((err as Error).message);
      throw fail(`not valid JSON (truncated or corrupted?): ${(err as Error).message}`);
    }
  }
  if (size < PREAMBLE_BYTES) throw fail(`truncated: ${size} bytes, shorter than the ${PREAMBLE_BYTES}-byte preamble`);
  const pre = Buffer.from(head.buffer, head.byteOffset, head.length);
  if (crc32(pre.subarray(0, 28)) !== pre.readUInt32LE(28)) throw fail('the preamble (bytes 0-31) is damaged: its CRC-32 does not match');
  const version = pre.readUInt32LE(16);
  if (version !== 2) throw fail(`version ${version} is not supported (this spikegrad reads versions ${MODEL_VERSIONS_READ.join(' and ')})`);
  const length = pre.readUInt32LE(20);
  if (length > MAX_HEADER_BYTES) throw fail(`the header length ${length} exceeds the limit of ${MAX_HEADER_BYTES} bytes`);
  const headerEnd = pad8(PREAMBLE_BYTES + length);
  if (headerEnd > size) throw fail(`truncated: the header needs bytes up to ${headerEnd}, the file has ${size}`);
  const hb = new Uint8Array(headerEnd - PREAMBLE_BYTES);
  if ((yield { position: PREAMBLE_BYTES, into: hb }) !== hb.length) throw fail('the file changed while it was read');
  const headerBytes = hb.subarray(0, length);
  if (crc32(headerBytes) !== pre.readUInt32LE(24)) throw fail('the header is damaged: its CRC-32 does not match');
  if (hb.subarray(length).some((b) => b !== 0)) throw fail('the padding after the header is not zero');
  let header: unknown;
  try {
    header = parseJson(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes), 'the header');
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_SPIKEGRAD_ARG') throw fail((err as Error).message);
    throw fail(`the header is not valid JSON: ${(err as Error).message}`);
  }
  if (!isRecord(header)) throw fail('the header is not a JSON object');
  if (header.format !== MODEL_FORMAT) throw fail(`format is ${describe(header.format)}, expected "${MODEL_FORMAT}"`);
  if (header.version !== 2) throw fail(`the header's version ${describe(header.version)} differs from the preamble's 2`);
  const list = header.blocks;
  if (!Array.isArray(list)) throw fail(`header.blocks: expected an array but received ${describe(list)}`);
  let offset = headerEnd;
  const entries: BlockEntry[] = [];
  const seen = new Set<string>();
  list.forEach((e: unknown, k) => {
    const where = `header.blocks[${k}]`;
    if (!isRecord(e)) throw fail(`${where}: expected an object but received ${describe(e)}`);
    try {
      expectKnownKeys(e, where, ENTRY_KEYS, 'key');
    } catch (err) {
      throw fail((err as Error).message);
    }
    const { name, type, length: n, offset: at, crc32: c } = e;
    if (typeof name !== 'string' || name === '' || seen.has(name)) throw fail(`${where}.name: expected a new block name but received ${describe(name)}`);
    seen.add(name);
    if (!BLOCK_TYPES.includes(type as BlockType)) throw fail(`${where}.type: expected one of ${BLOCK_TYPES.join(', ')} but received ${describe(type)}`);
    if (!Number.isSafeInteger(n) || (n as number) < 0) throw fail(`${where}.length: expected a non-negative integer but received ${describe(n)}`);
    if (at !== offset) throw fail(`${where}.offset: expected ${offset} (the blocks are packed in order) but received ${describe(at)}`);
    if (!Number.isInteger(c) || (c as number) < 0 || (c as number) > 0xffffffff) throw fail(`${where}.crc32: expected a 32-bit unsigned integer but received ${describe(c)}`);
    const bytes = (n as number) * BLOCK_BYTES[type as BlockType];
    offset += pad8(bytes);
    if (offset > size) throw fail(`truncated: block ${name} ends at byte ${offset}, the file has ${size}`);
    entries.push({ name, type: type as BlockType, length: n as number, offset: at, crc32: c as number });
  });
  if (offset !== size) throw fail(`${size - offset} bytes after the last block (the blocks end at byte ${offset})`);
  const blocks = new Map<string, BlockArray>();
  for (const e of entries) {
    const data = newBlockArray(e.type, e.length);
    const bytes = bytesOf(data);
    let c = 0;
    for (let k = 0; k < bytes.length; k += CHUNK_BYTES) {
      const into = bytes.subarray(k, Math.min(bytes.length, k + CHUNK_BYTES));
      if ((yield { position: e.offset + k, into }) !== into.length) throw fail('the file changed while it was read');
      c = crc32(into, c);
    }
    const tail = new Uint8Array(pad8(bytes.length) - bytes.length);
    if (tail.length > 0) {
      if ((yield { position: e.offset + bytes.length, into: tail }) !== tail.length) throw fail('the file changed while it was read');
      if (tail.some((b) => b !== 0)) throw fail(`the padding after block ${e.name} is not zero`);
    }
    if (c !== e.crc32) throw fail(`block ${e.name} is damaged: its CRC-32 does not match`);
    fromLE(bytes, BLOCK_BYTES[e.type]);
    blocks.set(e.name, data);
  }
  return { version: 2, header, blocks };
}

/** The error for a path that is not a regular file. */
function notAFile(file: string) {
  return (kind: string) => modelLoadError(file, `${file} is ${kind}, not a model file`);
}

function ioError(file: string, err: unknown): never {
  if ((err as { code?: string }).code === 'ERR_SPIKEGRAD_LOAD') throw err;
  throw modelLoadError(file, (err as Error).message);
}

/** Reads and checks a model file (either version); missing, unreadable, damaged: ERR_SPIKEGRAD_LOAD. */
export function readModelFile(file: string): ParsedFile {
  expectFileArg(file);
  let opened: { fd: number; size: number };
  try {
    opened = openRegularFile(file, notAFile(file));
  } catch (err) {
    ioError(file, err);
  }
  const { fd, size } = opened;
  try {
    const parser = parseFile(file, size);
    let step = parser.next();
    while (!step.done) {
      const { into, position } = step.value;
      let got = 0;
      try {
        while (got < into.length) {
          const n = fs.readSync(fd, into, got, into.length - got, position + got);
          if (n === 0) break;
          got += n;
        }
      } catch (err) {
        ioError(file, err);
      }
      step = parser.next(got);
    }
    return step.value;
  } finally {
    fs.closeSync(fd);
  }
}

/** {@link readModelFile} with every read on the thread pool (the event loop turns between chunks). */
export async function readModelFileAsync(file: string): Promise<ParsedFile> {
  expectFileArg(file);
  let opened: { fh: fs.promises.FileHandle; size: number };
  try {
    opened = await openRegularFileAsync(file, notAFile(file));
  } catch (err) {
    ioError(file, err);
  }
  const { fh, size } = opened;
  try {
    const parser = parseFile(file, size);
    let step = parser.next();
    while (!step.done) {
      const { into, position } = step.value;
      let got = 0;
      try {
        while (got < into.length) {
          const { bytesRead } = await fh.read(into, got, into.length - got, position + got);
          if (bytesRead === 0) break;
          got += bytesRead;
        }
      } catch (err) {
        ioError(file, err);
      }
      step = parser.next(got);
    }
    return step.value;
  } finally {
    await fh.close();
  }
}

function expectFileArg(file: unknown): void {
  if (typeof file !== 'string' || file === '') throw argumentError(`Expected a file path for file but received ${describe(file)}`);
}

// ---- Decoding a version-2 network ----------------------------------------------------------

/** Hands out the blocks of a parsed file by name, checking type and length; reports what is left. */
export class BlockSet {
  constructor(
    private readonly blocks: Map<string, BlockArray>,
    private readonly file: string,
  ) {}

  take<T extends BlockArray>(name: string, type: BlockType, length?: number): T {
    const b = this.blocks.get(name);
    if (b === undefined) throw modelLoadError(this.file, `block ${name} is missing`);
    if (blockType(b) !== type) throw modelLoadError(this.file, `block ${name} has type ${blockType(b)}, expected ${type}`);
    if (length !== undefined && b.length !== length) throw modelLoadError(this.file, `block ${name} has ${b.length} elements, expected ${length}`);
    this.blocks.delete(name);
    return b as T;
  }

  /** Refuses blocks nobody took. */
  finish(): void {
    const left = [...this.blocks.keys()];
    if (left.length > 0) throw modelLoadError(this.file, `unknown block${left.length > 1 ? 's' : ''} ${left.join(', ')}`);
  }
}

const NETWORK_KEYS = ['neuron', 'n', 'nIn', 'T', 'maxEvents', 'recurrent', 'input', 'readout', 'layers', 'trainableInputs', 'trainable', 'encoding', 'classes'] as const;
const SYNAPSE_KEYS = ['synapses', 'layout'] as const;

/** The keys the reader accepts in each object of a header's network part (docs/schema/model-header.schema.json). */
export const NETWORK_HEADER_KEYS: Readonly<Record<string, readonly string[]>> = {
  network: NETWORK_KEYS,
  neuron: ['name', 'params'],
  synapses: SYNAPSE_KEYS,
  readout: ['neurons'],
  trainableInputs: ['channels'],
  trainable: PARAMETER_NAMES,
  block: ENTRY_KEYS,
};

/** Checks a header object's keys and returns it, or throws ERR_SPIKEGRAD_LOAD naming the field. */
export function headerObject(value: unknown, name: string, keys: readonly string[], file: string): Record<string, unknown> {
  if (!isRecord(value)) throw modelLoadError(file, `${name}: expected an object but received ${describe(value)}`);
  try {
    expectKnownKeys(value, name, keys, 'key');
  } catch (err) {
    throw modelLoadError(file, (err as Error).message);
  }
  return value;
}

/** A count of the header: an integer in [0, 2^31). */
function headerCount(value: unknown, name: string, file: string): number {
  if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 2 ** 31 - 1) {
    throw modelLoadError(file, `${name}: expected a non-negative integer but received ${describe(value)}`);
  }
  return value as number;
}

/** Decodes a synapse list (pairs or runs) of `count` synapses. */
function decodeSynapses(value: unknown, key: 'recurrent' | 'input', blocks: BlockSet, file: string): { source: Int32Array; target: Int32Array } {
  const h = headerObject(value, `network.${key}`, SYNAPSE_KEYS, file);
  const count = headerCount(h.synapses, `network.${key}.synapses`, file);
  if (h.layout === 'pairs') {
    return { source: blocks.take(`network.${key}.source`, 'i32', count), target: blocks.take(`network.${key}.target`, 'i32', count) };
  }
  if (h.layout !== 'runs') throw modelLoadError(file, `network.${key}.layout: expected "pairs" or "runs" but received ${describe(h.layout)}`);
  const runs = blocks.take<Int32Array>(`network.${key}.runs`, 'i32');
  if (runs.length % 3 !== 0) throw modelLoadError(file, `block network.${key}.runs: ${runs.length} elements, not (source, target, count) triples`);
  const source = new Int32Array(count);
  const target = new Int32Array(count);
  let q = 0;
  for (let r = 0; r < runs.length; r += 3) {
    const [s, t0, len] = [runs[r], runs[r + 1], runs[r + 2]];
    if (len < 1 || len > count - q || t0 < 0 || t0 > 2 ** 31 - len) throw modelLoadError(file, `block network.${key}.runs: run ${r / 3} (${s}, ${t0}, ${len}) is invalid`);
    source.fill(s, q, q + len);
    for (let k = 0; k < len; k++) target[q + k] = t0 + k;
    q += len;
  }
  if (q !== count) throw modelLoadError(file, `block network.${key}.runs: the runs hold ${q} synapses, network.${key}.synapses says ${count}`);
  return { source, target };
}

/** Builds the network of a version-2 header from its blocks; every problem is ERR_SPIKEGRAD_LOAD. */
export function decodeNetwork(value: unknown, blocks: BlockSet, file: string): Network {
  const h = headerObject(value, 'network', NETWORK_KEYS, file);
  for (const key of ['n', 'nIn', 'T', 'maxEvents'] as const) {
    if (typeof h[key] !== 'number') throw modelLoadError(file, `network.${key}: expected a number but received ${describe(h[key])}`);
  }
  let neuron;
  headerObject(h.neuron, 'network.neuron', NETWORK_HEADER_KEYS.neuron, file);
  try {
    neuron = neuronFromJSON(h.neuron);
  } catch (err) {
    throw modelLoadError(file, `network.neuron: ${(err as Error).message}`);
  }
  const recurrent = decodeSynapses(h.recurrent, 'recurrent', blocks, file);
  const input = decodeSynapses(h.input, 'input', blocks, file);
  const readoutCount = headerCount(headerObject(h.readout, 'network.readout', NETWORK_HEADER_KEYS.readout, file).neurons, 'network.readout.neurons', file);
  let layers: Int32Array[] | undefined;
  if (h.layers !== undefined) {
    if (!Array.isArray(h.layers)) throw modelLoadError(file, `network.layers: expected an array of layer sizes but received ${describe(h.layers)}`);
    layers = h.layers.map((n: unknown, L) => blocks.take<Int32Array>(`network.layers.${L}`, 'i32', headerCount(n, `network.layers[${L}]`, file)));
  }
  let trainableInputs: { channels: Int32Array } | undefined;
  if (h.trainableInputs !== undefined) {
    const m = headerCount(headerObject(h.trainableInputs, 'network.trainableInputs', NETWORK_HEADER_KEYS.trainableInputs, file).channels, 'network.trainableInputs.channels', file);
    trainableInputs = { channels: blocks.take('network.trainableInputs.channels', 'i32', m) };
  }
  const structure: NetworkStructure = {
    neuron,
    n: h.n as number,
    nIn: h.nIn as number,
    recurrent,
    input,
    readout: { neurons: blocks.take('network.readout.neurons', 'i32', readoutCount), counts: blocks.take('network.readout.counts', 'i32', readoutCount) },
    layers,
    T: h.T as number,
    maxEvents: h.maxEvents as number,
    trainableInputs,
  };
  const params = Object.fromEntries(PARAMETER_NAMES.map((name) => [name, blocks.take<Float64Array>(`network.params.${name}`, 'f64')])) as Record<ParameterName, Float64Array>;
  for (const name of PARAMETER_NAMES) {
    const k = firstNonFinite(params[name]);
    if (k >= 0) throw modelLoadError(file, `network.params.${name}[${k}] is not a finite number`);
  }
  const t = headerObject(h.trainable, 'network.trainable', PARAMETER_NAMES, file);
  const trainable: Trainable = {};
  for (const name of PARAMETER_NAMES) {
    const v = t[name];
    if (v === true || v === false) trainable[name] = v;
    else if (v === 'mask') {
      const mask = blocks.take<Uint8Array>(`network.trainable.${name}`, 'u8', params[name].length);
      const k = mask.findIndex((x) => x > 1);
      if (k >= 0) throw modelLoadError(file, `block network.trainable.${name}[${k}] is ${mask[k]}, not 0 or 1`);
      trainable[name] = mask;
    } else throw modelLoadError(file, `network.trainable.${name}: expected true, false or "mask" but received ${describe(v)}`);
  }
  let network: Network;
  try {
    network = new Network(structure, params, trainable);
    if (h.encoding !== undefined) network.encoding = h.encoding as Network['encoding'];
    if (h.classes !== undefined) network.classes = h.classes as string[];
  } catch (err) {
    throw modelLoadError(file, `network: ${(err as Error).message}`);
  }
  return network;
}

// ---- Version 1 (JSON) ----------------------------------------------------------------------

/**
 * Validates parsed JSON as a version-1 model file (format, version, network) and builds the
 * network. Returns it with the file's other top-level fields, for the layer that knows them.
 */
export function parseModelFile(value: unknown, file = 'model'): { network: Network; sections: Record<string, unknown> } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw modelLoadError(file, 'not a JSON object');
  const { format, version, network: json, ...sections } = value as Record<string, unknown>;
  if (format !== MODEL_FORMAT) throw modelLoadError(file, `format is ${describe(format)}, expected "${MODEL_FORMAT}"`);
  if (version !== 1) {
    throw modelLoadError(
      file,
      `version ${describe(version)} is not supported in JSON form (this spikegrad reads JSON files of version 1 and binary files of version ${MODEL_VERSION})`,
    );
  }
  let network: Network;
  try {
    network = Network.fromJSON(json);
  } catch (err) {
    throw modelLoadError(file, `network: ${(err as Error).message}`);
  }
  return { network, sections };
}
