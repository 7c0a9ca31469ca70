/**
 * The live view of `--dashboard [PORT]`: an HTTP server that shows the experiment's HTML report
 * while it runs, updated through server-sent events. The page is the report itself (the same
 * renderer writes the final HTML file) plus a status line and a small script of our own.
 *
 * Safety: the server is read-only (GET and HEAD only; no request changes anything), it serves
 * only the four resources below from memory (no path from a request reaches the file system),
 * it binds to 127.0.0.1 unless another address is asked for explicitly, and on a loopback
 * address it answers only requests whose Host header names a loopback host (so a web page
 * elsewhere cannot read it through DNS rebinding).
 *
 *   GET /          the page: the latest report with the status line and /live.js
 *   GET /report    the latest report document alone
 *   GET /live.js   the script: listens to /events, swaps in the new report, shows progress
 *   GET /events    server-sent events: `report` (the new report document), `progress` (a line), `done`
 */
import http = require('http');
import net = require('net');

/** What the live script does in the page (plain ES2017, no dependencies). */
const LIVE_JS = `'use strict';
(function () {
  var status = document.getElementById('spikegrad-live-status');
  var say = function (text) { if (status) status.textContent = text; };
  var source = new EventSource('/events');
  // A report event carries the whole new report document (so the last one arrives even when the
  // server closes right after it).
  source.addEventListener('report', function (e) {
    var doc = new DOMParser().parseFromString(e.data, 'text/html');
    var main = document.getElementById('spikegrad-live-report');
    if (main) main.innerHTML = doc.body.innerHTML;
    document.title = doc.title;
  });
  source.addEventListener('progress', function (e) { say(e.data); });
  source.addEventListener('done', function (e) { say(e.data); source.close(); });
  source.onerror = function () { if (source.readyState === 2) say('the run has ended (the dashboard is closed)'); };
})();
`;

const STATUS_CSS =
  '#spikegrad-live-status{position:sticky;top:0;z-index:10;background:#1f3a5f;color:#fff;font:14px/1.4 system-ui,sans-serif;padding:6px 12px;margin:0 0 8px 0}';

/** The page: the report's head and body, with the status line and the script added. */
function livePage(report: string): string {
  const head = /<head[^>]*>([\s\S]*?)<\/head>/i.exec(report)?.[1] ?? '';
  const body = /<body[^>]*>([\s\S]*)<\/body>/i.exec(report)?.[1] ?? report;
  return (
    `<!DOCTYPE html>\n<html lang="en"><head>${head}<style>${STATUS_CSS}</style></head><body>` +
    `<div id="spikegrad-live-status" role="status">live: waiting for the run</div>` +
    `<div id="spikegrad-live-report">${body}</div><script src="/live.js"></script></body></html>\n`
  );
}

/** Options of {@link startDashboard}. */
export interface DashboardOptions {
  /** The port; 0 picks a free one. */
  port: number;
  /** The address to bind. Default 127.0.0.1. */
  host?: string;
  /** The report shown before the first update. */
  initial: string;
}

/** A running dashboard. */
export interface Dashboard {
  /** The page's address, e.g. http://127.0.0.1:8080/. */
  url: string;
  /** Shows a new report (a full HTML document) and tells the open pages. */
  update(report: string): void;
  /** Shows a progress line in the open pages. */
  progress(text: string): void;
  /** Tells the open pages that the run ended, then closes the server and its connections. */
  close(message?: string): Promise<void>;
}

/** True for 127.0.0.0/8, ::1 and localhost. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1' || host === '[::1]') return true;
  return net.isIPv4(host) && host.startsWith('127.');
}

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cache-Control': 'no-store',
  // The report's figures are inline SVG and its styles inline; the only script is /live.js.
  'Content-Security-Policy': "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
};

/** Starts the server; resolves when it listens. Rejects (code EADDRINUSE, ...) when it cannot. */
export function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const host = options.host ?? '127.0.0.1';
  let report = options.initial;
  let version = 0;
  let lastProgress = '';
  const clients = new Set<http.ServerResponse>();
  const event = (name: string, data: string) => `event: ${name}\n${data.split(/\r?\n/).map((l) => `data: ${l}`).join('\n')}\n\n`;
  const send = (name: string, data: string) => {
    const text = event(name, data);
    for (const c of clients) c.write(text);
  };
  const server = http.createServer((req, res) => {
    const reply = (status: number, type: string, body: string, extra: Record<string, string> = {}) => {
      res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': String(Buffer.byteLength(body)), ...extra });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      reply(405, 'text/plain; charset=utf-8', 'read-only: GET and HEAD only\n', { Allow: 'GET, HEAD' });
      req.resume();
      return;
    }
    const hostHeader = (req.headers.host ?? '').replace(/:\d+$/, '');
    if (isLoopback(host) && !isLoopback(hostHeader)) {
      reply(421, 'text/plain; charset=utf-8', 'this dashboard answers requests to a loopback host only\n');
      return;
    }
    // The route is the exact path; nothing of it is ever used to look anything up on disk.
    const url = req.url ?? '';
    const pathname = url.startsWith('/') ? url.split(/[?#]/, 1)[0] : '';
    if (pathname === '/' || pathname === '/index.html') return reply(200, 'text/html; charset=utf-8', livePage(report));
    if (pathname === '/report') return reply(200, 'text/html; charset=utf-8', report, { 'X-Report-Version': String(version) });
    if (pathname === '/live.js') return reply(200, 'text/javascript; charset=utf-8', LIVE_JS);
    if (pathname === '/events') {
      res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive' });
      if (req.method === 'HEAD') return res.end();
      res.write(`retry: 2000\n\n`);
      clients.add(res);
      if (version > 0) res.write(event('report', report));
      if (lastProgress !== '') res.write(event('progress', lastProgress));
      req.on('close', () => clients.delete(res));
      return;
    }
    reply(404, 'text/plain; charset=utf-8', 'not found\n');
  });
  server.headersTimeout = 10000;
  server.requestTimeout = 10000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.removeListener('error', reject);
      const address = server.address() as net.AddressInfo;
      const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      resolve({
        url: `http://${shown}:${address.port}/`,
        update(html) {
          report = html;
          version++;
          send('report', html);
        },
        progress(text) {
          lastProgress = text.replace(/\s+/g, ' ').trim();
          send('progress', lastProgress);
        },
        close(message = 'the run has ended') {
          send('done', message);
          for (const c of clients) c.end();
          clients.clear();
          return new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          });
        },
      });
    });
  });
}
