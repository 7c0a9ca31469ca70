/**
 * The local pool of `spikegrad sweep` (lib/sweep/sweep.ts, lib/cli/sweep.ts): trials in child
 * processes, results.jsonl / summary.json / summary.html, re-runs that skip finished trials, a
 * trial with a bad option value failed once with the CLI's own message, and a trial killed
 * mid-run resumed from its checkpoint with the metrics of an uninterrupted run.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runSweep } from '../../lib/sweep/sweep';
import { runTrial } from '../../lib/sweep/trial';
import { checkTrial } from '../../lib/sweep/spec';
import { sweepCatalog, sweepCommand } from '../../lib/cli/sweep';
import { NODE_ARGS } from '../helpers/sweep';

const base = { epochs: 2, trainSize: 200, testSize: 100, hidden: 20 };

function sink() {
  let text = '';
  return { stream: { write: (s: string) => ((text += s), true) } as unknown as NodeJS.WritableStream, text: () => text };
}

function listFiles(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => path.relative(dir, path.join(d.parentPath, d.name)));
}

describe('runSweep on the local pool', () => {
  let tmp: string;
  beforeAll(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spikegrad-sweep-'))));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('runs the grid, writes the results and the summary, and skips finished trials on a re-run', async () => {
    const out = path.join(tmp, 'a');
    const spec = { experiment: 'yinyang', options: base, grid: { seed: [0, 1, 2] } };
    const lines: string[] = [];
    const r = await runSweep({ spec, experiments: sweepCatalog(), out, concurrency: 2, nodeArgs: NODE_ARGS, onProgress: (l) => lines.push(l) });
    expect(r).toMatchObject({ trials: 3, skipped: 0, done: 3, failed: 0, interrupted: false });
    const records = fs.readFileSync(path.join(out, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(records.map((x) => x.options.seed)).toEqual([0, 1, 2]);
    for (const x of records) {
      expect(Object.keys(x).sort()).toEqual(['attempts', 'final', 'id', 'options', 'seconds', 'status', 'worker']);
      expect(x).toMatchObject({ status: 'done', attempts: 1 });
      expect(x.final.samples).toBe(100);
      expect(x.final).not.toHaveProperty('seconds');
      // the same numbers as the experiment's own report
      const report = JSON.parse(fs.readFileSync(path.join(out, 'trials', x.id, 'yinyang.json'), 'utf8'));
      expect(x.final).toEqual(report.final);
    }
    const accs = records.map((x) => x.final.accuracyOrdinary as number);
    const mean = accs.reduce((a, b) => a + b, 0) / 3;
    const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
    expect(summary.groups).toHaveLength(1);
    expect(summary.groups[0]).toMatchObject({ options: base, n: 3 });
    expect(summary.groups[0].mean.accuracyOrdinary).toBeCloseTo(mean, 12);
    expect(summary.groups[0].std.accuracyOrdinary).toBeCloseTo(Math.sqrt(accs.reduce((a, b) => a + (b - mean) ** 2, 0) / 3), 12);
    const html = fs.readFileSync(path.join(out, 'summary.html'), 'utf8');
    expect(html).toContain('Learning curves');
    expect(html).toContain('<svg');
    // everything the sweep wrote is under its output folder
    expect(listFiles(out).every((f) => !f.startsWith('..'))).toBe(true);
    const again = await runSweep({ spec, experiments: sweepCatalog(), out, concurrency: 2, nodeArgs: NODE_ARGS });
    expect(again).toMatchObject({ trials: 3, skipped: 3, done: 0 });
    expect(fs.readFileSync(path.join(out, 'results.jsonl'), 'utf8').trim().split('\n')).toHaveLength(3);
  });

  it('marks a trial with a bad option value failed after one attempt, with the CLI message', async () => {
    const out = path.join(tmp, 'b');
    const r = await runSweep({ experiments: sweepCatalog(), spec: { experiment: 'yinyang', grid: { hidden: [20, -1] }, options: { epochs: 1, trainSize: 200, testSize: 100 } }, out, concurrency: 1, nodeArgs: NODE_ARGS });
    expect(r).toMatchObject({ done: 1, failed: 1 });
    const records = fs.readFileSync(path.join(out, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(records[1]).toMatchObject({ status: 'failed', attempts: 1, options: { hidden: -1 } });
    expect(records[1].error).toContain('--hidden must be an integer');
    expect(records[1]).not.toHaveProperty('final');
  });

  it('resumes a killed trial from its checkpoint with identical final metrics', async () => {
    const trial = checkTrial(sweepCatalog(), 'yinyang', { ...base, epochs: 5, seed: 7 });
    const whole = await runTrial(trial, { dir: path.join(tmp, 'whole'), report: 'yinyang.json', nodeArgs: NODE_ARGS });
    const dir = path.join(tmp, 'killed');
    const controller = new AbortController();
    const first = await runTrial(trial, {
      dir,
      report: 'yinyang.json',
      nodeArgs: NODE_ARGS,
      signal: controller.signal,
      onLine: (line) => {
        if (line.startsWith('epoch 2:')) controller.abort();
      },
    });
    expect(first.status).toBe('interrupted');
    expect(fs.existsSync(path.join(dir, 'checkpoint.sgm'))).toBe(true);
    const resumed = await runTrial(trial, { dir, report: 'yinyang.json', nodeArgs: NODE_ARGS });
    expect(resumed.status).toBe('done');
    expect(resumed.final).toEqual(whole.final);
    expect(resumed.curves).toEqual(whole.curves);
  });
});

describe('spikegrad sweep (usage)', () => {
  it('needs a specification and --out, and refuses a bad one with status 2', async () => {
    const err = sink();
    expect(await sweepCommand([], { out: sink().stream, err: err.stream })).toBe(2);
    expect(err.text()).toContain('expected one SPEC.json');
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spikegrad-sweep-cli-'));
    try {
      const spec = path.join(tmp, 'spec.json');
      fs.writeFileSync(spec, JSON.stringify({ experiment: 'yinyang', options: { out: '/etc' } }));
      const err2 = sink();
      expect(await sweepCommand([spec, '--out', path.join(tmp, 'o')], { out: sink().stream, err: err2.stream })).toBe(2);
      expect(err2.text()).toContain("Option 'out' cannot be set in a sweep");
      const err3 = sink();
      expect(await sweepCommand([spec, '--out', path.join(tmp, 'o'), '--queue', 'http://x'], { out: sink().stream, err: err3.stream })).toBe(2);
      const help = sink();
      expect(await sweepCommand(['--help'], { out: help.stream, err: sink().stream })).toBe(0);
      expect(help.text()).toContain('--queue URL');
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
