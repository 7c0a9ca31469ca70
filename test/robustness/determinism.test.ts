/**
 * Determinism (issue 7): a seed reproduces a training run bit for bit, whatever the number of
 * native threads (1, 2, all cores), with shuffling, pixel-flip augmentation and AdaBelief; and a
 * different seed gives a different run (the check is not vacuous).
 */
import { Trainer, adaBelief, exponentialDecay, feedForward, firstSpikeCrossEntropy, fixedDataset, imageDataset, qif, recurrent, spikeBatch, spikeTimeMse, theta } from '../../lib';
import { twoClassImages } from '../helpers/tasks';

async function trainImages(threads: number, seed: number): Promise<{ params: Float64Array[]; losses: number[] }> {
  const { images, labels } = twoClassImages(48, 3);
  const train = imageDataset({ images, pixels: 16, labels, T: 2, flipProbability: 0.05, bins: 2 });
  const network = feedForward({ neuron: theta({ tau: 6 / Math.PI }), sizes: [16, 20, 12, 2], T: 2, seed: 5, wScale: 2 });
  const trainer = new Trainer({
    network,
    loss: firstSpikeCrossEntropy({ gamma: 0.01 }),
    optimizer: adaBelief({ lr: exponentialDecay({ initial: 1e-2, transitionSteps: 10, decayRate: 0.5 }) }),
    batchSize: 20, // more samples than the 16 fixed summation chunks
    seed,
    threads,
  });
  const losses: number[] = [];
  await trainer.fit({ train, epochs: 4, progress: false, onBatch: (b) => void losses.push(b.loss) });
  return { params: network.parameterList().map((a) => a.slice()), losses };
}

async function trainRecurrent(threads: number): Promise<Float64Array[]> {
  const inputs = Array.from({ length: 6 }, (_, i) => ({ channel: i, target: i, weight: 4 }));
  const network = recurrent({ neuron: qif(), n: 6, nIn: 6, inputs, readout: { neurons: [0, 1], counts: [3, 3] }, T: 6, weightScale: 1, seed: 2 });
  const batch = spikeBatch([{ times: [0.3, 1.1, 2.2, 0.7, 4.5, 3.3], channels: [0, 1, 2, 3, 4, 5] }]);
  const trainer = new Trainer({ network, loss: spikeTimeMse(), optimizer: adaBelief({ lr: 1e-2 }), batchSize: 1, seed: 9, threads });
  await trainer.fit({ train: fixedDataset(batch, new Float64Array([1, 2, 3, 1.5, 2.5, 3.5])), epochs: 30, progress: false });
  return network.parameterList().map((a) => a.slice());
}

describe('determinism', () => {
  it('a seeded image-classification run is bit-identical with 1, 2 and all threads', async () => {
    const one = await trainImages(1, 11);
    const two = await trainImages(2, 11);
    const all = await trainImages(0, 11);
    expect(one.losses.length).toBeGreaterThan(10);
    expect(two).toEqual(one); // toEqual compares Float64Arrays element by element (Object.is)
    expect(all).toEqual(one);
    const other = await trainImages(1, 12);
    expect(other.losses).not.toEqual(one.losses);
  });

  it('a recurrent QIF run is bit-identical with 1 and 2 threads', async () => {
    expect(await trainRecurrent(2)).toEqual(await trainRecurrent(1));
  });
});
