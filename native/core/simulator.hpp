// Event-driven simulation of one trial and the exact gradient by a reverse (adjoint) pass over
// the recorded events (method.md sections 3.5, 4 and 5.5): the facade of the engine room
// (native/core/engine/). docs/core.md describes the data layout of the tape and the structure of
// the reverse pass.
//
// Cost: each event touches only the neurons it reaches (the targets of the spiking neuron or of
// the input channels, plus the spiking neuron itself); each neuron is advanced lazily from its
// last update in closed form; the next network spike comes from an indexed heap of the neurons
// due to spike before T. Per event the work is O(fan-out * log m), never O(n); only the trial end
// touches every neuron. The tape holds one record per neuron update, so its memory is
// proportional to the events' reach, not to events x n.
#pragma once

#include "core/engine/layered_state.hpp"
#include "core/engine/results.hpp"
#include "core/engine/tape.hpp"
#include "core/engine/workspace.hpp"
#include "core/network.hpp"

namespace spikegrad {

/// Runs and differentiates trials. Holds only reusable workspace (O(n) arrays and the heap), so
/// keep one per thread and reuse it across trials; the per-trial record lives in a Tape, so many
/// trials can be recorded and differentiated later by any Simulator. Not thread-safe.
///
/// The network's trainable input spikes (NetworkStructure::trainableChannels) are appended to
/// `inputs` (withTrainableInputs); their gradient goes to Gradient::trainableTimes, while
/// Gradient::inputTimes holds the gradient of `inputs`' own events. The engine is chosen by
/// TrialSpec::engine and the model (engine/engines.hpp).
/// The engine that runs a network for the requested kind: kGeneral, or kLayered where the
/// layered engine can run it (engine/layered.hpp; *plan then holds its layers). kAuto falls back
/// to kGeneral; kLayered on a network it cannot run throws ERR_SPIKEGRAD_ARG with the reason.
/// O(synapses): resolve once per network or batch.
EngineKind resolveEngine(const NetworkStructure& st, const Readout& readout, EngineKind requested,
                         LayerPlan* plan);

class Simulator {
 public:
  /// Runs one trial and records it in *tape. Throws spikegrad::Error: kBudget when more than
  /// trial.maxEvents in-trial events occur, at the budget (the message names maxEvents and a
  /// lower bound on the events needed; *tape then holds the events before the stop), and
  /// validation errors unless setTrusted(true).
  void forward(const Network& net, const InputSpikes& inputs, const Readout& readout,
               const TrialSpec& trial, Tape* tape, ForwardResult* out);

  /// Adds to *grad the gradient of sum_k cotangent[k] * outputTimes[k] of the trial recorded in
  /// tape. net, inputs, readout and trial must be those of the forward run. cotangent has one
  /// finite value per output slot; *grad is sized by Gradient::reset(structure, inputs.events()).
  void backward(const Network& net, const InputSpikes& inputs, const Readout& readout,
                const TrialSpec& trial, const Tape& tape, const double* cotangent, Gradient* grad);

  /// Skips validation in forward() (the caller validated once for many trials). Off by default.
  /// With trusted(true), trial.engine must be resolved (resolveEngine), not kAuto.
  void setTrusted(bool trusted) { trusted_ = trusted; }

  /// Whether forward() fills ForwardResult::stateAtT (default true; a batch does not need it,
  /// and the layered engine then skips the phases at T it does not otherwise use).
  void setWantState(bool want) { wantState_ = want; }

  /// The engine of the last forward run (kGeneral also when a layered run fell back to the
  /// general engine to report a budget or memory error exactly).
  EngineKind lastEngine() const { return last_; }

 private:
  bool trusted_ = false;
  bool wantState_ = true;
  EngineKind last_ = EngineKind::kGeneral;
  LayerPlan plan_;
  Workspace ws_;
  engine::LayeredState layered_;  ///< the layered theta engine's own buffers and caches
};

}  // namespace spikegrad
