// The engine of the current-based models (qif, lif; method.md 2.1, 2.3, 3.5, 4.1, 5.5): state
// (V, I) per neuron, an input adds its weight to I, a spike resets V. Generic over the model's
// adapter M (contract.hpp, IsCurrentModel).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "core/engine/engine_base.hpp"
#include "core/engine/pseudo_coupling.hpp"

namespace spikegrad {
namespace engine {

template <typename M>
struct CurrentEngine : EngineBase {
  M m;

  CurrentEngine(const EngineBase& base, M model) : EngineBase(base), m(model) {}

  void init() {
    const auto n = idx(net.n);
    for (std::size_t i = 0; i < n; ++i) {
      NeuronState& ns = s.state_[i];
      ns.x0 = par.initial[i];
      ns.x1 = par.initial[n + i];
      ns.tLast = 0.0;
      ns.tHat = m.spikeTime(ns.x0, ns.x1).dt;
      s.queue_.set(static_cast<std::int32_t>(i), ns.tHat < T ? ns.tHat : kInfinity);
    }
  }

  /// Updates neuron i at event e (time tk): flow, kick by w, reset if it spiked, new prediction.
  void touch(std::int32_t i, std::int32_t e, double tk, double w, std::int32_t synapse,
             std::uint8_t flags) {
    NeuronState& ns = s.state_[idx(i)];
    const bool isEnd = tape->events[idx(e)].kind == Tape::kTrialEnd;
    const bool isReset = (flags & Tape::kReset) != 0;
    const double delta = tk - ns.tLast;
    const double tHat = ns.tHat;
    // The eps mask of method.md 3.5: a neuron due to spike within eps is never integrated through
    // its blow-up; V is held at 1/eps and its prediction is kept. So is a neuron whose flow would
    // pass the clamp 1/eps before its (finite) predicted spike: with tau != 1 that happens more
    // than eps before the spike, and a prediction from the clamped V would make a plateau.
    bool masked = M::kMask && std::fabs(tHat - tk) < m.eps();
    Flow f{};
    if (!masked) {
      f = m.flow(ns.x0, ns.x1, delta);
      masked = M::kMask && f.clamped && tHat >= tk && tHat < kInfinity;
    }
    double V, I;
    if (masked) {
      flags |= Tape::kMasked;
      V = m.clampV();
      I = ns.x1 * std::exp(-2.0 * delta / m.tau());
    } else {
      V = f.V;
      I = f.I;
      if (f.clamped) flags |= Tape::kClamped;
    }
    I += w;
    if (isReset) V = m.resetV();
    if (!isEnd && (!masked || isReset)) {
      flags |= Tape::kNewPrediction;
      ns.tHat = tk + m.spikeTime(V, I).dt;
      s.queue_.set(i, ns.tHat < T ? ns.tHat : kInfinity);
    }
    // At the trial end a masked neuron is at its pole: its record holds the time from T to its kept
    // prediction instead of the stand-in 1/eps (method.md 2.1, "The trial end at the pole").
    if (isEnd && masked) V = std::fmax(0.0, tHat - tk);
    record(i, e, tk, V, I, w, synapse, flags);
  }

  /// True when a trial-end record holds a neuron at its pole (x0 = time to its spike, x1 = I(T)).
  static bool atPole(const Tape::Touch& end) {
    return M::kMask && (end.flags & Tape::kMasked) != 0;
  }

  /// The state a touch recorded: V and I, with V = cot psi limited to 1/eps at the pole.
  static void decodeState(const M& model, const Tape::Touch& tc, bool trialEnd, double* x0,
                          double* x1) {
    *x0 = tc.x0;
    *x1 = tc.x1;
    if constexpr (M::kMask) {
      if (trialEnd && atPole(tc)) *x0 = std::fmin(model.pole(tc.x0, tc.x1).V, model.clampV());
    }
  }

  /// The pseudo rate of a neuron from its trial-end record; at the pole the derivative d_dV is
  /// the one in psi, the adjoint variable of that record (undo converts it).
  Rate rateAtEnd(const Tape::Touch& end, double Ip) const {
    if constexpr (M::kMask) {
      if (atPole(end)) return m.rateAtPole(m.pole(end.x0, end.x1).psi, Ip);
    }
    return m.rate(end.x0, Ip);
  }

  /// Pseudospike k's offset after T from a neuron's trial-end record (d_dV in psi at the pole).
  Pseudo pseudoAtEnd(const Tape::Touch& end, double Ip, int k) const {
    if constexpr (M::kMask) {
      if (atPole(end)) return m.pseudoAtPole(m.pole(end.x0, end.x1).psi, Ip, k);
    }
    return m.pseudo(end.x0, Ip, k);
  }

  /// Rates from the state at T (method.md 4.1): r(V, I_pseudo) with I_pseudo = I(T) + u, or at
  /// I_pseudo = 0 in recurrent mode.
  void preparePseudo(const Tape::Touch* end) {
    couplePseudo([&](std::size_t i, double u, bool neutral) {
      const Rate r = rateAtEnd(end[i], neutral ? 0.0 : end[i].x1 + u);
      return PseudoRate{r.r, r.d_dV, neutral ? 0.0 : r.d_dIp};
    });
  }

  /// t_pseudo,k = T + offset(V(T), I_pseudo = I(T) + u, k).
  double pseudoTime(const Tape::Touch* end, std::size_t i, int k) const {
    return T + pseudoAtEnd(end[i], end[i].x1 + s.u_[i], k).offset;
  }

  /// Seeds the adjoint of the state at T from the pseudo slots and the pseudo coupling.
  void seedPseudo(const Tape::Touch* end, const double* cot, const Tape& tp, Gradient* grad) {
    std::size_t slot = 0;
    for (std::size_t q = 0; q < ro.neurons.size(); ++q) {
      const auto i = idx(ro.neurons[q]);
      for (std::int32_t k = 0; k < ro.counts[q]; ++k, ++slot) {
        const double G = cot[slot];
        if (G == 0.0 || tp.slotEvent[slot] >= 0) continue;
        const Pseudo ps = pseudoAtEnd(end[i], end[i].x1 + s.u_[i], tp.slotK[slot]);
        s.adj_[i].g0 += G * ps.d_dV;
        s.gu_[i] += G * ps.d_dIp;
      }
    }
    // I_pseudo,i = I_i(T) + sum_j w_ij r_j, in reverse.
    reverseCoupling(grad);
    for (std::size_t i = 0; i < idx(net.n); ++i) s.adj_[i].g1 += s.gu_[i];
  }

  /// One touch of the reverse sweep (method.md 5.5). Returns the adjoint of the delivered weight
  /// and adds this touch's contributions to *lambda (event e) and lambda of the previous touch.
  double undo(const Tape& tp, const Tape::Touch& tc, double tEvent, double* lambda) {
    const auto i = idx(tc.neuron);
    double gV = s.adj_[i].g0, gI = s.adj_[i].g1;
    if constexpr (M::kMask) {
      if (atPole(tc) && tp.events[idx(tc.event)].kind == Tape::kTrialEnd) {
        // 0. At the pole psi = psi(tHat - T, I(T)): the adjoint of psi goes to the kept prediction
        // (passed on like any masked neuron's) and to I(T); V- is not used.
        if (gV != 0.0) {
          const Pole pl = m.pole(tc.x0, tc.x1);
          s.adj_[i].gHat += gV * pl.dpsi_ddt;
          gI += gV * pl.dpsi_dI;
        }
        gV = 0.0;
      }
    }
    // 1. Prediction t_hat = t_e + dt*(V+, I+).
    if (tc.flags & Tape::kNewPrediction) {
      const double gh = s.adj_[i].gHat;
      if (gh != 0.0) {
        const SpikeTime st = m.spikeTime(tc.x0, tc.x1);
        gV += gh * st.d_dV;
        gI += gh * st.d_dI;
        *lambda += gh;
      }
      s.adj_[i].gHat = 0.0;
    }
    // 2. Kick I+ = I- + w; reset and mask make V+ a constant.
    const double gw = gI;
    if (tc.flags & (Tape::kReset | Tape::kMasked)) gV = 0.0;
    // 3. Flow back to the previous update.
    double V0, I0, t0;
    if (tc.prev >= 0) {
      const Tape::Touch& p = tp.touches[idx(tc.prev)];
      V0 = p.x0;
      I0 = p.x1;
      t0 = tp.events[idx(p.event)].t;
    } else {
      V0 = par.initial[i];
      I0 = par.initial[idx(net.n) + i];
      t0 = 0.0;
    }
    const double delta = tEvent - t0;
    double gV0 = 0.0, gI0 = 0.0, gDelta = 0.0;
    if (gV == 0.0 || (tc.flags & (Tape::kMasked | Tape::kClamped))) {
      // Only the current carries an adjoint (V- is a constant when masked or clamped). Skipping
      // the V terms when gV = 0 also avoids 0 * inf in extreme corners of the flow.
      if (gI != 0.0) {
        const double E2 = std::exp(-2.0 * delta / m.tau());
        gI0 = gI * E2;
        gDelta = -gI * 2.0 * I0 * E2 / m.tau();
      }
    } else {
      const Flow f = m.flow(V0, I0, delta);
      gV0 = gV * f.dV_dV0;
      gI0 = gV * f.dV_dI0 + gI * f.dI_dI0;
      gDelta = gV * f.dV_dDelta + gI * f.dI_dDelta;
    }
    *lambda += gDelta;
    if (tc.prevEvent >= 0) s.lambda_[idx(tc.prevEvent)] -= gDelta;
    s.adj_[i].g0 = gV0;
    s.adj_[i].g1 = gI0;
    return gw;
  }

  /// Event 0: the initial predictions t_hat = dt*(V0, I0).
  void finishInitial(Gradient* grad) {
    const auto n = idx(net.n);
    for (std::size_t i = 0; i < n; ++i) {
      double gV = s.adj_[i].g0, gI = s.adj_[i].g1;
      if (s.adj_[i].gHat != 0.0) {
        const SpikeTime st = m.spikeTime(par.initial[i], par.initial[n + i]);
        gV += s.adj_[i].gHat * st.d_dV;
        gI += s.adj_[i].gHat * st.d_dI;
      }
      grad->initial[i] += gV;
      grad->initial[n + i] += gI;
    }
  }
};

}  // namespace engine
}  // namespace spikegrad
