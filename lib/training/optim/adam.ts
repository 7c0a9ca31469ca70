/**
 * Adam with optax semantics (optax.adam / scale_by_adam followed by the learning rate).
 */
import { native } from '../../base/native';
import { BaseOptimizer, type OptionValue } from './optimizer';
import { expectInRange, readOptions } from '../../base/validate';
import { resolveSchedule, type Schedule } from './schedule';

/**
 * Options of {@link adam}.
 *
 * @example
 * ```ts
 * const options: AdamOptions = { lr: 1e-3, b1: 0.9, b2: 0.999, eps: 1e-8, epsRoot: 0 };
 * ```
 */
export interface AdamOptions {
  /** Learning rate: a number (finite, >= 0) or a schedule of the pre-increment step. */
  lr: Schedule;
  /** First-moment decay, in [0, 1). Default 0.9. */
  b1?: number;
  /** Second-moment decay, in [0, 1). Default 0.999. */
  b2?: number;
  /** Added to the root of the second moment (finite, >= 0). Default 1e-8. */
  eps?: number;
  /** Added to the second moment inside the root (finite, >= 0). Default 0. */
  epsRoot?: number;
}

/**
 * The core step of the Adam family (Adam, AdaBelief; core/optim.hpp): its constants written into
 * `k` (nine values, reused between steps), the bias corrections by Math.pow as updateArray
 * computes them, then the core's step of one parameter array.
 */
export function adamFamilyCoreStep(
  k: Float64Array,
  o: { readonly b1: number; readonly b2: number; readonly eps: number; readonly epsRoot: number },
  belief: boolean,
  usePrevious: boolean,
  g: Float64Array,
  current: Float64Array[],
  next: Float64Array[],
  lr: number,
  t: number,
  out: Float64Array,
  params: Float64Array | null,
): boolean {
  k[0] = o.b1;
  k[1] = o.b2;
  k[2] = o.eps;
  k[3] = o.epsRoot;
  k[4] = 1 - Math.pow(o.b1, t);
  k[5] = 1 - Math.pow(o.b2, t);
  k[6] = -lr;
  k[7] = belief ? 1 : 0;
  k[8] = usePrevious ? 1 : 0;
  return native.adamStep(k, g, current[0], current[1], next[0], next[1], out, params);
}

/**
 * Adam (optax semantics). With t = step count + 1 and element-wise operations:
 *
 *     m_t = b1 m_{t-1} + (1 - b1) g
 *     v_t = b2 v_{t-1} + (1 - b2) g^2
 *     update = -lr(t - 1) * [m_t / (1 - b1^t)] / ( sqrt(v_t / (1 - b2^t) + epsRoot) + eps )
 *
 * with m_0 = v_0 = 0.
 *
 * @example
 * ```ts
 * const opt = new Adam({ lr: 1e-3 }); // the same as adam({ lr: 1e-3 })
 * ```
 */
export class Adam extends BaseOptimizer {
  readonly name = 'adam';
  protected readonly momentNames = ['mu', 'nu'] as const;
  /** The constants of coreStep (core/optim.hpp), reused from step to step. */
  private readonly constants = new Float64Array(9);
  readonly b1: number;
  readonly b2: number;
  readonly eps: number;
  readonly epsRoot: number;

  constructor(options: AdamOptions) {
    const o = readOptions(options, 'adam options', ['lr', 'b1', 'b2', 'eps', 'epsRoot'], true);
    super(resolveSchedule(o.lr, 'lr'));
    this.b1 = o.b1 === undefined ? 0.9 : expectInRange(o.b1, 'b1', 0, 1);
    this.b2 = o.b2 === undefined ? 0.999 : expectInRange(o.b2, 'b2', 0, 1);
    this.eps = o.eps === undefined ? 1e-8 : expectInRange(o.eps, 'eps', 0, Infinity);
    this.epsRoot = o.epsRoot === undefined ? 0 : expectInRange(o.epsRoot, 'epsRoot', 0, Infinity);
  }

  protected options(): Record<string, OptionValue> {
    return { b1: this.b1, b2: this.b2, eps: this.eps, epsRoot: this.epsRoot };
  }

  protected override coreStep(g: Float64Array, current: Float64Array[], next: Float64Array[], lr: number, t: number, out: Float64Array, params: Float64Array | null): boolean {
    return adamFamilyCoreStep(this.constants, this, false, false, g, current, next, lr, t, out, params);
  }

  protected updateArray(g: Float64Array, moments: Float64Array[], lr: number, t: number, out: Float64Array): void {
    const [m, v] = moments;
    const { b1, b2, eps, epsRoot } = this;
    const bc1 = 1 - Math.pow(b1, t);
    const bc2 = 1 - Math.pow(b2, t);
    const scale = -lr;
    for (let k = 0; k < g.length; k++) {
      const gk = g[k];
      m[k] = b1 * m[k] + (1 - b1) * gk;
      v[k] = b2 * v[k] + (1 - b2) * (gk * gk);
      out[k] = scale * (m[k] / bc1 / (Math.sqrt(v[k] / bc2 + epsRoot) + eps));
    }
  }
}

/**
 * Creates an {@link Adam} optimiser.
 *
 * @example
 * ```ts
 * const opt = adam({ lr: 1e-3, b2: 0.99 });
 * opt.step(params, grads);
 * ```
 */
export function adam(options: AdamOptions): Adam {
  return new Adam(options);
}
