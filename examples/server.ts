// An inference server for a spikegrad model with plain node:http (docs/serving.md): the model
// file is loaded once at start, requests are answered with network.predict (async: the
// simulation runs on the native thread pool, the event loop stays free for other requests).
//
//   node build-examples/server.js mnist-model.spikegrad      # listens on 127.0.0.1:8080
//   curl -s localhost:8080/predict -d '{"pixels": [[0, 0, ..., 0]]}'
//
// POST /predict  {"pixels": [784 integers] | [[784 integers], ...], "ordinaryOnly"?: boolean}
//             -> {"predictions": [{"class", "className", "spiked", "times", "pseudo"}, ...]}
// GET /model     -> the encoding, the class names and the readout size of the served model
import http = require('http');
import { loadModelAsync, type Network } from 'spikegrad';

export interface ServerOptions {
  /** Native threads per request (0: all cores). Default 0. */
  threads?: number;
  /** Largest request body in bytes. Default 8 MiB (about 1000 MNIST images as JSON). */
  maxBodyBytes?: number;
  /** Most images per request. Default 1000. */
  maxImages?: number;
}

/** An error answered with a status and a JSON body {error, code}. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** The request body as text, refused past `limit` bytes. */
function readBody(req: http.IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      if (size > limit) return; // refused already: the rest is read and dropped
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        reject(new HttpError(413, `request body larger than ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  const close = status === 413 ? { connection: 'close' } : {};
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...close });
  res.end(text);
}

/** Answers POST /predict and GET /model for one loaded network. */
export function createPredictServer(network: Network, options: ServerOptions = {}): http.Server {
  const threads = options.threads ?? 0;
  const maxBody = options.maxBodyBytes ?? 8 * 2 ** 20;
  const maxImages = options.maxImages ?? 1000;
  if (network.encoding === undefined) throw new Error('The model has no input encoding (network.encoding): set it before serving');
  return http.createServer((req, res) => {
    (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname === '/model') {
        if (req.method !== 'GET') throw new HttpError(405, 'use GET /model');
        return send(res, 200, { encoding: network.encoding, classes: network.classes ?? null, readout: network.structure.readout.neurons.length });
      }
      if (url.pathname !== '/predict') throw new HttpError(404, `no such endpoint: ${url.pathname}`);
      if (req.method !== 'POST') throw new HttpError(405, 'use POST /predict');
      let body: unknown;
      try {
        body = JSON.parse(await readBody(req, maxBody));
      } catch (err) {
        if (err instanceof HttpError) throw err;
        throw new HttpError(400, `the body is not JSON: ${(err as Error).message}`);
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'expected a JSON object {"pixels": ...}');
      const { pixels, ordinaryOnly, ...rest } = body as Record<string, unknown>;
      const unknown = Object.keys(rest);
      if (unknown.length > 0) throw new HttpError(400, `unknown field ${unknown[0]} (known: pixels, ordinaryOnly)`);
      if (!Array.isArray(pixels) || pixels.length === 0) throw new HttpError(400, 'expected "pixels": an image (an array of integers) or an array of images');
      // One image (numbers) or many (arrays): predict takes an array of images.
      const images = typeof pixels[0] === 'number' ? [pixels] : pixels;
      if (images.length > maxImages) throw new HttpError(413, `more than ${maxImages} images in one request`);
      const predictions = await network.predict(images, { threads, ordinaryOnly: ordinaryOnly === undefined ? false : (ordinaryOnly as boolean) });
      send(res, 200, { predictions });
    })().catch((err: Error & { status?: number; code?: string }) => {
      if (res.headersSent) return res.destroy();
      // spikegrad's input errors (ARG, SHAPE, RANGE, ...) are the client's; anything else is ours.
      const status = err instanceof HttpError ? err.status : typeof err.code === 'string' && err.code.startsWith('ERR_SPIKEGRAD_') && err.code !== 'ERR_SPIKEGRAD_INTERNAL' ? 400 : 500;
      send(res, status, { error: err.message, code: err.code ?? null });
    });
  });
}

/** Loads the model once and serves it on host:port. */
export async function main(file = process.argv[2], port = Number(process.env.PORT ?? 8080), host = process.env.HOST ?? '127.0.0.1'): Promise<http.Server> {
  if (!file) throw new Error('usage: node build-examples/server.js MODEL_FILE (PORT and HOST from the environment)');
  const { network } = await loadModelAsync(file);
  const server = createPredictServer(network, { threads: Number(process.env.THREADS ?? 0) });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const address = server.address() as { address: string; port: number };
  console.log(`serving ${file} on http://${address.address}:${address.port} (POST /predict, GET /model)`);
  return server;
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err.message);
    process.exitCode = 1;
  });
}
