// Every fixture of ../shared/fixtures/cases must agree with `spikegrad eval` within the
// tolerances of the case format: times within 1e-5, identical spike neuron order, gradients with
// |g - g_expected| <= 2e-4 (1 + |g_expected|). The expected values come from an independent
// float64 implementation with finite-difference gradients.
import fs = require('fs');
import path = require('path');
import { caseOutput, parseCase, type CaseOutput } from '../../lib/trial/case';
import { simulate } from '../../lib/trial/simulate';

const dir = path.join(__dirname, '..', '..', '..', 'shared', 'fixtures', 'cases');
const cases = fs.existsSync(dir)
  ? fs.readdirSync(dir).filter((f) => f.endsWith('.case.json')).map((f) => f.replace(/\.case\.json$/, ''))
  : [];

function flat(x: unknown): number[] {
  if (typeof x === 'number') return [x];
  if (Array.isArray(x)) return x.flatMap(flat);
  if (typeof x === 'object' && x !== null) return Object.keys(x).sort().flatMap((k) => flat((x as Record<string, unknown>)[k]));
  throw new Error(`unexpected ${String(x)}`);
}

function expectTimes(got: number[], want: number[], what: string): void {
  expect({ what, length: got.length }).toEqual({ what, length: want.length });
  got.forEach((g, k) => {
    if (!(Math.abs(g - want[k]) <= 1e-5)) throw new Error(`${what}[${k}]: got ${g}, expected ${want[k]}`);
  });
}

function expectGrad(got: unknown, want: unknown, what: string): void {
  const g = flat(got);
  const w = flat(want);
  expect({ what, length: g.length }).toEqual({ what, length: w.length });
  g.forEach((x, k) => {
    if (!(Math.abs(x - w[k]) <= 2e-4 * (1 + Math.abs(w[k])))) throw new Error(`${what} entry ${k}: got ${x}, expected ${w[k]}`);
  });
}

if (cases.length === 0) {
  test.skip(`fixtures: ${dir} is absent (the shared fixtures are only available beside a checkout)`, () => {});
} else {
  describe('fixtures of ../shared/fixtures/cases', () => {
    it('finds the fixtures', () => {
      expect(cases.length).toBeGreaterThanOrEqual(6);
    });

    it.each(cases)('%s agrees with the expected output', (name) => {
      const input: unknown = JSON.parse(fs.readFileSync(path.join(dir, `${name}.case.json`), 'utf8'));
      const expected = JSON.parse(fs.readFileSync(path.join(dir, `${name}.expected.json`), 'utf8')) as CaseOutput;
      const parsed = parseCase(input);
      const out = caseOutput(parsed, simulate(parsed.spec, { cotangent: parsed.cotangent }));
      expect(out.spikes.neurons).toEqual(expected.spikes.neurons);
      expectTimes(out.spikes.times, expected.spikes.times, 'spikes.times');
      expectTimes(out.outputTimes.flat(), expected.outputTimes.flat(), 'outputTimes');
      expect(out.outputTimes.map((r) => r.length)).toEqual(expected.outputTimes.map((r) => r.length));
      expectGrad(out.grad.weights, expected.grad.weights, 'grad.weights');
      expectGrad(out.grad.inputWeights, expected.grad.inputWeights, 'grad.inputWeights');
      expectGrad(out.grad.inputTimes, expected.grad.inputTimes, 'grad.inputTimes');
      expect(Object.keys(out.grad.initial).sort()).toEqual(Object.keys(expected.grad.initial).sort());
      expectGrad(out.grad.initial, expected.grad.initial, 'grad.initial');
    });
  });
}
