// The TypeScript neuron registry (lib/neurons/models.ts) against the native one: the same models,
// families, parameters, defaults and state names, and — for any parameter set — bit for bit the
// constants, state bounds and default state the core uses; Network.constrain projects exactly
// into the core's domain, so a projected state is never rejected (a period recomputed in
// JavaScript could be an ulp above the core's, which broke osclif training after a projection).
import * as neurons from '../../lib/neurons';
import { MODEL_NAMES, expectNeuron, isModelName, makeNeuron, modelInfo, neuronFromJSON, parameterNames } from '../../lib/neurons/models';
import { native } from '../../lib/base/native';
import { Network, fromMatrices, spikeBatch, type ModelName, type NeuronModel } from '../../lib';
import { Rng } from '../helpers/networks';

type Factory = (params?: Record<string, number>) => NeuronModel;
const factories = neurons as unknown as Record<string, Factory>;

/** Random parameter sets inside each model's domain. */
function randomParams(model: ModelName, rng: Rng): Record<string, number> {
  const tau = rng.uniform(0.05, 20);
  switch (model) {
    case 'qif':
      return { tau, alpha: rng.uniform(0.1, 50), eps: 10 ** rng.uniform(-9, -3) };
    case 'lif':
      return { tau, vth: rng.uniform(0.01, 5), alpha: rng.uniform(0.1, 50) };
    case 'theta':
      return { tau, I0: 0.25 + 10 ** rng.uniform(-6, 1.5), eps: 10 ** rng.uniform(-9, -3) };
    case 'osclif': {
      const vth = rng.uniform(0.01, 5);
      return { tau, vth, I0: vth * (1 + 10 ** rng.uniform(-4, 1)), eps: 10 ** rng.uniform(-9, -3) };
    }
    default:
      return { tau };
  }
}

describe('neuron registry: TypeScript and native agree', () => {
  it('lists the native models, in native order, each with a typed factory of its name', () => {
    expect(MODEL_NAMES).toEqual(native.models.map((m) => m.name));
    for (const name of MODEL_NAMES) {
      expect(isModelName(name)).toBe(true);
      expect(typeof factories[name]).toBe('function');
      expect(factories[name]().name).toBe(name);
    }
    for (const bad of ['constructor', '__proto__', 'toString', 'QIF', '', 'hasOwnProperty']) expect(isModelName(bad)).toBe(false);
  });

  it('has the native families, state names, parameter names and defaults', () => {
    for (const info of native.models) {
      const m = factories[info.name]();
      expect(m.family).toBe(info.family);
      expect(m.stateNames).toEqual(info.stateNames);
      expect(m.stateDim).toBe(info.stateNames.length);
      expect(parameterNames(info.name as ModelName)).toEqual(info.params.map((p) => p.name));
      expect(Object.keys(m.params)).toEqual(info.params.map((p) => p.name));
      for (const p of info.params) expect(Object.is(m.params[p.name], p.default)).toBe(true);
      expect(modelInfo(info.name)).toBe(info);
    }
  });

  it('uses the core constants, bounds and default state bit for bit, for random parameter sets', () => {
    const rng = new Rng(20261202);
    let compared = 0;
    for (const name of MODEL_NAMES) {
      for (let trial = 0; trial < 200; trial++) {
        const params = trial === 0 ? {} : randomParams(name, rng);
        const m = factories[name](params);
        const c = native.modelConstants(name, params);
        expect(Object.keys(m.constants)).toEqual(Object.keys(c.constants));
        for (const [key, value] of Object.entries(c.constants)) {
          expect(Object.is(m.constants[key], value)).toBe(true);
          // Each constant is also a property of the model (theta, osclif: period).
          expect(Object.is((m as unknown as Record<string, number>)[key], value)).toBe(true);
          compared++;
        }
        const b = m.stateBounds();
        b.min.forEach((x, d) => expect(Object.is(x, c.stateMin[d])).toBe(true));
        b.max.forEach((x, d) => expect(Object.is(x, c.stateMax[d])).toBe(true));
        m.defaultState().forEach((x, d) => expect(Object.is(x, c.defaultState[d])).toBe(true));
        for (const [key, value] of Object.entries(c.params)) expect(Object.is(m.params[key], value)).toBe(true);
      }
    }
    expect(compared).toBeGreaterThan(500);
  });

  it('refuses parameters the core refuses, with the core message, and unknown keys with a suggestion', () => {
    expect(() => neurons.theta({ I0: 0.2 })).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_DOMAIN', message: expect.stringMatching(/theta: I0/) }));
    expect(() => neurons.osclif({ I0: 1, vth: 1 })).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_DOMAIN' }));
    expect(() => neurons.qif({ eps: 0.5 })).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_DOMAIN' }));
    expect(() => neurons.lif({ tau: -1 })).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_DOMAIN' }));
    expect(() => neurons.theta({ Io: 2 } as never)).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_ARG', message: expect.stringMatching(/did you mean 'I0'/) }));
    expect(() => makeNeuron('constructor' as ModelName, {})).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_DOMAIN' }));
  });

  it('re-makes models from their name and parameters (JSON, objects of their shape)', () => {
    const m = neurons.osclif({ tau: 0.5, I0: 1.01, vth: 0.3 });
    const again = neuronFromJSON(JSON.parse(JSON.stringify({ name: m.name, params: m.params })));
    expect(again.constants).toEqual(m.constants);
    const shaped = expectNeuron({ name: 'osclif', params: { tau: 0.5, I0: 1.01, vth: 0.3 }, period: 99 });
    expect(shaped.constants.period).toBe(m.constants.period);
    expect(Object.isFrozen(m) && Object.isFrozen(m.params) && Object.isFrozen(m.constants)).toBe(true);
  });
});

describe('Network.constrain projects into the core domain', () => {
  /** A one-neuron network of the model with an input, its initial state set to x. */
  function one(model: NeuronModel, x: number[]): Network {
    const net = fromMatrices({ neuron: model, weights: [[0]], inputWeights: [[0.5]], readout: { neurons: [0], counts: [1] }, T: 1, maxEvents: 100 });
    net.params.initial.set(x);
    return net;
  }
  const batch = spikeBatch([{ times: [0.1], channels: [0] }]);

  it('equals the native projection, and the projected network runs (random phase-model parameters)', () => {
    const rng = new Rng(7);
    let clampedAbove = 0;
    for (const name of MODEL_NAMES) {
      for (let trial = 0; trial < 150; trial++) {
        const params = randomParams(name, rng);
        const m = makeNeuron(name, params);
        const b = m.stateBounds();
        // A state beyond every bound, and one just above each upper bound.
        const x = b.max.map((hi, d) => (Number.isFinite(hi) ? (trial % 2 ? hi * (1 + 1e-15) + 1e-300 : hi + 10) : [3, -2][d] ?? 0));
        const net = one(m, x);
        const expected = Float64Array.from(x);
        native.projectInitial(name, m.params, expected);
        net.constrain();
        expect(Array.from(net.params.initial)).toEqual(Array.from(expected));
        b.max.forEach((hi, d) => {
          expect(net.params.initial[d]).toBeLessThanOrEqual(hi);
          if (Number.isFinite(hi) && x[d] > hi) clampedAbove++;
        });
        expect(() => net.forward(batch)).not.toThrow();
      }
    }
    expect(clampedAbove).toBeGreaterThan(300);
  });

  it('osclif tau 0.5, I0 1.01, vth 0.3: the JavaScript period formula is an ulp above the core one; the projection uses the core one', () => {
    const m = neurons.osclif({ tau: 0.5, I0: 1.01, vth: 0.3 });
    const js = 0.5 * Math.log(1.01 / (1.01 - 0.3));
    expect(js).toBeGreaterThan(m.constants.period);
    const net = one(m, [js]);
    expect(() => net.forward(batch)).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_RANGE' }));
    net.constrain();
    expect(net.params.initial[0]).toBe(m.constants.period);
    expect(() => net.forward(batch)).not.toThrow();
  });

  it('lif: an initial voltage at or above the threshold is projected below it', () => {
    const m = neurons.lif({ vth: 0.7 });
    const net = one(m, [0.7, 0]);
    net.constrain();
    expect(net.params.initial[0]).toBeLessThan(0.7);
    expect(() => net.forward(batch)).not.toThrow();
  });
});
