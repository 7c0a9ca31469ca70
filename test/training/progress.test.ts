import { adaBelief, feedForward, firstSpikeCrossEntropy, formatDuration, imageDataset, Progress, theta, Trainer } from 'spikegrad';
import { twoClassImages } from '../helpers/tasks';

function sink(isTTY = false) {
  const s = { text: '', isTTY, write: (t: string) => (s.text += t) };
  return s;
}

describe('Progress', () => {
  it('measures samples per second and the ETA from its clock', () => {
    let t = 0;
    const out = sink(true);
    // 2 epochs of 4 batches of 10 samples, one evaluation per epoch.
    const p = new Progress({ stream: out, now: () => t }, 2, 80, 2);
    p.beginTraining();
    t = 500;
    p.batch(1, 1, 4, 0.5, 10); // 10 samples in 0.5 s: 20 samples/s; 70 left: 3.5 s
    expect(p.samplesPerSecond).toBeCloseTo(20, 12);
    expect(p.eta).toBeCloseTo(3.5, 12);
    expect(out.text).toMatch(/^\repoch 1\/2 \[#{6}\.{18}\] batch 1\/4 loss 0\.5000 \| 0\.5 s elapsed, ETA 3\.5 s, 20 samples\/s/);
    t = 2500;
    p.batch(1, 2, 4, 0.25, 10); // 20 samples in 2.5 s: 8 samples/s; 60 left: 7.5 s
    expect(p.samplesPerSecond).toBeCloseTo(8, 12);
    expect(p.eta).toBeCloseTo(7.5, 12);
    p.beginEvaluation();
    t = 3500;
    p.evaluating(1, 5, 10);
    expect(out.text).toContain('\repoch 1/2 evaluating 5/10 samples | 3.5 s elapsed');
    t = 4500;
    p.endEvaluation(); // one evaluation took 2 s... from 2.5 s to 4.5 s; one is left
    p.beginTraining();
    expect(p.eta).toBeCloseTo(60 / 8 + 2, 12);
    p.finishLine();
    expect(out.text.endsWith('\n')).toBe(true);
  });

  it('writes one plain line per interval when the stream is not a terminal', () => {
    let t = 0;
    const out = sink(false);
    const p = new Progress({ stream: out, now: () => t, interval: 5 }, 1, 1000, 0);
    for (let b = 1; b <= 100; b++) {
      t = b * 400; // a batch every 0.4 s: 40 s in all
      p.batch(1, b, 100, 1 / b, 10);
    }
    const lines = out.text.split('\n').filter(Boolean);
    expect(lines).toHaveLength(7); // the first batches past 5 s, 10 s, ..., 35 s (5.2 s, 10.4 s, ..., 36.4 s)
    expect(out.text).not.toContain('\r');
    expect(out.text).not.toContain('[');
    expect(lines[0]).toMatch(/^epoch 1\/1 batch 13\/100 loss 0\.0769 \| 5\.2 s elapsed, ETA 35 s, 25 samples\/s$/);
    expect(lines[6]).toMatch(/^epoch 1\/1 batch 91\/100 loss 0\.0110 \| 36 s elapsed, ETA 3\.6 s, 25 samples\/s$/);
  });

  it('formats durations', () => {
    expect(formatDuration(3.25)).toBe('3.3 s');
    expect(formatDuration(42.4)).toBe('42 s');
    expect(formatDuration(185)).toBe('3 min 05 s');
    expect(formatDuration(7620)).toBe('2 h 07 min');
    expect(formatDuration(NaN)).toBe('?');
  });

  it('refuses bad options', () => {
    expect(() => new Progress({ interval: 0 }, 1, 1, 0)).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_RANGE' }));
    expect(() => new Progress({ stream: {} as never }, 1, 1, 0)).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_ARG' }));
    expect(() => new Progress({ intervall: 1 } as never, 1, 1, 0)).toThrow(expect.objectContaining({ message: expect.stringMatching(/did you mean 'interval'/) }));
  });
});

describe('Trainer.fit progress', () => {
  const { images, labels } = twoClassImages(40, 4);
  const data = imageDataset({ images, pixels: 16, labels, T: 2 });
  const make = () =>
    new Trainer({
      network: feedForward({ neuron: theta({ tau: 6 / Math.PI }), sizes: [16, 6, 2], T: 2, seed: 3, wScale: 2 }),
      loss: firstSpikeCrossEntropy({ gamma: 0.01 }),
      optimizer: adaBelief({ lr: 0.01 }),
      batchSize: 8,
    });

  it('reports every batch, the evaluation phase and the epoch of epochs (plain lines off a terminal)', async () => {
    let t = 0;
    const out = sink(false);
    await make().fit({ train: data, test: data, epochs: 2, evaluateBefore: true, evalBatchSize: 16, progress: { stream: out, now: () => (t += 1000), interval: 0.5 } });
    const lines = out.text.split('\n').filter(Boolean);
    for (const e of [1, 2]) for (let b = 1; b <= 5; b++) expect(lines.some((l) => l.startsWith(`epoch ${e}/2 batch ${b}/5 loss `))).toBe(true);
    for (const e of [0, 1, 2]) for (const done of [16, 32, 40]) expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${e === 0 ? 'before training:' : `epoch ${e}/2`} evaluating ${done}/40 samples \\| `)));
    expect(lines.filter((l) => / samples\/s$/.test(l))).toHaveLength(10);
  });

  it('redraws one line on a terminal and writes nothing with progress: false', async () => {
    const tty = sink(true);
    await make().fit({ train: data, test: data, epochs: 1, progress: { stream: tty } });
    expect(tty.text).toMatch(/\repoch 1\/1 \[#+\.*\] batch 5\/5 loss [\d.]+ \| .* elapsed, ETA .*, [\d.]+ samples\/s/);
    expect(tty.text).toContain('evaluating 40/40 samples');
    const spy = jest.spyOn(process.stderr, 'write');
    await make().fit({ train: data, epochs: 1, progress: false });
    expect(spy).not.toHaveBeenCalled();
    spy.mockRestore();
  });
});
