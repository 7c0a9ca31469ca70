/**
 * downloadDataset: fetches the four IDX files of MNIST, Fashion-MNIST or KMNIST into a folder
 * that `loadIdxDataset` (and `spikegrad mnist --data DIR`) reads, verifying every file (see
 * lib/data/sources.ts for the mirrors and checksums).
 *
 * Built on Node's http, https, zlib and crypto alone: the job (a few GET requests with Range,
 * streamed to disk and hashed) needs no dependency, and the package keeps none at run time
 * beyond its addon loader.
 *
 * For each file, in order:
 * - a copy already in the folder (raw or `.gz`) is verified and kept when it passes; one that
 *   fails is an error (ERR_SPIKEGRAD_CHECKSUM) unless `force` is set, so nothing a user put there
 *   is replaced silently;
 * - otherwise the mirrors are tried in order. Each transfer goes to a temporary file in the same
 *   folder (`.<name>.gz.part`, with `.<name>.gz.part.json` recording the URL and the server's
 *   validator); a dropped connection, a timeout or a server error is retried with exponential
 *   backoff, resuming with an HTTP Range request where the server allows it. A temporary file
 *   left by an interrupted run is resumed only from the same URL and only when the server
 *   confirms, through If-Range, that the file has not changed; otherwise it is overwritten. A
 *   permanent HTTP error (404, 403, ...) moves on to the next mirror at once;
 * - the complete temporary file is verified, then renamed to `<name>.gz`: never is a partial or
 *   unverified file left under the final name. A file that fails verification is deleted; after
 *   a resumed transfer it is fetched once more from the start, otherwise the next mirror is
 *   tried.
 * When every mirror fails, the error is ERR_SPIKEGRAD_CHECKSUM if some mirror delivered a
 * complete file that failed verification, ERR_SPIKEGRAD_DOWNLOAD otherwise; the message names the
 * file and what each mirror did, and `err.file` is the path the file would have had.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as http from 'node:http';
import * as https from 'node:https';
import * as path from 'node:path';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import { argumentError, codedError, describe, type CodedError, type SpikegradErrorCode } from '../base/errors';
import { version } from '../base/version';
import { DATASETS, DATASET_NAMES, type DatasetName, type IdxFileSpec } from './sources';

/** Options of {@link downloadDataset}. */
export interface DownloadOptions {
  /**
   * Base URLs that replace the dataset's mirror list (for tests and internal mirrors); each must
   * serve `<file name>.gz` for the four files, e.g. `http://127.0.0.1:8080/mnist/`.
   */
  mirrors?: readonly string[];
  /** Retries per mirror after a dropped connection, a timeout or a server error. Default 4. */
  retries?: number;
  /** Delay before the first retry in ms, doubled for each further one. Default 1000. */
  retryDelayMs?: number;
  /** A transfer that receives nothing for this long (ms) is dropped and retried. Default 30000. */
  timeoutMs?: number;
  /** Replace files in the folder that fail verification instead of failing. Default false. */
  force?: boolean;
  /**
   * Progress and retry messages: `true` writes them to stderr, a stream writes them there. On a
   * TTY one line is updated in place (5 times a second); otherwise a plain line is written every
   * `progressIntervalMs`. Default: silent.
   */
  progress?: boolean | ProgressStream;
  /** Interval of the progress lines when the stream is not a TTY, in ms. Default 5000. */
  progressIntervalMs?: number;
  /** Cancels the download (rejects with code ABORT_ERR; a partial file is kept for resuming). */
  signal?: AbortSignal;
}

/** Where progress goes: process.stderr or anything with a write method (isTTY as on streams). */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** One file of a {@link DownloadResult}. */
export interface DownloadedFile {
  /** The file name as written, e.g. `train-images-idx3-ubyte.gz`. */
  name: string;
  path: string;
  /** `present`: already in the folder and verified; `downloaded`: fetched and verified now. */
  status: 'present' | 'downloaded';
  /** Where it came from (downloaded files only). */
  url?: string;
  /** Size of the file on disk. */
  bytes: number;
  /** What was verified, in words. */
  verified: string;
}

/** What {@link downloadDataset} did. */
export interface DownloadResult {
  dataset: DatasetName;
  dir: string;
  files: DownloadedFile[];
}

/** A download error: a coded error that also names the file. */
export type DownloadError = CodedError & { file: string };

const DEFAULTS = { retries: 4, retryDelayMs: 1000, timeoutMs: 30000, progressIntervalMs: 5000 };
const LOCK_NAME = '.spikegrad-download.lock';
const MAX_REDIRECTS = 5;

function fileError(message: string, code: SpikegradErrorCode, file: string): DownloadError {
  return Object.assign(codedError(message, code), { file });
}

function abortError(): CodedError {
  return codedError('The download was aborted (a partial file is kept and resumed next time)', 'ABORT_ERR');
}

function checkOptions(name: unknown, dir: unknown, o: DownloadOptions): Required<Omit<DownloadOptions, 'signal' | 'progress' | 'mirrors'>> & { mirrors: string[] } {
  if (typeof name !== 'string' || !(DATASET_NAMES as string[]).includes(name)) {
    throw argumentError(`Expected a dataset name (${DATASET_NAMES.join(', ')}) for name but received ${describe(name)}`);
  }
  if (typeof dir !== 'string' || dir.length === 0) throw argumentError(`Expected a folder (a non-empty string) for dir but received ${describe(dir)}`);
  if (typeof o !== 'object' || o === null) throw argumentError(`Expected an options object but received ${describe(o)}`);
  const count = (v: unknown, key: string, fallback: number, min: number) => {
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
      throw argumentError(`Expected an integer >= ${min} for options.${key} but received ${describe(v)}`);
    }
    return v;
  };
  let mirrors = [...DATASETS[name as DatasetName].mirrors];
  if (o.mirrors !== undefined) {
    if (!Array.isArray(o.mirrors) || o.mirrors.length === 0) {
      throw argumentError(`Expected a non-empty array of URLs for options.mirrors but received ${describe(o.mirrors)}`);
    }
    mirrors = o.mirrors.map((m: unknown) => {
      let url: URL | undefined;
      try {
        url = typeof m === 'string' ? new URL(m) : undefined;
      } catch {
        url = undefined;
      }
      if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
        throw argumentError(`Expected an http:// or https:// URL for each of options.mirrors but received ${describe(m)}`);
      }
      if (!url.pathname.endsWith('/')) url.pathname += '/';
      return url.toString();
    });
  }
  if (o.force !== undefined && typeof o.force !== 'boolean') throw argumentError(`Expected a boolean for options.force but received ${describe(o.force)}`);
  return {
    mirrors,
    retries: count(o.retries, 'retries', DEFAULTS.retries, 0),
    retryDelayMs: count(o.retryDelayMs, 'retryDelayMs', DEFAULTS.retryDelayMs, 0),
    timeoutMs: count(o.timeoutMs, 'timeoutMs', DEFAULTS.timeoutMs, 1),
    progressIntervalMs: count(o.progressIntervalMs, 'progressIntervalMs', DEFAULTS.progressIntervalMs, 1),
    force: o.force === true,
  };
}

// ---------------------------------------------------------------------------------------------
// Verification

/** The outcome of verifying a file: a problem, or what was checked. */
interface Verdict {
  problem?: string;
  checked: string;
}

const hexBytes = (b: Buffer) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');

/** Verifies a file (raw IDX or gzipped) against its spec, streaming. */
export async function verifyIdxFile(file: string, spec: IdxFileSpec): Promise<Verdict> {
  const first = Buffer.alloc(2);
  const fh = await fsp.open(file, 'r');
  let got: number;
  try {
    got = (await fh.read(first, 0, 2, 0)).bytesRead;
  } finally {
    await fh.close();
  }
  const gzipped = got === 2 && first[0] === 0x1f && first[1] === 0x8b;
  const headerBytes = 4 + 4 * spec.dims.length;
  const gzMd5 = crypto.createHash('md5');
  const gzSha256 = crypto.createHash('sha256');
  const md5 = crypto.createHash('md5');
  let header = Buffer.alloc(0);
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      gzMd5.update(chunk);
      gzSha256.update(chunk);
      cb(null, chunk);
    },
  });
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (header.length < headerBytes) header = Buffer.concat([header, chunk.subarray(0, headerBytes - header.length)]);
      bytes += chunk.length;
      md5.update(chunk);
      cb(bytes > spec.bytes ? new Error(`it holds more than the ${spec.bytes} bytes of ${spec.name}`) : null);
    },
  });
  try {
    if (gzipped) await pipeline(fs.createReadStream(file), tap, zlib.createGunzip(), sink);
    else await pipeline(fs.createReadStream(file), sink);
  } catch (err) {
    const e = err as Error & { code?: string };
    const zlibError = e.code !== undefined && e.code.startsWith('Z_');
    return { problem: zlibError ? `the gzip data is corrupt or truncated (${e.message})` : e.message, checked: '' };
  }
  const expected = Buffer.alloc(headerBytes);
  expected[2] = 0x08;
  expected[3] = spec.dims.length;
  spec.dims.forEach((d, k) => expected.writeUInt32BE(d, 4 + 4 * k));
  const what = gzipped ? 'the decompressed data' : 'the file';
  if (header.length < headerBytes) {
    return { problem: `${what} has ${header.length} bytes, too short for the ${headerBytes}-byte IDX header of ${spec.name}`, checked: '' };
  }
  if (!header.equals(expected)) {
    return {
      problem: `${what} starts with the IDX header ${hexBytes(header)} but ${spec.name} has ${hexBytes(expected)} (uint8, ${spec.dims.join(' x ')})`,
      checked: '',
    };
  }
  if (bytes !== spec.bytes) return { problem: `${what} has ${bytes} bytes but ${spec.name} has ${spec.bytes}`, checked: '' };
  if (spec.md5 !== undefined) {
    const sum = md5.digest('hex');
    if (sum !== spec.md5) return { problem: `the md5 of the uncompressed bytes is ${sum} but that of ${spec.name} is ${spec.md5}`, checked: '' };
    return { checked: 'md5 of the uncompressed bytes, IDX header and size' };
  }
  if (spec.gz !== undefined) {
    if (!gzipped) return { checked: 'IDX header and size only (an uncompressed file; only the official compressed file has published digests)' };
    const sha = gzSha256.digest('hex');
    if (sha !== spec.gz.sha256) {
      return {
        problem: `the SHA-256 of the compressed file is ${sha} but that of the official ${spec.name}.gz is ${spec.gz.sha256} (no uncompressed checksum is published, so a mirror must serve the official .gz bytes)`,
        checked: '',
      };
    }
    const sum = gzMd5.digest('hex');
    if (sum !== spec.gz.md5) return { problem: `the md5 of the compressed file is ${sum} but that of the official ${spec.name}.gz is ${spec.gz.md5}`, checked: '' };
    return { checked: 'SHA-256 and md5 of the official compressed file, IDX header and size' };
  }
  return { checked: 'IDX header and size' };
}

// ---------------------------------------------------------------------------------------------
// Progress

class Progress {
  private readonly tty: boolean;
  private open = false;
  private last = 0;
  private label = '';
  private total: number | undefined;
  private startedAt = 0;
  private startBytes = 0;

  constructor(
    private readonly stream: ProgressStream | undefined,
    private readonly intervalMs: number,
  ) {
    this.tty = stream?.isTTY === true;
  }

  line(text: string): void {
    if (this.stream === undefined) return;
    if (this.open) this.stream.write('\n');
    this.open = false;
    this.stream.write(`${text}\n`);
  }

  start(label: string, url: string, offset: number, total: number | undefined): void {
    this.label = label;
    this.total = total;
    this.startedAt = Date.now();
    this.startBytes = offset;
    this.last = Date.now();
    const size = total !== undefined ? ` (${mb(total)})` : '';
    this.line(offset > 0 ? `${label}: resuming at ${mb(offset)} from ${url}${size}` : `${label}: downloading from ${url}${size}`);
  }

  update(received: number): void {
    if (this.stream === undefined) return;
    const now = Date.now();
    if (now - this.last < (this.tty ? Math.min(200, this.intervalMs) : this.intervalMs)) return;
    this.last = now;
    const pct = this.total ? ` (${Math.floor((100 * received) / this.total)}%)` : '';
    const rate = (received - this.startBytes) / Math.max(0.001, (now - this.startedAt) / 1000);
    const text = `${this.label}: ${mb(received)}${this.total ? ` of ${mb(this.total)}` : ''}${pct}, ${mb(rate)}/s`;
    if (this.tty) {
      this.stream.write(`\r${text}\x1b[K`);
      this.open = true;
    } else {
      this.stream.write(`${text}\n`);
    }
  }
}

const mb = (n: number) => `${(n / 1e6).toFixed(n < 1e5 ? 3 : 1)} MB`;

// ---------------------------------------------------------------------------------------------
// HTTP

/** A failed transfer; `retry` tells whether trying the same mirror again can help. */
class TransferError extends Error {
  constructor(
    message: string,
    readonly retry: boolean,
    readonly restart = false,
  ) {
    super(message);
  }
}

function retryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** Socket errors worth a retry: all but an unknown host name and TLS certificate failures. */
function retryableSocketError(err: Error & { code?: string }): boolean {
  const code = err.code ?? '';
  return !(code === 'ENOTFOUND' || code.startsWith('ERR_TLS') || code.includes('CERT') || code === 'ERR_INVALID_URL');
}

/** `stalled` is set when the socket timed out (before or during the body). */
function get(
  url: string,
  headers: Record<string, string>,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  state: { stalled: boolean },
  redirects = MAX_REDIRECTS,
): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const lib = u.protocol === 'https:' ? https : http;
    const req = lib.get(u, { headers, timeout: timeoutMs, signal }, (res) => {
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (status >= 300 && status < 400 && location !== undefined) {
        res.resume();
        if (redirects === 0) return reject(new TransferError(`more than ${MAX_REDIRECTS} redirects`, false));
        let next: URL;
        try {
          next = new URL(location, u);
        } catch {
          return reject(new TransferError(`a redirect to an invalid URL (${location})`, false));
        }
        if (next.protocol !== 'http:' && next.protocol !== 'https:') return reject(new TransferError(`a redirect to ${next.protocol} URL`, false));
        get(next.toString(), headers, timeoutMs, signal, state, redirects - 1).then(resolve, reject);
        return;
      }
      if (status !== 200 && status !== 206) {
        res.resume();
        const why = `HTTP ${status}${res.statusMessage ? ` ${res.statusMessage}` : ''}`;
        // 416: the Range does not fit the file any more; start again from zero.
        return reject(new TransferError(why, retryableStatus(status) || status === 416, status === 416));
      }
      resolve(res);
    });
    req.on('timeout', () => {
      state.stalled = true;
      req.destroy(new TransferError(`no data for ${timeoutMs / 1000} s`, true));
    });
    req.on('error', (err) => reject(err));
  });
}

/** The resume record beside a temporary file. */
interface PartMeta {
  url: string;
  etag?: string;
  lastModified?: string;
  total?: number;
}

function readMeta(file: string): PartMeta | undefined {
  try {
    const v = JSON.parse(fs.readFileSync(file, 'utf8')) as PartMeta;
    return typeof v === 'object' && v !== null && typeof v.url === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

function sizeOf(file: string): number | undefined {
  try {
    return fs.statSync(file).size;
  } catch {
    return undefined;
  }
}

interface FileJob {
  spec: IdxFileSpec;
  label: string;
  final: string;
  part: string;
  meta: string;
  /** The temporary file was written by this run (its bytes are known to come from meta.url). */
  ours: boolean;
  /** The current temporary file's content includes resumed bytes. */
  resumed: boolean;
}

/** One GET of `url` into the job's temporary file, resuming when possible. */
async function transfer(job: FileJob, url: string, timeoutMs: number, signal: AbortSignal | undefined, progress: Progress): Promise<void> {
  const meta = readMeta(job.meta);
  const have = sizeOf(job.part) ?? 0;
  const validator = meta?.etag ?? meta?.lastModified;
  let offset = have > 0 && meta !== undefined && meta.url === url && (job.ours || validator !== undefined) ? have : 0;
  if (offset > 0 && meta?.total !== undefined && offset >= meta.total) {
    if (offset === meta.total) {
      job.resumed = true; // complete already, from an earlier attempt or run: verification decides
      return;
    }
    offset = 0;
  }
  const headers: Record<string, string> = { 'accept-encoding': 'identity', 'user-agent': `spikegrad/${version} (node ${process.version})` };
  if (offset > 0) {
    headers.range = `bytes=${offset}-`;
    if (validator !== undefined) headers['if-range'] = validator;
  }
  const state = { stalled: false };
  const res = await get(url, headers, timeoutMs, signal, state);
  let total: number | undefined;
  if (res.statusCode === 206) {
    const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(String(res.headers['content-range'] ?? ''));
    if (m === null || Number(m[1]) !== offset) {
      res.destroy();
      throw new TransferError(`the server answered the range request with Content-Range "${String(res.headers['content-range'])}"`, true, true);
    }
    total = m[3] === '*' ? undefined : Number(m[3]);
  } else {
    offset = 0; // a full response: the server ignored the range, or the file changed
    const length = Number(res.headers['content-length']);
    total = Number.isFinite(length) && res.headers['content-length'] !== undefined ? length : undefined;
  }
  const etag = res.headers.etag;
  const next: PartMeta = {
    url,
    etag: etag !== undefined && !etag.startsWith('W/') ? etag : undefined,
    lastModified: res.headers['last-modified'],
    total,
  };
  fs.writeFileSync(job.meta, JSON.stringify(next));
  job.ours = true;
  job.resumed = offset > 0;
  progress.start(job.label, url, offset, total);
  let received = offset;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      received += chunk.length;
      progress.update(received);
      cb(null, chunk);
    },
  });
  try {
    await pipeline(res, counter, fs.createWriteStream(job.part, { flags: offset > 0 ? 'a' : 'w', flush: true }));
  } catch (err) {
    if (signal?.aborted) throw abortError();
    if (err instanceof TransferError) throw err;
    const why = state.stalled ? `no data for ${timeoutMs / 1000} s` : (err as Error).message;
    throw new TransferError(`the transfer broke off after ${mb(received)} (${why})`, true);
  }
  if (!res.complete || (total !== undefined && received !== total)) {
    throw new TransferError(`the connection closed after ${received} of ${total ?? 'an unknown number of'} bytes`, true);
  }
}

const sleep = (ms: number, signal: AbortSignal | undefined) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(abortError());
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

function describeError(err: unknown): string {
  const e = err as Error & { code?: string };
  if (e instanceof TransferError) return e.message;
  return e.code !== undefined && !e.message.includes(e.code) ? `${e.message} (${e.code})` : e.message;
}

function fsyncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // Some file systems cannot fsync a directory; the rename itself is still atomic.
  }
}

// ---------------------------------------------------------------------------------------------
// The folder lock: two downloads into one folder would write the same temporary files.

function lock(dir: string): () => void {
  const file = path.join(dir, LOCK_NAME);
  for (let k = 0; k < 2; k++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(file, { force: true });
    } catch (err) {
      if ((err as { code?: string }).code !== 'EEXIST') throw err;
      const pid = Number(fs.readFileSync(file, 'utf8'));
      let alive = false;
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid) {
        try {
          process.kill(pid, 0);
          alive = true;
        } catch (e) {
          alive = (e as { code?: string }).code === 'EPERM';
        }
      }
      if (alive) {
        throw fileError(
          `Another download (process ${pid}) is writing into ${dir}; wait for it to finish, or delete ${file} if no such download is running`,
          'ERR_SPIKEGRAD_DOWNLOAD',
          file,
        );
      }
      fs.rmSync(file, { force: true }); // left by a process that no longer runs
    }
  }
  throw fileError(`Cannot take the lock ${file}`, 'ERR_SPIKEGRAD_DOWNLOAD', file);
}

// ---------------------------------------------------------------------------------------------

/**
 * Downloads a dataset's four IDX files (`train-images-idx3-ubyte.gz`, `train-labels-idx1-ubyte.gz`,
 * `t10k-images-idx3-ubyte.gz`, `t10k-labels-idx1-ubyte.gz`) into `dir` (created if needed), the
 * layout `loadIdxDataset(dir)` and `spikegrad mnist --data DIR` read. Files already there and
 * verified are kept. Rejects with ERR_SPIKEGRAD_DOWNLOAD (no mirror delivered the file),
 * ERR_SPIKEGRAD_CHECKSUM (a file failed verification; `err.file` names it), ERR_SPIKEGRAD_ARG
 * (bad arguments) or ABORT_ERR (cancelled through `options.signal`).
 *
 * @example
 * ```ts
 * await downloadDataset('mnist', 'data/mnist', { progress: true });
 * const { train, test } = loadIdxDataset('data/mnist'); // 60,000 and 10,000 images
 * ```
 */
export async function downloadDataset(name: DatasetName, dir: string, options: DownloadOptions = {}): Promise<DownloadResult> {
  const o = checkOptions(name, dir, options);
  const source = DATASETS[name];
  const signal = options.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw argumentError(`Expected an AbortSignal for options.signal but received ${describe(signal)}`);
  const stream = options.progress === true ? process.stderr : options.progress === false || options.progress === undefined ? undefined : options.progress;
  const progress = new Progress(stream, o.progressIntervalMs);
  if (signal?.aborted) throw abortError();
  fs.mkdirSync(dir, { recursive: true });
  const unlock = lock(dir);
  try {
    const files: DownloadedFile[] = [];
    for (const spec of source.files) {
      files.push(await oneFile(source.title, spec, dir, o, signal, progress));
    }
    return { dataset: name, dir, files };
  } finally {
    unlock();
  }
}

async function oneFile(
  title: string,
  spec: IdxFileSpec,
  dir: string,
  o: ReturnType<typeof checkOptions>,
  signal: AbortSignal | undefined,
  progress: Progress,
): Promise<DownloadedFile> {
  const gzName = `${spec.name}.gz`;
  const final = path.join(dir, gzName);
  // What is there already: loadIdxDataset reads the raw file before the .gz, so check it first.
  for (const existing of [path.join(dir, spec.name), final]) {
    if (!fs.existsSync(existing)) continue;
    const v = await verifyIdxFile(existing, spec);
    if (v.problem === undefined) {
      progress.line(`${path.basename(existing)}: present and verified (${v.checked})`);
      return { name: path.basename(existing), path: existing, status: 'present', bytes: fs.statSync(existing).size, verified: v.checked };
    }
    if (!o.force) {
      throw fileError(
        `${existing} is not the ${title} file ${spec.name}: ${v.problem}. Delete it (or pass force / --force to replace it) and run again`,
        'ERR_SPIKEGRAD_CHECKSUM',
        existing,
      );
    }
    progress.line(`${path.basename(existing)}: fails verification (${v.problem}); replacing it (force)`);
    if (existing !== final) fs.rmSync(existing, { force: true });
  }
  const job: FileJob = {
    spec,
    label: gzName,
    final,
    part: path.join(dir, `.${gzName}.part`),
    meta: path.join(dir, `.${gzName}.part.json`),
    ours: false,
    resumed: false,
  };
  const discard = () => {
    fs.rmSync(job.part, { force: true });
    fs.rmSync(job.meta, { force: true });
    job.resumed = false;
  };
  const failures: string[] = [];
  let checksumFailed = false;
  for (const base of o.mirrors) {
    const url = new URL(gzName, base).toString();
    let restartedAfterBadResume = false;
    for (let attempt = 1; ; attempt++) {
      try {
        await transfer(job, url, o.timeoutMs, signal, progress);
      } catch (err) {
        if (signal?.aborted) throw abortError();
        const e = err as Error;
        const retry = e instanceof TransferError ? e.retry : retryableSocketError(e);
        if (e instanceof TransferError && e.restart) discard();
        if (!retry || attempt > o.retries) {
          failures.push(`${url}: ${describeError(e)}${attempt > 1 ? ` (${attempt} attempts)` : ''}`);
          progress.line(`${gzName}: ${describeError(e)} from ${url}; ${retry ? `giving up on this mirror after ${attempt} attempts` : 'trying the next mirror'}`);
          break;
        }
        const delay = o.retryDelayMs * 2 ** (attempt - 1);
        progress.line(`${gzName}: ${describeError(e)}; retrying in ${(delay / 1000).toFixed(1)} s (attempt ${attempt + 1} of ${o.retries + 1})`);
        await sleep(delay, signal);
        continue;
      }
      const v = await verifyIdxFile(job.part, spec);
      if (v.problem === undefined) {
        fs.renameSync(job.part, final);
        fs.rmSync(job.meta, { force: true });
        fsyncDir(dir);
        progress.line(`${gzName}: verified (${v.checked})`);
        return { name: gzName, path: final, status: 'downloaded', url, bytes: fs.statSync(final).size, verified: v.checked };
      }
      const resumed = job.resumed;
      discard();
      if (resumed && !restartedAfterBadResume) {
        restartedAfterBadResume = true;
        progress.line(`${gzName}: fails verification after a resumed transfer (${v.problem}); downloading it again from the start`);
        continue;
      }
      checksumFailed = true;
      failures.push(`${url}: ${v.problem}`);
      progress.line(`${gzName}: fails verification (${v.problem}); deleted`);
      break;
    }
  }
  const code: SpikegradErrorCode = checksumFailed ? 'ERR_SPIKEGRAD_CHECKSUM' : 'ERR_SPIKEGRAD_DOWNLOAD';
  const what = checksumFailed ? 'failed verification' : 'could not be downloaded';
  throw fileError(
    `The ${title} file ${gzName} ${what} (nothing was written to ${final}): ${failures.join('; ')}`,
    code,
    final,
  );
}
