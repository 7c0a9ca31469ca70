import fs = require('fs');
import os = require('os');
import path = require('path');
import { experimentCommand, experimentHelp } from '../../lib/cli/experiments';
import { EXPERIMENTS } from '../../lib/cli/registry';
import { COMMON_OPTIONS } from '../../lib/cli/command';

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

  it('rejects bad options with exit status 2, the problem and where the help is', async () => {
    const { o, io: streams } = io();
    expect(await experimentCommand('rnn', ['--steps', 'many'], streams)).toBe(2);
    expect(o.err).toMatch(/--steps must be an integer/);
    expect(o.err).toMatch(/spikegrad rnn --help/);
    const second = io();
    expect(await experimentCommand('concept', ['--bogus'], second.io)).toBe(2);
    expect(second.o.err).toMatch(/unknown option '--bogus'/);
    const third = io();
    expect(await experimentCommand('mnist', ['--data', path.join(dir, 'nothing-here')], third.io)).toBe(2);
    expect(third.o.err).toMatch(/nothing-here/);
    const fourth = io();
    expect(await experimentCommand('mnist', ['--epoch', '3'], fourth.io)).toBe(2);
    expect(fourth.o.err).toMatch(/unknown option '--epoch'; did you mean '--epochs'\?/);
    expect(fourth.o.out).toBe('');
  });

  it.each(EXPERIMENTS.map((e) => [e.name, e] as const))('%s --help lists every option of its table with its default', async (name, command) => {
    const { o, io: streams } = io();
    expect(await experimentCommand(name, ['--help'], streams)).toBe(0);
    expect(o.out).toBe(experimentHelp(command));
    expect(o.out).toMatch(new RegExp(`^Usage: spikegrad ${name} \\[options\\]`));
    for (const spec of [...command.options, ...COMMON_OPTIONS]) {
      expect(o.out).toContain(`--${spec.name}`);
      expect(o.out).toContain(spec.meaning.split(' ').slice(0, 3).join(' '));
      const shown = spec.defaultText ?? (spec.type === 'boolean' || spec.default === undefined ? undefined : String(spec.default));
      if (shown !== undefined) expect(o.out.replace(/\s+/g, ' ')).toContain(`(default: ${shown})`);
    }
  });
});
