/**
 * The WebAssembly backend: the core and the binding (native/sources.json) compiled with
 * emscripten against emnapi, a Node-API for WebAssembly (scripts/build-wasm.js writes
 * build-wasm/spikegrad.js and build-wasm/spikegrad.wasm). It exports exactly what the native
 * addon exports, with the same coded errors; lib/base/native.ts falls back to it when no native
 * binary loads.
 */
import fs = require('fs');
import path = require('path');
import type { NativeBinding } from './native_types';
import { withWorkers } from './wasm_threads';

/** The emscripten module object (MODULARIZE factory, see scripts/build-wasm.js). */
interface EmscriptenModule {
  wasmBinary?: Uint8Array;
  instantiateWasm?: (imports: WebAssembly.Imports, done: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void) => WebAssembly.Exports;
  emnapiInit?: (options: { context: unknown }) => unknown;
  print?: (text: string) => void;
  printErr?: (text: string) => void;
}

/** The build folder, from lib/base/ (ts-jest) and from dist/base/ (tsc) alike. */
export const wasmDir = path.join(__dirname, '..', '..', 'build-wasm');
export const wasmPath = path.join(wasmDir, 'spikegrad.wasm');

let compiled: WebAssembly.Module | undefined;

/** The compiled module (compiled once per thread; instances share nothing). */
function compiledModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(fs.readFileSync(wasmPath));
  return compiled;
}

/**
 * The WebAssembly binding of this thread, with its async calls on worker threads (each worker
 * its own instance; lib/base/wasm_threads.ts).
 */
export function loadWasmBinding(): NativeBinding {
  const binding = loadWasmInstance() as NativeBinding;
  return withWorkers(binding, compiledModule(), path.join(wasmDir, 'spikegrad.js'), require.resolve('@emnapi/runtime'));
}

/**
 * A new, independent instance of the WebAssembly binding, created synchronously: the module is
 * compiled and instantiated here (instantiateWasm) rather than by emscripten's asynchronous
 * fetch, so the binding is ready when this returns.
 */
export function loadWasmInstance(): unknown {
  const factoryPath = path.join(wasmDir, 'spikegrad.js');
  if (!fs.existsSync(factoryPath) || !fs.existsSync(wasmPath)) {
    throw new Error(`no WebAssembly build at ${wasmDir} (run \`npm run build:wasm\`)`);
  }
  const factory = require(factoryPath) as (m: EmscriptenModule) => unknown;
  const mod: EmscriptenModule = {
    instantiateWasm(imports, done) {
      const m = compiledModule();
      const instance = new WebAssembly.Instance(m, imports);
      done(instance, m);
      return instance.exports;
    },
    print: (text) => process.stdout.write(`${text}\n`),
    printErr: (text) => process.stderr.write(`${text}\n`),
  };
  // The factory fills in `mod` (emscripten 3.1.6 MODULARIZE uses the object it is given) and, with
  // the synchronous instantiateWasm above, runs the module before it returns.
  factory(mod);
  if (typeof mod.emnapiInit !== 'function') throw new Error(`${factoryPath} did not initialise (no emnapiInit)`);
  const { getDefaultContext } = require('@emnapi/runtime') as { getDefaultContext(): unknown };
  return mod.emnapiInit({ context: getDefaultContext() });
}
