/**
 * The engine option (NetworkStructure.engine, lib/network/network.ts): 'auto' runs feed-forward
 * theta networks in the layered engine (native/core/engine/layered.hpp) and everything else in
 * the general one; forcing either gives the same outputs and, to 1e-12 relative, the same
 * gradients on random layered networks (spikes and pseudospikes, plain and bundled inputs,
 * outputs near T). Forcing 'layered' where it cannot run is a coded error naming the reason.
 * Finite-difference checks through the layered path are in network.test.ts (feedForward theta).
 */
import { Network, type Gradients, type ParameterName } from '../../lib/network/network';
import { feedForward, recurrent } from '../../lib/topology';
import { lif, osclif, qif, theta } from '../../lib/neurons';
import { spikeBatch, type InputBatch } from '../../lib/network/inputs';
import { ttfsBatch } from '../../lib/data/ttfs';
import { Random } from '../../lib/base/random';

function withEngine(net: Network, engine: 'auto' | 'layered' | 'general'): Network {
  const p = net.params;
  return new Network({ ...net.structure, engine }, { weights: p.weights.slice(), inputWeights: p.inputWeights.slice(), initial: p.initial.slice(), inputTimes: p.inputTimes.slice() });
}

function maxAbs(a: Float64Array): number {
  return a.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
}

/** |a - b| <= rel * max|b| entrywise. */
function expectClose(a: Float64Array, b: Float64Array, rel: number, what: string): void {
  expect(a.length).toBe(b.length);
  const scale = maxAbs(b);
  const bad: string[] = [];
  a.forEach((x, k) => {
    if (!(Math.abs(x - b[k]) <= rel * scale || x === b[k])) bad.push(`${what}[${k}]: ${x} vs ${b[k]}`);
  });
  expect(bad).toEqual([]);
}

function compare(net: Network, batch: InputBatch, rng: Random, tally: { spikes: number; pseudo: number; ordinary: number; nearT: number }): void {
  const layered = withEngine(net, 'layered');
  const general = withEngine(net, 'general');
  expect(layered.engine).toBe('layered');
  expect(general.engine).toBe('general');
  const a = layered.record(batch, { threads: 1 });
  const b = general.record(batch, { threads: 2 });
  // Ordinary spike times are identical; pseudospike times agree to round-off (the layered engine
  // gets the tangent at T by the tangent addition).
  expectClose(a.output.times, b.output.times, 1e-12, 'times');
  a.output.times.forEach((t, k) => {
    if (!a.output.isPseudo[k]) expect(t).toBe(b.output.times[k]);
  });
  expect(a.output.isPseudo).toEqual(b.output.isPseudo);
  expect(a.output.spikeCount).toEqual(b.output.spikeCount);
  expect(a.output.inTrialEvents).toEqual(b.output.inTrialEvents);
  const cot = Float64Array.from(a.output.times, () => rng.range(-1, 1));
  const ga: Gradients = a.backward(cot, { threads: 2 });
  const gb: Gradients = b.backward(cot, { threads: 1 });
  for (const name of ['weights', 'inputWeights', 'initial', 'inputTimes'] as ParameterName[]) expectClose(ga[name], gb[name], 1e-12, name);
  expectClose(ga.eventTimes, gb.eventTimes, 1e-12, 'eventTimes');
  a.dispose();
  b.dispose();
  tally.spikes += b.output.spikeCount.reduce((s, x) => s + x, 0);
  b.output.isPseudo.forEach((p) => (p ? tally.pseudo++ : tally.ordinary++));
  b.output.times.forEach((t) => {
    if (Math.abs(t - net.T) < 0.05 * net.T) tally.nearT++;
  });
}

describe('layered and general engine agree', () => {
  it('on random feed-forward theta networks with spike lists and TTFS bundles', () => {
    const tally = { spikes: 0, pseudo: 0, ordinary: 0, nearT: 0 };
    for (let seed = 0; seed < 40; seed++) {
      const rng = new Random(1000 + seed);
      const depth = 1 + rng.int(3);
      const sizes = [1 + rng.int(8), ...Array.from({ length: depth }, () => 1 + rng.int(9))];
      const tau = rng.range(0.5, 2);
      const T = rng.range(1, 8);
      const net = feedForward({ neuron: theta({ tau, I0: rng.range(0.3, 2) }), sizes, T, wScale: rng.range(2, 10), seed, outputCount: 1 + rng.int(3) });
      expect(net.engine).toBe('layered');
      const Theta = (net.neuron as ReturnType<typeof theta>).period;
      for (let i = 0; i < net.n; i++) net.params.initial[i] = rng.range(0, 1) < 0.1 ? 0 : rng.range(0, Theta);
      const batch =
        seed % 2 === 0
          ? spikeBatch(Array.from({ length: 3 }, () => ({ times: Array.from({ length: 6 }, () => rng.range(0, T)), channels: Array.from({ length: 6 }, () => rng.int(sizes[0])) })))
          : ttfsBatch(Uint8Array.from({ length: 3 * sizes[0] }, () => rng.int(256)), sizes[0], { T, bins: 1 + rng.int(3) });
      compare(net, batch, rng, tally);
    }
    expect(tally.spikes).toBeGreaterThan(200);
    expect(tally.ordinary).toBeGreaterThan(50);
    expect(tally.pseudo).toBeGreaterThan(50);
    expect(tally.nearT).toBeGreaterThan(0);
  });
});

describe('engine selection', () => {
  it("'auto' picks the layered engine for feed-forward theta networks only", () => {
    expect(feedForward({ neuron: theta(), sizes: [4, 3, 2], T: 2 }).engine).toBe('layered');
    expect(feedForward({ neuron: qif(), sizes: [4, 3, 2], T: 2 }).engine).toBe('general');
    expect(feedForward({ neuron: lif(), sizes: [4, 3, 2], T: 2 }).engine).toBe('general');
    expect(recurrent({ neuron: theta(), n: 5, nIn: 1, inputs: [{ channel: 0, target: 0, weight: 1 }], readout: { neurons: [4], counts: [1] }, T: 2, seed: 1 }).engine).toBe('general');
    expect(feedForward({ neuron: theta(), sizes: [4, 3, 2], T: 2, engine: 'general' }).engine).toBe('general');
  });

  it("forcing 'layered' where it cannot run is ERR_SPIKEGRAD_ARG with the reason", () => {
    expect(() => feedForward({ neuron: osclif(), sizes: [4, 3], T: 2, engine: 'layered' })).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_ARG', message: expect.stringMatching(/osclif neurons yet/) }));
    expect(feedForward({ neuron: qif(), sizes: [4, 3], T: 2, engine: 'layered' }).engine).toBe('layered');
    const net = feedForward({ neuron: theta(), sizes: [4, 3, 2], T: 2 });
    expect(() => new Network({ ...net.structure, layers: undefined, engine: 'layered' }, net.params)).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_ARG', message: expect.stringMatching(/no layers/) }));
    expect(() => new Network({ ...net.structure, engine: 'fast' as never }, net.params)).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_ARG', message: expect.stringMatching(/structure.engine/) }));
  });

  it('the engine option survives toJSON / fromJSON', () => {
    const net = feedForward({ neuron: theta(), sizes: [4, 3, 2], T: 2, engine: 'general' });
    const back = Network.fromJSON(JSON.parse(JSON.stringify(net.toJSON())));
    expect(back.structure.engine).toBe('general');
    expect(back.engine).toBe('general');
  });
});
