/** The MNIST experiment's HTML report and JSON numbers. */
import { figure, grid, htmlReport, PALETTE } from '../report';
import type { MnistResult } from './mnist';
import { clip, imageSvg, rasterFigure } from './plots';

export function mnistReport(r: MnistResult, dataLabel: string): { html: string; json: unknown } {
  const tested = r.history.filter((e) => e.test !== undefined);
  const done = r.history.length > 0 ? r.history[r.history.length - 1].epoch : 0;
  const layerLines = (f: ReturnType<typeof figure>) => {
    f.hline(99.5, { dash: 'dotted', color: '#999999' }).hline(199.5, { dash: 'dotted', color: '#999999' });
  };
  const rasters = [rasterFigure('Before training (epoch 0)', r.rasterBefore, 2, 210, layerLines), rasterFigure(`After ${done} epoch${done === 1 ? '' : 's'}`, r.rasterAfter, 2, 210, layerLines)];
  const traces = figure({ title: 'Output neurons after training: V = iPhi(phi)', xlabel: 't', ylabel: 'V', xlim: [0, 2], ylim: [-5, 5], legend: 'lower right' });
  r.traces.V.forEach((v, q) => traces.line(r.traces.times, clip(v, -10, 10), { color: q === r.example.label ? PALETTE[3] : '#9a9a9a', width: q === r.example.label ? 2.5 : 1, label: q === r.example.label ? `digit ${q} (label)` : q === 0 ? 'other digits' : undefined }));
  const err = figure({ title: 'Test error', xlabel: 'epoch + 1', ylabel: 'error', xscale: 'log', yscale: 'log', legend: 'upper right' });
  const ep = tested.map((e) => e.epoch + 1);
  err.line(ep, tested.map((e) => Math.max(1 - e.test!.accuracy!, 1e-4)), { color: PALETTE[0], width: 2, label: 'with pseudospikes' });
  err.line(ep, tested.map((e) => Math.max(1 - e.test!.accuracyOrdinary!, 1e-4)), { color: PALETTE[1], width: 2, label: 'real spikes only' });
  const act = figure({ title: 'Activity', xlabel: 'epoch', ylabel: 'spikes per hidden neuron / silent fraction', legend: 'right' });
  act.line(tested.map((e) => e.epoch), tested.map((e) => e.test!.activity), { color: PALETTE[0], label: 'activity' });
  act.line(tested.map((e) => e.epoch), tested.map((e) => e.test!.activityFirst), { color: PALETTE[2], label: 'before first output spike' });
  act.line(tested.map((e) => e.epoch), tested.map((e) => e.test!.silent), { color: PALETTE[1], label: 'silent fraction' });
  const f = r.final;
  const html = htmlReport({
    title: 'MNIST: a deep, initially silent theta-neuron network',
    subtitle: `${r.stopped ? `Stopped (Ctrl-C) after ${r.stopped.epoch} epoch${r.stopped.epoch === 1 ? '' : 's'}${r.stopped.batchInEpoch > 0 ? ` and ${r.stopped.batchInEpoch} batches of the next` : ''}: the run so far. ` : ''}784-100-100-10 theta neurons, time-to-first-spike coding, first-spike cross-entropy, AdaBelief; ${dataLabel} (Klos & Memmesheimer 2025, Fig. 4)`,
    sections: [
      {
        heading: 'Result',
        table: {
          columns: ['metric', 'value'],
          rows: [
            ['data', dataLabel],
            ['training / test samples', `${r.settings.trainSize} / ${r.settings.testSize}`],
            ['epochs done (of), batch size, seed', `${done} (${r.settings.epochs}), ${r.settings.batchSize}, ${r.settings.seed}`],
            ['test accuracy with pseudospikes', f.accuracy!],
            ['test accuracy, real spikes only', f.accuracyOrdinary!],
            ['test loss (with / without pseudospikes)', `${f.loss.toFixed(4)} / ${f.lossOrdinary.toFixed(4)}`],
            ['spikes per hidden neuron per sample', f.activity],
            ['... before the first output spike', f.activityFirst],
            ['silent hidden neurons (fraction)', f.silent],
            ['wall time of this run (s)', r.seconds],
            ...(r.resumedFrom ? [['training wall time over all runs (s)', r.totalSeconds] as [string, number], ['resumed at epoch, batch', `${r.resumedFrom.epoch}, ${r.resumedFrom.batchInEpoch}`] as [string, string]] : []),
          ],
          digits: 4,
        },
      },
      { heading: `Spike rasters for test image #2 (label ${r.example.label})`, figures: [grid([imageSvg(r.example.pixels), ...rasters], 3, { letters: ['image', '(a)', '(b)'] }), traces.render()] },
      { heading: 'Training', figures: [grid([err.render(), act.render()], 2)] },
      {
        heading: 'Per epoch',
        table: {
          columns: ['epoch', 'train loss', 'test acc', 'test acc (real spikes)', 'loss', 'loss (real)', 'activity', 'silent', 'seconds'],
          rows: tested.map((e) => [e.epoch, e.trainLoss ?? '—', e.test!.accuracy!, e.test!.accuracyOrdinary!, e.test!.loss, e.test!.lossOrdinary, e.test!.activity, e.test!.silent, e.seconds]),
          digits: 4,
        },
      },
    ],
    footer: 'spikegrad MNIST experiment',
  });
  const json = { data: dataLabel, settings: r.settings, final: r.final, seconds: r.seconds, totalSeconds: r.totalSeconds, resumedFrom: r.resumedFrom, stopped: r.stopped, history: r.history, example: { label: r.example.label, rasterBefore: r.rasterBefore, rasterAfter: r.rasterAfter } };
  return { html, json };
}
