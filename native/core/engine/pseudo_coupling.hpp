// The pseudo coupling of the trial end (method.md 4.1, 4.2): pseudo inputs u and pseudo rates r
// from the state at T, and its reverse. Shared by all engines; the model-specific rate comes in as
// a callback.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/engine/engine_base.hpp"

namespace spikegrad {
namespace engine {

/// A neuron's pseudo rate and its partials with respect to its state at T and its pseudo input.
struct PseudoRate {
  double r, d_dx0, d_du;
};

/// fn(synapse, source, target) for every synapse from layer L-1 into layer L.
template <typename Fn>
void forLayerSynapses(const EngineBase& b, std::size_t L, Fn fn) {
  const auto& rec = b.net.recurrent;
  for (std::int32_t j : b.ro.layers[L - 1]) {
    for (std::int32_t k = rec.start[idx(j)]; k < rec.start[idx(j) + 1]; ++k) {
      const auto t = idx(rec.target[idx(k)]);
      if (b.s.layerOf_[t] == static_cast<std::int32_t>(L)) fn(idx(k), idx(j), t);
    }
  }
}

/// Pseudo inputs u and rates r (method.md 4.1, 4.2). Recurrent mode: every rate at the neutral
/// pseudo drive, u_i = sum_j w_ij r_j over all synapses. Layered mode: layer by layer, the first
/// layer's pseudo input 0, layer L's from layer L-1 only. rate(i, u, neutral) gives a PseudoRate.
template <typename RateFn>
void couplePseudo(EngineBase& b, RateFn rate) {
  Workspace& s = b.s;
  const auto n = idx(b.net.n);
  const auto& rec = b.net.recurrent;
  const auto& weight = b.par.recurrent;
  s.u_.assign(n, 0.0);
  s.r_.assign(n, 0.0);
  s.drdx0_.assign(n, 0.0);
  s.drdx1_.assign(n, 0.0);
  auto set = [&](std::size_t i, PseudoRate pr) {
    s.r_[i] = pr.r;
    s.drdx0_[i] = pr.d_dx0;
    s.drdx1_[i] = pr.d_du;
  };
  if (b.ro.layers.empty()) {
    for (std::size_t j = 0; j < n; ++j) set(j, rate(j, 0.0, true));
    for (std::int32_t j = 0; j < b.net.n; ++j) {
      for (std::int32_t k = rec.start[idx(j)]; k < rec.start[idx(j) + 1]; ++k) {
        s.u_[idx(rec.target[idx(k)])] += weight[idx(k)] * s.r_[idx(j)];
      }
    }
    return;
  }
  for (std::size_t L = 0; L < b.ro.layers.size(); ++L) {
    if (L > 0) {
      forLayerSynapses(b, L, [&](std::size_t k, std::size_t j, std::size_t t) {
        s.u_[t] += weight[k] * s.r_[j];
      });
    }
    for (std::int32_t i : b.ro.layers[L]) set(idx(i), rate(idx(i), s.u_[idx(i)], false));
  }
}

/// The reverse of couplePseudo: from the pseudo-input adjoints gu_ (seeded by the output slots)
/// to the weight gradients of the coupling and the adjoints g0_ (state at T) and gu_.
inline void reverseCoupling(EngineBase& b, Gradient* grad) {
  Workspace& s = b.s;
  const auto n = idx(b.net.n);
  const auto& rec = b.net.recurrent;
  const auto& weight = b.par.recurrent;
  if (b.ro.layers.empty()) {
    for (std::int32_t j = 0; j < b.net.n; ++j) {
      for (std::int32_t k = rec.start[idx(j)]; k < rec.start[idx(j) + 1]; ++k) {
        const double gu = s.gu_[idx(rec.target[idx(k)])];
        grad->recurrent[idx(k)] += gu * s.r_[idx(j)];
        s.gr_[idx(j)] += gu * weight[idx(k)];
      }
    }
    for (std::size_t j = 0; j < n; ++j) s.g0_[j] += s.gr_[j] * s.drdx0_[j];
    return;
  }
  for (std::size_t L = b.ro.layers.size(); L-- > 0;) {
    for (std::int32_t i : b.ro.layers[L]) {
      s.g0_[idx(i)] += s.gr_[idx(i)] * s.drdx0_[idx(i)];
      s.gu_[idx(i)] += s.gr_[idx(i)] * s.drdx1_[idx(i)];
    }
    if (L == 0) continue;
    forLayerSynapses(b, L, [&](std::size_t k, std::size_t j, std::size_t t) {
      grad->recurrent[k] += s.gu_[t] * s.r_[j];
      s.gr_[j] += s.gu_[t] * weight[k];
    });
  }
}

}  // namespace engine
}  // namespace spikegrad
