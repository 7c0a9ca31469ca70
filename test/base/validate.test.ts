/**
 * The one validation module (lib/base/validate.ts): the checks' codes and messages, the one
 * message for an unknown option with its "did you mean" suggestion, and options objects read
 * without any lookup through a prototype, here and in every API that reads options.
 */
import {
  didYouMean,
  editDistance,
  expectFloat64Array,
  expectInteger,
  expectKnownKeys,
  expectOneOf,
  expectPositive,
  findNonFinite,
  readNumbers,
  readOptions,
  unknownOptionError,
} from '../../lib/base/validate';
import {
  Network,
  Trainer,
  adam,
  feedForward,
  figure,
  firstSpikeCrossEntropy,
  fixedDataset,
  fromMatrices,
  htmlReport,
  imageDataset,
  lossByName,
  neuronFromJSON,
  optimizerFromState,
  qif,
  recurrent,
  saveModel,
  sgd,
  simulate,
  singleNeuron,
  spikeBatch,
  theta,
  ttfsBatch,
  yinYang,
  type TrialSpec,
} from '../../lib';
import { parseCase } from '../../lib/trial/case';
import { runConcept } from '../../lib/experiments/concept';
import { main } from '../../lib/cli/main';

const coded = (code: string, re: RegExp, name = code === 'ERR_SPIKEGRAD_ARG' ? 'TypeError' : 'RangeError') =>
  expect.objectContaining({ name, code, message: expect.stringMatching(re) });

/** Whatever fn throws (or 'none'). */
function thrown(fn: () => unknown): { name?: string; code?: string; message?: string } | 'none' {
  try {
    fn();
    return 'none';
  } catch (err) {
    return err as Error & { code?: string };
  }
}

describe('editDistance and didYouMean', () => {
  it('counts insertions, deletions, substitutions and neighbour transpositions', () => {
    expect(editDistance('gamma', 'gamma')).toBe(0);
    expect(editDistance('gama', 'gamma')).toBe(1);
    expect(editDistance('gmama', 'gamma')).toBe(1);
    expect(editDistance('epsroot', 'eps_root')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('suggests the closest known name when it is a likely typo, ignoring case', () => {
    expect(didYouMean('gama', ['gamma'])).toBe('gamma');
    expect(didYouMean('wscale', ['sizes', 'T', 'wScale', 'seed'])).toBe('wScale');
    expect(didYouMean('eps_root', ['lr', 'b1', 'b2', 'eps', 'epsRoot'])).toBe('epsRoot');
    expect(didYouMean('trainInputWeight', ['selfConnections', 'trainInputWeights'])).toBe('trainInputWeights');
    expect(didYouMean('tua', ['tau', 'alpha', 'eps'])).toBe('tau');
  });

  it('suggests nothing for names that are not close to any known one', () => {
    expect(didYouMean('momentum', ['lr', 'clip'])).toBeUndefined();
    expect(didYouMean('beta1', ['lr', 'b1', 'b2'])).toBeUndefined();
    expect(didYouMean('__proto__', ['lr', 'clip'])).toBeUndefined();
    expect(didYouMean('x', [])).toBeUndefined();
  });
});

describe('readOptions', () => {
  it('returns the known options that are set, in a copy without a prototype', () => {
    const given = { a: 1, b: undefined };
    const o = readOptions(given, 'test options', ['a', 'b', 'c']);
    expect(Object.getPrototypeOf(o)).toBeNull();
    expect({ ...o }).toEqual({ a: 1, b: undefined });
    expect(o).not.toBe(given);
    expect({ ...readOptions(undefined, 'test options', ['a']) }).toEqual({});
  });

  it('refuses an unknown option with one message: the key, the suggestion, the known names', () => {
    expect(() => readOptions({ gama: 0.1 }, 'loss options', ['gamma'])).toThrow(
      coded('ERR_SPIKEGRAD_ARG', /^Unknown option 'gama' for loss options; did you mean 'gamma'\? \(known: gamma\)$/),
    );
    expect(() => readOptions({ momentum: 0.9 }, 'sgd options', ['lr', 'clip'])).toThrow(
      coded('ERR_SPIKEGRAD_ARG', /^Unknown option 'momentum' for sgd options \(known: lr, clip\)$/),
    );
    expect(() => readOptions({ x: 1 }, 'spikeTimeMse options', [])).toThrow(coded('ERR_SPIKEGRAD_ARG', /\(known: none\)$/));
    expect(unknownOptionError('a\nb', 'o', ['ab']).message).toBe("Unknown option 'a\\nb' for o; did you mean 'ab'? (known: ab)");
  });

  it('refuses non-objects, and undefined when required', () => {
    for (const bad of [null, 5, 'x', [1], new Float64Array(1), () => 1]) {
      expect(() => readOptions(bad, 'test options', ['a'])).toThrow(coded('ERR_SPIKEGRAD_ARG', /^Expected an options object for test options but received/));
    }
    expect(() => readOptions(undefined, 'test options', ['a'], true)).toThrow(coded('ERR_SPIKEGRAD_ARG', /undefined/));
  });

  it("takes '__proto__', 'constructor' and 'toString' as unknown options, never from a prototype", () => {
    const proto = JSON.parse('{"__proto__": {"a": 1}}') as object; // an own key named __proto__
    expect(Object.keys(proto)).toEqual(['__proto__']);
    expect(() => readOptions(proto, 'o', ['a'])).toThrow(coded('ERR_SPIKEGRAD_ARG', /^Unknown option '__proto__' for o \(known: a\)$/));
    expect(() => readOptions({ constructor: 1 }, 'o', ['a'])).toThrow(coded('ERR_SPIKEGRAD_ARG', /Unknown option 'constructor'/));
    expect(() => readOptions({ toString: 1 }, 'o', ['a'])).toThrow(coded('ERR_SPIKEGRAD_ARG', /Unknown option 'toString'/));
    // Inherited properties are not options, whatever their name; known names are not looked up either.
    const inherited = Object.create({ a: 1, toString: 2 }) as object;
    expect({ ...readOptions(inherited, 'o', ['a']) }).toEqual({});
    expect({ ...readOptions({}, 'o', ['toString', 'constructor']) }).toEqual({});
  });

  it('expectKnownKeys checks the keys without reading a value', () => {
    const o = Object.defineProperty({}, 'a', {
      enumerable: true,
      get() {
        throw new Error('read');
      },
    });
    expect(() => expectKnownKeys(o, 'o', ['a'])).not.toThrow();
    expect(() => expectKnownKeys({ b: 1 }, 'o', ['a'])).toThrow(coded('ERR_SPIKEGRAD_ARG', /Unknown option 'b'/));
  });

  it('readNumbers fills defaults and checks values by name', () => {
    expect(readNumbers({ tau: 2 }, 'qif parameters', 'qif', { tau: 1, alpha: 10 })).toEqual({ tau: 2, alpha: 10 });
    expect(readNumbers(undefined, 'qif parameters', 'qif', { tau: 1 })).toEqual({ tau: 1 });
    expect(() => readNumbers({ tau: '2' }, 'qif parameters', 'qif', { tau: 1 })).toThrow(coded('ERR_SPIKEGRAD_ARG', /qif\.tau/));
    expect(() => readNumbers({ tau: NaN }, 'qif parameters', 'qif', { tau: 1 })).toThrow(coded('ERR_SPIKEGRAD_NONFINITE', /qif\.tau/));
    expect(() => readNumbers({ toString: 1 }, 'qif parameters', 'qif', { tau: 1 })).toThrow(coded('ERR_SPIKEGRAD_ARG', /Unknown option 'toString' for qif parameters/));
  });
});

describe('the value checks', () => {
  it('name what they check, with the documented codes', () => {
    expect(() => expectInteger('3', 'n')).toThrow(coded('ERR_SPIKEGRAD_ARG', /^Expected an integer for n but received/));
    expect(() => expectInteger(0, 'n', 1)).toThrow(coded('ERR_SPIKEGRAD_RANGE', /^Expected an integer >= 1 for n but received 0$/));
    expect(() => expectInteger(9, 'n', 0, 8)).toThrow(coded('ERR_SPIKEGRAD_RANGE', /^Expected an integer in \[0, 8\] for n but received 9$/));
    expect(() => expectPositive(Infinity, 'T')).toThrow(coded('ERR_SPIKEGRAD_NONFINITE', /for T/));
    expect(() => expectPositive(0, 'T')).toThrow(coded('ERR_SPIKEGRAD_RANGE', /positive finite number for T/));
    expect(() => expectFloat64Array(new Float64Array(2), 'w', 3)).toThrow(coded('ERR_SPIKEGRAD_SHAPE', /length 3 for w but received length 2/));
    expect(() => expectFloat64Array([1], 'w')).toThrow(coded('ERR_SPIKEGRAD_ARG', /Float64Array for w/));
    expect(() => expectOneOf('c', 'v', ['a', 'b'])).toThrow(coded('ERR_SPIKEGRAD_RANGE', /^Expected one of 'a', 'b' for v but received/));
    expect(findNonFinite({ a: [1, { b: new Float64Array([0, NaN]) }] }, 'x')).toBe('x.a[1].b[1]');
    expect(findNonFinite({ a: [1, 2] }, 'x')).toBe('');
  });
});

describe('every API that reads an options object refuses unknown options with the one message', () => {
  const net = () => feedForward({ neuron: theta(), sizes: [2, 2], T: 1 });
  const batch = spikeBatch([{ times: [0.1], channels: [0] }]);
  const spec = (): TrialSpec => ({
    model: 'qif',
    n: 1,
    nIn: 1,
    weights: new Float64Array(1),
    inputWeights: new Float64Array([3]),
    initial: new Float64Array(2),
    inputTimes: new Float64Array([0.5]),
    inputChannels: new Int32Array([0]),
    readoutNeurons: new Int32Array([0]),
    readoutCounts: new Int32Array([1]),
    T: 4,
    maxEvents: 100,
  });
  const trainerOptions = () => ({ network: net(), loss: firstSpikeCrossEntropy(), optimizer: adam({ lr: 0.01 }), batchSize: 2 });
  const images = new Uint8Array(8);
  // [API, a call with the options object o, a typo of one of its options, the suggestion]
  const apis: [string, (o: Record<string, unknown>) => unknown, Record<string, unknown>, string][] = [
    ['qif', (o) => qif(o as never), { tua: 2 }, 'tau'],
    ['feedForward', (o) => feedForward({ neuron: qif(), sizes: [2, 2], T: 1, ...o }), { wscale: 1 }, 'wScale'],
    ['recurrent', (o) => recurrent({ neuron: qif(), n: 2, nIn: 0, inputs: [], readout: { neurons: [0], counts: [1] }, T: 1, ...o }), { seeed: 1 }, 'seed'],
    ['recurrent readout', (o) => recurrent({ neuron: qif(), n: 2, nIn: 0, inputs: [], readout: { neurons: [0], counts: [1], ...o } as never, T: 1 }), { count: [1] }, 'counts'],
    ['singleNeuron', (o) => singleNeuron({ neuron: qif(), trainableTimes: [1], outputCount: 1, T: 2, ...o }), { outputcount: 1 }, 'outputCount'],
    ['fromMatrices', (o) => fromMatrices({ neuron: qif(), weights: [[0]], inputWeights: [[1]], readout: { neurons: [0], counts: [1] }, T: 1, maxEvents: 10, ...o }), { layer: [] }, 'layers'],
    ['Network params', (o) => new Network(net().structure, o as never), { weight: new Float64Array(2) }, 'weights'],
    ['Network trainable', (o) => new Network(net().structure, {}, o as never), { initials: false }, 'initial'],
    ['Network structure', (o) => new Network({ ...net().structure, ...o } as never), { maxEvent: 10 }, 'maxEvents'],
    ['forward options', (o) => net().forward(batch, o as never), { thread: 1 }, 'threads'],
    ['simulate options', (o) => simulate(spec(), o as never), { traceDT: 0.1 }, 'traceDt'],
    ['simulate spec', (o) => simulate({ ...spec(), ...o } as never), { maxevents: 100 }, 'maxEvents'],
    ['simulate spec.params', (o) => simulate({ ...spec(), params: o } as never), { alpah: 10 }, 'alpha'],
    ['firstSpikeCrossEntropy', (o) => firstSpikeCrossEntropy(o as never), { gama: 0.1 }, 'gamma'],
    ['lossByName', (o) => lossByName('target_train', o), { sentinal: 1.1 }, 'sentinel'],
    ['sgd', (o) => sgd({ lr: 0.1, ...o }), { clipp: 0.1 }, 'clip'],
    ['adam', (o) => adam({ lr: 0.1, ...o }), { eps_root: 0 }, 'epsRoot'],
    ['optimizerFromState', (o) => optimizerFromState(adam({ lr: 0.1 }).state(), o as never), { Lr: 0.1 }, 'lr'],
    ['Trainer', (o) => new Trainer({ ...trainerOptions(), ...o }), { batchsize: 2 }, 'batchSize'],
    ['imageDataset', (o) => imageDataset({ images, pixels: 4, labels: [0, 1], T: 2, ...o }), { flipProbabilty: 0.1 }, 'flipProbability'],
    ['ttfsBatch', (o) => ttfsBatch(images, 4, { T: 2, ...o }), { bin: 2 }, 'bins'],
    ['yinYang', (o) => yinYang({ size: 3, seed: 1, ...o }), { rsmall: 0.1 }, 'rSmall'],
    ['saveModel', (o) => saveModel('/nonexistent/x.json', net(), o as never), { optimiser: {} }, 'optimizer'],
    ['runConcept', (o) => runConcept(o as never), { point: 10 }, 'points'],
    ['figure', (o) => figure(o as never), { xLabel: 't' }, 'xlabel'],
    ['htmlReport', (o) => htmlReport({ title: 't', sections: [], ...o }), { footr: 'x' }, 'footer'],
  ];
  for (const [api, call, typo, suggestion] of apis) {
    const key = Object.keys(typo)[0];
    it(`${api}: '${key}' (did you mean '${suggestion}'?), '__proto__', 'constructor' and 'toString'`, () => {
      const form = new RegExp(`^Unknown option '${key}' for .+; did you mean '${suggestion}'\\? \\(known: .+\\)$`);
      expect(thrown(() => call(typo))).toEqual(coded('ERR_SPIKEGRAD_ARG', form, 'TypeError'));
      for (const bad of [JSON.parse('{"__proto__": 1}') as Record<string, unknown>, { constructor: 1 }, { toString: 1 }]) {
        const name = Object.keys(bad)[0];
        expect(thrown(() => call(bad))).toEqual(coded('ERR_SPIKEGRAD_ARG', new RegExp(`^Unknown option '${name}' for .+ \\(known: .+\\)$`), 'TypeError'));
      }
    });
  }
  it('the Trainer reads fit and load options the same way', async () => {
    const t = new Trainer(trainerOptions());
    const train = fixedDataset(batch, [0]);
    await expect(t.fit({ train, epochs: 0, ...{ epoch: 1 } } as never)).rejects.toThrow(coded('ERR_SPIKEGRAD_ARG', /^Unknown option 'epoch' for fit options; did you mean 'epochs'\?/));
    expect(() => Trainer.load('/nonexistent.json', { loss: firstSpikeCrossEntropy(), thread: 1 } as never)).toThrow(
      coded('ERR_SPIKEGRAD_ARG', /^Unknown option 'thread' for Trainer\.load options; did you mean 'threads'\?/),
    );
  });
});

describe('names read from data are never looked up through a prototype', () => {
  it("model, loss and command names such as 'constructor' are unknown names", async () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(thrown(() => neuronFromJSON({ name, params: {} }))).toEqual(coded('ERR_SPIKEGRAD_DOMAIN', /Unknown neuron model/));
      expect(thrown(() => simulate({ model: name } as never))).toEqual(coded('ERR_SPIKEGRAD_DOMAIN', /spec\.model/));
      expect(thrown(() => parseCase({ neuron: { model: name } }))).toEqual(coded('ERR_SPIKEGRAD_DOMAIN', /^neuron\.model: expected one of/));
      expect(thrown(() => lossByName(name))).toEqual(coded('ERR_SPIKEGRAD_RANGE', /^Unknown loss/));
    }
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await main(['constructor'])).toBe(2);
      expect(String(err.mock.calls[0][0])).toMatch(/unknown command 'constructor'/);
    } finally {
      err.mockRestore();
    }
  });

  it('lossByName suggests a close loss name', () => {
    expect(() => lossByName('first_spike_crossentropy')).toThrow(coded('ERR_SPIKEGRAD_RANGE', /did you mean 'first_spike_cross_entropy'\?/));
  });
});
