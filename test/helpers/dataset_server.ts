// A local HTTP server for the download tests: serves the files of a folder (the official MNIST
// files of ../shared/datasets/mnist) on 127.0.0.1 at a random port, under path prefixes that
// choose a misbehaviour: /ok/, /missing/ (404), /corrupt/ (a valid gzip of wrong bytes),
// /badgzip/ (a damaged gzip stream), /drop/ (closes the connection mid-transfer), /norange/
// (ignores Range requests), /stall/ (sends half, then nothing), /redirect/ (302 to /ok/); a route
// named '' serves at the root (http://127.0.0.1:PORT/FILE). A prefix may name the one file it applies to (/drop/:name/...) and
// how many requests it affects; every request is logged with its Range and If-Range headers.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

export type Mode = 'ok' | 'missing' | 'corrupt' | 'badgzip' | 'drop' | 'norange' | 'stall' | 'redirect';

export interface Route {
  mode: Mode;
  /** The file (e.g. 'train-labels-idx1-ubyte.gz') the mode applies to; others are served normally. Default: all. */
  file?: string;
  /** Misbehave on the first `times` requests for the file only, then serve normally. Default: always. */
  times?: number;
  /** drop: bytes sent before the connection is closed. Default: half the file. */
  dropAfter?: number;
  /** drop: close right after the headers, before any byte of the body. */
  dropBeforeBody?: boolean;
  /** Send no ETag and no Last-Modified. */
  noValidator?: boolean;
  /** Answer Range requests with the whole file (200), as servers without range support do. */
  ignoreRange?: boolean;
}

export interface LoggedRequest {
  route: string;
  file: string;
  range?: string;
  ifRange?: string;
  status: number;
}

export interface DatasetServer {
  /** The base URL of a route, e.g. `http://127.0.0.1:PORT/ok/` (`http://127.0.0.1:PORT/` for the route ''). */
  url(route: string): string;
  log: LoggedRequest[];
  /** Clears the log and the request counts (so `times` starts again). */
  reset(): void;
  /** The strong ETag the server sends for a file (of the bytes served by /ok/). */
  etag(file: string): string;
  close(): Promise<void>;
}

const etagOf = (bytes: Buffer) => `"${crypto.createHash('md5').update(bytes).digest('hex')}"`;

/** Starts a server for `dir`; `routes` maps a route name (the first path segment) to its behaviour. */
export async function startDatasetServer(dir: string, routes: Record<string, Route>): Promise<DatasetServer> {
  const cache = new Map<string, Buffer>();
  const read = (file: string): Buffer | undefined => {
    if (!/^[\w.-]+$/.test(file)) return undefined;
    if (!cache.has(file)) {
      const p = path.join(dir, file);
      if (!fs.existsSync(p)) return undefined;
      cache.set(file, fs.readFileSync(p));
    }
    return cache.get(file);
  };
  const corrupted = new Map<string, Buffer>();
  const corrupt = (file: string, bytes: Buffer): Buffer => {
    if (!corrupted.has(file)) {
      const raw = zlib.gunzipSync(bytes);
      raw[raw.length - 1] ^= 0x01; // one pixel or label off by one bit: a valid gzip of the wrong data
      corrupted.set(file, zlib.gzipSync(raw));
    }
    return corrupted.get(file)!;
  };
  const counts = new Map<string, number>();
  const log: LoggedRequest[] = [];
  const lastModified = new Date(Date.UTC(2020, 0, 1)).toUTCString();

  const server = http.createServer((req, res) => {
    // /ROUTE/FILE, or /FILE for the route named '' (the server's root).
    const parts = (req.url ?? '').split('/');
    const [routeName, file] = parts.length === 2 ? ['', parts[1]] : [parts[1] ?? '', parts[2] ?? ''];
    const route = routes[routeName];
    const entry: LoggedRequest = { route: routeName, file, range: req.headers.range, ifRange: req.headers['if-range'] as string | undefined, status: 0 };
    log.push(entry);
    const send = (status: number, headers: http.OutgoingHttpHeaders = {}, body?: Buffer) => {
      entry.status = status;
      res.writeHead(status, headers);
      res.end(body);
    };
    let bytes = route === undefined ? undefined : read(file);
    if (route === undefined || bytes === undefined) return send(404, { 'content-type': 'text/plain' }, Buffer.from('not found\n'));
    const key = `${routeName}/${file}`;
    const n = (counts.get(key) ?? 0) + 1;
    counts.set(key, n);
    const applies = (route.file === undefined || route.file === file) && n <= (route.times ?? Infinity);
    const mode: Mode = applies ? route.mode : 'ok';
    if (mode === 'missing') return send(404, { 'content-type': 'text/plain' }, Buffer.from('not found\n'));
    if (mode === 'redirect') return send(302, { location: `/ok/${file}` });
    if (mode === 'corrupt') bytes = corrupt(file, bytes);
    if (mode === 'badgzip') {
      bytes = Buffer.from(bytes);
      bytes[Math.floor(bytes.length / 2)] ^= 0xff;
    }
    const headers: http.OutgoingHttpHeaders = { 'content-type': 'application/octet-stream', 'accept-ranges': mode === 'norange' || route.ignoreRange ? 'none' : 'bytes' };
    if (!route.noValidator) {
      headers.etag = etagOf(bytes);
      headers['last-modified'] = lastModified;
    }
    let start = 0;
    let status = 200;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const ifRange = req.headers['if-range'];
    const rangeValid = range !== null && (ifRange === undefined || ifRange === headers.etag || ifRange === headers['last-modified']);
    if (mode !== 'norange' && !route.ignoreRange && rangeValid) {
      start = Number(range![1]);
      if (start >= bytes.length) return send(416, { 'content-range': `bytes */${bytes.length}` });
      status = 206;
      headers['content-range'] = `bytes ${start}-${bytes.length - 1}/${bytes.length}`;
    }
    const body = bytes.subarray(start);
    headers['content-length'] = body.length;
    entry.status = status;
    res.writeHead(status, headers);
    if (mode === 'stall') {
      res.write(body.subarray(0, Math.floor(body.length / 2))); // and then nothing, connection open
      return;
    }
    if (mode === 'drop') {
      res.flushHeaders();
      if (route.dropBeforeBody) {
        setTimeout(() => res.socket?.destroy(), 5);
        return;
      }
      const cut = Math.min(bytes.length - 1, route.dropAfter ?? Math.floor(bytes.length / 2)); // a position in the file
      res.write(body.subarray(0, Math.max(0, cut - start)), () => setTimeout(() => res.socket?.destroy(), 5));
      return;
    }
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (route) => (route === '' ? `http://127.0.0.1:${port}/` : `http://127.0.0.1:${port}/${route}/`),
    log,
    reset: () => {
      log.length = 0;
      counts.clear();
    },
    etag: (file) => etagOf(read(file)!),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
