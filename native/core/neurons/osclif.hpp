// Oscillatory LIF neuron with delta-pulse coupling, in phase form (method.md section 2.4).
//
//   tau dV/dt = -V + I0 + tau sum_i w_i sum_{t_i} delta(t - t_i),      I0 > V_th > 0,
//
// threshold V_th, reset to 0. Each input makes V jump by w. The phase is the time since the
// reset under free evolution:
//
//   Phi(V)    = tau ln(1 / (1 - V/I0)) = -tau log1p(-V/I0),
//   iPhi(phi) = I0 (1 - exp(-phi/tau)) = -I0 expm1(-phi/tau),
//   Theta     = Phi(V_th) = tau ln(I0 / (I0 - V_th))         (ln 5 for the defaults).
//
// Free flow is phi -> phi + Delta, the time to the next spike is Theta - phi, and an input of
// weight w maps the phase through
//
//   H(phi, w) = Phi( min(iPhi(phi) + w, V_th) ).
//
// Unlike the theta neuron an input can push the phase to exactly Theta (an immediate spike): this
// is the disruptive counterpart. With V = iPhi(phi) and V' = V + w:
//
//   dH/dphi = (I0 - V) / (I0 - V'),   dH/dw = tau / (I0 - V')       for V' < V_th,
//   dH/dphi = dH/dw = 0                                             when V' is clipped at V_th.
//
// Pseudospikes follow the phase-oscillator template of section 4.2: rate = H(phi_T, u)/Theta and
// t_pseudo,k = T + k Theta - H(phi_T, u). No experiment uses this model.
#pragma once

#include <array>
#include <cmath>
#include <vector>

#include "../math.hpp"
#include "contract.hpp"

namespace spikegrad {

struct OscLifAdapter;

/// Parameters of the oscillatory LIF neuron (method.md section 2.4). The registered unit of the
/// model (contract.hpp), with its engine adapter OscLifAdapter below.
struct OscLifParams {
  /// Membrane time constant. Default 1.
  double tau = 1.0;
  /// Constant drive; the neuron oscillates only for I0 > vth. Default 5/4.
  double I0 = 1.25;
  /// Firing threshold V_th (the reset value is 0). Default 1.
  double vth = 1.0;
  /// Guard tolerance used by the simulator (spike-time coincidence); the closed forms in this
  /// header do not use it. Default 1e-6.
  double eps = 1e-6;

  /// Throws std::invalid_argument naming the field unless tau > 0 and finite, vth > 0 and
  /// finite, I0 > vth and finite, and 0 < eps < 0.01, and the period is finite and positive.
  void validate() const {
    detail::checkPositiveFinite("osclif", "tau", tau);
    detail::checkPositiveFinite("osclif", "vth", vth);
    if (!(I0 > vth && std::isfinite(I0))) {
      detail::throwInvalidParam("osclif", "I0", "be finite and greater than vth", I0);
    }
    detail::checkEps("osclif", eps);
    detail::checkPeriod("osclif", period(), tau, "tau ln(I0 / (I0 - vth))");
  }

  /// The period Theta = tau ln(I0 / (I0 - vth)) = tau log1p(vth / (I0 - vth)).
  double period() const { return tau * std::log1p(vth / (I0 - vth)); }

  static constexpr const char* kName = "osclif";
  static constexpr Family kFamily = Family::kPhase;
  static constexpr std::array<const char*, 1> kStateNames{"phi"};
  static constexpr std::array<ParamField<OscLifParams>, 4> fields() {
    return {{{"tau", &OscLifParams::tau},
             {"I0", &OscLifParams::I0},
             {"vth", &OscLifParams::vth},
             {"eps", &OscLifParams::eps}}};
  }
  /// Initial phases are at most Theta (negative phases are voltages below the reset value).
  std::array<StateBounds, 1> bounds() const {
    StateBounds phi;
    phi.max = period();
    phi.rule = "be at most Theta";
    return {phi};
  }
  /// Theta / 2.
  std::array<double, 1> defaultState() const { return {period() / 2}; }
  /// period = Theta.
  std::vector<NamedConstant> constants() const { return {{"period", period()}}; }
  using Adapter = OscLifAdapter;
};

namespace osclif {

/// Phase transfer function H(phi, w) = Phi(min(iPhi(phi) + w, vth)) of method.md section 2.4,
/// with derivatives. When the kicked voltage reaches the threshold the result is exactly Theta
/// (an immediate spike) with both derivatives 0.
inline Kick kick(const OscLifParams& p, double phi, double w) {
  const double V = -p.I0 * std::expm1(-phi / p.tau);  // iPhi(phi)
  // phi = -inf gives V = V' = -inf, where (I0 - V)/(I0 - V') would be inf/inf; its limit is 1.
  if (V == -kInf) return {phi, 1.0, 0.0};
  const double Vk = V + w;
  // Clipping at the threshold (also catches phi = +inf, where V = I0 > vth).
  if (!(Vk < p.vth)) return {p.period(), 0.0, 0.0};
  const double gapK = p.I0 - Vk;  // > I0 - vth > 0
  Kick out;
  out.phi = -p.tau * std::log1p(-Vk / p.I0);  // Phi(V')
  // I0 - V = I0 exp(-phi/tau), exact even when V is close to I0.
  out.d_dphi = p.I0 * std::exp(-phi / p.tau) / gapK;
  out.d_dw = p.tau / gapK;
  return out;
}

/// Phase Phi(V) = -tau log1p(-V/I0) of a voltage, for plotting. A model voltage never exceeds
/// vth, so V >= vth is mapped to Theta (this also avoids the logarithm's pole at V = I0).
/// V = -inf gives -inf.
inline double phaseOfV(const OscLifParams& p, double V) {
  if (!(V < p.vth)) return p.period();
  return -p.tau * std::log1p(-V / p.I0);
}

/// Voltage iPhi(phi) = I0 (1 - exp(-phi/tau)) of a phase, for plotting (0 at phi = 0, vth at
/// phi = Theta).
inline double vOfPhase(const OscLifParams& p, double phi) {
  return -p.I0 * std::expm1(-phi / p.tau);
}

}  // namespace osclif

/// The engine adapter of the oscillatory LIF (method.md 2.4): the theta template with its own
/// transfer function.
struct OscLifAdapter {
  static constexpr bool kSlopesNeedPhase = true;
  const OscLifParams& p;
  double Theta;
  explicit OscLifAdapter(const OscLifParams& params) : p(params), Theta(params.period()) {}
  Kick kick(double phi, double w) const { return osclif::kick(p, phi, w); }
  double kickValue(double phi, double w) const { return osclif::kick(p, phi, w).phi; }
  double kickValue(double phi, double w, double* aux) const {
    *aux = 0.0;
    return osclif::kick(p, phi, w).phi;
  }
  Kick kickSlopes(double phi, double w, double /*aux*/) const { return osclif::kick(p, phi, w); }
  /// H at the trial end: the same function (it has no eps guards), with phi limited to Theta
  /// and H(phi, 0) = phi, slope 1, also at phi = Theta (a spike exactly at T), where kick's
  /// threshold clip would give slope 0.
  Kick pseudoKick(double phi, double u) const {
    const double ph = std::fmin(phi, Theta);
    if (u == 0.0) return {ph, 1.0, p.tau * std::exp(ph / p.tau) / p.I0};  // dH/dw = tau/(I0 - V)
    return osclif::kick(p, ph, u);
  }
  /// V = iPhi(phi + Delta), for plotting.
  double voltage(double phi, double /*x1*/, double delta, double* /*I*/) const {
    return osclif::vOfPhase(p, phi + delta);
  }
};

}  // namespace spikegrad
