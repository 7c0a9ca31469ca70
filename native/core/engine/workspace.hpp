// Reusable per-thread scratch memory of the engines: O(n) arrays and the spike heap. Owned by a
// Simulator (one per thread), read and written directly by the engines.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "core/engine/spike_queue.hpp"
#include "core/network.hpp"

namespace spikegrad {

// One neuron's state in the general engines (event_loop.hpp), one record per neuron holding
// exactly what a touch reads and writes (the state after the last update, its time, the
// prediction and the tape links), so that touching a neuron of a large network costs one cache
// miss, not one per array. The heap slot stays in the queue's own compact array (a sift moves
// other neurons' slots, which are then not spread over the records).

/// A phase model's neuron (theta, osclif): 32 bytes, two to a cache line.
struct alignas(32) PhaseNeuron {
  double x0 = 0;                ///< phase (theta: tangent) after the last update
  double tLast = 0;             ///< time of the last update
  double tHat = 0;              ///< predicted spike time (+infinity if none)
  std::int32_t lastTouch = -1;  ///< tape record of the last update, -1 for the initial state
  std::int32_t lastEvent = -1;  ///< event of the last update, -1 initially
};

/// A current-based model's neuron (qif, lif): V and I, one cache line.
struct alignas(64) CurrentNeuron {
  double x0 = 0, x1 = 0;        ///< V and I after the last update
  double tLast = 0;             ///< time of the last update
  double tHat = 0;              ///< predicted spike time (+infinity if none)
  std::int32_t lastTouch = -1;  ///< tape record of the last update, -1 for the initial state
  std::int32_t lastEvent = -1;  ///< event of the last update, -1 initially
};

/// One neuron's adjoints in the general engines' reverse sweep (reverse_sweep.hpp), read and
/// written together by each undone touch: of the state x0 after the touch and of the
/// prediction in force (the current-based models' adjoint of x1 is g1_).
struct alignas(16) NeuronAdjoint {
  double g0 = 0, gHat = 0;
};

struct Workspace {
  std::vector<PhaseNeuron> phase_;      ///< per neuron: the phase engines' forward state
  std::vector<CurrentNeuron> current_;  ///< per neuron: the current engine's forward state
  SpikeQueue queue_;
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
  // Recurrent pseudo mode: the synapses into readout neurons (ascending synapse index, so each
  // readout's pseudo input sums in the order of the full loop) and their sources, for the network
  // structure roNet_ and readout roNeurons_ (listReadoutSynapses in simulator.cc). A weak
  // reference: it does not keep the structure alive, and while it exists the structure's control
  // block cannot be reused by another structure.
  std::weak_ptr<const NetworkStructure> roNet_;
  std::vector<std::int32_t> roNeurons_, roSyn_, roSrc_;
  std::vector<double> hT_;  ///< per neuron: H(phi_T, u), the pseudo phase (layered engine)
  // Backward workspace: per event lambda_, per neuron the general engines' adj_ (and g1_ for
  // qif and lif) and, for the pseudo coupling, gu_ and gr_; g0_ and gHat_ are the layered
  // engine's (layered.hpp).
  std::vector<NeuronAdjoint> adj_;
  std::vector<double> lambda_, g0_, g1_, gHat_, gu_, gr_;
};

}  // namespace spikegrad
