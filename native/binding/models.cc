// Binding of the neuron-model registry (core/neurons/registry.hpp), so that TypeScript derives
// its model list and uses the core's exact constants instead of recomputing them:
//
//   models                                  [{name, family: 'current' | 'phase', stateNames,
//                                             params: [{name, default}]}] in registry order
//   modelConstants(name, params?)           {name, family, stateNames, params (defaults filled
//                                             in), constants: {period, r, ...}, stateMin,
//                                             stateMax, defaultState} as the core computes them
//   projectInitial(name, params, initial)   clamps a Float64Array initial state (stateDim * n
//                                             values by variable) into [stateMin, stateMax] in
//                                             place; returns the number of values changed
#include "binding/models.hpp"

#include <string>
#include <type_traits>

#include "binding/args.hpp"
#include "binding/errors.hpp"
#include "binding/memory.hpp"
#include "core/neurons/registry.hpp"

namespace spikegrad::binding {
namespace {

const char* familyName(Family f) { return f == Family::kCurrent ? "current" : "phase"; }

template <typename P>
Napi::Object describe(Napi::Env env, const P& p) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("name", P::kName);
  o.Set("family", familyName(P::kFamily));
  Napi::Array states = Napi::Array::New(env, P::kStateNames.size());
  for (std::uint32_t d = 0; d < P::kStateNames.size(); ++d) states.Set(d, P::kStateNames[d]);
  o.Set("stateNames", states);
  Napi::Array params = Napi::Array::New(env, P::fields().size());
  std::uint32_t k = 0;
  for (const auto& f : P::fields()) {
    Napi::Object param = Napi::Object::New(env);
    param.Set("name", f.name);
    param.Set("default", p.*(f.member));
    params.Set(k++, param);
  }
  o.Set("params", params);
  return o;
}

Napi::Array numbers(Napi::Env env, const std::vector<double>& values) {
  Napi::Array a = Napi::Array::New(env, values.size());
  for (std::uint32_t k = 0; k < values.size(); ++k) a.Set(k, values[k]);
  return a;
}

Napi::Value ModelConstants(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&]() -> Napi::Value {
    requireArgs(info, 1, "modelConstants");
    Napi::Env env = info.Env();
    const NeuronModel model =
        getModelNamed(info[0], info.Length() > 1 ? info[1] : env.Undefined(), "name", "params");
    Napi::Object o = model.visit([&](const auto& p) { return describe(env, p); });
    Napi::Object params = Napi::Object::New(env);
    model.visit([&](const auto& p) {
      for (const auto& f : std::decay_t<decltype(p)>::fields()) params.Set(f.name, p.*(f.member));
    });
    o.Set("params", params);
    Napi::Object constants = Napi::Object::New(env);
    for (const NamedConstant& c : model.constants()) constants.Set(c.name, c.value);
    o.Set("constants", constants);
    std::vector<double> lo, hi;
    for (const StateBounds& b : model.bounds()) {
      lo.push_back(b.min);
      hi.push_back(b.max);
    }
    o.Set("stateMin", numbers(env, lo));
    o.Set("stateMax", numbers(env, hi));
    o.Set("defaultState", numbers(env, model.defaultState()));
    return o;
  });
}

Napi::Value ProjectInitial(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&]() -> Napi::Value {
    requireArgs(info, 3, "projectInitial");
    const NeuronModel model = getModelNamed(info[0], info[1], "name", "params");
    auto arr = float64Array(info[2], "initial");
    const auto D = static_cast<std::size_t>(model.stateDim());
    const std::size_t length = arr.ElementLength();
    if (length % D != 0) {
      fail(ErrorCode::kShape, "initial must hold " + std::to_string(D) +
                                  " values per neuron (got length " + std::to_string(length) + ")");
    }
    const std::size_t changed = model.projectInitial(arr.Data(), length / D);
    publishWrites(info.Env(), arr);
    return Napi::Number::New(info.Env(), static_cast<double>(changed));
  });
}

}  // namespace

void registerModels(Napi::Env env, Napi::Object exports) {
  Napi::Array models = Napi::Array::New(env);
  std::uint32_t k = 0;
  NeuronModel::forEach([&](const auto& defaults) { models.Set(k++, describe(env, defaults)); });
  exports.Set("models", models);
  exports.Set("modelConstants", Napi::Function::New(env, ModelConstants));
  exports.Set("projectInitial", Napi::Function::New(env, ProjectInitial));
}

}  // namespace spikegrad::binding
