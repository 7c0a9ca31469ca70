// Binding of batched execution: the NativeNetwork class (a network's structure: model, synapse
// lists, readout, trial) and the NativeBatch class (a recorded batch whose tapes backward()
// differentiates). Parameters and inputs are copied on every call, so asynchronous work owns its
// data and callers may change their arrays at once.
#include "binding/network.hpp"

#include <memory>

#include "binding/args.hpp"
#include "binding/convert.hpp"
#include "core/batch.hpp"

namespace spikegrad::binding {
namespace {

/// Per-environment constructor references (the addon may be loaded by several worker threads).
struct ClassRefs {
  Napi::FunctionReference batch;
};

/// Synapse lists (source, target) grouped by source in increasing order, no duplicates.
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
  s.weight.assign(target.size(), 0.0);
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

/// The inputs of a batch: per sample a list of events, each one channel or a bundle.
std::vector<InputSpikes> getSamples(const Napi::Value& v) {
  if (!v.IsObject()) fail(ErrorCode::kArgument, "batch must be an object");
  const Napi::Object b = v.As<Napi::Object>();
  Napi::Value tv = field(b, "times", true, "batch");
  if (!tv.IsTypedArray() || tv.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) {
    fail(ErrorCode::kArgument, "batch.times must be a Float64Array");
  }
  const auto times =
      getFloat64s(tv, "batch.times", tv.As<Napi::Float64Array>().ElementLength(), false);
  const auto channels = getInt32s(field(b, "channels", true, "batch"), "batch.channels");
  const auto sampleStart = getInt32s(field(b, "sampleStart", true, "batch"), "batch.sampleStart");
  std::vector<std::int32_t> eventStart;
  Napi::Value ev = field(b, "eventStart", false, "batch");
  const bool bundled = !ev.IsUndefined() && !ev.IsNull();
  if (bundled) {
    eventStart = getInt32s(ev, "batch.eventStart");
    if (eventStart.size() != times.size() + 1 || eventStart.front() != 0 ||
        static_cast<std::size_t>(eventStart.back()) != channels.size()) {
      fail(ErrorCode::kShape,
           "batch.eventStart must hold times.length + 1 offsets from 0 to "
           "channels.length");
    }
  } else if (channels.size() != times.size()) {
    fail(ErrorCode::kShape, "batch.channels must have the length of batch.times");
  }
  // Every offset is checked before any slicing: increasing, starting at 0, ending at the length.
  auto checkOffsets = [](const std::vector<std::int32_t>& off, std::size_t end, const char* name,
                         const char* of) {
    if (off.empty() || off.front() != 0 || static_cast<std::size_t>(off.back()) != end) {
      fail(ErrorCode::kShape, std::string(name) + " must hold offsets from 0 to " + of);
    }
    for (std::size_t k = 1; k < off.size(); ++k) {
      if (off[k] < off[k - 1]) {
        fail(ErrorCode::kShape,
             std::string(name) + " must not decrease (entry " + std::to_string(k) + ")");
      }
    }
  };
  checkOffsets(sampleStart, times.size(), "batch.sampleStart", "times.length");
  if (bundled) checkOffsets(eventStart, channels.size(), "batch.eventStart", "channels.length");
  std::vector<InputSpikes> samples(sampleStart.size() - 1);
  for (std::size_t s = 0; s < samples.size(); ++s) {
    const auto lo = static_cast<std::size_t>(sampleStart[s]);
    const auto hi = static_cast<std::size_t>(sampleStart[s + 1]);
    InputSpikes& in = samples[s];
    in.times.assign(times.begin() + static_cast<std::ptrdiff_t>(lo),
                    times.begin() + static_cast<std::ptrdiff_t>(hi));
    if (!bundled) {
      in.channels.assign(channels.begin() + static_cast<std::ptrdiff_t>(lo),
                         channels.begin() + static_cast<std::ptrdiff_t>(hi));
      continue;
    }
    const auto c0 = eventStart[lo];
    for (std::size_t e = lo; e <= hi; ++e) in.start.push_back(eventStart[e] - c0);
    in.channels.assign(channels.begin() + c0, channels.begin() + eventStart[hi]);
  }
  return samples;
}

unsigned getThreads(const Napi::Value& options) {
  if (!options.IsObject()) return 0;
  Napi::Value t = options.As<Napi::Object>().Get("threads");
  if (t.IsUndefined()) return 0;
  return static_cast<unsigned>(getSize(t, "options.threads", 1024));
}

bool getFlag(const Napi::Value& options, const char* name) {
  if (!options.IsObject()) return false;
  Napi::Value v = options.As<Napi::Object>().Get(name);
  if (v.IsUndefined()) return false;
  if (!v.IsBoolean())
    fail(ErrorCode::kArgument, std::string("options.") + name + " must be a boolean");
  return v.As<Napi::Boolean>().Value();
}

Napi::Object gradientObject(Napi::Env env, const Gradient& g) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("weights", toFloat64Array(env, g.recurrent));
  o.Set("inputWeights", toFloat64Array(env, g.input));
  o.Set("initial", toFloat64Array(env, g.initial));
  o.Set("inputTimes", toFloat64Array(env, g.inputTimes));
  return o;
}

}  // namespace

// ---- NativeBatch
// ---------------------------------------------------------------------------------

class NativeBatch : public Napi::ObjectWrap<NativeBatch> {
 public:
  static Napi::Function define(Napi::Env env) {
    return DefineClass(env, "NativeBatch",
                       {InstanceMethod("backward", &NativeBatch::Backward),
                        InstanceMethod("backwardAsync", &NativeBatch::BackwardAsync),
                        InstanceMethod("dispose", &NativeBatch::Dispose),
                        InstanceAccessor("tapeBytes", &NativeBatch::TapeBytes, nullptr)});
  }

  explicit NativeBatch(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeBatch>(info) {
    if (info.Length() != 1 || !info[0].IsExternal()) {
      throw makeError(info.Env(), ErrorCode::kArgument,
                      "NativeBatch cannot be constructed directly; use NativeNetwork.forward");
    }
    batch_ = *info[0].As<Napi::External<std::shared_ptr<const Batch>>>().Data();
    adjusted_ = static_cast<std::int64_t>(batch_->tapeBytes());
    Napi::MemoryManagement::AdjustExternalMemory(info.Env(), adjusted_);
  }

  ~NativeBatch() override { release(); }

  /// Creates the JS object owning batch.
  static Napi::Object wrap(Napi::Env env, std::shared_ptr<const Batch> batch) {
    auto* refs = env.GetInstanceData<ClassRefs>();
    std::shared_ptr<const Batch> holder = std::move(batch);
    return refs->batch.New({Napi::External<std::shared_ptr<const Batch>>::New(env, &holder)});
  }

 private:
  struct BackwardBaton {
    std::shared_ptr<const Batch> batch;
    std::vector<double> cot;
    unsigned threads = 0;
    Gradient grad;
    void run() {
      batch->backward(cot.data(), threads, &grad);
      for (const auto* v : {&grad.recurrent, &grad.input, &grad.inputTimes, &grad.initial}) {
        requireFiniteResult(*v, "gradient");
      }
    }
    Napi::Value result(Napi::Env env) const { return gradientObject(env, grad); }
  };

  BackwardBaton baton(const Napi::CallbackInfo& info) {
    if (!batch_) fail(ErrorCode::kArgument, "this batch was disposed");
    requireArgs(info, 1, "backward");
    BackwardBaton b;
    b.batch = batch_;
    b.cot = getFloat64s(info[0], "cotangent", batch_->samples() * batch_->slots());
    b.threads = getThreads(info.Length() > 1 ? info[1] : info.Env().Undefined());
    return b;
  }

  Napi::Value Backward(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&]() -> Napi::Value {
      auto b = baton(info);
      b.run();
      return b.result(info.Env());
    });
  }

  Napi::Value BackwardAsync(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&]() -> Napi::Value {
      return PromiseWorker<BackwardBaton>::start(info.Env(), baton(info));
    });
  }

  Napi::Value Dispose(const Napi::CallbackInfo& info) {
    release(info.Env());
    return info.Env().Undefined();
  }

  Napi::Value TapeBytes(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), batch_ ? static_cast<double>(batch_->tapeBytes()) : 0.0);
  }

  void release(Napi::Env env) {
    if (adjusted_ != 0) Napi::MemoryManagement::AdjustExternalMemory(env, -adjusted_);
    adjusted_ = 0;
    batch_.reset();  // running async work keeps its own reference
  }
  void release() {
    if (adjusted_ != 0) Napi::MemoryManagement::AdjustExternalMemory(Env(), -adjusted_);
    adjusted_ = 0;
    batch_.reset();
  }

  std::shared_ptr<const Batch> batch_;
  std::int64_t adjusted_ = 0;
};

// ---- NativeNetwork
// -------------------------------------------------------------------------------

class NativeNetwork : public Napi::ObjectWrap<NativeNetwork> {
 public:
  static Napi::Function define(Napi::Env env) {
    return DefineClass(env, "NativeNetwork",
                       {InstanceMethod("forward", &NativeNetwork::Forward),
                        InstanceMethod("forwardAsync", &NativeNetwork::ForwardAsync)});
  }

  explicit NativeNetwork(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeNetwork>(info) {
    guarded(info.Env(), [&]() -> int {
      requireArgs(info, 1, "NativeNetwork");
      if (!info[0].IsObject()) fail(ErrorCode::kArgument, "NativeNetwork: spec must be an object");
      const Napi::Object spec = info[0].As<Napi::Object>();
      auto net = std::make_shared<Network>();
      net->model = getModel(spec);
      const auto n = getSize(field(spec, "n"), "spec.n", kMaxNeurons);
      const auto nIn = getSize(field(spec, "nIn"), "spec.nIn", kMaxNeurons);
      if (n < 1) fail(ErrorCode::kRange, "spec.n must be at least 1");
      net->n = static_cast<std::int32_t>(n);
      net->recurrent =
          synapsesFromLists(getInt32s(field(spec, "recurrentSource"), "spec.recurrentSource"),
                            getInt32s(field(spec, "recurrentTarget"), "spec.recurrentTarget"),
                            net->n, net->n, "spec.recurrent");
      net->input = synapsesFromLists(getInt32s(field(spec, "inputSource"), "spec.inputSource"),
                                     getInt32s(field(spec, "inputTarget"), "spec.inputTarget"),
                                     static_cast<std::int32_t>(nIn), net->n, "spec.input");
      net->initial.assign(static_cast<std::size_t>(net->model.stateDim()) * n, 0.0);
      readout_.neurons = getInt32s(field(spec, "readoutNeurons"), "spec.readoutNeurons");
      readout_.counts = getInt32s(field(spec, "readoutCounts"), "spec.readoutCounts");
      Napi::Value lv = field(spec, "layers", false);
      if (!lv.IsUndefined() && !lv.IsNull()) {
        if (!lv.IsArray()) fail(ErrorCode::kArgument, "spec.layers must be an array");
        auto arr = lv.As<Napi::Array>();
        for (std::uint32_t L = 0; L < arr.Length(); ++L) {
          readout_.layers.push_back(
              getInt32s(arr.Get(L), "spec.layers[" + std::to_string(L) + "]"));
        }
      }
      readout_.validate(net->n);
      trial_.T = getFinite(field(spec, "T"), "spec.T");
      trial_.maxEvents = static_cast<std::int64_t>(
          getSize(field(spec, "maxEvents"), "spec.maxEvents", kMaxEventBudget));
      if (readout_.totalCount() > kMaxSlots) {
        fail(ErrorCode::kRange, "spec.readoutCounts: more than " + std::to_string(kMaxSlots) +
                                    " output times per sample");
      }
      trial_.validate();
      structure_ = std::move(net);
      return 0;
    });
  }

 private:
  struct ForwardBaton {
    std::shared_ptr<Batch> batch;
    unsigned threads = 0;
    bool keepTapes = false;
    BatchForward out;
    void run() {
      batch->forward(threads, keepTapes, &out);
      requireFiniteResult(out.outputTimes, "output times");
    }
    Napi::Value result(Napi::Env env) {
      Napi::Object o = Napi::Object::New(env);
      o.Set("outputTimes", toFloat64Array(env, out.outputTimes));
      auto pseudo = Napi::Uint8Array::New(env, out.isPseudo.size());
      std::copy(out.isPseudo.begin(), out.isPseudo.end(), pseudo.Data());
      o.Set("outputIsPseudo", pseudo);
      o.Set("inTrialEvents", toFloat64Array(env, out.inTrialEvents));
      o.Set("spikeCount", toFloat64Array(env, out.spikeCount));
      o.Set("spikeCountFirst", toFloat64Array(env, out.spikeCountFirst));
      o.Set("samples", Napi::Number::New(env, static_cast<double>(out.samples)));
      o.Set("slots", Napi::Number::New(env, static_cast<double>(out.slots)));
      if (keepTapes) o.Set("batch", NativeBatch::wrap(env, batch));
      return o;
    }
  };

  /// Copies parameters and inputs into a new Batch: params = {weights, inputWeights, initial}.
  ForwardBaton baton(const Napi::CallbackInfo& info) {
    requireArgs(info, 2, "forward");
    if (!info[0].IsObject()) fail(ErrorCode::kArgument, "params must be an object");
    const Napi::Object params = info[0].As<Napi::Object>();
    Network net = *structure_;
    net.recurrent.weight = getFloat64s(field(params, "weights", true, "params"), "params.weights",
                                       net.recurrent.size());
    net.input.weight = getFloat64s(field(params, "inputWeights", true, "params"),
                                   "params.inputWeights", net.input.size());
    net.initial =
        getFloat64s(field(params, "initial", true, "params"), "params.initial", net.initial.size());
    ForwardBaton b;
    auto samples = getSamples(info[1]);
    if (static_cast<double>(samples.size()) * static_cast<double>(readout_.totalCount()) >
        static_cast<double>(kMaxElements)) {
      fail(ErrorCode::kRange, "batch too large: samples x output times exceeds 2^31");
    }
    b.batch = std::make_shared<Batch>(std::move(net), std::move(samples), readout_, trial_, pool_);
    const Napi::Value options = info.Length() > 2 ? info[2] : info.Env().Undefined();
    b.threads = getThreads(options);
    b.keepTapes = getFlag(options, "keepTapes");
    return b;
  }

  Napi::Value Forward(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&]() -> Napi::Value {
      auto b = baton(info);
      b.run();
      return b.result(info.Env());
    });
  }

  Napi::Value ForwardAsync(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&]() -> Napi::Value {
      return PromiseWorker<ForwardBaton>::start(info.Env(), baton(info));
    });
  }

  std::shared_ptr<const Network> structure_;
  std::shared_ptr<TapePool> pool_ = std::make_shared<TapePool>();
  Readout readout_;
  TrialSpec trial_;
};

void registerNetwork(Napi::Env env, Napi::Object exports) {
  auto* refs = new ClassRefs();
  Napi::Function batch = NativeBatch::define(env);
  refs->batch = Napi::Persistent(batch);
  env.SetInstanceData<ClassRefs>(refs);
  exports.Set("NativeBatch", batch);
  exports.Set("NativeNetwork", NativeNetwork::define(env));
}

}  // namespace spikegrad::binding
