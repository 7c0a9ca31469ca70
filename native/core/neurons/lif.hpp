// LIF neuron with an exponentially decaying synaptic current and tau_m = 2 tau_s
// (method.md section 2.3): the disruptive comparison model of the concept experiment.
//
//   tau dV/dt = -V + I,        (tau/2) dI/dt = -I      (an input of weight w: I += w)
//
// Threshold V_th (default 1), reset to 0, no refractory period.
//
// Closed form over an interval Delta, with e = exp(-Delta/tau) and s = 1 - e:
//
//   V(Delta) = V0 e + I0 (e - e^2) = e (V0 + I0 s),      I(Delta) = I0 e^2,
//   dV/dV0 = e,   dV/dI0 = e - e^2,   dV/dDelta = (I(Delta) - V(Delta)) / tau,
//   dI/dI0 = e^2, dI/dDelta = -2 I(Delta) / tau.
//
// Next spike. With x = exp(-dt/tau), V(dt) = V_th reads I0 x^2 - (V0 + I0) x + V_th = 0; the
// first crossing is the larger root
//
//   x+ = [ B + sqrt(B^2 - 4 I0 V_th) ] / (2 I0),   B = V0 + I0,   dt = -tau ln x+,
//
// which requires I0 > 0, B^2 > 4 I0 V_th and 0 < x+ < 1 (otherwise dt = +inf). By implicit
// differentiation of V(dt) = V_th, with the slope Vdot = (I0 x^2 - V_th)/tau = x sqrt(B^2 -
// 4 I0 V_th)/tau at the crossing:
//
//   d dt/dV0 = -x / Vdot = -tau / sqrt(B^2 - 4 I0 V_th),
//   d dt/dI0 = -(x - x^2) / Vdot = -tau (1 - x) / sqrt(B^2 - 4 I0 V_th).
//
// Both diverge at a tangential threshold touch: the spike appears or vanishes at a finite time.
//
// Pseudodynamics (spikegrad's own extension; method.md defines none for the LIF). After the trial
// end T the neuron is driven by the constant effective current I_eff = V_th + S with
// S = alpha softplus(I_p / alpha) > 0, i.e. tau dV/dt = -V + I_eff, which always reaches V_th.
// Measuring the phase from the reset value 0:
//
//   phi(V)   = tau ln(I_eff / (I_eff - V))          (V < I_eff; V(T) < V_th in the simulator)
//   Theta_p  = phi(V_th) = tau ln(I_eff / S) = tau log1p(V_th / S)
//   offset_k = t_pseudo,k - T = k Theta_p - phi(V(T)),        rate = phi(V(T)) / Theta_p.
//
// With dI_eff/dI_p = dS/dI_p = sigmoid(I_p/alpha):
//
//   d offset/dV = -tau / (I_eff - V),
//   d offset/dS = -k tau V_th / (I_eff S) + tau V / (I_eff (I_eff - V)),
//   d rate/dV   = tau / ((I_eff - V) Theta_p),
//   d rate/dS   = [ -tau V / (I_eff (I_eff - V)) + rate tau V_th / (I_eff S) ] / Theta_p.
//
// The rate is 0 at the reset value V = 0 and 1 at the threshold; an inhibited neuron (V < 0) has a
// negative phase and rate (phi -> -inf as V -> -inf, since an LIF needs infinite time to rise
// from -inf).
#pragma once

#include <array>
#include <cmath>
#include <limits>
#include <vector>

#include "../math.hpp"
#include "contract.hpp"

namespace spikegrad {

struct LifAdapter;

/// Parameters of the LIF neuron (method.md section 2.3). The registered unit of the model
/// (contract.hpp), with its engine adapter LifAdapter below.
struct LifParams {
  /// Membrane time constant tau = tau_m; the synaptic time constant is tau / 2. Default 1.
  double tau = 1.0;
  /// Firing threshold V_th (the reset value is 0). Default 1.
  double vth = 1.0;
  /// Softplus scale of the pseudo drive S = alpha softplus(I_p / alpha). Default 10.
  double alpha = 10.0;

  /// Throws std::invalid_argument naming the field unless tau, vth and alpha are all positive and
  /// finite (vth > 0 puts the threshold above the reset value 0).
  void validate() const {
    detail::checkPositiveFinite("lif", "tau", tau);
    detail::checkPositiveFinite("lif", "vth", vth);
    detail::checkPositiveFinite("lif", "alpha", alpha);
  }

  static constexpr const char* kName = "lif";
  static constexpr Family kFamily = Family::kCurrent;
  static constexpr std::array<const char*, 2> kStateNames{"V", "I"};
  static constexpr std::array<ParamField<LifParams>, 3> fields() {
    return {{{"tau", &LifParams::tau}, {"vth", &LifParams::vth}, {"alpha", &LifParams::alpha}}};
  }
  /// The initial voltage lies below the threshold: V <= the largest double below vth (a neuron
  /// at its threshold would have spiked); I is unconstrained.
  std::array<StateBounds, 2> bounds() const {
    StateBounds V;
    V.max = std::nextafter(vth, -kInf);
    V.rule = "be below the threshold vth";
    return {V, StateBounds{}};
  }
  /// V = 0 (the reset value), I = 0.
  std::array<double, 2> defaultState() const { return {0.0, 0.0}; }
  std::vector<NamedConstant> constants() const { return {}; }
  using Adapter = LifAdapter;
};

namespace lif {

/// Free evolution of the LIF state (V0, I0) over Delta (method.md section 2.3). Delta <= 0 returns
/// the state unchanged with dV_dV0 = dI_dI0 = 1, dV_dI0 = 0 and the one-sided Delta-derivatives
/// at Delta = 0+ (the vector field), which the adjoint needs for simultaneous events.
inline Flow flow(const LifParams& p, double V0, double I0, double Delta) {
  Flow f;
  if (!(Delta > 0.0)) return {V0, I0, 1.0, 0.0, (I0 - V0) / p.tau, 1.0, -2.0 * I0 / p.tau, false};
  const double e = std::exp(-Delta / p.tau);
  const double s = -std::expm1(-Delta / p.tau);  // 1 - e without cancellation for small Delta
  f.I = I0 * e * e;
  // e underflows to 0 for Delta > 745 tau; then V = 0 (the limit), which also avoids 0 * inf
  // for an infinite V0.
  f.V = e == 0.0 ? 0.0 : e * (V0 + I0 * s);
  f.dV_dV0 = e;
  f.dV_dI0 = e * s;
  f.dV_dDelta = (f.I - f.V) / p.tau;
  f.dI_dI0 = e * e;
  f.dI_dDelta = -2.0 * f.I / p.tau;
  f.clamped = false;
  return f;
}

/// Time to the next threshold crossing of the state (V, I) under free evolution (method.md
/// section 2.3), +inf when there is none, with derivatives by implicit differentiation.
inline SpikeTime spikeTime(const LifParams& p, double V, double I) {
  constexpr SpikeTime kNone{kInf, 0.0, 0.0};
  const double B = V + I;
  // A crossing needs I > 0 and, for the larger root x+ to be positive, B > 0 (then there is no
  // cancellation in B + sqrt(...)).
  if (!(I > 0.0 && B > 0.0)) return kNone;
  // Discriminant B^2 - 4 I V_th written as B^2 (1 - rho), rho = (4 V_th / B)(I / B): no overflow
  // of B^2 for huge V or I. rho >= 1 means the maximum of V stays at or below V_th.
  const double rho = (4.0 * p.vth / B) * (I / B);
  if (!(rho < 1.0)) return kNone;
  const double sq = std::sqrt(1.0 - rho);
  const double rootDisc = B * sq;  // sqrt(B^2 - 4 I V_th) > 0
  // x+ - 1 = V/I - 2 V_th / (B (1 + sq)) (from x+ x- = V_th / I): no cancellation against 1, so a
  // crossing a tiny time ahead (huge I, or V just below V_th) is not rounded away.
  const double xm1 = V / I - 2.0 * p.vth / (B * (1.0 + sq));
  SpikeTime out;
  if (!(xm1 < 0.0)) {
    // x+ >= 1: V is at or above the threshold. A neuron that sits on it up to rounding (flowed
    // to a tie time, V within 1e-12 relative of V_th) and rises (I > V) spikes now; further
    // above, the crossing lies in the past: no spike, as in the reference.
    if (!(V <= p.vth * (1.0 + 1e-12) && I > V)) return kNone;
    out.dt = 0.0;
  } else {
    out.dt = -p.tau * std::log1p(xm1);
  }
  const double x = 1.0 + xm1;
  out.d_dV = -p.tau / rootDisc;
  out.d_dI = -p.tau * (1.0 - x) / rootDisc;
  return out;
}

namespace detail {

/// Quantities of the LIF pseudodynamics shared by pseudoOffset and rate.
struct PseudoTerms {
  double Ieff;       ///< I_eff = V_th + S
  double S;          ///< S = alpha softplus(I_p / alpha) (at least the smallest normal double)
  double sigma;      ///< dS/dI_p = sigmoid(I_p / alpha)
  double kappa;      ///< sigma / S, finite where S underflows
  double Theta;      ///< Theta_p = tau log1p(V_th / S)
  double V;          ///< V(T) limited to at most V_th
  bool clipped;      ///< V(T) was >= V_th and has been limited (then d/dV = 0)
  double phi;        ///< phi(V) = tau ln(I_eff / (I_eff - V))
  double dphi_dV;    ///< tau / (I_eff - V)
  double vTerm;      ///< tau V / (I_eff (I_eff - V)) = -dphi/dI_eff
  double thetaTerm;  ///< tau V_th kappa / I_eff = -(dTheta_p/dI_eff) sigma
};

inline PseudoTerms pseudoTerms(const LifParams& p, double V, double Ip) {
  PseudoTerms t;
  const double y = Ip / p.alpha;
  // softplus underflows to 0 for I_p/alpha < -745; the smallest normal double keeps
  // Theta_p = tau log1p(V_th/S) finite (at most about 709 tau).
  t.S = std::fmax(p.alpha * softplus(y), std::numeric_limits<double>::min());
  t.sigma = sigmoid(y);
  t.kappa = sigmoidOverSoftplus(y) / p.alpha;
  t.Ieff = p.vth + t.S;
  t.Theta = p.tau * std::log1p(p.vth / t.S);
  // V(T) >= V_th cannot occur at the trial end (the neuron would have spiked), and V >= I_eff
  // would make the logarithm undefined. Limiting V to V_th keeps the phase at most Theta_p (and
  // the formula continuous at V_th); the clipped phase is constant, so d/dV = 0 there.
  t.clipped = !(V < p.vth);
  t.V = t.clipped ? p.vth : V;
  // gap = I_eff - V = (V_th - V) + S > 0, without the rounding of I_eff when S is tiny.
  const double gap = (p.vth - t.V) + t.S;
  if (t.V == -kInf) {
    // Limits V -> -inf: phi -> -inf, dphi/dV -> 0, V / (I_eff - V) -> -1.
    t.phi = -kInf;
    t.dphi_dV = 0.0;
    t.vTerm = -p.tau / t.Ieff;
  } else {
    // phi = tau ln(I_eff / (I_eff - V)) = tau log1p(V / gap): log1p of a non-negative argument in
    // both branches, so no cancellation; at V = V_th it equals Theta_p exactly.
    t.phi = t.V > 0.0 ? p.tau * std::log1p(t.V / gap) : -p.tau * std::log1p(-t.V / t.Ieff);
    t.dphi_dV = t.clipped ? 0.0 : p.tau / gap;
    t.vTerm = p.tau / t.Ieff * (t.V / gap);
  }
  t.thetaTerm = p.tau * p.vth * t.kappa / t.Ieff;
  return t;
}

}  // namespace detail

/// Offset t_pseudo,k - T = k Theta_p - phi(V) of the k-th pseudospike (k >= 1; smaller k is
/// treated as 1) of an LIF neuron with end-of-trial voltage V and pseudo current Ip, with
/// derivatives. spikegrad's own pseudodynamics; see the header comment.
inline Pseudo pseudoOffset(const LifParams& p, double V, double Ip, int k) {
  const detail::PseudoTerms t = detail::pseudoTerms(p, V, Ip);
  const double kd = k > 1 ? static_cast<double>(k) : 1.0;
  Pseudo out;
  out.offset = kd * t.Theta - t.phi;
  out.d_dV = -t.dphi_dV;
  // d offset/dI_p = sigma [ -k tau V_th / (I_eff S) + tau V / (I_eff (I_eff - V)) ].
  out.d_dIp = -kd * t.thetaTerm + t.sigma * t.vTerm;
  return out;
}

/// Pseudo-rate phi(V) / Theta_p of an LIF neuron (0 at the reset value, 1 at the threshold,
/// negative for V < 0), with derivatives. spikegrad's own pseudodynamics; see the header comment.
inline Rate rate(const LifParams& p, double V, double Ip) {
  const detail::PseudoTerms t = detail::pseudoTerms(p, V, Ip);
  Rate out;
  out.r = t.phi / t.Theta;
  out.d_dV = t.dphi_dV / t.Theta;
  // d rate/dI_p = sigma [ -tau V / (I_eff (I_eff - V)) + rate tau V_th / (I_eff S) ] / Theta_p.
  // At V = -inf the rate is constantly -inf; its I_p-derivative is reported as 0 (the formula
  // would give -inf * 0 when thetaTerm underflows).
  out.d_dIp = std::isinf(out.r) ? 0.0 : (-t.sigma * t.vTerm + out.r * t.thetaTerm) / t.Theta;
  return out;
}

}  // namespace lif

/// The engine adapter of the LIF neuron (method.md 2.3): no mask (a finite threshold), reset to 0.
struct LifAdapter {
  const LifParams& p;
  static constexpr bool kMask = false;
  explicit LifAdapter(const LifParams& params) : p(params) {}
  double tau() const { return p.tau; }
  double eps() const { return 0.0; }
  double clampV() const { return kInf; }
  double resetV() const { return 0.0; }
  Flow flow(double V, double I, double d) const { return lif::flow(p, V, I, d); }
  SpikeTime spikeTime(double V, double I) const { return lif::spikeTime(p, V, I); }
  Pseudo pseudo(double V, double Ip, int k) const { return lif::pseudoOffset(p, V, Ip, k); }
  Rate rate(double V, double Ip) const { return lif::rate(p, V, Ip); }
  /// The state Delta after (V, I), for plotting.
  double voltage(double V, double I, double delta, double* Iout) const {
    const Flow f = lif::flow(p, V, I, delta);
    *Iout = f.I;
    return f.V;
  }
};

}  // namespace spikegrad
