/**
 * The theta neuron, an oscillatory QIF with delta-pulse coupling (method.md 2.2):
 * tau dV/dt = V (V - 1) + I0 + tau sum w delta(t - t_i), in phase form phi with period
 * Theta = tau pi / sqrt(I0 - 1/4); an input moves the phase by H(phi, w), a spike is phi reaching
 * Theta, after which phi resets to 0. MNIST uses tau = 6/pi, I0 = 5/4, so Theta = 6.
 */
import { makeNeuron } from './models';
import type { NeuronModel } from './neuron';

export interface ThetaParams {
  /** Membrane time constant. Default 1. */
  tau?: number;
  /** Constant drive; must exceed 1/4 (the oscillatory regime). Default 5/4. */
  I0?: number;
  /** Width of the guards near phase 0 and Theta. Default 1e-6. */
  eps?: number;
}

export interface ThetaNeuron extends NeuronModel {
  readonly name: 'theta';
  readonly params: Readonly<Required<ThetaParams>>;
  /** The period Theta = tau pi / sqrt(I0 - 1/4), which is also the phase threshold. */
  readonly period: number;
}

/**
 * A theta neuron model; the default initial phase is Theta/2 (V = 1/2, method.md 6.4).
 *
 * @example
 * ```ts
 * const neuron = theta({ tau: 6 / Math.PI }); // the MNIST neuron, period 6
 * neuron.period; // 6
 * ```
 */
export function theta(params?: ThetaParams): ThetaNeuron {
  return makeNeuron<ThetaNeuron>('theta', params);
}
