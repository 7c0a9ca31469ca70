// The dense per-event kernels of the layered engine (layered.hpp): contiguous vector operations
// on a layer's state and weight columns.
//
// Each kernel has an AVX2 clone next to the build's instruction-set level where core/clones.hpp
// provides one (x86-64 Linux with GCC): every element is computed by the same IEEE multiply and
// add in both clones and the partial sums keep their order, so the results are bit-identical on
// every CPU. Elsewhere (aarch64, macOS, wasm, clang) the kernels are plain loops for the
// compiler's auto-vectoriser.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>

#include "core/clones.hpp"

#if SPIKEGRAD_HAS_AVX2_CLONES
#define SPIKEGRAD_KERNEL SPIKEGRAD_AVX2_CLONES static
#else
#define SPIKEGRAD_KERNEL static inline
#endif

// A body shared by kernels, inlined into each (and so compiled for each clone).
#if defined(__GNUC__) || defined(__clang__)
#define SPIKEGRAD_BODY static inline __attribute__((always_inline))
#elif defined(_MSC_VER)
#define SPIKEGRAD_BODY static __forceinline
#else
#define SPIKEGRAD_BODY static inline
#endif

namespace spikegrad {
namespace engine {
namespace kernels {

/// y[q] += a x[q].
SPIKEGRAD_KERNEL void axpy(double* __restrict y, const double* __restrict x, double a,
                           std::size_t count) {
  for (std::size_t q = 0; q < count; ++q) y[q] += x[q] * a;
}

/// y[q] += x[q].
SPIKEGRAD_KERNEL void add(double* __restrict y, const double* __restrict x, std::size_t count) {
  for (std::size_t q = 0; q < count; ++q) y[q] += x[q];
}

/// sum_q x[q] in four interleaved partial sums.
SPIKEGRAD_KERNEL double sum(const double* x, std::size_t count) {
  double acc[4] = {0.0, 0.0, 0.0, 0.0};
  std::size_t q = 0;
  for (; q + 4 <= count; q += 4) {
    for (std::size_t k = 0; k < 4; ++k) acc[k] += x[q + k];
  }
  for (; q < count; ++q) acc[q & 3] += x[q];
  return (acc[0] + acc[1]) + (acc[2] + acc[3]);
}

/// y[q] += a x[q], and returns sum_q x[q] w[q] in four interleaved partial sums (the order
/// differs from a sequential sum by round-off only, and is the same in every clone): one pass
/// over x for both.
SPIKEGRAD_KERNEL double axpyDot(double* __restrict y, const double* __restrict x, double a,
                                const double* __restrict w, std::size_t count) {
  double acc[4] = {0.0, 0.0, 0.0, 0.0};
  std::size_t q = 0;
  for (; q + 4 <= count; q += 4) {
    for (std::size_t k = 0; k < 4; ++k) {
      y[q + k] += x[q + k] * a;
      acc[k] += x[q + k] * w[q + k];
    }
  }
  for (; q < count; ++q) {
    y[q] += x[q] * a;
    acc[q & 3] += x[q] * w[q];
  }
  return (acc[0] + acc[1]) + (acc[2] + acc[3]);
}

/// y[q] = (((y[q] + x0[q] a0) + x1[q] a1) + x2[q] a2) + x3[q] a3: four axpy in a row, in the
/// same order (bit-identical to them), with y loaded and stored once.
SPIKEGRAD_KERNEL void axpy4(double* __restrict y, const double* __restrict x0,
                            const double* __restrict x1, const double* __restrict x2,
                            const double* __restrict x3, double a0, double a1, double a2, double a3,
                            std::size_t count) {
  for (std::size_t q = 0; q < count; ++q) {
    y[q] = (((y[q] + x0[q] * a0) + x1[q] * a1) + x2[q] * a2) + x3[q] * a3;
  }
}

/// y[q] = (((y[q] + x0[q]) + x1[q]) + x2[q]) + x3[q]: four add in a row, in the same order.
SPIKEGRAD_KERNEL void add4(double* __restrict y, const double* __restrict x0,
                           const double* __restrict x1, const double* __restrict x2,
                           const double* __restrict x3, std::size_t count) {
  for (std::size_t q = 0; q < count; ++q) y[q] = (((y[q] + x0[q]) + x1[q]) + x2[q]) + x3[q];
}

/// y0[q] += x[q], y1[q] += x[q], y2[q] += x[q], y3[q] += x[q]: add into four distinct columns
/// (the caller checks), x loaded once.
SPIKEGRAD_KERNEL void addTo4(double* __restrict y0, double* __restrict y1, double* __restrict y2,
                             double* __restrict y3, const double* __restrict x, std::size_t count) {
  for (std::size_t q = 0; q < count; ++q) {
    const double v = x[q];
    y0[q] += v;
    y1[q] += v;
    y2[q] += v;
    y3[q] += v;
  }
}

// ---- The kick of one input event onto a layer (LayeredTheta::forward) ----------------------
// The common path of a neuron (not guarded, last updated at the layer's previous event, finite
// state, flowed state inside the guard band) is the same sequence of IEEE operations as the
// scalar path of the theta engine, computed for every neuron of the layer without branches in
// one pass (flowKick); the few other neurons are flagged and left unchanged, and the caller
// redoes them with the scalar code (so every neuron's result is exactly the scalar one).

/// flag[q] = 1 if neuron q may spike (or be guarded) before cNext's event: it has an exact
/// prediction (known 1), or it was updated after tPrev, or its state is not below cNext.
/// Returns 1 if any flag is set, else 0.
SPIKEGRAD_KERNEL std::uint64_t flagCandidates(const double* __restrict p,
                                              const double* __restrict tLast,
                                              const std::uint64_t* __restrict known, double tPrev,
                                              double cNext, std::uint64_t* __restrict flag,
                                              std::size_t count) {
  std::uint64_t any = 0;
  for (std::size_t q = 0; q < count; ++q) {
    flag[q] = static_cast<std::uint64_t>((known[q] == 1) | (tLast[q] != tPrev) | !(p[q] < cNext));
    any |= flag[q];
  }
  return any;
}

/// x where mask is all ones, y where it is zero, bit for bit, as bitwise operations: the compiler
/// blends both values in a register instead of turning "store the old value back" into a
/// masked store (slow on AMD).
static inline double pick(std::uint64_t mask, double x, double y) {
  std::uint64_t bx, by;
  std::memcpy(&bx, &x, sizeof bx);
  std::memcpy(&by, &y, sizeof by);
  const std::uint64_t r = (bx & mask) | (by & ~mask);
  double out;
  std::memcpy(&out, &r, sizeof out);
  return out;
}

/// The flow and kick of one input event at tk onto a layer, in one pass over its state. The flow
/// of the common path: v = (p + t) / (1 - p t) with t = tCommon = tan(a (tk - tPrev)); flag[q] =
/// 1 where the common path does not apply (guarded: tHat - tk <= eps, where tHat is +inf while
/// the prediction is not known; updated after tPrev; v outside (-pGuard, pGuard), which includes
/// p = -inf and NaN): such a neuron keeps p, tLast, tHat and known, for the caller to redo. The
/// others get the kick: pt = v, p = v + w invR, tLast = tk, tHat = +inf and known = 0 (the
/// prediction, not yet computed, is from p at tLast). cand[q] = 1 if the neuron is a spike
/// candidate of the next interval (its state not below that interval's threshold cAfter). pt and
/// cand of the flagged neurons are the caller's to overwrite. Returns bit 0: some flag is set,
/// bit 1: some cand is set (so the caller skips the gathers that would find nothing). Every lane
/// is 64 bits wide (one vector length for the whole loop).
SPIKEGRAD_KERNEL std::uint64_t flowKick(double* __restrict p, double* __restrict tLast,
                                        double* __restrict tHat, std::uint64_t* __restrict known,
                                        const double* __restrict w, double tPrev, double tCommon,
                                        double tk, double eps, double pGuard, double invR,
                                        double cAfter, double* __restrict pt,
                                        std::uint64_t* __restrict flag,
                                        std::uint64_t* __restrict cand, std::size_t count) {
  std::uint64_t anyFlag = 0, anyCand = 0;
  for (std::size_t q = 0; q < count; ++q) {
    const double p0 = p[q], t0 = tLast[q], h0 = tHat[q];
    const double v = (p0 + tCommon) / (1.0 - p0 * tCommon);
    const double pv = v + w[q] * invR;
    const bool rare = (h0 - tk <= eps) | (t0 != tPrev) | !((v > -pGuard) & (v < pGuard));
    const std::uint64_t keep = std::uint64_t{0} - static_cast<std::uint64_t>(rare);
    pt[q] = v;
    p[q] = pick(keep, p0, pv);
    tLast[q] = pick(keep, t0, tk);
    tHat[q] = pick(keep, h0, HUGE_VAL);
    known[q] &= keep;
    flag[q] = static_cast<std::uint64_t>(rare);
    cand[q] = static_cast<std::uint64_t>(!(pv < cAfter));
    anyFlag |= flag[q];
    anyCand |= cand[q];
  }
  return anyFlag | (anyCand << 1);
}

/// flag[q] = 1 where x[q] is NaN.
SPIKEGRAD_KERNEL void flagNaN(const double* __restrict x, std::uint8_t* __restrict flag,
                              std::size_t count) {
  for (std::size_t q = 0; q < count; ++q) flag[q] = static_cast<std::uint8_t>(x[q] != x[q]);
}

/// The reverse of a kick for one kicked neuron (kickAdjoints, kickAdjointsSumBody): its phase
/// adjoint *g0 times dH/dphi, *gHat cleared, g dH/dw into *dw; returns its event-time adjoint.
SPIKEGRAD_BODY double kickAdjointOne(double ptk, double wq, double* __restrict g0,
                                     double* __restrict gHat, double invR, double tauOverR2,
                                     double* __restrict dw) {
  const double y = ptk + wq * invR;
  const double inv = 1.0 / (1.0 + y * y);
  const double gs = *g0, gh = *gHat;
  const double g = gs - gh;
  const double ga = g * ((1.0 + ptk * ptk) * inv);
  *dw = g * (tauOverR2 * inv);
  *g0 = ga;
  *gHat = 0.0;
  return gh + (ga - gs);
}

/// The reverse of one input event of a layer for kicked neurons (pt not NaN; the caller restores
/// the others): a kicked neuron passes gHat to the event, multiplies its phase adjoint by
/// dH/dphi and gives g dH/dw for its weight. contrib[q]: the event-time adjoint. invR = 1/r,
/// tauOverR2 = tau/r^2. One division per neuron, shared by both slopes.
SPIKEGRAD_KERNEL void kickAdjoints(const double* __restrict pt, const double* __restrict w,
                                   double* __restrict g0, double* __restrict gHat,
                                   double* __restrict gw, double* __restrict contrib,
                                   std::size_t count, double invR, double tauOverR2) {
  for (std::size_t q = 0; q < count; ++q) {
    double dw;
    contrib[q] = kickAdjointOne(pt[q], w[q], g0 + q, gHat + q, invR, tauOverR2, &dw);
    gw[q] = dw;
  }
}

/// kickAdjoints where every neuron was kicked, the event-time adjoints summed as sum() sums
/// contrib (the same four partial sums in the same order, one pass instead of two).
/// out[q] = g dH/dw (kAdd false) or out[q] += g dH/dw (kAdd true: out is the weight column's
/// gradient, as add() after kickAdjoints). The same values as kickAdjoints, sum and add.
template <bool kAdd>
SPIKEGRAD_BODY double kickAdjointsSumBody(const double* __restrict pt, const double* __restrict w,
                                          double* __restrict g0, double* __restrict gHat,
                                          double* __restrict out, std::size_t count, double invR,
                                          double tauOverR2) {
  double acc[4] = {0.0, 0.0, 0.0, 0.0};
  std::size_t q = 0;
  const auto one = [&](std::size_t i) {
    double dw;
    const double contribution = kickAdjointOne(pt[i], w[i], g0 + i, gHat + i, invR, tauOverR2, &dw);
    if constexpr (kAdd) {
      out[i] += dw;
    } else {
      out[i] = dw;
    }
    return contribution;
  };
  for (; q + 4 <= count; q += 4) {
    for (std::size_t k = 0; k < 4; ++k) acc[k] += one(q + k);
  }
  for (; q < count; ++q) acc[q & 3] += one(q);
  return (acc[0] + acc[1]) + (acc[2] + acc[3]);
}

/// kickAdjointsSumBody storing g dH/dw in gw.
SPIKEGRAD_KERNEL double kickAdjointsSum(const double* __restrict pt, const double* __restrict w,
                                        double* __restrict g0, double* __restrict gHat,
                                        double* __restrict gw, std::size_t count, double invR,
                                        double tauOverR2) {
  return kickAdjointsSumBody<false>(pt, w, g0, gHat, gw, count, invR, tauOverR2);
}

/// kickAdjointsSumBody adding g dH/dw to dW.
SPIKEGRAD_KERNEL double kickAdjointsSumAdd(const double* __restrict pt, const double* __restrict w,
                                           double* __restrict g0, double* __restrict gHat,
                                           double* __restrict dW, std::size_t count, double invR,
                                           double tauOverR2) {
  return kickAdjointsSumBody<true>(pt, w, g0, gHat, dW, count, invR, tauOverR2);
}

/// The indices q < count with flag[q] != 0 (flags 0 or 1), in increasing order, into list; their
/// number. The flags are tested a block at a time (the flagged neurons are few): eight 8-bit
/// flags as one 64-bit word, or four 64-bit flags.
template <class Flag>
inline std::size_t gatherFlags(const Flag* flag, std::size_t count, std::int32_t* list) {
  static_assert(sizeof(Flag) == 1 || sizeof(Flag) == 8, "8-bit or 64-bit flags");
  constexpr std::size_t kBlock = sizeof(Flag) == 1 ? 8 : 4;
  std::size_t c = 0, q = 0;
  for (; q + kBlock <= count; q += kBlock) {
    std::uint64_t any;
    if constexpr (sizeof(Flag) == 1) {
      std::memcpy(&any, flag + q, sizeof any);
    } else {
      any = flag[q] | flag[q + 1] | flag[q + 2] | flag[q + 3];
    }
    if (any == 0) continue;
    for (std::size_t k = q; k < q + kBlock; ++k) {
      list[c] = static_cast<std::int32_t>(k);
      c += flag[k];
    }
  }
  for (; q < count; ++q) {
    list[c] = static_cast<std::int32_t>(q);
    c += flag[q];
  }
  return c;
}

// ---- The pseudo coupling at T (LayeredTheta::couple) ------------------------------------------
// The common path of a neuron, computed for a whole layer without branches, the same IEEE
// operations as couple()'s scalar code; the other neurons are flagged for it.

/// The tangent at T by the tangent addition from the state p at the neuron's last update:
/// pt[q] = (p + t) / (1 - p t) where the neuron was last updated at tEnd (the layer's last
/// event, t = tCommon = tan(a (T - tEnd))), p is finite and the denominator positive, else NaN;
/// y[q] = pt[q] + u[q] / r. Returns 1 if some u[q] is 0.
SPIKEGRAD_KERNEL std::uint64_t tangentsAtT(const double* __restrict p,
                                           const double* __restrict tLast,
                                           const double* __restrict u, double tEnd, double tCommon,
                                           double r, double* __restrict pt, double* __restrict y,
                                           std::size_t count) {
  std::uint64_t anyZero = 0;
  for (std::size_t q = 0; q < count; ++q) {
    const double p0 = p[q];
    const double den = 1.0 - p0 * tCommon;
    const double v = (p0 + tCommon) / den;
    const bool ok = (tLast[q] == tEnd) & (p0 != -HUGE_VAL) & (den > 0.0);
    const double ptv =
        pick(0 - static_cast<std::uint64_t>(ok), v, std::numeric_limits<double>::quiet_NaN());
    pt[q] = ptv;
    y[q] = ptv + u[q] / r;
    anyZero |= static_cast<std::uint64_t>(u[q] == 0.0);
  }
  return anyZero;
}

/// H(phi_T, u) / Theta and its slopes / Theta where |pt| < 1e4, u != 0 and |y| < 1e150 (y = pt +
/// u / r, angle = atan2(1, -y)): hT = tauOverR angle, the slopes from q = 1 / (1 + y^2) as
/// theta::detail::kickSlopes gives them. flag[q] = 1 for the other neurons, whose four outputs
/// are the caller's to write. Returns 1 if some flag is set.
SPIKEGRAD_KERNEL std::uint64_t pseudoRates(const double* __restrict pt, const double* __restrict y,
                                           const double* __restrict angle,
                                           const double* __restrict u, double tauOverR,
                                           double tauOverR2, double Theta, double* __restrict hT,
                                           double* __restrict rate, double* __restrict drdx0,
                                           double* __restrict drdx1, std::uint64_t* __restrict flag,
                                           std::size_t count) {
  std::uint64_t any = 0;
  for (std::size_t q = 0; q < count; ++q) {
    const double ptv = pt[q], yv = y[q];
    const double phi = tauOverR * angle[q];
    const double inv = 1.0 / (1.0 + yv * yv);
    const double dphi = (1.0 + ptv * ptv) * inv;
    const double dw = tauOverR2 * inv;
    const bool common = (ptv > -1e4) & (ptv < 1e4) & (u[q] != 0.0) & (std::fabs(yv) < 1e150);
    hT[q] = phi;
    rate[q] = phi / Theta;
    drdx0[q] = dphi / Theta;
    drdx1[q] = dw / Theta;
    flag[q] = static_cast<std::uint64_t>(!common);
    any |= flag[q];
  }
  return any;
}

// ---- The phase of a tangent state, atan2(1, -y), without a libm call -------------------------
// The pseudo coupling (LayeredTheta::couple) needs the phase of every neuron of a layer at T;
// glibc's scalar atan2 costs about 20 ns, this branch-free form about 2.5 ns per element in the
// vector clones. atan2(1, -y) = pi/2 + atan(y) = k pi/4 + sigma atan(r) with an exact integer k
// in [0, 4], sigma = +-1 and |r| <= tan(pi/8), r one division from |y| (tan(pi/8) < |y| <
// tan(3 pi/8): r = (|y| - 1)/(|y| + 1); above: r = 1/|y|), so that the small results (y -> -inf)
// are atan(r) itself, not a difference of nearly equal numbers. atan(r) = r + r s P(s) with
// s = r^2 and P a Chebyshev fit of degree 10 (relative error below 7e-18 on
// [0, 1.02 tan^2(pi/8)], computed with mpmath by scripts/atan-coefficients.py); k pi/4 in two
// parts (the high part has 30 significant bits, so k times it is exact). Within 2 ulp of
// std::atan2 (test/native/kernels_test.cpp); NaN gives NaN, y = -inf gives 0, y = +inf gives pi.
// No FMA is needed or used: every CPU computes the same bits.

/// c ? a : b by a bit mask, not a branch (pick), so that GCC's vectoriser if-converts the
/// callers.
inline double blend(bool c, double a, double b) {
  return pick(0 - static_cast<std::uint64_t>(c), a, b);
}

/// atan2(1, -y) for one y (the element function of phaseOfTangent; identical results).
inline double phaseOfTangentOne(double y) {
  constexpr double kTanPi8 = 0.41421356237309503;    // tan(pi/8)
  constexpr double kTan3Pi8 = 2.414213562373095;     // tan(3 pi/8) = 1 + sqrt(2)
  constexpr double kPio4Hi = 0.7853981629014015;     // pi/4 rounded down to 30 bits
  constexpr double kPio4Lo = 4.960467898402702e-10;  // pi/4 - kPio4Hi
  const double t = std::fabs(y);
  const bool middle = (t > kTanPi8) & (t < kTan3Pi8);  // & not &&: no branch
  const bool large = !(t < kTan3Pi8);                  // true for +inf (and false for NaN)
  // The selects are bit masks (blend): with ?: GCC moves the arithmetic into branches that its
  // vectoriser cannot if-convert.
  const double num = blend(middle, t - 1.0, blend(large, 1.0, t));
  const double den = blend(middle, t + 1.0, blend(large, t, 1.0));
  const double r = num / den;
  const double s = r * r;
  double p = -0.018882987965693;
  p = p * s + 0.03898927985218631;
  p = p * s + -0.050769758261098086;
  p = p * s + 0.05856513298321132;
  p = p * s + -0.06664321264177807;
  p = p * s + 0.07692169552474755;
  p = p * s + -0.09090903985088337;
  p = p * s + 0.11111111000512125;
  p = p * s + -0.14285714284481354;
  p = p * s + 0.19999999999994625;
  p = p * s + -0.3333333333333333;
  const double at = r + r * (s * p);
  // atan(t) = c pi/4 + tau atan(r): (0, +1), (1, +1) in the middle, (2, -1) when large; then
  // atan2(1, -y) = pi/2 + sign(y) atan(t) = k pi/4 + sign(y) tau atan(r) with k = 2 + sign(y) c.
  const double c = blend(middle, 1.0, blend(large, 2.0, 0.0));
  const double sign = blend(y < 0.0, -1.0, 1.0);
  const double k = 2.0 + sign * c;
  const double st = blend(large, -sign, sign);
  return k * kPio4Hi + (st * at + k * kPio4Lo);
}

/// out[q] = atan2(1, -y[q]) (phaseOfTangentOne).
SPIKEGRAD_KERNEL void phaseOfTangent(const double* __restrict y, double* __restrict out,
                                     std::size_t count) {
  for (std::size_t q = 0; q < count; ++q) out[q] = phaseOfTangentOne(y[q]);
}

}  // namespace kernels
}  // namespace engine
}  // namespace spikegrad

#undef SPIKEGRAD_KERNEL
#undef SPIKEGRAD_BODY
