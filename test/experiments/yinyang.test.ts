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

const small = { trainSize: 400, testSize: 200, validationSize: 200, hidden: 40, threads: 1 };

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
    expect(resumed.selected).toEqual(whole.selected);
    expect(resumed.test.predicted).toEqual(whole.test.predicted);
    expect(resumed.history.map((e) => e.test)).toEqual(whole.history.map((e) => e.test));
  });

  it('reports the epoch with the best real-spike validation accuracy (select validation), or the last', async () => {
    const r = await runYinYang({ ...small, epochs: 6, seed: 2 });
    const scores = r.history.map((e) => e.validation!.accuracyOrdinary!);
    const best = scores.indexOf(Math.max(...scores));
    expect(r.selected.epoch).toBe(best);
    expect(r.selected.validation).toEqual(r.history[best].validation);
    expect(r.final).toEqual(r.history[best].test);
    expect(r.last).toEqual(r.history[6].test);
    // the map and the test predictions are those of the selected network
    const correct = r.test.predicted.filter((p, k) => p === r.test.label[k]).length / r.test.label.length;
    expect(correct).toBeCloseTo(r.final.accuracyOrdinary!, 12);
    const last = await runYinYang({ ...small, epochs: 6, seed: 2, select: 'last' });
    expect(last.history.every((e) => e.validation === undefined)).toBe(true);
    expect(last.selected).toEqual({ epoch: 6 });
    expect(last.final).toEqual(last.last);
    // the validation split only selects: the training is the same
    expect(last.history.map((e) => e.test)).toEqual(r.history.map((e) => e.test));
    const report = yinYangReport(r);
    expect(report.html).toContain(`reported epoch ${best}`);
    expect((report.json as { selected: unknown }).selected).toEqual(r.selected);
  });

  it('trains with the real-spike margin by default, and without it for marginWeight 0', async () => {
    const a = await runYinYang({ ...small, epochs: 1, seed: 2, select: 'last' });
    const b = await runYinYang({ ...small, epochs: 1, seed: 2, select: 'last', marginWeight: 0 });
    expect(a.settings.marginWeight).toBe(YINYANG_DEFAULTS.marginWeight);
    expect(YINYANG_DEFAULTS.marginWeight).toBeGreaterThan(0);
    // the same initial network: equal accuracies before training; the reported loss holds the margin term
    expect(b.history[0].test!.accuracyOrdinary).toBe(a.history[0].test!.accuracyOrdinary);
    expect(a.history[0].test!.loss).toBeGreaterThan(b.history[0].test!.loss);
    expect(b.history[1].test).not.toEqual(a.history[1].test);
  });

  it('refuses bad settings with coded errors', () => {
    expect(() => yinYangSettings({ select: 'test' as never })).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_RANGE', message: expect.stringContaining('select') }));
    expect(() => yinYangSettings({ marginWeight: -1 })).toThrow(/marginWeight/);
    expect(() => yinYangSettings({ validationSize: 0 })).toThrow(/validationSize/);
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
    const err4 = sink();
    expect(await yinYangCommand(['--select', 'test'], { out: sink().stream, err: err4.stream })).toBe(2);
    expect(err4.text()).toContain('--select must be one of validation, last');
  });

  it('writes the report and the numbers', async () => {
    const out = sink();
    const dir = path.join(tmp, 'r');
    const code = await yinYangCommand(['--epochs', '1', '--train-size', '200', '--test-size', '100', '--validation-size', '100', '--margin-weight', '0.5', '--hidden', '20', '--out', dir, '--quiet'], {
      out: out.stream,
      err: sink().stream,
    });
    expect(code).toBe(0);
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'yinyang.json'), 'utf8'));
    expect(json.settings).toMatchObject({ hidden: 20, trainSize: 200, testSize: 100, validationSize: 100, marginWeight: 0.5, select: 'validation', epochs: 1 });
    expect(json.final).toEqual(json.history[json.selected.epoch].test);
    expect(json.final.samples).toBe(100);
    expect(fs.readFileSync(path.join(dir, 'yinyang.html'), 'utf8')).toContain('<svg');
    expect(fs.existsSync(path.join(dir, 'yinyang-checkpoint.sgm'))).toBe(true);
    expect(out.text()).toMatch(/test accuracy: \d+\.\d\d% real spikes only, \d+\.\d\d% with pseudospikes \(epoch [01], best real-spike validation accuracy/);
  });
});
