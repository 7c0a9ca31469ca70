// QIF neuron with an exponentially decaying synaptic current and tau_m = 2 tau_s
// (method.md section 2.1; pseudodynamics section 4.1).
//
// Dynamics between input spikes, with tau = tau_m and tau_s = tau / 2:
//
//   tau dV/dt = V (V - 1) + I,        (tau/2) dI/dt = -I      (an input of weight w: I += w)
//
// A spike is the blow-up V -> +inf; the neuron then resets to V = -inf. There is no threshold.
//
// Closed form. Over an interval of length Delta write e = exp(-Delta/tau) and s = 1 - e.
// With V = e U the system becomes the autonomous Riccati equation dU/ds = U^2 + I0, U(0) = V0, so
//
//   I(Delta) = I0 e^2,      V(Delta) = e (V0 + I0 chi) / D,      D = 1 - V0 chi,   chi = chi(I0, s)
//
//   chi(c, s) = tan(sqrt(c) s) / sqrt(c)      (c > 0)
//             = s                             (c = 0)
//             = tanh(sqrt(-c) s) / sqrt(-c)   (c < 0)
//             = s (1 + x/3 + 2x^2/15 + 17x^3/315 + 62x^4/2835 + 1382x^5/155925 + ...),  x = c s^2.
//
// This single formula replaces the five branches of the reference. It holds up to the blow-up,
// including the case I0 > 0, V0 < 0 where tan passes its pole and D changes sign through
// infinity. For V0 = -inf (the exact reset) its limit is V(Delta) = -e / chi.
//
// Flow derivatives (no spike, no clamp), with V1 = V(Delta), I1 = I(Delta), g = d chi / dc:
//
//   dV1/dV0    = e (1 + I0 chi^2) / D^2
//   dV1/dI0    = e [ chi / D + (V0^2 + I0) g / D^2 ]
//   dV1/dDelta = (V1 (V1 - 1) + I1) / tau          (the vector field at the end point)
//   dI1/dI0    = e^2,      dI1/dDelta = -2 I1 / tau
//
//   g(c, s) = [ s (1 + c chi^2) - chi ] / (2c)                                  for |c| s^2 >= 1e-3
//           = s^3 [ 1/3 + 4x/15 + 17x^2/105 + 248x^3/2835 + 1382x^4/31185 ]       otherwise.
//
// Spike time. U blows up at s* = atan2(a, V)/a (I > 0, a = sqrt(I)), 1/V (I = 0, V > 0) or
// artanh(a/V)/a (I < 0, V > a, a = sqrt(-I)); a spike exists iff s* < 1 and then
//
//   dt* = -tau log1p(-s*),
//   d dt*/dV = -tau / ((1 - s*)(V^2 + I)),      d dt*/dI = tau / (1 - s*) ds*/dI,
//   ds*/dI = [ V / (V^2 + I) - s* ] / (2I)     for |I| s*^2 >= 1e-3,
//          = -g(I, s*) V^2 / (V^2 + I)          otherwise.
//
// Pseudodynamics (section 4.1). After the trial end T the neuron is driven by the constant
// suprathreshold drive S = alpha softplus(I_p / alpha) > 0, tau dV/dt = (V - 1/2)^2 + S.
// With b = sqrt(S) and c = V - 1/2:
//
//   phase    phi_p = tau (atan(c/b) + pi/2) / b,    period Theta_p = tau pi / b,
//   offset_k = t_pseudo,k - T = k Theta_p - phi_p,  rate r = phi_p / Theta_p in (0, 1),
//   d offset/dV = -tau / (c^2 + S),   d offset/dS = [ -offset + tau c / (S + c^2) ] / (2S),
//   dr/dV = b / (pi (S + c^2)),       dr/dS = -c / (2 pi b (S + c^2)),
//   d/dI_p = sigmoid(I_p / alpha) d/dS.
//
// Numerically better-conditioned forms are used throughout (method.md pitfall 6): the chi/g
// formulas instead of differentiating the tan/artanh branches, atan2 and log1p for spike times,
// atan2 for phases, and a stable softplus.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <vector>

#include "../math.hpp"
#include "contract.hpp"

namespace spikegrad {

struct QifAdapter;

/// Parameters of the QIF neuron (method.md section 2.1). Every experiment uses the defaults.
/// The registered unit of the model (contract.hpp): its parameters, their names and defaults,
/// validation, the initial-state domain and the engine adapter (QifAdapter below).
struct QifParams {
  /// Membrane time constant tau = tau_m; the synaptic time constant is tau / 2. Default 1.
  double tau = 1.0;
  /// Softplus scale of the pseudo drive S = alpha softplus(I_p / alpha) (section 4.1). Default 10.
  double alpha = 10.0;
  /// Guard tolerance: the simulator's spike mask tolerance, and the voltage clamp V <= 1/eps
  /// applied by qif::flow. Default 1e-6.
  double eps = 1e-6;

  /// Throws std::invalid_argument naming the field unless tau > 0 and finite, alpha > 0 and
  /// finite, and 0 < eps < 0.01.
  void validate() const {
    detail::checkPositiveFinite("qif", "tau", tau);
    detail::checkPositiveFinite("qif", "alpha", alpha);
    detail::checkEps("qif", eps);
  }

  static constexpr const char* kName = "qif";
  static constexpr Family kFamily = Family::kCurrent;
  static constexpr std::array<const char*, 2> kStateNames{"V", "I"};
  static constexpr std::array<ParamField<QifParams>, 3> fields() {
    return {{{"tau", &QifParams::tau}, {"alpha", &QifParams::alpha}, {"eps", &QifParams::eps}}};
  }
  /// The initial state is unconstrained (any finite V and I).
  std::array<StateBounds, 2> bounds() const { return {}; }
  /// V = 0, I = 0.
  std::array<double, 2> defaultState() const { return {0.0, 0.0}; }
  std::vector<NamedConstant> constants() const { return {}; }
  using Adapter = QifAdapter;
};

namespace qif {

namespace detail {

/// Below this |x| = |c| s^2 the power series of chi and g are used. There the closed form of g
/// cancels catastrophically (at x = 1e-3 it already loses about three digits), while the
/// truncated series are accurate to better than 1e-16 relative.
inline constexpr double kSeriesLimit = 1e-3;

/// chi(c, s) / s as a power series in x = c s^2 (Taylor series of tan, up to x^5).
inline double chiSeries(double x) {
  return 1.0 +
         x * (1.0 / 3.0 + x * (2.0 / 15.0 +
                               x * (17.0 / 315.0 + x * (62.0 / 2835.0 + x * (1382.0 / 155925.0)))));
}

/// g(c, s) / s^3 as a power series in x = c s^2 (term-by-term derivative of chiSeries).
inline double gSeries(double x) {
  return 1.0 / 3.0 +
         x * (4.0 / 15.0 + x * (17.0 / 105.0 + x * (248.0 / 2835.0 + x * (1382.0 / 31185.0))));
}

/// chi(c, s) and the quantities derived from it that the flow needs.
struct ChiTerms {
  double chi;        ///< chi(c, s)
  double g;          ///< g(c, s) = d chi / d c
  double P;          ///< 1 + c chi^2 = d chi / d s
  double gOverChi2;  ///< g / chi^2, the V0 = -inf limit of (V0^2 + I0) g / D^2
  double gOverS2;    ///< g / s^2, finite where g itself underflows (tiny s)
  double a;          ///< sqrt(|c|)
  /// For c < 0 outside the series regime: m = 1 - a chi = 1 - tanh(a s), computed without
  /// cancellation. Used to evaluate 1 + c chi^2, V0 + c chi and 1 - V0 chi accurately when
  /// tanh(a s) is close to 1. Otherwise 0 and unused.
  double m;
  bool useM;  ///< true when m is valid (c < 0 and |c| s^2 >= kSeriesLimit)
};

/// Evaluates chi, g and the helper terms of ChiTerms for s >= 0.
inline ChiTerms chiTerms(double c, double s) {
  ChiTerms t{};
  t.a = std::sqrt(std::fabs(c));
  const double x = c * s * s;
  if (std::fabs(x) < kSeriesLimit) {
    // Series branch; exact at c = 0 (chi = s, g = s^3/3).
    const double cs = chiSeries(x);
    const double gs = gSeries(x);
    t.chi = s * cs;
    t.g = s * s * s * gs;
    t.P = 1.0 + c * t.chi * t.chi;
    // Written as s gs / cs^2 rather than g / chi^2: for tiny s both g and chi^2 underflow.
    t.gOverChi2 = s * gs / (cs * cs);
    t.gOverS2 = s * gs;
    t.m = 0.0;
    t.useM = false;
    return t;
  }
  if (c > 0.0) {
    t.chi = std::tan(t.a * s) / t.a;
    t.P = 1.0 + c * t.chi * t.chi;
    t.m = 0.0;
    t.useM = false;
  } else {
    // tanh(z) and 1 - tanh(z) from q = exp(-2z) in (0, 1]: both without cancellation, so
    // 1 + c chi^2 = 1 - tanh^2 = m (2 - m) stays accurate (and > 0) when tanh(z) rounds to 1.
    const double z = t.a * s;
    const double q = std::exp(-2.0 * z);
    const double tz = -std::expm1(-2.0 * z) / (1.0 + q);
    t.m = 2.0 * q / (1.0 + q);
    t.useM = true;
    t.chi = tz / t.a;
    t.P = t.m * (2.0 - t.m);
  }
  t.g = (s * t.P - t.chi) / (2.0 * c);
  t.gOverChi2 = t.g / (t.chi * t.chi);
  t.gOverS2 = t.g / (s * s);
  return t;
}

}  // namespace detail

/// chi(c, s) of method.md section 2.1: tan(sqrt(c) s)/sqrt(c) for c > 0, s for c = 0,
/// tanh(sqrt(-c) s)/sqrt(-c) for c < 0, via its power series when |c| s^2 < 1e-3.
/// Accurate for all finite c, including c = 0 and tiny |c|. Intended for s in [0, 1].
inline double chi(double c, double s) { return detail::chiTerms(c, s).chi; }

/// g(c, s) = d chi(c, s) / d c (method.md section 2.1), with the series branch for
/// |c| s^2 < 1e-3 (where it equals s^3/3 at c = 0).
inline double chiDc(double c, double s) { return detail::chiTerms(c, s).g; }

/// Free evolution of the QIF state (V0, I0) over Delta with the single chi formula
/// (method.md section 2.1), clamped to V <= 1/eps, and its partial derivatives.
///
/// - V0 may be -inf (the exact reset); then V(Delta) = -e/chi(I0, s), dV_dV0 = 0 and
///   dV_dI0 = e g / chi^2. V0 = +inf must not be passed (the simulator masks such neurons).
/// - Delta <= 0 returns the state unchanged with dV_dV0 = dI_dI0 = 1, dV_dI0 = 0 and the
///   one-sided Delta-derivatives at Delta = 0+ (the vector field), which the adjoint needs when
///   a neuron is touched by two events at the same time (for V0 = -inf: V = -inf, dV_dV0 = 0
///   and dV_dDelta = 0; the adjoint of a -inf voltage is always 0, since nothing depends on it).
/// - The result is meaningful for intervals that end before the blow-up; the simulator never
///   flows through a spike. Longer intervals still return finite, NaN-free numbers.
inline Flow flow(const QifParams& p, double V0, double I0, double Delta) {
  const double vmax = 1.0 / p.eps;
  const double e = std::exp(-Delta / p.tau);
  const double s = -std::expm1(-Delta / p.tau);  // 1 - e without cancellation for small Delta
  Flow f{};
  f.clamped = false;
  const bool fromMinusInf = (V0 == -kInf);
  if (!(Delta > 0.0) || s == 0.0) {
    // No evolution. s == 0 with Delta > 0 happens only when Delta / tau underflows; treating it
    // as Delta = 0 avoids chi = 0 in -e/chi for V0 = -inf. The Delta-partials are the one-sided
    // limits at Delta = 0+, so that event-time gradients survive simultaneous events.
    f.V = V0;
    f.I = I0;
    f.dV_dV0 = fromMinusInf ? 0.0 : 1.0;  // at V0 = -inf: 0, the Delta > 0 limit (no NaN later)
    f.dV_dI0 = 0.0;
    f.dV_dDelta = fromMinusInf ? 0.0 : (V0 * (V0 - 1.0) + I0) / p.tau;
    f.dI_dI0 = 1.0;
    f.dI_dDelta = -2.0 * I0 / p.tau;
    return f;
  }

  // Current: I1 = I0 e^2.
  const double e2 = e * e;
  f.I = I0 * e2;
  f.dI_dI0 = e2;
  f.dI_dDelta = -2.0 * f.I / p.tau;

  const detail::ChiTerms ct = detail::chiTerms(I0, s);
  double V1 = 0.0;
  if (fromMinusInf) {
    // Limit V0 -> -inf of e (V0 + I0 chi) / (1 - V0 chi). For I0 > 0 beyond the pole of tan,
    // chi < 0 and V1 > 0 correctly; chi = 0 cannot occur because s > 0.
    V1 = -e / ct.chi;
  } else {
    // V1 = e N / D with N = V0 + I0 chi and D = 1 - V0 chi.
    double N, D;
    if (ct.useM) {
      // c < 0 outside the series regime, with m = 1 - tanh(a s): N = (V0 - a) + a m and
      // a D = (a - V0) + V0 m. Unlike the plain forms these stay accurate when tanh(a s)
      // rounds to 1, and they give N/D = a exactly at the fixed point V0 = a.
      N = (V0 - ct.a) + ct.a * ct.m;
      D = ((ct.a - V0) + V0 * ct.m) / ct.a;
    } else {
      N = V0 + I0 * ct.chi;
      D = 1.0 - V0 * ct.chi;
    }
    if (D == 0.0) {
      // N/D with D = +-0: exactly at the blow-up V1 = +inf (N/D could give -inf through the sign
      // of the zero), or 0/0 at the unstable fixed point V0 = a when m underflows (a s > 372),
      // where U stays at a.
      V1 = (N == 0.0) ? e * V0 : kInf;
    } else {
      const double U = N / D;
      // A blow-up (|U| = inf) stays infinite even when e underflows to 0 for huge Delta.
      V1 = std::isinf(U) ? U : e * U;
    }
    if (!(V1 > vmax)) {
      const double invD = 1.0 / D;
      if (!std::isfinite(invD)) {
        // D is 0 or subnormal without a blow-up: only at the unstable fixed point V0 = a with
        // a s > 354, where dV1/dV0 = e exp(2 a s) and dV1/dI0 = e (exp(2 a s) - 1)/(2a)
        // overflow. Report +inf (the products below would give 0 * inf = NaN).
        f.dV_dV0 = kInf;
        f.dV_dI0 = kInf;
      } else {
        f.dV_dV0 = e * ct.P * invD * invD;
        // (V0^2 + I0) g / D^2 is evaluated as [(V0^2 + I0) s^2 / D^2] (g / s^2): each factor
        // stays bounded for huge |V0| or |I0| with tiny s, where V0^2 would overflow while g
        // underflows (inf * 0). For I0 < 0 it is factorised as (V0 - a)(V0 + a), exactly 0 at
        // the fixed points V0 = +-a (tested explicitly: the other factor can overflow there).
        double q;
        if (I0 < 0.0) {
          const double dm = V0 - ct.a, dp = V0 + ct.a;
          q = (dm == 0.0 || dp == 0.0) ? 0.0 : ((dm * s) * invD) * ((dp * s) * invD);
        } else {
          const double r = (V0 * s) * invD;
          q = r * r + (I0 * s) * s * invD * invD;
        }
        f.dV_dI0 = e * (ct.chi * invD + q * ct.gOverS2);
      }
    }
  }
  if (V1 > vmax) {
    // Clamp at 1/eps (reference semantics): prevents overflow near the blow-up. The clamped
    // value is a constant, so all voltage derivatives vanish.
    f.V = vmax;
    f.clamped = true;
    f.dV_dV0 = 0.0;
    f.dV_dI0 = 0.0;
    f.dV_dDelta = 0.0;
    return f;
  }
  f.V = V1;
  if (fromMinusInf) {
    f.dV_dV0 = 0.0;
    f.dV_dI0 = e * ct.gOverChi2;
  }
  f.dV_dDelta = (V1 * (V1 - 1.0) + f.I) / p.tau;
  return f;
}

/// Time to the next spike of the state (V, I) under free evolution (method.md section 2.1,
/// atan2/log1p form), with derivatives.
///
/// - V = -inf (just reset): s* = pi/a for I > 0, so a spike needs I > pi^2; d_dV = 0.
/// - V = +inf: the neuron is at its blow-up, dt = 0 with zero derivatives.
/// - Invariance: spikeTime(flow(V, I, Delta)).dt = spikeTime(V, I).dt - Delta.
inline SpikeTime spikeTime(const QifParams& p, double V, double I) {
  if (V == kInf) return {0.0, 0.0, 0.0};  // already at the blow-up; avoids inf/inf below
  constexpr SpikeTime kNone{kInf, 0.0, 0.0};
  // s* in the Riccati time s = 1 - exp(-t/tau) at which U = V/e blows up.
  double sstar;
  double a = 0.0;
  if (I > 0.0) {
    a = std::sqrt(I);
    sstar = std::atan2(a, V) / a;  // = (pi/2 - atan(V/a))/a without cancellation; pi/a at -inf
  } else if (I == 0.0) {
    if (!(V > 0.0)) return kNone;
    sstar = 1.0 / V;
  } else {
    a = std::sqrt(-I);
    if (!(V > a)) return kNone;
    sstar = std::atanh(a / V) / a;
  }
  if (!(sstar < 1.0)) return kNone;  // blow-up only after s = 1, i.e. never

  SpikeTime out;
  out.dt = -p.tau * std::log1p(-sstar);
  const double oneMinusS = 1.0 - sstar;  // = exp(-dt/tau)
  // F = V^2 + I > 0 when a spike exists; factorised for I < 0 to avoid cancellation near V = a.
  // V = -inf gives F = +inf and the correct limit d_dV = 0.
  const double F = (I < 0.0) ? (V - a) * (V + a) : V * V + I;
  out.d_dV = -p.tau / (oneMinusS * F);
  double dsdI;
  if (std::fabs(I) * sstar * sstar >= detail::kSeriesLimit) {
    // V / (V^2 + I) written as 1 / (V + I/V): finite for huge |V| and -0 at V = -inf (the
    // limit); at V = 0 (only possible for I > 0) I/V = inf gives the correct value 0.
    const double vOverF = (I < 0.0) ? 1.0 / ((V - a) * ((V + a) / V)) : 1.0 / (V + I / V);
    dsdI = (vOverF - sstar) / (2.0 * I);
  } else {
    // Series regime: here V = 1/chi(I, s*) > 0 and V^2/(V^2 + I) = 1/(1 + I/V^2) is close to 1.
    dsdI = -detail::chiTerms(I, sstar).g / (1.0 + I / (V * V));
  }
  out.d_dI = p.tau / oneMinusS * dsdI;
  return out;
}

namespace detail {

/// The constant drive of the pseudodynamics, S = alpha softplus(I_p / alpha) (section 4.1).
struct Drive {
  double S;  ///< S = alpha softplus(I_p / alpha), at least the smallest normal double
  double b;  ///< sqrt(S)
  /// sigmoid(I_p/alpha) / S = sigmoidOverSoftplus(I_p/alpha) / alpha, finite even where S
  /// underflows; d/dI_p = kappa S d/dS.
  double kappa;
};

inline Drive drive(double alpha, double Ip) {
  const double y = Ip / alpha;
  Drive d;
  // softplus underflows to 0 for I_p/alpha < -745; the smallest normal double keeps b > 0 so
  // that Theta_p = tau pi / b (> 1e154 there) and all outputs stay finite.
  d.S = std::fmax(alpha * softplus(y), std::numeric_limits<double>::min());
  d.b = std::sqrt(d.S);
  d.kappa = sigmoidOverSoftplus(y) / alpha;
  return d;
}

/// c / (S + c^2) written as 1 / (c + S/c): finite for |c| up to +inf (limit 0), and 0 at c = 0.
inline double cOverSPlusC2(double c, double S) { return c == 0.0 ? 0.0 : 1.0 / (c + S / c); }

}  // namespace detail

/// Offset t_pseudo,k - T = k Theta_p - phi_p(V) of the k-th pseudospike (k >= 1) of a QIF neuron
/// with end-of-trial voltage V and pseudo current Ip (method.md section 4.1), with derivatives.
///
/// Evaluated as tau ((k-1) pi + atan2(b, V - 1/2)) / b, which keeps full relative accuracy for
/// V -> +inf (offset -> (k-1) Theta_p). V = -inf gives k Theta_p, V = +inf gives (k-1) Theta_p,
/// both with d_dV = 0. k < 1 is a caller error and is treated as k = 1.
inline Pseudo pseudoOffset(const QifParams& p, double V, double Ip, int k) {
  const detail::Drive d = detail::drive(p.alpha, Ip);
  const double c = V - 0.5;
  const double km1 = k > 1 ? static_cast<double>(k - 1) : 0.0;
  Pseudo out;
  // k Theta_p - phi_p = tau (k pi - atan2(b, -c)) / b = tau ((k-1) pi + atan2(b, c)) / b.
  out.offset = p.tau * (km1 * kPi + std::atan2(d.b, c)) / d.b;
  // d offset/dV = -tau / (c^2 + S); c = +-inf gives -0.
  out.d_dV = -p.tau / (c * c + d.S);
  // d offset/dS = [-offset + tau c/(S + c^2)] / (2S), and d/dI_p = sigmoid d/dS = kappa S d/dS.
  out.d_dIp = 0.5 * d.kappa * (-out.offset + p.tau * detail::cOverSPlusC2(c, d.S));
  return out;
}

/// Pseudo-rate r = phi_p(V, Ip) / Theta_p(Ip) = (atan((V - 1/2)/b) + pi/2) / pi of a QIF neuron
/// (method.md section 4.1), with derivatives. r = 0 at V = -inf and 1 at V = +inf.
inline Rate rate(const QifParams& p, double V, double Ip) {
  const detail::Drive d = detail::drive(p.alpha, Ip);
  const double c = V - 0.5;
  Rate out;
  out.r = std::atan2(d.b, -c) / kPi;  // (atan(c/b) + pi/2)/pi without cancellation at c -> -inf
  out.d_dV = d.b / (kPi * (d.S + c * c));
  // dr/dS = -c / (2 pi b (S + c^2)); d/dI_p = kappa S d/dS = -kappa b c / (2 pi (S + c^2)).
  out.d_dIp = -d.kappa * d.b * detail::cOverSPlusC2(c, d.S) / (2.0 * kPi);
  return out;
}

/// The state of a neuron held at its pole at the trial end (method.md 2.1, "The trial end at the
/// pole"): its kept prediction lies dt >= 0 after T and its current is I. Inverting the spike time,
/// V = 1/chi(I, s*) with s* = 1 - exp(-dt/tau), which is +inf at dt = 0 and overflows for tiny
/// dt; the state is therefore given as the angle psi = atan2(1, V) = atan(chi) (pi + atan(chi)
/// beyond the pole of tan, where chi < 0 and V < 0; only for currents above about 1e12), with
///
///   d psi/d dt = (1 + I chi^2)/(1 + chi^2) exp(-dt/tau)/tau,    d psi/dI = g(I, s*)/(1 + chi^2),
///
/// both bounded for every dt >= 0 (written with 1/chi for |chi| > 1).
inline Pole pole(const QifParams& p, double dt, double I) {
  const double e = std::exp(-dt / p.tau);
  const double s = -std::expm1(-dt / p.tau);
  const detail::ChiTerms ct = detail::chiTerms(I, s);
  const double chi = ct.chi;
  Pole out;
  out.psi = chi >= 0.0 ? std::atan(chi) : kPi + std::atan(chi);
  out.V = 1.0 / chi;  // +inf at chi = +0 (dt = 0)
  if (std::fabs(chi) <= 1.0) {
    const double q = 1.0 / (1.0 + chi * chi);
    out.dpsi_ddt = ct.P * q * e / p.tau;
    out.dpsi_dI = ct.g * q;
  } else {
    const double u = 1.0 / chi;
    const double q = 1.0 / (u * u + 1.0);
    out.dpsi_ddt = (u * u + I) * q * e / p.tau;
    out.dpsi_dI = ct.gOverChi2 * q;
  }
  return out;
}

namespace detail {

/// The pseudo quantities of section 4.1 in the angle psi of V = cot psi: with c = V - 1/2,
/// c sin psi = cos psi - sin psi / 2 and (c^2 + S) sin^2 psi = (c sin psi)^2 + S sin^2 psi > 0,
/// so atan2(b, c) = atan2(b sin psi, c sin psi) (sin psi > 0) and every derivative is bounded.
struct PoleTerms {
  double sn;     ///< sin psi
  double cs;     ///< c sin psi = cos psi - sin psi / 2
  double den;    ///< (c^2 + S) sin^2 psi
  double cOver;  ///< c / (S + c^2) = (c sin psi) sin psi / den
};

inline PoleTerms poleTerms(double psi, double S) {
  PoleTerms t;
  t.sn = std::sin(psi);
  t.cs = std::cos(psi) - 0.5 * t.sn;
  t.den = t.cs * t.cs + S * t.sn * t.sn;
  t.cOver = t.cs * t.sn / t.den;
  return t;
}

}  // namespace detail

/// pseudoOffset for a neuron at its pole, from the angle psi of its voltage (pole above): the
/// same offset tau ((k-1) pi + atan2(b, V - 1/2)) / b, with d_dV holding d offset / d psi
/// = tau / ((c^2 + S) sin^2 psi). psi = 0 (the spike exactly at T) gives (k-1) Theta_p.
inline Pseudo pseudoAtPole(const QifParams& p, double psi, double Ip, int k) {
  const detail::Drive d = detail::drive(p.alpha, Ip);
  const detail::PoleTerms t = detail::poleTerms(psi, d.S);
  const double km1 = k > 1 ? static_cast<double>(k - 1) : 0.0;
  Pseudo out;
  out.offset = p.tau * (km1 * kPi + std::atan2(d.b * t.sn, t.cs)) / d.b;
  out.d_dV = p.tau / t.den;
  out.d_dIp = 0.5 * d.kappa * (-out.offset + p.tau * t.cOver);
  return out;
}

/// rate for a neuron at its pole, from the angle psi of its voltage: r = atan2(b, -c)/pi, with
/// d_dV holding dr/d psi = -b / (pi (c^2 + S) sin^2 psi). psi = 0 gives r = 1.
inline Rate rateAtPole(const QifParams& p, double psi, double Ip) {
  const detail::Drive d = detail::drive(p.alpha, Ip);
  const detail::PoleTerms t = detail::poleTerms(psi, d.S);
  Rate out;
  out.r = std::atan2(d.b * t.sn, -t.cs) / kPi;
  out.d_dV = -d.b / (kPi * t.den);
  out.d_dIp = -d.kappa * d.b * t.cOver / (2.0 * kPi);
  return out;
}

}  // namespace qif

/// The engine adapter of the QIF neuron (method.md 2.1, 4.1): masked near its blow-up (V held at
/// 1/eps; at the trial end the state at the pole, in psi), reset to -inf.
struct QifAdapter {
  const QifParams& p;
  static constexpr bool kMask = true;
  explicit QifAdapter(const QifParams& params) : p(params) {}
  double tau() const { return p.tau; }
  double eps() const { return p.eps; }
  double clampV() const { return 1.0 / p.eps; }
  double resetV() const { return -kInf; }
  Flow flow(double V, double I, double d) const { return qif::flow(p, V, I, d); }
  SpikeTime spikeTime(double V, double I) const { return qif::spikeTime(p, V, I); }
  Pseudo pseudo(double V, double Ip, int k) const { return qif::pseudoOffset(p, V, Ip, k); }
  Rate rate(double V, double Ip) const { return qif::rate(p, V, Ip); }
  Pole pole(double dt, double I) const { return qif::pole(p, dt, I); }
  Pseudo pseudoAtPole(double psi, double Ip, int k) const {
    return qif::pseudoAtPole(p, psi, Ip, k);
  }
  Rate rateAtPole(double psi, double Ip) const { return qif::rateAtPole(p, psi, Ip); }
  /// The state Delta after (V, I) for plotting: V limited to +-1/eps, the reference's plotting
  /// convention for the blow-up and the reset (V = -inf at Delta = 0 reads -1/eps).
  double voltage(double V, double I, double delta, double* Iout) const {
    const double big = 1.0 / p.eps;
    if (V == -kInf && delta <= 0) {
      *Iout = I;
      return -big;
    }
    const Flow f = qif::flow(p, V, I, delta);
    *Iout = f.I;
    return std::max(-big, std::min(f.V, big));
  }
};

}  // namespace spikegrad
