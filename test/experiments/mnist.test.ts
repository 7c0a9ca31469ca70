import fs = require('fs');
import os = require('os');
import path = require('path');
import { bundledSplit, runMnist } from '../../lib/experiments/mnist';
import { mnistReport } from '../../lib/experiments/mnist.report';

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
      // Resuming a finished run for one more epoch continues from epoch 2.
      const more = await runMnist({ train, test, epochs: 3, batchSize: 25, checkpoint, resume: true, progress: false });
      expect(more.history.map((e) => e.epoch)).toEqual([0, 1, 2, 3]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120000);
});
