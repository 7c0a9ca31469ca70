/**
 * Optimisers (SGD with clipping, Adam, AdaBelief) with optax semantics, learning-rate schedules
 * and JSON-serialisable state.
 *
 * @example
 * ```ts
 * import { adaBelief, exponentialDecay, optimizerFromState } from 'spikegrad';
 * const opt = adaBelief({ lr: exponentialDecay({ initial: 4e-3, transitionSteps: 6000, decayRate: Math.exp(-1) }) });
 * opt.step(params, grads);
 * const saved = JSON.stringify(opt.state());
 * const resumed = optimizerFromState(JSON.parse(saved)); // continues bit-identically
 * ```
 */
import { argumentError, describe, rangeError } from '../../base/errors';
import { didYouMean, readOptions } from '../../base/validate';
import { AdaBelief, type AdaBeliefOptions } from './adabelief';
import { Adam, type AdamOptions } from './adam';
import type { Optimizer, OptimizerState, StoredOptimizerState } from './optimizer';
import { checkStateKeys } from './optimizer';
import { scheduleFromSpec, type Schedule, type ScheduleSpec } from './schedule';
import { Sgd, type SgdOptions } from './sgd';

export type { Optimizer, OptimizerState, OptionValue, StoredOptimizerState } from './optimizer';
export { BaseOptimizer, clamp } from './optimizer';
export type { Schedule, ScheduleFn, ScheduleSpec, ExponentialDecayOptions } from './schedule';
export { constant, exponentialDecay, scheduleFromSpec, resolveSchedule } from './schedule';
export type { SgdOptions } from './sgd';
export { Sgd, sgd } from './sgd';
export type { AdamOptions } from './adam';
export { Adam, adam } from './adam';
export type { AdaBeliefOptions, AdaBeliefVariant } from './adabelief';
export { AdaBelief, adaBelief } from './adabelief';

/**
 * Options of {@link optimizerFromState}.
 *
 * @example
 * ```ts
 * const options: OptimizerFromStateOptions = { lr: (step) => 1e-3 / (1 + step) };
 * ```
 */
export interface OptimizerFromStateOptions {
  /**
   * The learning rate to use instead of the saved one. Required when the state was saved with a
   * custom schedule function (`{ kind: 'custom' }`), which cannot be serialised.
   */
  lr?: Schedule;
}

/**
 * Recreates an optimiser from a saved {@link OptimizerState} (for example after
 * `JSON.parse(JSON.stringify(opt.state()))`): the same name and options, the saved step count and
 * moments. Stepping it continues bit-identically to the original. Pass `lr` to replace the saved
 * learning rate (required for a custom schedule function).
 *
 * @example
 * ```ts
 * const a = adam({ lr: 1e-3 });
 * a.step(params, grads);
 * const b = optimizerFromState(JSON.parse(JSON.stringify(a.state())));
 * b.stepCount; // 1
 * const c = optimizerFromState(savedWithCustomLr, { lr: (step) => 1e-3 / (1 + step) });
 * ```
 */
export function optimizerFromState(state: OptimizerState | StoredOptimizerState, options?: OptimizerFromStateOptions): Optimizer {
  if (typeof state !== 'object' || state === null || Array.isArray(state)) {
    throw argumentError(`Expected an optimizer state object for state but received ${describe(state)}`);
  }
  const o = readOptions(options, 'optimizerFromState options', ['lr']);
  // The state's own keys first: a misspelt 'options' is named as such, not as missing options.
  checkStateKeys(state);
  const saved = state.options;
  if (typeof saved !== 'object' || saved === null || Array.isArray(saved)) {
    throw argumentError(`Expected an options object for state.options but received ${describe(saved)}`);
  }
  // Without an lr, a misspelt 'lr' (or another key) is named as such first.
  if (!Object.hasOwn(saved, 'lr')) {
    for (const key of Object.keys(saved)) {
      const guess = didYouMean(key, ['lr']);
      if (guess !== undefined) throw rangeError(`Unknown key '${key}' in state.options; did you mean 'lr'?`, 'ERR_SPIKEGRAD_LOAD');
    }
  }
  const lr = o.lr !== undefined ? o.lr : scheduleFromSpec(saved.lr as ScheduleSpec, 'state.options.lr');
  const { lr: _savedLr, ...rest } = saved;
  const opts = { ...rest, lr } as Record<string, unknown>;
  let opt: Optimizer;
  switch (state.name) {
    case 'sgd':
      opt = new Sgd({ ...opts, clip: opts.clip === null ? undefined : opts.clip } as unknown as SgdOptions);
      break;
    case 'adam':
      opt = new Adam(opts as unknown as AdamOptions);
      break;
    case 'adabelief':
      opt = new AdaBelief(opts as unknown as AdaBeliefOptions);
      break;
    default:
      throw rangeError(`Unknown optimizer '${String(state.name)}' for state.name (known: sgd, adam, adabelief)`, 'ERR_SPIKEGRAD_LOAD');
  }
  const lrSpec = (opt as Sgd | Adam | AdaBelief).lrSchedule;
  opt.loadState({ ...state, options: { ...saved, lr: lrSpec } });
  return opt;
}
