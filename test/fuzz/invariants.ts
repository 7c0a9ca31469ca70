/**
 * Semantic checks of a successful single-trial result, beyond "every number is finite": spike
 * lists inside the trial and in time order, ordinary output times before T and pseudospikes at or
 * after T, the state at T inside the model's range, the event count within the budget. These catch
 * silent garbage (for example a LIF neuron far above its threshold that never spiked).
 */
type Spec = Record<string, unknown>;

/** A field's value without running getters. */
function get(o: Spec, k: string): unknown {
  return Object.getOwnPropertyDescriptor(o, k)?.value;
}

function param(spec: Spec, name: string, fallback: number): number {
  const p = get(spec, 'params');
  if (typeof p !== 'object' || p === null) return fallback;
  const v = Object.getOwnPropertyDescriptor(p, name)?.value;
  return typeof v === 'number' ? v : fallback;
}

export interface TrialResultLike {
  spikeTimes: Float64Array;
  spikeNeurons: Int32Array;
  outputTimes: Float64Array;
  outputIsPseudo: Uint8Array;
  stateAtT: Float64Array;
  inTrialEvents: number;
}

/** Returns '' when the result is consistent with the spec, else what is wrong. */
export function trialInconsistency(spec: Spec, r: TrialResultLike): string {
  const T = get(spec, 'T') as number;
  const n = get(spec, 'n') as number;
  const model = get(spec, 'model') as string;
  const maxEvents = get(spec, 'maxEvents') as number;
  const slack = 1e-12 * Math.max(1, Math.abs(T));
  for (let k = 0; k < r.spikeTimes.length; k++) {
    const t = r.spikeTimes[k];
    if (!(t >= 0 && t < T)) return `spikeTimes[${k}] = ${t} outside [0, T = ${T})`;
    if (k > 0 && t < r.spikeTimes[k - 1]) return `spikeTimes not in time order at ${k}`;
    if (!(r.spikeNeurons[k] >= 0 && r.spikeNeurons[k] < n)) return `spikeNeurons[${k}] = ${r.spikeNeurons[k]}`;
  }
  for (let k = 0; k < r.outputTimes.length; k++) {
    const t = r.outputTimes[k];
    if (r.outputIsPseudo[k] === 0 && !(t >= 0 && t < T)) return `ordinary output ${k} at ${t} outside [0, T = ${T})`;
    if (r.outputIsPseudo[k] === 1 && !(t >= T - slack)) return `pseudospike output ${k} at ${t} before T = ${T}`;
  }
  if (typeof maxEvents === 'number' && r.inTrialEvents > maxEvents) return `inTrialEvents ${r.inTrialEvents} > maxEvents ${maxEvents}`;
  if (model === 'lif') {
    const vth = param(spec, 'vth', 1);
    for (let i = 0; i < n; i++) {
      if (r.stateAtT[i] > vth * (1 + 1e-9)) return `lif V(T)[${i}] = ${r.stateAtT[i]} above the threshold ${vth} without a spike`;
    }
  }
  if (model === 'theta') {
    const tau = param(spec, 'tau', 1);
    const I0 = param(spec, 'I0', 1.25);
    const Theta = (tau * Math.PI) / Math.sqrt(I0 - 0.25);
    for (let i = 0; i < n; i++) {
      const phi = r.stateAtT[i];
      if (!(phi >= 0 && phi <= Theta * (1 + 1e-12))) return `theta phi(T)[${i}] = ${phi} outside [0, Theta = ${Theta}]`;
    }
  }
  if (model === 'qif') {
    const eps = param(spec, 'eps', 1e-6);
    for (let i = 0; i < n; i++) if (r.stateAtT[i] > (1 / eps) * (1 + 1e-12)) return `qif V(T)[${i}] = ${r.stateAtT[i]} above the clamp 1/eps`;
  }
  return '';
}
