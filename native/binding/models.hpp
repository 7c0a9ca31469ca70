// Registers the model description (models), modelConstants and projectInitial on the exports.
#pragma once

#include <napi.h>

namespace spikegrad::binding {
void registerModels(Napi::Env env, Napi::Object exports);
}
