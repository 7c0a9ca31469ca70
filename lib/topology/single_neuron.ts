/**
 * A single neuron with trainable input spikes (method.md 6.2): k trainable inputs whose weights
 * and spike times are parameters (channels 0..k-1, one spike each, added to every trial), plus
 * fixed inputs given per sample in the input batch (channels k..).
 */
import { Network } from '../network/network';
import { argumentError, describe } from '../base/errors';
import { expectFinite, expectPositiveNumber, optionNames, readOptions } from '../base/validate';
import { expectNeuron } from '../neurons/models';
import type { NeuronModel } from '../neurons/neuron';
import { expectCount } from './common';
import { spikeBatch, type InputBatch } from '../network/inputs';

export interface SingleNeuronOptions {
  neuron: NeuronModel;
  /** Initial times of the trainable input spikes (their weights start at trainableWeights or 0). */
  trainableTimes: readonly number[];
  /** Initial weights of the trainable inputs. Default all 0. */
  trainableWeights?: readonly number[];
  /** Fixed input spikes: one channel each, with its weight and time. */
  fixed?: { times: readonly number[]; weights: readonly number[] };
  /** Output times of the neuron (ordinary spikes, then pseudospikes). */
  outputCount: number;
  T: number;
  maxEvents?: number;
}

const SINGLE_NEURON_OPTIONS = optionNames<SingleNeuronOptions>()(['neuron', 'trainableTimes', 'trainableWeights', 'fixed', 'outputCount', 'T', 'maxEvents']);

/**
 * A single neuron with trainable input spikes; returns the network and the batch of its fixed
 * inputs (the same every trial).
 *
 * @example
 * ```ts
 * const { network, batch } = singleNeuron({ neuron: qif(), trainableTimes: [1, 9], outputCount: 2, T: 10,
 *   fixed: { times: [0.5, 3.2], weights: [0.8, -1.1] } });
 * ```
 */
export function singleNeuron(given: SingleNeuronOptions): { network: Network; batch: InputBatch } {
  const options = readOptions(given, 'singleNeuron options', SINGLE_NEURON_OPTIONS, true) as SingleNeuronOptions;
  const neuron = expectNeuron(options.neuron);
  const T = expectPositiveNumber(options.T, 'T');
  const outputCount = expectCount(options.outputCount, 'outputCount', 1);
  const times = options.trainableTimes;
  if (!Array.isArray(times)) throw argumentError(`Expected an array for trainableTimes but received ${describe(times)}`);
  times.forEach((t, k) => expectPositiveNumber(t, `trainableTimes[${k}]`, true));
  const k = times.length;
  const w0 = options.trainableWeights ?? times.map(() => 0);
  if (!Array.isArray(w0) || w0.length !== k) throw argumentError(`Expected ${k} numbers for trainableWeights`);
  const fixed = options.fixed === undefined ? { times: [], weights: [] } : (readOptions(options.fixed, 'singleNeuron fixed', ['times', 'weights'], true) as { times: number[]; weights: number[] });
  if (!Array.isArray(fixed.times) || !Array.isArray(fixed.weights) || fixed.times.length !== fixed.weights.length) {
    throw argumentError('Expected fixed = {times, weights} with arrays of equal length');
  }
  // Every value is checked here, not at the first forward run (a string would become NaN).
  w0.forEach((w, q) => expectFinite(w, `trainableWeights[${q}]`));
  fixed.times.forEach((t, q) => expectFinite(t, `fixed.times[${q}]`));
  fixed.weights.forEach((w, q) => expectFinite(w, `fixed.weights[${q}]`));
  const m = fixed.times.length;
  const nIn = k + m;
  const maxEvents = expectCount(options.maxEvents ?? 100 + 2 * nIn, 'maxEvents');
  const trainableWeights = new Uint8Array(nIn);
  trainableWeights.fill(1, 0, k);
  const network = new Network(
    {
      neuron,
      n: 1,
      nIn,
      recurrent: { source: new Int32Array(0), target: new Int32Array(0) },
      input: { source: Int32Array.from({ length: nIn }, (_, c) => c), target: new Int32Array(nIn) },
      readout: { neurons: Int32Array.of(0), counts: Int32Array.of(outputCount) },
      T,
      maxEvents,
      trainableInputs: { channels: Int32Array.from({ length: k }, (_, c) => c) },
    },
    { inputWeights: Float64Array.from([...w0, ...fixed.weights]), inputTimes: Float64Array.from(times) },
    { weights: false, initial: false, inputWeights: trainableWeights, inputTimes: true },
  );
  const batch = spikeBatch([{ times: fixed.times, channels: fixed.times.map((_, q) => k + q) }]);
  return { network, batch };
}
