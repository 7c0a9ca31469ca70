// Registers adamStep (core/optim.hpp) on the exports.
#pragma once

#include <napi.h>

namespace spikegrad::binding {
void registerOptim(Napi::Env env, Napi::Object exports);
}
