// The engine of the phase models (theta, osclif; method.md 2.2, 2.4, 3.5, 4.2, 5.5): state phi
// per neuron, free flow phi -> phi + Delta, an input maps phi to H(phi, w), a spike at phi = Theta
// resets to 0. Generic over the model's adapter M (contract.hpp, IsPhaseModel). The theta model
// runs in tangent coordinates instead (theta_engine.hpp), with this engine's reverse pass.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "core/engine/engine_base.hpp"
#include "core/engine/pseudo_coupling.hpp"

namespace spikegrad {
namespace engine {

template <typename M>
struct PhaseEngine : EngineBase {
  M m;

  PhaseEngine(const EngineBase& base, M model) : EngineBase(base), m(model) {}

  void init() {
    const auto n = idx(net.n);
    for (std::size_t i = 0; i < n; ++i) {
      NeuronState& ns = s.state_[i];
      ns.x0 = par.initial[i];
      ns.x1 = 0.0;
      ns.tLast = 0.0;
      ns.tHat = m.Theta - ns.x0;
      s.queue_.set(static_cast<std::int32_t>(i), ns.tHat < T ? ns.tHat : kInfinity);
    }
  }

  void touch(std::int32_t i, std::int32_t e, double tk, double w, std::int32_t synapse,
             std::uint8_t flags) {
    NeuronState& ns = s.state_[idx(i)];
    const bool isEnd = tape->events[idx(e)].kind == Tape::kTrialEnd;
    double phi = ns.x0 + (tk - ns.tLast);  // free flow
    double aux = 0.0;                      // kept in the tape's x1 for the reverse pass
    if (flags & Tape::kReset) {
      phi = 0.0;  // a self-synapse's kick is overwritten by the reset
    } else if (flags & Tape::kKicked) {
      phi = m.kickValue(phi, w, &aux);
    }
    if (!isEnd) {
      flags |= Tape::kNewPrediction;
      ns.tHat = tk + (m.Theta - phi);  // exactly tk when a kick reaches Theta
      s.queue_.set(i, ns.tHat < T ? ns.tHat : kInfinity);
    }
    record(i, e, tk, phi, aux, w, synapse, flags);
  }

  /// Rates r = H(phi_T, u) / Theta (method.md 4.2), at u = 0 in recurrent mode; H without the
  /// guards for inputs (pseudoKick).
  void preparePseudo(const Tape::Touch* end) {
    couplePseudo([&](std::size_t i, double u, bool neutral) {
      const Kick h = m.pseudoKick(end[i].x0, neutral ? 0.0 : u);
      return PseudoRate{h.phi / m.Theta, h.d_dphi / m.Theta, neutral ? 0.0 : h.d_dw / m.Theta};
    });
  }

  /// t_pseudo,k = T + k Theta - H(phi_T, u).
  double pseudoTime(const Tape::Touch* end, std::size_t i, int k) const {
    return T + k * m.Theta - m.pseudoKick(end[i].x0, s.u_[i]).phi;
  }

  void seedPseudo(const Tape::Touch* end, const double* cot, const Tape& tp, Gradient* grad) {
    std::size_t slot = 0;
    for (std::size_t q = 0; q < ro.neurons.size(); ++q) {
      const auto i = idx(ro.neurons[q]);
      for (std::int32_t k = 0; k < ro.counts[q]; ++k, ++slot) {
        const double G = cot[slot];
        if (G == 0.0 || tp.slotEvent[slot] >= 0) continue;
        const Kick h = m.pseudoKick(end[i].x0, s.u_[i]);
        s.adj_[i].g0 -= G * h.d_dphi;
        s.gu_[i] -= G * h.d_dw;
      }
    }
    reverseCoupling(grad);
  }

  double undo(const Tape& tp, const Tape::Touch& tc, double tEvent, double* lambda) {
    const auto i = idx(tc.neuron);
    double g = s.adj_[i].g0;
    // 1. Prediction t_hat = t_e + Theta - phi+.
    if (tc.flags & Tape::kNewPrediction) {
      g -= s.adj_[i].gHat;
      *lambda += s.adj_[i].gHat;
      s.adj_[i].gHat = 0.0;
    }
    // 2. Reset (a constant) or kick phi+ = H(phi-, w).
    double gw = 0.0;
    if (tc.flags & Tape::kReset) {
      g = 0.0;
    } else if ((tc.flags & Tape::kKicked) && g != 0.0) {
      // The pre-kick phase phi- = phi_prev + (t_e - t_prev), read only by models whose slopes
      // need it (theta's come from the stored pt).
      double phiMinus = 0.0;
      if (M::kSlopesNeedPhase) {
        phiMinus = tc.prev >= 0 ? tp.touches[idx(tc.prev)].x0 : par.initial[i];
        phiMinus += tEvent - (tc.prevEvent >= 0 ? tp.events[idx(tc.prevEvent)].t : 0.0);
      }
      const Kick h = m.kickSlopes(phiMinus, tc.w, tc.x1);
      gw = g * h.d_dw;
      g *= h.d_dphi;
    }
    // 3. Flow phi- = phi_prev + (t_e - t_prev).
    *lambda += g;
    if (tc.prevEvent >= 0) s.lambda_[idx(tc.prevEvent)] -= g;
    s.adj_[i].g0 = g;
    return gw;
  }

  /// Event 0: t_hat = Theta - phi0.
  void finishInitial(Gradient* grad) {
    for (std::size_t i = 0; i < idx(net.n); ++i) grad->initial[i] += s.adj_[i].g0 - s.adj_[i].gHat;
  }
};

}  // namespace engine
}  // namespace spikegrad
