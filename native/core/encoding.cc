#include "core/encoding.hpp"

#include <algorithm>
#include <array>

namespace spikegrad {

namespace {
/// Up to this many bins, each bin's pixels are gathered by a pass over the image.
constexpr std::size_t kFewBins = 8;
}  // namespace

void ttfsEncode(const std::uint8_t* images, std::size_t samples, std::size_t pixels, int bins,
                double flipProbability, Xoshiro128* rng, TtfsEncoding* out) {
  const auto B = static_cast<std::size_t>(bins);
  const int width = 256 / (bins + 1);
  std::array<std::int32_t, 256> binOfValue;
  for (int v = 0; v < 256; ++v) binOfValue[static_cast<std::size_t>(v)] = (255 - v) / width;
  // Each pixel is in at most one bin; one more entry takes the silent pixels' writes.
  out->channels.resize(samples * pixels + 1);
  out->eventStart.assign(samples * B + 1, 0);
  // Per pixel its slot: its bin, or B for the silent pixels (no bin). The loops below have no
  // data-dependent branches (a pixel's bin is as unpredictable as the image).
  std::vector<std::int32_t> slotOf(pixels);
  std::vector<std::int32_t> next(B + 1);
  std::vector<std::uint8_t> flip(pixels);
  const bool flips = flipProbability > 0.0;
  // A local copy of the generator: its state stays in registers (through rng it could alias the
  // int32 arrays written in the loop, and every draw would go through memory).
  Xoshiro128 r = *rng;
  std::int32_t* chans = out->channels.data();
  const auto dump = static_cast<std::int32_t>(samples * pixels);
  std::int32_t used = 0;
  for (std::size_t s = 0; s < samples; ++s) {
    const std::uint8_t* image = images + s * pixels;
    // The draws first, in a loop of their own (the generator's dependency chain alone), then
    // the bins without branches.
    if (flips) {
      for (std::size_t q = 0; q < pixels; ++q) flip[q] = r.uniform() < flipProbability;
    }
    for (std::size_t q = 0; q < pixels; ++q) {
      std::int32_t k = binOfValue[image[q]];
      if (flips) k = flip[q] ? bins - k : k;
      // k in [0, bins) as one unsigned comparison (a conditional move, not a branch).
      slotOf[q] = static_cast<std::uint32_t>(k) < static_cast<std::uint32_t>(bins) ? k : bins;
    }
    if (B <= kFewBins) {
      // Few bins: one pass per bin appends its pixels (the write position in a register).
      for (std::size_t k = 0; k < B; ++k) {
        const auto kk = static_cast<std::int32_t>(k);
        for (std::size_t q = 0; q < pixels; ++q) {
          chans[used] = static_cast<std::int32_t>(q);
          used += slotOf[q] == kk;
        }
        out->eventStart[s * B + k + 1] = used;
      }
      continue;
    }
    // Many bins: a counting sort by bin (next[k]: where bin k's next pixel goes); the silent
    // pixels all write to the dump entry.
    std::fill(next.begin(), next.end(), 0);
    for (std::size_t q = 0; q < pixels; ++q) ++next[static_cast<std::size_t>(slotOf[q])];
    for (std::size_t k = 0; k < B; ++k) {
      const std::int32_t count = next[k];
      next[k] = used;
      used += count;
      out->eventStart[s * B + k + 1] = used;
    }
    next[B] = dump;
    for (std::size_t q = 0; q < pixels; ++q) {
      const auto slot = static_cast<std::size_t>(slotOf[q]);
      chans[next[slot]] = static_cast<std::int32_t>(q);
      next[slot] += slot < B;
    }
  }
  out->channels.resize(static_cast<std::size_t>(used));
  *rng = r;
}

}  // namespace spikegrad
