/**
 * Test helpers: a seeded PRNG, builders of random TrialSpecs (recurrent networks of every model,
 * layered feed-forward networks of theta and qif neurons) and central finite differences of the
 * functional sum_k cotangent[k] * outputTimes[k].
 */
import { simulate } from '../../lib/trial/simulate';
import type { ModelName, ModelParams, TrialResult, TrialSpec } from '../../lib/trial/simulate';
import { MODEL_NAMES, makeNeuron, modelInfo, parameterNames } from '../../lib/neurons/models';

/** Every registered neuron model (the registry of lib/neurons/models.ts, derived from the core's). */
export const MODELS: readonly ModelName[] = MODEL_NAMES;

/** mulberry32: a small, fast, seedable 32-bit PRNG returning values in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Convenience wrapper around {@link mulberry32}. */
export class Rng {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  /** Uniform in [0, 1). */
  random(): number {
    return this.next();
  }
  /** Uniform in [a, b). */
  uniform(a: number, b: number): number {
    return a + (b - a) * this.next();
  }
  /** Integer uniform in [a, b] (both inclusive). */
  int(a: number, b: number): number {
    return a + Math.floor((b - a + 1) * this.next());
  }
  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** k distinct elements of [0, n), in increasing order. */
  subset(n: number, k: number): number[] {
    const all = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [all[i], all[j]] = [all[j], all[i]];
    }
    return all.slice(0, k).sort((a, b) => a - b);
  }
}

/** Number of state variables per neuron. */
export function stateDim(model: ModelName): number {
  return modelInfo(model).stateNames.length;
}

/** Period Theta of a phase model as the core computes it (default parameters where absent). */
export function period(model: ModelName, tau = 1, I0 = 1.25, vth = 1): number {
  const known = new Set(parameterNames(model));
  const params = Object.fromEntries(Object.entries({ tau, I0, vth }).filter(([k]) => known.has(k)));
  return makeNeuron(model, params).constants.period;
}

/** Model-dependent ranges of the random recurrent networks. */
interface Ranges {
  T: [number, number];
  inputWeight: [number, number];
  weight: [number, number];
  /** Initial state: V and I (qif, lif) or phi (phase models). */
  V?: [number, number];
  I?: [number, number];
  phi?: [number, number];
}

/**
 * Ranges for the given model and parameters (defaults where a parameter is absent). Times scale
 * with tau; voltages and currents of the LIF models scale with vth.
 */
function rangesFor(model: ModelName, params: ModelParams = {}): Ranges {
  const tau = params.tau ?? 1;
  const vth = params.vth ?? 1;
  switch (model) {
    case 'qif':
      // From rest a spike needs I > pi^2/4 ~ 2.47; from the reset I > pi^2 ~ 9.87.
      return { T: [2.5 * tau, 5 * tau], inputWeight: [-3, 7], weight: [-4, 6], V: [-1, 1.2], I: [-1, 3] };
    case 'lif':
      // From rest a spike needs I > 4 vth. Recurrent excitation above ~2 vth (no refractoriness,
      // reset to 0) makes the activity run away exponentially, so recurrent weights stay small.
      return {
        T: [2.5 * tau, 5 * tau],
        inputWeight: [-3 * vth, 9 * vth],
        weight: [-3 * vth, 2 * vth],
        V: [-0.5 * vth, 0.8 * vth],
        I: [-vth, 5 * vth],
      };
    case 'theta': {
      const Theta = period('theta', tau, params.I0 ?? 1.25);
      return { T: [0.3 * Theta, 1.3 * Theta], inputWeight: [-2, 2.5], weight: [-2, 2.5], phi: [0.03 * Theta, 0.97 * Theta] };
    }
    case 'osclif': {
      const Theta = period('osclif', tau, params.I0 ?? 1.25, vth);
      return {
        T: [0.5 * Theta, 1.6 * Theta],
        inputWeight: [-0.6 * vth, 0.6 * vth],
        weight: [-0.6 * vth, 0.6 * vth],
        phi: [0.03 * Theta, 0.97 * Theta],
      };
    }
    default: {
      // A model without its own ranges: moderate ones by family.
      if (modelInfo(model).family === 'current') return { T: [2.5 * tau, 5 * tau], inputWeight: [-3, 7], weight: [-3, 3], V: [-1, 0.5], I: [-1, 3] };
      const Theta = period(model, tau, params.I0 ?? 1.25, vth);
      return { T: [0.3 * Theta, 1.3 * Theta], inputWeight: [-1, 1], weight: [-1, 1], phi: [0.03 * Theta, 0.97 * Theta] };
    }
  }
}

/** Random, non-default model parameters. */
export function randomParams(model: ModelName, rng: Rng): ModelParams {
  const tau = rng.uniform(0.6, 1.6);
  switch (model) {
    case 'qif':
      return { tau, alpha: rng.uniform(3, 20) };
    case 'lif':
      return { tau, vth: rng.uniform(0.5, 2), alpha: rng.uniform(3, 20) };
    case 'theta':
      return { tau, I0: rng.uniform(0.4, 2.5) };
    case 'osclif': {
      const vth = rng.uniform(0.5, 2);
      return { tau, vth, I0: vth * rng.uniform(1.1, 1.8) };
    }
    default:
      return { tau };
  }
}

function randomInitial(rng: Rng, model: ModelName, n: number, r: Ranges): Float64Array {
  const x = new Float64Array(stateDim(model) * n);
  if (stateDim(model) === 2) {
    for (let i = 0; i < n; i++) {
      x[i] = rng.uniform(r.V![0], r.V![1]);
      x[n + i] = rng.uniform(r.I![0], r.I![1]);
    }
  } else {
    for (let i = 0; i < n; i++) x[i] = rng.uniform(r.phi![0], r.phi![1]);
  }
  return x;
}

function randomInputs(rng: Rng, nIn: number, count: number, T: number): { times: Float64Array; channels: Int32Array } {
  const times = new Float64Array(count);
  const channels = new Int32Array(count);
  for (let k = 0; k < count; k++) {
    times[k] = rng.uniform(0.05, T - 0.05);
    channels[k] = rng.int(0, nIn - 1);
  }
  return { times, channels };
}

/**
 * A random recurrent network of the given model: n = 2..6 neurons, a weightMask without
 * self-connections, 1..3 input channels with 1..8 input spikes, and a readout of 1..3 neurons
 * with 1..3 output times each. Recurrent pseudo mode (no layers). With `withParams` the model
 * parameters are random too (else absent: the defaults).
 */
export function randomRecurrent(model: ModelName, seed: number, withParams = false): TrialSpec {
  const rng = new Rng(seed * 7919 + MODELS.indexOf(model) * 104729 + (withParams ? 2 : 1));
  const params = withParams ? randomParams(model, rng) : undefined;
  const r = rangesFor(model, params);
  const n = rng.int(2, 6);
  const nIn = rng.int(1, 3);
  const T = rng.uniform(r.T[0], r.T[1]);
  const weights = new Float64Array(n * n);
  const weightMask = new Uint8Array(n * n);
  for (let post = 0; post < n; post++) {
    for (let pre = 0; pre < n; pre++) {
      if (post === pre || !rng.chance(0.6)) continue;
      weightMask[post + pre * n] = 1;
      weights[post + pre * n] = rng.uniform(r.weight[0], r.weight[1]);
    }
  }
  const inputWeights = new Float64Array(n * nIn);
  for (let k = 0; k < n * nIn; k++) inputWeights[k] = rng.uniform(r.inputWeight[0], r.inputWeight[1]);
  const inputs = randomInputs(rng, nIn, rng.int(1, 8), T);
  const nRead = rng.int(1, Math.min(3, n));
  const readoutNeurons = Int32Array.from(rng.subset(n, nRead));
  const readoutCounts = Int32Array.from({ length: nRead }, () => rng.int(1, 3));
  return {
    model,
    ...(params === undefined ? {} : { params }),
    n,
    nIn,
    weights,
    weightMask,
    inputWeights,
    initial: randomInitial(rng, model, n, r),
    inputTimes: inputs.times,
    inputChannels: inputs.channels,
    readoutNeurons,
    readoutCounts,
    T,
    maxEvents: 1000,
  };
}

/**
 * A random layered feed-forward network (input -> hidden 1 -> hidden 2 -> output) of theta or qif
 * neurons, with `layers` set (feed-forward pseudo mode). Input synapses reach hidden 1 only
 * (inputMask), recurrent synapses only connect consecutive layers (weightMask). The readout is
 * the output layer with 1..2 output times per neuron.
 */
export function randomFeedForward(model: 'theta' | 'qif', seed: number): TrialSpec {
  const rng = new Rng(seed * 6151 + (model === 'qif' ? 3 : 5));
  const sizes = [rng.int(1, 3), rng.int(1, 3), rng.int(1, 2)];
  const n = sizes[0] + sizes[1] + sizes[2];
  const layers: number[][] = [];
  let next = 0;
  for (const size of sizes) {
    layers.push(Array.from({ length: size }, () => next++));
  }
  const nIn = rng.int(1, 3);
  const T = model === 'theta' ? rng.uniform(1.5, 3.5) : rng.uniform(2.5, 5);
  const inW: [number, number] = model === 'theta' ? [-1, 3] : [-2, 9];
  const ffW: [number, number] = model === 'theta' ? [-1.5, 3] : [-3, 10];
  const weights = new Float64Array(n * n);
  const weightMask = new Uint8Array(n * n);
  for (let L = 1; L < layers.length; L++) {
    for (const pre of layers[L - 1]) {
      for (const post of layers[L]) {
        weightMask[post + pre * n] = 1;
        weights[post + pre * n] = rng.uniform(ffW[0], ffW[1]);
      }
    }
  }
  const inputWeights = new Float64Array(n * nIn);
  const inputMask = new Uint8Array(n * nIn);
  for (let c = 0; c < nIn; c++) {
    for (const post of layers[0]) {
      inputMask[post + c * n] = 1;
      inputWeights[post + c * n] = rng.uniform(inW[0], inW[1]);
    }
  }
  const inputs = randomInputs(rng, nIn, rng.int(1, 5), T);
  let initial: Float64Array;
  if (model === 'theta') {
    const Theta = period('theta');
    initial = Float64Array.from({ length: n }, () => rng.uniform(0.3, Theta - 0.3));
  } else {
    initial = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) {
      initial[i] = rng.uniform(-0.5, 0.8);
      initial[n + i] = rng.uniform(-0.5, 2);
    }
  }
  const out = layers[2];
  return {
    model,
    n,
    nIn,
    weights,
    weightMask,
    inputWeights,
    inputMask,
    initial,
    inputTimes: inputs.times,
    inputChannels: inputs.channels,
    readoutNeurons: Int32Array.from(out),
    readoutCounts: Int32Array.from(out, () => rng.int(1, 2)),
    layers: layers.map((l) => Int32Array.from(l)),
    T,
    maxEvents: 1000,
  };
}

/** A random cotangent in [-1, 1) per output time (seeded). */
export function randomCotangent(spec: TrialSpec, seed: number): Float64Array {
  const rng = new Rng(seed * 31 + 17);
  const total = spec.readoutCounts.reduce((a, b) => a + b, 0);
  return Float64Array.from({ length: total }, () => rng.uniform(-1, 1));
}

/** (f(x + h) - f(x - h)) / (2h). */
export function centralDifference(f: (x: number) => number, x: number, h: number): number {
  return (f(x + h) - f(x - h)) / (2 * h);
}

/** sum_k cotangent[k] * outputTimes[k]. */
export function functional(result: TrialResult, cotangent: Float64Array): number {
  let s = 0;
  for (let k = 0; k < cotangent.length; k++) s += cotangent[k] * result.outputTimes[k];
  return s;
}

/**
 * The discrete structure of a run: the event sequence (kinds and indices) and which output slots
 * are pseudospikes. Two runs with equal signatures took the same discrete choices (up to the
 * invisible eps guards).
 */
export function signature(result: TrialResult): string {
  const ev = result.events!;
  return `${Array.from(ev.kinds).join(',')}|${Array.from(ev.indices).join(',')}|${Array.from(result.outputIsPseudo).join('')}`;
}

export type ParamGroup = 'weights' | 'inputWeights' | 'inputTimes' | 'initial';
export const PARAM_GROUPS: readonly ParamGroup[] = ['weights', 'inputWeights', 'inputTimes', 'initial'];

/** One finite-difference entry. */
export interface FdEntry {
  /** Index into the parameter array. */
  index: number;
  /** Central difference with step h. */
  fd: number;
  /** Central difference with step h / 10. */
  fdFine: number;
  /**
   * False when the perturbation changed the event structure ('structure'), the central
   * differences with steps h and h/10 disagree ('inconsistent'), the one-sided differences with
   * step h/10 disagree, i.e. the functional has a kink at x ('kink'), or a perturbed run threw
   * ('error', e.g. an input time perturbed below 0).
   */
  valid: boolean;
  reason?: 'structure' | 'inconsistent' | 'kink' | 'error';
}

export interface FdOptions {
  /** Base step; relative to max(1, |x|). Default 1e-6. */
  h?: number;
  /** Tolerance of the h vs h/10 consistency check: |fd - fdFine| <= tol (1 + |fd|). Default 1e-5. */
  consistency?: number;
  /** Tolerance of the kink check: |forward - backward| <= tol (1 + |fdFine|), step h/10. Default 1e-4. */
  kink?: number;
}

/**
 * Central finite differences of sum(cotangent * outputTimes) with respect to every parameter of a
 * group (only existing synapses: mask entries 1; input times that are finite). Each entry is
 * computed with steps h and h/10 and is marked invalid when any perturbed run has a different
 * event structure than the unperturbed run, when the two central differences disagree, or when
 * the forward and backward differences disagree (a kink: e.g. an osclif neuron clipped at its
 * threshold by a kick of weight exactly 0, whose phase responds to w < 0 but not to w > 0).
 */
export function fdGradient(spec: TrialSpec, cotangent: Float64Array, which: ParamGroup, options: FdOptions = {}): FdEntry[] {
  const h0 = options.h ?? 1e-6;
  const consistency = options.consistency ?? 1e-5;
  const kinkTol = options.kink ?? 1e-4;
  const base = spec[which];
  const mask = which === 'weights' ? spec.weightMask : which === 'inputWeights' ? spec.inputMask : undefined;
  const baseRun = simulate(spec, { recordEvents: true });
  const baseSig = signature(baseRun);
  const f0 = functional(baseRun, cotangent);
  const entries: FdEntry[] = [];
  for (let k = 0; k < base.length; k++) {
    if (mask !== undefined && mask[k] === 0) continue;
    if (!Number.isFinite(base[k])) continue;
    const x = base[k];
    const h = h0 * Math.max(1, Math.abs(x));
    let structureChanged = false;
    const evalAt = (value: number): number => {
      const arr = base.slice();
      arr[k] = value;
      const r = simulate({ ...spec, [which]: arr }, { recordEvents: true });
      if (signature(r) !== baseSig) structureChanged = true;
      return functional(r, cotangent);
    };
    try {
      const fd = centralDifference(evalAt, x, h);
      const hf = h / 10;
      const fPlus = evalAt(x + hf);
      const fMinus = evalAt(x - hf);
      const fdFine = (fPlus - fMinus) / (2 * hf);
      const kink = Math.abs((fPlus - f0) / hf - (f0 - fMinus) / hf) > kinkTol * (1 + Math.abs(fdFine));
      const consistent = Math.abs(fd - fdFine) <= consistency * (1 + Math.abs(fd));
      const reason = structureChanged ? 'structure' : !consistent || !Number.isFinite(fd) ? 'inconsistent' : kink ? 'kink' : undefined;
      entries.push({ index: k, fd, fdFine, valid: reason === undefined, reason });
    } catch {
      entries.push({ index: k, fd: NaN, fdFine: NaN, valid: false, reason: 'error' });
    }
  }
  return entries;
}
