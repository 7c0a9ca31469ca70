/**
 * Fuzzing the raw binding (issue 7): simulate/simulateAsync, NativeNetwork construct, forward,
 * forwardAsync, trial, trialAsync, NativeBatch backward/backwardAsync/dispose, modelConstants and
 * projectInitial, called
 * directly without the TypeScript layer, with random valid inputs and malformed ones (wrong types
 * and lengths, NaN and infinities, negative and huge indices and sizes, throwing getters and
 * proxies, typed arrays of the wrong element type, detached, shrunk and offset buffers). Every call
 * must return finite numbers or throw an Error with a documented code; never crash or hang.
 */
import fc from 'fast-check';
import { native } from '../../lib/base/native';
import { applyAll, budgetMutation, fresh, mutation, networkCase, simulateSpec, throwingProxy, type Applied, type NetworkCase } from './generators';
import { trialInconsistency, type TrialResultLike } from './invariants';
import { detach, outcome, outcomeAsync, params, reportOpenIssues, runs, show, trace, type Outcome } from './support';

type Raw = Record<string, unknown>;
type NativeNetwork = {
  forward(p: unknown, b: unknown, o?: unknown): unknown;
  forwardAsync(p: unknown, b: unknown, o?: unknown): Promise<unknown>;
  trial(p: unknown, s: unknown, o?: unknown): unknown;
  trialAsync(p: unknown, s: unknown, o?: unknown): Promise<unknown>;
};
type NativeBatch = { backward(c: unknown, o?: unknown): unknown; backwardAsync(c: unknown, o?: unknown): Promise<unknown>; dispose(): void; tapeBytes: number };
const NativeNetworkCtor = native.NativeNetwork as unknown as new (spec: unknown) => NativeNetwork;
const simulate = native.simulate as unknown as (spec: unknown) => unknown;
const simulateAsync = native.simulateAsync as unknown as (spec: unknown) => Promise<unknown>;

const SPEC_KEYS = [
  'model',
  'params',
  'n',
  'nIn',
  'weights',
  'weightMask',
  'inputWeights',
  'inputMask',
  'initial',
  'inputTimes',
  'inputChannels',
  'readoutNeurons',
  'readoutCounts',
  'layers',
  'T',
  'cotangent',
  'recordEvents',
  'traceDt',
  'traceNeurons',
];
const STRUCT_KEYS = ['model', 'params', 'n', 'nIn', 'recurrentSource', 'recurrentTarget', 'inputSource', 'inputTarget', 'readoutNeurons', 'readoutCounts', 'layers', 'T'];
const PARAM_KEYS = ['weights', 'inputWeights', 'initial'];
const BATCH_KEYS = ['times', 'channels', 'eventStart', 'sampleStart'];
const OPTION_KEYS = ['threads', 'keepTapes'];
const TRIAL_OPTION_KEYS = ['sample', 'cotangent', 'recordEvents', 'traceDt', 'traceNeurons'];

/** Structural comparison of two outcomes (results equal value by value, or the same code). */
function sameOutcome(a: Outcome, b: Outcome): boolean {
  if (a.ok !== b.ok) return false;
  if (!a.ok || !b.ok) return (a as { code: string }).code === (b as { code: string }).code;
  return JSON.stringify(a.value, replacer) === JSON.stringify(b.value, replacer);
}
function replacer(_k: string, v: unknown): unknown {
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>, (x) => (Object.is(x, -0) ? '-0' : x));
  return v;
}

afterAll(() => reportOpenIssues('fuzz/binding'));

describe('fuzz: raw binding simulate()', () => {
  it('returns finite results or a coded error for random and malformed specs (sync)', () => {
    fc.assert(
      fc.property(simulateSpec, fc.array(fc.oneof(mutation(SPEC_KEYS, ['n', 'nIn']), budgetMutation), { maxLength: 2 }), fc.nat(), (generated, muts, proxyPick) => {
        const spec = fresh(generated);
        const applied = applyAll(spec, muts);
        const target = proxyPick % 17 === 0 ? throwingProxy(spec, SPEC_KEYS[proxyPick % SPEC_KEYS.length], applied) : spec;
        let r: Outcome;
        try {
          r = outcome(() => simulate(target), { api: 'native.simulate', sentinels: applied.sentinels });
        } catch (err) {
          throw new Error(`${(err as Error).message}\n  input: ${show(spec)}`);
        }
        if (r.ok) {
          const bad = trialInconsistency(spec, r.value as TrialResultLike);
          if (bad) throw new Error(`inconsistent result: ${bad}\n  input: ${show(spec)}`);
        }
      }),
      params(1, 1500),
    );
  });

  it('simulateAsync agrees with simulate, also when the caller detaches its buffers at once', async () => {
    await fc.assert(
      fc.asyncProperty(simulateSpec, fc.array(mutation(SPEC_KEYS), { maxLength: 1 }), fc.boolean(), async (generated, muts, detachAfter) => {
        const spec = fresh(generated);
        const applied = applyAll(spec, muts);
        const ctx = { api: 'native.simulate', sentinels: applied.sentinels };
        let sync: Outcome;
        try {
          sync = outcome(() => simulate(spec), ctx);
        } catch (err) {
          throw new Error(`${(err as Error).message} [${applied.description}]`);
        }
        if (applied.sentinels.length > 0) return; // a getter throws the same way twice; nothing to compare
        const asyncOutcome = await outcomeAsync(() => {
          const p = simulateAsync(spec);
          // The binding copied every input before queueing: detaching now must not matter.
          if (detachAfter) for (const v of Object.values(spec)) if (ArrayBuffer.isView(v)) detach(v.buffer);
          return p;
        }, ctx);
        expect(sameOutcome(sync, asyncOutcome)).toBe(true);
      }),
      params(2, 300),
    );
  });
});

/** Runs one NativeNetwork case: construct, forward (sync or async), backward, dispose. */
async function runNetworkCase(c: NetworkCase, applied: Applied, useAsync: boolean, disposeEarly: boolean, cotPick: number): Promise<void> {
  const ctx = { api: 'native.NativeNetwork', sentinels: applied.sentinels };
  let net: NativeNetwork | undefined;
  const made = outcome(() => (net = new NativeNetworkCtor(c.spec)), ctx);
  if (!made.ok || !net) return;
  const fwd = useAsync
    ? await outcomeAsync(() => net!.forwardAsync(c.params, c.batch, c.options), ctx)
    : outcome(() => net!.forward(c.params, c.batch, c.options), ctx);
  if (!fwd.ok) return;
  const r = fwd.value as { batch?: NativeBatch; samples: number; slots: number; outputTimes: Float64Array };
  expect(r.outputTimes.length).toBe(r.samples * r.slots);
  if (!r.batch) return;
  const batch = r.batch;
  const cot = new Float64Array(r.samples * r.slots).map((_, k) => ((k * 7 + cotPick) % 5) - 2);
  let cotArg: unknown = cot;
  if (cotPick % 11 === 0) cotArg = new Float64Array(cot.length + 1);
  else if (cotPick % 13 === 0) cotArg = Array.from(cot);
  else if (cotPick % 17 === 0 && cot.length > 0) cot[0] = NaN;
  if (disposeEarly) {
    const p = outcomeAsync(() => batch.backwardAsync(cotArg, { threads: 2 }), ctx);
    batch.dispose(); // running work keeps its own reference to the tapes
    batch.dispose();
    await p;
    const after = outcome(() => batch.backward(cot), ctx);
    expect(after.ok).toBe(false);
    return;
  }
  const g = useAsync
    ? await outcomeAsync(() => batch.backwardAsync(cotArg, { threads: cotPick % 3 }), ctx)
    : outcome(() => batch.backward(cotArg, { threads: cotPick % 3 }), ctx);
  if (g.ok) {
    const grad = g.value as Record<string, Float64Array>;
    expect(grad.weights.length).toBe((c.params.weights as Float64Array).length);
  }
  expect(typeof batch.tapeBytes).toBe('number');
  batch.dispose();
}

describe('fuzz: raw binding NativeNetwork', () => {
  it('construct/forward/backward return finite results or coded errors (structure, params, batch, options malformed)', async () => {
    await fc.assert(
      fc.asyncProperty(
        networkCase,
        fc.array(fc.oneof(mutation(STRUCT_KEYS, ['n', 'nIn']), budgetMutation), { maxLength: 1 }),
        fc.array(mutation(PARAM_KEYS), { maxLength: 1 }),
        fc.array(mutation(BATCH_KEYS), { maxLength: 1 }),
        fc.array(mutation(OPTION_KEYS), { maxLength: 1 }),
        fc.boolean(),
        fc.boolean(),
        fc.nat(),
        async (generated, ms, mp, mb, mo, useAsync, disposeEarly, pick) => {
          trace(() => fc.stringify([generated, ms, mp, mb, mo, useAsync, disposeEarly, pick]));
          const c = fresh(generated);
          const applied = applyAll(c.spec, ms);
          const a2 = applyAll(c.params, mp);
          const a3 = applyAll(c.batch, mb);
          const a4 = applyAll(c.options, mo);
          applied.sentinels.push(...a2.sentinels, ...a3.sentinels, ...a4.sentinels);
          applied.description += a2.description + a3.description + a4.description;
          try {
            await runNetworkCase(c, applied, useAsync, disposeEarly, pick);
          } catch (err) {
            throw new Error(`${(err as Error).message} [${applied.description}]`);
          }
        },
      ),
      params(3, 1200),
    );
  });

  it('rejects calls with missing or extra arguments and wrong receivers with coded errors', () => {
    const net = new NativeNetworkCtor({
      model: 'theta',
      n: 1,
      nIn: 0,
      recurrentSource: new Int32Array(0),
      recurrentTarget: new Int32Array(0),
      inputSource: new Int32Array(0),
      inputTarget: new Int32Array(0),
      readoutNeurons: new Int32Array([0]),
      readoutCounts: new Int32Array([1]),
      T: 1,
      maxEvents: 10,
    });
    const p = { weights: new Float64Array(0), inputWeights: new Float64Array(0), initial: new Float64Array([1]) };
    const b = { times: new Float64Array(0), channels: new Int32Array(0), sampleStart: new Int32Array([0, 0]) };
    const ctx = { api: 'native.NativeNetwork' };
    const call = (f: () => unknown) => outcome(f, ctx);
    expect(call(() => (net.forward as unknown as () => unknown)()).ok).toBe(false);
    expect(call(() => net.forward(p, undefined)).ok).toBe(false);
    expect(call(() => net.forward(p, b, { threads: 1, extra: 1 })).ok).toBe(true);
    expect(call(() => net.forward(p, b, 'options')).ok).toBe(true); // non-object options: defaults
    expect(call(() => new (native as unknown as { NativeBatch: new (x?: unknown) => unknown }).NativeBatch()).ok).toBe(false);
    expect(call(() => new (native as unknown as { NativeBatch: new (x?: unknown) => unknown }).NativeBatch({})).ok).toBe(false);
    expect(call(() => new NativeNetworkCtor(undefined)).ok).toBe(false);
    expect(call(() => new NativeNetworkCtor(new Proxy({}, { get: () => 1 }))).ok).toBe(false);
  });

  it('survives many overlapping async forwards and backwards on one network', async () => {
    const c = fc.sample(networkCase, { seed: 99, numRuns: 1 })[0];
    let net: NativeNetwork;
    try {
      net = new NativeNetworkCtor(c.spec);
    } catch {
      return;
    }
    const ctx = { api: 'native.NativeNetwork' };
    const jobs = Array.from({ length: runs(40) }, (_, k) => outcomeAsync(() => net.forwardAsync(c.params, c.batch, { threads: k % 3, keepTapes: k % 2 === 0 }), ctx));
    const results = await Promise.all(jobs);
    const first = results.find((r) => r.ok);
    for (const r of results) if (r.ok && first?.ok) expect((r.value as { outputTimes: Float64Array }).outputTimes).toEqual((first.value as { outputTimes: Float64Array }).outputTimes);
  });
});

describe('fuzz: raw binding NativeNetwork.trial', () => {
  it('returns finite, consistent results or coded errors (params, sample, options malformed)', async () => {
    await fc.assert(
      fc.asyncProperty(
        networkCase,
        fc.array(mutation(PARAM_KEYS), { maxLength: 1 }),
        fc.array(mutation(BATCH_KEYS), { maxLength: 1 }),
        fc.array(mutation(TRIAL_OPTION_KEYS), { maxLength: 1 }),
        fc.boolean(),
        fc.nat(),
        async (generated, mp, mb, mo, useAsync, pick) => {
          trace(() => fc.stringify([generated, mp, mb, mo, useAsync, pick]));
          const c = fresh(generated);
          let net: NativeNetwork | undefined;
          if (!outcome(() => (net = new NativeNetworkCtor(c.spec)), { api: 'native.NativeNetwork' }).ok || !net) return;
          const samples = Math.max(1, (c.batch.sampleStart as Int32Array).length - 1);
          const options: Raw = {
            sample: pick % samples,
            cotangent: pick % 4 === 0 ? undefined : new Float64Array(c.slots).map((_, k) => ((k + pick) % 3) - 1),
            recordEvents: pick % 2 === 0,
            traceDt: pick % 3 === 0 ? 0.1 : undefined,
          };
          const applied = applyAll(c.params, mp);
          const a2 = applyAll(c.batch, mb);
          const a3 = applyAll(options, mo);
          applied.sentinels.push(...a2.sentinels, ...a3.sentinels);
          applied.description += a2.description + a3.description;
          const ctx = { api: 'native.NativeNetwork.trial', sentinels: applied.sentinels };
                    const r = useAsync
            ? await outcomeAsync(() => net!.trialAsync(c.params, c.batch, options), ctx)
            : outcome(() => net!.trial(c.params, c.batch, options), ctx);
          if (!r.ok) return;
          const bad = trialInconsistency(c.spec, r.value as TrialResultLike);
          if (bad) throw new Error(`inconsistent result: ${bad} [${applied.description}]`);
          const grad = (r.value as { grad?: Record<string, Float64Array> }).grad;
          if (grad) expect(grad.weights.length).toBe((c.params.weights as Float64Array).length);
        },
      ),
      params(5, 600),
    );
  });
});

describe('fuzz: raw binding modelConstants and projectInitial', () => {
  const modelConstants = native.modelConstants as unknown as (...a: unknown[]) => unknown;
  const projectInitial = native.projectInitial as unknown as (...a: unknown[]) => unknown;
  const names = [...native.models.map((m) => m.name), 'QIF', '', 'constructor', '__proto__'];
  it('return finite constants, a count, or a coded error', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...names),
        fc.array(mutation(['tau', 'I0', 'vth', 'alpha', 'eps']), { maxLength: 2 }),
        fc.array(mutation(['name', 'params', 'initial']), { maxLength: 1 }),
        fc.array(fc.double({ noNaN: false }), { maxLength: 6 }),
        (name, mp, ma, values) => {
          const args: Raw = { name, params: {}, initial: Float64Array.from(values) };
          const applied = applyAll(args.params as Raw, mp);
          const a2 = applyAll(args, ma);
          applied.sentinels.push(...a2.sentinels);
          const ctx = { api: 'native.modelConstants', sentinels: applied.sentinels };
          // Infinite bounds (stateMin/stateMax) are part of the answer, not an overflow.
          const c = outcome(() => modelConstants(args.name, args.params), ctx, (where) => /state(Min|Max)/.test(where));
          const p = outcome(() => projectInitial(args.name, args.params, args.initial), { ...ctx, api: 'native.projectInitial' });
          if (c.ok && p.ok) expect(typeof p.value).toBe('number');
        },
      ),
      params(6, 800),
    );
  });
});
