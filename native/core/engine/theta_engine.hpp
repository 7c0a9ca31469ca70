// The theta engine: theta neurons in tangent coordinates (the fast forward pass).
//
// The theta phase phi maps to p = tan(a phi - pi/2), a = r/tau (p = (V - 1/2)/r, the voltage up to
// an affine map). In p a kick is an addition, p+ = p- + w/r, and free flow by Delta is the tangent
// addition p(Delta) = (p + t)/(1 - p t) with t = tan(a Delta), a Moebius map: no transcendental
// function per neuron, and the targets of one event usually share Delta (one tan per event). A
// new spike prediction, t_hat = t_k + atan2(1, p+)/a, needs an atan only when the spike falls
// inside the trial (p+ > cot(a (T - t_k)), one tan per event). The guards of H are comparisons
// with +-cot(a eps). The tape holds p in x0 (the phase only at the trial end), pt = p- in x1 for
// kicks, and the same flags and adjoint structure as the phase engine, whose reverse pass runs
// unchanged (it needs pt, not phi). Equal to the phase engine up to round-off.
#pragma once

#include <cmath>
#include <cstdint>

#include "core/engine/phase_engine.hpp"
#include "core/neurons/theta.hpp"

namespace spikegrad {
namespace engine {

struct ThetaEngine : PhaseEngine<ThetaAdapter> {
  double a = 0, invR = 0, pGuard = 0;
  std::int32_t cacheEvent = -1;
  double cacheDelta = 0, cacheTan = 0, pLimit = 0;

  ThetaEngine(const EngineBase& base, ThetaAdapter model) : PhaseEngine(base, model) {
    a = m.r / m.p.tau;
    invR = 1.0 / m.r;
    pGuard = 1.0 / std::tan(a * m.p.eps);
  }

  /// The tape holds p = tan(a phi - pi/2) inside the trial and the phase at the trial end.
  static void decodeState(const ThetaAdapter& m, const Tape::Touch& tc, bool trialEnd, double* x0,
                          double* x1) {
    *x0 = tc.x0;
    if (!trialEnd) {
      const double a = m.r / m.p.tau;
      *x0 = std::atan2(1.0, -tc.x0) / a;
    }
    *x1 = tc.x1;
  }

  // phi + 0.0 turns a phase of -0 into +0, which must map to p = -inf, not +inf.
  double tanOfPhase(double phi) const { return -1.0 / std::tan(a * (phi + 0.0)); }
  double phaseOfTan(double pv) const { return std::atan2(1.0, -pv) / a; }

  void init() {
    PhaseEngine::init();
    for (NeuronState& ns : s.state_) ns.x0 = tanOfPhase(ns.x0);
  }

  /// Per-event constants: the spike-before-T threshold p > cot(a (T - t_k)) (-inf when every
  /// state spikes before T), and the tan(a Delta) cache.
  void enterEvent(std::int32_t e, double tk) {
    if (e == cacheEvent) return;
    cacheEvent = e;
    const double x = a * (T - tk);
    pLimit = x >= kPi ? -kInfinity : 1.0 / std::tan(x);
    cacheDelta = kInfinity;
  }

  /// tan(a Delta), cached while the targets of one event share Delta.
  double tanOfDelta(double delta) {
    if (delta != cacheDelta) {
      cacheDelta = delta;
      cacheTan = std::tan(a * delta);
    }
    return cacheTan;
  }

  void touch(std::int32_t i, std::int32_t e, double tk, double w, std::int32_t synapse,
             std::uint8_t flags) {
    NeuronState& ns = s.state_[idx(i)];
    const double delta = tk - ns.tLast;
    const double p0 = ns.x0;
    double pv = 0.0, aux = 0.0;
    enterEvent(e, tk);
    if (tape->events[idx(e)].kind == Tape::kTrialEnd) {
      pv = phaseOfTan(p0) + delta;  // the trial-end record holds the phase at T
    } else if (flags & Tape::kReset) {
      pv = -kInfinity;
      newPrediction(i, tk, pv, &flags);
    } else if (ns.tHat - tk <= m.p.eps) {
      // Within eps of its spike (or tied with the spiking neuron): the H guard ignores the kick
      // and the prediction stands. The state comes from the remaining time, not from a flow that
      // would land on the pole.
      flags &= static_cast<std::uint8_t>(~Tape::kKicked);
      pv = 1.0 / std::tan(a * (ns.tHat - tk));
    } else {
      const double t = tanOfDelta(delta);
      pv = p0 == -kInfinity ? -1.0 / t : (p0 + t) / (1.0 - p0 * t);
      if ((flags & Tape::kKicked) && pv > -pGuard && pv < pGuard) {
        aux = pv;
        pv += w * invR;
        newPrediction(i, tk, pv, &flags);
      } else {
        // Not kicked, or inside a guard (just reset, or within eps of the spike): the phase
        // only flowed, so the prediction stands.
        flags &= static_cast<std::uint8_t>(~Tape::kKicked);
      }
    }
    record(i, e, tk, pv, aux, w, synapse, flags);
  }

  /// t_hat = t_k + (Theta - phi+) = t_k + atan2(1, p+)/a, computed only for spikes before T.
  void newPrediction(std::int32_t i, double tk, double pv, std::uint8_t* flags) {
    *flags |= Tape::kNewPrediction;
    double tHat = kInfinity;
    if (pv > pLimit || pLimit == -kInfinity) tHat = tk + std::atan2(1.0, pv) / a;
    s.state_[idx(i)].tHat = tHat;
    s.queue_.set(i, tHat < T ? tHat : kInfinity);
  }
};

}  // namespace engine
}  // namespace spikegrad
