/** The Yin-Yang experiment's HTML report and JSON numbers. */
import { figure, grid, htmlReport, PALETTE } from '../report';
import { YIN_YANG_CLASSES } from '../data/yinyang';
import type { YinYangResult } from './yinyang';

const CLASS_COLOURS = [PALETTE[0], PALETTE[1], PALETTE[2]];

function squareFigure(title: string, side: number, classes: readonly number[], points?: { x: number[]; y: number[]; wrong: boolean[] }): string {
  const f = figure({ title, xlabel: 'x', ylabel: 'y', xlim: [0, 1], ylim: [0, 1], width: 380, height: 380, legend: 'upper right' });
  for (let c = 0; c < 3; c++) {
    const xs: number[] = [];
    const ys: number[] = [];
    classes.forEach((k, n) => {
      if (k !== c) return;
      xs.push(((n % side) + 0.5) / side);
      ys.push((Math.floor(n / side) + 0.5) / side);
    });
    f.scatter(xs, ys, { color: CLASS_COLOURS[c], size: 5.5, opacity: 0.8, label: YIN_YANG_CLASSES[c] });
  }
  if (points) {
    const xs = points.x.filter((_, k) => points.wrong[k]);
    const ys = points.y.filter((_, k) => points.wrong[k]);
    if (xs.length > 0) f.scatter(xs, ys, { color: '#000000', size: 4, label: 'misclassified test points' });
  }
  return f.render();
}

export function yinYangReport(r: YinYangResult): { html: string; json: unknown } {
  const s = r.settings;
  const tested = r.history.filter((e) => e.test !== undefined);
  const acc = figure({ title: 'Test accuracy', xlabel: 'epoch', ylabel: 'accuracy', ylim: [0, 1], legend: 'lower right', gridlines: true });
  const ep = tested.map((e) => e.epoch);
  acc.line(ep, tested.map((e) => e.test!.accuracy!), { color: PALETTE[0], width: 2, label: 'with pseudospikes' });
  acc.line(ep, tested.map((e) => e.test!.accuracyOrdinary!), { color: PALETTE[1], width: 2, label: 'real spikes only' });
  const validated = tested.filter((e) => e.validation !== undefined);
  if (validated.length > 0) {
    acc.line(validated.map((e) => e.epoch), validated.map((e) => e.validation!.accuracyOrdinary!), { color: PALETTE[3], dash: 'dashed', label: 'validation, real spikes only' });
    acc.vline(r.selected.epoch, { dash: 'dotted', color: PALETTE[1], label: `reported epoch ${r.selected.epoch}` });
  }
  acc.hline(0.981, { dash: 'dotted', color: '#999999', label: 'EventProp 98.1%' });
  const loss = figure({ title: 'Loss', xlabel: 'epoch', ylabel: 'loss', yscale: 'log', legend: 'upper right' });
  const trained = tested.filter((e) => e.trainLoss !== undefined);
  loss.line(trained.map((e) => e.epoch), trained.map((e) => e.trainLoss!), { color: PALETTE[2], label: 'training (with pseudospikes)' });
  loss.line(ep, tested.map((e) => e.test!.loss), { color: PALETTE[0], label: 'test (with pseudospikes)' });
  const wrong = r.test.label.map((y, k) => y !== r.test.predicted[k]);
  const maps = grid(
    [squareFigure('Predicted class (real spikes only)', r.map.side, r.map.predicted, { x: r.test.x, y: r.test.y, wrong }), squareFigure('Truth', r.map.side, r.map.truth)],
    2,
    { letters: ['(a)', '(b)'] },
  );
  const f = r.final;
  const html = htmlReport({
    title: 'Yin-Yang: a small spiking network against EventProp',
    subtitle: `${r.stopped ? `Stopped (Ctrl-C) after ${r.stopped.epoch} epoch${r.stopped.epoch === 1 ? '' : 's'}${r.stopped.batchInEpoch > 0 ? ` and ${r.stopped.batchInEpoch} batches of the next` : ''}: the run so far. ` : ''}5-${s.hidden}-3 ${s.neuron} neurons, latency-coded inputs with a bias spike, first-spike cross-entropy${s.marginWeight > 0 ? ` with a real-spike margin (${s.marginWeight} x ${s.margin})` : ''}, AdaBelief (Kriener et al. 2022 data set)`,
    sections: [
      {
        heading: 'Result',
        table: {
          columns: ['metric', 'value'],
          rows: [
            ['test accuracy, real spikes only', f.accuracyOrdinary!],
            ['test accuracy with pseudospikes', f.accuracy!],
            ['reported epoch', r.selected.validation ? `${r.selected.epoch} (best real-spike validation accuracy, ${r.selected.validation.accuracyOrdinary!.toFixed(4)})` : `${r.selected.epoch} (the last)`],
            ['last epoch: test accuracy, real spikes / with pseudospikes', `${r.last.accuracyOrdinary!.toFixed(4)} / ${r.last.accuracy!.toFixed(4)}`],
            ['test loss (with / without pseudospikes)', `${f.loss.toFixed(4)} / ${f.lossOrdinary.toFixed(4)}`],
            ['spikes per hidden neuron per sample', f.activity],
            ['silent hidden neurons (fraction)', f.silent],
            ['training / test samples', `${s.trainSize} / ${s.testSize}`],
            ['wall time (s)', r.seconds],
          ],
          digits: 4,
        },
      },
      {
        heading: 'Settings',
        table: { columns: ['setting', 'value'], rows: Object.entries(s).map(([k, v]) => [k, String(v)]) },
      },
      { heading: 'The unit square coloured by predicted class, beside the truth', figures: [maps] },
      { heading: 'Training', figures: [grid([acc.render(), loss.render()], 2)] },
      {
        heading: 'Per epoch',
        table: {
          columns: ['epoch', 'train loss', 'test acc', 'test acc (real spikes)', 'validation acc (real spikes)', 'loss', 'activity', 'silent', 'seconds'],
          rows: tested.map((e) => [e.epoch, e.trainLoss ?? '—', e.test!.accuracy!, e.test!.accuracyOrdinary!, e.validation?.accuracyOrdinary ?? '—', e.test!.loss, e.test!.activity, e.test!.silent, e.seconds]),
          digits: 4,
        },
      },
    ],
    footer: 'spikegrad Yin-Yang experiment',
  });
  const json = { settings: s, final: r.final, selected: r.selected, last: r.last, seconds: r.seconds, history: r.history, ...(r.stopped ? { stopped: r.stopped } : {}) };
  return { html, json };
}
