/**
 * Neuron models: immutable, validated parameter records with the defaults of method.md. A model
 * object is what a network is built from; its `name` and `params` are what the native core gets,
 * and everything else it carries (constants, the domain of the initial state, the default state)
 * is what the core derives from them (lib/neurons/models.ts).
 */

/**
 * The neuron models of method.md section 2, by the names the case format and the native core use
 * (native/core/neurons/registry.hpp lists them; a test checks that this union agrees).
 */
export type ModelName = 'qif' | 'theta' | 'lif' | 'osclif';

/** 'current': state (V, I), a synaptic current and a voltage; 'phase': a phase oscillator (phi). */
export type ModelFamily = 'current' | 'phase';

/** The common shape of every neuron model. */
export interface NeuronModel {
  /** The model's name in the case format and the native core. */
  readonly name: ModelName;
  readonly family: ModelFamily;
  /** All parameters, defaults filled in. */
  readonly params: Readonly<Record<string, number>>;
  /** State variables per neuron: 2 (V, I) for qif and lif, 1 (phi) for theta and osclif. */
  readonly stateDim: number;
  /** Names of the state variables, in the order of the initial-state array. */
  readonly stateNames: readonly string[];
  /** The constants the core derives from the parameters (theta: period and r; osclif: period). */
  readonly constants: Readonly<Record<string, number>>;
  /**
   * Per state variable, the closed domain [min[d], max[d]] of the initial state as the core
   * defines it (+-Infinity: unbounded); Network.constrain projects into it.
   */
  stateBounds(): { min: number[]; max: number[] };
  /** The default initial state of one neuron. */
  defaultState(): number[];
}
