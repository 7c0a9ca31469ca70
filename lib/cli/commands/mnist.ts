/** `spikegrad mnist`: the deep, initially silent theta network on MNIST digits (Fig. 4). */
import fs = require('fs');
import path = require('path');
import { bundledSplit, runMnist } from '../../experiments/mnist';
import { mnistReport } from '../../experiments/mnist.report';
import { loadIdxDataset } from '../../data/idx';
import { classNamesOf } from '../../data/classes';
import { loadModelAsync } from '../../training/checkpoint';
import { UsageError } from '../options';
import type { ExperimentCommand, ExperimentContext } from '../command';

/** The options a resume takes from the checkpoint (they define the run); the others may change. */
const RUN_SETTINGS = ['data', 'samples', 'test-fraction', 'seed', 'batch-size'] as const;

type Settings = Record<string, string | number | boolean>;

/** The settings of this command line that define the run (what the checkpoint stores). */
function runSettings(v: ExperimentContext['values']): Settings {
  const s: Settings = { seed: v.seed as number, 'batch-size': v['batch-size'] as number };
  if (typeof v.data === 'string') s.data = path.resolve(v.data);
  else Object.assign(s, { data: 'bundled', samples: v.samples as number, 'test-fraction': v['test-fraction'] as number });
  return s;
}

const shown = (key: string, value: string | number | boolean) => (key === 'data' && value === 'bundled' ? 'the bundled digits (no --data)' : `--${key} ${String(value)}`);

/**
 * --resume: refuses options given on the command line that differ from the checkpoint's, takes
 * the checkpoint's for those not given, and says so. Returns the position it resumes from, or
 * undefined (no checkpoint: a fresh start, said too).
 */
async function reconcileResume(c: ExperimentContext, checkpoint: string): Promise<{ epoch: number; batchInEpoch: number } | undefined> {
  if (!fs.existsSync(checkpoint)) {
    c.io.err.write(`--resume: there is no checkpoint at ${checkpoint}; starting afresh\n`);
    return undefined;
  }
  const { training } = await loadModelAsync(checkpoint);
  if (training === undefined) throw new UsageError(`--resume: ${checkpoint} is a model without a training position (not a checkpoint)`);
  const stored: Settings = { ...(training.settings ?? {}), seed: training.seed, 'batch-size': training.batchSize };
  const mine = runSettings(c.values);
  const conflicts = RUN_SETTINGS.filter((k) => c.given.has(k) && stored[k] !== undefined && stored[k] !== mine[k]);
  if (conflicts.length > 0) {
    throw new UsageError(
      `--resume: ${conflicts.map((k) => `${shown(k, mine[k] ?? '(not given)')}`).join(', ')} conflict${conflicts.length === 1 ? 's' : ''} with the checkpoint ${checkpoint}, ` +
        `made with ${conflicts.map((k) => shown(k, stored[k] ?? '(not set)')).join(', ')}; leave ${conflicts.length === 1 ? 'it' : 'them'} out to keep the checkpoint's, or drop --resume to start afresh`,
    );
  }
  const kept: string[] = [];
  for (const k of RUN_SETTINGS) {
    if (stored[k] === undefined || c.given.has(k)) continue;
    if (k === 'data') {
      if (stored.data !== 'bundled') c.values.data = String(stored.data);
    } else {
      c.values[k] = stored[k];
    }
    kept.push(shown(k, stored[k]));
  }
  c.io.err.write(
    `--resume: continuing ${checkpoint} from epoch ${training.epoch}${training.batchInEpoch > 0 ? `, batch ${training.batchInEpoch}` : ''}` +
      (kept.length > 0 ? `; keeping the checkpoint's ${kept.join(', ')}` : '') +
      (training.seconds !== undefined ? `; ${training.seconds.toFixed(0)} s of training so far` : '') +
      '\n',
  );
  return { epoch: training.epoch, batchInEpoch: training.batchInEpoch };
}

/** 'E epochs' or 'E epochs and B batches of the next', as a run stands. */
export function position(p: { epoch: number; batchInEpoch: number }): string {
  return `${p.epoch} epoch${p.epoch === 1 ? '' : 's'}${p.batchInEpoch > 0 ? ` and ${p.batchInEpoch} batch${p.batchInEpoch === 1 ? '' : 'es'} of the next` : ''}`;
}

export const mnist: ExperimentCommand = {
  name: 'mnist',
  summary: 'the deep, initially silent theta network on MNIST digits (Fig. 4)',
  description:
    'The deep, initially silent 784-100-100-10 theta network of the paper.\n' +
    'Train on the 10,000 bundled digits (a held-out split) or on an MNIST-layout IDX folder\n' +
    '(MNIST, Fashion-MNIST, KMNIST; spikegrad data NAME --out DIR downloads one).\n' +
    'Ctrl-C stops after the current batch and writes the checkpoint and the report of what has run.',
  options: [
    { name: 'data', type: 'string', arg: 'DIR', defaultText: 'the 10,000 bundled digits with a held-out split', meaning: 'an MNIST-layout IDX folder' },
    { name: 'epochs', type: 'integer', min: 0, default: 100, meaning: 'epochs to complete (a resumed run continues its count)' },
    { name: 'batch-size', type: 'integer', min: 1, arg: 'B', default: 1000, meaning: 'samples per optimiser step' },
    { name: 'seed', type: 'integer', min: 0, max: 0xffffffff, arg: 'S', default: 0, meaning: 'seed of the initial weights, the shuffling, the augmentation and the bundled split' },
    { name: 'threads', type: 'integer', min: 0, arg: 'K', default: 0, defaultText: '0: all cores', meaning: 'native worker threads (results do not depend on it)' },
    { name: 'samples', type: 'integer', min: 10, max: 10000, default: 10000, meaning: 'bundled digits to use (without --data)' },
    { name: 'test-fraction', type: 'number', min: 0.01, max: 0.9, arg: 'F', default: 0.2, meaning: 'held-out fraction of the bundled digits (without --data)' },
    { name: 'checkpoint', type: 'string', arg: 'FILE', defaultText: 'OUT/mnist-checkpoint.json', meaning: 'written every epoch and on Ctrl-C' },
    {
      name: 'resume',
      type: 'boolean',
      meaning:
        "continue from the checkpoint: its data, seed and batch size are kept (giving other values is refused); --epochs and --threads may change; without a checkpoint it says so and starts afresh",
    },
  ],
  async run(c) {
    const v = c.values;
    fs.mkdirSync(c.out, { recursive: true });
    const checkpoint = typeof v.checkpoint === 'string' ? v.checkpoint : path.join(c.out, 'mnist-checkpoint.json');
    const resumeAt = v.resume === true ? await reconcileResume(c, checkpoint) : undefined;
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
    const batches = Math.ceil(data.train.size / batchSize);
    const steps = Math.max(0, (epochs - (resumeAt?.epoch ?? 0)) * batches - (resumeAt?.batchInEpoch ?? 0));
    if (steps === 0) {
      c.io.err.write(resumeAt ? `note: the checkpoint has completed ${resumeAt.epoch} epochs already; --epochs ${epochs} leaves nothing to train (the report shows the run so far)\n` : 'note: --epochs 0: nothing is trained (the report shows the initial network)\n');
    } else if (steps < 100) {
      c.io.err.write(
        `note: these settings give only ${steps} optimiser step${steps === 1 ? '' : 's'} (${batches} batch${batches === 1 ? '' : 'es'} of ${batchSize} per epoch); ` +
          'the paper trains 6000 (100 epochs of 60 batches of 1000): expect an accuracy far below its result\n',
      );
    }
    const r = await runMnist({
      train: data.train,
      test: data.test,
      epochs,
      batchSize,
      seed,
      threads: v.threads as number,
      checkpoint,
      resume: resumeAt !== undefined,
      classes: classNamesOf(data.train.labels),
      settings: runSettings(v),
      signal: c.signal,
      onSnapshot: c.live && ((snap) => c.live!.update(mnistReport(snap, label))),
      onBatch:
        c.live &&
        ((b) => c.live!.progress(`live: epoch ${b.epoch}/${epochs}, batch ${b.batch}/${b.batches}, step ${b.step}, batch loss ${b.loss.toFixed(4)}`)),
      // On a terminal a redrawn line; in logs (not a TTY) one plain line every 5 s.
      progress: c.quiet ? false : { stream: c.io.err },
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
        `activity ${f.activity.toFixed(3)} spikes per hidden neuron; silent fraction ${f.silent.toFixed(3)}\n` +
        `wall time: ${r.seconds.toFixed(1)} s this run` +
        (r.resumedFrom ? `, ${r.totalSeconds.toFixed(1)} s of training in total (resumed at epoch ${r.resumedFrom.epoch}${r.resumedFrom.batchInEpoch > 0 ? `, batch ${r.resumedFrom.batchInEpoch}` : ''})` : '') +
        '\n',
    );
    c.write('mnist', mnistReport(r, label));
    if (r.stopped) {
      c.io.err.write(`stopped after ${position(r.stopped)}; the checkpoint ${checkpoint} is written: continue with --resume\n`);
      return 130;
    }
    return 0;
  },
};
