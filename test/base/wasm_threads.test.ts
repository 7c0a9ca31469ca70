/**
 * lib/base/wasm_threads.ts: on the WebAssembly backend the async calls run on worker threads. In
 * child processes with SPIKEGRAD_BACKEND=wasm (test/base/fixtures/wasm-async.js): forwardAsync,
 * recordAsync and backwardAsync leave the event loop free (setImmediate keeps turning while they
 * run; with SPIKEGRAD_WASM_WORKERS=0, where emnapi runs the work on the calling thread, it does
 * not), give what the synchronous calls give, report a later sample's error with its index in
 * the whole batch, check the cotangent as the addon does, and sum the chunks' gradients in a fixed
 * order: one worker and two give bit-identical gradients.
 */
import { spawnSync } from 'child_process';
import fs = require('fs');
import path = require('path');
import { wasmPath } from '../../lib/base/wasm';

const skip = fs.existsSync(wasmPath) ? '' : `no ${wasmPath} (run \`npm run build:wasm\`)`;
if (skip) console.log(`wasm worker tests skipped: ${skip}`);
const maybe = skip ? describe.skip : describe;

interface Report {
  backend: string;
  turns: number;
  turnsRecord: number;
  turnsBackward: number;
  forwardDiff: number;
  pseudoSame: boolean;
  spikeCountDiff: number;
  gradDiff: number;
  gradDiffSync: number;
  inputTimesLength: number[];
  digest: string;
  errSync: { name: string; code: string; message: string } | null;
  errAsync: { name: string; code: string; message: string } | null;
  cotErr: { name: string; code: string; message: string } | null;
  cotErrSync: { name: string; code: string; message: string } | null;
  disposed: { name: string; code: string; message: string } | null;
}

function run(workers: number): Report {
  const r = spawnSync(process.execPath, [path.join(__dirname, 'fixtures', 'wasm-async.js')], {
    encoding: 'utf8',
    env: { ...process.env, SPIKEGRAD_BACKEND: 'wasm', SPIKEGRAD_WASM_WORKERS: String(workers) },
    timeout: 240_000,
  });
  if (r.status !== 0) throw new Error(`wasm-async.js with ${workers} workers failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as Report;
}

maybe('WebAssembly backend: a worker that exits mid-call', () => {
  it('fails the blocked synchronous forward and the async one with a coded error, then runs on a new worker', () => {
    // The child would hang in Atomics.wait without the fix: the timeout turns that into a failure.
    const r = spawnSync(process.execPath, [path.join(__dirname, 'fixtures', 'wasm-crash.js')], {
      encoding: 'utf8',
      env: { ...process.env, SPIKEGRAD_BACKEND: 'wasm', SPIKEGRAD_WASM_WORKERS: '1' },
      timeout: 120_000,
    });
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { backend: string; sync: { code: string; message: string } | null; async: { code: string; message: string } | null; crashesLeft: number; outputs: number; same: boolean };
    expect(out.backend).toBe('wasm');
    expect(out.sync).toEqual(expect.objectContaining({ code: 'ERR_SPIKEGRAD_INTERNAL', message: expect.stringContaining('worker exited') }));
    expect(out.async).toEqual(expect.objectContaining({ code: 'ERR_SPIKEGRAD_INTERNAL', message: expect.stringContaining('worker exited') }));
    expect(out.crashesLeft).toBeLessThanOrEqual(0);
    expect(out.outputs).toBe(40 * 10);
    expect(out.same).toBe(true);
  });
});

maybe('WebAssembly backend: async calls on worker threads', () => {
  jest.setTimeout(300_000);
  const reports = new Map<number, Report>();
  const report = (workers: number): Report => {
    if (!reports.has(workers)) reports.set(workers, run(workers));
    return reports.get(workers)!;
  };

  it('gives what the synchronous calls give, and keeps the addon errors', () => {
    const r = report(2);
    expect(r.backend).toBe('wasm');
    expect(r.forwardDiff).toBe(0);
    expect(r.pseudoSame).toBe(true);
    expect(r.spikeCountDiff).toBe(0);
    // record + backward and recordAsync + backwardAsync do the same chunked work: the same bits.
    expect(r.gradDiff).toBe(0);
    // backward (blocking) and backwardAsync of the same recorded batch: the same sums.
    expect(r.gradDiffSync).toBe(0);
    expect(r.inputTimesLength[1]).toBe(r.inputTimesLength[0]);
    expect(r.errSync).toEqual(expect.objectContaining({ code: 'ERR_SPIKEGRAD_BUDGET', message: expect.stringMatching(/^sample (\d+): /) }));
    // A later sample, so that the index had to be shifted from the chunk's to the batch's.
    expect(Number(/^sample (\d+)/.exec(r.errSync!.message)![1])).toBeGreaterThan(15);
    expect(r.errAsync).toEqual(r.errSync);
    expect(r.cotErrSync).toEqual(expect.objectContaining({ code: 'ERR_SPIKEGRAD_SHAPE' }));
    expect(r.cotErr).toEqual(r.cotErrSync);
    expect(r.disposed).toEqual(expect.objectContaining({ code: 'ERR_SPIKEGRAD_ARG' }));
  });

  it('leaves the event loop free while the workers run', () => {
    const on = report(2);
    const off = report(0);
    expect(Math.min(on.turns, on.turnsRecord, on.turnsBackward)).toBeGreaterThan(10);
    // Without workers the same calls hold the thread: far fewer turns.
    expect(off.turns).toBeLessThan(on.turns / 5);
  });

  it('sums the gradient in an order that does not depend on the number of workers', () => {
    expect(report(1).digest).toBe(report(2).digest);
  });
});
