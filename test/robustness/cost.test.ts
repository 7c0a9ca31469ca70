/**
 * The cost of an error (issue 12): the memory and the time a call spends before it fails are
 * bounded by what its input allows, measured in child processes (fixtures/budget-cost.js):
 *
 * - a budget error: a runaway network stops at maxEvents, in one trial, in a batch on two threads
 *   and in a recorded batch. Memory: the growth of the peak resident set over a successful
 *   baseline run of the same number of events stays within a few tapes of the budget's size
 *   (before: the loop ran on to maxEvents + max(maxEvents, 100000) events, 1.5 to 4.3 GB here).
 *   Time: CPU time of the failing call against the baseline in the same process, as a ratio
 *   (before: 50 to 90 times the baseline).
 * - a memory error caused by the input (issue 12 class 3): a 234-byte eval case (one QIF neuron
 *   exciting itself, T = 10^6, maxEvents = 2^27) is refused before the trial starts (exit 2,
 *   ERR_SPIKEGRAD_MEMORY naming the safe maxEvents) within a few MB and a fraction of a second
 *   (before: 60 s, 6.4 GB, and exit 1 "internal error" when the record reached its limit).
 */
import { spawnSync } from 'child_process';
import fs = require('fs');
import os = require('os');
import path = require('path');

const fixture = path.join(__dirname, 'fixtures', 'budget-cost.js');

interface Cost {
  code: string;
  rssGrowthKB: number;
  cpuFail: number;
  cpuBase: number;
}

function measure(mode: string, n: number, maxEvents: number): Cost {
  const r = spawnSync(process.execPath, [fixture, mode, String(n), String(maxEvents)], { encoding: 'utf8', timeout: 120000 });
  if (r.status !== 0) throw new Error(`budget-cost.js ${mode} exited with ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim()) as Cost;
}

describe('the cost of a budget error (issue 12 class 2)', () => {
  const n = 200;
  const maxEvents = 2000;
  /** One tape of the budget: maxEvents events of n touches (48 bytes each), in KB. */
  const tapeKB = (maxEvents * n * 48) / 1024;

  it.each([
    ['trial', 1],
    ['forward', 2],
    ['record', 2],
  ])('%s: stops at maxEvents; memory within a few tapes of the budget, time a small multiple of a run of that size', (mode, tapes) => {
    const c = measure(mode as string, n, maxEvents);
    expect(c.code).toBe('ERR_SPIKEGRAD_BUDGET');
    // Tapes in flight (one per thread) of at most the budget, with vector growth (x2) and slack.
    expect(c.rssGrowthKB).toBeLessThan(3 * (tapes as number) * tapeKB + 16 * 1024);
    expect(c.cpuFail).toBeLessThan(3 * c.cpuBase + 50);
  });
});

describe('the cost of a memory error caused by the input (issue 12 class 3)', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spikegrad-cost-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const evalFixture = path.join(__dirname, 'fixtures', 'eval-cost.js');
  /** One QIF neuron that excites itself (about 250 spikes per time unit) for T = 10^6. */
  const runaway = (maxEvents: number) => ({
    neuron: { model: 'qif', tau: 0.01 },
    T: 1e6,
    maxEvents,
    n: 1,
    initial: { V: [5], I: [0] },
    weights: [[50]],
    inputWeights: [[0]],
    inputSpikes: { times: [], sources: [] },
    readout: { neurons: [0], counts: [1] },
    cotangent: [[1]],
  });
  function evalCost(c: unknown): { status: number; stdout: string; stderr: string; rssGrowthKB: number; cpuMs: number } {
    const file = path.join(tmp, 'case.json');
    fs.writeFileSync(file, JSON.stringify(c));
    // A safety net, not the measurement: 4 GB of address space over node's own, so that a
    // regression fails (allocation error) instead of exhausting the machine.
    const script = `ulimit -v ${6 * 1024 * 1024} && exec ${JSON.stringify(process.execPath)} ${JSON.stringify(evalFixture)} ${JSON.stringify(file)}`;
    const r = spawnSync('bash', ['-c', script], { encoding: 'utf8', timeout: 120000 });
    if (r.status !== 0) throw new Error(`eval-cost.js exited with ${r.status} (${r.signal}): ${r.stderr}`);
    return JSON.parse(r.stdout.trim()) as { status: number; stdout: string; stderr: string; rssGrowthKB: number; cpuMs: number };
  }

  it('a small case whose record could reach gigabytes: exit 2 (an input error) before the trial starts, at almost no cost', () => {
    const c = runaway(2 ** 27);
    expect(JSON.stringify(c).length).toBeLessThan(300);
    const r = evalCost(c);
    expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 2, stdout: '' });
    expect(r.stderr).toMatch(/^spikegrad eval: .*maxEvents = 134217728 with n = 1 neurons .* lower maxEvents to at most 67108863\n$/);
    expect(r.rssGrowthKB).toBeLessThan(64 * 1024);
    expect(r.cpuMs).toBeLessThan(2000);
  });

  it('the same network within the bound: a budget error at maxEvents (exit 2), memory proportional to the budget', () => {
    const r = evalCost(runaway(20000));
    expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 2, stdout: '' });
    expect(r.stderr).toMatch(/maxEvents = 20000 is too small/);
    expect(r.rssGrowthKB).toBeLessThan(64 * 1024);
  });
});
