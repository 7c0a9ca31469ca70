/**
 * The experiment commands of the CLI: concept, single-neuron, rnn and mnist. Each writes a
 * self-contained HTML report and a JSON file of the numbers into --out (default ./reports).
 */
import fs = require('fs');
import path = require('path');
import { parseArgs } from 'util';
import { writeFileAtomic } from '../base/files';
import { writeReport } from '../report';
import { runConcept } from '../experiments/concept';
import { conceptReport } from '../experiments/concept.report';
import { runSingleNeuron } from '../experiments/single_neuron';
import { singleNeuronReport } from '../experiments/single_neuron.report';
import { runRnn } from '../experiments/rnn';
import { rnnReport } from '../experiments/rnn.report';
import { bundledSplit, runMnist } from '../experiments/mnist';
import { mnistReport } from '../experiments/mnist.report';
import { loadIdxDataset } from '../data/idx';
import { classNamesOf } from '../data/classes';
import type { CommandIO } from './eval';

type Spec = Record<string, { type: 'string' | 'boolean'; short?: string; default?: string | boolean }>;

export const EXPERIMENT_USAGE: Record<string, string> = {
  concept: `Usage: spikegrad concept [--points N] [--out DIR]
  QIF versus LIF: first spike time against an input weight and an inhibitory input time.
  --points N   grid intervals per sweep (default 4000; the paper uses 100000)`,
  'single-neuron': `Usage: spikegrad single-neuron [--trials N] [--seed S] [--out DIR]
  One silent QIF neuron learns to spike at 2.5 and 7.5 by training 2 of its 22 inputs.
  --trials N   SGD steps (default 3000)
  --seed S     seed of the 20 fixed inputs (default 14)`,
  rnn: `Usage: spikegrad rnn [--steps N] [--seed S] [--grid] [--out DIR]
  10 recurrent QIF neurons; 2 learn Poisson target trains (AdaBelief on weights and initial states).
  --steps N    optimiser steps (default 10001; 20001 with --grid)
  --seed S     seed of the inputs and targets (default 13)
  --grid       the restricted step-size variant (50 candidate steps per step)`,
  mnist: `Usage: spikegrad mnist [--data DIR] [--epochs N] [--batch-size B] [--seed S] [--threads K]
                      [--samples N] [--test-fraction F] [--checkpoint FILE] [--resume] [--out DIR]
  The deep, initially silent 784-100-100-10 theta network of the paper.
  --data DIR         an MNIST-layout IDX folder (MNIST, Fashion-MNIST, KMNIST; spikegrad data
                     downloads one); default: the 10,000 bundled digits with a held-out split
  --epochs N         epochs (default 100)       --batch-size B   samples per step (default 1000)
  --samples N        bundled digits to use (default all 10000)   --test-fraction F (default 0.2)
  --checkpoint FILE  written every epoch and on Ctrl-C (default OUT/mnist-checkpoint.json)
  --resume           continue from the checkpoint when it exists`,
};

const COMMON: Spec = { out: { type: 'string', default: 'reports' }, help: { type: 'boolean', short: 'h' }, quiet: { type: 'boolean' } };

class UsageError extends Error {}

function parse(args: string[], spec: Spec): Record<string, string | boolean | undefined> {
  try {
    return parseArgs({ args, options: { ...COMMON, ...spec }, allowPositionals: false, strict: true }).values as Record<string, string | boolean | undefined>;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function int(v: string | boolean | undefined, name: string, fallback: number, min = 0): number {
  if (v === undefined) return fallback;
  const x = Number(v);
  if (!Number.isInteger(x) || x < min) throw new UsageError(`--${name} must be an integer >= ${min} (got ${String(v)})`);
  return x;
}

function num(v: string | boolean | undefined, name: string, fallback: number, lo: number, hi: number): number {
  if (v === undefined) return fallback;
  const x = Number(v);
  if (!Number.isFinite(x) || x < lo || x > hi) throw new UsageError(`--${name} must be a number in [${lo}, ${hi}] (got ${String(v)})`);
  return x;
}

function write(outDir: string, name: string, report: { html: string; json: unknown }, io: CommandIO): void {
  fs.mkdirSync(outDir, { recursive: true });
  const html = path.join(outDir, `${name}.html`);
  const json = path.join(outDir, `${name}.json`);
  writeReport(html, report.html);
  writeFileAtomic(json, JSON.stringify(report.json, null, 1));
  io.out.write(`report: ${html}\nnumbers: ${json}\n`);
}

/** Runs an experiment command; returns the exit status. */
export async function experimentCommand(name: string, args: string[], io: CommandIO = { out: process.stdout, err: process.stderr }): Promise<number> {
  const usage = Object.hasOwn(EXPERIMENT_USAGE, name) ? EXPERIMENT_USAGE[name] : '';
  try {
    const say = (text: string) => io.err.write(text);
    if (name === 'concept') {
      const o = parse(args, { points: { type: 'string' } });
      if (o.help) return (io.out.write(`${usage}\n`), 0);
      const points = int(o.points, 'points', 4000, 10);
      const r = runConcept({ points });
      const qifTable = r.models.qif.table.filter((x) => Number.isFinite(x.t));
      io.out.write(`QIF spike enters the trial at w* = ${r.qifEntryWeight.toFixed(7)}; LIF onset jumps from none to ${r.lifOnset.above.toFixed(6)}\n`);
      io.out.write(`QIF: ${qifTable.map((x) => `${x.sweep}=${x.factor}: t=${x.t.toFixed(6)} dt/dp=${x.dtdp.toFixed(4)}`).join('; ')}\n`);
      write(String(o.out), 'concept', conceptReport(r), io);
      return 0;
    }
    if (name === 'single-neuron') {
      const o = parse(args, { trials: { type: 'string' }, seed: { type: 'string' } });
      if (o.help) return (io.out.write(`${usage}\n`), 0);
      const trials = int(o.trials, 'trials', 3000, 1);
      const seed = int(o.seed, 'seed', 14);
      const r = await runSingleNeuron({
        trials,
        seed,
        onTrial: (k, loss) => {
          if (!o.quiet && (k + 1) % 500 === 0) say(`trial ${k + 1}/${trials} loss ${loss.toExponential(3)}\n`);
        },
      });
      const last = r.history[r.history.length - 1];
      io.out.write(
        `initially silent: ${r.initiallySilent}; final outputs ${last.times.map((t) => t.toFixed(6)).join(', ')} (targets ${r.targets.join(', ')}); ` +
          `within 1e-3 from trial ${r.reachedAt >= 0 ? r.reachedAt + 1 : 'never'}\n`,
      );
      write(String(o.out), 'single-neuron', singleNeuronReport(r, seed), io);
      return 0;
    }
    if (name === 'rnn') {
      const o = parse(args, { steps: { type: 'string' }, seed: { type: 'string' }, grid: { type: 'boolean' } });
      if (o.help) return (io.out.write(`${usage}\n`), 0);
      const grid = o.grid === true;
      const steps = int(o.steps, 'steps', grid ? 20001 : 10001, 1);
      const seed = int(o.seed, 'seed', 13);
      const r = await runRnn({
        steps,
        seed,
        grid,
        onStep: (k, loss) => {
          if (!o.quiet && (k + 1) % 1000 === 0) say(`step ${k + 1}/${steps} loss ${loss.toExponential(3)}\n`);
        },
      });
      const h = r.history;
      io.out.write(`loss ${h[0].loss.toExponential(3)} -> ${h[h.length - 1].loss.toExponential(3)} (factor ${(h[0].loss / h[h.length - 1].loss).toFixed(0)})\n`);
      write(String(o.out), grid ? 'rnn-grid' : 'rnn', rnnReport(r, { seed, grid }), io);
      return 0;
    }
    if (name === 'mnist') {
      const o = parse(args, {
        data: { type: 'string' },
        epochs: { type: 'string' },
        'batch-size': { type: 'string' },
        seed: { type: 'string' },
        threads: { type: 'string' },
        samples: { type: 'string' },
        'test-fraction': { type: 'string' },
        checkpoint: { type: 'string' },
        resume: { type: 'boolean' },
      });
      if (o.help) return (io.out.write(`${usage}\n`), 0);
      const epochs = int(o.epochs, 'epochs', 100);
      const batchSize = int(o['batch-size'], 'batch-size', 1000, 1);
      const seed = int(o.seed, 'seed', 0);
      const threads = int(o.threads, 'threads', 0);
      const out = String(o.out);
      let data;
      let label: string;
      if (typeof o.data === 'string') {
        data = loadIdxDataset(o.data);
        label = `IDX dataset ${path.basename(path.resolve(o.data))} (${data.train.size} training / ${data.test.size} test images)`;
      } else {
        const fraction = num(o['test-fraction'], 'test-fraction', 0.2, 0.01, 0.9);
        const samples = int(o.samples, 'samples', 10000, 10);
        data = bundledSplit(fraction, seed, samples);
        label = `bundled digits (first ${Math.min(samples, 10000)} MNIST training images, ${Math.round(fraction * 100)}% held out)`;
      }
      fs.mkdirSync(out, { recursive: true });
      const checkpoint = typeof o.checkpoint === 'string' ? o.checkpoint : path.join(out, 'mnist-checkpoint.json');
      const controller = new AbortController();
      const onSignal = () => {
        say('\nstopping after the current batch; the checkpoint is kept (resume with --resume)\n');
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
          threads,
          checkpoint,
          resume: o.resume === true,
          classes: classNamesOf(data.train.labels),
          signal: controller.signal,
          progress: !o.quiet && process.stderr.isTTY === true,
          onEpoch: (e) => {
            if (o.quiet || !e.test) return;
            const m = e.test;
            say(
              `epoch ${e.epoch}: test accuracy ${m.accuracy!.toFixed(4)} (real spikes only ${m.accuracyOrdinary!.toFixed(4)}), ` +
                `loss ${m.loss.toFixed(4)}, activity ${m.activity.toFixed(3)}, silent ${m.silent.toFixed(3)}` +
                (e.epoch > 0 ? `, ${e.seconds.toFixed(1)} s\n` : '\n'),
            );
          },
        });
        const f = r.final;
        io.out.write(
          `test accuracy: ${(100 * f.accuracy!).toFixed(2)}% with pseudospikes, ${(100 * f.accuracyOrdinary!).toFixed(2)}% real spikes only; ` +
            `activity ${f.activity.toFixed(3)} spikes per hidden neuron; silent fraction ${f.silent.toFixed(3)}; ${r.seconds.toFixed(0)} s\n`,
        );
        write(out, 'mnist', mnistReport(r, label), io);
        return 0;
      } finally {
        process.removeListener('SIGINT', onSignal);
      }
    }
    io.err.write(`spikegrad: unknown experiment '${name}'\n`);
    return 2;
  } catch (err) {
    const e = err as Error & { code?: string };
    if (e instanceof UsageError) {
      io.err.write(`spikegrad ${name}: ${e.message}\n${usage}\n`);
      return 2;
    }
    if (e.code === 'ABORT_ERR') {
      io.err.write(`spikegrad ${name}: ${e.message}\n`);
      return 130;
    }
    io.err.write(`spikegrad ${name}: ${e.message.replace(/\s*\n\s*/g, ' ')}\n`);
    return e.code !== undefined && e.code !== 'ERR_SPIKEGRAD_INTERNAL' ? 2 : 1;
  }
}
