#!/usr/bin/env node
// Builds the Node-free native test programs (test/native/*_test.cpp linked against the core)
// with plain CMake in build-native/ and runs them with ctest. Extra arguments go to CMake's
// configure step, e.g. `npm run test:native -- -DCMAKE_BUILD_TYPE=Debug`.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const buildDir = path.join(root, process.env.SPIKEGRAD_NATIVE_BUILD_DIR || 'build-native');
const hasNinja = spawnSync('ninja', ['--version']).status === 0;

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.error) {
    console.error(`test:native: could not run ${cmd}: ${r.error.message}`);
    process.exit(1);
  }
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const configure = ['-S', root, '-B', buildDir, ...(hasNinja && !fs.existsSync(path.join(buildDir, 'Makefile')) ? ['-G', 'Ninja'] : []), ...process.argv.slice(2)];
run('cmake', configure);
run('cmake', ['--build', buildDir, '--parallel']);
run('ctest', ['--test-dir', buildDir, '--output-on-failure']);
