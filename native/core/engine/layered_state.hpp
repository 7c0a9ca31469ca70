// Per-thread memory of the layered theta engine (layered.hpp) that outlives one trial: the
// tangents of the initial phases (parameters, so computed once per parameter set, not per
// sample) and the scratch arrays of the per-event kernels and the output decoding, so that a
// trial allocates nothing once the buffers have grown. Owned by a Simulator, next to its
// Workspace (which the general engines share).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

namespace spikegrad {
namespace engine {

struct LayeredState {
  /// The initial phases that initialTan was computed from (compared bit for bit).
  std::vector<double> initial;
  /// Per neuron: the tangent coordinate of its initial phase, -1 / tan(a (phi0 + 0)).
  std::vector<double> initialTan;
  double initialA = 0.0;  ///< the a = r / tau of initialTan

  // The lazy predictions of the forward pass (LayeredTheta::prediction), one entry per neuron of
  // the network: known 1 (tHat exact), 0 (from the state at tLast) or 2 (from pK at tK and plK).
  std::vector<std::uint64_t> known;
  std::vector<double> tK, pK, plK;

  // Scratch of the per-event kernels (kernels.hpp), one entry per neuron of a layer.
  std::vector<std::uint64_t> flag;  ///< 1: the neuron needs the scalar path
  std::vector<std::uint64_t> cand;  ///< 1: a spike candidate of the next interval
  std::vector<std::uint8_t> nan;    ///< backward: 1 where the neuron was not kicked
  std::vector<std::int32_t> list;   ///< the flagged neurons, in index order
  std::vector<double> saved;        ///< backward: their adjoints before the kernel overwrote them
  // Scratch of the pseudo coupling (LayeredTheta::couple), one entry per neuron of a layer: the
  // tangent pt at T, the kicked tangent y = pt + u/r, its phase atan2(1, -y), and the phase
  // atan2(1, -x0) of the state at the last update.
  std::vector<double> tangentT, kickedT, angle, angle0;
  // Scratch of the output decoding: per readout entry; the spike order merged so far.
  std::vector<std::size_t> filled, offset;
  std::vector<std::int32_t> merged;
  /// A spike's sort key (time, neuron) and its index in the record.
  struct SpikeKey {
    double t;
    std::int32_t neuron, spike;
  };
  std::vector<SpikeKey> keys;

  /// The tangents of the initial phases, recomputed only when the phases (or a) changed.
  /// tanOfPhase(phi) must be a pure function of phi and a.
  template <class F>
  const double* initialTangents(const double* phases, std::size_t n, double a, F tanOfPhase) {
    const bool same = a == initialA && n == initial.size() &&
                      (n == 0 || std::memcmp(phases, initial.data(), n * sizeof(double)) == 0);
    if (!same) {
      initial.assign(phases, phases + n);
      initialA = a;
      initialTan.resize(n);
      for (std::size_t i = 0; i < n; ++i) initialTan[i] = tanOfPhase(phases[i]);
    }
    return initialTan.data();
  }

  /// Grows the kernel scratch to n neurons (never shrinks).
  void reserveLayer(std::size_t n) {
    if (flag.size() < n) {
      flag.resize(n);
      cand.resize(n);
      nan.resize(n);
      list.resize(n);
      saved.resize(2 * n);
    }
  }
};

}  // namespace engine
}  // namespace spikegrad
