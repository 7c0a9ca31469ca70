// The NativeNetwork class: a network's immutable structure in native memory.
#pragma once

#include <napi.h>

namespace spikegrad::binding {
void registerNetwork(Napi::Env env, Napi::Object exports);
}
