#!/usr/bin/env node
// The full form of the fuzz suites (issue 7): runs test/fuzz/*.test.ts with many more cases than
// `npm test` does, from a fresh seed unless one is given, and prints how to reproduce a failure.
//
//   npm run fuzz                        FUZZ_RUNS=20 (x the reduced counts), a random seed
//   FUZZ_RUNS=200 npm run fuzz          more cases
//   FUZZ_SEED=12345 npm run fuzz        a given seed (what a failure report prints)
//   FUZZ_TRACE=/tmp/case.txt npm run fuzz -- -t NativeNetwork
//                                       writes each case before it runs (find a crashing input)
//
// Extra arguments go to jest. Exit status: jest's.
'use strict';
const { spawnSync } = require('child_process');
const path = require('path');

const root = path.join(__dirname, '..');
const env = { ...process.env };
if (env.FUZZ_RUNS === undefined) env.FUZZ_RUNS = '20';
if (env.FUZZ_SEED === undefined) env.FUZZ_SEED = String(Math.floor(Math.random() * 2 ** 31));
console.log(`fuzz: FUZZ_RUNS=${env.FUZZ_RUNS} FUZZ_SEED=${env.FUZZ_SEED} (rerun with these to reproduce)`);
const jest = require.resolve('jest/bin/jest');
const r = spawnSync(process.execPath, [jest, '--runInBand', '--testTimeout=3600000', path.join(root, 'test', 'fuzz'), ...process.argv.slice(2)], {
  cwd: root,
  env,
  stdio: 'inherit',
});
if (r.error) {
  console.error(`fuzz: could not run jest: ${r.error.message}`);
  process.exit(1);
}
if (r.status !== 0) console.error(`fuzz: failed; reproduce with FUZZ_RUNS=${env.FUZZ_RUNS} FUZZ_SEED=${env.FUZZ_SEED} npm run fuzz`);
process.exit(r.status ?? 1);
