#include "binding/args.hpp"

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "binding/errors.hpp"

namespace spikegrad::binding {

void requireArgs(const Napi::CallbackInfo& info, std::size_t count, const char* fname) {
  if (info.Length() < count) {
    fail(ErrorCode::kArgument, std::string(fname) + ": expected " + std::to_string(count) +
                                   " arguments but received " + std::to_string(info.Length()));
  }
}

Napi::Value field(const Napi::Object& o, const char* name, bool required, const char* what) {
  Napi::Value v = o.Get(name);
  if (required && !present(v)) {
    fail(ErrorCode::kArgument, std::string(what) + "." + name + " is required");
  }
  return v;
}

std::size_t getSize(const Napi::Value& v, const char* name, std::size_t max) {
  if (!v.IsNumber()) fail(ErrorCode::kArgument, std::string(name) + " must be a number");
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || d < 0 || d != std::floor(d) || d > static_cast<double>(max)) {
    fail(ErrorCode::kRange, std::string(name) + " must be an integer in [0, " +
                                std::to_string(max) + "] (got " + std::to_string(d) + ")");
  }
  return static_cast<std::size_t>(d);
}

double getFinite(const Napi::Value& v, const char* name) {
  if (!v.IsNumber()) fail(ErrorCode::kArgument, std::string(name) + " must be a number");
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d)) fail(ErrorCode::kNonFinite, std::string(name) + " must be finite");
  return d;
}

bool getFlag(const Napi::Value& options, const char* name) {
  if (!options.IsObject()) return false;
  Napi::Value v = options.As<Napi::Object>().Get(name);
  if (v.IsUndefined()) return false;
  if (!v.IsBoolean()) {
    fail(ErrorCode::kArgument, std::string("options.") + name + " must be a boolean");
  }
  return v.As<Napi::Boolean>().Value();
}

unsigned getThreads(const Napi::Value& options) {
  if (!options.IsObject()) return 0;
  Napi::Value t = options.As<Napi::Object>().Get("threads");
  if (t.IsUndefined()) return 0;
  return static_cast<unsigned>(getSize(t, "options.threads", 1024));
}

std::size_t checkedProduct(std::size_t rows, std::size_t cols, const char* what) {
  // In 64 bits, so that the bound is the same on wasm32 (32-bit size_t) as on 64-bit hosts.
  constexpr std::uint64_t kMax = std::uint64_t{1} << 32;
  const auto r = static_cast<std::uint64_t>(rows), c = static_cast<std::uint64_t>(cols);
  if ((r != 0 && c > kMax / r) || r * c > std::numeric_limits<std::size_t>::max()) {
    fail(ErrorCode::kRange, std::string(what) + " is too large");
  }
  return rows * cols;
}

Napi::Float64Array float64Array(const Napi::Value& v, const char* name) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) {
    fail(ErrorCode::kArgument, std::string(name) + " must be a Float64Array");
  }
  return v.As<Napi::Float64Array>();
}

namespace {

// Into *out, reusing its memory (assign keeps the capacity).
void copyFloat64s(const Napi::Float64Array& arr, const char* name, std::size_t length,
                  bool requireFinite, std::vector<double>* out) {
  out->assign(arr.Data(), arr.Data() + length);
  if (requireFinite) {
    for (std::size_t i = 0; i < length; ++i) {
      if (!std::isfinite((*out)[i])) {
        fail(ErrorCode::kNonFinite,
             std::string(name) + "[" + std::to_string(i) + "] must be finite");
      }
    }
  }
}

void getFloat64sInto(const Napi::Value& v, const char* name, std::size_t length, bool requireFinite,
                     std::vector<double>* out) {
  auto arr = float64Array(v, name);
  if (arr.ElementLength() != length) {
    fail(ErrorCode::kShape, std::string(name) + " must have length " + std::to_string(length) +
                                " but has length " + std::to_string(arr.ElementLength()));
  }
  copyFloat64s(arr, name, length, requireFinite, out);
}

void getInt32sInto(const Napi::Value& v, const std::string& name, std::vector<std::int32_t>* out) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
    fail(ErrorCode::kArgument, name + " must be an Int32Array");
  }
  auto arr = v.As<Napi::Int32Array>();
  out->assign(arr.Data(), arr.Data() + arr.ElementLength());
}

}  // namespace

std::vector<double> getFloat64s(const Napi::Value& v, const char* name, std::size_t length,
                                bool requireFinite) {
  std::vector<double> out;
  getFloat64sInto(v, name, length, requireFinite, &out);
  return out;
}

std::vector<double> getFloat64sAnyLength(const Napi::Value& v, const char* name,
                                         bool requireFinite) {
  auto arr = float64Array(v, name);
  std::vector<double> out;
  copyFloat64s(arr, name, arr.ElementLength(), requireFinite, &out);
  return out;
}

std::vector<std::uint8_t> getUint8s(const Napi::Value& v, const std::string& name,
                                    std::size_t length) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    fail(ErrorCode::kArgument, name + " must be a Uint8Array");
  }
  auto arr = v.As<Napi::Uint8Array>();
  if (arr.ElementLength() != length) {
    fail(ErrorCode::kShape, name + " must have length " + std::to_string(length) +
                                " but has length " + std::to_string(arr.ElementLength()));
  }
  return std::vector<std::uint8_t>(arr.Data(), arr.Data() + length);
}

std::vector<std::int32_t> getInt32s(const Napi::Value& v, const std::string& name) {
  std::vector<std::int32_t> out;
  getInt32sInto(v, name, &out);
  return out;
}

NeuronModel getModelNamed(const Napi::Value& kind, const Napi::Value& pv, const char* nameWhat,
                          const char* paramsWhat) {
  if (!kind.IsString()) fail(ErrorCode::kArgument, std::string(nameWhat) + " must be a string");
  const std::string name = kind.As<Napi::String>().Utf8Value();
  NeuronModel m;
  if (!NeuronModel::fromName(name, &m)) {
    // An unknown model is a model outside the domain (docs/errors.md), as in the TypeScript layer.
    fail(ErrorCode::kDomain, std::string(nameWhat) + " must be one of " + NeuronModel::names() +
                                 " (got \"" + name + "\")");
  }
  Napi::Object params = pv.IsObject() ? pv.As<Napi::Object>() : Napi::Object::New(kind.Env());
  // Every parameter the model declares, in its declared order; missing ones keep the defaults.
  m.visitMutable([&](auto& p) {
    for (const auto& f : std::decay_t<decltype(p)>::fields()) {
      Napi::Value v = params.Get(f.name);
      if (!v.IsUndefined()) {
        p.*(f.member) = getFinite(v, (std::string(paramsWhat) + "." + f.name).c_str());
      }
    }
  });
  m.validate();
  return m;
}

NeuronModel getModel(const Napi::Object& spec) {
  Napi::Value kind = field(spec, "model");
  return getModelNamed(kind, field(spec, "params", false), "spec.model", "spec.params");
}

Synapses synapsesFromLists(const std::vector<std::int32_t>& source,
                           const std::vector<std::int32_t>& target, std::int32_t sources,
                           std::int32_t targets, const char* what) {
  if (source.size() != target.size()) {
    fail(ErrorCode::kShape, std::string(what) + ": source and target lists differ in length");
  }
  Synapses s;
  s.sources = sources;
  s.targets = targets;
  s.start.assign(static_cast<std::size_t>(sources) + 1, 0);
  s.target = target;
  std::vector<std::int32_t> seen(static_cast<std::size_t>(targets), -1);
  for (std::size_t k = 0; k < source.size(); ++k) {
    const std::int32_t src = source[k];
    if (src < 0 || src >= sources || target[k] < 0 || target[k] >= targets) {
      fail(ErrorCode::kRange, std::string(what) + "[" + std::to_string(k) + "]: (" +
                                  std::to_string(src) + ", " + std::to_string(target[k]) +
                                  ") is out of range");
    }
    if (k > 0 && src < source[k - 1]) {
      fail(ErrorCode::kRange, std::string(what) +
                                  ": synapses must be grouped by source in "
                                  "increasing order");
    }
    if (seen[static_cast<std::size_t>(target[k])] == src) {
      fail(ErrorCode::kRange, std::string(what) + ": duplicate synapse (" + std::to_string(src) +
                                  ", " + std::to_string(target[k]) + ")");
    }
    seen[static_cast<std::size_t>(target[k])] = src;
    ++s.start[static_cast<std::size_t>(src) + 1];
  }
  for (std::size_t i = 0; i + 1 < s.start.size(); ++i) s.start[i + 1] += s.start[i];
  return s;
}

Readout getReadout(const Napi::Object& spec) {
  Readout r;
  r.neurons = getInt32s(field(spec, "readoutNeurons"), "spec.readoutNeurons");
  r.counts = getInt32s(field(spec, "readoutCounts"), "spec.readoutCounts");
  Napi::Value lv = field(spec, "layers", false);
  if (present(lv)) {
    if (!lv.IsArray()) fail(ErrorCode::kArgument, "spec.layers must be an array of Int32Arrays");
    auto arr = lv.As<Napi::Array>();
    for (std::uint32_t L = 0; L < arr.Length(); ++L) {
      r.layers.push_back(getInt32s(arr.Get(L), "spec.layers[" + std::to_string(L) + "]"));
    }
  }
  return r;
}

void checkSlots(const Readout& readout, const char* what) {
  if (readout.totalCount() > kMaxSlots) {
    fail(ErrorCode::kRange, std::string(what) + ": more than " + std::to_string(kMaxSlots) +
                                " output times per sample");
  }
}

TrialSpec getTrial(const Napi::Object& spec) {
  TrialSpec t;
  t.T = getFinite(field(spec, "T"), "spec.T");
  t.maxEvents = static_cast<std::int64_t>(
      getSize(field(spec, "maxEvents"), "spec.maxEvents", kMaxEventBudget));
  Napi::Value ev = field(spec, "engine", false);
  if (present(ev)) {
    if (!ev.IsString()) fail(ErrorCode::kArgument, "spec.engine must be a string");
    const std::string name = ev.As<Napi::String>().Utf8Value();
    if (name == "auto") {
      t.engine = EngineKind::kAuto;
    } else if (name == "layered") {
      t.engine = EngineKind::kLayered;
    } else if (name == "general") {
      t.engine = EngineKind::kGeneral;
    } else {
      fail(ErrorCode::kArgument,
           "spec.engine must be 'auto', 'layered' or 'general', not '" + name + "'");
    }
  }
  return t;
}

InputSpikes BatchArrays::sample(std::size_t s) const {
  const auto lo = static_cast<std::size_t>(sampleStart[s]);
  const auto hi = static_cast<std::size_t>(sampleStart[s + 1]);
  InputSpikes in;
  in.times.assign(times.begin() + static_cast<std::ptrdiff_t>(lo),
                  times.begin() + static_cast<std::ptrdiff_t>(hi));
  if (!bundled) {
    in.channels.assign(channels.begin() + static_cast<std::ptrdiff_t>(lo),
                       channels.begin() + static_cast<std::ptrdiff_t>(hi));
    return in;
  }
  const auto c0 = eventStart[lo];
  for (std::size_t e = lo; e <= hi; ++e) in.start.push_back(eventStart[e] - c0);
  in.channels.assign(channels.begin() + c0, channels.begin() + eventStart[hi]);
  return in;
}

BatchArrays getBatchArrays(const Napi::Value& v, const char* what, bool sampleStartOptional) {
  BatchArrays out;
  getBatchArrays(v, what, sampleStartOptional, &out);
  return out;
}

void getBatchArrays(const Napi::Value& v, const char* what, bool sampleStartOptional,
                    BatchArrays* into) {
  const std::string w(what);
  if (!v.IsObject()) fail(ErrorCode::kArgument, w + " must be an object");
  const Napi::Object b = v.As<Napi::Object>();
  BatchArrays& out = *into;
  // Input times may be +infinity (never processed); NaN and negative times are rejected by
  // InputSpikes::validate.
  const std::string timesName = w + ".times";
  const auto times = float64Array(field(b, "times", true, what), timesName.c_str());
  copyFloat64s(times, timesName.c_str(), times.ElementLength(), false, &out.times);
  getInt32sInto(field(b, "channels", true, what), w + ".channels", &out.channels);
  Napi::Value sv = field(b, "sampleStart", !sampleStartOptional, what);
  if (present(sv)) {
    getInt32sInto(sv, w + ".sampleStart", &out.sampleStart);
  } else {
    out.sampleStart.assign({0, static_cast<std::int32_t>(out.times.size())});
  }
  Napi::Value ev = field(b, "eventStart", false, what);
  out.bundled = present(ev);
  out.eventStart.clear();
  if (out.bundled) {
    getInt32sInto(ev, w + ".eventStart", &out.eventStart);
    if (out.eventStart.size() != out.times.size() + 1 || out.eventStart.front() != 0 ||
        static_cast<std::size_t>(out.eventStart.back()) != out.channels.size()) {
      fail(ErrorCode::kShape,
           w + ".eventStart must hold times.length + 1 offsets from 0 to " + "channels.length");
    }
  } else if (out.channels.size() != out.times.size()) {
    fail(ErrorCode::kShape, w + ".channels must have the length of " + w + ".times");
  }
  // Every offset is checked before any slicing: increasing, starting at 0, ending at the length.
  auto checkOffsets = [](const std::vector<std::int32_t>& off, std::size_t end,
                         const std::string& name, const char* of) {
    if (off.empty() || off.front() != 0 || static_cast<std::size_t>(off.back()) != end) {
      fail(ErrorCode::kShape, name + " must hold offsets from 0 to " + of);
    }
    for (std::size_t k = 1; k < off.size(); ++k) {
      if (off[k] < off[k - 1]) {
        fail(ErrorCode::kShape, name + " must not decrease (entry " + std::to_string(k) + ")");
      }
    }
  };
  checkOffsets(out.sampleStart, out.times.size(), w + ".sampleStart", "times.length");
  if (out.bundled) {
    checkOffsets(out.eventStart, out.channels.size(), w + ".eventStart", "channels.length");
  }
}

NetworkParams getParams(const Napi::Value& v, const NetworkStructure& st) {
  NetworkParams p;
  getParams(v, st, &p);
  return p;
}

void getParams(const Napi::Value& v, const NetworkStructure& st, NetworkParams* into) {
  if (!v.IsObject()) fail(ErrorCode::kArgument, "params must be an object");
  const Napi::Object params = v.As<Napi::Object>();
  NetworkParams& p = *into;
  getFloat64sInto(field(params, "weights", true, "params"), "params.weights", st.recurrent.size(),
                  true, &p.recurrent);
  getFloat64sInto(field(params, "inputWeights", true, "params"), "params.inputWeights",
                  st.input.size(), true, &p.input);
  getFloat64sInto(field(params, "initial", true, "params"), "params.initial", st.stateSize(), true,
                  &p.initial);
  const std::size_t m = st.trainableChannels.size();
  Napi::Value tv = field(params, "inputTimes", m > 0, "params");
  // +infinity is allowed (never processed); NaN and negative times are rejected by the core.
  p.trainableTimes.clear();
  if (present(tv)) getFloat64sInto(tv, "params.inputTimes", m, false, &p.trainableTimes);
}

TraceRequest getTraces(const Napi::Object& o, const char* what, std::int32_t allNeurons) {
  TraceRequest t;
  const std::string w(what);
  Napi::Value dv = field(o, "traceDt", false, what);
  if (!present(dv)) return t;
  t.dt = getFinite(dv, (w + ".traceDt").c_str());
  Napi::Value nv = field(o, "traceNeurons", allNeurons < 0, what);
  if (present(nv)) {
    t.neurons = getInt32s(nv, w + ".traceNeurons");
  } else {
    for (std::int32_t i = 0; i < allNeurons; ++i) t.neurons.push_back(i);
  }
  return t;
}

std::vector<double> getCotangent(const Napi::Object& o, const char* what, bool* wanted) {
  Napi::Value cv = field(o, "cotangent", false, what);
  *wanted = present(cv);
  if (!*wanted) return {};
  // The length is checked against the readout by the caller.
  return getFloat64sAnyLength(cv, (std::string(what) + ".cotangent").c_str(), true);
}

}  // namespace spikegrad::binding
