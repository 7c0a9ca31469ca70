/**
 * The single-neuron experiment (method.md 6.2, presumably paper Fig. 2): one QIF neuron, silent at
 * first, learns to spike at 2.5 and 7.5 (25 and 75 ms) by adjusting the weights and times of two of
 * its 22 input spikes. Pseudospikes pull the missing spikes into the trial; the spike times then move
 * continuously to the targets. SGD with element-wise clipping, 3000 trials.
 */
import { qif } from '../neurons';
import { singleNeuron } from '../topology';
import { Random } from '../base/random';
import { sgd } from '../training/optim';
import { spikeTimeMse } from '../training/losses';
import { simulate } from '../trial/simulate';
import type { Network } from '../network/network';
import type { InputBatch } from '../network/inputs';
import { optionNames, readOptions } from '../base/validate';

export interface SingleNeuronOptions {
  /** Trials (optimiser steps). Default 3000. */
  trials?: number;
  /** Seed of the fixed inputs. Default 14 (an initially silent neuron; see docs/experiments.md). */
  seed?: number;
  /** Target times. Default [2.5, 7.5]. */
  targets?: [number, number];
  /** Learning rate and element-wise gradient clip. Defaults 0.1 and 0.02. */
  lr?: number;
  clip?: number;
  /** Called after every trial (for progress). */
  onTrial?: (trial: number, loss: number) => void;
  /** Stops after the current trial when aborted; the result then holds the trials run (`stopped`). */
  signal?: AbortSignal;
  /** Called every 250 trials with the result so far (for a live view). */
  onSnapshot?: (result: SingleNeuronResult) => void;
}

export interface SingleNeuronRecord {
  /** Parameters used in the trial: [w1, w2, t1, t2]. */
  params: number[];
  /** The two output times (ordinary or pseudo). */
  times: number[];
  isPseudo: boolean[];
  loss: number;
  /** The gradient [dL/dw1, dL/dw2, dL/dt1, dL/dt2]. */
  grad: number[];
}

export interface SingleNeuronResult {
  T: number;
  targets: number[];
  fixed: { times: number[]; weights: number[] };
  history: SingleNeuronRecord[];
  /** First trial from which both outputs stay within 1e-3 of their targets, or -1. */
  reachedAt: number;
  initiallySilent: boolean;
  /** True when the signal stopped the run before all trials. */
  stopped?: boolean;
}

/** The fixed inputs: 20 spikes at Uniform[0, T) times with Normal(0, 1) weights. */
export function fixedInputs(seed: number, T: number, count = 20): { times: number[]; weights: number[] } {
  const rng = new Random(seed);
  const times = Array.from({ length: count }, () => rng.range(0, T));
  const weights = Array.from({ length: count }, () => rng.normal());
  return { times, weights };
}

/** Builds the neuron and its fixed-input batch. */
export function singleNeuronTask(seed = 14): { network: Network; batch: InputBatch; fixed: { times: number[]; weights: number[] }; T: number } {
  const T = 10;
  const fixed = fixedInputs(seed, T);
  const { network, batch } = singleNeuron({ neuron: qif(), trainableTimes: [1.0, 9.0], outputCount: 2, T, fixed, maxEvents: 25 });
  return { network, batch, fixed, T };
}

/** Voltage trace of the neuron with the given trainable parameters [w1, w2, t1, t2]. */
export function singleNeuronTrace(fixed: { times: number[]; weights: number[] }, params: number[], T = 10, dt = 0.01) {
  const times = [params[2], params[3], ...fixed.times];
  const weights = [params[0], params[1], ...fixed.weights];
  const r = simulate(
    {
      model: 'qif',
      n: 1,
      nIn: times.length,
      weights: new Float64Array(1),
      weightMask: new Uint8Array(1),
      inputWeights: Float64Array.from(weights),
      initial: new Float64Array(2),
      inputTimes: Float64Array.from(times),
      inputChannels: Int32Array.from(times, (_, k) => k),
      readoutNeurons: Int32Array.of(0),
      readoutCounts: Int32Array.of(2),
      T,
      maxEvents: 25,
    },
    { traceDt: dt },
  );
  return { times: r.traces!.times, V: r.traces!.V, I: r.traces!.I!, spikes: Array.from(r.spikeTimes), inputTimes: times, inputWeights: weights };
}

const SINGLE_NEURON_OPTIONS = optionNames<SingleNeuronOptions>()(['trials', 'seed', 'targets', 'lr', 'clip', 'onTrial', 'signal', 'onSnapshot']);

/** Trains the neuron and records every trial. */
export async function runSingleNeuron(given: SingleNeuronOptions = {}): Promise<SingleNeuronResult> {
  const options = readOptions(given, 'runSingleNeuron options', SINGLE_NEURON_OPTIONS) as SingleNeuronOptions;
  const trials = options.trials ?? 3000;
  const targets = options.targets ?? [2.5, 7.5];
  const { network, batch, fixed, T } = singleNeuronTask(options.seed ?? 14);
  const loss = spikeTimeMse();
  const target = Float64Array.from(targets);
  const opt = sgd({ lr: options.lr ?? 0.1, clip: options.clip ?? 0.02 });
  const history: SingleNeuronRecord[] = [];
  const resultOf = (stopped: boolean): SingleNeuronResult => {
    let reachedAt = -1;
    for (let k = history.length - 1; k >= 0; k--) {
      const h = history[k];
      const ok = h.times.every((t, n) => Math.abs(t - targets[n]) < 1e-3) && h.isPseudo.every((p) => !p);
      if (!ok) break;
      reachedAt = k;
    }
    return { T, targets, fixed, history: history.slice(), reachedAt, initiallySilent: history.length > 0 && history[0].isPseudo.every((p) => p), ...(stopped ? { stopped } : {}) };
  };
  let stopped = false;
  for (let trial = 0; trial < trials; trial++) {
    if (options.signal?.aborted && trial > 0) {
      stopped = true;
      break;
    }
    const params = [network.params.inputWeights[0], network.params.inputWeights[1], network.params.inputTimes[0], network.params.inputTimes[1]];
    const rec = network.record(batch, { threads: 1 });
    const l = loss.compute(rec.output, target);
    const g = rec.backward(l.grad, { threads: 1 });
    rec.dispose();
    history.push({
      params,
      times: Array.from(rec.output.times),
      isPseudo: Array.from(rec.output.isPseudo, (x) => x === 1),
      loss: l.value,
      grad: [g.inputWeights[0], g.inputWeights[1], g.inputTimes[0], g.inputTimes[1]],
    });
    options.onTrial?.(trial, l.value);
    opt.step(network.parameterList(), [g.weights, g.inputWeights, g.initial, g.inputTimes]);
    network.constrain();
    if (options.onSnapshot && trial % 250 === 249 && trial + 1 < trials) options.onSnapshot(resultOf(false));
    if (trial % 200 === 199) await new Promise((resolve) => setImmediate(resolve));
  }
  return resultOf(stopped);
}
