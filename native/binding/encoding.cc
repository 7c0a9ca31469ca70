// Binding of the input encodings (core/encoding.hpp):
//
//   ttfsEncode(images, pixels, bins, flipProbability, state)
//       images: Uint8Array of whole images of `pixels` values; bins in [1, 255]; flipProbability
//       in [0, 1]; state: a Uint32Array of Random's four state words (null when
//       flipProbability is 0), advanced in place by the draws. Returns {channels, eventStart}
//       (Int32Arrays, the bundled layout of lib/network/ttfs.ts).
#include "binding/encoding.hpp"

#include <cstdint>
#include <limits>
#include <string>

#include "binding/args.hpp"
#include "binding/errors.hpp"
#include "binding/memory.hpp"
#include "binding/results.hpp"
#include "core/encoding.hpp"

namespace spikegrad::binding {
namespace {

Napi::Value TtfsEncode(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&]() -> Napi::Value {
    requireArgs(info, 5, "ttfsEncode");
    const Napi::Value iv = info[0];
    if (!iv.IsTypedArray() || iv.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
      fail(ErrorCode::kArgument, "images must be a Uint8Array");
    }
    auto images = iv.As<Napi::Uint8Array>();
    const std::size_t limit = static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max());
    const std::size_t pixels = getSize(info[1], "pixels", limit);
    if (pixels == 0) fail(ErrorCode::kRange, "pixels must be at least 1");
    const std::size_t length = images.ElementLength();
    if (length % pixels != 0) {
      fail(ErrorCode::kShape, "images has " + std::to_string(length) +
                                  " values, not a multiple of pixels = " + std::to_string(pixels));
    }
    if (length > limit) fail(ErrorCode::kShape, "images has more than 2^31 - 1 values");
    const std::size_t bins = getSize(info[2], "bins", 255);
    if (bins == 0) fail(ErrorCode::kRange, "bins must be in [1, 255] (got 0)");
    const double p = getFinite(info[3], "flipProbability");
    if (!(p >= 0.0 && p <= 1.0)) fail(ErrorCode::kRange, "flipProbability must be in [0, 1]");
    const std::size_t samples = length / pixels;
    if (samples * bins >= limit) fail(ErrorCode::kShape, "too many events (samples * bins)");
    Xoshiro128 rng{{1, 0, 0, 0}};
    Napi::Uint32Array state;
    const bool flips = p > 0.0;
    if (flips) {
      const Napi::Value sv = info[4];
      if (!sv.IsTypedArray() || sv.As<Napi::TypedArray>().TypedArrayType() != napi_uint32_array ||
          sv.As<Napi::TypedArray>().ElementLength() != 4) {
        fail(ErrorCode::kArgument,
             "state must be a Uint32Array of 4 words when flipProbability > 0");
      }
      state = sv.As<Napi::Uint32Array>();
      for (int k = 0; k < 4; ++k) rng.s[k] = state[static_cast<std::size_t>(k)];
      if ((rng.s[0] | rng.s[1] | rng.s[2] | rng.s[3]) == 0) {
        fail(ErrorCode::kArgument, "state must not be all zero");
      }
    }
    TtfsEncoding enc;
    ttfsEncode(images.Data(), samples, pixels, static_cast<int>(bins), p, &rng, &enc);
    if (flips) {
      for (int k = 0; k < 4; ++k) state[static_cast<std::size_t>(k)] = rng.s[k];
      publishWrites(info.Env(), state);
    }
    Napi::Object out = Napi::Object::New(info.Env());
    out.Set("channels", toInt32Array(info.Env(), enc.channels));
    out.Set("eventStart", toInt32Array(info.Env(), enc.eventStart));
    return out;
  });
}

}  // namespace

void registerEncoding(Napi::Env env, Napi::Object exports) {
  exports.Set("ttfsEncode", Napi::Function::New(env, TtfsEncode));
}

}  // namespace spikegrad::binding
