import fs = require('fs');
import os = require('os');
import path = require('path');
import { experimentCommand } from '../../lib/cli/experiments';

function io() {
  const o = { out: '', err: '' };
  return { o, io: { out: { write: (s: string) => (o.out += s) }, err: { write: (s: string) => (o.err += s) } } };
}

describe('experiment commands', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spikegrad-cli-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['concept', ['--points', '50']],
    ['single-neuron', ['--trials', '50', '--quiet']],
    ['rnn', ['--steps', '30', '--quiet']],
    ['mnist', ['--samples', '200', '--epochs', '1', '--batch-size', '50', '--quiet']],
  ])('%s writes an HTML report and a JSON file', async (name, args) => {
    const { o, io: streams } = io();
    const out = path.join(dir, name);
    expect(await experimentCommand(name, [...args, '--out', out], streams)).toBe(0);
    const base = name === 'rnn' ? 'rnn' : name;
    expect(fs.readFileSync(path.join(out, `${base}.html`), 'utf8')).toMatch(/^<!DOCTYPE html>/i);
    expect(() => JSON.parse(fs.readFileSync(path.join(out, `${base}.json`), 'utf8'))).not.toThrow();
    expect(o.out).toContain(`${base}.html`);
  }, 120000);

  it('rejects bad options with exit status 2 and the usage', async () => {
    const { o, io: streams } = io();
    expect(await experimentCommand('rnn', ['--steps', 'many'], streams)).toBe(2);
    expect(o.err).toMatch(/--steps must be an integer/);
    expect(o.err).toMatch(/Usage: spikegrad rnn/);
    const second = io();
    expect(await experimentCommand('concept', ['--bogus'], second.io)).toBe(2);
    expect(second.o.err).toMatch(/bogus/);
    const third = io();
    expect(await experimentCommand('mnist', ['--data', path.join(dir, 'nothing-here')], third.io)).toBe(2);
    expect(third.o.err).toMatch(/nothing-here/);
  });
});
