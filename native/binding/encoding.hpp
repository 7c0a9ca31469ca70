// Registers ttfsEncode (core/encoding.hpp) on the exports.
#pragma once

#include <napi.h>

namespace spikegrad::binding {
void registerEncoding(Napi::Env env, Napi::Object exports);
}
