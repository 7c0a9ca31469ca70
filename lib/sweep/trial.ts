/**
 * Runs one trial in a child process (lib/cli/trial_child.ts, found by path, not imported) and reads its result from the report it
 * wrote. Used by the local pool and by queue workers alike, so a trial runs the same way
 * everywhere.
 */
import { fork } from 'child_process';
import fs = require('fs');
import path = require('path');
import type { Trial } from './spec';
import { redact } from './redact';

/** The final metrics and learning curves of a trial, as it reported them (no timings). */
export interface TrialOutcome {
  status: 'done' | 'failed' | 'interrupted';
  /** The experiment's final metrics (its JSON report's `final`). */
  final?: Record<string, number>;
  /** Per evaluated epoch: the test metrics (for the summary's learning-curve bands). */
  curves?: { epoch: number[]; metrics: Record<string, number[]> };
  /** The error (failed trials): the last line the experiment wrote on stderr. */
  error?: string;
  /** True when the failure is deterministic (bad options or bad input, exit status 2): retrying cannot help. */
  deterministic?: boolean;
  exitCode?: number | null;
  signal?: string | null;
}

export interface RunTrialOptions {
  /** Folder of the trial (its report and checkpoint); created. */
  dir: string;
  /** The JSON report file the experiment writes into dir (its `final` and `history` are read). */
  report: string;
  /** Node options before the child script (default: none when running compiled JavaScript, this process's execArgv when running TypeScript sources). */
  nodeArgs?: string[];
  /** Native threads of the trial when its options do not set them. Default 1. */
  threads?: number;
  /** Lines the experiment writes on stderr (progress). */
  onLine?: (line: string) => void;
  /** Kills the child (SIGTERM) when aborted. */
  signal?: AbortSignal;
}

function childScript(): { script: string; ts: boolean } {
  const ts = __filename.endsWith('.ts');
  return { script: path.join(__dirname, '..', 'cli', ts ? 'trial_child.ts' : 'trial_child.js'), ts };
}

/** Curves from the history of a JSON report: every numeric key of each epoch's test metrics. */
function curvesOf(history: unknown): TrialOutcome['curves'] {
  if (!Array.isArray(history)) return undefined;
  const epoch: number[] = [];
  const metrics: Record<string, number[]> = {};
  for (const e of history as { epoch?: unknown; test?: Record<string, unknown> }[]) {
    if (typeof e?.epoch !== 'number' || typeof e.test !== 'object' || e.test === null) continue;
    epoch.push(e.epoch);
    for (const [k, v] of Object.entries(e.test)) if (typeof v === 'number' && k !== 'samples') (metrics[k] ??= []).push(v);
  }
  return { epoch, metrics };
}

/** Runs a checked trial in a child process; never throws for a failing trial. */
export function runTrial(trial: Trial, options: RunTrialOptions): Promise<TrialOutcome> {
  const dir = path.resolve(options.dir);
  fs.mkdirSync(dir, { recursive: true });
  const { script, ts } = childScript();
  const nodeArgs = options.nodeArgs ?? (ts ? process.execArgv : []);
  return new Promise((resolve) => {
    const child = fork(script, [], { execArgv: nodeArgs, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let tail = '';
    let last = '';
    let errorLine = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      tail += chunk;
      const lines = tail.split('\n');
      tail = lines.pop()!;
      for (const line of lines) {
        if (line.trim() === '') continue;
        if (/^spikegrad [a-z -]+: /.test(line)) errorLine = line;
        last = line;
        options.onLine?.(line);
      }
      if (tail.length > 65536) tail = tail.slice(-65536);
    });
    const onAbort = () => child.kill('SIGTERM');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (err) => {
      last = err.message;
    });
    child.once('spawn', () => child.send({ experiment: trial.experiment, options: trial.options, dir, threads: options.threads ?? 1 }));
    child.on('close', (code, signal) => {
      options.signal?.removeEventListener('abort', onAbort);
      if (tail.trim() !== '') last = tail.trim();
      const error = redact((errorLine || last).replace(/^spikegrad [a-z -]+: /, '')) || `the trial process ended with ${signal ?? `status ${code}`}`;
      if (code === 0) {
        try {
          const report = JSON.parse(fs.readFileSync(path.join(dir, path.basename(options.report)), 'utf8')) as { final?: Record<string, number>; history?: unknown };
          if (typeof report.final !== 'object' || report.final === null) throw new Error('the report has no final metrics');
          resolve({ status: 'done', final: report.final, curves: curvesOf(report.history), exitCode: code, signal });
        } catch (err) {
          resolve({ status: 'failed', error: `cannot read the trial's report: ${(err as Error).message}`, deterministic: false, exitCode: code, signal });
        }
        return;
      }
      if (code === 130 || options.signal?.aborted) {
        resolve({ status: 'interrupted', error: 'interrupted; the checkpoint is kept', exitCode: code, signal });
        return;
      }
      resolve({ status: 'failed', error, deterministic: code === 2, exitCode: code, signal });
    });
  });
}
