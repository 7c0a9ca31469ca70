// The description of a network that the simulator runs, in two parts:
//
// - NetworkStructure: the neuron model shared by all neurons, the synapse topology (stored by
//   presynaptic source: fan-out lists) and the channels of trainable input spikes. Immutable once
//   built and shared (std::shared_ptr<const NetworkStructure>) by every run of the network.
// - NetworkParams: the trainable numbers: one weight per synapse (in the topology's order), the
//   initial state, the times of the trainable input spikes. Copied per call.
//
// Weights are kept per synapse in fan-out order (compressed sparse columns of the W[post][pre]
// matrix), so a spike of neuron j reads exactly the synapses it reaches, contiguously. Dense
// matrices convert at the edge (Synapses::fromMask, gather, scatterDense). Every synapse that
// exists is a parameter, including those whose weight is currently 0 (method.md 5.5: structural
// connections), so the simulator touches their targets and accumulates their gradients.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/neurons/registry.hpp"

namespace spikegrad {

/// Synapse topology grouped by source (a presynaptic neuron or an input channel): synapses k in
/// [start[s], start[s+1]) leave source s for target[k]. Their weights are parameters
/// (NetworkParams), in this order.
struct Synapses {
  std::int32_t sources = 0;          ///< number of sources
  std::int32_t targets = 0;          ///< number of possible targets (network neurons)
  std::vector<std::int32_t> start;   ///< sources + 1 offsets
  std::vector<std::int32_t> target;  ///< target neuron of each synapse

  std::size_t size() const { return target.size(); }

  /// The synapses of a dense column-major targets x sources matrix: the entries (t, s) with
  /// mask[t + s * targets] != 0, or every entry when mask is null.
  static Synapses fromMask(std::int32_t targets, std::int32_t sources, const std::uint8_t* mask);

  /// Per-synapse values read from a dense column-major targets x sources matrix.
  std::vector<double> gather(const double* dense) const;

  /// dense[t + s * targets] += perSynapse[k] for every synapse k from s onto t.
  void scatterDense(const double* perSynapse, double* dense) const;

  /// Checks offsets and target ranges; `what` names the field in errors.
  void validate(const char* what) const;
};

/// The structure of a network: everything but its parameters.
struct NetworkStructure {
  NeuronModel model;
  std::int32_t n = 0;  ///< number of network neurons
  Synapses recurrent;  ///< sources = targets = n
  Synapses input;      ///< sources = input channels, targets = n
  /// Trainable input spikes: the channel of each. They are appended to every sample's input
  /// events (after the sample's own, plain or as single-channel bundles like the sample's
  /// events), at the times NetworkParams::trainableTimes; their gradient is summed over samples.
  std::vector<std::int32_t> trainableChannels;

  std::int32_t inputChannels() const { return input.sources; }
  /// stateDim() * n: the length of the initial state.
  std::size_t stateSize() const {
    return static_cast<std::size_t>(model.stateDim()) * static_cast<std::size_t>(n);
  }
  /// Validates the model, sizes and synapse lists; throws spikegrad::Error naming the field.
  void validate() const;
};

/// The parameters of a network (same order as Gradient).
struct NetworkParams {
  std::vector<double> recurrent;  ///< per recurrent synapse (NetworkStructure::recurrent order)
  std::vector<double> input;      ///< per input synapse (NetworkStructure::input order)
  /// Initial state, stateDim() * n values by state variable: V[0..n), I[0..n) for qif and lif;
  /// phi[0..n) for phase models.
  std::vector<double> initial;
  /// Times of the trainable input spikes (NetworkStructure::trainableChannels order).
  std::vector<double> trainableTimes;

  /// Checks lengths against st, finite weights, the initial state (NeuronModel::checkInitial) and
  /// the trainable times (numbers >= 0, +inf allowed); throws spikegrad::Error naming the field.
  void validate(const NetworkStructure& st) const;
};

/// A network: a shared immutable structure and its parameters.
struct Network {
  std::shared_ptr<const NetworkStructure> structure;
  NetworkParams params;

  /// Validates structure and parameters.
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

/// The engines that can run a trial (native/core/engine/).
enum class EngineKind : std::uint8_t {
  /// The event-driven engine of every model: an event touches only the neurons it reaches.
  kGeneral,
  /// Feed-forward theta networks layer by layer (engine/layered.hpp): an input event of a layer
  /// updates the whole layer in one dense vector operation. Results equal the general engine's
  /// (gradients up to the order of floating-point sums).
  kLayered,
  /// The layered engine where it can run the network (engine/layered.hpp, layeredPlan), else the
  /// general one.
  kAuto,
};

/// The layers of a network the layered engine runs: layer l is the neurons [off[l], off[l+1]).
struct LayerPlan {
  std::vector<std::int32_t> off;
  std::size_t layers() const { return off.empty() ? 0 : off.size() - 1; }
};

/// "general", "layered" or "auto".
const char* engineName(EngineKind kind);

/// Trial settings.
struct TrialSpec {
  double T = 1.0;              ///< trial end; a spike exactly at T is not in the trial
  std::int64_t maxEvents = 0;  ///< budget of in-trial events (input spikes + network spikes)
  EngineKind engine = EngineKind::kAuto;  ///< the engine that runs the trial
  void validate() const;
};

/// The events of one trial: the sample's own events followed by the network's trainable input
/// spikes (one event each, a single-channel bundle when the sample is bundled). Returns `own`
/// itself when the network has none, else *merged.
const InputSpikes& withTrainableInputs(const InputSpikes& own, const NetworkStructure& st,
                                       const NetworkParams& params, InputSpikes* merged);

}  // namespace spikegrad
