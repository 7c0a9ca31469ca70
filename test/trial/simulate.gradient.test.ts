/**
 * The exact gradient (hand-written adjoint, method.md 5.5) against central finite differences of
 * the forward simulation, on randomized recurrent networks of every model (default and random
 * parameters, with and without self-connections) and on layered feed-forward networks of theta
 * and qif neurons.
 *
 * A finite difference is only used where it is a derivative: fdGradient marks an entry invalid
 * when a perturbation changes the discrete event structure (event order, spike counts, which
 * output slots are pseudospikes) or when the differences with steps h and h/10 disagree. Invalid
 * entries are skipped but counted, and each family must check at least 80% of its entries, so
 * the test cannot pass vacuously.
 */
import { simulate } from '../../lib/trial/simulate';
import type { ModelName, TrialGradient, TrialSpec } from '../../lib/trial/simulate';
import {
  MODELS,
  PARAM_GROUPS,
  Rng,
  fdGradient,
  randomCotangent,
  randomFeedForward,
  randomRecurrent,
} from '../helpers/networks';

const SEEDS = 60;
/** |g - fd| <= TOL (1 + |fd|). */
const TOL = 1e-4;

interface Tally {
  performed: number;
  skipped: number;
  /** Checked entries with |fd| > 1e-6 (the test must see non-trivial gradients). */
  nonzero: number;
  ordinarySlots: number;
  pseudoSlots: number;
  failures: string[];
}

/** Adds self-connections (diagonal of the mask) with small random weights. */
function withSelfConnections(spec: TrialSpec, seed: number): TrialSpec {
  const rng = new Rng(seed + 4242);
  const n = spec.n;
  const weights = spec.weights.slice();
  const weightMask = spec.weightMask!.slice();
  // Self-weights that keep each model's dynamics interesting; a model without an entry gets [-1, 1].
  const range: Partial<Record<ModelName, [number, number]>> = { qif: [-3, 3], theta: [-2, 2], lif: [-2, 1], osclif: [-0.5, 0.5] };
  for (let i = 0; i < n; i++) {
    weightMask[i + i * n] = 1;
    weights[i + i * n] = rng.uniform(...(range[spec.model] ?? [-1, 1]));
  }
  return { ...spec, weights, weightMask };
}

/**
 * The initialisation of the single-neuron and RNN tasks (method.md 6.2, 6.3): every recurrent
 * synapse exists but has weight 0, and (qif, lif) V0 = I0 = 0 exactly.
 */
function zeroed(spec: TrialSpec): TrialSpec {
  const initial = spec.model === 'qif' || spec.model === 'lif' ? new Float64Array(spec.initial.length) : spec.initial;
  return { ...spec, weights: new Float64Array(spec.weights.length), initial };
}

function check(specs: (seed: number) => TrialSpec, seeds = SEEDS): Tally {
  const tally: Tally = { performed: 0, skipped: 0, nonzero: 0, ordinarySlots: 0, pseudoSlots: 0, failures: [] };
  for (let seed = 0; seed < seeds; seed++) {
    const spec = specs(seed);
    const cotangent = randomCotangent(spec, seed);
    const result = simulate(spec, { cotangent });
    const grad = result.grad as TrialGradient;
    for (const p of result.outputIsPseudo) {
      if (p) tally.pseudoSlots++;
      else tally.ordinarySlots++;
    }
    // Synapses that do not exist are not parameters: their gradient is exactly 0.
    spec.weightMask?.forEach((m, k) => {
      if (m === 0 && grad.weights[k] !== 0) tally.failures.push(`seed ${seed}: weights[${k}] masked but grad ${grad.weights[k]}`);
    });
    spec.inputMask?.forEach((m, k) => {
      if (m === 0 && grad.inputWeights[k] !== 0) {
        tally.failures.push(`seed ${seed}: inputWeights[${k}] masked but grad ${grad.inputWeights[k]}`);
      }
    });
    for (const which of PARAM_GROUPS) {
      expect(grad[which]).toHaveLength(spec[which].length);
      for (const e of fdGradient(spec, cotangent, which)) {
        if (!e.valid) {
          tally.skipped++;
          continue;
        }
        tally.performed++;
        if (Math.abs(e.fd) > 1e-6) tally.nonzero++;
        const g = grad[which][e.index];
        if (!(Math.abs(g - e.fd) <= TOL * (1 + Math.abs(e.fd)))) {
          tally.failures.push(`seed ${seed}: d/d${which}[${e.index}] adjoint ${g} vs FD ${e.fd} (h/10: ${e.fdFine})`);
        }
      }
    }
  }
  return tally;
}

function expectTally(t: Tally): void {
  expect(t.failures.slice(0, 10)).toEqual([]);
  const total = t.performed + t.skipped;
  expect(total).toBeGreaterThan(200);
  expect(t.performed / total).toBeGreaterThanOrEqual(0.8);
  // Non-trivial: most checked derivatives are not zero.
  expect(t.nonzero / t.performed).toBeGreaterThan(0.25);
  // Both kinds of output slot occur in every family.
  expect(t.ordinarySlots).toBeGreaterThan(10);
  expect(t.pseudoSlots).toBeGreaterThan(10);
}

describe('adjoint gradient vs central finite differences', () => {
  describe.each(MODELS)('%s', (model) => {
    it(`recurrent networks, default parameters (${SEEDS} seeds)`, () => {
      expectTally(check((seed) => randomRecurrent(model, seed)));
    });

    it(`recurrent networks, random parameters (${SEEDS} seeds)`, () => {
      expectTally(check((seed) => randomRecurrent(model, seed, true)));
    });

    it(`structural zero weights and zero initial state (${SEEDS} seeds)`, () => {
      const t = check((seed) => zeroed(randomRecurrent(model, seed)));
      expectTally(t);
    });

    it('recurrent networks with self-connections (20 seeds)', () => {
      const t = check((seed) => withSelfConnections(randomRecurrent(model, 1000 + seed), seed), 20);
      expect(t.failures.slice(0, 10)).toEqual([]);
      expect(t.performed / (t.performed + t.skipped)).toBeGreaterThanOrEqual(0.8);
      expect(t.nonzero).toBeGreaterThan(50);
    });
  });

  describe.each(['theta', 'qif'] as const)('%s', (model) => {
    it(`layered feed-forward networks (${SEEDS} seeds)`, () => {
      expectTally(check((seed) => randomFeedForward(model, seed)));
    });
  });
});

describe('finite-difference guard', () => {
  /** One LIF neuron, one input of weight w at 0.5, T = 3: a spike exists iff w > 4 (a tangential touch at w = 4). */
  const lif = (w: number): TrialSpec => ({
    model: 'lif',
    n: 1,
    nIn: 1,
    weights: new Float64Array(1),
    weightMask: new Uint8Array(1),
    inputWeights: new Float64Array([w]),
    initial: new Float64Array(2),
    inputTimes: new Float64Array([0.5]),
    inputChannels: new Int32Array([0]),
    readoutNeurons: new Int32Array([0]),
    readoutCounts: new Int32Array([1]),
    T: 3,
    maxEvents: 10,
  });

  it('marks an entry invalid when the perturbation makes a spike appear', () => {
    const [e] = fdGradient(lif(4 + 1e-7), new Float64Array([1]), 'inputWeights');
    expect(e.valid).toBe(false);
    expect(e.reason).toBe('structure');
  });

  it('marks a kink invalid: an osclif neuron clipped at its threshold, kicked by a weight of exactly 0', () => {
    // Input at 0.5 pushes both neurons over the threshold (immediate spikes). Neuron 0's spike
    // kicks neuron 1, which sits at phase Theta, with w = 0: for w < 0 its spike is delayed, for
    // w >= 0 it stays clipped. The event structure is the same on both sides.
    const spec: TrialSpec = {
      model: 'osclif',
      n: 2,
      nIn: 1,
      weights: new Float64Array(4),
      weightMask: new Uint8Array([0, 1, 0, 0]),
      inputWeights: new Float64Array([0.5, 0.5]),
      initial: new Float64Array([1, 1]),
      inputTimes: new Float64Array([0.5]),
      inputChannels: new Int32Array([0]),
      readoutNeurons: new Int32Array([1]),
      readoutCounts: new Int32Array([1]),
      T: 1,
      maxEvents: 10,
    };
    const r = simulate(spec);
    expect(Array.from(r.spikeNeurons)).toEqual([0, 1]);
    // Immediate spikes at the input time (up to an ulp; see the osclif tie tests in simulate.semantics).
    for (const t of r.spikeTimes) expect(Math.abs(t - 0.5)).toBeLessThan(1e-12);
    const [e] = fdGradient(spec, new Float64Array([1]), 'weights');
    expect(e.index).toBe(1);
    expect(e.valid).toBe(false);
    expect(e.reason).toBe('kink');
  });

  it('keeps a smooth entry valid, and then it matches the adjoint', () => {
    const spec = lif(5.6);
    const [e] = fdGradient(spec, new Float64Array([1]), 'inputWeights');
    expect(e.valid).toBe(true);
    const g = simulate(spec, { cotangent: new Float64Array([1]) }).grad!.inputWeights[0];
    expect(Math.abs(g - e.fd)).toBeLessThan(1e-6);
    expect(g).toBeLessThan(-0.01);
  });
});

describe('randomized test set', () => {
  it('contains ordinary and pseudo output slots for every model and for the feed-forward networks', () => {
    const families: [string, (seed: number) => TrialSpec][] = [
      ...MODELS.map((m): [string, (seed: number) => TrialSpec] => [m, (seed) => randomRecurrent(m, seed)]),
      ['ff-theta', (seed) => randomFeedForward('theta', seed)],
      ['ff-qif', (seed) => randomFeedForward('qif', seed)],
    ];
    for (const [name, make] of families) {
      let ordinary = 0;
      let pseudo = 0;
      let spikes = 0;
      for (let seed = 0; seed < SEEDS; seed++) {
        const r = simulate(make(seed));
        for (const p of r.outputIsPseudo) {
          if (p) pseudo++;
          else ordinary++;
        }
        spikes += r.spikeTimes.length;
      }
      expect({ name, hasOrdinary: ordinary > 0, hasPseudo: pseudo > 0, hasSpikes: spikes > 0 }).toEqual({
        name,
        hasOrdinary: true,
        hasPseudo: true,
        hasSpikes: true,
      });
    }
  });

  it('the seeded PRNG is deterministic and the builders are reproducible', () => {
    const a = randomRecurrent('qif', 7);
    const b = randomRecurrent('qif', 7);
    expect(Array.from(a.weights)).toEqual(Array.from(b.weights));
    expect(Array.from(a.inputTimes)).toEqual(Array.from(b.inputTimes));
    expect(Array.from(randomRecurrent('qif', 8).weights)).not.toEqual(Array.from(a.weights));
    for (const model of MODELS) {
      const s = randomRecurrent(model, 3);
      for (let i = 0; i < s.n; i++) expect(s.weightMask![i + i * s.n]).toBe(0);
      expect(s.n).toBeGreaterThanOrEqual(2);
      expect(s.n).toBeLessThanOrEqual(6);
    }
  });
});
