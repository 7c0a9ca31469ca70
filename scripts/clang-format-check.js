#!/usr/bin/env node
// Checks (or with --fix, applies) clang-format on the project's own C++ sources: native/core,
// native/binding and test/native. Vendored code is never touched.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const dirs = ['native/core', 'native/binding', 'test/native', 'bench/native'];
const fix = process.argv.includes('--fix');

function walk(dir) {
  const abs = path.join(root, dir);
  if (!fs.existsSync(abs)) return [];
  return fs.readdirSync(abs, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(path.join(dir, e.name)) : /\.(cc|cpp|hpp|h)$/.test(e.name) ? [path.join(dir, e.name)] : [],
  );
}

const files = dirs.flatMap(walk);
const bin = process.env.CLANG_FORMAT || 'clang-format';
const args = fix ? ['-i', ...files] : ['--dry-run', '--Werror', ...files];
const r = spawnSync(bin, args, { cwd: root, stdio: 'inherit' });
if (r.error) {
  console.error(`lint:cpp: could not run ${bin} (${r.error.message}). Install it: apt-get install clang-format`);
  process.exit(1);
}
if (r.status !== 0) {
  console.error('lint:cpp: C++ formatting differs from .clang-format; run `npm run format`.');
  process.exit(r.status ?? 1);
}
console.log(`lint:cpp: ${files.length} files ${fix ? 'formatted' : 'formatted correctly'}`);
