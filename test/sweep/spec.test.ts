/** Sweep specifications (lib/sweep/spec.ts): grid expansion, trial ids, and the checks a queued job passes. */
import { checkTrial as check, expandSpec as expand, trialArgs, trialId } from '../../lib/sweep/spec';
import { sweepCatalog } from '../../lib/cli/sweep';

const catalog = sweepCatalog();
const checkTrial = (experiment: unknown, options: unknown) => check(catalog, experiment, options);
const expandSpec = (spec: unknown) => expand(catalog, spec);
import { displayUrl, redact } from '../../lib/sweep/redact';
import { meanStd, summarize, type TrialRecord } from '../../lib/sweep/results';

describe('expandSpec', () => {
  it('is the Cartesian product of the grid over the options, the last key fastest', () => {
    const { trials } = expandSpec({ experiment: 'yinyang', options: { epochs: 3 }, grid: { hidden: [10, 20], seed: [0, 1, 2] } });
    expect(trials.map((t) => t.options)).toEqual([
      { epochs: 3, hidden: 10, seed: 0 },
      { epochs: 3, hidden: 10, seed: 1 },
      { epochs: 3, hidden: 10, seed: 2 },
      { epochs: 3, hidden: 20, seed: 0 },
      { epochs: 3, hidden: 20, seed: 1 },
      { epochs: 3, hidden: 20, seed: 2 },
    ]);
    expect(new Set(trials.map((t) => t.id)).size).toBe(6);
  });

  it('refuses malformed specifications', () => {
    const code = { code: 'ERR_SPIKEGRAD_SPEC' };
    expect(() => expandSpec(null)).toThrow(expect.objectContaining(code));
    expect(() => expandSpec({ experiment: 'yinyang', grid: { seed: [] } })).toThrow(/non-empty array/);
    expect(() => expandSpec({ experiment: 'yinyang', options: { seed: 1 }, grid: { seed: [2] } })).toThrow(/both in options and in grid/);
    expect(() => expandSpec({ experiment: 'yinyang', grid: { seed: [1, 1] } })).toThrow(/repeats a trial/);
    expect(() => expandSpec({ experiment: 'yinyang', gird: {} })).toThrow(/Unknown key 'gird'/);
  });
});

describe('trial ids', () => {
  it('hash the experiment and options, whatever the key order', () => {
    expect(trialId('yinyang', { seed: 1, epochs: 2 })).toBe(trialId('yinyang', { epochs: 2, seed: 1 }));
    expect(trialId('yinyang', { seed: 1 })).not.toBe(trialId('yinyang', { seed: 2 }));
    expect(trialId('yinyang', { seed: 1 })).not.toBe(trialId('mnist', { seed: 1 }));
    expect(trialId('yinyang', { seed: 1 })).not.toBe(trialId('yinyang', { seed: '1' }));
    expect(trialId('yinyang', { seed: 1 })).toMatch(/^[0-9a-f]{16}$/);
  });
  it('hash the resolved options: defaults given or left out are the same trial', () => {
    const hidden = Number(catalog.yinyang.resolve!({}).hidden);
    expect(checkTrial('yinyang', { hidden, seed: 0 }).id).toBe(checkTrial('yinyang', {}).id);
    expect(checkTrial('yinyang', { hidden: hidden + 1 }).id).not.toBe(checkTrial('yinyang', {}).id);
    expect(checkTrial('yinyang', { seed: 2 }).options).toEqual({ seed: 2 });
    // threads change the speed only: part of the id when given, not filled in
    expect(catalog.yinyang.resolve!({})).not.toHaveProperty('threads');
    // a value the command refuses still gets an id (the trial fails when it runs)
    expect(checkTrial('yinyang', { hidden: -1 }).id).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('checkTrial (a job is untrusted input)', () => {
  it('takes the option names of the registry commands, without the reserved ones', () => {
    expect(Object.keys(catalog).sort()).toEqual(['mnist', 'yinyang']);
    expect(catalog.yinyang.options).toEqual(expect.arrayContaining(['hidden', 'batchSize', 'tEnd', 'wScale', 'seed']));
    expect(catalog.mnist.options).toEqual(expect.arrayContaining(['data', 'epochs', 'batchSize', 'testFraction']));
    for (const e of Object.values(catalog)) expect(e.options.filter((o) => ['out', 'checkpoint', 'resume', 'quiet', 'help'].includes(o))).toEqual([]);
  });

  it('accepts the CLI options of a known experiment', () => {
    expect(checkTrial('yinyang', { batchSize: 10, neuron: 'qif' }).options).toEqual({ batchSize: 10, neuron: 'qif' });
    expect(checkTrial('mnist', { data: '/data/mnist', epochs: 1 }).experiment).toBe('mnist');
  });
  it('refuses an unknown experiment', () => {
    expect(() => checkTrial('yinyan', {})).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_SPEC', message: expect.stringContaining("did you mean 'yinyang'") }));
    expect(() => checkTrial('constructor', {})).toThrow(/Unknown experiment/);
    expect(() => checkTrial('eval', {})).toThrow(/Unknown experiment/);
  });
  it('refuses unknown options and values that are not scalars', () => {
    expect(() => checkTrial('yinyang', { hiden: 3 })).toThrow(/Unknown option 'hiden'.*did you mean 'hidden'/);
    expect(() => checkTrial('yinyang', { __proto__: { x: 1 }, ['constructor']: 1 })).toThrow(/Unknown option 'constructor'/);
    expect(() => checkTrial('yinyang', { hidden: [1] })).toThrow(/must be a string, a finite number or a boolean/);
    expect(() => checkTrial('yinyang', { hidden: { $gt: 1 } })).toThrow(/must be a string/);
    expect(() => checkTrial('yinyang', { lr: Infinity })).toThrow(/finite/);
  });
  it('refuses every option that chooses where a trial writes', () => {
    for (const key of ['out', 'checkpoint', 'resume', 'quiet', 'help']) {
      expect(() => checkTrial('yinyang', { [key]: '../../outside' })).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_SPEC', message: expect.stringContaining('cannot be set in a sweep') }));
    }
  });
  it('turns options into command-line arguments', () => {
    expect(trialArgs({ seed: 3, batchSize: 10, resume: false, flag: true })).toEqual(['--batch-size=10', '--flag', '--seed=3']);
    expect(trialArgs({ hidden: -1, data: '--out=/etc' })).toEqual(['--data=--out=/etc', '--hidden=-1']);
  });
});

describe('redact', () => {
  it('keeps credentials out of printed URLs and text', () => {
    expect(displayUrl('redis://alice:s3cr%40t@db.example:6390/2')).toBe('redis://db.example:6390/2');
    expect(redact('auth failed for alice with s3cr@t at rediss://alice:s3cr%40t@db.example')).not.toMatch(/s3cr|alice/);
  });
});

describe('summaries', () => {
  it('use the population standard deviation (ddof = 0)', () => {
    expect(meanStd([1, 2, 3, 4])).toEqual({ mean: 2.5, std: Math.sqrt(1.25) });
  });
  it('group trials that differ only in their seed; failed trials are left out', () => {
    const rec = (seed: number, hidden: number, acc: number, status: 'done' | 'failed' = 'done'): TrialRecord => ({
      id: `${hidden}-${seed}`,
      options: { hidden, seed },
      status,
      final: status === 'done' ? { accuracyOrdinary: acc } : undefined,
      seconds: 1,
      attempts: 1,
      worker: 'w',
    });
    const s = summarize([rec(0, 10, 0.9), rec(1, 10, 0.8), rec(0, 20, 0.5), rec(1, 20, 0, 'failed')]);
    expect(s.groups.map((g) => [g.options, g.n])).toEqual([
      [{ hidden: 10 }, 2],
      [{ hidden: 20 }, 1],
    ]);
    expect(s.groups[0].mean.accuracyOrdinary).toBeCloseTo(0.85, 15);
    expect(s.groups[0].std.accuracyOrdinary).toBeCloseTo(0.05, 15);
    expect(s.groups[1].std.accuracyOrdinary).toBe(0);
  });
});

describe('examples/sweeps', () => {
  it('are valid specifications of 10 seeds each', () => {
    const fs = require('node:fs') as typeof import('node:fs');
    const path = require('node:path') as typeof import('node:path');
    const dir = path.join(__dirname, '..', '..', 'examples', 'sweeps');
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files.sort()).toEqual(['mnist-paper-10-seeds.json', 'yinyang-10-seeds.json']);
    for (const f of files) {
      const { trials } = expandSpec(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
      expect(trials.map((t) => t.options.seed)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    }
  });
});
