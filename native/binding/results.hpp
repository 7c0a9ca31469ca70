// Writing C++ results into JavaScript values, and the finiteness check every result passes.
#pragma once

#include <napi.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "binding/errors.hpp"
#include "binding/memory.hpp"
#include "core/simulator.hpp"

namespace spikegrad::binding {

/// Throws ERR_SPIKEGRAD_NONFINITE when a computed result holds NaN or an infinity: extreme but
/// finite inputs can overflow a closed form; that must be an error, never a silent result.
inline void requireFiniteResult(const std::vector<double>& values, const char* what) {
  for (double v : values) {
    if (!std::isfinite(v)) {
      fail(ErrorCode::kNonFinite, std::string("the ") + what +
                                      " overflowed (not finite): the inputs or parameters are too "
                                      "extreme for float64");
    }
  }
}

/// requireFiniteResult for every array of a gradient.
inline void requireFiniteGradient(const Gradient& g) {
  for (const auto* v : {&g.recurrent, &g.input, &g.inputTimes, &g.initial, &g.trainableTimes}) {
    requireFiniteResult(*v, "gradient");
  }
}

/// A new Float64Array holding a copy of values.
inline Napi::Float64Array toFloat64Array(Napi::Env env, const std::vector<double>& values) {
  auto arr = Napi::Float64Array::New(env, values.size());
  std::copy(values.begin(), values.end(), arr.Data());
  publishWrites(env, arr);
  return arr;
}

inline Napi::Int32Array toInt32Array(Napi::Env env, const std::vector<std::int32_t>& values) {
  auto arr = Napi::Int32Array::New(env, values.size());
  std::copy(values.begin(), values.end(), arr.Data());
  publishWrites(env, arr);
  return arr;
}

inline Napi::Uint8Array toUint8Array(Napi::Env env, const std::vector<std::uint8_t>& values) {
  auto arr = Napi::Uint8Array::New(env, values.size());
  std::copy(values.begin(), values.end(), arr.Data());
  publishWrites(env, arr);
  return arr;
}

/// A gradient in synapse-list layout: {weights, inputWeights, initial, inputTimes,
/// trainableTimes}.
inline Napi::Object gradientObject(Napi::Env env, const Gradient& g) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("weights", toFloat64Array(env, g.recurrent));
  o.Set("inputWeights", toFloat64Array(env, g.input));
  o.Set("initial", toFloat64Array(env, g.initial));
  o.Set("inputTimes", toFloat64Array(env, g.inputTimes));
  o.Set("trainableTimes", toFloat64Array(env, g.trainableTimes));
  return o;
}

/// The single-trial result object shared by simulate and NativeNetwork.trial: spike lists,
/// outputs, state at T, in-trial events, and (when recorded) the event list.
inline Napi::Object trialObject(Napi::Env env, const ForwardResult& fwd,
                                const std::vector<Tape::Event>* events) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("spikeTimes", toFloat64Array(env, fwd.spikeTimes));
  out.Set("spikeNeurons", toInt32Array(env, fwd.spikeNeurons));
  out.Set("outputTimes", toFloat64Array(env, fwd.outputTimes));
  out.Set("outputIsPseudo", toUint8Array(env, fwd.outputIsPseudo));
  out.Set("stateAtT", toFloat64Array(env, fwd.stateAtT));
  out.Set("inTrialEvents", Napi::Number::New(env, static_cast<double>(fwd.inTrialEvents)));
  if (events != nullptr) {
    std::vector<double> times;
    std::vector<std::int32_t> kinds, indices;
    for (const auto& e : *events) {
      times.push_back(e.t);
      kinds.push_back(e.kind);
      indices.push_back(e.index);
    }
    Napi::Object ev = Napi::Object::New(env);
    ev.Set("times", toFloat64Array(env, times));
    ev.Set("kinds", toInt32Array(env, kinds));
    ev.Set("indices", toInt32Array(env, indices));
    out.Set("events", ev);
  }
  return out;
}

}  // namespace spikegrad::binding
