// Run by the package's install script when node-gyp-build finds no prebuilt binary and the
// compile from source fails (no compiler, make or python3): the install still succeeds, and
// spikegrad runs on its WebAssembly build (build-wasm/), which needs no compiler.
'use strict';
console.warn(
  [
    'spikegrad: no prebuilt binary for this platform, and the native compile failed (see above).',
    'spikegrad will use its WebAssembly build instead: the same results, about 1.3x slower.',
    "Check with require('spikegrad').backend ('wasm'). For the native addon, install a C++17",
    'compiler, make and python3, then run `npm rebuild spikegrad`.',
  ].join('\n'),
);
