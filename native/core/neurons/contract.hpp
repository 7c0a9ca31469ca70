// The neuron-model contract: what a model must provide to be registered (registry.hpp) and run by
// the engines (native/core/engine/), and the result types its closed forms return.
//
// A model is its parameter struct P (for example ThetaParams) plus an engine adapter P::Adapter.
//
// Every model P provides
//   static constexpr const char* kName;            name in the case format, JSON and the binding
//   static constexpr Family kFamily;               kCurrent or kPhase
//   static constexpr std::array<const char*, D> kStateNames;   D = 2 (V, I) or 1 (phi)
//   static constexpr std::array<ParamField<P>, K> fields();    parameter names and members; the
//                                                  defaults are those of a value-initialised P
//   void validate() const;                         std::invalid_argument naming the parameter
//   std::array<StateBounds, D> bounds() const;     the closed domain of each initial-state
//                                                  variable: validation requires it, the
//                                                  projection clamps to it
//   std::array<double, D> defaultState() const;    the default initial state of one neuron
//   std::vector<NamedConstant> constants() const;  derived constants (e.g. the period) exactly as
//                                                  the engines use them
//   using Adapter = ...;                           constructible from const P&
//
// A current-based adapter (state V, I; an input adds its weight to I; method.md 2.1, 2.3) provides
//   static constexpr bool kMask;                   hold V at clampV() within eps() of a spike, or
//                                                  where the flow would pass clampV()
//   double tau(), eps(), clampV(), resetV() const;
//   Flow flow(V, I, Delta) const;                  free evolution and its partials
//   SpikeTime spikeTime(V, I) const;               time to the next spike and its partials
//   Pseudo pseudo(V, Ip, k) const;                 offset of pseudospike k after T (section 4.1)
//   Rate rate(V, Ip) const;                        pseudo rate (section 4.1)
//   double voltage(x0, x1, Delta, double* I) const;  the state Delta after (x0, x1), for traces
// and, when kMask is true, the state of a neuron held at its pole (method.md 2.1, "The trial end
// at the pole"): a masked neuron's voltage is not flowed, so at the trial end it is given by the
// remaining time dt >= 0 to its kept prediction and its current I, in the angle psi = atan2(1, V)
// (V = cot psi; psi = 0 is the blow-up V = +inf), where nothing overflows as V -> +inf:
//   Pole pole(dt, I) const;                        psi and its partials in dt and I
//   Pseudo pseudoAtPole(psi, Ip, k) const;         as pseudo, with d_dV the derivative in psi
//   Rate rateAtPole(psi, Ip) const;                as rate, with d_dV the derivative in psi
//
// A phase-based adapter (state phi, period Theta; an input maps phi to H(phi, w); method.md 2.2,
// 2.4; pseudodynamics by the phase template of section 4.2, so it needs nothing beyond H) provides
//   static constexpr bool kSlopesNeedPhase;        kickSlopes reads phi (else only aux)
//   double Theta;                                  the period, also the spike phase
//   Kick kick(phi, w) const;                       H and its partials
//   double kickValue(phi, w) const;                H only
//   double kickValue(phi, w, double* aux) const;   H, storing in *aux what kickSlopes needs
//   Kick kickSlopes(phi, w, aux) const;            dH/dphi and dH/dw from the forward's aux
//   Kick pseudoKick(phi, u) const;                 H of the pseudodynamics at the trial end: the
//                                                  same function without guards for inputs
//   double voltage(x0, x1, Delta, double* I) const;  V = iPhi(x0 + Delta), for traces
//
// IsCurrentModel<P> and IsPhaseModel<P> check these signatures; registry.hpp static_asserts one
// of them for every registered model.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <utility>
#include <vector>

namespace spikegrad {

/// The two model families; each has its own engine (native/core/engine/).
enum class Family : std::uint8_t {
  kCurrent,  ///< state (V, I), exponentially decaying synaptic current
  kPhase,    ///< state phi, delta-pulse coupling through a phase transfer function
};

// ---- Current-based results (qif, lif) ----------------------------------------------------------

/// State and partial derivatives after free evolution over an interval of length Delta.
struct Flow {
  double V;          ///< V(Delta) (qif: clamped to at most 1/eps)
  double I;          ///< I(Delta)
  double dV_dV0;     ///< d V(Delta) / d V0
  double dV_dI0;     ///< d V(Delta) / d I0
  double dV_dDelta;  ///< d V(Delta) / d Delta (the vector field at the end point)
  double dI_dI0;     ///< d I(Delta) / d I0
  double dI_dDelta;  ///< d I(Delta) / d Delta
  bool clamped;      ///< V hit the voltage clamp; then all dV_* are 0 (never for lif)
};

/// Time to the next spike and its partial derivatives.
struct SpikeTime {
  double dt;    ///< time from now to the spike; +inf when there is none
  double d_dV;  ///< d dt / d V (0 when there is no spike)
  double d_dI;  ///< d dt / d I (0 when there is no spike)
};

/// Offset of the k-th pseudospike after the trial end, and its derivatives.
struct Pseudo {
  double offset;  ///< t_pseudo,k - T
  double d_dV;    ///< d offset / d V(T)
  double d_dIp;   ///< d offset / d I_pseudo
};

/// Pseudo-rate of a neuron and its derivatives.
struct Rate {
  double r;      ///< the pseudo rate
  double d_dV;   ///< d r / d V(T)
  double d_dIp;  ///< d r / d I_pseudo
};

/// The state at the trial end of a neuron held at its pole (masked models): the angle psi in
/// [0, pi) of its voltage, V = cot psi, given the time dt to its spike and its current I.
struct Pole {
  double psi;       ///< atan2(1, V): 0 at the blow-up V = +inf, pi/2 at V = 0
  double dpsi_ddt;  ///< d psi / d dt at fixed I
  double dpsi_dI;   ///< d psi / d I at fixed dt
  double V;         ///< V = cot psi (+inf at psi = 0)
};

// ---- Phase-based results (theta, osclif) --------------------------------------------------------

/// Result of an input kick: the new phase and its partial derivatives.
struct Kick {
  double phi;     ///< H(phi, w), the phase after the kick
  double d_dphi;  ///< dH / dphi
  double d_dw;    ///< dH / dw
};

// ---- Model metadata -----------------------------------------------------------------------------

/// One named parameter of a model's parameter struct P.
template <typename P>
struct ParamField {
  const char* name;
  double P::*member;
};

/// The closed domain [min, max] of one initial-state variable (infinite bounds: unconstrained),
/// with the rule in words for error messages ("lie in [0, Theta]").
struct StateBounds {
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
  const char* rule = "be finite";
};

/// A named derived constant of a model (the period, ...), as the engines compute it.
struct NamedConstant {
  const char* name;
  double value;
};

// ---- Contract checks ----------------------------------------------------------------------------

namespace contract {

template <typename, template <typename> class, typename = void>
struct Detect : std::false_type {};
template <typename T, template <typename> class Op>
struct Detect<T, Op, std::void_t<Op<T>>> : std::true_type {};

template <typename R, typename T, template <typename> class Op>
constexpr bool returns() {
  if constexpr (Detect<T, Op>::value) {
    return std::is_same_v<Op<T>, R>;
  } else {
    return false;
  }
}

// Expressions of the model (parameter struct) contract.
template <typename P>
using NameOf = decltype(P::kName);
template <typename P>
using FamilyOf = decltype(P::kFamily);
template <typename P>
using StateNamesOf = decltype(P::kStateNames.size());
template <typename P>
using FieldsOf = decltype(P::fields());
template <typename P>
using ValidateOf = decltype(std::declval<const P&>().validate());
template <typename P>
using BoundsOf = decltype(std::declval<const P&>().bounds());
template <typename P>
using DefaultStateOf = decltype(std::declval<const P&>().defaultState());
template <typename P>
using ConstantsOf = decltype(std::declval<const P&>().constants());
template <typename P>
using AdapterOf = decltype(typename P::Adapter(std::declval<const P&>()));

// Expressions of the adapter contracts.
template <typename A>
using TauOf = decltype(std::declval<const A&>().tau() + std::declval<const A&>().eps() +
                       std::declval<const A&>().clampV() + std::declval<const A&>().resetV());
template <typename A>
using MaskOf = decltype(bool{A::kMask});
template <typename A>
using FlowOf = decltype(std::declval<const A&>().flow(0.0, 0.0, 0.0));
template <typename A>
using SpikeTimeOf = decltype(std::declval<const A&>().spikeTime(0.0, 0.0));
template <typename A>
using PseudoOf = decltype(std::declval<const A&>().pseudo(0.0, 0.0, 1));
template <typename A>
using RateOf = decltype(std::declval<const A&>().rate(0.0, 0.0));
template <typename A>
using VoltageOf =
    decltype(std::declval<const A&>().voltage(0.0, 0.0, 0.0, std::declval<double*>()));
template <typename A>
using PoleOf = decltype(std::declval<const A&>().pole(0.0, 0.0));
template <typename A>
using PseudoAtPoleOf = decltype(std::declval<const A&>().pseudoAtPole(0.0, 0.0, 1));
template <typename A>
using RateAtPoleOf = decltype(std::declval<const A&>().rateAtPole(0.0, 0.0));
template <typename A>
using SlopesNeedPhaseOf = decltype(bool{A::kSlopesNeedPhase});
template <typename A>
using ThetaOf = decltype(std::declval<const A&>().Theta);
template <typename A>
using KickOf = decltype(std::declval<const A&>().kick(0.0, 0.0));
template <typename A>
using KickValueOf = decltype(std::declval<const A&>().kickValue(0.0, 0.0));
template <typename A>
using KickValueAuxOf =
    decltype(std::declval<const A&>().kickValue(0.0, 0.0, std::declval<double*>()));
template <typename A>
using PseudoKickOf = decltype(std::declval<const A&>().pseudoKick(0.0, 0.0));
template <typename A>
using KickSlopesOf = decltype(std::declval<const A&>().kickSlopes(0.0, 0.0, 0.0));

template <typename P>
constexpr bool isModel() {
  if constexpr (Detect<P, NameOf>::value && Detect<P, FamilyOf>::value &&
                Detect<P, StateNamesOf>::value && Detect<P, FieldsOf>::value &&
                Detect<P, ValidateOf>::value && Detect<P, AdapterOf>::value) {
    constexpr std::size_t D = P::kStateNames.size();
    return std::is_convertible_v<NameOf<P>, const char*> &&
           std::is_same_v<std::remove_cv_t<FamilyOf<P>>, Family> &&
           returns<std::array<StateBounds, D>, P, BoundsOf>() &&
           returns<std::array<double, D>, P, DefaultStateOf>() &&
           returns<std::vector<NamedConstant>, P, ConstantsOf>();
  } else {
    return false;
  }
}

/// The pole functions a masked model needs (none when kMask is false).
template <typename A>
constexpr bool hasPoleFunctions() {
  if constexpr (Detect<A, MaskOf>::value) {
    if constexpr (A::kMask) {
      return returns<Pole, A, PoleOf>() && returns<Pseudo, A, PseudoAtPoleOf>() &&
             returns<Rate, A, RateAtPoleOf>();
    } else {
      return true;
    }
  } else {
    return false;
  }
}

template <typename A>
constexpr bool isCurrentAdapter() {
  return Detect<A, TauOf>::value && Detect<A, MaskOf>::value && returns<Flow, A, FlowOf>() &&
         returns<SpikeTime, A, SpikeTimeOf>() && returns<Pseudo, A, PseudoOf>() &&
         returns<Rate, A, RateOf>() && returns<double, A, VoltageOf>() && hasPoleFunctions<A>();
}

template <typename A>
constexpr bool isPhaseAdapter() {
  return Detect<A, SlopesNeedPhaseOf>::value && Detect<A, ThetaOf>::value &&
         returns<Kick, A, KickOf>() && returns<double, A, KickValueOf>() &&
         returns<double, A, KickValueAuxOf>() && returns<Kick, A, KickSlopesOf>() &&
         returns<Kick, A, PseudoKickOf>() && returns<double, A, VoltageOf>();
}

}  // namespace contract

/// True when P is a complete current-based model: the model contract, kFamily == kCurrent, two
/// state variables (V, I) and a current-based adapter.
template <typename P>
struct IsCurrentModel {
  static constexpr bool value = [] {
    if constexpr (contract::isModel<P>()) {
      return P::kFamily == Family::kCurrent && P::kStateNames.size() == 2 &&
             contract::isCurrentAdapter<typename P::Adapter>();
    } else {
      return false;
    }
  }();
};

/// True when P is a complete phase-based model: the model contract, kFamily == kPhase, one state
/// variable (phi) and a phase-based adapter.
template <typename P>
struct IsPhaseModel {
  static constexpr bool value = [] {
    if constexpr (contract::isModel<P>()) {
      return P::kFamily == Family::kPhase && P::kStateNames.size() == 1 &&
             contract::isPhaseAdapter<typename P::Adapter>();
    } else {
      return false;
    }
  }();
};

}  // namespace spikegrad
