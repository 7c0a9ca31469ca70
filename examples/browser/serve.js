#!/usr/bin/env node
// A static server for the browser example: `node examples/browser/serve.js [port]`, then open the
// printed address. It serves this folder's page and script, the WebAssembly build
// (build-wasm/spikegrad.js and .wasm, from `npm run build:wasm` or the installed package) and
// emnapi's runtime (@emnapi/runtime), and nothing else. Any static server that serves those
// files side by side works as well; .wasm should be served as application/wasm.
// With ?autotest in the page's address the page POSTs its training record to /result, which
// serve({ onResult }) hands to its caller (test/examples/browser.test.ts).
'use strict';
const fs = require('fs');
const http = require('http');
const path = require('path');

const root = path.join(__dirname, '..', '..');
const files = {
  '/': [path.join(__dirname, 'index.html'), 'text/html; charset=utf-8'],
  '/index.html': [path.join(__dirname, 'index.html'), 'text/html; charset=utf-8'],
  '/train.js': [path.join(__dirname, 'train.js'), 'text/javascript; charset=utf-8'],
  '/spikegrad.js': [path.join(root, 'build-wasm', 'spikegrad.js'), 'text/javascript; charset=utf-8'],
  '/spikegrad.wasm': [path.join(root, 'build-wasm', 'spikegrad.wasm'), 'application/wasm'],
  // The UMD build (global `emnapi`); the package's exports map does not list it, so by path.
  '/emnapi.js': [path.join(path.dirname(require.resolve('@emnapi/runtime')), 'dist', 'emnapi.min.js'), 'text/javascript; charset=utf-8'],
};

/** Starts the server on 127.0.0.1; resolves with { server, url }. */
function serve({ port = 0, onResult } = {}) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    if (req.method === 'POST' && url.pathname === '/result') {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        res.writeHead(204).end();
        if (onResult) onResult(JSON.parse(body));
      });
      return;
    }
    const entry = files[url.pathname];
    if (req.method !== 'GET' || !entry) return void res.writeHead(404).end('not found');
    fs.readFile(entry[0], (err, data) => {
      if (err) return void res.writeHead(404).end(`${url.pathname}: ${err.code} (run \`npm run build:wasm\`?)`);
      res.writeHead(200, { 'content-type': entry[1], 'cache-control': 'no-store' }).end(data);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${server.address().port}/` }));
  });
}

module.exports = { serve };

if (require.main === module) {
  serve({ port: Number(process.argv[2] || 8080) }).then(({ url }) => console.log(`spikegrad in the browser: ${url}`));
}
