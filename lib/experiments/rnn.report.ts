/** The recurrent-network experiment's HTML report and JSON numbers. */
import { figure, grid, htmlReport, PALETTE, spikeRaster } from '../report';
import type { RnnResult } from './rnn';
import { arcLength, movingAverage, thin } from './plots';

export function rnnReport(r: RnnResult, options: { seed: number; grid: boolean }): { html: string; json: unknown } {
  const h = r.history;
  const first = h[0];
  const last = h[h.length - 1];
  const N = 10;
  const targets = { times: r.targets.flat(), neurons: r.targets.flatMap((train, i) => train.map(() => i)) };
  const groups = [
    { name: 'trained', size: r.targets.length },
    { name: 'free', size: N - r.targets.length },
  ];
  const raster = (title: string, spikes: { times: number[]; neurons: number[] }) => spikeRaster(spikes, { T: r.T, neurons: N, groups, targets, title, width: 900 });
  const rasters = [
    raster('Before training', r.before),
    raster(`After ${h.length - 1} steps`, r.after),
    raster('After training, learned input onto neurons 2-9 removed', r.withoutRecurrence),
  ];
  const steps = h.map((_, k) => k + 1);
  const offsets = [0, r.slots[0]];
  const timesFig = (i: number) => {
    const f = figure({ title: `Neuron ${i}: output times over training`, xlabel: 'step + 1', ylabel: 't / tau', xscale: 'log', ylim: [0, 1.3 * r.T], legend: 'upper left' });
    f.hspan(r.T, 1.3 * r.T, { label: 'pseudospikes (t > T)' });
    for (let n = 0; n < r.slots[i]; n++) {
      const sentinel = n === r.slots[i] - 1;
      f.line(thin(steps), thin(h.map((x) => x.times[offsets[i] + n])), { color: sentinel ? '#000000' : PALETTE[n % PALETTE.length], width: 1.5 });
    }
    r.targets[i].forEach((t) => f.hline(t, { dash: 'dotted', color: '#666666' }));
    return f.render();
  };
  const arc = arcLength(h.map((x) => x.times));
  const arcFig = (i: number) => {
    const f = figure({ title: `Neuron ${i}: output times against arc length`, xlabel: 'arc length', ylabel: 't / tau', ylim: [0, 1.3 * r.T], legend: false });
    f.hspan(r.T, 1.3 * r.T);
    for (let n = 0; n < r.slots[i]; n++) {
      const sentinel = n === r.slots[i] - 1;
      f.line(thin(arc), thin(movingAverage(h.map((x) => x.times[offsets[i] + n]), 11)), { color: sentinel ? '#000000' : PALETTE[n % PALETTE.length] });
    }
    return f.render();
  };
  const lossFig = figure({ title: 'Loss', xlabel: 'step + 1', ylabel: 'L', xscale: 'log', yscale: 'log', legend: false });
  lossFig.line(thin(steps), thin(h.map((x) => x.loss)), { color: PALETTE[0], width: 2 });
  const rows: (string | number)[][] = [];
  r.targets.forEach((train, i) => {
    train.forEach((t, n) => rows.push([i, n + 1, t, last.times[offsets[i] + n], last.isPseudo[offsets[i] + n] ? 'pseudo' : 'spike']));
    rows.push([i, 'sentinel', 1.1 * r.T, last.times[offsets[i] + train.length], last.isPseudo[offsets[i] + train.length] ? 'pseudo' : 'spike']);
  });
  const html = htmlReport({
    title: `Recurrent network: two neurons learn target spike trains${options.grid ? ' (restricted step size)' : ''}`,
    subtitle: `${r.stopped ? `Stopped (Ctrl-C) after ${r.history.length} steps: the run so far. ` : ''}10 recurrent QIF neurons with private Poisson inputs; recurrent weights and initial states trained with AdaBelief (Klos & Memmesheimer 2025, Fig. 3)`,
    sections: [
      {
        heading: 'Result',
        text: `The loss fell from ${first.loss.toExponential(3)} to ${last.loss.toExponential(3)} (a factor of ${(first.loss / last.loss).toFixed(0)}) in ${h.length} steps.` + (options.grid ? ` Steps whose outputs moved by more than 0.5: ${r.largeChanges}.` : ''),
        table: { columns: ['neuron', 'slot', 'target', 'learned', 'kind'], rows, digits: 5 },
      },
      { heading: 'Spike rasters', text: 'Every spike of the 10 neurons; neurons 0 and 1 are trained to the target spikes (orange discs), neurons 2-9 are free.', figures: [grid(rasters, 1)] },
      { heading: 'Learning', text: 'Output times of the two trained neurons over the steps (dotted: the target times; black: the sentinel slot, which stays a pseudospike after T) and against the arc length of the path of all output times (moving average over 11 steps).', figures: [grid([timesFig(0), timesFig(1), arcFig(0), arcFig(1), lossFig.render()], 2)] },
    ],
    footer: `spikegrad RNN experiment, seed ${options.seed}`,
  });
  const json = {
    seed: options.seed,
    grid: options.grid,
    T: r.T,
    targets: r.targets,
    slots: r.slots,
    lossInitial: first.loss,
    lossFinal: last.loss,
    lossRatio: first.loss / last.loss,
    finalTimes: last.times,
    largeChanges: r.largeChanges,
    rasters: { before: r.before, after: r.after, withoutRecurrence: r.withoutRecurrence },
    history: { loss: h.map((x) => x.loss), times: thin(h.map((x) => x.times), 2001) },
  };
  return { html, json };
}
