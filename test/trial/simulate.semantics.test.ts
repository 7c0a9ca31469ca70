/**
 * Semantics of the event-driven simulation: tie-breaking (method.md 3.3), the trial end, the event
 * budget (3.4), the concept-experiment values of appendix A.2, the trial-end behaviour of
 * appendix A.3, and the absence of NaN/Infinity over edge cases.
 *
 * Appendix A.4 and A.5 are covered by the fixture tests elsewhere.
 */
import { EventKind, MAX_RECORD_UPDATES, simulate, simulateAsync } from '../../lib/trial/simulate';
import type { ModelName, TrialResult, TrialSpec } from '../../lib/trial/simulate';
import { MODELS, period, randomRecurrent, stateDim } from '../helpers/networks';

const W_MIN_QIF = Math.PI ** 2 / 4;

/** A network of n unconnected neurons (structural mask all 0), one input channel reaching every neuron with weight w. */
function unconnected(model: ModelName, initial: number[], T: number, w = 0.1): TrialSpec {
  const n = initial.length / stateDim(model);
  return {
    model,
    n,
    nIn: 1,
    weights: new Float64Array(n * n),
    weightMask: new Uint8Array(n * n),
    inputWeights: new Float64Array(n).fill(w),
    initial: new Float64Array(initial),
    inputTimes: new Float64Array(0),
    inputChannels: new Int32Array(0),
    readoutNeurons: new Int32Array([0]),
    readoutCounts: new Int32Array([2]),
    T,
    maxEvents: 100,
  };
}

/**
 * One neuron at rest (V0 = I0 = 0, or phase phi0), inputs (time, weight) each on its own channel,
 * readout of `count` output times.
 */
function single(model: ModelName, inputs: [number, number][], T: number, count = 1, phi0 = 0): TrialSpec {
  return {
    model,
    n: 1,
    nIn: inputs.length,
    weights: new Float64Array(1),
    weightMask: new Uint8Array(1),
    inputWeights: Float64Array.from(inputs, ([, w]) => w),
    initial: stateDim(model) === 2 ? new Float64Array(2) : new Float64Array([phi0]),
    inputTimes: Float64Array.from(inputs, ([t]) => t),
    inputChannels: Int32Array.from(inputs, (_, k) => k),
    readoutNeurons: new Int32Array([0]),
    readoutCounts: new Int32Array([count]),
    T,
    maxEvents: 50,
  };
}

/** A one-hot cotangent of the given length. */
function unit(length: number, k: number): Float64Array {
  const c = new Float64Array(length);
  c[k] = 1;
  return c;
}

/** Output times and d(output time k)/d(input weight `param`) for each k. */
function timesAndWeightGrad(spec: TrialSpec, param = 0): { t: number[]; pseudo: number[]; dw: number[] } {
  const total = spec.readoutCounts.reduce((a, b) => a + b, 0);
  const r = simulate(spec);
  const dw = Array.from({ length: total }, (_, k) => simulate(spec, { cotangent: unit(total, k) }).grad!.inputWeights[param]);
  return { t: Array.from(r.outputTimes), pseudo: Array.from(r.outputIsPseudo), dw };
}

/** Bisection: the boundary between lo (pred false) and hi (pred true), to full double precision. Returns hi. */
function bisect(pred: (x: number) => boolean, lo: number, hi: number): number {
  expect(pred(lo)).toBe(false);
  expect(pred(hi)).toBe(true);
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (mid === lo || mid === hi) break;
    if (pred(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

function expectRel(actual: number, expected: number, rel: number): void {
  expect(Number.isFinite(actual)).toBe(true);
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.abs(expected));
}

function expectAbs(actual: number, expected: number, tol: number): void {
  expect(Number.isFinite(actual)).toBe(true);
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tol);
}

function events(r: TrialResult): { kinds: number[]; indices: number[]; times: number[] } {
  const ev = r.events!;
  return { kinds: Array.from(ev.kinds), indices: Array.from(ev.indices), times: Array.from(ev.times) };
}

/**
 * Per model: neuron 0 spikes before T, neuron 1 stays silent (no inputs). A phase model without
 * an entry gets states derived from its period; a current model needs its own entry (the tie
 * tests below skip a model that has none).
 */
const SPIKER_AND_SILENT_STATES: Partial<Record<ModelName, { initial: number[]; T: number }>> = {
  qif: { initial: [2, 0, 0, 0], T: 2 }, // V0 = [2, 0], I0 = 0: neuron 0 spikes at ln 2
  lif: { initial: [0, 0, 6, 0], T: 2 }, // I0 = [6, 0]
  theta: { initial: [2, 0.1], T: 2 }, // spikes at pi - 2
  osclif: { initial: [1, 0.1], T: 1 }, // spikes at ln 5 - 1
};

/** Per model: initial state of one neuron with an early (a) and a later (b) spike, and a silent one (s), all before T except s. */
const EARLY_LATE_STATES: Partial<Record<ModelName, { a: number[]; b: number[]; s: number[]; T: number }>> = {
  qif: { a: [2, 0], b: [1.5, 0], s: [0, 0], T: 2 }, // [V0, I0]: spikes at ln 2, ln 3
  lif: { a: [0, 6], b: [0, 5], s: [0, 0], T: 2 },
  theta: { a: [2], b: [1.5], s: [0.1], T: 2 },
  osclif: { a: [1], b: [0.8], s: [0.1], T: 1 },
};

const isPhase = (model: ModelName) => stateDim(model) === 1;
const SPIKER_AND_SILENT: Partial<Record<ModelName, { initial: number[]; T: number }>> = Object.fromEntries(
  MODELS.map((m) => {
    const P = isPhase(m) ? period(m) : NaN;
    return [m, SPIKER_AND_SILENT_STATES[m] ?? (isPhase(m) ? { initial: [0.64 * P, 0.03 * P], T: 0.64 * P } : undefined)];
  }),
);
const EARLY_LATE: Partial<Record<ModelName, { a: number[]; b: number[]; s: number[]; T: number }>> = Object.fromEntries(
  MODELS.map((m) => {
    const P = isPhase(m) ? period(m) : NaN;
    return [m, EARLY_LATE_STATES[m] ?? (isPhase(m) ? { a: [0.64 * P], b: [0.48 * P], s: [0.03 * P], T: 0.64 * P } : undefined)];
  }),
);
/** The models the tie tests can run (those with states above). */
const TIE_MODELS = MODELS.filter((m) => SPIKER_AND_SILENT[m] !== undefined && EARLY_LATE[m] !== undefined);

/** Initial state of neurons with per-neuron states given as [V, I] or [phi]. */
function stack(model: ModelName, states: number[][]): number[] {
  if (stateDim(model) === 1) return states.map((s) => s[0]);
  return [...states.map((s) => s[0]), ...states.map((s) => s[1])];
}

describe('tie semantics (method.md 3.3)', () => {
  it.each(TIE_MODELS)('%s: an input and a network spike at the same time: the network spike is processed first', (model) => {
    const { initial, T } = SPIKER_AND_SILENT[model]!;
    const spec = unconnected(model, initial, T);
    const ts = simulate(spec).spikeTimes[0];
    expect(ts).toBeGreaterThan(0);
    expect(ts).toBeLessThan(T);
    // The input reaches the spiking neuron too: processed first it would change (lif) or be ignored
    // by a neuron due to spike (qif mask, theta guard); either way the order shows in the events.
    const r = simulate({ ...spec, inputTimes: new Float64Array([ts]), inputChannels: new Int32Array([0]) }, { recordEvents: true });
    expect(events(r)).toEqual({
      kinds: [EventKind.spike, EventKind.input, EventKind.trialEnd],
      indices: [0, 0, -1],
      times: [ts, ts, T],
    });
    expect(r.inTrialEvents).toBe(2);
    expect(Array.from(r.spikeTimes)).toEqual([ts]);
  });

  it.each(TIE_MODELS)('%s: neurons with identical predicted spike times spike in index order', (model) => {
    const { a, b, s, T } = EARLY_LATE[model]!;
    // Neurons 1 and 4 share the early time, 0 and 3 the later one; 2 and 5 are silent.
    const spec = unconnected(model, stack(model, [b, a, s, b, a, s]), T);
    const r = simulate(spec, { recordEvents: true });
    const ev = events(r);
    expect(ev.kinds).toEqual([1, 1, 1, 1, 2]);
    expect(ev.indices).toEqual([1, 4, 0, 3, -1]);
    expect(ev.times[0]).toBe(ev.times[1]);
    expect(ev.times[2]).toBe(ev.times[3]);
    expect(ev.times[1]).toBeLessThan(ev.times[2]);
    expect(Array.from(r.spikeNeurons)).toEqual([1, 4, 0, 3]);

    // Six identical neurons: 0, 1, ..., 5 at one time.
    const all = simulate(unconnected(model, stack(model, [a, a, a, a, a, a]), T), { recordEvents: true });
    expect(Array.from(all.spikeNeurons)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(new Set(all.spikeTimes).size).toBe(1);
  });

  it.each(['qif', 'theta'] as const)(
    '%s: connected neurons due at the same time all still spike at that time, in index order',
    (model) => {
      const { a, T } = EARLY_LATE[model]!;
      const n = 6;
      const spec = unconnected(model, stack(model, Array.from({ length: n }, () => a)), T);
      for (let post = 0; post < n; post++) {
        for (let pre = 0; pre < n; pre++) {
          if (post === pre) continue;
          spec.weightMask![post + pre * n] = 1;
          spec.weights[post + pre * n] = 0.3;
        }
      }
      const r = simulate(spec, { recordEvents: true });
      // A neuron within eps of its spike ignores the kick (qif mask, theta phase guard).
      expect(Array.from(r.spikeNeurons.slice(0, n))).toEqual([0, 1, 2, 3, 4, 5]);
      expect(new Set(r.spikeTimes.slice(0, n)).size).toBe(1);
      const alone = simulate(unconnected(model, a, T));
      expect(r.spikeTimes[0]).toBe(alone.spikeTimes[0]);
    },
  );

  it.each(TIE_MODELS)('%s: inputs that share a time are processed one by one in stable sorted order', (model) => {
    const { s, T } = EARLY_LATE[model]!;
    const spec = unconnected(model, stack(model, [s, s]), T, -0.01);
    const times = [0.7, 0.3, 0.7, 0.3, 0.7, Infinity, 0.5];
    const r = simulate(
      { ...spec, inputTimes: new Float64Array(times), inputChannels: new Int32Array(times.length) },
      { recordEvents: true },
    );
    const ev = events(r);
    expect(ev.kinds).toEqual([0, 0, 0, 0, 0, 0, 2]);
    // Event indices are the original input indices; the +Infinity input is never processed.
    expect(ev.indices).toEqual([1, 3, 6, 0, 2, 4, -1]);
    expect(ev.times).toEqual([0.3, 0.3, 0.5, 0.7, 0.7, 0.7, T]);
    expect(r.inTrialEvents).toBe(6);
  });

  describe('osclif: a kick to the threshold is an immediate spike (method.md 2.4), due at the input time', () => {
    // One osclif neuron at phase 1; at t = 0.5 (phase 1.5, V = 0.97) a kick of +0.5 clips V at
    // vth: phase Theta, dt_spike = Theta - phi = 0, so the spike is due at exactly 0.5.
    const osc = (inputs: [number, number][]): TrialSpec => ({ ...single('osclif', inputs, 1, 1, 1), maxEvents: 10 });

    it('the immediate spike happens (single input)', () => {
      const r = simulate(osc([[0.5, 0.5]]), { recordEvents: true });
      expect(events(r).kinds).toEqual([EventKind.input, EventKind.spike, EventKind.trialEnd]);
      expect(Math.abs(r.spikeTimes[0] - 0.5)).toBeLessThan(1e-12);
    });

    // The prediction is t_k + (Theta - phi): exactly t_k when a kick reaches Theta (computing
    // (t_k + Theta) - phi rounded to 0.5000000000000002 and broke the tie rule below).
    it('the immediate spike is at exactly the input time', () => {
      const r = simulate(osc([[0.5, 0.5]]));
      expect(Array.from(r.spikeTimes)).toEqual([0.5]);
    });

    // A second, inhibitory input at the same time must come after the immediate spike (network
    // spike first on a tie, method.md 3.3), so the spike happens.
    it('an inhibitory input at the same time does not cancel the immediate spike (tie rule)', () => {
      const r = simulate(osc([[0.5, 0.5], [0.5, -0.5]]), { recordEvents: true });
      expect(events(r)).toEqual({
        kinds: [EventKind.input, EventKind.spike, EventKind.input, EventKind.trialEnd],
        indices: [0, 0, 1, -1],
        times: [0.5, 0.5, 0.5, 1],
      });
    });
  });

  it.each(TIE_MODELS)('%s: a spike exactly at T is not in the trial; its merged time stays at T', (model) => {
    const { initial } = SPIKER_AND_SILENT[model]!;
    const spec = { ...unconnected(model, initial, 10), readoutCounts: new Int32Array([2]) };
    const ts = simulate(spec).spikeTimes[0];
    const atT = simulate({ ...spec, T: ts }, { recordEvents: true });
    expect(Array.from(atT.spikeTimes)).toEqual([]);
    expect(events(atT)).toEqual({ kinds: [2], indices: [-1], times: [ts] });
    expect(atT.inTrialEvents).toBe(0);
    expect(atT.outputIsPseudo[0]).toBe(1);
    // Continuity: the first pseudospike is at T (qif too: a spike at T is at its pole, no eps plateau).
    expectAbs(atT.outputTimes[0], ts, 1e-12);
    // One ulp later the spike is in the trial, at the same time.
    const Tnext = ts + ts * 2 ** -52;
    expect(Tnext).toBeGreaterThan(ts);
    const after = simulate({ ...spec, T: Tnext }, { recordEvents: true });
    expect(Array.from(after.spikeTimes)).toEqual([ts]);
    expect(after.outputIsPseudo[0]).toBe(0);
    expect(after.outputTimes[0]).toBe(ts);
    expectAbs(after.outputTimes[1], atT.outputTimes[1], 1e-5);
  });

  it('theta: phi0 = Theta - T exactly (T = 2): the spike at T is not counted and t1 = T', () => {
    const phi0 = Math.PI - 2; // exact (Sterbenz), so Theta - phi0 == 2 exactly
    expect(Math.PI - phi0).toBe(2);
    const r = simulate(single('theta', [], 2, 2, phi0), { recordEvents: true });
    expect(Array.from(r.spikeTimes)).toEqual([]);
    expect(events(r).kinds).toEqual([2]);
    expect(Array.from(r.outputIsPseudo)).toEqual([1, 1]);
    expect(r.outputTimes[0]).toBe(2);
    expectAbs(r.outputTimes[1], 2 + Math.PI, 1e-12);
    // The same neuron with T slightly larger spikes at exactly 2.
    const later = simulate(single('theta', [], 2.5, 2, phi0));
    expect(Array.from(later.spikeTimes)).toEqual([2]);
  });

  it('qif: an input within eps before a predicted spike does not move the spike but still enters I (eps mask)', () => {
    const spec = (inputs: [number, number][]): TrialSpec => ({ ...single('qif', inputs, 2, 2), initial: new Float64Array([2, 0]) });
    const ts = simulate(spec([])).spikeTimes[0];
    expectAbs(ts, Math.LN2, 1e-15);
    for (const w of [-50, 8]) {
      const tIn = ts - 5e-7;
      const free = simulate(spec([[tIn, 0]]));
      const kicked = simulate(spec([[tIn, w]]), { cotangent: new Float64Array([1, 0]) });
      expect(Array.from(kicked.spikeTimes)).toEqual([ts]);
      // The current received the kick, decayed from tIn to T = 2.
      expectRel(kicked.stateAtT[1] - free.stateAtT[1], w * Math.exp(-2 * (2 - tIn)), 1e-9);
      // The masked spike time does not depend on the kick.
      expect(kicked.grad!.inputWeights[0]).toBe(0);
    }
  });

  it('theta: an input to a neuron within eps of its spike is ignored (phase guard)', () => {
    const spec = (inputs: [number, number][]): TrialSpec => single('theta', inputs, 2, 2, 2);
    const ts = simulate(spec([])).spikeTimes[0];
    for (const w of [-5, 5]) {
      const r = simulate(spec([[ts - 5e-7, w]]), { cotangent: new Float64Array([1, 1]) });
      expect(r.spikeTimes).toHaveLength(1);
      expectAbs(r.spikeTimes[0], ts, 1e-14);
      expect(r.grad!.inputWeights[0]).toBe(0);
      // Outside the guard the same input does move the spike.
      const outside = simulate(spec([[ts - 1e-3, w]]));
      expect(Math.abs(outside.spikeTimes[0] - ts)).toBeGreaterThan(1e-8);
    }
  });

  it.each(TIE_MODELS)('%s: an input exactly at T is not processed', (model) => {
    const { initial, T } = SPIKER_AND_SILENT[model]!;
    const base = { ...unconnected(model, initial, T, 0.5), nIn: 2, inputWeights: new Float64Array([0.2, 0.2, 0.5, 0.5]) };
    const withoutInput = { ...base, inputTimes: new Float64Array([0.3]), inputChannels: new Int32Array([0]) };
    const withInput = { ...base, inputTimes: new Float64Array([0.3, T]), inputChannels: new Int32Array([0, 1]) };
    const cotangent = new Float64Array([0.7, -0.4]);
    const a = simulate(withoutInput, { recordEvents: true, cotangent });
    const b = simulate(withInput, { recordEvents: true, cotangent });
    expect(events(b)).toEqual(events(a));
    expect(b.inTrialEvents).toBe(a.inTrialEvents);
    expect(Array.from(b.stateAtT)).toEqual(Array.from(a.stateAtT));
    expect(Array.from(b.outputTimes)).toEqual(Array.from(a.outputTimes));
    expect(b.grad!.inputTimes[1]).toBe(0);
    expect(b.grad!.inputWeights[2]).toBe(0);
    expect(b.grad!.inputWeights[3]).toBe(0);
    expect(b.grad!.inputTimes[0]).toBe(a.grad!.inputTimes[0]);
    // ... whereas one just before T is processed.
    const justBefore = simulate({ ...withInput, inputTimes: new Float64Array([0.3, T * (1 - 2 ** -52)]) }, { recordEvents: true });
    const ev = events(justBefore);
    expect(ev.kinds.filter((k, e) => k === EventKind.input && ev.indices[e] === 1)).toHaveLength(1);
    expect(justBefore.inTrialEvents).toBeGreaterThan(a.inTrialEvents);
  });
});

describe('event budget (method.md 3.4)', () => {
  /** In-trial events counted independently from the recorded event list (kinds other than trial end). */
  function neededEvents(spec: TrialSpec): number {
    const r = simulate({ ...spec, maxEvents: 100000 }, { recordEvents: true });
    const needed = Array.from(r.events!.kinds).filter((k) => k !== EventKind.trialEnd).length;
    expect(r.inTrialEvents).toBe(needed);
    return needed;
  }

  /**
   * The budget error of a run stopped at `budget`: it names maxEvents and a lower bound on the
   * events needed (the run stops at the budget, issue 12): more than the budget, at most `needed`.
   */
  function expectBudgetError(err: unknown, budget: number, needed: number): void {
    const e = err as { code?: string; message?: string };
    expect(e.code).toBe('ERR_SPIKEGRAD_BUDGET');
    expect(e.message).toMatch(new RegExp(`^maxEvents = ${budget} is too small`));
    expect(e.message).toMatch(/lower bound/);
    const atLeast = Number(/needs at least (\d+) in-trial events/.exec(e.message ?? '')?.[1]);
    expect(atLeast).toBeGreaterThan(budget);
    expect(atLeast).toBeLessThanOrEqual(needed);
  }

  function budgetErrorOf(fn: () => unknown): unknown {
    try {
      fn();
    } catch (err) {
      return err;
    }
    throw new Error('expected a budget error');
  }

  it.each(MODELS)('%s: too small a budget throws ERR_SPIKEGRAD_BUDGET naming the events needed; exactly enough succeeds', (model) => {
    let tested = 0;
    for (let seed = 0; seed < 30 && tested < 5; seed++) {
      const spec = randomRecurrent(model, seed);
      const needed = neededEvents(spec);
      if (needed < 3) continue;
      tested++;
      const full = simulate({ ...spec, maxEvents: 100000 });
      const exact = simulate({ ...spec, maxEvents: needed });
      expect(Array.from(exact.outputTimes)).toEqual(Array.from(full.outputTimes));
      expect(Array.from(exact.spikeTimes)).toEqual(Array.from(full.spikeTimes));
      for (const budget of [needed - 1, Math.floor(needed / 2), 0]) {
        expectBudgetError(budgetErrorOf(() => simulate({ ...spec, maxEvents: budget })), budget, needed);
        const withGradient = { cotangent: new Float64Array(full.outputTimes.length) };
        expectBudgetError(budgetErrorOf(() => simulate({ ...spec, maxEvents: budget }, withGradient)), budget, needed);
      }
    }
    expect(tested).toBe(5);
  });

  it('bounds maxEvents x n by the core record cap (2^26 updates), read from the binding', () => {
    expect(MAX_RECORD_UPDATES).toBe(2 ** 26);
    const spec = single('theta', [[0.5, 0.01]], 20, 1, 1);
    // n = 1: (maxEvents + 1) * 1 at the cap passes the bound (the trial itself needs 7 events)...
    expect(simulate({ ...spec, maxEvents: MAX_RECORD_UPDATES - 1 }).spikeTimes).toHaveLength(6);
    // ...one more is refused before the trial starts, naming the largest safe maxEvents.
    expect(() => simulate({ ...spec, maxEvents: MAX_RECORD_UPDATES })).toThrow(
      expect.objectContaining({ code: 'ERR_SPIKEGRAD_MEMORY', message: expect.stringMatching(/limit of 67108864 \(about 3 GiB\): lower maxEvents to at most 67108863$/) }),
    );
  });

  it('counts network spikes as well as inputs (a free theta neuron spiking periodically)', () => {
    // Theta = pi: phi0 = 1 spikes at pi - 1, 2 pi - 1, ..., six times before T = 20; one input.
    const spec = single('theta', [[0.5, 0.01]], 20, 1, 1);
    const needed = neededEvents(spec);
    const spikes = simulate({ ...spec, maxEvents: needed }).spikeTimes.length;
    expect(spikes).toBe(6);
    expect(needed).toBe(spikes + 1);
    expectBudgetError(budgetErrorOf(() => simulate({ ...spec, maxEvents: needed - 1 })), needed - 1, needed);
  });

  it('the lower bound counts the input events not yet processed: exact for a network that never spikes', () => {
    const spec = single('qif', Array.from({ length: 12 }, (_, k): [number, number] => [0.1 + 0.3 * k, -1]), 4, 1);
    expect(neededEvents(spec)).toBe(12);
    for (const budget of [0, 5, 11]) {
      const err = budgetErrorOf(() => simulate({ ...spec, maxEvents: budget }));
      expectBudgetError(err, budget, 12);
      expect((err as Error).message).toMatch(/needs at least 12 in-trial events/);
    }
  });

  it('the asynchronous variant rejects with the same error', async () => {
    const spec = single('qif', [[0.5, 5], [1, 5], [1.5, 5]], 4, 1);
    const needed = neededEvents(spec);
    expect(needed).toBeGreaterThanOrEqual(4);
    const err = await simulateAsync({ ...spec, maxEvents: needed - 1 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expectBudgetError(err, needed - 1, needed);
    await expect(simulateAsync({ ...spec, maxEvents: needed })).resolves.toHaveProperty('inTrialEvents', needed);
  });

  it('a trial without events needs no budget', () => {
    const r = simulate({ ...single('theta', [], 1, 2, 0.5), maxEvents: 0 }, { recordEvents: true });
    expect(r.inTrialEvents).toBe(0);
    expect(events(r).kinds).toEqual([2]);
  });
});

describe('appendix A.2: concept experiment', () => {
  it('QIF vary_w (T = 4, input at 0.5): spike times and dt/dw', () => {
    for (const f of [0.95, 1.0001, 1.01]) {
      const r = simulate(single('qif', [[0.5, f * W_MIN_QIF]], 4));
      expect(r.spikeTimes).toHaveLength(0);
      expect(r.outputIsPseudo[0]).toBe(1);
      expect(r.outputTimes[0]).toBeGreaterThan(4);
    }
    const table: [number, number, number][] = [
      [1.15, 3.195699, -2.4345],
      [1.5, 2.195522, -0.6011],
      [2.0, 1.727947, -0.2446],
    ];
    for (const [f, t, dtdw] of table) {
      const { t: times, pseudo, dw } = timesAndWeightGrad(single('qif', [[0.5, f * W_MIN_QIF]], 4));
      expect(pseudo[0]).toBe(0);
      expectAbs(times[0], t, 1e-5);
      expectRel(dw[0], dtdw, 1e-3);
    }
    // 1.15 w_min is 2.837511.
    expectAbs(1.15 * W_MIN_QIF, 2.837511, 1e-6);
  });

  it('QIF: the spike enters the trial at T = 4 for w* = 2.6234516 = 1.06324 w_min', () => {
    const wStar = bisect((w) => simulate(single('qif', [[0.5, w]], 4)).outputIsPseudo[0] === 0, 2.5, 2.7);
    expectAbs(wStar, 2.6234516, 1e-7);
    expectAbs(wStar / W_MIN_QIF, 1.06324, 1e-5);
    const r = simulate(single('qif', [[0.5, 2.6234516]], 4));
    expectAbs(r.outputTimes[0], 4, 1e-5);
  });

  it('QIF vary_t (excitation 1.5 w_min at 0.5, inhibition -w_min at t_in)', () => {
    const tExc = 2.195522;
    const spec = (tIn: number): TrialSpec => single('qif', [[0.5, 1.5 * W_MIN_QIF], [tIn, -W_MIN_QIF]], 4);
    const dtdtin = (tIn: number): number => simulate(spec(tIn), { cotangent: new Float64Array([1]) }).grad!.inputTimes[1];
    // 0.5 t_exc_only: no spike.
    expect(simulate(spec(0.5 * tExc)).outputIsPseudo[0]).toBe(1);
    // 0.62 t_exc_only = 1.361224.
    let r = simulate(spec(0.62 * tExc));
    expect(r.outputIsPseudo[0]).toBe(0);
    expectAbs(r.outputTimes[0], 3.317656, 1e-5);
    expectRel(dtdtin(0.62 * tExc), -10.1, 1e-3);
    // 1.4 t_exc_only: the inhibition arrives after the spike.
    r = simulate(spec(1.4 * tExc));
    expectAbs(r.outputTimes[0], tExc, 1e-5);
    expect(dtdtin(1.4 * tExc)).toBe(0);
    // Boundary t_in = 1.3170084: the spike time goes continuously to T.
    const tb = bisect((t) => simulate(spec(t)).outputIsPseudo[0] === 0, 1.2, 1.4);
    expectAbs(tb, 1.3170084, 1e-6);
    expectAbs(simulate(spec(tb)).outputTimes[0], 4, 1e-5);
  });

  it('LIF vary_w (T = 3, w_min = 4): onset jump to 0.5 + ln 2 with a diverging derivative', () => {
    const none = simulate(single('lif', [[0.5, 0.95 * 4]], 3));
    expect(none.spikeTimes).toHaveLength(0);
    expect(none.outputIsPseudo[0]).toBe(1);
    const table: [number, number, number][] = [
      [1.0001, 1.183197, -12.37],
      [1.01, 1.098288, -1.12],
      [1.15, 0.884812, -0.1923],
      [1.4, 0.764928, -0.0778],
    ];
    for (const [f, t, dtdw] of table) {
      const { t: times, pseudo, dw } = timesAndWeightGrad(single('lif', [[0.5, f * 4]], 3));
      expect(pseudo[0]).toBe(0);
      expectAbs(times[0], t, 1e-5);
      expectRel(dw[0], dtdw, 1e-3);
    }
    const onset = simulate(single('lif', [[0.5, 4 * (1 + 1e-12)]], 3));
    expectAbs(onset.outputTimes[0], 0.5 + Math.LN2, 1e-3);
  });

  it('LIF vary_t (excitation 5.6 at 0.5, inhibition -4 at t_in): the spike is abolished for every t_in < 0.764928', () => {
    const tExc = 0.764928;
    const spec = (tIn: number): TrialSpec => single('lif', [[0.5, 5.6], [tIn, -4]], 3);
    for (const f of [0.2, 0.8, 0.99, 0.9999]) {
      const r = simulate(spec(f * tExc));
      expect(r.spikeTimes).toHaveLength(0);
    }
    for (const f of [1.5, 3.0]) {
      const r = simulate(spec(f * tExc), { cotangent: new Float64Array([1]) });
      expectAbs(r.outputTimes[0], tExc, 1e-5);
      expect(r.outputIsPseudo[0]).toBe(0);
      expect(r.grad!.inputTimes[1]).toBe(0);
    }
  });
});

describe('appendix A.3: behaviour at the trial end', () => {
  /** Single QIF neuron, V0 = I0 = 0, input at 0.5 of weight w, T = 4, two output slots. */
  const qif1 = (w: number): TrialSpec => single('qif', [[0.5, w]], 4, 2);
  const hasSpike = (spec: TrialSpec): boolean => simulate(spec).outputIsPseudo[0] === 0;
  /** The weight at which the first spike enters the trial (w* = 2.6234516). */
  let wStar = NaN;
  beforeAll(() => {
    wStar = bisect((w) => hasSpike(qif1(w)), 2.6, 2.65);
  });

  it('QIF: merged times at w* -+ 1e-6, and a spike within eps after T at its own time (no eps plateau)', () => {
    const below = simulate(qif1(wStar - 1e-6));
    const above = simulate(qif1(wStar + 1e-6));
    expectAbs(below.outputTimes[0], 4.0000061, 1e-6);
    expectAbs(below.outputTimes[1], 5.1931688, 1e-6);
    expectAbs(above.outputTimes[0], 3.9999939, 1e-6);
    expectAbs(above.outputTimes[1], 5.1931556, 1e-6);
    expect(Array.from(below.outputIsPseudo)).toEqual([1, 1]);
    expect(Array.from(above.outputIsPseudo)).toEqual([0, 1]);
    // A true spike within eps after T: t1 - T is that spike's distance from T, -dt1/dw (w* - w)
    // (the reference and spikegrad before issue 12 gave T + 1.000e-6 here, the eps plateau).
    for (const d of [3e-7, 1e-7, 1e-8, 1e-9, 1e-10]) {
      const r = simulate(qif1(wStar - d));
      expect(r.outputIsPseudo[0]).toBe(1);
      expectRel(r.outputTimes[0] - 4, 6.12084 * d, 1e-4);
    }
    expectRel(simulate(qif1(wStar + 1e-9)).outputTimes[0] - 4, -6.12084e-9, 1e-4);
  });

  it('QIF: t1 is continuous and dt1/dw finite and continuous across w*', () => {
    const t = (w: number): number => simulate(qif1(w)).outputTimes[0];
    expect(Math.abs(t(wStar + 1e-9) - t(wStar - 1e-9))).toBeLessThan(1.3e-8);
    const table: [number, number, number][] = [
      [-1e-4, -6.12492, -6.12496],
      [1e-4, -6.11675, -6.11677],
      [-1e-6, -6.12088, -6.12092],
      [1e-6, -6.1208, -6.12084],
    ];
    for (const [d, d1, d2] of table) {
      const { dw } = timesAndWeightGrad(qif1(wStar + d));
      expectRel(dw[0], d1, 1e-4);
      expectRel(dw[1], d2, 1e-4);
    }
    const left = timesAndWeightGrad(qif1(wStar - 1e-6)).dw[0];
    const right = timesAndWeightGrad(qif1(wStar + 1e-6)).dw[0];
    expect(Math.abs(left - right)).toBeLessThan(1e-3);
    expectRel(right, -6.1208, 1e-3);
  });

  it('QIF: a sweep of w across w* in steps of 1e-6 has no jump and the smooth derivative everywhere', () => {
    const N = 400;
    const lo = wStar - 2e-4;
    const step = 4e-4 / N;
    let prev: { w: number; t1: number; g: number } | undefined;
    for (let k = 0; k <= N; k++) {
      const w = lo + k * step;
      const r = simulate(qif1(w), { cotangent: new Float64Array([1, 0]) });
      const t1 = r.outputTimes[0];
      const g = r.grad!.inputWeights[0];
      expect(Number.isFinite(t1) && Number.isFinite(g)).toBe(true);
      expectRel(g, -6.1208, 2e-3);
      // The change is the trapezoid of the derivative (curvature ~41: error ~ 41 step^2 / 12).
      if (prev) expectAbs(t1 - prev.t1, (0.5 * (g + prev.g)) * (w - prev.w), 1e-12);
      prev = { w, t1, g };
    }
  });

  describe('through T below the eps resolution (issue 12 class 8)', () => {
    /** Central difference of output slot `slot` in x, with step h. */
    const fd = (make: (x: number) => TrialSpec, x: number, slot: number, h: number): number =>
      (simulate(make(x + h)).outputTimes[slot] - simulate(make(x - h)).outputTimes[slot]) / (2 * h);

    it('QIF: w stepped by 1e-10 across w*: t1 strictly decreasing and continuous, derivative constant', () => {
      const step = 1e-10;
      let prev: { w: number; t1: number; g: number; pseudo: number } | undefined;
      let crossings = 0;
      for (let k = -100; k <= 100; k++) {
        const w = wStar + k * step;
        const r = simulate(qif1(w), { cotangent: new Float64Array([1, 0]) });
        const t1 = r.outputTimes[0];
        const g = r.grad!.inputWeights[0];
        expectRel(g, -6.12084, 1e-5);
        if (prev) {
          expect(t1).toBeLessThan(prev.t1);
          // Continuous: each step moves t1 by the derivative times the step, to round-off.
          expectAbs(t1 - prev.t1, 0.5 * (g + prev.g) * (w - prev.w), 1e-14);
          if (r.outputIsPseudo[0] !== prev.pseudo) crossings++;
        }
        prev = { w, t1, g, pseudo: r.outputIsPseudo[0] };
      }
      expect(crossings).toBe(1);
    });

    it('QIF: the gradient equals central differences on both sides of T and at it, for every parameter', () => {
      // Within eps above T (3e-7 .. 1e-10), at T and below it; h = 1e-9 straddles T for the inner points.
      const h = 1e-9;
      for (const d of [-3e-7, -1e-8, -1e-10, 0, 1e-10, 1e-8, 3e-7]) {
        const w = wStar + d;
        for (const slot of [0, 1]) {
          const r = simulate(qif1(w), { cotangent: unit(2, slot) });
          const g = r.grad!;
          expectRel(g.inputWeights[0], fd(qif1, w, slot, h), 1e-5);
          const atTime = (tIn: number): TrialSpec => ({ ...qif1(w), inputTimes: new Float64Array([tIn]) });
          expectRel(g.inputTimes[0], fd(atTime, 0.5, slot, h), 1e-5);
          const withV0 = (v: number): TrialSpec => ({ ...qif1(w), initial: new Float64Array([v, 0]) });
          expectRel(g.initial[0], fd(withV0, 0, slot, h), 1e-5);
          const withI0 = (i: number): TrialSpec => ({ ...qif1(w), initial: new Float64Array([0, i]) });
          expectRel(g.initial[1], fd(withI0, 0, slot, h), 1e-5);
        }
      }
    });

    it('QIF: a spike placed at T + d by the initial voltage has t1 = T + d for d from 0 to 3 eps, with d t1/dV0 from finite differences', () => {
      // I0 = 0: the spike from V0 > 1 comes after tau ln(V0/(V0 - 1)), so V0 = 1/(1 - exp(-(T + d))).
      const T = 1;
      const spec = (V0: number): TrialSpec => ({ ...single('qif', [], T, 2), initial: new Float64Array([V0, 0]) });
      for (const d of [0, 1e-12, 1e-9, 5e-7, 0.999e-6, 1.001e-6, 3e-6]) {
        const V0 = 1 / -Math.expm1(-(T + d));
        const r = simulate(spec(V0), { cotangent: unit(2, 0) });
        expect(r.outputIsPseudo[0]).toBe(1);
        expectAbs(r.outputTimes[0] - T, d, 1e-14);
        // d t/dV0 = -1/(V0 (V0 - 1)) for I0 = 0.
        expectRel(r.grad!.initial[0], -1 / (V0 * (V0 - 1)), 1e-6);
        expectRel(r.grad!.initial[0], fd(spec, V0, 0, 1e-9), 1e-5);
      }
    });

    it('QIF with tau = 2: no plateau where the flow would pass the clamp 1/eps (between eps and tau eps before a spike)', () => {
      const q2 = (w: number): TrialSpec => ({ ...qif1(w), params: { tau: 2 } });
      const ws = bisect((w) => hasSpike(q2(w)), 3, 60);
      const t = (w: number): number => simulate(q2(w)).outputTimes[0];
      const g0 = simulate(q2(ws), { cotangent: unit(2, 0) }).grad!.inputWeights[0];
      let prev = t(ws - 4e-6);
      for (let k = 1; k <= 400; k++) {
        const w = ws - 4e-6 + k * 1e-8;
        const t1 = t(w);
        expect(t1).toBeLessThan(prev);
        expectAbs(t1 - prev, g0 * 1e-8, 1e-3 * Math.abs(g0) * 1e-8 + 1e-14);
        prev = t1;
      }
      for (const d of [-3e-6, -1.5e-6, -5e-7, 0, 5e-7]) {
        const w = ws + d;
        expectRel(simulate(q2(w), { cotangent: unit(2, 0) }).grad!.inputWeights[0], fd(q2, w, 0, 1e-9), 1e-5);
      }
    });

    it('QIF with tau = 2: an input just before a spike leaves it in place (masked where the flow would pass the clamp)', () => {
      // The neuron spikes at ts; a weak input at ts - d for d between eps and tau eps used to be
      // flowed to the clamp 1/eps and predicted the spike anew from V = 1/eps: up to 1e-6 late.
      const base: TrialSpec = { ...single('qif', [[0.5, 12]], 4), params: { tau: 2 } };
      const ts = simulate(base).spikeTimes[0];
      expect(ts).toBeGreaterThan(0.5);
      for (const d of [3e-6, 2.2e-6, 1.8e-6, 1.2e-6, 0.8e-6, 1e-7]) {
        const r = simulate({ ...single('qif', [[0.5, 12], [ts - d, 1e-3]], 4), params: { tau: 2 } });
        expect(r.spikeTimes).toHaveLength(1);
        // The input advances the spike by at most w |dt*/dI| ~ 1e-3 d^3 / (3 tau^2).
        expectAbs(r.spikeTimes[0], ts, 1e-15 + 1e-3 * d ** 3);
      }
    });

    it('theta: an output spike crossing T with a strong pseudo input: the derivative is smooth through the guard phase Theta - eps', () => {
      // Two layers: neuron 0 feeds neuron 1 with weight 30 (its pseudo input u ~ 20); input weight
      // v on neuron 1 moves its spike across T. The guard of H at Theta - eps used to put a kink of
      // about 2 u eps / tau (5e-5 relative) into d t1/dv a spike's distance eps after T.
      const th = (v: number): TrialSpec => ({
        model: 'theta',
        n: 2,
        nIn: 2,
        weights: new Float64Array([0, 30, 0, 0]),
        weightMask: new Uint8Array([0, 1, 0, 0]),
        inputWeights: new Float64Array([0.3, 0, 0, v]),
        initial: new Float64Array([0.2, 1.0]),
        inputTimes: new Float64Array([0.5, 0.3]),
        inputChannels: new Int32Array([0, 1]),
        readoutNeurons: new Int32Array([1]),
        readoutCounts: new Int32Array([2]),
        layers: [new Int32Array([0]), new Int32Array([1])],
        T: 2,
        maxEvents: 50,
      });
      const vs = bisect((v) => hasSpike(th(v)), -3, 5);
      const grad = (v: number): number => simulate(th(v), { cotangent: unit(2, 0) }).grad!.inputWeights[3];
      // Below v* (spike after T, up to 2e6 eps): consecutive derivatives differ by the curvature
      // times the step (~4.36e-7 here); a kink shows as a jump of that difference (the guard's
      // was ~4.6e-5). At v* itself only the curvature changes (pseudo and true dynamics agree to
      // first order): the derivative is continuous.
      const g = Array.from({ length: 202 }, (_, k) => grad(vs - 2e-6 + k * 1e-8));
      for (let k = 2; k <= 200; k++) {
        expect(Math.abs(g[k] - g[k - 1] - (g[k - 1] - g[k - 2]))).toBeLessThan(1e-9);
      }
      expect(Math.abs(g[201] - g[200])).toBeLessThan(1e-8);
      for (const d of [-1.5e-6, -1.05e-6, -0.95e-6, -3e-7, 0, 3e-7]) {
        expectRel(grad(vs + d), fd(th, vs + d, 0, 1e-9), 1e-6);
      }
      // The merged time is continuous through T.
      expect(Math.abs(simulate(th(vs - 1e-10)).outputTimes[0] - simulate(th(vs + 1e-10)).outputTimes[0])).toBeLessThan(3e-10);
    });

    it('theta, osclif: a spike placed at T + d by the initial phase has t1 = T + d, with d t1/dphi0 = -1', () => {
      for (const model of ['theta', 'osclif'] as const) {
        const Theta = period(model);
        const T = 1;
        for (const d of [0, 1e-12, 1e-9, 5e-7, 0.999e-6, 1.001e-6, 3e-6]) {
          const r = simulate(single(model, [], T, 2, Theta - T - d), { cotangent: unit(2, 0) });
          expect(r.outputIsPseudo[0]).toBe(1);
          expectAbs(r.outputTimes[0] - T, d, 1e-14);
          expectRel(r.grad!.initial[0], -1, 1e-12);
        }
      }
    });

    it('lif: an output spike crossing T: merged time continuous, derivatives finite and equal to central differences on each side', () => {
      // The spike appears at 0.5 + ln 2 for w = 4+ (after T = 1) and moves before T as w grows.
      const lif = (w: number): TrialSpec => single('lif', [[0.5, w]], 1, 2);
      const ws = bisect((w) => hasSpike(lif(w)), 4.01, 60);
      const t = (w: number): number => simulate(lif(w)).outputTimes[0];
      expect(Math.abs(t(ws) - t(ws - 1e-12))).toBeLessThan(1e-9);
      for (const d of [-1e-6, -1e-8, 1e-8, 1e-6]) {
        const g = simulate(lif(ws + d), { cotangent: unit(2, 0) }).grad!.inputWeights[0];
        expect(Number.isFinite(g)).toBe(true);
        expectRel(g, fd(lif, ws + d, 0, Math.abs(d) / 10), 1e-4);
      }
    });
  });

  it('QIF: the silent neuron (w = 0) has finite pseudospikes with non-zero derivatives', () => {
    const { t, pseudo, dw } = timesAndWeightGrad(qif1(0));
    expect(pseudo).toEqual([1, 1]);
    expectAbs(t[0], 4.667919, 1e-6);
    expectAbs(t[1], 5.861184, 1e-6);
    expectRel(dw[0], -0.004102, 1e-3);
    expectRel(dw[1], -0.004141, 1e-3);
  });

  it('theta: the output spike crossing T as an input weight varies: merged time continuous, derivative finite on both sides', () => {
    // phi0 = 1, T = 2, input at 0.5: without input phi(T) = 3 < Theta = pi.
    const th = (w: number): TrialSpec => single('theta', [[0.5, w]], 2, 2, 1);
    const wc = bisect((w) => hasSpike(th(w)), 0, 5);
    const below = timesAndWeightGrad(th(wc - 1e-9));
    const above = timesAndWeightGrad(th(wc + 1e-9));
    expect(below.pseudo).toEqual([1, 1]);
    expect(above.pseudo).toEqual([0, 1]);
    expect(Math.abs(above.t[0] - below.t[0])).toBeLessThan(1e-7);
    expect(Math.abs(above.t[1] - below.t[1])).toBeLessThan(1e-7);
    expectAbs(above.t[0], 2, 1e-7);
    for (const k of [0, 1]) {
      expect(Number.isFinite(below.dw[k]) && Number.isFinite(above.dw[k])).toBe(true);
      expect(Math.abs(below.dw[k])).toBeGreaterThan(0.1);
      expectRel(above.dw[k], below.dw[k], 1e-6);
    }
  });

  it('LIF: the first spike appears mid-trial with a jump, and its derivative diverges at the threshold weight 4', () => {
    const lif = (w: number): TrialSpec => single('lif', [[0.5, w]], 3, 1);
    const below = simulate(lif(4 - 5e-7));
    const above = simulate(lif(4 + 5e-7));
    expect(below.outputIsPseudo[0]).toBe(1);
    expect(above.outputIsPseudo[0]).toBe(0);
    expect(Math.abs(below.outputTimes[0] - above.outputTimes[0])).toBeGreaterThan(0.1);
    expect(above.outputTimes[0]).toBeLessThan(1.2);
    const dtdw = (w: number): number => simulate(lif(w), { cotangent: new Float64Array([1]) }).grad!.inputWeights[0];
    const d4 = dtdw(4 * (1 + 1e-4));
    const d8 = dtdw(4 * (1 + 1e-8));
    const d12 = dtdw(4 * (1 + 1e-12));
    expectRel(d4, -12.37, 1e-3);
    // d t/dw ~ (w - 4)^(-1/2): 100 times larger for every factor 1e4 closer.
    expect(Number.isFinite(d12)).toBe(true);
    expect(-d8).toBeGreaterThan(1000);
    expect(-d12).toBeGreaterThan(50 * -d8);
  });

  it('two-neuron downstream kink: neuron 1 is continuous across the crossing but its derivative jumps', () => {
    // weights_net = [[0, 0], [3, 0]] (neuron 0 excites 1); weights_in = [[w, 0], [0, 2]].
    const two = (w: number): TrialSpec => ({
      model: 'qif',
      n: 2,
      nIn: 2,
      weights: new Float64Array([0, 3, 0, 0]),
      weightMask: new Uint8Array([0, 1, 1, 0]),
      inputWeights: new Float64Array([w, 0, 0, 2]),
      initial: new Float64Array(4),
      inputTimes: new Float64Array([0.5, 0.2]),
      inputChannels: new Int32Array([0, 1]),
      readoutNeurons: new Int32Array([0, 1]),
      readoutCounts: new Int32Array([1, 1]),
      T: 4,
      maxEvents: 10,
    });
    const wc = bisect((w) => hasSpike(two(w)), 2.6, 2.65);
    expectAbs(wc, wStar, 1e-12);
    const lo = simulate(two(wc - 1e-5));
    const hi = simulate(two(wc + 1e-5));
    expectAbs(lo.outputTimes[0], 4.00006121, 1e-6);
    expectAbs(hi.outputTimes[0], 3.99993879, 1e-6);
    expectAbs(lo.outputTimes[1], 4.57630005, 1e-6);
    expectAbs(hi.outputTimes[1], 4.57628001, 1e-6);
    // Neuron 1: |jump| over 2e-5 in w is O(2e-5 * |derivative|), no finite jump.
    expect(Math.abs(hi.outputTimes[1] - lo.outputTimes[1])).toBeLessThan(4e-5);
    const dLo = timesAndWeightGrad(two(wc - 1e-6)).dw;
    const dHi = timesAndWeightGrad(two(wc + 1e-6)).dw;
    expectRel(dLo[0], -6.12088, 1e-4);
    expectRel(dHi[0], -6.1208, 1e-4);
    expectRel(dLo[1], -0.31809, 1e-3);
    expectRel(dHi[1], -1.68039, 1e-3);
  });

  it('an input crossing T is a discontinuity of the merged times', () => {
    const spec = (tIn: number): TrialSpec => ({ ...single('qif', [[tIn, 1], [1.0, 3]], 10, 2), maxEvents: 25 });
    const before = simulate(spec(10 - 1e-9));
    const atT = simulate(spec(10));
    expectAbs(before.outputTimes[0], 3.3740777, 1e-6);
    expectAbs(before.outputTimes[1], 10.6423308, 1e-6);
    expectAbs(atT.outputTimes[0], 3.3740777, 1e-6);
    expectAbs(atT.outputTimes[1], 10.6681018, 1e-6);
  });
});

describe('no NaN or Infinity over edge cases', () => {
  interface Edge {
    name: string;
    spec: TrialSpec;
  }

  /** n neurons, nIn channels, all-zero weights (every synapse structural), readout of every neuron with 3 slots. */
  function blank(model: ModelName, n: number, nIn: number, over: Partial<TrialSpec> = {}): TrialSpec {
    return {
      model,
      n,
      nIn,
      weights: new Float64Array(n * n),
      inputWeights: new Float64Array(n * nIn),
      initial: new Float64Array(stateDim(model) * n),
      inputTimes: new Float64Array(0),
      inputChannels: new Int32Array(0),
      readoutNeurons: Int32Array.from({ length: n }, (_, i) => i),
      readoutCounts: Int32Array.from({ length: n }, () => 3),
      T: 3,
      maxEvents: 100000,
      ...over,
    };
  }

  function offDiagonal(spec: TrialSpec, w: number): void {
    for (let post = 0; post < spec.n; post++) {
      for (let pre = 0; pre < spec.n; pre++) if (post !== pre) spec.weights[post + pre * spec.n] = w;
    }
  }

  function phases(model: ModelName, values: number[]): Float64Array {
    return stateDim(model) === 1 ? new Float64Array(values) : new Float64Array(2 * values.length);
  }

  const cases: Edge[] = [];
  for (const model of MODELS) {
    const phase = stateDim(model) === 1;
    const mid = phase ? period(model as 'theta' | 'osclif') / 2 : 0;
    cases.push({ name: `${model}: no input channels, silent`, spec: blank(model, 3, 0, { initial: phases(model, [0.1, 0.1, 0.1]) }) });
    cases.push({ name: `${model}: T = 0`, spec: blank(model, 2, 1, { T: 0, inputTimes: new Float64Array([0]), inputChannels: new Int32Array([0]) }) });
    cases.push({
      name: `${model}: inputs at 0 and exactly at T`,
      spec: blank(model, 2, 1, {
        inputTimes: new Float64Array([3, 0, 3]),
        inputChannels: new Int32Array([0, 0, 0]),
        inputWeights: new Float64Array([0.4, 0.2]),
        initial: phases(model, [mid, mid]),
      }),
    });
    // Weights that would cause an instantaneous avalanche in the osclif (w >= vth) are kept below vth.
    for (const w of phase && model === 'osclif' ? [0.45, -1e3, 1e-12, -1e-12] : [1e3, -1e3, 1e-12, -1e-12]) {
      const spec = blank(model, 3, 2, {
        inputTimes: new Float64Array([0.5, 1, 1.5, 2]),
        inputChannels: new Int32Array([0, 1, 0, 1]),
        initial: phases(model, [0.5, 1, 1.5]),
      });
      spec.inputWeights.fill(w);
      // LIF without refractoriness runs away under strong recurrent excitation.
      offDiagonal(spec, model === 'lif' && w > 1 ? 0 : w);
      cases.push({ name: `${model}: weights ${w}`, spec });
    }
    const simult = blank(model, 3, 2, {
      inputTimes: new Float64Array([1, 1, 1, 1]),
      inputChannels: new Int32Array([0, 1, 0, 1]),
      initial: phase ? new Float64Array([1, 1, 1]) : new Float64Array([0, 0, 0, 5, 5, 5]),
    });
    simult.inputWeights.fill(model === 'osclif' ? 0.2 : 0.7);
    offDiagonal(simult, model === 'osclif' ? 0.2 : 0.5);
    cases.push({ name: `${model}: simultaneous inputs and identical neurons`, spec: simult });
    cases.push({
      name: `${model}: long trial`,
      spec: blank(model, 2, 1, {
        T: 200,
        inputTimes: new Float64Array([0.5]),
        inputChannels: new Int32Array([0]),
        inputWeights: new Float64Array([0.1, 0.1]),
        initial: phase ? new Float64Array([0.3, 0.6]) : new Float64Array([0, 0, 1, -1]),
      }),
    });
  }
  for (const model of ['qif', 'lif'] as const) {
    for (const V of [0, 0.5, -5, -1e6]) {
      cases.push({
        name: `${model}: I0 = 0 exactly, V0 = ${V}`,
        spec: blank(model, 1, 1, {
          initial: new Float64Array([V, 0]),
          inputTimes: new Float64Array([1]),
          inputChannels: new Int32Array([0]),
          inputWeights: new Float64Array([0.5]),
        }),
      });
    }
    for (const I of [-4, -1, -0.25, -1e-8]) {
      const a = Math.sqrt(-I);
      for (const sign of model === 'lif' ? [-1] : [1, -1]) {
        const spec = blank(model, 2, 1, {
          initial: new Float64Array([sign * a, sign * a, I, I]),
          inputTimes: new Float64Array([1.5]),
          inputChannels: new Int32Array([0]),
          inputWeights: new Float64Array([0.3, 0]),
        });
        spec.weights[1] = 1;
        cases.push({ name: `${model}: fixed point V0 = ${sign} sqrt(-I0), I0 = ${I}`, spec });
      }
    }
  }
  cases.push({ name: 'qif: I0 = 0, V0 = 1 (the separatrix)', spec: blank('qif', 1, 0, { initial: new Float64Array([1, 0]) }) });
  cases.push({ name: 'qif: V0 = 1e6 (spike after 1e-6)', spec: blank('qif', 2, 0, { initial: new Float64Array([1e6, 0, 0, 0]) }) });
  for (const model of ['theta', 'osclif'] as const) {
    const Theta = period(model);
    for (const phi of [0, 1e-7, Theta - 1e-7, Theta]) {
      const spec = blank(model, 2, 1, {
        initial: new Float64Array([phi, phi]),
        inputTimes: new Float64Array([0, 1]),
        inputChannels: new Int32Array([0, 0]),
        inputWeights: new Float64Array([0.3, 0.3]),
      });
      spec.weights[1] = 0.4;
      spec.weights[2] = -0.2;
      cases.push({ name: `${model}: phi0 = ${phi}`, spec });
    }
  }

  it.each(cases.map((c) => [c.name, c.spec] as const))('%s', (_name, spec) => {
    const total = spec.readoutCounts.reduce((a, b) => a + b, 0);
    const cotangent = Float64Array.from({ length: total }, (_, k) => (k % 3) - 0.7);
    const r = simulate(spec, { cotangent, recordEvents: true });
    const nonFinite: string[] = [];
    const scan = (label: string, arr: ArrayLike<number>): void => {
      for (let k = 0; k < arr.length; k++) if (!Number.isFinite(arr[k])) nonFinite.push(`${label}[${k}] = ${arr[k]}`);
    };
    scan('outputTimes', r.outputTimes);
    scan('spikeTimes', r.spikeTimes);
    scan('stateAtT', r.stateAtT);
    scan('events.times', r.events!.times);
    scan('grad.weights', r.grad!.weights);
    scan('grad.inputWeights', r.grad!.inputWeights);
    scan('grad.inputTimes', r.grad!.inputTimes);
    scan('grad.initial', r.grad!.initial);
    expect(nonFinite).toEqual([]);
    // Output times of each readout neuron are ordered and not before 0; pseudospikes lie at or after T.
    let slot = 0;
    for (let q = 0; q < spec.readoutNeurons.length; q++) {
      for (let m = 0; m < spec.readoutCounts[q]; m++, slot++) {
        expect(r.outputTimes[slot]).toBeGreaterThanOrEqual(0);
        if (r.outputIsPseudo[slot]) expect(r.outputTimes[slot]).toBeGreaterThanOrEqual(spec.T);
        if (m > 0) expect(r.outputTimes[slot]).toBeGreaterThanOrEqual(r.outputTimes[slot - 1]);
      }
    }
    // Spike times lie in [0, T).
    for (const t of r.spikeTimes) {
      expect(t).toBeGreaterThanOrEqual(0);
      expect(t).toBeLessThan(spec.T);
    }
  });
});
