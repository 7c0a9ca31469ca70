/** The MNIST experiment's HTML report and JSON numbers. */
import { figure, grid, htmlReport, PALETTE, spikeRaster } from '../report';
import type { MnistResult } from './mnist';
import { imageSvg, voltageTrace } from './plots';
import { CLASS_NAMES } from '../data/classes';
import type { DatasetName } from '../data/sources';

/** The dataset the class names are those of ('MNIST' for digits), for the report's title. */
export function datasetTitle(classes: readonly string[]): string {
  const titles: Record<DatasetName, string> = { mnist: 'MNIST', 'fashion-mnist': 'Fashion-MNIST', kmnist: 'KMNIST' };
  for (const [name, names] of Object.entries(CLASS_NAMES) as [DatasetName, readonly string[]][]) {
    if (names.length === classes.length && names.every((c, q) => c === classes[q])) return titles[name];
  }
  return classes.every((c, q) => c === String(q)) ? 'MNIST' : 'Image classification';
}

export function mnistReport(r: MnistResult, dataLabel: string): { html: string; json: unknown } {
  const tested = r.history.filter((e) => e.test !== undefined);
  const done = r.history.length > 0 ? r.history[r.history.length - 1].epoch : 0;
  const groups = [
    { name: 'hidden 1', size: 100 },
    { name: 'hidden 2', size: 100 },
    { name: 'output', size: 10 },
  ];
  const ex = r.example;
  const names = ex.classes;
  const name = (q: number) => (names[q] === String(q) ? `digit ${q}` : `${q} ${names[q]}`);
  const rasters = [
    spikeRaster(r.rasterBefore, { T: 2, groups, title: 'Spikes before training (epoch 0)', width: 900 }),
    spikeRaster(r.rasterAfter, { T: 2, groups, title: `Spikes after ${done} epoch${done === 1 ? '' : 's'}`, width: 900 }),
  ];
  const correct = ex.prediction === ex.label;
  const traces = figure({
    title: `Output neurons after ${done} epoch${done === 1 ? '' : 's'}: V = iPhi(phi)`,
    xlabel: 't',
    ylabel: 'V',
    xlim: [0, 2],
    ylim: [-5, 5],
    legend: 'lower left',
    width: 900,
    height: 380,
    fontSize: 13,
  });
  let othersLabelled = false;
  r.traces.V.forEach((v, q) => {
    if (q === ex.prediction || q === ex.label) return;
    const tr = voltageTrace(r.traces.times, v);
    traces.line(tr.xs, tr.ys, { color: '#a8b1ba', width: 1, label: othersLabelled ? undefined : 'other outputs' });
    othersLabelled = true;
  });
  const ofLabel = voltageTrace(r.traces.times, r.traces.V[ex.label]);
  const ofPrediction = voltageTrace(r.traces.times, r.traces.V[ex.prediction]);
  if (!correct) traces.line(ofLabel.xs, ofLabel.ys, { color: PALETTE[3], width: 2.5, dash: 'dashed', label: `label: ${name(ex.label)}` });
  traces.line(ofPrediction.xs, ofPrediction.ys, {
    color: PALETTE[0],
    width: 3,
    label: `${correct ? 'label = prediction' : 'prediction'}: ${name(ex.prediction)}${ex.predictionPseudo ? ' (pseudo)' : ''}`,
  });
  const tOut = ex.outputTimes[ex.prediction];
  if (Number.isFinite(tOut) && tOut <= 2) traces.vline(tOut, { dash: 'dotted', color: PALETTE[0], label: `first output spike` });
  const exampleText =
    `Label: ${name(ex.label)}. Prediction (the earliest output spike decides): ${name(ex.prediction)}, ` +
    (ex.predictionPseudo ? `a pseudospike at t = ${tOut.toFixed(3)} (no output neuron spiked within the trial), ` : `a real spike at t = ${Number.isFinite(tOut) ? tOut.toFixed(3) : '?'}, `) +
    `${correct ? 'correct' : 'wrong'}. The rasters show every spike of the ${groups.map((g) => `${g.size} ${g.name}`).join(', ')} neurons (rows from the bottom).`;
  const err = figure({ title: 'Test error', xlabel: 'epoch + 1', ylabel: 'error', xscale: 'log', yscale: 'log', legend: 'upper right' });
  const ep = tested.map((e) => e.epoch + 1);
  err.line(ep, tested.map((e) => Math.max(1 - e.test!.accuracy!, 1e-4)), { color: PALETTE[0], width: 2, label: 'with pseudospikes' });
  err.line(ep, tested.map((e) => Math.max(1 - e.test!.accuracyOrdinary!, 1e-4)), { color: PALETTE[1], width: 2, label: 'real spikes only' });
  const act = figure({ title: 'Activity', xlabel: 'epoch', ylabel: 'spikes per hidden neuron / silent fraction', legend: 'best' });
  act.line(tested.map((e) => e.epoch), tested.map((e) => e.test!.activity), { color: PALETTE[0], width: 2, label: 'activity (spikes per hidden neuron)' });
  act.line(tested.map((e) => e.epoch), tested.map((e) => e.test!.activityFirst), { color: PALETTE[0], dash: 'dashed', label: 'activity before the first output spike' });
  act.line(tested.map((e) => e.epoch), tested.map((e) => e.test!.silent), { color: PALETTE[1], width: 2, label: 'silent fraction of hidden neurons' });
  const f = r.final;
  const html = htmlReport({
    title: `${datasetTitle(names)}: a deep, initially silent theta-neuron network`,
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
      { heading: `Test image #2: ${name(ex.label)}, predicted ${name(ex.prediction)}`, text: exampleText, figures: [grid([imageSvg(ex.pixels, 28, 5), traces.render(), ...rasters], 1, { letters: ['the image', '(a)', '(b)', '(c)'] })] },
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
  const json = { data: dataLabel, settings: r.settings, final: r.final, seconds: r.seconds, totalSeconds: r.totalSeconds, resumedFrom: r.resumedFrom, stopped: r.stopped, history: r.history, example: { label: r.example.label, prediction: r.example.prediction, predictionPseudo: r.example.predictionPseudo, outputTimes: r.example.outputTimes, rasterBefore: r.rasterBefore, rasterAfter: r.rasterAfter } };
  return { html, json };
}
