// Which engine runs which model, and the dispatch from a network's model (the registry's variant)
// to the engine instance. A current-based model runs in CurrentEngine, a phase model in
// PhaseEngine, unless EngineFor is specialised for its adapter (theta: the tangent-coordinate
// engine).
#pragma once

#include <type_traits>

#include "core/engine/current_engine.hpp"
#include "core/engine/engine_base.hpp"
#include "core/engine/phase_engine.hpp"
#include "core/engine/theta_engine.hpp"
#include "core/neurons/registry.hpp"

namespace spikegrad {
namespace engine {

/// The general (event-driven) engine of a model's adapter A.
template <typename A>
struct EngineFor {
  using type =
      std::conditional_t<contract::isCurrentAdapter<A>(), CurrentEngine<A>, PhaseEngine<A>>;
};

/// The theta model runs in tangent coordinates (theta_engine.hpp).
template <>
struct EngineFor<ThetaAdapter> {
  using type = ThetaEngine;
};

/// fn(adapter, engineTag) with the adapter of model params, where engineTag is a null pointer of
/// the engine type (for its static members).
template <typename Fn>
decltype(auto) withAdapter(const NeuronModel& model, Fn&& fn) {
  return model.visit([&](const auto& params) {
    using A = typename std::decay_t<decltype(params)>::Adapter;
    using E = typename EngineFor<A>::type;
    return fn(A(params), static_cast<const E*>(nullptr));
  });
}

/// Calls fn with the general engine of the network's model, built on base.
template <typename Fn>
void withEngine(const EngineBase& base, Fn&& fn) {
  base.net.model.visit([&](const auto& params) {
    using A = typename std::decay_t<decltype(params)>::Adapter;
    using E = typename EngineFor<A>::type;
    fn(E(base, A(params)));
  });
}

}  // namespace engine
}  // namespace spikegrad
