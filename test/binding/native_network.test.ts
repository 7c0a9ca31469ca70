/**
 * native/binding/native_network.cc: a NativeNetwork copies each call's parameters and input
 * arrays into buffers that it reuses for later calls (its CopyPool), builds the batch from them
 * on the worker thread, and reuses the buffers of the results too. Nothing of one call may leak into the next: a sequence of calls of
 * different shapes (plain and bundled inputs, batch sizes, parameters changed in between, the
 * fused loss step, sync and async, a call that fails) must give, call for call, exactly what a
 * fresh network gives for that call alone.
 */
import { Network } from '../../lib/network/network';
import { feedForward } from '../../lib/topology';
import { theta } from '../../lib/neurons';
import { spikeBatch, type InputBatch } from '../../lib/network/inputs';
import { ttfsBatch } from '../../lib/data/ttfs';
import { Random } from '../../lib/base/random';
import { firstSpikeCrossEntropy } from '../../lib/training/losses';

const fresh = (net: Network): Network => Network.fromJSON(net.toJSON());

function pixels(samples: number, rng: Random): Uint8Array {
  return Uint8Array.from({ length: samples * 6 }, () => (rng.uniform() < 0.4 ? 0 : 1 + rng.int(255)));
}

function plain(samples: number, rng: Random): InputBatch {
  return spikeBatch(
    Array.from({ length: samples }, () => {
      const times = Array.from({ length: 1 + rng.int(4) }, () => rng.range(0, 1.5)).sort((a, b) => a - b);
      return { times, channels: times.map(() => rng.int(6)) };
    }),
  );
}

describe('NativeNetwork input copies', () => {
  it('reused buffers give every call the result of a fresh network', async () => {
    const rng = new Random(11);
    const net = feedForward({ neuron: theta(), sizes: [6, 8, 3], T: 2, wScale: 4, seed: 5, outputCount: 1 });
    const calls: Array<() => InputBatch> = [
      () => ttfsBatch(pixels(5, rng), 6, { T: 2 }),
      () => plain(2, rng),
      () => ttfsBatch(pixels(1, rng), 6, { T: 2 }),
      () => plain(7, rng),
      () => ttfsBatch(pixels(3, rng), 6, { T: 2 }),
    ];
    let checked = 0;
    for (let round = 0; round < 2; round++) {
      for (const [k, make] of calls.entries()) {
        const batch = make();
        // New parameters before some calls: the reused buffers must hold this call's.
        if (k % 2 === round) net.params.weights.forEach((w, j) => (net.params.weights[j] = w * (1 + 0.1 * rng.range(-1, 1))));
        const want = fresh(net).forward(batch, { threads: 1 });
        const got = k % 2 === 0 ? net.forward(batch, { threads: 2 }) : await net.forwardAsync(batch, { threads: 1 });
        expect(got.times).toEqual(want.times);
        expect(got.isPseudo).toEqual(want.isPseudo);
        expect(got.spikeCount).toEqual(want.spikeCount);
        const labels = Array.from({ length: batch.samples }, () => rng.int(3));
        const a = await net.lossAndGradient(batch, firstSpikeCrossEntropy(), labels, { threads: 2 });
        const b = await fresh(net).lossAndGradient(batch, firstSpikeCrossEntropy(), labels, { threads: 1 });
        expect(a.loss.value).toBe(b.loss.value);
        expect(a.grad.weights).toEqual(b.grad.weights);
        expect(a.grad.inputWeights).toEqual(b.grad.inputWeights);
        expect(a.grad.initial).toEqual(b.grad.initial);
        checked++;
      }
      // A call that fails (an input channel out of range) leaves nothing behind either.
      const bad = spikeBatch([{ times: [0.5], channels: [6] }]);
      await expect(net.forwardAsync(bad)).rejects.toThrow();
    }
    expect(checked).toBe(10);
  });
});
