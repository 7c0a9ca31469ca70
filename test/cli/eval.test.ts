// `spikegrad eval`: output on valid cases; exit 2 with one line naming the field on invalid ones.
import { spawnSync } from 'child_process';
import fs = require('fs');
import os = require('os');
import path = require('path');
import { evalCommand } from '../../lib/cli/eval';

const base = {
  neuron: { model: 'qif', tau: 1, alpha: 10 },
  T: 4,
  maxEvents: 10,
  n: 2,
  initial: { V: [0, 0], I: [0, 0] },
  weights: [
    [0, 0],
    [3, 0],
  ],
  weightMask: [
    [0, 0],
    [1, 0],
  ],
  inputWeights: [[4], [0]],
  inputSpikes: { times: [0.5], sources: [0] },
  readout: { neurons: [0, 1], counts: [2, 1] },
  cotangent: [[1, 0.5], [-1]],
};

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spikegrad-eval-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function run(value: unknown, raw?: string): { status: number; out: string; err: string } {
  const file = path.join(tmp, `case-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, raw ?? JSON.stringify(value));
  let out = '';
  let err = '';
  const status = evalCommand([file], {
    out: { write: (s: string) => (out += s) },
    err: { write: (s: string) => (err += s) },
  });
  return { status, out, err };
}

function mutate(f: (c: Record<string, unknown> & typeof base) => void): unknown {
  const c = JSON.parse(JSON.stringify(base));
  f(c);
  return c;
}

describe('spikegrad eval', () => {
  it('prints the output object', () => {
    const r = run(base);
    expect(r.status).toBe(0);
    expect(r.err).toBe('');
    const out = JSON.parse(r.out);
    expect(Object.keys(out).sort()).toEqual(['grad', 'outputTimes', 'spikes']);
    expect(out.outputTimes.map((row: number[]) => row.length)).toEqual([2, 1]);
    expect(out.grad.weights).toHaveLength(2);
    expect(out.grad.weights[0][1]).toBe(0); // masked: not a parameter
    expect(out.grad.inputWeights).toEqual([[expect.any(Number)], [expect.any(Number)]]);
    expect(Object.keys(out.grad.initial).sort()).toEqual(['I', 'V']);
    // Input weight 4 > pi^2/4 from rest: neuron 0 spikes inside the trial.
    expect(out.spikes.neurons[0]).toBe(0);
    expect(out.outputTimes[0][0]).toBeLessThan(4);
  });

  const bad: [string, unknown, RegExp, string?][] = [
    ['invalid JSON', null, /not valid JSON/, '{"neuron": '],
    ['a missing field', mutate((c) => delete (c as Partial<typeof base>).readout), /readout: missing/],
    ['a wrong type', mutate((c) => ((c as Record<string, unknown>).T = 'long')), /^spikegrad eval: T: expected a number/],
    ['a wrong shape', mutate((c) => (c.weights = [[0, 0]])), /weights: expected 2 rows/],
    ['a ragged row', mutate((c) => (c.weights[1] = [3])), /weights\[1\]: expected 2 entries/],
    ['a non-finite number', null, /inputWeights\[0\]\[0\]: expected a finite number/, JSON.stringify(base).replace('"inputWeights":[[4]', '"inputWeights":[[1e999]')],
    ['a channel out of range', mutate((c) => (c.inputSpikes.sources = [1])), /inputSpikes\.sources\[0\]/],
    ['a neuron out of range', mutate((c) => (c.readout.neurons = [0, 2])), /readout\.neurons\[1\]/],
    ['a negative T', mutate((c) => (c.T = -1)), /^spikegrad eval: T: /],
    ['a weight where the mask is 0', mutate((c) => (c.weights[0][1] = 1)), /weights\[0\]\[1\]: must be 0 where weightMask is 0/],
    ['theta with I0 <= 1/4', mutate((c) => ((c as Record<string, unknown>).neuron = { model: 'theta', I0: 0.25 }, (c as Record<string, unknown>).initial = { phi: [1, 1] })), /I0 must be greater than 1\/4/],
    ['an unknown model', mutate((c) => ((c as Record<string, unknown>).neuron = { model: 'hh' })), /neuron\.model/],
    ['a cotangent of the wrong length', mutate((c) => (c.cotangent = [[1], [1]])), /cotangent\[0\]: expected 2 entries/],
    ['an exhausted event budget', mutate((c) => (c.maxEvents = 1)), /maxEvents = 1 is too small: the trial needs at least 2 in-trial events/],
  ];

  it.each(bad.map(([what, value, message, raw]) => ({ what, value, message, raw })))(
    'rejects $what with exit status 2 and one line on stderr',
    ({ value, message, raw }) => {
    const r = run(value, raw);
    expect(r.status).toBe(2);
    expect(r.out).toBe('');
    expect(r.err.endsWith('\n')).toBe(true);
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(message);
  },
  );

  it('needs exactly one argument', () => {
    let err = '';
    const io = { out: process.stdout, err: { write: (s: string) => (err += s) } };
    expect(evalCommand([], io)).toBe(2);
    expect(err).toMatch(/Usage: spikegrad eval/);
  });

  it('works as a process, reading the case from stdin', () => {
    const dist = path.join(__dirname, '..', '..', 'dist', 'cli', 'main.js');
    if (!fs.existsSync(dist)) return; // dist/ is built by `npm run build`
    const ok = spawnSync(process.execPath, [dist, 'eval', '-'], { input: JSON.stringify(base) });
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout.toString()).outputTimes).toHaveLength(2);
    const bad = spawnSync(process.execPath, [dist, 'eval', path.join(tmp, 'does-not-exist.json')]);
    expect(bad.status).toBe(2);
    expect(bad.stdout.toString()).toBe('');
    expect(bad.stderr.toString()).toMatch(/cannot read/);
  });
});
