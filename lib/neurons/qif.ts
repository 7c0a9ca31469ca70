/**
 * The quadratic integrate-and-fire neuron with exponentially decaying synaptic current,
 * tau_m = 2 tau_s (method.md 2.1): tau dV/dt = V (V - 1) + I, (tau/2) dI/dt = -I, an input of
 * weight w makes I jump by w; a spike is V reaching +infinity, after which V resets to -infinity.
 * Pseudodynamics: tau dV/dt = (V - 1/2)^2 + alpha softplus(I_pseudo / alpha) (method.md 4.1).
 */
import { makeNeuron } from './models';
import type { NeuronModel } from './neuron';

export interface QifParams {
  /** Membrane time constant, the unit of time (synaptic: tau/2). Default 1. */
  tau?: number;
  /** Softplus scale of the pseudo drive. Default 10. */
  alpha?: number;
  /** Mask tolerance and voltage clamp 1/eps. Default 1e-6. */
  eps?: number;
}

export interface QifNeuron extends NeuronModel {
  readonly name: 'qif';
  readonly params: Readonly<Required<QifParams>>;
}

/**
 * A QIF neuron model.
 *
 * @example
 * ```ts
 * const neuron = qif();            // tau = 1, alpha = 10, eps = 1e-6
 * const slow = qif({ tau: 2 });
 * ```
 */
export function qif(params?: QifParams): QifNeuron {
  return makeNeuron<QifNeuron>('qif', params);
}
