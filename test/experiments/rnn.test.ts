import { runRnn } from '../../lib/experiments/rnn';
import { rnnReport } from '../../lib/experiments/rnn.report';

describe('RNN experiment', () => {
  it('the loss falls by more than two orders of magnitude and the trains match the targets', async () => {
    const r = await runRnn();
    const h = r.history;
    expect(h).toHaveLength(10001);
    expect(h[0].loss / h[h.length - 1].loss).toBeGreaterThan(100);
    const last = h[h.length - 1];
    let offset = 0;
    r.targets.forEach((train) => {
      train.forEach((t, n) => {
        expect(last.isPseudo[offset + n]).toBe(false);
        expect(Math.abs(last.times[offset + n] - t)).toBeLessThan(0.25);
      });
      expect(last.times[offset + train.length]).toBeGreaterThan(r.T * 0.9); // no surplus spike
      offset += train.length + 1;
    });
    const { html, json } = rnnReport(r, { seed: 13, grid: false });
    expect(html).toContain('Spike rasters');
    expect((json as { lossRatio: number }).lossRatio).toBeGreaterThan(100);
  }, 60000);

  it('the restricted step-size variant keeps every output change below dtMax', async () => {
    const r = await runRnn({ grid: true, steps: 150 });
    expect(r.largeChanges).toBe(0);
    expect(r.history[149].loss).toBeLessThan(r.history[0].loss);
  }, 60000);
});
