#!/usr/bin/env node
// Proves the npm tarball works for a user:
//  1. With the prebuilt binary: pack, install into an empty project whose PATH holds only node,
//     npm, npx and sh (no compiler, make, cmake or python), require it and call the native core;
//     check nothing was compiled. Then, with the same PATH, train on the bundled digits the ways
//     a user would: `npx spikegrad mnist --epochs 1 --batch-size 100 --samples 2000`, `npm start`
//     inside the installed package, and the README's example program (compiled here).
//     The same training with SPIKEGRAD_BACKEND=wasm (the WebAssembly build in build-wasm/) gives
//     the same test accuracy within two test samples.
//  2. Without a prebuild: the same tarball minus prebuilds/, installed with the full toolchain,
//     must compile from source through node-gyp and work.
//  3. Without a prebuild and with no toolchain on PATH: the install succeeds (the failed compile
//     is reported, not fatal), `backend` is 'wasm', and training works.
// Run `npm run prebuildify` first (CI does); this script refuses to run without a prebuild.
// `npm pack` runs prepack, which builds dist/ and the WebAssembly build (needs emcc).
'use strict';
const { execFileSync, spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.join(__dirname, '..');
const prebuild = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`, 'spikegrad.node');
if (!fs.existsSync(prebuild)) {
  console.error(`check:pack: no prebuild at ${path.relative(root, prebuild)}; run \`npm run prebuildify\` first`);
  process.exit(1);
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spikegrad-pack-'));
const step = (msg) => console.log(`check:pack: ${msg}`);

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  if (r.status !== 0) {
    console.error(r.stdout, r.stderr);
    throw new Error(`${cmd} ${args.join(' ')} failed with status ${r.status}`);
  }
  return r.stdout;
}

const smoke =
  "const s=require('spikegrad');" +
  // A theta neuron (period pi) from phase 0 spikes first at t = pi.
  "const r=s.simulate({model:'theta',n:1,nIn:0,weights:new Float64Array(1),inputWeights:new Float64Array(0)," +
  "initial:new Float64Array([0]),inputTimes:new Float64Array(0),inputChannels:new Int32Array(0)," +
  "readoutNeurons:new Int32Array([0]),readoutCounts:new Int32Array([1]),T:4,maxEvents:10});" +
  "if(Math.abs(r.outputTimes[0]-Math.PI)>1e-12)throw new Error('wrong result');" +
  "console.log(s.version+' '+s.bindingPath)";

function consumer(name, tarball, envPath, extraEnv = {}) {
  const app = path.join(tmp, name);
  fs.mkdirSync(app);
  fs.writeFileSync(
    path.join(app, 'package.json'),
    JSON.stringify({ name: `consumer-${name}`, private: true, allowScripts: { spikegrad: true } }),
  );
  const env = { PATH: envPath, HOME: path.join(tmp, `home-${name}`), ...extraEnv };
  fs.mkdirSync(env.HOME);
  const npmCli = path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');
  const npmArgs = fs.existsSync(npmCli) ? [npmCli] : [require.resolve('npm/bin/npm-cli.js')];
  sh(process.execPath, [...npmArgs, 'install', '--no-audit', '--no-fund', '--cache', path.join(tmp, `cache-${name}`), tarball], {
    cwd: app,
    env,
  });
  const out = sh(process.execPath, ['-e', smoke], { cwd: app, env }).trim();
  // The ESM entry point works too.
  sh(process.execPath, ['--input-type=module', '-e', "import { version } from 'spikegrad'; if (!version) throw new Error('no version')"], { cwd: app, env });
  const bin = sh(process.execPath, [path.join(app, 'node_modules', 'spikegrad', 'dist', 'cli', 'main.js'), '--version'], { cwd: app, env }).trim();
  return { app, out, bin };
}

try {
  step('packing');
  const packOut = execFileSync('npm', ['pack', '--json', '--pack-destination', tmp], { cwd: root, encoding: 'utf8' });
  const info = JSON.parse(packOut.slice(packOut.indexOf('[')))[0];
  const tarball = path.join(tmp, info.filename);
  const files = info.files.map((f) => f.path);
  for (const want of ['dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'prebuilds/linux-x64/spikegrad.node', 'binding.gyp', 'CMakeLists.txt', 'native/sources.json', 'native/vendor/eigen/Eigen/Dense', 'native/vendor/eigen/LICENSE.MPL2', 'data/mnist-10k/train-images-idx3-ubyte.gz', 'data/mnist-10k/train-labels-idx1-ubyte.gz', 'data/mnist-10k/LICENSE', 'build-wasm/spikegrad.js', 'build-wasm/spikegrad.wasm']) {
    if (!files.includes(want)) throw new Error(`tarball lacks ${want}`);
  }
  // The linux-arm64 prebuild (npm run prebuildify:arm64, CI makes it) ships beside the x64 one.
  if (fs.existsSync(path.join(root, 'prebuilds', 'linux-arm64', 'spikegrad.node')) && !files.includes('prebuilds/linux-arm64/spikegrad.node')) {
    throw new Error('tarball lacks prebuilds/linux-arm64/spikegrad.node');
  }
  step(`${info.filename}: ${files.length} files, ${(info.size / 1e6).toFixed(2)} MB`);

  // A PATH with nothing but node, npm, npx and sh.
  const bin = path.join(tmp, 'bin');
  fs.mkdirSync(bin);
  fs.symlinkSync(fs.realpathSync(process.execPath), path.join(bin, 'node'));
  fs.symlinkSync('/bin/sh', path.join(bin, 'sh'));
  const npmBin = path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin');
  const npmDir = fs.existsSync(path.join(npmBin, 'npm-cli.js')) ? npmBin : path.dirname(require.resolve('npm/bin/npm-cli.js'));
  fs.symlinkSync(fs.realpathSync(path.join(npmDir, 'npm-cli.js')), path.join(bin, 'npm'));
  fs.symlinkSync(fs.realpathSync(path.join(npmDir, 'npx-cli.js')), path.join(bin, 'npx'));
  for (const tool of ['g++', 'c++', 'cc', 'make', 'cmake', 'python3']) {
    if (spawnSync(path.join(bin, 'sh'), ['-c', `command -v ${tool}`], { env: { PATH: bin } }).status === 0) {
      throw new Error(`${tool} is visible on the restricted PATH`);
    }
  }
  const pre = consumer('prebuilt', tarball, bin);
  if (!pre.out.includes(path.join('prebuilds', 'linux-x64', 'spikegrad.node'))) throw new Error(`did not load the prebuild: ${pre.out}`);
  if (fs.existsSync(path.join(pre.app, 'node_modules', 'spikegrad', 'build'))) throw new Error('something was compiled');
  step(`prebuilt binary loads with no toolchain on PATH: ${pre.out}; CLI --version ${pre.bin}`);

  // Training on the bundled digits, in the installed package, with the same PATH.
  const env = { PATH: bin, HOME: path.join(tmp, 'home-prebuilt'), npm_config_cache: path.join(tmp, 'cache-prebuilt'), npm_config_update_notifier: 'false' };
  const digits = sh(process.execPath, ['-e', "const d=require('spikegrad').loadBundledDigits();if(d.size!==10000||d.pixels!==784)throw new Error('bundled digits: '+d.size);console.log(d.size)"], { cwd: pre.app, env }).trim();
  step(`loadBundledDigits() in the installed package: ${digits} digits`);
  const percent = (text, what) => {
    const m = /test accuracy: ([\d.]+)% with pseudospikes/.exec(text);
    if (!m) throw new Error(`${what} printed no test accuracy:\n${text}`);
    return Number(m[1]);
  };
  const accuracy = (text, what) => `${percent(text, what).toFixed(2)}%`;
  const samples = 2000;
  const testSamples = Math.round(0.2 * samples); // the CLI's default --test-fraction
  const npxMnist = (app, envFor, out) =>
    sh(path.join(bin, 'npx'), ['spikegrad', 'mnist', '--epochs', '1', '--batch-size', '100', '--samples', String(samples), '--quiet', '--out', out], { cwd: app, env: envFor });
  const mnist = npxMnist(pre.app, env, path.join(tmp, 'reports-npx'));
  if (!fs.existsSync(path.join(tmp, 'reports-npx', 'mnist.html'))) throw new Error('npx spikegrad mnist wrote no report');
  step(`npx spikegrad mnist --epochs 1 --batch-size 100 --samples ${samples}: ${accuracy(mnist, 'npx spikegrad mnist')}`);
  const backendOf = (app, envFor) => sh(process.execPath, ['-p', "require('spikegrad').backend"], { cwd: app, env: envFor }).trim();
  const wasmEnv = { ...env, SPIKEGRAD_BACKEND: 'wasm' };
  if (backendOf(pre.app, wasmEnv) !== 'wasm') throw new Error('SPIKEGRAD_BACKEND=wasm did not select the WebAssembly build');
  const mnistWasm = npxMnist(pre.app, wasmEnv, path.join(tmp, 'reports-npx-wasm'));
  const diff = Math.abs(percent(mnist, 'native') - percent(mnistWasm, 'wasm'));
  // Two test samples of testSamples, in percent (with slack for the two-decimal rounding).
  if (!(diff <= (2 / testSamples) * 100 + 0.006)) throw new Error(`wasm and native accuracies differ by ${diff.toFixed(2)} points (more than two of ${testSamples} test samples)`);
  step(`the same with SPIKEGRAD_BACKEND=wasm: ${accuracy(mnistWasm, 'wasm')} (native ${accuracy(mnist, 'native')}; ${testSamples} test samples)`);
  const installed = path.join(pre.app, 'node_modules', 'spikegrad');
  // npm start's 20 epochs are a default that the command line overrides: 3 epochs of 1,600 digits.
  const start = sh(path.join(bin, 'npm'), ['start', '--', '--epochs', '3', '--samples', '2000', '--quiet', '--out', path.join(tmp, 'reports-start')], { cwd: installed, env });
  step(`npm start (in node_modules/spikegrad, --epochs 3, 2000 digits): ${accuracy(start, 'npm start')}`);
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'examples', 'tsconfig.json'), '--outDir', path.join(pre.app, 'examples')], { cwd: root });
  const example = sh(
    process.execPath,
    ['-e', "require('./examples/using-spikegrad.js').main(2000, 2, 'model.json').then((m)=>{if(!(m.accuracy>0.3))throw new Error('accuracy '+m.accuracy);console.log(m.accuracy.toFixed(3))})"],
    { cwd: pre.app, env },
  ).trim();
  if (!fs.existsSync(path.join(pre.app, 'model.json'))) throw new Error('the example saved no model');
  step(`examples/using-spikegrad.ts (2000 digits, 2 epochs, as in test/examples.test.ts) in the consumer project: accuracy ${example.split('\n').pop()}`);

  // The same package without prebuilds/: the install script must compile from source.
  const unpacked = path.join(tmp, 'unpacked');
  fs.mkdirSync(unpacked);
  sh('tar', ['xzf', tarball, '-C', unpacked]);
  fs.rmSync(path.join(unpacked, 'package', 'prebuilds'), { recursive: true, force: true });
  const srcTarball = path.join(tmp, 'spikegrad-source-only.tgz');
  sh('tar', ['czf', srcTarball, '-C', unpacked, 'package']);
  const nodedir = path.resolve(process.execPath, '..', '..');
  const src = consumer('source', srcTarball, process.env.PATH, { npm_config_nodedir: nodedir });
  if (!src.out.includes(path.join('build', 'Release', 'spikegrad.node'))) throw new Error(`did not build from source: ${src.out}`);
  step(`fallback compile from source works: ${src.out}`);

  // No prebuild and no toolchain: the install script's compile fails, the install does not, and
  // the WebAssembly build runs.
  const wasmOnly = consumer('wasm-only', srcTarball, bin);
  if (!wasmOnly.out.includes(path.join('build-wasm', 'spikegrad.wasm'))) throw new Error(`did not fall back to WebAssembly: ${wasmOnly.out}`);
  const wasmOnlyEnv = { ...env, HOME: path.join(tmp, 'home-wasm-only'), npm_config_cache: path.join(tmp, 'cache-wasm-only') };
  const fallback = backendOf(wasmOnly.app, wasmOnlyEnv);
  if (fallback !== 'wasm') throw new Error(`backend is '${fallback}' without a prebuild or compiler`);
  const mnistFallback = npxMnist(wasmOnly.app, wasmOnlyEnv, path.join(tmp, 'reports-wasm-only'));
  step(`no prebuild, no toolchain: install works, backend 'wasm', npx spikegrad mnist: ${accuracy(mnistFallback, 'wasm-only')}`);
  step('OK');
} finally {
  if (!process.env.KEEP_PACK_TMP) fs.rmSync(tmp, { recursive: true, force: true });
}
