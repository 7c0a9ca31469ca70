// The pseudo coupling of the trial end (method.md 4.1, 4.2): pseudo inputs u and pseudo rates r
// from the state at T, and its reverse. Shared by all engines (members of EngineBase); the
// model-specific rate comes in as a callback.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/engine/engine_base.hpp"

namespace spikegrad {
namespace engine {

/// Recurrent mode: every rate at the neutral pseudo drive, u_i = sum_j w_ij r_j over the synapses
/// into readout neurons (the other neurons' u stay 0: nothing reads them). Layered mode: layer by
/// layer, the first layer's pseudo input 0, layer L's from layer L-1 only.
template <typename RateFn>
void EngineBase::couplePseudo(RateFn rate) {
  const auto n = idx(net.n);
  const auto& rec = net.recurrent;
  const auto& weight = par.recurrent;
  s.u_.assign(n, 0.0);
  s.r_.assign(n, 0.0);
  s.drdx0_.assign(n, 0.0);
  s.drdx1_.assign(n, 0.0);
  auto set = [&](std::size_t i, PseudoRate pr) {
    s.r_[i] = pr.r;
    s.drdx0_[i] = pr.d_dx0;
    s.drdx1_[i] = pr.d_du;
  };
  if (ro.layers.empty()) {
    for (std::size_t j = 0; j < n; ++j) set(j, rate(j, 0.0, true));
    // Only the readout neurons' pseudo inputs are read (pseudoTime, seedPseudo): the synapses
    // into them (Workspace::roSyn_, ascending), so each sum has the full loop's order.
    const std::int32_t* target = rec.target.data();
    const double* w = weight.data();
    double* u = s.u_.data();
    for (std::size_t p = 0; p < s.roSyn_.size(); ++p) {
      const auto k = idx(s.roSyn_[p]);
      u[idx(target[k])] += w[k] * s.r_[idx(s.roSrc_[p])];
    }
    return;
  }
  for (std::size_t L = 0; L < ro.layers.size(); ++L) {
    if (L > 0) {
      // u_t += w_tj r_j over the synapses from layer L-1 into layer L.
      const std::int32_t* start = rec.start.data();
      const std::int32_t* target = rec.target.data();
      const std::int32_t* layerOf = s.layerOf_.data();
      const auto layer = static_cast<std::int32_t>(L);
      const double* w = weight.data();
      double* u = s.u_.data();
      for (std::int32_t j : ro.layers[L - 1]) {
        const double rj = s.r_[idx(j)];
        for (std::int32_t k = start[idx(j)]; k < start[idx(j) + 1]; ++k) {
          const auto t = idx(target[idx(k)]);
          if (layerOf[t] == layer) u[t] += w[idx(k)] * rj;
        }
      }
    }
    for (std::int32_t i : ro.layers[L]) set(idx(i), rate(idx(i), s.u_[idx(i)], false));
  }
}

/// From the pseudo-input adjoints gu_ (seeded by the output slots) to the weight gradients of
/// the coupling and the adjoints adj_[].g0 (state at T) and gu_.
inline void EngineBase::reverseCoupling(Gradient* grad) {
  const auto n = idx(net.n);
  const auto& rec = net.recurrent;
  const auto& weight = par.recurrent;
  if (ro.layers.empty()) {
    // gu_ is zero but at the readout neurons: only the synapses into them contribute, in
    // ascending order, so every source's rate adjoint sums in the order of the full loop.
    const std::int32_t* target = rec.target.data();
    const double* w = weight.data();
    const double* gu = s.gu_.data();
    double* gw = grad->recurrent.data();
    for (std::size_t p = 0; p < s.roSyn_.size(); ++p) {
      const auto k = idx(s.roSyn_[p]);
      const auto j = idx(s.roSrc_[p]);
      const double g = gu[idx(target[k])];
      gw[k] += g * s.r_[j];
      s.gr_[j] += g * w[k];
    }
    for (std::size_t j = 0; j < n; ++j) s.adj_[j].g0 += s.gr_[j] * s.drdx0_[j];
    return;
  }
  for (std::size_t L = ro.layers.size(); L-- > 0;) {
    for (std::int32_t i : ro.layers[L]) {
      s.adj_[idx(i)].g0 += s.gr_[idx(i)] * s.drdx0_[idx(i)];
      s.gu_[idx(i)] += s.gr_[idx(i)] * s.drdx1_[idx(i)];
    }
    if (L == 0) continue;
    // The synapses from layer L-1 into layer L, in the order of the forward coupling. The
    // source's rate and rate adjoint stay in registers (each source is in one layer only).
    const std::int32_t* start = rec.start.data();
    const std::int32_t* target = rec.target.data();
    const std::int32_t* layerOf = s.layerOf_.data();
    const auto layer = static_cast<std::int32_t>(L);
    const double* w = weight.data();
    const double* gu = s.gu_.data();
    double* gw = grad->recurrent.data();
    for (std::int32_t j : ro.layers[L - 1]) {
      const double rj = s.r_[idx(j)];
      double grj = s.gr_[idx(j)];
      for (std::int32_t k = start[idx(j)]; k < start[idx(j) + 1]; ++k) {
        const auto t = idx(target[idx(k)]);
        if (layerOf[t] == layer) {
          gw[idx(k)] += gu[t] * rj;
          grj += gu[t] * w[idx(k)];
        }
      }
      s.gr_[idx(j)] = grj;
    }
  }
}

}  // namespace engine
}  // namespace spikegrad
