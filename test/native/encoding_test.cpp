// The input encodings of native/core/encoding.hpp: Xoshiro128 is xoshiro128** with the values of
// an independent implementation (the stream of lib/base/random.ts's Random(42)); ttfsEncode's
// layout on a small case, and on random images, bins 1 to 255 (both of its sorting paths) with and
// without flips, against a reference written from the definition that draws from a copy of the
// same generator.
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "check.hpp"
#include "core/encoding.hpp"

using spikegrad::TtfsEncoding;
using spikegrad::Xoshiro128;

namespace {

void generator() {
  spikegrad::test::context() = "xoshiro128** of Random(42)";
  Xoshiro128 r{{939911724u, 3948730756u, 321366731u, 3317318717u}};
  const std::uint32_t want[6] = {2837322924u, 544945897u, 479756282u,
                                 3500138142u, 339756180u, 113173290u};
  for (std::uint32_t w : want) CHECK(r.next() == w);
  CHECK(r.s[0] == 679431238u && r.s[1] == 1949896667u && r.s[2] == 1352712987u &&
        r.s[3] == 4116562469u);
}

void smallCase() {
  spikegrad::test::context() = "ttfsEncode, 2 images of 4 pixels, 2 bins";
  const std::uint8_t images[8] = {255, 170, 84, 255, 0, 0, 170, 170};
  Xoshiro128 r{{1, 0, 0, 0}};
  TtfsEncoding e;
  spikegrad::ttfsEncode(images, 2, 4, 2, 0.0, &r, &e);
  CHECK((e.channels == std::vector<std::int32_t>{0, 3, 1, 2, 3}));
  CHECK((e.eventStart == std::vector<std::int32_t>{0, 2, 3, 3, 5}));
  CHECK(r.s[0] == 1u && r.s[1] == 0u);  // no draws without flips
}

void randomCases() {
  std::mt19937 g(3);
  for (int bins : {1, 2, 8, 9, 50, 255}) {
    for (double p : {0.0, 0.3, 1.0}) {
      spikegrad::test::context() = "bins " + std::to_string(bins) + ", p " + std::to_string(p);
      const std::size_t samples = 5, pixels = 61;
      std::vector<std::uint8_t> images(samples * pixels);
      for (auto& v : images) v = static_cast<std::uint8_t>(g() & 255);
      const auto word = [&g]() { return static_cast<std::uint32_t>(g()); };
      Xoshiro128 r{{word(), word(), word(), word() | 1u}};
      Xoshiro128 ref = r;
      TtfsEncoding e;
      spikegrad::ttfsEncode(images.data(), samples, pixels, bins, p, &r, &e);
      std::vector<std::int32_t> channels, starts{0};
      const int width = 256 / (bins + 1);
      for (std::size_t s = 0; s < samples; ++s) {
        std::vector<int> bin(pixels);
        for (std::size_t q = 0; q < pixels; ++q) {
          bin[q] = (255 - images[s * pixels + q]) / width;
          if (p > 0.0 && ref.uniform() < p) bin[q] = bins - bin[q];
        }
        for (int k = 0; k < bins; ++k) {
          for (std::size_t q = 0; q < pixels; ++q) {
            if (bin[q] == k) channels.push_back(static_cast<std::int32_t>(q));
          }
          starts.push_back(static_cast<std::int32_t>(channels.size()));
        }
      }
      CHECK(e.channels == channels);
      CHECK(e.eventStart == starts);
      CHECK(r.s[0] == ref.s[0] && r.s[1] == ref.s[1] && r.s[2] == ref.s[2] && r.s[3] == ref.s[3]);
    }
  }
}

}  // namespace

int main() {
  generator();
  smallCase();
  randomCases();
  return spikegrad::test::finish("encoding_test");
}
