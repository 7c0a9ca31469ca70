// Registers the NativeNetwork and NativeBatch classes on the addon's exports.
#pragma once

#include <napi.h>

namespace spikegrad::binding {
void registerNetwork(Napi::Env env, Napi::Object exports);
}
