/**
 * The oscillatory LIF neuron with delta-pulse coupling (method.md 2.4): tau dV/dt = -V + I0 plus
 * voltage jumps, threshold vth < I0, reset 0; period Theta = tau ln(I0 / (I0 - vth)). An input can
 * push it straight to threshold (an immediate spike): the disruptive counterpart of the theta
 * neuron. Its pseudospikes use the theta template.
 */
import { readNumbers } from '../base/validate';
import { requireDomain, type NeuronModel } from './neuron';

export interface OscLifParams {
  /** Membrane time constant. Default 1. */
  tau?: number;
  /** Constant drive; must exceed vth. Default 5/4. */
  I0?: number;
  /** Threshold. Default 1. */
  vth?: number;
  /** Tolerance (validated, kept for symmetry with theta). Default 1e-6. */
  eps?: number;
}

export interface OscLifNeuron extends NeuronModel {
  readonly name: 'osclif';
  readonly params: Readonly<Required<OscLifParams>>;
  /** The period Theta = tau ln(I0 / (I0 - vth)). */
  readonly period: number;
}

/**
 * An oscillatory LIF neuron model; the default initial phase is Theta/2.
 *
 * @example
 * ```ts
 * const neuron = osclif(); // period ln 5
 * ```
 */
export function osclif(params?: OscLifParams): OscLifNeuron {
  const p = readNumbers(params, 'osclif parameters', 'osclif', { tau: 1, I0: 1.25, vth: 1, eps: 1e-6 });
  requireDomain(p.tau > 0, `osclif: tau must be > 0 (got ${p.tau})`);
  requireDomain(p.vth > 0, `osclif: vth must be > 0 (got ${p.vth})`);
  requireDomain(p.I0 > p.vth, `osclif: I0 must be greater than vth (got I0 = ${p.I0}, vth = ${p.vth})`);
  requireDomain(p.eps > 0 && p.eps < 0.01, `osclif: eps must lie in (0, 0.01) (got ${p.eps})`);
  const period = p.tau * Math.log(p.I0 / (p.I0 - p.vth));
  return Object.freeze({
    name: 'osclif' as const,
    params: Object.freeze(p),
    stateDim: 1 as const,
    stateNames: Object.freeze(['phi']),
    period,
    defaultState: () => [period / 2],
  });
}
