/**
 * Plain SGD with optional element-wise gradient clipping (method.md 6.2: clip to ±0.02, then
 * update = -lr * g, no momentum).
 */
import { BaseOptimizer, type OptionValue } from './optimizer';
import { expectInRange, readOptions } from '../../base/validate';
import { resolveSchedule, type Schedule } from './schedule';
import { rangeError } from '../../base/errors';

/**
 * Options of {@link sgd}.
 *
 * @example
 * ```ts
 * const options: SgdOptions = { lr: 0.1, clip: 0.02 };
 * ```
 */
export interface SgdOptions {
  /** Learning rate: a number (finite, >= 0) or a schedule of the pre-increment step. */
  lr: Schedule;
  /** If given (finite, > 0), every gradient element is clipped to [-clip, clip] before the update. */
  clip?: number;
}

/**
 * SGD: for each element, g' = min(max(g, -clip), clip) (when `clip` is set) and
 * update = -lr(step) * g'. Stateless apart from the step count.
 *
 * @example
 * ```ts
 * const opt = new Sgd({ lr: 0.1, clip: 0.02 }); // the same as sgd({ lr: 0.1, clip: 0.02 })
 * ```
 */
export class Sgd extends BaseOptimizer {
  readonly name = 'sgd';
  protected readonly momentNames = [] as const;
  /** The clipping bound, or null for none. */
  readonly clip: number | null;

  constructor(options: SgdOptions) {
    const o = readOptions(options, 'sgd options', ['lr', 'clip'], true);
    super(resolveSchedule(o.lr, 'lr'));
    if (o.clip === undefined || o.clip === null) {
      this.clip = null;
    } else {
      const clip = expectInRange(o.clip, 'clip', 0, Infinity);
      if (clip === 0) throw rangeError('Expected a positive finite number for clip but received 0');
      this.clip = clip;
    }
  }

  protected options(): Record<string, OptionValue> {
    return { clip: this.clip };
  }

  protected updateArray(g: Float64Array, _moments: Float64Array[], lr: number, _t: number, out: Float64Array): void {
    const scale = -lr;
    const c = this.clip;
    if (c === null) {
      for (let k = 0; k < g.length; k++) out[k] = scale * g[k];
    } else {
      for (let k = 0; k < g.length; k++) out[k] = scale * Math.min(Math.max(g[k], -c), c);
    }
  }
}

/**
 * Creates an {@link Sgd} optimiser.
 *
 * @example
 * ```ts
 * // The single-neuron task (method.md 6.2): clip to ±0.02, lr 0.1, then project the input times.
 * const opt = sgd({ lr: 0.1, clip: 0.02 });
 * opt.step([weights, inputTimes], [gWeights, gInputTimes]);
 * clamp(inputTimes, 0, T);
 * ```
 */
export function sgd(options: SgdOptions): Sgd {
  return new Sgd(options);
}
