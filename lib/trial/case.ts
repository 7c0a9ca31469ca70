/**
 * The JSON case format of `spikegrad eval` (one simulation and one gradient): parsing with
 * field-naming validation, conversion to a {@link TrialSpec}, and the output object.
 * The contract is specified in docs/case-format.md.
 */
import { argumentError, rangeError, describe } from '../base/errors';
import { expectKnownKeys } from '../base/validate';
import type { ModelName, ModelParams, TrialResult, TrialSpec } from './simulate';
import { MODEL_NAMES, isModelName, parameterNames } from '../neurons/models';

/** A case as read from JSON (see docs/case-format.md). */
export interface CaseFile {
  neuron: { model: ModelName } & ModelParams;
  T: number;
  maxEvents: number;
  n: number;
  initial: { phi: number[] } | { V: number[]; I: number[] };
  weights: number[][];
  weightMask?: number[][];
  inputWeights: number[][];
  inputSpikes: { times: number[]; sources: number[] };
  readout: { neurons: number[]; counts: number[]; layers?: number[][] };
  cotangent: number[][];
}

/** The output object of `spikegrad eval`. */
export interface CaseOutput {
  spikes: { times: number[]; neurons: number[] };
  outputTimes: number[][];
  grad: {
    weights: number[][];
    inputWeights: number[][];
    inputTimes: number[];
    initial: { phi: number[] } | { V: number[]; I: number[] };
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Refuses a key of a case object that the format does not define ("did you mean"). */
function known(obj: Record<string, unknown>, path: string, keys: readonly string[]): void {
  expectKnownKeys(obj, path === '' ? 'the case' : path, keys, 'key');
}

const CASE_KEYS = ['neuron', 'T', 'maxEvents', 'n', 'initial', 'weights', 'weightMask', 'inputWeights', 'inputSpikes', 'readout', 'cotangent'] as const;

function need(obj: Record<string, unknown>, key: string, path: string): unknown {
  if (!Object.hasOwn(obj, key) || obj[key] === undefined) throw argumentError(`${path}${key}: missing`);
  return obj[key];
}

function finite(v: unknown, path: string): number {
  if (typeof v !== 'number') throw argumentError(`${path}: expected a number but received ${describe(v)}`);
  if (!Number.isFinite(v)) throw rangeError(`${path}: expected a finite number`, 'ERR_SPIKEGRAD_NONFINITE');
  return v;
}

function integer(v: unknown, path: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const x = finite(v, path);
  if (!Number.isInteger(x) || x < min || x > max) {
    throw rangeError(`${path}: expected an integer in [${min}, ${max}] but received ${x}`);
  }
  return x;
}

function numbers(v: unknown, path: string, length?: number): number[] {
  if (!Array.isArray(v)) throw argumentError(`${path}: expected an array but received ${describe(v)}`);
  if (length !== undefined && v.length !== length) {
    throw rangeError(`${path}: expected ${length} entries but received ${v.length}`, 'ERR_SPIKEGRAD_SHAPE');
  }
  return v.map((x, k) => finite(x, `${path}[${k}]`));
}

function matrix(v: unknown, path: string, rows: number, cols?: number): number[][] {
  if (!Array.isArray(v)) throw argumentError(`${path}: expected an array of rows but received ${describe(v)}`);
  if (v.length !== rows) {
    throw rangeError(`${path}: expected ${rows} rows but received ${v.length}`, 'ERR_SPIKEGRAD_SHAPE');
  }
  const width = cols ?? (Array.isArray(v[0]) ? (v[0] as unknown[]).length : 0);
  return v.map((row, i) => numbers(row, `${path}[${i}]`, width));
}

/** Column-major Float64Array of a rows x cols nested array. */
function colMajor(M: number[][], rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[i + j * rows] = M[i][j];
  return out;
}

/** Nested rows x cols array of a column-major array. */
function nested(a: Float64Array, rows: number, cols: number): number[][] {
  return Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => a[i + j * rows]));
}

/** A validated case, ready to simulate. */
export interface ParsedCase {
  spec: TrialSpec;
  cotangent: Float64Array;
}

/**
 * Validates a parsed JSON value as a case and converts it. Throws a TypeError or RangeError whose
 * message starts with the path of the offending field (e.g. `weights[2][1]: ...`).
 */
export function parseCase(value: unknown): ParsedCase {
  if (!isObject(value)) throw argumentError(`case: expected a JSON object but received ${describe(value)}`);
  known(value, '', CASE_KEYS);
  const neuron = need(value, 'neuron', '');
  if (!isObject(neuron)) throw argumentError(`neuron: expected an object but received ${describe(neuron)}`);
  // Without a model, a misspelt 'model' key is named as such (the parameters of any model pass).
  if (!Object.hasOwn(neuron, 'model')) known(neuron, 'neuron', ['model', ...new Set(MODEL_NAMES.flatMap((m) => parameterNames(m)))]);
  const model = need(neuron, 'model', 'neuron.');
  if (!isModelName(model)) {
    throw rangeError(`neuron.model: expected one of ${MODEL_NAMES.join(', ')} but received ${describe(model)}`, 'ERR_SPIKEGRAD_DOMAIN');
  }
  const modelName: ModelName = model;
  known(neuron, `neuron (model ${modelName})`, ['model', ...parameterNames(modelName)]);
  const params: ModelParams = {};
  for (const key of parameterNames(modelName)) {
    if (Object.hasOwn(neuron, key) && neuron[key] !== undefined) (params as Record<string, number>)[key] = finite(neuron[key], `neuron.${key}`);
  }
  const T = finite(need(value, 'T', ''), 'T');
  if (T < 0) throw rangeError(`T: expected a number >= 0 but received ${T}`);
  const maxEvents = integer(need(value, 'maxEvents', ''), 'maxEvents', 0);
  const n = integer(need(value, 'n', ''), 'n', 1, 1 << 16);

  const initialValue = need(value, 'initial', '');
  if (!isObject(initialValue)) throw argumentError(`initial: expected an object but received ${describe(initialValue)}`);
  const phase = modelName === 'theta' || modelName === 'osclif';
  known(initialValue, `initial (model ${modelName})`, phase ? ['phi'] : ['V', 'I']);
  const initial = phase
    ? Float64Array.from(numbers(need(initialValue, 'phi', 'initial.'), 'initial.phi', n))
    : Float64Array.from([
        ...numbers(need(initialValue, 'V', 'initial.'), 'initial.V', n),
        ...numbers(need(initialValue, 'I', 'initial.'), 'initial.I', n),
      ]);

  const W = matrix(need(value, 'weights', ''), 'weights', n, n);
  let weightMask: Uint8Array | undefined;
  const maskValue = Object.hasOwn(value, 'weightMask') ? value.weightMask : undefined;
  if (maskValue !== undefined) {
    const M = matrix(maskValue, 'weightMask', n, n);
    weightMask = new Uint8Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const m = M[i][j];
        if (m !== 0 && m !== 1) throw rangeError(`weightMask[${i}][${j}]: expected 0 or 1 but received ${m}`);
        if (m === 0 && W[i][j] !== 0) {
          throw rangeError(`weights[${i}][${j}]: must be 0 where weightMask is 0 but is ${W[i][j]}`);
        }
        weightMask[i + j * n] = m;
      }
    }
  }
  const Win = matrix(need(value, 'inputWeights', ''), 'inputWeights', n);
  const nIn = Win[0].length;

  const spikes = need(value, 'inputSpikes', '');
  if (!isObject(spikes)) throw argumentError(`inputSpikes: expected an object but received ${describe(spikes)}`);
  known(spikes, 'inputSpikes', ['times', 'sources']);
  const times = numbers(need(spikes, 'times', 'inputSpikes.'), 'inputSpikes.times');
  times.forEach((t, k) => {
    if (t < 0) throw rangeError(`inputSpikes.times[${k}]: expected a time >= 0 but received ${t}`);
  });
  const sources = numbers(need(spikes, 'sources', 'inputSpikes.'), 'inputSpikes.sources', times.length);
  sources.forEach((c, k) => integer(c, `inputSpikes.sources[${k}]`, 0, nIn - 1));

  const readout = need(value, 'readout', '');
  if (!isObject(readout)) throw argumentError(`readout: expected an object but received ${describe(readout)}`);
  known(readout, 'readout', ['neurons', 'counts', 'layers']);
  const neurons = numbers(need(readout, 'neurons', 'readout.'), 'readout.neurons');
  neurons.forEach((i, q) => integer(i, `readout.neurons[${q}]`, 0, n - 1));
  const counts = numbers(need(readout, 'counts', 'readout.'), 'readout.counts', neurons.length);
  counts.forEach((c, q) => integer(c, `readout.counts[${q}]`, 0, 1 << 20));
  let layers: Int32Array[] | undefined;
  const layersValue = Object.hasOwn(readout, 'layers') ? readout.layers : undefined;
  if (layersValue !== undefined) {
    if (!Array.isArray(layersValue)) throw argumentError(`readout.layers: expected an array of arrays but received ${describe(layersValue)}`);
    const seen = new Set<number>();
    layers = layersValue.map((layer, L) => {
      const ids = numbers(layer, `readout.layers[${L}]`);
      ids.forEach((i, k) => {
        integer(i, `readout.layers[${L}][${k}]`, 0, n - 1);
        if (seen.has(i)) throw rangeError(`readout.layers[${L}][${k}]: neuron ${i} is listed twice`);
        seen.add(i);
      });
      return Int32Array.from(ids);
    });
    neurons.forEach((i, q) => {
      if (counts[q] > 0 && !seen.has(i)) throw rangeError(`readout.layers: readout neuron ${i} (readout.neurons[${q}]) is in no layer`);
    });
  }

  const cot = need(value, 'cotangent', '');
  if (!Array.isArray(cot)) throw argumentError(`cotangent: expected an array of lists but received ${describe(cot)}`);
  if (cot.length !== neurons.length) {
    throw rangeError(`cotangent: expected ${neurons.length} lists (one per readout neuron) but received ${cot.length}`, 'ERR_SPIKEGRAD_SHAPE');
  }
  const cotangent = Float64Array.from(cot.flatMap((row, q) => numbers(row, `cotangent[${q}]`, counts[q])));

  const spec: TrialSpec = {
    model: modelName,
    params,
    n,
    nIn,
    weights: colMajor(W, n, n),
    weightMask,
    inputWeights: colMajor(Win, n, nIn),
    initial,
    inputTimes: Float64Array.from(times),
    inputChannels: Int32Array.from(sources),
    readoutNeurons: Int32Array.from(neurons),
    readoutCounts: Int32Array.from(counts),
    layers,
    T,
    maxEvents,
  };
  return { spec, cotangent };
}

/** The `spikegrad eval` output object of a simulated case. */
export function caseOutput(parsed: ParsedCase, result: TrialResult): CaseOutput {
  const { spec } = parsed;
  const grad = result.grad;
  if (!grad) throw new Error('caseOutput: the result has no gradient');
  const outputTimes: number[][] = [];
  let k = 0;
  for (const c of spec.readoutCounts) {
    outputTimes.push(Array.from(result.outputTimes.subarray(k, k + c)));
    k += c;
  }
  const n = spec.n;
  const phase = spec.model === 'theta' || spec.model === 'osclif';
  const gi = Array.from(grad.initial);
  return {
    spikes: { times: Array.from(result.spikeTimes), neurons: Array.from(result.spikeNeurons) },
    outputTimes,
    grad: {
      weights: nested(grad.weights, n, n),
      inputWeights: nested(grad.inputWeights, n, spec.nIn),
      inputTimes: Array.from(grad.inputTimes),
      initial: phase ? { phi: gi } : { V: gi.slice(0, n), I: gi.slice(n) },
    },
  };
}
