/**
 * spikegrad's own seeded pseudo-random numbers, so that a seed reproduces a run exactly on every
 * platform: xoshiro128** (32-bit state words, period 2^128 - 1) seeded through splitmix32.
 */
import { describe, rangeError } from './errors';

/** A seeded random number generator with a serialisable state. */
export class Random {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spare: number | null = null;

  /**
   * @example
   * ```ts
   * const rng = new Random(42);
   * rng.uniform(); // in [0, 1)
   * ```
   */
  constructor(seed = 0) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw rangeError(`Expected an integer in [0, 2^32 - 1] for seed but received ${describe(seed)}`);
    }
    let x = seed >>> 0;
    const next = () => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next() | 0;
    this.s1 = next() | 0;
    this.s2 = next() | 0;
    this.s3 = next() | 0;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    // The state words are kept as signed 32-bit integers (the same bits; V8 keeps them unboxed).
    const s1 = this.s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    const s2 = this.s2 ^ this.s0;
    const s3 = this.s3 ^ s1;
    this.s1 = s1 ^ s2;
    this.s0 = this.s0 ^ s3;
    this.s2 = s2 ^ t;
    this.s3 = rotl(s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal (Box-Muller, caching the second value). */
  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Exponential with mean 1. */
  exponential(): number {
    return -Math.log(1 - this.uniform());
  }

  /** Shuffles a in place (Fisher-Yates) and returns it. */
  shuffle<T extends { length: number; [i: number]: unknown }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  /** The state, to resume the exact same stream later. */
  getState(): number[] {
    return [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0, this.spare === null ? NaN : this.spare];
  }

  /** Restores a state from getState(). */
  setState(state: readonly number[]): void {
    if (!Array.isArray(state) || state.length !== 5 || state.slice(0, 4).some((x) => !Number.isInteger(x) || x < 0 || x > 0xffffffff)) {
      throw rangeError('Expected a random state of four 32-bit words and a spare value', 'ERR_SPIKEGRAD_ARG');
    }
    [this.s0, this.s1, this.s2, this.s3] = (state as number[]).slice(0, 4).map((x) => x | 0);
    this.spare = Number.isNaN(state[4]) || state[4] === null ? null : state[4];
  }
}

/** Rotates the 32 bits of x left by k, as a signed 32-bit integer. */
function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
