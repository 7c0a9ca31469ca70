/** `spikegrad rnn`: recurrent neurons learn target spike trains (Fig. 3). */
import { runRnn } from '../../experiments/rnn';
import { rnnReport } from '../../experiments/rnn.report';
import type { ExperimentCommand } from '../command';

export const rnn: ExperimentCommand = {
  name: 'rnn',
  summary: 'recurrent neurons learn target spike trains (Fig. 3)',
  description: '10 recurrent QIF neurons; 2 learn Poisson target trains (AdaBelief on weights and initial states).\nCtrl-C stops and writes the report of the steps run.',
  options: [
    { name: 'steps', type: 'integer', min: 1, defaultText: '10001; 20001 with --grid', meaning: 'optimiser steps' },
    { name: 'seed', type: 'integer', min: 0, max: 0xffffffff, default: 13, meaning: 'seed of the inputs and targets' },
    { name: 'grid', type: 'boolean', meaning: 'the restricted step-size variant (50 candidate steps per step); writes rnn-grid.html' },
  ],
  async run(c) {
    const grid = c.values.grid === true;
    const steps = (c.values.steps as number | undefined) ?? (grid ? 20001 : 10001);
    const seed = c.values.seed as number;
    if (steps < 1000) c.io.err.write(`note: --steps ${steps} is a short run (the paper takes ${grid ? 20001 : 10001}): expect the outputs to be far from their targets\n`);
    const r = await runRnn({
      steps,
      seed,
      grid,
      signal: c.signal,
      onSnapshot: c.live && ((snap) => c.live!.update(rnnReport(snap, { seed, grid }))),
      onStep: (k, loss) => {
        if ((k + 1) % 1000 === 0) c.say(`step ${k + 1}/${steps} loss ${loss.toExponential(3)}\n`);
        if (c.live && (k + 1) % 50 === 0) c.live.progress(`live: step ${k + 1}/${steps}, loss ${loss.toExponential(3)}`);
      },
    });
    const h = r.history;
    c.io.out.write(`loss ${h[0].loss.toExponential(3)} -> ${h[h.length - 1].loss.toExponential(3)} (factor ${(h[0].loss / h[h.length - 1].loss).toFixed(0)})\n`);
    c.write(grid ? 'rnn-grid' : 'rnn', rnnReport(r, { seed, grid }));
    if (r.stopped) {
      c.io.err.write(`stopped after ${h.length} of ${steps} steps; the report shows them\n`);
      return 130;
    }
    return 0;
  },
};
