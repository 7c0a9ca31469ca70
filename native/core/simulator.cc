#include "core/simulator.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

#include "core/math.hpp"

namespace spikegrad {

namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

// ---- Model adapters: one uniform interface per family ---------------------------------------

/// QIF with exponential current (method.md 2.1, 4.1): masked near its blow-up, reset to -inf.
struct QifAdapter {
  const QifParams& p;
  static constexpr bool kMask = true;
  double tau() const { return p.tau; }
  double eps() const { return p.eps; }
  double clampV() const { return 1.0 / p.eps; }
  double resetV() const { return -kInfinity; }
  qif::Flow flow(double V, double I, double d) const { return qif::flow(p, V, I, d); }
  qif::SpikeTime spikeTime(double V, double I) const { return qif::spikeTime(p, V, I); }
  qif::Pseudo pseudo(double V, double Ip, int k) const { return qif::pseudoOffset(p, V, Ip, k); }
  qif::Rate rate(double V, double Ip) const { return qif::rate(p, V, Ip); }
};

/// LIF with exponential current (method.md 2.3): no mask (finite threshold), reset to 0.
struct LifAdapter {
  const LifParams& p;
  static constexpr bool kMask = false;
  double tau() const { return p.tau; }
  double eps() const { return 0.0; }
  double clampV() const { return kInfinity; }
  double resetV() const { return 0.0; }
  qif::Flow flow(double V, double I, double d) const {
    const lif::Flow f = lif::flow(p, V, I, d);
    return {f.V, f.I, f.dV_dV0, f.dV_dI0, f.dV_dDelta, f.dI_dI0, f.dI_dDelta, false};
  }
  qif::SpikeTime spikeTime(double V, double I) const { return lif::spikeTime(p, V, I); }
  qif::Pseudo pseudo(double V, double Ip, int k) const { return lif::pseudoOffset(p, V, Ip, k); }
  qif::Rate rate(double V, double Ip) const { return lif::rate(p, V, Ip); }
};

/// Theta neuron (method.md 2.2, 4.2).
struct ThetaAdapter {
  const ThetaParams& p;
  double Theta;
  explicit ThetaAdapter(const ThetaParams& params) : p(params), Theta(params.period()) {}
  theta::Kick kick(double phi, double w) const { return theta::kick(p, phi, w); }
};

/// Oscillatory LIF (method.md 2.4): the theta template with its own transfer function.
struct OscLifAdapter {
  const OscLifParams& p;
  double Theta;
  explicit OscLifAdapter(const OscLifParams& params) : p(params), Theta(params.period()) {}
  theta::Kick kick(double phi, double w) const { return osclif::kick(p, phi, w); }
};

}  // namespace

void Gradient::reset(const Network& net, std::size_t nInputs) {
  recurrent.assign(net.recurrent.size(), 0.0);
  input.assign(net.input.size(), 0.0);
  inputTimes.assign(nInputs, 0.0);
  initial.assign(net.initial.size(), 0.0);
}

void Simulator::sortInputs() {
  const auto& times = inputs_->times;
  order_.resize(times.size());
  std::iota(order_.begin(), order_.end(), 0);
  std::stable_sort(order_.begin(), order_.end(),
                   [&](std::int32_t a, std::int32_t b) { return times[a] < times[b]; });
}

// ---- Shared event loop ----------------------------------------------------------------------

/// Runs the event loop of method.md 3.5 with `Touch` updating one neuron. Returns the number of
/// in-trial events. Stops counting (and throws the budget error) well past the budget.
template <typename Engine>
static void runEvents(Tape& tape, SpikeQueue& queue, const std::vector<std::int32_t>& order,
                      const Network& net, const InputSpikes& inputs, const TrialSpec& trial,
                      Engine& engine, std::int64_t* inTrial) {
  const double T = trial.T;
  const std::int64_t budget = trial.maxEvents;
  // Past the budget the loop keeps running to report how many events were needed, up to a cap
  // that bounds time and memory.
  const std::int64_t cap = budget + std::max<std::int64_t>(budget, 100000);
  std::size_t c = 0;
  std::int64_t count = 0;
  const auto& rec = net.recurrent;
  const auto& inp = net.input;
  for (;;) {
    const double tNet = queue.topTime();
    const double tIn =
        c < order.size() ? inputs.times[static_cast<std::size_t>(order[c])] : kInfinity;
    const bool isInput = tIn < tNet;  // strict: a network spike goes first on a tie
    const double tk = isInput ? tIn : tNet;
    if (!(tk < T)) break;  // strict: an event exactly at T is not in the trial
    if (++count > cap) break;
    const auto e = static_cast<std::int32_t>(tape.events.size());
    if (isInput) {
      const std::int32_t k = order[c++];
      const std::int32_t ch = inputs.channels[static_cast<std::size_t>(k)];
      tape.events.push_back({tk, k, static_cast<std::int32_t>(tape.touches.size()), Tape::kInput});
      for (std::int32_t s = inp.start[ch]; s < inp.start[ch + 1]; ++s) {
        engine.touch(inp.target[s], e, tk, inp.weight[s], s, Tape::kKicked | Tape::kInputSynapse);
      }
    } else {
      const std::int32_t j = queue.top();
      tape.events.push_back({tk, j, static_cast<std::int32_t>(tape.touches.size()), Tape::kSpike});
      // The spiking neuron first, with its self-synapse if it has one.
      std::int32_t self = -1;
      for (std::int32_t s = rec.start[j]; s < rec.start[j + 1]; ++s) {
        if (rec.target[s] == j) self = s;
      }
      engine.touch(j, e, tk, self >= 0 ? rec.weight[self] : 0.0, self,
                   Tape::kReset | (self >= 0 ? Tape::kKicked : 0));
      for (std::int32_t s = rec.start[j]; s < rec.start[j + 1]; ++s) {
        if (rec.target[s] != j) engine.touch(rec.target[s], e, tk, rec.weight[s], s, Tape::kKicked);
      }
    }
  }
  *inTrial = count;
  if (count > budget) {
    // count > cap means the loop stopped early, so the true need is unknown beyond cap.
    const bool exact = count <= cap;
    throw Error(ErrorCode::kBudget,
                "maxEvents = " + std::to_string(budget) + " is too small: the trial needs " +
                    (exact ? "" : "more than ") + std::to_string(exact ? count : cap) +
                    " in-trial events (input spikes plus network spikes before T); raise "
                    "maxEvents to at least " +
                    std::to_string(exact ? count : cap + 1));
  }
  const auto e = static_cast<std::int32_t>(tape.events.size());
  tape.events.push_back({T, -1, static_cast<std::int32_t>(tape.touches.size()), Tape::kTrialEnd});
  for (std::int32_t i = 0; i < net.n; ++i) engine.touch(i, e, T, 0.0, -1, 0);
}

// ---- Current-based models (qif, lif): state (V, I) --------------------------------------------

template <typename M>
struct CurrentEngine {
  Simulator& s;
  M m;
  const double T;

  void init() {
    const Network& net = *s.net_;
    const auto n = static_cast<std::size_t>(net.n);
    s.x0_.assign(net.initial.begin(), net.initial.begin() + static_cast<std::ptrdiff_t>(n));
    s.x1_.assign(net.initial.begin() + static_cast<std::ptrdiff_t>(n), net.initial.end());
    s.tLast_.assign(n, 0.0);
    s.tHat_.resize(n);
    s.lastTouch_.assign(n, -1);
    s.queue_.reset(net.n);
    for (std::size_t i = 0; i < n; ++i) {
      s.tHat_[i] = m.spikeTime(s.x0_[i], s.x1_[i]).dt;
      s.queue_.set(static_cast<std::int32_t>(i), s.tHat_[i] < T ? s.tHat_[i] : kInfinity);
    }
  }

  /// Updates neuron i at event e (time tk): flow, kick by w, reset if it spiked, new prediction.
  void touch(std::int32_t i, std::int32_t e, double tk, double w, std::int32_t synapse,
             std::uint8_t flags) {
    const auto ui = static_cast<std::size_t>(i);
    const bool isEnd = s.tape_.events[static_cast<std::size_t>(e)].kind == Tape::kTrialEnd;
    const bool isReset = (flags & Tape::kReset) != 0;
    const double delta = tk - s.tLast_[ui];
    double V, I;
    // The eps mask of method.md 3.5: a neuron due to spike within eps is never integrated through
    // its blow-up; V is held at 1/eps and its prediction is kept.
    if (M::kMask && std::fabs(s.tHat_[ui] - tk) < m.eps()) {
      flags |= Tape::kMasked;
      V = m.clampV();
      I = s.x1_[ui] * std::exp(-2.0 * delta / m.tau());
    } else {
      const qif::Flow f = m.flow(s.x0_[ui], s.x1_[ui], delta);
      V = f.V;
      I = f.I;
      if (f.clamped) flags |= Tape::kClamped;
    }
    I += w;
    if (isReset) V = m.resetV();
    if (!isEnd && (!(flags & Tape::kMasked) || isReset)) {
      flags |= Tape::kNewPrediction;
      s.tHat_[ui] = tk + m.spikeTime(V, I).dt;
      s.queue_.set(i, s.tHat_[ui] < T ? s.tHat_[ui] : kInfinity);
    }
    s.tape_.touches.push_back({V, I, i, s.lastTouch_[ui], e, synapse, flags});
    s.lastTouch_[ui] = static_cast<std::int32_t>(s.tape_.touches.size() - 1);
    s.tLast_[ui] = tk;
    s.x0_[ui] = V;
    s.x1_[ui] = I;
  }

  /// Rates and pseudo inputs from the state at T (method.md 4.1); fills outputs.
  void pseudo(ForwardResult* out) {
    const Network& net = *s.net_;
    const Readout& ro = *s.readout_;
    const auto n = static_cast<std::size_t>(net.n);
    const double* VT = out->stateAtT.data();
    const double* IT = VT + n;
    s.u_.assign(n, 0.0);
    s.r_.assign(n, 0.0);
    s.drdx0_.assign(n, 0.0);
    s.drdx1_.assign(n, 0.0);
    const auto& rec = net.recurrent;
    if (ro.layers.empty()) {
      // Recurrent mode: presynaptic rates at zero pseudo drive (I_pseudo = 0).
      for (std::size_t j = 0; j < n; ++j) {
        const qif::Rate r = m.rate(VT[j], 0.0);
        s.r_[j] = r.r;
        s.drdx0_[j] = r.d_dV;
      }
      for (std::int32_t j = 0; j < net.n; ++j) {
        for (std::int32_t k = rec.start[j]; k < rec.start[j + 1]; ++k) {
          s.u_[static_cast<std::size_t>(rec.target[k])] +=
              rec.weight[k] * s.r_[static_cast<std::size_t>(j)];
        }
      }
    } else {
      for (std::size_t L = 0; L < ro.layers.size(); ++L) {
        if (L > 0) {
          for (std::int32_t j : ro.layers[L - 1]) {
            for (std::int32_t k = rec.start[j]; k < rec.start[j + 1]; ++k) {
              const auto t = static_cast<std::size_t>(rec.target[k]);
              if (s.layerOf_[t] == static_cast<std::int32_t>(L)) {
                s.u_[t] += rec.weight[k] * s.r_[static_cast<std::size_t>(j)];
              }
            }
          }
        }
        for (std::int32_t i : ro.layers[L]) {
          const auto ui = static_cast<std::size_t>(i);
          const qif::Rate r = m.rate(VT[ui], IT[ui] + s.u_[ui]);
          s.r_[ui] = r.r;
          s.drdx0_[ui] = r.d_dV;
          s.drdx1_[ui] = r.d_dIp;
        }
      }
    }
    std::size_t slot = 0;
    for (std::size_t q = 0; q < ro.neurons.size(); ++q) {
      const auto i = static_cast<std::size_t>(ro.neurons[q]);
      for (std::int32_t k = 0; k < ro.counts[q]; ++k, ++slot) {
        if (s.slotEvent_[slot] >= 0) continue;
        out->outputTimes[slot] = T + m.pseudo(VT[i], IT[i] + s.u_[i], s.slotK_[slot]).offset;
      }
    }
  }

  void backward(const double* cot, Gradient* grad) {
    const Network& net = *s.net_;
    const Readout& ro = *s.readout_;
    const Tape& tape = s.tape_;
    const auto n = static_cast<std::size_t>(net.n);
    const auto& rec = net.recurrent;
    s.lambda_.assign(tape.events.size(), 0.0);
    s.g0_.assign(n, 0.0);  // adjoint of V after the touch being undone; first V(T)
    s.g1_.assign(n, 0.0);  // adjoint of I ...; first I(T)
    s.gHat_.assign(n, 0.0);
    s.gu_.assign(n, 0.0);  // adjoint of the pseudo drive I_pseudo = I(T) + u
    s.gr_.assign(n, 0.0);
    const Tape::Touch* end = &tape.touches[static_cast<std::size_t>(tape.events.back().firstTouch)];
    // Seeds: ordinary slots seed their event time, pseudo slots the state at T and the drive.
    std::size_t slot = 0;
    for (std::size_t q = 0; q < ro.neurons.size(); ++q) {
      const auto i = static_cast<std::size_t>(ro.neurons[q]);
      for (std::int32_t k = 0; k < ro.counts[q]; ++k, ++slot) {
        const double G = cot[slot];
        if (G == 0.0) continue;
        if (s.slotEvent_[slot] >= 0) {
          s.lambda_[static_cast<std::size_t>(s.slotEvent_[slot])] += G;
        } else {
          const qif::Pseudo ps = m.pseudo(end[i].x0, end[i].x1 + s.u_[i], s.slotK_[slot]);
          s.g0_[i] += G * ps.d_dV;
          s.gu_[i] += G * ps.d_dIp;
        }
      }
    }
    // Pseudo coupling, in reverse: I_pseudo,i = I_i(T) + sum_j w_ij r_j.
    if (ro.layers.empty()) {
      for (std::int32_t j = 0; j < net.n; ++j) {
        for (std::int32_t k = rec.start[j]; k < rec.start[j + 1]; ++k) {
          const double gu = s.gu_[static_cast<std::size_t>(rec.target[k])];
          grad->recurrent[static_cast<std::size_t>(k)] += gu * s.r_[static_cast<std::size_t>(j)];
          s.gr_[static_cast<std::size_t>(j)] += gu * rec.weight[k];
        }
      }
      for (std::size_t j = 0; j < n; ++j) {
        s.g0_[j] += s.gr_[j] * s.drdx0_[j];
        s.g1_[j] += s.gu_[j];
      }
    } else {
      for (std::size_t L = ro.layers.size(); L-- > 0;) {
        for (std::int32_t i : ro.layers[L]) {
          const auto ui = static_cast<std::size_t>(i);
          s.g0_[ui] += s.gr_[ui] * s.drdx0_[ui];
          s.gu_[ui] += s.gr_[ui] * s.drdx1_[ui];
        }
        if (L == 0) continue;
        for (std::int32_t j : ro.layers[L - 1]) {
          for (std::int32_t k = rec.start[j]; k < rec.start[j + 1]; ++k) {
            const auto t = static_cast<std::size_t>(rec.target[k]);
            if (s.layerOf_[t] != static_cast<std::int32_t>(L)) continue;
            grad->recurrent[static_cast<std::size_t>(k)] +=
                s.gu_[t] * s.r_[static_cast<std::size_t>(j)];
            s.gr_[static_cast<std::size_t>(j)] += s.gu_[t] * rec.weight[k];
          }
        }
      }
      for (std::size_t i = 0; i < n; ++i) s.g1_[i] += s.gu_[i];
    }
    sweep(grad);
  }

  /// The reverse sweep of method.md 5.5 over the tape.
  void sweep(Gradient* grad) {
    const Network& net = *s.net_;
    const Tape& tape = s.tape_;
    const auto n = static_cast<std::size_t>(net.n);
    for (std::size_t e = tape.events.size(); e-- > 0;) {
      const Tape::Event& ev = tape.events[e];
      const std::size_t first = static_cast<std::size_t>(ev.firstTouch);
      const std::size_t last = e + 1 < tape.events.size()
                                   ? static_cast<std::size_t>(tape.events[e + 1].firstTouch)
                                   : tape.touches.size();
      double lambda = s.lambda_[e];
      for (std::size_t t = first; t < last; ++t) {
        const Tape::Touch& tc = tape.touches[t];
        const auto i = static_cast<std::size_t>(tc.neuron);
        double gV = s.g0_[i], gI = s.g1_[i];
        // 1. Prediction t_hat = t_e + dt*(V+, I+).
        if (tc.flags & Tape::kNewPrediction) {
          const double gh = s.gHat_[i];
          if (gh != 0.0) {
            const qif::SpikeTime st = m.spikeTime(tc.x0, tc.x1);
            gV += gh * st.d_dV;
            gI += gh * st.d_dI;
            lambda += gh;
          }
          s.gHat_[i] = 0.0;
        }
        // 2. Kick I+ = I- + w; reset and mask make V+ a constant.
        if (tc.flags & Tape::kKicked) {
          auto& dw = (tc.flags & Tape::kInputSynapse) ? grad->input : grad->recurrent;
          dw[static_cast<std::size_t>(tc.synapse)] += gI;
        }
        if (tc.flags & (Tape::kReset | Tape::kMasked)) gV = 0.0;
        // 3. Flow back to the previous update.
        double V0, I0, t0;
        if (tc.prev >= 0) {
          const Tape::Touch& p = tape.touches[static_cast<std::size_t>(tc.prev)];
          V0 = p.x0;
          I0 = p.x1;
          t0 = tape.events[static_cast<std::size_t>(p.event)].t;
        } else {
          V0 = net.initial[i];
          I0 = net.initial[n + i];
          t0 = 0.0;
        }
        const double delta = ev.t - t0;
        double gV0, gI0, gDelta;
        if (tc.flags & (Tape::kMasked | Tape::kClamped)) {
          const double E2 = std::exp(-2.0 * delta / m.tau());
          gV0 = 0.0;
          gI0 = gI * E2;
          gDelta = -gI * 2.0 * I0 * E2 / m.tau();
        } else if (gV != 0.0 || gI != 0.0) {
          const qif::Flow f = m.flow(V0, I0, delta);
          gV0 = gV * f.dV_dV0;
          gI0 = gV * f.dV_dI0 + gI * f.dI_dI0;
          gDelta = gV * f.dV_dDelta + gI * f.dI_dDelta;
        } else {
          gV0 = gI0 = gDelta = 0.0;
        }
        lambda += gDelta;
        if (tc.prev >= 0) {
          s.lambda_[static_cast<std::size_t>(
              tape.touches[static_cast<std::size_t>(tc.prev)].event)] -= gDelta;
        }
        s.g0_[i] = gV0;
        s.g1_[i] = gI0;
      }
      if (ev.kind == Tape::kInput) {
        grad->inputTimes[static_cast<std::size_t>(ev.index)] += lambda;
      } else if (ev.kind == Tape::kSpike) {
        s.gHat_[static_cast<std::size_t>(ev.index)] += lambda;
      }
    }
    // Event 0: the initial predictions t_hat = dt*(V0, I0).
    for (std::size_t i = 0; i < n; ++i) {
      double gV = s.g0_[i], gI = s.g1_[i];
      if (s.gHat_[i] != 0.0) {
        const qif::SpikeTime st = m.spikeTime(net.initial[i], net.initial[n + i]);
        gV += s.gHat_[i] * st.d_dV;
        gI += s.gHat_[i] * st.d_dI;
      }
      grad->initial[i] += gV;
      grad->initial[n + i] += gI;
    }
  }
};

// ---- Phase models (theta, osclif): state phi ---------------------------------------------------

template <typename M>
struct PhaseEngine {
  Simulator& s;
  M m;
  const double T;

  void init() {
    const Network& net = *s.net_;
    const auto n = static_cast<std::size_t>(net.n);
    s.x0_.assign(net.initial.begin(), net.initial.end());
    s.tLast_.assign(n, 0.0);
    s.tHat_.resize(n);
    s.lastTouch_.assign(n, -1);
    s.queue_.reset(net.n);
    for (std::size_t i = 0; i < n; ++i) {
      s.tHat_[i] = m.Theta - s.x0_[i];
      s.queue_.set(static_cast<std::int32_t>(i), s.tHat_[i] < T ? s.tHat_[i] : kInfinity);
    }
  }

  void touch(std::int32_t i, std::int32_t e, double tk, double w, std::int32_t synapse,
             std::uint8_t flags) {
    const auto ui = static_cast<std::size_t>(i);
    const bool isEnd = s.tape_.events[static_cast<std::size_t>(e)].kind == Tape::kTrialEnd;
    double phi = s.x0_[ui] + (tk - s.tLast_[ui]);  // free flow
    if (flags & Tape::kReset) {
      phi = 0.0;  // the kick of a self-synapse is overwritten by the reset
    } else if (flags & Tape::kKicked) {
      phi = m.kick(phi, w).phi;
    }
    if (!isEnd) {
      flags |= Tape::kNewPrediction;
      s.tHat_[ui] = tk + m.Theta - phi;
      s.queue_.set(i, s.tHat_[ui] < T ? s.tHat_[ui] : kInfinity);
    }
    s.tape_.touches.push_back({phi, 0.0, i, s.lastTouch_[ui], e, synapse, flags});
    s.lastTouch_[ui] = static_cast<std::int32_t>(s.tape_.touches.size() - 1);
    s.tLast_[ui] = tk;
    s.x0_[ui] = phi;
  }

  void pseudo(ForwardResult* out) {
    const Network& net = *s.net_;
    const Readout& ro = *s.readout_;
    const auto n = static_cast<std::size_t>(net.n);
    const double* phiT = out->stateAtT.data();
    s.u_.assign(n, 0.0);
    s.r_.assign(n, 0.0);
    s.drdx0_.assign(n, 0.0);
    s.drdx1_.assign(n, 0.0);
    const auto& rec = net.recurrent;
    if (ro.layers.empty()) {
      // Recurrent mode: presynaptic rates at zero pseudo input, r = H(phi, 0) / Theta.
      for (std::size_t j = 0; j < n; ++j) {
        const theta::Kick h = m.kick(phiT[j], 0.0);
        s.r_[j] = h.phi / m.Theta;
        s.drdx0_[j] = h.d_dphi / m.Theta;
      }
      for (std::int32_t j = 0; j < net.n; ++j) {
        for (std::int32_t k = rec.start[j]; k < rec.start[j + 1]; ++k) {
          s.u_[static_cast<std::size_t>(rec.target[k])] +=
              rec.weight[k] * s.r_[static_cast<std::size_t>(j)];
        }
      }
    } else {
      for (std::size_t L = 0; L < ro.layers.size(); ++L) {
        if (L > 0) {
          for (std::int32_t j : ro.layers[L - 1]) {
            for (std::int32_t k = rec.start[j]; k < rec.start[j + 1]; ++k) {
              const auto t = static_cast<std::size_t>(rec.target[k]);
              if (s.layerOf_[t] == static_cast<std::int32_t>(L)) {
                s.u_[t] += rec.weight[k] * s.r_[static_cast<std::size_t>(j)];
              }
            }
          }
        }
        for (std::int32_t i : ro.layers[L]) {
          const auto ui = static_cast<std::size_t>(i);
          const theta::Kick h = m.kick(phiT[ui], s.u_[ui]);
          s.r_[ui] = h.phi / m.Theta;
          s.drdx0_[ui] = h.d_dphi / m.Theta;
          s.drdx1_[ui] = h.d_dw / m.Theta;
        }
      }
    }
    std::size_t slot = 0;
    for (std::size_t q = 0; q < ro.neurons.size(); ++q) {
      const auto i = static_cast<std::size_t>(ro.neurons[q]);
      const double H = m.kick(phiT[i], s.u_[i]).phi;
      for (std::int32_t k = 0; k < ro.counts[q]; ++k, ++slot) {
        if (s.slotEvent_[slot] >= 0) continue;
        // t_pseudo,k = T + k Theta - H(phi_T, u)
        out->outputTimes[slot] = T + s.slotK_[slot] * m.Theta - H;
      }
    }
  }

  void backward(const double* cot, Gradient* grad) {
    const Network& net = *s.net_;
    const Readout& ro = *s.readout_;
    const Tape& tape = s.tape_;
    const auto n = static_cast<std::size_t>(net.n);
    const auto& rec = net.recurrent;
    s.lambda_.assign(tape.events.size(), 0.0);
    s.g0_.assign(n, 0.0);
    s.gHat_.assign(n, 0.0);
    s.gu_.assign(n, 0.0);
    s.gr_.assign(n, 0.0);
    const Tape::Touch* end = &tape.touches[static_cast<std::size_t>(tape.events.back().firstTouch)];
    std::size_t slot = 0;
    for (std::size_t q = 0; q < ro.neurons.size(); ++q) {
      const auto i = static_cast<std::size_t>(ro.neurons[q]);
      for (std::int32_t k = 0; k < ro.counts[q]; ++k, ++slot) {
        const double G = cot[slot];
        if (G == 0.0) continue;
        if (s.slotEvent_[slot] >= 0) {
          s.lambda_[static_cast<std::size_t>(s.slotEvent_[slot])] += G;
        } else {
          const theta::Kick h = m.kick(end[i].x0, s.u_[i]);
          s.g0_[i] -= G * h.d_dphi;
          s.gu_[i] -= G * h.d_dw;
        }
      }
    }
    if (ro.layers.empty()) {
      for (std::int32_t j = 0; j < net.n; ++j) {
        for (std::int32_t k = rec.start[j]; k < rec.start[j + 1]; ++k) {
          const double gu = s.gu_[static_cast<std::size_t>(rec.target[k])];
          grad->recurrent[static_cast<std::size_t>(k)] += gu * s.r_[static_cast<std::size_t>(j)];
          s.gr_[static_cast<std::size_t>(j)] += gu * rec.weight[k];
        }
      }
      for (std::size_t j = 0; j < n; ++j) s.g0_[j] += s.gr_[j] * s.drdx0_[j];
    } else {
      for (std::size_t L = ro.layers.size(); L-- > 0;) {
        for (std::int32_t i : ro.layers[L]) {
          const auto ui = static_cast<std::size_t>(i);
          s.g0_[ui] += s.gr_[ui] * s.drdx0_[ui];
          s.gu_[ui] += s.gr_[ui] * s.drdx1_[ui];
        }
        if (L == 0) continue;
        for (std::int32_t j : ro.layers[L - 1]) {
          for (std::int32_t k = rec.start[j]; k < rec.start[j + 1]; ++k) {
            const auto t = static_cast<std::size_t>(rec.target[k]);
            if (s.layerOf_[t] != static_cast<std::int32_t>(L)) continue;
            grad->recurrent[static_cast<std::size_t>(k)] +=
                s.gu_[t] * s.r_[static_cast<std::size_t>(j)];
            s.gr_[static_cast<std::size_t>(j)] += s.gu_[t] * rec.weight[k];
          }
        }
      }
    }
    // Reverse sweep (method.md 5.5, theta version).
    for (std::size_t e = tape.events.size(); e-- > 0;) {
      const Tape::Event& ev = tape.events[e];
      const std::size_t first = static_cast<std::size_t>(ev.firstTouch);
      const std::size_t last = e + 1 < tape.events.size()
                                   ? static_cast<std::size_t>(tape.events[e + 1].firstTouch)
                                   : tape.touches.size();
      double lambda = s.lambda_[e];
      for (std::size_t t = first; t < last; ++t) {
        const Tape::Touch& tc = tape.touches[t];
        const auto i = static_cast<std::size_t>(tc.neuron);
        double g = s.g0_[i];
        // 1. Prediction t_hat = t_e + Theta - phi+.
        if (tc.flags & Tape::kNewPrediction) {
          g -= s.gHat_[i];
          lambda += s.gHat_[i];
          s.gHat_[i] = 0.0;
        }
        // 2. Reset (constant) or kick phi+ = H(phi-, w).
        double phi0, t0;
        if (tc.prev >= 0) {
          const Tape::Touch& p = tape.touches[static_cast<std::size_t>(tc.prev)];
          phi0 = p.x0;
          t0 = tape.events[static_cast<std::size_t>(p.event)].t;
        } else {
          phi0 = net.initial[i];
          t0 = 0.0;
        }
        if (tc.flags & Tape::kReset) {
          g = 0.0;
        } else if (tc.flags & Tape::kKicked) {
          const double w = (tc.flags & Tape::kInputSynapse)
                               ? net.input.weight[static_cast<std::size_t>(tc.synapse)]
                               : net.recurrent.weight[static_cast<std::size_t>(tc.synapse)];
          const theta::Kick h = m.kick(phi0 + (ev.t - t0), w);
          auto& dw = (tc.flags & Tape::kInputSynapse) ? grad->input : grad->recurrent;
          dw[static_cast<std::size_t>(tc.synapse)] += g * h.d_dw;
          g *= h.d_dphi;
        }
        // 3. Flow phi- = phi_prev + (t_e - t_prev).
        lambda += g;
        if (tc.prev >= 0) {
          s.lambda_[static_cast<std::size_t>(
              tape.touches[static_cast<std::size_t>(tc.prev)].event)] -= g;
        }
        s.g0_[i] = g;
      }
      if (ev.kind == Tape::kInput) {
        grad->inputTimes[static_cast<std::size_t>(ev.index)] += lambda;
      } else if (ev.kind == Tape::kSpike) {
        s.gHat_[static_cast<std::size_t>(ev.index)] += lambda;
      }
    }
    // Event 0: t_hat = Theta - phi0.
    for (std::size_t i = 0; i < n; ++i) grad->initial[i] += s.g0_[i] - s.gHat_[i];
  }
};

// ---- Simulator ----------------------------------------------------------------------------------

template <typename Engine>
static void forwardWith(Engine&& engine, Tape& tape, SpikeQueue& queue,
                        const std::vector<std::int32_t>& order, const Network& net,
                        const InputSpikes& inputs, const TrialSpec& trial, ForwardResult* out) {
  engine.init();
  runEvents(tape, queue, order, net, inputs, trial, engine, &out->inTrialEvents);
}

void Simulator::forward(const Network& net, const InputSpikes& inputs, const Readout& readout,
                        const TrialSpec& trial, ForwardResult* out) {
  ready_ = false;
  if (!trusted_) {
    net.validate();
    inputs.validate(net.inputChannels());
    readout.validate(net.n);
    trial.validate();
  }
  net_ = &net;
  inputs_ = &inputs;
  readout_ = &readout;
  trial_ = trial;
  tape_.clear();
  sortInputs();
  const auto n = static_cast<std::size_t>(net.n);
  layerOf_.assign(n, -1);
  for (std::size_t L = 0; L < readout.layers.size(); ++L) {
    for (std::int32_t i : readout.layers[L])
      layerOf_[static_cast<std::size_t>(i)] = static_cast<std::int32_t>(L);
  }
  const double T = trial.T;
  switch (net.model.kind) {
    case NeuronModel::Kind::kQif:
      forwardWith(CurrentEngine<QifAdapter>{*this, QifAdapter{net.model.qif}, T}, tape_, queue_,
                  order_, net, inputs, trial, out);
      break;
    case NeuronModel::Kind::kLif:
      forwardWith(CurrentEngine<LifAdapter>{*this, LifAdapter{net.model.lif}, T}, tape_, queue_,
                  order_, net, inputs, trial, out);
      break;
    case NeuronModel::Kind::kTheta:
      forwardWith(PhaseEngine<ThetaAdapter>{*this, ThetaAdapter(net.model.theta), T}, tape_, queue_,
                  order_, net, inputs, trial, out);
      break;
    case NeuronModel::Kind::kOscLif:
      forwardWith(PhaseEngine<OscLifAdapter>{*this, OscLifAdapter(net.model.osclif), T}, tape_,
                  queue_, order_, net, inputs, trial, out);
      break;
  }
  finishOutputs(out);
  ready_ = true;
}

void Simulator::finishOutputs(ForwardResult* out) {
  const Network& net = *net_;
  const Readout& ro = *readout_;
  const auto n = static_cast<std::size_t>(net.n);
  const int D = net.model.stateDim();
  // Spike list and state at T (the trial-end touches, one per neuron in index order).
  out->spikeTimes.clear();
  out->spikeNeurons.clear();
  for (const auto& ev : tape_.events) {
    if (ev.kind == Tape::kSpike) {
      out->spikeTimes.push_back(ev.t);
      out->spikeNeurons.push_back(ev.index);
    }
  }
  out->stateAtT.resize(static_cast<std::size_t>(D) * n);
  const Tape::Touch* end = &tape_.touches[static_cast<std::size_t>(tape_.events.back().firstTouch)];
  for (std::size_t i = 0; i < n; ++i) {
    out->stateAtT[i] = end[i].x0;
    if (D == 2) out->stateAtT[n + i] = end[i].x1;
  }
  // Slots: ordinary spikes first, then pseudospikes numbered on (method.md 4.3).
  const std::size_t total = ro.totalCount();
  out->outputTimes.assign(total, 0.0);
  out->outputIsPseudo.assign(total, 0);
  slotEvent_.assign(total, -1);
  slotK_.assign(total, 0);
  std::vector<std::vector<std::int32_t>> spikesOf(n);
  std::vector<char> isReadout(n, 0);
  for (auto i : ro.neurons) isReadout[static_cast<std::size_t>(i)] = 1;
  for (std::size_t e = 0; e < tape_.events.size(); ++e) {
    const auto& ev = tape_.events[e];
    if (ev.kind == Tape::kSpike && isReadout[static_cast<std::size_t>(ev.index)]) {
      spikesOf[static_cast<std::size_t>(ev.index)].push_back(static_cast<std::int32_t>(e));
    }
  }
  std::size_t slot = 0;
  for (std::size_t q = 0; q < ro.neurons.size(); ++q) {
    const auto& spikes = spikesOf[static_cast<std::size_t>(ro.neurons[q])];
    const auto nOrd = static_cast<std::int32_t>(spikes.size());
    for (std::int32_t k = 0; k < ro.counts[q]; ++k, ++slot) {
      if (k < nOrd) {
        slotEvent_[slot] = spikes[static_cast<std::size_t>(k)];
        out->outputTimes[slot] =
            tape_.events[static_cast<std::size_t>(spikes[static_cast<std::size_t>(k)])].t;
      } else {
        slotK_[slot] = k + 1 - nOrd;
        out->outputIsPseudo[slot] = 1;
      }
    }
  }
  const double T = trial_.T;
  switch (net.model.kind) {
    case NeuronModel::Kind::kQif:
      CurrentEngine<QifAdapter>{*this, QifAdapter{net.model.qif}, T}.pseudo(out);
      break;
    case NeuronModel::Kind::kLif:
      CurrentEngine<LifAdapter>{*this, LifAdapter{net.model.lif}, T}.pseudo(out);
      break;
    case NeuronModel::Kind::kTheta:
      PhaseEngine<ThetaAdapter>{*this, ThetaAdapter(net.model.theta), T}.pseudo(out);
      break;
    case NeuronModel::Kind::kOscLif:
      PhaseEngine<OscLifAdapter>{*this, OscLifAdapter(net.model.osclif), T}.pseudo(out);
      break;
  }
}

void Simulator::backward(const double* cotangent, Gradient* grad) {
  if (!ready_) throw Error(ErrorCode::kInternal, "backward() needs a successful forward() first");
  const Network& net = *net_;
  if (grad->recurrent.size() != net.recurrent.size() || grad->input.size() != net.input.size() ||
      grad->inputTimes.size() != inputs_->times.size() ||
      grad->initial.size() != net.initial.size()) {
    throw Error(ErrorCode::kShape, "backward(): gradient arrays do not match the network");
  }
  const double T = trial_.T;
  switch (net.model.kind) {
    case NeuronModel::Kind::kQif:
      CurrentEngine<QifAdapter>{*this, QifAdapter{net.model.qif}, T}.backward(cotangent, grad);
      break;
    case NeuronModel::Kind::kLif:
      CurrentEngine<LifAdapter>{*this, LifAdapter{net.model.lif}, T}.backward(cotangent, grad);
      break;
    case NeuronModel::Kind::kTheta:
      PhaseEngine<ThetaAdapter>{*this, ThetaAdapter(net.model.theta), T}.backward(cotangent, grad);
      break;
    case NeuronModel::Kind::kOscLif:
      PhaseEngine<OscLifAdapter>{*this, OscLifAdapter(net.model.osclif), T}.backward(cotangent,
                                                                                     grad);
      break;
  }
}

}  // namespace spikegrad
