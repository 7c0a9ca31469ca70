// Entry point of the Node addon: registers the binding's functions and classes. Each of them only
// reads its arguments into plain C++ data (args.hpp), calls the core and writes the result back
// (results.hpp).
#include <napi.h>

#include "binding/encoding.hpp"
#include "binding/models.hpp"
#include "binding/native_batch.hpp"
#include "binding/native_network.hpp"
#include "binding/optim.hpp"
#include "binding/pin.hpp"
#include "binding/simulate.hpp"
#include "core/engine/engine_base.hpp"

namespace spikegrad::binding {
namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  pinLibrary();  // the core's helper threads outlive any one environment
  registerSimulate(env, exports);
  registerBatch(env, exports);
  registerNetwork(env, exports);
  registerModels(env, exports);
  registerEncoding(env, exports);
  registerOptim(env, exports);
  exports.Set("napiVersion", Napi::Number::New(env, NAPI_VERSION));
  // The most neuron updates one trial records (lib/trial/simulate.ts bounds maxEvents by it).
  exports.Set("maxRecordUpdates",
              Napi::Number::New(env, static_cast<double>(spikegrad::engine::kMaxTouches)));
  return exports;
}

}  // namespace
}  // namespace spikegrad::binding

static Napi::Object InitSpikegrad(Napi::Env env, Napi::Object exports) {
  return spikegrad::binding::Init(env, exports);
}

NODE_API_MODULE(spikegrad, InitSpikegrad)
