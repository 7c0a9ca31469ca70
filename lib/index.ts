/**
 * spikegrad: exact, smooth gradient descent for spiking neural networks
 * (Klos & Memmesheimer, Phys. Rev. Lett. 134, 027301, 2025; arXiv 2309.14523).
 */
export { version } from './version';
export { bindingPath } from './native';
export type { SpikegradErrorCode, CodedError } from './errors';
export { summedInputWeights, summedInputWeightsAsync } from './input_encoding';
export { simulate, simulateAsync, checkTrialSpec, EventKind } from './simulate';
export type { ModelName, ModelParams, TrialSpec, SimulateOptions, TrialResult, TrialGradient } from './simulate';
