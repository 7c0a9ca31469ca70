// Small deterministic tasks for trainer and serialisation tests.
import { feedForward, imageDataset, theta, Random, type Dataset, type Network } from '../../lib';

/** Two classes of 16-pixel images: bright left half (class 0) or bright right half (class 1). */
export function twoClassImages(samples: number, seed: number): { images: Uint8Array; labels: Int32Array } {
  const rng = new Random(seed);
  const images = new Uint8Array(samples * 16);
  const labels = new Int32Array(samples);
  for (let s = 0; s < samples; s++) {
    const y = rng.int(2);
    labels[s] = y;
    for (let p = 0; p < 16; p++) {
      const left = p % 4 < 2;
      const on = (left ? y === 0 : y === 1) ? rng.uniform() < 0.8 : rng.uniform() < 0.15;
      images[s * 16 + p] = on ? 200 : 30;
    }
  }
  return { images, labels };
}

export function smallImageTask(samples = 64, seed = 1): { train: Dataset<Int32Array>; net: () => Network } {
  const { images, labels } = twoClassImages(samples, seed);
  const train = imageDataset({ images, pixels: 16, labels, T: 2, flipProbability: 0.05 });
  const net = () => feedForward({ neuron: theta({ tau: 6 / Math.PI }), sizes: [16, 12, 2], T: 2, seed: 5, wScale: 2 });
  return { train, net };
}
