/**
 * The files of a sweep's output folder: `results.jsonl` (one line per trial), `curves/ID.json`
 * (a trial's learning curves), `summary.json` (mean and population std per group of trials that
 * differ only in their seed) and `summary.html` (the table and learning-curve bands).
 */
import fs = require('fs');
import path = require('path');
import { writeFileAtomic } from '../base/files';
import { figure, htmlReport, PALETTE, writeReport } from '../report';
import type { Trial, TrialOptions } from './spec';
import type { TrialOutcome } from './trial';

/** One line of results.jsonl. */
export interface TrialRecord {
  id: string;
  options: TrialOptions;
  status: 'done' | 'failed';
  final?: Record<string, number>;
  seconds: number;
  attempts: number;
  worker: string;
  error?: string;
}

export interface SummaryGroup {
  options: TrialOptions;
  n: number;
  ids: string[];
  mean: Record<string, number>;
  std: Record<string, number>;
}

/** The records of results.jsonl, the last line of each id winning (a line cut short by a crash is skipped). */
export function readResults(out: string): Map<string, TrialRecord> {
  const file = path.join(out, 'results.jsonl');
  const map = new Map<string, TrialRecord>();
  if (!fs.existsSync(file)) return map;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      const r = JSON.parse(line) as TrialRecord;
      if (typeof r.id === 'string' && (r.status === 'done' || r.status === 'failed')) map.set(r.id, r);
    } catch {
      // a partial last line of an interrupted run
    }
  }
  return map;
}

/** Appends one record (a crash leaves at most a partial last line, which readResults skips). */
export function appendResult(out: string, record: TrialRecord): void {
  const file = path.join(out, 'results.jsonl');
  let prefix = '';
  if (fs.existsSync(file)) {
    const size = fs.statSync(file).size;
    if (size > 0) {
      const fd = fs.openSync(file, 'r');
      const b = Buffer.alloc(1);
      fs.readSync(fd, b, 0, 1, size - 1);
      fs.closeSync(fd);
      if (b[0] !== 0x0a) prefix = '\n';
    }
  }
  fs.appendFileSync(file, `${prefix}${JSON.stringify(record)}\n`);
}

/** Rewrites results.jsonl with one line per trial of the sweep, in grid order. */
export function compactResults(out: string, trials: readonly Trial[]): TrialRecord[] {
  const map = readResults(out);
  const records = trials.map((t) => map.get(t.id)).filter((r): r is TrialRecord => r !== undefined);
  writeFileAtomic(path.join(out, 'results.jsonl'), records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  return records;
}

export function writeCurves(out: string, id: string, curves: TrialOutcome['curves']): void {
  if (!curves) return;
  fs.mkdirSync(path.join(out, 'curves'), { recursive: true });
  writeFileAtomic(path.join(out, 'curves', `${id}.json`), JSON.stringify(curves));
}

function readCurves(out: string, id: string): TrialOutcome['curves'] {
  try {
    return JSON.parse(fs.readFileSync(path.join(out, 'curves', `${id}.json`), 'utf8')) as TrialOutcome['curves'];
  } catch {
    return undefined;
  }
}

const withoutSeed = (o: TrialOptions): TrialOptions => Object.fromEntries(Object.entries(o).filter(([k]) => k !== 'seed'));
const keyOf = (o: TrialOptions) => JSON.stringify(Object.keys(o).sort().map((k) => [k, o[k]]));

/** Mean and population standard deviation (ddof = 0). */
export function meanStd(xs: readonly number[]): { mean: number; std: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.reduce((a, b) => a + (b - mean) * (b - mean), 0) / xs.length;
  return { mean, std: Math.sqrt(v) };
}

/** Groups the done trials by their options without the seed; mean and population std of every final metric. */
export function summarize(records: readonly TrialRecord[]): { groups: SummaryGroup[] } {
  const groups = new Map<string, { options: TrialOptions; records: TrialRecord[] }>();
  for (const r of records) {
    if (r.status !== 'done' || !r.final) continue;
    const o = withoutSeed(r.options);
    const k = keyOf(o);
    if (!groups.has(k)) groups.set(k, { options: o, records: [] });
    groups.get(k)!.records.push(r);
  }
  return {
    groups: [...groups.values()].map((g) => {
      const mean: Record<string, number> = {};
      const std: Record<string, number> = {};
      const keys = Object.keys(g.records[0].final!).filter((k) => g.records.every((r) => typeof r.final![k] === 'number'));
      for (const k of keys) {
        const s = meanStd(g.records.map((r) => r.final![k]));
        mean[k] = s.mean;
        std[k] = s.std;
      }
      return { options: g.options, n: g.records.length, ids: g.records.map((r) => r.id), mean, std };
    }),
  };
}

const pct = (m: number | undefined, s: number | undefined) => (m === undefined ? '—' : `${(100 * m).toFixed(2)} ± ${(100 * (s ?? 0)).toFixed(2)}`);

/** Writes summary.json and summary.html from the records. */
export function writeSummary(out: string, experiment: string, records: readonly TrialRecord[]): { groups: SummaryGroup[] } {
  const summary = summarize(records);
  writeFileAtomic(path.join(out, 'summary.json'), JSON.stringify(summary, null, 1));
  const failed = records.filter((r) => r.status === 'failed');
  const figures: string[] = [];
  for (const metric of ['accuracyOrdinary', 'accuracy']) {
    const f = figure({ title: metric === 'accuracyOrdinary' ? 'Test accuracy, real spikes only (mean ± std over seeds)' : 'Test accuracy with pseudospikes (mean ± std over seeds)', xlabel: 'epoch', ylabel: 'accuracy', legend: 'lower right', gridlines: true });
    let drawn = 0;
    summary.groups.slice(0, PALETTE.length).forEach((g, gi) => {
      const curves = g.ids.map((id) => readCurves(out, id)).filter((c) => c !== undefined && c.metrics[metric] !== undefined);
      if (curves.length === 0) return;
      const len = Math.min(...curves.map((c) => c!.epoch.length));
      const xs = curves[0]!.epoch.slice(0, len);
      const stats = xs.map((_, e) => meanStd(curves.map((c) => c!.metrics[metric][e])));
      const color = PALETTE[gi % PALETTE.length];
      f.band(xs, stats.map((s) => s.mean - s.std), stats.map((s) => s.mean + s.std), { color, opacity: 0.2 });
      f.line(xs, stats.map((s) => s.mean), { color, width: 2, label: summary.groups.length > 1 ? `group ${gi + 1}` : `n = ${g.n}` });
      drawn++;
    });
    if (drawn > 0) figures.push(f.render());
  }
  const html = htmlReport({
    title: `Sweep: ${experiment}`,
    subtitle: `${records.length} trials recorded, ${records.length - failed.length} done, ${failed.length} failed; groups are trials that differ only in their seed; std is the population std (ddof = 0)`,
    sections: [
      {
        heading: 'Groups',
        table: {
          columns: ['group', 'options', 'n', 'accuracy, real spikes (%)', 'accuracy with pseudospikes (%)', 'test loss'],
          rows: summary.groups.map((g, k) => [k + 1, JSON.stringify(g.options), g.n, pct(g.mean.accuracyOrdinary, g.std.accuracyOrdinary), pct(g.mean.accuracy, g.std.accuracy), g.mean.loss === undefined ? '—' : `${g.mean.loss.toFixed(4)} ± ${g.std.loss.toFixed(4)}`]),
        },
      },
      ...(figures.length > 0 ? [{ heading: 'Learning curves', figures }] : []),
      ...(failed.length > 0 ? [{ heading: 'Failed trials', table: { columns: ['id', 'options', 'error'], rows: failed.map((r) => [r.id, JSON.stringify(r.options), r.error ?? '']) } }] : []),
    ],
    footer: 'spikegrad sweep',
  });
  writeReport(path.join(out, 'summary.html'), html);
  return summary;
}
