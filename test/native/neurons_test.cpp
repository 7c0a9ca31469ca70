// Native tests of the closed-form neuron models (native/core/neurons/*.hpp):
// - every row of the appendix A.1 tables of method.md (and the pseudospike table of section 4.1),
//   checked to the digits printed there;
// - central finite differences (Richardson-extrapolated) for every derivative of every function
//   over randomized grids covering the corner cases of method.md section 2.1;
// - the spike-time invariance under free flow, the spiking thresholds from rest and from reset;
// - no NaN over a large sweep including infinities, and parameter validation.
//
// Build and run: g++ -std=c++17 -O2 -Wall -Wextra -Werror -Inative -Itest/native
//   test/native/neurons_test.cpp -o /tmp/neurons_test && /tmp/neurons_test
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <vector>

#include "check.hpp"
#include "core/math.hpp"
#include "core/neurons/lif.hpp"
#include "core/neurons/osclif.hpp"
#include "core/neurons/qif.hpp"
#include "core/neurons/theta.hpp"

namespace {

using spikegrad::kInf;
using spikegrad::kPi;
using spikegrad::test::context;
using spikegrad::test::record;

// ---------------------------------------------------------------------------------------------
// Helpers

/// Deterministic, platform-independent random numbers (splitmix64).
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  /// Uniform in [0, 1).
  double uniform() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return static_cast<double>(z >> 11) * 0x1.0p-53;
  }
  /// Uniform in [lo, hi).
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }

 private:
  std::uint64_t state_;
};

/// Formats a few numbers into the failure context.
std::string fmt(const char* label, std::initializer_list<double> values) {
  std::string s = label;
  char buf[40];
  for (double v : values) {
    std::snprintf(buf, sizeof buf, " %.17g", v);
    s += buf;
  }
  return s;
}

/// Checks `actual` against a value printed in method.md, to the printed digits: within half a
/// unit of the last printed digit (plus 1e-11 relative slack for round-off of the reference).
/// Values printed with at most 3 significant digits (0, 0.5, -2.0, 4.5) are exact.
void checkPrinted(double actual, const char* printed, const char* expr, int line) {
  const double want = std::strtod(printed, nullptr);
  int sig = 0, decimals = 0, exponent = 0;
  bool afterPoint = false, leading = true;
  for (const char* c = printed; *c; ++c) {
    if (*c == 'e' || *c == 'E') {
      exponent = std::atoi(c + 1);
      break;
    }
    if (*c == '.') {
      afterPoint = true;
    } else if (*c >= '0' && *c <= '9') {
      if (afterPoint) ++decimals;
      if (*c != '0') leading = false;
      if (!leading) ++sig;
    }
  }
  double tol;
  if (sig <= 3) {
    tol = 1e-12 * std::fabs(want) + 1e-15;
  } else {
    tol = 0.5 * std::pow(10.0, exponent - decimals) + 1e-11 * std::fabs(want);
  }
  const bool ok = std::fabs(actual - want) <= tol;
  record(ok, expr, __FILE__, line, actual, want);
}
#define CHECK_PRINTED(actual, printed) checkPrinted((actual), (printed), #actual, __LINE__)

/// One Richardson-extrapolated central difference of f at x with step h (error O(h^4)).
template <class F>
double richardson(const F& f, double x, double h) {
  const double d1 = (f(x + h) - f(x - h)) / (2.0 * h);
  const double d2 = (f(x + 0.5 * h) - f(x - 0.5 * h)) / h;
  return (4.0 * d2 - d1) / 3.0;
}

/// Compares an analytic derivative with finite differences of f at x. Steps are
/// {1e-3, 1e-4, 1e-5, 1e-6} * scale, so the check is robust against both curvature (large steps)
/// and cancellation (small steps); it passes when the best estimate agrees within
/// 1e-6 |analytic| plus the round-off floor 1e-8 |f(x)| / scale (plus 1e-14).
template <class F>
void checkFd(const F& f, double x, double scale, double analytic, const char* expr, int line) {
  const double f0 = f(x);
  double best = NAN, bestErr = kInf;
  for (double rel : {1e-3, 1e-4, 1e-5, 1e-6}) {
    const double d = richardson(f, x, rel * scale);
    const double err = std::fabs(d - analytic);
    if (err < bestErr) {
      bestErr = err;
      best = d;
    }
  }
  const double tol = 1e-6 * std::fabs(analytic) + 1e-8 * std::fabs(f0) / scale + 1e-14;
  record(bestErr <= tol, expr, __FILE__, line, analytic, best);
}
#define CHECK_FD(f, x, scale, analytic) checkFd((f), (x), (scale), (analytic), #analytic, __LINE__)

/// Step scale for a variable: its magnitude, but at least 1.
double scaleOf(double x) { return std::fmax(std::fabs(x), 1.0); }

/// Expects params.validate() to throw std::invalid_argument whose message names `field`.
template <class P>
void expectInvalid(const P& params, const char* field, int line) {
  std::string msg;
  bool threw = false;
  try {
    params.validate();
  } catch (const std::invalid_argument& e) {
    threw = true;
    msg = e.what();
  }
  const bool ok = threw && msg.find(std::string(" ") + field + " must") != std::string::npos;
  if (!ok) std::printf("  validate() message for %s: \"%s\"\n", field, msg.c_str());
  record(ok, field, __FILE__, line);
}
#define EXPECT_INVALID(params, field) expectInvalid((params), (field), __LINE__)

template <class P>
void expectValid(const P& params, int line) {
  bool threw = false;
  try {
    params.validate();
  } catch (const std::exception&) {
    threw = true;
  }
  record(!threw, "validate() accepts valid parameters", __FILE__, line);
}
#define EXPECT_VALID(params) expectValid((params), __LINE__)

// ---------------------------------------------------------------------------------------------
// math.hpp

void testMath() {
  using spikegrad::sigmoid;
  using spikegrad::sigmoidOverSoftplus;
  using spikegrad::softplus;
  CHECK_NEAR(softplus(0.0), std::log(2.0), 0, 1e-15);
  CHECK_NEAR(softplus(1000.0), 1000.0, 0, 1e-15);  // the naive form overflows
  CHECK_NEAR(softplus(-50.0), std::exp(-50.0), 0, 1e-14);
  CHECK_NEAR(softplus(3.0), std::log1p(std::exp(3.0)), 0, 1e-15);
  CHECK(softplus(-1e4) == 0.0);
  CHECK_NEAR(sigmoid(0.0), 0.5, 0, 1e-16);
  CHECK_NEAR(sigmoid(-800.0), 0.0, 1e-300, 0);
  CHECK_NEAR(sigmoid(800.0), 1.0, 0, 1e-16);
  CHECK_NEAR(sigmoid(2.0), 1.0 / (1.0 + std::exp(-2.0)), 0, 1e-15);
  CHECK_NEAR(sigmoid(-2.0), 1.0 / (1.0 + std::exp(2.0)), 0, 1e-15);
  CHECK_NEAR(sigmoidOverSoftplus(0.0), 0.5 / std::log(2.0), 0, 1e-15);
  CHECK_NEAR(sigmoidOverSoftplus(-39.0), sigmoid(-39.0) / softplus(-39.0), 0, 1e-15);
  CHECK(sigmoidOverSoftplus(-1e4) == 1.0);
  CHECK_NEAR(sigmoidOverSoftplus(40.0), 1.0 / 40.0, 0, 1e-15);
  // d softplus / dy = sigmoid.
  for (double y : {-30.0, -3.0, 0.0, 0.7, 12.0}) {
    CHECK_FD([](double v) { return softplus(v); }, y, 1.0, sigmoid(y));
  }
}

// ---------------------------------------------------------------------------------------------
// QIF: chi and g

void testChi() {
  namespace qif = spikegrad::qif;
  CHECK(qif::chi(0.0, 0.3) == 0.3);
  CHECK_NEAR(qif::chiDc(0.0, 0.3), 0.009, 0, 1e-15);  // s^3 / 3
  CHECK(qif::chi(1.0, 0.0) == 0.0);
  // Closed forms away from the series regime.
  CHECK_NEAR(qif::chi(4.0, 0.5), std::tan(1.0) / 2.0, 0, 1e-15);
  CHECK_NEAR(qif::chi(-4.0, 0.5), std::tanh(1.0) / 2.0, 0, 1e-15);
  CHECK_NEAR(qif::chi(9.0, 0.9), std::tan(2.7) / 3.0, 0, 1e-14);  // beyond the pole of tan
  // Both sides of the series limit |c| s^2 = 1e-3 agree with the direct closed form.
  for (double x : {0.99e-3, 1.01e-3, -0.99e-3, -1.01e-3, 1e-9, -1e-9}) {
    const double s = 0.8, c = x / (s * s), a = std::sqrt(std::fabs(c));
    const double direct = c > 0 ? std::tan(a * s) / a : std::tanh(a * s) / a;
    context() = fmt("chi x", {x});
    CHECK_NEAR(qif::chi(c, s), direct, 0, 2e-16 * 4);
  }
  context().clear();
  // g = d chi / d c against finite differences, on both sides of the series limit and at c = 0.
  Rng rng(11);
  std::vector<double> cs = {0.0,  1e-12, -1e-12, 1e-4, -1e-4, 2e-3,  -2e-3, 0.5,
                            -0.5, 3.0,   -3.0,   20.0, -20.0, 200.0, -200.0};
  for (int i = 0; i < 20; ++i) cs.push_back(rng.uniform(-30.0, 30.0));
  for (double c : cs) {
    for (double s : {1e-6, 0.01, 0.2, 0.6, 0.95}) {
      // Skip points too close to the pole of tan(sqrt(c) s) (c > 0).
      if (c > 0 && std::fabs(std::cos(std::sqrt(c) * s)) < 0.05) continue;
      context() = fmt("chiDc c s", {c, s});
      CHECK_FD([s](double cc) { return spikegrad::qif::chi(cc, s); }, c, 1.0, qif::chiDc(c, s));
    }
  }
  context().clear();
}

// ---------------------------------------------------------------------------------------------
// QIF flow

void testQifFlowTable() {
  namespace qif = spikegrad::qif;
  const spikegrad::QifParams p;
  struct Row {
    double V0, I0, Delta;
    const char *V, *I, *dV0, *dI0, *dDelta;
  };
  const Row rows[] = {
      {0.3, 2, 0.4, "0.7592052309", "0.8986579282", "1.052878843", "0.2922019624", "0.71584528"},
      {2, 0, 0.2, "2.568722174", "0", "2.014805717", "0.2488160631", "4.029611435"},
      {0.5, -4, 0.3, "-0.3808596676", "-2.195246544", "0.7379920924", "0.1833917003",
       "-1.66933279"},
      {3, -4, 0.3, "5.314775122", "-2.195246544", "7.033193117", "0.8338033372", "20.73681293"},
      {2, -4, 0.3, "1.481636441", "-2.195246544", "2.089086977", "0.337067189", "-1.481636441"},
      {-2, -4, 0.3, "-1.481636441", "-2.195246544", "0.2627040627", "0.1195285395", "1.481636441"},
      {-1e6, 9, 0.5, "-0.7487719181", "3.310914971", "6.383146992e-12", "0.09793372782",
       "4.620346274"},
      {-1e6, 0, 0.001, "-998.5010829", "0", "9.980019157e-07", "3.331667218e-04", "998002.9137"},
  };
  for (const Row& r : rows) {
    context() = fmt("A.1 QIF flow row", {r.V0, r.I0, r.Delta});
    const spikegrad::Flow f = qif::flow(p, r.V0, r.I0, r.Delta);
    CHECK(!f.clamped);
    CHECK_PRINTED(f.V, r.V);
    CHECK_PRINTED(f.I, r.I);
    CHECK_PRINTED(f.dV_dV0, r.dV0);
    CHECK_PRINTED(f.dV_dI0, r.dI0);
    CHECK_PRINTED(f.dV_dDelta, r.dDelta);
    CHECK_NEAR(f.dI_dI0, std::exp(-2.0 * r.Delta), 0, 1e-15);
    CHECK_NEAR(f.dI_dDelta, -2.0 * f.I, 1e-300, 1e-15);
  }
  context().clear();
}

/// Finite-difference checks of all five partials of qif::flow at (V0, I0, Delta), plus the
/// special-case cross-checks of method.md section 2.1. Skips states whose end point is clamped,
/// lies past the blow-up or is too close to it for finite differences.
int checkQifFlowFd(const spikegrad::QifParams& p, double V0, double I0, double Delta) {
  namespace qif = spikegrad::qif;
  const spikegrad::Flow f = qif::flow(p, V0, I0, Delta);
  const spikegrad::SpikeTime st = qif::spikeTime(p, V0, I0);
  if (f.clamped || std::fabs(f.V) > 1e4 || !(Delta < st.dt)) return 0;
  context() = fmt("flow V0 I0 Delta", {V0, I0, Delta});
  auto V_of_V0 = [&](double x) { return qif::flow(p, x, I0, Delta).V; };
  auto V_of_I0 = [&](double x) { return qif::flow(p, V0, x, Delta).V; };
  auto V_of_D = [&](double x) { return qif::flow(p, V0, I0, x).V; };
  auto I_of_I0 = [&](double x) { return qif::flow(p, V0, x, Delta).I; };
  auto I_of_D = [&](double x) { return qif::flow(p, V0, I0, x).I; };
  CHECK_FD(V_of_V0, V0, scaleOf(V0), f.dV_dV0);
  CHECK_FD(V_of_I0, I0, scaleOf(I0), f.dV_dI0);
  CHECK_FD(V_of_D, Delta, Delta, f.dV_dDelta);
  CHECK_FD(I_of_I0, I0, scaleOf(I0), f.dI_dI0);
  CHECK_FD(I_of_D, Delta, Delta, f.dI_dDelta);
  // Cross-checks: the end-state form dV1/dV0 = (V1^2 + I1)/(e (V0^2 + I0)), and the I0 = 0
  // closed forms.
  const double e = std::exp(-Delta / p.tau), s = -std::expm1(-Delta / p.tau);
  const double F0 = V0 * V0 + I0;
  if (std::fabs(F0) > 1e-3 * (V0 * V0 + std::fabs(I0)) && std::fabs(V0) < 1e3) {
    CHECK_NEAR(f.dV_dV0, (f.V * f.V + f.I) / (e * F0), 1e-12, 1e-8);
  }
  if (I0 == 0.0) {
    const double q = 1.0 - V0 * s;
    CHECK_NEAR(f.dV_dV0, e / (q * q), 0, 1e-12);
    CHECK_NEAR(f.dV_dI0, e * s * (1.0 + q + q * q) / (3.0 * q * q), 0, 1e-12);
  }
  context().clear();
  return 1;
}

void testQifFlowFd() {
  namespace qif = spikegrad::qif;
  const spikegrad::QifParams p;
  Rng rng(2024);
  int checked = 0;
  // Random grid: I0 > 0, I0 = 0, I0 < 0 (with |V0| < a and |V0| > a), tiny |I0|.
  for (int i = 0; i < 400; ++i) {
    const int kind = i % 8;
    double I0;
    switch (kind) {
      case 0:
      case 1:
        I0 = rng.uniform(0.01, 20.0);
        break;
      case 2:
        I0 = 0.0;
        break;
      case 3:
      case 4:
        I0 = -rng.uniform(0.01, 20.0);
        break;
      case 5:
        I0 = rng.uniform(-1e-9, 1e-9);
        break;
      case 6:
        I0 = rng.uniform(-0.05, 0.05);
        break;
      default:
        I0 = rng.uniform(-100.0, 100.0);
        break;
    }
    const double a = std::sqrt(std::fabs(I0));
    double V0 = rng.uniform(-6.0, 6.0);
    if (kind == 4) V0 = rng.uniform(-0.99, 0.99) * a;                                 // |V0| < a
    if (kind == 3) V0 = (rng.uniform() < 0.5 ? -1 : 1) * a * rng.uniform(1.01, 3.0);  // |V0| > a
    const double Delta = rng.uniform(0.001, 1.5);
    checked += checkQifFlowFd(p, V0, I0, Delta);
  }
  // Fixed points V0 = +-a exactly (I0 < 0), including a saturated tanh.
  for (double I0 : {-4.0, -0.25, -1e-6, -50.0, -900.0}) {
    const double a = std::sqrt(-I0);
    for (double Delta : {0.05, 0.3, 2.0}) {
      // V0 = +a is unstable with dV1/dV0 = e exp(2 a s); finite differences are only usable while
      // that growth is moderate (otherwise the closed forms below are the check).
      if (2.0 * a * -std::expm1(-Delta) < 4.0) checked += checkQifFlowFd(p, a, I0, Delta);
      checked += checkQifFlowFd(p, -a, I0, Delta);
      const spikegrad::Flow fp = qif::flow(p, a, I0, Delta), fm = qif::flow(p, -a, I0, Delta);
      const double e = std::exp(-Delta), s = -std::expm1(-Delta);
      context() = fmt("fixed point I0 Delta", {I0, Delta});
      CHECK_NEAR(fp.V, a * e, 0, 1e-13);
      CHECK_NEAR(fm.V, -a * e, 0, 1e-13);
      // dV1/dV0 = e exp(2 sigma a s), dV1/dI0 = e (exp(2 sigma a s) - 1)/(2 sigma a).
      CHECK_NEAR(fp.dV_dV0, e * std::exp(2 * a * s), 0, 1e-9);
      CHECK_NEAR(fm.dV_dV0, e * std::exp(-2 * a * s), 0, 1e-9);
      CHECK_NEAR(fp.dV_dI0, e * std::expm1(2 * a * s) / (2 * a), 0, 1e-9);
      CHECK_NEAR(fm.dV_dI0, e * std::expm1(-2 * a * s) / (-2 * a), 0, 1e-9);
    }
  }
  context().clear();
  // Just reset (V0 = -1e6) with tiny |I0|: the corner where differentiating tan is unusable.
  for (double I0 : {1e-9, -1e-9, 1e-6, 0.0, 1e-3, 9.0, 12.0}) {
    for (double Delta : {1e-3, 0.05, 0.5, 1.0, 3.0}) checked += checkQifFlowFd(p, -1e6, I0, Delta);
  }
  // I0 > 0, V0 < 0 passing the pole of tan (a s > pi/2) before the blow-up at s*.
  int pole = 0;
  for (double V0 : {-1e6, -50.0, -5.0, -1.0}) {
    for (double I0 : {9.0, 16.0, 30.0}) {
      const double a = std::sqrt(I0);
      const double sPole = 0.5 * kPi / a, sEnd = std::fmin(std::atan2(a, V0) / a, 1.0);
      for (double frac : {0.1, 0.5, 0.9}) {
        const double s = sPole + frac * (sEnd - sPole);
        pole += checkQifFlowFd(p, V0, I0, -std::log1p(-s));
      }
    }
  }
  CHECK(pole == 36);
  checked += pole;
  // Near the blow-up: V1 of order 1e2 to 5e3.
  int blow = 0, blowCandidates = 0;
  for (double V0 : {0.0, 2.0, -3.0}) {
    for (double I0 : {5.0, 12.0, 30.0}) {
      const double dt = qif::spikeTime(p, V0, I0).dt;
      if (!std::isfinite(dt)) continue;
      for (double gap : {1e-2, 1e-3, 2e-4}) {
        blow += checkQifFlowFd(p, V0, I0, dt - gap);
        ++blowCandidates;
      }
    }
  }
  CHECK(blow == blowCandidates && blow >= 24);
  checked += blow;
  CHECK(checked > 300);  // most grid points were usable
  std::printf("qif flow: finite differences at %d states\n", checked);
}

void testQifFlowSpecial() {
  namespace qif = spikegrad::qif;
  const spikegrad::QifParams p;
  // Delta <= 0: unchanged state, identity state derivatives, and the one-sided Delta-derivatives
  // at 0+ (the vector field), so that simultaneous events keep their time gradients.
  for (double Delta : {0.0, -0.5}) {
    const spikegrad::Flow f = qif::flow(p, 0.7, -2.0, Delta);
    CHECK(f.V == 0.7 && f.I == -2.0 && f.dV_dV0 == 1.0 && f.dI_dI0 == 1.0);
    CHECK(f.dV_dI0 == 0.0 && !f.clamped);
    CHECK_NEAR(f.dV_dDelta, 0.7 * (0.7 - 1.0) - 2.0, 1e-15, 0);
    CHECK_NEAR(f.dI_dDelta, 4.0, 1e-15, 0);
    const spikegrad::Flow h = qif::flow(p, 0.7, -2.0, 1e-9);  // the limit from the right
    CHECK_NEAR(f.dV_dDelta, h.dV_dDelta, 1e-7, 0);
    CHECK_NEAR(f.dI_dDelta, h.dI_dDelta, 1e-7, 0);
    const spikegrad::Flow g = qif::flow(p, -kInf, 3.0, Delta);
    CHECK(g.V == -kInf && g.dV_dV0 == 0.0 && g.dV_dI0 == 0.0 && g.dV_dDelta == 0.0);
  }
  // Clamp at 1/eps: flowing onto the blow-up.
  {
    const double dt = qif::spikeTime(p, 2.0, 1.0).dt;
    const spikegrad::Flow f = qif::flow(p, 2.0, 1.0, dt - 1e-9);
    CHECK(f.clamped && f.V == 1.0 / p.eps);
    CHECK(f.dV_dV0 == 0.0 && f.dV_dI0 == 0.0 && f.dV_dDelta == 0.0);
    CHECK_NEAR(f.I, std::exp(-2.0 * (dt - 1e-9)), 0, 1e-15);
  }
  // V0 = -inf: values against V0 = -1e12, derivatives by finite differences in I0 and Delta.
  Rng rng(7);
  int checked = 0;
  for (int i = 0; i < 120; ++i) {
    double I0 = (i % 4 == 0) ? 0.0 : rng.uniform(-30.0, 30.0);
    if (i % 4 == 1) I0 = rng.uniform(-1e-9, 1e-9);
    const double Delta = rng.uniform(0.002, 2.0);
    const spikegrad::Flow f = qif::flow(p, -kInf, I0, Delta);
    const spikegrad::Flow g = qif::flow(p, -1e12, I0, Delta);
    context() = fmt("V0=-inf I0 Delta", {I0, Delta});
    CHECK(f.clamped == g.clamped);
    CHECK_NEAR(f.V, g.V, 1e-9, 1e-6);
    CHECK(f.dV_dV0 == 0.0);
    CHECK_NEAR(f.dV_dI0, g.dV_dI0, 1e-9, 1e-6);
    CHECK_NEAR(f.dV_dDelta, g.dV_dDelta, 1e-6, 1e-6);
    if (f.clamped || std::fabs(f.V) > 1e4) continue;
    // Only before the blow-up from -inf (s* = pi/a for I0 > 0).
    const double sstar = I0 > 0 ? kPi / std::sqrt(I0) : kInf;
    if (!(-std::expm1(-Delta) < 0.999 * sstar)) continue;
    CHECK_FD([&](double x) { return qif::flow(p, -kInf, x, Delta).V; }, I0, scaleOf(I0), f.dV_dI0);
    CHECK_FD([&](double x) { return qif::flow(p, -kInf, I0, x).V; }, Delta, Delta, f.dV_dDelta);
    ++checked;
  }
  context().clear();
  CHECK(checked > 60);
  // V0 = -inf with I0 > 0 and s beyond pi/(2a) (past the pole of tan, before the blow-up at
  // s = pi/a): U = -a cot(a s) > 0.
  for (double I0 : {12.0, 20.0}) {
    const double a = std::sqrt(I0);
    for (double frac : {0.6, 0.8, 0.95}) {
      const double s = frac * kPi / a, Delta = -std::log1p(-s), e = 1.0 - s;
      const spikegrad::Flow f = qif::flow(p, -kInf, I0, Delta);
      context() = fmt("V0=-inf past pole I0 frac", {I0, frac});
      CHECK(f.V > 0.0);
      CHECK_NEAR(f.V, -e * a / std::tan(a * s), 0, 1e-12);
      CHECK_NEAR(f.V, qif::flow(p, -1e12, I0, Delta).V, 0, 1e-8);
    }
  }
  context().clear();
  // The spec's ill-conditioned example V0 = -1e6, I0 = 1e-6, Delta = 1e-3 against the I0 = 0
  // closed form plus the first-order correction from g (an independent evaluation).
  {
    const double V0 = -1e6, I0 = 1e-6, Delta = 1e-3;
    const spikegrad::Flow f = qif::flow(p, V0, I0, Delta);
    const double e = std::exp(-Delta), s = -std::expm1(-Delta), q = 1.0 - V0 * s;
    const double dI0at0 = e * s * (1.0 + q + q * q) / (3.0 * q * q);
    CHECK_NEAR(f.dV_dI0, dI0at0, 0, 1e-7);
  }
}

// ---------------------------------------------------------------------------------------------
// QIF spike time

void testQifSpikeTimeTable() {
  namespace qif = spikegrad::qif;
  const spikegrad::QifParams p;
  struct Row {
    double V, I;
    const char *dt, *dV, *dI;
  };
  const Row rows[] = {
      {3, 1, "0.3882401448", "-0.1474383807", "-0.0160343326"},
      {0, 3, "2.37407768", "-3.580367295", "-1.623516981"},
      {2, 0, "0.6931471806", "-0.5", "-0.08333333333"},
      {5, -1, "0.2265650907", "-0.05226184372", "-0.003512484617"},
      {-1e6, 10.5, "3.490538277", "-3.280360038e-11", "-1.514458723"},
      {1.5, 1e-6, "1.098611992", "-1.333332346", "-0.2962960505"},
  };
  for (const Row& r : rows) {
    context() = fmt("A.1 QIF spike time row", {r.V, r.I});
    const spikegrad::SpikeTime st = qif::spikeTime(p, r.V, r.I);
    CHECK_PRINTED(st.dt, r.dt);
    CHECK_PRINTED(st.d_dV, r.dV);
    CHECK_PRINTED(st.d_dI, r.dI);
  }
  context().clear();
  // I = 0, V > 1 closed forms: d/dV = -tau/(V(V-1)), d/dI = -tau/(3 V^2 (V-1)).
  for (double V : {1.001, 1.5, 4.0, 1e3}) {
    const spikegrad::SpikeTime st = qif::spikeTime(p, V, 0.0);
    CHECK_NEAR(st.dt, std::log(V / (V - 1.0)), 0, 1e-13);
    CHECK_NEAR(st.d_dV, -1.0 / (V * (V - 1.0)), 0, 1e-12);
    CHECK_NEAR(st.d_dI, -1.0 / (3.0 * V * V * (V - 1.0)), 0, 1e-12);
  }
}

int checkQifSpikeFd(const spikegrad::QifParams& p, double V, double I) {
  namespace qif = spikegrad::qif;
  const spikegrad::SpikeTime st = qif::spikeTime(p, V, I);
  if (!std::isfinite(st.dt) || st.dt > 8.0) return 0;  // none, or too close to the threshold
  context() = fmt("spikeTime V I", {V, I});
  if (std::isfinite(V)) {
    CHECK_FD([&](double x) { return qif::spikeTime(p, x, I).dt; }, V, scaleOf(V), st.d_dV);
  } else {
    CHECK(st.d_dV == 0.0);
  }
  CHECK_FD([&](double x) { return qif::spikeTime(p, V, x).dt; }, I, scaleOf(I), st.d_dI);
  context().clear();
  return 1;
}

void testQifSpikeTime() {
  namespace qif = spikegrad::qif;
  const spikegrad::QifParams p;
  Rng rng(99);
  int checked = 0;
  for (int i = 0; i < 500; ++i) {
    const int kind = i % 6;
    double I = rng.uniform(-20.0, 20.0);
    if (kind == 1) I = 0.0;
    if (kind == 2) I = rng.uniform(-1e-9, 1e-9);
    if (kind == 3) I = rng.uniform(-0.05, 0.05);
    double V = rng.uniform(-5.0, 10.0);
    if (kind == 4) V = std::exp(rng.uniform(0.0, 12.0));   // large V
    if (kind == 5) V = -std::exp(rng.uniform(0.0, 14.0));  // very negative V, needs large I
    if (kind == 5) I = rng.uniform(9.0, 60.0);
    checked += checkQifSpikeFd(p, V, I);
  }
  for (double I : {10.0, 12.5, 40.0, 1e3}) checked += checkQifSpikeFd(p, -kInf, I);
  for (double I : {3.0, 9.0, 50.0}) checked += checkQifSpikeFd(p, -1e6, I);
  CHECK(checked > 250);
  std::printf("qif spike time: finite differences at %d states\n", checked);

  // V = -inf: s* = pi/a, d/dI = tau/(1 - s*) * (-s*/(2I)).
  for (double I : {10.0, 25.0}) {
    const spikegrad::SpikeTime st = qif::spikeTime(p, -kInf, I);
    const double sstar = kPi / std::sqrt(I);
    CHECK_NEAR(st.dt, -std::log1p(-sstar), 0, 1e-14);
    CHECK(st.d_dV == 0.0);
    CHECK_NEAR(st.d_dI, -sstar / (2.0 * I) / (1.0 - sstar), 0, 1e-13);
    CHECK_NEAR(st.dt, qif::spikeTime(p, -1e12, I).dt, 0, 1e-10);
  }
  // No spike: I <= 0 from -inf, V <= a for I < 0, V <= 0 for I = 0.
  CHECK(qif::spikeTime(p, -kInf, 0.0).dt == kInf);
  CHECK(qif::spikeTime(p, -kInf, -3.0).dt == kInf);
  CHECK(qif::spikeTime(p, 0.5, 0.0).dt == kInf);
  CHECK(qif::spikeTime(p, 2.0, -4.0).dt == kInf);  // exactly on the unstable fixed point
  CHECK(qif::spikeTime(p, 1.5, -4.0).dt == kInf);
  CHECK(qif::spikeTime(p, 1.0, 0.0).dt == kInf);  // on the separatrix: s* = 1 exactly
  {
    const spikegrad::SpikeTime none = qif::spikeTime(p, 0.0, 1.0);
    CHECK(none.dt == kInf && none.d_dV == 0.0 && none.d_dI == 0.0);
  }
  {
    const spikegrad::SpikeTime now = qif::spikeTime(p, kInf, 1.0);
    CHECK(now.dt == 0.0 && now.d_dV == 0.0 && now.d_dI == 0.0);
  }

  // Thresholds: from rest a spike needs I > pi^2/4, from -inf it needs I > pi^2.
  const double restMin = kPi * kPi / 4.0, resetMin = kPi * kPi;
  CHECK_NEAR(restMin, 2.4674011, 1e-7, 0);
  CHECK_NEAR(resetMin, 9.8696044, 1e-7, 0);
  CHECK(qif::spikeTime(p, 0.0, restMin * (1.0 - 1e-9)).dt == kInf);
  CHECK(std::isfinite(qif::spikeTime(p, 0.0, restMin * (1.0 + 1e-9)).dt));
  CHECK(qif::spikeTime(p, -kInf, resetMin * (1.0 - 1e-9)).dt == kInf);
  CHECK(std::isfinite(qif::spikeTime(p, -kInf, resetMin * (1.0 + 1e-9)).dt));
  // From V = -1e6 the threshold lies slightly below pi^2: s* = (pi - a/1e6)/a.
  CHECK(qif::spikeTime(p, -1e6, resetMin * (1.0 - 1e-5)).dt == kInf);
  CHECK(std::isfinite(qif::spikeTime(p, -1e6, resetMin * (1.0 - 1e-7)).dt));
  // As the condition approaches equality, dt grows without bound (spikes vanish through inf).
  CHECK(qif::spikeTime(p, 0.0, restMin * (1.0 + 1e-9)).dt > 10.0);

  // Invariance: dt_spike(flow(V, I, Delta)) = dt_spike(V, I) - Delta.
  int inv = 0;
  for (int i = 0; i < 300; ++i) {
    double V = rng.uniform(-5.0, 10.0), I = rng.uniform(-20.0, 30.0);
    if (i % 5 == 0) V = -kInf;
    if (i % 5 == 1) I = 0.0;
    if (i % 5 == 2) V = -1e6;
    const spikegrad::SpikeTime st = qif::spikeTime(p, V, I);
    if (!std::isfinite(st.dt)) continue;
    const double Delta = rng.uniform(0.0, 0.95) * st.dt;
    const spikegrad::Flow f = qif::flow(p, V, I, Delta);
    if (f.clamped) continue;
    const double rest = qif::spikeTime(p, f.V, f.I).dt;
    context() = fmt("invariance V I Delta", {V, I, Delta});
    CHECK_NEAR(rest, st.dt - Delta, 1e-10, 1e-9);
    ++inv;
  }
  context().clear();
  CHECK(inv > 100);
  // Without a spike the invariance holds trivially: no spike appears under free flow.
  for (double V : {-3.0, 0.0, 0.9}) {
    const spikegrad::Flow f = qif::flow(p, V, 2.0, 3.0);
    CHECK(qif::spikeTime(p, f.V, f.I).dt == kInf);
  }
}

// ---------------------------------------------------------------------------------------------
// QIF pseudodynamics

void testQifPseudoTable() {
  namespace qif = spikegrad::qif;
  const spikegrad::QifParams p;
  struct Row {
    double V, Ip;
    const char *S, *Theta, *phi, *t1, *rate, *dV, *dIp;
  };
  const Row rows[] = {
      {0, 0, "6.931472", "1.193266", "0.525347", "0.667919", "0.440260", "-0.1392472",
       "-0.02660121"},
      {0.5, 2, "7.981389", "1.112015", "0.556007", "0.556007", "0.5", "-0.1252915", "-0.01915154"},
      {-2, -30, "0.485874", "4.507007", "0.390093", "4.116914", "0.086553", "-0.1484588",
       "-0.2190387"},
  };
  for (const Row& r : rows) {
    context() = fmt("4.1 pseudo row", {r.V, r.Ip});
    const spikegrad::Pseudo k1 = qif::pseudoOffset(p, r.V, r.Ip, 1);
    const spikegrad::Pseudo k2 = qif::pseudoOffset(p, r.V, r.Ip, 2);
    const double Theta = k2.offset - k1.offset;
    const double phi = Theta - k1.offset;
    CHECK_PRINTED(p.alpha * spikegrad::softplus(r.Ip / p.alpha), r.S);
    CHECK_PRINTED(Theta, r.Theta);
    CHECK_PRINTED(phi, r.phi);
    CHECK_PRINTED(k1.offset, r.t1);
    CHECK_PRINTED(qif::rate(p, r.V, r.Ip).r, r.rate);
    CHECK_PRINTED(k1.d_dV, r.dV);
    CHECK_PRINTED(k1.d_dIp, r.dIp);
  }
  context().clear();
  const spikegrad::Rate r0 = qif::rate(p, 0.0, 0.0);
  CHECK_PRINTED(r0.d_dV, "0.1166942");
  CHECK_PRINTED(r0.d_dIp, "0.002104427");
  // Limits: V(T) = 1e6 gives t1 ~ T + 1e-6; V(T) = -1e6 gives t1 ~ T + Theta_p.
  const double Theta0 = kPi / std::sqrt(p.alpha * std::log(2.0));
  CHECK_NEAR(qif::pseudoOffset(p, 1e6, 0.0, 1).offset, 1e-6, 1e-11, 0);
  CHECK_NEAR(qif::pseudoOffset(p, -1e6, 0.0, 1).offset, Theta0, 1e-5, 0);
  // Exact infinities.
  const spikegrad::Pseudo pinf = qif::pseudoOffset(p, kInf, 0.0, 1);
  const spikegrad::Pseudo minf = qif::pseudoOffset(p, -kInf, 0.0, 1);
  CHECK(pinf.offset == 0.0 && pinf.d_dV == 0.0);
  CHECK_NEAR(minf.offset, Theta0, 0, 1e-15);
  CHECK(minf.d_dV == 0.0);
  // With k: the k-th pseudospike of V = +inf is at (k-1) Theta_p.
  CHECK_NEAR(qif::pseudoOffset(p, kInf, 0.0, 3).offset, 2.0 * Theta0, 0, 1e-15);
  // d offset / dIp at V = +-inf: -offset/(2S) sigmoid (the c-term vanishes).
  CHECK_NEAR(minf.d_dIp, -Theta0 * 0.5 / (2.0 * p.alpha * std::log(2.0)), 0, 1e-14);
  const spikegrad::Rate rinf = qif::rate(p, kInf, 5.0), rminf = qif::rate(p, -kInf, 5.0);
  CHECK(rinf.r == 1.0 && rinf.d_dV == 0.0 && rinf.d_dIp == 0.0);
  CHECK(rminf.r == 0.0 && rminf.d_dV == 0.0 && rminf.d_dIp == 0.0);
  // The rate equals phi_p / Theta_p.
  {
    const double o1 = qif::pseudoOffset(p, 1.3, -3.0, 1).offset;
    const double o2 = qif::pseudoOffset(p, 1.3, -3.0, 2).offset;
    CHECK_NEAR(qif::rate(p, 1.3, -3.0).r, 1.0 - o1 / (o2 - o1), 0, 1e-13);  // (Theta - t1)/Theta
  }
}

void testQifPseudoFd() {
  namespace qif = spikegrad::qif;
  Rng rng(5);
  int checked = 0;
  for (const double alpha : {10.0, 1.0, 37.0}) {
    spikegrad::QifParams p;
    p.alpha = alpha;
    p.tau = alpha == 1.0 ? 0.7 : 1.0;
    for (int i = 0; i < 80; ++i) {
      double V = rng.uniform(-6.0, 6.0);
      if (i % 10 == 0) V = 0.5;  // c = 0
      if (i % 10 == 1) V = rng.uniform(-1e6, 1e6);
      if (i % 10 == 2) V = -1e6;
      const double Ip = (i % 7 == 0) ? 0.0 : rng.uniform(-80.0, 80.0);
      const int k = 1 + i % 3;
      context() = fmt("pseudo alpha V Ip k", {alpha, V, Ip, static_cast<double>(k)});
      const spikegrad::Pseudo ps = qif::pseudoOffset(p, V, Ip, k);
      const spikegrad::Rate rt = qif::rate(p, V, Ip);
      // Both functions of V vary on the scale sqrt(S + c^2), which is tiny when S is.
      const double c = V - 0.5, S = p.alpha * spikegrad::softplus(Ip / p.alpha);
      const double hV = std::fmin(scaleOf(V), std::sqrt(S + c * c));
      if (hV > 1e-7 * scaleOf(V)) {  // else V +- h is not representable accurately enough
        CHECK_FD([&](double x) { return qif::pseudoOffset(p, x, Ip, k).offset; }, V, hV, ps.d_dV);
        CHECK_FD([&](double x) { return qif::rate(p, x, Ip).r; }, V, hV, rt.d_dV);
      } else {
        CHECK_NEAR(ps.d_dV, -p.tau / (S + c * c), 0, 1e-12);
      }
      CHECK_FD([&](double x) { return qif::pseudoOffset(p, V, x, k).offset; }, Ip, scaleOf(Ip),
               ps.d_dIp);
      CHECK_FD([&](double x) { return qif::rate(p, V, x).r; }, Ip, scaleOf(Ip), rt.d_dIp);
      CHECK(rt.r >= 0.0 && rt.r <= 1.0);  // in (0, 1); may round to 0 or 1 at extreme V
      ++checked;
    }
  }
  context().clear();
  // Very negative pseudo current, where S underflows (I_p/alpha < -745): finite results.
  const spikegrad::QifParams p;
  const spikegrad::Pseudo ps = qif::pseudoOffset(p, 0.0, -1e4, 1);
  const spikegrad::Rate rt = qif::rate(p, 0.0, -1e4);
  CHECK(std::isfinite(ps.offset) && std::isfinite(ps.d_dV) && std::isfinite(ps.d_dIp));
  CHECK(std::isfinite(rt.r) && std::isfinite(rt.d_dV) && std::isfinite(rt.d_dIp));
  std::printf("qif pseudodynamics: finite differences at %d states\n", checked);
}

/// The state at the pole (method.md 2.1, "The trial end at the pole"): pole(dt, I) inverts the
/// spike time, and the pseudo functions in psi equal those in V with bounded derivatives.
void testQifPole() {
  namespace qif = spikegrad::qif;
  Rng rng(11);
  int checked = 0;
  for (const double tau : {1.0, 2.0, 0.3}) {
    spikegrad::QifParams p;
    p.tau = tau;
    for (const double I : {0.0, 1e-9, -1e-9, 2.5, -3.0, 40.0, -400.0, 1e13}) {
      for (const double dt : {0.0, 1e-300, 1e-12, 1e-9, 3e-7, 1e-6, 1e-4, 0.02}) {
        // A pole state's spike is its first: for I > 0 the Riccati time to it is below pi/sqrt(I).
        if (std::sqrt(std::fmax(I, 0.0)) * dt / tau >= 3.0) continue;
        context() = fmt("qif pole tau I dt", {tau, I, dt});
        const spikegrad::Pole pl = qif::pole(p, dt, I);
        CHECK(pl.psi >= 0.0 && pl.psi < kPi);
        CHECK(std::isfinite(pl.dpsi_ddt) && std::isfinite(pl.dpsi_dI));
        CHECK_NEAR(pl.psi, std::atan2(1.0, pl.V), 1e-300, 1e-14);
        if (dt == 0.0) CHECK(pl.V == kInf && pl.psi == 0.0);
        // The spike time of the state (V, I) is dt (where V is finite).
        if (std::isfinite(pl.V)) {
          CHECK_NEAR(qif::spikeTime(p, pl.V, I).dt, dt, 1e-300, 1e-9);
        }
        // d psi/d dt and d psi/dI against finite differences (dt stays >= 0).
        if (dt > 1e-200) {
          CHECK_FD([&](double x) { return qif::pole(p, x, I).psi; }, dt, dt, pl.dpsi_ddt);
        } else {
          CHECK_NEAR(pl.dpsi_ddt, 1.0 / tau, 0, 1e-12);  // psi = dt / tau + O(dt^2)
        }
        CHECK_FD([&](double x) { return qif::pole(p, dt, x).psi; }, I, scaleOf(I), pl.dpsi_dI);
        // The pseudo functions in psi: equal to those in V, d/dpsi = d/dV dV/dpsi with
        // dV/dpsi = -1/sin^2 psi, and against finite differences in psi.
        for (const double Ip : {0.0, 3.0, -25.0}) {
          const int k = 1 + checked % 3;
          const spikegrad::Pseudo a = qif::pseudoAtPole(p, pl.psi, Ip, k);
          const spikegrad::Rate ra = qif::rateAtPole(p, pl.psi, Ip);
          CHECK(std::isfinite(a.offset) && std::isfinite(a.d_dV) && std::isfinite(a.d_dIp));
          CHECK(std::isfinite(ra.r) && std::isfinite(ra.d_dV) && std::isfinite(ra.d_dIp));
          if (std::isfinite(pl.V)) {
            const spikegrad::Pseudo b = qif::pseudoOffset(p, pl.V, Ip, k);
            const spikegrad::Rate rb = qif::rate(p, pl.V, Ip);
            CHECK_NEAR(a.offset, b.offset, 1e-15, 1e-12);
            CHECK_NEAR(a.d_dIp, b.d_dIp, 1e-15, 1e-9);
            CHECK_NEAR(ra.r, rb.r, 1e-15, 1e-12);
            CHECK_NEAR(ra.d_dIp, rb.d_dIp, 1e-15, 1e-9);
            const double sn = std::sin(pl.psi);
            if (std::fabs(pl.V) < 1e100) {
              CHECK_NEAR(a.d_dV, -b.d_dV / (sn * sn), 1e-12, 1e-9);
              CHECK_NEAR(ra.d_dV, -rb.d_dV / (sn * sn), 1e-12, 1e-9);
            }
          }
          // (psi is the angle in [0, pi): the differences are taken at psi >= 0.01.)
          const double x0 = std::fmax(pl.psi, 0.01), h = std::fmin(x0, kPi - x0);
          CHECK_FD([&](double x) { return qif::pseudoAtPole(p, x, Ip, k).offset; }, x0, h,
                   qif::pseudoAtPole(p, x0, Ip, k).d_dV);
          CHECK_FD([&](double x) { return qif::rateAtPole(p, x, Ip).r; }, x0, h,
                   qif::rateAtPole(p, x0, Ip).d_dV);
          ++checked;
        }
      }
    }
  }
  context().clear();
  // Continuity through T: at psi = 0 (spike exactly at T) the first pseudospike is at T, with
  // d offset / d dt = (d offset / d psi)(d psi / d dt) = 1, the derivative of the ordinary spike.
  const spikegrad::QifParams p;
  const spikegrad::Pole pl = qif::pole(p, 0.0, 2.0);
  const spikegrad::Pseudo at = qif::pseudoAtPole(p, pl.psi, 2.0, 1);
  CHECK(at.offset == 0.0);
  CHECK_NEAR(at.d_dV * pl.dpsi_ddt, 1.0, 0, 1e-15);
  CHECK_NEAR(qif::rateAtPole(p, 0.0, 0.0).r, 1.0, 0, 1e-15);
  std::printf("qif pole: %d states\n", checked);
}

// ---------------------------------------------------------------------------------------------
// Theta neuron

void testTheta() {
  namespace theta = spikegrad::theta;
  spikegrad::ThetaParams p;
  p.tau = 6.0 / kPi;
  CHECK_NEAR(p.r(), 1.0, 0, 1e-15);
  CHECK_NEAR(p.period(), 6.0, 0, 1e-15);
  struct Row {
    double phi, w;
    const char *H, *dphi, *dw;
  };
  const Row rows[] = {
      {3, 1, "4.5", "0.5", "0.9549296586"},
      {3, -1, "1.5", "0.5", "0.9549296586"},
      {1, 2, "3.5", "3.732050808", "1.781923002"},
      {5, 0.5, "5.195557960", "0.6686670055", "0.3192649776"},
      {3, 10, "5.809646895", "0.009900990099", "0.01890949819"},
  };
  for (const Row& r : rows) {
    context() = fmt("A.1 theta row", {r.phi, r.w});
    const spikegrad::Kick k = theta::kick(p, r.phi, r.w);
    CHECK_PRINTED(k.phi, r.H);
    CHECK_PRINTED(k.d_dphi, r.dphi);
    CHECK_PRINTED(k.d_dw, r.dw);
  }
  context().clear();
  // MNIST: free evolution to phase 5 gives V = 1/2 + tan(pi/3).
  CHECK_NEAR(theta::vOfPhase(p, 5.0), 0.5 + std::tan(kPi / 3.0), 0, 1e-14);
  CHECK_NEAR(theta::vOfPhase(p, 3.0), 0.5, 1e-15, 0);
  // Guards: unchanged phase, d_dphi = 1, d_dw = 0 at and beyond eps of 0 and Theta.
  for (double phi : {0.0, 1e-7, 1e-6, 6.0 - 1e-6, 6.0, 7.0, -1.0}) {
    const spikegrad::Kick k = theta::kick(p, phi, 2.0);
    CHECK(k.phi == phi && k.d_dphi == 1.0 && k.d_dw == 0.0);
  }
  CHECK(theta::vOfPhase(p, 0.0) == -1e6);
  CHECK(theta::vOfPhase(p, 6.0) == 1e6);
  CHECK(theta::phaseOfV(p, -kInf) == 0.0);
  CHECK_NEAR(theta::phaseOfV(p, kInf), 6.0, 0, 1e-15);
  // Finite differences, including phases near 0 and near Theta, for several parameter sets.
  Rng rng(3);
  int checked = 0;
  for (const double I0 : {1.25, 0.3, 4.0}) {
    spikegrad::ThetaParams q;
    q.I0 = I0;
    q.tau = I0 == 0.3 ? 2.0 : 6.0 / kPi;
    const double Theta = q.period();
    for (int i = 0; i < 60; ++i) {
      double phi = rng.uniform(0.01, 0.99) * Theta;
      if (i % 6 == 0) phi = rng.uniform(1e-5, 1e-3) * Theta;
      if (i % 6 == 1) phi = Theta * (1.0 - rng.uniform(1e-5, 1e-3));
      double w = rng.uniform(-5.0, 5.0);
      if (i % 5 == 0) w = 0.0;
      if (i % 7 == 0) w = rng.uniform(-200.0, 200.0);
      context() = fmt("theta I0 phi w", {I0, phi, w});
      const spikegrad::Kick k = theta::kick(q, phi, w);
      CHECK(k.phi > 0.0 && k.phi < Theta);
      const double hphi = std::fmin(phi, Theta - phi);  // stay inside the guards
      CHECK_FD([&](double x) { return theta::kick(q, x, w).phi; }, phi, hphi, k.d_dphi);
      CHECK_FD([&](double x) { return theta::kick(q, phi, x).phi; }, w, scaleOf(w), k.d_dw);
      // H = Phi(iPhi(phi) + w) and H(H(phi, w1), w2) = H(phi, w1 + w2).
      if (std::fabs(theta::vOfPhase(q, phi)) < 1e3) {
        CHECK_NEAR(k.phi, theta::phaseOfV(q, theta::vOfPhase(q, phi) + w), 1e-12, 1e-10);
      }
      const double w1 = 0.37 * w, w2 = w - w1;
      const spikegrad::Kick k1 = theta::kick(q, phi, w1);
      if (k1.phi > q.eps * 10 && k1.phi < Theta - q.eps * 10) {
        CHECK_NEAR(theta::kick(q, k1.phi, w2).phi, k.phi, 1e-9, 1e-9);
      }
      // Round trip Phi(iPhi(phi)) = phi and d iPhi/dphi = F(iPhi(phi))/tau.
      const double V = theta::vOfPhase(q, phi);
      if (std::fabs(V) < 1e4) {
        CHECK_NEAR(theta::phaseOfV(q, V), phi, 1e-12, 1e-10);
        CHECK_FD([&](double x) { return theta::vOfPhase(q, x); }, phi, hphi,
                 (V * V - V + q.I0) / q.tau);
        CHECK_FD([&](double x) { return theta::phaseOfV(q, x); }, V, scaleOf(V),
                 q.tau / (V * V - V + q.I0));
      }
      ++checked;
    }
  }
  context().clear();
  std::printf("theta: finite differences at %d states\n", checked);
  // pseudoKick (the trial end): kick without the guards. Equal to kick inside them, smooth
  // through the guard phases eps and Theta - eps, limited to [0, Theta], exact for w = 0.
  const double Theta = p.period();
  const double r = p.r();
  for (double phi : {0.3, 3.0, 5.9}) {
    for (double w : {-2.0, 0.5, 30.0}) {
      const spikegrad::Kick a = theta::pseudoKick(p, r, Theta, phi, w);
      const spikegrad::Kick b = theta::kick(p, phi, w);
      CHECK_NEAR(a.phi, b.phi, 0, 1e-15);
      CHECK_NEAR(a.d_dphi, b.d_dphi, 0, 1e-15);
      CHECK_NEAR(a.d_dw, b.d_dw, 0, 1e-15);
    }
  }
  for (double d : {3e-6, 1.01e-6, 0.99e-6, 3e-7, 1e-9}) {
    for (double phi : {Theta - d, d}) {
      const double w = 30.0;
      context() = fmt("theta pseudoKick phi w", {phi, w});
      const spikegrad::Kick k = theta::pseudoKick(p, r, Theta, phi, w);
      CHECK(k.phi > 0.0 && k.phi < Theta);
      if (d > 1e-7) CHECK(k.phi != phi);  // the guards of kick would return phi
      CHECK_FD([&](double x) { return theta::pseudoKick(p, r, Theta, x, w).phi; }, phi, d,
               k.d_dphi);
      CHECK_FD([&](double x) { return theta::pseudoKick(p, r, Theta, phi, x).phi; }, w, w, k.d_dw);
    }
  }
  context().clear();
  CHECK(theta::pseudoKick(p, r, Theta, 0.0, 5.0).phi == 0.0);
  CHECK(theta::pseudoKick(p, r, Theta, -0.0, 5.0).phi == 0.0);
  CHECK(theta::pseudoKick(p, r, Theta, 2.0, 0.0).phi == 2.0);
  const spikegrad::Kick top = theta::pseudoKick(p, r, Theta, Theta * (1 + 1e-15), 5.0);
  CHECK(top.phi <= Theta && top.phi > Theta - 1e-12);
  CHECK_NEAR(top.d_dphi, 1.0, 0, 1e-9);
}

// ---------------------------------------------------------------------------------------------
// LIF

void testLif() {
  namespace lif = spikegrad::lif;
  const spikegrad::LifParams p;
  struct Row {
    double V0, I0;
    const char *dt, *dV0, *dI0;
  };
  const Row rows[] = {
      {0, 5, "0.3235071312", "-0.4472135955", "-0.1236067977"},
      {0.5, 3, "0.4054651081", "-2.0", "-0.6666666667"},
  };
  for (const Row& r : rows) {
    context() = fmt("A.1 LIF row", {r.V0, r.I0});
    const spikegrad::SpikeTime st = lif::spikeTime(p, r.V0, r.I0);
    CHECK_PRINTED(st.dt, r.dt);
    CHECK_PRINTED(st.d_dV, r.dV0);
    CHECK_PRINTED(st.d_dI, r.dI0);
  }
  context().clear();
  // From rest a spike needs I0 > 4 V_th; the peak of a kick response is I0/4 at t = tau ln 2.
  CHECK(lif::spikeTime(p, 0.0, 4.0 * (1.0 - 1e-9)).dt == kInf);
  CHECK(lif::spikeTime(p, 0.0, 4.0).dt == kInf);  // tangential touch: no spike
  CHECK(std::isfinite(lif::spikeTime(p, 0.0, 4.0 * (1.0 + 1e-9)).dt));
  CHECK_NEAR(lif::spikeTime(p, 0.0, 4.0 * (1.0 + 1e-9)).dt, std::log(2.0), 1e-4, 0);
  CHECK_NEAR(lif::flow(p, 0.0, 4.0, std::log(2.0)).V, 1.0, 0, 1e-15);
  // No spike: I <= 0, or at/above the threshold (crossing in the past).
  CHECK(lif::spikeTime(p, 0.5, 0.0).dt == kInf);
  CHECK(lif::spikeTime(p, 0.5, -2.0).dt == kInf);
  CHECK(lif::spikeTime(p, 1.5, 3.0).dt == kInf);
  // The flow: Delta <= 0 keeps the state; its Delta-derivatives are the vector field at 0+.
  {
    const spikegrad::Flow f = lif::flow(p, 0.3, 2.0, 0.0);
    CHECK(f.V == 0.3 && f.I == 2.0 && f.dV_dV0 == 1.0 && f.dI_dI0 == 1.0);
    CHECK(f.dV_dI0 == 0.0);
    CHECK_NEAR(f.dV_dDelta, 2.0 - 0.3, 1e-15, 0);
    CHECK_NEAR(f.dI_dDelta, -4.0, 1e-15, 0);
  }
  Rng rng(17);
  int checked = 0;
  for (int i = 0; i < 200; ++i) {
    const double V0 = rng.uniform(-2.0, 0.95), I0 = rng.uniform(-10.0, 20.0);
    const double Delta = rng.uniform(0.001, 3.0);
    context() = fmt("lif V0 I0 Delta", {V0, I0, Delta});
    const spikegrad::Flow f = lif::flow(p, V0, I0, Delta);
    CHECK_FD([&](double x) { return lif::flow(p, x, I0, Delta).V; }, V0, scaleOf(V0), f.dV_dV0);
    CHECK_FD([&](double x) { return lif::flow(p, V0, x, Delta).V; }, I0, scaleOf(I0), f.dV_dI0);
    CHECK_FD([&](double x) { return lif::flow(p, V0, I0, x).V; }, Delta, Delta, f.dV_dDelta);
    CHECK_FD([&](double x) { return lif::flow(p, V0, x, Delta).I; }, I0, scaleOf(I0), f.dI_dI0);
    CHECK_FD([&](double x) { return lif::flow(p, V0, I0, x).I; }, Delta, Delta, f.dI_dDelta);
    const spikegrad::SpikeTime st = lif::spikeTime(p, V0, I0);
    if (std::isfinite(st.dt) && std::fabs(st.d_dV) < 50.0) {
      CHECK_FD([&](double x) { return lif::spikeTime(p, x, I0).dt; }, V0, 0.01, st.d_dV);
      CHECK_FD([&](double x) { return lif::spikeTime(p, V0, x).dt; }, I0, 0.01, st.d_dI);
      // The crossing is a true threshold crossing of the flow.
      CHECK_NEAR(lif::flow(p, V0, I0, st.dt).V, p.vth, 1e-12, 0);
      ++checked;
    }
  }
  context().clear();
  CHECK(checked > 30);
  std::printf("lif spike time: finite differences at %d states\n", checked);

  // Pseudodynamics (spikegrad's extension): closed forms and finite differences.
  {
    const double S = p.alpha * std::log(2.0), Ieff = p.vth + S;
    const double Theta = std::log(Ieff / (Ieff - p.vth)), phi = std::log(Ieff / (Ieff - 0.4));
    CHECK_NEAR(lif::pseudoOffset(p, 0.4, 0.0, 1).offset, Theta - phi, 0, 1e-14);
    CHECK_NEAR(lif::pseudoOffset(p, 0.4, 0.0, 3).offset, 3.0 * Theta - phi, 0, 1e-14);
    CHECK_NEAR(lif::rate(p, 0.4, 0.0).r, phi / Theta, 0, 1e-14);
    CHECK(lif::rate(p, 0.0, 3.0).r == 0.0);
    CHECK_NEAR(lif::rate(p, p.vth, 3.0).r, 1.0, 0, 1e-14);
    CHECK_NEAR(lif::pseudoOffset(p, p.vth, 3.0, 1).offset, 0.0, 1e-14, 0);
    CHECK(lif::pseudoOffset(p, 2.0, 3.0, 1).d_dV == 0.0);  // above threshold: limited to vth
  }
  int pchecked = 0;
  for (const double alpha : {10.0, 2.0}) {
    spikegrad::LifParams q;
    q.alpha = alpha;
    q.vth = alpha == 2.0 ? 1.7 : 1.0;
    q.tau = alpha == 2.0 ? 0.5 : 1.0;
    for (int i = 0; i < 60; ++i) {
      double V = rng.uniform(-3.0, 0.99 * q.vth);
      if (i % 9 == 0) V = 0.0;
      const double Ip = (i % 7 == 0) ? 0.0 : rng.uniform(-60.0, 60.0);
      const int k = 1 + i % 3;
      context() = fmt("lif pseudo alpha V Ip k", {alpha, V, Ip, static_cast<double>(k)});
      const spikegrad::Pseudo ps = lif::pseudoOffset(q, V, Ip, k);
      const spikegrad::Rate rt = lif::rate(q, V, Ip);
      CHECK_FD([&](double x) { return lif::pseudoOffset(q, x, Ip, k).offset; }, V, 0.01, ps.d_dV);
      CHECK_FD([&](double x) { return lif::pseudoOffset(q, V, x, k).offset; }, Ip, scaleOf(Ip),
               ps.d_dIp);
      CHECK_FD([&](double x) { return lif::rate(q, x, Ip).r; }, V, 0.01, rt.d_dV);
      CHECK_FD([&](double x) { return lif::rate(q, V, x).r; }, Ip, scaleOf(Ip), rt.d_dIp);
      CHECK(ps.offset > (k - 1) * (lif::pseudoOffset(q, V, Ip, 2).offset - ps.offset) - 1e-12 ||
            k == 1);
      ++pchecked;
    }
  }
  context().clear();
  std::printf("lif pseudodynamics: finite differences at %d states\n", pchecked);
}

// ---------------------------------------------------------------------------------------------
// Oscillatory LIF

void testOscLif() {
  namespace osclif = spikegrad::osclif;
  const spikegrad::OscLifParams p;
  CHECK_PRINTED(p.period(), "1.6094379");
  CHECK_NEAR(p.period(), std::log(5.0), 0, 1e-15);
  {
    const spikegrad::Kick k = osclif::kick(p, 0.5, 0.2);
    CHECK_PRINTED(k.d_dw, "1.791590303");
    CHECK_PRINTED(k.d_dphi, "1.358318061");
    const double Vk = 1.25 * (1.0 - std::exp(-0.5)) + 0.2;
    CHECK_NEAR(k.phi, std::log(1.0 / (1.0 - Vk / 1.25)), 0, 1e-14);
  }
  // Clipping: an input reaching the threshold gives exactly Theta with zero derivatives.
  for (double w : {0.6, 1.0, 50.0}) {
    const spikegrad::Kick k = osclif::kick(p, 1.0, w);
    CHECK(k.phi == p.period() && k.d_dphi == 0.0 && k.d_dw == 0.0);
  }
  CHECK(osclif::kick(p, kInf, 0.0).phi == p.period());
  CHECK_NEAR(osclif::vOfPhase(p, p.period()), p.vth, 0, 1e-15);
  CHECK(osclif::vOfPhase(p, 0.0) == 0.0);
  CHECK(osclif::phaseOfV(p, 0.0) == 0.0);
  CHECK(osclif::phaseOfV(p, 3.0) == p.period());
  CHECK(osclif::phaseOfV(p, -kInf) == -kInf);
  Rng rng(23);
  int checked = 0;
  for (const double I0 : {1.25, 3.0}) {
    spikegrad::OscLifParams q;
    q.I0 = I0;
    q.tau = I0 == 3.0 ? 0.6 : 1.0;
    const double Theta = q.period();
    for (int i = 0; i < 80; ++i) {
      double phi = rng.uniform(0.0, 1.0) * Theta;
      if (i % 8 == 0) phi = rng.uniform(0.0, 1e-3);
      if (i % 8 == 1) phi = Theta * (1.0 - rng.uniform(1e-4, 1e-2));
      const double w = rng.uniform(-3.0, 1.0);
      const double Vk = osclif::vOfPhase(q, phi) + w;
      context() = fmt("osclif I0 phi w", {I0, phi, w});
      const spikegrad::Kick k = osclif::kick(q, phi, w);
      if (Vk >= q.vth) {
        CHECK(k.phi == Theta && k.d_dphi == 0.0 && k.d_dw == 0.0);
        continue;
      }
      CHECK_NEAR(k.phi, osclif::phaseOfV(q, Vk), 1e-13, 1e-12);
      if (q.vth - Vk < 1e-3) continue;  // keep finite-difference steps away from the clip
      CHECK_FD([&](double x) { return osclif::kick(q, x, w).phi; }, phi, 1.0, k.d_dphi);
      CHECK_FD([&](double x) { return osclif::kick(q, phi, x).phi; }, w, 1.0, k.d_dw);
      CHECK_NEAR(osclif::phaseOfV(q, osclif::vOfPhase(q, phi)), phi, 1e-14, 1e-12);
      ++checked;
    }
  }
  context().clear();
  std::printf("osclif: finite differences at %d states\n", checked);
}

// ---------------------------------------------------------------------------------------------
// No NaN anywhere

void testNoNaN() {
  namespace qif = spikegrad::qif;
  namespace lif = spikegrad::lif;
  namespace theta = spikegrad::theta;
  namespace osclif = spikegrad::osclif;
  std::vector<double> Vs = {-kInf, -1e300, -1e154,  -1e12, -1e6,   -1e3,  -10,   -3,  -2,
                            -1,    -0.5,   -1e-300, 0,     1e-300, 0.5,   1,     1.5, 2,
                            3,     10,     1e3,     1e6,   1e12,   1e154, 1e300, kInf};
  std::vector<double> Is = {-1e300,  -1e12, -1e6,
                            -1e4,    -900,  -100,
                            -4,      -1,    -1e-9,
                            -1e-300, 0,     1e-300,
                            1e-9,    1,     2.4674011002723395,
                            4,       9,     9.869604401089358,
                            10.5,    100,   1e4,
                            1e6,     1e12,  1e300};
  std::vector<double> Ds = {0, 1e-300, 1e-200, 1e-12, 1e-6, 1e-3, 0.1,  0.5,
                            1, 2,      10,     100,   1000, 1e6,  1e300};
  Rng rng(31);
  for (int i = 0; i < 25; ++i) {
    Vs.push_back(rng.uniform(-20.0, 20.0));
    Is.push_back(rng.uniform(-50.0, 50.0));
    Ds.push_back(rng.uniform(0.0, 5.0));
  }
  // Fixed points V = +-sqrt(-I) for every negative current.
  for (double I : std::vector<double>(Is)) {
    if (I < 0) {
      Vs.push_back(std::sqrt(-I));
      Vs.push_back(-std::sqrt(-I));
    }
  }
  const spikegrad::QifParams qp;
  const spikegrad::LifParams lp;
  long calls = 0, nans = 0;
  auto bad = [&](const char* what, std::initializer_list<double> in,
                 std::initializer_list<double> out) {
    ++calls;
    for (double x : out) {
      if (std::isnan(x)) {
        if (nans < 10) std::printf("  NaN from %s\n", fmt(what, in).c_str());
        ++nans;
        return;
      }
    }
  };
  for (double V : Vs) {
    for (double I : Is) {
      const spikegrad::SpikeTime st = qif::spikeTime(qp, V, I);
      bad("qif::spikeTime", {V, I}, {st.dt, st.d_dV, st.d_dI});
      const spikegrad::Rate rt = qif::rate(qp, V, I);
      bad("qif::rate", {V, I}, {rt.r, rt.d_dV, rt.d_dIp});
      for (int k : {1, 2, 5}) {
        const spikegrad::Pseudo ps = qif::pseudoOffset(qp, V, I, k);
        bad("qif::pseudoOffset", {V, I, static_cast<double>(k)}, {ps.offset, ps.d_dV, ps.d_dIp});
        const spikegrad::Pseudo lps = lif::pseudoOffset(lp, V, I, k);
        bad("lif::pseudoOffset", {V, I, static_cast<double>(k)}, {lps.offset, lps.d_dV, lps.d_dIp});
      }
      const spikegrad::Rate lrt = lif::rate(lp, V, I);
      bad("lif::rate", {V, I}, {lrt.r, lrt.d_dV, lrt.d_dIp});
      const spikegrad::SpikeTime lst = lif::spikeTime(lp, V, I);
      bad("lif::spikeTime", {V, I}, {lst.dt, lst.d_dV, lst.d_dI});
      for (double D : Ds) {
        if (V != kInf) {
          const spikegrad::Flow f = qif::flow(qp, V, I, D);
          bad("qif::flow", {V, I, D},
              {f.V, f.I, f.dV_dV0, f.dV_dI0, f.dV_dDelta, f.dI_dI0, f.dI_dDelta});
        }
        const spikegrad::Flow g = lif::flow(lp, V, I, D);
        bad("lif::flow", {V, I, D},
            {g.V, g.I, g.dV_dV0, g.dV_dI0, g.dV_dDelta, g.dI_dI0, g.dI_dDelta});
      }
    }
  }
  // Log-uniform random magnitudes over the whole double range.
  auto logRandom = [&rng](double lo, double hi) {
    const double m = std::pow(10.0, rng.uniform(lo, hi));
    return rng.uniform() < 0.5 ? -m : m;
  };
  for (int i = 0; i < 100000; ++i) {
    const double V = logRandom(-300, 300), I = logRandom(-300, 300);
    const double D = std::fabs(logRandom(-300, 4));
    const spikegrad::Flow f = qif::flow(qp, V, I, D);
    bad("qif::flow (log sweep)", {V, I, D},
        {f.V, f.I, f.dV_dV0, f.dV_dI0, f.dV_dDelta, f.dI_dI0, f.dI_dDelta});
    const spikegrad::SpikeTime st = qif::spikeTime(qp, V, I);
    bad("qif::spikeTime (log sweep)", {V, I}, {st.dt, st.d_dV, st.d_dI});
    const spikegrad::Pseudo ps = qif::pseudoOffset(qp, V, I, 1 + i % 3);
    bad("qif::pseudoOffset (log sweep)", {V, I}, {ps.offset, ps.d_dV, ps.d_dIp});
    const spikegrad::Rate rt = qif::rate(qp, V, I);
    bad("qif::rate (log sweep)", {V, I}, {rt.r, rt.d_dV, rt.d_dIp});
    const spikegrad::Flow g = lif::flow(lp, V, I, D);
    bad("lif::flow (log sweep)", {V, I, D},
        {g.V, g.I, g.dV_dV0, g.dV_dI0, g.dV_dDelta, g.dI_dI0, g.dI_dDelta});
    const spikegrad::SpikeTime lst = lif::spikeTime(lp, V, I);
    bad("lif::spikeTime (log sweep)", {V, I}, {lst.dt, lst.d_dV, lst.d_dI});
    const spikegrad::Pseudo lps = lif::pseudoOffset(lp, V, I, 1 + i % 3);
    bad("lif::pseudoOffset (log sweep)", {V, I}, {lps.offset, lps.d_dV, lps.d_dIp});
    const spikegrad::Rate lrt = lif::rate(lp, V, I);
    bad("lif::rate (log sweep)", {V, I}, {lrt.r, lrt.d_dV, lrt.d_dIp});
    const spikegrad::ThetaParams tp;
    const spikegrad::OscLifParams op;
    const double phi = rng.uniform(-0.1, 1.1) * tp.period();
    const spikegrad::Kick k = theta::kick(tp, phi, V);
    bad("theta::kick (log sweep)", {phi, V}, {k.phi, k.d_dphi, k.d_dw});
    const spikegrad::Kick o = osclif::kick(op, phi, V);
    bad("osclif::kick (log sweep)", {phi, V}, {o.phi, o.d_dphi, o.d_dw});
  }
  // The unstable fixed point V0 = a with 1 - tanh(a s) subnormal or underflowing (a s near 372).
  for (double a : {500.0, 1000.0}) {
    for (int j = 0; j <= 40; ++j) {
      const double z = 340.0 + j, s = z / a, D = -std::log1p(-s);
      const spikegrad::Flow f = qif::flow(qp, a, -a * a, D);
      bad("qif::flow (saturated fixed point)", {a, z},
          {f.V, f.I, f.dV_dV0, f.dV_dI0, f.dV_dDelta, f.dI_dI0, f.dI_dDelta});
      context() = fmt("saturated fixed point a z", {a, z});
      CHECK_NEAR(f.V, a * (1.0 - s), 0, 1e-12);
    }
  }
  context().clear();
  for (double c : Is) {
    for (double s : {0.0, 1e-300, 1e-9, 0.1, 0.5, 0.9, 1.0}) {
      bad("qif::chi", {c, s}, {qif::chi(c, s), qif::chiDc(c, s)});
    }
  }
  // Phase models, also with a tiny eps (phases extremely close to the singular ends).
  for (double eps : {1e-6, 1e-300}) {
    spikegrad::ThetaParams tp;
    tp.eps = eps;
    const spikegrad::OscLifParams op;
    std::vector<double> phis = {-kInf,
                                -1e300,
                                -1,
                                0,
                                1e-300,
                                1e-250,
                                1e-7,
                                1e-6,
                                1.0000001e-6,
                                1e-3,
                                1,
                                0.5 * tp.period(),
                                tp.period() - 1e-3,
                                tp.period() - 2e-6,
                                tp.period(),
                                10,
                                1e300,
                                kInf};
    const std::vector<double> ws = {-1e300, -1e6, -3, -1, 0, 0.2, 1, 1e6, 1e300};
    for (double phi : phis) {
      bad("theta::vOfPhase", {phi}, {theta::vOfPhase(tp, phi), osclif::vOfPhase(op, phi)});
      for (double w : ws) {
        const spikegrad::Kick k = theta::kick(tp, phi, w);
        bad("theta::kick", {eps, phi, w}, {k.phi, k.d_dphi, k.d_dw});
        const spikegrad::Kick o = osclif::kick(op, phi, w);
        bad("osclif::kick", {phi, w}, {o.phi, o.d_dphi, o.d_dw});
      }
    }
    for (double V : Vs) {
      bad("phaseOfV", {V}, {theta::phaseOfV(tp, V), osclif::phaseOfV(op, V)});
    }
  }
  std::printf("no-NaN sweep: %ld calls\n", calls);
  CHECK(nans == 0);
}

// ---------------------------------------------------------------------------------------------
// Parameter validation

void testValidate() {
  spikegrad::QifParams q;
  EXPECT_VALID(q);
  q.tau = 0.0;
  EXPECT_INVALID(q, "tau");
  q = {};
  q.tau = NAN;
  EXPECT_INVALID(q, "tau");
  q = {};
  q.alpha = -1.0;
  EXPECT_INVALID(q, "alpha");
  q = {};
  q.alpha = kInf;
  EXPECT_INVALID(q, "alpha");
  q = {};
  q.eps = 0.0;
  EXPECT_INVALID(q, "eps");
  q = {};
  q.eps = 0.01;
  EXPECT_INVALID(q, "eps");

  spikegrad::ThetaParams t;
  EXPECT_VALID(t);
  t.I0 = 0.2;
  EXPECT_INVALID(t, "I0");
  {
    std::string msg;
    try {
      t.validate();
    } catch (const std::invalid_argument& e) {
      msg = e.what();
    }
    CHECK(msg == "theta: I0 must be greater than 1/4 (got 0.2)");
    if (msg != "theta: I0 must be greater than 1/4 (got 0.2)") std::printf("  %s\n", msg.c_str());
  }
  t.I0 = 0.25;
  EXPECT_INVALID(t, "I0");
  t = {};
  t.tau = -2.0;
  EXPECT_INVALID(t, "tau");
  t = {};
  t.eps = -1e-6;
  EXPECT_INVALID(t, "eps");

  spikegrad::LifParams l;
  EXPECT_VALID(l);
  l.tau = 0.0;
  EXPECT_INVALID(l, "tau");
  l = {};
  l.vth = 0.0;
  EXPECT_INVALID(l, "vth");
  l = {};
  l.alpha = 0.0;
  EXPECT_INVALID(l, "alpha");

  spikegrad::OscLifParams o;
  EXPECT_VALID(o);
  o.I0 = 1.0;  // must exceed vth = 1
  EXPECT_INVALID(o, "I0");
  o = {};
  o.vth = -1.0;
  EXPECT_INVALID(o, "vth");
  o = {};
  o.tau = kInf;
  EXPECT_INVALID(o, "tau");
  o = {};
  o.eps = 0.5;
  EXPECT_INVALID(o, "eps");
}

}  // namespace

int main() {
  testMath();
  testChi();
  testQifFlowTable();
  testQifFlowFd();
  testQifFlowSpecial();
  testQifSpikeTimeTable();
  testQifSpikeTime();
  testQifPseudoTable();
  testQifPseudoFd();
  testQifPole();
  testTheta();
  testLif();
  testOscLif();
  testNoNaN();
  testValidate();
  return spikegrad::test::finish();
}
