// The README's "Using spikegrad" example is examples/using-spikegrad.ts, verbatim; it runs.
import fs = require('fs');
import os = require('os');
import path = require('path');
import { main } from '../examples/using-spikegrad';
import { loadModel } from '../lib';

const root = path.join(__dirname, '..');

describe('examples/using-spikegrad.ts', () => {
  it('is the code shown in the README', () => {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const example = fs.readFileSync(path.join(root, 'examples', 'using-spikegrad.ts'), 'utf8');
    const section = readme.slice(readme.indexOf('## Using spikegrad'));
    const block = /```ts\n([\s\S]*?)```/.exec(section);
    expect(block).not.toBeNull();
    expect(block![1]).toBe(example);
  });

  it('trains, evaluates and saves (reduced size)', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'spikegrad-example-')), 'model.spikegrad');
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      const metrics = await main(2000, 2, file);
      expect(metrics.samples).toBe(400);
      expect(metrics.accuracy).toBeGreaterThan(0.3); // far above chance (0.1) after 32 steps
      expect(log).toHaveBeenCalledWith(expect.stringMatching(/^epoch 1: accuracy/));
      expect(loadModel(file).network.n).toBe(210);
    } finally {
      log.mockRestore();
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
  });
});
