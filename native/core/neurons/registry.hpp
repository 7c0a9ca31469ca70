// The registry of neuron models: the one list from which everything model-specific is derived
// (the engine dispatch in engine/engines.hpp, names, state sizes, validation, the initial-state
// domain and its projection, traces, and the binding's model reader and model description).
//
// Adding a model: write its header (contract.hpp says what it provides), include it below and
// append its parameter type to `Models`. Nothing else in the core or the binding names models.
#pragma once

#include <cstddef>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "core/neurons/contract.hpp"
#include "core/neurons/lif.hpp"
#include "core/neurons/osclif.hpp"
#include "core/neurons/qif.hpp"
#include "core/neurons/theta.hpp"

namespace spikegrad {

/// A list of model parameter types.
template <typename... Ms>
struct ModelList {
  using Variant = std::variant<Ms...>;
  static constexpr std::size_t size = sizeof...(Ms);
  template <typename P>
  static constexpr bool contains = (std::is_same_v<P, Ms> || ...);
};

/// The registered neuron models, in the order the binding lists them. The first is the default.
using Models = ModelList<QifParams, ThetaParams, LifParams, OscLifParams>;

namespace registry_detail {

template <typename P>
struct CheckModel {
  static_assert(IsCurrentModel<P>::value || IsPhaseModel<P>::value,
                "a registered neuron model must satisfy IsCurrentModel or IsPhaseModel "
                "(native/core/neurons/contract.hpp)");
  static constexpr bool ok = true;
};

constexpr bool sameName(const char* a, const char* b) {
  while (*a != '\0' && *a == *b) {
    ++a;
    ++b;
  }
  return *a == *b;
}

template <typename... Ms>
constexpr bool contractsHold(ModelList<Ms...>) {
  return (CheckModel<Ms>::ok && ...);
}

template <typename... Ms>
constexpr bool namesUnique(ModelList<Ms...>) {
  const char* names[] = {Ms::kName...};
  for (std::size_t i = 0; i < sizeof...(Ms); ++i) {
    for (std::size_t j = i + 1; j < sizeof...(Ms); ++j) {
      if (sameName(names[i], names[j])) return false;
    }
  }
  return true;
}

}  // namespace registry_detail

static_assert(registry_detail::contractsHold(Models{}));
static_assert(registry_detail::namesUnique(Models{}), "registered model names must be unique");

/// The neuron model shared by all neurons of a network: one registered model with its parameters.
class NeuronModel {
 public:
  using Variant = Models::Variant;

  /// The first registered model (qif) with default parameters.
  NeuronModel() = default;
  /// A registered model with the given parameters (implicit: `model = ThetaParams{...}`).
  template <typename P, typename = std::enable_if_t<Models::contains<std::decay_t<P>>>>
  NeuronModel(P&& params) : v_(std::forward<P>(params)) {}  // NOLINT(google-explicit-constructor)

  /// fn(const P& params) with the model's parameter struct.
  template <typename Fn>
  decltype(auto) visit(Fn&& fn) const {
    return std::visit(std::forward<Fn>(fn), v_);
  }
  /// fn(P& params), for readers that fill in parameters.
  template <typename Fn>
  decltype(auto) visitMutable(Fn&& fn) {
    return std::visit(std::forward<Fn>(fn), v_);
  }
  template <typename P>
  bool is() const {
    return std::holds_alternative<P>(v_);
  }
  /// The parameters of model P; throws std::bad_variant_access if the model is another one.
  template <typename P>
  const P& get() const {
    return std::get<P>(v_);
  }

  /// The model's name in the case format: "qif", "theta", "lif" or "osclif".
  const char* name() const;
  Family family() const;
  /// True for the phase oscillators (theta, osclif), whose state is a phase.
  bool isPhase() const { return family() == Family::kPhase; }
  /// Number of state variables per neuron: 2 (V, I) for current-based models, 1 (phi) for phase
  /// models.
  int stateDim() const;
  /// The names of the state variables, in the order of the initial-state layout.
  std::vector<const char*> stateNames() const;
  /// Throws spikegrad::Error (kDomain) naming the parameter when a parameter is invalid.
  void validate() const;
  /// The closed domain of each state variable (stateDim() entries).
  std::vector<StateBounds> bounds() const;
  /// The default initial state of one neuron (stateDim() values).
  std::vector<double> defaultState() const;
  /// Derived constants (e.g. the period), exactly as the engines compute them.
  std::vector<NamedConstant> constants() const;

  /// Checks an initial state of n neurons (stateDim() * n values by variable): every value finite
  /// (kNonFinite) and inside bounds() (kRange). Throws spikegrad::Error naming the entry.
  void checkInitial(const double* initial, std::size_t n) const;
  /// Clamps an initial state of n neurons into bounds() in place (NaN stays NaN); returns the
  /// number of values changed. The projection applied after an optimiser step.
  std::size_t projectInitial(double* initial, std::size_t n) const;

  /// The registered model called `name` with default parameters; false if there is none.
  static bool fromName(const std::string& name, NeuronModel* out);
  /// The registered names, comma-separated in registry order: "qif, theta, lif, osclif".
  static std::string names();
  /// fn(const P& defaults) for every registered model P, in registry order.
  template <typename Fn>
  static void forEach(Fn&& fn) {
    forEachIn(fn, Models{});
  }

 private:
  template <typename Fn, typename... Ms>
  static void forEachIn(Fn& fn, ModelList<Ms...>) {
    (fn(Ms{}), ...);
  }

  Variant v_;
};

}  // namespace spikegrad
