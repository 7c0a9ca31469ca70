/**
 * The neuron models of method.md section 2. Each model is registered once, in the native core
 * (native/core/neurons/registry.hpp); lib/neurons/models.ts derives this layer's registry from it,
 * and each file here adds the typed factory of one model.
 */
export type { ModelFamily, ModelName, NeuronModel } from './neuron';
export { MODEL_NAMES, expectNeuron, isModelName, makeNeuron, neuronFromJSON, parameterNames } from './models';
export { qif, type QifNeuron, type QifParams } from './qif';
export { theta, type ThetaNeuron, type ThetaParams } from './theta';
export { lif, type LifNeuron, type LifParams } from './lif';
export { osclif, type OscLifNeuron, type OscLifParams } from './osclif';
