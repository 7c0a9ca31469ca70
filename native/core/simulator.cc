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
constexpr std::size_t kMaxTouches = std::size_t{1} << 26;  // 64 M records of 48 bytes

std::size_t idx(std::int32_t i) { return static_cast<std::size_t>(i); }

// ---- Model adapters: one interface per family ---------------------------------------------------

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
  static constexpr bool kSlopesNeedPhase = false;  // they come from the stored pt
  const ThetaParams& p;
  double r, Theta;
  explicit ThetaAdapter(const ThetaParams& params)
      : p(params), r(params.r()), Theta(params.period()) {}
  theta::Kick kick(double phi, double w) const { return theta::kick(p, r, Theta, phi, w); }
  double kickValue(double phi, double w) const { return theta::kickValue(p, r, Theta, phi, w); }
  /// H and, in *aux, what the slopes need later (pt), so the reverse pass skips a tan.
  double kickValue(double phi, double w, double* aux) const {
    return theta::kickValue(p, r, Theta, phi, w, aux);
  }
  theta::Kick kickSlopes(double /*phi*/, double w, double aux) const {
    return theta::kickSlopesFromPt(p, r, aux, w);
  }
};

/// Oscillatory LIF (method.md 2.4): the theta template with its own transfer function.
struct OscLifAdapter {
  static constexpr bool kSlopesNeedPhase = true;
  const OscLifParams& p;
  double Theta;
  explicit OscLifAdapter(const OscLifParams& params) : p(params), Theta(params.period()) {}
  theta::Kick kick(double phi, double w) const { return osclif::kick(p, phi, w); }
  double kickValue(double phi, double w) const { return osclif::kick(p, phi, w).phi; }
  double kickValue(double phi, double w, double* aux) const {
    *aux = 0.0;
    return osclif::kick(p, phi, w).phi;
  }
  theta::Kick kickSlopes(double phi, double w, double /*aux*/) const {
    return osclif::kick(p, phi, w);
  }
};

}  // namespace

void Gradient::reset(const Network& net, std::size_t nInputEvents) {
  recurrent.assign(net.recurrent.size(), 0.0);
  input.assign(net.input.size(), 0.0);
  inputTimes.assign(nInputEvents, 0.0);
  initial.assign(net.initial.size(), 0.0);
}

/// What every engine shares: the simulator's workspace and the trial's definition.
struct EngineBase {
  SimulatorWorkspace& s;
  const Network& net;
  const InputSpikes& in;
  const Readout& ro;
  const double T;
  Tape* tape;                  ///< the tape being recorded (forward only)
  std::int64_t maxEvents = 0;  ///< the event budget (forward only)
  std::int64_t inTrial = 0;    ///< in-trial events of the forward run

  /// Appends neuron i's update at event e (time tk) to the tape and makes it the neuron's state.
  void record(std::int32_t i, std::int32_t e, double tk, double x0, double x1, double w,
              std::int32_t synapse, std::uint8_t flags) {
    const auto ui = idx(i);
    // A runaway network can touch far more neurons than its event budget suggests; the record
    // of one trial is capped (about 4 GiB) so that it fails with a coded error, not the OOM killer.
    if (tape->touches.size() >= kMaxTouches) {
      throw Error(ErrorCode::kMemory,
                  "the trial's record exceeds " + std::to_string(kMaxTouches) +
                      " neuron updates (about 4 GiB): lower maxEvents or T, or check for a "
                      "runaway network");
    }
    tape->touches.push_back({x0, x1, w, i, s.lastTouch_[ui], e, synapse, s.lastEvent_[ui], flags});
    s.lastTouch_[ui] = static_cast<std::int32_t>(tape->touches.size() - 1);
    s.lastEvent_[ui] = e;
    s.tLast_[ui] = tk;
    s.x0_[ui] = x0;
    s.x1_[ui] = x1;
  }

  /// A neuron's pseudo rate and its partials with respect to its state at T and its pseudo input.
  struct PseudoRate {
    double r, d_dx0, d_du;
  };

  /// Pseudo inputs u and rates r (method.md 4.1, 4.2). Recurrent mode: every rate at the neutral
  /// pseudo drive, u_i = sum_j w_ij r_j over all synapses. Layered mode: layer by layer, the first
  /// layer's pseudo input 0, layer L's from layer L-1 only. rate(i, u, neutral) gives a rate.
  template <typename RateFn>
  void couplePseudo(RateFn rate) {
    const auto n = idx(net.n);
    const auto& rec = net.recurrent;
    s.u_.assign(n, 0.0);
    s.r_.assign(n, 0.0);
    s.drdx0_.assign(n, 0.0);
    s.drdx1_.assign(n, 0.0);
    auto set = [&](std::size_t i, PseudoRate pr) {
      s.r_[i] = pr.r;
      s.drdx0_[i] = pr.d_dx0;
      s.drdx1_[i] = pr.d_du;
    };
    if (ro.layers.empty()) {
      for (std::size_t j = 0; j < n; ++j) set(j, rate(j, 0.0, true));
      for (std::int32_t j = 0; j < net.n; ++j) {
        for (std::int32_t k = rec.start[idx(j)]; k < rec.start[idx(j) + 1]; ++k) {
          s.u_[idx(rec.target[idx(k)])] += rec.weight[idx(k)] * s.r_[idx(j)];
        }
      }
      return;
    }
    for (std::size_t L = 0; L < ro.layers.size(); ++L) {
      if (L > 0) {
        forLayerSynapses(L, [&](std::size_t k, std::size_t j, std::size_t t) {
          s.u_[t] += rec.weight[k] * s.r_[j];
        });
      }
      for (std::int32_t i : ro.layers[L]) set(idx(i), rate(idx(i), s.u_[idx(i)], false));
    }
  }

  /// The reverse of couplePseudo: from the pseudo-input adjoints gu_ (seeded by the output slots)
  /// to the weight gradients of the coupling and the adjoints g0_ (state at T) and gu_.
  void reverseCoupling(Gradient* grad) {
    const auto n = idx(net.n);
    const auto& rec = net.recurrent;
    if (ro.layers.empty()) {
      for (std::int32_t j = 0; j < net.n; ++j) {
        for (std::int32_t k = rec.start[idx(j)]; k < rec.start[idx(j) + 1]; ++k) {
          const double gu = s.gu_[idx(rec.target[idx(k)])];
          grad->recurrent[idx(k)] += gu * s.r_[idx(j)];
          s.gr_[idx(j)] += gu * rec.weight[idx(k)];
        }
      }
      for (std::size_t j = 0; j < n; ++j) s.g0_[j] += s.gr_[j] * s.drdx0_[j];
      return;
    }
    for (std::size_t L = ro.layers.size(); L-- > 0;) {
      for (std::int32_t i : ro.layers[L]) {
        s.g0_[idx(i)] += s.gr_[idx(i)] * s.drdx0_[idx(i)];
        s.gu_[idx(i)] += s.gr_[idx(i)] * s.drdx1_[idx(i)];
      }
      if (L == 0) continue;
      forLayerSynapses(L, [&](std::size_t k, std::size_t j, std::size_t t) {
        grad->recurrent[k] += s.gu_[t] * s.r_[j];
        s.gr_[j] += s.gu_[t] * rec.weight[k];
      });
    }
  }

  /// fn(synapse, source, target) for every synapse from layer L-1 into layer L.
  template <typename Fn>
  void forLayerSynapses(std::size_t L, Fn fn) const {
    const auto& rec = net.recurrent;
    for (std::int32_t j : ro.layers[L - 1]) {
      for (std::int32_t k = rec.start[idx(j)]; k < rec.start[idx(j) + 1]; ++k) {
        const auto t = idx(rec.target[idx(k)]);
        if (s.layerOf_[t] == static_cast<std::int32_t>(L)) fn(idx(k), idx(j), t);
      }
    }
  }
};

// ---- The event loop (method.md 3.5), shared by all models ---------------------------------------

template <typename Engine>
void runEvents(Engine& engine) {
  SimulatorWorkspace& s = engine.s;
  const Network& net = engine.net;
  const InputSpikes& in = engine.in;
  Tape& tape = *engine.tape;
  const double T = engine.T;
  const std::int64_t budget = engine.maxEvents;
  // Past the budget the loop keeps running to report how many events were needed, up to a cap
  // that bounds time and memory.
  const std::int64_t cap = budget + std::max<std::int64_t>(budget, 100000);
  const auto& rec = net.recurrent;
  const auto& inp = net.input;
  std::size_t c = 0;
  std::int64_t count = 0;
  for (;;) {
    const double tNet = s.queue_.topTime();
    const double tIn = c < s.order_.size() ? in.times[idx(s.order_[c])] : kInfinity;
    const bool isInput = tIn < tNet;  // strict: a network spike goes first on a tie
    const double tk = isInput ? tIn : tNet;
    if (!(tk < T)) break;  // strict: an event exactly at T is not in the trial
    if (++count > cap) break;
    const auto e = static_cast<std::int32_t>(tape.events.size());
    const auto first = static_cast<std::int32_t>(tape.touches.size());
    if (isInput) {
      const std::int32_t k = s.order_[c++];
      tape.events.push_back({tk, k, first, Tape::kInput});
      if (!in.bundled()) {
        const std::int32_t ch = in.channels[idx(k)];
        for (std::int32_t syn = inp.start[idx(ch)]; syn < inp.start[idx(ch) + 1]; ++syn) {
          engine.touch(inp.target[idx(syn)], e, tk, inp.weight[idx(syn)], syn,
                       Tape::kKicked | Tape::kInputSynapse);
        }
      } else {
        // A bundle: sum the weights per target, then update each target once.
        for (std::int32_t q = in.start[idx(k)]; q < in.start[idx(k) + 1]; ++q) {
          const std::int32_t ch = in.channels[idx(q)];
          for (std::int32_t syn = inp.start[idx(ch)]; syn < inp.start[idx(ch) + 1]; ++syn) {
            const auto t = idx(inp.target[idx(syn)]);
            if (!s.inBundle_[t]) {
              s.inBundle_[t] = 1;
              s.wSum_[t] = 0.0;
              s.bundleList_.push_back(inp.target[idx(syn)]);
            }
            s.wSum_[t] += inp.weight[idx(syn)];
          }
        }
        for (std::int32_t t : s.bundleList_) {
          s.inBundle_[idx(t)] = 0;
          engine.touch(t, e, tk, s.wSum_[idx(t)], -1,
                       Tape::kKicked | Tape::kInputSynapse | Tape::kBundle);
        }
        s.bundleList_.clear();
      }
    } else {
      const std::int32_t j = s.queue_.top();
      tape.events.push_back({tk, j, first, Tape::kSpike});
      // The spiking neuron first, with its self-synapse if it has one.
      std::int32_t self = -1;
      for (std::int32_t syn = rec.start[idx(j)]; syn < rec.start[idx(j) + 1]; ++syn) {
        if (rec.target[idx(syn)] == j) self = syn;
      }
      engine.touch(j, e, tk, self >= 0 ? rec.weight[idx(self)] : 0.0, self,
                   Tape::kReset | (self >= 0 ? Tape::kKicked : 0));
      for (std::int32_t syn = rec.start[idx(j)]; syn < rec.start[idx(j) + 1]; ++syn) {
        if (rec.target[idx(syn)] != j) {
          engine.touch(rec.target[idx(syn)], e, tk, rec.weight[idx(syn)], syn, Tape::kKicked);
        }
      }
    }
  }
  if (count > budget) {
    const bool exact = count <= cap;  // past the cap the loop stopped before T
    throw Error(ErrorCode::kBudget,
                "maxEvents = " + std::to_string(budget) + " is too small: the trial needs " +
                    (exact ? "" : "more than ") + std::to_string(exact ? count : cap) +
                    " in-trial events (input events plus network spikes before T); raise "
                    "maxEvents to at least " +
                    std::to_string(exact ? count : cap + 1));
  }
  const auto e = static_cast<std::int32_t>(tape.events.size());
  tape.events.push_back({T, -1, static_cast<std::int32_t>(tape.touches.size()), Tape::kTrialEnd});
  for (std::int32_t i = 0; i < net.n; ++i) engine.touch(i, e, T, 0.0, -1, 0);
  engine.inTrial = count;
}

// ---- Current-based models (qif, lif): state (V, I) ---------------------------------------------

template <typename M>
struct CurrentEngine : EngineBase {
  M m;

  CurrentEngine(const EngineBase& base, M model) : EngineBase(base), m(model) {}

  void init() {
    const auto n = idx(net.n);
    s.x0_.assign(net.initial.begin(), net.initial.begin() + static_cast<std::ptrdiff_t>(n));
    s.x1_.assign(net.initial.begin() + static_cast<std::ptrdiff_t>(n), net.initial.end());
    s.tLast_.assign(n, 0.0);
    s.tHat_.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      s.tHat_[i] = m.spikeTime(s.x0_[i], s.x1_[i]).dt;
      s.queue_.set(static_cast<std::int32_t>(i), s.tHat_[i] < T ? s.tHat_[i] : kInfinity);
    }
  }

  /// Updates neuron i at event e (time tk): flow, kick by w, reset if it spiked, new prediction.
  void touch(std::int32_t i, std::int32_t e, double tk, double w, std::int32_t synapse,
             std::uint8_t flags) {
    const auto ui = idx(i);
    const bool isEnd = tape->events[idx(e)].kind == Tape::kTrialEnd;
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
    record(i, e, tk, V, I, w, synapse, flags);
  }

  /// Rates from the state at T (method.md 4.1): r(V, I_pseudo) with I_pseudo = I(T) + u, or at
  /// I_pseudo = 0 in recurrent mode.
  void preparePseudo(const Tape::Touch* end) {
    couplePseudo([&](std::size_t i, double u, bool neutral) {
      const qif::Rate r = m.rate(end[i].x0, neutral ? 0.0 : end[i].x1 + u);
      return PseudoRate{r.r, r.d_dV, neutral ? 0.0 : r.d_dIp};
    });
  }

  /// t_pseudo,k = T + offset(V(T), I_pseudo = I(T) + u, k).
  double pseudoTime(const Tape::Touch* end, std::size_t i, int k) const {
    return T + m.pseudo(end[i].x0, end[i].x1 + s.u_[i], k).offset;
  }

  /// Seeds the adjoint of the state at T from the pseudo slots and the pseudo coupling.
  void seedPseudo(const Tape::Touch* end, const double* cot, const Tape& tp, Gradient* grad) {
    std::size_t slot = 0;
    for (std::size_t q = 0; q < ro.neurons.size(); ++q) {
      const auto i = idx(ro.neurons[q]);
      for (std::int32_t k = 0; k < ro.counts[q]; ++k, ++slot) {
        const double G = cot[slot];
        if (G == 0.0 || tp.slotEvent[slot] >= 0) continue;
        const qif::Pseudo ps = m.pseudo(end[i].x0, end[i].x1 + s.u_[i], tp.slotK[slot]);
        s.g0_[i] += G * ps.d_dV;
        s.gu_[i] += G * ps.d_dIp;
      }
    }
    // I_pseudo,i = I_i(T) + sum_j w_ij r_j, in reverse.
    reverseCoupling(grad);
    for (std::size_t i = 0; i < idx(net.n); ++i) s.g1_[i] += s.gu_[i];
  }

  /// One touch of the reverse sweep (method.md 5.5). Returns the adjoint of the delivered weight
  /// and adds this touch's contributions to *lambda (event e) and lambda of the previous touch.
  double undo(const Tape& tp, const Tape::Touch& tc, double tEvent, double* lambda) {
    const auto i = idx(tc.neuron);
    double gV = s.g0_[i], gI = s.g1_[i];
    // 1. Prediction t_hat = t_e + dt*(V+, I+).
    if (tc.flags & Tape::kNewPrediction) {
      const double gh = s.gHat_[i];
      if (gh != 0.0) {
        const qif::SpikeTime st = m.spikeTime(tc.x0, tc.x1);
        gV += gh * st.d_dV;
        gI += gh * st.d_dI;
        *lambda += gh;
      }
      s.gHat_[i] = 0.0;
    }
    // 2. Kick I+ = I- + w; reset and mask make V+ a constant.
    const double gw = gI;
    if (tc.flags & (Tape::kReset | Tape::kMasked)) gV = 0.0;
    // 3. Flow back to the previous update.
    double V0, I0, t0;
    if (tc.prev >= 0) {
      const Tape::Touch& p = tp.touches[idx(tc.prev)];
      V0 = p.x0;
      I0 = p.x1;
      t0 = tp.events[idx(p.event)].t;
    } else {
      V0 = net.initial[i];
      I0 = net.initial[idx(net.n) + i];
      t0 = 0.0;
    }
    const double delta = tEvent - t0;
    double gV0 = 0.0, gI0 = 0.0, gDelta = 0.0;
    if (gV == 0.0 || (tc.flags & (Tape::kMasked | Tape::kClamped))) {
      // Only the current carries an adjoint (V- is a constant when masked or clamped). Skipping
      // the V terms when gV = 0 also avoids 0 * inf in extreme corners of the flow.
      if (gI != 0.0) {
        const double E2 = std::exp(-2.0 * delta / m.tau());
        gI0 = gI * E2;
        gDelta = -gI * 2.0 * I0 * E2 / m.tau();
      }
    } else {
      const qif::Flow f = m.flow(V0, I0, delta);
      gV0 = gV * f.dV_dV0;
      gI0 = gV * f.dV_dI0 + gI * f.dI_dI0;
      gDelta = gV * f.dV_dDelta + gI * f.dI_dDelta;
    }
    *lambda += gDelta;
    if (tc.prevEvent >= 0) s.lambda_[idx(tc.prevEvent)] -= gDelta;
    s.g0_[i] = gV0;
    s.g1_[i] = gI0;
    return gw;
  }

  /// Event 0: the initial predictions t_hat = dt*(V0, I0).
  void finishInitial(Gradient* grad) {
    const auto n = idx(net.n);
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

// ---- Phase models (theta, osclif): state phi ----------------------------------------------------

template <typename M>
struct PhaseEngine : EngineBase {
  M m;

  PhaseEngine(const EngineBase& base, M model) : EngineBase(base), m(model) {}

  void init() {
    const auto n = idx(net.n);
    s.x0_.assign(net.initial.begin(), net.initial.end());
    s.x1_.assign(n, 0.0);
    s.tLast_.assign(n, 0.0);
    s.tHat_.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      s.tHat_[i] = m.Theta - s.x0_[i];
      s.queue_.set(static_cast<std::int32_t>(i), s.tHat_[i] < T ? s.tHat_[i] : kInfinity);
    }
  }

  void touch(std::int32_t i, std::int32_t e, double tk, double w, std::int32_t synapse,
             std::uint8_t flags) {
    const auto ui = idx(i);
    const bool isEnd = tape->events[idx(e)].kind == Tape::kTrialEnd;
    double phi = s.x0_[ui] + (tk - s.tLast_[ui]);  // free flow
    double aux = 0.0;                              // kept in the tape's x1 for the reverse pass
    if (flags & Tape::kReset) {
      phi = 0.0;  // a self-synapse's kick is overwritten by the reset
    } else if (flags & Tape::kKicked) {
      phi = m.kickValue(phi, w, &aux);
    }
    if (!isEnd) {
      flags |= Tape::kNewPrediction;
      s.tHat_[ui] = tk + (m.Theta - phi);  // exactly tk when a kick reaches Theta
      s.queue_.set(i, s.tHat_[ui] < T ? s.tHat_[ui] : kInfinity);
    }
    record(i, e, tk, phi, aux, w, synapse, flags);
  }

  /// Rates r = H(phi_T, u) / Theta (method.md 4.2), at u = 0 in recurrent mode.
  void preparePseudo(const Tape::Touch* end) {
    couplePseudo([&](std::size_t i, double u, bool neutral) {
      const theta::Kick h = m.kick(end[i].x0, neutral ? 0.0 : u);
      return PseudoRate{h.phi / m.Theta, h.d_dphi / m.Theta, neutral ? 0.0 : h.d_dw / m.Theta};
    });
  }

  /// t_pseudo,k = T + k Theta - H(phi_T, u).
  double pseudoTime(const Tape::Touch* end, std::size_t i, int k) const {
    return T + k * m.Theta - m.kickValue(end[i].x0, s.u_[i]);
  }

  void seedPseudo(const Tape::Touch* end, const double* cot, const Tape& tp, Gradient* grad) {
    std::size_t slot = 0;
    for (std::size_t q = 0; q < ro.neurons.size(); ++q) {
      const auto i = idx(ro.neurons[q]);
      for (std::int32_t k = 0; k < ro.counts[q]; ++k, ++slot) {
        const double G = cot[slot];
        if (G == 0.0 || tp.slotEvent[slot] >= 0) continue;
        const theta::Kick h = m.kick(end[i].x0, s.u_[i]);
        s.g0_[i] -= G * h.d_dphi;
        s.gu_[i] -= G * h.d_dw;
      }
    }
    reverseCoupling(grad);
  }

  double undo(const Tape& tp, const Tape::Touch& tc, double tEvent, double* lambda) {
    const auto i = idx(tc.neuron);
    double g = s.g0_[i];
    // 1. Prediction t_hat = t_e + Theta - phi+.
    if (tc.flags & Tape::kNewPrediction) {
      g -= s.gHat_[i];
      *lambda += s.gHat_[i];
      s.gHat_[i] = 0.0;
    }
    // 2. Reset (a constant) or kick phi+ = H(phi-, w).
    double gw = 0.0;
    if (tc.flags & Tape::kReset) {
      g = 0.0;
    } else if ((tc.flags & Tape::kKicked) && g != 0.0) {
      // The pre-kick phase phi- = phi_prev + (t_e - t_prev), read only by models whose slopes
      // need it (theta's come from the stored pt).
      double phiMinus = 0.0;
      if (M::kSlopesNeedPhase) {
        phiMinus = tc.prev >= 0 ? tp.touches[idx(tc.prev)].x0 : net.initial[i];
        phiMinus += tEvent - (tc.prevEvent >= 0 ? tp.events[idx(tc.prevEvent)].t : 0.0);
      }
      const theta::Kick h = m.kickSlopes(phiMinus, tc.w, tc.x1);
      gw = g * h.d_dw;
      g *= h.d_dphi;
    }
    // 3. Flow phi- = phi_prev + (t_e - t_prev).
    *lambda += g;
    if (tc.prevEvent >= 0) s.lambda_[idx(tc.prevEvent)] -= g;
    s.g0_[i] = g;
    return gw;
  }

  /// Event 0: t_hat = Theta - phi0.
  void finishInitial(Gradient* grad) {
    for (std::size_t i = 0; i < idx(net.n); ++i) grad->initial[i] += s.g0_[i] - s.gHat_[i];
  }
};

// ---- Theta neurons in tangent coordinates (the fast forward pass) ------------------------------
//
// The theta phase phi maps to p = tan(a phi - pi/2), a = r/tau (p = (V - 1/2)/r, the voltage up to
// an affine map). In p a kick is an addition, p+ = p- + w/r, and free flow by Delta is the tangent
// addition p(Delta) = (p + t)/(1 - p t) with t = tan(a Delta), a Moebius map: no transcendental
// function per neuron, and the targets of one event usually share Delta (one tan per event). A
// new spike prediction, t_hat = t_k + atan2(1, p+)/a, needs an atan only when the spike falls
// inside the trial (p+ > cot(a (T - t_k)), one tan per event). The guards of H are comparisons
// with +-cot(a eps). The tape holds p in x0 (the phase only at the trial end), pt = p- in x1 for
// kicks, and the same flags and adjoint structure as the phase engine, whose reverse pass runs
// unchanged (it needs pt, not phi). Equal to the phase engine up to round-off.
struct ThetaEngine : PhaseEngine<ThetaAdapter> {
  double a = 0, invR = 0, pGuard = 0;
  std::int32_t cacheEvent = -1;
  double cacheDelta = 0, cacheTan = 0, pLimit = 0;

  ThetaEngine(const EngineBase& base, ThetaAdapter model) : PhaseEngine(base, model) {
    a = m.r / m.p.tau;
    invR = 1.0 / m.r;
    pGuard = 1.0 / std::tan(a * m.p.eps);
  }

  // phi + 0.0 turns a phase of -0 into +0, which must map to p = -inf, not +inf.
  double tanOfPhase(double phi) const { return -1.0 / std::tan(a * (phi + 0.0)); }
  double phaseOfTan(double pv) const { return std::atan2(1.0, -pv) / a; }

  void init() {
    PhaseEngine::init();
    for (auto& x : s.x0_) x = tanOfPhase(x);
  }

  /// Per-event constants: the spike-before-T threshold p > cot(a (T - t_k)) (-inf when every
  /// state spikes before T), and the tan(a Delta) cache.
  void enterEvent(std::int32_t e, double tk) {
    if (e == cacheEvent) return;
    cacheEvent = e;
    const double x = a * (T - tk);
    pLimit = x >= kPi ? -kInfinity : 1.0 / std::tan(x);
    cacheDelta = kInfinity;
  }

  /// tan(a Delta), cached while the targets of one event share Delta.
  double tanOfDelta(double delta) {
    if (delta != cacheDelta) {
      cacheDelta = delta;
      cacheTan = std::tan(a * delta);
    }
    return cacheTan;
  }

  void touch(std::int32_t i, std::int32_t e, double tk, double w, std::int32_t synapse,
             std::uint8_t flags) {
    const auto ui = idx(i);
    const double delta = tk - s.tLast_[ui];
    const double p0 = s.x0_[ui];
    double pv = 0.0, aux = 0.0;
    enterEvent(e, tk);
    if (tape->events[idx(e)].kind == Tape::kTrialEnd) {
      pv = phaseOfTan(p0) + delta;  // the trial-end record holds the phase at T
    } else if (flags & Tape::kReset) {
      pv = -kInfinity;
      newPrediction(i, tk, pv, &flags);
    } else if (s.tHat_[ui] - tk <= m.p.eps) {
      // Within eps of its spike (or tied with the spiking neuron): the H guard ignores the kick
      // and the prediction stands. The state comes from the remaining time, not from a flow that
      // would land on the pole.
      flags &= static_cast<std::uint8_t>(~Tape::kKicked);
      pv = 1.0 / std::tan(a * (s.tHat_[ui] - tk));
    } else {
      const double t = tanOfDelta(delta);
      pv = p0 == -kInfinity ? -1.0 / t : (p0 + t) / (1.0 - p0 * t);
      if ((flags & Tape::kKicked) && pv > -pGuard && pv < pGuard) {
        aux = pv;
        pv += w * invR;
        newPrediction(i, tk, pv, &flags);
      } else {
        // Not kicked, or inside a guard (just reset, or within eps of the spike): the phase
        // only flowed, so the prediction stands.
        flags &= static_cast<std::uint8_t>(~Tape::kKicked);
      }
    }
    record(i, e, tk, pv, aux, w, synapse, flags);
  }

  /// t_hat = t_k + (Theta - phi+) = t_k + atan2(1, p+)/a, computed only for spikes before T.
  void newPrediction(std::int32_t i, double tk, double pv, std::uint8_t* flags) {
    *flags |= Tape::kNewPrediction;
    double tHat = kInfinity;
    if (pv > pLimit || pLimit == -kInfinity) tHat = tk + std::atan2(1.0, pv) / a;
    s.tHat_[idx(i)] = tHat;
    s.queue_.set(i, tHat < T ? tHat : kInfinity);
  }
};

// ---- Forward and backward, generic over the engine ----------------------------------------------

namespace {

template <typename Engine>
void forwardWith(Engine engine, std::int64_t maxEvents, ForwardResult* out) {
  SimulatorWorkspace& s = engine.s;
  const Network& net = engine.net;
  const Readout& ro = engine.ro;
  Tape& tape = *engine.tape;
  engine.maxEvents = maxEvents;
  engine.init();
  runEvents(engine);
  out->inTrialEvents = engine.inTrial;
  const auto n = idx(net.n);
  const int D = net.model.stateDim();
  // Spike list and state at T (the trial-end touches, one per neuron in index order).
  out->spikeTimes.clear();
  out->spikeNeurons.clear();
  for (const auto& ev : tape.events) {
    if (ev.kind == Tape::kSpike) {
      out->spikeTimes.push_back(ev.t);
      out->spikeNeurons.push_back(ev.index);
    }
  }
  const Tape::Touch* end = &tape.touches[idx(tape.events.back().firstTouch)];
  out->stateAtT.resize(static_cast<std::size_t>(D) * n);
  for (std::size_t i = 0; i < n; ++i) {
    out->stateAtT[i] = end[i].x0;
    if (D == 2) out->stateAtT[n + i] = end[i].x1;
  }
  // Output slots: ordinary spikes first, then pseudospikes numbered on (method.md 4.3).
  const std::size_t total = ro.totalCount();
  out->outputTimes.assign(total, 0.0);
  out->outputIsPseudo.assign(total, 0);
  tape.slotEvent.assign(total, -1);
  tape.slotK.assign(total, 0);
  // Fill the ordinary slots in one pass over the spikes: readout entries are chained per neuron
  // (headOf_ / nextEntry_), so each spike costs O(entries of its neuron).
  const std::size_t R = ro.neurons.size();
  std::vector<std::size_t> filled(R, 0), offset(R, 0);
  for (std::size_t q = 1; q < R; ++q) offset[q] = offset[q - 1] + idx(ro.counts[q - 1]);
  s.headOf_.assign(n, -1);
  s.nextEntry_.assign(R, -1);
  for (std::size_t q = R; q-- > 0;) {
    s.nextEntry_[q] = s.headOf_[idx(ro.neurons[q])];
    s.headOf_[idx(ro.neurons[q])] = static_cast<std::int32_t>(q);
  }
  for (std::size_t e = 0; e < tape.events.size(); ++e) {
    const auto& ev = tape.events[e];
    if (ev.kind != Tape::kSpike) continue;
    for (std::int32_t q = s.headOf_[idx(ev.index)]; q >= 0; q = s.nextEntry_[idx(q)]) {
      const auto uq = idx(q);
      if (filled[uq] >= idx(ro.counts[uq])) continue;
      const std::size_t slot = offset[uq] + filled[uq]++;
      tape.slotEvent[slot] = static_cast<std::int32_t>(e);
      out->outputTimes[slot] = ev.t;
    }
  }
  engine.preparePseudo(end);
  for (const auto* v : {&s.u_, &s.r_, &s.drdx0_, &s.drdx1_}) {
    tape.pseudo.insert(tape.pseudo.end(), v->begin(), v->end());
  }
  for (std::size_t q = 0; q < R; ++q) {
    for (std::size_t k = filled[q]; k < idx(ro.counts[q]); ++k) {
      const std::size_t slot = offset[q] + k;
      tape.slotK[slot] = static_cast<std::int32_t>(k + 1 - filled[q]);
      out->outputIsPseudo[slot] = 1;
      out->outputTimes[slot] = engine.pseudoTime(end, idx(ro.neurons[q]), tape.slotK[slot]);
    }
  }
}

template <typename Engine>
void backwardWith(Engine engine, const Tape& tape, const double* cot, Gradient* grad) {
  SimulatorWorkspace& s = engine.s;
  const Network& net = engine.net;
  const auto n = idx(net.n);
  s.lambda_.assign(tape.events.size(), 0.0);
  s.g0_.assign(n, 0.0);  // adjoint of the state after the touch being undone; first the state at T
  s.g1_.assign(n, 0.0);
  s.gHat_.assign(n, 0.0);  // adjoint of the prediction in force
  s.gu_.assign(n, 0.0);    // adjoint of the pseudo drive or pseudo input
  s.gr_.assign(n, 0.0);    // adjoint of the pseudo rate
  s.wSum_.resize(n, 0.0);
  // Ordinary slots seed their event time; pseudo slots the state at T and the pseudo coupling.
  for (std::size_t slot = 0; slot < tape.slotEvent.size(); ++slot) {
    if (tape.slotEvent[slot] >= 0) s.lambda_[idx(tape.slotEvent[slot])] += cot[slot];
  }
  const Tape::Touch* end = &tape.touches[idx(tape.events.back().firstTouch)];
  // The pseudo quantities as the forward run computed them.
  auto from = tape.pseudo.begin();
  for (auto* v : {&s.u_, &s.r_, &s.drdx0_, &s.drdx1_}) {
    v->assign(from, from + static_cast<std::ptrdiff_t>(n));
    from += static_cast<std::ptrdiff_t>(n);
  }
  engine.seedPseudo(end, cot, tape, grad);
  // The reverse sweep over the events.
  const auto& inp = net.input;
  for (std::size_t e = tape.events.size(); e-- > 0;) {
    const Tape::Event& ev = tape.events[e];
    double lambda = s.lambda_[e];
    const bool bundle = ev.kind == Tape::kInput && engine.in.bundled();
    for (std::size_t t = tape.begin(e); t < tape.end(e); ++t) {
      const Tape::Touch& tc = tape.touches[t];
      const double gw = engine.undo(tape, tc, ev.t, &lambda);
      if (!(tc.flags & Tape::kKicked)) continue;
      if (bundle) {
        s.wSum_[idx(tc.neuron)] = gw;  // scattered to the bundle's synapses below
      } else {
        auto& dw = (tc.flags & Tape::kInputSynapse) ? grad->input : grad->recurrent;
        dw[idx(tc.synapse)] += gw;
      }
    }
    if (bundle) {
      // Every synapse of the bundle onto a target gets the adjoint of the target's summed weight.
      const auto k = idx(ev.index);
      for (std::int32_t q = engine.in.start[k]; q < engine.in.start[k + 1]; ++q) {
        const auto ch = idx(engine.in.channels[idx(q)]);
        for (std::int32_t syn = inp.start[ch]; syn < inp.start[ch + 1]; ++syn) {
          grad->input[idx(syn)] += s.wSum_[idx(inp.target[idx(syn)])];
        }
      }
      for (std::size_t t = tape.begin(e); t < tape.end(e); ++t) {
        s.wSum_[idx(tape.touches[t].neuron)] = 0.0;
      }
    }
    if (ev.kind == Tape::kInput) {
      grad->inputTimes[idx(ev.index)] += lambda;
    } else if (ev.kind == Tape::kSpike) {
      s.gHat_[idx(ev.index)] += lambda;
    }
  }
  engine.finishInitial(grad);
}

/// Calls fn with the engine of net's model.
template <typename Fn>
void withEngine(const EngineBase& base, Fn&& fn) {
  const NeuronModel& model = base.net.model;
  switch (model.kind) {
    case NeuronModel::Kind::kQif:
      fn(CurrentEngine<QifAdapter>(base, QifAdapter{model.qif}));
      break;
    case NeuronModel::Kind::kLif:
      fn(CurrentEngine<LifAdapter>(base, LifAdapter{model.lif}));
      break;
    case NeuronModel::Kind::kTheta:
      fn(ThetaEngine(base, ThetaAdapter(model.theta)));
      break;
    case NeuronModel::Kind::kOscLif:
      fn(PhaseEngine<OscLifAdapter>(base, OscLifAdapter(model.osclif)));
      break;
  }
}

void sortInputs(const InputSpikes& in, std::vector<std::int32_t>* order) {
  order->resize(in.times.size());
  std::iota(order->begin(), order->end(), 0);
  std::stable_sort(order->begin(), order->end(), [&](std::int32_t a, std::int32_t b) {
    return in.times[idx(a)] < in.times[idx(b)];
  });
}

}  // namespace

void Simulator::forward(const Network& net, const InputSpikes& inputs, const Readout& readout,
                        const TrialSpec& trial, Tape* tape, ForwardResult* out) {
  if (!trusted_) {
    net.validate();
    inputs.validate(net.inputChannels());
    readout.validate(net.n);
    trial.validate();
  }
  tape->clear();
  SimulatorWorkspace& s = ws_;
  sortInputs(inputs, &s.order_);
  const auto n = idx(net.n);
  s.queue_.reset(net.n);
  s.lastTouch_.assign(n, -1);
  s.lastEvent_.assign(n, -1);
  s.wSum_.assign(n, 0.0);
  s.inBundle_.assign(n, 0);
  s.bundleList_.clear();
  s.layerOf_.assign(n, -1);
  for (std::size_t L = 0; L < readout.layers.size(); ++L) {
    for (std::int32_t i : readout.layers[L]) s.layerOf_[idx(i)] = static_cast<std::int32_t>(L);
  }
  const EngineBase base{s, net, inputs, readout, trial.T, tape};
  withEngine(base, [&](auto engine) { forwardWith(engine, trial.maxEvents, out); });
}

void Simulator::backward(const Network& net, const InputSpikes& inputs, const Readout& readout,
                         const TrialSpec& trial, const Tape& tape, const double* cotangent,
                         Gradient* grad) {
  if (tape.events.empty() || tape.events.back().kind != Tape::kTrialEnd) {
    throw Error(ErrorCode::kInternal, "backward(): the tape holds no complete forward run");
  }
  if (grad->recurrent.size() != net.recurrent.size() || grad->input.size() != net.input.size() ||
      grad->inputTimes.size() != inputs.times.size() ||
      grad->initial.size() != net.initial.size() || tape.slotEvent.size() != readout.totalCount()) {
    throw Error(ErrorCode::kShape, "backward(): gradient arrays do not match the network");
  }
  const auto n = idx(net.n);
  ws_.layerOf_.assign(n, -1);
  for (std::size_t L = 0; L < readout.layers.size(); ++L) {
    for (std::int32_t i : readout.layers[L]) ws_.layerOf_[idx(i)] = static_cast<std::int32_t>(L);
  }
  const EngineBase base{ws_, net, inputs, readout, trial.T, nullptr};
  withEngine(base, [&](auto engine) { backwardWith(engine, tape, cotangent, grad); });
}

}  // namespace spikegrad
