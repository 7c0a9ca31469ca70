/**
 * Sweeps on BullMQ (Redis): `queueSweep` enqueues the pending trials of a sweep (job id = trial
 * id, so enqueuing again is a no-op) and waits for them; `runWorker` runs trials from the queue
 * on any machine that reaches it. bullmq and ioredis are optional peer dependencies, loaded only
 * here.
 *
 * Faults: a worker runs each trial in a child process that writes its checkpoint every epoch into
 * the worker's store folder (STORE/trials/ID/). Workers that share the store (a shared or network
 * folder, the same `--store` everywhere) take over a killed worker's trial when its lock expires
 * (BullMQ's stalled-job check) and resume from that checkpoint, which gives the final metrics of
 * an uninterrupted run bit for bit. A trial that fails for a deterministic reason (bad options,
 * bad input: exit status 2) fails at once (UnrecoverableError); a crash is retried up to
 * `attempts` times.
 *
 * Security: a job is untrusted. The worker checks it with {@link checkTrial} (known experiment,
 * known CLI options, scalar values, no output options), recomputes its id from its content, and
 * runs it only under its own store folder; nothing in a job is run as code or through a shell.
 * Credentials in the URL are kept out of every message ({@link redact}).
 */
import fs = require('fs');
import net = require('net');
import os = require('os');
import path = require('path');
import { codedError } from '../base/errors';
import { checkTrial, expandSpec, type SweepCatalog, type Trial } from './spec';
import { runTrial } from './trial';
import { displayUrl, redact } from './redact';
import { appendResult, compactResults, readResults, writeCurves, writeSummary, type TrialRecord } from './results';
import type { SweepResult } from './sweep';
import { summaryLine } from './sweep';

/* eslint-disable @typescript-eslint/no-explicit-any */
type BullMQ = any;

/** The queue name used unless another is given. */
export const DEFAULT_QUEUE_NAME = 'spikegrad-sweep';

/** Loads bullmq and ioredis (through `load`, a require, replaceable in tests); ERR_SPIKEGRAD_QUEUE naming what to install when missing. */
export function loadBullmq(load: (id: string) => unknown = require): { bullmq: BullMQ; IORedis: any } {
  try {
    const bullmq = load('bullmq') as BullMQ;
    const ioredis = load('ioredis') as any;
    return { bullmq, IORedis: ioredis.default ?? ioredis.Redis ?? ioredis };
  } catch (err) {
    if ((err as { code?: string }).code === 'MODULE_NOT_FOUND') {
      throw codedError('--queue needs the optional packages bullmq and ioredis: npm install bullmq ioredis (the local pool, without --queue, needs nothing)', 'ERR_SPIKEGRAD_QUEUE');
    }
    throw err;
  }
}

/** Checks a queue URL (redis:// or rediss://, with optional user:password and /db). */
export function checkQueueUrl(url: unknown): string {
  if (typeof url !== 'string') throw codedError('Expected a queue URL redis://[USER:PASSWORD@]HOST[:PORT][/DB] or rediss://...', 'ERR_SPIKEGRAD_QUEUE');
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw codedError(`Cannot parse the queue URL ${displayUrl(url)}: expected redis://[USER:PASSWORD@]HOST[:PORT][/DB] or rediss://...`, 'ERR_SPIKEGRAD_QUEUE');
  }
  displayUrl(url);
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw codedError(`Expected a redis:// or rediss:// queue URL but received ${u.protocol}// (${displayUrl(url)})`, 'ERR_SPIKEGRAD_QUEUE');
  return url;
}

/** Options of the Redis connection from a URL: TLS for rediss://, no endless reconnects while connecting. */
function redisOptions(url: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const u = new URL(url);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) throw codedError(`The database number in the queue URL ${displayUrl(url)} is not an integer`, 'ERR_SPIKEGRAD_QUEUE');
  const o: Record<string, unknown> = {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : 6379,
    db,
    connectTimeout: 5000,
    maxRetriesPerRequest: null,
    ...extra,
  };
  if (u.username) o.username = decodeURIComponent(u.username);
  if (u.password) o.password = decodeURIComponent(u.password);
  if (u.protocol === 'rediss:') {
    const host = o.host as string;
    o.tls = { ...(net.isIP(host) === 0 ? { servername: host } : {}), ...(process.env.SPIKEGRAD_REDIS_CA ? { ca: fs.readFileSync(process.env.SPIKEGRAD_REDIS_CA) } : {}) };
  }
  return o;
}

/** Connects once (no retries) and pings, so that an unreachable or refusing server is an error within seconds. */
export async function checkConnection(url: string, timeoutMs = 5000): Promise<void> {
  const { IORedis } = loadBullmq();
  const client = new IORedis({ ...redisOptions(url), lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, connectTimeout: timeoutMs, enableOfflineQueue: false });
  let lastError: Error | undefined;
  client.on('error', (err: Error) => {
    lastError = err;
  });
  try {
    await Promise.race([
      (async () => {
        await client.connect();
        await client.ping();
      })(),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs).unref()),
    ]);
  } catch (err) {
    const why = lastError && /closed/i.test((err as Error).message) ? lastError.message : (err as Error).message;
    throw codedError(`Cannot reach the queue at ${displayUrl(url)}: ${redact(why)}`, 'ERR_SPIKEGRAD_QUEUE');
  } finally {
    client.disconnect();
  }
}

function connection(url: string): any {
  const { IORedis } = loadBullmq();
  const c = new IORedis(redisOptions(url));
  c.on('error', () => undefined);
  return c;
}

export interface QueueSweepOptions {
  spec: unknown;
  /** The experiments a trial may run (lib/cli/sweep.ts: sweepCatalog()). */
  experiments: SweepCatalog;
  out: string;
  url: string;
  queueName?: string;
  /** Attempts of a trial that crashes (a killed worker's trial is taken over without using one). Default 3. */
  attempts?: number;
  onProgress?: (line: string) => void;
  signal?: AbortSignal;
  /** Poll period in ms. Default 500. */
  pollMs?: number;
}

/** What a worker returns for a done trial (the job's return value). */
interface JobResult {
  final: Record<string, number>;
  curves?: { epoch: number[]; metrics: Record<string, number[]> };
  seconds: number;
  worker: string;
}

/**
 * Enqueues the pending trials and waits for them, writing each result as it arrives. Ctrl-C
 * (signal) stops waiting; the jobs stay queued and consistent, and running the sweep again
 * collects what finished meanwhile and waits for the rest.
 */
export async function queueSweep(options: QueueSweepOptions): Promise<SweepResult> {
  const url = checkQueueUrl(options.url);
  const { bullmq } = loadBullmq();
  await checkConnection(url);
  const out = path.resolve(options.out);
  fs.mkdirSync(out, { recursive: true });
  const { spec, trials } = expandSpec(options.experiments, options.spec);
  const recorded = readResults(out);
  const pending = trials.filter((t) => recorded.get(t.id)?.status !== 'done');
  const say = options.onProgress ?? (() => undefined);
  const conn = connection(url);
  const queue = new bullmq.Queue(options.queueName ?? DEFAULT_QUEUE_NAME, { connection: conn });
  queue.on('error', () => undefined);
  let done = 0;
  let failed = 0;
  let interrupted = false;
  try {
    // Trials that failed before are retried; new ones are added (an existing id is left as it is).
    for (const t of pending) {
      const job = await queue.getJob(t.id);
      if (job && (await job.getState()) === 'failed') await job.retry('failed');
    }
    await queue.addBulk(
      pending.map((t: Trial) => ({
        name: t.experiment,
        data: { experiment: t.experiment, options: t.options },
        opts: { jobId: t.id, attempts: Math.max(1, options.attempts ?? 3), removeOnComplete: false, removeOnFail: false },
      })),
    );
    say(`${trials.length} trials, ${trials.length - pending.length} already done, ${pending.length} queued at ${displayUrl(url)} (queue ${options.queueName ?? DEFAULT_QUEUE_NAME}); waiting for workers`);
    const left = new Map(pending.map((t) => [t.id, t]));
    const progress = new Map<string, string>();
    while (left.size > 0) {
      if (options.signal?.aborted) {
        interrupted = true;
        break;
      }
      for (const [id, t] of [...left]) {
        const job = await queue.getJob(id);
        if (!job) continue;
        const state = await job.getState();
        if (state === 'completed') {
          // The job may have completed between getJob and getState: then its return value is read
          // again (or at the next poll), not taken as null from the snapshot.
          const finished = job.returnvalue === null || job.returnvalue === undefined ? await queue.getJob(id) : job;
          const r = finished?.returnvalue as JobResult | null | undefined;
          if (!finished || r === null || r === undefined) continue;
          const record: TrialRecord = { id, options: t.options, status: 'done', final: r.final, seconds: r.seconds, attempts: finished.attemptsStarted ?? finished.attemptsMade ?? 1, worker: r.worker };
          appendResult(out, record);
          writeCurves(out, id, r.curves);
          left.delete(id);
          done++;
          say(`[${done + failed}/${pending.length}] ${id} ${JSON.stringify(t.options)} on ${r.worker}: ${summaryLine(r.final)}`);
        } else if (state === 'failed') {
          const record: TrialRecord = { id, options: t.options, status: 'failed', seconds: 0, attempts: job.attemptsStarted ?? job.attemptsMade ?? 1, worker: String(job.data?.worker ?? ''), error: redact(String(job.failedReason ?? 'failed')) };
          appendResult(out, record);
          left.delete(id);
          failed++;
          say(`[${done + failed}/${pending.length}] ${id} ${JSON.stringify(t.options)}: failed: ${record.error}`);
        } else if (state === 'active' && typeof job.progress === 'object' && job.progress !== null) {
          const line = String((job.progress as { line?: string }).line ?? '');
          if (line && progress.get(id) !== line) {
            progress.set(id, line);
            say(`${id}: ${line}`);
          }
        }
      }
      if (left.size > 0) await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 500));
    }
  } catch (err) {
    throw codedError(`The queue at ${displayUrl(url)} failed: ${redact((err as Error).message)}`, 'ERR_SPIKEGRAD_QUEUE');
  } finally {
    await queue.close().catch(() => undefined);
    conn.disconnect();
  }
  const records = compactResults(out, trials);
  const { groups } = writeSummary(out, spec.experiment, records);
  return { trials: trials.length, skipped: trials.length - pending.length, done, failed, interrupted, groups };
}

export interface WorkerOptions {
  url: string;
  /** The experiments a job may run (lib/cli/sweep.ts: sweepCatalog()); anything else is refused. */
  experiments: SweepCatalog;
  /** The worker's folder: every trial writes only under STORE/trials/ID/. Share it between workers for takeover. */
  store: string;
  concurrency?: number;
  queueName?: string;
  /** Lock time in ms: a killed worker's trial is taken over after about this long. Default 30000. */
  lockMs?: number;
  /** Node options of the trial processes. */
  nodeArgs?: string[];
  onLog?: (line: string) => void;
  signal?: AbortSignal;
  /** Stop after this many trials (tests). */
  maxTrials?: number;
}

/** Runs trials from the queue until the signal aborts. */
export async function runWorker(options: WorkerOptions): Promise<{ trials: number }> {
  const url = checkQueueUrl(options.url);
  const { bullmq } = loadBullmq();
  await checkConnection(url);
  const store = path.resolve(options.store);
  fs.mkdirSync(path.join(store, 'trials'), { recursive: true });
  const name = `${os.hostname()}:${process.pid}`;
  const log = options.onLog ?? (() => undefined);
  const conn = connection(url);
  const lock = Math.max(1000, options.lockMs ?? 30000);
  let count = 0;
  const controllers = new Set<AbortController>();
  const processor = async (job: any): Promise<JobResult> => {
    let trial: Trial;
    try {
      trial = checkTrial(options.experiments, job?.data?.experiment, job?.data?.options);
    } catch (err) {
      log(`job ${String(job?.id)} refused: ${(err as Error).message}`);
      throw new bullmq.UnrecoverableError(redact((err as Error).message));
    }
    // The folder comes from the trial's content, never from the job's id or any path in it.
    const dir = path.join(store, 'trials', trial.id);
    const resumed = fs.existsSync(path.join(dir, 'checkpoint.sgm'));
    log(`trial ${trial.id} ${JSON.stringify(trial.options)}${resumed ? ' (resuming from its checkpoint)' : ''}`);
    const t0 = Date.now();
    const controller = new AbortController();
    controllers.add(controller);
    try {
      const outcome = await runTrial(trial, {
        dir,
        report: options.experiments[trial.experiment].report,
        nodeArgs: options.nodeArgs,
        signal: controller.signal,
        onLine: (line) => {
          log(`trial ${trial.id}: ${redact(line)}`);
          void job.updateProgress({ line: redact(line) }).catch(() => undefined);
        },
      });
      if (outcome.status === 'done') {
        count++;
        log(`trial ${trial.id} done: ${summaryLine(outcome.final!)}`);
        return { final: outcome.final!, curves: outcome.curves, seconds: (Date.now() - t0) / 1000, worker: name };
      }
      log(`trial ${trial.id} ${outcome.status}: ${outcome.error}`);
      if (outcome.status === 'failed' && outcome.deterministic) throw new bullmq.UnrecoverableError(redact(outcome.error ?? 'failed'));
      throw new Error(redact(outcome.error ?? outcome.status));
    } finally {
      controllers.delete(controller);
    }
  };
  const worker = new bullmq.Worker(options.queueName ?? DEFAULT_QUEUE_NAME, processor, {
    connection: conn,
    concurrency: Math.max(1, options.concurrency ?? 1),
    lockDuration: lock,
    stalledInterval: lock,
    maxStalledCount: 5,
  });
  worker.on('error', (err: Error) => log(`queue error: ${redact(err.message)}`));
  log(`worker ${name} on ${displayUrl(url)} (queue ${options.queueName ?? DEFAULT_QUEUE_NAME}), store ${store}`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    if (options.signal?.aborted) return stop();
    options.signal?.addEventListener('abort', stop, { once: true });
    if (options.maxTrials !== undefined) {
      worker.on('completed', () => {
        if (count >= options.maxTrials!) stop();
      });
    }
  });
  for (const c of controllers) c.abort();
  await worker.close().catch(() => undefined);
  conn.disconnect();
  return { trials: count };
}
