/**
 * The live view of --dashboard: read-only, its own resources only, loopback by default; and, in
 * real headless Chromium, the page loads during a short run and its numbers change while it runs.
 */
import fs = require('fs');
import net = require('net');
import os = require('os');
import path = require('path');
import { isLoopback, startDashboard, type Dashboard } from '../../lib/cli/dashboard';
import { experimentCommand } from '../../lib/cli/experiments';
import { io } from '../helpers/io';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** One raw HTTP/1.1 exchange, so that request targets reach the server exactly as written. */
function raw(port: number, request: string): Promise<{ status: number; head: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.end(request));
    let text = '';
    socket.on('data', (d) => (text += d.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head, ...rest] = text.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(head)?.[1] ?? 0), head, body: rest.join('\r\n\r\n') });
    });
  });
}
const get = (port: number, target: string, method = 'GET', body = '') =>
  raw(port, `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n${body ? `Content-Type: text/html\r\nContent-Length: ${body.length}\r\n` : ''}\r\n${body}`);

describe('dashboard server', () => {
  let d: Dashboard;
  let port: number;
  const REPORT = '<!DOCTYPE html><html><head><title>T</title></head><body><main><p id="n">first</p></main></body></html>';
  beforeAll(async () => {
    d = await startDashboard({ port: 0, initial: REPORT });
    port = Number(new URL(d.url).port);
  });
  afterAll(() => d.close());

  it('binds to 127.0.0.1 by default and serves the page, the report and its script', async () => {
    expect(d.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await get(port, '/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<p id="n">first</p>');
    expect(page.body).toContain('<script src="/live.js"></script>');
    expect(page.head).toMatch(/Content-Security-Policy: default-src 'none'; script-src 'self'/);
    expect((await get(port, '/report')).body).toBe(REPORT);
    expect((await get(port, '/live.js')).head).toMatch(/Content-Type: text\/javascript/);
    d.update(REPORT.replace('first', 'second'));
    expect((await get(port, '/report')).body).toContain('second');
  });

  it('never reaches the file system: traversal, encoded traversal and absolute paths are 404', async () => {
    const secret = fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8').slice(0, 40);
    const targets = [
      '/../package.json',
      '/../../../../etc/passwd',
      '/%2e%2e/package.json',
      '/%2E%2E%2Fpackage.json',
      '/..%2f..%2fetc%2fpasswd',
      '/%252e%252e/package.json',
      '/..\\package.json',
      '/report/../package.json',
      '/live.js/../../package.json',
      '//etc/passwd',
      '/etc/passwd',
      '/C:/Windows/win.ini',
      '/package.json',
      '/lib/cli/dashboard.ts',
      '/%00',
      'http://127.0.0.1/etc/passwd',
      '/index.html/..',
      '*',
    ];
    for (const target of targets) {
      const r = await get(port, target);
      expect([target, r.status]).toEqual([target, r.status === 400 ? 400 : 404]);
      expect(r.body).not.toContain(secret);
      expect(r.body).not.toMatch(/root:.*:0:0:/);
    }
  });

  it('is read-only: write requests are refused with 405 and change nothing', async () => {
    const before = (await get(port, '/report')).body;
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'CONNECT']) {
      for (const target of ['/', '/report', '/events', '/live.js', '/anything']) {
        const r = await get(port, target, method, '<html><body>replaced</body></html>');
        // CONNECT is not a request node's server answers: it closes the connection (status 0).
        expect([method, target, r.status]).toEqual([method, target, method === 'CONNECT' ? 0 : 405]);
        if (r.status === 405) expect(r.head).toMatch(/Allow: GET, HEAD/);
        expect(r.body).not.toContain('replaced');
      }
    }
    expect((await get(port, '/report')).body).toBe(before);
  });

  it('answers only requests for a loopback host (no DNS rebinding)', async () => {
    const r = await raw(port, `GET / HTTP/1.1\r\nHost: attacker.example:${port}\r\nConnection: close\r\n\r\n`);
    expect(r.status).toBe(421);
    expect(r.body).not.toContain('<p id="n">');
    expect(isLoopback('127.0.0.1')).toBe(true);
    expect(isLoopback('localhost')).toBe(true);
    expect(isLoopback('::1')).toBe(true);
    expect(isLoopback('0.0.0.0')).toBe(false);
    expect(isLoopback('192.168.1.2')).toBe(false);
  });

  it('streams report and progress events', async () => {
    const received = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.write(`GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`));
      let text = '';
      socket.on('error', reject);
      socket.on('data', (chunk) => {
        text += chunk.toString();
        if (text.includes('retry:') && !text.includes('progress')) {
          d.progress('live: epoch 1/2');
          d.update(REPORT);
        }
        if (/event: report\ndata: <!DOCTYPE html>[\s\S]*event: report\ndata: <!DOCTYPE html><html><head><title>T<\/title>/.test(text)) {
          socket.destroy();
          resolve(text);
        }
      });
    });
    expect(received).toMatch(/Content-Type: text\/event-stream/);
    expect(received).toContain('event: progress\ndata: live: epoch 1/2\n');
  });
});

describe('--dashboard on the command line', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spikegrad-dash-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('warns when bound to a non-loopback address, refuses --host alone and a port in use', async () => {
    const a = io();
    expect(await experimentCommand('concept', ['--points', '20', '--dashboard', '0', '--host', '0.0.0.0', '--out', dir], a.io)).toBe(0);
    expect(a.o.err).toMatch(/dashboard: http:\/\/0\.0\.0\.0:\d+\//);
    expect(a.o.err).toMatch(/warning: the dashboard listens on 0\.0\.0\.0, not on a loopback address/);
    const b = io();
    expect(await experimentCommand('concept', ['--points', '20', '--host', '0.0.0.0', '--out', dir], b.io)).toBe(2);
    expect(b.o.err).toMatch(/give --dashboard/);
    const busy = net.createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    const port = (busy.address() as net.AddressInfo).port;
    const c = io();
    expect(await experimentCommand('concept', ['--points', '20', '--dashboard', String(port), '--out', dir], c.io)).toBe(2);
    expect(c.o.err).toMatch(new RegExp(`port ${port} is in use`));
    await new Promise((r) => busy.close(r));
  });

  const browserTest = fs.existsSync(CHROMIUM) ? it : it.skip;
  if (!fs.existsSync(CHROMIUM)) console.log(`dashboard browser test skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM)`);

  browserTest('headless Chromium: the page loads during a short run and its numbers change while it runs', async () => {
    // playwright-core drives Debian's Chromium (no browser download); a fresh profile per launch.
    const { chromium } = require('playwright-core') as typeof import('playwright-core');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage();
      let resolveUrl: (url: string) => void = () => {};
      const url = new Promise<string>((r) => (resolveUrl = r));
      const a = io((text) => {
        const m = /dashboard: (http:\S+)/.exec(text);
        if (m) resolveUrl(m[1]);
      });
      const run = experimentCommand('mnist', ['--samples', '300', '--epochs', '6', '--batch-size', '30', '--dashboard', '0', '--quiet', '--out', dir], a.io);
      await page.goto(await url);
      // Rows of the per-epoch table, and the test accuracies it shows.
      const rows = () =>
        page.evaluate(() => {
          const h = [...document.querySelectorAll('h2')].find((e) => e.textContent === 'Per epoch');
          const table = h?.parentElement?.querySelector('table');
          return table ? [...table.querySelectorAll('tbody tr')].map((tr) => tr.textContent ?? '') : [];
        });
      await page.waitForFunction(() => [...document.querySelectorAll('h2')].some((e) => e.textContent === 'Per epoch'), undefined, { timeout: 60000 });
      const first = await rows();
      expect(first.length).toBeGreaterThanOrEqual(1);
      expect(first.length).toBeLessThan(7); // seen before the run ended
      await page.waitForFunction((n) => {
        const h = [...document.querySelectorAll('h2')].find((e) => e.textContent === 'Per epoch');
        return (h?.parentElement?.querySelectorAll('tbody tr').length ?? 0) > n;
      }, first.length, { timeout: 60000 });
      const later = await rows();
      expect(later.length).toBeGreaterThan(first.length);
      expect(later.slice(0, first.length)).toEqual(first); // the epochs seen stay, new ones follow
      const status = await page.textContent('#spikegrad-live-status');
      expect(status).toMatch(/live: epoch \d\/6, batch \d+\/8|the run has ended/);
      expect(await run).toBe(0);
      await page.waitForFunction(() => /the run has ended/.test(document.getElementById('spikegrad-live-status')?.textContent ?? ''), undefined, { timeout: 20000 });
      // The final page shows the same rows as the final report file.
      const final = await rows();
      const file = fs.readFileSync(path.join(dir, 'mnist.html'), 'utf8');
      expect(final.length).toBe(7); // epochs 0 to 6
      for (const row of final) expect(file.replace(/<[^>]+>/g, '')).toContain(row);
    } finally {
      await browser.close();
    }
  }, 180000);
});
