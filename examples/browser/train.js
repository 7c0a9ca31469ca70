// The single-neuron task of the paper (method.md 6.2) on spikegrad's raw binding, for a web page
// (examples/browser/index.html) and for Node alike: one QIF neuron, 20 fixed input spikes and 2
// trainable ones (their weights and times), learns to spike at 2.5 and 7.5. Each step simulates
// one trial with the exact gradient of L = sum_k (t_k - target_k)^2 / 2 over its two output times
// (pseudospikes count while a spike is missing) and takes a clipped gradient step.
(function (root, factory) {
  if (typeof module === 'object' && module.exports) module.exports = factory();
  else root.singleNeuron = factory();
})(typeof globalThis !== 'undefined' ? globalThis : this, function () {
  'use strict';

  /** A small seeded generator (mulberry32) and Box-Muller normals. */
  function random(seed) {
    let a = seed >>> 0;
    const uniform = () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
    return { uniform, normal };
  }

  /**
   * A trainer on `binding` (the object the WebAssembly or native build exports). params holds
   * [w1, w2, t1, t2] of the trainable inputs; step() runs one trial and updates them.
   */
  function create(binding, options = {}) {
    const T = 10;
    const targets = options.targets || [2.5, 7.5];
    const lr = options.lr || 0.1;
    const clip = options.clip || 0.02;
    const rng = random(options.seed === undefined ? 3 : options.seed);
    const fixedTimes = Array.from({ length: 20 }, () => rng.uniform() * T);
    const fixedWeights = Array.from({ length: 20 }, () => rng.normal());
    const params = [0.5, 0.5, 1.0, 9.0];
    const nIn = 22;
    function spec() {
      // Input spikes sorted by time (the trainable two first in parameter order).
      const events = [params[2], params[3], ...fixedTimes].map((t, c) => ({ t, c })).sort((x, y) => x.t - y.t);
      const s = {
        model: 'qif',
        n: 1,
        nIn,
        weights: new Float64Array(1),
        weightMask: new Uint8Array(1),
        inputWeights: Float64Array.from([params[0], params[1], ...fixedWeights]),
        initial: new Float64Array(2),
        inputTimes: Float64Array.from(events, (e) => e.t),
        inputChannels: Int32Array.from(events, (e) => e.c),
        readoutNeurons: Int32Array.of(0),
        readoutCounts: Int32Array.of(2),
        T,
        maxEvents: 100,
      };
      return { s, events };
    }
    function step() {
      const { s, events } = spec();
      const probe = binding.simulate(s);
      const times = Array.from(probe.outputTimes);
      const cot = Float64Array.from(times, (t, k) => t - targets[k]);
      const r = binding.simulate({ ...s, cotangent: cot });
      const loss = times.reduce((acc, t, k) => acc + 0.5 * (t - targets[k]) ** 2, 0);
      // d/dw of the two trainable inputs (channels 0 and 1), and d/dt of their spikes.
      const gw = [r.grad.inputWeights[0], r.grad.inputWeights[1]];
      const gt = [0, 0];
      events.forEach((e, k) => {
        if (e.c < 2) gt[e.c] += r.grad.inputTimes[k];
      });
      const grad = [...gw, ...gt];
      for (let i = 0; i < 4; i++) params[i] -= lr * Math.max(-clip, Math.min(clip, grad[i]));
      // Trainable spike times stay inside the trial.
      params[2] = Math.max(0, Math.min(T, params[2]));
      params[3] = Math.max(0, Math.min(T, params[3]));
      return { loss, times, isPseudo: Array.from(probe.outputIsPseudo, Boolean), params: params.slice(), spikeTimes: Array.from(probe.spikeTimes) };
    }
    return { T, targets, params, fixedTimes, fixedWeights, step };
  }

  return { create };
});
