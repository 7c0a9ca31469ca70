// The element-wise optimiser steps of native/core/optim.hpp: Adam and AdaBelief (both variants)
// against the formulas written out here, bit for bit, and the finiteness result: false for an
// overflowing second moment, a non-finite gradient or a parameter the update takes to infinity.
// (test/training/optim/core_step.test.ts checks them against the TypeScript updateArray.)
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "check.hpp"
#include "core/optim.hpp"

using spikegrad::AdamStep;

namespace {

void formulas() {
  std::mt19937_64 g(9);
  std::normal_distribution<double> z(0.0, 1.0);
  const std::size_t n = 37;
  for (int variant = 0; variant < 3; ++variant) {
    spikegrad::test::context() = "variant " + std::to_string(variant);
    const AdamStep c{
        0.9,   0.999,       1e-8,        1e-12, 1 - std::pow(0.9, 3), 1 - std::pow(0.999, 3),
        -1e-3, variant > 0, variant == 1};
    std::vector<double> grad(n), m(n), v(n), mn(n), vn(n), out(n), params(n);
    for (std::size_t k = 0; k < n; ++k) {
      grad[k] = z(g);
      m[k] = 0.1 * z(g);
      v[k] = std::fabs(z(g));
      params[k] = z(g);
    }
    CHECK(spikegrad::adamArrayStep(c, n, grad.data(), m.data(), v.data(), mn.data(), vn.data(),
                                   out.data(), params.data()));
    bool same = true;
    for (std::size_t k = 0; k < n; ++k) {
      const double mk = c.b1 * m[k] + (1 - c.b1) * grad[k];
      double vk, u;
      if (variant == 0) {
        vk = c.b2 * v[k] + (1 - c.b2) * (grad[k] * grad[k]);
        u = c.scale * (mk / c.bc1 / (std::sqrt(vk / c.bc2 + c.epsRoot) + c.eps));
      } else {
        const double e = grad[k] - (variant == 1 ? m[k] : mk);
        vk = c.b2 * v[k] + (1 - c.b2) * (e * e) + c.epsRoot;
        u = c.scale * (mk / c.bc1 / (std::sqrt(vk / c.bc2) + c.eps));
      }
      same = same && std::memcmp(&mk, &mn[k], sizeof mk) == 0 &&
             std::memcmp(&vk, &vn[k], sizeof vk) == 0 && std::memcmp(&u, &out[k], sizeof u) == 0;
    }
    CHECK(same);
    // Not finite: a second moment that overflows, a NaN gradient, a parameter taken to infinity.
    std::vector<double> big = grad;
    big[5] = 1e200;
    CHECK(!spikegrad::adamArrayStep(c, n, big.data(), m.data(), v.data(), mn.data(), vn.data(),
                                    out.data(), nullptr));
    big[5] = std::numeric_limits<double>::quiet_NaN();
    CHECK(!spikegrad::adamArrayStep(c, n, big.data(), m.data(), v.data(), mn.data(), vn.data(),
                                    out.data(), nullptr));
    std::vector<double> p = params;
    p[3] = std::numeric_limits<double>::infinity();
    CHECK(!spikegrad::adamArrayStep(c, n, grad.data(), m.data(), v.data(), mn.data(), vn.data(),
                                    out.data(), p.data()));
    CHECK(spikegrad::adamArrayStep(c, n, grad.data(), m.data(), v.data(), mn.data(), vn.data(),
                                   out.data(), nullptr));
  }
}

}  // namespace

int main() {
  formulas();
  return spikegrad::test::finish("optim_test");
}
