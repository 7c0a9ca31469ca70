// Registers simulate / simulateAsync on the addon's exports.
#pragma once

#include <napi.h>

namespace spikegrad::binding {
void registerSimulate(Napi::Env env, Napi::Object exports);
}
