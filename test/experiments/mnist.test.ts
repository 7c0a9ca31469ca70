import fs = require('fs');
import os = require('os');
import path = require('path');
import { bundledSplit, runMnist } from '../../lib/experiments/mnist';
import { CLASS_NAMES, loadModel } from '../../lib';
import { datasetTitle, mnistReport } from '../../lib/experiments/mnist.report';

describe('MNIST experiment (reduced)', () => {
  it('starts silent, learns, reports, and resumes from its checkpoint', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spikegrad-mnist-'));
    try {
      const { train, test } = bundledSplit(0.25, 1, 1000);
      const checkpoint = path.join(dir, 'ck.json');
      const r = await runMnist({ train, test, epochs: 2, batchSize: 25, checkpoint, progress: false });
      const epoch0 = r.history[0].test!;
      expect(epoch0.activity).toBeLessThan(0.01); // initially (almost) silent
      expect(epoch0.loss).toBeGreaterThan(2.3);
      expect(epoch0.lossOrdinary).toBeCloseTo(Math.log(10) + 0.01 * (Math.E - 1), 3);
      expect(r.final.accuracy).toBeGreaterThan(0.4);
      expect(r.final.activity).toBeGreaterThan(0.05);
      expect(r.rasterAfter.times.length).toBeGreaterThan(r.rasterBefore.times.length);
      expect(r.traces.V).toHaveLength(10);
      const { html } = mnistReport(r, 'bundled digits (test)');
      expect(html).toContain('Test error');
      // The example shows the prediction (the earliest output) and the label, and the layers.
      const ex = r.example;
      const earliest = ex.outputTimes.indexOf(Math.min(...ex.outputTimes));
      expect(ex.prediction).toBe(earliest);
      expect(ex.predictionPseudo).toBe(!(ex.outputTimes[earliest] < 2));
      expect(html).toContain(`Test image #2: digit ${ex.label}, predicted digit ${ex.prediction}`);
      expect(html).toContain(ex.prediction === ex.label ? `label = prediction: digit ${ex.label}` : `prediction: digit ${ex.prediction}`);
      for (const layer of ['hidden 1', 'hidden 2', 'output']) expect(html).toContain(`${layer}: `);
      const wrong = mnistReport({ ...r, example: { ...ex, prediction: (ex.label + 1) % 10, classes: CLASS_NAMES['fashion-mnist'] } }, 'fashion');
      expect(wrong.html).toContain(`label: ${ex.label} ${CLASS_NAMES['fashion-mnist'][ex.label]}`);
      expect(wrong.html).toContain(`prediction: ${(ex.label + 1) % 10} ${CLASS_NAMES['fashion-mnist'][(ex.label + 1) % 10]}`);
      expect(wrong.html).toMatch(/, wrong\./);
      // The title names the dataset the classes are those of.
      expect(html).toContain('<title>MNIST: a deep');
      expect(wrong.html).toContain('<title>Fashion-MNIST: a deep');
      expect(datasetTitle(CLASS_NAMES.kmnist)).toBe('KMNIST');
      expect(datasetTitle(['cat', 'dog'])).toBe('Image classification');
      // Resuming a finished run for one more epoch continues from epoch 2.
      const more = await runMnist({ train, test, epochs: 3, batchSize: 25, checkpoint, resume: true, progress: false });
      expect(more.history.map((e) => e.epoch)).toEqual([0, 1, 2, 3]);
      // The checkpoint carries the input encoding and the class names: predict takes raw pixels.
      const { network } = loadModel(checkpoint);
      expect(network.encoding).toEqual({ kind: 'image', T: 2, bins: 1, pixels: 784, shape: [28, 28] });
      expect(network.classes).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
      const predictions = await network.predict(test.images.subarray(0, 784 * 50));
      const correct = predictions.filter((p, s) => p.class === test.labels[s] && p.className === String(test.labels[s])).length;
      expect(correct).toBeGreaterThan(15); // far above chance (5 of 50)
      const named = await runMnist({ train, test, epochs: 0, batchSize: 25, progress: false, classes: CLASS_NAMES['fashion-mnist'] });
      expect(named.network.classes).toEqual(CLASS_NAMES['fashion-mnist']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120000);
});
