// Event-driven simulation of one trial and the exact gradient by a reverse (adjoint) pass over
// the recorded events (method.md sections 3.5, 4 and 5.5). See docs/core.md for the data layout
// of the tape and the structure of the reverse pass.
//
// Cost: each event touches only the neurons it reaches (the targets of the spiking neuron or of
// the input channel, plus the spiking neuron itself); each neuron is advanced lazily from its
// last update in closed form; the next network spike comes from an indexed heap. Per event the
// work is O(fan-out + fan-out * log m), never O(n); only the trial end touches every neuron.
// The tape holds one record per neuron update, so memory is proportional to the events' reach.
#pragma once

#include <cstdint>
#include <vector>

#include "core/network.hpp"
#include "core/spike_queue.hpp"

namespace spikegrad {

/// What one forward run returns.
struct ForwardResult {
  std::vector<double> spikeTimes;          ///< ordinary network spikes in [0, T), in time order
  std::vector<std::int32_t> spikeNeurons;  ///< the neuron of each spike
  /// Merged output times, readout entries concatenated: counts[0] times of neurons[0], then ...
  std::vector<double> outputTimes;
  std::vector<std::uint8_t> outputIsPseudo;  ///< 1 where the output time is a pseudospike
  std::vector<double> stateAtT;    ///< state at T, stateDim * n values (layout of Network::initial)
  std::int64_t inTrialEvents = 0;  ///< input spikes plus network spikes processed before T
};

/// Gradients with respect to every parameter; backward() adds into these.
struct Gradient {
  std::vector<double> recurrent;   ///< per recurrent synapse (Network::recurrent order)
  std::vector<double> input;       ///< per input synapse (Network::input order)
  std::vector<double> inputTimes;  ///< per input spike, in the order the inputs were given
  std::vector<double> initial;     ///< layout of Network::initial
  /// Sizes every array for net and nInputs input spikes and fills it with zeros.
  void reset(const Network& net, std::size_t nInputs);
};

/// The recorded events of the last forward run (see docs/core.md).
struct Tape {
  enum EventKind : std::int8_t { kInput = 0, kSpike = 1, kTrialEnd = 2 };
  enum TouchFlags : std::uint8_t {
    kMasked = 1,         ///< predicted spike within eps of the event: V held at 1/eps (qif)
    kClamped = 2,        ///< the flow hit the voltage clamp 1/eps (qif)
    kReset = 4,          ///< this neuron spiked at this event and was reset
    kNewPrediction = 8,  ///< a new spike-time prediction was made from the post-event state
    kKicked = 16,        ///< a synapse delivered a weight (Touch::synapse is valid)
    kInputSynapse = 32,  ///< ... and it is an input synapse (else a recurrent one)
  };
  struct Event {
    double t;                 ///< event time
    std::int32_t index;       ///< input spike (original order) or spiking neuron; -1 at trial end
    std::int32_t firstTouch;  ///< first record of this event in touches
    std::int8_t kind;         ///< EventKind
  };
  struct Touch {
    double x0, x1;         ///< post-event state: (V+, I+) or (phi+, 0)
    std::int32_t neuron;   ///< the neuron updated
    std::int32_t prev;     ///< this neuron's previous touch, -1 for the initial state at t = 0
    std::int32_t event;    ///< the event of this update
    std::int32_t synapse;  ///< the synapse whose weight was delivered (see kKicked)
    std::uint8_t flags;    ///< TouchFlags
  };
  std::vector<Event> events;
  std::vector<Touch> touches;
  void clear() {
    events.clear();
    touches.clear();
  }
};

/// Runs trials of a network and differentiates them. Holds reusable workspace, so keep one per
/// thread and reuse it across trials. Not thread-safe.
class Simulator {
 public:
  /// Runs one trial and records what backward() needs. net, inputs, readout and trial are read
  /// again by backward() and must stay alive and unchanged until then.
  /// Throws spikegrad::Error: kBudget when more than trial.maxEvents in-trial events occur (the
  /// message names maxEvents and the least number of events needed), and validation errors.
  void forward(const Network& net, const InputSpikes& inputs, const Readout& readout,
               const TrialSpec& trial, ForwardResult* out);

  /// Adds to grad the gradient of sum_k cotangent[k] * outputTimes[k] for the last forward run.
  /// cotangent has ForwardResult::outputTimes.size() finite values.
  void backward(const double* cotangent, Gradient* grad);

  /// The tape of the last forward run.
  const Tape& tape() const { return tape_; }

  /// Skips validation of net/inputs/readout/trial in forward() (the caller validated them once
  /// for many trials). Off by default.
  void setTrusted(bool trusted) { trusted_ = trusted; }

 private:
  template <typename M>
  friend struct CurrentEngine;
  template <typename M>
  friend struct PhaseEngine;

  void sortInputs();
  void finishOutputs(ForwardResult* out);

  const Network* net_ = nullptr;
  const InputSpikes* inputs_ = nullptr;
  const Readout* readout_ = nullptr;
  TrialSpec trial_;
  bool trusted_ = false;
  bool ready_ = false;

  Tape tape_;
  SpikeQueue queue_;
  std::vector<std::int32_t> order_;  ///< input spikes sorted stably by time
  // Per neuron, during forward: state after the last update, its time, prediction, last touch.
  std::vector<double> x0_, x1_, tLast_, tHat_;
  std::vector<std::int32_t> lastTouch_;
  // Pseudo quantities: pseudo input u, rate r and its partials, per neuron.
  std::vector<double> u_, r_, drdx0_, drdx1_;
  std::vector<std::int32_t> layerOf_;
  // Ordinary spikes (event indices) of each readout entry's neuron, and each slot's source.
  std::vector<std::int32_t> slotEvent_;  ///< event of an ordinary slot, -1 for a pseudo slot
  std::vector<std::int32_t> slotK_;      ///< pseudospike number k >= 1 of a pseudo slot
  // Backward workspace.
  std::vector<double> lambda_, g0_, g1_, gHat_, gu_, gr_;
};

}  // namespace spikegrad
