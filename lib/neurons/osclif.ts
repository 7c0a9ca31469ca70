/**
 * The oscillatory LIF neuron with delta-pulse coupling (method.md 2.4): tau dV/dt = -V + I0 plus
 * voltage jumps, threshold vth < I0, reset 0; period Theta = tau ln(I0 / (I0 - vth)). An input can
 * push it straight to threshold (an immediate spike): the disruptive counterpart of the theta
 * neuron. Its pseudospikes use the theta template.
 */
import { makeNeuron } from './models';
import type { NeuronModel } from './neuron';

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
  return makeNeuron<OscLifNeuron>('osclif', params);
}
