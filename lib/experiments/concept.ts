/**
 * The concept experiment (method.md 6.1, presumably paper Fig. 1): the first spike time of one
 * neuron as a function of an input weight, and of the time of an inhibitory input, for the QIF
 * neuron (spikes appear and vanish continuously through the trial end, finite derivatives) and
 * the LIF neuron (spikes appear mid-trial with a jump and a diverging derivative).
 */
import { simulate, type ModelName, type TrialSpec } from '../trial/simulate';
import { optionNames, readOptions } from '../base/validate';

/** Settings of one model in the concept experiment. */
export interface ConceptModel {
  model: 'qif' | 'lif';
  T: number;
  /** The least weight that makes a neuron at rest spike: pi^2/4 (QIF) or 4 (LIF). */
  wMin: number;
  /** Weight of the excitatory input of the vary_t sweep, in units of wMin. */
  wExcFactor: number;
  /** Example weights (units of wMin) and inhibition times (units of t_exc_only). */
  exampleW: number[];
  exampleT: number[];
}

export const CONCEPT_MODELS: Record<'qif' | 'lif', ConceptModel> = {
  qif: { model: 'qif', T: 4, wMin: Math.PI ** 2 / 4, wExcFactor: 1.5, exampleW: [0.95, 1.15, 1.5], exampleT: [0.5, 0.62, 1.4] },
  lif: { model: 'lif', T: 3, wMin: 4, wExcFactor: 1.4, exampleW: [0.95, 1.15, 1.4], exampleT: [0.8, 1.5, 3.0] },
};

/** One trial: a single neuron at rest with the given inputs, two output times. */
function trial(m: ConceptModel, inputs: [time: number, weight: number][], traceDt?: number) {
  const spec: TrialSpec = {
    model: m.model as ModelName,
    n: 1,
    nIn: inputs.length,
    weights: new Float64Array(1),
    weightMask: new Uint8Array(1),
    inputWeights: Float64Array.from(inputs, (x) => x[1]),
    initial: new Float64Array(2),
    inputTimes: Float64Array.from(inputs, (x) => x[0]),
    inputChannels: Int32Array.from(inputs, (_, k) => k),
    readoutNeurons: Int32Array.of(0),
    readoutCounts: Int32Array.of(1),
    T: m.T,
    maxEvents: 10,
  };
  return simulate(spec, { cotangent: Float64Array.of(1), traceDt });
}

/** A point of a sweep: the first output time and its derivative with respect to the swept value. */
export interface SweepPoint {
  /** The swept value (a weight or an input time). */
  p: number;
  /** First ordinary spike time, +Infinity when the neuron does not spike in the trial. */
  t: number;
  /** The merged output time (the pseudospike when there is no ordinary spike). */
  merged: number;
  /** d t / d p for an ordinary spike; NaN otherwise. */
  dtdp: number;
}

/** First spike time and d t / d w for one excitatory input of weight w at t = 0.5. */
export function spikeVsWeight(m: ConceptModel, w: number): SweepPoint {
  const r = trial(m, [[0.5, w]]);
  const ordinary = r.outputIsPseudo[0] === 0;
  return { p: w, t: ordinary ? r.outputTimes[0] : Infinity, merged: r.outputTimes[0], dtdp: ordinary ? r.grad!.inputWeights[0] : NaN };
}

/** The first spike time with an excitatory input alone (at 0.5, weight wExcFactor * wMin). */
export function excitationOnlyTime(m: ConceptModel): number {
  return spikeVsWeight(m, m.wExcFactor * m.wMin).t;
}

/** First spike time and d t / d t_in with an inhibitory input (-wMin) at t_in. */
export function spikeVsInhibitionTime(m: ConceptModel, tIn: number): SweepPoint {
  const r = trial(m, [
    [0.5, m.wExcFactor * m.wMin],
    [tIn, -m.wMin],
  ]);
  const ordinary = r.outputIsPseudo[0] === 0;
  return { p: tIn, t: ordinary ? r.outputTimes[0] : Infinity, merged: r.outputTimes[0], dtdp: ordinary ? r.grad!.inputTimes[1] : NaN };
}

/** Voltage and current traces of one trial (for the example panels). */
export function conceptTrace(m: ConceptModel, inputs: [number, number][], dt = 0.01) {
  const r = trial(m, inputs, dt);
  return { times: r.traces!.times, V: r.traces!.V, I: r.traces!.I!, spikes: r.spikeTimes };
}

/** The weight at which the first spike enters the trial (bisection on the merged time = T). */
export function entryWeight(m: ConceptModel, lo = m.wMin, hi = 2 * m.wMin): number {
  for (let k = 0; k < 200 && hi - lo > 1e-13; k++) {
    const mid = (lo + hi) / 2;
    if (spikeVsWeight(m, mid).merged > m.T) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

export interface ConceptOptions {
  /** Grid intervals of each sweep (the paper uses 100,000 and 500,000). Default 4000. */
  points?: number;
}

export interface ConceptResult {
  models: Record<'qif' | 'lif', {
    settings: ConceptModel;
    varyW: SweepPoint[];
    varyT: SweepPoint[];
    tExcOnly: number;
    /** Reference points of method.md appendix A.2, computed. */
    table: { sweep: 'w' | 't'; factor: number; p: number; t: number; dtdp: number }[];
  }>;
  /** QIF: the weight where the spike enters the trial, and the LIF onset jump. */
  qifEntryWeight: number;
  lifOnset: { below: number; above: number };
}

const CONCEPT_OPTIONS = optionNames<ConceptOptions>()(['points']);

/** Runs both sweeps for both models. */
export function runConcept(given: ConceptOptions = {}): ConceptResult {
  const options = readOptions(given, 'runConcept options', CONCEPT_OPTIONS) as ConceptOptions;
  const N = options.points ?? 4000;
  const out = {} as ConceptResult['models'];
  for (const key of ['qif', 'lif'] as const) {
    const m = CONCEPT_MODELS[key];
    const varyW = Array.from({ length: N + 1 }, (_, k) => spikeVsWeight(m, (2 * m.wMin * k) / N));
    const varyT = Array.from({ length: N + 1 }, (_, k) => spikeVsInhibitionTime(m, (m.T * k) / N));
    const tExcOnly = excitationOnlyTime(m);
    const factorsW = key === 'qif' ? [0.95, 1.0001, 1.01, 1.15, 1.5, 2.0] : [0.95, 1.0001, 1.01, 1.15, 1.4];
    const table = [
      ...factorsW.map((f) => ({ sweep: 'w' as const, factor: f, ...pick(spikeVsWeight(m, f * m.wMin)) })),
      ...m.exampleT.map((f) => ({ sweep: 't' as const, factor: f, ...pick(spikeVsInhibitionTime(m, f * tExcOnly)) })),
    ];
    out[key] = { settings: m, varyW, varyT, tExcOnly, table };
  }
  const lif = CONCEPT_MODELS.lif;
  return {
    models: out,
    qifEntryWeight: entryWeight(CONCEPT_MODELS.qif),
    lifOnset: { below: spikeVsWeight(lif, lif.wMin * (1 - 1e-9)).t, above: spikeVsWeight(lif, lif.wMin * (1 + 1e-9)).t },
  };
}

function pick(s: SweepPoint) {
  return { p: s.p, t: s.t, dtdp: s.dtdp };
}
