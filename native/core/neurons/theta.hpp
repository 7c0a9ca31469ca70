// Theta neuron: an oscillatory QIF neuron with delta-pulse coupling, in phase form
// (method.md section 2.2; pseudodynamics section 4.2).
//
//   tau dV/dt = V (V - 1) + I0 + tau sum_i w_i sum_{t_i} delta(t - t_i),      I0 > 1/4
//
// Each input makes V jump by w. A spike is the blow-up V -> +inf, followed by the reset to -inf.
// With r = sqrt(I0 - 1/4) and F(V) = V^2 - V + I0 (so tau dV/dt = F(V)) the neuron is described
// by its phase phi, the time elapsed since V = -inf under free evolution:
//
//   Phi(V)    = (tau/r) (atan((V - 1/2)/r) + pi/2)          in (0, Theta)
//   iPhi(phi) = r tan(r phi/tau - pi/2) + 1/2               (inverse of Phi)
//   Theta     = tau pi / r                                  (period and phase threshold)
//
// Free flow is phi -> phi + Delta, the time to the next spike is Theta - phi, and an input of
// weight w maps the phase through the phase transfer function
//
//   H(phi, w) = Phi(iPhi(phi) + w) = (tau/r) [ pi/2 + atan(p + w/r) ],   p = tan(r phi/tau - pi/2).
//
// H maps into (0, Theta), so no input causes an immediate spike, and H(H(phi, w1), w2) =
// H(phi, w1 + w2). The reference applies H only for eps < phi < Theta - eps; otherwise the
// phase is unchanged (a neuron just reset or about to spike ignores inputs).
//
// Derivatives, with y = p + w/r:
//
//   dH/dphi = F(iPhi(phi)) / F(iPhi(phi) + w) = (1 + p^2) / (1 + y^2)
//   dH/dw   = tau / F(iPhi(phi) + w)          = tau / (r^2 (1 + y^2))
//
// and inside the eps guards dH/dphi = 1, dH/dw = 0.
//
// Numerically, p = -1/tan(r phi/tau) (equal to tan(r phi/tau - pi/2), but without rounding
// pi/2 near the pole) and pi/2 + atan(y) = atan2(1, -y) (no cancellation as y -> -inf).
#pragma once

#include <array>
#include <cmath>
#include <limits>
#include <vector>

#include "../math.hpp"
#include "contract.hpp"

namespace spikegrad {

struct ThetaAdapter;

/// Parameters of the theta neuron (method.md section 2.2). MNIST uses tau = 6/pi, I0 = 5/4.
/// The registered unit of the model (contract.hpp), with its engine adapter ThetaAdapter below
/// (run by the tangent-coordinate engine, engine/theta_engine.hpp).
struct ThetaParams {
  /// Membrane time constant. Default 1.
  double tau = 1.0;
  /// Constant drive; the neuron oscillates only for I0 > 1/4. Default 5/4.
  double I0 = 1.25;
  /// Width of the phase guards near 0 and Theta (and of iPhi's plotting guards). Default 1e-6.
  double eps = 1e-6;

  /// Throws std::invalid_argument naming the field unless tau > 0 and finite, I0 > 1/4 and
  /// finite, and 0 < eps < 0.01, and the period is finite and positive.
  void validate() const {
    detail::checkPositiveFinite("theta", "tau", tau);
    if (!(I0 > 0.25 && std::isfinite(I0))) {
      detail::throwInvalidParam("theta", "I0", "be greater than 1/4", I0);
    }
    detail::checkEps("theta", eps);
    detail::checkPeriod("theta", period(), tau, "tau pi / r");
  }

  /// r = sqrt(I0 - 1/4), the angular scale of the phase (r = 1 for I0 = 5/4).
  double r() const { return std::sqrt(I0 - 0.25); }

  /// The period Theta = tau pi / r, which is also the phase at which the neuron spikes.
  double period() const { return tau * kPi / r(); }

  static constexpr const char* kName = "theta";
  static constexpr Family kFamily = Family::kPhase;
  static constexpr std::array<const char*, 1> kStateNames{"phi"};
  static constexpr std::array<ParamField<ThetaParams>, 3> fields() {
    return {{{"tau", &ThetaParams::tau}, {"I0", &ThetaParams::I0}, {"eps", &ThetaParams::eps}}};
  }
  /// Initial phases lie in [0, Theta].
  std::array<StateBounds, 1> bounds() const { return {{{0.0, period(), "lie in [0, Theta]"}}}; }
  /// Theta / 2 (V = 1/2, method.md 6.4).
  std::array<double, 1> defaultState() const { return {period() / 2}; }
  /// period = Theta, r = sqrt(I0 - 1/4).
  std::vector<NamedConstant> constants() const { return {{"period", period()}, {"r", r()}}; }
  using Adapter = ThetaAdapter;
};

namespace theta {

namespace detail {
/// dH/dphi = (1 + pt^2)/(1 + y^2) and dH/dw = tau/(r^2 (1 + y^2)). The plain products are used
/// unless a square could overflow (phases within ~1e-150 of a guard when eps is tiny, or a huge
/// w); then the ratios go through hypot, which cannot overflow.
inline void kickSlopes(double pt, double y, double tauOverR2, double* dphi, double* dw) {
  if (std::fabs(pt) < 1e150 && std::fabs(y) < 1e150) {
    const double q = 1.0 / (1.0 + y * y);
    *dphi = (1.0 + pt * pt) * q;
    *dw = tauOverR2 * q;
    return;
  }
  const double hy = std::hypot(1.0, y);
  const double ratio = std::hypot(1.0, pt) / hy;
  *dphi = ratio * ratio;
  *dw = tauOverR2 / (hy * hy);
}
}  // namespace detail

/// H(phi, w) and its partials with the constants r = sqrt(I0 - 1/4) and Theta precomputed (the
/// simulator's hot path). Identical results to kick(p, phi, w).
inline Kick kick(const ThetaParams& p, double r, double Theta, double phi, double w) {
  // Reference guard: a neuron within eps of its reset or of its spike ignores inputs. Written
  // so that NaN or infinite phases also take this branch.
  if (!(phi > p.eps && phi < Theta - p.eps)) return {phi, 1.0, 0.0};
  const double pt = -1.0 / std::tan(r * phi / p.tau);  // tan(r phi/tau - pi/2) = -cot(r phi/tau)
  const double y = pt + w / r;
  Kick out;
  out.phi = p.tau / r * std::atan2(1.0, -y);  // (tau/r) (pi/2 + atan(y))
  detail::kickSlopes(pt, y, p.tau / (r * r), &out.d_dphi, &out.d_dw);
  return out;
}

/// H(phi, w) only (the forward pass needs no slopes): one tan and one atan2.
inline double kickValue(const ThetaParams& p, double r, double Theta, double phi, double w) {
  if (!(phi > p.eps && phi < Theta - p.eps)) return phi;
  const double y = -1.0 / std::tan(r * phi / p.tau) + w / r;
  return p.tau / r * std::atan2(1.0, -y);
}

/// H(phi, w) that also returns pt = tan(r phi/tau - pi/2) in *pt (NaN inside the guards), so that
/// the reverse pass can get the slopes from kickSlopesFromPt without another tan.
inline double kickValue(const ThetaParams& p, double r, double Theta, double phi, double w,
                        double* pt) {
  if (!(phi > p.eps && phi < Theta - p.eps)) {
    *pt = std::numeric_limits<double>::quiet_NaN();
    return phi;
  }
  *pt = -1.0 / std::tan(r * phi / p.tau);
  return p.tau / r * std::atan2(1.0, -(*pt + w / r));
}

/// dH/dphi and dH/dw from the pt that kickValue stored (NaN: inside the guards, slopes 1 and 0).
inline Kick kickSlopesFromPt(const ThetaParams& p, double r, double pt, double w) {
  Kick out{std::numeric_limits<double>::quiet_NaN(), 1.0, 0.0};
  if (std::isnan(pt)) return out;
  detail::kickSlopes(pt, pt + w / r, p.tau / (r * r), &out.d_dphi, &out.d_dw);
  return out;
}

/// H(phi, w) at the trial end, for the pseudodynamics (method.md 4.2): the same transfer function
/// without the eps guards of kick, which at the trial end would put a kink of relative size about
/// 2 w eps / tau into the merged time's derivative where phi(T) crosses Theta - eps (a spike
/// about eps after T); the guards are a rule for inputs inside the trial. phi is limited to
/// [0, Theta] (round-off can put phi(T) an ulp above Theta); phi = 0 (V = -inf) gives 0 with
/// slopes 1 and 0, and w = 0 gives phi exactly (H(phi, 0) = phi without a round trip).
inline Kick pseudoKick(const ThetaParams& p, double r, double Theta, double phi, double w) {
  const double ph = phi > 0.0 ? std::fmin(phi, Theta) : 0.0;
  const double pt = -1.0 / std::tan(r * ph / p.tau);
  if (!std::isfinite(pt)) return {ph, 1.0, 0.0};  // phi = 0, or r phi / tau underflows
  const double y = pt + w / r;
  Kick out;
  out.phi = w == 0.0 ? ph : p.tau / r * std::atan2(1.0, -y);
  detail::kickSlopes(pt, y, p.tau / (r * r), &out.d_dphi, &out.d_dw);
  return out;
}

/// Phase transfer function H(phi, w) = Phi(iPhi(phi) + w) of method.md section 2.2, with
/// derivatives. Outside eps < phi < Theta - eps (the reference guards, including phi = 0 after a
/// reset) the phase is returned unchanged with d_dphi = 1 and d_dw = 0.
inline Kick kick(const ThetaParams& p, double phi, double w) {
  return kick(p, p.r(), p.period(), phi, w);
}

/// Phase Phi(V) = (tau/r) (atan((V - 1/2)/r) + pi/2) of a voltage, for plotting. Evaluated as
/// (tau/r) atan2(r, 1/2 - V): V = -inf gives 0 and V = +inf gives Theta.
inline double phaseOfV(const ThetaParams& p, double V) {
  const double r = p.r();
  return p.tau / r * std::atan2(r, 0.5 - V);
}

/// Voltage iPhi(phi) = r tan(r phi/tau - pi/2) + 1/2 of a phase, for plotting. With the reference
/// guards: for phi <= eps or phi >= Theta - eps it returns sign(phi - Theta/2) / eps, i.e.
/// -1/eps near the reset and +1/eps near the spike (the singular ends of tan).
inline double vOfPhase(const ThetaParams& p, double phi) {
  const double r = p.r();
  const double Theta = p.period();
  if (!(phi > p.eps && phi < Theta - p.eps)) {
    const double half = 0.5 * Theta;
    const double sign = phi > half ? 1.0 : (phi < half ? -1.0 : 0.0);
    return sign / p.eps;
  }
  return 0.5 - r / std::tan(r * phi / p.tau);  // r tan(r phi/tau - pi/2) = -r cot(r phi/tau)
}

}  // namespace theta

/// The engine adapter of the theta neuron (method.md 2.2, 4.2), with r and Theta precomputed.
struct ThetaAdapter {
  static constexpr bool kSlopesNeedPhase = false;  // they come from the stored pt
  const ThetaParams& p;
  double r, Theta;
  explicit ThetaAdapter(const ThetaParams& params)
      : p(params), r(params.r()), Theta(params.period()) {}
  Kick kick(double phi, double w) const { return theta::kick(p, r, Theta, phi, w); }
  double kickValue(double phi, double w) const { return theta::kickValue(p, r, Theta, phi, w); }
  /// H and, in *aux, what the slopes need later (pt), so the reverse pass skips a tan.
  double kickValue(double phi, double w, double* aux) const {
    return theta::kickValue(p, r, Theta, phi, w, aux);
  }
  Kick kickSlopes(double /*phi*/, double w, double aux) const {
    return theta::kickSlopesFromPt(p, r, aux, w);
  }
  Kick pseudoKick(double phi, double u) const { return theta::pseudoKick(p, r, Theta, phi, u); }
  /// V = iPhi(phi + Delta) for plotting, with the guards of vOfPhase.
  double voltage(double phi, double /*x1*/, double delta, double* /*I*/) const {
    return theta::vOfPhase(p, phi + delta);
  }
};

}  // namespace spikegrad
