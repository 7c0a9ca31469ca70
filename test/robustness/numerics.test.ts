/**
 * Numerical edge cases (issue 7): no NaN or infinity in results or gradients, and results that
 * make sense, at I = 0 exactly, V = +-sqrt|I|, simultaneous events, a spike exactly at T, an input
 * exactly at T, huge and tiny weights, empty inputs, silent and saturated networks; through
 * simulate() and the Network API. The edge cases that were bugs are in regressions.test.ts.
 */
import { MODEL_NAMES, Network, fromMatrices, makeNeuron, simulate, spikeBatch, type ModelName, type TrialResult, type TrialSpec } from '../../lib';
import { nonFinitePath } from '../fuzz/support';
import { trialInconsistency } from '../fuzz/invariants';

const MODELS: readonly ModelName[] = MODEL_NAMES;
/** A model's default period (phase models), as the core computes it. */
const period = (m: ModelName) => makeNeuron(m, undefined).constants.period;
const dim = (m: ModelName) => makeNeuron(m, undefined).stateDim;
const isPhase = (m: ModelName) => makeNeuron(m, undefined).family === 'phase';

/** One neuron with inputs on channel 0, readout of `count` output times, cotangent all ones. */
function single(model: ModelName, o: { V?: number; I?: number; phi?: number; w?: number; times?: number[]; T?: number; count?: number; maxEvents?: number } = {}): TrialSpec {
  const times = o.times ?? [];
  const initial = dim(model) === 2 ? [o.V ?? 0, o.I ?? 0] : [o.phi ?? makeNeuron(model, undefined).defaultState()[0]];
  return {
    model,
    n: 1,
    nIn: 1,
    weights: new Float64Array(1),
    weightMask: new Uint8Array(1),
    inputWeights: new Float64Array([o.w ?? 1]),
    initial: Float64Array.from(initial),
    inputTimes: Float64Array.from(times),
    inputChannels: new Int32Array(times.length),
    readoutNeurons: new Int32Array([0]),
    readoutCounts: new Int32Array([o.count ?? 3]),
    T: o.T ?? 4,
    maxEvents: o.maxEvents ?? 1000,
  };
}

/** Simulates with a cotangent of ones and checks: every number finite, the result consistent. */
function check(spec: TrialSpec): TrialResult {
  const total = spec.readoutCounts.reduce((a, b) => a + b, 0);
  const r = simulate(spec, { cotangent: new Float64Array(total).fill(1), recordEvents: true });
  const bad = nonFinitePath(r);
  if (bad) throw new Error(`non-finite: ${bad}`);
  const wrong = trialInconsistency(spec as unknown as Record<string, unknown>, r);
  if (wrong) throw new Error(`inconsistent: ${wrong}`);
  return r;
}

describe('QIF special states', () => {
  it('I = 0 exactly (with V on both sides of the unstable fixed point and at it)', () => {
    for (const V of [-2, -0.5, 0, 0.5, 1, 1 - 1e-12, 1 + 1e-12, 2, -0]) check(single('qif', { V, I: 0 }));
    for (const I of [0, -0]) check(single('qif', { V: 0.3, I, w: 0, times: [1] }));
  });

  it('V = +-sqrt|I| (both signs of I) and the fixed points V = 1/2 +- sqrt(1/4 - I)', () => {
    for (const I of [-4, -1, -0.25, -1e-8, 1e-8, 0.1, 0.25, 1, 4]) {
      const a = Math.sqrt(Math.abs(I));
      for (const V of [a, -a, 0.5 + Math.sqrt(Math.max(0, 0.25 - I)), 0.5 - Math.sqrt(Math.max(0, 0.25 - I))]) {
        check(single('qif', { V, I }));
        check(single('qif', { V, I, times: [0.5], w: 0 })); // an input of weight 0 updates the neuron there
      }
    }
  });

  it('an input of weight -I makes the current exactly 0 in the middle of a trial', () => {
    // I(t) = I0 e^{-2t}; at t = 0.5 the input cancels it exactly (up to rounding of the decay).
    for (const I0 of [1, 3, -2]) check(single('qif', { V: 0, I: I0, times: [0.5], w: -I0 * Math.exp(-1) }));
  });
});

describe('events at the edges of the trial', () => {
  for (const model of MODELS) {
    it(`${model}: an input exactly at T is not in the trial, one just before is`, () => {
      const T = 2;
      const inputs = (r: TrialResult) => Array.from(r.events!.kinds).filter((k) => k === 0).length;
      const at = check(single(model, { times: [T], w: 3, T }));
      expect(inputs(at)).toBe(0);
      const before = check(single(model, { times: [T * (1 - 1e-16)], w: 3, T }));
      expect(inputs(before)).toBe(1);
    });

    it(`${model}: a spike exactly at T (phase models start one period before T)`, () => {
      if (isPhase(model)) {
        const P = period(model);
        // phi0 = Theta - T: the spike is due exactly at T and must not be an in-trial spike.
        const T = P / 2;
        const r = check(single(model, { phi: P - T, T, count: 2 }));
        expect(Array.from(r.spikeTimes).every((t) => t < T)).toBe(true);
      } else {
        // Find by bisection an input weight whose first spike lands at T (to rounding) and check around it.
        const T = 2;
        const first = (w: number) => simulate(single(model, { times: [0.5], w, T, count: 1 })).outputTimes[0];
        let lo = 0.5;
        let hi = 50;
        for (let k = 0; k < 200; k++) {
          const mid = (lo + hi) / 2;
          if (first(mid) > T) lo = mid;
          else hi = mid;
        }
        for (const w of [lo, hi, (lo + hi) / 2]) check(single(model, { times: [0.5], w, T, count: 3 }));
      }
    });

    it(`${model}: empty inputs, T = 0 and an empty readout`, () => {
      check(single(model, { times: [] }));
      check(single(model, { times: [], T: 0 }));
      check(single(model, { times: [0, 0, 0], T: 0 }));
      check({ ...single(model, { times: [1] }), readoutNeurons: new Int32Array(0), readoutCounts: new Int32Array(0) });
      check(single(model, { times: [Infinity, 1] })); // +Infinity: never processed
    });
  }
});

describe('simultaneous events', () => {
  for (const model of MODELS) {
    it(`${model}: many inputs at one time, on one and on several channels`, () => {
      check(single(model, { times: [1, 1, 1, 1], w: 0.7 }));
      check(single(model, { times: [0, 0, 0], w: 0.7 }));
      const spec = single(model, { times: [1, 1, 1, 1] });
      check({ ...spec, nIn: 2, inputWeights: new Float64Array([0.8, -0.3]), inputChannels: new Int32Array([0, 1, 0, 1]) });
    });

    it(`${model}: two neurons spiking at the same time, one driving the other`, () => {
      // Identical neurons, identical inputs: they spike together; neuron 0 also excites neuron 1.
      const n = 2;
      const weights = new Float64Array(4);
      weights[1] = 0.5; // W[1][0]: 0 -> 1
      const initial = dim(model) === 2 ? [0, 0, 0, 0] : model === 'theta' ? [1, 1] : [0.5, 0.5];
      check({
        model,
        n,
        nIn: 1,
        weights,
        weightMask: new Uint8Array([0, 1, 0, 0]),
        inputWeights: new Float64Array([model === 'lif' ? 3 : 2, model === 'lif' ? 3 : 2]),
        initial: Float64Array.from(initial),
        inputTimes: new Float64Array([0.25]),
        inputChannels: new Int32Array([0]),
        readoutNeurons: new Int32Array([0, 1]),
        readoutCounts: new Int32Array([2, 2]),
        T: 3,
        maxEvents: 1000,
      });
    });
  }
});

describe('huge and tiny weights', () => {
  for (const model of MODELS) {
    it(`${model}: input weights of 1e-300, 1e-12, 1e3 and -1e3 give finite results and gradients`, () => {
      for (const w of [1e-300, -1e-300, 1e-12, 1e3, -1e3]) {
        try {
          check(single(model, { times: [0.5, 1], w, maxEvents: 200000 }));
        } catch (err) {
          // A budget error is a valid answer for a huge excitatory weight (the neuron fires without end).
          if ((err as { code?: string }).code !== 'ERR_SPIKEGRAD_BUDGET') throw new Error(`w = ${w}: ${(err as Error).message}`);
        }
      }
    });
  }
});

describe('silent and saturated networks through the Network API', () => {
  const neuron = (model: ModelName) => makeNeuron(model, undefined);
  function net(model: ModelName, scale: number): Network {
    const n = 4;
    const W = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 0 : scale * (((i * 3 + j * 5) % 7) - 3) / 3)));
    return fromMatrices({
      neuron: neuron(model),
      weights: W,
      inputWeights: Array.from({ length: n }, (_, i) => [scale * (i % 2 === 0 ? 1 : 0.5)]),
      readout: { neurons: [0, 3], counts: [2, 2] },
      T: 3,
      maxEvents: 5000,
    });
  }
  const batch = spikeBatch([
    { times: [], channels: [] },
    { times: [0.1, 0.1, 1.5], channels: [0, 0, 0] },
    { times: [3], channels: [0] },
  ]);

  for (const model of MODELS) {
    it(`${model}: a silent network (zero and inhibitory weights) still has finite pseudospike gradients`, () => {
      for (const scale of [0, -1]) {
        const rec = net(model, scale).record(batch);
        const g = rec.backward(new Float64Array(rec.output.samples * rec.output.slots).fill(1));
        expect(nonFinitePath({ out: rec.output, g })).toBe('');
        rec.dispose();
      }
    });

    it(`${model}: a saturated network either finishes with finite gradients or exceeds its budget`, () => {
      for (const scale of [5, 30]) {
        try {
          const rec = net(model, scale).record(batch);
          const g = rec.backward(new Float64Array(rec.output.samples * rec.output.slots).fill(1));
          expect(nonFinitePath({ out: rec.output, g })).toBe('');
          rec.dispose();
        } catch (err) {
          expect((err as { code?: string }).code).toBe('ERR_SPIKEGRAD_BUDGET');
        }
      }
    });
  }
});
