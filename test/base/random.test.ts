/**
 * The seeded Random of lib/base/random.ts: reproducible streams, state save/resume, and rough
 * distribution checks of uniform, range, int, normal, exponential and shuffle.
 */
import { Random } from '../../lib/base/random';

const draw = (rng: Random, n: number, f: (r: Random) => number) => Array.from({ length: n }, () => f(rng));

function meanVar(xs: readonly number[]): [number, number] {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.reduce((a, b) => a + (b - m) * (b - m), 0) / xs.length;
  return [m, v];
}

describe('Random', () => {
  it('reproduces a stream from the same seed and differs between seeds', () => {
    const a = draw(new Random(42), 100, (r) => r.nextUint32());
    const b = draw(new Random(42), 100, (r) => r.nextUint32());
    const c = draw(new Random(43), 100, (r) => r.nextUint32());
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a.every((x) => Number.isInteger(x) && x >= 0 && x <= 0xffffffff)).toBe(true);
    // The default seed is 0 and seed 0 is a valid, non-degenerate stream.
    expect(draw(new Random(), 5, (r) => r.uniform())).toEqual(draw(new Random(0), 5, (r) => r.uniform()));
    expect(new Set(draw(new Random(0), 50, (r) => r.nextUint32())).size).toBe(50);
  });

  it('is xoshiro128** seeded by splitmix32 (values of an independent implementation)', () => {
    const a = new Random(42);
    expect(draw(a, 6, (r) => r.nextUint32())).toEqual([2837322924, 544945897, 479756282, 3500138142, 339756180, 113173290]);
    expect(a.getState()).toEqual([679431238, 1949896667, 1352712987, 4116562469, NaN]);
    const b = new Random(0xffffffff);
    expect(draw(b, 3, (r) => r.uniform())).toEqual([0.19461841469507213, 0.5485967281391287, 0.2282790634437124]);
    expect(b.getState()).toEqual([981761256, 3604384433, 1725823376, 3201901392, NaN]);
    // A state of words >= 2^31 resumes the same stream.
    const c = new Random();
    c.setState(b.getState());
    expect(draw(c, 4, (r) => r.nextUint32())).toEqual(draw(b, 4, (r) => r.nextUint32()));
  });

  it('is reproducible across every kind of draw', () => {
    const mixed = (seed: number) => {
      const r = new Random(seed);
      return [r.uniform(), r.range(-2, 3), r.int(10), r.normal(), r.normal(), r.normal(), r.exponential(), ...r.shuffle([1, 2, 3, 4, 5])];
    };
    expect(mixed(7)).toEqual(mixed(7));
    expect(mixed(7)).not.toEqual(mixed(8));
  });

  it('accepts seeds in [0, 2^32 - 1] and rejects others with a coded RangeError', () => {
    expect(() => new Random(0xffffffff)).not.toThrow();
    for (const bad of [-1, 1.5, 2 ** 32, NaN]) {
      expect(() => new Random(bad)).toThrow(expect.objectContaining({ name: 'RangeError', code: 'ERR_SPIKEGRAD_RANGE', message: expect.stringMatching(/seed/) }));
    }
  });

  it('resumes the exact stream from getState/setState, including the cached normal', () => {
    const r = new Random(5);
    draw(r, 10, (x) => x.uniform());
    r.normal(); // leaves a spare normal cached
    const state = r.getState();
    expect(state).toHaveLength(5);
    const rest = [r.normal(), r.uniform(), r.normal(), r.normal(), r.int(100)];

    const s = new Random(999);
    s.setState(state);
    expect([s.normal(), s.uniform(), s.normal(), s.normal(), s.int(100)]).toEqual(rest);

    // Through JSON (the spare becomes null when absent: NaN does not survive JSON).
    const t = new Random(3);
    t.uniform();
    const saved = JSON.parse(JSON.stringify(t.getState()));
    const after = [t.normal(), t.normal(), t.uniform()];
    const u = new Random(0);
    u.setState(saved);
    expect([u.normal(), u.normal(), u.uniform()]).toEqual(after);

    // With a spare through JSON.
    t.normal();
    const saved2 = JSON.parse(JSON.stringify(t.getState()));
    const after2 = [t.normal(), t.normal()];
    u.setState(saved2);
    expect([u.normal(), u.normal()]).toEqual(after2);
  });

  it('rejects malformed states with a coded error', () => {
    const r = new Random(1);
    for (const bad of [[1, 2, 3], [1, 2, 3, -4, NaN], [1, 2, 3, 2 ** 32, NaN], 'abc' as unknown as number[]]) {
      expect(() => r.setState(bad)).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_ARG', message: expect.stringMatching(/state/) }));
    }
  });

  it('draws uniform values in [0, 1) with mean 1/2 and variance 1/12', () => {
    const xs = draw(new Random(11), 20000, (r) => r.uniform());
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const [m, v] = meanVar(xs);
    expect(Math.abs(m - 0.5)).toBeLessThan(0.01);
    expect(Math.abs(v - 1 / 12)).toBeLessThan(0.004);
    // Roughly flat: each of 10 bins holds about 10%.
    const bins = new Array(10).fill(0);
    for (const x of xs) bins[Math.floor(x * 10)]++;
    for (const b of bins) expect(Math.abs(b / xs.length - 0.1)).toBeLessThan(0.015);
  });

  it('draws range(lo, hi) in [lo, hi) with mean (lo + hi)/2, and int(n) in [0, n)', () => {
    const xs = draw(new Random(12), 10000, (r) => r.range(-3, 5));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(-3);
    expect(Math.max(...xs)).toBeLessThan(5);
    expect(Math.abs(meanVar(xs)[0] - 1)).toBeLessThan(0.1);
    const ks = draw(new Random(13), 7000, (r) => r.int(7));
    const counts = new Array(7).fill(0);
    expect(ks.every((k) => Number.isInteger(k) && k >= 0 && k < 7)).toBe(true);
    for (const k of ks) counts[k]++;
    for (const c of counts) expect(Math.abs(c / ks.length - 1 / 7)).toBeLessThan(0.02);
  });

  it('draws standard normals (mean 0, variance 1) and unit exponentials', () => {
    const xs = draw(new Random(14), 20000, (r) => r.normal());
    const [m, v] = meanVar(xs);
    expect(Math.abs(m)).toBeLessThan(0.03);
    expect(Math.abs(v - 1)).toBeLessThan(0.05);
    // Symmetric and with the right tails: P(|x| > 1.96) ~ 5%.
    const tail = xs.filter((x) => Math.abs(x) > 1.96).length / xs.length;
    expect(Math.abs(tail - 0.05)).toBeLessThan(0.01);
    const es = draw(new Random(15), 20000, (r) => r.exponential());
    expect(Math.min(...es)).toBeGreaterThanOrEqual(0);
    const [me, ve] = meanVar(es);
    expect(Math.abs(me - 1)).toBeLessThan(0.04);
    expect(Math.abs(ve - 1)).toBeLessThan(0.1);
  });

  it('shuffles in place into a permutation, typed arrays too, and reaches every order', () => {
    const r = new Random(16);
    const a = Array.from({ length: 50 }, (_, i) => i);
    const out = r.shuffle(a);
    expect(out).toBe(a);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(a).not.toEqual(Array.from({ length: 50 }, (_, i) => i));

    const t = Int32Array.from({ length: 20 }, (_, i) => i * 3);
    r.shuffle(t);
    expect(Array.from(t).sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i * 3));

    // All 6 orders of 3 elements appear with roughly equal frequency.
    const seen = new Map<string, number>();
    for (let k = 0; k < 6000; k++) {
      const key = r.shuffle([0, 1, 2]).join('');
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    expect(seen.size).toBe(6);
    for (const c of seen.values()) expect(Math.abs(c / 6000 - 1 / 6)).toBeLessThan(0.03);

    expect(r.shuffle([])).toEqual([]);
    expect(r.shuffle([7])).toEqual([7]);
  });
});
