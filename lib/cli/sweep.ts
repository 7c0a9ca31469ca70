/**
 * `spikegrad sweep SPEC.json --out DIR [--queue URL] [--concurrency K]` and
 * `spikegrad worker --queue URL [--concurrency K] [--store DIR]` (docs/sweeps.md).
 */
import fs = require('fs');
import { parseArgs } from 'util';
import { runSweep } from '../sweep/sweep';
import { queueSweep, runWorker } from '../sweep/queue';
import { redact } from '../sweep/redact';
import { camelCase, RESERVED_OPTIONS, trialArgs, type SweepCatalog, type SweepExperiment, type TrialOptions } from '../sweep/spec';
import { parseOptions } from './options';
import { findExperiment } from './registry';
import type { CommandIO } from './eval';

export const SWEEP_USAGE = `Usage: spikegrad sweep SPEC.json --out DIR [--queue URL] [--concurrency K] [--attempts N]
  Runs the trials of a sweep specification (docs/sweeps.md): {"experiment": "yinyang",
  "options": {...}, "grid": {"seed": [0, 1, 2]}}, the Cartesian product of the grid. Finished
  trials in DIR are skipped; results go to DIR/results.jsonl, DIR/summary.json, DIR/summary.html.
  --out DIR          output folder (required)
  --concurrency K    trials at a time on this machine (default: one per core; local pool only)
  --queue URL        enqueue on BullMQ at redis://[USER:PASSWORD@]HOST[:PORT][/DB] (or rediss://)
                     and wait for workers (spikegrad worker); needs npm install bullmq ioredis
  --queue-name NAME  BullMQ queue name (default spikegrad-sweep)
  --attempts N       attempts of a trial that crashes (default 3); bad options fail at once`;

export const WORKER_USAGE = `Usage: spikegrad worker --queue URL [--concurrency K] [--store DIR] [--queue-name NAME]
  Runs sweep trials from a BullMQ queue until Ctrl-C. Each trial writes only under
  STORE/trials/ID/ (report and a checkpoint every epoch); workers that share the store take over
  a killed worker's trial and resume it from its checkpoint.
  --queue URL        redis://[USER:PASSWORD@]HOST[:PORT][/DB] or rediss://... (required)
  --concurrency K    trials at a time (default 1)
  --store DIR        the worker's folder (default ./spikegrad-store)
  --lock-ms MS       lock time: a killed worker's trial is taken over after about this long (default 30000)`;

/** The experiments a sweep can run: those whose JSON report has final metrics. */
export const SWEEPABLE: readonly string[] = Object.freeze(['yinyang', 'mnist']);

/** The sweep catalog from the registry: a trial may set exactly the options of the command (camelCase), except the reserved ones. */
export function sweepCatalog(): SweepCatalog {
  const catalog: Record<string, SweepExperiment> = {};
  for (const name of SWEEPABLE) {
    const command = findExperiment(name);
    if (command === undefined) continue;
    const specs = command.options.filter((o) => !RESERVED_OPTIONS.includes(camelCase(o.name)));
    const resolve = (options: TrialOptions): TrialOptions => {
      const { values } = parseOptions(trialArgs(options), specs);
      const out: TrialOptions = {};
      for (const o of specs) {
        const v = values[o.name];
        // threads change the speed, not the result: part of the id only when given
        if (v === undefined || (o.name === 'threads' && !Object.hasOwn(options, 'threads'))) continue;
        out[camelCase(o.name)] = v;
      }
      return out;
    };
    catalog[name] = { options: specs.map((o) => camelCase(o.name)), report: `${name}.json`, resolve };
  }
  return Object.freeze(catalog);
}

const count = (v: string | undefined, name: string, fallback: number | undefined, min = 1): number | undefined => {
  if (v === undefined) return fallback;
  const x = Number(v);
  if (!Number.isInteger(x) || x < min || x > 1e6) throw new Error(`--${name} must be an integer >= ${min} (got ${v})`);
  return x;
};

function fail(command: string, err: unknown, usage: string | undefined, io: CommandIO): number {
  const e = err as Error & { code?: string };
  io.err.write(`spikegrad ${command}: ${redact(e.message)}\n${usage ? `${usage}\n` : ''}`);
  return e.code === undefined || e.code.startsWith('ERR_SPIKEGRAD') || e.code.startsWith('ERR_PARSE') ? 2 : 1;
}

/** Runs `spikegrad sweep`; returns the exit status (0 all done, 1 some failed, 2 bad input, 130 interrupted). */
export async function sweepCommand(args: string[], io: CommandIO = { out: process.stdout, err: process.stderr }): Promise<number> {
  let v: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    const parsed = parseArgs({
      args,
      options: { out: { type: 'string' }, queue: { type: 'string' }, 'queue-name': { type: 'string' }, concurrency: { type: 'string' }, attempts: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    v = parsed.values as Record<string, string | boolean | undefined>;
    positionals = parsed.positionals;
    if (v.help) return (io.out.write(`${SWEEP_USAGE}\n`), 0);
    if (positionals.length !== 1) throw new Error('expected one SPEC.json');
    if (typeof v.out !== 'string') throw new Error('--out DIR is required');
  } catch (err) {
    return fail('sweep', err, SWEEP_USAGE, io);
  }
  const controller = new AbortController();
  const onSignal = () => {
    io.err.write('\nstopping: running trials keep their checkpoints; run the same command again to continue\n');
    controller.abort();
  };
  process.once('SIGINT', onSignal);
  try {
    let spec: unknown;
    try {
      spec = JSON.parse(fs.readFileSync(positionals[0], 'utf8'));
    } catch (err) {
      throw Object.assign(new Error(`cannot read the specification ${positionals[0]}: ${(err as Error).message}`), { code: 'ERR_SPIKEGRAD_SPEC' });
    }
    const attempts = count(v.attempts as string | undefined, 'attempts', 3);
    const say = (line: string) => io.err.write(`${line}\n`);
    let result;
    if (typeof v.queue === 'string') {
      if (v.concurrency !== undefined) throw Object.assign(new Error('--concurrency sets the local pool; with --queue, give it to spikegrad worker'), { code: 'ERR_SPIKEGRAD_SPEC' });
      result = await queueSweep({ spec, experiments: sweepCatalog(), out: v.out as string, url: v.queue, queueName: v['queue-name'] as string | undefined, attempts, onProgress: say, signal: controller.signal });
    } else {
      result = await runSweep({ spec, experiments: sweepCatalog(), out: v.out as string, concurrency: count(v.concurrency as string | undefined, 'concurrency', undefined), attempts, onProgress: say, signal: controller.signal });
    }
    for (const g of result.groups) {
      const m = g.mean.accuracyOrdinary;
      io.out.write(`${JSON.stringify(g.options)}: n = ${g.n}${m === undefined ? '' : `, accuracy (real spikes) ${(100 * m).toFixed(2)} ± ${(100 * g.std.accuracyOrdinary).toFixed(2)}%`}\n`);
    }
    io.out.write(`${result.done} done, ${result.skipped} skipped (done before), ${result.failed} failed; summary: ${v.out}/summary.json, ${v.out}/summary.html\n`);
    if (result.interrupted) return 130;
    return result.failed > 0 ? 1 : 0;
  } catch (err) {
    return fail('sweep', err, undefined, io);
  } finally {
    process.removeListener('SIGINT', onSignal);
  }
}

/** Runs `spikegrad worker` until Ctrl-C; returns the exit status. */
export async function workerCommand(args: string[], io: CommandIO = { out: process.stdout, err: process.stderr }): Promise<number> {
  let v: Record<string, string | boolean | undefined>;
  try {
    v = parseArgs({
      args,
      options: { queue: { type: 'string' }, 'queue-name': { type: 'string' }, concurrency: { type: 'string' }, store: { type: 'string' }, 'lock-ms': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: false,
      strict: true,
    }).values as Record<string, string | boolean | undefined>;
    if (v.help) return (io.out.write(`${WORKER_USAGE}\n`), 0);
    if (typeof v.queue !== 'string') throw new Error('--queue URL is required');
  } catch (err) {
    return fail('worker', err, WORKER_USAGE, io);
  }
  const controller = new AbortController();
  const onSignal = () => {
    io.err.write('\nstopping the worker; its running trials keep their checkpoints and go back to the queue\n');
    controller.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const r = await runWorker({
      url: v.queue as string,
      experiments: sweepCatalog(),
      store: typeof v.store === 'string' ? v.store : 'spikegrad-store',
      concurrency: count(v.concurrency as string | undefined, 'concurrency', 1),
      lockMs: count(v['lock-ms'] as string | undefined, 'lock-ms', 30000, 1000),
      queueName: v['queue-name'] as string | undefined,
      onLog: (line) => io.err.write(`${line}\n`),
      signal: controller.signal,
    });
    io.out.write(`worker stopped after ${r.trials} trial${r.trials === 1 ? '' : 's'}\n`);
    return 0;
  } catch (err) {
    return fail('worker', err, undefined, io);
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}
