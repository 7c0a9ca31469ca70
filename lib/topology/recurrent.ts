/**
 * Recurrent networks with external input channels (method.md 6.3): n neurons, all-to-all
 * recurrent synapses without self-connections (trainable, initialised to 0 by default), input
 * channels wired by an explicit list, trainable initial states, and a recurrent pseudo mode.
 */
import { Network } from '../network/network';
import { Random } from '../base/random';
import { argumentError, describe, rangeError } from '../base/errors';
import { expectPositiveNumber, optionNames, readOptions } from '../base/validate';
import { expectNeuron } from '../neurons/models';
import type { NeuronModel } from '../neurons/neuron';
import { checkSynapseCount, expectCount } from './common';

/** One input synapse: channel -> neuron with a weight. */
export interface InputSynapse {
  channel: number;
  target: number;
  weight: number;
}

export interface RecurrentOptions {
  neuron: NeuronModel;
  /** Number of neurons. */
  n: number;
  /** Number of input channels. */
  nIn: number;
  /** Input synapses (any order). */
  inputs: readonly InputSynapse[];
  /** Readout neurons and their output counts. */
  readout: { neurons: readonly number[]; counts: readonly number[] };
  T: number;
  /** Event budget per trial. Default 500 + 50 n. */
  maxEvents?: number;
  /** Include self-connections. Default false. */
  selfConnections?: boolean;
  /** Initial recurrent weights ~ U(+-weightScale/sqrt(n)); 0 (the default) starts at zero. */
  weightScale?: number;
  /** Train the input weights too. Default false (fixed inputs, as in the paper). */
  trainInputWeights?: boolean;
  seed?: number;
}

const RECURRENT_OPTIONS = optionNames<RecurrentOptions>()(['neuron', 'n', 'nIn', 'inputs', 'readout', 'T', 'maxEvents', 'selfConnections', 'weightScale', 'trainInputWeights', 'seed']);

/**
 * A recurrent network.
 *
 * @example
 * ```ts
 * // 10 QIF neurons, each with a private excitatory (+5) and inhibitory (-5) channel.
 * const inputs = Array.from({ length: 10 }, (_, i) => [
 *   { channel: i, target: i, weight: 5 }, { channel: 10 + i, target: i, weight: -5 }]).flat();
 * const net = recurrent({ neuron: qif(), n: 10, nIn: 20, inputs, readout: { neurons: [0, 1], counts: [8, 5] }, T: 10 });
 * ```
 */
export function recurrent(given: RecurrentOptions): Network {
  const options = readOptions(given, 'recurrent options', RECURRENT_OPTIONS, true) as RecurrentOptions;
  const neuron = expectNeuron(options.neuron);
  const n = expectCount(options.n, 'n', 1);
  const nIn = expectCount(options.nIn, 'nIn');
  const T = expectPositiveNumber(options.T, 'T');
  const maxEvents = expectCount(options.maxEvents ?? 500 + 50 * n, 'maxEvents');
  const scale = expectPositiveNumber(options.weightScale ?? 0, 'weightScale', true);
  const rng = new Random(expectCount(options.seed ?? 0, 'seed'));
  if (!Array.isArray(options.inputs)) throw argumentError(`Expected an array of input synapses for inputs but received ${describe(options.inputs)}`);
  const inputs = options.inputs.map((s, k) => {
    if (typeof s !== 'object' || s === null) throw argumentError(`Expected {channel, target, weight} for inputs[${k}]`);
    expectCount(s.channel, `inputs[${k}].channel`);
    expectCount(s.target, `inputs[${k}].target`);
    if (s.channel >= nIn || s.target >= n) throw rangeError(`inputs[${k}] = (${s.channel} -> ${s.target}) is out of range`);
    if (typeof s.weight !== 'number' || !Number.isFinite(s.weight)) throw rangeError(`Expected a finite number for inputs[${k}].weight`);
    return s;
  });
  inputs.sort((a, b) => a.channel - b.channel || a.target - b.target);
  for (let k = 1; k < inputs.length; k++) {
    if (inputs[k].channel === inputs[k - 1].channel && inputs[k].target === inputs[k - 1].target) {
      throw rangeError(`inputs: channel ${inputs[k].channel} -> neuron ${inputs[k].target} is listed twice`);
    }
  }
  const count = options.selfConnections ? n * n : n * (n - 1);
  checkSynapseCount(count, 'recurrent');
  const source = new Int32Array(count);
  const target = new Int32Array(count);
  let k = 0;
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      if (i === j && !options.selfConnections) continue;
      source[k] = j;
      target[k++] = i;
    }
  }
  const weights = Float64Array.from(source, () => (scale > 0 ? rng.range(-scale / Math.sqrt(n), scale / Math.sqrt(n)) : 0));
  const { neurons, counts } = readOptions(options.readout, 'recurrent readout', ['neurons', 'counts'], true) as RecurrentOptions['readout'];
  if (!Array.isArray(neurons) || !Array.isArray(counts) || neurons.length !== counts.length) {
    throw argumentError('Expected readout = {neurons, counts} with arrays of equal length');
  }
  neurons.forEach((i, q) => {
    expectCount(i, `readout.neurons[${q}]`);
    if (i >= n) throw rangeError(`readout.neurons[${q}] = ${i} is out of range [0, ${n})`);
  });
  counts.forEach((c, q) => expectCount(c, `readout.counts[${q}]`));
  return new Network(
    {
      neuron,
      n,
      nIn,
      recurrent: { source, target },
      input: { source: Int32Array.from(inputs, (s) => s.channel), target: Int32Array.from(inputs, (s) => s.target) },
      readout: { neurons: Int32Array.from(neurons), counts: Int32Array.from(counts) },
      T,
      maxEvents,
    },
    { weights, inputWeights: Float64Array.from(inputs, (s) => s.weight) },
    { inputWeights: options.trainInputWeights === true, inputTimes: false },
  );
}
