// The dense per-event kernels of the layered engine (layered.hpp): contiguous vector operations
// on a layer's state and weight columns.
//
// On x86-64 Linux with GCC (glibc's ifunc) each kernel is compiled twice, for the build's
// instruction-set level and for AVX2, and the loader picks the AVX2 clone where the CPU has it,
// so the portable prebuild (-march=x86-64-v2) runs the 4-wide loops too. The AVX2 clone does
// not enable FMA: every element is computed by the same IEEE multiply and add as in the default
// clone and the partial sums keep their order, so the results are bit-identical on every CPU.
// Elsewhere (aarch64, macOS, wasm, clang) the kernels are plain loops for the compiler's
// auto-vectoriser.
#pragma once

#include <cstddef>

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__) && \
    defined(__GLIBC__) && !defined(__AVX2__)
#define SPIKEGRAD_KERNEL __attribute__((target_clones("avx2", "default"))) static
#else
#define SPIKEGRAD_KERNEL static inline
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

/// sum_q x[q] y[q] in four interleaved partial sums (the order differs from a sequential sum by
/// round-off only, and is the same in every clone).
SPIKEGRAD_KERNEL double dot(const double* x, const double* y, std::size_t count) {
  double acc[4] = {0.0, 0.0, 0.0, 0.0};
  std::size_t q = 0;
  for (; q + 4 <= count; q += 4) {
    for (std::size_t k = 0; k < 4; ++k) acc[k] += x[q + k] * y[q + k];
  }
  for (; q < count; ++q) acc[q & 3] += x[q] * y[q];
  return (acc[0] + acc[1]) + (acc[2] + acc[3]);
}

/// The reverse of one input event of a layer without branches (LayeredTheta::kickAdjoints):
/// a neuron that was not kicked (pt NaN) keeps its adjoints and contributes nothing; a kicked
/// one passes gHat to the event, multiplies its phase adjoint by dH/dphi and gives g dH/dw for
/// its weight. contrib[q]: the event-time adjoint. invR = 1/r, tauOverR2 = tau/r^2.
SPIKEGRAD_KERNEL void kickAdjoints(const double* __restrict pt, const double* __restrict w,
                                   double* __restrict g0, double* __restrict gHat,
                                   double* __restrict gw, double* __restrict contrib,
                                   std::size_t count, double invR, double tauOverR2) {
  for (std::size_t q = 0; q < count; ++q) {
    const double ptv = pt[q];
    const bool kicked = ptv == ptv;
    const double ptk = kicked ? ptv : 0.0;
    const double y = ptk + w[q] * invR;
    const double inv = 1.0 / (1.0 + y * y);
    const double gs = g0[q], gh = gHat[q];
    const double g = gs - gh;
    const double ga = g * ((1.0 + ptk * ptk) * inv);
    gw[q] = kicked ? g * (tauOverR2 * inv) : 0.0;
    contrib[q] = kicked ? gh + (ga - gs) : 0.0;
    g0[q] = kicked ? ga : gs;
    gHat[q] = kicked ? 0.0 : gh;
  }
}

}  // namespace kernels
}  // namespace engine
}  // namespace spikegrad

#undef SPIKEGRAD_KERNEL
