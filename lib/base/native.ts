/**
 * Loads the native addon (a prebuilt binary from prebuilds/, or a local build from build/) and
 * types its raw functions. Nothing outside lib/ should import the raw binding: the public API
 * wraps and validates every call.
 */
import path = require('path');
import load = require('node-gyp-build');
import { codedError } from './errors';

/** A recorded batch in native memory (native/binding/native_batch.cc, NativeBatch). */
export interface NativeBatchHandle {
  backward(cotangent: Float64Array, options: { threads: number }): NativeGradient;
  backwardAsync(cotangent: Float64Array, options: { threads: number }): Promise<NativeGradient>;
  dispose(): void;
  readonly tapeBytes: number;
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
  /** One trial (see lib/trial/simulate.ts, TrialSpec plus cotangent and recordEvents). */
  simulate(spec: Record<string, unknown>): unknown;
  simulateAsync(spec: Record<string, unknown>): Promise<unknown>;
  NativeNetwork: new (spec: Record<string, unknown>) => NativeNetworkHandle;
  /** The registered neuron models, in registry order. */
  readonly models: readonly NativeModelInfo[];
  modelConstants(name: string, params?: Record<string, number>): NativeModelConstants;
  /** Clamps initial (stateDim * n values by variable) into the model's domain in place; returns the number of values changed. */
  projectInitial(name: string, params: Record<string, number> | undefined, initial: Float64Array): number;
}

/** The package root: the same relative path works from lib/base/ (ts-jest) and from dist/base/ (tsc). */
const root = path.join(__dirname, '..', '..');

function loadBinding(): { binding: NativeBinding; bindingPath: string } {
  try {
    const bindingPath = load.resolve(root);
    return { binding: load(root) as NativeBinding, bindingPath };
  } catch (err) {
    const cause = err instanceof Error ? err.message : String(err);
    throw codedError(
      [
        'spikegrad: could not load its native addon.',
        `Looked for build/Release/spikegrad.node, build/Debug/spikegrad.node and a prebuilt binary in ${path.join(root, 'prebuilds')}`,
        `for platform=${process.platform} arch=${process.arch} node=${process.versions.node} (Node-API 8).`,
        `Cause: ${cause}`,
        'Possible solutions:',
        '- Prebuilt binaries ship for linux-x64 (glibc); on other platforms a C++17 compiler, make and python3 are needed.',
        '- Install a compiler toolchain (e.g. `apt-get install g++ make python3`) and run `npm rebuild spikegrad`',
        '  (npm >= 11 may need "allowScripts": {"spikegrad": true} in your package.json to run the install script).',
        '- In a clone of the repository, run `npm run build`.',
        '- Node.js >= 20.17 is required.',
      ].join('\n'),
      'ERR_SPIKEGRAD_ADDON',
    );
  }
}

const loaded = loadBinding();

/** The raw binding. */
export const native: NativeBinding = loaded.binding;
/** The file the binding was loaded from. */
export const bindingPath: string = loaded.bindingPath;
