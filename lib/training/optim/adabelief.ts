/**
 * AdaBelief with optax semantics, in the two optax versions that differ (method.md section 6
 * intro and 7 item 19).
 */
import { adamFamilyCoreStep } from './adam';
import { BaseOptimizer, type OptionValue } from './optimizer';
import { expectInRange, expectOneOf, readOptions } from '../../base/validate';
import { resolveSchedule, type Schedule } from './schedule';

/**
 * Which optax version's AdaBelief to follow (see {@link AdaBelief}).
 *
 * @example
 * ```ts
 * const variant: AdaBeliefVariant = 'optax-0.2.4';
 * ```
 */
export type AdaBeliefVariant = 'optax-0.2.3' | 'optax-0.2.4';

const VARIANTS: readonly AdaBeliefVariant[] = ['optax-0.2.3', 'optax-0.2.4'];

/**
 * Options of {@link adaBelief}.
 *
 * @example
 * ```ts
 * // The MNIST optimiser (method.md 6.4), defaults spelled out.
 * const options: AdaBeliefOptions = { lr: 4e-3, b1: 0.9, b2: 0.999, eps: 1e-16, epsRoot: 1e-16, variant: 'optax-0.2.3' };
 * ```
 */
export interface AdaBeliefOptions {
  /** Learning rate: a number (finite, >= 0) or a schedule of the pre-increment step. */
  lr: Schedule;
  /** First-moment decay, in [0, 1). Default 0.9. */
  b1?: number;
  /** Second-moment decay, in [0, 1). Default 0.999. */
  b2?: number;
  /** Added to the root of the bias-corrected second moment (finite, >= 0). Default 1e-16. */
  eps?: number;
  /** Added into the stored second moment every step (finite, >= 0). Default 1e-16. */
  epsRoot?: number;
  /** The prediction error of the second moment. Default 'optax-0.2.3' (uses m_{t-1}). */
  variant?: AdaBeliefVariant;
}

/**
 * AdaBelief (optax semantics). With t = step count + 1, element-wise operations and
 * m_0 = s_0 = 0:
 *
 *     m_t = b1 m_{t-1} + (1 - b1) g
 *     e   = g - m_{t-1}                    (variant 'optax-0.2.3', the default)
 *     e   = g - m_t                        (variant 'optax-0.2.4' and later optax)
 *     s_t = b2 s_{t-1} + (1 - b2) e^2 + epsRoot       (epsRoot is stored in s_t)
 *     update = -lr(t - 1) * [m_t / (1 - b1^t)] / ( sqrt(s_t / (1 - b2^t)) + eps )
 *
 * Choice of default: the reference implementation of the method requires optax >= 0.2.3 and
 * was committed ten days after the 0.2.3 release, so its results most likely come from the
 * m_{t-1} form; 'optax-0.2.4' is provided for comparison. The variants differ from the first
 * step on: with m_0 = 0, e = g (0.2.3) but e = b1 g (0.2.4), so s_1 and the first update differ.
 *
 * @example
 * ```ts
 * const opt = new AdaBelief({ lr: 1e-2 }); // the same as adaBelief({ lr: 1e-2 })
 * ```
 */
export class AdaBelief extends BaseOptimizer {
  readonly name = 'adabelief';
  protected readonly momentNames = ['mu', 'nu'] as const;
  /** The constants of coreStep (core/optim.hpp), reused from step to step. */
  private readonly constants = new Float64Array(9);
  readonly b1: number;
  readonly b2: number;
  readonly eps: number;
  readonly epsRoot: number;
  readonly variant: AdaBeliefVariant;

  constructor(options: AdaBeliefOptions) {
    const o = readOptions(options, 'adaBelief options', ['lr', 'b1', 'b2', 'eps', 'epsRoot', 'variant'], true);
    super(resolveSchedule(o.lr, 'lr'));
    this.b1 = o.b1 === undefined ? 0.9 : expectInRange(o.b1, 'b1', 0, 1);
    this.b2 = o.b2 === undefined ? 0.999 : expectInRange(o.b2, 'b2', 0, 1);
    this.eps = o.eps === undefined ? 1e-16 : expectInRange(o.eps, 'eps', 0, Infinity);
    this.epsRoot = o.epsRoot === undefined ? 1e-16 : expectInRange(o.epsRoot, 'epsRoot', 0, Infinity);
    this.variant = o.variant === undefined ? 'optax-0.2.3' : expectOneOf(o.variant, 'variant', VARIANTS);
  }

  protected options(): Record<string, OptionValue> {
    return { b1: this.b1, b2: this.b2, eps: this.eps, epsRoot: this.epsRoot, variant: this.variant };
  }

  protected override coreStep(g: Float64Array, current: Float64Array[], next: Float64Array[], lr: number, t: number, out: Float64Array, params: Float64Array | null): boolean {
    return adamFamilyCoreStep(this.constants, this, true, this.variant === 'optax-0.2.3', g, current, next, lr, t, out, params);
  }

  protected updateArray(g: Float64Array, moments: Float64Array[], lr: number, t: number, out: Float64Array): void {
    const [m, s] = moments;
    const { b1, b2, eps, epsRoot } = this;
    const usePrevious = this.variant === 'optax-0.2.3';
    const bc1 = 1 - Math.pow(b1, t);
    const bc2 = 1 - Math.pow(b2, t);
    const scale = -lr;
    for (let k = 0; k < g.length; k++) {
      const gk = g[k];
      const mPrev = m[k];
      const mk = b1 * mPrev + (1 - b1) * gk;
      const e = gk - (usePrevious ? mPrev : mk);
      const sk = b2 * s[k] + (1 - b2) * (e * e) + epsRoot;
      m[k] = mk;
      s[k] = sk;
      out[k] = scale * (mk / bc1 / (Math.sqrt(sk / bc2) + eps));
    }
  }
}

/**
 * Creates an {@link AdaBelief} optimiser (default variant 'optax-0.2.3').
 *
 * @example
 * ```ts
 * // The RNN task (method.md 6.3): lr 1e-2 exp(-step/2000).
 * const opt = adaBelief({ lr: exponentialDecay({ initial: 1e-2, transitionSteps: 2000, decayRate: Math.exp(-1) }) });
 * opt.step([w, x0], [gw, gx0]);
 * ```
 */
export function adaBelief(options: AdaBeliefOptions): AdaBelief {
  return new AdaBelief(options);
}
