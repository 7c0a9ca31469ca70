/**
 * A network: a neuron model, synapses, a readout and trial settings (the structure), plus its
 * trainable parameters as Float64Arrays. Batches run natively on a thread pool: one call
 * simulates every sample (forward), one call differentiates them all from per-sample cotangents
 * (backward) and returns gradients summed over the batch.
 *
 * Synapses are lists of (source, target) pairs grouped by source: `weights[k]` is the weight of
 * recurrent synapse k, `inputWeights[k]` that of input synapse k. Builders (feedForward,
 * recurrent, singleNeuron, fromMatrices) lay them out so that layer matrices are column-major
 * views into these arrays.
 */
import { native, type NativeBatchHandle, type NativeForwardResult as NativeForward, type NativeGradient, type NativeNetworkHandle } from '../base/native';
import { argumentError, codedError, describe, rangeError, rethrowWithStack } from '../base/errors';
import { checkInputBatch, type InputBatch } from './inputs';
import type { SimulateOptions, TrialResult } from '../trial/simulate';
import type { OutputBatch } from './output';
import { expectNeuron, neuronFromJSON } from '../neurons/models';
import type { NeuronModel } from '../neurons/neuron';
import { bytesOf, crc32 } from '../base/binary';
import {
  expectAttached,
  expectBoolean,
  expectFloat64Array,
  expectInteger,
  expectKnownKeys,
  expectPositiveNumber,
  isFloat64Array,
  isInt32Array,
  isUint8Array,
  optionNames,
  readOptions,
} from '../base/validate';
import { checkClasses, checkEncoding, encodeInputs, noEncodingError, type InputEncoding } from './encoding';
import { decide, readPredictOptions, type PredictOptions, type Prediction } from './predict';

/** Synapses as parallel lists, grouped by source in increasing order. */
export interface SynapseList {
  readonly source: Int32Array;
  readonly target: Int32Array;
}

/** Fixed input spikes added to every sample whose times are trainable parameters. */
export interface TrainableInputs {
  /** The channel of each trainable spike. */
  readonly channels: Int32Array;
}

/** The structure of a network: everything but its parameters. */
export interface NetworkStructure {
  readonly neuron: NeuronModel;
  /** Number of network neurons. */
  readonly n: number;
  /** Number of input channels. */
  readonly nIn: number;
  readonly recurrent: SynapseList;
  readonly input: SynapseList;
  /** Readout neurons and the number of output times of each. */
  readonly readout: { readonly neurons: Int32Array; readonly counts: Int32Array };
  /** Feed-forward pseudo mode: neuron indices per layer (first hidden layer first). */
  readonly layers?: readonly Int32Array[];
  /** Trial end. */
  readonly T: number;
  /** Event budget per sample (input events plus network spikes before T). */
  readonly maxEvents: number;
  /** Optional trainable input spikes (single-neuron task). */
  readonly trainableInputs?: TrainableInputs;
  /**
   * The engine that runs the network (docs/core.md, "Engines"): `'auto'` (the default) picks the
   * layered engine for feed-forward theta networks (dense layers in index order and `layers`
   * set, as {@link feedForward} builds them) and the general event-driven engine otherwise;
   * `'layered'` forces the layered engine (an ERR_SPIKEGRAD_ARG error names why a network cannot
   * use it); `'general'` forces the general engine. Both give the same results (gradients up to
   * the order of floating-point sums); {@link Network.engine} tells which one runs.
   */
  readonly engine?: EngineOption;
}

/** The engine choice of a {@link NetworkStructure}. */
export type EngineOption = 'auto' | 'layered' | 'general';
const ENGINE_OPTIONS: readonly EngineOption[] = ['auto', 'layered', 'general'];

/** Parameters of a network; each is updated in place by optimisers. */
export interface Parameters {
  /** Per recurrent synapse. */
  weights: Float64Array;
  /** Per input synapse. */
  inputWeights: Float64Array;
  /** Initial states: [V..., I...] (qif, lif) or [phi...] (theta, osclif). */
  initial: Float64Array;
  /** Times of the trainable input spikes (empty when there are none). */
  inputTimes: Float64Array;
}

/** The fields of a {@link NetworkStructure}. */
const STRUCTURE_KEYS = optionNames<NetworkStructure>()(['neuron', 'n', 'nIn', 'recurrent', 'input', 'readout', 'layers', 'T', 'maxEvents', 'trainableInputs', 'engine']);

/** A frozen copy of a structure's containers (the typed arrays are shared, not copied). */
function freezeStructure(s: NetworkStructure, neuron: NeuronModel): NetworkStructure {
  // Every (known, checked) field of s, then frozen copies of the nested containers.
  const out: NetworkStructure = {
    ...s,
    neuron,
    recurrent: Object.freeze({ source: s.recurrent.source, target: s.recurrent.target }),
    input: Object.freeze({ source: s.input.source, target: s.input.target }),
    readout: Object.freeze({ neurons: s.readout.neurons, counts: s.readout.counts }),
  };
  if (s.layers !== undefined) (out as { layers?: readonly Int32Array[] }).layers = Object.freeze([...s.layers]);
  if (s.trainableInputs !== undefined) (out as { trainableInputs?: TrainableInputs }).trainableInputs = Object.freeze({ channels: s.trainableInputs.channels });
  return Object.freeze(out);
}

/** The typed arrays of a structure, named as in messages. */
function structureArrays(s: NetworkStructure): [string, Int32Array][] {
  const out: [string, Int32Array][] = [
    ['recurrent.source', s.recurrent.source],
    ['recurrent.target', s.recurrent.target],
    ['input.source', s.input.source],
    ['input.target', s.input.target],
    ['readout.neurons', s.readout.neurons],
    ['readout.counts', s.readout.counts],
  ];
  s.layers?.forEach((l, L) => out.push([`layers[${L}]`, l]));
  if (s.trainableInputs) out.push(['trainableInputs.channels', s.trainableInputs.channels]);
  return out;
}

/** The keys of {@link NetworkJSON}. */
const NETWORK_JSON_KEYS = optionNames<NetworkJSON>()(['neuron', 'n', 'nIn', 'recurrent', 'input', 'readout', 'layers', 'T', 'maxEvents', 'trainableInputs', 'engine', 'params', 'trainable', 'encoding', 'classes']);

/** The parameter groups, in the order optimisers see them. */
export const PARAMETER_NAMES = ['weights', 'inputWeights', 'initial', 'inputTimes'] as const;
export type ParameterName = (typeof PARAMETER_NAMES)[number];

/** Which parameter entries are trained: true (all), false (none) or a 0/1 mask. */
export type Trainable = Partial<Record<ParameterName, boolean | Uint8Array>>;

/** Gradients of a loss summed over a batch, same shapes as {@link Parameters}. */
export interface Gradients {
  weights: Float64Array;
  inputWeights: Float64Array;
  initial: Float64Array;
  inputTimes: Float64Array;
  /** Per input event of the batch (sample after sample), excluding trainable inputs. */
  eventTimes: Float64Array;
}

/** What a batch forward run returns: output times (a loss's {@link OutputBatch}) and activity. */
export interface NetworkOutput extends OutputBatch {
  /** 1 where an output time is a pseudospike. */
  isPseudo: Uint8Array;
  /** Per sample: input events plus network spikes before T. */
  inTrialEvents: Float64Array;
  /** Per neuron: ordinary spikes summed over the batch. */
  spikeCount: Float64Array;
  /** Per neuron: spikes before each sample's first ordinary readout spike, summed. */
  spikeCountFirst: Float64Array;
}

/**
 * What {@link Network.lossAndGradient} needs of a loss: a function of the output times that
 * returns a value and its gradient. Every loss of the training layer (`Loss` in
 * training/losses/loss.ts) is one; the network layer does not depend on them.
 */
export interface OutputLoss<Targets, Result extends LossValue = LossValue> {
  compute(out: NetworkOutput, targets: Targets): Result;
  /**
   * A loss the core also computes itself (firstSpikeCrossEntropy): {@link Network.lossAndGradient}
   * then runs forward, loss and backward sample by sample in the core (no tapes kept: the memory
   * does not grow with the batch), with the same formulas (values and gradients agree with
   * compute + backward to round-off).
   */
  readonly native?: NativeLossSpec;
}

/** A loss the core computes itself (see {@link OutputLoss.native}). */
export interface NativeLossSpec {
  readonly name: 'first_spike_cross_entropy';
  readonly gamma: number;
}

/** The part of a loss result that {@link Network.lossAndGradient} uses. */
export interface LossValue {
  /** The loss. */
  value: number;
  /** d value / d output time, in the layout of {@link NetworkOutput.times}. */
  grad: Float64Array;
}

/** What {@link Network.trial} returns: a trial's results with the gradient in network layouts. */
export type NetworkTrialResult = Omit<TrialResult, 'grad'> & { grad?: Gradients };

const TRIAL_OPTIONS = optionNames<SimulateOptions>()(['cotangent', 'recordEvents', 'traceDt', 'traceNeurons']);

/** Options of batch runs. */
export interface RunOptions {
  /** Worker threads; 0 or absent: all cores. Results do not depend on it. */
  threads?: number;
}

/** A recorded batch: its outputs and the means to differentiate them. */
export class RecordedBatch {
  /** @internal */
  constructor(
    private readonly network: Network,
    readonly output: NetworkOutput,
    private handle: NativeBatchHandle | null,
  ) {}

  /** The gradient of sum_s sum_k cotangent[s * slots + k] * times[s * slots + k]. */
  backward(cotangent: Float64Array, options: RunOptions = {}): Gradients {
    const h = this.live();
    const stack = new Error();
    try {
      return this.finish(h.backward(this.checkCot(cotangent), { threads: threadsOption(options) }));
    } catch (err) {
      rethrowWithStack(err, stack);
    }
  }

  /** {@link backward} off the main thread. */
  async backwardAsync(cotangent: Float64Array, options: RunOptions = {}): Promise<Gradients> {
    const h = this.live();
    const stack = new Error();
    try {
      return this.finish(await h.backwardAsync(this.checkCot(cotangent), { threads: threadsOption(options) }));
    } catch (err) {
      rethrowWithStack(err, stack);
    }
  }

  /** Frees the tapes now (they are also freed when this object is garbage-collected). */
  dispose(): void {
    this.handle?.dispose();
    this.handle = null;
  }

  private live(): NativeBatchHandle {
    if (this.handle === null) throw codedError('This recorded batch was disposed', 'ERR_SPIKEGRAD_ARG');
    return this.handle;
  }

  private checkCot(cot: Float64Array): Float64Array {
    if (!isFloat64Array(cot)) throw argumentError(`Expected a Float64Array for cotangent but received ${describe(cot)}`);
    const want = this.output.samples * this.output.slots;
    if (cot.length !== want) {
      throw rangeError(`Expected a cotangent of length ${want} (samples x slots) but received ${cot.length}`, 'ERR_SPIKEGRAD_SHAPE');
    }
    return cot;
  }

  /** The core sums the trainable input spikes' gradients over the samples (grad.trainableTimes). */
  private finish(g: NativeGradient): Gradients {
    const grads: Gradients = { weights: g.weights, inputWeights: g.inputWeights, initial: g.initial, inputTimes: g.trainableTimes, eventTimes: g.inputTimes };
    this.network.maskGradients(grads);
    return grads;
  }
}

/** Validates that a synapse list is grouped by source and in range. */
function checkSynapses(list: SynapseList, sources: number, targets: number, name: string): void {
  if (!isInt32Array(list.source) || !isInt32Array(list.target)) {
    throw argumentError(`Expected Int32Arrays for ${name}.source and ${name}.target`);
  }
  if (list.source.length !== list.target.length) {
    throw rangeError(`${name}.source and ${name}.target differ in length`, 'ERR_SPIKEGRAD_SHAPE');
  }
  for (let k = 0; k < list.source.length; k++) {
    const s = list.source[k];
    const t = list.target[k];
    if (s < 0 || s >= sources || t < 0 || t >= targets) throw rangeError(`${name}[${k}] = (${s}, ${t}) is out of range`);
    if (k > 0 && s < list.source[k - 1]) throw rangeError(`${name} must be grouped by source in increasing order (entry ${k})`);
  }
}

function threadsOption(options: RunOptions): number {
  const t = readOptions(options, 'run options', ['threads'] as const).threads ?? 0;
  if (typeof t !== 'number' || !Number.isInteger(t) || t < 0 || t > 1024) {
    throw rangeError(`Expected an integer in [0, 1024] for options.threads but received ${describe(t)}`);
  }
  return t;
}

/**
 * A spiking network with trainable parameters.
 *
 * @example
 * ```ts
 * const net = feedForward({ neuron: theta({ tau: 6 / Math.PI }), sizes: [784, 100, 10], T: 2 });
 * const out = await net.forwardAsync(ttfsBatch(images, 784, { T: 2 }));
 * ```
 */
export class Network {
  readonly structure: NetworkStructure;
  readonly params: Parameters;
  /** Which parameter entries training updates. */
  trainable: Trainable;
  private handle: NativeNetworkHandle | null;
  private inputEncoding?: InputEncoding;
  private classNames?: readonly string[];

  /** CRC-32 of each structure array at construction ({@link structureArrays}). */
  private readonly fingerprint: number[];

  constructor(structure: NetworkStructure, params?: Partial<Parameters>, trainable: Trainable = {}) {
    const s = structure;
    if (typeof s !== 'object' || s === null) throw argumentError(`Expected a network structure but received ${describe(s)}`);
    expectKnownKeys(s, 'structure', STRUCTURE_KEYS);
    const neuron = expectNeuron(s.neuron, 'structure.neuron');
    for (const key of ['recurrent', 'input', 'readout'] as const) {
      if (typeof s[key] !== 'object' || s[key] === null) throw argumentError(`Expected an object for structure.${key} but received ${describe(s[key])}`);
    }
    if (!isInt32Array(s.readout.neurons) || !isInt32Array(s.readout.counts)) {
      throw argumentError('Expected Int32Arrays for structure.readout.neurons and structure.readout.counts');
    }
    if (s.readout.neurons.length !== s.readout.counts.length) {
      throw rangeError(
        `Expected structure.readout.counts (length ${s.readout.counts.length}) to have the length of structure.readout.neurons (${s.readout.neurons.length})`,
        'ERR_SPIKEGRAD_SHAPE',
      );
    }
    if (s.layers !== undefined && (!Array.isArray(s.layers) || !s.layers.every((l) => isInt32Array(l)))) {
      throw argumentError(`Expected an array of Int32Arrays for structure.layers but received ${describe(s.layers)}`);
    }
    if (s.engine !== undefined && !ENGINE_OPTIONS.includes(s.engine)) {
      throw argumentError(`Expected 'auto', 'layered' or 'general' for structure.engine but received ${describe(s.engine)}`);
    }
    if (params !== undefined && (typeof params !== 'object' || params === null)) {
      throw argumentError(`Expected an object of parameters for params but received ${describe(params)}`);
    }
    const given = readOptions(params, 'params', PARAMETER_NAMES) as Partial<Parameters>;
    if (typeof trainable !== 'object' || trainable === null) {
      throw argumentError(`Expected an object for trainable but received ${describe(trainable)}`);
    }
    expectKnownKeys(trainable, 'trainable', PARAMETER_NAMES);
    // Bounded before anything is allocated (2^26, as the native core).
    if (!Number.isInteger(s.n) || s.n < 1 || s.n > 2 ** 26) throw rangeError(`Expected an integer in [1, 2^26] for n but received ${describe(s.n)}`);
    if (!Number.isInteger(s.nIn) || s.nIn < 0 || s.nIn > 2 ** 26) throw rangeError(`Expected an integer in [0, 2^26] for nIn but received ${describe(s.nIn)}`);
    if (typeof s.T !== 'number' || !Number.isFinite(s.T) || s.T < 0) throw rangeError(`Expected a finite T >= 0 but received ${describe(s.T)}`);
    if (!Number.isInteger(s.maxEvents) || s.maxEvents < 0) throw rangeError(`Expected a non-negative integer for maxEvents but received ${describe(s.maxEvents)}`);
    checkSynapses(s.recurrent, s.n, s.n, 'recurrent');
    checkSynapses(s.input, s.nIn, s.n, 'input');
    if (s.trainableInputs !== undefined) {
      const ch = s.trainableInputs.channels;
      if (!isInt32Array(ch)) throw argumentError(`Expected an Int32Array for trainableInputs.channels but received ${describe(ch)}`);
      ch.forEach((c, k) => {
        if (c < 0 || c >= s.nIn) throw rangeError(`trainableInputs.channels[${k}] = ${c} is not an input channel (there are ${s.nIn})`);
      });
    }
    // A frozen copy of the containers: T, maxEvents, the readout, the layers ... cannot be
    // reassigned (so a saved model is the one that ran); the typed arrays are kept (no copy of
    // large synapse lists) and fingerprinted, and toJSON, clone and saveModel refuse a
    // structure whose arrays were changed in place after construction.
    this.structure = freezeStructure(s, neuron);
    this.fingerprint = structureArrays(this.structure).map(([, a]) => crc32(bytesOf(a)));
    const D = neuron.stateDim;
    const initial = new Float64Array(D * s.n);
    const def = neuron.defaultState();
    for (let d = 0; d < D; d++) initial.fill(def[d], d * s.n, (d + 1) * s.n);
    const m = s.trainableInputs?.channels.length ?? 0;
    this.params = {
      weights: given.weights ?? new Float64Array(s.recurrent.source.length),
      inputWeights: given.inputWeights ?? new Float64Array(s.input.source.length),
      initial: given.initial ?? initial,
      inputTimes: given.inputTimes ?? new Float64Array(m),
    };
    const want: Record<ParameterName, number> = {
      weights: s.recurrent.source.length,
      inputWeights: s.input.source.length,
      initial: D * s.n,
      inputTimes: m,
    };
    for (const name of PARAMETER_NAMES) {
      const a = this.params[name];
      if (!isFloat64Array(a)) throw argumentError(`Expected a Float64Array for params.${name} but received ${describe(a)}`);
      if (a.length !== want[name]) {
        throw rangeError(`Expected params.${name} of length ${want[name]} but received ${a.length}`, 'ERR_SPIKEGRAD_SHAPE');
      }
    }
    this.trainable = trainable;
    for (const name of PARAMETER_NAMES) this.trainableMask(name);
    const stack = new Error();
    try {
      this.handle = new native.NativeNetwork({
        model: neuron.name,
        params: neuron.params,
        n: s.n,
        nIn: s.nIn,
        recurrentSource: s.recurrent.source,
        recurrentTarget: s.recurrent.target,
        inputSource: s.input.source,
        inputTarget: s.input.target,
        readoutNeurons: s.readout.neurons,
        readoutCounts: s.readout.counts,
        layers: s.layers ? [...s.layers] : undefined,
        T: s.T,
        maxEvents: s.maxEvents,
        trainableChannels: s.trainableInputs?.channels,
        engine: s.engine,
      });
    } catch (err) {
      rethrowWithStack(err, stack);
    }
  }

  get neuron(): NeuronModel {
    return this.structure.neuron;
  }
  /** The engine that runs this network: `'layered'` or `'general'` (see {@link NetworkStructure.engine}). */
  get engine(): 'layered' | 'general' {
    return this.live().engine as 'layered' | 'general';
  }
  get n(): number {
    return this.structure.n;
  }
  get T(): number {
    return this.structure.T;
  }
  /** Output times per sample. */
  get slots(): number {
    return this.structure.readout.counts.reduce((a, b) => a + b, 0);
  }

  /**
   * How raw inputs become input spikes (see network/encoding.ts): saved in model files and used
   * by {@link predict}. Validated when set; undefined removes it.
   */
  get encoding(): InputEncoding | undefined {
    return this.inputEncoding;
  }
  set encoding(value: InputEncoding | undefined) {
    this.inputEncoding = value === undefined ? undefined : checkEncoding(value, this.structure.nIn);
  }

  /** Class names, one per readout neuron (saved in model files, named by {@link predict}). */
  get classes(): readonly string[] | undefined {
    return this.classNames;
  }
  set classes(value: readonly string[] | undefined) {
    this.classNames = value === undefined ? undefined : checkClasses(value, this.structure.readout.neurons.length);
  }

  /**
   * Predicts from raw inputs in the network's encoding (images as uint8 pixels, one Uint8Array
   * of whole images or an array of images; or spike lists), off the main thread. Per sample: the
   * class (the readout neuron whose first output time is earliest; with `ordinaryOnly` only real
   * spikes count, the paper's acc_ord), its name, whether a real spike decided, the output times
   * and which of them are pseudospikes (network/predict.ts, docs/serving.md).
   *
   * @example
   * ```ts
   * net.encoding = { kind: 'image', T: 2, bins: 1, pixels: 784, shape: [28, 28] };
   * const [p] = await net.predict(pixels); // p.class, p.spiked, p.times, p.pseudo
   * ```
   */
  async predict(inputs: unknown, options: PredictOptions = {}): Promise<Prediction[]> {
    const o = readPredictOptions(options);
    const encoding = o.encoding === undefined ? this.inputEncoding : checkEncoding(o.encoding, this.structure.nIn, 'options.encoding');
    if (encoding === undefined) throw noEncodingError();
    const batch = encodeInputs(encoding, inputs);
    if (batch.samples === 0) return [];
    const out = await this.forwardAsync(batch, { threads: o.threads });
    return decide(out, this.structure.readout.counts, o.ordinaryOnly, this.classNames);
  }

  /** Runs a batch; returns output times and activity. */
  forward(batch: InputBatch, options: RunOptions = {}): NetworkOutput {
    const [params, input, opts] = this.prepare(batch, options, false);
    const stack = new Error();
    try {
      return this.output(this.live().forward(params, input, opts) as NativeForward);
    } catch (err) {
      rethrowWithStack(err, stack);
    }
  }

  /** {@link forward} off the main thread; parameters and inputs are copied before it starts. */
  async forwardAsync(batch: InputBatch, options: RunOptions = {}): Promise<NetworkOutput> {
    const [params, input, opts] = this.prepare(batch, options, false);
    const stack = new Error();
    try {
      return this.output((await this.live().forwardAsync(params, input, opts)) as NativeForward);
    } catch (err) {
      rethrowWithStack(err, stack);
    }
  }

  /** Runs a batch and keeps what backward() needs. */
  record(batch: InputBatch, options: RunOptions = {}): RecordedBatch {
    const [params, input, opts] = this.prepare(batch, options, true);
    const stack = new Error();
    try {
      return this.recorded(this.live().forward(params, input, opts) as NativeForward);
    } catch (err) {
      rethrowWithStack(err, stack);
    }
  }

  /** {@link record} off the main thread. */
  async recordAsync(batch: InputBatch, options: RunOptions = {}): Promise<RecordedBatch> {
    const [params, input, opts] = this.prepare(batch, options, true);
    const stack = new Error();
    try {
      return this.recorded((await this.live().forwardAsync(params, input, opts)) as NativeForward);
    } catch (err) {
      rethrowWithStack(err, stack);
    }
  }

  /**
   * Forward, loss and backward of one batch (off the main thread).
   *
   * @example
   * ```ts
   * const { loss, grad } = await net.lossAndGradient(batch, firstSpikeCrossEntropy(), labels);
   * ```
   */
  async lossAndGradient<Targets, Result extends LossValue = LossValue>(
    batch: InputBatch,
    loss: OutputLoss<Targets, Result>,
    targets: Targets,
    options: RunOptions = {},
  ): Promise<{ loss: Result; output: NetworkOutput; grad: Gradients }> {
    const spec = (loss as { native?: NativeLossSpec }).native;
    if (spec?.name === 'first_spike_cross_entropy' && this.labelsFit(batch, targets)) return this.fusedStep(batch, spec, targets as ArrayLike<number>, options) as unknown as Promise<{ loss: Result; output: NetworkOutput; grad: Gradients }>;
    const rec = await this.recordAsync(batch, options);
    try {
      const result = loss.compute(rec.output, targets);
      const grad = await rec.backwardAsync(result.grad, options);
      return { loss: result, output: rec.output, grad };
    } finally {
      rec.dispose();
    }
  }

  /**
   * One sample simulated on its own with everything the single-trial API offers: spike lists,
   * the event list, voltage traces, and the gradient of a functional sum_k cotangent[k] *
   * outputTimes[k] in the layouts of {@link Parameters} (per synapse; `inputTimes`: the trainable
   * input spikes; `eventTimes`: the sample's own input events), not masked by `trainable`. For
   * plots and inspection; batches are faster. Exactly what {@link forward} computes for that
   * sample, for networks of any size.
   *
   * @example
   * ```ts
   * const r = net.trial(batch, { recordEvents: true, traceDt: 0.001, traceNeurons: [200, 201] });
   * r.spikeTimes; r.spikeNeurons; r.traces!.V;
   * ```
   */
  trial(batch: InputBatch, options: SimulateOptions = {}, sample = 0): NetworkTrialResult {
    checkInputBatch(batch);
    const o = readOptions(options, 'trial options', TRIAL_OPTIONS);
    if (!Number.isInteger(sample) || sample < 0 || sample >= batch.samples) throw rangeError(`Expected a sample index in [0, ${batch.samples}) but received ${describe(sample)}`);
    this.checkParams(false);
    const opts: Record<string, unknown> = { sample };
    if (o.cotangent !== undefined) opts.cotangent = expectFloat64Array(o.cotangent, 'options.cotangent');
    if (o.recordEvents !== undefined) opts.recordEvents = expectBoolean(o.recordEvents, 'options.recordEvents');
    if (o.traceDt !== undefined) opts.traceDt = expectPositiveNumber(o.traceDt, 'options.traceDt');
    if (o.traceNeurons !== undefined) {
      const list = Array.from(o.traceNeurons as ArrayLike<number>);
      list.forEach((q, k) => expectInteger(q, `options.traceNeurons[${k}]`, 0, this.structure.n - 1));
      opts.traceNeurons = Int32Array.from(list);
    }
    const stack = new Error();
    try {
      const r = this.live().trial(this.nativeParams(), batch, opts) as Omit<NetworkTrialResult, 'grad'> & { grad?: NativeGradient };
      const { grad, ...rest } = r;
      if (grad === undefined) return rest;
      return { ...rest, grad: { weights: grad.weights, inputWeights: grad.inputWeights, initial: grad.initial, inputTimes: grad.trainableTimes, eventTimes: grad.inputTimes } };
    } catch (err) {
      rethrowWithStack(err, stack);
    }
  }

  /** The parameter arrays, in PARAMETER_NAMES order (views, updated in place by optimisers). */
  parameterList(): Float64Array[] {
    return PARAMETER_NAMES.map((name) => this.params[name]);
  }

  /** The gradient arrays in PARAMETER_NAMES order. */
  static gradientList(g: Gradients): Float64Array[] {
    return PARAMETER_NAMES.map((name) => g[name]);
  }

  /** Zeroes the gradient entries of parameters that are not trainable. */
  maskGradients(g: Gradients): void {
    for (const name of PARAMETER_NAMES) {
      const mask = this.trainableMask(name);
      if (mask === true) continue;
      const a = g[name];
      if (mask === false) a.fill(0);
      else for (let k = 0; k < a.length; k++) if (!mask[k]) a[k] = 0;
    }
  }

  /**
   * Projects parameters back into their domains after an optimiser step: the initial state into
   * the model's domain as the core defines it (theta: phases in [0, Theta]; osclif: at most Theta;
   * lif: V below the threshold), trainable input times into [0, T].
   */
  constrain(): void {
    const neuron = this.structure.neuron;
    native.projectInitial(neuron.name, neuron.params, this.params.initial);
    const t = this.params.inputTimes;
    for (let k = 0; k < t.length; k++) t[k] = Math.min(Math.max(t[k], 0), this.structure.T);
  }

  /** A copy with its own parameter arrays. */
  clone(): Network {
    this.checkUsable();
    const p = this.params;
    const copy = new Network(
      this.structure,
      { weights: p.weights.slice(), inputWeights: p.inputWeights.slice(), initial: p.initial.slice(), inputTimes: p.inputTimes.slice() },
      { ...this.trainable },
    );
    copy.inputEncoding = this.inputEncoding;
    copy.classNames = this.classNames;
    return copy;
  }

  /** A plain JSON-serialisable description of structure, parameters and trainability. */
  toJSON(): NetworkJSON {
    this.checkUsable();
    const s = this.structure;
    this.checkParams(true);
    const mask = (name: ParameterName) => {
      const m = this.trainable[name];
      return isUint8Array(m) ? Array.from(m) : (m ?? true);
    };
    return {
      neuron: { name: s.neuron.name, params: { ...s.neuron.params } },
      n: s.n,
      nIn: s.nIn,
      recurrent: { source: Array.from(s.recurrent.source), target: Array.from(s.recurrent.target) },
      input: { source: Array.from(s.input.source), target: Array.from(s.input.target) },
      readout: { neurons: Array.from(s.readout.neurons), counts: Array.from(s.readout.counts) },
      layers: s.layers?.map((l) => Array.from(l)),
      T: s.T,
      maxEvents: s.maxEvents,
      trainableInputs: s.trainableInputs ? { channels: Array.from(s.trainableInputs.channels) } : undefined,
      engine: s.engine,
      params: {
        weights: Array.from(this.params.weights),
        inputWeights: Array.from(this.params.inputWeights),
        initial: Array.from(this.params.initial),
        inputTimes: Array.from(this.params.inputTimes),
      },
      trainable: Object.fromEntries(PARAMETER_NAMES.map((n) => [n, mask(n)])) as NetworkJSON['trainable'],
      encoding: this.inputEncoding,
      classes: this.classNames ? [...this.classNames] : undefined,
    };
  }

  /** Recreates a network from {@link toJSON} output; validates everything. */
  static fromJSON(value: unknown): Network {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw argumentError(`Expected a network object but received ${describe(value)}`);
    const v = value as NetworkJSON;
    // Every key of every object is known: a misspelt field is an error, not a silent default.
    expectKnownKeys(v, 'network', NETWORK_JSON_KEYS, 'key');
    const ints = (a: unknown, name: string) => {
      if (!Array.isArray(a) || a.some((x) => !Number.isInteger(x))) throw argumentError(`network.${name}: expected an array of integers`);
      // Checked before the Int32Array, which would wrap 2^32 + 1 to 1.
      const k = (a as number[]).findIndex((x) => x < -(2 ** 31) || x > 2 ** 31 - 1);
      if (k >= 0) throw rangeError(`network.${name}[${k}]: expected a 32-bit integer but received ${(a as number[])[k]}`);
      return Int32Array.from(a as number[]);
    };
    const floats = (a: unknown, name: string) => {
      if (!Array.isArray(a) || a.some((x) => typeof x !== 'number' || !Number.isFinite(x))) {
        throw argumentError(`network.${name}: expected an array of finite numbers`);
      }
      return Float64Array.from(a as number[]);
    };
    const object = (a: unknown, name: string, keys: readonly string[]) => {
      if (typeof a !== 'object' || a === null || Array.isArray(a)) throw argumentError(`network.${name}: expected an object but received ${describe(a)}`);
      expectKnownKeys(a, `network.${name}`, keys, 'key');
      return a as Record<string, unknown>;
    };
    const recurrent = object(v.recurrent, 'recurrent', ['source', 'target']);
    const input = object(v.input, 'input', ['source', 'target']);
    const readout = object(v.readout, 'readout', ['neurons', 'counts']);
    const params = object(v.params, 'params', PARAMETER_NAMES);
    object(v.neuron, 'neuron', ['name', 'params']);
    if (v.layers !== undefined && !Array.isArray(v.layers)) throw argumentError(`network.layers: expected an array of arrays but received ${describe(v.layers)}`);
    if (v.trainableInputs !== undefined) object(v.trainableInputs, 'trainableInputs', ['channels']);
    if (v.trainable !== undefined) object(v.trainable, 'trainable', PARAMETER_NAMES);
    for (const key of ['n', 'nIn', 'T', 'maxEvents'] as const) {
      if (typeof v[key] !== 'number') throw argumentError(`network.${key}: expected a number but received ${describe(v[key])}`);
    }
    const structure: NetworkStructure = {
      neuron: neuronFromJSON(v.neuron),
      n: v.n,
      nIn: v.nIn,
      recurrent: { source: ints(recurrent.source, 'recurrent.source'), target: ints(recurrent.target, 'recurrent.target') },
      input: { source: ints(input.source, 'input.source'), target: ints(input.target, 'input.target') },
      readout: { neurons: ints(readout.neurons, 'readout.neurons'), counts: ints(readout.counts, 'readout.counts') },
      layers: v.layers === undefined ? undefined : v.layers.map((l, L) => ints(l, `layers[${L}]`)),
      T: v.T,
      maxEvents: v.maxEvents,
      trainableInputs: v.trainableInputs ? { channels: ints(v.trainableInputs.channels, 'trainableInputs.channels') } : undefined,
      engine: v.engine,
    };
    const trainable: Trainable = {};
    for (const name of PARAMETER_NAMES) {
      const t = v.trainable?.[name];
      if (t === undefined || t === true || t === false) trainable[name] = t ?? true;
      else {
        const mask = ints(t, `trainable.${name}`);
        const k = mask.findIndex((x) => x !== 0 && x !== 1);
        // Checked before the Uint8Array, which would wrap 256 to 0.
        if (k >= 0) throw rangeError(`network.trainable.${name}[${k}]: expected 0 or 1 (a mask) but received ${mask[k]}`);
        trainable[name] = Uint8Array.from(mask);
      }
    }
    const net = new Network(
      structure,
      {
        weights: floats(params.weights, 'params.weights'),
        inputWeights: floats(params.inputWeights, 'params.inputWeights'),
        initial: floats(params.initial, 'params.initial'),
        inputTimes: floats(params.inputTimes ?? [], 'params.inputTimes'),
      },
      trainable,
    );
    if (v.encoding !== undefined) net.inputEncoding = checkEncoding(v.encoding, net.structure.nIn, 'network.encoding');
    if (v.classes !== undefined) net.classNames = checkClasses(v.classes, net.structure.readout.neurons.length, 'network.classes');
    return net;
  }

  /** Releases the native structure; later calls throw. */
  dispose(): void {
    this.handle = null;
  }

  /**
   * @internal Throws ERR_SPIKEGRAD_ARG when the network was disposed or an array of its
   * structure was changed in place after construction (what would be saved is not what runs).
   */
  checkUsable(): void {
    this.live();
    const arrays = structureArrays(this.structure);
    arrays.forEach(([name, a], k) => {
      if (crc32(bytesOf(a)) !== this.fingerprint[k]) {
        throw codedError(`network.structure.${name} was changed after the network was built; a network's structure is fixed (build a new Network instead)`, 'ERR_SPIKEGRAD_ARG');
      }
    });
  }

  private live(): NativeNetworkHandle {
    if (this.handle === null) throw codedError('This network was disposed', 'ERR_SPIKEGRAD_ARG');
    return this.handle;
  }

  private trainableMask(name: ParameterName): boolean | Uint8Array {
    const t = this.trainable[name];
    if (t === undefined || t === true) return true;
    if (t === false) return false;
    if (!isUint8Array(t) || t.length !== this.params[name].length) {
      throw rangeError(`Expected a boolean or a Uint8Array of length ${this.params[name].length} for trainable.${name}`, 'ERR_SPIKEGRAD_SHAPE');
    }
    const k = t.findIndex((v) => v > 1);
    if (k >= 0) throw rangeError(`Expected 0 or 1 for trainable.${name}[${k}] (a mask) but received ${t[k]}`);
    return t;
  }

  /**
   * The parameter arrays must still be usable (not detached by a transfer) and, for JSON, finite
   * (JSON would write NaN and infinities as null).
   */
  private checkParams(finite: boolean): void {
    for (const name of PARAMETER_NAMES) {
      const a = this.params[name];
      expectAttached(a, `params.${name}`);
      if (finite) {
        const k = a.findIndex((x) => !Number.isFinite(x));
        if (k >= 0) throw rangeError(`params.${name}[${k}] is ${a[k]}, not a finite number`, 'ERR_SPIKEGRAD_NONFINITE');
      }
    }
  }

  private prepare(batch: InputBatch, options: RunOptions, keepTapes: boolean): [object, InputBatch, object] {
    checkInputBatch(batch);
    this.checkParams(false);
    return [this.nativeParams(), batch, { threads: threadsOption(options), keepTapes }];
  }

  /** Labels the core's loss can take: one integer output slot per sample (else the loss's own checks report the problem). */
  private labelsFit(batch: InputBatch, targets: unknown): boolean {
    if (typeof batch !== 'object' || batch === null || !(Array.isArray(targets) || ArrayBuffer.isView(targets))) return false;
    const l = targets as ArrayLike<unknown>;
    const slots = this.structure.readout.counts.reduce((a, b) => a + b, 0);
    if (l.length !== batch.samples) return false;
    for (let s = 0; s < l.length; s++) {
      const y = l[s];
      if (typeof y !== 'number' || !Number.isInteger(y) || y < 0 || y >= slots) return false;
    }
    return true;
  }

  /** Forward, loss and backward sample by sample in the core (OutputLoss.native). */
  private async fusedStep(batch: InputBatch, spec: NativeLossSpec, labels: ArrayLike<number>, options: RunOptions): Promise<{ loss: { value: number; perSample: Float64Array; grad: Float64Array }; output: NetworkOutput; grad: Gradients }> {
    const [params, input, opts] = this.prepare(batch, options, false);
    const stack = new Error();
    let r: NativeForward & { lossPerSample: Float64Array; cotangent: Float64Array; grad: NativeGradient };
    try {
      r = (await this.live().forwardAsync(params, input, { ...opts, loss: { name: spec.name, gamma: spec.gamma }, labels: Int32Array.from(labels) })) as typeof r;
    } catch (err) {
      rethrowWithStack(err, stack);
    }
    let sum = 0;
    for (let s = 0; s < r.lossPerSample.length; s++) sum += r.lossPerSample[s];
    const g = r.grad;
    const grad: Gradients = { weights: g.weights, inputWeights: g.inputWeights, initial: g.initial, inputTimes: g.trainableTimes, eventTimes: g.inputTimes };
    this.maskGradients(grad);
    return { loss: { value: sum / r.lossPerSample.length, perSample: r.lossPerSample, grad: r.cotangent }, output: this.output(r), grad };
  }

  /** The parameters as the native network reads them (it appends the trainable input spikes to every sample). */
  private nativeParams(): object {
    const p = this.params;
    return { weights: p.weights, inputWeights: p.inputWeights, initial: p.initial, inputTimes: p.inputTimes };
  }

  private output(r: NativeForward): NetworkOutput {
    return {
      times: r.outputTimes,
      isPseudo: r.outputIsPseudo,
      samples: r.samples,
      slots: r.slots,
      T: this.structure.T,
      inTrialEvents: r.inTrialEvents,
      spikeCount: r.spikeCount,
      spikeCountFirst: r.spikeCountFirst,
    };
  }

  private recorded(r: NativeForward): RecordedBatch {
    return new RecordedBatch(this, this.output(r), r.batch ?? null);
  }
}

/** The JSON form of a network (see {@link Network.toJSON}). */
export interface NetworkJSON {
  neuron: { name: string; params: Record<string, number> };
  n: number;
  nIn: number;
  recurrent: { source: number[]; target: number[] };
  input: { source: number[]; target: number[] };
  readout: { neurons: number[]; counts: number[] };
  layers?: number[][];
  T: number;
  maxEvents: number;
  trainableInputs?: { channels: number[] };
  engine?: EngineOption;
  params: { weights: number[]; inputWeights: number[]; initial: number[]; inputTimes?: number[] };
  trainable?: Partial<Record<ParameterName, boolean | number[]>>;
  /** The input encoding ({@link Network.encoding}). */
  encoding?: InputEncoding;
  /** Class names ({@link Network.classes}). */
  classes?: string[];
}

