#!/usr/bin/env node
// Load-tests the linux-arm64 prebuild (prebuilds/linux-arm64/spikegrad.node, from
// `npm run prebuildify:arm64`) under qemu-user with an arm64 node, and compares a small forward
// pass and its exact gradient (theta and QIF, recurrent, with inputs) with the x64 addon on
// this machine: every output time and every gradient entry must agree to 1e-12 relative.
//
//   node scripts/check-arm64.js [--node-root DIR]
//
// The arm64 node is Debian's nodejs:arm64 (Node 18, Node-API 9) unpacked with `dpkg -x` into
// DIR (default build-arm64-node/, made by scripts/arm64-node.sh) rather than installed, because
// the multiarch package would replace the host's node; glibc and libstdc++ for arm64 come from
// Debian's cross packages in /usr/aarch64-linux-gnu.
// With `--emit BINDING` it only runs the cases on BINDING and prints them as JSON (used on both
// sides).
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');

/** Deterministic numbers in [-1, 1) (an LCG), so both sides build the same inputs. */
function numbers(seed, count) {
  let s = seed >>> 0;
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** A recurrent network of n neurons driven by nIn input channels, with a cotangent on every output. */
function spec(binding, model, seed) {
  const n = 5;
  const nIn = 3;
  const r = numbers(seed, n * n + n * nIn + 8);
  const weights = r.slice(0, n * n).map((x, k) => (k % (n + 1) === 0 ? 0 : 0.6 * x));
  const inputWeights = r.slice(n * n, n * n + n * nIn).map((x) => 1.5 + x);
  const times = Array.from(r.slice(n * n + n * nIn), (x) => 2.5 * (x + 1)).sort((a, b) => a - b);
  // The model's default state of every neuron (n values per state variable), moved a little
  // inside its domain.
  const c = binding.modelConstants(model);
  const jitter = numbers(seed + 2, n * c.defaultState.length);
  const initial = new Float64Array(n * c.defaultState.length);
  c.defaultState.forEach((d, v) => {
    for (let i = 0; i < n; i++) {
      const x = d + 0.1 * jitter[v * n + i];
      initial[v * n + i] = Math.min(Math.max(x, c.stateMin[v]), c.stateMax[v]);
    }
  });
  return {
    model,
    n,
    nIn,
    weights,
    inputWeights,
    initial,
    inputTimes: Float64Array.from(times),
    inputChannels: Int32Array.from(times, (_, k) => k % nIn),
    readoutNeurons: Int32Array.from([0, 1, 2, 3, 4]),
    readoutCounts: Int32Array.from([2, 2, 2, 2, 2]),
    T: 8,
    maxEvents: 10000,
    cotangent: numbers(seed + 1, 10),
  };
}

function emit(bindingPath) {
  const binding = require(path.resolve(bindingPath));
  const out = {};
  for (const [model, seed] of [
    ['theta', 11],
    ['qif', 12],
  ]) {
    const r = binding.simulate(spec(binding, model, seed));
    const g = r.grad;
    out[model] = {
      spikeTimes: Array.from(r.spikeTimes),
      outputTimes: Array.from(r.outputTimes),
      weights: Array.from(g.weights),
      inputWeights: Array.from(g.inputWeights),
      initial: Array.from(g.initial),
      inputTimes: Array.from(g.inputTimes),
    };
  }
  // JSON keeps every double exactly (shortest round-trip representation); Infinity as a string.
  process.stdout.write(JSON.stringify(out, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)));
}

function run(cmd, args, env) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 1 << 26 });
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (status ${r.status}, signal ${r.signal}):\n${r.stdout}\n${r.stderr}`);
  }
  return JSON.parse(r.stdout);
}

function compare(x64, arm64) {
  let worst = 0;
  let count = 0;
  for (const model of Object.keys(x64)) {
    for (const key of Object.keys(x64[model])) {
      const a = x64[model][key];
      const b = arm64[model][key];
      if (a.length !== b.length) throw new Error(`${model}.${key}: ${a.length} values on x64, ${b.length} on arm64`);
      for (let i = 0; i < a.length; i++) {
        count++;
        if (typeof a[i] === 'string' || typeof b[i] === 'string') {
          if (a[i] !== b[i]) throw new Error(`${model}.${key}[${i}]: x64 ${a[i]}, arm64 ${b[i]}`);
          continue;
        }
        const rel = Math.abs(a[i] - b[i]) / Math.max(Math.abs(a[i]), 1e-300);
        if (a[i] !== b[i]) worst = Math.max(worst, rel);
        if (rel > 1e-12) throw new Error(`${model}.${key}[${i}]: x64 ${a[i]}, arm64 ${b[i]} (relative difference ${rel})`);
      }
    }
  }
  return { worst, count };
}

function main() {
  const args = process.argv.slice(2);
  if (args[0] === '--emit') return emit(args[1]);
  const at = args.indexOf('--node-root');
  const nodeRoot = path.resolve(at >= 0 ? args[at + 1] : path.join(root, 'build-arm64-node'));
  const sysroot = '/usr/aarch64-linux-gnu';
  const armPrebuild = path.join(root, 'prebuilds', 'linux-arm64', 'spikegrad.node');
  const x64 = ['prebuilds/linux-x64/spikegrad.node', 'build/Release/spikegrad.node'].map((p) => path.join(root, p)).find((p) => fs.existsSync(p));
  for (const [what, p] of [
    ['the arm64 prebuild (npm run prebuildify:arm64)', armPrebuild],
    ['an arm64 node (scripts/arm64-node.sh)', path.join(nodeRoot, 'usr', 'bin', 'node')],
    ['the arm64 C and C++ runtime (apt-get install libc6-arm64-cross g++-aarch64-linux-gnu)', path.join(sysroot, 'lib', 'ld-linux-aarch64.so.1')],
  ]) {
    if (!fs.existsSync(p)) throw new Error(`check-arm64: no ${what} at ${p}`);
  }
  if (x64 === undefined) throw new Error('check-arm64: no x64 addon (npm run prebuildify or npm run build:native)');
  const host = run(process.execPath, [__filename, '--emit', x64]);
  const libs = [path.join(nodeRoot, 'usr', 'lib', 'aarch64-linux-gnu'), path.join(nodeRoot, 'lib', 'aarch64-linux-gnu'), path.join(sysroot, 'lib')];
  // -L nodeRoot: the arm64 node opens its externalised builtins under /usr/share/nodejs, which
  // qemu finds in nodeRoot; nodeRoot/lib/ld-linux-aarch64.so.1 links to the cross loader.
  const arm = run('qemu-aarch64', ['-L', nodeRoot, path.join(nodeRoot, 'usr', 'bin', 'node'), __filename, '--emit', armPrebuild], {
    LD_LIBRARY_PATH: libs.join(':'),
  });
  const { worst, count } = compare(host, arm);
  console.log(`check-arm64: ${path.relative(root, armPrebuild)} under qemu-aarch64 agrees with ${path.relative(root, x64)} on ${count} outputs and gradient entries (largest relative difference ${worst.toExponential(2)}, limit 1e-12)`);
}

try {
  main();
} catch (err) {
  console.error(err.message);
  process.exit(1);
}
