/**
 * downloadDataset (lib/data/download.ts) against a local HTTP server on 127.0.0.1 that serves the
 * official MNIST files of ../shared/datasets/mnist (test/helpers/dataset_server.ts): a verified
 * download that loadIdxDataset reads, files already present, a corrupted file and a damaged
 * gzip (coded error naming the file, nothing under the final name), a connection dropped
 * mid-transfer (resumed with Range, or retried where the server ignores Range), a server that
 * always drops (coded error), 404 on the first mirror (the second is used), temporary files of an
 * interrupted run (resumed only with a matching validator, never trusted), existing bad files,
 * the folder lock, cancellation, progress lines, argument errors; and verifyIdxFile's
 * compressed-digest path (KMNIST's) on files built here. Skipped, with the reason printed, when
 * ../shared/datasets/mnist is absent.
 */
import * as crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { downloadDataset, verifyIdxFile, type DownloadOptions } from '../../lib/data/download';
import { loadIdxDataset } from '../../lib/data/idx';
import { DATASETS, type IdxFileSpec } from '../../lib/data/sources';
import { startDatasetServer, type DatasetServer } from '../helpers/dataset_server';

const shared = path.join(__dirname, '..', '..', '..', 'shared', 'datasets', 'mnist');
const haveShared = fs.existsSync(path.join(shared, 't10k-labels-idx1-ubyte.gz'));
if (!haveShared) console.log(`skipping the download tests: ${shared} (the official MNIST files) is absent`);
const describeShared = haveShared ? describe : describe.skip;

const IMAGES = 'train-images-idx3-ubyte.gz';
const LABELS = 'train-labels-idx1-ubyte.gz';
const ALL = ['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz', IMAGES, LABELS];
const FAST: DownloadOptions = { retryDelayMs: 5, timeoutMs: 10000 };

let tmpRoot: string;
beforeAll(() => {
  tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'spikegrad-download-'));
});
afterAll(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));
let n = 0;
const freshDir = () => path.join(tmpRoot, `out-${++n}`);
const listing = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir).sort() : []);
const requestsFor = (server: DatasetServer, file: string) => server.log.filter((r) => r.file === file);

async function rejection(p: Promise<unknown>): Promise<Error & { code?: string; file?: string }> {
  try {
    await p;
  } catch (err) {
    return err as Error & { code?: string; file?: string };
  }
  throw new Error('expected a rejection');
}

describeShared('downloadDataset against a local server', () => {
  let server: DatasetServer;
  beforeAll(async () => {
    server = await startDatasetServer(shared, {
      ok: { mode: 'ok' },
      missing: { mode: 'missing' },
      corrupt: { mode: 'corrupt', file: LABELS },
      badgzip: { mode: 'badgzip', file: LABELS },
      droponce: { mode: 'drop', file: IMAGES, times: 1, dropAfter: 3_000_000 },
      norange: { mode: 'norange', file: IMAGES },
      norangedrop: { mode: 'drop', file: IMAGES, times: 1, dropAfter: 2_000_000, ignoreRange: true },
      dropalways: { mode: 'drop', file: IMAGES, dropAfter: 1_000_000 },
      silent: { mode: 'drop', file: IMAGES, dropBeforeBody: true },
      novalidator: { mode: 'ok', noValidator: true },
      stall: { mode: 'stall', file: LABELS, times: 1 },
      redirect: { mode: 'redirect' },
    });
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  it('downloads and verifies the four files into exactly the folder loadIdxDataset reads', async () => {
    const dir = freshDir();
    const r = await downloadDataset('mnist', dir, { ...FAST, mirrors: [server.url('ok')] });
    expect(r.files.map((f) => [f.name, f.status])).toEqual(DATASETS.mnist.files.map((f) => [`${f.name}.gz`, 'downloaded']));
    expect(r.files.every((f) => f.verified.startsWith('md5 of the uncompressed bytes'))).toBe(true);
    expect(r.files[0].url).toBe(`${server.url('ok')}${IMAGES}`);
    expect(listing(dir)).toEqual(ALL); // no temporary file, no lock left
    const { train, test } = loadIdxDataset(dir);
    expect([train.size, test.size, train.pixels]).toEqual([60000, 10000, 784]);
    // Byte for byte what the server holds.
    for (const f of ALL) expect(fs.readFileSync(path.join(dir, f)).equals(fs.readFileSync(path.join(shared, f)))).toBe(true);

    // A second run verifies and keeps them, without a request.
    server.log.length = 0;
    const again = await downloadDataset('mnist', dir, { ...FAST, mirrors: [server.url('ok')] });
    expect(again.files.map((f) => f.status)).toEqual(['present', 'present', 'present', 'present']);
    expect(server.log).toHaveLength(0);
  });

  it('keeps uncompressed files already present (loadIdxDataset reads them first)', async () => {
    const dir = freshDir();
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 't10k-labels-idx1-ubyte'), zlib.gunzipSync(fs.readFileSync(path.join(shared, 't10k-labels-idx1-ubyte.gz'))));
    const r = await downloadDataset('mnist', dir, { ...FAST, mirrors: [server.url('ok')] });
    expect(r.files[3]).toMatchObject({ name: 't10k-labels-idx1-ubyte', status: 'present' });
    expect(requestsFor(server, 't10k-labels-idx1-ubyte.gz')).toHaveLength(0);
    expect(loadIdxDataset(dir).test.size).toBe(10000);
  });

  it('rejects a corrupted file with ERR_SPIKEGRAD_CHECKSUM naming it, leaving nothing under its name', async () => {
    const dir = freshDir();
    const err = await rejection(downloadDataset('mnist', dir, { ...FAST, mirrors: [server.url('corrupt')] }));
    expect(err.code).toBe('ERR_SPIKEGRAD_CHECKSUM');
    expect(err.file).toBe(path.join(dir, LABELS));
    expect(err.message).toContain(LABELS);
    expect(err.message).toMatch(/md5 of the uncompressed bytes is [0-9a-f]{32} but that of train-labels-idx1-ubyte is a25bea736e30d166cdddb491f175f624/);
    expect(listing(dir)).toEqual([IMAGES]); // the file before it is kept; no partial or temporary file
  });

  it('rejects a damaged gzip stream with ERR_SPIKEGRAD_CHECKSUM', async () => {
    const dir = freshDir();
    const err = await rejection(downloadDataset('mnist', dir, { ...FAST, mirrors: [server.url('badgzip')] }));
    expect(err.code).toBe('ERR_SPIKEGRAD_CHECKSUM');
    expect(err.message).toMatch(/train-labels-idx1-ubyte\.gz .*gzip data is corrupt|md5/);
    expect(fs.existsSync(path.join(dir, LABELS))).toBe(false);
  });

  it('falls through to the next mirror after a corrupted file', async () => {
    const dir = freshDir();
    const r = await downloadDataset('mnist', dir, { ...FAST, mirrors: [server.url('corrupt'), server.url('ok')] });
    expect(r.files[1]).toMatchObject({ name: LABELS, status: 'downloaded', url: `${server.url('ok')}${LABELS}` });
    expect(loadIdxDataset(dir).train.size).toBe(60000);
  });

  it('resumes with a Range request after the connection drops mid-transfer', async () => {
    const dir = freshDir();
    const lines: string[] = [];
    const progress = { write: (s: string) => lines.push(s), isTTY: false };
    const r = await downloadDataset('mnist', dir, { ...FAST, mirrors: [server.url('droponce')], progress });
    expect(r.files[0].status).toBe('downloaded');
    const reqs = requestsFor(server, IMAGES);
    expect(reqs.map((q) => q.status)).toEqual([200, 206]);
    expect(reqs[0].range).toBeUndefined();
    // It resumes where its copy ends: at most where the server cut the connection.
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(reqs[1].range ?? '')?.[1]);
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThanOrEqual(3_000_000);
    expect(reqs[1].ifRange).toBe(server.etag(IMAGES));
    expect(lines.join('')).toMatch(/retrying in/);
    expect(lines.join('')).toMatch(/resuming at \d\.\d MB/);
    expect(fs.readFileSync(path.join(dir, IMAGES)).equals(fs.readFileSync(path.join(shared, IMAGES)))).toBe(true);
  });

  it('retries from the start where the server ignores Range', async () => {
    const dir = freshDir();
    const r = await downloadDataset('mnist', dir, { ...FAST, mirrors: [server.url('norangedrop')] });
    expect(r.files[0].status).toBe('downloaded');
    const reqs = requestsFor(server, IMAGES);
    expect(reqs.map((q) => q.status)).toEqual([200, 200]);
    expect(reqs[1].range).toMatch(/^bytes=\d+-$/); // asked to resume, got the whole file, wrote it from the start
    expect(loadIdxDataset(dir).train.size).toBe(60000);
  });

  it('gives up with ERR_SPIKEGRAD_DOWNLOAD naming the file when the server always drops', async () => {
    const dir = freshDir();
    const err = await rejection(downloadDataset('mnist', dir, { ...FAST, retries: 2, mirrors: [server.url('dropalways')] }));
    expect(err.code).toBe('ERR_SPIKEGRAD_DOWNLOAD');
    expect(err.file).toBe(path.join(dir, IMAGES));
    expect(err.message).toContain(`${server.url('dropalways')}${IMAGES}`);
    expect(err.message).toMatch(/\(3 attempts\)/);
    expect(requestsFor(server, IMAGES)).toHaveLength(3);
    expect(fs.existsSync(path.join(dir, IMAGES))).toBe(false);
    // The partial transfer is kept under its temporary name, for a later run to resume.
    expect(listing(dir)).toEqual([`.${IMAGES}.part`, `.${IMAGES}.part.json`]);
  });

  it('gives up when the server closes before sending a byte', async () => {
    const dir = freshDir();
    const err = await rejection(downloadDataset('mnist', dir, { ...FAST, retries: 1, mirrors: [server.url('silent')] }));
    expect(err.code).toBe('ERR_SPIKEGRAD_DOWNLOAD');
    expect(err.message).toContain(IMAGES);
    expect(fs.existsSync(path.join(dir, IMAGES))).toBe(false);
  });

  it('retries a transfer that stalls (no data for timeoutMs)', async () => {
    const dir = freshDir();
    const lines: string[] = [];
    const r = await downloadDataset('mnist', dir, { ...FAST, timeoutMs: 300, mirrors: [server.url('stall')], progress: { write: (s: string) => lines.push(s) } });
    expect(r.files[1]).toMatchObject({ name: LABELS, status: 'downloaded' });
    expect(requestsFor(server, LABELS)).toHaveLength(2);
    expect(lines.join('')).toMatch(/train-labels-idx1-ubyte\.gz: the transfer broke off after 0\.0\d\d MB \(no data for 0\.3 s\); retrying/);
  });

  it('follows redirects', async () => {
    const dir = freshDir();
    const r = await downloadDataset('mnist', dir, { ...FAST, mirrors: [server.url('redirect')] });
    expect(r.files.map((f) => f.status)).toEqual(['downloaded', 'downloaded', 'downloaded', 'downloaded']);
    expect(server.log.filter((q) => q.route === 'redirect').map((q) => q.status)).toEqual([302, 302, 302, 302]);
    expect(loadIdxDataset(dir).train.size).toBe(60000);
  });

  it('moves on to the second mirror when the first answers 404', async () => {
    const dir = freshDir();
    const r = await downloadDataset('mnist', dir, { ...FAST, mirrors: [server.url('missing'), server.url('ok')] });
    expect(r.files.map((f) => f.url)).toEqual(DATASETS.mnist.files.map((f) => `${server.url('ok')}${f.name}.gz`));
    // One 404 per file, no retry of a permanent error.
    expect(server.log.filter((q) => q.route === 'missing').map((q) => q.status)).toEqual([404, 404, 404, 404]);
    expect(loadIdxDataset(dir).test.size).toBe(10000);
  });

  it('reports every mirror when all fail', async () => {
    const dir = freshDir();
    const err = await rejection(downloadDataset('mnist', dir, { ...FAST, mirrors: [server.url('missing'), `${server.url('missing')}again/`] }));
    expect(err.code).toBe('ERR_SPIKEGRAD_DOWNLOAD');
    expect(err.message).toContain(`${server.url('missing')}${IMAGES}: HTTP 404`);
    expect(err.message).toContain(`${server.url('missing')}again/${IMAGES}: HTTP 404`);
    expect(listing(dir)).toEqual([]);
  });

  describe('a temporary file left by an interrupted run', () => {
    const served = () => fs.readFileSync(path.join(shared, IMAGES));
    function leave(dir: string, bytes: Buffer, meta?: object) {
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `.${IMAGES}.part`), bytes);
      if (meta) fs.writeFileSync(path.join(dir, `.${IMAGES}.part.json`), JSON.stringify(meta));
    }

    it('is resumed from the same URL when the server confirms it through If-Range', async () => {
      const dir = freshDir();
      const url = `${server.url('ok')}${IMAGES}`;
      leave(dir, served().subarray(0, 4_000_000), { url, etag: server.etag(IMAGES), total: served().length });
      await downloadDataset('mnist', dir, { ...FAST, mirrors: [server.url('ok')] });
      expect(requestsFor(server, IMAGES).map((q) => [q.range, q.ifRange, q.status])).toEqual([['bytes=4000000-', server.etag(IMAGES), 206]]);
      expect(fs.readFileSync(path.join(dir, IMAGES)).equals(served())).toBe(true);
    });

    it('is never trusted: wrong bytes are caught by verification and the file fetched again from the start', async () => {
      const dir = freshDir();
      const url = `${server.url('ok')}${IMAGES}`;
      leave(dir, crypto.randomBytes(4_000_000), { url, etag: server.etag(IMAGES), total: served().length });
      const r = await downloadDataset('mnist', dir, { ...FAST, mirrors: [server.url('ok')] });
      expect(r.files[0].status).toBe('downloaded');
      expect(requestsFor(server, IMAGES).map((q) => [q.range, q.status])).toEqual([
        ['bytes=4000000-', 206],
        [undefined, 200],
      ]);
      expect(fs.readFileSync(path.join(dir, IMAGES)).equals(served())).toBe(true);
    });

    it('is discarded when the server says the file changed (If-Range mismatch)', async () => {
      const dir = freshDir();
      leave(dir, crypto.randomBytes(1000), { url: `${server.url('ok')}${IMAGES}`, etag: '"something-else"' });
      await downloadDataset('mnist', dir, { ...FAST, mirrors: [server.url('ok')] });
      expect(requestsFor(server, IMAGES).map((q) => [q.range, q.status])).toEqual([['bytes=1000-', 200]]);
      expect(fs.readFileSync(path.join(dir, IMAGES)).equals(served())).toBe(true);
    });

    it('is discarded without its record, with a record of another URL, or without a validator', async () => {
      for (const meta of [undefined, { url: 'http://elsewhere.invalid/x.gz', etag: server.etag(IMAGES) }, { url: `${server.url('novalidator')}${IMAGES}` }]) {
        server.reset();
        const dir = freshDir();
        leave(dir, served().subarray(0, 1000), meta);
        const route = meta?.url.includes('novalidator') ? 'novalidator' : 'ok';
        await downloadDataset('mnist', dir, { ...FAST, mirrors: [server.url(route)] });
        expect(requestsFor(server, IMAGES).map((q) => [q.range, q.status])).toEqual([[undefined, 200]]);
        expect(listing(dir)).toEqual(ALL);
      }
    });

    it('complete but wrong is deleted and fetched again', async () => {
      const dir = freshDir();
      const wrong = Buffer.from(served());
      wrong[wrong.length - 20] ^= 0xff;
      leave(dir, wrong, { url: `${server.url('ok')}${IMAGES}`, etag: server.etag(IMAGES), total: wrong.length });
      await downloadDataset('mnist', dir, { ...FAST, mirrors: [server.url('ok')] });
      expect(requestsFor(server, IMAGES).map((q) => [q.range, q.status])).toEqual([[undefined, 200]]);
      expect(fs.readFileSync(path.join(dir, IMAGES)).equals(served())).toBe(true);
    });
  });

  it('refuses to replace an existing file that fails verification, unless forced', async () => {
    const dir = freshDir();
    fs.mkdirSync(dir);
    const mine = path.join(dir, LABELS);
    fs.writeFileSync(mine, zlib.gzipSync(Buffer.from('not MNIST')));
    const err = await rejection(downloadDataset('mnist', dir, { ...FAST, mirrors: [server.url('ok')] }));
    expect(err.code).toBe('ERR_SPIKEGRAD_CHECKSUM');
    expect(err.file).toBe(mine);
    expect(err.message).toMatch(/starts with the IDX header 6e 6f 74 20 4d 4e 49 53 but train-labels-idx1-ubyte has 00 00 08 01 00 00 ea 60/);
    expect(zlib.gunzipSync(fs.readFileSync(mine)).toString()).toBe('not MNIST');

    const r = await downloadDataset('mnist', dir, { ...FAST, mirrors: [server.url('ok')], force: true });
    expect(r.files[1]).toMatchObject({ name: LABELS, status: 'downloaded' });
    expect(loadIdxDataset(dir).train.size).toBe(60000);
  });

  it('writes progress lines (plain lines when not a TTY) and stays silent by default', async () => {
    const dir = freshDir();
    const lines: string[] = [];
    const progress = { write: (s: string) => lines.push(s), isTTY: false };
    const stderr = jest.spyOn(process.stderr, 'write');
    await downloadDataset('mnist', dir, { ...FAST, mirrors: [server.url('ok')], progress, progressIntervalMs: 1 });
    await downloadDataset('mnist', freshDir(), { ...FAST, mirrors: [server.url('ok')] });
    expect(stderr).not.toHaveBeenCalled();
    stderr.mockRestore();
    const text = lines.join('');
    const size = `${(fs.statSync(path.join(shared, IMAGES)).size / 1e6).toFixed(1)} MB`;
    expect(text).toContain(`${IMAGES}: downloading from ${server.url('ok')}${IMAGES} (${size})`);
    expect(text).toMatch(new RegExp(`train-images-idx3-ubyte\\.gz: \\d+\\.\\d MB of ${size.replace('.', '\\.')} \\(\\d+%\\)`));
    expect(text).toContain(`${IMAGES}: verified (md5 of the uncompressed bytes, IDX header and size)`);
    expect(text).not.toContain('\r');
    expect(lines.every((l) => l.endsWith('\n'))).toBe(true);
  });

  it('updates one line in place on a TTY', async () => {
    const lines: string[] = [];
    const progress = { write: (s: string) => lines.push(s), isTTY: true };
    await downloadDataset('mnist', freshDir(), { ...FAST, mirrors: [server.url('ok')], progress, progressIntervalMs: 1 });
    const text = lines.join('');
    expect(text).toMatch(/\rtrain-images-idx3-ubyte\.gz: \d+\.\d MB of/);
    expect(text).toContain('\u001b[K\ntrain-images-idx3-ubyte.gz: verified'); // the line is ended before the next message
  });

  it('is cancelled through an AbortSignal, also while waiting to retry', async () => {
    const ac = new AbortController();
    ac.abort();
    expect((await rejection(downloadDataset('mnist', freshDir(), { mirrors: [server.url('ok')], signal: ac.signal }))).code).toBe('ABORT_ERR');
    const waiting = new AbortController();
    const dir = freshDir();
    setTimeout(() => waiting.abort(), 300);
    const t0 = Date.now();
    const err = await rejection(downloadDataset('mnist', dir, { retryDelayMs: 60000, mirrors: [server.url('dropalways')], signal: waiting.signal }));
    expect(err.code).toBe('ABORT_ERR');
    expect(Date.now() - t0).toBeLessThan(30000); // not the 60 s wait
    expect(listing(dir)).toEqual([`.${IMAGES}.part`, `.${IMAGES}.part.json`]); // kept for resuming; the lock is released
  });

  it('refuses a folder another live download holds, and takes over a stale lock', async () => {
    const dir = freshDir();
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, '.spikegrad-download.lock'), String(process.ppid));
    const err = await rejection(downloadDataset('mnist', dir, { ...FAST, mirrors: [server.url('ok')] }));
    expect(err.code).toBe('ERR_SPIKEGRAD_DOWNLOAD');
    expect(err.message).toMatch(new RegExp(`Another download \\(process ${process.ppid}\\)`));
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    fs.writeFileSync(path.join(dir, '.spikegrad-download.lock'), String(dead));
    await downloadDataset('mnist', dir, { ...FAST, mirrors: [server.url('ok')] });
    expect(listing(dir)).toEqual(ALL);
  });
});

describe('downloadDataset arguments', () => {
  it.each([
    ['an unknown dataset', () => downloadDataset('emnist' as 'mnist', 'x'), /dataset name \(mnist, fashion-mnist, kmnist\)/],
    ['an empty folder name', () => downloadDataset('mnist', ''), /folder/],
    ['an empty mirror list', () => downloadDataset('mnist', 'x', { mirrors: [] }), /options\.mirrors/],
    ['a mirror that is not an http(s) URL', () => downloadDataset('mnist', 'x', { mirrors: ['ftp://example.org/'] }), /http:\/\/ or https:\/\//],
    ['negative retries', () => downloadDataset('mnist', 'x', { retries: -1 }), /options\.retries/],
  ])('rejects %s with ERR_SPIKEGRAD_ARG', async (_what, call, message) => {
    const err = await rejection(call());
    expect(err.code).toBe('ERR_SPIKEGRAD_ARG');
    expect(err.message).toMatch(message);
  });
});

describe('verifyIdxFile', () => {
  // A small IDX label file and a spec that knows only the digests of its compressed form, as for KMNIST.
  const raw = Buffer.concat([Buffer.from([0, 0, 8, 1, 0, 0, 0, 5]), Buffer.from([3, 1, 4, 1, 5])]);
  const gz = zlib.gzipSync(raw);
  const digest = (algo: string, b: Buffer) => crypto.createHash(algo).update(b).digest('hex');
  const spec: IdxFileSpec = { name: 'tiny-labels-idx1-ubyte', dims: [5], bytes: raw.length, gz: { md5: digest('md5', gz), sha256: digest('sha256', gz) } };
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spikegrad-verify-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, bytes: Buffer) => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, bytes);
    return p;
  };

  it('accepts the official compressed bytes by their SHA-256 and md5', async () => {
    expect(await verifyIdxFile(file('a.gz', gz), spec)).toEqual({ checked: 'SHA-256 and md5 of the official compressed file, IDX header and size' });
  });

  it('rejects the same data compressed differently (only the official .gz bytes have digests)', async () => {
    const other = zlib.gzipSync(raw, { level: 1, memLevel: 1 });
    const v = await verifyIdxFile(file('b.gz', Buffer.concat([other.subarray(0, 4), Buffer.from([1]), other.subarray(5)])), spec);
    expect(v.problem).toMatch(/SHA-256 of the compressed file is [0-9a-f]{64} but that of the official tiny-labels-idx1-ubyte\.gz/);
  });

  it('checks an uncompressed copy by its header and size only, and says so', async () => {
    expect((await verifyIdxFile(file('c', raw), spec)).checked).toMatch(/IDX header and size only/);
    expect((await verifyIdxFile(file('d', Buffer.concat([raw, Buffer.from([9])])), spec)).problem).toMatch(/more than the 13 bytes/);
    const wrongDims = Buffer.from(raw);
    wrongDims[7] = 4;
    expect((await verifyIdxFile(file('e', wrongDims), spec)).problem).toMatch(/IDX header 00 00 08 01 00 00 00 04 but tiny-labels-idx1-ubyte has 00 00 08 01 00 00 00 05/);
    expect((await verifyIdxFile(file('f', raw.subarray(0, 10)), spec)).problem).toMatch(/has 10 bytes but tiny-labels-idx1-ubyte has 13/);
  });

  it('reports a truncated gzip stream', async () => {
    expect((await verifyIdxFile(file('g.gz', gz.subarray(0, gz.length - 6)), spec)).problem).toMatch(/gzip data is corrupt or truncated|unexpected end/);
  });
});
