// Small numerical helpers shared by the loss and optimiser tests.
export { mulberry32 as rng } from './networks';

/** Central differences of f at every entry of x, with step h. */
export function centralDifferences(f: (x: Float64Array) => number, x: Float64Array, h = 1e-6): Float64Array {
  const g = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const plus = x.slice();
    const minus = x.slice();
    plus[i] += h;
    minus[i] -= h;
    g[i] = (f(plus) - f(minus)) / (2 * h);
  }
  return g;
}
