// Entry point of the Node addon: registers the binding functions. Each function only marshals
// arguments into plain C++ data, calls the core and marshals the result back.
#include <napi.h>

#include "binding/convert.hpp"
#include "binding/network.hpp"
#include "binding/simulate.hpp"
#include "core/input_encoding.hpp"

namespace spikegrad::binding {
namespace {

constexpr std::size_t kMaxDim = std::size_t{1} << 28;

/// Arguments of summedInputWeights, copied out of JavaScript.
struct SummedInputWeights {
  std::size_t rows = 0, cols = 0;
  std::vector<double> W, active, out;

  static SummedInputWeights fromArgs(const Napi::CallbackInfo& info) {
    requireArgs(info, 4, "summedInputWeights");
    SummedInputWeights b;
    b.rows = getSize(info[1], "rows", kMaxDim);
    b.cols = getSize(info[2], "cols", kMaxDim);
    b.W = getFloat64s(info[0], "W", checkedProduct(b.rows, b.cols, "rows * cols"), false);
    b.active = getFloat64s(info[3], "active", b.cols, false);
    return b;
  }
  void run() {
    out.assign(rows, 0.0);
    summedInputWeights(W.data(), rows, cols, active.data(), out.data());
    requireFiniteResult(out, "sum");
  }
  Napi::Value result(Napi::Env env) const { return toFloat64Array(env, out); }
};

Napi::Value SummedInputWeightsSync(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&]() -> Napi::Value {
    auto b = SummedInputWeights::fromArgs(info);
    b.run();
    return b.result(info.Env());
  });
}

Napi::Value SummedInputWeightsAsync(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&]() -> Napi::Value {
    return PromiseWorker<SummedInputWeights>::start(info.Env(), SummedInputWeights::fromArgs(info));
  });
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("summedInputWeights", Napi::Function::New(env, SummedInputWeightsSync));
  exports.Set("summedInputWeightsAsync", Napi::Function::New(env, SummedInputWeightsAsync));
  registerSimulate(env, exports);
  registerNetwork(env, exports);
  exports.Set("napiVersion", Napi::Number::New(env, NAPI_VERSION));
  return exports;
}

}  // namespace
}  // namespace spikegrad::binding

static Napi::Object InitSpikegrad(Napi::Env env, Napi::Object exports) {
  return spikegrad::binding::Init(env, exports);
}

NODE_API_MODULE(spikegrad, InitSpikegrad)
