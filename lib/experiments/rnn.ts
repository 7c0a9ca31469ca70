/**
 * The recurrent-network experiment (method.md 6.3, presumably paper Fig. 3): 10 recurrent QIF
 * neurons with private Poisson excitatory and inhibitory inputs; neurons 0 and 1 learn Poisson
 * target spike trains (rates 1 and 1/2 per tau) by training the recurrent weights and the initial
 * states with AdaBelief. The inputs and targets are drawn with spikegrad's own PRNG (the paper's
 * JAX draws cannot be reproduced), from a configurable seed.
 */
import { qif } from '../neurons';
import { recurrent } from '../topology';
import { Random } from '../base/random';
import { adaBelief, exponentialDecay, constant } from '../training/optim';
import { targetTrainLoss, targetTrainSlots } from '../training/losses';
import { spikeBatch, type InputBatch } from '../network/inputs';
import type { Network } from '../network/network';
import { optionNames, readOptions } from '../base/validate';

export interface RnnTask {
  network: Network;
  batch: InputBatch;
  targets: number[][];
  T: number;
  N: number;
  inputs: { times: number[]; channels: number[] };
}

/**
 * The task: Poisson inputs (rate rIn per tau after a warm-up of Tinit, 100 intervals per channel)
 * and Poisson targets for neurons 0 and 1 with a minimal inter-spike interval of 1.
 */
export function rnnTask(seed = 13, N = 10, T = 10, rIn = 1, rates: number[] = [1, 0.5]): RnnTask {
  const rng = new Random(seed);
  const Tinit = 10;
  const draws = Math.floor(5 * (T + Tinit) * rIn);
  const times: number[] = [];
  const channels: number[] = [];
  for (let c = 0; c < 2 * N; c++) {
    let t = 0;
    for (let k = 0; k < draws; k++) {
      // The reference multiplies excitatory intervals by rIn (a quirk, identical for rIn = 1).
      t += c < N ? rIn * rng.exponential() : rng.exponential() / rIn;
      if (t > Tinit && t - Tinit < T) {
        times.push(t - Tinit);
        channels.push(c);
      }
    }
  }
  const targets = rates.map((rate) => {
    const out: number[] = [];
    let t = 0;
    for (let k = 0; k < Math.floor(2.5 * T); k++) {
      t += rng.exponential() / rate + (k > 0 ? 1 : 0);
      if (t < T) out.push(t);
    }
    return out;
  });
  const inputs = Array.from({ length: N }, (_, i) => [
    { channel: i, target: i, weight: 5 },
    { channel: N + i, target: i, weight: -5 },
  ]).flat();
  const network = recurrent({
    neuron: qif(),
    n: N,
    nIn: 2 * N,
    inputs,
    readout: { neurons: rates.map((_, i) => i), counts: targetTrainSlots(targets) },
    T,
    maxEvents: 500,
  });
  return { network, batch: spikeBatch([{ times, channels }]), targets, T, N, inputs: { times, channels } };
}

export interface RnnOptions {
  /** Optimiser steps; the paper runs 10,001 (20,001 in grid mode). */
  steps?: number;
  seed?: number;
  /** The restricted step-size variant: 50 candidate step sizes per step, output changes < dtMax. */
  grid?: boolean;
  dtMax?: number;
  onStep?: (step: number, loss: number) => void;
  /** Stops after the current step when aborted; the result then holds the steps run (`stopped`). */
  signal?: AbortSignal;
  /** Called every 500 steps with the result so far (for a live view). */
  onSnapshot?: (result: RnnResult) => void;
}

export interface RnnRecord {
  loss: number;
  /** Output times of neuron 0 and neuron 1 (n_i + 1 slots each). */
  times: number[];
  isPseudo: boolean[];
}

export interface RnnResult {
  T: number;
  targets: number[][];
  slots: number[];
  history: RnnRecord[];
  /** Spike rasters (time, neuron) before and after training. */
  before: { times: number[]; neurons: number[] };
  after: { times: number[]; neurons: number[] };
  /** After training, with the learned weights onto the non-target neurons set to 0. */
  withoutRecurrence: { times: number[]; neurons: number[] };
  /** Grid mode: steps whose largest output change exceeded dtMax. */
  largeChanges?: number;
  /** True when the signal stopped the run before all steps. */
  stopped?: boolean;
}

function raster(net: Network, task: RnnTask) {
  const r = net.trial(task.batch);
  return { times: Array.from(r.spikeTimes), neurons: Array.from(r.spikeNeurons) };
}

const RNN_OPTIONS = optionNames<RnnOptions>()(['steps', 'seed', 'grid', 'dtMax', 'onStep', 'signal', 'onSnapshot']);

/** Trains the network and records every step. */
export async function runRnn(given: RnnOptions = {}): Promise<RnnResult> {
  const options = readOptions(given, 'runRnn options', RNN_OPTIONS) as RnnOptions;
  const grid = options.grid === true;
  const steps = options.steps ?? (grid ? 20001 : 10001);
  const task = rnnTask(options.seed ?? 13);
  const { network, batch, targets } = task;
  const loss = targetTrainLoss();
  const opt = grid
    ? adaBelief({ lr: constant(1e-2), b2: 0.99 })
    : adaBelief({ lr: exponentialDecay({ initial: 1e-2, transitionSteps: 2000, decayRate: Math.exp(-1) }) });
  const dtMax = options.dtMax ?? 0.5;
  const history: RnnRecord[] = [];
  const before = raster(network, task);
  let largeChanges = 0;
  const evaluate = () => {
    const rec = network.record(batch, { threads: 1 });
    const l = loss.compute(rec.output, targets);
    return { rec, l };
  };
  let { rec, l } = evaluate();
  const resultOf = (stopped: boolean): RnnResult => {
    const after = raster(network, task);
    // Remove the learned recurrent input into the non-target neurons and re-simulate.
    const cut = network.clone();
    const s = cut.structure;
    for (let k = 0; k < s.recurrent.target.length; k++) if (s.recurrent.target[k] >= targets.length) cut.params.weights[k] = 0;
    const withoutRecurrence = raster(cut, task);
    return { T: task.T, targets, slots: targetTrainSlots(targets), history: history.slice(), before, after, withoutRecurrence, largeChanges: grid ? largeChanges : undefined, ...(stopped ? { stopped } : {}) };
  };
  let stopped = false;
  for (let step = 0; step < steps; step++) {
    if (options.signal?.aborted && step > 0) {
      stopped = true;
      break;
    }
    history.push({ loss: l.value, times: Array.from(rec.output.times), isPseudo: Array.from(rec.output.isPseudo, (x) => x === 1) });
    options.onStep?.(step, l.value);
    if (step === steps - 1) break;
    const g = rec.backward(l.grad, { threads: 1 });
    rec.dispose();
    const params = network.parameterList();
    const grads = [g.weights, g.inputWeights, g.initial, g.inputTimes];
    if (!grid) {
      opt.step(params, grads);
      ({ rec, l } = evaluate());
    } else {
      // Restricted step size: try p + gamma * u for 50 gammas, keep the best whose outputs all
      // move by less than dtMax (the smallest gamma when none qualifies).
      const updates = opt.computeUpdates(grads);
      const base = params.map((p) => p.slice());
      const current = history[history.length - 1].times;
      let best = { loss: Infinity, gamma: 1e-5 };
      for (let q = 0; q < 50; q++) {
        const gamma = 10 ** (-5 + (7 * q) / 49);
        params.forEach((p, k) => {
          for (let i = 0; i < p.length; i++) p[i] = base[k][i] + gamma * updates[k][i];
        });
        const out = network.forward(batch, { threads: 1 });
        const change = Math.max(...Array.from(out.times, (t, k) => Math.abs(t - current[k])));
        if (change >= dtMax) continue;
        const value = loss.compute(out, targets).value;
        if (value < best.loss) best = { loss: value, gamma };
      }
      params.forEach((p, k) => {
        for (let i = 0; i < p.length; i++) p[i] = base[k][i] + best.gamma * updates[k][i];
      });
      ({ rec, l } = evaluate());
      const change = Math.max(...Array.from(rec.output.times, (t, k) => Math.abs(t - current[k])));
      if (change > dtMax) largeChanges++;
    }
    if (step % 500 === 499) {
      options.onSnapshot?.(resultOf(false));
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  rec.dispose();
  return resultOf(stopped);
}
