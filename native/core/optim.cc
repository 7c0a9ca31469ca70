#include "core/optim.hpp"

#include <cmath>

namespace spikegrad {
bool adamArrayStep(const AdamStep& c, std::size_t n, const double* g, const double* m,
                   const double* v, double* mNext, double* vNext, double* out,
                   const double* params) {
  const double b1 = c.b1, b2 = c.b2, a1 = 1.0 - c.b1, a2 = 1.0 - c.b2;
  const double bc1 = c.bc1, bc2 = c.bc2, eps = c.eps, epsRoot = c.epsRoot, scale = c.scale;
  const bool usePrevious = c.usePrevious;
  bool ok = true;
  if (!c.belief) {
    for (std::size_t k = 0; k < n; ++k) {
      const double gk = g[k];
      const double mk = b1 * m[k] + a1 * gk;
      const double vk = b2 * v[k] + a2 * (gk * gk);
      const double u = scale * (mk / bc1 / (std::sqrt(vk / bc2 + epsRoot) + eps));
      mNext[k] = mk;
      vNext[k] = vk;
      out[k] = u;
      ok = ok && std::isfinite(mk) && std::isfinite(vk) && std::isfinite(u);
    }
  } else {
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
      ok = ok && std::isfinite(mk) && std::isfinite(vk) && std::isfinite(u);
    }
  }
  if (ok && params != nullptr) {
    for (std::size_t k = 0; k < n && ok; ++k) ok = std::isfinite(params[k] + out[k]);
  }
  return ok;
}

}  // namespace spikegrad
