/**
 * Runs a sweep: the trials of a specification that are not yet done in the output folder, on a
 * local pool of child processes (default one per core) or, with `queue`, on BullMQ workers
 * ({@link ./queue}). Results go to OUT/results.jsonl as each trial ends; the summary is written at
 * the end (and whenever the sweep stops early).
 */
import fs = require('fs');
import os = require('os');
import path = require('path');
import { expandSpec, type SweepCatalog, type Trial } from './spec';
import { runTrial, type TrialOutcome } from './trial';
import { appendResult, compactResults, readResults, writeCurves, writeSummary, type SummaryGroup, type TrialRecord } from './results';

export interface SweepOptions {
  /** The specification (parsed JSON). */
  spec: unknown;
  /** The experiments a trial may run (lib/cli/sweep.ts: sweepCatalog()). */
  experiments: SweepCatalog;
  /** Output folder. */
  out: string;
  /** Trials at a time on the local pool. Default: one per core. */
  concurrency?: number;
  /** Attempts of a trial that fails for a reason that is not deterministic (a crash). Default 3. */
  attempts?: number;
  /** Node options of the trial processes (see RunTrialOptions.nodeArgs). */
  nodeArgs?: string[];
  /** A line of progress. */
  onProgress?: (line: string) => void;
  /** Stops the sweep: running trials keep their checkpoints; a later run continues. */
  signal?: AbortSignal;
}

export interface SweepResult {
  trials: number;
  skipped: number;
  done: number;
  failed: number;
  interrupted: boolean;
  groups: SummaryGroup[];
}

/** The trials of a specification and those still to run in an output folder. */
export function planSweep(catalog: SweepCatalog, spec: unknown, out: string): { experiment: string; trials: Trial[]; pending: Trial[] } {
  const { spec: s, trials } = expandSpec(catalog, spec);
  const done = readResults(out);
  return { experiment: s.experiment, trials, pending: trials.filter((t) => done.get(t.id)?.status !== 'done') };
}

/** A record from an outcome. */
export function recordOf(t: Trial, o: TrialOutcome, seconds: number, attempts: number, worker: string): TrialRecord {
  const r: TrialRecord = { id: t.id, options: t.options, status: o.status === 'done' ? 'done' : 'failed', seconds, attempts, worker };
  if (o.status === 'done') r.final = o.final;
  else r.error = o.error;
  return r;
}

/** Runs the pending trials on a local pool of child processes. */
export async function runSweep(options: SweepOptions): Promise<SweepResult> {
  const out = path.resolve(options.out);
  fs.mkdirSync(out, { recursive: true });
  const { experiment, trials, pending } = planSweep(options.experiments, options.spec, out);
  const concurrency = Math.max(1, Math.min(options.concurrency ?? os.availableParallelism(), pending.length || 1));
  const attempts = Math.max(1, options.attempts ?? 3);
  const say = options.onProgress ?? (() => undefined);
  say(`${trials.length} trials, ${trials.length - pending.length} already done, ${pending.length} to run on ${concurrency} local process${concurrency === 1 ? '' : 'es'}`);
  let next = 0;
  let done = 0;
  let failed = 0;
  let interrupted = false;
  const worker = async () => {
    while (next < pending.length && !options.signal?.aborted) {
      const t = pending[next++];
      const t0 = Date.now();
      let outcome: TrialOutcome | undefined;
      let attempt = 0;
      while (attempt < attempts) {
        attempt++;
        outcome = await runTrial(t, { dir: path.join(out, 'trials', t.id), report: options.experiments[t.experiment].report, nodeArgs: options.nodeArgs, signal: options.signal });
        if (outcome.status !== 'failed' || outcome.deterministic) break;
        if (attempt < attempts) say(`trial ${t.id} attempt ${attempt} failed (${outcome.error}); retrying from its checkpoint`);
      }
      if (outcome!.status === 'interrupted') {
        interrupted = true;
        break;
      }
      const seconds = (Date.now() - t0) / 1000;
      appendResult(out, recordOf(t, outcome!, seconds, attempt, `local:${os.hostname()}`));
      if (outcome!.status === 'done') {
        writeCurves(out, t.id, outcome!.curves);
        done++;
      } else failed++;
      say(`[${done + failed}/${pending.length}] ${t.id} ${JSON.stringify(t.options)}: ${outcome!.status === 'done' ? summaryLine(outcome!.final!) : `failed: ${outcome!.error}`}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  if (options.signal?.aborted) interrupted = true;
  const records = compactResults(out, trials);
  const { groups } = writeSummary(out, experiment, records);
  return { trials: trials.length, skipped: trials.length - pending.length, done, failed, interrupted, groups };
}

/** The headline numbers of final metrics. */
export function summaryLine(final: Record<string, number>): string {
  const parts: string[] = [];
  if (typeof final.accuracyOrdinary === 'number') parts.push(`accuracy ${(100 * final.accuracyOrdinary).toFixed(2)}% real spikes`);
  if (typeof final.accuracy === 'number') parts.push(`${(100 * final.accuracy).toFixed(2)}% with pseudospikes`);
  if (typeof final.loss === 'number') parts.push(`loss ${final.loss.toFixed(4)}`);
  return parts.join(', ');
}
