#include "core/optim.hpp"

#include <cmath>
#include <cstdint>

#include "core/clones.hpp"

// The element loops vectorise (they have no loop-carried dependence; m and mNext, v and vNext
// may be the same array, element for element): the vector division and square root are the
// same IEEE operations as the scalar ones, so the results are bit-identical. GCC needs the
// builds' -fno-math-errno as well (else a libm call after each sqrt keeps the loop scalar).
#if defined(__clang__)
#define SPIKEGRAD_IVDEP _Pragma("clang loop vectorize(assume_safety)")
#elif defined(__GNUC__)
#define SPIKEGRAD_IVDEP _Pragma("GCC ivdep")
#else
#define SPIKEGRAD_IVDEP
#endif

namespace spikegrad {
// With an AVX2 clone (core/clones.hpp): 4-wide loops in the portable prebuild too.
SPIKEGRAD_AVX2_CLONES bool adamArrayStep(const AdamStep& c, std::size_t n, const double* g,
                                         const double* m, const double* v, double* mNext,
                                         double* vNext, double* out, const double* params) {
  const double b1 = c.b1, b2 = c.b2, a1 = 1.0 - c.b1, a2 = 1.0 - c.b2;
  const double bc1 = c.bc1, bc2 = c.bc2, eps = c.eps, epsRoot = c.epsRoot, scale = c.scale;
  const bool usePrevious = c.usePrevious;
  std::uint64_t bad = 0;  // an integer, not a bool: GCC vectorises its reduction
  if (!c.belief) {
    SPIKEGRAD_IVDEP
    for (std::size_t k = 0; k < n; ++k) {
      const double gk = g[k];
      const double mk = b1 * m[k] + a1 * gk;
      const double vk = b2 * v[k] + a2 * (gk * gk);
      const double u = scale * (mk / bc1 / (std::sqrt(vk / bc2 + epsRoot) + eps));
      mNext[k] = mk;
      vNext[k] = vk;
      out[k] = u;
      bad |=
          static_cast<std::uint64_t>(!(std::isfinite(mk) & std::isfinite(vk) & std::isfinite(u)));
    }
  } else {
    SPIKEGRAD_IVDEP
    for (std::size_t k = 0; k < n; ++k) {
      const double gk = g[k];
      const double mPrev = m[k];
      const double mk = b1 * mPrev + a1 * gk;
      const double e = gk - (usePrevious ? mPrev : mk);
      const double vk = b2 * v[k] + a2 * (e * e) + epsRoot;
      const double u = scale * (mk / bc1 / (std::sqrt(vk / bc2) + eps));
      mNext[k] = mk;
      vNext[k] = vk;
      out[k] = u;
      bad |=
          static_cast<std::uint64_t>(!(std::isfinite(mk) & std::isfinite(vk) & std::isfinite(u)));
    }
  }
  bool ok = bad == 0;
  if (ok && params != nullptr) {
    for (std::size_t k = 0; k < n && ok; ++k) ok = std::isfinite(params[k] + out[k]);
  }
  return ok;
}

}  // namespace spikegrad
