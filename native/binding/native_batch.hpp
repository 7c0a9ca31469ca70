// The NativeBatch class: a recorded batch whose tapes backward() differentiates.
#pragma once

#include <napi.h>

#include <memory>

#include "core/batch.hpp"

namespace spikegrad::binding {

/// Defines NativeBatch on exports (its constructor is kept for wrapBatch).
void registerBatch(Napi::Env env, Napi::Object exports);

/// A new NativeBatch object owning batch.
Napi::Object wrapBatch(Napi::Env env, std::shared_ptr<const Batch> batch);

}  // namespace spikegrad::binding
