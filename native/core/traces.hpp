// State traces for plotting (method.md 3.6), reconstructed from a recorded tape: between its
// updates a neuron evolves freely, so its state at any time is the closed-form flow from its last
// update before that time. Phase models are reported as voltages V = iPhi(phi). The model-specific
// parts (a state's voltage, an engine's encoding of its tape records) come from the registry.
#pragma once

#include <cstdint>
#include <vector>

#include "core/simulator.hpp"

namespace spikegrad {

/// Traces of selected neurons on the grid t_g = g * dt, g = 0 .. floor(T / dt).
struct Traces {
  std::vector<double> times;  ///< grid times
  /// Voltage of neuron q (in the order requested) at grid time g: V[q * times.size() + g].
  /// A QIF neuron at its blow-up or reset is reported as +-1/eps (the reference's plotting
  /// convention); phase models as V = iPhi(phi) with the same guards.
  std::vector<double> V;
  /// Synaptic current (qif, lif; empty for phase models), same layout.
  std::vector<double> I;
};

/// Computes traces of `neurons` from the tape of a forward run of net over [0, T].
/// Throws spikegrad::Error (kRange) for dt <= 0, too many grid points or a bad neuron index.
Traces computeTraces(const Network& net, const Tape& tape, double T, double dt,
                     const std::vector<std::int32_t>& neurons);

}  // namespace spikegrad
