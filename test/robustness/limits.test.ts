/**
 * Runs under real resource limits (issue 12 class 1): a batch that asks for many worker threads
 * where the process cannot create them (`ulimit -v`: no address space for their stacks;
 * `ulimit -u`: no more processes for the user) must still finish with the numbers of a one-thread
 * run, or fail with a coded error; the process must survive. Before the fix the failed thread
 * creation ended in std::terminate (exit 134). Child processes: fixtures/thread-limit.js.
 */
import { spawnSync } from 'child_process';
import fs = require('fs');
import path = require('path');

const fixture = path.join(__dirname, 'fixtures', 'thread-limit.js');

interface Report {
  threads: number;
  vmPeakKB: number;
  results: { call: string; outcome: string; value?: boolean }[];
}

/** Runs the fixture through bash with `ulimit` settings and an optional uid change (setpriv). */
function run(limits: string, threads: number, asUser?: number): { status: number | null; signal: string | null; report?: Report; stderr: string } {
  const node = JSON.stringify(process.execPath);
  const prefix = asUser === undefined ? '' : `setpriv --reuid=${asUser} --regid=${asUser} --clear-groups `;
  const script = `${limits ? `${limits} && ` : ''}exec ${prefix}${node} ${JSON.stringify(fixture)} ${threads}`;
  const r = spawnSync('bash', ['-c', script], { encoding: 'utf8', timeout: 120000 });
  let report: Report | undefined;
  try {
    report = JSON.parse(r.stdout.trim()) as Report;
  } catch {
    report = undefined;
  }
  return { status: r.status, signal: r.signal, report, stderr: r.stderr };
}

function expectSurvived(r: ReturnType<typeof run>, threads: number): void {
  // Exit 134 (SIGABRT from std::terminate) was the bug; the process must end normally.
  expect({ status: r.status, signal: r.signal, stderr: r.stderr.slice(-400) }).toEqual({ status: 0, signal: null, stderr: '' });
  expect(r.report?.threads).toBe(threads);
  // Fewer threads than asked (down to the calling thread) still give the one-thread numbers.
  expect(r.report?.results).toEqual([
    { call: 'forward', outcome: 'ok', value: true },
    { call: 'record+backward', outcome: 'ok', value: true },
    { call: 'forwardAsync', outcome: 'ok', value: true },
  ]);
}

const linux = process.platform === 'linux' && fs.existsSync('/proc/self/status');
if (!linux) console.log('limits.test.ts: skipped (needs Linux: ulimit in bash and /proc/self/status)');
const describeLinux = linux ? describe : describe.skip;

describeLinux('worker threads that cannot be created (issue 12 class 1)', () => {
  it('ulimit -v: 1024 threads requested with room for a few stacks only', () => {
    const base = run('', 1);
    expect(base.status).toBe(0);
    const peak = base.report!.vmPeakKB;
    expect(peak).toBeGreaterThan(0);
    // 256 MB above a one-thread run: 1024 stacks of 8 MB (the default) cannot fit.
    const r = run(`ulimit -s 8192 && ulimit -v ${peak + 256 * 1024}`, 1024);
    expectSurvived(r, 1024);
  });

  it('ulimit -u: 1024 threads requested with at most 64 processes for the user', () => {
    // Root is exempt from RLIMIT_NPROC, so as root the child runs as the user nobody (65534).
    const root = process.getuid?.() === 0;
    let asUser: number | undefined;
    if (root) {
      const probe = run('', 1, 65534);
      if (probe.status !== 0) {
        console.log(`limits.test.ts: ulimit -u skipped (running as root, and the user nobody cannot run the fixture: ${probe.stderr.trim().split('\n').pop()})`);
        return;
      }
      asUser = 65534;
    }
    const r = run('ulimit -u 64', 1024, asUser);
    expectSurvived(r, 1024);
  });
});
