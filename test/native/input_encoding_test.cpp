// Native tests of core/input_encoding: the summed weights equal the per-channel sum, the
// gradient is the outer product (checked by finite differences), and bad input throws.
#include "core/input_encoding.hpp"

#include <cmath>
#include <vector>

#include "check.hpp"
#include "core/error.hpp"

int main() {
  const std::size_t rows = 3, cols = 5;
  std::vector<double> W(rows * cols), active = {1, 0, 1, 1, 0}, out(rows);
  for (std::size_t k = 0; k < W.size(); ++k) W[k] = std::sin(1.0 + static_cast<double>(k));
  spikegrad::summedInputWeights(W.data(), rows, cols, active.data(), out.data());
  for (std::size_t h = 0; h < rows; ++h) {
    double want = 0;
    for (std::size_t c = 0; c < cols; ++c) want += W[c * rows + h] * active[c];
    CHECK_NEAR(out[h], want, 1e-15, 0);
  }

  // d/dW of sum_h g[h] out[h] against central differences.
  std::vector<double> g = {0.3, -1.1, 2.0}, dW(rows * cols, 0.0);
  spikegrad::summedInputWeightsGrad(g.data(), rows, cols, active.data(), dW.data());
  for (std::size_t k = 0; k < W.size(); ++k) {
    auto f = [&](double delta) {
      std::vector<double> w = W, o(rows);
      w[k] += delta;
      spikegrad::summedInputWeights(w.data(), rows, cols, active.data(), o.data());
      return g[0] * o[0] + g[1] * o[1] + g[2] * o[2];
    };
    CHECK_NEAR(dW[k], (f(1e-6) - f(-1e-6)) / 2e-6, 1e-8, 1e-8);
  }

  bool threw = false;
  active[1] = NAN;
  try {
    spikegrad::summedInputWeights(W.data(), rows, cols, active.data(), out.data());
  } catch (const spikegrad::Error& e) {
    threw = e.code() == spikegrad::ErrorCode::kNonFinite;
  }
  CHECK(threw);
  return spikegrad::test::finish("input_encoding_test");
}
