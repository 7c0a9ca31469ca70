/**
 * Concurrency (issue 7): the addon loads in several worker_threads at once and computes the same
 * numbers there as on the main thread; concurrent asynchronous batches on one network give the
 * same results as sequential ones; disposing networks and recorded batches or dropping every
 * reference (with forced garbage collection) while batches run cannot crash. Terminating a worker
 * while its batches run is tested in regressions.test.ts (K16).
 */
import { spawnSync } from 'child_process';
import path = require('path');
import { Worker } from 'worker_threads';
import { feedForward, simulate, theta, ttfsBatch, type Network, type TrialSpec } from '../../lib';
import { randomRecurrent } from '../helpers/networks';

const fixtures = path.join(__dirname, 'fixtures');

function plain(spec: TrialSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(spec)) out[k] = ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : v;
  return out;
}

describe('worker threads', () => {
  it('load the addon at the same time and compute exactly the numbers of the main thread', async () => {
    const spec = randomRecurrent('qif', 11);
    const total = spec.readoutCounts.reduce((a, b) => a + b, 0);
    const cotangent = Array.from({ length: total }, (_, k) => (k % 3) - 1);
    const main = simulate(spec, { cotangent: Float64Array.from(cotangent) });
    const expected = {
      outputTimes: Array.from(main.outputTimes),
      grad: [...main.grad!.weights, ...main.grad!.inputWeights, ...main.grad!.inputTimes, ...main.grad!.initial],
    };
    const workers = Array.from({ length: 4 }, () => new Worker(path.join(fixtures, 'worker-simulate.js'), { workerData: { spec: plain(spec), cotangent, repeats: 5 } }));
    const results = await Promise.all(
      workers.map(
        (w) =>
          new Promise<{ outputTimes: number[]; grad: number[] }[]>((resolve, reject) => {
            w.once('message', resolve);
            w.once('error', reject);
            w.once('exit', (code) => code !== 0 && reject(new Error(`worker exited with ${code}`)));
          }),
      ),
    );
    await Promise.all(workers.map((w) => w.terminate()));
    for (const list of results) for (const r of list) expect(r).toEqual(expected);
  });
});

describe('concurrent asynchronous batches on one network', () => {
  let net: Network;
  const images = new Uint8Array(60 * 30).map((_, k) => (k * 97 + 13) % 256);
  const batch = ttfsBatch(images, 60, { T: 2, bins: 3 });
  beforeAll(() => {
    net = feedForward({ neuron: theta({ tau: 6 / Math.PI }), sizes: [60, 40, 30, 10], T: 2, seed: 5, wScale: 1.5 });
  });

  it('forwardAsync: concurrent calls (any thread count) equal sequential ones', async () => {
    const sequential = net.forward(batch, { threads: 1 });
    expect(sequential.spikeCount.reduce((a, b) => a + b, 0)).toBeGreaterThan(0); // not trivially silent
    const concurrent = await Promise.all(Array.from({ length: 8 }, (_, k) => net.forwardAsync(batch, { threads: k % 3 })));
    for (const r of concurrent) {
      expect(r.times).toEqual(sequential.times);
      expect(r.spikeCount).toEqual(sequential.spikeCount);
      expect(r.inTrialEvents).toEqual(sequential.inTrialEvents);
    }
  });

  it('recordAsync + backwardAsync: concurrent gradients are bit-identical to sequential ones', async () => {
    const cot = (samples: number, slots: number) => Float64Array.from({ length: samples * slots }, (_, k) => ((k * 7) % 5) - 2);
    const rec = net.record(batch, { threads: 1 });
    const expected = rec.backward(cot(rec.output.samples, rec.output.slots), { threads: 1 });
    rec.dispose();
    const grads = await Promise.all(
      Array.from({ length: 6 }, async (_, k) => {
        const r = await net.recordAsync(batch, { threads: k % 3 });
        try {
          return await r.backwardAsync(cot(r.output.samples, r.output.slots), { threads: (k + 1) % 3 });
        } finally {
          r.dispose();
        }
      }),
    );
    for (const g of grads) {
      expect(g.weights).toEqual(expected.weights);
      expect(g.inputWeights).toEqual(expected.inputWeights);
      expect(g.initial).toEqual(expected.initial);
    }
  });

  it('changing the parameters while a batch runs does not affect it (inputs are copied first)', async () => {
    const expected = net.forward(batch);
    const saved = net.params.weights.slice();
    const pending = net.forwardAsync(batch);
    net.params.weights.fill(0);
    const r = await pending;
    net.params.weights.set(saved);
    expect(r.times).toEqual(expected.times);
  });
});

describe('disposal and garbage collection during running batches', () => {
  it('cannot crash (child process with --expose-gc)', () => {
    const r = spawnSync(process.execPath, ['--expose-gc', path.join(fixtures, 'gc-stress.js'), '6'], { encoding: 'utf8', timeout: 120000 });
    expect({ status: r.status, signal: r.signal, stderr: r.stderr }).toEqual({ status: 0, signal: null, stderr: '' });
    expect(r.stdout.trim()).toBe('ok');
  });
});
