// Trainable input spikes in the core (NetworkStructure::trainableChannels, the times in
// NetworkParams::trainableTimes): a trial of a network that declares them must equal, bit for
// bit, the trial of the same network without them whose samples carry the spikes appended (the
// way the TypeScript layer appended them before): same outputs, same weight and initial-state
// gradients, the sample's own input-time gradients in Gradient::inputTimes and the appended ones
// in Gradient::trainableTimes; a Batch sums the latter over the samples in sample order, for any
// number of threads. Malformed trainable inputs are rejected with coded errors.
#include <cmath>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "check.hpp"
#include "core/batch.hpp"
#include "core/simulator.hpp"

using spikegrad::Batch;
using spikegrad::BatchForward;
using spikegrad::Error;
using spikegrad::ErrorCode;
using spikegrad::ForwardResult;
using spikegrad::Gradient;
using spikegrad::InputSpikes;
using spikegrad::Network;
using spikegrad::NetworkParams;
using spikegrad::NetworkStructure;
using spikegrad::NeuronModel;
using spikegrad::Readout;
using spikegrad::Simulator;
using spikegrad::Synapses;
using spikegrad::Tape;
using spikegrad::TrialSpec;
using spikegrad::test::expectError;

namespace {

const char* const kModels[] = {"qif", "theta", "lif", "osclif"};

struct Case {
  NetworkStructure st;  ///< with trainable channels
  NetworkParams par;
  std::vector<InputSpikes> samples;
  Readout ro;
  TrialSpec trial;
};

/// A random network of the given model with 1-3 trainable input spikes and 1-6 samples.
Case randomCase(const char* model, bool bundled, std::mt19937& rng) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  auto pick = [&](int k) { return static_cast<int>(u(rng) * k); };
  Case c;
  CHECK(NeuronModel::fromName(model, &c.st.model));
  const int n = 1 + pick(5), nIn = 1 + pick(3);
  c.st.n = n;
  std::vector<std::uint8_t> mask(static_cast<std::size_t>(n * n));
  std::vector<double> W(mask.size()), Win(static_cast<std::size_t>(n * nIn));
  const bool phase = c.st.model.isPhase();
  for (std::size_t k = 0; k < W.size(); ++k) {
    mask[k] = u(rng) < 0.5 ? 1 : 0;
    W[k] = phase ? 1.6 * u(rng) - 0.6 : 3.0 * u(rng) - 1.0;
  }
  for (auto& w : Win) w = phase ? 1.5 * u(rng) - 0.3 : 6.0 * u(rng) - 1.0;
  c.st.recurrent = Synapses::fromMask(n, n, mask.data());
  c.par.recurrent = c.st.recurrent.gather(W.data());
  c.st.input = Synapses::fromMask(n, nIn, nullptr);
  c.par.input = c.st.input.gather(Win.data());
  const double hi = phase ? c.st.model.bounds()[0].max : 0.0;
  for (int d = 0; d < c.st.model.stateDim(); ++d) {
    for (int i = 0; i < n; ++i) c.par.initial.push_back(phase ? hi * u(rng) : 1.2 * u(rng) - 0.6);
  }
  c.trial.T = 1.0 + 4.0 * u(rng);
  c.trial.maxEvents = 5000;
  const int m = 1 + pick(3);
  for (int k = 0; k < m; ++k) {
    c.st.trainableChannels.push_back(pick(nIn));
    // Some trainable spikes at the same time as a sample's own event (ties: own events first).
    c.par.trainableTimes.push_back(k == 1 ? 0.5 : c.trial.T * u(rng));
  }
  const int B = 1 + pick(6);
  for (int s = 0; s < B; ++s) {
    InputSpikes in;
    const int events = pick(5);
    if (bundled) in.start.push_back(0);
    for (int e = 0; e < events; ++e) {
      in.times.push_back(e == 0 ? 0.5 : c.trial.T * u(rng));
      const int width = bundled ? 1 + pick(3) : 1;
      for (int q = 0; q < width; ++q) in.channels.push_back(pick(nIn));
      if (bundled) in.start.push_back(static_cast<std::int32_t>(in.channels.size()));
    }
    c.samples.push_back(in);
  }
  for (int q = 0; q < 1 + pick(3); ++q) {
    c.ro.neurons.push_back(pick(n));
    c.ro.counts.push_back(1 + pick(3));
  }
  return c;
}

/// The sample with the trainable spikes appended by hand (single-channel bundles when bundled).
InputSpikes appended(const Case& c, const InputSpikes& own) {
  InputSpikes in = own;
  for (std::size_t k = 0; k < c.st.trainableChannels.size(); ++k) {
    in.times.push_back(c.par.trainableTimes[k]);
    in.channels.push_back(c.st.trainableChannels[k]);
    if (own.bundled()) in.start.push_back(in.start.back() + 1);
  }
  return in;
}

/// The same network without trainable inputs.
Network plainNetwork(const Case& c) {
  auto st = std::make_shared<NetworkStructure>(c.st);
  st->trainableChannels.clear();
  NetworkParams par = c.par;
  par.trainableTimes.clear();
  return {st, par};
}

bool same(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t k = 0; k < a.size(); ++k) {
    if (!(a[k] == b[k] && std::signbit(a[k]) == std::signbit(b[k]))) return false;
  }
  return true;
}

std::vector<double> cotangent(std::size_t slots, std::size_t s) {
  std::vector<double> cot(slots);
  for (std::size_t k = 0; k < slots; ++k) cot[k] = static_cast<double>((k + s) % 3) - 0.8;
  return cot;
}

/// One trial per sample: core handling against appending by hand.
void singleTrials() {
  std::mt19937 rng(11);
  int compared = 0;
  for (int k = 0; k < 200; ++k) {
    const char* model = kModels[k % 4];
    const bool bundled = (k / 4) % 2 == 1;
    const Case c = randomCase(model, bundled, rng);
    spikegrad::test::context() =
        std::string(model) + (bundled ? " bundled" : " plain") + " case " + std::to_string(k);
    const Network withT{std::make_shared<NetworkStructure>(c.st), c.par};
    const Network plain = plainNetwork(c);
    const InputSpikes& own = c.samples[0];
    const InputSpikes all = appended(c, own);
    Simulator sim;
    Tape ta, tb;
    ForwardResult a, b;
    try {
      sim.forward(plain, all, c.ro, c.trial, &tb, &b);
    } catch (const Error& e) {
      CHECK(e.code() == ErrorCode::kBudget);
      continue;
    }
    sim.forward(withT, own, c.ro, c.trial, &ta, &a);
    CHECK(same(a.outputTimes, b.outputTimes));
    CHECK(same(a.spikeTimes, b.spikeTimes));
    CHECK(same(a.stateAtT, b.stateAtT));
    CHECK(a.inTrialEvents == b.inTrialEvents);
    const auto cot = cotangent(c.ro.totalCount(), 0);
    Gradient ga, gb;
    ga.reset(c.st, own.events());
    gb.reset(*plain.structure, all.events());
    sim.backward(withT, own, c.ro, c.trial, ta, cot.data(), &ga);
    sim.backward(plain, all, c.ro, c.trial, tb, cot.data(), &gb);
    CHECK(same(ga.recurrent, gb.recurrent));
    CHECK(same(ga.input, gb.input));
    CHECK(same(ga.initial, gb.initial));
    const auto split = gb.inputTimes.begin() + static_cast<std::ptrdiff_t>(own.events());
    CHECK(same(ga.inputTimes, std::vector<double>(gb.inputTimes.begin(), split)));
    CHECK(same(ga.trainableTimes, std::vector<double>(split, gb.inputTimes.end())));
    CHECK(gb.trainableTimes.empty());
    ++compared;
  }
  spikegrad::test::context().clear();
  CHECK(compared > 150);
}

/// A batch: trainableTimes is the sum over the samples, in sample order, of the single-trial
/// gradients; inputTimes holds the samples' own events; thread counts do not matter.
void batches() {
  std::mt19937 rng(5);
  for (int k = 0; k < 24; ++k) {
    const char* model = kModels[k % 4];
    Case c = randomCase(model, k % 3 == 0, rng);
    const std::size_t drawn = c.samples.size();
    while (c.samples.size() < 20) c.samples.push_back(c.samples[c.samples.size() % drawn]);
    spikegrad::test::context() = std::string(model) + " batch " + std::to_string(k);
    const std::size_t B = c.samples.size(), slots = c.ro.totalCount();
    std::vector<double> cot;
    for (std::size_t s = 0; s < B; ++s) {
      const auto cs = cotangent(slots, s);
      cot.insert(cot.end(), cs.begin(), cs.end());
    }
    // Reference: one trial per sample, appended by hand, summed in sample order.
    const Network plain = plainNetwork(c);
    const std::size_t m = c.st.trainableChannels.size();
    std::vector<double> wantTrainable(m, 0.0), wantOwn;
    bool budget = false;
    for (std::size_t s = 0; s < B && !budget; ++s) {
      const InputSpikes all = appended(c, c.samples[s]);
      Simulator sim;
      Tape tape;
      ForwardResult out;
      try {
        sim.forward(plain, all, c.ro, c.trial, &tape, &out);
      } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::kBudget);
        budget = true;
        break;
      }
      Gradient g;
      g.reset(*plain.structure, all.events());
      sim.backward(plain, all, c.ro, c.trial, tape, cot.data() + s * slots, &g);
      const std::size_t own = c.samples[s].events();
      wantOwn.insert(wantOwn.end(), g.inputTimes.begin(), g.inputTimes.begin() + own);
      for (std::size_t q = 0; q < m; ++q) wantTrainable[q] += g.inputTimes[own + q];
    }
    if (budget) continue;
    std::vector<double> first;
    for (unsigned threads : {1u, 3u}) {
      Batch batch({std::make_shared<NetworkStructure>(c.st), c.par}, c.samples, c.ro, c.trial);
      BatchForward out;
      batch.forward(threads, true, &out);
      Gradient g;
      batch.backward(cot.data(), threads, &g);
      CHECK(same(g.trainableTimes, wantTrainable));
      CHECK(same(g.inputTimes, wantOwn));
      std::vector<double> all = g.recurrent;
      all.insert(all.end(), g.input.begin(), g.input.end());
      all.insert(all.end(), g.initial.begin(), g.initial.end());
      if (first.empty()) {
        first = all;
      } else {
        CHECK(same(all, first));
      }
    }
  }
  spikegrad::test::context().clear();
}

void malformed() {
  std::mt19937 rng(2);
  const Case base = randomCase("qif", false, rng);
  auto run = [](const Case& c) {
    Simulator sim;
    Tape tape;
    ForwardResult out;
    sim.forward({std::make_shared<NetworkStructure>(c.st), c.par}, c.samples[0], c.ro, c.trial,
                &tape, &out);
  };
  run(base);  // valid
  {
    Case c = base;
    c.par.trainableTimes.pop_back();
    expectError(
        ErrorCode::kShape, [&] { run(c); }, "one time too few");
  }
  {
    Case c = base;
    c.par.trainableTimes[0] = std::nan("");
    expectError(
        ErrorCode::kRange, [&] { run(c); }, "NaN trainable time");
  }
  {
    Case c = base;
    c.par.trainableTimes[0] = -0.1;
    expectError(
        ErrorCode::kRange, [&] { run(c); }, "negative trainable time");
  }
  {
    Case c = base;
    c.st.trainableChannels[0] = c.st.inputChannels();
    expectError(
        ErrorCode::kRange, [&] { run(c); }, "trainable channel out of range");
  }
  {
    // backward() with a gradient sized without the trainable spikes.
    Case c = base;
    const Network net{std::make_shared<NetworkStructure>(c.st), c.par};
    Simulator sim;
    Tape tape;
    ForwardResult out;
    sim.forward(net, c.samples[0], c.ro, c.trial, &tape, &out);
    Gradient g;
    g.reset(c.st, c.samples[0].events());
    g.trainableTimes.clear();
    const auto cot = cotangent(c.ro.totalCount(), 0);
    expectError(
        ErrorCode::kShape,
        [&] { sim.backward(net, c.samples[0], c.ro, c.trial, tape, cot.data(), &g); },
        "gradient without trainable times");
  }
}

}  // namespace

int main() {
  singleTrials();
  batches();
  malformed();
  return spikegrad::test::finish("trainable_inputs_test");
}
