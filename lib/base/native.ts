/**
 * Loads the native addon (a prebuilt binary from prebuilds/, or a local build from build/), or
 * when none loads the WebAssembly build of the same sources (lib/base/wasm.ts), and types its raw
 * functions. Nothing outside lib/ should import the raw binding: the public API
 * wraps and validates every call.
 */
import path = require('path');
import load = require('node-gyp-build');
import { codedError } from './errors';
import { loadWasmBinding, wasmPath } from './wasm';

import type { NativeBinding } from './native_types';

export type { NativeBatchHandle, NativeBinding, NativeForwardResult, NativeGradient, NativeModelConstants, NativeModelInfo, NativeNetworkHandle } from './native_types';

/** The package root: the same relative path works from lib/base/ (ts-jest) and from dist/base/ (tsc). */
const root = path.join(__dirname, '..', '..');

/** Which build runs the core: the native addon, or the WebAssembly build of the same sources. */
export type Backend = 'native' | 'wasm';

function loadNative(): { binding: NativeBinding; bindingPath: string } {
  const bindingPath = load.resolve(root);
  return { binding: load(root) as NativeBinding, bindingPath };
}

function loadWasm(): { binding: NativeBinding; bindingPath: string } {
  return { binding: loadWasmBinding() as NativeBinding, bindingPath: wasmPath };
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

function addonError(nativeCause: string, wasmCause: string | undefined): Error {
  return codedError(
    [
      'spikegrad: could not load its native addon' + (wasmCause === undefined ? '.' : ' nor its WebAssembly build.'),
      `Looked for build/Release/spikegrad.node, build/Debug/spikegrad.node and a prebuilt binary in ${path.join(root, 'prebuilds')}`,
      `for platform=${process.platform} arch=${process.arch} node=${process.versions.node} (Node-API 8).`,
      `Cause: ${nativeCause}`,
      ...(wasmCause === undefined ? [] : [`WebAssembly build (${wasmPath}): ${wasmCause}`]),
      'Possible solutions:',
      '- Prebuilt binaries ship for linux-x64 and linux-arm64 (glibc); elsewhere the WebAssembly build (build-wasm/, in the package) runs with no compiler.',
      '- For the native speed, install a compiler toolchain (e.g. `apt-get install g++ make python3`) and run `npm rebuild spikegrad`',
      '  (npm >= 11 may need "allowScripts": {"spikegrad": true} in your package.json to run the install script).',
      '- In a clone of the repository, run `npm run build` (native) or `npm run build:wasm` (WebAssembly).',
      '- Node.js >= 20.17 is required.',
    ].join('\n'),
    'ERR_SPIKEGRAD_ADDON',
  );
}

/**
 * The native addon when one loads, else the WebAssembly build; SPIKEGRAD_BACKEND=native|wasm
 * forces one (and fails rather than falling back).
 */
function loadBinding(): { binding: NativeBinding; bindingPath: string; backend: Backend } {
  const asked = (process.env.SPIKEGRAD_BACKEND ?? '').trim().toLowerCase();
  if (asked !== '' && asked !== 'native' && asked !== 'wasm') {
    throw codedError(`spikegrad: SPIKEGRAD_BACKEND must be 'native' or 'wasm' (or unset), got '${process.env.SPIKEGRAD_BACKEND}'`, 'ERR_SPIKEGRAD_ARG');
  }
  if (asked === 'wasm') {
    try {
      return { ...loadWasm(), backend: 'wasm' };
    } catch (err) {
      throw codedError(`spikegrad: SPIKEGRAD_BACKEND=wasm but the WebAssembly build could not be loaded from ${wasmPath}: ${message(err)}`, 'ERR_SPIKEGRAD_ADDON');
    }
  }
  let nativeCause: string;
  try {
    return { ...loadNative(), backend: 'native' };
  } catch (err) {
    nativeCause = message(err);
  }
  if (asked === 'native') throw addonError(nativeCause, undefined);
  try {
    return { ...loadWasm(), backend: 'wasm' };
  } catch (err) {
    throw addonError(nativeCause, message(err));
  }
}

const loaded = loadBinding();

/** The raw binding. */
export const native: NativeBinding = loaded.binding;
/** The file the binding was loaded from (a .node file, or build-wasm/spikegrad.wasm). */
export const bindingPath: string = loaded.bindingPath;
/** Which build runs the core: 'native' (the addon) or 'wasm' (the WebAssembly build). */
export const backend: Backend = loaded.backend;
