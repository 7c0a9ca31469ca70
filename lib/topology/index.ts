/** Network builders for the topologies of the paper, and explicit construction. */
export { feedForward, layerWeights, type FeedForwardOptions, type LayerView } from './feed_forward';
export { recurrent, type RecurrentOptions, type InputSynapse } from './recurrent';
export { singleNeuron, type SingleNeuronOptions } from './single_neuron';
export { fromMatrices, type MatricesOptions } from './from_matrices';
