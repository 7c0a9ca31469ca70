import fs = require('fs');
import os = require('os');
import path = require('path');
import { START_DEFAULTS, startCommand } from '../../lib/cli/start';
import { experimentCommand, withDefaults } from '../../lib/cli/experiments';
import { findExperiment } from '../../lib/cli/registry';
import { io } from '../helpers/io';

describe('npm start (lib/cli/start.ts)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spikegrad-start-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('shows the quick-start defaults in --help, beside the plain command', async () => {
    const start = io();
    expect(await startCommand(['--help'], start.io)).toBe(0);
    expect(start.o.out).toMatch(/--epochs N +epochs to complete[^\n]*\(default: 20\)/);
    expect(start.o.out).toMatch(/--batch-size B +samples per optimiser step \(default: 100\)/);
    const plain = io();
    expect(await experimentCommand('mnist', ['--help'], plain.io)).toBe(0);
    expect(plain.o.out).toMatch(/--epochs N +epochs to complete[^\n]*\(default: 100\)/);
    expect(START_DEFAULTS.epochs).toBe(20);
  });

  it('lets the command line override its defaults (npm start -- --epochs 1)', async () => {
    const run = io();
    const out = path.join(dir, 'one');
    expect(await startCommand(['--epochs', '1', '--samples', '200', '--batch-size', '50', '--quiet', '--out', out], run.io)).toBe(0);
    const report = JSON.parse(fs.readFileSync(path.join(out, 'mnist.json'), 'utf8')) as { settings: { epochs: number; batchSize: number } };
    expect(report.settings).toMatchObject({ epochs: 1, batchSize: 50 });
  }, 120000);

  it('still refuses an option given twice, and a default for an option the command lacks', async () => {
    const run = io();
    expect(await startCommand(['--epochs', '1', '--epochs', '2'], run.io)).toBe(2);
    expect(run.o.err).toMatch(/--epochs is given twice/);
    expect(() => withDefaults(findExperiment('mnist')!, { epoch: 3 })).toThrow(/has no option --epoch/);
  });
});
