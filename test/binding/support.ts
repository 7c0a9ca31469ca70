/**
 * Shared by the raw-binding tests: a dense single-trial spec (test/helpers/networks.ts) turned
 * into the synapse lists of a NativeNetwork, and the per-synapse gradient scattered back.
 */
import type { TrialSpec } from 'spikegrad';

/** A NativeNetwork spec and parameters with the synapses of `spec` (grouped by source, targets increasing). */
export function listsOf(spec: TrialSpec, extra: Record<string, unknown> = {}): { structure: Record<string, unknown>; params: Record<string, Float64Array> } {
  const { n, nIn } = spec;
  const rs: number[] = [];
  const rt: number[] = [];
  const w: number[] = [];
  for (let pre = 0; pre < n; pre++) {
    for (let post = 0; post < n; post++) {
      if (spec.weightMask && !spec.weightMask[post + pre * n]) continue;
      rs.push(pre);
      rt.push(post);
      w.push(spec.weights[post + pre * n]);
    }
  }
  const is: number[] = [];
  const it: number[] = [];
  const win: number[] = [];
  for (let ch = 0; ch < nIn; ch++) {
    for (let post = 0; post < n; post++) {
      if (spec.inputMask && !spec.inputMask[post + ch * n]) continue;
      is.push(ch);
      it.push(post);
      win.push(spec.inputWeights[post + ch * n]);
    }
  }
  return {
    structure: {
      model: spec.model,
      params: spec.params,
      n,
      nIn,
      recurrentSource: Int32Array.from(rs),
      recurrentTarget: Int32Array.from(rt),
      inputSource: Int32Array.from(is),
      inputTarget: Int32Array.from(it),
      readoutNeurons: spec.readoutNeurons,
      readoutCounts: spec.readoutCounts,
      layers: spec.layers,
      T: spec.T,
      maxEvents: spec.maxEvents,
      ...extra,
    },
    params: { weights: Float64Array.from(w), inputWeights: Float64Array.from(win), initial: spec.initial },
  };
}

/** dense[target + source * rows] += perSynapse[k] over the synapse lists. */
export function scatter(perSynapse: Float64Array, source: Int32Array, target: Int32Array, rows: number, cols: number): Float64Array {
  const dense = new Float64Array(rows * cols);
  for (let k = 0; k < perSynapse.length; k++) dense[target[k] + source[k] * rows] += perSynapse[k];
  return dense;
}
