/**
 * The asynchronous half of the WebAssembly backend: worker threads. The WebAssembly build is
 * single-threaded, and emnapi runs a binding's async work on the calling thread, so on its own
 * `forwardAsync` would block the event loop for the whole batch and use one core. This layer
 * keeps the binding's surface and moves the async calls to a pool of worker_threads, each with
 * its own instance of the same module:
 *
 * - simulateAsync and NativeNetwork.trialAsync run on one worker;
 * - NativeNetwork.forwardAsync splits the batch into the native core's fixed chunks (at most 16,
 *   boundaries c * B / chunks, independent of the worker count), runs them on the workers and
 *   joins the outputs in sample order; with keepTapes the tapes stay in the workers, and the
 *   returned batch's backward / backwardAsync sums the chunks' gradients in chunk order, so the
 *   result does not depend on how many workers ran it;
 * - NativeNetwork.forward and a batch's backward do the same chunked work and wait for it
 *   (Atomics.wait), so the synchronous and the asynchronous calls give the same bits;
 * - simulate and trial run on the calling thread's own instance.
 *
 * Errors keep their class, code and message (a batch's "sample k:" and "cotangent[i]" name the
 * whole batch's indices). One difference: argument errors that the addon throws synchronously
 * from an ...Async call arrive here as a rejected promise. SPIKEGRAD_WASM_WORKERS sets the pool
 * size (default: the available cores, at most 8; 0 turns the pool off).
 */
import os = require('os');
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'worker_threads';
import { codedError } from './errors';
import type { NativeBatchHandle, NativeBinding, NativeForwardResult, NativeGradient, NativeNetworkHandle } from './native_types';

/** What the worker runs: loads its own instance and answers {id, op, args} messages. */
const WORKER_SOURCE = `
'use strict';
const { workerData } = require('worker_threads');
const mod = {
  instantiateWasm(imports, done) {
    const instance = new WebAssembly.Instance(workerData.module, imports);
    done(instance, workerData.module);
    return instance.exports;
  },
};
require(workerData.factory)(mod);
const b = mod.emnapiInit({ context: require(workerData.runtime).getDefaultContext() });
const nets = new Map();
const batches = new Map();
function run(op, a) {
  switch (op) {
    case 'simulate':
      return b.simulate(a.spec);
    case 'net':
      nets.set(a.net, new b.NativeNetwork(a.spec));
      return null;
    case 'dropNet':
      nets.delete(a.net);
      return null;
    case 'trial':
      return nets.get(a.net).trial(a.params, a.sample, a.options);
    case 'forward': {
      const r = nets.get(a.net).forward(a.params, a.batch, a.options);
      if (r.batch) {
        batches.set(a.id, r.batch);
        r.tapeBytes = r.batch.tapeBytes;
        delete r.batch;
      }
      return r;
    }
    case 'backward': {
      const h = batches.get(a.id);
      if (!h) throw Object.assign(new TypeError('this batch was disposed'), { code: 'ERR_SPIKEGRAD_ARG' });
      return h.backward(a.cot, a.options);
    }
    case 'dispose': {
      const h = batches.get(a.id);
      if (h) h.dispose();
      batches.delete(a.id);
      return null;
    }
  }
  throw new Error('unknown operation ' + op);
}
function buffers(v, out) {
  if (ArrayBuffer.isView(v)) out.add(v.buffer);
  else if (v && typeof v === 'object') for (const k of Object.keys(v)) buffers(v[k], out);
  return out;
}
// The synchronous calls this worker holds (received, not yet answered): if the worker exits
// (process.exit, an uncaught exception) it flags them, so the blocked caller fails instead of
// waiting for ever.
const holding = new Set();
process.on('exit', () => {
  for (const done of holding) {
    Atomics.store(done, 1, workerData.tag);
    Atomics.add(done, 0, 1);
    Atomics.notify(done, 0);
  }
});
function answer(port, m) {
  if (m.done) holding.add(m.done);
  try {
    const value = run(m.op, m.args);
    port.postMessage({ id: m.id, ok: true, value }, [...buffers(value, new Set())]);
  } catch (e) {
    port.postMessage({ id: m.id, ok: false, error: { name: e && e.constructor ? e.constructor.name : 'Error', code: e && e.code, message: e && e.message ? e.message : String(e) } });
  }
  if (m.done) {
    holding.delete(m.done);
    Atomics.add(m.done, 0, 1);
    Atomics.notify(m.done, 0);
  }
}
workerData.port.on('message', (m) => answer(workerData.port, m));
`;

interface Reply {
  id: number;
  ok: boolean;
  value?: unknown;
  error?: { name: string; code?: string; message: string };
}

/** A worker and the one port all its calls go through (so that they arrive in order). */
interface Slot {
  worker: Worker;
  port: MessagePort;
  pending: Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void; fix?: (e: Error) => Error }>;
  /** Networks already created in this worker. */
  nets: Set<number>;
  /** The worker's number (from 1), which it reports when it exits holding a synchronous call. */
  tag: number;
  /** Set when the worker exited; slot() then starts a new one. */
  exited?: boolean;
}

/** The error a worker reported, rebuilt with its class and code. */
function rebuild(error: Reply['error']): Error {
  const e = error ?? { name: 'Error', message: 'unknown error in a WebAssembly worker' };
  const Ctor = e.name === 'TypeError' ? TypeError : e.name === 'RangeError' ? RangeError : Error;
  const err = new Ctor(e.message);
  if (e.code) (err as Error & { code?: string }).code = e.code;
  return err;
}

class Pool {
  private readonly slots: Slot[] = [];
  private nextId = 1;
  private nextTag = 1;
  private turn = 0;

  constructor(
    readonly size: number,
    private readonly module: WebAssembly.Module,
    private readonly factory: string,
    private readonly runtime: string,
  ) {}

  id(): number {
    return this.nextId++;
  }

  slot(k: number): Slot {
    while (this.slots.length <= k) this.slots.push(this.fresh());
    if (this.slots[k].exited) this.slots[k] = this.fresh();
    return this.slots[k];
  }

  /** A new worker and its port. */
  private fresh(): Slot {
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { module: this.module, factory: this.factory, runtime: this.runtime, port: port2, tag: this.nextTag },
      transferList: [port2],
    });
    const slot: Slot = { worker, port: port1, pending: new Map(), nets: new Set(), tag: this.nextTag++ };
    port1.on('message', (m: Reply) => this.settle(slot, m));
    worker.on('error', (err) => {
      for (const p of slot.pending.values()) p.reject(err);
      slot.pending.clear();
    });
    // A worker that exited cannot answer: its calls fail, and the next call starts a new worker
    // (ensureNet creates its networks again; batches recorded in the old one are gone).
    worker.on('exit', (code) => {
      const err = codedError(`a WebAssembly worker exited (code ${code}) before it answered`, 'ERR_SPIKEGRAD_INTERNAL');
      for (const p of slot.pending.values()) p.reject(err);
      slot.pending.clear();
      slot.exited = true;
    });
    // Idle workers do not keep the process alive (call() refs them while replies are due).
    worker.unref();
    port1.unref();
    return slot;
  }

  /** The next worker in turn. */
  pick(): number {
    const k = this.turn % this.size;
    this.turn++;
    return k;
  }

  private settle(slot: Slot, m: Reply): void {
    const p = slot.pending.get(m.id);
    if (!p) return;
    slot.pending.delete(m.id);
    if (slot.pending.size === 0) {
      slot.port.unref();
      slot.worker.unref();
    }
    if (m.ok) p.resolve(m.value);
    else {
      const err = rebuild(m.error);
      p.reject(p.fix ? p.fix(err) : err);
    }
  }

  call(k: number, op: string, args: object, transfer: ArrayBuffer[] = [], fix?: (e: Error) => Error): Promise<unknown> {
    const slot = this.slot(k);
    const id = this.id();
    return new Promise((resolve, reject) => {
      // The worker too: if it dies, its 'exit' event must still run to reject the calls.
      if (slot.pending.size === 0) {
        slot.port.ref();
        slot.worker.ref();
      }
      slot.pending.set(id, { resolve, reject, fix });
      slot.port.postMessage({ id, op, args }, transfer);
    });
  }

  /** Runs calls [worker, op, args] on their workers at once and waits for all of them, blocking. */
  callSync(calls: [number, string, object, ((e: Error) => Error)?][]): unknown[] {
    // done[0] counts the answered calls; done[1] is the tag of a worker that exited holding one.
    const done = new Int32Array(new SharedArrayBuffer(8));
    const ids = calls.map(([k, op, args]) => {
      const id = this.id();
      this.slot(k).port.postMessage({ id, op, args, done });
      return id;
    });
    for (let seen = Atomics.load(done, 0); seen < calls.length && Atomics.load(done, 1) === 0; seen = Atomics.load(done, 0)) Atomics.wait(done, 0, seen);
    const dead = Atomics.load(done, 1);
    if (dead !== 0) {
      // Its 'exit' event has not run yet (this thread was blocked): mark it now, so that a call
      // made before the event loop turns goes to a new worker instead of waiting for ever.
      for (const slot of this.slots) if (slot.tag === dead) slot.exited = true;
      throw codedError('a WebAssembly worker exited during a synchronous call', 'ERR_SPIKEGRAD_INTERNAL');
    }
    // Replies come in order on each port; earlier async replies found on the way are settled.
    const wanted = new Set(ids);
    const replies = new Map<number, Reply>();
    for (const slot of new Set(calls.map(([k]) => this.slots[k]))) {
      for (let m = receiveMessageOnPort(slot.port); m; m = receiveMessageOnPort(slot.port)) {
        const r = m.message as Reply;
        if (wanted.has(r.id)) replies.set(r.id, r);
        else this.settle(slot, r);
      }
    }
    return ids.map((id, i) => {
      const r = replies.get(id);
      if (!r) throw codedError('a WebAssembly worker did not answer', 'ERR_SPIKEGRAD_INTERNAL');
      if (!r.ok) {
        const fix = calls[i][3];
        throw fix ? fix(rebuild(r.error)) : rebuild(r.error);
      }
      return r.value;
    });
  }

  /** Makes sure worker k has network `net` (messages to a worker are handled in order). */
  ensureNet(k: number, net: number, spec: Record<string, unknown>): void {
    const slot = this.slot(k);
    if (slot.nets.has(net)) return;
    slot.nets.add(net);
    // Errors cannot happen here: the same spec was accepted on the calling thread.
    void this.call(k, 'net', { net, spec }).catch(() => {});
  }

  dropNet(net: number): void {
    for (let k = 0; k < this.slots.length; k++) {
      if (this.slots[k].nets.delete(net)) this.slots[k].port.postMessage({ id: 0, op: 'dropNet', args: { net } });
    }
  }
}

/** Samples [lo, hi) of a batch {times, channels, sampleStart, eventStart?}, rebased to 0. */
function sliceBatch(b: { times: Float64Array; channels: Int32Array; sampleStart: Int32Array; eventStart?: Int32Array | null }, lo: number, hi: number): object {
  const e0 = b.sampleStart[lo];
  const e1 = b.sampleStart[hi];
  const sampleStart = b.sampleStart.slice(lo, hi + 1).map((v) => v - e0);
  const times = b.times.slice(e0, e1);
  if (!b.eventStart) return { times, channels: b.channels.slice(e0, e1), sampleStart };
  const c0 = b.eventStart[e0];
  return { times, channels: b.channels.slice(c0, b.eventStart[e1]), sampleStart, eventStart: b.eventStart.slice(e0, e1 + 1).map((v) => v - c0) };
}

const isTyped = (v: unknown, tag: string): boolean => Object.prototype.toString.call(v) === `[object ${tag}]`;

/** True when the batch has the shape the slicing needs; anything else goes to the addon's own checks. */
function sliceable(b: unknown): b is { times: Float64Array; channels: Int32Array; sampleStart: Int32Array; eventStart?: Int32Array | null } {
  if (typeof b !== 'object' || b === null) return false;
  const o = b as Record<string, unknown>;
  if (!isTyped(o.times, 'Float64Array') || !isTyped(o.channels, 'Int32Array') || !isTyped(o.sampleStart, 'Int32Array')) return false;
  const ss = o.sampleStart as Int32Array;
  const times = o.times as Float64Array;
  if (ss.length < 2 || ss[0] !== 0 || ss[ss.length - 1] !== times.length) return false;
  for (let k = 1; k < ss.length; k++) if (ss[k] < ss[k - 1]) return false;
  if (o.eventStart === undefined || o.eventStart === null) {
    return (o.channels as Int32Array).length === times.length;
  }
  if (!isTyped(o.eventStart, 'Int32Array')) return false;
  const es = o.eventStart as Int32Array;
  if (es.length !== times.length + 1 || es[0] !== 0 || es[es.length - 1] !== (o.channels as Int32Array).length) return false;
  for (let k = 1; k < es.length; k++) if (es[k] < es[k - 1]) return false;
  return true;
}

/** Shifts the sample index in a batch error ("sample k: ...") by the chunk's first sample. */
function shiftSample(offset: number): (e: Error) => Error {
  return (e) => {
    e.message = e.message.replace(/^sample (\d+): /, (_, k: string) => `sample ${Number(k) + offset}: `);
    return e;
  };
}

/** The native core's fixed chunks of a batch of B samples (batch.cc, Batch::backward). */
function chunksOf(B: number): [number, number][] {
  const chunks = Math.min(B, 16);
  return Array.from({ length: chunks }, (_, c) => [Math.floor((c * B) / chunks), Math.floor(((c + 1) * B) / chunks)]);
}

/** One worker's part of a forward batch (its batch handle, if any, stays in the worker). */
type ForwardPart = Omit<NativeForwardResult, 'batch'> & { tapeBytes?: number };

function concat<T extends Float64Array | Uint8Array>(parts: T[], make: new (n: number) => T): T {
  const out = new make(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function sum(parts: Float64Array[]): Float64Array {
  const out = new Float64Array(parts.length ? parts[0].length : 0);
  for (const p of parts) for (let i = 0; i < out.length; i++) out[i] += p[i];
  return out;
}

/** A batch recorded by forwardAsync: its tapes live in the workers, one part per chunk. */
class ThreadedBatch implements NativeBatchHandle {
  private parts: { k: number; id: number; lo: number; hi: number }[] | null;
  readonly tapeBytes: number;

  constructor(
    private readonly pool: Pool,
    parts: { k: number; id: number; lo: number; hi: number }[],
    private readonly slots: number,
    tapeBytes: number,
    private readonly registry: FinalizationRegistry<{ k: number; id: number }[]>,
  ) {
    this.parts = parts;
    this.tapeBytes = tapeBytes;
    registry.register(this, parts.map(({ k, id }) => ({ k, id })), this);
  }

  backward(cotangent: Float64Array, options: { threads: number }): NativeGradient {
    const calls = this.calls(cotangent, options);
    return join(this.pool.callSync(calls.map((c) => [c.k, 'backward', c.args, c.fix])) as NativeGradient[]);
  }

  async backwardAsync(cotangent: Float64Array, options: { threads: number }): Promise<NativeGradient> {
    const calls = this.calls(cotangent, options);
    const parts = await Promise.all(calls.map((c) => this.pool.call(c.k, 'backward', c.args, [c.args.cot.buffer as ArrayBuffer], c.fix)));
    return join(parts as NativeGradient[]);
  }

  dispose(): void {
    if (!this.parts) return;
    for (const { k, id } of this.parts) void this.pool.call(k, 'dispose', { id }).catch(() => {});
    this.registry.unregister(this);
    this.parts = null;
  }

  /** The per-chunk cotangents, after the checks backward makes on the whole one. */
  private calls(cot: Float64Array, options: { threads: number }) {
    if (!this.parts) throw Object.assign(new TypeError('this batch was disposed'), { code: 'ERR_SPIKEGRAD_ARG' });
    if (!isTyped(cot, 'Float64Array')) throw Object.assign(new TypeError('cotangent must be a Float64Array'), { code: 'ERR_SPIKEGRAD_ARG' });
    const want = this.parts[this.parts.length - 1].hi * this.slots;
    if (cot.length !== want) {
      throw Object.assign(new RangeError(`cotangent must have length ${want} but has length ${cot.length}`), { code: 'ERR_SPIKEGRAD_SHAPE' });
    }
    for (let i = 0; i < cot.length; i++) {
      if (!Number.isFinite(cot[i])) throw Object.assign(new RangeError(`cotangent[${i}] must be finite`), { code: 'ERR_SPIKEGRAD_NONFINITE' });
    }
    return this.parts.map(({ k, id, lo, hi }) => ({
      k,
      args: { id, cot: cot.slice(lo * this.slots, hi * this.slots), options: { ...options, threads: 1 } },
      fix: shiftSample(lo),
    }));
  }
}

/** The gradient of a whole batch from its chunks' gradients, summed in chunk order. */
function join(parts: NativeGradient[]): NativeGradient {
  return {
    weights: sum(parts.map((p) => p.weights)),
    inputWeights: sum(parts.map((p) => p.inputWeights)),
    initial: sum(parts.map((p) => p.initial)),
    inputTimes: concat(
      parts.map((p) => p.inputTimes),
      Float64Array,
    ),
    trainableTimes: sum(parts.map((p) => p.trainableTimes)),
  };
}

/** The workers to use for `threads` (0: all of them). */
function workersFor(pool: Pool, options: unknown): number {
  const t = typeof options === 'object' && options !== null ? (options as { threads?: unknown }).threads : undefined;
  return typeof t === 'number' && Number.isInteger(t) && t > 0 ? Math.min(t, pool.size) : pool.size;
}

/**
 * The binding with its async calls on a pool of `size` workers. module: the compiled
 * WebAssembly module; factory and runtime: the paths of build-wasm/spikegrad.js and
 * @emnapi/runtime, which each worker loads.
 */
export function withWorkers(binding: NativeBinding, module: WebAssembly.Module, factory: string, runtime: string): NativeBinding {
  const env = process.env.SPIKEGRAD_WASM_WORKERS;
  const size = env !== undefined && env.trim() !== '' ? Number(env) : Math.min(8, os.availableParallelism?.() ?? os.cpus().length);
  if (!Number.isInteger(size) || size < 0 || size > 64) {
    throw codedError(`spikegrad: SPIKEGRAD_WASM_WORKERS must be an integer in [0, 64], got '${env}'`, 'ERR_SPIKEGRAD_ARG');
  }
  if (size === 0) return binding;
  const pool = new Pool(size, module, factory, runtime);
  const networks = new FinalizationRegistry<number>((net) => pool.dropNet(net));
  const batches = new FinalizationRegistry<{ k: number; id: number }[]>((parts) => {
    for (const { k, id } of parts) void pool.call(k, 'dispose', { id }).catch(() => {});
  });
  const Base = binding.NativeNetwork;
  const state = new WeakMap<object, { main: NativeNetworkHandle; net: number; spec: Record<string, unknown> }>();

  // Only the binding's own methods on the prototype: the surface stays that of the addon.
  class NativeNetwork implements NativeNetworkHandle {
    constructor(spec: Record<string, unknown>) {
      const main = new Base(spec);
      const net = pool.id();
      state.set(this, { main, net, spec: structuredClone(spec) });
      networks.register(this, net);
    }

    get engine(): string {
      return state.get(this)!.main.engine;
    }

    forward(params: object, batch: object, options: object): unknown {
      return runForward(state.get(this)!, params, batch, options, true);
    }

    trial(params: object, sample: object, options?: object): unknown {
      return state.get(this)!.main.trial(params, sample, options);
    }

    trialAsync(params: object, sample: object, options?: object): Promise<unknown> {
      const s = state.get(this)!;
      const k = pool.pick();
      pool.ensureNet(k, s.net, s.spec);
      return pool.call(k, 'trial', { net: s.net, params, sample, options });
    }

    forwardAsync(params: object, batch: object, options: object): Promise<unknown> {
      return runForward(state.get(this)!, params, batch, options, false) as Promise<unknown>;
    }
  }

  /**
   * forward / forwardAsync on the workers, chunk by chunk; sync waits for them (Atomics.wait),
   * so both give the same bits. Batches the slicing cannot read go to the calling thread's
   * instance, whose checks report the error.
   */
  function runForward(s: { main: NativeNetworkHandle; net: number; spec: Record<string, unknown> }, params: object, batch: object, options: object, sync: boolean): unknown {
    // The fused step (options.loss: forward, loss and backward in one call) returns a summed
    // gradient that the chunk assembly below does not combine: it runs on the calling thread's
    // instance.
    const fused = typeof options === 'object' && options !== null && (options as { loss?: unknown }).loss !== undefined;
    if (fused || !sliceable(batch) || batch.sampleStart.length < 2) return sync ? s.main.forward(params, batch, options) : s.main.forwardAsync(params, batch, options);
    const B = batch.sampleStart.length - 1;
    const keepTapes = typeof options === 'object' && options !== null && (options as { keepTapes?: unknown }).keepTapes === true;
    const workers = workersFor(pool, options);
    const base = pool.pick();
    const parts = chunksOf(B).map(([lo, hi], c) => {
      const k = (base + (c % workers)) % pool.size;
      pool.ensureNet(k, s.net, s.spec);
      return { k, id: pool.id(), lo, hi };
    });
    const args = (p: (typeof parts)[number]) => ({ net: s.net, id: p.id, params, batch: sliceBatch(batch, p.lo, p.hi), options: { ...options, threads: 1 } });
    const dropAll = () => {
      for (const p of parts) void pool.call(p.k, 'dispose', { id: p.id }).catch(() => {});
    };
    const assemble = (outs: ForwardPart[]): unknown => {
      const result: Record<string, unknown> = {
        outputTimes: concat(
          outs.map((o) => o.outputTimes),
          Float64Array,
        ),
        outputIsPseudo: concat(
          outs.map((o) => o.outputIsPseudo),
          Uint8Array,
        ),
        inTrialEvents: concat(
          outs.map((o) => o.inTrialEvents),
          Float64Array,
        ),
        spikeCount: sum(outs.map((o) => o.spikeCount)),
        spikeCountFirst: sum(outs.map((o) => o.spikeCountFirst)),
        samples: B,
        slots: outs[0].slots,
      };
      if (keepTapes) {
        result.batch = new ThreadedBatch(
          pool,
          parts,
          outs[0].slots,
          outs.reduce((n, o) => n + (o.tapeBytes ?? 0), 0),
          batches,
        );
      }
      return result;
    };
    if (sync) {
      try {
        return assemble(pool.callSync(parts.map((p) => [p.k, 'forward', args(p), shiftSample(p.lo)])) as ForwardPart[]);
      } catch (err) {
        dropAll();
        throw err;
      }
    }
    return Promise.allSettled(parts.map((p) => pool.call(p.k, 'forward', args(p), [], shiftSample(p.lo)))).then((settled) => {
      const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) {
        dropAll();
        throw failed.reason;
      }
      return assemble(settled.map((r) => (r as PromiseFulfilledResult<unknown>).value as ForwardPart));
    });
  }

  return {
    ...binding,
    // A plain function (with a prototype), as the addon's functions are.
    simulateAsync: function simulateAsync(spec: Record<string, unknown>) {
      return pool.call(pool.pick(), 'simulate', { spec });
    },
    NativeNetwork: NativeNetwork as unknown as NativeBinding['NativeNetwork'],
  };
}
