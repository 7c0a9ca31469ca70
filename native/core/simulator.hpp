// Event-driven simulation of one trial and the exact gradient by a reverse (adjoint) pass over
// the recorded events (method.md sections 3.5, 4 and 5.5). docs/core.md describes the data layout
// of the tape and the structure of the reverse pass.
//
// Cost: each event touches only the neurons it reaches (the targets of the spiking neuron or of
// the input channels, plus the spiking neuron itself); each neuron is advanced lazily from its
// last update in closed form; the next network spike comes from an indexed heap of the neurons
// due to spike before T. Per event the work is O(fan-out * log m), never O(n); only the trial end
// touches every neuron. The tape holds one record per neuron update, so its memory is
// proportional to the events' reach, not to events x n.
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
  std::int64_t inTrialEvents = 0;  ///< input events plus network spikes processed before T
};

/// Gradients with respect to every parameter; backward() adds into these.
struct Gradient {
  std::vector<double> recurrent;   ///< per recurrent synapse (Network::recurrent order)
  std::vector<double> input;       ///< per input synapse (Network::input order)
  std::vector<double> inputTimes;  ///< per input event, in the order the events were given
  std::vector<double> initial;     ///< layout of Network::initial
  /// Sizes every array for net and nInputEvents input events and fills it with zeros.
  void reset(const Network& net, std::size_t nInputEvents);
};

/// The record of one forward run that the reverse pass reads (see docs/core.md).
struct Tape {
  enum EventKind : std::int8_t { kInput = 0, kSpike = 1, kTrialEnd = 2 };
  enum TouchFlags : std::uint8_t {
    kMasked = 1,         ///< predicted spike within eps of the event: V held at 1/eps (qif)
    kClamped = 2,        ///< the flow hit the voltage clamp 1/eps (qif)
    kReset = 4,          ///< this neuron spiked at this event and was reset
    kNewPrediction = 8,  ///< a new spike-time prediction was made from the post-event state
    kKicked = 16,        ///< a weight was delivered (Touch::w; Touch::synapse unless bundled)
    kInputSynapse = 32,  ///< ... through input synapses (else a recurrent one)
    kBundle = 64,        ///< ... summed over the synapses of a bundle of input channels
  };
  struct Event {
    double t;                 ///< event time
    std::int32_t index;       ///< input event (original order) or spiking neuron; -1 at trial end
    std::int32_t firstTouch;  ///< first record of this event in touches
    std::int8_t kind;         ///< EventKind
  };
  struct Touch {
    double x0, x1;           ///< post-event state (V+, I+), or (phi+, aux) where aux is what the
                             ///< reverse pass needs of a kick (theta: tan(r phi-/tau - pi/2))
    double w;                ///< the weight delivered (0 when not kicked)
    std::int32_t neuron;     ///< the neuron updated
    std::int32_t prev;       ///< this neuron's previous touch, -1 for the initial state at t = 0
    std::int32_t event;      ///< the event of this update
    std::int32_t synapse;    ///< the synapse whose weight was delivered, -1 if none or bundled
    std::int32_t prevEvent;  ///< the event of touch `prev` (-1 for the initial state): saves the
                             ///< reverse pass a random access into the tape
    std::uint8_t flags;      ///< TouchFlags
  };
  std::vector<Event> events;
  std::vector<Touch> touches;
  std::vector<std::int32_t> slotEvent;  ///< per output slot: its spike event, -1 for a pseudospike
  std::vector<std::int32_t> slotK;      ///< per output slot: pseudospike number k >= 1, else 0
  /// The pseudo quantities of the forward run, kept for the reverse pass: per neuron u, r,
  /// dr/dx0 and dr/du (4 n values, in that order).
  std::vector<double> pseudo;

  /// The touches of event e are touches[begin(e) .. end(e)).
  std::size_t begin(std::size_t e) const { return static_cast<std::size_t>(events[e].firstTouch); }
  std::size_t end(std::size_t e) const {
    return e + 1 < events.size() ? static_cast<std::size_t>(events[e + 1].firstTouch)
                                 : touches.size();
  }
  void clear() {
    events.clear();
    touches.clear();
    slotEvent.clear();
    slotK.clear();
    pseudo.clear();
  }
};

/// Reusable per-thread scratch memory of a Simulator: O(n) arrays and the spike heap. Internal;
/// the engines in simulator.cc read and write it directly.
struct SimulatorWorkspace {
  SpikeQueue queue_;
  std::vector<std::int32_t> order_;  ///< input events sorted stably by time
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
  // Backward workspace.
  std::vector<double> lambda_, g0_, g1_, gHat_, gu_, gr_;
};

/// Runs and differentiates trials. Holds only reusable workspace (O(n) arrays and the heap), so
/// keep one per thread and reuse it across trials; the per-trial record lives in a Tape, so many
/// trials can be recorded and differentiated later by any Simulator. Not thread-safe.
class Simulator {
 public:
  /// Runs one trial and records it in *tape. Throws spikegrad::Error: kBudget when more than
  /// trial.maxEvents in-trial events occur (the message names maxEvents and the least number of
  /// events needed), and validation errors unless setTrusted(true).
  void forward(const Network& net, const InputSpikes& inputs, const Readout& readout,
               const TrialSpec& trial, Tape* tape, ForwardResult* out);

  /// Adds to *grad the gradient of sum_k cotangent[k] * outputTimes[k] of the trial recorded in
  /// tape. net, inputs, readout and trial must be those of the forward run. cotangent has one
  /// finite value per output slot.
  void backward(const Network& net, const InputSpikes& inputs, const Readout& readout,
                const TrialSpec& trial, const Tape& tape, const double* cotangent, Gradient* grad);

  /// Skips validation in forward() (the caller validated once for many trials). Off by default.
  void setTrusted(bool trusted) { trusted_ = trusted; }

 private:
  bool trusted_ = false;
  SimulatorWorkspace ws_;
};

}  // namespace spikegrad
