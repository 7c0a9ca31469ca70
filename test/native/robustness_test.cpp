// Robustness of the core without Node (issue 7): random small networks of every model through the
// Simulator (validating) and Batch, forward and backward, with edge states (I = 0, V = +-sqrt|I|,
// phases at 0 and Theta), simultaneous inputs, inputs at 0 and exactly at T, tiny weights and
// empty inputs: results and gradients finite, batches bit-identical for any thread count; and
// malformed inputs rejected with spikegrad::Error carrying the expected code. This program is what
// scripts/sanitize.sh runs under AddressSanitizer/UndefinedBehaviorSanitizer and valgrind, so it
// exercises the simulator's memory handling, not only the neuron formulas.
#include <cmath>
#include <cstdint>
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
using spikegrad::NeuronModel;
using spikegrad::Readout;
using spikegrad::Simulator;
using spikegrad::Synapses;
using spikegrad::Tape;
using spikegrad::TrialSpec;

namespace {

struct Case {
  Network net;
  InputSpikes in;
  Readout ro;
  TrialSpec trial;
};

double period(const NeuronModel& m) {
  return m.kind == NeuronModel::Kind::kTheta ? m.theta.period() : m.osclif.period();
}

/// A random valid case: n <= 5 neurons, moderate weights, edge states mixed in.
Case randomCase(NeuronModel::Kind kind, std::mt19937& rng) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  auto pick = [&](int k) { return static_cast<int>(u(rng) * k); };
  Case c;
  c.net.model.kind = kind;
  const int n = 1 + pick(5);
  const int nIn = 1 + pick(3);
  c.net.n = n;
  std::vector<double> W(static_cast<std::size_t>(n * n)), Win(static_cast<std::size_t>(n * nIn));
  std::vector<std::uint8_t> mask(W.size());
  for (std::size_t k = 0; k < W.size(); ++k) {
    mask[k] = u(rng) < 0.6 ? 1 : 0;
    W[k] = mask[k] ? (u(rng) < 0.1 ? 1e-300 : 4.0 * u(rng) - 2.0) : 0.0;
  }
  for (auto& w : Win) w = u(rng) < 0.1 ? 0.0 : 6.0 * u(rng) - 1.5;
  c.net.recurrent = Synapses::fromDense(n, n, W.data(), mask.data());
  c.net.input = Synapses::fromDense(n, nIn, Win.data(), nullptr);
  const double T = u(rng) < 0.1 ? 0.0 : 0.5 + 6.0 * u(rng);
  c.trial.T = T;
  c.trial.maxEvents = 5000;
  if (c.net.model.isPhase()) {
    const double P = period(c.net.model);
    for (int i = 0; i < n; ++i) {
      const double r = u(rng);
      c.net.initial.push_back(r < 0.15 ? 0.0 : r < 0.3 ? P : P * u(rng));
    }
  } else {
    std::vector<double> V(static_cast<std::size_t>(n)), I(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
      const double r = u(rng);
      I[static_cast<std::size_t>(i)] = r < 0.2 ? 0.0 : 4.0 * u(rng) - 2.0;
      const double a = std::sqrt(std::fabs(I[static_cast<std::size_t>(i)]));
      double v = r < 0.4 ? a : r < 0.5 ? -a : 2.0 * u(rng) - 1.0;
      if (kind == NeuronModel::Kind::kLif) v = std::fmin(v, 0.9);
      V[static_cast<std::size_t>(i)] = v;
    }
    c.net.initial = V;
    c.net.initial.insert(c.net.initial.end(), I.begin(), I.end());
  }
  const int events = pick(7);
  for (int k = 0; k < events; ++k) {
    const double r = u(rng);
    c.in.times.push_back(r < 0.15 ? 0.0 : r < 0.3 ? T : r < 0.4 ? 1.0 : T * u(rng));
    c.in.channels.push_back(pick(nIn));
  }
  const int readouts = pick(3) + 1;
  for (int q = 0; q < readouts; ++q) {
    c.ro.neurons.push_back(pick(n));
    c.ro.counts.push_back(pick(4));
  }
  return c;
}

bool allFinite(const std::vector<double>& v) {
  for (double x : v) {
    if (!std::isfinite(x)) return false;
  }
  return true;
}

const char* kindName(NeuronModel::Kind k) {
  switch (k) {
    case NeuronModel::Kind::kQif:
      return "qif";
    case NeuronModel::Kind::kTheta:
      return "theta";
    case NeuronModel::Kind::kLif:
      return "lif";
    case NeuronModel::Kind::kOscLif:
      return "osclif";
  }
  return "?";
}

void randomTrials() {
  std::mt19937 rng(20240607);
  const NeuronModel::Kind kinds[] = {NeuronModel::Kind::kQif, NeuronModel::Kind::kTheta,
                                     NeuronModel::Kind::kLif, NeuronModel::Kind::kOscLif};
  int budget = 0;
  for (int k = 0; k < 400; ++k) {
    const auto kind = kinds[k % 4];
    Case c = randomCase(kind, rng);
    spikegrad::test::context() = std::string(kindName(kind)) + " case " + std::to_string(k);
    Simulator sim;
    Tape tape;
    ForwardResult out;
    try {
      sim.forward(c.net, c.in, c.ro, c.trial, &tape, &out);
    } catch (const Error& e) {
      CHECK(e.code() == ErrorCode::kBudget);
      ++budget;
      continue;
    }
    CHECK(allFinite(out.outputTimes));
    CHECK(allFinite(out.spikeTimes));
    CHECK(out.outputTimes.size() == c.ro.totalCount());
    for (double t : out.spikeTimes) CHECK(t >= 0.0 && t < c.trial.T);
    std::vector<double> cot(c.ro.totalCount());
    for (std::size_t s = 0; s < cot.size(); ++s) cot[s] = (s % 3 == 0) ? 1.0 : -0.5;
    Gradient g;
    g.reset(c.net, c.in.times.size());
    sim.backward(c.net, c.in, c.ro, c.trial, tape, cot.data(), &g);
    CHECK(allFinite(g.recurrent));
    CHECK(allFinite(g.input));
    CHECK(allFinite(g.inputTimes));
    CHECK(allFinite(g.initial));
  }
  spikegrad::test::context().clear();
  CHECK(budget < 100);  // most cases ran to the end
}

/// A batch of random samples of one network: same results and gradient bits for 1, 2, 5 threads.
void batchThreads() {
  std::mt19937 rng(7);
  for (auto kind : {NeuronModel::Kind::kQif, NeuronModel::Kind::kTheta}) {
    Case c = randomCase(kind, rng);
    c.trial.maxEvents = 20000;
    std::vector<InputSpikes> samples;
    for (int s = 0; s < 37; ++s) samples.push_back(randomCase(kind, rng).in);
    for (auto& s : samples) {
      for (auto& ch : s.channels) ch %= c.net.inputChannels();
      for (auto& t : s.times) t = std::fmin(t, c.trial.T);
    }
    std::vector<double> reference;
    std::vector<double> refOut;
    for (unsigned threads : {1u, 2u, 5u}) {
      Batch batch(c.net, samples, c.ro, c.trial);
      BatchForward out;
      try {
        batch.forward(threads, true, &out);
      } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::kBudget);
        break;
      }
      std::vector<double> cot(out.samples * out.slots, 0.25);
      Gradient g;
      batch.backward(cot.data(), threads, &g);
      std::vector<double> all = g.recurrent;
      all.insert(all.end(), g.input.begin(), g.input.end());
      all.insert(all.end(), g.initial.begin(), g.initial.end());
      all.insert(all.end(), g.inputTimes.begin(), g.inputTimes.end());
      CHECK(allFinite(all));
      if (reference.empty()) {
        reference = all;
        refOut = out.outputTimes;
      } else {
        CHECK(all == reference);  // bit for bit
        CHECK(out.outputTimes == refOut);
      }
    }
  }
}

template <typename Fn>
void expectError(ErrorCode code, Fn&& fn, const char* what) {
  spikegrad::test::context() = what;
  bool threw = false;
  try {
    fn();
  } catch (const Error& e) {
    threw = true;
    CHECK(e.code() == code);
  } catch (...) {
    threw = true;
    CHECK(false);  // only spikegrad::Error may leave the core
  }
  CHECK(threw);
  spikegrad::test::context().clear();
}

void malformed() {
  std::mt19937 rng(3);
  const Case base = randomCase(NeuronModel::Kind::kQif, rng);
  auto run = [](const Case& c) {
    Simulator sim;
    Tape tape;
    ForwardResult out;
    sim.forward(c.net, c.in, c.ro, c.trial, &tape, &out);
  };
  {
    Case c = base;
    c.in.times.push_back(std::nan(""));
    c.in.channels.push_back(0);
    expectError(
        ErrorCode::kRange, [&] { run(c); }, "NaN input time");
  }
  {
    Case c = base;
    c.in.times.push_back(-1.0);
    c.in.channels.push_back(0);
    expectError(
        ErrorCode::kRange, [&] { run(c); }, "negative input time");
  }
  {
    Case c = base;
    c.in.times.push_back(0.5);
    c.in.channels.push_back(-1);
    expectError(
        ErrorCode::kRange, [&] { run(c); }, "negative channel");
  }
  {
    Case c = base;
    c.in.times.push_back(0.5);
    c.in.channels.push_back(1 << 30);
    expectError(
        ErrorCode::kRange, [&] { run(c); }, "huge channel");
  }
  {
    Case c = base;
    c.in.times.push_back(0.5);  // one more time than channels
    expectError(
        ErrorCode::kShape, [&] { run(c); }, "times and channels differ");
  }
  {
    Case c = base;
    c.in.start = {0, 5};  // a bundle whose offsets do not match
    expectError(
        ErrorCode::kShape, [&] { run(c); }, "bad bundle offsets");
  }
  {
    Case c = base;
    c.ro.neurons = {c.net.n};
    c.ro.counts = {1};
    expectError(
        ErrorCode::kRange, [&] { run(c); }, "readout neuron out of range");
  }
  {
    Case c = base;
    c.ro.neurons = {0};
    c.ro.counts = {-1};
    expectError(
        ErrorCode::kRange, [&] { run(c); }, "negative count");
  }
  {
    Case c = base;
    c.ro.layers = {{0}, {0}};
    expectError(
        ErrorCode::kRange, [&] { run(c); }, "neuron in two layers");
  }
  {
    Case c = base;
    c.net.initial[0] = INFINITY;
    expectError(
        ErrorCode::kNonFinite, [&] { run(c); }, "infinite initial state");
  }
  {
    Case c = base;
    c.net.initial.pop_back();
    expectError(
        ErrorCode::kShape, [&] { run(c); }, "short initial state");
  }
  {
    Case c = base;
    if (c.net.recurrent.size() > 0) {
      c.net.recurrent.weight[0] = std::nan("");
      expectError(
          ErrorCode::kNonFinite, [&] { run(c); }, "NaN weight");
    }
  }
  {
    Case c = base;
    c.net.recurrent.start.back() += 1;  // offsets past the synapse list
    expectError(
        ErrorCode::kShape, [&] { run(c); }, "inconsistent synapse offsets");
  }
  {
    Case c = base;
    if (c.net.input.size() > 0) {
      c.net.input.target[0] = c.net.n;
      expectError(
          ErrorCode::kRange, [&] { run(c); }, "synapse target out of range");
    }
  }
  {
    Case c = base;
    c.trial.T = -1.0;
    expectError(
        ErrorCode::kRange, [&] { run(c); }, "negative T");
  }
  {
    Case c = base;
    c.trial.T = INFINITY;
    expectError(
        ErrorCode::kRange, [&] { run(c); }, "infinite T");
  }
  {
    Case c = base;
    c.net.model.qif.tau = 0.0;
    expectError(
        ErrorCode::kDomain, [&] { run(c); }, "tau = 0");
  }
  {
    Case c = base;
    c.net.model.kind = NeuronModel::Kind::kTheta;
    c.net.model.theta.I0 = 0.25;
    c.net.initial.resize(static_cast<std::size_t>(c.net.n), 0.0);
    expectError(
        ErrorCode::kDomain, [&] { run(c); }, "theta I0 = 1/4");
  }
  {
    // A budget of 0 with an input inside the trial.
    Case c = base;
    c.in.times = {0.0};
    c.in.channels = {0};
    c.trial.T = 1.0;
    c.trial.maxEvents = 0;
    expectError(
        ErrorCode::kBudget, [&] { run(c); }, "budget 0");
  }
  {
    // backward() without a recorded forward run.
    Case c = base;
    Simulator sim;
    Tape tape;
    Gradient g;
    g.reset(c.net, c.in.times.size());
    std::vector<double> cot(c.ro.totalCount(), 1.0);
    expectError(
        ErrorCode::kInternal,
        [&] { sim.backward(c.net, c.in, c.ro, c.trial, tape, cot.data(), &g); }, "empty tape");
  }
  {
    // Batch::backward before forward with keepTapes.
    Case c = base;
    Batch batch(c.net, {c.in}, c.ro, c.trial);
    std::vector<double> cot(c.ro.totalCount(), 1.0);
    Gradient g;
    expectError(
        ErrorCode::kInternal, [&] { batch.backward(cot.data(), 1, &g); }, "no tapes");
  }
}

}  // namespace

int main() {
  randomTrials();
  batchThreads();
  malformed();
  return spikegrad::test::finish("robustness_test");
}
