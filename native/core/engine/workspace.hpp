// Reusable per-thread scratch memory of the engines: O(n) arrays and the spike heap. Owned by a
// Simulator (one per thread), read and written directly by the engines.
#pragma once

#include <cstdint>
#include <vector>

#include "core/engine/spike_queue.hpp"
#include "core/network.hpp"

namespace spikegrad {

/// One neuron's state in the general engines (event_loop.hpp), in one cache line: everything a
/// touch reads and writes (the flow from the last update, the prediction, the tape links and the
/// heap slot), so that touching a neuron of a large network costs one cache miss, not one per
/// array.
struct alignas(64) NeuronState {
  double x0 = 0, x1 = 0;        ///< state after the last update (the engine's encoding)
  double tLast = 0;             ///< time of the last update
  double tHat = 0;              ///< predicted spike time (+infinity if none)
  std::int32_t lastTouch = -1;  ///< tape record of the last update, -1 for the initial state
  std::int32_t lastEvent = -1;  ///< event of the last update, -1 initially
  std::int32_t heapPos = -1;    ///< slot in the spike queue, -1 when not queued
};

/// One neuron's adjoints in the general engines' reverse sweep (reverse_sweep.hpp), read and
/// written together by each undone touch: of the state after the touch (x0, x1) and of the
/// prediction in force.
struct alignas(32) NeuronAdjoint {
  double g0 = 0, g1 = 0, gHat = 0;
};

struct Workspace {
  std::vector<NeuronState> state_;   ///< per neuron: the general engines' forward state
  SpikeQueue<NeuronState> queue_;    ///< the general engines' queue (slots in state_)
  std::vector<std::int32_t> order_;  ///< input events sorted stably by time
  InputSpikes merged_;               ///< the sample's events plus the trainable input spikes
  // The layered engine's per-neuron state (layered.hpp): tangent p, its time, prediction.
  std::vector<double> x0_, tLast_, tHat_;
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
  // Backward workspace: per event lambda_, per neuron the general engines' adj_ and, for the
  // pseudo coupling, gu_ and gr_; g0_, g1_ and gHat_ are the layered engine's (layered.hpp).
  std::vector<NeuronAdjoint> adj_;
  std::vector<double> lambda_, g0_, g1_, gHat_, gu_, gr_;
};

}  // namespace spikegrad
