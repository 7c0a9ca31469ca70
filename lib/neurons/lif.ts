/**
 * The leaky integrate-and-fire neuron with exponential synaptic current, tau_m = 2 tau_s
 * (method.md 2.3): tau dV/dt = -V + I with a finite threshold vth and reset to 0. Spikes appear
 * and vanish inside the trial with diverging derivatives: the disruptive comparison to the QIF.
 * Its pseudodynamics are spikegrad's own extension (a constant suprathreshold drive after T, see
 * native/core/neurons/lif.hpp).
 */
import { makeNeuron } from './models';
import type { NeuronModel } from './neuron';

export interface LifParams {
  /** Membrane time constant (synaptic: tau/2). Default 1. */
  tau?: number;
  /** Threshold. Default 1. */
  vth?: number;
  /** Softplus scale of the pseudo drive. Default 10. */
  alpha?: number;
}

export interface LifNeuron extends NeuronModel {
  readonly name: 'lif';
  readonly params: Readonly<Required<LifParams>>;
}

/**
 * A LIF neuron model.
 *
 * @example
 * ```ts
 * const neuron = lif({ vth: 1 });
 * ```
 */
export function lif(params?: LifParams): LifNeuron {
  return makeNeuron<LifNeuron>('lif', params);
}
