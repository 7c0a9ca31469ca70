/**
 * Summed input weights for inputs that share one spike time (method.md 6.4): one event whose
 * weight onto neuron h is sum_c W[h, c] * active[c], instead of one event per active channel.
 */
import { native } from './base/native';
import { rethrowWithStack } from './base/errors';
import { expectFloat64Array, expectInteger } from './base/validate';

function check(W: unknown, rows: unknown, cols: unknown, active: unknown): [Float64Array, number, number, Float64Array] {
  const r = expectInteger(rows, 'rows');
  const c = expectInteger(cols, 'cols');
  return [expectFloat64Array(W, 'W', r * c), r, c, expectFloat64Array(active, 'active', c)];
}

/**
 * out[h] = sum_c W[h, c] * active[c], with W column-major (rows x cols).
 *
 * @example
 * ```ts
 * const W = new Float64Array([1, 2, 3, 4]); // [[1, 3], [2, 4]]
 * summedInputWeights(W, 2, 2, new Float64Array([1, 0])); // Float64Array [1, 2]
 * ```
 */
export function summedInputWeights(W: Float64Array, rows: number, cols: number, active: Float64Array): Float64Array {
  const args = check(W, rows, cols, active);
  const stack = new Error();
  try {
    return native.summedInputWeights(...args);
  } catch (err) {
    rethrowWithStack(err, stack);
  }
}

/** The same as {@link summedInputWeights}, computed off the main thread. Inputs are copied first. */
export async function summedInputWeightsAsync(
  W: Float64Array,
  rows: number,
  cols: number,
  active: Float64Array,
): Promise<Float64Array> {
  const args = check(W, rows, cols, active);
  const stack = new Error();
  try {
    return await native.summedInputWeightsAsync(...args);
  } catch (err) {
    rethrowWithStack(err, stack);
  }
}
