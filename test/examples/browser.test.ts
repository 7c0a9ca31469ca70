/**
 * examples/browser/: the page trains the single neuron with the WebAssembly build in headless
 * Chromium (Debian's chromium, or $CHROMIUM), served by examples/browser/serve.js on 127.0.0.1.
 * With ?autotest the page POSTs its record when done; the neuron starts silent (both output times
 * pseudospikes), and the loss falls until both spikes sit on their targets.
 */
import { spawn, type ChildProcess } from 'child_process';
import fs = require('fs');
import os = require('os');
import path = require('path');

const root = path.join(__dirname, '..', '..');
const chromium = process.env.CHROMIUM || '/usr/bin/chromium';
const skip = !fs.existsSync(path.join(root, 'build-wasm', 'spikegrad.wasm'))
  ? 'no WebAssembly build (npm run build:wasm)'
  : !fs.existsSync(chromium)
    ? `no Chromium at ${chromium} (apt-get install chromium, or set CHROMIUM)`
    : '';
if (skip) console.log(`browser example test skipped: ${skip}`);
const maybe = skip ? describe.skip : describe;

interface Step {
  loss: number;
  times: number[];
  isPseudo: boolean[];
}
interface Record {
  error?: string;
  steps: number;
  first: Step;
  last: Step;
  losses: number[];
  models: string[];
}

const { serve } = require(path.join(root, 'examples', 'browser', 'serve.js')) as {
  serve(o: { port?: number; onResult?: (r: Record) => void }): Promise<{ server: import('http').Server; url: string }>;
};

maybe('examples/browser in headless Chromium', () => {
  let browser: ChildProcess | undefined;
  let profile = '';
  // Chromium runs in its own process group, so that its helper processes end with it.
  const stop = async (): Promise<void> => {
    const b = browser;
    if (!b || b.pid === undefined) return;
    browser = undefined;
    const exited = b.exitCode !== null || b.signalCode !== null ? Promise.resolve() : new Promise((resolve) => b.once('exit', resolve));
    try {
      process.kill(-b.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    await exited;
  };
  afterAll(async () => {
    await stop();
    if (profile) fs.rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  });

  it('trains the single neuron with exact gradients: silent at first, then on its targets', async () => {
    let resolveResult: (r: Record) => void = () => {};
    const result = new Promise<Record>((resolve) => (resolveResult = resolve));
    const { server, url } = await serve({ onResult: (r) => resolveResult(r) });
    profile = fs.mkdtempSync(path.join(os.tmpdir(), 'spikegrad-chromium-'));
    let stderr = '';
    try {
      browser = spawn(
        chromium,
        ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, `${url}?autotest`],
        { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
      );
      browser.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
      const exited = new Promise<never>((_, reject) => browser!.once('exit', (code) => reject(new Error(`chromium exited (${code}) before the page reported:\n${stderr}`))));
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no report from the page in 150 s:\n${stderr}`)), 150_000)));
      const r = await Promise.race([result, exited, timeout]).finally(() => clearTimeout(timer));
      expect(r.error).toBeUndefined();
      expect(r.models).toEqual(expect.arrayContaining(['qif', 'theta']));
      expect(r.steps).toBe(3000);
      // Silent at first: both output times are pseudospikes after the trial end.
      expect(r.first.isPseudo).toEqual([true, true]);
      expect(Math.min(...r.first.times)).toBeGreaterThan(10);
      // The loss falls by orders of magnitude; both spikes end as real spikes on their targets.
      expect(r.losses[r.losses.length - 1]).toBeLessThan(r.losses[0]);
      expect(r.last.loss).toBeLessThan(1e-6 * r.first.loss);
      expect(r.last.isPseudo).toEqual([false, false]);
      expect(Math.abs(r.last.times[0] - 2.5)).toBeLessThan(1e-3);
      expect(Math.abs(r.last.times[1] - 7.5)).toBeLessThan(1e-3);
    } finally {
      await stop();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }, 180_000);
});
