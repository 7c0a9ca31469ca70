/**
 * Learning-rate schedules (method.md section 6 intro). A schedule maps the step count *before*
 * the increment to a learning rate, so the first update uses lr(0) (optax semantics).
 */
import { argumentError, describe, rangeError } from '../../base/errors';
import { expectInRange, expectKnownKeys, readOptions } from '../../base/validate';

/**
 * A serialisable description of a schedule, stored in optimiser states. `custom` marks a user
 * function, which cannot be serialised (supply it again when restoring).
 *
 * @example
 * ```ts
 * const spec: ScheduleSpec = { kind: 'exponential_decay', initial: 1e-2, transitionSteps: 2000, decayRate: Math.exp(-1) };
 * scheduleFromSpec(spec)(2000); // 1e-2 / e
 * ```
 */
export type ScheduleSpec =
  | { kind: 'constant'; value: number }
  | { kind: 'exponential_decay'; initial: number; transitionSteps: number; decayRate: number }
  | { kind: 'custom' };

/**
 * A schedule built by {@link constant} or {@link exponentialDecay}: a function of the
 * pre-increment step count that carries its serialisable spec.
 *
 * @example
 * ```ts
 * const s: ScheduleFn = constant(0.1);
 * s(0);    // 0.1
 * s.spec;  // { kind: 'constant', value: 0.1 }
 * ```
 */
export type ScheduleFn = ((step: number) => number) & { readonly spec: ScheduleSpec };

/**
 * A learning rate: a number (constant), a built-in {@link ScheduleFn}, or any function of the
 * pre-increment step count (a "custom" schedule, which state files cannot reproduce).
 *
 * @example
 * ```ts
 * const a: Schedule = 0.1;
 * const b: Schedule = exponentialDecay({ initial: 4e-3, transitionSteps: 6000, decayRate: Math.exp(-1) });
 * const c: Schedule = (step) => (step < 100 ? 1e-3 : 1e-4);
 * ```
 */
export type Schedule = number | ((step: number) => number);

function withSpec(fn: (step: number) => number, spec: ScheduleSpec): ScheduleFn {
  return Object.defineProperty(fn, 'spec', { value: Object.freeze(spec), enumerable: true }) as ScheduleFn;
}

/**
 * A constant learning rate (finite, >= 0).
 *
 * @example
 * ```ts
 * constant(0.1)(1234); // 0.1
 * ```
 */
export function constant(lr: number): ScheduleFn {
  const value = expectInRange(lr, 'lr', 0, Infinity);
  return withSpec(() => value, { kind: 'constant', value });
}

/**
 * Options of {@link exponentialDecay}.
 *
 * @example
 * ```ts
 * const options: ExponentialDecayOptions = { initial: 1e-2, transitionSteps: 2000, decayRate: Math.exp(-1) };
 * ```
 */
export interface ExponentialDecayOptions {
  /** The learning rate at step 0 (finite, >= 0). */
  initial: number;
  /** The number of steps over which the rate decays by one factor `decayRate` (finite, > 0). */
  transitionSteps: number;
  /** The decay factor per `transitionSteps` steps (finite, > 0). */
  decayRate: number;
}

/**
 * optax `exponential_decay` without staircase, transition begin or end value:
 *
 *     lr(step) = initial * decayRate^(step / transitionSteps)
 *
 * evaluated at the pre-increment step (the first update uses lr(0) = initial). For example the
 * RNN schedule 1e-2 exp(-step/2000) of method.md 6.3 is
 * `exponentialDecay({ initial: 1e-2, transitionSteps: 2000, decayRate: Math.exp(-1) })`
 * (equal up to the round-off of the power).
 *
 * @example
 * ```ts
 * const lr = exponentialDecay({ initial: 4e-3, transitionSteps: 6000, decayRate: Math.exp(-1) });
 * lr(0);    // 4e-3
 * lr(6000); // 4e-3 / e
 * lr(3000); // 4e-3 / sqrt(e)  (not staircased)
 * ```
 */
export function exponentialDecay(options: ExponentialDecayOptions): ScheduleFn {
  const o = readOptions(options, 'exponentialDecay options', ['initial', 'transitionSteps', 'decayRate'], true);
  const initial = expectInRange(o.initial, 'initial', 0, Infinity);
  const transitionSteps = expectInRange(o.transitionSteps, 'transitionSteps', 0, Infinity);
  if (transitionSteps === 0) {
    throw rangeError(`Expected a positive finite number for transitionSteps but received 0`);
  }
  const decayRate = expectInRange(o.decayRate, 'decayRate', 0, Infinity);
  if (decayRate === 0) {
    throw rangeError(`Expected a positive finite number for decayRate but received 0`);
  }
  return withSpec((step: number) => initial * Math.pow(decayRate, step / transitionSteps), {
    kind: 'exponential_decay',
    initial,
    transitionSteps,
    decayRate,
  });
}

/**
 * Recreates a schedule from its spec (as stored in an optimiser state). A `custom` spec cannot be
 * recreated and throws a RangeError with code ERR_SPIKEGRAD_LOAD.
 *
 * @example
 * ```ts
 * scheduleFromSpec({ kind: 'constant', value: 0.1 })(0); // 0.1
 * ```
 */
export function scheduleFromSpec(spec: ScheduleSpec, name = 'spec'): ScheduleFn {
  if (typeof spec !== 'object' || spec === null) {
    throw argumentError(`Expected a schedule spec object for ${name} but received ${describe(spec)}`);
  }
  switch (spec.kind) {
    case 'constant': {
      const o = readOptions(spec, name, ['kind', 'value'], true);
      return constant(o.value as number);
    }
    case 'exponential_decay': {
      const o = readOptions(spec, name, ['kind', 'initial', 'transitionSteps', 'decayRate'], true);
      return exponentialDecay({ initial: o.initial, transitionSteps: o.transitionSteps, decayRate: o.decayRate } as ExponentialDecayOptions);
    }
    case 'custom':
      throw rangeError(
        `Expected a serialisable schedule for ${name} but received a custom schedule function; pass the function again (optimizerFromState(state, { lr }))`,
        'ERR_SPIKEGRAD_LOAD',
      );
    default:
      // Without a kind, a misspelt 'kind' (or another key) is named as such first.
      if (!Object.hasOwn(spec, 'kind')) expectKnownKeys(spec, name, ['kind', 'value', 'initial', 'transitionSteps', 'decayRate']);
      throw rangeError(
        `Expected 'constant', 'exponential_decay' or 'custom' for ${name}.kind but received ${describe((spec as { kind: unknown }).kind)}`,
      );
  }
}

/**
 * Validates a learning rate option and returns the function evaluated per step together with its
 * serialisable spec: a number becomes {@link constant}, a {@link ScheduleFn} keeps its spec, any
 * other function is `{ kind: 'custom' }`.
 *
 * @example
 * ```ts
 * resolveSchedule(0.1).spec;                   // { kind: 'constant', value: 0.1 }
 * resolveSchedule((s: number) => 1 / (s + 1)).spec; // { kind: 'custom' }
 * resolveSchedule('0.1');                      // TypeError: Expected a number or a schedule function for lr ...
 * ```
 */
export function resolveSchedule(lr: unknown, name = 'lr'): { fn: (step: number) => number; spec: ScheduleSpec } {
  if (typeof lr === 'number') {
    const s = constant(expectInRange(lr, name, 0, Infinity));
    return { fn: s, spec: s.spec };
  }
  if (typeof lr === 'function') {
    const fn = lr as (step: number) => number;
    const spec = (lr as Partial<ScheduleFn>).spec;
    return { fn, spec: spec !== undefined ? { ...spec } : { kind: 'custom' } };
  }
  throw argumentError(`Expected a number or a schedule function for ${name} but received ${describe(lr)}`);
}
