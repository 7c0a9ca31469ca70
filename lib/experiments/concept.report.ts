/** The concept experiment's HTML report and JSON numbers. */
import { figure, grid, htmlReport, PALETTE } from '../report';
import { CONCEPT_MODELS, conceptTrace, type ConceptResult } from './concept';
import { clip, thin } from './plots';

/** Values of method.md appendix A.2 (reference implementation) for comparison. */
export const CONCEPT_REFERENCE: Record<'qif' | 'lif', { sweep: 'w' | 't'; factor: number; t: number | null; dtdp: number | null }[]> = {
  qif: [
    { sweep: 'w', factor: 0.95, t: null, dtdp: null },
    { sweep: 'w', factor: 1.0001, t: null, dtdp: null },
    { sweep: 'w', factor: 1.01, t: null, dtdp: null },
    { sweep: 'w', factor: 1.15, t: 3.195699, dtdp: -2.4345 },
    { sweep: 'w', factor: 1.5, t: 2.195522, dtdp: -0.6011 },
    { sweep: 'w', factor: 2.0, t: 1.727947, dtdp: -0.2446 },
    { sweep: 't', factor: 0.5, t: null, dtdp: null },
    { sweep: 't', factor: 0.62, t: 3.317656, dtdp: -10.1 },
    { sweep: 't', factor: 1.4, t: 2.195522, dtdp: 0 },
  ],
  lif: [
    { sweep: 'w', factor: 0.95, t: null, dtdp: null },
    { sweep: 'w', factor: 1.0001, t: 1.183197, dtdp: -12.37 },
    { sweep: 'w', factor: 1.01, t: 1.098288, dtdp: -1.12 },
    { sweep: 'w', factor: 1.15, t: 0.884812, dtdp: -0.1923 },
    { sweep: 'w', factor: 1.4, t: 0.764928, dtdp: -0.0778 },
    { sweep: 't', factor: 0.8, t: null, dtdp: null },
    { sweep: 't', factor: 1.5, t: 0.764928, dtdp: 0 },
    { sweep: 't', factor: 3.0, t: 0.764928, dtdp: 0 },
  ],
};

export function conceptReport(r: ConceptResult): { html: string; json: unknown } {
  const q = r.models.qif;
  const l = r.models.lif;
  const examples = (key: 'qif' | 'lif') => {
    const m = CONCEPT_MODELS[key];
    const fV = figure({ title: `${key.toUpperCase()}: voltage for input weights w = c w_min`, xlabel: 't / tau', ylabel: 'V', xlim: [0, m.T], ylim: key === 'qif' ? [-3, 5] : [-0.2, 1.3], legend: 'upper right' });
    const fI = figure({ title: `${key.toUpperCase()}: input current`, xlabel: 't / tau', ylabel: 'I', xlim: [0, m.T], legend: 'upper right', height: 220 });
    m.exampleW.forEach((c, k) => {
      const tr = conceptTrace(m, [[0.5, c * m.wMin]]);
      fV.line(tr.times, clip(tr.V, -10, 10), { color: PALETTE[k], label: `c = ${c}` });
      fI.line(tr.times, tr.I, { color: PALETTE[k], label: `c = ${c}` });
    });
    if (key === 'qif') {
      fV.hline(0, { dash: 'dotted', label: 'V_rest = 0' }).hline(1, { dash: 'dashed', label: 'V_sep = 1' });
    } else {
      fV.hline(1, { dash: 'dashed', label: 'threshold' });
    }
    return [fV.render(), fI.render()];
  };
  const sweepW = figure({ title: 'First spike time against input weight', xlabel: 'w / (2 w_min)', ylabel: 't_spike / T', xlim: [0, 1], ylim: [0, 1.6], legend: 'upper right' });
  sweepW.hspan(1, 1.6, { label: 'after the trial (pseudospike)' });
  sweepW.line(thin(q.varyW.map((p) => p.p / (2 * q.settings.wMin))), thin(q.varyW.map((p) => p.merged / q.settings.T)), { color: PALETTE[0], dash: 'dashed', label: 'QIF merged (pseudo) time' });
  sweepW.line(thin(q.varyW.map((p) => p.p / (2 * q.settings.wMin))), thin(q.varyW.map((p) => p.t / q.settings.T)), { color: PALETTE[0], width: 2.5, label: 'QIF spike' });
  sweepW.line(thin(l.varyW.map((p) => p.p / (2 * l.settings.wMin))), thin(l.varyW.map((p) => p.t / l.settings.T)), { color: PALETTE[1], width: 2.5, label: 'LIF spike' });
  const sweepT = figure({ title: 'First spike time against inhibitory input time', xlabel: 't_in / T', ylabel: 't_spike / T', xlim: [0, 1], ylim: [0, 1.6], legend: 'upper right' });
  sweepT.hspan(1, 1.6, { label: 'after the trial' });
  sweepT.line(thin(q.varyT.map((p) => p.p / q.settings.T)), thin(q.varyT.map((p) => p.merged / q.settings.T)), { color: PALETTE[0], dash: 'dashed', label: 'QIF merged (pseudo) time' });
  sweepT.line(thin(q.varyT.map((p) => p.p / q.settings.T)), thin(q.varyT.map((p) => p.t / q.settings.T)), { color: PALETTE[0], width: 2.5, label: 'QIF spike' });
  sweepT.line(thin(l.varyT.map((p) => p.p / l.settings.T)), thin(l.varyT.map((p) => p.t / l.settings.T)), { color: PALETTE[1], width: 2.5, label: 'LIF spike' });
  // |dt/dw| on a log scale: the LIF derivative diverges at its onset (w -> w_min), the QIF one stays
  // finite where its spike enters the trial; on a linear axis both would be squashed against 0.
  const absDeriv = (points: typeof q.varyW, wMin: number) => {
    const xs: number[] = [];
    const ys: number[] = [];
    for (const p of points) {
      if (!Number.isFinite(p.dtdp) || p.dtdp === 0 || !Number.isFinite(p.t)) continue;
      xs.push(p.p / wMin);
      ys.push(Math.abs(p.dtdp));
    }
    return { xs: thin(xs), ys: thin(ys) };
  };
  const inset = figure({ title: '|d t_spike / d w| for spikes inside the trial (log scale)', xlabel: 'w / w_min', ylabel: '|d t / d w|', xlim: [1, 2], yscale: 'log', legend: 'upper right' });
  const dq = absDeriv(q.varyW, q.settings.wMin);
  const dl = absDeriv(l.varyW, l.settings.wMin);
  inset.line(dq.xs, dq.ys, { color: PALETTE[0], width: 2.5, label: 'QIF: finite where the spike enters the trial' });
  inset.line(dl.xs, dl.ys, { color: PALETTE[1], width: 2.5, label: 'LIF: diverges at its onset w = w_min' });
  const entry = r.qifEntryWeight / q.settings.wMin;
  inset.vline(entry, { dash: 'dotted', color: PALETTE[0], label: `QIF entry w* = ${entry.toFixed(4)} w_min` });
  const rows: (string | number)[][] = [];
  for (const key of ['qif', 'lif'] as const) {
    r.models[key].table.forEach((row, k) => {
      const ref = CONCEPT_REFERENCE[key][k];
      rows.push([
        key.toUpperCase(),
        row.sweep === 'w' ? `w = ${row.factor} w_min` : `t_in = ${row.factor} t_exc_only`,
        Number.isFinite(row.t) ? row.t : 'no spike',
        ref.t === null ? 'no spike' : ref.t,
        Number.isFinite(row.dtdp) ? row.dtdp : '—',
        ref.dtdp === null ? '—' : ref.dtdp,
      ]);
    });
  }
  const html = htmlReport({
    title: 'Concept: spikes appear and vanish only at the trial end',
    subtitle: 'A QIF neuron (tau_m = 2 tau_s) against a LIF neuron: first spike time against an input weight and against the time of an inhibitory input (Klos & Memmesheimer 2025, Fig. 1)',
    sections: [
      {
        heading: 'Example dynamics',
        text: 'One excitatory input at t = 0.5 with weight w = c w_min. The QIF voltage blows up to +infinity at a spike and resets to -infinity; the LIF neuron spikes at a finite threshold.',
        figures: [grid([...examples('qif'), ...examples('lif')], 2)],
      },
      {
        heading: 'Spike time as a function of the parameters',
        text:
          `The QIF spike enters the trial continuously through T (at w* = ${r.qifEntryWeight.toFixed(7)} = ${(r.qifEntryWeight / q.settings.wMin).toFixed(5)} w_min), and its merged output (the pseudospike beyond T) is continuous in w and t_in. ` +
          `The LIF spike appears mid-trial: from none to t = ${r.lifOnset.above.toFixed(4)} at w = w_min, with a diverging derivative.`,
        figures: [grid([sweepW.render(), sweepT.render(), inset.render()], 2)],
      },
      {
        heading: 'Reference values (method.md appendix A.2)',
        table: { columns: ['model', 'point', 't_spike', 'reference', 'd t / d p', 'reference'], rows, digits: 6 },
      },
    ],
    footer: 'spikegrad concept experiment',
  });
  const json = {
    qifEntryWeight: r.qifEntryWeight,
    lifOnset: r.lifOnset,
    tables: { qif: q.table, lif: l.table },
    reference: CONCEPT_REFERENCE,
    sweeps: { qif: { varyW: q.varyW, varyT: q.varyT }, lif: { varyW: l.varyW, varyT: l.varyT } },
  };
  return { html, json };
}
