// Input encodings that run per training batch (lib/network/ttfs.ts calls them through the
// binding): time-to-first-spike encoding of uint8 images into bundled input events, with the
// pixel-flip augmentation of method.md 6.4 drawn from the same random stream as TypeScript's
// Random (lib/base/random.ts), so that a batch is the same whichever side encodes it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace spikegrad {

/// xoshiro128** with the state of lib/base/random.ts's Random (four 32-bit words, as its
/// getState() gives them): next() is Random.nextUint32 and uniform() Random.uniform (53 bits,
/// the high word first), bit for bit.
struct Xoshiro128 {
  std::uint32_t s[4];

  static std::uint32_t rotl(std::uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }

  std::uint32_t next() {
    const std::uint32_t result = rotl(s[1] * 5u, 7) * 9u;
    const std::uint32_t t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  double uniform() {
    const std::uint32_t hi = next() >> 5;
    const std::uint32_t lo = next() >> 6;
    return (static_cast<double>(hi) * 67108864.0 + static_cast<double>(lo)) / 9007199254740992.0;
  }
};

/// The bundled layout of a TTFS batch: per sample `bins` events (empty ones kept), event e's
/// pixels channels[eventStart[e] .. eventStart[e + 1]) in increasing order.
struct TtfsEncoding {
  std::vector<std::int32_t> channels;
  std::vector<std::int32_t> eventStart;  ///< samples * bins + 1 offsets
};

/// Encodes `samples` images of `pixels` values: pixel value v falls into bin
/// (255 - v) / (256 / (bins + 1)) (integer divisions); with flipProbability p > 0 each pixel, in
/// order, draws one rng->uniform() and a draw below p flips its bin k to bins - k; bins outside
/// [0, bins) send nothing. The arguments are checked by the caller (bins in [1, 255], p in
/// [0, 1], rng non-null when p > 0).
void ttfsEncode(const std::uint8_t* images, std::size_t samples, std::size_t pixels, int bins,
                double flipProbability, Xoshiro128* rng, TtfsEncoding* out);

}  // namespace spikegrad
