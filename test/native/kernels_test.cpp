// The dense kernels of the layered engine (native/core/engine/kernels.hpp): phaseOfTangent, the
// libm-free atan2(1, -y), within 2 ulp of std::atan2 on random arguments of every magnitude and
// sign, exact at the special values, identical to its element function phaseOfTangentOne at
// every length (vector body and tail); the four-at-a-time sums equal the one-at-a-time ones bit
// for bit; gatherFlags lists the flagged indices in order (8-bit and 64-bit flags).
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "check.hpp"
// The kernels are static functions (target_clones): this test does not call all of them.
#pragma GCC diagnostic ignored "-Wunused-function"
#include "core/engine/kernels.hpp"

namespace kernels = spikegrad::engine::kernels;

namespace {

/// The distance of a and b in units in the last place (both finite and of the same sign).
std::int64_t ulps(double a, double b) {
  std::int64_t x, y;
  std::memcpy(&x, &a, sizeof x);
  std::memcpy(&y, &b, sizeof y);
  return x > y ? x - y : y - x;
}

bool sameBits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

void phaseOfTangent() {
  const double inf = std::numeric_limits<double>::infinity();
  const double big = std::numeric_limits<double>::max();
  const double tiny = std::numeric_limits<double>::denorm_min();
  // Special values: exact.
  spikegrad::test::context() = "phaseOfTangent special values";
  CHECK(kernels::phaseOfTangentOne(-inf) == 0.0);
  CHECK(kernels::phaseOfTangentOne(inf) == std::atan2(1.0, -inf));
  CHECK(kernels::phaseOfTangentOne(0.0) == std::atan2(1.0, -0.0));
  CHECK(kernels::phaseOfTangentOne(-0.0) == std::atan2(1.0, 0.0));
  CHECK(std::isnan(kernels::phaseOfTangentOne(std::numeric_limits<double>::quiet_NaN())));
  CHECK(kernels::phaseOfTangentOne(1.0) == std::atan2(1.0, -1.0));
  CHECK(kernels::phaseOfTangentOne(-1.0) == std::atan2(1.0, 1.0));
  // Random arguments: |y| log-uniform in [1e-20, 1e20], both signs, plus [-3, 3] uniformly, the
  // region boundaries tan(pi/8), 1 and tan(3 pi/8) and the extremes.
  std::vector<double> ys = {tiny,
                            -tiny,
                            1e-300,
                            -1e-300,
                            big,
                            -big,
                            0.41421356237309503,
                            -0.41421356237309503,
                            2.414213562373095,
                            -2.414213562373095};
  for (double b : {0.41421356237309503, 1.0, 2.414213562373095}) {
    for (int k = -4; k <= 4; ++k) {
      const double v = b + k * 4e-16 * b;
      ys.push_back(v);
      ys.push_back(-v);
    }
  }
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (int i = 0; i < 200000; ++i) {
    const double m = std::pow(10.0, 40.0 * u(rng) - 20.0);
    ys.push_back(u(rng) < 0.5 ? -m : m);
    ys.push_back(6.0 * u(rng) - 3.0);
  }
  ys.push_back(-inf);
  ys.push_back(inf);
  std::vector<double> out(ys.size());
  kernels::phaseOfTangent(ys.data(), out.data(), ys.size());
  std::int64_t worst = 0;
  double worstAt = 0.0;
  bool sameAsOne = true, inRange = true;
  for (std::size_t i = 0; i < ys.size(); ++i) {
    const std::int64_t d = ulps(out[i], std::atan2(1.0, -ys[i]));
    if (d > worst) {
      worst = d;
      worstAt = ys[i];
    }
    sameAsOne = sameAsOne && sameBits(out[i], kernels::phaseOfTangentOne(ys[i]));
    inRange = inRange && out[i] >= 0.0 && out[i] <= std::atan2(1.0, -inf);
  }
  spikegrad::test::context() = "phaseOfTangent, worst at y = " + std::to_string(worstAt);
  CHECK(worst <= 2);
  CHECK(sameAsOne);
  CHECK(inRange);
  // Every length (the vector body and its tail) gives the element function's values.
  spikegrad::test::context() = "phaseOfTangent lengths";
  for (std::size_t n = 0; n <= 19; ++n) {
    std::vector<double> o(n + 1, -7.0);
    kernels::phaseOfTangent(ys.data() + 3, o.data(), n);
    bool ok = o[n] == -7.0;  // nothing written past the end
    for (std::size_t q = 0; q < n; ++q)
      ok = ok && sameBits(o[q], kernels::phaseOfTangentOne(ys[3 + q]));
    CHECK(ok);
  }
}

void groupedSums() {
  spikegrad::test::context() = "axpy4 / add4 against axpy / add";
  std::mt19937_64 rng(3);
  std::normal_distribution<double> g(0.0, 1.0);
  for (std::size_t n : {1u, 3u, 4u, 7u, 100u, 101u}) {
    std::vector<double> x[4], y0(n), y1, y2;
    for (auto& v : x) {
      v.resize(n);
      for (double& e : v) e = g(rng) * std::pow(10.0, 3.0 * g(rng));
    }
    for (double& e : y0) e = g(rng);
    const double a[4] = {g(rng), -g(rng), 1e-3 * g(rng), 1e3 * g(rng)};
    y1 = y0;
    y2 = y0;
    for (int k = 0; k < 4; ++k) kernels::axpy(y1.data(), x[k].data(), a[k], n);
    kernels::axpy4(y2.data(), x[0].data(), x[1].data(), x[2].data(), x[3].data(), a[0], a[1], a[2],
                   a[3], n);
    CHECK(std::memcmp(y1.data(), y2.data(), n * sizeof(double)) == 0);
    y1 = y0;
    y2 = y0;
    for (int k = 0; k < 4; ++k) kernels::add(y1.data(), x[k].data(), n);
    kernels::add4(y2.data(), x[0].data(), x[1].data(), x[2].data(), x[3].data(), n);
    CHECK(std::memcmp(y1.data(), y2.data(), n * sizeof(double)) == 0);
  }
}

void flags() {
  spikegrad::test::context() = "gatherFlags";
  std::mt19937_64 rng(5);
  for (std::size_t n : {0u, 1u, 8u, 9u, 31u, 100u}) {
    std::vector<std::uint8_t> f(n);
    std::vector<std::int32_t> want, list(n + 1);
    for (std::size_t q = 0; q < n; ++q) {
      f[q] = static_cast<std::uint8_t>(rng() % 5 == 0);
      if (f[q]) want.push_back(static_cast<std::int32_t>(q));
    }
    const std::size_t c = kernels::gatherFlags(f.data(), n, list.data());
    list.resize(c);
    CHECK(list == want);
    // The same flags as 64-bit words.
    std::vector<std::uint64_t> f64(f.begin(), f.end());
    std::vector<std::int32_t> list64(n + 1);
    list64.resize(kernels::gatherFlags(f64.data(), n, list64.data()));
    CHECK(list64 == want);
  }
}

}  // namespace

int main() {
  phaseOfTangent();
  groupedSums();
  flags();
  return spikegrad::test::finish("kernels_test");
}
