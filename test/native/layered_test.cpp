// The layered engine (native/core/engine/layered.hpp for theta, layered_model.hpp for qif, lif
// and osclif) against the general engine on random layered networks of every model: the same
// spikes, output times (ordinary and pseudo), states at T and event counts, and the same gradient
// of every parameter to 1e-12 relative (to the largest entry of each gradient array), for plain and
// bundled inputs, trainable input spikes, initial phases near 0 and Theta, outputs near T; single
// trials and batches with any number of threads. The layered gradient is also checked against
// central finite differences. Auto-selection picks the layered engine only where it applies, a
// forced layered engine on other networks is a coded error, and budget errors are those of the
// general engine.
#include <algorithm>
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
using spikegrad::EngineKind;
using spikegrad::Error;
using spikegrad::ErrorCode;
using spikegrad::ForwardResult;
using spikegrad::Gradient;
using spikegrad::InputSpikes;
using spikegrad::LayerPlan;
using spikegrad::LifParams;
using spikegrad::Network;
using spikegrad::NetworkParams;
using spikegrad::NetworkStructure;
using spikegrad::NeuronModel;
using spikegrad::OscLifParams;
using spikegrad::Readout;
using spikegrad::Simulator;
using spikegrad::Synapses;
using spikegrad::Tape;
using spikegrad::ThetaParams;
using spikegrad::TrialSpec;

namespace {

struct Case {
  std::shared_ptr<NetworkStructure> st;
  NetworkParams par;
  std::vector<InputSpikes> samples;
  Readout ro;
  TrialSpec trial;
  std::string describe;
};

/// Dense synapses of a column-major targets x sources block (targets lo..lo+rows) per source.
void denseBlock(Synapses* syn, std::int32_t sourceLo, std::int32_t sources, std::int32_t lo,
                std::int32_t rows) {
  for (std::int32_t j = 0; j < sources; ++j) {
    for (std::int32_t i = 0; i < rows; ++i) syn->target.push_back(lo + i);
    syn->start[static_cast<std::size_t>(sourceLo + j) + 1] =
        static_cast<std::int32_t>(syn->target.size());
  }
}

/// The time scale of a model: the period of a phase model, 2 for the current-based ones.
double periodOf(const NeuronModel& m) {
  if (m.is<ThetaParams>()) return m.get<ThetaParams>().period();
  if (m.is<OscLifParams>()) return m.get<OscLifParams>().period();
  return 2.0;
}

Case randomCase(std::mt19937& rng, int variant, const std::string& kind = "theta") {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  auto pick = [&](int k) { return static_cast<int>(u(rng) * k); };
  Case c;
  c.st = std::make_shared<NetworkStructure>();
  if (kind == "theta") {
    ThetaParams tp;
    tp.tau = 0.5 + 1.5 * u(rng);
    tp.I0 = 0.3 + 1.5 * u(rng);
    c.st->model = tp;
  } else {
    CHECK(NeuronModel::fromName(kind.c_str(), &c.st->model));
  }
  const double Theta = periodOf(c.st->model);
  const int L = 1 + pick(3);
  std::vector<int> sizes(static_cast<std::size_t>(L));
  for (auto& s : sizes) s = 1 + pick(variant % 4 == 0 ? 30 : 6);
  int n = 0;
  std::vector<std::int32_t> off{0};
  for (int s : sizes) off.push_back(n += s);
  const int nIn = 1 + pick(6);
  c.st->n = n;
  c.st->recurrent.sources = c.st->recurrent.targets = n;
  c.st->recurrent.start.assign(static_cast<std::size_t>(n) + 1, 0);
  for (int l = 0; l + 1 < L; ++l) {
    denseBlock(&c.st->recurrent, off[l], sizes[l], off[l + 1], sizes[l + 1]);
  }
  for (std::size_t k = 1; k < c.st->recurrent.start.size(); ++k) {
    c.st->recurrent.start[k] = std::max(c.st->recurrent.start[k], c.st->recurrent.start[k - 1]);
  }
  c.st->input.sources = nIn;
  c.st->input.targets = n;
  c.st->input.start.assign(static_cast<std::size_t>(nIn) + 1, 0);
  denseBlock(&c.st->input, 0, nIn, 0, sizes[0]);
  const bool trainable = variant % 3 == 1;
  if (trainable) {
    for (int k = 0; k <= pick(2); ++k) c.st->trainableChannels.push_back(pick(nIn));
  }
  // Weights strong enough for spikes in every layer, of both signs.
  const double scale = 0.5 + 3.0 * u(rng);
  for (std::size_t k = 0; k < c.st->recurrent.size(); ++k) {
    c.par.recurrent.push_back(scale * (u(rng) - 0.3));
  }
  for (std::size_t k = 0; k < c.st->input.size(); ++k)
    c.par.input.push_back(scale * (u(rng) - 0.2));
  if (c.st->model.isPhase()) {
    for (int i = 0; i < n; ++i) {
      const double r = u(rng);
      // Some phases at or near the ends of [0, Theta].
      c.par.initial.push_back(r < 0.1   ? 0.0
                              : r < 0.2 ? Theta
                              : r < 0.3 ? Theta * (1 - 1e-9)
                                        : Theta * u(rng));
    }
  } else {
    // (V, I): some at the fixed points V = +-sqrt(I), some near the threshold.
    std::vector<double> V, I;
    for (int i = 0; i < n; ++i) {
      const double r = u(rng);
      const double cur = r < 0.2 ? 0.0 : 4.0 * u(rng) - 2.0;
      const double a = std::sqrt(std::fabs(cur));
      double v = r < 0.4 ? a : r < 0.5 ? -a : 2.0 * u(rng) - 1.0;
      if (c.st->model.is<LifParams>()) v = std::fmin(v, 0.9);
      V.push_back(v);
      I.push_back(cur);
    }
    c.par.initial = V;
    c.par.initial.insert(c.par.initial.end(), I.begin(), I.end());
  }
  c.trial.T = Theta * (0.3 + 2.5 * u(rng));
  c.trial.maxEvents = 100000;
  for (auto t : c.st->trainableChannels) {
    (void)t;
    c.par.trainableTimes.push_back(c.trial.T * u(rng));
  }
  const bool bundled = variant % 2 == 1;
  const int B = 1 + pick(4);
  for (int b = 0; b < B; ++b) {
    InputSpikes in;
    const int events = pick(8);
    for (int e = 0; e < events; ++e) {
      // Some events share a time; some lie after T.
      const double t = e > 0 && u(rng) < 0.2 ? in.times.back() : c.trial.T * 1.1 * u(rng);
      in.times.push_back(t);
      if (bundled) {
        if (in.start.empty()) in.start.push_back(0);
        const int m = u(rng) < 0.1 ? 0 : 1 + pick(nIn);  // some bundles are empty
        for (int k = 0; k < m; ++k) in.channels.push_back(pick(nIn));
        in.start.push_back(static_cast<std::int32_t>(in.channels.size()));
      } else {
        in.channels.push_back(pick(nIn));
      }
    }
    if (bundled && in.start.empty()) in.start.push_back(0);
    c.samples.push_back(in);
  }
  for (int l = 0; l < L; ++l) {
    std::vector<std::int32_t> layer;
    for (int i = off[l]; i < off[l + 1]; ++i) layer.push_back(i);
    c.ro.layers.push_back(layer);
  }
  // Readout: the last layer, sometimes also a hidden neuron; 1-3 times each.
  for (int i = off[L - 1]; i < n; ++i) {
    c.ro.neurons.push_back(i);
    c.ro.counts.push_back(1 + pick(3));
  }
  if (L > 1 && u(rng) < 0.3) {
    c.ro.neurons.push_back(pick(off[L - 1]));
    c.ro.counts.push_back(1 + pick(2));
  }
  c.describe = kind + " variant " + std::to_string(variant) + ", layers " + std::to_string(L) +
               ", n " + std::to_string(n) + ", nIn " + std::to_string(nIn) +
               (bundled ? ", bundled" : "") + (trainable ? ", trainable" : "");
  return c;
}

double maxAbs(const std::vector<double>& v) {
  double m = 0;
  for (double x : v) m = std::max(m, std::fabs(x));
  return m;
}

void checkArrays(const std::vector<double>& a, const std::vector<double>& b, const char* what,
                 double rel) {
  CHECK(a.size() == b.size());
  if (a.size() != b.size()) return;
  const double scale = std::max(maxAbs(b), 1e-300);
  for (std::size_t k = 0; k < a.size(); ++k) {
    const bool ok = std::fabs(a[k] - b[k]) <= rel * scale || (a[k] == b[k]);
    if (!ok) {
      std::printf("  %s[%zu]: layered %.17g general %.17g\n", what, k, a[k], b[k]);
    }
    CHECK(ok);
  }
}

struct Run {
  ForwardResult out;
  Gradient grad;
  EngineKind engine;
};

Run runOne(const Case& c, const InputSpikes& in, EngineKind kind, const std::vector<double>& cot) {
  Simulator sim;
  Network net{c.st, c.par};
  TrialSpec trial = c.trial;
  trial.engine = kind;
  Tape tape;
  Run r;
  sim.forward(net, in, c.ro, trial, &tape, &r.out);
  r.engine = sim.lastEngine();
  r.grad.reset(*c.st, in.events());
  sim.backward(net, in, c.ro, trial, tape, cot.data(), &r.grad);
  return r;
}

int gSpikes = 0, gPseudo = 0, gOrdinary = 0, gGuardNearT = 0;

void compareEngines(const Case& c, std::mt19937& rng) {
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  const std::size_t slots = c.ro.totalCount();
  for (std::size_t s = 0; s < c.samples.size(); ++s) {
    std::vector<double> cot(slots);
    for (auto& x : cot) x = u(rng);
    const Run a = runOne(c, c.samples[s], EngineKind::kLayered, cot);
    const Run b = runOne(c, c.samples[s], EngineKind::kGeneral, cot);
    CHECK(a.engine == EngineKind::kLayered);
    CHECK(b.engine == EngineKind::kGeneral);
    // The forward results are the same operations in the same order: equal.
    CHECK(a.out.spikeTimes == b.out.spikeTimes);
    CHECK(a.out.spikeNeurons == b.out.spikeNeurons);
    CHECK(a.out.outputIsPseudo == b.out.outputIsPseudo);
    CHECK(a.out.inTrialEvents == b.out.inTrialEvents);
    checkArrays(a.out.outputTimes, b.out.outputTimes, "outputTimes", 1e-12);
    checkArrays(a.out.stateAtT, b.out.stateAtT, "stateAtT", 1e-12);
    checkArrays(a.grad.recurrent, b.grad.recurrent, "grad.recurrent", 1e-12);
    checkArrays(a.grad.input, b.grad.input, "grad.input", 1e-12);
    checkArrays(a.grad.inputTimes, b.grad.inputTimes, "grad.inputTimes", 1e-12);
    checkArrays(a.grad.initial, b.grad.initial, "grad.initial", 1e-12);
    checkArrays(a.grad.trainableTimes, b.grad.trainableTimes, "grad.trainableTimes", 1e-12);
    gSpikes += static_cast<int>(b.out.spikeTimes.size());
    for (std::size_t k = 0; k < slots; ++k) {
      (b.out.outputIsPseudo[k] ? gPseudo : gOrdinary)++;
      if (std::fabs(b.out.outputTimes[k] - c.trial.T) < 0.05 * c.trial.T) ++gGuardNearT;
    }
  }
}

/// The batch through auto-selection equals the general engine's batch (any thread count).
void compareBatches(const Case& c, std::mt19937& rng) {
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  const std::size_t slots = c.ro.totalCount();
  std::vector<double> cot(slots * c.samples.size());
  for (auto& x : cot) x = u(rng);
  Gradient g[3];
  BatchForward f[3];
  for (int v = 0; v < 3; ++v) {
    TrialSpec trial = c.trial;
    // Theta through auto-selection; the other models' layered engine only when forced.
    const bool theta = c.st->model.is<ThetaParams>();
    trial.engine = v == 0 ? EngineKind::kGeneral : theta ? EngineKind::kAuto : EngineKind::kLayered;
    Batch batch(Network{c.st, c.par}, c.samples, c.ro, trial);
    batch.forward(v == 2 ? 3 : 1, true, &f[v]);
    batch.backward(cot.data(), v == 2 ? 3 : 1, &g[v]);
  }
  checkArrays(f[1].outputTimes, f[0].outputTimes, "batch outputTimes", 1e-12);
  CHECK(f[1].spikeCount == f[0].spikeCount);
  CHECK(f[1].spikeCountFirst == f[0].spikeCountFirst);
  checkArrays(g[1].recurrent, g[0].recurrent, "batch grad.recurrent", 1e-12);
  checkArrays(g[1].input, g[0].input, "batch grad.input", 1e-12);
  checkArrays(g[1].inputTimes, g[0].inputTimes, "batch grad.inputTimes", 1e-12);
  checkArrays(g[1].initial, g[0].initial, "batch grad.initial", 1e-12);
  checkArrays(g[1].trainableTimes, g[0].trainableTimes, "batch grad.trainableTimes", 1e-12);
  // Bit-identical for any number of threads.
  CHECK(g[2].recurrent == g[1].recurrent);
  CHECK(g[2].input == g[1].input);
  CHECK(g[2].initial == g[1].initial);
  CHECK(g[2].trainableTimes == g[1].trainableTimes);
}

/// Central finite differences of sum cot * outputTimes through the layered engine.
void finiteDifferences(const Case& c, std::mt19937& rng, int* checked) {
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  const std::size_t slots = c.ro.totalCount();
  const InputSpikes& in = c.samples[0];
  std::vector<double> cot(slots);
  for (auto& x : cot) x = u(rng);
  const Run base = runOne(c, in, EngineKind::kLayered, cot);
  auto objective = [&](const NetworkParams& par, const InputSpikes& sample) {
    Case d = c;
    d.par = par;
    Simulator sim;
    Network net{d.st, d.par};
    TrialSpec trial = d.trial;
    trial.engine = EngineKind::kLayered;
    Tape tape;
    ForwardResult out;
    sim.forward(net, sample, d.ro, trial, &tape, &out);
    double f = 0;
    for (std::size_t k = 0; k < slots; ++k) f += cot[k] * out.outputTimes[k];
    return std::make_pair(f, out.spikeNeurons);
  };
  // Each parameter kind: perturb, take the central difference at h and h/2; a spike that
  // appears or vanishes between them (a kink) skips the coordinate.
  auto probe = [&](const char* what, double analytic, auto&& perturbed) {
    double fd[2];
    for (int k = 0; k < 2; ++k) {
      const double h = k == 0 ? 1e-6 : 5e-7;
      const auto plus = perturbed(h), minus = perturbed(-h);
      if (plus.second != base.out.spikeNeurons || minus.second != base.out.spikeNeurons) return;
      fd[k] = (plus.first - minus.first) / (2 * h);
    }
    if (std::fabs(fd[0] - fd[1]) > 1e-5 * (1 + std::fabs(fd[0]))) return;
    if (!spikegrad::test::near(analytic, fd[0], 1e-5, 1e-4)) std::printf("  FD of %s\n", what);
    CHECK_NEAR(analytic, fd[0], 1e-5, 1e-4);
    ++*checked;
  };
  for (int rep = 0; rep < 4; ++rep) {
    if (!c.par.recurrent.empty()) {
      const auto k = static_cast<std::size_t>((u(rng) + 1) / 2 * c.par.recurrent.size()) %
                     c.par.recurrent.size();
      probe("recurrent", base.grad.recurrent[k], [&](double h) {
        NetworkParams p = c.par;
        p.recurrent[k] += h;
        return objective(p, in);
      });
    }
    const auto k =
        static_cast<std::size_t>((u(rng) + 1) / 2 * c.par.input.size()) % c.par.input.size();
    probe("input", base.grad.input[k], [&](double h) {
      NetworkParams p = c.par;
      p.input[k] += h;
      return objective(p, in);
    });
    const auto i =
        static_cast<std::size_t>((u(rng) + 1) / 2 * c.par.initial.size()) % c.par.initial.size();
    const double Theta = periodOf(c.st->model);
    if (!c.st->model.isPhase() || (c.par.initial[i] > 1e-3 && c.par.initial[i] < Theta - 1e-3)) {
      probe("initial", base.grad.initial[i], [&](double h) {
        NetworkParams p = c.par;
        p.initial[i] += h;
        return objective(p, in);
      });
    }
    if (in.events() > 0) {
      const auto e = static_cast<std::size_t>((u(rng) + 1) / 2 * in.events()) % in.events();
      // A tie with another event is a kink (the order of the two kicks flips): skipped.
      if (std::count(in.times.begin(), in.times.end(), in.times[e]) > 1) continue;
      probe("inputTimes", base.grad.inputTimes[e], [&](double h) {
        InputSpikes moved = in;
        moved.times[e] = std::max(0.0, moved.times[e] + h);
        return objective(c.par, moved);
      });
    }
  }
}

void selection() {
  std::mt19937 rng(7);
  Case c = randomCase(rng, 5);
  LayerPlan plan;
  CHECK(spikegrad::resolveEngine(*c.st, c.ro, EngineKind::kAuto, &plan) == EngineKind::kLayered);
  CHECK(plan.off.size() == c.ro.layers.size() + 1);
  // No layers: recurrent pseudo mode, the general engine.
  Readout flat = c.ro;
  flat.layers.clear();
  CHECK(spikegrad::resolveEngine(*c.st, flat, EngineKind::kAuto, &plan) == EngineKind::kGeneral);
  spikegrad::test::expectError(
      ErrorCode::kArgument,
      [&] { spikegrad::resolveEngine(*c.st, flat, EngineKind::kLayered, &plan); },
      "a forced layered engine without readout layers");
  // A missing synapse: not dense.
  auto sparse = std::make_shared<NetworkStructure>(*c.st);
  sparse->input.target[0] = sparse->input.target.size() > 1 ? sparse->input.target[1] : 0;
  if (sparse->input.target.size() > 1) {
    CHECK(spikegrad::resolveEngine(*sparse, c.ro, EngineKind::kAuto, &plan) ==
          EngineKind::kGeneral);
  }
  // Another model: auto keeps the general engine, a forced layered one runs.
  auto qif = std::make_shared<NetworkStructure>(*c.st);
  CHECK(spikegrad::NeuronModel::fromName("qif", &qif->model));
  CHECK(spikegrad::resolveEngine(*qif, c.ro, EngineKind::kAuto, &plan) == EngineKind::kGeneral);
  CHECK(spikegrad::resolveEngine(*qif, c.ro, EngineKind::kLayered, &plan) == EngineKind::kLayered);
  // Budget: the layered engine gives the general engine's error.
  for (std::int64_t budget : {0, 1, 3}) {
    std::string msg[2];
    for (int v = 0; v < 2; ++v) {
      TrialSpec trial = c.trial;
      trial.maxEvents = budget;
      trial.engine = v == 0 ? EngineKind::kGeneral : EngineKind::kLayered;
      Simulator sim;
      Tape tape;
      ForwardResult out;
      InputSpikes in = c.samples[0];
      try {
        sim.forward(Network{c.st, c.par}, in, c.ro, trial, &tape, &out);
        msg[v] = "ok " + std::to_string(out.inTrialEvents);
      } catch (const Error& e) {
        msg[v] = std::string(e.what()) + " " + std::to_string(static_cast<int>(e.code()));
      }
    }
    CHECK(msg[0] == msg[1]);
  }
}

/// A neuron kicked far below the guard band (a huge inhibitory weight) and flowed at the next
/// input event, at the same time or just after it, without a kick: its prediction, computed only
/// when it becomes a candidate in the long interval before T, is still the first kick's (the
/// layered engine saves that kick's state then). Equal to the general engine.
void unkickedAfterKick() {
  for (const double gap : {0.0, 1e-12}) {
    Case c;
    c.st = std::make_shared<NetworkStructure>();
    c.st->model = ThetaParams{};
    const double Theta = periodOf(c.st->model);
    const int n0 = 3, n1 = 2, n = n0 + n1;
    c.st->n = n;
    c.st->recurrent.sources = c.st->recurrent.targets = n;
    c.st->recurrent.start.assign(static_cast<std::size_t>(n) + 1, 0);
    denseBlock(&c.st->recurrent, 0, n0, n0, n1);
    for (std::size_t k = 1; k < c.st->recurrent.start.size(); ++k) {
      c.st->recurrent.start[k] = std::max(c.st->recurrent.start[k], c.st->recurrent.start[k - 1]);
    }
    c.st->input.sources = 2;
    c.st->input.targets = n;
    c.st->input.start.assign(3, 0);
    denseBlock(&c.st->input, 0, 2, 0, n0);
    c.par.input = {-1e9, 0.8, -1e9, 0.5, 1.2, 0.3};
    for (std::size_t k = 0; k < c.st->recurrent.size(); ++k) c.par.recurrent.push_back(1.5);
    c.par.initial = {0.3 * Theta, 0.6 * Theta, 0.1 * Theta, 0.2 * Theta, 0.7 * Theta};
    c.trial.T = 0.5 + 2.5 * Theta;
    c.trial.maxEvents = 100000;
    InputSpikes in;
    in.times = {0.5, 0.5 + gap, 0.5 + gap};
    in.channels = {0, 1, 0};
    c.samples.push_back(in);
    c.ro.layers = {{0, 1, 2}, {3, 4}};
    for (int i = 0; i < n; ++i) {
      c.ro.neurons.push_back(i);
      c.ro.counts.push_back(3);
    }
    c.describe = "unkicked after a kick, gap " + std::to_string(gap);
    spikegrad::test::context() = c.describe;
    std::mt19937 rng(7);
    compareEngines(c, rng);
  }
  spikegrad::test::context().clear();
}

}  // namespace

int main() {
  for (const char* kind : {"theta", "qif", "lif"}) {
    std::mt19937 rng(20261202);
    int fdChecked = 0;
    gSpikes = gPseudo = gOrdinary = gGuardNearT = 0;
    for (int variant = 0; variant < 400; ++variant) {
      Case c = randomCase(rng, variant, kind);
      spikegrad::test::context() = c.describe;
      compareEngines(c, rng);
      if (variant % 4 == 0) compareBatches(c, rng);
      if (variant % 5 == 0) finiteDifferences(c, rng, &fdChecked);
    }
    spikegrad::test::context().clear();
    std::printf(
        "%s: spikes %d, ordinary slots %d, pseudo slots %d, outputs near T %d, FD checks %d\n",
        kind, gSpikes, gOrdinary, gPseudo, gGuardNearT, fdChecked);
    // The random cases must exercise what they claim to.
    CHECK(gSpikes > 1000);
    CHECK(gOrdinary > 100);
    CHECK(gPseudo > 100);
    CHECK(gGuardNearT > 10);
    CHECK(fdChecked > 100);
  }
  selection();
  unkickedAfterKick();
  return spikegrad::test::finish("layered_test");
}
