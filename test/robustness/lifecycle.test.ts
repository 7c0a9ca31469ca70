/**
 * The smaller lifecycle items of issue 12 class 9 (the file items are in files.test.ts):
 *
 * - a disposed network refuses toJSON, clone and saveModel like forward and trial
 *   (ERR_SPIKEGRAD_ARG; toJSON and clone used to work after dispose());
 * - net.structure cannot be changed after construction: its containers are frozen copies (T,
 *   maxEvents, the readout ... cannot be reassigned; the caller's object is not frozen), and an
 *   array changed in place is found by toJSON, clone and saveModel (ERR_SPIKEGRAD_ARG), so a saved
 *   model is the one that ran (before: the change was saved while the core ran the original);
 * - trial(), forward() and record() agree on the budget error for the same sample, just below,
 *   at and above the events it needs.
 */
import fs = require('fs');
import os = require('os');
import path = require('path');
import { feedForward, fromMatrices, loadModel, Network, qif, theta, lif, osclif, Random, saveModel, spikeBatch, type NetworkStructure } from '../../lib';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spikegrad-lifecycle-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function codeOf(fn: () => unknown): string {
  try {
    fn();
    return 'none';
  } catch (err) {
    return (err as { code?: string }).code ?? `uncoded: ${(err as Error).message}`;
  }
}

const net = () => feedForward({ neuron: theta({ tau: 2 }), sizes: [2, 3, 2], T: 2, seed: 1 });
const batch = spikeBatch([{ times: [0.1, 0.4], channels: [0, 1] }]);

describe('a disposed network', () => {
  it('refuses every use that reads it: forward, trial, record, toJSON, clone, saveModel', () => {
    const d = net();
    d.dispose();
    const file = path.join(tmp, 'disposed.spikegrad');
    const uses: Record<string, () => unknown> = {
      forward: () => d.forward(batch),
      trial: () => d.trial(batch),
      record: () => d.record(batch),
      toJSON: () => d.toJSON(),
      clone: () => d.clone(),
      saveModel: () => saveModel(file, d),
    };
    for (const [name, use] of Object.entries(uses)) expect([name, codeOf(use)]).toEqual([name, 'ERR_SPIKEGRAD_ARG']);
    expect(fs.existsSync(file)).toBe(false);
  });
});

describe('net.structure after construction', () => {
  it('its containers are frozen: T, maxEvents, the readout and the layers cannot be reassigned', () => {
    const n = net();
    const s = n.structure as unknown as Record<string, Record<string, unknown>>;
    expect(() => ((s as Record<string, unknown>).T = 99)).toThrow(TypeError);
    expect(() => ((s as Record<string, unknown>).maxEvents = 1)).toThrow(TypeError);
    expect(() => (s.readout.neurons = new Int32Array(2))).toThrow(TypeError);
    expect(() => (s.recurrent.source = new Int32Array(0))).toThrow(TypeError);
    expect(() => ((s.layers as unknown as Int32Array[])[0] = new Int32Array(0))).toThrow(TypeError);
    expect(n.toJSON().T).toBe(2);
  });

  it("the caller's structure object is not frozen, and later changes of it do not reach the network", () => {
    const s = { ...net().structure, readout: { ...net().structure.readout } } as { -readonly [K in keyof NetworkStructure]: NetworkStructure[K] };
    const n = new Network(s);
    expect(Object.isFrozen(s)).toBe(false);
    s.T = 7;
    expect(n.structure.T).toBe(2);
    expect(n.toJSON().T).toBe(2);
  });

  it('an array changed in place is refused by toJSON, clone and saveModel, naming it', () => {
    for (const [name, change] of [
      ['readout.neurons', (s: NetworkStructure) => (s.readout.neurons[0] = 1)],
      ['input.target', (s: NetworkStructure) => (s.input.target[0] = 2)],
      ['recurrent.source', (s: NetworkStructure) => (s.recurrent.source[0] = 1)],
      ['layers[1]', (s: NetworkStructure) => (s.layers![1][0] = 0)],
    ] as const) {
      const n = net();
      const before = n.forward(batch).times.slice();
      change(n.structure);
      const file = path.join(tmp, 'changed.spikegrad');
      for (const use of [() => n.toJSON(), () => n.clone(), () => saveModel(file, n)]) {
        expect(() => use()).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_ARG', message: expect.stringContaining(`network.structure.${name} was changed`) }));
      }
      expect(fs.existsSync(file)).toBe(false);
      // The core keeps running the network as it was built.
      expect(n.forward(batch).times).toEqual(before);
    }
  });

  it('an unchanged network saves and loads back as it runs', () => {
    const n = net();
    const file = path.join(tmp, 'same.spikegrad');
    saveModel(file, n);
    expect(loadModel(file).network.forward(batch).times).toEqual(n.forward(batch).times);
  });
});

describe('trial(), forward() and record() agree on the budget', () => {
  it('for random networks of every model, with maxEvents just below, at and above the events a sample needs', () => {
    const rng = new Random(21);
    const models = [qif, theta, lif, osclif];
    let checked = 0;
    for (let k = 0; k < 120; k++) {
      const n = 1 + rng.int(3);
      const nIn = 1 + rng.int(2);
      const options = {
        neuron: models[k % 4](),
        weights: Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 0 : (rng.uniform() - 0.3) * 3))),
        inputWeights: Array.from({ length: n }, () => Array.from({ length: nIn }, () => rng.uniform() * 4)),
        readout: { neurons: [0], counts: [1 + rng.int(2)] },
        T: 1 + rng.uniform() * 3,
      };
      const times = Array.from({ length: rng.int(5) }, () => rng.uniform() * 4).sort((a, b) => a - b);
      const b = spikeBatch([{ times, channels: times.map(() => rng.int(nIn)) }]);
      let needed: number;
      try {
        needed = fromMatrices({ ...options, maxEvents: 10000 }).forward(b).inTrialEvents[0];
      } catch {
        continue; // a runaway network
      }
      for (const maxEvents of [needed - 1, needed, needed + 1]) {
        if (maxEvents < 0) continue;
        const m = fromMatrices({ ...options, maxEvents });
        const outcome = [codeOf(() => m.forward(b)), codeOf(() => m.trial(b)), codeOf(() => m.record(b).dispose()), codeOf(() => m.trial(b, { recordEvents: true, traceDt: 0.25 }))];
        const want = maxEvents < needed ? 'ERR_SPIKEGRAD_BUDGET' : 'none';
        expect([k, maxEvents, needed, outcome]).toEqual([k, maxEvents, needed, [want, want, want, want]]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(300);
  });
});
