/**
 * The model description of the raw binding (native/binding/models.cc) against the core's
 * behaviour: `models` lists the registered models with their families, state names, parameter
 * names and defaults (the defaults are what the core uses when a parameter is omitted);
 * `modelConstants` returns the constants the engines use, to the bit (the period is where a
 * theta or osclif neuron spikes; the domain bounds are exactly what the core accepts as an initial
 * state); `projectInitial` clamps into that domain. The TypeScript neuron factories agree with the
 * description.
 */
import { MODEL_NAMES, makeNeuron, type NeuronModel } from 'spikegrad';
import { native } from '../../lib/base/native';

type Params = Record<string, number>;

/** Neurons of `model` (no synapses, one input spike) started at `initial`; two output times each. */
function run(model: string, params: Params | undefined, initial: number[], T = 5): { times: Float64Array; pseudo: Uint8Array } {
  const n = model === 'qif' || model === 'lif' ? initial.length / 2 : initial.length;
  const r = native.simulate({
    model,
    params,
    n,
    nIn: 1,
    weights: new Float64Array(n * n),
    inputWeights: new Float64Array(n).fill(model === 'qif' ? 12 : model === 'lif' ? 3 : 0.4),
    initial: Float64Array.from(initial),
    inputTimes: Float64Array.of(0.25),
    inputChannels: Int32Array.of(0),
    readoutNeurons: Int32Array.from({ length: n }, (_, i) => i),
    readoutCounts: new Int32Array(n).fill(2),
    T,
    maxEvents: 100000,
  }) as { outputTimes: Float64Array; outputIsPseudo: Uint8Array };
  return { times: r.outputTimes, pseudo: r.outputIsPseudo };
}

const coded = (code: string, message?: RegExp) => expect.objectContaining({ code, ...(message ? { message: expect.stringMatching(message) } : {}) });

const nextUp = (x: number) => {
  const f = new Float64Array([x]);
  const i = new BigInt64Array(f.buffer);
  i[0] += x >= 0 ? 1n : -1n;
  return f[0];
};

describe('binding: models', () => {
  it('lists the registered models with family, state names and parameters', () => {
    // The paper's four models come first, in this order (qif is the default); others may follow.
    expect(native.models.map((m) => m.name).slice(0, 4)).toEqual(['qif', 'theta', 'lif', 'osclif']);
    const byName = Object.fromEntries(native.models.map((m) => [m.name, m]));
    expect(byName.qif).toEqual({ name: 'qif', family: 'current', stateNames: ['V', 'I'], params: [{ name: 'tau', default: 1 }, { name: 'alpha', default: 10 }, { name: 'eps', default: 1e-6 }] });
    expect(byName.theta).toEqual({ name: 'theta', family: 'phase', stateNames: ['phi'], params: [{ name: 'tau', default: 1 }, { name: 'I0', default: 1.25 }, { name: 'eps', default: 1e-6 }] });
    expect(byName.lif).toEqual({ name: 'lif', family: 'current', stateNames: ['V', 'I'], params: [{ name: 'tau', default: 1 }, { name: 'vth', default: 1 }, { name: 'alpha', default: 10 }] });
    expect(byName.osclif.family).toBe('phase');
    expect(byName.osclif.params.map((p) => p.name)).toEqual(['tau', 'I0', 'vth', 'eps']);
  });

  it('agrees with the TypeScript neuron factories (names, defaults, state names)', () => {
    const ts: Record<string, NeuronModel> = Object.fromEntries(MODEL_NAMES.map((name) => [name, makeNeuron(name, undefined)]));
    for (const m of native.models) {
      const t = ts[m.name];
      expect(t.stateNames).toEqual(m.stateNames);
      expect(t.stateDim).toBe(m.stateNames.length);
      expect(t.params).toEqual(Object.fromEntries(m.params.map((p) => [p.name, p.default])));
      expect(t.defaultState()).toEqual(native.modelConstants(m.name).defaultState);
    }
  });

  it('the listed defaults are what the core uses for omitted parameters', () => {
    for (const m of native.models) {
      const defaults = Object.fromEntries(m.params.map((p) => [p.name, p.default]));
      const init = native.modelConstants(m.name).defaultState;
      const x = m.family === 'phase' ? [init[0], init[0] / 3] : [init[0], -0.3, init[1], 0.4];
      const omitted = run(m.name, undefined, x);
      expect(run(m.name, defaults, x)).toEqual(omitted);
      // ... and the parameters are read: another tau changes the outputs.
      expect(run(m.name, { tau: 1.5 }, x).times).not.toEqual(omitted.times);
    }
  });
});

describe('binding: modelConstants', () => {
  const thetaParams: Params[] = [{}, { tau: 6 / Math.PI }, { tau: 0.3, I0: 0.2500001 }, { tau: 7, I0: 19.3 }];
  it('theta: period = tau pi / r and r = sqrt(I0 - 1/4), to the bit', () => {
    for (const p of thetaParams) {
      const c = native.modelConstants('theta', p);
      const tau = c.params.tau;
      const r = Math.sqrt(c.params.I0 - 0.25);
      expect(c.constants.r).toBe(r);
      expect(c.constants.period).toBe((tau * Math.PI) / r);
      expect(c.stateMin).toEqual([0]);
      expect(c.stateMax).toEqual([c.constants.period]);
      expect(c.defaultState).toEqual([c.constants.period / 2]);
    }
    expect(native.modelConstants('theta', { tau: 6 / Math.PI }).constants.period).toBe(6);
  });

  const phaseCases: [string, Params][] = [
    ['theta', { tau: 0.7, I0: 2.3 }],
    ['osclif', {}],
    ['osclif', { tau: 0.5, I0: 1.01, vth: 0.3 }],
    ['osclif', { tau: 2, I0: 1.9, vth: 1.1 }],
  ];
  it.each(phaseCases)('%s %j: the period is where the neuron spikes and the bound of the initial phase', (model, p) => {
    const c = native.modelConstants(model, p);
    const period = c.constants.period;
    expect(c.stateMax).toEqual([period]);
    // From phase 0 the first spike is at exactly the period; from the period at t = 0.
    const free = native.simulate({
      model,
      params: p,
      n: 2,
      nIn: 0,
      weights: new Float64Array(4),
      inputWeights: new Float64Array(0),
      initial: Float64Array.of(0, period),
      inputTimes: new Float64Array(0),
      inputChannels: new Int32Array(0),
      readoutNeurons: Int32Array.of(0, 1),
      readoutCounts: Int32Array.of(1, 1),
      T: 2 * period,
      maxEvents: 10,
    }) as { outputTimes: Float64Array; outputIsPseudo: Uint8Array };
    expect(Array.from(free.outputIsPseudo)).toEqual([0, 0]);
    expect(free.outputTimes[0]).toBe(period);
    expect(free.outputTimes[1]).toBe(0);
    // One ulp above the period is outside the domain.
    expect(() => run(model, p, [nextUp(period)])).toThrow(coded('ERR_SPIKEGRAD_RANGE', /initial\.phi\[0\]/));
    expect(() => run(model, p, [period])).not.toThrow();
  });

  it('osclif: a period recomputed in JavaScript can be an ulp above the core one, which the core rejects', () => {
    const p = { tau: 0.5, I0: 1.01, vth: 0.3 };
    const js = p.tau * Math.log(p.I0 / (p.I0 - p.vth));
    const core = native.modelConstants('osclif', p).constants.period;
    expect(js).toBeGreaterThan(core); // V8's log and the core's log1p form differ here
    expect(() => run('osclif', p, [js])).toThrow(coded('ERR_SPIKEGRAD_RANGE'));
    expect(() => run('osclif', p, [core])).not.toThrow();
  });

  it('lif: the initial voltage is bounded by the largest double below vth', () => {
    for (const vth of [1, 0.8, 3e-5]) {
      const c = native.modelConstants('lif', { vth });
      expect(c.constants).toEqual({});
      expect(c.stateMin).toEqual([-Infinity, -Infinity]);
      expect(c.stateMax).toEqual([c.stateMax[0], Infinity]);
      expect(c.stateMax[0]).toBeLessThan(vth);
      expect(nextUp(c.stateMax[0])).toBe(vth);
      expect(() => run('lif', { vth }, [c.stateMax[0], 0])).not.toThrow();
      expect(() => run('lif', { vth }, [vth, 0])).toThrow(coded('ERR_SPIKEGRAD_RANGE', /initial\.V\[0\]/));
    }
  });

  it('qif: no constants, an unconstrained state', () => {
    const c = native.modelConstants('qif', { tau: 2 });
    expect(c.params).toEqual({ tau: 2, alpha: 10, eps: 1e-6 });
    expect(c.constants).toEqual({});
    expect(c.stateMin).toEqual([-Infinity, -Infinity]);
    expect(c.stateMax).toEqual([Infinity, Infinity]);
  });

  it('rejects unknown models and invalid parameters with coded errors', () => {
    expect(() => native.modelConstants('QIF')).toThrow(coded('ERR_SPIKEGRAD_DOMAIN', /one of qif, theta, lif, osclif/));
    expect(() => native.simulate({ model: 'hh' })).toThrow(coded('ERR_SPIKEGRAD_DOMAIN', /spec\.model must be one of/));
    expect(() => (native.modelConstants as unknown as (x: unknown) => unknown)(3)).toThrow(coded('ERR_SPIKEGRAD_ARG'));
    expect(() => native.modelConstants('theta', { I0: 0.25 })).toThrow(coded('ERR_SPIKEGRAD_DOMAIN', /I0/));
    expect(() => native.modelConstants('qif', { tau: NaN })).toThrow(coded('ERR_SPIKEGRAD_NONFINITE', /params\.tau/));
    expect(() => (native.modelConstants as unknown as () => unknown)()).toThrow(coded('ERR_SPIKEGRAD_ARG'));
  });
});

describe('binding: projectInitial', () => {
  it('clamps in place into the domain the core accepts, and counts the changes', () => {
    const p = { tau: 0.5, I0: 1.01, vth: 0.3 };
    const period = native.modelConstants('osclif', p).constants.period;
    const phases = Float64Array.of(-2, period * 0.5, period * 1.5, p.tau * Math.log(p.I0 / (p.I0 - p.vth)));
    expect(native.projectInitial('osclif', p, phases)).toBe(2);
    expect(Array.from(phases)).toEqual([-2, period * 0.5, period, period]);
    expect(() => run('osclif', p, Array.from(phases))).not.toThrow();

    const th = Float64Array.of(-1e-300, 7, 3, NaN);
    expect(native.projectInitial('theta', { tau: 6 / Math.PI }, th)).toBe(2);
    expect(Array.from(th)).toEqual([0, 6, 3, NaN]); // NaN stays NaN (the core rejects it later)

    // lif: V[0..n) below vth, I[0..n) untouched.
    const x = Float64Array.of(0.5, 2, 9, -9);
    expect(native.projectInitial('lif', undefined, x)).toBe(1);
    expect(Array.from(x)).toEqual([0.5, native.modelConstants('lif').stateMax[0], 9, -9]);
    expect(() => run('lif', undefined, Array.from(x))).not.toThrow();

    const q = Float64Array.of(1e300, -1e300);
    expect(native.projectInitial('qif', {}, q)).toBe(0);
  });

  it('rejects bad arguments with coded errors', () => {
    expect(() => native.projectInitial('lif', {}, Float64Array.of(1, 2, 3))).toThrow(coded('ERR_SPIKEGRAD_SHAPE', /2 values per neuron/));
    expect(() => native.projectInitial('theta', {}, [1, 2] as unknown as Float64Array)).toThrow(coded('ERR_SPIKEGRAD_ARG', /Float64Array/));
    expect(() => native.projectInitial('nope', {}, new Float64Array(1))).toThrow(coded('ERR_SPIKEGRAD_DOMAIN'));
    expect(() => native.projectInitial('theta', { eps: 1 }, new Float64Array(1))).toThrow(coded('ERR_SPIKEGRAD_DOMAIN', /eps/));
    expect(() => (native.projectInitial as unknown as (a: string) => unknown)('theta')).toThrow(coded('ERR_SPIKEGRAD_ARG'));
  });
});
