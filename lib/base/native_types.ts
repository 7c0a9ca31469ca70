/**
 * The binding's surface as TypeScript types: what native/binding/addon.cc exports, implemented
 * by the native addon and by the WebAssembly build (lib/base/wasm.ts) alike.
 */

/** A recorded batch in native memory (native/binding/native_batch.cc, NativeBatch). */
export interface NativeBatchHandle {
  backward(cotangent: Float64Array, options: { threads: number }): NativeGradient;
  backwardAsync(cotangent: Float64Array, options: { threads: number }): Promise<NativeGradient>;
  dispose(): void;
  readonly tapeBytes: number;
}

/**
 * What NativeNetwork.forward/forwardAsync return per batch: output times and whether each is a
 * pseudospike (samples x slots), in-trial events per sample, spike counts per neuron (all, and
 * before the first readout spike), and with record the batch kept for backward.
 */
export interface NativeForwardResult {
  outputTimes: Float64Array;
  outputIsPseudo: Uint8Array;
  inTrialEvents: Float64Array;
  spikeCount: Float64Array;
  spikeCountFirst: Float64Array;
  samples: number;
  slots: number;
  batch?: NativeBatchHandle;
}

/**
 * Gradients as the native batch and NativeNetwork.trial return them (per synapse; inputTimes per
 * input event of the samples, trainableTimes per trainable input spike summed over the samples).
 */
export interface NativeGradient {
  weights: Float64Array;
  inputWeights: Float64Array;
  initial: Float64Array;
  inputTimes: Float64Array;
  trainableTimes: Float64Array;
}

/**
 * A network structure in native memory (native/binding/native_network.cc, NativeNetwork). params:
 * {weights, inputWeights, initial, inputTimes (the trainable input spikes' times; required when
 * the structure declares trainableChannels)}. trial runs one sample ({times, channels,
 * eventStart?}, or a batch and options.sample) with options {cotangent, recordEvents, traceDt,
 * traceNeurons}; its gradient is in synapse-list layout.
 */
export interface NativeNetworkHandle {
  forward(params: object, batch: object, options: object): unknown;
  forwardAsync(params: object, batch: object, options: object): Promise<unknown>;
  trial(params: object, sample: object, options?: object): unknown;
  trialAsync(params: object, sample: object, options?: object): Promise<unknown>;
  /** The engine that runs the network's batches: 'layered' or 'general'. */
  readonly engine: string;
}

/** A registered neuron model as the core describes it (native/binding/models.cc). */
export interface NativeModelInfo {
  readonly name: string;
  readonly family: 'current' | 'phase';
  readonly stateNames: readonly string[];
  readonly params: readonly { readonly name: string; readonly default: number }[];
}

/** A model's parameters and the constants the core derives from them (modelConstants). */
export interface NativeModelConstants {
  readonly name: string;
  readonly family: 'current' | 'phase';
  readonly stateNames: readonly string[];
  /** Every parameter, defaults filled in. */
  readonly params: Readonly<Record<string, number>>;
  /** Derived constants exactly as the engines use them: theta {period, r}, osclif {period}. */
  readonly constants: Readonly<Record<string, number>>;
  /** Per state variable: the closed domain [stateMin, stateMax] of the initial state. */
  readonly stateMin: readonly number[];
  readonly stateMax: readonly number[];
  /** The default initial state of one neuron. */
  readonly defaultState: readonly number[];
}

/** The raw functions of the addon, exactly as exported by native/binding/addon.cc. */
export interface NativeBinding {
  readonly napiVersion: number;
  /** The most neuron updates the core records for one trial (engine_base.hpp, kMaxTouches). */
  readonly maxRecordUpdates: number;
  /** One trial (see lib/trial/simulate.ts, TrialSpec plus cotangent and recordEvents). */
  simulate(spec: Record<string, unknown>): unknown;
  simulateAsync(spec: Record<string, unknown>): Promise<unknown>;
  NativeNetwork: new (spec: Record<string, unknown>) => NativeNetworkHandle;
  /** The registered neuron models, in registry order. */
  readonly models: readonly NativeModelInfo[];
  modelConstants(name: string, params?: Record<string, number>): NativeModelConstants;
  /** Clamps initial (stateDim * n values by variable) into the model's domain in place; returns the number of values changed. */
  projectInitial(name: string, params: Record<string, number> | undefined, initial: Float64Array): number;
  /**
   * TTFS encoding of whole images (core/encoding.hpp): the bundled layout of lib/network/ttfs.ts.
   * `state` (Random's four state words; null when flipProbability is 0) is advanced in place.
   */
  ttfsEncode(images: Uint8Array, pixels: number, bins: number, flipProbability: number, state: Uint32Array | null): { channels: Int32Array; eventStart: Int32Array };
  /**
   * One Adam or AdaBelief step of one parameter array (core/optim.hpp): constants [b1, b2, eps,
   * epsRoot, bc1, bc2, scale, belief, usePrevious]; writes mNext, vNext and out; true if they and
   * every params[k] + out[k] are finite.
   */
  adamStep(constants: Float64Array, g: Float64Array, m: Float64Array, v: Float64Array, mNext: Float64Array, vNext: Float64Array, out: Float64Array, params: Float64Array | null): boolean;
}
