// What every engine shares: the workspace, the trial's definition and the tape being recorded.
// An engine (current_engine.hpp, phase_engine.hpp, theta_engine.hpp) derives from EngineBase
// and provides, for the event loop (event_loop.hpp), the output decoding (output.hpp) and the
// reverse sweep (reverse_sweep.hpp):
//
//   void init();                                          initial predictions into the heap
//   void touch(i, e, tk, w, synapse, flags);              update neuron i at event e
//   void preparePseudo(const Tape::Touch* end);           pseudo rates from the state at T
//   double pseudoTime(end, i, k) const;                   pseudospike k of neuron i
//   void seedPseudo(end, cot, tape, grad);                adjoints of the pseudo slots
//   double undo(tape, touch, tEvent, double* lambda);     one touch of the reverse sweep
//   void finishInitial(Gradient* grad);                   the initial-state gradient
//   static void decodeState(adapter, touch, trialEnd, &x0, &x1);  a touch's model state
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>

#include "core/engine/results.hpp"
#include "core/engine/tape.hpp"
#include "core/engine/workspace.hpp"
#include "core/error.hpp"
#include "core/network.hpp"

namespace spikegrad {
namespace engine {

inline constexpr double kInfinity = std::numeric_limits<double>::infinity();
inline constexpr std::size_t kMaxTouches = std::size_t{1} << 26;  // 64 M records of 48 bytes

inline std::size_t idx(std::int32_t i) { return static_cast<std::size_t>(i); }

struct EngineBase {
  Workspace& s;
  const NetworkStructure& net;
  const NetworkParams& par;
  const InputSpikes& in;  ///< the trial's events (the sample's own, then trainable spikes)
  const Readout& ro;
  const double T;
  Tape* tape;                  ///< the tape being recorded (forward only)
  std::size_t ownEvents = 0;   ///< the sample's own events: in's first ownEvents
  std::int64_t maxEvents = 0;  ///< the event budget (forward only)
  std::int64_t inTrial = 0;    ///< in-trial events of the forward run

  /// Appends neuron i's update at event e (time tk) to the tape and makes it the neuron's state.
  void record(std::int32_t i, std::int32_t e, double tk, double x0, double x1, double w,
              std::int32_t synapse, std::uint8_t flags) {
    const auto ui = idx(i);
    // A runaway network can touch far more neurons than its event budget suggests; the record
    // of one trial is capped (about 4 GiB) so that it fails with a coded error, not the OOM killer.
    if (tape->touches.size() >= kMaxTouches) {
      throw Error(ErrorCode::kMemory,
                  "the trial's record exceeds " + std::to_string(kMaxTouches) +
                      " neuron updates (about 4 GiB): lower maxEvents or T, or check for a "
                      "runaway network");
    }
    NeuronState& ns = s.state_[ui];
    tape->touches.push_back({x0, x1, w, i, ns.lastTouch, e, synapse, ns.lastEvent, flags});
    ns.lastTouch = static_cast<std::int32_t>(tape->touches.size() - 1);
    ns.lastEvent = e;
    ns.tLast = tk;
    ns.x0 = x0;
    ns.x1 = x1;
  }

  // The pseudo coupling of the trial end (defined in pseudo_coupling.hpp).

  /// A neuron's pseudo rate and its partials with respect to its state at T and its pseudo input.
  struct PseudoRate {
    double r, d_dx0, d_du;
  };
  /// Pseudo inputs u and rates r from rate(i, u, neutral) -> PseudoRate.
  template <typename RateFn>
  void couplePseudo(RateFn rate);
  /// The reverse of couplePseudo, adding the coupling's weight gradients to *grad.
  void reverseCoupling(Gradient* grad);

  /// The model state a touch recorded (the identity; engines with their own tape encoding
  /// override it).
  template <typename M>
  static void decodeState(const M& /*model*/, const Tape::Touch& tc, bool /*trialEnd*/, double* x0,
                          double* x1) {
    *x0 = tc.x0;
    *x1 = tc.x1;
  }
};

}  // namespace engine
}  // namespace spikegrad
