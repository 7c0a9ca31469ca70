// The description of a network that the simulator runs: a neuron model shared by all neurons,
// synapses stored by presynaptic source (fan-out lists), and the initial state.
//
// Weights are kept per synapse in fan-out order (compressed sparse columns of the W[post][pre]
// matrix), so a spike of neuron j reads exactly the synapses it reaches, contiguously. Dense
// matrices convert at the edge (Synapses::fromDense / scatterDense). Every synapse that exists is
// a parameter, including those whose weight is currently 0 (method.md 5.5: structural
// connections), so the simulator touches their targets and accumulates their gradients.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/neurons/lif.hpp"
#include "core/neurons/osclif.hpp"
#include "core/neurons/qif.hpp"
#include "core/neurons/theta.hpp"

namespace spikegrad {

/// The neuron model shared by all neurons of a network, with its parameters.
struct NeuronModel {
  enum class Kind : std::uint8_t { kQif, kTheta, kLif, kOscLif };
  Kind kind = Kind::kQif;
  QifParams qif;        ///< used when kind == kQif
  ThetaParams theta;    ///< used when kind == kTheta
  LifParams lif;        ///< used when kind == kLif
  OscLifParams osclif;  ///< used when kind == kOscLif

  /// Number of state variables per neuron: 2 (V, I) for qif and lif, 1 (phi) for phase models.
  int stateDim() const { return isPhase() ? 1 : 2; }
  /// True for the phase oscillators (theta, osclif), whose state is a phase.
  bool isPhase() const { return kind == Kind::kTheta || kind == Kind::kOscLif; }
  /// The model's name as used in the case format: "qif", "theta", "lif" or "osclif".
  const char* name() const;
  /// Throws spikegrad::Error (kDomain) naming the parameter when a parameter is invalid.
  void validate() const;
};

/// Synapses grouped by source (a presynaptic neuron or an input channel).
/// Synapses k in [start[s], start[s+1]) leave source s; target[k] receives weight[k].
struct Synapses {
  std::int32_t sources = 0;          ///< number of sources
  std::int32_t targets = 0;          ///< number of possible targets (network neurons)
  std::vector<std::int32_t> start;   ///< sources + 1 offsets
  std::vector<std::int32_t> target;  ///< target neuron of each synapse
  std::vector<double> weight;        ///< weight of each synapse

  std::size_t size() const { return target.size(); }

  /// Synapses of a dense column-major targets x sources matrix W (W[t + s * targets] is the
  /// weight from source s onto target t). mask (same layout, may be null) marks the entries that
  /// exist; with no mask every entry exists.
  static Synapses fromDense(std::int32_t targets, std::int32_t sources, const double* W,
                            const std::uint8_t* mask);

  /// dense[t + s * targets] += perSynapse[k] for every synapse k from s onto t.
  void scatterDense(const double* perSynapse, double* dense) const;

  /// Checks offsets, target ranges and finiteness of weights; `what` names the field in errors.
  void validate(const char* what) const;
};

/// A network: model, recurrent and input synapses, initial state.
struct Network {
  NeuronModel model;
  std::int32_t n = 0;  ///< number of network neurons
  Synapses recurrent;  ///< sources = targets = n
  Synapses input;      ///< sources = input channels, targets = n
  /// Initial state, stateDim() * n values by state variable: V[0..n), I[0..n) for qif and lif;
  /// phi[0..n) for phase models.
  std::vector<double> initial;

  std::int32_t inputChannels() const { return input.sources; }
  /// Validates everything; throws spikegrad::Error naming the field.
  void validate() const;
};

/// Which neurons' spike times are the output, and how pseudospikes are coupled.
struct Readout {
  std::vector<std::int32_t> neurons;  ///< readout neurons
  std::vector<std::int32_t> counts;   ///< output times per readout neuron
  /// Empty: recurrent pseudo mode (presynaptic pseudo rates at zero pseudo drive).
  /// Non-empty: feed-forward mode; pseudo rates are passed layer by layer in this order, the
  /// first layer's pseudo input is 0, and layer L's pseudo input comes from layer L-1 only.
  std::vector<std::vector<std::int32_t>> layers;

  std::size_t totalCount() const;
  void validate(std::int32_t n) const;
};

/// Input events of one trial, in any order. Event k arrives at times[k] (+infinity is allowed and
/// never processed). Without `start`, event k is one spike on channel channels[k]. With `start`
/// (events + 1 offsets), event k is a bundle: all channels channels[start[k] .. start[k+1]) spike
/// at once and each target receives the summed weight of the bundle's synapses onto it in a single
/// update (method.md 6.4: exact because jumps add; one event instead of hundreds). The gradient
/// with respect to times[k] is then that of moving the whole bundle.
struct InputSpikes {
  std::vector<double> times;
  std::vector<std::int32_t> channels;
  std::vector<std::int32_t> start;

  std::size_t events() const { return times.size(); }
  bool bundled() const { return !start.empty(); }
  void validate(std::int32_t inputChannels) const;
};

/// Trial settings.
struct TrialSpec {
  double T = 1.0;              ///< trial end; a spike exactly at T is not in the trial
  std::int64_t maxEvents = 0;  ///< budget of in-trial events (input spikes + network spikes)
  void validate() const;
};

}  // namespace spikegrad
