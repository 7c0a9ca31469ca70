#!/usr/bin/env node
// Builds the WebAssembly backend: the same sources as the addon (native/sources.json: the core
// and the node-addon-api binding) compiled with emscripten against emnapi, a Node-API for
// WebAssembly, so the module has exactly the native binding's surface and coded errors.
// Output: build-wasm/spikegrad.js (CommonJS factory) and build-wasm/spikegrad.wasm, loaded by
// lib/base/wasm.ts and shipped in the npm package. Objects are kept in build-wasm/obj/ and rebuilt
// when a file under native/ (or this script) is newer.
//
// Needs emcc (Debian: `apt-get install emscripten`, 3.1.6 verified) or EMCC=/path/to/emcc.
// Debian's emcc needs its acorn from /usr/share/nodejs, which is added to NODE_PATH here.
'use strict';
const { spawn, spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.join(__dirname, '..');
const out = path.join(root, 'build-wasm');
const objDir = path.join(out, 'obj');
const emcc = process.env.EMCC || 'emcc';
const emnapi = path.dirname(require.resolve('emnapi/package.json'));
const addonApi = path.dirname(require.resolve('node-addon-api/package.json'));

const env = { ...process.env };
if (fs.existsSync('/usr/share/nodejs/acorn')) {
  env.NODE_PATH = ['/usr/share/nodejs', env.NODE_PATH].filter(Boolean).join(path.delimiter);
}

const probe = spawnSync(emcc, ['--version'], { env, encoding: 'utf8' });
if (probe.error || probe.status !== 0) {
  console.error(`build:wasm: cannot run ${emcc} (${probe.error ? probe.error.message : probe.stderr.trim()}).`);
  console.error('Install emscripten (Debian/Ubuntu: apt-get install emscripten) or set EMCC to its emcc.');
  process.exit(1);
}
console.log(`build:wasm: ${probe.stdout.split('\n')[0]}`);

const compileFlags = [
  '-std=c++17',
  '-O3',
  '-DNDEBUG',
  '-DNAPI_VERSION=8',
  // node-addon-api hides AsyncWorker without threads; emnapi's library provides async work on
  // the JavaScript side (run on the event loop; lib/base/wasm.ts moves it to worker threads).
  '-DNAPI_HAS_THREADS=1',
  '-DNAPI_CPP_EXCEPTIONS',
  '-DNODE_ADDON_API_CPP_EXCEPTIONS_ALL',
  '-DNODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS',
  '-DBUILDING_NODE_EXTENSION',
  '-DNAPI_EXTERN=__attribute__((__import_module__("env")))',
  '-fwasm-exceptions',
  // 128-bit SIMD (Node >= 16.4, Chrome 91, Firefox 89, Safari 16.4): the dense loops two doubles wide,
  // with the scalar build's results (no reassociation).
  '-msimd128',
  // No multiply-add contraction and no errno from math functions, as in binding.gyp and CMakeLists.txt.
  '-ffp-contract=off',
  '-fno-math-errno',
  `-I${path.join(emnapi, 'include', 'node')}`,
  `-I${addonApi}`,
  `-I${path.join(root, 'native')}`,
];

const linkFlags = [
  '-O3',
  '-fwasm-exceptions',
  `-L${path.join(emnapi, 'lib', 'wasm32-emscripten')}`,
  `--js-library=${path.join(root, 'native', 'wasm', 'emscripten_compat.js')}`,
  `--js-library=${path.join(emnapi, 'dist', 'library_napi.js')}`,
  '-sMODULARIZE=1',
  '-sEXPORT_NAME=createSpikegrad',
  '-sALLOW_MEMORY_GROWTH=1',
  // emnapi passes 64-bit integers as BigInt (the default of newer emscripten; Node >= 15).
  '-sWASM_BIGINT=1',
  '-sENVIRONMENT=node,web,worker',
  "-sEXPORTED_FUNCTIONS=['_malloc','_free','_napi_register_wasm_v1','_node_api_module_get_api_version_v1']",
  "-sEXPORTED_RUNTIME_METHODS=['emnapiInit']",
  '-lemnapi-basic',
];

function newestUnder(dir) {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestUnder(p));
    else newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

function run(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(emcc, args, { cwd: root, env, stdio: ['ignore', 'inherit', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      // emcc 3.1.6 warns about emnapi's library settings; show only real diagnostics.
      const shown = stderr
        .split('\n')
        .filter((l) => l.trim() && !/^(emcc|cache|shared):(WARNING|INFO)/.test(l))
        .join('\n');
      if (code !== 0) reject(new Error(`emcc ${args.slice(-3).join(' ')} failed (${code}):\n${stderr}`));
      else {
        if (shown) console.error(shown);
        resolve();
      }
    });
  });
}

async function main() {
  const started = Date.now();
  const sources = require(path.join(root, 'native', 'sources.json'));
  fs.mkdirSync(objDir, { recursive: true });
  // Any header may affect any object: rebuild when anything under native/ or the flags changed.
  const inputsTime = Math.max(newestUnder(path.join(root, 'native')), fs.statSync(__filename).mtimeMs);
  const objects = sources.map((src) => ({ src, obj: path.join(objDir, src.replace(/^native\//, '').replace(/[\\/]/g, '_').replace(/\.cc$/, '.o')) }));
  const stale = objects.filter(({ obj }) => !fs.existsSync(obj) || fs.statSync(obj).mtimeMs < inputsTime);
  const jobs = Math.max(1, Number(process.env.JOBS) || os.availableParallelism?.() || os.cpus().length);
  console.log(`build:wasm: compiling ${stale.length} of ${objects.length} sources (${jobs} jobs)`);
  const queue = [...stale];
  await Promise.all(
    Array.from({ length: Math.min(jobs, queue.length) }, async () => {
      for (let job = queue.shift(); job; job = queue.shift()) await run(['-c', ...compileFlags, job.src, '-o', job.obj]);
    }),
  );
  const js = path.join(out, 'spikegrad.js');
  const wasm = path.join(out, 'spikegrad.wasm');
  const newestObject = Math.max(...objects.map(({ obj }) => fs.statSync(obj).mtimeMs));
  const linkInputs = Math.max(newestObject, inputsTime, fs.statSync(path.join(emnapi, 'package.json')).mtimeMs);
  if (stale.length === 0 && [js, wasm].every((f) => fs.existsSync(f) && fs.statSync(f).mtimeMs >= linkInputs)) {
    console.log(`build:wasm: ${path.relative(root, js)} and spikegrad.wasm are up to date`);
    return;
  }
  // Linked in a scratch folder and moved into place together: a process loading the build never
  // sees a new .js with an old .wasm.
  const scratch = fs.mkdtempSync(path.join(out, 'link-'));
  try {
    await run([...objects.map((o) => o.obj), ...linkFlags, '-o', path.join(scratch, 'spikegrad.js')]);
    fs.renameSync(path.join(scratch, 'spikegrad.wasm'), wasm);
    fs.renameSync(path.join(scratch, 'spikegrad.js'), js);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  const size = (f) => `${(fs.statSync(f).size / 1024).toFixed(0)} KB`;
  console.log(`build:wasm: ${path.relative(root, js)} (${size(js)}) + spikegrad.wasm (${size(wasm)}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((err) => {
  console.error(`build:wasm: ${err.message}`);
  process.exit(1);
});
