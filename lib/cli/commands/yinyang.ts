/** `spikegrad yinyang`: the Yin-Yang task against EventProp (a 5-H-3 spiking network). */
import fs = require('fs');
import path = require('path');
import { runYinYang, YINYANG_DEFAULTS, YINYANG_NEURONS, YINYANG_SELECTIONS, type YinYangNeuron, type YinYangSelection } from '../../experiments/yinyang';
import { yinYangReport } from '../../experiments/yinyang.report';
import { UsageError } from '../options';
import type { ExperimentCommand } from '../command';

const D = YINYANG_DEFAULTS;

export const yinyang: ExperimentCommand = {
  name: 'yinyang',
  summary: 'the Yin-Yang task against EventProp (a 5-200-3 spiking network)',
  description:
    'The Yin-Yang task (Kriener et al. 2022): a 5-H-3 spiking network, latency-coded inputs with a\n' +
    'bias spike, the first-spike cross-entropy with a real-spike margin, and AdaBelief. Reports the\n' +
    'test accuracy of the real spiking network (no pseudospikes deciding) and with pseudospikes\n' +
    '(EventProp: 98.1 +- 0.2%), at the epoch with the best real-spike accuracy on the validation\n' +
    'split (--select last: the last epoch).\n' +
    'Ctrl-C stops after the current batch; the checkpoint is kept (continue with --resume).',
  options: [
    { name: 'neuron', type: 'string', arg: 'MODEL', default: D.neuron, meaning: `neuron model of both layers: ${YINYANG_NEURONS.join(', ')}` },
    { name: 'hidden', type: 'integer', min: 1, max: 100000, default: D.hidden, meaning: 'hidden neurons' },
    { name: 'epochs', type: 'integer', min: 0, max: 1000000, default: D.epochs, meaning: 'epochs to complete' },
    { name: 'batch-size', type: 'integer', min: 1, max: 1000000, arg: 'B', default: D.batchSize, meaning: 'samples per optimiser step' },
    { name: 'lr', type: 'number', min: 1e-9, max: 10, default: D.lr, meaning: 'initial AdaBelief step size' },
    { name: 'lr-decay', type: 'number', min: 1e-3, max: 1e9, default: D.lrDecay, meaning: 'step-size decay time in epochs (lr exp(-epoch / lr-decay))' },
    { name: 'gamma', type: 'number', min: 0, max: 1000, default: D.gamma, meaning: 'weight of the early-spike regulariser' },
    { name: 'margin-weight', type: 'number', min: 0, max: 1000, default: D.marginWeight, meaning: 'weight of the real-spike margin term of the loss (0: off)' },
    { name: 'margin', type: 'number', min: 0, max: 1e6, default: D.margin, meaning: 'the correct output should spike this much before the others and T' },
    { name: 'select', type: 'string', arg: 'HOW', default: D.select, meaning: `reported epoch: ${YINYANG_SELECTIONS.join(' or ')} (best real-spike accuracy on the validation split, or the last)` },
    { name: 'w-scale', type: 'number', min: 1e-6, max: 1e6, default: D.wScale, meaning: 'initial weights ~ U(+-w-scale / sqrt(fan-in))' },
    { name: 't-end', type: 'number', min: 1e-6, max: 1e6, arg: 'T', default: D.T, meaning: 'trial length T' },
    { name: 't-early', type: 'number', min: 0, max: 1e6, default: D.tEarly, meaning: 'input spike time of the value 0' },
    { name: 't-late', type: 'number', min: 0, max: 1e6, default: D.tLate, meaning: 'input spike time of the value 1' },
    { name: 't-bias', type: 'number', min: 0, max: 1e6, default: D.bias, meaning: 'time of the bias spike (input channel 4)' },
    { name: 'train-size', type: 'integer', min: 1, max: 10000000, default: D.trainSize, meaning: 'training points (generated with seed 42)' },
    { name: 'validation-size', type: 'integer', min: 1, max: 10000000, default: D.validationSize, meaning: 'validation points (generated with seed 41) for --select validation' },
    { name: 'test-size', type: 'integer', min: 1, max: 10000000, default: D.testSize, meaning: 'test points (generated with seed 40)' },
    { name: 'seed', type: 'integer', min: 0, max: 0xffffffff, arg: 'S', default: 0, meaning: 'seed of the initial weights and the shuffling' },
    { name: 'threads', type: 'integer', min: 0, arg: 'K', default: 0, defaultText: '0: all cores', meaning: 'native worker threads (results do not depend on it)' },
    { name: 'checkpoint', type: 'string', arg: 'FILE', defaultText: 'OUT/yinyang-checkpoint.sgm', meaning: 'written every epoch and on Ctrl-C' },
    { name: 'resume', type: 'boolean', meaning: 'continue from the checkpoint when it exists (with the same settings)' },
  ],
  async run(c) {
    const v = c.values;
    const neuron = String(v.neuron);
    if (!(YINYANG_NEURONS as readonly string[]).includes(neuron)) throw new UsageError(`--neuron must be one of ${YINYANG_NEURONS.join(', ')} (got ${JSON.stringify(neuron)})`);
    const select = String(v.select);
    if (!(YINYANG_SELECTIONS as readonly string[]).includes(select)) throw new UsageError(`--select must be one of ${YINYANG_SELECTIONS.join(', ')} (got ${JSON.stringify(select)})`);
    fs.mkdirSync(c.out, { recursive: true });
    const checkpoint = typeof v.checkpoint === 'string' ? v.checkpoint : path.join(c.out, 'yinyang-checkpoint.sgm');
    if (v.resume === true && !fs.existsSync(checkpoint)) c.io.err.write(`--resume: there is no checkpoint at ${checkpoint}; starting afresh\n`);
    let r;
    try {
      r = await runYinYang({
        neuron: neuron as YinYangNeuron,
        hidden: v.hidden as number,
        epochs: v.epochs as number,
        batchSize: v['batch-size'] as number,
        lr: v.lr as number,
        lrDecay: v['lr-decay'] as number,
        gamma: v.gamma as number,
        marginWeight: v['margin-weight'] as number,
        margin: v.margin as number,
        select: select as YinYangSelection,
        validationSize: v['validation-size'] as number,
        wScale: v['w-scale'] as number,
        T: v['t-end'] as number,
        tEarly: v['t-early'] as number,
        tLate: v['t-late'] as number,
        bias: v['t-bias'] as number,
        trainSize: v['train-size'] as number,
        testSize: v['test-size'] as number,
        seed: v.seed as number,
        threads: v.threads as number,
        checkpoint,
        resume: v.resume === true,
        signal: c.signal,
        // On a terminal a redrawn line; in logs (not a TTY) one plain line every 5 s.
        progress: c.quiet ? false : { stream: c.io.err },
        onSnapshot: c.live && ((snap) => c.live!.update(yinYangReport(snap))),
        onEpoch: (e) => {
          if (!e.test) return;
          const val = e.validation ? `, validation ${e.validation.accuracyOrdinary!.toFixed(4)} real spikes` : '';
          c.say(`epoch ${e.epoch}: test accuracy ${e.test.accuracyOrdinary!.toFixed(4)} real spikes (${e.test.accuracy!.toFixed(4)} with pseudospikes), loss ${e.test.loss.toFixed(4)}${val}\n`);
        },
      });
    } catch (err) {
      // Stopped before the first evaluation: nothing to report yet.
      if ((err as { code?: string }).code !== 'ABORT_ERR') throw err;
      c.io.err.write(`stopped; the checkpoint ${checkpoint} is written: continue with --resume\n`);
      return 130;
    }
    if (r.stopped) {
      // Ctrl-C: the report of what has run, and the checkpoint to continue from.
      c.write('yinyang', yinYangReport(r));
      c.io.err.write(`stopped after epoch ${r.stopped.epoch}, batch ${r.stopped.batchInEpoch}; the checkpoint ${checkpoint} is written: continue with --resume\n`);
      return 130;
    }
    const f = r.final;
    const which = r.selected.validation ? `epoch ${r.selected.epoch}, best real-spike validation accuracy ${(100 * r.selected.validation.accuracyOrdinary!).toFixed(2)}%` : `epoch ${r.selected.epoch}`;
    c.io.out.write(`test accuracy: ${(100 * f.accuracyOrdinary!).toFixed(2)}% real spikes only, ${(100 * f.accuracy!).toFixed(2)}% with pseudospikes (${which}); ${r.seconds.toFixed(1)} s\n`);
    c.write('yinyang', yinYangReport(r));
    return 0;
  },
};
