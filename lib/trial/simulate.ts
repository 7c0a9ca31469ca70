/**
 * One trial of a network, simulated exactly and event by event in the native core, with the exact
 * gradient of a linear functional of its output times (method.md sections 3 to 5).
 *
 * This is the low-level, single-trial interface: matrices are flat, column-major Float64Arrays
 * (`weights[post + pre * n]`, the layout of `W[post][pre]` with contiguous columns). Higher-level
 * network builders and batched training sit on top of it.
 */
import { native } from '../base/native';
import { argumentError, codedError, describe, rangeError, rethrowWithStack } from '../base/errors';
import { expectFinite, expectFloat64Array, expectInt32Array, expectInteger, expectKnownKeys, expectUint8Array, optionNames, readOptions } from '../base/validate';
import type { ModelName } from '../neurons/neuron';
import { MODEL_NAMES, isModelName, parameterNames } from '../neurons/models';

export type { ModelName } from '../neurons/neuron';

/** Model parameters; missing ones take the defaults of method.md (tau = 1, alpha = 10, I0 = 5/4, vth = 1, eps = 1e-6). */
/**
 * Model parameters by name; which ones a model has is in the registry (parameterNames(model));
 * the others are refused with a suggestion.
 */
export interface ModelParams {
  [name: string]: number | undefined;
  /** Membrane time constant (the unit of time); the synaptic one is tau/2 for qif and lif. */
  tau?: number;
  /** Softplus scale of the pseudo drive (qif, lif). Default 10. */
  alpha?: number;
  /** Constant drive of the phase oscillators (theta needs I0 > 1/4, osclif I0 > vth). Default 5/4. */
  I0?: number;
  /** Threshold of the LIF models. Default 1. */
  vth?: number;
  /** Guard tolerance (qif mask and clamp 1/eps, theta H guards). Default 1e-6. */
  eps?: number;
}

/** Everything that defines one trial. */
export interface TrialSpec {
  model: ModelName;
  params?: ModelParams;
  /** Number of network neurons. */
  n: number;
  /** Number of input channels. */
  nIn: number;
  /** n x n recurrent weights, column-major: weights[post + pre * n]. */
  weights: Float64Array;
  /** Optional n x n 0/1 mask of the synapses that exist (same layout); absent: all exist. */
  weightMask?: Uint8Array;
  /** n x nIn input weights, column-major: inputWeights[post + channel * n]. */
  inputWeights: Float64Array;
  /** Optional n x nIn 0/1 mask of the input synapses that exist; absent: all exist. */
  inputMask?: Uint8Array;
  /** Initial state: [V_0..V_{n-1}, I_0..I_{n-1}] for qif and lif, [phi_0..phi_{n-1}] for theta and osclif. */
  initial: Float64Array;
  /** Input spike times (any order; +Infinity allowed and never processed). */
  inputTimes: Float64Array;
  /** The channel of each input spike. */
  inputChannels: Int32Array;
  /** Readout neurons. */
  readoutNeurons: Int32Array;
  /** Number of output times per readout neuron: ordinary spikes first, then pseudospikes. */
  readoutCounts: Int32Array;
  /** Feed-forward pseudo mode: layers in order (first hidden layer first). Absent: recurrent mode. */
  layers?: Int32Array[];
  /** Trial end. */
  T: number;
  /** Event budget: input spikes plus network spikes inside the trial. Exceeding it throws ERR_SPIKEGRAD_BUDGET. */
  maxEvents: number;
}

export interface SimulateOptions {
  /** Weights of the output times in the functional to differentiate; asks for the gradient. */
  cotangent?: Float64Array;
  /** Also return the event list (time, kind, index) for plotting. */
  recordEvents?: boolean;
  /** Also return voltage (and current) traces of traceNeurons on the grid 0, dt, 2 dt, ... <= T. */
  traceDt?: number;
  /** The neurons to trace (default: all). */
  traceNeurons?: ArrayLike<number>;
}

/** Gradients of sum_k cotangent[k] * outputTimes[k], in the layouts of the spec. */
export interface TrialGradient {
  weights: Float64Array;
  inputWeights: Float64Array;
  /** Per input spike, in the order of spec.inputTimes. */
  inputTimes: Float64Array;
  initial: Float64Array;
}

/** Event kinds in {@link TrialResult.events}. */
export const EventKind = { input: 0, spike: 1, trialEnd: 2 } as const;

export interface TrialResult {
  /** Ordinary network spikes in [0, T), in time order. */
  spikeTimes: Float64Array;
  spikeNeurons: Int32Array;
  /** Merged output times, readout neurons concatenated in order. */
  outputTimes: Float64Array;
  /** 1 where the output time is a pseudospike. */
  outputIsPseudo: Uint8Array;
  /** State at T in the layout of spec.initial. */
  stateAtT: Float64Array;
  /** Input spikes plus network spikes processed before T. */
  inTrialEvents: number;
  /** Present with recordEvents: every event including the trial end (kind 2, index -1). */
  events?: { times: Float64Array; kinds: Int32Array; indices: Int32Array };
  /** Present with a cotangent. */
  grad?: TrialGradient;
  /**
   * Present with traceDt: V[q * times.length + g] of traceNeurons[q] at times[g] (qif at its
   * blow-up or reset reads +-1/eps; phase models as V = iPhi(phi)); I likewise for qif and lif.
   */
  traces?: { times: Float64Array; V: Float64Array; I?: Float64Array };
}

const SPEC_KEYS = optionNames<TrialSpec>()([
  'model',
  'params',
  'n',
  'nIn',
  'weights',
  'weightMask',
  'inputWeights',
  'inputMask',
  'initial',
  'inputTimes',
  'inputChannels',
  'readoutNeurons',
  'readoutCounts',
  'layers',
  'T',
  'maxEvents',
]);
const OPTION_KEYS = optionNames<SimulateOptions>()(['cotangent', 'recordEvents', 'traceDt', 'traceNeurons']);

/** Checks the types and shapes of a TrialSpec; the native side re-checks values and ranges. */
export function checkTrialSpec(spec: TrialSpec): void {
  if (typeof spec !== 'object' || spec === null) {
    throw argumentError(`Expected an object for spec but received ${describe(spec)}`);
  }
  expectKnownKeys(spec, 'spec', SPEC_KEYS);
  if (!isModelName(spec.model)) {
    throw rangeError(`Expected one of ${MODEL_NAMES.join(', ')} for spec.model but received ${describe(spec.model)}`, 'ERR_SPIKEGRAD_DOMAIN');
  }
  if (spec.params !== undefined) {
    if (typeof spec.params !== 'object' || spec.params === null) {
      throw argumentError(`Expected an object for spec.params but received ${describe(spec.params)}`);
    }
    const params = readOptions(spec.params, `spec.params (${spec.model} parameters)`, parameterNames(spec.model));
    for (const key of Object.keys(params)) {
      const value = params[key];
      if (value !== undefined) expectFinite(value, `spec.params.${key}`);
    }
  }
  const n = expectInteger(spec.n, 'spec.n', 1);
  const nIn = expectInteger(spec.nIn, 'spec.nIn', 0);
  expectFloat64Array(spec.weights, 'spec.weights', n * n);
  if (spec.weightMask !== undefined) expectUint8Array(spec.weightMask, 'spec.weightMask', n * n);
  expectFloat64Array(spec.inputWeights, 'spec.inputWeights', n * nIn);
  if (spec.inputMask !== undefined) expectUint8Array(spec.inputMask, 'spec.inputMask', n * nIn);
  const dim = spec.model === 'qif' || spec.model === 'lif' ? 2 : 1;
  expectFloat64Array(spec.initial, 'spec.initial', dim * n);
  const times = expectFloat64Array(spec.inputTimes, 'spec.inputTimes');
  const channels = expectInt32Array(spec.inputChannels, 'spec.inputChannels');
  if (channels.length !== times.length) {
    throw rangeError(`Expected spec.inputChannels to have the length of spec.inputTimes (${times.length}) but received ${channels.length}`, 'ERR_SPIKEGRAD_SHAPE');
  }
  const neurons = expectInt32Array(spec.readoutNeurons, 'spec.readoutNeurons');
  const counts = expectInt32Array(spec.readoutCounts, 'spec.readoutCounts');
  if (counts.length !== neurons.length) {
    throw rangeError(`Expected spec.readoutCounts to have the length of spec.readoutNeurons (${neurons.length}) but received ${counts.length}`, 'ERR_SPIKEGRAD_SHAPE');
  }
  if (spec.layers !== undefined) {
    if (!Array.isArray(spec.layers)) {
      throw argumentError(`Expected an array of Int32Arrays for spec.layers but received ${describe(spec.layers)}`);
    }
    spec.layers.forEach((layer, L) => expectInt32Array(layer, `spec.layers[${L}]`));
  }
  expectFinite(spec.T, 'spec.T');
  expectInteger(spec.maxEvents, 'spec.maxEvents', 0);
}

function totalCount(spec: TrialSpec): number {
  return spec.readoutCounts.reduce((a, b) => a + b, 0);
}

/**
 * The most neuron updates the core records for one trial (2^26 updates of 48 bytes, about 3 GiB;
 * more is ERR_SPIKEGRAD_MEMORY when the record reaches it): the core's own limit, read from the
 * binding so that the two cannot differ.
 */
export const MAX_RECORD_UPDATES: number = native.maxRecordUpdates;

/**
 * Bounds the work a trial can cause before it starts: each of its at most maxEvents in-trial
 * events (and the trial end) updates at most n neurons, so a trial whose (maxEvents + 1) * n
 * exceeds {@link MAX_RECORD_UPDATES} could fill gigabytes before failing. It is refused at once
 * with ERR_SPIKEGRAD_MEMORY and the largest maxEvents that is safe for n.
 */
function checkRecordBound(spec: TrialSpec): void {
  const worst = (spec.maxEvents + 1) * spec.n;
  if (worst > MAX_RECORD_UPDATES) {
    throw codedError(
      `spec.maxEvents = ${spec.maxEvents} with n = ${spec.n} neurons allows a record of up to ${worst} neuron updates, more than the limit of ${MAX_RECORD_UPDATES} (about ${Math.round((MAX_RECORD_UPDATES * 48) / 2 ** 30)} GiB): lower maxEvents to at most ${Math.floor(MAX_RECORD_UPDATES / spec.n) - 1}`,
      'ERR_SPIKEGRAD_MEMORY',
    );
  }
}

function nativeSpec(spec: TrialSpec, given: SimulateOptions): Record<string, unknown> {
  checkTrialSpec(spec);
  checkRecordBound(spec);
  const options = readOptions(given, 'simulate options', OPTION_KEYS) as SimulateOptions;
  if (options.cotangent !== undefined) expectFloat64Array(options.cotangent, 'options.cotangent', totalCount(spec));
  let traces = {};
  if (options.traceDt !== undefined) {
    const dt = expectFinite(options.traceDt, 'options.traceDt');
    if (!(dt > 0)) throw rangeError(`Expected a positive number for options.traceDt but received ${dt}`);
    const neurons = options.traceNeurons ?? Array.from({ length: spec.n }, (_, i) => i);
    if (typeof neurons !== 'object' || neurons === null || typeof (neurons as ArrayLike<number>).length !== 'number') {
      throw argumentError(`Expected an array of neuron indices for options.traceNeurons but received ${describe(neurons)}`);
    }
    const list = Array.from(neurons as ArrayLike<unknown>, (i, k) => {
      if (typeof i !== 'number' || !Number.isInteger(i) || i < 0 || i >= spec.n) {
        throw rangeError(`Expected a neuron index in [0, ${spec.n}) for options.traceNeurons[${k}] but received ${describe(i)}`);
      }
      return i;
    });
    traces = { traceDt: dt, traceNeurons: Int32Array.from(list) };
  }
  return { ...spec, cotangent: options.cotangent, recordEvents: options.recordEvents === true, ...traces };
}

/**
 * Simulates one trial synchronously; with `options.cotangent` also returns the exact gradient of
 * sum_k cotangent[k] * outputTimes[k] with respect to every weight, input time and initial state.
 *
 * @example
 * ```ts
 * // One QIF neuron, one input of weight 3 at t = 0.5; its first two output times and d/dw.
 * const r = simulate({
 *   model: 'qif', n: 1, nIn: 1, weights: new Float64Array(1), weightMask: new Uint8Array(1),
 *   inputWeights: new Float64Array([3]), initial: new Float64Array(2),
 *   inputTimes: new Float64Array([0.5]), inputChannels: new Int32Array([0]),
 *   readoutNeurons: new Int32Array([0]), readoutCounts: new Int32Array([2]), T: 4, maxEvents: 10,
 * }, { cotangent: new Float64Array([1, 0]) });
 * r.outputTimes; // [first spike (or pseudospike), second]
 * r.grad!.inputWeights[0]; // d t_1 / d w
 * ```
 */
export function simulate(spec: TrialSpec, options: SimulateOptions = {}): TrialResult {
  const s = nativeSpec(spec, options);
  const stack = new Error();
  try {
    return native.simulate(s) as TrialResult;
  } catch (err) {
    rethrowWithStack(err, stack);
  }
}

/** {@link simulate} off the main thread; inputs are copied before the work starts. */
export async function simulateAsync(spec: TrialSpec, options: SimulateOptions = {}): Promise<TrialResult> {
  const s = nativeSpec(spec, options);
  const stack = new Error();
  try {
    return (await native.simulateAsync(s)) as TrialResult;
  } catch (err) {
    rethrowWithStack(err, stack);
  }
}
