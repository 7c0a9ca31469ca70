/** `spikegrad concept`: spike time against weight and input time, QIF versus LIF (paper Fig. 1). */
import { runConcept } from '../../experiments/concept';
import { conceptReport } from '../../experiments/concept.report';
import type { ExperimentCommand } from '../command';

export const concept: ExperimentCommand = {
  name: 'concept',
  summary: 'spike time against weight and input time, QIF versus LIF (paper Fig. 1)',
  description: 'QIF versus LIF: first spike time against an input weight and an inhibitory input time.',
  options: [{ name: 'points', type: 'integer', min: 10, default: 4000, meaning: 'grid intervals per sweep (the paper uses 100000)' }],
  async run(c) {
    const r = runConcept({ points: c.values.points as number });
    const qifTable = r.models.qif.table.filter((x) => Number.isFinite(x.t));
    c.io.out.write(`QIF spike enters the trial at w* = ${r.qifEntryWeight.toFixed(7)}; LIF onset jumps from none to ${r.lifOnset.above.toFixed(6)}\n`);
    c.io.out.write(`QIF: ${qifTable.map((x) => `${x.sweep}=${x.factor}: t=${x.t.toFixed(6)} dt/dp=${x.dtdp.toFixed(4)}`).join('; ')}\n`);
    c.write('concept', conceptReport(r));
    return 0;
  },
};
