/** CLI honesty: --resume with and without a checkpoint, conflicting options, Ctrl-C, short runs. */
import fs = require('fs');
import os = require('os');
import path = require('path');
import { experimentCommand } from '../../lib/cli/experiments';
import { loadModel } from '../../lib';
import { io } from '../helpers/io';

const SMALL = ['--samples', '200', '--batch-size', '50'];

describe('mnist --resume', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spikegrad-resume-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const out = path.join(dir, 'out');

  it('says when there is no checkpoint and starts afresh', async () => {
    const a = io();
    expect(await experimentCommand('mnist', [...SMALL, '--epochs', '1', '--resume', '--out', out], a.io)).toBe(0);
    expect(a.o.err).toMatch(/--resume: there is no checkpoint at .*mnist-checkpoint\.json; starting afresh/);
    const saved = loadModel(path.join(out, 'mnist-checkpoint.json')).training!;
    expect(saved.settings).toEqual({ data: 'bundled', samples: 200, 'test-fraction': 0.2, seed: 0, 'batch-size': 50 });
    expect(saved.seconds).toBeGreaterThan(0);
  }, 120000);

  it('refuses options that conflict with the checkpoint, naming both values', async () => {
    const a = io();
    expect(await experimentCommand('mnist', ['--samples', '200', '--batch-size', '40', '--epochs', '2', '--resume', '--out', out], a.io)).toBe(2);
    expect(a.o.err).toMatch(/--batch-size 40 conflicts with the checkpoint .* made with --batch-size 50/);
    expect(a.o.out).toBe('');
    const b = io();
    expect(await experimentCommand('mnist', ['--samples', '300', '--seed', '3', '--epochs', '2', '--resume', '--out', out], b.io)).toBe(2);
    expect(b.o.err).toMatch(/--samples 300, --seed 3 conflict with the checkpoint .* made with --samples 200, --seed 0/);
    const c = io();
    expect(await experimentCommand('mnist', ['--data', dir, '--epochs', '2', '--resume', '--out', out], c.io)).toBe(2);
    expect(c.o.err).toMatch(/--data .* conflicts with the checkpoint .* made with the bundled digits \(no --data\)/);
  });

  it('keeps the checkpoint settings not given, says which, and reports the total wall time', async () => {
    const before = loadModel(path.join(out, 'mnist-checkpoint.json')).training!.seconds!;
    const a = io();
    expect(await experimentCommand('mnist', ['--epochs', '2', '--resume', '--quiet', '--out', out], a.io)).toBe(0);
    expect(a.o.err).toMatch(/--resume: continuing .* from epoch 1; keeping the checkpoint's the bundled digits \(no --data\), --samples 200, --test-fraction 0\.2, --seed 0, --batch-size 50/);
    const json = JSON.parse(fs.readFileSync(path.join(out, 'mnist.json'), 'utf8'));
    expect(json.settings).toMatchObject({ batchSize: 50, trainSize: 160, testSize: 40 });
    expect(json.history.map((e: { epoch: number }) => e.epoch)).toEqual([0, 1, 2]);
    expect(json.totalSeconds).toBeGreaterThan(before);
    expect(json.resumedFrom).toMatchObject({ epoch: 1, batchInEpoch: 0 });
    expect(a.o.out).toMatch(/wall time: [\d.]+ s this run, [\d.]+ s of training in total \(resumed at epoch 1\)/);
    const after = loadModel(path.join(out, 'mnist-checkpoint.json')).training!.seconds!;
    expect(after).toBeCloseTo(json.totalSeconds, 0);
    // The stored seconds add up: the second run's training time is the difference.
    expect(after - before).toBeGreaterThan(0);
    expect(after - before).toBeLessThanOrEqual(json.seconds + 1e-6);
  }, 120000);

  it('says when the checkpoint has nothing left to train', async () => {
    const a = io();
    expect(await experimentCommand('mnist', ['--epochs', '1', '--resume', '--quiet', '--out', out], a.io)).toBe(0);
    expect(a.o.err).toMatch(/completed 2 epochs already; --epochs 1 leaves nothing to train/);
  }, 120000);

  it('says when the settings give very few optimiser steps', async () => {
    const a = io();
    expect(await experimentCommand('mnist', [...SMALL, '--epochs', '1', '--quiet', '--out', path.join(dir, 'short')], a.io)).toBe(0);
    expect(a.o.err).toMatch(/only 4 optimiser steps \(4 batches of 50 per epoch\)/);
    const b = io();
    expect(await experimentCommand('rnn', ['--steps', '5', '--quiet', '--out', path.join(dir, 'short')], b.io)).toBe(0);
    expect(b.o.err).toMatch(/--steps 5 is a short run/);
  }, 120000);
});

describe('Ctrl-C', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spikegrad-sigint-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('mnist: stops after the current batch, writes the checkpoint and the report of what has run, exits 130', async () => {
    const out = path.join(dir, 'mnist');
    let sent = false;
    const a = io((text) => {
      if (!sent && text.startsWith('epoch 1:')) {
        sent = true;
        process.emit('SIGINT');
      }
    });
    expect(await experimentCommand('mnist', [...SMALL, '--epochs', '5', '--out', out], a.io)).toBe(130);
    expect(a.o.err).toMatch(/stopping after the current step/);
    expect(a.o.err).toMatch(/stopped after 1 epoch; the checkpoint .* is written: continue with --resume/);
    const json = JSON.parse(fs.readFileSync(path.join(out, 'mnist.json'), 'utf8'));
    expect(json.stopped).toEqual({ epoch: 1, batchInEpoch: 0 });
    expect(json.history.map((e: { epoch: number }) => e.epoch)).toEqual([0, 1]);
    expect(fs.readFileSync(path.join(out, 'mnist.html'), 'utf8')).toContain('Stopped (Ctrl-C) after 1 epoch: the run so far');
    expect(loadModel(path.join(out, 'mnist-checkpoint.json')).training).toMatchObject({ epoch: 1, batchInEpoch: 0 });
    expect(process.listenerCount('SIGINT')).toBe(0);
  }, 120000);

  it('single-neuron: writes the report of the trials run', async () => {
    const out = path.join(dir, 'single');
    let sent = false;
    const a = io((text) => {
      if (!sent && text.startsWith('trial 500/')) {
        sent = true;
        process.emit('SIGINT');
      }
    });
    expect(await experimentCommand('single-neuron', ['--trials', '3000', '--out', out], a.io)).toBe(130);
    expect(a.o.err).toMatch(/stopped after 500 of 3000 trials/);
    expect(fs.readFileSync(path.join(out, 'single-neuron.html'), 'utf8')).toContain('Stopped (Ctrl-C) after 500 trials');
  }, 120000);

  it('yinyang: writes the report of the epochs run and exits 130', async () => {
    const out = path.join(dir, 'yinyang');
    let sent = false;
    const a = io((text) => {
      if (!sent && text.startsWith('epoch 1:')) {
        sent = true;
        process.emit('SIGINT');
      }
    });
    const args = ['--train-size', '200', '--test-size', '100', '--hidden', '20', '--epochs', '5', '--threads', '1', '--out', out];
    expect(await experimentCommand('yinyang', args, a.io)).toBe(130);
    expect(a.o.err).toMatch(/stopped after epoch 1, batch 0; the checkpoint .* is written: continue with --resume/);
    const json = JSON.parse(fs.readFileSync(path.join(out, 'yinyang.json'), 'utf8'));
    expect(json.stopped).toEqual({ epoch: 1, batchInEpoch: 0 });
    expect(json.history.map((e: { epoch: number }) => e.epoch)).toEqual([0, 1]);
    expect(fs.readFileSync(path.join(out, 'yinyang.html'), 'utf8')).toContain('Stopped (Ctrl-C) after 1 epoch: the run so far');
    expect(process.listenerCount('SIGINT')).toBe(0);
  }, 120000);
});
