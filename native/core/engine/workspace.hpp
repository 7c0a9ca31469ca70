// Reusable per-thread scratch memory of the engines: O(n) arrays and the spike heap. Owned by a
// Simulator (one per thread), read and written directly by the engines.
#pragma once

#include <cstdint>
#include <vector>

#include "core/engine/spike_queue.hpp"
#include "core/network.hpp"

namespace spikegrad {

struct Workspace {
  SpikeQueue queue_;
  std::vector<std::int32_t> order_;  ///< input events sorted stably by time
  InputSpikes merged_;               ///< the sample's events plus the trainable input spikes
  // Per neuron during forward: state after the last update, its time, prediction, last touch.
  std::vector<double> x0_, x1_, tLast_, tHat_;
  std::vector<std::int32_t> lastTouch_;
  std::vector<std::int32_t> lastEvent_;   ///< per neuron: the event of its last touch, -1 initially
  std::vector<double> wSum_;              ///< summed bundle weight (or its adjoint) per target
  std::vector<std::uint8_t> inBundle_;    ///< 1 while a target is listed in bundleList_
  std::vector<std::int32_t> bundleList_;  ///< targets of the current bundle
  std::vector<std::int32_t> headOf_;      ///< per neuron: its first readout entry, -1 if none
  std::vector<std::int32_t> nextEntry_;   ///< per readout entry: the next entry of its neuron
  // Pseudo quantities per neuron: pseudo input u, rate r and its partials.
  std::vector<double> u_, r_, drdx0_, drdx1_;
  std::vector<std::int32_t> layerOf_;
  // The layered engine's lazy predictions: known_ (tHat_ is exact), else the post-kick state pK_
  // at tK_ and that event's spike-before-T threshold plK_.
  std::vector<std::uint8_t> known_;
  std::vector<double> tK_, pK_, plK_;
  std::vector<double> hT_;  ///< per neuron: H(phi_T, u), the pseudo phase (layered engine)
  // Backward workspace.
  std::vector<double> lambda_, g0_, g1_, gHat_, gu_, gr_;
};

}  // namespace spikegrad
