// Train the paper's deep, initially silent theta-neuron network on MNIST digits, evaluate it
// with and without pseudospikes, and save it. Run from a clone: npm run example
import {
  Trainer,
  adaBelief,
  exponentialDecay,
  feedForward,
  firstSpikeCrossEntropy,
  imageDataset,
  loadBundledDigits,
  saveModel,
  splitImages,
  subsetImages,
  theta,
} from 'spikegrad';

export async function main(samples = 4000, epochs = 3, file = 'mnist-model.spikegrad') {
  // Data: a seeded held-out split of the bundled digits.
  const digits = loadBundledDigits();
  const { train, test } = splitImages(subsetImages(digits, Array.from({ length: samples }, (_, k) => k)), 0.2, 1);
  const T = 2;
  const trainSet = imageDataset({ ...train, T, flipProbability: 0.02 }); // pixel-flip augmentation
  const testSet = imageDataset({ ...test, T });

  // 784-100-100-10 theta neurons (tau = 6/pi, period 6), silent at initialisation.
  const network = feedForward({ neuron: theta({ tau: 6 / Math.PI }), sizes: [784, 100, 100, 10], T, seed: 1 });

  const trainer = new Trainer({
    network,
    loss: firstSpikeCrossEntropy({ gamma: 0.01 }),
    optimizer: adaBelief({ lr: exponentialDecay({ initial: 4e-3, transitionSteps: 6000, decayRate: Math.exp(-1) }) }),
    batchSize: 100,
    seed: 1,
  });
  await trainer.fit({
    train: trainSet,
    test: testSet,
    epochs,
    onEpoch: ({ epoch, test: m }) =>
      console.log(
        `epoch ${epoch}: accuracy ${m!.accuracy!.toFixed(3)} (real spikes only ${m!.accuracyOrdinary!.toFixed(3)}),` +
          ` ${m!.activity.toFixed(2)} spikes per hidden neuron, ${(100 * m!.silent).toFixed(0)}% silent`,
      ),
  });

  const metrics = await trainer.evaluate(testSet);
  saveModel(file, network, { optimizer: trainer.optimizer.state() });
  return metrics;
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
