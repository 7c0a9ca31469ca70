// What the engines return: the outputs of a forward run and the gradient a reverse pass adds to.
#pragma once

#include <cstdint>
#include <vector>

#include "core/network.hpp"

namespace spikegrad {

/// What one forward run returns.
struct ForwardResult {
  std::vector<double> spikeTimes;          ///< ordinary network spikes in [0, T), in time order
  std::vector<std::int32_t> spikeNeurons;  ///< the neuron of each spike
  /// Merged output times, readout entries concatenated: counts[0] times of neurons[0], then ...
  std::vector<double> outputTimes;
  std::vector<std::uint8_t> outputIsPseudo;  ///< 1 where the output time is a pseudospike
  std::vector<double> stateAtT;  ///< state at T, stateDim * n values (layout of the initial state)
  std::int64_t inTrialEvents = 0;  ///< input events plus network spikes processed before T
};

/// Gradients with respect to every parameter (the layout of NetworkParams); backward() adds into
/// these.
struct Gradient {
  std::vector<double> recurrent;   ///< per recurrent synapse (NetworkStructure::recurrent order)
  std::vector<double> input;       ///< per input synapse (NetworkStructure::input order)
  std::vector<double> inputTimes;  ///< per input event of the sample, in the order given
  std::vector<double> initial;     ///< layout of NetworkParams::initial
  /// Per trainable input spike (NetworkStructure::trainableChannels order).
  std::vector<double> trainableTimes;
  /// Sizes every array for st and nInputEvents input events and fills it with zeros.
  void reset(const NetworkStructure& st, std::size_t nInputEvents);
};

}  // namespace spikegrad
