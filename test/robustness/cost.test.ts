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
 */
import { spawnSync } from 'child_process';
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
