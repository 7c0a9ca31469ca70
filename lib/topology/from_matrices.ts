/**
 * A network from explicit dense matrices, in the case-format conventions: weights[post][pre],
 * an optional 0/1 mask of the synapses that exist (absent: all), inputWeights[post][channel].
 */
import { Network, type Trainable } from '../network/network';
import { argumentError, describe, rangeError } from '../base/errors';
import { expectPositiveNumber, optionNames, readOptions } from '../base/validate';
import { expectNeuron } from '../neurons/models';
import type { NeuronModel } from '../neurons/neuron';
import { expectCount } from './common';

export interface MatricesOptions {
  neuron: NeuronModel;
  /** n x n, weights[post][pre]. */
  weights: readonly (readonly number[])[];
  /** Optional n x n 0/1 mask; where 0 there is no synapse (the weight must be 0). */
  weightMask?: readonly (readonly number[])[];
  /** n x nIn, inputWeights[post][channel]. */
  inputWeights: readonly (readonly number[])[];
  /** Optional n x nIn 0/1 mask of the input synapses. */
  inputMask?: readonly (readonly number[])[];
  /** Initial state per neuron: [V..., I...] or [phi...]; default the model's default state. */
  initial?: readonly number[];
  readout: { neurons: readonly number[]; counts: readonly number[] };
  /** Feed-forward pseudo mode layers; absent: recurrent mode. */
  layers?: readonly (readonly number[])[];
  T: number;
  maxEvents: number;
  trainable?: Trainable;
}

function lists(M: readonly (readonly number[])[], mask: readonly (readonly number[])[] | undefined, rows: number, cols: number, name: string) {
  if (!Array.isArray(M) || M.length !== rows) throw rangeError(`Expected ${rows} rows for ${name}`, 'ERR_SPIKEGRAD_SHAPE');
  const source: number[] = [];
  const target: number[] = [];
  const weight: number[] = [];
  for (let j = 0; j < cols; j++) {
    for (let i = 0; i < rows; i++) {
      if (!Array.isArray(M[i]) || M[i].length !== cols) throw rangeError(`Expected ${cols} entries in ${name}[${i}]`, 'ERR_SPIKEGRAD_SHAPE');
      const w = M[i][j];
      if (typeof w !== 'number' || !Number.isFinite(w)) throw rangeError(`Expected a finite number for ${name}[${i}][${j}]`, 'ERR_SPIKEGRAD_NONFINITE');
      if (mask && mask[i]?.[j] === 0) {
        if (w !== 0) throw rangeError(`${name}[${i}][${j}] must be 0 where the mask is 0`);
        continue;
      }
      source.push(j);
      target.push(i);
      weight.push(w);
    }
  }
  return { source: Int32Array.from(source), target: Int32Array.from(target), weight: Float64Array.from(weight) };
}

const FROM_MATRICES_OPTIONS = optionNames<MatricesOptions>()(['neuron', 'weights', 'weightMask', 'inputWeights', 'inputMask', 'initial', 'readout', 'layers', 'T', 'maxEvents', 'trainable']);

/**
 * @example
 * ```ts
 * const net = fromMatrices({ neuron: qif(), weights: [[0, 0], [3, 0]], weightMask: [[0, 0], [1, 0]],
 *   inputWeights: [[4], [0]], readout: { neurons: [1], counts: [2] }, T: 4, maxEvents: 20 });
 * ```
 */
export function fromMatrices(given: MatricesOptions): Network {
  const options = readOptions(given, 'fromMatrices options', FROM_MATRICES_OPTIONS, true) as MatricesOptions;
  const neuron = expectNeuron(options.neuron);
  const ro = readOptions(options.readout, 'fromMatrices readout', ['neurons', 'counts'], true) as MatricesOptions['readout'];
  if (!Array.isArray(ro.neurons) || !Array.isArray(ro.counts)) {
    throw argumentError(`Expected readout = {neurons, counts} for fromMatrices but received ${describe(ro)}`);
  }
  if (options.layers !== undefined && (!Array.isArray(options.layers) || !options.layers.every((l) => Array.isArray(l)))) {
    throw argumentError(`Expected an array of arrays of neuron indices for layers but received ${describe(options.layers)}`);
  }
  const n = Array.isArray(options.weights) ? options.weights.length : 0;
  if (n < 1) throw argumentError('Expected a non-empty n x n array for weights');
  const nIn = Array.isArray(options.inputWeights?.[0]) ? options.inputWeights[0].length : 0;
  const rec = lists(options.weights, options.weightMask, n, n, 'weights');
  const inp = lists(options.inputWeights, options.inputMask, n, nIn, 'inputWeights');
  const D = neuron.stateDim;
  let initial: Float64Array | undefined;
  if (options.initial !== undefined) {
    if (!Array.isArray(options.initial) || options.initial.length !== D * n) throw rangeError(`Expected ${D * n} numbers for initial`, 'ERR_SPIKEGRAD_SHAPE');
    initial = Float64Array.from(options.initial);
  }
  return new Network(
    {
      neuron,
      n,
      nIn,
      recurrent: { source: rec.source, target: rec.target },
      input: { source: inp.source, target: inp.target },
      readout: { neurons: Int32Array.from(ro.neurons), counts: Int32Array.from(ro.counts) },
      layers: options.layers?.map((l) => Int32Array.from(l)),
      T: expectPositiveNumber(options.T, 'T'),
      maxEvents: expectCount(options.maxEvents, 'maxEvents'),
    },
    { weights: rec.weight, inputWeights: inp.weight, initial },
    options.trainable ?? {},
  );
}
