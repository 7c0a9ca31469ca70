// spikegrad native benchmarks (run through `npm run bench`, which prepares the inputs):
//
//   bench mnist FILE THREADS REPS   the engine (core Batch forward + backward) on an MNIST batch,
//                                   the dense baseline on a subset, the floor, synaptic events
//   bench scaling MODEL N SPIKES    a sparse recurrent network of N neurons, 100 synapses each
//   bench engine FILE REPS          the engine alone on the MNIST batch (for profiling), with a
//                                   digest of its results (equal digests: bit-identical)
//
// Output: one JSON object on stdout. The dense baseline is written once, here, on purpose: every
// event flows and kicks every neuron and the reverse pass walks every neuron at every event, as
// the paper's reference implementation does. It must agree with the engine, which is checked.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <numeric>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/batch.hpp"
#include "core/clones.hpp"
#include "core/neurons/theta.hpp"

using namespace spikegrad;
using Clock = std::chrono::steady_clock;

namespace {

double seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// ---- The MNIST problem written by bench/run.js ------------------------------------------------

struct MnistProblem {
  ThetaParams params;
  double T = 2, t0 = 0;
  std::vector<double> Win, Whh, Wout, phi0;       // 100x784, 100x100, 10x100 (column-major), 210
  std::vector<std::vector<std::int32_t>> active;  // bright pixels per sample
  std::vector<double> cot;                        // samples x 10
};

template <typename T>
void readInto(std::ifstream& in, std::vector<T>* v, std::size_t n) {
  v->resize(n);
  in.read(reinterpret_cast<char*>(v->data()), static_cast<std::streamsize>(n * sizeof(T)));
}

MnistProblem readProblem(const char* file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error(std::string("cannot open ") + file);
  MnistProblem p;
  std::vector<double> head;
  readInto(in, &head, 4);  // tau, I0, T, t0
  p.params.tau = head[0];
  p.params.I0 = head[1];
  p.T = head[2];
  p.t0 = head[3];
  readInto(in, &p.Win, 100 * 784);
  readInto(in, &p.Whh, 100 * 100);
  readInto(in, &p.Wout, 10 * 100);
  readInto(in, &p.phi0, 210);
  std::vector<std::int32_t> counts;
  std::int32_t B = 0;
  in.read(reinterpret_cast<char*>(&B), 4);
  readInto(in, &counts, static_cast<std::size_t>(B));
  p.active.resize(static_cast<std::size_t>(B));
  for (std::int32_t s = 0; s < B; ++s)
    readInto(in, &p.active[s], static_cast<std::size_t>(counts[s]));
  readInto(in, &p.cot, static_cast<std::size_t>(B) * 10);
  if (!in) throw std::runtime_error("truncated problem file");
  return p;
}

Network mnistNetwork(const MnistProblem& p) {
  auto st = std::make_shared<NetworkStructure>();
  Network net;
  st->model = p.params;
  st->n = 210;
  // Recurrent synapses grouped by source: hidden-1 j -> hidden-2, then hidden-2 j -> outputs.
  std::vector<double> W(210 * 210, 0.0);
  std::vector<std::uint8_t> mask(210 * 210, 0);
  for (int j = 0; j < 100; ++j)
    for (int i = 0; i < 100; ++i) {
      W[(100 + i) + j * 210] = p.Whh[i + j * 100];
      mask[(100 + i) + j * 210] = 1;
    }
  for (int j = 0; j < 100; ++j)
    for (int i = 0; i < 10; ++i) {
      W[(200 + i) + (100 + j) * 210] = p.Wout[i + j * 10];
      mask[(200 + i) + (100 + j) * 210] = 1;
    }
  st->recurrent = Synapses::fromMask(210, 210, mask.data());
  net.params.recurrent = st->recurrent.gather(W.data());
  std::vector<double> Win(210 * 784, 0.0);
  std::vector<std::uint8_t> inMask(210 * 784, 0);
  for (int c = 0; c < 784; ++c)
    for (int h = 0; h < 100; ++h) {
      Win[h + c * 210] = p.Win[h + c * 100];
      inMask[h + c * 210] = 1;
    }
  st->input = Synapses::fromMask(210, 784, inMask.data());
  net.params.input = st->input.gather(Win.data());
  net.params.initial = p.phi0;
  net.structure = st;
  return net;
}

Readout mnistReadout() {
  Readout r;
  for (int i = 0; i < 10; ++i) {
    r.neurons.push_back(200 + i);
    r.counts.push_back(1);
  }
  std::vector<std::int32_t> l1(100), l2(100), l3(10);
  std::iota(l1.begin(), l1.end(), 0);
  std::iota(l2.begin(), l2.end(), 100);
  std::iota(l3.begin(), l3.end(), 200);
  r.layers = {l1, l2, l3};
  return r;
}

std::vector<InputSpikes> mnistInputs(const MnistProblem& p, std::size_t B) {
  std::vector<InputSpikes> out(B);
  for (std::size_t s = 0; s < B; ++s) {
    out[s].times = {p.t0};
    out[s].start = {0, static_cast<std::int32_t>(p.active[s].size())};
    out[s].channels = p.active[s];
  }
  return out;
}

// ---- The dense baseline ---------------------------------------------------------------------

/// One sample, densely: every event advances and kicks all 210 neurons (H with w = 0 for
/// non-targets, as the reference does), the full state is recorded per event, and the reverse
/// pass walks all neurons at every event. Returns the output times; adds dL/dW into the dense
/// gradient arrays (same layouts as the problem).
struct Dense {
  const MnistProblem& p;
  double r, Theta;
  std::vector<double> phi, win, gphi;
  static constexpr int kSteps = 200;  // the reference's fixed event budget K for MNIST
  std::vector<double> record;         // per event: the pre-kick phases of all neurons
  std::vector<double> padding;        // the no-op steps after T, recorded as the reference does
  std::vector<int> kind;              // 0 input, 1 spike
  std::vector<int> who;
  std::vector<double> dts;
  explicit Dense(const MnistProblem& prob)
      : p(prob), r(prob.params.r()), Theta(prob.params.period()) {}

  double weight(int target, int source, bool input) const {
    if (input) return target < 100 ? win[static_cast<std::size_t>(target)] : 0.0;
    if (source < 100 && target >= 100 && target < 200) return p.Whh[(target - 100) + source * 100];
    if (source >= 100 && source < 200 && target >= 200)
      return p.Wout[(target - 200) + (source - 100) * 10];
    return 0.0;
  }

  void sample(std::size_t s, double* out, std::vector<double>* gWin, std::vector<double>* gWhh,
              std::vector<double>* gWout) {
    const int n = 210;
    win.assign(100, 0.0);
    for (auto c : p.active[s])
      for (int h = 0; h < 100; ++h) win[h] += p.Win[h + c * 100];
    phi = p.phi0;
    record.clear();
    padding.clear();
    kind.clear();
    who.clear();
    dts.clear();
    double t = 0;
    bool inputDone = false;
    bool ended = false;
    for (int step = 0; step < kSteps; ++step) {
      int j = 0;
      for (int i = 1; i < n; ++i)
        if (phi[i] > phi[j]) j = i;
      const double dtNet = Theta - phi[j];
      const double dtIn = inputDone ? INFINITY : p.t0 - t;
      const bool isInput = dtIn < dtNet;
      double dt = isInput ? dtIn : dtNet;
      if (ended || !(t + dt < p.T)) {
        // As the reference: the trial end, and every later step of the fixed budget, still
        // flows and kicks every neuron (by 0 and with weight 0); nothing changes, all is computed.
        dt = ended ? 0.0 : p.T - t;
        ended = true;
        for (int i = 0; i < n; ++i) phi[i] = theta::kickValue(p.params, r, Theta, phi[i] + dt, 0.0);
        t += dt;
        padding.insert(padding.end(), phi.begin(), phi.end());
        continue;
      }
      t += dt;
      record.insert(record.end(), phi.begin(), phi.end());
      for (int i = 0; i < n; ++i) record[record.size() - n + i] += dt;
      for (int i = 0; i < n; ++i)
        phi[i] = theta::kickValue(p.params, r, Theta, phi[i] + dt, weight(i, j, isInput));
      if (isInput)
        inputDone = true;
      else
        phi[j] = 0.0;
      kind.push_back(isInput ? 0 : 1);
      who.push_back(j);
      dts.push_back(dt);
    }
    if (!ended)
      for (int i = 0; i < n; ++i) phi[i] += p.T - t;  // to the trial end
    // Outputs: first spike of each output neuron, else the first pseudospike (layered rates).
    std::vector<double> rate(n, 0.0), u(n, 0.0), dr(n, 0.0), du(n, 0.0);
    for (int i = 0; i < 100; ++i) {
      const auto h = theta::kick(p.params, r, Theta, phi[i], 0.0);
      rate[i] = h.phi / Theta;
      dr[i] = h.d_dphi / Theta;
    }
    for (int i = 100; i < 200; ++i) {
      for (int q = 0; q < 100; ++q) u[i] += p.Whh[(i - 100) + q * 100] * rate[q];
      const auto h = theta::kick(p.params, r, Theta, phi[i], u[i]);
      rate[i] = h.phi / Theta;
      dr[i] = h.d_dphi / Theta;
      du[i] = h.d_dw / Theta;
    }
    std::vector<int> firstSpike(10, -1);
    for (std::size_t k = 0; k < kind.size(); ++k)
      if (kind[k] == 1 && who[k] >= 200 && firstSpike[who[k] - 200] < 0)
        firstSpike[who[k] - 200] = static_cast<int>(k);
    gphi.assign(n, 0.0);
    std::vector<double> lambda(kind.size(), 0.0), gu(n, 0.0), gr(n, 0.0);
    for (int q = 0; q < 10; ++q) {
      const int i = 200 + q;
      const double G = p.cot[s * 10 + q];
      if (firstSpike[q] >= 0) {
        double tk = 0;
        for (int k = 0; k <= firstSpike[q]; ++k) tk += dts[k];
        out[q] = tk;
        lambda[firstSpike[q]] += G;
      } else {
        for (int c = 0; c < 100; ++c) u[i] += p.Wout[q + c * 10] * rate[100 + c];
        const auto h = theta::kick(p.params, r, Theta, phi[i], u[i]);
        out[q] = p.T + Theta - h.phi;
        gphi[i] -= G * h.d_dphi;
        gu[i] -= G * h.d_dw;
      }
    }
    for (int q = 0; q < 10; ++q)
      for (int c = 0; c < 100; ++c) {
        (*gWout)[q + c * 10] += gu[200 + q] * rate[100 + c];
        gr[100 + c] += gu[200 + q] * p.Wout[q + c * 10];
      }
    for (int i = 100; i < 200; ++i) {
      gphi[i] += gr[i] * dr[i];
      gu[i] += gr[i] * du[i];
      for (int c = 0; c < 100; ++c) {
        (*gWhh)[(i - 100) + c * 100] += gu[i] * rate[c];
        gr[c] += gu[i] * p.Whh[(i - 100) + c * 100];
      }
    }
    for (int i = 0; i < 100; ++i) gphi[i] += gr[i] * dr[i];
    // Reverse sweep over every event and every neuron. With tau_k the time after event k,
    // pre_i = phi_i + dt_k and post_i = H(pre_i, w_ik), and dt_k = t_in - tau_{k-1} (input) or
    // Theta - phi_j (spike of j). The state at T is phi + (T - tau_K).
    // The reference's reverse pass also walks the no-op steps after T (identity slopes).
    for (std::size_t k = padding.size() / n; k-- > 0;) {
      for (int i = 0; i < n; ++i) {
        double pt;
        theta::kickValue(p.params, r, Theta, padding[k * n + i], 0.0, &pt);
        gphi[i] *= theta::kickSlopesFromPt(p.params, r, pt, 0.0).d_dphi;
      }
    }
    double gtau = 0;
    for (int i = 0; i < n; ++i) gtau -= gphi[i];
    std::vector<double> gwin(100, 0.0);
    for (std::size_t k = kind.size(); k-- > 0;) {
      const double* pre = &record[k * n];
      const int j = who[k];
      const bool isInput = kind[k] == 0;
      gtau += lambda[k];
      if (!isInput) gphi[j] = 0.0;  // reset: post_j is a constant
      double gdt = gtau;
      for (int i = 0; i < n; ++i) {
        if (!isInput && i == j) continue;
        const double w = weight(i, j, isInput);
        double pt;
        theta::kickValue(p.params, r, Theta, pre[i], w, &pt);
        const auto h = theta::kickSlopesFromPt(p.params, r, pt, w);
        const double g = gphi[i];
        if (isInput) {
          if (i < 100) gwin[i] += g * h.d_dw;
        } else if (j < 100 && i >= 100 && i < 200) {
          (*gWhh)[(i - 100) + j * 100] += g * h.d_dw;
        } else if (j >= 100 && j < 200 && i >= 200) {
          (*gWout)[(i - 200) + (j - 100) * 10] += g * h.d_dw;
        }
        gphi[i] = g * h.d_dphi;
        gdt += gphi[i];
      }
      if (isInput) {
        gtau -= gdt;
      } else {
        gphi[j] -= gdt;
      }
    }
    for (auto c : p.active[s])
      for (int h = 0; h < 100; ++h) (*gWin)[h + c * 100] += gwin[h];
  }
};

// ---- The layered floor ------------------------------------------------------------------------
// The least arithmetic of the layered algorithm per neuron update, in a tight loop over a
// layer's contiguous state: forward the flow (a Moebius map with the event's shared tan), the
// kick (an addition) and the record of the pre-kick tangent; backward the slopes (one division),
// the weight adjoint into the event's weight column, the state adjoint and the event-time adjoint
// (a sum over the layer). Compiled like the engine's kernels (kernels.hpp): an AVX2 clone (no
// FMA) next to the build's level where core/clones.hpp provides one.
#define BENCH_KERNEL SPIKEGRAD_AVX2_CLONES __attribute__((noinline))

BENCH_KERNEL void floorForward(double* __restrict p, double* __restrict pt,
                               const double* __restrict w, double t, double invR, std::size_t n) {
  for (std::size_t q = 0; q < n; ++q) {
    const double v = (p[q] + t) / (1.0 - p[q] * t);
    pt[q] = v;
    p[q] = v + w[q] * invR;
  }
}

/// sum_q x[q] in four interleaved partial sums (vectorisable, as kernels::sum).
BENCH_KERNEL double floorSum(const double* x, std::size_t n) {
  double acc[4] = {0.0, 0.0, 0.0, 0.0};
  std::size_t q = 0;
  for (; q + 4 <= n; q += 4) {
    for (std::size_t k = 0; k < 4; ++k) acc[k] += x[q + k];
  }
  for (; q < n; ++q) acc[q & 3] += x[q];
  return (acc[0] + acc[1]) + (acc[2] + acc[3]);
}

BENCH_KERNEL void floorBackward(const double* __restrict pt, const double* __restrict w,
                                double* __restrict g, double* __restrict gw,
                                double* __restrict contrib, double invR, double k2, std::size_t n) {
  for (std::size_t q = 0; q < n; ++q) {
    const double y = pt[q] + w[q] * invR, inv = 1.0 / (1.0 + y * y);
    const double gq = g[q];
    gw[q] += gq * (k2 * inv);
    const double ga = gq * ((1.0 + pt[q] * pt[q]) * inv);
    contrib[q] = ga - gq;
    g[q] = ga;
  }
}

/// y[q] += a x[q] (the dense pseudo pass and its reverse).
BENCH_KERNEL void floorAxpy(double* __restrict y, const double* __restrict x, double a,
                            std::size_t n) {
  for (std::size_t q = 0; q < n; ++q) y[q] += x[q] * a;
}

BENCH_KERNEL double floorDot(const double* __restrict x, const double* __restrict y,
                             std::size_t n) {
  double acc[4] = {0.0, 0.0, 0.0, 0.0};
  std::size_t q = 0;
  for (; q + 4 <= n; q += 4) {
    for (std::size_t k = 0; k < 4; ++k) acc[k] += x[q + k] * y[q + k];
  }
  for (; q < n; ++q) acc[q & 3] += x[q] * y[q];
  return (acc[0] + acc[1]) + (acc[2] + acc[3]);
}

/// ns per neuron update of the layered floor on a layer of n neurons with E input events per
/// sample (weight columns drawn from a 100-column matrix, as the spikes of a 100-neuron layer).
double layeredFloorNs(std::size_t n, std::size_t E, double a, double r, double tau, double* sink) {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> uw(-0.1, 0.1);
  std::uniform_int_distribution<std::size_t> col(0, 99);
  std::vector<double> W(100 * n), gW(100 * n, 0.0), p(n), pt(E * n), g(n), contrib(n);
  std::vector<std::size_t> cols(E);
  for (auto& x : W) x = uw(rng);
  for (auto& c : cols) c = col(rng);
  const double t = std::tan(a * 0.01), invR = 1.0 / r, k2 = tau / (r * r);
  const std::size_t S = std::max<std::size_t>(1, 4000000 / (E * n));
  std::vector<double> times;
  double lam = 0.0;
  for (int rep = 0; rep < 3; ++rep) {
    const auto t0 = Clock::now();
    for (std::size_t s = 0; s < S; ++s) {
      std::fill(p.begin(), p.end(), -1.0);
      for (std::size_t e = 0; e < E; ++e) {
        floorForward(p.data(), pt.data() + e * n, W.data() + cols[e] * n, t, invR, n);
      }
      std::fill(g.begin(), g.end(), 1e-3);
      for (std::size_t e = E; e-- > 0;) {
        floorBackward(pt.data() + e * n, W.data() + cols[e] * n, g.data(), gW.data() + cols[e] * n,
                      contrib.data(), invR, k2, n);
        lam += floorSum(contrib.data(), n);
      }
    }
    times.push_back(seconds(t0, Clock::now()) / static_cast<double>(S * E * n) * 1e9);
  }
  *sink += lam + gW[7];
  return median(times);
}

/// us per sample of the dense pseudo pass of 784-100-100-10 and its reverse: u = W r per layer,
/// then dW += gu r and gr = W^T gu.
double pseudoFloorUs(double* sink) {
  std::vector<double> W1(100 * 100, 0.01), W2(100 * 10, 0.02), gW1(W1.size(), 0.0),
      gW2(W2.size(), 0.0), r0(100, 0.3), r1(100, 0.4), u1(100), u2(10), gu1(100, 1e-3),
      gu2(10, 1e-3), gr0(100), gr1(100);
  const std::size_t S = 20000;
  std::vector<double> times;
  for (int rep = 0; rep < 3; ++rep) {
    const auto t0 = Clock::now();
    for (std::size_t s = 0; s < S; ++s) {
      std::fill(u1.begin(), u1.end(), 0.0);
      std::fill(u2.begin(), u2.end(), 0.0);
      for (std::size_t j = 0; j < 100; ++j) floorAxpy(u1.data(), W1.data() + j * 100, r0[j], 100);
      for (std::size_t j = 0; j < 100; ++j) floorAxpy(u2.data(), W2.data() + j * 10, r1[j], 10);
      for (std::size_t j = 0; j < 100; ++j) {
        floorAxpy(gW2.data() + j * 10, gu2.data(), r1[j], 10);
        gr1[j] = floorDot(gu2.data(), W2.data() + j * 10, 10);
        floorAxpy(gW1.data() + j * 100, gu1.data(), r0[j], 100);
        gr0[j] = floorDot(gu1.data(), W1.data() + j * 100, 100);
      }
      r0[s % 100] += u1[s % 100] * 1e-9;
    }
    times.push_back(seconds(t0, Clock::now()) / static_cast<double>(S) * 1e6);
  }
  *sink += gW1[3] + gW2[3] + gr0[1] + gr1[1] + u2[2];
  return median(times);
}

#undef BENCH_KERNEL

// ---- Commands -------------------------------------------------------------------------------

int mnist(const char* file, unsigned threads, int reps) {
  const MnistProblem p = readProblem(file);
  const std::size_t B = p.active.size();
  const Readout readout = mnistReadout();
  TrialSpec trial;
  trial.T = p.T;
  trial.maxEvents = 1000;
  auto pool = std::make_shared<TapePool>();
  std::vector<double> engine1, engineN, general1;
  double synapticEvents = 0, bundleReads = 0, spikes = 0, spikes0 = 0, spikes1 = 0;
  LayerPlan plan;
  const EngineKind engineRan =
      resolveEngine(*mnistNetwork(p).structure, readout, trial.engine, &plan);
  std::vector<double> engineOut;
  Gradient engineGrad;
  for (int rep = 0; rep < reps; ++rep) {
    // Pass 0: the chosen engine on one thread, 1: on all threads, 2: the general engine on one
    // thread (the ratio of the layered engine to it, in the same run).
    for (int pass = 0; pass < 3; ++pass) {
      const unsigned th = pass == 1 ? threads : 1u;
      TrialSpec t = trial;
      if (pass == 2) t.engine = EngineKind::kGeneral;
      Batch batch(mnistNetwork(p), mnistInputs(p, B), readout, t, pool);
      BatchForward fwd;
      const auto a = Clock::now();
      batch.forward(th, true, &fwd);
      Gradient g;
      batch.backward(p.cot.data(), th, &g);
      const auto b = Clock::now();
      (pass == 0   ? engine1
       : pass == 1 ? engineN
                   : general1)
          .push_back(seconds(a, b) / static_cast<double>(B) * 1e6);
      if (rep == 0 && pass == 0) {
        engineOut = fwd.outputTimes;
        engineGrad = g;
        spikes = std::accumulate(fwd.spikeCount.begin(), fwd.spikeCount.end(), 0.0);
        // Synaptic events (a weight delivered to a neuron, whose state is updated): the input
        // bundle's 100 targets and every recurrent synapse of every spike (hidden-1: 100
        // targets, hidden-2: 10). The bundle also reads one weight per bright pixel and target.
        synapticEvents += 100.0 * static_cast<double>(B);
        for (std::size_t s = 0; s < B; ++s)
          bundleReads += 100.0 * static_cast<double>(p.active[s].size());
        for (int i = 0; i < 100; ++i) synapticEvents += 100.0 * fwd.spikeCount[i];
        for (int i = 100; i < 200; ++i) synapticEvents += 10.0 * fwd.spikeCount[i];
        spikes0 = std::accumulate(fwd.spikeCount.begin(), fwd.spikeCount.begin() + 100, 0.0);
        spikes1 = std::accumulate(fwd.spikeCount.begin() + 100, fwd.spikeCount.begin() + 200, 0.0);
      }
    }
  }
  // The dense baseline on a subset (it is slow), checked against the engine.
  const std::size_t D = std::min<std::size_t>(B, 50);
  Dense dense(p);
  std::vector<double> out(10), gWin(100 * 784, 0.0), gWhh(100 * 100, 0.0), gWout(10 * 100, 0.0);
  double maxOutDiff = 0;
  std::vector<double> denseTimes;
  for (int rep = 0; rep < std::max(1, reps / 2); ++rep) {
    const auto a = Clock::now();
    for (std::size_t s = 0; s < D; ++s) {
      dense.sample(s, out.data(), &gWin, &gWhh, &gWout);
      if (rep == 0)
        for (int q = 0; q < 10; ++q)
          maxOutDiff = std::max(maxOutDiff, std::fabs(out[q] - engineOut[s * 10 + q]));
    }
    denseTimes.push_back(seconds(a, Clock::now()) / static_cast<double>(D) * 1e6);
  }
  // Engine gradient of the same subset, to compare with the dense one (first repetition only).
  Batch sub(mnistNetwork(p), mnistInputs(p, D), readout, trial);
  BatchForward f2;
  sub.forward(1, true, &f2);
  Gradient g2;
  sub.backward(p.cot.data(), 1, &g2);
  std::vector<double> denseW(210 * 210, 0.0);
  // Compare dW_out: the engine's recurrent gradient in dense form.
  std::vector<double> eW(210 * 210, 0.0);
  sub.network().structure->recurrent.scatterDense(g2.recurrent.data(), eW.data());
  const double reps2 = static_cast<double>(std::max(1, reps / 2));
  double maxGradDiff = 0, maxGrad = 0;
  for (int q = 0; q < 10; ++q)
    for (int c = 0; c < 100; ++c) {
      const double e = eW[(200 + q) + (100 + c) * 210];
      maxGradDiff = std::max(maxGradDiff, std::fabs(gWout[q + c * 10] / reps2 - e));
      maxGrad = std::max(maxGrad, std::fabs(e));
    }
  // The floor: one synaptic event forward (flow, kick) and backward (slopes, weight adjoint,
  // state adjoint) of a theta neuron in a tight loop, with the same functions the engine uses.
  const double r = p.params.r(), Theta = p.params.period();
  const std::size_t N = 4000000;
  std::vector<double> ws(1024), pts(1024);
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> uw(-0.1, 0.1);
  for (auto& w : ws) w = uw(rng);
  std::vector<double> floorTimes;
  double sink = 0;
  for (int rep = 0; rep < 3; ++rep) {
    const auto a = Clock::now();
    double phi = 3.0, g = 1.0, dw = 0;
    for (std::size_t k = 0; k < N; ++k) {
      const double w = ws[k & 1023];
      double pt;
      phi = theta::kickValue(p.params, r, Theta, phi + 1e-4, w, &pt);
      if (phi > Theta - 1e-3 || phi < 1e-3) phi = 3.0;
      pts[k & 1023] = pt;
      const auto h = theta::kickSlopesFromPt(p.params, r, pts[(k * 7) & 1023], w);
      dw += g * h.d_dw;
      g = g * h.d_dphi * 0.5 + 0.5;
    }
    floorTimes.push_back(seconds(a, Clock::now()) / static_cast<double>(N) * 1e9);
    sink += dw + g;
  }
  // The same in the tangent coordinates the engine's forward pass uses (simulator.cc,
  // ThetaEngine): flow by a Moebius map with a shared tan, kick by an addition; backward slopes
  // from the stored pt. No transcendental function per event.
  std::vector<double> tanTimes;
  for (int rep = 0; rep < 3; ++rep) {
    const auto a = Clock::now();
    const double t = std::tan(r / p.params.tau * 1e-4), invR = 1.0 / r, k2 = p.params.tau / (r * r);
    double pv = 0.0, g = 1.0, dw = 0;
    for (std::size_t k = 0; k < N; ++k) {
      const double w = ws[k & 1023];
      pv = (pv + t) / (1.0 - pv * t);
      pts[k & 1023] = pv;
      pv += w * invR;
      if (pv > 50.0 || pv < -50.0) pv = 0.0;
      const double pt = pts[(k * 7) & 1023], y = pt + w * invR, q = 1.0 / (1.0 + y * y);
      dw += g * k2 * q;
      g = g * (1.0 + pt * pt) * q * 0.5 + 0.5;
    }
    tanTimes.push_back(seconds(a, Clock::now()) / static_cast<double>(N) * 1e9);
    sink += dw + g;
  }
  // The floor of a bundled weight read: add a weight into a target's sum (forward) and add a
  // target's adjoint into that weight's gradient (backward), over the real W_in layout.
  std::vector<double> readTimes, sums(100), grads(100 * 784, 0.0);
  for (int rep = 0; rep < 3; ++rep) {
    const auto a = Clock::now();
    std::size_t count = 0;
    for (std::size_t s = 0; s < B; ++s) {
      std::fill(sums.begin(), sums.end(), 0.0);
      for (auto c : p.active[s])
        for (int h = 0; h < 100; ++h) sums[h] += p.Win[h + c * 100];
      for (auto c : p.active[s])
        for (int h = 0; h < 100; ++h) grads[h + c * 100] += sums[h];
      count += 100 * p.active[s].size();
    }
    readTimes.push_back(seconds(a, Clock::now()) / static_cast<double>(count) * 1e9);
    sink += grads[5];
  }
  // The layered floor (above) on the layers' real sizes and event counts: layer 0 one bundle
  // onto 100 neurons, layer 1 the spikes of layer 0 onto 100, layer 2 those of layer 1 onto 10.
  spikes0 /= static_cast<double>(B);  // per sample (the last rep's batch)
  spikes1 /= static_cast<double>(B);
  const double a = r / p.params.tau;
  const double f100 = layeredFloorNs(100, std::max<std::size_t>(1, std::lround(spikes0)), a, r,
                                     p.params.tau, &sink);
  const double f10 =
      layeredFloorNs(10, std::max<std::size_t>(1, std::lround(spikes1)), a, r, p.params.tau, &sink);
  const double updates100 = 100.0 * (1.0 + spikes0), updates10 = 10.0 * spikes1;
  const double pseudoUs = pseudoFloorUs(&sink);
  std::printf(
      "{\"samples\": %zu, \"engine1_us\": %.3f, \"engineN_us\": %.3f, \"threads\": %u, "
      "\"dense_us\": %.3f, \"denseSamples\": %zu, \"maxOutputDiff\": %.3e, \"maxGradDiff\": %.3e, "
      "\"maxGrad\": %.3e, \"floor_ns\": %.3f, \"synapticEventsPerSample\": %.1f, "
      "\"spikesPerSample\": %.2f, \"bundleReadsPerSample\": %.1f, \"read_floor_ns\": %.3f, "
      "\"tan_floor_ns\": %.3f, \"engine\": \"%s\", \"general1_us\": %.3f, "
      "\"layered_floor_ns_100\": %.3f, \"layered_floor_ns_10\": %.3f, \"updates_100\": %.1f, "
      "\"updates_10\": %.1f, \"pseudo_floor_us\": %.3f, \"sink\": %g}\n",
      B, median(engine1), median(engineN), resolveThreads(threads, B), median(denseTimes), D,
      maxOutDiff, maxGradDiff, maxGrad, median(floorTimes), synapticEvents / static_cast<double>(B),
      spikes / static_cast<double>(B), bundleReads / static_cast<double>(B), median(readTimes),
      median(tanTimes), engineName(engineRan), median(general1), f100, f10, updates100, updates10,
      pseudoUs, sink * 0);
  return 0;
}

/// FNV-1a over the bits of doubles: a digest of a run's results, to check that an optimisation
/// leaves them bit-identical.
std::uint64_t digest(std::uint64_t h, const std::vector<double>& v) {
  for (double x : v) {
    std::uint64_t bits;
    std::memcpy(&bits, &x, sizeof bits);
    for (int k = 0; k < 8; ++k) h = (h ^ ((bits >> (8 * k)) & 0xff)) * 1099511628211ULL;
  }
  return h;
}

/// The engine alone (for profiling): reps x (forward + backward) of the whole batch, and a digest
/// of the last rep's output times and gradients (equal digests: bit-identical results).
int engineOnly(const char* file, int reps) {
  const MnistProblem p = readProblem(file);
  const std::size_t B = p.active.size();
  TrialSpec trial;
  trial.T = p.T;
  trial.maxEvents = 1000;
  auto pool = std::make_shared<TapePool>();
  double fwdTime = 0, bwdTime = 0;
  std::uint64_t h = 1469598103934665603ULL;
  for (int rep = 0; rep < reps; ++rep) {
    Batch batch(mnistNetwork(p), mnistInputs(p, B), mnistReadout(), trial, pool);
    BatchForward fwd;
    const auto a = Clock::now();
    batch.forward(1, true, &fwd);
    const auto b = Clock::now();
    Gradient g;
    batch.backward(p.cot.data(), 1, &g);
    const auto c = Clock::now();
    fwdTime += seconds(a, b);
    bwdTime += seconds(b, c);
    if (rep + 1 == reps) {
      h = digest(h, fwd.outputTimes);
      for (const auto* v : {&g.recurrent, &g.input, &g.inputTimes, &g.initial}) h = digest(h, *v);
    }
  }
  // The fused step (forward, first-spike cross-entropy and backward sample by sample, as the
  // public API's lossAndGradient runs it), labels s mod 10 (the time, not the loss, matters).
  std::vector<std::int32_t> labels(B);
  for (std::size_t s = 0; s < B; ++s) labels[s] = static_cast<std::int32_t>(s % 10);
  double fusedTime = 0;
  for (int rep = 0; rep < reps; ++rep) {
    Batch batch(mnistNetwork(p), mnistInputs(p, B), mnistReadout(), trial, pool);
    FusedStep step;
    const auto a = Clock::now();
    batch.forwardBackward(NativeLoss{}, labels.data(), 1, &step);
    fusedTime += seconds(a, Clock::now());
  }
  std::printf(
      "{\"forward_us\": %.2f, \"backward_us\": %.2f, \"fused_us\": %.2f, \"digest\": "
      "\"%016llx\"}\n",
      fwdTime / reps / B * 1e6, bwdTime / reps / B * 1e6, fusedTime / reps / B * 1e6,
      static_cast<unsigned long long>(h));
  return 0;
}

int scaling(const std::string& model, std::int32_t n, std::int32_t targetSpikes) {
  std::mt19937_64 rng(7);
  auto st = std::make_shared<NetworkStructure>();
  Network net;
  NetworkStructure& s = *st;
  NetworkParams& par = net.params;
  s.n = n;
  const int fanout = 100;
  std::uniform_int_distribution<std::int32_t> pick(0, n - 1);
  s.recurrent.sources = n;
  s.recurrent.targets = n;
  s.recurrent.start.assign(static_cast<std::size_t>(n) + 1, 0);
  std::normal_distribution<double> wdist(0.0, model == "theta" ? 0.05 : 0.3);
  for (std::int32_t j = 0; j < n; ++j) {
    std::vector<std::int32_t> t;
    while (static_cast<int>(t.size()) < fanout) {
      const std::int32_t i = pick(rng);
      if (i != j && std::find(t.begin(), t.end(), i) == t.end()) t.push_back(i);
    }
    std::sort(t.begin(), t.end());
    for (auto i : t) {
      s.recurrent.target.push_back(i);
      par.recurrent.push_back(wdist(rng));
    }
    s.recurrent.start[static_cast<std::size_t>(j) + 1] =
        static_cast<std::int32_t>(s.recurrent.target.size());
  }
  s.input.sources = 0;
  s.input.targets = n;
  s.input.start = {0};
  double T;
  InputSpikes in;
  std::uniform_real_distribution<double> u01(0.0, 1.0);
  if (model == "theta") {
    s.model = ThetaParams{};
    const double Theta = s.model.get<ThetaParams>().period();
    for (std::int32_t i = 0; i < n; ++i) par.initial.push_back(Theta * u01(rng));
    T = Theta * targetSpikes / n;  // each neuron fires about once per period
  } else {
    s.model = QifParams{};
    // Private input channels (weight 14 > pi^2, enough to fire from the reset) for
    // driven = min(n, spikes) neurons, each spiking k = ceil(spikes / driven) times at random
    // times in [0, k); T = k + 1 leaves time for the last spikes. About one output spike per input
    // spike, so the number of spikes stays near `spikes` whatever n.
    const std::int32_t driven = std::min(n, targetSpikes);
    const int k = (targetSpikes + driven - 1) / driven;
    T = k + 1.0;
    for (std::int32_t i = 0; i < 2 * n; ++i) par.initial.push_back(0.0);
    s.input.sources = driven;
    s.input.start.assign(static_cast<std::size_t>(driven) + 1, 0);
    for (std::int32_t c = 0; c < driven; ++c) {
      s.input.target.push_back(
          static_cast<std::int32_t>(static_cast<std::int64_t>(c) * n / driven));
      par.input.push_back(14.0);
      s.input.start[static_cast<std::size_t>(c) + 1] = c + 1;
      for (int q = 0; q < k; ++q) {
        in.times.push_back(k * u01(rng));
        in.channels.push_back(c);
      }
    }
  }
  net.structure = st;
  Readout readout;
  readout.neurons = {0};
  readout.counts = {1};
  TrialSpec trial;
  trial.T = T;
  trial.maxEvents = 100000000;
  Simulator sim;
  Tape tape;
  ForwardResult out;
  std::vector<double> times, cpuTimes;
  for (int rep = 0; rep < 3; ++rep) {
    const auto a = Clock::now();
    const std::clock_t c = std::clock();
    sim.forward(net, in, readout, trial, &tape, &out);
    Gradient g;
    g.reset(s, in.times.size());
    const double cot = 1.0;
    sim.backward(net, in, readout, trial, tape, &cot, &g);
    times.push_back(seconds(a, Clock::now()));
    // CPU time too: on a loaded machine it leaves out the time the process waited for a core.
    cpuTimes.push_back(static_cast<double>(std::clock() - c) / CLOCKS_PER_SEC);
  }
  const double spikes = static_cast<double>(out.spikeTimes.size());
  const double bytes = static_cast<double>(tape.events.capacity() * sizeof(Tape::Event) +
                                           tape.touches.capacity() * sizeof(Tape::Touch));
  const double usedBytes = static_cast<double>(tape.events.size() * sizeof(Tape::Event) +
                                               tape.touches.size() * sizeof(Tape::Touch));
  std::printf(
      "{\"model\": \"%s\", \"n\": %d, \"spikes\": %.0f, \"T\": %.6f, \"seconds\": %.6f, "
      "\"us_per_spike\": %.4f, \"tape_bytes_per_spike\": %.1f, \"tape_bytes_capacity\": %.0f, "
      "\"cpu_us_per_spike\": %.4f}\n",
      model.c_str(), n, spikes, T, median(times), median(times) / spikes * 1e6, usedBytes / spikes,
      bytes, median(cpuTimes) / spikes * 1e6);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc >= 5 && std::string(argv[1]) == "mnist") {
      return mnist(argv[2], static_cast<unsigned>(std::stoi(argv[3])), std::stoi(argv[4]));
    }
    if (argc >= 4 && std::string(argv[1]) == "engine")
      return engineOnly(argv[2], std::stoi(argv[3]));
    if (argc >= 5 && std::string(argv[1]) == "scaling") {
      return scaling(argv[2], std::stoi(argv[3]), std::stoi(argv[4]));
    }
    std::fprintf(stderr, "usage: bench mnist FILE THREADS REPS | bench scaling MODEL N SPIKES\n");
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench: %s\n", e.what());
    return 1;
  }
}
