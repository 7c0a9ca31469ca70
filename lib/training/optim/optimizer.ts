/**
 * The optimiser interface and the machinery shared by the built-in optimisers: lazily created
 * per-parameter state with shape checks, a learning-rate schedule evaluated at the pre-increment
 * step, and a JSON-serialisable state that continues bit-identically after save and load.
 *
 * Projections and constraints (for example clipping phi0 to [0, Theta], method.md 6.4) are not
 * part of an optimiser: apply them after {@link Optimizer.step}, for example with {@link clamp}.
 */
import { argumentError, describe, rangeError } from '../../base/errors';
import { expectFloat64Array, expectFloat64Arrays, expectNumber, isFloat64Array, unknownOptionError } from '../../base/validate';
import type { ScheduleSpec } from './schedule';
import { backend } from '../../base/native';
import { firstNonFinite } from '../../base/binary';

/**
 * A value stored in {@link OptimizerState.options}.
 *
 * @example
 * ```ts
 * const values: OptionValue[] = [0.9, 'optax-0.2.3', null, { kind: 'constant', value: 0.1 }];
 * ```
 */
export type OptionValue = number | string | boolean | null | ScheduleSpec;

/**
 * A JSON-serialisable snapshot of an optimiser: `JSON.parse(JSON.stringify(opt.state()))` loads
 * back into an optimiser with the same name and options and continues bit-identically.
 *
 * @example
 * ```ts
 * const opt = adam({ lr: 1e-3 });
 * opt.step(params, grads);
 * const saved: OptimizerState = opt.state();
 * // { version: 1, name: 'adam', options: { lr: { kind: 'constant', value: 0.001 }, b1: 0.9, ... },
 * //   step: 1, shapes: [3, 2], moments: { mu: [[...], [...]], nu: [[...], [...]] } }
 * ```
 */
export interface OptimizerState {
  /** Format version, currently 1. */
  version: 1;
  /** The optimiser name: 'sgd', 'adam' or 'adabelief'. */
  name: string;
  /** The hyperparameters; the learning rate as a {@link ScheduleSpec}. */
  options: Record<string, OptionValue>;
  /** The number of steps taken so far. */
  step: number;
  /** The length of each parameter array, or null before the first step. */
  shapes: number[] | null;
  /** The moment arrays by name (for example mu and nu), one plain number array per parameter array. */
  moments: Record<string, number[][]>;
}

/**
 * An {@link OptimizerState} whose moment arrays may also be Float64Arrays, as model files of
 * version 2 hold them (no conversion to number arrays for large networks). `loadState` and
 * `optimizerFromState` take both forms.
 */
export type StoredOptimizerState = Omit<OptimizerState, 'moments'> & { moments: Record<string, (number[] | Float64Array)[]> };

/**
 * An optimiser over a list of parameter arrays (Float64Arrays updated in place).
 *
 * @example
 * ```ts
 * const opt = adaBelief({ lr: exponentialDecay({ initial: 1e-2, transitionSteps: 2000, decayRate: Math.exp(-1) }) });
 * const params = [weights, x0];
 * for (let i = 0; i < 100; i++) {
 *   const grads = computeGradients(params); // same lengths as params
 *   opt.step(params, grads);
 * }
 * ```
 */
export interface Optimizer {
  /** 'sgd', 'adam' or 'adabelief' for the built-in optimisers. */
  readonly name: string;
  /** The number of steps taken (the t - 1 of the bias corrections of the next step). */
  readonly stepCount: number;
  /** Advances the state by one step and adds the update to every parameter array in place. */
  step(params: Float64Array[], grads: readonly Float64Array[]): void;
  /**
   * Advances the state by one step and returns the updates (the values `step` would add),
   * without touching any parameters. Useful for line searches that scale the update.
   */
  computeUpdates(grads: readonly Float64Array[]): Float64Array[];
  /** A JSON-serialisable copy of the state. */
  state(): OptimizerState;
  /**
   * Optional: a copy of the state with the moments as Float64Arrays (no conversion to number
   * arrays: what checkpoints save). The built-in optimisers have it.
   */
  storedState?(): StoredOptimizerState;
  /** Replaces the state with a saved one; validates name, options and shapes first. */
  loadState(state: OptimizerState | StoredOptimizerState): void;
}

/**
 * Clamps every element of `array` to [lo, hi] in place and returns it (NaN stays NaN). Meant for
 * projections after an optimiser step, e.g. clipping input times to [0, T] or phi0 to [0, Theta].
 *
 * @example
 * ```ts
 * opt.step(params, grads);
 * clamp(params[1], 0, 6); // phi0 in [0, Theta]
 * ```
 */
export function clamp(array: Float64Array, lo: number, hi: number): Float64Array {
  expectFloat64Array(array, 'array');
  expectNumber(lo, 'lo');
  expectNumber(hi, 'hi');
  if (lo > hi) throw rangeError(`Expected a number >= lo (${lo}) for hi but received ${hi}`);
  for (let i = 0; i < array.length; i++) {
    const v = array[i];
    if (v < lo) array[i] = lo;
    else if (v > hi) array[i] = hi;
  }
  return array;
}

/** The keys of an {@link OptimizerState}. */
const STATE_KEYS: readonly string[] = ['version', 'name', 'options', 'step', 'shapes', 'moments'] satisfies (keyof OptimizerState)[];

/** Refuses a key of an optimiser state that is not one of {@link OptimizerState}'s (ERR_SPIKEGRAD_LOAD, "did you mean"). */
export function checkStateKeys(state: object): void {
  for (const key of Object.keys(state)) {
    if (!STATE_KEYS.includes(key)) throw loadError(unknownOptionError(key, 'the optimizer state', STATE_KEYS, 'key').message);
  }
}

function loadError(message: string): RangeError {
  return rangeError(message, 'ERR_SPIKEGRAD_LOAD');
}

function sameOption(a: unknown, b: unknown): boolean {
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    return (
      ka.length === kb.length &&
      ka.every((k, i) => k === kb[i] && sameOption((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
    );
  }
  return Object.is(a, b);
}

function showOption(v: unknown): string {
  return typeof v === 'object' && v !== null ? JSON.stringify(v) : typeof v === 'string' ? `'${v}'` : String(v);
}

/**
 * Base class of the built-in optimisers. A subclass names its moment arrays, reports its options
 * and implements the element-wise update of one parameter array; the base class owns the step
 * count, the lazily created state, shape and finiteness checks, the schedule and (de)serialisation.
 *
 * @example
 * ```ts
 * class SignSgd extends BaseOptimizer {
 *   readonly name = 'sign_sgd';
 *   protected readonly momentNames = [] as const;
 *   constructor(lr: Schedule) { super(resolveSchedule(lr)); }
 *   protected options() { return {}; }
 *   protected updateArray(g: Float64Array, _m: Float64Array[], lr: number, _t: number, out: Float64Array) {
 *     for (let k = 0; k < g.length; k++) out[k] = -lr * Math.sign(g[k]);
 *   }
 * }
 * ```
 */
export abstract class BaseOptimizer implements Optimizer {
  abstract readonly name: string;
  /** Names of the per-parameter moment arrays, e.g. ['mu', 'nu']. */
  protected abstract readonly momentNames: readonly string[];
  private count = 0;
  private shapes: number[] | null = null;
  private moments: Float64Array[][] = [];
  /** Buffers of the moments' shapes that a step writes the next moments into (then swapped in). */
  private spare: Float64Array[][] = [];
  /** The update buffers that step() reuses (computeUpdates returns new arrays). */
  private stepUpdates: Float64Array[] = [];
  private readonly lrFn: (step: number) => number;
  private readonly lrSpec: ScheduleSpec;

  /** `lr` is an already validated schedule: a function of the step and its serialisable spec. */
  protected constructor(lr: { fn: (step: number) => number; spec: ScheduleSpec }) {
    this.lrFn = lr.fn;
    this.lrSpec = lr.spec;
  }

  /** The hyperparameters other than the learning rate, as stored in the state. */
  protected abstract options(): Record<string, OptionValue>;

  /**
   * Writes the update of one parameter array into `out`, advancing its `moments` in place.
   * `lr` is the learning rate at the pre-increment step; `t` = step count + 1 (bias corrections).
   */
  protected abstract updateArray(g: Float64Array, moments: Float64Array[], lr: number, t: number, out: Float64Array): void;

  /**
   * Optional (the built-in Adam and AdaBelief): updateArray in the core, reading the moments from
   * `current` and writing them to `next`; returns false if a next moment, an update or (with
   * `params`) an updated parameter is not finite, and the step is then redone by updateArray for
   * its exact error. The results must be updateArray's, bit for bit.
   */
  protected coreStep?(g: Float64Array, current: Float64Array[], next: Float64Array[], lr: number, t: number, out: Float64Array, params: Float64Array | null): boolean;

  get stepCount(): number {
    return this.count;
  }

  /** The learning-rate schedule spec ({ kind: 'custom' } for a user function). */
  get lrSchedule(): ScheduleSpec {
    return { ...this.lrSpec };
  }

  computeUpdates(grads: readonly Float64Array[]): Float64Array[] {
    return this.updates(expectFloat64Arrays(grads, 'grads'));
  }

  /**
   * computeUpdates of gradients that are already known to be a list of Float64Arrays. The step
   * runs on a copy of the moments (the spare buffers) and the copy replaces them only when every
   * moment, update and (with `params`) updated parameter is finite, so a refused step changes
   * nothing. `out` (step's reused buffers) receives the updates instead of new arrays.
   */
  private updates(grads: readonly Float64Array[], params?: readonly Float64Array[], out?: Float64Array[]): Float64Array[] {
    const shapes = this.shapes;
    if (shapes !== null) {
      if (grads.length !== shapes.length) {
        throw rangeError(
          `Expected ${shapes.length} gradient arrays (one per parameter array, as on the first step) for grads but received ${grads.length}`,
          'ERR_SPIKEGRAD_SHAPE',
        );
      }
      for (let i = 0; i < grads.length; i++) {
        if (grads[i].length !== shapes[i]) {
          throw rangeError(
            `Expected a Float64Array of length ${shapes[i]} for grads[${i}] (parameter ${i}, as on the first step) but received length ${grads[i].length}`,
            'ERR_SPIKEGRAD_SHAPE',
          );
        }
      }
    }
    for (let i = 0; i < grads.length; i++) {
      const k = firstNonFinite(grads[i]);
      if (k >= 0) {
        throw rangeError(`Expected a finite number for grads[${i}][${k}] but received ${grads[i][k]}`, 'ERR_SPIKEGRAD_NONFINITE');
      }
    }
    const lr = this.lrFn(this.count);
    if (typeof lr !== 'number' || !Number.isFinite(lr)) {
      throw rangeError(
        `Expected a finite number for lr(${this.count}) (the learning-rate schedule) but received ${describe(lr)}`,
        'ERR_SPIKEGRAD_NONFINITE',
      );
    }
    const current = shapes === null ? grads.map((g) => this.momentNames.map(() => new Float64Array(g.length))) : this.moments;
    const next = this.spareFor(current);
    const t = this.count + 1;
    const updates = out ?? grads.map((g) => new Float64Array(g.length));
    if (this.coreStep !== undefined && backend === 'native') {
      let ok = true;
      for (let i = 0; i < grads.length && ok; i++) ok = this.coreStep(grads[i], current[i], next[i], lr, t, updates[i], params === undefined ? null : params[i]);
      if (ok) {
        if (shapes === null) this.shapes = grads.map((g) => g.length);
        this.spare = current;
        this.moments = next;
        this.count = t;
        return updates;
      }
      // Something is not finite: the checked path below finds it and reports it.
    }
    // updateArray writes every element; reused buffers are zeroed anyway, for a subclass that
    // writes only some.
    if (out !== undefined) for (const u of out) u.fill(0);
    let bad = false;
    for (let i = 0; i < grads.length; i++) {
      const ms = next[i];
      for (let j = 0; j < ms.length; j++) ms[j].set(current[i][j]);
      this.updateArray(grads[i], ms, lr, t, updates[i]);
      // Moments that overflow (a gradient of 1e300 squared) would make the state unusable and
      // unsaveable: such a step is refused and changes nothing.
      bad ||= firstNonFinite(updates[i]) >= 0 || ms.some((m) => firstNonFinite(m) >= 0);
    }
    if (bad) {
      throw rangeError(`The optimiser step ${t} overflowed (non-finite moments or updates); the gradients are too large`, 'ERR_SPIKEGRAD_NONFINITE');
    }
    // A parameter the step would take to +-Infinity (or one that is not finite already): refused
    // the same way, before any parameter changes.
    if (params !== undefined) {
      for (let i = 0; i < params.length; i++) {
        const p = params[i];
        const u = updates[i];
        for (let k = 0; k < p.length; k++) {
          if (!Number.isFinite(p[k] + u[k])) {
            throw rangeError(
              `The optimiser step ${t} would make params[${i}][${k}] non-finite (${p[k]} + ${u[k]} = ${p[k] + u[k]}); nothing was changed`,
              'ERR_SPIKEGRAD_NONFINITE',
            );
          }
        }
      }
    }
    if (shapes === null) this.shapes = grads.map((g) => g.length);
    this.spare = current;
    this.moments = next;
    this.count = t;
    return updates;
  }

  /** The spare moment buffers, (re)allocated when they do not match `current` in shape. */
  private spareFor(current: Float64Array[][]): Float64Array[][] {
    const fits =
      this.spare.length === current.length &&
      this.spare.every((ms, i) => ms.length === current[i].length && ms.every((m, j) => m.length === current[i][j].length));
    if (!fits) this.spare = current.map((ms) => ms.map((m) => new Float64Array(m.length)));
    return this.spare;
  }

  step(params: Float64Array[], grads: readonly Float64Array[]): void {
    expectFloat64Arrays(params, 'params');
    expectFloat64Arrays(grads, 'grads');
    if (params.length !== grads.length) {
      throw rangeError(
        `Expected ${params.length} gradient arrays (one per parameter array) for grads but received ${grads.length}`,
        'ERR_SPIKEGRAD_SHAPE',
      );
    }
    params.forEach((p, i) => {
      const n = this.shapes === null ? grads[i].length : this.shapes[i];
      if (n !== undefined && p.length !== n) {
        throw rangeError(
          `Expected a Float64Array of length ${n} for params[${i}] (parameter ${i}) but received length ${p.length}`,
          'ERR_SPIKEGRAD_SHAPE',
        );
      }
    });
    const reuse = this.stepUpdates.length === grads.length && this.stepUpdates.every((u, i) => u.length === grads[i].length);
    if (!reuse) this.stepUpdates = grads.map((g) => new Float64Array(g.length));
    const updates = this.updates(grads, params, this.stepUpdates);
    for (let i = 0; i < params.length; i++) {
      const p = params[i];
      const u = updates[i];
      for (let k = 0; k < p.length; k++) p[k] += u[k];
    }
  }

  state(): OptimizerState {
    const moments: Record<string, number[][]> = {};
    this.momentNames.forEach((name, j) => {
      moments[name] = this.moments.map((m) => Array.from(m[j]));
    });
    return {
      version: 1,
      name: this.name,
      options: { lr: { ...this.lrSpec }, ...this.options() },
      step: this.count,
      shapes: this.shapes === null ? null : [...this.shapes],
      moments,
    };
  }

  storedState(): StoredOptimizerState {
    const moments: Record<string, Float64Array[]> = {};
    this.momentNames.forEach((name, j) => {
      moments[name] = this.moments.map((m) => m[j].slice());
    });
    const { moments: _plain, ...rest } = this.stateWithout();
    return { ...rest, moments };
  }

  /** The state's fields other than the moments. */
  private stateWithout(): OptimizerState {
    return { version: 1, name: this.name, options: { lr: { ...this.lrSpec }, ...this.options() }, step: this.count, shapes: this.shapes === null ? null : [...this.shapes], moments: {} };
  }

  loadState(state: OptimizerState | StoredOptimizerState): void {
    if (typeof state !== 'object' || state === null || Array.isArray(state)) {
      throw argumentError(`Expected an optimizer state object for state but received ${describe(state)}`);
    }
    const s = state as unknown as Record<string, unknown>;
    checkStateKeys(s);
    if (s.version !== 1) {
      throw loadError(`Expected 1 for state.version but received ${describe(s.version)}`);
    }
    if (s.name !== this.name) {
      throw loadError(`Expected '${this.name}' for state.name (the optimizer loading it) but received ${describe(s.name)}`);
    }
    if (typeof s.options !== 'object' || s.options === null || Array.isArray(s.options)) {
      throw argumentError(`Expected an options object for state.options but received ${describe(s.options)}`);
    }
    const mine: Record<string, OptionValue> = { lr: this.lrSpec, ...this.options() };
    const theirs = s.options as Record<string, unknown>;
    for (const key of new Set([...Object.keys(mine), ...Object.keys(theirs)])) {
      if (!Object.hasOwn(mine, key)) {
        throw loadError(`Expected no option '${key}' for state.options.${key} (unknown to ${this.name}) but received ${showOption(theirs[key])}`);
      }
      if (!sameOption(mine[key], theirs[key])) {
        throw loadError(
          `Expected ${showOption(mine[key])} (this optimizer's option) for state.options.${key} but received ${showOption(theirs[key])}`,
        );
      }
    }
    if (typeof s.step !== 'number' || !Number.isInteger(s.step) || s.step < 0) {
      throw loadError(`Expected a non-negative integer for state.step but received ${describe(s.step)}`);
    }
    let shapes: number[] | null = null;
    if (s.shapes !== null) {
      if (!Array.isArray(s.shapes) || !s.shapes.every((n) => typeof n === 'number' && Number.isInteger(n) && n >= 0)) {
        throw loadError(`Expected null or an array of non-negative integers for state.shapes but received ${describe(s.shapes)}`);
      }
      shapes = [...(s.shapes as number[])];
    } else if (s.step !== 0) {
      throw loadError(`Expected an array for state.shapes (state.step is ${s.step}) but received null`);
    }
    if (typeof s.moments !== 'object' || s.moments === null || Array.isArray(s.moments)) {
      throw loadError(`Expected an object of moment arrays for state.moments but received ${describe(s.moments)}`);
    }
    const moments = s.moments as Record<string, unknown>;
    for (const key of Object.keys(moments)) {
      if (!this.momentNames.includes(key)) {
        throw loadError(`Expected only the moments (${this.momentNames.join(', ') || 'none'}) of ${this.name} in state.moments but received '${key}'`);
      }
    }
    const loaded: Float64Array[][] = (shapes ?? []).map(() => []);
    for (const name of this.momentNames) {
      const list = moments[name];
      const expected = shapes ?? [];
      if (!Array.isArray(list) || list.length !== expected.length) {
        throw rangeError(
          `Expected an array of ${expected.length} moment arrays (one per parameter) for state.moments.${name} but received ${describe(list)}`,
          'ERR_SPIKEGRAD_SHAPE',
        );
      }
      list.forEach((m: unknown, i) => {
        if (!(Array.isArray(m) || isFloat64Array(m)) || m.length !== expected[i]) {
          throw rangeError(
            `Expected an array of length ${expected[i]} (state.shapes[${i}]) for state.moments.${name}[${i}] but received ${describe(m)}`,
            'ERR_SPIKEGRAD_SHAPE',
          );
        }
        // A Float64Array holds numbers only (a stored state's moments: no check, a plain copy).
        const k = isFloat64Array(m) ? -1 : (m as unknown[]).findIndex((v) => typeof v !== 'number');
        if (k >= 0) {
          throw loadError(`Expected a number for state.moments.${name}[${i}][${k}] but received ${describe(m[k])}`);
        }
        loaded[i].push(isFloat64Array(m) ? m.slice() : Float64Array.from(m as number[]));
      });
    }
    this.count = s.step;
    this.shapes = shapes;
    this.moments = loaded;
    this.spare = [];
  }
}
