#!/usr/bin/env node
// `npm run bench`: spikegrad's benchmark suite. Prints a table and writes reports/bench.json.
//
//  1. MNIST step (784-100-100-10 theta network, batch 1000, trained weights from a short run):
//     forward + backward + optimiser step through the public API, 1 thread and all threads.
//  2. The same batch in the native engine, against a dense baseline (every event updates every
//     neuron, written in bench/native/bench.cpp) and against the floor (one synaptic event,
//     forward and backward, in a tight loop) times the synaptic events per sample.
//  3. Scaling: sparse recurrent theta and QIF networks, n = 1,000 .. 100,000, 100 synapses per
//     neuron, a fixed number of spikes: time and tape memory per spike.
//  4. Peak RSS of a process doing the MNIST step with batch 1000.
//  5. The event loop while a batch runs: the synchronous forward blocks it for its whole duration,
//     forwardAsync leaves it free (ticks of a 1 ms timer and the largest event-loop delay during
//     the run). These were wall-clock thresholds in test/network.test.ts once; they belong here.
//  6. The MNIST step of 1. (1 thread) on the WebAssembly backend, in a child process with
//     SPIKEGRAD_BACKEND=wasm (the backend is chosen once per process), beside the native one.
// Environment: BENCH_REPS (default 5), BENCH_QUICK=1 for a fast smoke run.
'use strict';
const { spawnSync, execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.join(__dirname, '..');
const s = require(path.join(root, 'dist'));
const { bundledSplit, mnistNetwork } = require(path.join(root, 'dist', 'experiments', 'mnist.js'));
const quick = process.env.BENCH_QUICK === '1';
const reps = Number(process.env.BENCH_REPS || (quick ? 2 : 5));
const buildDir = path.join(root, 'build-native');
const cacheDir = path.join(root, 'build-bench');
fs.mkdirSync(cacheDir, { recursive: true });

function log(msg) {
  process.stderr.write(`bench: ${msg}\n`);
}
/**
 * Warm-up runs before each timed series: the first steps of a process page-fault their buffers
 * in (batch 1000: about 18,000 minor faults in the first step, 3,000 in the second, 500 in the
 * third, about none after) and ran up to 3x slower, which one warm-up run left inside the median.
 */
const WARMUP = 3;
function median(xs) {
  const a = [...xs].sort((x, y) => x - y);
  return a[Math.floor(a.length / 2)];
}

// ---- Build the native benchmark program ----------------------------------------------------
log('building the native benchmark');
const ninja = spawnSync('ninja', ['--version']).status === 0;
for (const args of [
  ['-S', root, '-B', buildDir, ...(ninja && !fs.existsSync(path.join(buildDir, 'Makefile')) ? ['-G', 'Ninja'] : []), '-DCMAKE_BUILD_TYPE=Release'],
  ['--build', buildDir, '--target', 'spikegrad_bench', '--parallel'],
]) {
  const r = spawnSync('cmake', args, { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`cmake ${args.join(' ')} failed`);
}
const benchBin = path.join(buildDir, 'spikegrad_bench');

// ---- A trained network (cached): one epoch on the bundled digits -----------------------------
const data = bundledSplit(0.2, 0);
const trainedFile = path.join(cacheDir, 'mnist-trained.json');
async function trained() {
  if (fs.existsSync(trainedFile)) return s.loadModel(trainedFile).network;
  log('training the MNIST network for one epoch (cached in build-bench/)');
  const trainer = new s.Trainer({
    network: mnistNetwork(0),
    loss: s.firstSpikeCrossEntropy(),
    optimizer: s.adaBelief({ lr: 4e-3 }),
    batchSize: 100,
    seed: 0,
  });
  await trainer.fit({ train: s.imageDataset({ ...data.train, T: 2, flipProbability: 0.02 }), epochs: quick ? 1 : 2, progress: false });
  s.saveModel(trainedFile, trainer.network);
  return trainer.network;
}

function problemFile(net, batch, labels, cot) {
  // Binary layout read by bench.cpp: tau, I0, T, t0; W_in (100x784), W_hh, W_out, phi0 (210);
  // B, counts[B], active pixels, cotangent (B x 10).
  const B = batch.samples;
  const parts = [];
  const f64 = (a) => parts.push(Buffer.from(Float64Array.from(a).buffer));
  const i32 = (a) => parts.push(Buffer.from(Int32Array.from(a).buffer));
  const p = net.neuron.params;
  f64([p.tau, p.I0, net.T, batch.times[0]]);
  f64(s.layerWeights(net, 0).data);
  f64(s.layerWeights(net, 1).data);
  f64(s.layerWeights(net, 2).data);
  f64(net.params.initial);
  i32([B]);
  const counts = [];
  const active = [];
  for (let k = 0; k < B; k++) {
    const lo = batch.eventStart[batch.sampleStart[k]];
    const hi = batch.eventStart[batch.sampleStart[k + 1]];
    counts.push(hi - lo);
    for (let q = lo; q < hi; q++) active.push(batch.channels[q]);
  }
  i32(counts);
  i32(active);
  f64(cot);
  void labels;
  const file = path.join(cacheDir, 'mnist-problem.bin');
  fs.writeFileSync(file, Buffer.concat(parts));
  return file;
}

/** The same network in another engine ('general' or 'layered'). */
function inEngine(net, engine) {
  const p = net.params;
  return new s.Network({ ...net.structure, engine }, { weights: p.weights.slice(), inputWeights: p.inputWeights.slice(), initial: p.initial.slice(), inputTimes: p.inputTimes.slice() });
}

async function mnistStep(net, batch, labels, threads) {
  const loss = s.firstSpikeCrossEntropy();
  const opt = s.adaBelief({ lr: 0 }); // lr 0: the step's cost without changing the network
  const times = [];
  for (let r = 0; r < reps + WARMUP; r++) {
    const t0 = process.hrtime.bigint();
    const { grad } = await net.lossAndGradient(batch, loss, labels, { threads });
    opt.step(net.parameterList(), s.Network.gradientList(grad));
    net.constrain();
    const t1 = process.hrtime.bigint();
    if (r >= WARMUP) times.push(Number(t1 - t0) / 1e3 / batch.samples);
  }
  return median(times);
}

/**
 * The whole training step as a user runs it: Trainer.trainBatch on the first B training digits
 * (gathering the images, the TTFS encoding with the paper's pixel flips, forward, loss, backward,
 * AdaBelief and the phi0 projection). lr 0: the step's cost without changing the network.
 */
async function trainerStep(net, B, threads) {
  const trainer = new s.Trainer({ network: inEngine(net, net.engine), loss: s.firstSpikeCrossEntropy(), optimizer: s.adaBelief({ lr: 0 }), batchSize: B, seed: 0, threads });
  const train = s.imageDataset({ images: data.train.images.subarray(0, B * 784), labels: data.train.labels.subarray(0, B), pixels: 784, T: 2, flipProbability: 0.02 });
  const indices = Int32Array.from({ length: B }, (_, k) => k);
  const times = [];
  for (let r = 0; r < reps + WARMUP; r++) {
    const t0 = process.hrtime.bigint();
    await trainer.trainBatch(train, indices);
    if (r >= WARMUP) times.push(Number(process.hrtime.bigint() - t0) / 1e3 / B);
  }
  return median(times);
}

/**
 * Trainer.fit over the bundled training digits (8,000, batch 1000, the paper's flips; lr 0), as a
 * user's epoch runs: unlike trainBatch, fit encodes the next batch while the core computes the
 * current one. Median over the repetitions of one epoch each, after a warm-up epoch; us/sample.
 */
async function fitEpoch(net, threads) {
  const trainer = new s.Trainer({ network: inEngine(net, net.engine), loss: s.firstSpikeCrossEntropy(), optimizer: s.adaBelief({ lr: 0 }), batchSize: 1000, seed: 0, threads });
  const train = s.imageDataset({ ...data.train, T: 2, flipProbability: 0.02 });
  const times = [];
  for (let r = 0; r < (quick ? 1 : reps) + 1; r++) {
    const t0 = process.hrtime.bigint();
    await trainer.fit({ train, epochs: r + 1, progress: false });
    if (r > 0) times.push(Number(process.hrtime.bigint() - t0) / 1e3 / train.size);
  }
  return median(times);
}

/** Event-loop responsiveness during a forward run of `batch` (medians over the repetitions). */
async function eventLoop(net, batch) {
  const { monitorEventLoopDelay } = require('perf_hooks');
  const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;
  const sync = [];
  const runs = [];
  for (let r = 0; r < reps; r++) {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    await new Promise((resolve) => setTimeout(resolve, 5));
    let before = ticks;
    let t0 = process.hrtime.bigint();
    net.forward(batch, { threads: 2 });
    sync.push({ ms: ms(t0), ticks: ticks - before });
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    before = ticks;
    t0 = process.hrtime.bigint();
    await net.forwardAsync(batch, { threads: 2 });
    const asyncMs = ms(t0);
    delay.disable();
    clearInterval(timer);
    runs.push({ ms: asyncMs, ticks: ticks - before, maxDelay: delay.max / 1e6 });
  }
  return {
    samples: batch.samples,
    threads: 2,
    forward_sync_ms: median(sync.map((x) => x.ms)),
    timer_ticks_during_sync: Math.max(...sync.map((x) => x.ticks)),
    forward_async_ms: median(runs.map((x) => x.ms)),
    timer_ticks_during_async: median(runs.map((x) => x.ticks)),
    max_event_loop_delay_ms_during_async: median(runs.map((x) => x.maxDelay)),
  };
}

async function main() {
  const net = await trained();
  const B = quick ? 200 : 1000;
  const images = data.train.images.subarray(0, B * 784);
  const labels = data.train.labels.subarray(0, B);
  const batch = s.ttfsBatch(images, 784, { T: 2 });
  const cores = os.cpus().length;

  log('MNIST step through the public API');
  const step1 = await mnistStep(net, batch, labels, 1);
  const stepN = await mnistStep(net, batch, labels, 0);
  const trainer1 = await trainerStep(net, B, 1);
  const trainerN = await trainerStep(net, B, 0);
  const fit1 = await fitEpoch(net, 1);
  const fitN = await fitEpoch(net, 0);
  const general = inEngine(net, 'general');
  const stepGeneral1 = await mnistStep(general, batch, labels, 1);
  const out = net.forward(batch);
  const activity = Array.from(out.spikeCount.subarray(0, 200)).reduce((a, b) => a + b, 0) / (B * 200);
  const cot = s.firstSpikeCrossEntropy().compute(out, labels).grad;

  log('the event loop during a forward run');
  const loop = await eventLoop(net, batch);

  log('native engine vs dense baseline vs floor');
  const file = problemFile(net, batch, labels, cot);
  const native = JSON.parse(execFileSync(benchBin, ['mnist', file, '0', String(reps)], { encoding: 'utf8' }));

  log('peak RSS of the MNIST step');
  const rssScript = `
    const s = require(${JSON.stringify(path.join(root, 'dist'))});
    const net = s.loadModel(${JSON.stringify(trainedFile)}).network;
    const { bundledSplit } = require(${JSON.stringify(path.join(root, 'dist', 'experiments', 'mnist.js'))});
    const d = bundledSplit(0.2, 0);
    const hwm = () => Number(/VmHWM:\\s+(\\d+)/.exec(require('fs').readFileSync('/proc/self/status', 'utf8'))[1]) * 1024;
    const before = hwm();
    const batch = s.ttfsBatch(d.train.images.subarray(0, ${B} * 784), 784, { T: 2 });
    net.lossAndGradient(batch, s.firstSpikeCrossEntropy(), d.train.labels.subarray(0, ${B})).then(() => {
      console.log(JSON.stringify({ before, after: hwm() }));
    });`;
  const rss = JSON.parse(execFileSync(process.execPath, ['-e', rssScript], { encoding: 'utf8' }));

  log('MNIST step on the WebAssembly backend (child process)');
  const wasmScript = `
    const s = require(${JSON.stringify(path.join(root, 'dist'))});
    if (s.backend !== 'wasm') throw new Error('expected the wasm backend, got ' + s.backend);
    const net = s.loadModel(${JSON.stringify(trainedFile)}).network;
    const { bundledSplit } = require(${JSON.stringify(path.join(root, 'dist', 'experiments', 'mnist.js'))});
    const d = bundledSplit(0.2, 0);
    const batch = s.ttfsBatch(d.train.images.subarray(0, ${B} * 784), 784, { T: 2 });
    const labels = d.train.labels.subarray(0, ${B});
    const loss = s.firstSpikeCrossEntropy();
    const opt = s.adaBelief({ lr: 0 });
    (async () => {
      const times = [];
      for (let r = 0; r < ${reps} + ${WARMUP}; r++) {
        const t0 = process.hrtime.bigint();
        const { grad } = await net.lossAndGradient(batch, loss, labels, { threads: 1 });
        opt.step(net.parameterList(), s.Network.gradientList(grad));
        net.constrain();
        if (r >= ${WARMUP}) times.push(Number(process.hrtime.bigint() - t0) / 1e3 / batch.samples);
      }
      times.sort((a, b) => a - b);
      console.log(JSON.stringify({ step: times[Math.floor(times.length / 2)] }));
    })();`;
  let wasmStep = null;
  try {
    wasmStep = JSON.parse(execFileSync(process.execPath, ['-e', wasmScript], { encoding: 'utf8', env: { ...process.env, SPIKEGRAD_BACKEND: 'wasm' } })).step;
  } catch (err) {
    log(`no WebAssembly step (run \`npm run build:wasm\`): ${err.message.split('\n')[0]}`);
  }

  log('scaling of sparse recurrent networks');
  const sizes = quick ? [1000, 10000] : [1000, 3000, 10000, 30000, 100000];
  const scaling = [];
  for (const model of ['theta', 'qif']) {
    for (const n of sizes) {
      scaling.push(JSON.parse(execFileSync(benchBin, ['scaling', model, String(n), '20000'], { encoding: 'utf8' })));
    }
  }

  // Two floors: the engine's own per-event arithmetic (tangent coordinates, no transcendental
  // function), and the textbook phase update H(phi, w) with its tan and atan.
  const perSampleFloor = (native.tan_floor_ns * native.synapticEventsPerSample + native.read_floor_ns * native.bundleReadsPerSample) / 1000;
  const perSampleFloorPhase = (native.floor_ns * native.synapticEventsPerSample + native.read_floor_ns * native.bundleReadsPerSample) / 1000;
  // The layered floor: its vectorised kick, flow and reverse per neuron update on the layers' real
  // sizes (100 and 10 neurons), the bundled reads, and the dense pseudo pass and its reverse.
  const layeredFloor = (native.layered_floor_ns_100 * native.updates_100 + native.layered_floor_ns_10 * native.updates_10 + native.read_floor_ns * native.bundleReadsPerSample) / 1000 + native.pseudo_floor_us;
  const result = {
    machine: { cpu: os.cpus()[0].model, cores, node: process.version, date: new Date().toISOString() },
    commit: (() => {
      try {
        return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
      } catch {
        return 'unknown';
      }
    })(),
    mnist: {
      batch: B,
      activity,
      step_us_per_sample_1thread: step1,
      step_us_per_sample_all: stepN,
      epoch60k_seconds: (stepN * 60000) / 1e6,
      thread_speedup: step1 / stepN,
      trainer_step_us_per_sample_1thread: trainer1,
      trainer_step_us_per_sample_all: trainerN,
      trainer_thread_speedup: trainer1 / trainerN,
      trainer_epoch60k_seconds: (trainerN * 60000) / 1e6,
      fit_us_per_sample_1thread: fit1,
      fit_us_per_sample_all: fitN,
      fit_thread_speedup: fit1 / fitN,
      fit_epoch60k_seconds: (fitN * 60000) / 1e6,
      engine_us_per_sample_1thread: native.engine1_us,
      engine_us_per_sample_all: native.engineN_us,
      dense_us_per_sample_1thread: native.dense_us,
      speedup_vs_dense_1thread: native.dense_us / native.engine1_us,
      speedup_vs_dense_all: native.dense_us / native.engineN_us,
      dense_agreement: { maxOutputDiff: native.maxOutputDiff, maxGradDiff: native.maxGradDiff, maxGrad: native.maxGrad },
      floor_ns_per_synaptic_event: native.tan_floor_ns,
      floor_ns_per_synaptic_event_phase_update: native.floor_ns,
      floor_phase_us_per_sample: perSampleFloorPhase,
      engine_over_phase_floor: native.engine1_us / perSampleFloorPhase,
      synaptic_events_per_sample: native.synapticEventsPerSample,
      floor_ns_per_bundle_read: native.read_floor_ns,
      bundle_reads_per_sample: native.bundleReadsPerSample,
      floor_us_per_sample: perSampleFloor,
      spikes_per_sample: native.spikesPerSample,
      engine_over_floor: native.engine1_us / perSampleFloor,
      peak_rss_mb: rss.after / 2 ** 20,
      rss_before_step_mb: rss.before / 2 ** 20,
      engine: net.engine,
      native_engine: native.engine,
      general_step_us_per_sample_1thread: stepGeneral1,
      step_speedup_vs_general_1thread: stepGeneral1 / step1,
      general_engine_us_per_sample_1thread: native.general1_us,
      engine_speedup_vs_general_1thread: native.general1_us / native.engine1_us,
      layered_floor_ns_per_neuron_update_100: native.layered_floor_ns_100,
      layered_floor_ns_per_neuron_update_10: native.layered_floor_ns_10,
      pseudo_pass_floor_us_per_sample: native.pseudo_floor_us,
      layered_floor_us_per_sample: layeredFloor,
      engine_over_layered_floor: native.engine1_us / layeredFloor,
      wasm_step_us_per_sample_1thread: wasmStep,
      wasm_over_native_step_1thread: wasmStep === null ? null : wasmStep / step1,
    },
    scaling,
    event_loop: loop,
  };
  fs.mkdirSync(path.join(root, 'reports'), { recursive: true });
  fs.writeFileSync(path.join(root, 'reports', 'bench.json'), JSON.stringify(result, null, 1));
  const m = result.mnist;
  const f = (x, d = 1) => x.toFixed(d);
  console.log(`spikegrad benchmarks  (${result.machine.cpu}, ${cores} cores, node ${process.version}, commit ${result.commit})`);
  console.log('');
  console.log(`MNIST 784-100-100-10 theta, batch ${B}, activity ${f(activity, 3)} spikes/hidden neuron, ${f(m.synaptic_events_per_sample, 0)} synaptic events + ${f(m.bundle_reads_per_sample, 0)} bundled weight reads per sample`);
  console.log(`  step (fwd+bwd+AdaBelief), public API   1 thread ${f(step1)} us/sample   all threads ${f(stepN)} us/sample   (x${f(m.thread_speedup, 2)})`);
  console.log(`  Trainer.trainBatch (+ encoding, flips)  1 thread ${f(trainer1)} us/sample   all threads ${f(trainerN)} us/sample   (x${f(m.trainer_thread_speedup, 2)}; epoch ${f(m.trainer_epoch60k_seconds, 2)} s)`);
  console.log(`  Trainer.fit epochs (8,000 digits)       1 thread ${f(fit1)} us/sample   all threads ${f(fitN)} us/sample   (x${f(m.fit_thread_speedup, 2)}; 60,000 samples ${f(m.fit_epoch60k_seconds, 2)} s)`);
  console.log(`  60,000-sample epoch                    ${f(m.epoch60k_seconds, 2)} s   (engine: ${m.engine})`);
  if (wasmStep !== null) console.log(`  the same step on WebAssembly (1 thread) ${f(wasmStep)} us/sample   (x${f(m.wasm_over_native_step_1thread, 2)} the native 1-thread step)`);
  console.log(`  the same step in the general engine    1 thread ${f(stepGeneral1)} us/sample   -> the ${m.engine} engine's step is x${f(m.step_speedup_vs_general_1thread, 2)} faster`);
  console.log(`  native engine fwd+bwd (${m.native_engine})        1 thread ${f(m.engine_us_per_sample_1thread)} us/sample   all threads ${f(m.engine_us_per_sample_all)} us/sample`);
  console.log(`  native general engine fwd+bwd          1 thread ${f(m.general_engine_us_per_sample_1thread)} us/sample   -> x${f(m.engine_speedup_vs_general_1thread, 2)}`);
  console.log(`  dense baseline fwd+bwd (1 thread)      ${f(m.dense_us_per_sample_1thread)} us/sample  -> engine is x${f(m.speedup_vs_dense_1thread, 1)} faster (x${f(m.speedup_vs_dense_all, 1)} with all threads)`);
  console.log(`  floor: synaptic event fwd+bwd ${f(m.floor_ns_per_synaptic_event)} ns, bundled read ${f(m.floor_ns_per_bundle_read, 2)} ns -> floor x events = ${f(perSampleFloor)} us/sample; engine = ${f(m.engine_over_floor, 2)} x floor`);
  console.log(`  layered floor: ${f(m.layered_floor_ns_per_neuron_update_100, 2)} / ${f(m.layered_floor_ns_per_neuron_update_10, 2)} ns per neuron update (100 / 10-neuron layer), pseudo pass ${f(m.pseudo_pass_floor_us_per_sample)} us -> ${f(layeredFloor)} us/sample; engine = ${f(m.engine_over_layered_floor, 2)} x layered floor`);
  console.log(`  (with the phase update H(phi, w) of tan + atan, ${f(m.floor_ns_per_synaptic_event_phase_update)} ns/event: ${f(perSampleFloorPhase)} us/sample; engine = ${f(m.engine_over_phase_floor, 2)} x)`);
  console.log(`  peak RSS of a batch-${B} step           ${f(m.peak_rss_mb)} MB (${f(m.rss_before_step_mb)} MB before the step)`);
  console.log(`  dense vs engine: max |output diff| ${m.dense_agreement.maxOutputDiff.toExponential(1)}, max |dW_out diff| ${m.dense_agreement.maxGradDiff.toExponential(1)} (max |dW_out| ${m.dense_agreement.maxGrad.toExponential(1)})`);
  console.log(`  event loop, forward of ${loop.samples} samples on ${loop.threads} threads: sync blocks it for ${f(loop.forward_sync_ms)} ms (${loop.timer_ticks_during_sync} ticks of a 1 ms timer);`);
  console.log(`    forwardAsync takes ${f(loop.forward_async_ms)} ms with ${loop.timer_ticks_during_async} ticks, largest event-loop delay ${f(loop.max_event_loop_delay_ms_during_async, 2)} ms`);
  console.log('');
  console.log('Sparse recurrent networks, 100 synapses/neuron, ~20,000 spikes (forward + backward, 1 thread):');
  console.log('  model     n        spikes   us/spike   tape bytes/spike');
  for (const r of scaling) {
    console.log(`  ${r.model.padEnd(6)} ${String(r.n).padStart(7)} ${String(r.spikes).padStart(9)} ${r.us_per_spike.toFixed(2).padStart(10)} ${r.tape_bytes_per_spike.toFixed(0).padStart(14)}`);
  }
  console.log('');
  console.log('results: reports/bench.json');
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
