/**
 * The Yin-Yang experiment (lib/experiments/yinyang.ts) and `spikegrad yinyang` (lib/cli/yinyang.ts):
 * a short run learns (real-spike accuracy above chance), is reproducible from its seed, resumes
 * from a checkpoint with bit-identical results, refuses bad settings; the command (lib/cli/commands/yinyang.ts):
 * its --help from the option table, did-you-mean, bad values, report files.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runYinYang, yinYangSettings, YINYANG_DEFAULTS } from '../../lib/experiments/yinyang';
import { yinYangReport } from '../../lib/experiments/yinyang.report';
import { experimentCommand } from '../../lib/cli/experiments';
import { yinyang } from '../../lib/cli/commands/yinyang';

const yinYangCommand = (args: string[], io: { out: NodeJS.WritableStream; err: NodeJS.WritableStream }) => experimentCommand('yinyang', args, io);

const small = { trainSize: 400, testSize: 200, hidden: 40, threads: 1 };

function sink() {
  let text = '';
  return { stream: { write: (s: string) => ((text += s), true) } as unknown as NodeJS.WritableStream, text: () => text };
}

describe('runYinYang', () => {
  let tmp: string;
  beforeAll(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spikegrad-yinyang-'))));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('learns above chance with real spikes deciding and reports both accuracies', async () => {
    const r = await runYinYang({ ...small, epochs: 6 });
    expect(r.history.map((e) => e.epoch)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(r.final.samples).toBe(200);
    expect(r.final.accuracyOrdinary!).toBeGreaterThan(0.5);
    expect(r.map.predicted.length).toBe(r.map.side * r.map.side);
    expect(r.map.truth.filter((c) => c >= 0).length).toBeGreaterThan(0.7 * r.map.side * r.map.side);
    // the test-point predictions are those of the real spiking network
    const correct = r.test.predicted.filter((p, k) => p === r.test.label[k]).length / r.test.label.length;
    expect(correct).toBeCloseTo(r.final.accuracyOrdinary!, 12);
    const report = yinYangReport(r);
    expect(report.html).toContain('Predicted class (real spikes only)');
    expect(report.html).toContain('Truth');
    expect((report.json as { final: unknown }).final).toEqual(r.final);
  });

  it('hands a snapshot of the run so far to onSnapshot after every evaluation (the live view)', async () => {
    const seen: number[][] = [];
    const r = await runYinYang({ ...small, epochs: 2, onSnapshot: (snap) => void seen.push(snap.history.map((e) => e.epoch)) });
    expect(seen).toEqual([[0], [0, 1], [0, 1, 2]]);
    expect(r.stopped).toBeUndefined();
  });

  it('gives the same result for the same seed and another for another seed', async () => {
    const a = await runYinYang({ ...small, epochs: 2, seed: 3 });
    const b = await runYinYang({ ...small, epochs: 2, seed: 3 });
    const c = await runYinYang({ ...small, epochs: 2, seed: 4 });
    expect(b.final).toEqual(a.final);
    expect(c.final).not.toEqual(a.final);
  });

  it('resumes from its checkpoint with bit-identical final metrics', async () => {
    const whole = await runYinYang({ ...small, epochs: 4, seed: 1 });
    const checkpoint = path.join(tmp, 'ck.sgm');
    await runYinYang({ ...small, epochs: 2, seed: 1, checkpoint });
    const resumed = await runYinYang({ ...small, epochs: 4, seed: 1, checkpoint, resume: true });
    expect(resumed.final).toEqual(whole.final);
    expect(resumed.history.map((e) => e.test)).toEqual(whole.history.map((e) => e.test));
  });

  it('refuses bad settings with coded errors', () => {
    expect(() => yinYangSettings({ hidden: 0 })).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_RANGE' }));
    expect(() => yinYangSettings({ neuron: 'osclif' as never })).toThrow(/neuron/);
    expect(() => yinYangSettings({ tEarly: 1.5, tLate: 1 })).toThrow(/tEarly/);
    expect(() => yinYangSettings({ hiden: 3 } as never)).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_ARG', message: expect.stringContaining("did you mean 'hidden'") }));
    expect(yinYangSettings({}).hidden).toBe(YINYANG_DEFAULTS.hidden);
  });
});

describe('spikegrad yinyang', () => {
  let tmp: string;
  beforeAll(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spikegrad-yinyang-cli-'))));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('lists every option of its table in --help', async () => {
    const out = sink();
    expect(await yinYangCommand(['--help'], { out: out.stream, err: sink().stream })).toBe(0);
    for (const o of yinyang.options) expect(out.text()).toContain(`--${o.name}`);
  });

  it('exits 2 for unknown options (with a suggestion) and bad values', async () => {
    const err = sink();
    expect(await yinYangCommand(['--hiden', '3'], { out: sink().stream, err: err.stream })).toBe(2);
    expect(err.text()).toMatch(/did you mean '?--hidden/);
    const err2 = sink();
    expect(await yinYangCommand(['--epochs', '1.5'], { out: sink().stream, err: err2.stream })).toBe(2);
    expect(err2.text()).toContain('--epochs must be an integer');
    const err3 = sink();
    expect(await yinYangCommand(['--neuron', 'hh'], { out: sink().stream, err: err3.stream })).toBe(2);
    expect(err3.text()).toContain('--neuron must be one of theta, qif, lif');
    expect(await yinYangCommand(['--hidden=-1'], { out: sink().stream, err: sink().stream })).toBe(2);
  });

  it('writes the report and the numbers', async () => {
    const out = sink();
    const dir = path.join(tmp, 'r');
    const code = await yinYangCommand(['--epochs', '1', '--train-size', '200', '--test-size', '100', '--hidden', '20', '--out', dir, '--quiet'], { out: out.stream, err: sink().stream });
    expect(code).toBe(0);
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'yinyang.json'), 'utf8'));
    expect(json.settings).toMatchObject({ hidden: 20, trainSize: 200, testSize: 100, epochs: 1 });
    expect(json.final.samples).toBe(100);
    expect(fs.readFileSync(path.join(dir, 'yinyang.html'), 'utf8')).toContain('<svg');
    expect(fs.existsSync(path.join(dir, 'yinyang-checkpoint.sgm'))).toBe(true);
    expect(out.text()).toMatch(/test accuracy: \d+\.\d\d% real spikes only/);
  });
});
