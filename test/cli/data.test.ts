/**
 * `spikegrad data` (lib/cli/data.ts): as a child process against a local HTTP server serving
 * ../shared/datasets/mnist (`spikegrad data mnist --mirror http://127.0.0.1:PORT/ --out DIR`),
 * success (the folder loadIdxDataset and `spikegrad mnist --data` read, progress on stderr), a
 * corrupted file (exit 2, the coded error naming the file), a dropped connection (resumed); and
 * its usage errors in process.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { dataCommand } from '../../lib/cli/data';
import { loadIdxDataset } from '../../lib/data/idx';
import { startDatasetServer, type DatasetServer } from '../helpers/dataset_server';

const root = path.join(__dirname, '..', '..');
const shared = path.join(root, '..', 'shared', 'datasets', 'mnist');
const haveShared = fs.existsSync(path.join(shared, 't10k-labels-idx1-ubyte.gz'));
if (!haveShared) console.log(`skipping the spikegrad data child-process tests: ${shared} (the official MNIST files) is absent`);

/** Runs the CLI from the TypeScript sources in a child process (the server runs in this one). */
function cli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', path.join(root, 'test', 'helpers', 'register-ts.js'), path.join(root, 'lib', 'cli', 'main.ts'), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

(haveShared ? describe : describe.skip)('spikegrad data (child process, local mirror)', () => {
  let server: DatasetServer;
  let tmp: string;
  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spikegrad-data-cli-'));
    server = await startDatasetServer(shared, {
      '': { mode: 'ok' },
      corrupt: { mode: 'corrupt', file: 't10k-labels-idx1-ubyte.gz' },
      drop: { mode: 'drop', file: 't10k-images-idx3-ubyte.gz', times: 1 },
    });
  });
  afterAll(async () => {
    await server.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });
  beforeEach(() => server.reset());

  it('downloads and verifies MNIST into --out, ready for spikegrad mnist --data', async () => {
    const out = path.join(tmp, 'mnist');
    const mirror = server.url(''); // http://127.0.0.1:PORT/
    expect(mirror).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const r = await cli(['data', 'mnist', '--mirror', mirror, '--out', out]);
    expect(r.stderr).toContain(`train-images-idx3-ubyte.gz: downloading from ${mirror}train-images-idx3-ubyte.gz`);
    expect(r.stderr).toContain('t10k-labels-idx1-ubyte.gz: verified (md5 of the uncompressed bytes, IDX header and size)');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`MNIST in ${out}: 4 files verified (4 downloaded, 0 already there)`);
    expect(r.stdout).toContain(`train on it: spikegrad mnist --data ${out}`);
    expect(r.stdout).toMatch(/licence: CC BY-SA 3\.0/);
    const { train, test } = loadIdxDataset(out);
    expect([train.size, test.size]).toEqual([60000, 10000]);
    // The command it prints works on the folder (0 epochs: only the initial evaluation).
    const reports = path.join(tmp, 'reports');
    const run = await cli(['mnist', '--data', out, '--epochs', '0', '--quiet', '--out', reports]);
    expect(run.status).toBe(0);
    const numbers = JSON.parse(fs.readFileSync(path.join(reports, 'mnist.json'), 'utf8')) as { settings: { trainSize: number; testSize: number } };
    expect([numbers.settings.trainSize, numbers.settings.testSize]).toEqual([60000, 10000]);

    const again = await cli(['data', 'mnist', '--mirror', mirror, '--out', out, '--quiet']);
    expect(again.status).toBe(0);
    expect(again.stderr).toBe('');
    expect(again.stdout).toContain('(0 downloaded, 4 already there)');
    expect(server.log).toHaveLength(4); // only the first run's requests
  }, 60000);

  it('exits 2 with ERR_SPIKEGRAD_CHECKSUM naming the file when a file is corrupted', async () => {
    const out = path.join(tmp, 'corrupt');
    const r = await cli(['data', 'mnist', '--mirror', server.url('corrupt'), '--out', out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/spikegrad data: ERR_SPIKEGRAD_CHECKSUM: The MNIST file t10k-labels-idx1-ubyte\.gz failed verification/);
    expect(r.stderr).toContain(path.join(out, 't10k-labels-idx1-ubyte.gz'));
    expect(r.stdout).toBe('');
    expect(fs.existsSync(path.join(out, 't10k-labels-idx1-ubyte.gz'))).toBe(false);
  }, 60000);

  it('resumes a transfer whose connection dropped', async () => {
    const out = path.join(tmp, 'drop');
    const r = await cli(['data', 'mnist', '--mirror', server.url('drop'), '--out', out]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/t10k-images-idx3-ubyte\.gz: .*retrying in/);
    expect(r.stderr).toMatch(/t10k-images-idx3-ubyte\.gz: resuming at/);
    expect(loadIdxDataset(out).test.size).toBe(10000);
  }, 60000);
});

describe('spikegrad data usage', () => {
  function io() {
    const o = { out: '', err: '' };
    return { o, io: { out: { write: (s: string) => (o.out += s) }, err: { write: (s: string) => (o.err += s) } } };
  }

  it.each([
    [[], /name a dataset/],
    [['cifar10', '--out', 'x'], /unknown dataset 'cifar10' \(known: mnist, fashion-mnist, kmnist\)/],
    [['mnist'], /--out DIR is required/],
    [['mnist', '--out', 'x', '--retries', 'lots'], /--retries must be an integer/],
    [['mnist', '--out', 'x', '--bogus'], /bogus/],
    [['mnist', 'kmnist', '--out', 'x'], /one dataset at a time/],
  ])('%j exits 2 with the usage', async (args, message) => {
    const { o, io: streams } = io();
    expect(await dataCommand(args as string[], streams)).toBe(2);
    expect(o.err).toMatch(message);
    expect(o.err).toMatch(/Usage: spikegrad data/);
  });

  it('exits 2 with ERR_SPIKEGRAD_ARG for a mirror that is not a URL', async () => {
    const { o, io: streams } = io();
    expect(await dataCommand(['mnist', '--out', path.join(os.tmpdir(), 'never-written'), '--mirror', 'not a url'], streams)).toBe(2);
    expect(o.err).toMatch(/ERR_SPIKEGRAD_ARG/);
  });

  it('prints its help', async () => {
    const { o, io: streams } = io();
    expect(await dataCommand(['--help'], streams)).toBe(0);
    expect(o.out).toMatch(/--mirror URL/);
  });
});
