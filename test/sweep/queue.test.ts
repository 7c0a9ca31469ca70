/**
 * Sweeps on BullMQ against a real Redis (lib/sweep/queue.ts): `.ci/run` starts a private
 * redis-server on 127.0.0.1 and exports SPIKEGRAD_TEST_REDIS; without it these tests are skipped
 * (with a printed reason), except those that need no server. Covered: two worker processes, one
 * killed (SIGKILL) during a trial, every trial done with the results of a local-pool run; jobs
 * with unknown options, an unknown experiment or an output path outside the worker's folder
 * failed at once; credentials kept out of output, results and errors; an unreachable server and
 * a missing bullmq as coded errors.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkConnection, loadBullmq, queueSweep, runWorker } from '../../lib/sweep/queue';
import { runSweep } from '../../lib/sweep/sweep';
import { sweepCatalog, sweepCommand } from '../../lib/cli/sweep';

const experiments = sweepCatalog();
import { NODE_ARGS } from '../helpers/sweep';

const root = path.join(__dirname, '..', '..');
const REDIS = process.env.SPIKEGRAD_TEST_REDIS;
if (!REDIS) console.log('skipping the BullMQ queue tests with a server: SPIKEGRAD_TEST_REDIS is not set (.ci/run starts a redis-server and sets it)');
const withRedis = REDIS ? describe : describe.skip;
const small = { epochs: 4, trainSize: 300, testSize: 100, hidden: 20 };
const unique = (p: string) => `${p}-${process.pid}-${Date.now().toString(36)}`;

function startWorker(queue: string, store: string, extra: string[] = []): { child: ChildProcess; log: () => string } {
  const child = spawn(process.execPath, [...NODE_ARGS, path.join(root, 'lib', 'cli', 'main.ts'), 'worker', '--queue', REDIS!, '--queue-name', queue, '--store', store, '--lock-ms', '1500', ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  return { child, log: () => log };
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('close', () => resolve());
    child.kill('SIGTERM');
  });
}

async function removeQueue(name: string): Promise<void> {
  const { Queue } = require('bullmq');
  const IORedis = require('ioredis');
  const conn = new IORedis(REDIS, { maxRetriesPerRequest: null });
  const q = new Queue(name, { connection: conn });
  await q.obliterate({ force: true }).catch(() => undefined);
  await q.close();
  conn.disconnect();
}

describe('queue errors without a server', () => {
  it('an unreachable Redis is ERR_SPIKEGRAD_QUEUE, without the credentials', async () => {
    const err = await checkConnection('redis://bob:hunter22@127.0.0.1:1', 3000).catch((e: Error) => e);
    expect(err).toMatchObject({ code: 'ERR_SPIKEGRAD_QUEUE' });
    expect((err as Error).message).toContain('redis://127.0.0.1:1');
    expect((err as Error).message).not.toMatch(/hunter22|bob/);
  });

  it('spikegrad sweep --queue with an unreachable server exits 2 with the coded message', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spikegrad-queue-cli-'));
    try {
      const spec = path.join(dir, 'spec.json');
      fs.writeFileSync(spec, JSON.stringify({ experiment: 'yinyang', grid: { seed: [0] } }));
      let err = '';
      const io = { out: { write: () => true } as unknown as NodeJS.WritableStream, err: { write: (t: string) => ((err += t), true) } as unknown as NodeJS.WritableStream };
      expect(await sweepCommand([spec, '--out', path.join(dir, 'o'), '--queue', 'redis://carol:topsecret1@127.0.0.1:1'], io)).toBe(2);
      expect(err).toContain('Cannot reach the queue at redis://127.0.0.1:1');
      expect(err).not.toMatch(/topsecret1|carol/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses URLs that are not redis:// or rediss://', async () => {
    await expect(queueSweep({ experiments, spec: { experiment: 'yinyang' }, out: os.tmpdir(), url: 'http://127.0.0.1:6379' })).rejects.toMatchObject({ code: 'ERR_SPIKEGRAD_QUEUE' });
  });

  it('without bullmq, says what to install', () => {
    const missing = (id: string) => {
      if (id === 'bullmq') throw Object.assign(new Error("Cannot find module 'bullmq'"), { code: 'MODULE_NOT_FOUND' });
      return require(id);
    };
    expect(() => loadBullmq(missing)).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_QUEUE', message: expect.stringContaining('npm install bullmq ioredis') }));
    expect(loadBullmq().bullmq.Worker).toBeDefined();
  });
});

withRedis('BullMQ sweeps on a real Redis', () => {
  let tmp: string;
  beforeAll(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spikegrad-queue-'))));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('two workers, one killed during a trial: every trial done, results equal to a local-pool run', async () => {
    const queue = unique('kill');
    const spec = { experiment: 'yinyang', options: small, grid: { seed: [0, 1, 2, 3] } };
    const local = await runSweep({ experiments, spec, out: path.join(tmp, 'local'), concurrency: 2, nodeArgs: NODE_ARGS });
    expect(local.done).toBe(4);
    const store = path.join(tmp, 'store');
    const a = startWorker(queue, store);
    const b = startWorker(queue, store);
    try {
      const out = path.join(tmp, 'queued');
      const sweep = queueSweep({ experiments, spec, out, url: REDIS!, queueName: queue, pollMs: 200 });
      // kill worker a inside a trial: after its first epoch (checkpointed), with three to go
      await new Promise<void>((resolve, reject) => {
        const timer = setInterval(() => {
          const m = /trial ([0-9a-f]{16}): epoch 1:/.exec(a.log());
          if (m && fs.existsSync(path.join(store, 'trials', m[1], 'checkpoint.sgm'))) {
            clearInterval(timer);
            a.child.kill('SIGKILL');
            resolve();
          }
          if (a.child.exitCode !== null) {
            clearInterval(timer);
            reject(new Error(`worker a ended early: ${a.log()}`));
          }
        }, 20);
      });
      const r = await sweep;
      expect(r).toMatchObject({ done: 4, failed: 0 });
      const byId = (file: string) => new Map(fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => { const x = JSON.parse(l); return [x.id, x]; }));
      const q = byId(path.join(out, 'results.jsonl'));
      const l = byId(path.join(tmp, 'local', 'results.jsonl'));
      expect([...q.keys()].sort()).toEqual([...l.keys()].sort());
      for (const [id, x] of q) {
        expect(x.status).toBe('done');
        expect(x.final).toEqual(l.get(id)!.final);
      }
      // the killed trial was resumed by b from a's checkpoint
      expect(b.log()).toContain('resuming from its checkpoint');
      const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
      const localSummary = JSON.parse(fs.readFileSync(path.join(tmp, 'local', 'summary.json'), 'utf8'));
      expect(summary.groups[0].mean).toEqual(localSummary.groups[0].mean);
    } finally {
      await stop(a.child);
      await stop(b.child);
      await removeQueue(queue);
    }
  }, 240000);

  it('fails untrusted jobs at once: unknown options, an unknown experiment, an output path outside the store', async () => {
    const queue = unique('bad');
    const { Queue } = require('bullmq');
    const IORedis = require('ioredis');
    const conn = new IORedis(REDIS, { maxRetriesPerRequest: null });
    const q = new Queue(queue, { connection: conn });
    const outside = path.join(tmp, 'outside');
    const store = path.join(tmp, 'bad-store');
    const jobs = [
      { name: 'a', data: { experiment: 'yinyang', options: { ...small, rm: '-rf /' } } },
      { name: 'b', data: { experiment: 'shell', options: { command: 'touch /tmp/x' } } },
      { name: 'c', data: { experiment: 'yinyang', options: { ...small, out: outside } } },
      { name: 'd', data: { experiment: 'yinyang', options: { ...small, checkpoint: path.join(outside, 'ck') } } },
      { name: 'e', data: { experiment: 'yinyang', options: { ...small, hidden: 'many' } } },
    ];
    await q.addBulk(jobs.map((j, k) => ({ ...j, opts: { jobId: `bad-${k}`, attempts: 3, removeOnFail: false } })));
    const controller = new AbortController();
    const log: string[] = [];
    const worker = runWorker({ experiments, url: REDIS!, store, queueName: queue, lockMs: 5000, nodeArgs: NODE_ARGS, onLog: (l) => log.push(l), signal: controller.signal });
    try {
      for (;;) {
        const failed = await q.getFailedCount();
        if (failed === jobs.length) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      const reasons: string[] = [];
      for (let k = 0; k < jobs.length; k++) {
        const job = await q.getJob(`bad-${k}`);
        expect(job.attemptsMade).toBe(1); // not retried
        reasons.push(job.failedReason);
      }
      expect(reasons[0]).toContain("Unknown option 'rm'");
      expect(reasons[1]).toContain('Unknown experiment "shell"');
      expect(reasons[2]).toContain("Option 'out' cannot be set in a sweep");
      expect(reasons[3]).toContain("Option 'checkpoint' cannot be set in a sweep");
      expect(reasons[4]).toContain('--hidden must be an integer'); // the CLI's own check, in the trial process
      expect(fs.existsSync(outside)).toBe(false);
      for (const f of fs.readdirSync(store, { recursive: true }) as string[]) expect(path.resolve(store, f).startsWith(store)).toBe(true);
    } finally {
      controller.abort();
      await worker;
      await q.obliterate({ force: true });
      await q.close();
      conn.disconnect();
    }
  }, 120000);

  it('a stopped sweep (Ctrl-C) leaves the queue consistent: running it again collects every trial once', async () => {
    const queue = unique('stop');
    const out = path.join(tmp, 'stop-out');
    const spec = { experiment: 'yinyang', options: { ...small, epochs: 1 }, grid: { seed: [5, 6] } };
    const controller = new AbortController();
    const first = await queueSweep({ experiments, spec, out, url: REDIS!, queueName: queue, pollMs: 100, signal: controller.signal, onProgress: (l) => l.includes('queued') && controller.abort() });
    expect(first).toMatchObject({ interrupted: true, done: 0 });
    const workerStop = new AbortController();
    const worker = runWorker({ experiments, url: REDIS!, store: path.join(tmp, 'stop-store'), queueName: queue, lockMs: 5000, nodeArgs: NODE_ARGS, signal: workerStop.signal });
    try {
      const second = await queueSweep({ experiments, spec, out, url: REDIS!, queueName: queue, pollMs: 100 });
      expect(second).toMatchObject({ interrupted: false, done: 2, failed: 0, skipped: 0 });
      const lines = fs.readFileSync(path.join(out, 'results.jsonl'), 'utf8').trim().split('\n');
      expect(lines).toHaveLength(2);
      const third = await queueSweep({ experiments, spec, out, url: REDIS!, queueName: queue, pollMs: 100 });
      expect(third).toMatchObject({ done: 0, skipped: 2 });
      const { Queue } = require('bullmq');
      const IORedis = require('ioredis');
      const conn = new IORedis(REDIS, { maxRetriesPerRequest: null });
      const q = new Queue(queue, { connection: conn });
      const counts = await q.getJobCounts();
      expect(Object.values(counts).reduce((a: number, b) => a + (b as number), 0)).toBe(2);
      await q.close();
      conn.disconnect();
    } finally {
      workerStop.abort();
      await worker;
      await removeQueue(queue);
    }
  }, 120000);

  it('works over TLS (rediss://) with a password, which never shows', async () => {
    if (spawnSync('openssl', ['version']).status !== 0) {
      console.log('skipping the rediss:// test: openssl is not installed');
      return;
    }
    const dir = fs.mkdtempSync(path.join(tmp, 'tls-'));
    const gen = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1']);
    expect(gen.status).toBe(0);
    const port = new URL(REDIS!).port === '6390' ? 6397 : 6398;
    const password = `tls-${Math.random().toString(36).slice(2)}-pw`;
    const server = spawn('redis-server', ['--bind', '127.0.0.1', '--port', '0', '--tls-port', String(port), '--tls-cert-file', path.join(dir, 'cert.pem'), '--tls-key-file', path.join(dir, 'key.pem'), '--tls-auth-clients', 'no', '--requirepass', password, '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
    const previous = process.env.SPIKEGRAD_REDIS_CA;
    process.env.SPIKEGRAD_REDIS_CA = path.join(dir, 'cert.pem');
    const url = `rediss://:${password}@localhost:${port}`;
    const controller = new AbortController();
    const logs: string[] = [];
    let worker: Promise<unknown> | undefined;
    try {
      for (let k = 0; ; k++) {
        const err = await checkConnection(url, 2000).catch((e: Error) => e);
        if (err === undefined) break;
        if (k > 50) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
      worker = runWorker({ experiments, url, store: path.join(dir, 'store'), queueName: 'tls', lockMs: 5000, nodeArgs: NODE_ARGS, onLog: (l) => logs.push(l), signal: controller.signal });
      const out = path.join(dir, 'out');
      const r = await queueSweep({ experiments, spec: { experiment: 'yinyang', options: { ...small, epochs: 1 }, grid: { seed: [0] } }, out, url, queueName: 'tls', onProgress: (l) => logs.push(l), pollMs: 200 });
      expect(r.done).toBe(1);
      const text = [...logs, fs.readFileSync(path.join(out, 'results.jsonl'), 'utf8')].join('\n');
      expect(text).toContain('rediss://localhost:');
      expect(text).not.toContain(password);
    } finally {
      controller.abort();
      await worker;
      if (previous === undefined) delete process.env.SPIKEGRAD_REDIS_CA;
      else process.env.SPIKEGRAD_REDIS_CA = previous;
      server.kill('SIGTERM');
    }
  }, 120000);

  it('works with credentials in the URL and never shows them', async () => {
    const IORedis = require('ioredis');
    const admin = new IORedis(REDIS, { maxRetriesPerRequest: null });
    const user = unique('u');
    const password = `pw-${Math.random().toString(36).slice(2)}-secret`;
    await admin.call('ACL', 'SETUSER', user, 'on', `>${password}`, '~*', '&*', '+@all');
    const base = new URL(REDIS!);
    const url = `redis://${user}:${encodeURIComponent(password)}@${base.host}${base.pathname}`;
    const queue = unique('cred');
    const store = path.join(tmp, 'cred-store');
    const out = path.join(tmp, 'cred-out');
    const logs: string[] = [];
    const controller = new AbortController();
    const worker = runWorker({ experiments, url, store, queueName: queue, lockMs: 5000, nodeArgs: NODE_ARGS, onLog: (l) => logs.push(l), signal: controller.signal });
    try {
      const r = await queueSweep({ experiments, spec: { experiment: 'yinyang', options: { ...small, epochs: 1 }, grid: { seed: [0, 1] } }, out, url, queueName: queue, onProgress: (l) => logs.push(l), pollMs: 200 });
      expect(r.done).toBe(2);
      const wrong = url.replace(encodeURIComponent(password), 'not-the-password');
      const err = await checkConnection(wrong).catch((e: Error) => e);
      expect(err).toMatchObject({ code: 'ERR_SPIKEGRAD_QUEUE' });
      const everything = [...logs, (err as Error).message, ...fs.readdirSync(out).filter((f) => f.endsWith('.json') || f.endsWith('.jsonl') || f.endsWith('.html')).map((f) => fs.readFileSync(path.join(out, f), 'utf8'))].join('\n');
      expect(everything).toContain(`${base.hostname}`);
      expect(everything).not.toContain(password);
      expect(everything).not.toContain(user);
    } finally {
      controller.abort();
      await worker;
      await removeQueue(queue);
      await admin.call('ACL', 'DELUSER', user);
      admin.disconnect();
    }
  }, 120000);
});
