import { CONCEPT_MODELS, entryWeight, runConcept, spikeVsWeight } from '../../lib/experiments/concept';
import { CONCEPT_REFERENCE, conceptReport } from '../../lib/experiments/concept.report';

describe('concept experiment', () => {
  const r = runConcept({ points: 400 });

  it('reproduces the reference values of method.md appendix A.2', () => {
    for (const key of ['qif', 'lif'] as const) {
      r.models[key].table.forEach((row, k) => {
        const ref = CONCEPT_REFERENCE[key][k];
        expect({ key, factor: row.factor, spikes: Number.isFinite(row.t) }).toEqual({ key, factor: ref.factor, spikes: ref.t !== null });
        if (ref.t !== null) expect(Math.abs(row.t - ref.t)).toBeLessThan(2e-6);
        if (ref.dtdp !== null) expect(Math.abs(row.dtdp - ref.dtdp)).toBeLessThanOrEqual(1e-3 * Math.max(1, Math.abs(ref.dtdp)));
      });
    }
    expect(r.qifEntryWeight).toBeCloseTo(2.6234516, 6);
    expect(r.lifOnset.below).toBe(Infinity);
    expect(r.lifOnset.above).toBeCloseTo(0.5 + Math.LN2, 3);
  });

  it('QIF: the merged time is continuous through T; LIF: the spike time jumps', () => {
    const q = CONCEPT_MODELS.qif;
    const w = entryWeight(q);
    const below = spikeVsWeight(q, w - 1e-7);
    const above = spikeVsWeight(q, w + 1e-7);
    expect(Math.abs(below.merged - above.merged)).toBeLessThan(1e-4);
    const l = CONCEPT_MODELS.lif;
    expect(spikeVsWeight(l, l.wMin * 0.999999).t).toBe(Infinity);
    expect(spikeVsWeight(l, l.wMin * 1.000001).t).toBeLessThan(1.3);
  });

  it('writes a report with figures and a table', () => {
    const { html, json } = conceptReport(r);
    expect(html.match(/<svg/g)!.length).toBeGreaterThanOrEqual(7);
    expect(html).toContain('Reference values');
    // The dt/dw panel: |dt/dw| on a log scale, with the QIF entry marked.
    expect(html).toContain('|d t_spike / d w| for spikes inside the trial (log scale)');
    expect(html).toContain(`QIF entry w* = ${(r.qifEntryWeight / r.models.qif.settings.wMin).toFixed(4)} w_min`);
    expect(JSON.parse(JSON.stringify(json)).qifEntryWeight).toBeCloseTo(2.6234516, 6);
  });
});
