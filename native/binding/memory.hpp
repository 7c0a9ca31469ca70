// Writes through a typed array's Data() pointer. In the native addon Data() is the array's own
// memory. In the WebAssembly build (emnapi, scripts/build-wasm.js) it is a copy in the module's
// linear memory, made when the binding asked for the pointer; publishWrites copies it back into
// the JavaScript array. Call it after the last write and before the array is returned.
#pragma once

#include <napi.h>

#ifdef __EMSCRIPTEN__
#include <emnapi.h>

#include "binding/errors.hpp"
#endif

namespace spikegrad::binding {

inline void publishWrites(Napi::Env env, const Napi::TypedArray& arr) {
#ifdef __EMSCRIPTEN__
  if (arr.ByteLength() == 0) return;  // nothing to copy (and emnapi gives it no address)
  napi_value v = arr;
  if (emnapi_sync_memory(env, false, &v, 0, NAPI_AUTO_LENGTH) != napi_ok) {
    fail(ErrorCode::kMemory, "could not copy a result out of WebAssembly memory");
  }
#else
  (void)env;
  (void)arr;
#endif
}

}  // namespace spikegrad::binding
