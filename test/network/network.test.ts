/**
 * The public network API (lib/network/network.ts): exact gradients through record/backward and
 * lossAndGradient against central finite differences of forward, for every topology builder;
 * thread-count independence; async runs that keep the event loop free and own their inputs;
 * trainable masks and constrain(); JSON round trips; disposal; the event budget; argument errors.
 */
import { Network, type Gradients, type NetworkOutput, type ParameterName } from '../../lib/network/network';
import { feedForward, fromMatrices, recurrent, singleNeuron } from '../../lib/topology';
import { osclif, qif, theta } from '../../lib/neurons';
import { spikeBatch, type InputBatch, type SampleSpikes } from '../../lib/network/inputs';
import { ttfsBatch } from '../../lib/data/ttfs';
import { Random } from '../../lib/base/random';
import { firstSpikeCrossEntropy, spikeTimeMse, targetTrainLoss } from '../../lib/training/losses';

const coded = (code: string, re: RegExp) => expect.objectContaining({ code, message: expect.stringMatching(re) });

// ---------------------------------------------------------------------------------------------
// Finite differences through the public API
// ---------------------------------------------------------------------------------------------

/** |g - fd| <= TOL (1 + |fd|). */
const TOL = 1e-5;

interface Tally {
  checked: number;
  skipped: number;
  /** Checked entries with |fd| > 1e-6. */
  nonzero: number;
  /** Output slots that were ordinary spikes / pseudospikes, and network spikes. */
  ordinary: number;
  pseudo: number;
  spikes: number;
  failures: string[];
}

const newTally = (): Tally => ({ checked: 0, skipped: 0, nonzero: 0, ordinary: 0, pseudo: 0, spikes: 0, failures: [] });

/** The discrete structure visible through the API: spike counts, pseudo flags, in-trial events. */
function signature(o: NetworkOutput): string {
  return `${Array.from(o.spikeCount).join(',')}|${Array.from(o.spikeCountFirst).join(',')}|${Array.from(o.isPseudo).join('')}|${Array.from(o.inTrialEvents).join(',')}`;
}

function functional(o: NetworkOutput, cot: Float64Array): number {
  let s = 0;
  for (let k = 0; k < cot.length; k++) s += cot[k] * o.times[k];
  return s;
}

function randomCotangent(length: number, seed: number): Float64Array {
  const rng = new Random(seed + 1000);
  return Float64Array.from({ length }, () => rng.range(-1, 1));
}

/**
 * Compares one gradient array with central differences of f() while perturbing arr[k] in place.
 * Entries whose perturbations change the spike counts / pseudo flags (at +h, -h, +h/10 or -h/10)
 * or whose differences with steps h and h/10 disagree (a kink of an event reordering) are
 * skipped and counted.
 */
function compareArray(
  label: string,
  arr: Float64Array,
  grad: Float64Array,
  f: () => NetworkOutput,
  cot: Float64Array,
  tally: Tally,
  include: (k: number) => boolean = () => true,
): void {
  const sig0 = signature(f());
  for (let k = 0; k < arr.length; k++) {
    if (!include(k) || !Number.isFinite(arr[k])) continue;
    const x = arr[k];
    const h = 1e-6 * Math.max(1, Math.abs(x));
    let changed = false;
    const at = (v: number) => {
      arr[k] = v;
      try {
        const o = f();
        if (signature(o) !== sig0) changed = true;
        return functional(o, cot);
      } finally {
        arr[k] = x;
      }
    };
    const fd = (at(x + h) - at(x - h)) / (2 * h);
    const fdFine = (at(x + h / 10) - at(x - h / 10)) / ((2 * h) / 10);
    if (changed || !Number.isFinite(fd) || Math.abs(fd - fdFine) > 1e-6 * (1 + Math.abs(fd))) {
      tally.skipped++;
      continue;
    }
    tally.checked++;
    if (Math.abs(fd) > 1e-6) tally.nonzero++;
    if (!(Math.abs(grad[k] - fd) <= TOL * (1 + Math.abs(fd)))) tally.failures.push(`${label}[${k}]: grad ${grad[k]} vs fd ${fd}`);
  }
}

/** Checks every trainable parameter group (and the per-event input-time gradients) of a network. */
function checkNetwork(label: string, net: Network, batch: InputBatch, seed: number, tally: Tally, groups?: ParameterName[]): Gradients {
  const run = () => net.forward(batch, { threads: 1 });
  const out0 = run();
  for (const p of out0.isPseudo) {
    if (p) tally.pseudo++;
    else tally.ordinary++;
  }
  tally.spikes += out0.spikeCount.reduce((a, b) => a + b, 0);
  const cot = randomCotangent(out0.times.length, seed);
  const rec = net.record(batch, { threads: 1 });
  // record and forward agree exactly.
  expect(rec.output.times).toEqual(out0.times);
  const g = rec.backward(cot, { threads: 1 });
  rec.dispose();
  for (const name of groups ?? (['weights', 'inputWeights', 'initial', 'inputTimes'] as const)) {
    const mask = net.trainable[name] ?? true;
    if (mask === false) continue;
    compareArray(`${label} ${name}`, net.params[name], g[name], run, cot, tally, (k) => mask === true || mask[k] === 1);
  }
  // Input event times: one gradient per event of the batch (excluding trainable inputs).
  expect(g.eventTimes.length).toBe(batch.times.length);
  compareArray(`${label} eventTimes`, batch.times as Float64Array, g.eventTimes, run, cot, tally);
  return g;
}

function expectTally(tally: Tally, minChecked: number, both = true): void {
  if (process.env.SG_VERBOSE) console.log(JSON.stringify({ ...tally, failures: tally.failures.length }));
  expect(tally.failures).toEqual([]);
  // Networks are active, and (where both happen) outputs are ordinary spikes and pseudospikes.
  expect(tally.spikes).toBeGreaterThan(0);
  if (both) {
    expect(tally.ordinary).toBeGreaterThan(0);
    expect(tally.pseudo).toBeGreaterThan(0);
  }
  expect(tally.checked).toBeGreaterThanOrEqual(minChecked);
  // Most entries were checked, and the gradients are not trivially zero.
  expect(tally.checked).toBeGreaterThanOrEqual(3 * tally.skipped);
  expect(tally.nonzero).toBeGreaterThanOrEqual(tally.checked / 4);
}

function randomSpikes(rng: Random, nIn: number, count: number, T: number): SampleSpikes {
  const times = Array.from({ length: count }, () => rng.range(0.05, T - 0.05));
  const channels = Array.from({ length: count }, () => rng.int(nIn));
  return { times, channels };
}

function randomImages(rng: Random, samples: number, pixels: number): Uint8Array {
  return Uint8Array.from({ length: samples * pixels }, () => rng.int(256));
}

/** Random initial states so that neurons differ (theta: phases; qif: V and I). */
function randomizeInitial(net: Network, rng: Random): void {
  const a = net.params.initial;
  const n = net.n;
  if (net.neuron.name === 'theta') {
    const Theta = (net.neuron as ReturnType<typeof theta>).period;
    for (let i = 0; i < n; i++) a[i] = rng.range(0.1 * Theta, 0.9 * Theta);
  } else {
    for (let i = 0; i < n; i++) {
      a[i] = rng.range(-0.5, 0.8);
      a[n + i] = rng.range(-0.5, 2);
    }
  }
}

describe('gradients equal finite differences of forward', () => {
  it('the harness skips (and counts) entries whose perturbation changes the event structure', () => {
    // An input exactly at T is not processed; at T - h it is: the structure changes.
    const net = feedForward({ neuron: qif(), sizes: [2, 2], T: 4, wScale: 10, seed: 1 });
    const batch = spikeBatch([{ times: [0.5, 4], channels: [0, 1] }]);
    const tally = newTally();
    const rec = net.record(batch);
    const cot = Float64Array.of(1, -1);
    const g = rec.backward(cot);
    rec.dispose();
    compareArray('eventTimes', batch.times as Float64Array, g.eventTimes, () => net.forward(batch), cot, tally);
    expect(tally.skipped).toBe(1);
    expect(tally.checked).toBe(1);
    expect(tally.failures).toEqual([]);
  });

  describe('feedForward [6, 5, 4, 3]', () => {
    // theta runs in the layered engine (engine 'auto'), and once more forced into the general one.
    const configs = [
      { name: 'theta', neuron: theta({ tau: 6 / Math.PI }), T: 3, wScale: 6, engine: 'layered' as const },
      { name: 'theta (general engine)', neuron: theta({ tau: 6 / Math.PI }), T: 3, wScale: 6, engine: 'general' as const },
      { name: 'qif', neuron: qif(), T: 4, wScale: 15, engine: 'general' as const },
    ];
    it.each(configs)('$name with spikeBatch inputs', ({ neuron, T, wScale, engine }) => {
      const tally = newTally();
      for (let seed = 0; seed < 6; seed++) {
        const rng = new Random(seed);
        const net = feedForward({ neuron, sizes: [6, 5, 4, 3], T, wScale, seed, outputCount: 1 + (seed % 2), engine: engine === 'layered' ? 'auto' : engine });
        expect(net.engine).toBe(engine);
        randomizeInitial(net, rng);
        const batch = spikeBatch(Array.from({ length: 3 }, () => randomSpikes(rng, 6, 2 + rng.int(6), T)));
        checkNetwork(`seed ${seed}`, net, batch, seed, tally);
      }
      expectTally(tally, 400);
    });

    it.each(configs)('$name with ttfsBatch bundles', ({ neuron, T, wScale, engine }) => {
      const tally = newTally();
      for (let seed = 0; seed < 6; seed++) {
        const rng = new Random(seed + 50);
        const net = feedForward({ neuron, sizes: [6, 5, 4, 3], T, wScale, seed: seed + 10, engine: engine === 'layered' ? 'auto' : engine });
        expect(net.engine).toBe(engine);
        randomizeInitial(net, rng);
        const batch = ttfsBatch(randomImages(rng, 4, 6), 6, { T, bins: 1 + (seed % 3) });
        checkNetwork(`seed ${seed}`, net, batch, seed, tally);
      }
      expectTally(tally, 400);
    });

    it('lossAndGradient (first-spike cross-entropy) equals finite differences of the loss', async () => {
      const rng = new Random(7);
      const net = feedForward({ neuron: theta({ tau: 6 / Math.PI }), sizes: [6, 5, 4, 3], T: 3, wScale: 6, seed: 7 });
      randomizeInitial(net, rng);
      const batch = ttfsBatch(randomImages(rng, 5, 6), 6, { T: 3, bins: 2 });
      const labels = [0, 1, 2, 1, 0];
      const loss = firstSpikeCrossEntropy({ gamma: 0.01 });
      const { loss: result, output, grad } = await net.lossAndGradient(batch, loss, labels, { threads: 1 });
      const value = () => loss.compute(net.forward(batch, { threads: 1 }), labels).value;
      expect(result.value).toBe(value());
      expect(output.samples).toBe(5);
      const tally = newTally();
      tally.spikes = output.spikeCount.reduce((a, b) => a + b, 0);
      tally.ordinary = output.isPseudo.filter((p) => p === 0).length;
      tally.pseudo = output.isPseudo.filter((p) => p === 1).length;
      const sig0 = signature(net.forward(batch, { threads: 1 }));
      for (const name of ['weights', 'inputWeights', 'initial'] as const) {
        const arr = net.params[name];
        for (let k = 0; k < arr.length; k++) {
          const x = arr[k];
          const h = 1e-6;
          const at = (v: number) => {
            arr[k] = v;
            const s = signature(net.forward(batch, { threads: 1 }));
            const r = value();
            arr[k] = x;
            return [r, s] as const;
          };
          const [fp, sp] = at(x + h);
          const [fm, sm] = at(x - h);
          if (sp !== sig0 || sm !== sig0) {
            tally.skipped++;
            continue;
          }
          const fd = (fp - fm) / (2 * h);
          tally.checked++;
          if (Math.abs(fd) > 1e-6) tally.nonzero++;
          if (!(Math.abs(grad[name][k] - fd) <= TOL * (1 + Math.abs(fd)))) tally.failures.push(`${name}[${k}]: ${grad[name][k]} vs ${fd}`);
        }
      }
      expectTally(tally, 50);
    });
  });

  describe('recurrent', () => {
    it.each([
      { name: 'qif', neuron: qif(), T: 4, weightScale: 6, inW: 5 },
      { name: 'theta', neuron: theta(), T: 3.5, weightScale: 3, inW: 1.5 },
    ])('$name, n = 4..6, some weights exactly 0', ({ neuron, T, weightScale, inW }) => {
      const tally = newTally();
      for (let seed = 0; seed < 6; seed++) {
        const rng = new Random(seed + 100);
        const n = 4 + (seed % 3);
        const nIn = 3;
        const inputs = [];
        for (let i = 0; i < n; i++) inputs.push({ channel: i % nIn, target: i, weight: rng.range(-0.5, 1) * inW });
        inputs.push({ channel: seed % 2 === 0 ? 0 : 2, target: 1, weight: -inW / 2 });
        const net = recurrent({
          neuron,
          n,
          nIn,
          inputs,
          readout: { neurons: [0, n - 1], counts: [2, 1] },
          T,
          weightScale: weightScale * rng.range(0.5, 1.5),
          trainInputWeights: true,
          seed,
        });
        // A third of the recurrent weights start at exactly 0: they still get gradients.
        for (let k = 0; k < net.params.weights.length; k += 3) net.params.weights[k] = 0;
        if (neuron.name === 'theta') randomizeInitial(net, rng);
        const batch = spikeBatch(Array.from({ length: 3 }, () => randomSpikes(rng, nIn, 3 + rng.int(5), T)));
        const g = checkNetwork(`seed ${seed}`, net, batch, seed, tally);
        expect(g.weights.filter((x, k) => k % 3 === 0 && x !== 0).length).toBeGreaterThan(0);
      }
      expectTally(tally, 250);
    });
  });

  describe('singleNeuron (qif)', () => {
    it('d/d trainable weights and d/d trainable input times (params.inputTimes), summed over samples', () => {
      const tally = newTally();
      for (let seed = 0; seed < 5; seed++) {
        const rng = new Random(seed + 200);
        const T = 10;
        const fixedCount = 6;
        const { network: net, batch: one } = singleNeuron({
          neuron: qif(),
          trainableTimes: [rng.range(0.5, 4), rng.range(4, 8)],
          trainableWeights: [rng.range(2, 5), rng.range(-1, 4)],
          fixed: { times: Array.from({ length: fixedCount }, () => rng.range(0, T)), weights: Array.from({ length: fixedCount }, () => rng.normal()) },
          outputCount: 2,
          T,
        });
        expect(one.samples).toBe(1);
        // Several samples: each with its own fixed spikes on channels 2..7.
        const batch = spikeBatch(
          Array.from({ length: 3 }, () => ({
            times: Array.from({ length: fixedCount }, () => rng.range(0, T)),
            channels: Array.from({ length: fixedCount }, (_, q) => 2 + q),
          })),
        );
        const g = checkNetwork(`seed ${seed}`, net, batch, seed, tally, ['inputWeights', 'inputTimes']);
        expect(g.inputTimes.length).toBe(2);
        expect(g.inputWeights.subarray(2).every((x) => x === 0)).toBe(true);
        expect(g.weights.length).toBe(0);
        expect(g.initial.every((x) => x === 0)).toBe(true);
      }
      expectTally(tally, 100);
    });

    it('the trainable input-time gradient is the sum of the per-sample gradients', () => {
      const { network: net } = singleNeuron({
        neuron: qif(),
        trainableTimes: [1, 3],
        trainableWeights: [4, 3],
        fixed: { times: [0], weights: [1.5] },
        outputCount: 2,
        T: 10,
      });
      expect(net.slots).toBe(2);
      const samples = [
        { times: [0.5], channels: [2] },
        { times: [2.5], channels: [2] },
      ];
      const cot = Float64Array.of(0.3, -0.7);
      const each = samples.map((s) => {
        const r = net.record(spikeBatch([s]));
        const g = r.backward(cot);
        r.dispose();
        return g;
      });
      const r = net.record(spikeBatch(samples));
      const both = r.backward(Float64Array.of(0.3, -0.7, 0.3, -0.7));
      r.dispose();
      for (const name of ['inputWeights', 'inputTimes'] as const) {
        for (let k = 0; k < both[name].length; k++) expect(both[name][k]).toBeCloseTo(each[0][name][k] + each[1][name][k], 12);
      }
      expect(both.inputTimes.every((x) => x !== 0)).toBe(true);
      // eventTimes holds only the batch's own events, sample after sample.
      expect(Array.from(both.eventTimes)).toEqual([each[0].eventTimes[0], each[1].eventTimes[0]]);
    });
  });

  describe('fromMatrices', () => {
    it.each([
      { name: 'qif', neuron: qif(), T: 4, W: 6, inW: 6 },
      { name: 'theta', neuron: theta(), T: 2.5, W: 1.5, inW: 1.5 },
    ])('$name with a partial weight mask', ({ neuron, T, W, inW }) => {
      const tally = newTally();
      for (let seed = 0; seed < 6; seed++) {
        const rng = new Random(seed + 300);
        const n = 4;
        const nIn = 2;
        const mask = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i !== j && rng.uniform() < 0.7 ? 1 : 0)));
        const weights = mask.map((row) => row.map((m) => (m ? rng.range(-0.5, 1) * W : 0)));
        const inputWeights = Array.from({ length: n }, () => Array.from({ length: nIn }, () => rng.range(-0.3, 1) * inW));
        const initial =
          neuron.stateDim === 2
            ? [...Array.from({ length: n }, () => rng.range(-0.5, 0.8)), ...Array.from({ length: n }, () => rng.range(-0.5, 2))]
            : Array.from({ length: n }, () => rng.range(0.3, 2.8));
        const net = fromMatrices({ neuron, weights, weightMask: mask, inputWeights, initial, readout: { neurons: [1, 3], counts: [2, 2] }, T, maxEvents: 200 });
        const batch = spikeBatch(Array.from({ length: 3 }, () => randomSpikes(rng, nIn, 2 + rng.int(5), T)));
        checkNetwork(`seed ${seed}`, net, batch, seed, tally);
      }
      expectTally(tally, 150);
    });
  });
});

describe('outputs', () => {
  it('are consistent: pseudo flags <=> times >= T, in-trial events = inputs before T + spikes', () => {
    for (let seed = 0; seed < 4; seed++) {
      const rng = new Random(seed + 900);
      const T = 3;
      const net = feedForward({ neuron: theta({ tau: 6 / Math.PI }), sizes: [6, 5, 4, 3], T, wScale: 6, seed, outputCount: 2 });
      randomizeInitial(net, rng);
      const samples = Array.from({ length: 5 }, () => randomSpikes(rng, 6, 6, T + 1));
      const out = net.forward(spikeBatch(samples));
      expect(out.samples).toBe(5);
      expect(out.slots).toBe(6);
      expect(out.T).toBe(T);
      for (let k = 0; k < out.times.length; k++) {
        expect(out.isPseudo[k] === 1).toBe(out.times[k] >= T);
        expect(out.times[k]).toBeGreaterThan(0);
      }
      const inputsBefore = samples.reduce((a, smp) => a + Array.from(smp.times).filter((t) => t < T).length, 0);
      const events = out.inTrialEvents.reduce((a, b) => a + b, 0);
      expect(events).toBe(inputsBefore + out.spikeCount.reduce((a, b) => a + b, 0));
      for (let i = 0; i < net.n; i++) expect(out.spikeCountFirst[i]).toBeLessThanOrEqual(out.spikeCount[i]);
      // The two output slots of a neuron are increasing.
      for (let k = 0; k < out.times.length; k += 2) expect(out.times[k + 1]).toBeGreaterThan(out.times[k]);
    }
  });

  it('lossAndGradient equals record + loss + backward, and disposes its tapes even when the loss throws', async () => {
    const rng = new Random(950);
    const net = feedForward({ neuron: qif(), sizes: [6, 5, 3], T: 4, wScale: 15, seed: 5 });
    randomizeInitial(net, rng);
    const batch = spikeBatch(Array.from({ length: 6 }, () => randomSpikes(rng, 6, 5, 4)));
    const labels = [0, 1, 2, 2, 1, 0];
    const loss = firstSpikeCrossEntropy();
    // Without the core's copy of the loss: exactly record + compute + backward.
    const jsOnly = { compute: loss.compute };
    const { loss: r, grad, output } = await net.lossAndGradient(batch, jsOnly, labels, { threads: 1 });
    const rec = net.record(batch, { threads: 1 });
    const manual = loss.compute(rec.output, labels);
    const g = rec.backward(manual.grad, { threads: 1 });
    rec.dispose();
    expect(r.value).toBe(manual.value);
    expect(output.times).toEqual(rec.output.times);
    for (const key of ['weights', 'inputWeights', 'initial', 'eventTimes'] as const) expect(bytesEqual(grad[key], g[key])).toBe(true);
    // With it (the fused step in the core): the same to round-off (exp and log of the core's libm).
    const fused = await net.lossAndGradient(batch, loss, labels, { threads: 1 });
    expect(loss.native).toBeDefined();
    expect(fused.output.times).toEqual(rec.output.times);
    expect(Math.abs(fused.loss.value - manual.value)).toBeLessThanOrEqual(1e-13 * Math.abs(manual.value));
    for (const key of ['weights', 'inputWeights', 'initial', 'eventTimes'] as const) {
      const scale = g[key].reduce((m, x) => Math.max(m, Math.abs(x)), 0);
      expect(g[key].every((x, k) => Math.abs(x - fused.grad[key][k]) <= 1e-12 * scale)).toBe(true);
    }
    await expect(net.lossAndGradient(batch, loss, [0, 1])).rejects.toThrow(coded('ERR_SPIKEGRAD_SHAPE', /labels/));
  });
});

// ---------------------------------------------------------------------------------------------
// Threads, async
// ---------------------------------------------------------------------------------------------

function bytesEqual(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

describe('results do not depend on the thread count', () => {
  it('forward outputs and backward gradients are bitwise identical for threads 1, 2 and 4', async () => {
    const rng = new Random(400);
    const net = feedForward({ neuron: theta({ tau: 6 / Math.PI }), sizes: [20, 12, 10, 5], T: 3, wScale: 5, seed: 4 });
    randomizeInitial(net, rng);
    const batch = ttfsBatch(randomImages(rng, 40, 20), 20, { T: 3, bins: 2 });
    const runs = [];
    for (const threads of [1, 2, 4]) {
      const rec = net.record(batch, { threads });
      const cot = randomCotangent(rec.output.times.length, 1);
      const g = rec.backward(cot, { threads });
      const ga = await rec.backwardAsync(cot, { threads });
      rec.dispose();
      const fa = await net.forwardAsync(batch, { threads });
      runs.push({ out: rec.output, g, ga, fa });
    }
    const ref = runs[0];
    expect(ref.out.spikeCount.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    for (const r of runs) {
      for (const key of ['times', 'isPseudo', 'inTrialEvents', 'spikeCount', 'spikeCountFirst'] as const) {
        expect(bytesEqual(r.out[key], ref.out[key])).toBe(true);
        expect(bytesEqual(r.fa[key], ref.out[key])).toBe(true);
      }
      for (const key of ['weights', 'inputWeights', 'initial', 'inputTimes', 'eventTimes'] as const) {
        expect(bytesEqual(r.g[key], ref.g[key])).toBe(true);
        expect(bytesEqual(r.ga[key], ref.g[key])).toBe(true);
      }
    }
    // threads: 0 (all cores) too.
    expect(bytesEqual(net.forward(batch, { threads: 0 }).times, ref.out.times)).toBe(true);
    expect(bytesEqual(net.forward(batch).times, ref.out.times)).toBe(true);
  });
});

describe('results do not depend on the thread count (recurrent qif)', () => {
  it('bitwise identical forward and backward for threads 1, 2 and 4', () => {
    const rng = new Random(410);
    const n = 6;
    const inputs = Array.from({ length: n }, (_, i) => ({ channel: i % 3, target: i, weight: 5 }));
    const net = recurrent({ neuron: qif(), n, nIn: 3, inputs, readout: { neurons: [0, 1], counts: [3, 2] }, T: 5, weightScale: 4, seed: 1 });
    const batch = spikeBatch(Array.from({ length: 40 }, () => randomSpikes(rng, 3, 8, 5)));
    const cot = randomCotangent(40 * 5, 4);
    const runs = [1, 2, 4].map((threads) => {
      const rec = net.record(batch, { threads });
      const g = rec.backward(cot, { threads });
      rec.dispose();
      return { out: rec.output, g };
    });
    expect(runs[0].out.spikeCount.reduce((a, b) => a + b, 0)).toBeGreaterThan(40);
    for (const r of runs.slice(1)) {
      expect(bytesEqual(r.out.times, runs[0].out.times)).toBe(true);
      expect(bytesEqual(r.out.spikeCount, runs[0].out.spikeCount)).toBe(true);
      for (const key of ['weights', 'inputWeights', 'initial', 'eventTimes'] as const) expect(bytesEqual(r.g[key], runs[0].g[key])).toBe(true);
    }
  });
});

describe('async runs', () => {
  const mnistLike = () => feedForward({ neuron: theta({ tau: 6 / Math.PI }), sizes: [784, 100, 100, 10], T: 2, wScale: 3, seed: 1 });

  /**
   * The async calls run on the native thread pool: each returns a pending promise at once, and the
   * event loop keeps turning while the work runs. Checked by order, not by time: a batch of 600
   * images through the MNIST network is far more work than one turn of the event loop. (How
   * long the work takes and how responsive the event loop stays are measured by `npm run bench`,
   * event_loop in reports/bench.json.)
   */
  it('forwardAsync, recordAsync and backwardAsync let the event loop turn while the work runs', async () => {
    const net = mnistLike();
    const batch = ttfsBatch(randomImages(new Random(500), 600, 784), 784, { T: 2 });
    /** Whether `work` is still pending after one turn of the event loop. */
    const pendingAfterOneTurn = async <T>(work: Promise<T>): Promise<{ pending: boolean; value: T }> => {
      let settled = false;
      const tracked = work.then((v) => {
        settled = true;
        return v;
      });
      await new Promise((resolve) => setImmediate(resolve));
      const pending = !settled;
      return { pending, value: await tracked };
    };
    const fwd = await pendingAfterOneTurn(net.forwardAsync(batch, { threads: 2 }));
    expect(fwd.pending).toBe(true);
    expect(fwd.value.samples).toBe(600);
    const rec = await pendingAfterOneTurn(net.recordAsync(batch, { threads: 2 }));
    expect(rec.pending).toBe(true);
    const cot = new Float64Array(rec.value.output.times.length).fill(0.1);
    const back = await pendingAfterOneTurn(rec.value.backwardAsync(cot, { threads: 2 }));
    expect(back.pending).toBe(true);
    expect(back.value.weights.length).toBe(net.params.weights.length);
    rec.value.dispose();
  });

  it('forwardAsync owns its inputs: mutating params and batch right after the call changes nothing', async () => {
    const rng = new Random(600);
    const net = feedForward({ neuron: qif(), sizes: [8, 6, 3], T: 4, wScale: 15, seed: 6 });
    randomizeInitial(net, rng);
    // Big enough (tens of ms) that the worker is still running when the inputs are mutated.
    const batch = spikeBatch(Array.from({ length: 3000 }, () => randomSpikes(rng, 8, 6, 4)));
    const expected = net.forward(batch, { threads: 1 });
    const saved = { w: net.params.weights.slice(), iw: net.params.inputWeights.slice(), x0: net.params.initial.slice(), t: batch.times.slice(), c: batch.channels.slice() };

    const pending = net.forwardAsync(batch, { threads: 1 });
    net.params.weights.fill(100);
    net.params.inputWeights.fill(-50);
    net.params.initial.fill(0.25);
    (batch.times as Float64Array).fill(0.01);
    (batch.channels as Int32Array).fill(0);
    const got = await pending;
    expect(bytesEqual(got.times, expected.times)).toBe(true);
    expect(got.spikeCount).toEqual(expected.spikeCount);

    // The same for recordAsync + backwardAsync (cotangent mutated after the call too).
    net.params.weights.set(saved.w);
    net.params.inputWeights.set(saved.iw);
    net.params.initial.set(saved.x0);
    (batch.times as Float64Array).set(saved.t);
    (batch.channels as Int32Array).set(saved.c);
    const cot = randomCotangent(expected.times.length, 6);
    const syncRec = net.record(batch, { threads: 1 });
    const syncGrad = syncRec.backward(cot, { threads: 1 });
    syncRec.dispose();

    const pendingRec = net.recordAsync(batch, { threads: 1 });
    net.params.weights.fill(3);
    (batch.times as Float64Array).fill(1);
    const rec = await pendingRec;
    expect(bytesEqual(rec.output.times, expected.times)).toBe(true);
    const cotCopy = cot.slice();
    const pendingGrad = rec.backwardAsync(cotCopy, { threads: 1 });
    cotCopy.fill(7);
    const grad = await pendingGrad;
    rec.dispose();
    for (const key of ['weights', 'inputWeights', 'initial', 'eventTimes'] as const) expect(bytesEqual(grad[key], syncGrad[key])).toBe(true);
  });

  it('forwardAsync owns bundled batches too (channels and bundle offsets)', async () => {
    const rng = new Random(620);
    const net = feedForward({ neuron: theta({ tau: 6 / Math.PI }), sizes: [30, 10, 4], T: 2, wScale: 6, seed: 2 });
    const batch = ttfsBatch(randomImages(rng, 3000, 30), 30, { T: 2, bins: 2 });
    const expected = net.forward(batch, { threads: 1 });
    expect(expected.spikeCount.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    const pending = net.forwardAsync(batch, { threads: 1 });
    (batch.channels as Int32Array).fill(0);
    (batch.eventStart as Int32Array).fill(0);
    const got = await pending;
    expect(bytesEqual(got.times, expected.times)).toBe(true);
    expect(got.spikeCount).toEqual(expected.spikeCount);
  });

  it('backward differentiates the recorded run even if params changed since record', () => {
    const rng = new Random(650);
    const net = feedForward({ neuron: theta(), sizes: [5, 4, 2], T: 3, wScale: 6, seed: 2 });
    randomizeInitial(net, rng);
    const batch = spikeBatch(Array.from({ length: 4 }, () => randomSpikes(rng, 5, 5, 3)));
    const rec = net.record(batch, { threads: 1 });
    const cot = randomCotangent(rec.output.times.length, 2);
    const g1 = rec.backward(cot, { threads: 1 });
    net.params.weights.fill(0.5);
    net.params.initial.fill(1);
    const g2 = rec.backward(cot, { threads: 1 });
    rec.dispose();
    for (const key of ['weights', 'inputWeights', 'initial', 'eventTimes'] as const) expect(bytesEqual(g2[key], g1[key])).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// Trainable masks, constrain
// ---------------------------------------------------------------------------------------------

describe('trainable masks and constrain()', () => {
  it('non-trainable entries get exactly zero gradient; the others are unchanged', () => {
    const rng = new Random(700);
    const net = feedForward({ neuron: qif(), sizes: [6, 5, 4, 3], T: 4, wScale: 15, seed: 3 });
    randomizeInitial(net, rng);
    const batch = spikeBatch(Array.from({ length: 4 }, () => randomSpikes(rng, 6, 6, 4)));
    const cot = randomCotangent(4 * 3, 7);
    const full = (() => {
      const r = net.record(batch);
      const g = r.backward(cot);
      r.dispose();
      return g;
    })();
    expect(full.weights.filter((x) => x !== 0).length).toBeGreaterThan(5);
    const wMask = Uint8Array.from(net.params.weights, (_, k) => k % 2);
    net.trainable = { weights: wMask, inputWeights: false, initial: true };
    const r = net.record(batch);
    const masked = r.backward(cot);
    r.dispose();
    for (let k = 0; k < wMask.length; k++) expect(masked.weights[k]).toBe(wMask[k] ? full.weights[k] : 0);
    expect(masked.inputWeights.every((x) => x === 0)).toBe(true);
    expect(masked.initial).toEqual(full.initial);
    // Event-time gradients are not parameters: never masked.
    expect(masked.eventTimes).toEqual(full.eventTimes);
    // Through lossAndGradient as well.
    net.trainable = { initial: false };
    return net.lossAndGradient(batch, firstSpikeCrossEntropy(), [0, 1, 2, 0]).then(({ grad }) => {
      expect(grad.initial.every((x) => x === 0)).toBe(true);
      expect(grad.weights.some((x) => x !== 0)).toBe(true);
    });
  });

  it('builders set their trainable defaults', async () => {
    const { network } = singleNeuron({ neuron: qif(), trainableTimes: [1, 2], trainableWeights: [3, 3], fixed: { times: [0.5], weights: [2] }, outputCount: 1, T: 5 });
    expect(network.trainable.weights).toBe(false);
    expect(network.trainable.initial).toBe(false);
    expect(Array.from(network.trainable.inputWeights as Uint8Array)).toEqual([1, 1, 0]);
    const rec = recurrent({ neuron: qif(), n: 3, nIn: 1, inputs: [{ channel: 0, target: 0, weight: 5 }], readout: { neurons: [0], counts: [1] }, T: 4 });
    const { grad } = await rec.lossAndGradient(spikeBatch([{ times: [0.2], channels: [0] }]), spikeTimeMse(), Float64Array.of(1));
    expect(grad.inputWeights[0]).toBe(0);
    expect(grad.initial.some((x) => x !== 0)).toBe(true);
  });

  it('rejects masks of the wrong length', () => {
    const net = feedForward({ neuron: qif(), sizes: [2, 2], T: 1 });
    expect(() => new Network(net.structure, undefined, { weights: new Uint8Array(3) })).toThrow(coded('ERR_SPIKEGRAD_SHAPE', /trainable\.weights/));
    net.trainable = { inputWeights: new Uint8Array(1) };
    expect(() => net.maskGradients({ weights: new Float64Array(0), inputWeights: new Float64Array(4), initial: new Float64Array(4), inputTimes: new Float64Array(0), eventTimes: new Float64Array(0) })).toThrow(
      coded('ERR_SPIKEGRAD_SHAPE', /trainable\.inputWeights/),
    );
  });

  it('constrain() clips theta phi0 into [0, Theta] and input times into [0, T]', () => {
    const net = feedForward({ neuron: theta({ tau: 6 / Math.PI }), sizes: [2, 3], T: 2 });
    const Theta = 6;
    net.params.initial.set([-1, 3, 7.5]);
    net.constrain();
    expect(Array.from(net.params.initial)).toEqual([0, 3, Theta]);

    const os = feedForward({ neuron: osclif(), sizes: [2, 2], T: 2 });
    const P = osclif().period;
    os.params.initial.set([-0.5, P + 1]);
    os.constrain();
    expect(Array.from(os.params.initial)).toEqual([-0.5, P]);

    const q = feedForward({ neuron: qif(), sizes: [2, 2], T: 2 });
    q.params.initial.set([-100, 100, -5, 5]);
    q.constrain();
    expect(Array.from(q.params.initial)).toEqual([-100, 100, -5, 5]);

    const { network } = singleNeuron({ neuron: qif(), trainableTimes: [1, 9, 4], outputCount: 1, T: 10 });
    network.params.inputTimes.set([-0.3, 12, 4]);
    network.constrain();
    expect(Array.from(network.params.inputTimes)).toEqual([0, 10, 4]);
  });
});

// ---------------------------------------------------------------------------------------------
// JSON, clone
// ---------------------------------------------------------------------------------------------

describe('toJSON / fromJSON / clone', () => {
  const rng = new Random(800);
  const ff = feedForward({ neuron: theta({ tau: 6 / Math.PI }), sizes: [6, 5, 4, 3], T: 3, wScale: 6, seed: 8, outputCount: 2 });
  randomizeInitial(ff, rng);
  const rnn = recurrent({
    neuron: qif({ alpha: 7 }),
    n: 4,
    nIn: 2,
    inputs: [
      { channel: 1, target: 0, weight: 5 },
      { channel: 0, target: 2, weight: 4 },
    ],
    readout: { neurons: [0, 2], counts: [2, 1] },
    T: 4,
    weightScale: 5,
    seed: 3,
  });
  rnn.trainable = { ...rnn.trainable, initial: Uint8Array.from([1, 0, 1, 0, 1, 1, 0, 0]) };
  const single = singleNeuron({ neuron: qif(), trainableTimes: [1.5, 4], trainableWeights: [4, 2], fixed: { times: [0.5, 2], weights: [1, -1] }, outputCount: 2, T: 8 });
  const cases: { name: string; net: Network; batch: InputBatch }[] = [
    { name: 'feedForward', net: ff, batch: ttfsBatch(randomImages(rng, 5, 6), 6, { T: 3, bins: 2 }) },
    { name: 'recurrent', net: rnn, batch: spikeBatch(Array.from({ length: 3 }, () => randomSpikes(rng, 2, 5, 4))) },
    { name: 'singleNeuron', net: single.network, batch: single.batch },
  ];

  it.each(cases)('$name: a JSON round trip gives identical outputs, parameters and masks', ({ net, batch }) => {
    const text = JSON.stringify(net.toJSON());
    const back = Network.fromJSON(JSON.parse(text));
    expect(JSON.stringify(back.toJSON())).toBe(text);
    const a = net.forward(batch, { threads: 1 });
    const b = back.forward(batch, { threads: 1 });
    expect(bytesEqual(a.times, b.times)).toBe(true);
    expect(a.isPseudo).toEqual(b.isPseudo);
    for (const name of ['weights', 'inputWeights', 'initial', 'inputTimes'] as const) expect(bytesEqual(back.params[name], net.params[name])).toBe(true);
    expect(back.structure.neuron.params).toEqual(net.structure.neuron.params);
    expect(back.structure.layers?.map((l) => Array.from(l))).toEqual(net.structure.layers?.map((l) => Array.from(l)));
    const cot = randomCotangent(a.times.length, 3);
    const ra = net.record(batch, { threads: 1 });
    const rb = back.record(batch, { threads: 1 });
    const ga = ra.backward(cot);
    const gb = rb.backward(cot);
    ra.dispose();
    rb.dispose();
    for (const name of ['weights', 'inputWeights', 'initial', 'inputTimes'] as const) expect(bytesEqual(ga[name], gb[name])).toBe(true);
  });

  it('keeps Uint8Array masks and booleans', () => {
    const back = Network.fromJSON(JSON.parse(JSON.stringify(rnn.toJSON())));
    expect(back.trainable.initial).toBeInstanceOf(Uint8Array);
    expect(Array.from(back.trainable.initial as Uint8Array)).toEqual([1, 0, 1, 0, 1, 1, 0, 0]);
    expect(back.trainable.inputWeights).toBe(false);
    expect(back.trainable.weights).toBe(true);
  });

  it('clone() copies the parameters; the copies are independent', () => {
    const c = ff.clone();
    expect(bytesEqual(c.forward(cases[0].batch).times, ff.forward(cases[0].batch).times)).toBe(true);
    c.params.weights[0] += 1;
    expect(c.params.weights[0]).not.toBe(ff.params.weights[0]);
    expect(c.params.weights).not.toBe(ff.params.weights);
  });

  describe('fromJSON rejects malformed objects with coded errors naming the field', () => {
    const base = () => JSON.parse(JSON.stringify(ff.toJSON()));
    const bad: [string, (v: Record<string, never> & ReturnType<typeof base>) => void, string, RegExp][] = [
      ['not an object', () => undefined, 'ERR_SPIKEGRAD_ARG', /network/],
      ['missing params', (v) => delete v.params, 'ERR_SPIKEGRAD_ARG', /params/],
      ['missing recurrent', (v) => delete v.recurrent, 'ERR_SPIKEGRAD_ARG', /recurrent/],
      ['neuron missing', (v) => delete v.neuron, 'ERR_SPIKEGRAD_ARG', /neuron/],
      ['unknown neuron', (v) => (v.neuron = { name: 'hh', params: {} }), 'ERR_SPIKEGRAD_DOMAIN', /neuron model/],
      ['bad neuron param', (v) => (v.neuron.params.tau = -1), 'ERR_SPIKEGRAD_DOMAIN', /tau/],
      ['n not a number', (v) => (v.n = 'x'), 'ERR_SPIKEGRAD_ARG', /\bn\b/],
      ['n not positive', (v) => (v.n = 0), 'ERR_SPIKEGRAD_RANGE', /\bn\b/],
      ['T negative', (v) => (v.T = -1), 'ERR_SPIKEGRAD_RANGE', /\bT\b/],
      ['maxEvents fractional', (v) => (v.maxEvents = 1.5), 'ERR_SPIKEGRAD_RANGE', /maxEvents/],
      ['recurrent.source not integers', (v) => (v.recurrent.source[0] = 0.5), 'ERR_SPIKEGRAD_ARG', /recurrent\.source/],
      ['recurrent target out of range', (v) => (v.recurrent.target[0] = 99), 'ERR_SPIKEGRAD_RANGE', /recurrent/],
      ['input.target not an array', (v) => (v.input.target = 'x'), 'ERR_SPIKEGRAD_ARG', /input\.target/],
      ['params.weights with a string', (v) => (v.params.weights[1] = 'a'), 'ERR_SPIKEGRAD_ARG', /params\.weights/],
      ['params.initial with null (NaN)', (v) => (v.params.initial[0] = null), 'ERR_SPIKEGRAD_ARG', /params\.initial/],
      ['params.inputWeights too short', (v) => v.params.inputWeights.pop(), 'ERR_SPIKEGRAD_SHAPE', /params\.inputWeights/],
      ['readout neuron out of range', (v) => (v.readout.neurons[0] = 99), 'ERR_SPIKEGRAD_RANGE', /readout/],
      ['readout counts of another length', (v) => (v.readout.counts = [1]), 'ERR_SPIKEGRAD_SHAPE', /readout/],
      ['trainable mask not integers', (v) => (v.trainable.weights = 'yes'), 'ERR_SPIKEGRAD_ARG', /trainable\.weights/],
      ['trainable mask of the wrong length', (v) => (v.trainable.initial = [1, 0]), 'ERR_SPIKEGRAD_SHAPE', /trainable\.initial/],
    ];
    it.each(bad)('%s', (_name, mutate, code, re) => {
      let v = base();
      if (_name === 'not an object') v = 'network';
      else mutate(v);
      expect(() => Network.fromJSON(v)).toThrow(coded(code, re));
    });

    it('also for structurally malformed fields (null / non-array)', () => {
      const cases: [string, (v: ReturnType<typeof base>) => void, RegExp][] = [
        ['layers: 5', (v) => (v.layers = 5), /layers/],
        ['recurrent: null', (v) => (v.recurrent = null), /recurrent/],
        ['readout: null', (v) => (v.readout = null), /readout/],
        ['params.weights: null', (v) => (v.params.weights = null), /params\.weights/],
      ];
      for (const [, mutate, re] of cases) {
        const v = base();
        mutate(v);
        expect(() => Network.fromJSON(v)).toThrow(expect.objectContaining({ code: expect.stringMatching(/^ERR_SPIKEGRAD_/), message: expect.stringMatching(re) }));
      }
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Disposal, budget, argument errors
// ---------------------------------------------------------------------------------------------

describe('disposal', () => {
  const net = feedForward({ neuron: qif(), sizes: [4, 3, 2], T: 4, wScale: 12, seed: 1 });
  const batch = spikeBatch(Array.from({ length: 20 }, (_, s) => ({ times: [0.1 + s * 0.01, 0.5], channels: [s % 4, 1] })));

  it('backward after RecordedBatch.dispose() throws a coded error; dispose twice is fine', async () => {
    const rec = net.record(batch);
    rec.dispose();
    rec.dispose();
    const cot = new Float64Array(rec.output.times.length);
    expect(() => rec.backward(cot)).toThrow(coded('ERR_SPIKEGRAD_ARG', /disposed/));
    await expect(rec.backwardAsync(cot)).rejects.toThrow(coded('ERR_SPIKEGRAD_ARG', /disposed/));
    // The outputs stay readable.
    expect(rec.output.times.length).toBe(40);
  });

  it('disposing during a pending backwardAsync does not crash and the promise resolves', async () => {
    const rec = await net.recordAsync(batch);
    const cot = randomCotangent(rec.output.times.length, 9);
    const expected = (() => {
      const r = net.record(batch);
      const g = r.backward(cot);
      r.dispose();
      return g;
    })();
    const pending = rec.backwardAsync(cot);
    rec.dispose();
    const g = await pending;
    expect(bytesEqual(g.weights, expected.weights)).toBe(true);
    expect(bytesEqual(g.inputWeights, expected.inputWeights)).toBe(true);
    expect(() => rec.backward(cot)).toThrow(coded('ERR_SPIKEGRAD_ARG', /disposed/));
    // Many in flight at once, disposed immediately.
    const recs = await Promise.all([0, 1, 2, 3].map(() => net.recordAsync(batch, { threads: 2 })));
    const all = recs.map((r) => r.backwardAsync(cot, { threads: 2 }));
    recs.forEach((r) => r.dispose());
    for (const p of await Promise.all(all)) expect(bytesEqual(p.weights, expected.weights)).toBe(true);
  });

  it('a disposed network throws a coded error', () => {
    const c = net.clone();
    c.dispose();
    expect(() => c.forward(batch)).toThrow(coded('ERR_SPIKEGRAD_ARG', /disposed/));
  });
});

describe('the event budget', () => {
  it('surfaces as ERR_SPIKEGRAD_BUDGET naming the sample', async () => {
    const net = feedForward({ neuron: qif(), sizes: [2, 2], T: 4, wScale: 0.1, maxEvents: 10 });
    const samples: SampleSpikes[] = [0, 1, 2, 3].map(() => ({ times: [0.5], channels: [0] }));
    samples[3] = { times: Array.from({ length: 30 }, (_, k) => 0.1 * (k + 1)), channels: new Array(30).fill(1) };
    const batch = spikeBatch(samples);
    expect(() => net.forward(batch)).toThrow(coded('ERR_SPIKEGRAD_BUDGET', /sample 3\b/));
    expect(() => net.record(batch)).toThrow(coded('ERR_SPIKEGRAD_BUDGET', /sample 3\b/));
    await expect(net.forwardAsync(batch)).rejects.toThrow(coded('ERR_SPIKEGRAD_BUDGET', /sample 3\b/));
    await expect(net.lossAndGradient(batch, spikeTimeMse(), Float64Array.of(1, 1))).rejects.toThrow(coded('ERR_SPIKEGRAD_BUDGET', /sample 3\b/));
    // Within the budget it runs.
    expect(net.forward(spikeBatch(samples.slice(0, 3))).samples).toBe(3);
  });
});

describe('argument errors carry a code and name the option (the builders: test/topology/*.test.ts)', () => {
  const net = feedForward({ neuron: qif(), sizes: [3, 2], T: 2 });
  const batch = spikeBatch([{ times: [0.5], channels: [0] }]);

  it('run options, batches and cotangents', async () => {
    expect(() => net.forward(batch, { threads: -1 })).toThrow(coded('ERR_SPIKEGRAD_RANGE', /options\.threads/));
    expect(() => net.forward(batch, { threads: 1.5 })).toThrow(coded('ERR_SPIKEGRAD_RANGE', /options\.threads/));
    expect(() => net.forward(batch, { threads: '2' as never })).toThrow(coded('ERR_SPIKEGRAD_RANGE', /options\.threads/));
    await expect(net.forwardAsync(batch, { threads: -1 })).rejects.toThrow(coded('ERR_SPIKEGRAD_RANGE', /options\.threads/));
    expect(() => net.forward({ samples: 1 } as never)).toThrow(coded('ERR_SPIKEGRAD_ARG', /batch/));
    expect(() => net.forward(null as never)).toThrow(coded('ERR_SPIKEGRAD_ARG', /batch/));
    expect(() => net.record([[0.5, 0]] as never)).toThrow(coded('ERR_SPIKEGRAD_ARG', /batch/));
    await expect(net.forwardAsync({ times: [1] } as never)).rejects.toThrow(coded('ERR_SPIKEGRAD_ARG', /batch/));
    // A channel the network does not have.
    expect(() => net.forward(spikeBatch([{ times: [0.5], channels: [7] }]))).toThrow(expect.objectContaining({ code: expect.stringMatching(/^ERR_SPIKEGRAD_/) }));

    const rec = net.record(batch);
    expect(() => rec.backward(new Float64Array(5))).toThrow(coded('ERR_SPIKEGRAD_SHAPE', /cotangent.*2/));
    expect(() => rec.backward([1, 2] as never)).toThrow(coded('ERR_SPIKEGRAD_ARG', /cotangent/));
    await expect(rec.backwardAsync(new Float64Array(1))).rejects.toThrow(coded('ERR_SPIKEGRAD_SHAPE', /cotangent/));
    expect(() => rec.backward(new Float64Array(2), { threads: -1 })).toThrow(coded('ERR_SPIKEGRAD_RANGE', /options\.threads/));
    rec.dispose();
  });

  it('rejects a batch whose samples disagrees with its sampleStart offsets', () => {
    // sampleStart describes 2 samples, samples says 1 (or 3): the batch is inconsistent.
    const two = { samples: 1, times: Float64Array.of(0.5, 1), channels: Int32Array.of(0, 1), sampleStart: Int32Array.of(0, 1, 2) };
    expect(() => net.forward(two)).toThrow(coded('ERR_SPIKEGRAD_SHAPE', /samples/));
    const three = { samples: 3, times: Float64Array.of(0.5, 1), channels: Int32Array.of(0, 1), sampleStart: Int32Array.of(0, 2) };
    expect(() => net.forward(three)).toThrow(coded('ERR_SPIKEGRAD_SHAPE', /samples/));
    // With trainable input spikes the mismatch silently produced NaN input-time gradients.
    const { network } = singleNeuron({ neuron: qif(), trainableTimes: [1, 3], trainableWeights: [3, 2], fixed: { times: [0.5], weights: [1] }, outputCount: 1, T: 6 });
    const bad = { samples: 2, times: Float64Array.of(0.5), channels: Int32Array.of(2), sampleStart: Int32Array.of(0, 1) };
    expect(() => network.record(bad)).toThrow(coded('ERR_SPIKEGRAD_SHAPE', /samples/));
  });

  it('the Network constructor checks parameters by name', () => {
    const s = net.structure;
    expect(() => new Network(s, { weights: new Float64Array(3) })).toThrow(coded('ERR_SPIKEGRAD_SHAPE', /params\.weights/));
    expect(() => new Network(s, { initial: [0, 0, 0, 0] as never })).toThrow(coded('ERR_SPIKEGRAD_ARG', /params\.initial/));
    expect(() => new Network({ ...s, n: 0 })).toThrow(coded('ERR_SPIKEGRAD_RANGE', /\bn\b/));
    expect(() => new Network({ ...s, recurrent: { source: Int32Array.of(1, 0), target: Int32Array.of(0, 1) } })).toThrow(coded('ERR_SPIKEGRAD_RANGE', /grouped by source/));
    expect(() => new Network(null as never)).toThrow(coded('ERR_SPIKEGRAD_ARG', /structure/));
  });
});

describe('lossAndGradient with a target-train loss on a recurrent network', () => {
  it('returns the loss, the output and the gradient, and disposes its tapes', async () => {
    const net = recurrent({
      neuron: qif(),
      n: 3,
      nIn: 2,
      inputs: [
        { channel: 0, target: 0, weight: 5 },
        { channel: 1, target: 1, weight: 5 },
      ],
      readout: { neurons: [0], counts: [3] },
      T: 5,
      weightScale: 3,
    });
    const batch = spikeBatch([{ times: [0.2, 1.0, 2.5], channels: [0, 1, 0] }]);
    const { loss, output, grad } = await net.lossAndGradient(batch, targetTrainLoss(), [[1, 3]]);
    expect(output.slots).toBe(3);
    expect(loss.value).toBeGreaterThan(0);
    expect(grad.weights.length).toBe(6);
    expect(grad.initial.length).toBe(6);
    expect(grad.weights.some((x) => x !== 0) || grad.initial.some((x) => x !== 0)).toBe(true);
  });
});

describe('the fused step (the core computes firstSpikeCrossEntropy)', () => {
  it.each(['auto', 'general'] as const)('engine %s: equals record + loss + backward to round-off, bitwise the same for 1, 2 and 3 threads', async (engine) => {
    const rng = new Random(770);
    const net = feedForward({ neuron: theta({ tau: 6 / Math.PI }), sizes: [20, 12, 10, 5], T: 3, wScale: 5, seed: 4, engine });
    randomizeInitial(net, rng);
    const batch = ttfsBatch(randomImages(rng, 40, 20), 20, { T: 3, bins: 2 });
    const labels = Int32Array.from({ length: 40 }, () => rng.int(5));
    const loss = firstSpikeCrossEntropy({ gamma: 0.05 });
    const rec = net.record(batch, { threads: 2 });
    const manual = loss.compute(rec.output, labels);
    const g = rec.backward(manual.grad, { threads: 2 });
    rec.dispose();
    const runs = [];
    for (const threads of [1, 2, 3]) runs.push(await net.lossAndGradient(batch, loss, labels, { threads }));
    const f = runs[0];
    expect(f.output.times).toEqual(rec.output.times);
    expect(f.output.spikeCount).toEqual(rec.output.spikeCount);
    expect(Math.abs(f.loss.value - manual.value)).toBeLessThanOrEqual(1e-13 * Math.abs(manual.value));
    const cotScale = manual.grad.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
    expect(f.loss.grad.every((x, k) => Math.abs(x - manual.grad[k]) <= 1e-13 * cotScale)).toBe(true);
    for (const key of ['weights', 'inputWeights', 'initial', 'eventTimes'] as const) {
      const scale = g[key].reduce((m, x) => Math.max(m, Math.abs(x)), 0);
      expect(scale).toBeGreaterThan(0);
      expect(g[key].every((x, k) => Math.abs(x - f.grad[key][k]) <= 1e-12 * scale)).toBe(true);
      for (const r of runs.slice(1)) expect(bytesEqual(r.grad[key], f.grad[key])).toBe(true);
    }
    for (const r of runs.slice(1)) expect(r.loss.value).toBe(f.loss.value);
  });
});
