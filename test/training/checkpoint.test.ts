import fs = require('fs');
import os = require('os');
import path = require('path');
import { MODEL_FORMAT, adam, loadModel, parseModel, saveModel, writeFileAtomic } from '../../lib';
import { smallImageTask } from '../helpers/tasks';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spikegrad-serialize-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const LOAD = (message: RegExp) => expect.objectContaining({ code: 'ERR_SPIKEGRAD_LOAD', message: expect.stringMatching(message) });

describe('saveModel / loadModel', () => {
  const { net, train } = smallImageTask(8, 2);

  it('round-trips architecture, parameters, trainability and optimiser state exactly', () => {
    const network = net();
    network.params.initial[3] = 1.25;
    network.trainable = { ...network.trainable, initial: false };
    const opt = adam({ lr: 0.01 });
    opt.step(network.parameterList(), network.parameterList().map((a) => a.map((_, k) => Math.sin(k))));
    const file = path.join(tmp, 'model.json');
    saveModel(file, network, { optimizer: opt.state() });
    const loaded = loadModel(file);
    expect(loaded.network.parameterList()).toEqual(network.parameterList());
    expect(loaded.network.toJSON()).toEqual(network.toJSON());
    expect(loaded.optimizer).toEqual(opt.state());
    const batch = train.batch(Int32Array.from([0, 1, 2]), { training: false, rng: undefined as never }).inputs;
    expect(loaded.network.forward(batch).times).toEqual(network.forward(batch).times);
  });

  it('rejects truncated, corrupted, foreign and version-mismatched files with a clear error', () => {
    const file = path.join(tmp, 'ok.json');
    saveModel(file, net());
    const text = fs.readFileSync(file, 'utf8');
    const bad = (name: string, content: string) => {
      const f = path.join(tmp, name);
      fs.writeFileSync(f, content);
      return f;
    };
    expect(() => loadModel(bad('truncated.json', text.slice(0, text.length / 2)))).toThrow(LOAD(/not valid JSON/));
    expect(() => loadModel(path.join(tmp, 'missing.json'))).toThrow(LOAD(/ENOENT/));
    const value = JSON.parse(text);
    expect(() => parseModel({ ...value, version: 2 })).toThrow(LOAD(/version 2 .*not supported/));
    expect(() => parseModel({ ...value, format: 'other' })).toThrow(LOAD(/format/));
    expect(() => parseModel([])).toThrow(LOAD(/not a JSON object/));
    const corrupt = JSON.parse(text);
    corrupt.network.params.weights[0] = 'x';
    expect(() => parseModel(corrupt)).toThrow(LOAD(/params\.weights/));
    const mismatched = JSON.parse(text);
    mismatched.network.params.weights.pop();
    expect(() => parseModel(mismatched)).toThrow(LOAD(/params\.weights of length/));
    const badNeuron = JSON.parse(text);
    badNeuron.network.neuron.params.I0 = 0.1;
    expect(() => parseModel(badNeuron)).toThrow(LOAD(/I0 must be greater than 1\/4/));
    expect(() => parseModel({ ...value, training: { epoch: 'x' } })).toThrow(LOAD(/training/));
    expect(value.format).toBe(MODEL_FORMAT);
  });

  it('never leaves a truncated file: a failed save keeps the previous file and no temporary', () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'atomic-'));
    const file = path.join(dir, 'model.json');
    saveModel(file, net());
    const before = fs.readFileSync(file, 'utf8');
    // A save that fails while writing (here: the content cannot be stringified) leaves it intact.
    const broken = net();
    (broken as unknown as { toJSON: () => unknown }).toJSON = () => {
      throw new Error('interrupted');
    };
    expect(() => saveModel(file, broken)).toThrow('interrupted');
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
    // A save interrupted in the middle of writing (half the bytes on disk, then a failure).
    const real = fs.writeFileSync;
    const spy = jest.spyOn(fs, 'writeFileSync').mockImplementation(((fd: number, data: string) => {
      real(fd, data.slice(0, data.length >> 1));
      throw new Error('disk full');
    }) as typeof fs.writeFileSync);
    try {
      expect(() => saveModel(file, net())).toThrow('disk full');
    } finally {
      spy.mockRestore();
    }
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
    expect(fs.readdirSync(dir)).toEqual(['model.json']);
    // A save that fails at the rename (the target became a directory) removes its temporary.
    const target = path.join(dir, 'is-a-dir');
    fs.mkdirSync(target);
    expect(() => writeFileAtomic(target, 'x')).toThrow();
    expect(fs.readdirSync(dir).sort()).toEqual(['is-a-dir', 'model.json']);
    // The write goes to a temporary beside the target and is renamed over it.
    writeFileAtomic(file, before);
    expect(fs.readdirSync(dir).sort()).toEqual(['is-a-dir', 'model.json']);
  });

  it('rejects bad arguments', () => {
    expect(() => saveModel('', net())).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_ARG' }));
    expect(() => saveModel(path.join(tmp, 'x.json'), {} as never)).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_ARG', message: expect.stringMatching(/network/) }));
  });
});
