// Robustness of the core without Node (issue 7): random small networks of every model through the
// Simulator (validating) and Batch, forward and backward, with edge states (I = 0, V = +-sqrt|I|,
// phases at 0 and Theta), simultaneous inputs, inputs at 0 and exactly at T, tiny weights and
// empty inputs: results and gradients finite, batches bit-identical for any thread count; and
// malformed inputs rejected with spikegrad::Error carrying the expected code. This program is what
// scripts/sanitize.sh runs under AddressSanitizer/UndefinedBehaviorSanitizer and valgrind, so it
// exercises the simulator's memory handling, not only the neuron formulas.
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
using spikegrad::LifParams;
using spikegrad::Network;
using spikegrad::NetworkParams;
using spikegrad::NetworkStructure;
using spikegrad::NeuronModel;
using spikegrad::OscLifParams;
using spikegrad::QifParams;
using spikegrad::Readout;
using spikegrad::Simulator;
using spikegrad::Synapses;
using spikegrad::Tape;
using spikegrad::ThetaParams;
using spikegrad::TrialSpec;
using spikegrad::test::expectError;

namespace {

struct Case {
  NetworkStructure st;
  NetworkParams par;
  InputSpikes in;
  Readout ro;
  TrialSpec trial;
  /// The network of structure st and parameters par.
  Network net() const { return {std::make_shared<const NetworkStructure>(st), par}; }
};

double period(const NeuronModel& m) {
  return m.is<ThetaParams>() ? m.get<ThetaParams>().period() : m.get<OscLifParams>().period();
}

NeuronModel modelNamed(const char* name) {
  NeuronModel m;
  CHECK(NeuronModel::fromName(name, &m));
  return m;
}

/// A random valid case: n <= 5 neurons, moderate weights, edge states mixed in.
Case randomCase(const char* kind, std::mt19937& rng) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  auto pick = [&](int k) { return static_cast<int>(u(rng) * k); };
  Case c;
  c.st.model = modelNamed(kind);
  const int n = 1 + pick(5);
  const int nIn = 1 + pick(3);
  c.st.n = n;
  std::vector<double> W(static_cast<std::size_t>(n * n)), Win(static_cast<std::size_t>(n * nIn));
  std::vector<std::uint8_t> mask(W.size());
  for (std::size_t k = 0; k < W.size(); ++k) {
    mask[k] = u(rng) < 0.6 ? 1 : 0;
    W[k] = mask[k] ? (u(rng) < 0.1 ? 1e-300 : 4.0 * u(rng) - 2.0) : 0.0;
  }
  for (auto& w : Win) w = u(rng) < 0.1 ? 0.0 : 6.0 * u(rng) - 1.5;
  c.st.recurrent = Synapses::fromMask(n, n, mask.data());
  c.par.recurrent = c.st.recurrent.gather(W.data());
  c.st.input = Synapses::fromMask(n, nIn, nullptr);
  c.par.input = c.st.input.gather(Win.data());
  const double T = u(rng) < 0.1 ? 0.0 : 0.5 + 6.0 * u(rng);
  c.trial.T = T;
  c.trial.maxEvents = 5000;
  if (c.st.model.isPhase()) {
    const double P = period(c.st.model);
    for (int i = 0; i < n; ++i) {
      const double r = u(rng);
      c.par.initial.push_back(r < 0.15 ? 0.0 : r < 0.3 ? P : P * u(rng));
    }
  } else {
    std::vector<double> V(static_cast<std::size_t>(n)), I(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
      const double r = u(rng);
      I[static_cast<std::size_t>(i)] = r < 0.2 ? 0.0 : 4.0 * u(rng) - 2.0;
      const double a = std::sqrt(std::fabs(I[static_cast<std::size_t>(i)]));
      double v = r < 0.4 ? a : r < 0.5 ? -a : 2.0 * u(rng) - 1.0;
      if (c.st.model.is<LifParams>()) v = std::fmin(v, 0.9);
      V[static_cast<std::size_t>(i)] = v;
    }
    c.par.initial = V;
    c.par.initial.insert(c.par.initial.end(), I.begin(), I.end());
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

void randomTrials() {
  std::mt19937 rng(20240607);
  const char* kinds[] = {"qif", "theta", "lif", "osclif"};
  int budget = 0;
  for (int k = 0; k < 400; ++k) {
    const auto kind = kinds[k % 4];
    Case c = randomCase(kind, rng);
    spikegrad::test::context() = std::string(kind) + " case " + std::to_string(k);
    const Network net = c.net();
    Simulator sim;
    Tape tape;
    ForwardResult out;
    try {
      sim.forward(net, c.in, c.ro, c.trial, &tape, &out);
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
    g.reset(c.st, c.in.times.size());
    sim.backward(net, c.in, c.ro, c.trial, tape, cot.data(), &g);
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
  for (const char* kind : {"qif", "theta"}) {
    Case c = randomCase(kind, rng);
    c.trial.maxEvents = 20000;
    std::vector<InputSpikes> samples;
    for (int s = 0; s < 37; ++s) samples.push_back(randomCase(kind, rng).in);
    for (auto& s : samples) {
      for (auto& ch : s.channels) ch %= c.st.inputChannels();
      for (auto& t : s.times) t = std::fmin(t, c.trial.T);
    }
    std::vector<double> reference;
    std::vector<double> refOut;
    for (unsigned threads : {1u, 2u, 5u}) {
      Batch batch(c.net(), samples, c.ro, c.trial);
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

/// A runaway network (issue 12 class 2): n QIF neurons all-to-all with weight 5, all starting
/// above the separatrix, so every spike makes more; one input at t = 0.1.
Case runaway(int n, std::int64_t maxEvents) {
  Case c;
  c.st.model = modelNamed("qif");
  c.st.n = n;
  const std::vector<double> W(static_cast<std::size_t>(n * n), 5.0);
  c.st.recurrent = Synapses::fromMask(n, n, nullptr);
  c.par.recurrent = c.st.recurrent.gather(W.data());
  c.st.input = Synapses::fromMask(n, 1, nullptr);
  c.par.input.assign(static_cast<std::size_t>(n), 1.0);
  c.par.initial.assign(static_cast<std::size_t>(n), 2.0);      // V
  c.par.initial.resize(static_cast<std::size_t>(2 * n), 0.0);  // I
  c.in.times = {0.1};
  c.in.channels = {0};
  c.ro.neurons = {0};
  c.ro.counts = {1};
  c.trial.T = 50.0;
  c.trial.maxEvents = maxEvents;
  return c;
}

/// maxEvents bounds the work (issue 12 class 2): the trial stops at the budget, so the tape of a
/// failed trial holds at most maxEvents events and their touches (before: the loop ran on to
/// maxEvents + max(maxEvents, 100000) events to count them), also in a batch on threads with
/// tapes kept; the message gives a lower bound on the events needed.
void budgetBoundsTheWork() {
  for (const std::int64_t budget : {0, 1, 10, 1000}) {
    spikegrad::test::context() = "runaway, maxEvents " + std::to_string(budget);
    const int n = 20;
    const Case c = runaway(n, budget);
    Simulator sim;
    Tape tape;
    ForwardResult out;
    bool threw = false;
    try {
      sim.forward(c.net(), c.in, c.ro, c.trial, &tape, &out);
    } catch (const Error& e) {
      threw = true;
      CHECK(e.code() == ErrorCode::kBudget);
      const std::string msg = e.what();
      CHECK(msg.find("at least " + std::to_string(budget + 1)) != std::string::npos);
      CHECK(msg.find("lower bound") != std::string::npos);
    }
    CHECK(threw);
    CHECK(tape.events.size() <= static_cast<std::size_t>(budget));
    CHECK(tape.touches.size() <= static_cast<std::size_t>(budget * n));
  }
  // The hint counts the input events before T not yet processed: 40 inputs to a silent neuron.
  {
    Case c = runaway(1, 7);
    c.par.recurrent.assign(c.par.recurrent.size(), 0.0);
    c.par.initial = {0.0, -100.0};
    c.par.input = {0.0};
    c.in.times.clear();
    c.in.channels.clear();
    for (int k = 0; k < 40; ++k) {
      c.in.times.push_back(k < 30 ? 0.5 + k : 60.0 + k);  // 30 before T = 50, 10 after
      c.in.channels.push_back(0);
    }
    spikegrad::test::context() = "inputs only, maxEvents 7";
    Simulator sim;
    Tape tape;
    ForwardResult out;
    std::string msg;
    try {
      sim.forward(c.net(), c.in, c.ro, c.trial, &tape, &out);
    } catch (const Error& e) {
      msg = e.what();
    }
    CHECK(msg.find("at least 30 ") != std::string::npos);
    c.trial.maxEvents = 30;
    sim.forward(c.net(), c.in, c.ro, c.trial, &tape, &out);
    CHECK(out.inTrialEvents == 30);
  }
  // A batch on 3 threads with tapes kept: every sample stops at its budget.
  {
    spikegrad::test::context() = "runaway batch";
    const int n = 20;
    const std::int64_t budget = 50;
    const Case c = runaway(n, budget);
    const std::vector<InputSpikes> samples(6, c.in);
    Batch batch(c.net(), samples, c.ro, c.trial);
    BatchForward out;
    bool threw = false;
    try {
      batch.forward(3, true, &out);
    } catch (const Error& e) {
      threw = true;
      CHECK(e.code() == ErrorCode::kBudget);
      CHECK(std::string(e.what()).find("sample 0: ") == 0);
    }
    CHECK(threw);
    // Events of 24 bytes and touches of 48, with the vectors' growth (at most doubling).
    const std::size_t perTape = 2 * (budget * 24 + budget * n * 48) + 4096;
    CHECK(batch.tapeBytes() <= samples.size() * perTape);
  }
  spikegrad::test::context().clear();
}

void malformed() {
  std::mt19937 rng(3);
  const Case base = randomCase("qif", rng);
  auto run = [](const Case& c) {
    Simulator sim;
    Tape tape;
    ForwardResult out;
    sim.forward(c.net(), c.in, c.ro, c.trial, &tape, &out);
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
    c.ro.neurons = {c.st.n};
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
    c.par.initial[0] = INFINITY;
    expectError(
        ErrorCode::kNonFinite, [&] { run(c); }, "infinite initial state");
  }
  {
    Case c = base;
    c.par.initial.pop_back();
    expectError(
        ErrorCode::kShape, [&] { run(c); }, "short initial state");
  }
  {
    Case c = base;
    if (c.st.recurrent.size() > 0) {
      c.par.recurrent[0] = std::nan("");
      expectError(
          ErrorCode::kNonFinite, [&] { run(c); }, "NaN weight");
    }
  }
  {
    Case c = base;
    c.st.recurrent.start.back() += 1;  // offsets past the synapse list
    expectError(
        ErrorCode::kShape, [&] { run(c); }, "inconsistent synapse offsets");
  }
  {
    Case c = base;
    if (c.st.input.size() > 0) {
      c.st.input.target[0] = c.st.n;
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
    QifParams p;
    p.tau = 0.0;
    c.st.model = p;
    expectError(
        ErrorCode::kDomain, [&] { run(c); }, "tau = 0");
  }
  {
    Case c = base;
    ThetaParams p;
    p.I0 = 0.25;
    c.st.model = p;
    c.par.initial.resize(static_cast<std::size_t>(c.st.n), 0.0);
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
    g.reset(c.st, c.in.times.size());
    std::vector<double> cot(c.ro.totalCount(), 1.0);
    expectError(
        ErrorCode::kInternal,
        [&] { sim.backward(c.net(), c.in, c.ro, c.trial, tape, cot.data(), &g); }, "empty tape");
  }
  {
    // Batch::backward before forward with keepTapes.
    Case c = base;
    Batch batch(c.net(), {c.in}, c.ro, c.trial);
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
  budgetBoundsTheWork();
  malformed();
  return spikegrad::test::finish("robustness_test");
}
