/**
 * Layered feed-forward networks (method.md 6.4): input channels -> hidden layers -> output layer,
 * strictly feed-forward, with pseudospikes passed layer by layer. Neurons are numbered layer after
 * layer (first hidden layer first). Weights are laid out so that every layer matrix W[post][pre]
 * is a contiguous column-major block: `layerWeights(net, 0)` is W_in (in x channels),
 * `layerWeights(net, L)` for L >= 1 is the matrix from layer L-1 to layer L.
 */
import { Network, type EngineOption } from '../network/network';
import { Random } from '../base/random';
import { argumentError, describe, rangeError } from '../base/errors';
import { expectPositiveNumber, optionNames, readOptions } from '../base/validate';
import { expectNeuron } from '../neurons/models';
import type { NeuronModel } from '../neurons/neuron';
import { checkSynapseCount, expectCount } from './common';

export interface FeedForwardOptions {
  neuron: NeuronModel;
  /** Layer sizes: [input channels, hidden..., outputs], e.g. [784, 100, 100, 10]. */
  sizes: readonly number[];
  /** Trial end. */
  T: number;
  /** Event budget per sample. Default: 1000 + 20 x neurons. */
  maxEvents?: number;
  /** Output times per output neuron. Default 1 (time to first spike). */
  outputCount?: number;
  /** Initialisation scale: weights ~ U(+-wScale / sqrt(fan-in)). Default 0.5. */
  wScale?: number;
  /** Seed of the weight initialisation. Default 0. */
  seed?: number;
  /** The engine ({@link NetworkStructure.engine}); default `'auto'`, which runs theta networks in the layered engine. */
  engine?: EngineOption;
}

const FEED_FORWARD_OPTIONS = optionNames<FeedForwardOptions>()(['neuron', 'sizes', 'T', 'maxEvents', 'outputCount', 'wScale', 'seed', 'engine']);

/**
 * A feed-forward network with uniformly initialised weights and the model's default initial
 * state (theta: phi0 = Theta/2).
 *
 * @example
 * ```ts
 * const net = feedForward({ neuron: theta({ tau: 6 / Math.PI }), sizes: [784, 100, 100, 10], T: 2, seed: 1 });
 * ```
 */
export function feedForward(given: FeedForwardOptions): Network {
  const options = readOptions(given, 'feedForward options', FEED_FORWARD_OPTIONS, true) as FeedForwardOptions;
  const neuron = expectNeuron(options.neuron);
  const sizes = options.sizes;
  if (!Array.isArray(sizes) || sizes.length < 2) {
    throw argumentError(`Expected at least two layer sizes for sizes but received ${describe(sizes)}`);
  }
  sizes.forEach((s, k) => expectCount(s, `sizes[${k}]`, k === 0 ? 0 : 1));
  const T = expectPositiveNumber(options.T, 'T');
  const wScale = expectPositiveNumber(options.wScale ?? 0.5, 'wScale', true);
  if (wScale > 1e100) throw rangeError(`Expected wScale <= 1e100 (weights must stay finite) but received ${wScale}`);
  const seed = expectCount(options.seed ?? 0, 'seed');
  const outputCount = expectCount(options.outputCount ?? 1, 'outputCount', 1);
  const layerSizes = sizes.slice(1);
  const n = layerSizes.reduce((a, b) => a + b, 0);
  const maxEvents = expectCount(options.maxEvents ?? 1000 + 20 * n, 'maxEvents');
  const nIn = sizes[0];
  const first: number[] = [];
  let offset = 0;
  for (const s of layerSizes) {
    first.push(offset);
    offset += s;
  }
  const layers = layerSizes.map((s, L) => Int32Array.from({ length: s }, (_, k) => first[L] + k));
  let count = sizes[0] * layerSizes[0];
  for (let L = 1; L < layerSizes.length; L++) count += layerSizes[L - 1] * layerSizes[L];
  checkSynapseCount(count, 'feedForward');
  // Input synapses: channel c -> every first-layer neuron, grouped by channel (W_in column-major).
  const h1 = layerSizes[0];
  const inputSource = new Int32Array(nIn * h1);
  const inputTarget = new Int32Array(nIn * h1);
  for (let c = 0; c < nIn; c++) {
    for (let h = 0; h < h1; h++) {
      inputSource[c * h1 + h] = c;
      inputTarget[c * h1 + h] = h;
    }
  }
  // Recurrent synapses: layer L-1 -> layer L, grouped by source; sources increase across layers.
  const source = new Int32Array(count - inputSource.length);
  const target = new Int32Array(count - inputSource.length);
  let q = 0;
  for (let L = 1; L < layerSizes.length; L++) {
    for (let j = 0; j < layerSizes[L - 1]; j++) {
      for (let i = 0; i < layerSizes[L]; i++) {
        source[q] = first[L - 1] + j;
        target[q++] = first[L] + i;
      }
    }
  }
  const rng = new Random(seed);
  const inputWeights = new Float64Array(inputSource.length);
  const bound0 = nIn > 0 ? wScale / Math.sqrt(nIn) : 0;
  for (let k = 0; k < inputWeights.length; k++) inputWeights[k] = rng.range(-bound0, bound0);
  const weights = new Float64Array(source.length);
  let k = 0;
  for (let L = 1; L < layerSizes.length; L++) {
    const bound = wScale / Math.sqrt(layerSizes[L - 1]);
    for (let q = 0; q < layerSizes[L - 1] * layerSizes[L]; q++) weights[k++] = rng.range(-bound, bound);
  }
  const out = layers[layers.length - 1];
  return new Network(
    {
      neuron,
      n,
      nIn,
      recurrent: { source, target },
      input: { source: inputSource, target: inputTarget },
      readout: { neurons: out.slice(), counts: new Int32Array(out.length).fill(outputCount) },
      layers,
      T,
      maxEvents,
      ...(options.engine !== undefined ? { engine: options.engine } : {}),
    },
    { weights, inputWeights },
    { inputTimes: false },
  );
}

/** A layer matrix of a feed-forward network as a column-major view into its parameters. */
export interface LayerView {
  /** Neurons of the receiving layer. */
  rows: number;
  /** Sources: input channels (L = 0) or neurons of layer L-1. */
  cols: number;
  /** The weights, W[post][pre] at data[post + pre * rows]; a view, so writes change the network. */
  data: Float64Array;
}

/**
 * The weights into layer L (0: from the input channels) of a network built by feedForward.
 *
 * @example
 * ```ts
 * const Wout = layerWeights(net, 2); // 10 x 100 for sizes [784, 100, 100, 10]
 * Wout.data[3 + 7 * Wout.rows];      // weight from hidden-2 neuron 7 onto output 3
 * ```
 */
export function layerWeights(net: Network, L: number): LayerView {
  const layers = net.structure.layers;
  if (!layers) throw argumentError('layerWeights needs a layered (feed-forward) network');
  if (!Number.isInteger(L) || L < 0 || L >= layers.length) throw rangeError(`Expected a layer index in [0, ${layers.length}) but received ${L}`);
  const rows = layers[L].length;
  if (L === 0) {
    const cols = net.structure.nIn;
    if (net.params.inputWeights.length !== rows * cols) throw rangeError('the input synapses are not a dense layer');
    return { rows, cols, data: net.params.inputWeights };
  }
  let offset = 0;
  for (let q = 1; q < L; q++) offset += layers[q].length * layers[q - 1].length;
  const cols = layers[L - 1].length;
  if (net.params.weights.length < offset + rows * cols) throw rangeError('the recurrent synapses are not dense layers');
  return { rows, cols, data: net.params.weights.subarray(offset, offset + rows * cols) };
}
