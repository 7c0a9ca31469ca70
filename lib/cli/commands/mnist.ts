/** `spikegrad mnist`: the deep, initially silent theta network on MNIST digits (Fig. 4). */
import fs = require('fs');
import path = require('path');
import { bundledSplit, runMnist } from '../../experiments/mnist';
import { mnistReport } from '../../experiments/mnist.report';
import { loadIdxDataset } from '../../data/idx';
import { classNamesOf } from '../../data/classes';
import type { ExperimentCommand } from '../command';

export const mnist: ExperimentCommand = {
  name: 'mnist',
  summary: 'the deep, initially silent theta network on MNIST digits (Fig. 4)',
  description:
    'The deep, initially silent 784-100-100-10 theta network of the paper.\n' +
    'Train on the 10,000 bundled digits (a held-out split) or on an MNIST-layout IDX folder\n' +
    '(MNIST, Fashion-MNIST, KMNIST; spikegrad data NAME --out DIR downloads one).',
  options: [
    { name: 'data', type: 'string', arg: 'DIR', defaultText: 'the 10,000 bundled digits with a held-out split', meaning: 'an MNIST-layout IDX folder' },
    { name: 'epochs', type: 'integer', min: 0, default: 100, meaning: 'epochs to complete (a resumed run continues its count)' },
    { name: 'batch-size', type: 'integer', min: 1, arg: 'B', default: 1000, meaning: 'samples per optimiser step' },
    { name: 'seed', type: 'integer', min: 0, max: 0xffffffff, arg: 'S', default: 0, meaning: 'seed of the initial weights, the shuffling, the augmentation and the bundled split' },
    { name: 'threads', type: 'integer', min: 0, arg: 'K', default: 0, defaultText: '0: all cores', meaning: 'native worker threads (results do not depend on it)' },
    { name: 'samples', type: 'integer', min: 10, max: 10000, default: 10000, meaning: 'bundled digits to use (without --data)' },
    { name: 'test-fraction', type: 'number', min: 0.01, max: 0.9, arg: 'F', default: 0.2, meaning: 'held-out fraction of the bundled digits (without --data)' },
    { name: 'checkpoint', type: 'string', arg: 'FILE', defaultText: 'OUT/mnist-checkpoint.json', meaning: 'written every epoch and on Ctrl-C' },
    { name: 'resume', type: 'boolean', meaning: 'continue from the checkpoint when it exists' },
  ],
  async run(c) {
    const v = c.values;
    const epochs = v.epochs as number;
    const batchSize = v['batch-size'] as number;
    const seed = v.seed as number;
    let data;
    let label: string;
    if (typeof v.data === 'string') {
      data = loadIdxDataset(v.data);
      label = `IDX dataset ${path.basename(path.resolve(v.data))} (${data.train.size} training / ${data.test.size} test images)`;
    } else {
      const fraction = v['test-fraction'] as number;
      const samples = v.samples as number;
      data = bundledSplit(fraction, seed, samples);
      label = `bundled digits (first ${samples} MNIST training images, ${Math.round(fraction * 100)}% held out)`;
    }
    fs.mkdirSync(c.out, { recursive: true });
    const checkpoint = typeof v.checkpoint === 'string' ? v.checkpoint : path.join(c.out, 'mnist-checkpoint.json');
    const controller = new AbortController();
    const onSignal = () => {
      c.io.err.write('\nstopping after the current batch; the checkpoint is kept (resume with --resume)\n');
      controller.abort();
    };
    process.once('SIGINT', onSignal);
    try {
      const r = await runMnist({
        train: data.train,
        test: data.test,
        epochs,
        batchSize,
        seed,
        threads: v.threads as number,
        checkpoint,
        resume: v.resume === true,
        classes: classNamesOf(data.train.labels),
        signal: controller.signal,
        progress: !c.quiet && process.stderr.isTTY === true,
        onEpoch: (e) => {
          if (!e.test) return;
          const m = e.test;
          c.say(
            `epoch ${e.epoch}: test accuracy ${m.accuracy!.toFixed(4)} (real spikes only ${m.accuracyOrdinary!.toFixed(4)}), ` +
              `loss ${m.loss.toFixed(4)}, activity ${m.activity.toFixed(3)}, silent ${m.silent.toFixed(3)}` +
              (e.epoch > 0 ? `, ${e.seconds.toFixed(1)} s\n` : '\n'),
          );
        },
      });
      const f = r.final;
      c.io.out.write(
        `test accuracy: ${(100 * f.accuracy!).toFixed(2)}% with pseudospikes, ${(100 * f.accuracyOrdinary!).toFixed(2)}% real spikes only; ` +
          `activity ${f.activity.toFixed(3)} spikes per hidden neuron; silent fraction ${f.silent.toFixed(3)}; ${r.seconds.toFixed(0)} s\n`,
      );
      c.write('mnist', mnistReport(r, label));
      return 0;
    } finally {
      process.removeListener('SIGINT', onSignal);
    }
  },
};
