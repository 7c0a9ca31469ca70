import { runSingleNeuron } from '../../lib/experiments/single_neuron';
import { singleNeuronReport } from '../../lib/experiments/single_neuron.report';

describe('single-neuron experiment', () => {
  it('an initially silent neuron reaches both targets within 1e-3 within 3000 trials', async () => {
    const r = await runSingleNeuron();
    expect(r.initiallySilent).toBe(true);
    expect(r.history[0].times.every((t) => t > r.T)).toBe(true);
    expect(r.reachedAt).toBeGreaterThanOrEqual(0);
    expect(r.reachedAt).toBeLessThan(3000);
    const last = r.history[r.history.length - 1];
    expect(Math.abs(last.times[0] - 2.5)).toBeLessThan(1e-3);
    expect(Math.abs(last.times[1] - 7.5)).toBeLessThan(1e-3);
    // Trainable input times stay in [0, T] (the constraint after each step).
    r.history.forEach((h) => expect(h.params[2] >= 0 && h.params[2] <= 10 && h.params[3] >= 0 && h.params[3] <= 10).toBe(true));
    const { html } = singleNeuronReport(r, 14);
    expect(html).toContain('initially silent');
    expect(html.match(/<svg/g)!.length).toBeGreaterThanOrEqual(7);
  });

  it('the output times move continuously (no jumps larger than the step allows)', async () => {
    const r = await runSingleNeuron({ trials: 600 });
    for (let k = 1; k < r.history.length; k++) {
      for (let n = 0; n < 2; n++) expect(Math.abs(r.history[k].times[n] - r.history[k - 1].times[n])).toBeLessThan(0.5);
    }
  });
});
