/**
 * fast-check arbitraries of valid inputs (small networks of every model, trial specs, network
 * structures, batches, cases) and of malformations applied to them. The valid inputs stay small
 * (at most 5 neurons, event budgets of at most a few thousand) so that no accepted input can run
 * long; "huge" values appear only where they must be rejected before any allocation.
 */
import fc from 'fast-check';
import { detach, extremeDouble, junkValue, sentinel, wrongArray } from './support';
import { MODEL_NAMES as REGISTERED, modelInfo, parameterNames } from '../../lib/neurons/models';
import { native } from '../../lib/base/native';
import type { ModelName } from '../../lib/neurons/neuron';

export type { ModelName };
/** Every registered neuron model (derived from the core's registry). */
export const MODEL_NAMES: readonly ModelName[] = REGISTERED;

export const stateDim = (m: ModelName): number => modelInfo(m).stateNames.length;
/** The default period of the phase models, as the core computes it. */
const PERIOD: Record<'theta' | 'osclif', number> = {
  theta: native.modelConstants('theta').constants.period,
  osclif: native.modelConstants('osclif').constants.period,
};

/** A weight: usually moderate, sometimes extreme (but finite). */
const weight: fc.Arbitrary<number> = fc.oneof(
  { weight: 6, arbitrary: fc.double({ min: -4, max: 6, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(0, -0, 1e-300, -1e-300, 1e-12, 50, -50, 1e6, -1e6, 1e300, -1e300) },
);

/** An initial state value of one neuron (valid for the model). */
function initialValues(model: ModelName, n: number): fc.Arbitrary<number[]> {
  if (model === 'theta') {
    const P = PERIOD.theta;
    return fc.array(fc.oneof(fc.double({ min: 0, max: P, noNaN: true }), fc.constantFrom(0, P, P / 2, P * (1 - 1e-16))), { minLength: n, maxLength: n });
  }
  if (model === 'osclif') {
    const P = PERIOD.osclif;
    return fc.array(fc.oneof(fc.double({ min: -2, max: P, noNaN: true }), fc.constantFrom(0, P, -5)), { minLength: n, maxLength: n });
  }
  const V =
    model === 'lif'
      ? fc.oneof(fc.double({ min: -2, max: 0.99, noNaN: true }), fc.constantFrom(0, 0.999999))
      : fc.oneof(fc.double({ min: -3, max: 3, noNaN: true }), fc.constantFrom(0, 0.5, 1, -1e6, 1e5));
  const I = fc.oneof(fc.double({ min: -3, max: 3, noNaN: true }), fc.constantFrom(0, -0, 0.25, -0.25, 1e-300));
  return fc.tuple(fc.array(V, { minLength: n, maxLength: n }), fc.array(I, { minLength: n, maxLength: n })).map(([v, i]) => [...v, ...i]);
}

/** An input time: inside [0, T], exactly 0 or T, or +Infinity (never processed). */
function inputTime(T: number): fc.Arbitrary<number> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.double({ min: 0, max: Math.max(T, 0), noNaN: true }) },
    { weight: 1, arbitrary: fc.constantFrom(0, T, Infinity, T * (1 - 1e-16)) },
  );
}

/** Model parameters: usually defaults or in-domain changes, sometimes out of the domain. */
function modelParams(model: ModelName): fc.Arbitrary<Record<string, number> | undefined> {
  const keys = parameterNames(model);
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant(undefined) },
    {
      weight: 2,
      arbitrary: fc.constantFrom<Record<string, number>>(
        { tau: 2 },
        { tau: 0.5 },
        { eps: 1e-3 },
        ...(model === 'theta' ? [{ I0: 0.26 }, { I0: 3 }] : []),
        ...(model === 'osclif' ? [{ I0: 2, vth: 1.5 }] : []),
        ...(model === 'qif' || model === 'lif' ? [{ alpha: 1 }] : []),
      ),
    },
    // Possibly outside the domain (tau <= 0, I0 <= 1/4, eps >= 0.01, ...): must be ERR_SPIKEGRAD_DOMAIN.
    { weight: 1, arbitrary: fc.record({ k: fc.constantFrom(...keys), v: fc.constantFrom(0, -1, 0.25, 0.01, 1e-300, 1e300) }).map(({ k, v }) => ({ [k]: v })) },
  );
}

/** The valid core of a trial: sizes, model, T, readout; shared by specs, structures and cases. */
export interface TrialCore {
  model: ModelName;
  params?: Record<string, number>;
  n: number;
  nIn: number;
  T: number;
  maxEvents: number;
  readoutNeurons: number[];
  readoutCounts: number[];
  layers?: number[][];
}

export const trialCore: fc.Arbitrary<TrialCore> = fc
  .record({
    model: fc.constantFrom(...MODEL_NAMES),
    n: fc.integer({ min: 1, max: 5 }),
    nIn: fc.integer({ min: 0, max: 3 }),
    T: fc.oneof({ weight: 5, arbitrary: fc.double({ min: 0.1, max: 12, noNaN: true }) }, { weight: 1, arbitrary: fc.constantFrom(0, 1e-9, 50) }),
    // T may also be mutated to anything (1e300 included): the budget below bounds the work.
    maxEvents: fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 20, max: 3000 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 5 }) }),
  })
  .chain((c) =>
    fc.record({
      model: fc.constant(c.model),
      params: modelParams(c.model),
      n: fc.constant(c.n),
      nIn: fc.constant(c.nIn),
      T: fc.constant(c.T),
      maxEvents: fc.constant(c.maxEvents),
      readout: fc.array(fc.tuple(fc.integer({ min: 0, max: c.n - 1 }), fc.integer({ min: 0, max: 3 })), { maxLength: 3 }),
      layered: fc.boolean(),
      layerOf: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: c.n, maxLength: c.n }),
    }),
  )
  .map((c) => {
    const core: TrialCore = {
      model: c.model,
      params: c.params,
      n: c.n,
      nIn: c.nIn,
      T: c.T,
      maxEvents: c.maxEvents,
      readoutNeurons: c.readout.map((r) => r[0]),
      readoutCounts: c.readout.map((r) => r[1]),
    };
    if (c.layered) {
      const layers: number[][] = [[], [], []];
      c.layerOf.forEach((L, i) => layers[L].push(i));
      core.layers = layers.filter((l) => l.length > 0);
    }
    return core;
  });

/** A raw-binding simulate() spec (valid unless a malformation is applied). */
export const simulateSpec: fc.Arbitrary<Record<string, unknown>> = trialCore.chain((c) =>
  fc
    .record({
      W: fc.array(weight, { minLength: c.n * c.n, maxLength: c.n * c.n }),
      mask: fc.option(fc.array(fc.constantFrom(0, 1, 1), { minLength: c.n * c.n, maxLength: c.n * c.n }), { nil: undefined }),
      Win: fc.array(weight, { minLength: c.n * c.nIn, maxLength: c.n * c.nIn }),
      initial: initialValues(c.model, c.n),
      inputs: c.nIn > 0 ? fc.array(fc.tuple(inputTime(c.T), fc.integer({ min: 0, max: c.nIn - 1 })), { maxLength: 6 }) : fc.constant([] as [number, number][]),
      cot: fc.option(fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 9, maxLength: 9 }), { nil: undefined }),
      recordEvents: fc.boolean(),
    })
    .map((r) => {
      const total = c.readoutCounts.reduce((a, b) => a + b, 0);
      const spec: Record<string, unknown> = {
        model: c.model,
        params: c.params,
        n: c.n,
        nIn: c.nIn,
        weights: Float64Array.from(r.W, (w, k) => (r.mask && r.mask[k] === 0 ? 0 : w)),
        weightMask: r.mask ? Uint8Array.from(r.mask) : undefined,
        inputWeights: Float64Array.from(r.Win),
        initial: Float64Array.from(r.initial),
        inputTimes: Float64Array.from(r.inputs, (x) => x[0]),
        inputChannels: Int32Array.from(r.inputs, (x) => x[1]),
        readoutNeurons: Int32Array.from(c.readoutNeurons),
        readoutCounts: Int32Array.from(c.readoutCounts),
        layers: c.layers?.map((l) => Int32Array.from(l)),
        T: c.T,
        maxEvents: c.maxEvents,
        recordEvents: r.recordEvents,
      };
      if (r.cot) spec.cotangent = Float64Array.from({ length: total }, (_, k) => r.cot![k % 9]);
      return spec;
    }),
);

/** A NativeNetwork structure spec, its parameters, a batch and run options. */
export interface NetworkCase {
  spec: Record<string, unknown>;
  params: Record<string, unknown>;
  batch: Record<string, unknown>;
  options: Record<string, unknown>;
  slots: number;
}

export const networkCase: fc.Arbitrary<NetworkCase> = trialCore.chain((c) =>
  fc
    .record({
      adj: fc.array(fc.boolean(), { minLength: c.n * c.n, maxLength: c.n * c.n }),
      inAdj: fc.array(fc.boolean(), { minLength: c.n * c.nIn, maxLength: c.n * c.nIn }),
      W: fc.array(weight, { minLength: c.n * c.n, maxLength: c.n * c.n }),
      Win: fc.array(weight, { minLength: c.n * c.nIn, maxLength: c.n * c.nIn }),
      initial: initialValues(c.model, c.n),
      samples: fc.array(
        c.nIn > 0
          ? fc.array(fc.tuple(inputTime(c.T), fc.array(fc.integer({ min: 0, max: c.nIn - 1 }), { minLength: 1, maxLength: 3 })), { maxLength: 4 })
          : fc.constant([] as [number, number[]][]),
        { maxLength: 4 },
      ),
      bundled: fc.boolean(),
      threads: fc.constantFrom(undefined, 0, 1, 2),
      keepTapes: fc.boolean(),
    })
    .map((r) => {
      const recurrentSource: number[] = [];
      const recurrentTarget: number[] = [];
      const weights: number[] = [];
      for (let j = 0; j < c.n; j++) {
        for (let i = 0; i < c.n; i++) {
          if (r.adj[j * c.n + i]) {
            recurrentSource.push(j);
            recurrentTarget.push(i);
            weights.push(r.W[j * c.n + i]);
          }
        }
      }
      const inputSource: number[] = [];
      const inputTarget: number[] = [];
      const inputWeights: number[] = [];
      for (let ch = 0; ch < c.nIn; ch++) {
        for (let i = 0; i < c.n; i++) {
          if (r.inAdj[ch * c.n + i]) {
            inputSource.push(ch);
            inputTarget.push(i);
            inputWeights.push(r.Win[ch * c.n + i]);
          }
        }
      }
      const times: number[] = [];
      const channels: number[] = [];
      const eventStart: number[] = [0];
      const sampleStart: number[] = [0];
      for (const sample of r.samples) {
        for (const [t, chans] of sample) {
          times.push(t);
          if (r.bundled) {
            channels.push(...chans);
            eventStart.push(channels.length);
          } else {
            channels.push(chans[0]);
          }
        }
        sampleStart.push(times.length);
      }
      const slots = c.readoutCounts.reduce((a, b) => a + b, 0);
      return {
        spec: {
          model: c.model,
          params: c.params,
          n: c.n,
          nIn: c.nIn,
          recurrentSource: Int32Array.from(recurrentSource),
          recurrentTarget: Int32Array.from(recurrentTarget),
          inputSource: Int32Array.from(inputSource),
          inputTarget: Int32Array.from(inputTarget),
          readoutNeurons: Int32Array.from(c.readoutNeurons),
          readoutCounts: Int32Array.from(c.readoutCounts),
          layers: c.layers?.map((l) => Int32Array.from(l)),
          T: c.T,
          maxEvents: c.maxEvents,
        },
        params: { weights: Float64Array.from(weights), inputWeights: Float64Array.from(inputWeights), initial: Float64Array.from(r.initial) },
        batch: {
          times: Float64Array.from(times),
          channels: Int32Array.from(channels),
          eventStart: r.bundled ? Int32Array.from(eventStart) : undefined,
          sampleStart: Int32Array.from(sampleStart),
        },
        options: { threads: r.threads, keepTapes: r.keepTapes },
        slots,
      };
    }),
);

// ---- Malformations --------------------------------------------------------------------------------

/** What a malformation did, for the judges (planted sentinels must come back unchanged). */
export interface Applied {
  description: string;
  sentinels: Error[];
}

/** A malformation of one object: a function applied in place (printable in counterexamples). */
export type Mutation = (target: Record<string, unknown>, applied: Applied) => void;

/** A field's value without running a getter planted by an earlier malformation. */
function peek(o: Record<string, unknown>, k: string): unknown {
  return Object.getOwnPropertyDescriptor(o, k)?.value;
}

/** Sets a field, also over a getter planted by an earlier malformation. */
function put(o: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
}

/** Gives a mutation a readable form for fast-check's counterexample reports. */
function named(text: string, fn: Mutation): Mutation {
  return Object.assign(fn, { [fc.toStringMethod]: () => text });
}

/**
 * A deep copy of a generated value: the suites malform the copy (detach its buffers, plant
 * throwing getters), so that fast-check can print and replay the generated value unchanged.
 */
export function fresh<T>(value: T): T {
  if (ArrayBuffer.isView(value)) return (value as unknown as { slice(): T }).slice();
  if (Array.isArray(value)) return value.map((v) => fresh(v)) as unknown as T;
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = fresh(v);
    return out as T;
  }
  return value;
}

/** Sizes the binding must reject before allocating (n, nIn: at most 2^26). */
const HUGE_SIZES = [2 ** 26 + 1, 2 ** 31, 2 ** 32, 2 ** 40 + 1, 2 ** 53, 1e300, -(2 ** 31)];

/**
 * Malformations of the fields of an object: wrong types, deletions, wrong lengths, non-finite and
 * out-of-range elements, detached and shrunk buffers, throwing getters, huge sizes.
 */
export function mutation(keys: readonly string[], sizeKeys: readonly string[] = [], hugeSizes: readonly number[] = HUGE_SIZES): fc.Arbitrary<Mutation> {
  const key = fc.constantFrom(...keys);
  const show = (v: unknown) => (typeof v === 'symbol' || typeof v === 'bigint' || typeof v === 'function' ? String(v) : ArrayBuffer.isView(v) ? v.constructor.name : (JSON.stringify(v) ?? String(v)));
  return fc.oneof(
    fc.tuple(key, junkValue).map(([k, v]) =>
      named(`set ${k}=${show(v)}`, (o, a) => {
        put(o, k, v);
        a.description += ` ${k}=${show(v)}`;
      }),
    ),
    key.map((k) =>
      named(`delete ${k}`, (o, a) => {
        delete o[k];
        a.description += ` delete ${k}`;
      }),
    ),
    fc.tuple(key, fc.integer({ min: 0, max: 12 }), wrongArray(12), fc.boolean()).map(([k, len, other, sameType]) =>
      named(`wrong array ${k} (${sameType ? 'same type' : show(other)}, length ${len})`, (o, a) => {
        const cur = peek(o, k);
        if (ArrayBuffer.isView(cur) && !(cur instanceof DataView) && sameType) {
          const Ctor = (cur as unknown as { constructor: new (n: number) => unknown }).constructor;
          const n = len === (cur as unknown as { length: number }).length ? len + 1 : len;
          put(o, k, new Ctor(n));
          a.description += ` ${k}=${Ctor.name}(${n})`;
        } else {
          put(o, k, other);
          a.description += ` ${k}=${show(other)}`;
        }
      }),
    ),
    fc.tuple(key, fc.nat(), extremeDouble, fc.constantFrom(-1, -(2 ** 31), 2 ** 31 - 1, 5, 6, 64)).map(([k, at, x, index]) =>
      named(`element of ${k} := ${x} / ${index}`, (o, a) => {
        const cur = peek(o, k);
        if (cur instanceof Float64Array && cur.length > 0) {
          cur[at % cur.length] = x;
          a.description += ` ${k}[${at % cur.length}]=${x}`;
        } else if (cur instanceof Int32Array && cur.length > 0) {
          cur[at % cur.length] = index;
          a.description += ` ${k}[${at % cur.length}]=${index}`;
        } else {
          put(o, k, x);
          a.description += ` ${k}=${x}`;
        }
      }),
    ),
    fc.tuple(key, fc.boolean()).map(([k, viaSubarray]) =>
      named(`detach ${k}${viaSubarray ? ' (offset view)' : ''}`, (o, a) => {
        const cur = peek(o, k);
        if (!ArrayBuffer.isView(cur) || cur instanceof DataView) return;
        if (viaSubarray) {
          // A view with an offset into a larger buffer, then the buffer detached.
          const Ctor = (cur as unknown as { constructor: new (b: ArrayBuffer, off: number, len: number) => ArrayBufferView }).constructor;
          const bpe = (cur as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
          const len = (cur as unknown as { length: number }).length;
          const buf = new ArrayBuffer(bpe * (len + 4));
          put(o, k, new Ctor(buf, 2 * bpe, len));
          detach(buf);
        } else {
          detach(cur.buffer);
        }
        a.description += ` detach(${k}${viaSubarray ? ' subarray' : ''})`;
      }),
    ),
    key.map((k) =>
      named(`getter ${k} throws`, (o, a) => {
        const s = sentinel();
        a.sentinels.push(s);
        Object.defineProperty(o, k, {
          get() {
            throw s;
          },
          enumerable: true,
          configurable: true,
        });
        a.description += ` getter(${k}) throws`;
      }),
    ),
    key.map((k) =>
      named(`shrink ${k}`, (o, a) => {
        // A length-tracking view on a resizable buffer, shrunk to nothing after the view was made.
        const cur = peek(o, k);
        if (!ArrayBuffer.isView(cur) || cur instanceof DataView || typeof (ArrayBuffer.prototype as { resize?: unknown }).resize !== 'function') return;
        const Ctor = (cur as unknown as { constructor: new (b: ArrayBuffer) => ArrayBufferView }).constructor;
        const bpe = (cur as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
        const len = (cur as unknown as { length: number }).length;
        const Resizable = ArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => ArrayBuffer & { resize(n: number): void };
        const buf = new Resizable(bpe * len, { maxByteLength: bpe * (len + 8) });
        const view = new Ctor(buf);
        buf.resize(0);
        put(o, k, view);
        a.description += ` shrunk(${k})`;
      }),
    ),
    ...(sizeKeys.length > 0
      ? [
          fc.tuple(fc.constantFrom(...sizeKeys), fc.constantFrom(...hugeSizes)).map(([k, v]) =>
            named(`huge ${k}=${v}`, (o, a) => {
              put(o, k, v);
              a.description += ` ${k}=${v}`;
            }),
          ),
        ]
      : []),
  );
}

/** Applies up to `max` malformations (possibly none) to a copy-free object; returns what was done. */
export function applyAll(target: Record<string, unknown>, mutations: readonly Mutation[]): Applied {
  const applied: Applied = { description: '', sentinels: [] };
  for (const m of mutations) m(target, applied);
  return applied;
}

/** Wraps an object in a Proxy whose get trap throws a sentinel for one key. */
export function throwingProxy(target: Record<string, unknown>, key: string, applied: Applied): Record<string, unknown> {
  const s = sentinel();
  applied.sentinels.push(s);
  applied.description += ` proxy(${key}) throws`;
  return new Proxy(target, {
    get(t, k, r) {
      if (k === key) throw s;
      return Reflect.get(t, k, r);
    },
  });
}

/**
 * Malformed event budgets: every value here must be rejected before simulating. (Accepted huge
 * budgets up to 2^40 with a long trial are a memory bomb, known issue K7, so the fuzz never makes
 * a budget it would accept.)
 */
export const budgetMutation: fc.Arbitrary<Mutation> = fc
  .constantFrom<unknown>(undefined, null, '10', NaN, Infinity, -Infinity, -1, 0.5, 2 ** 40 + 1, 2 ** 53, 1e300, {}, [], true, 10n)
  .map((v) =>
    named(`maxEvents=${typeof v === 'bigint' ? `${v}n` : JSON.stringify(v)}`, (o, a) => {
      put(o, 'maxEvents', v);
      a.description += ` maxEvents=${String(v)}`;
    }),
  );
