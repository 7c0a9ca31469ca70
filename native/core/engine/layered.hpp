// The layered engine (issue 11): feed-forward networks of theta neurons, one layer at a time.
//
// A layered network has contiguous layers [off[l], off[l+1]) in index order; every input channel
// reaches every neuron of layer 0 (and nothing else), every neuron of layer l < L-1 reaches every
// neuron of layer l+1 (and nothing else), and the readout's pseudo layers are these layers. Then
// a neuron's trajectory depends only on the time-ordered spikes of the layer below (or the input
// events) and on its own spikes, so one trial runs layer by layer: the input events drive layer 0,
// layer 0's spikes, sorted by (time, index), drive layer 1, and so on. Each input event of a layer
// touches every neuron of the layer (a flow by the common Delta and a kick by one weight column:
// a contiguous vector operation, no heap); a neuron's own spikes between two input events are
// found from its prediction. The operations on each neuron are exactly those of the general theta
// engine (theta_engine.hpp) in the same order (the same tie rules: an input bundle after a network
// spike at the same time, a spike of layer l-1 before one of layer l at the same time), so the
// spikes are identical to the general engine's; pseudospike times and the gradient agree up to
// round-off (the tangent at T by the tangent addition, the order of floating-point sums).
// Predictions (an atan2) are computed only for neurons that may spike or be guarded before the
// next input event of their layer (prediction()).
//
// The record is small: per input event of a layer one double per neuron (the pre-kick tangent pt,
// NaN when the neuron was not kicked: inside a guard), the summed bundle weights of layer 0, the
// spikes and the phases at T (Tape::Layered). The reverse pass mirrors the forward layer by layer
// from the last: the adjoint of a phase passes a flow unchanged, a kick multiplies it by dH/dphi
// and yields dH/dw for the weight column, and the adjoint of an input event's time collects
// gHat + g_after_kick - g_before over the neurons of the layer (phase_engine.hpp's undo, summed
// per event); a spike's time adjoint is complete once the layer above has been swept.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include "core/engine/kernels.hpp"
#include "core/engine/layered_state.hpp"
#include "core/engine/output.hpp"
#include "core/engine/theta_engine.hpp"

namespace spikegrad {
namespace engine {

/// The plan from the readout's layers alone (O(n)); the caller has checked the structure with
/// layeredPlan. Returns false if the layers are not contiguous ranges in index order.
inline bool layerOffsets(const Readout& ro, std::int32_t n, LayerPlan* plan) {
  plan->off.assign(1, 0);
  for (const auto& layer : ro.layers) {
    if (layer.empty()) return false;
    const std::int32_t lo = plan->off.back();
    for (std::size_t k = 0; k < layer.size(); ++k) {
      if (layer[k] != lo + static_cast<std::int32_t>(k)) return false;
    }
    plan->off.push_back(lo + static_cast<std::int32_t>(layer.size()));
  }
  return plan->off.size() > 1 && plan->off.back() == n;
}

/// Checks that the layered engine can run the network and readout (see the file comment) and
/// fills *plan. Returns nullptr if it can, else the reason. O(synapses).
inline const char* layeredPlan(const NetworkStructure& st, const Readout& ro, LayerPlan* plan) {
  if (st.model.is<OscLifParams>()) return "the layered engine does not run osclif neurons yet";
  if (ro.layers.empty()) return "the readout has no layers (recurrent pseudo mode)";
  if (!layerOffsets(ro, st.n, plan)) {
    return "the layers are not contiguous ranges of neurons in index order covering the network";
  }
  const auto& off = plan->off;
  const std::int32_t n0 = off[1];
  const Synapses& inp = st.input;
  for (std::int32_t c = 0; c < inp.sources; ++c) {
    const std::int32_t s0 = inp.start[idx(c)];
    if (inp.start[idx(c) + 1] - s0 != n0) return "an input channel does not reach all of layer 0";
    for (std::int32_t k = 0; k < n0; ++k) {
      if (inp.target[idx(s0 + k)] != k) return "input synapses must be dense onto layer 0";
    }
  }
  const Synapses& rec = st.recurrent;
  const std::size_t L = plan->layers();
  for (std::size_t l = 0; l < L; ++l) {
    const std::int32_t lo = l + 1 < L ? off[l + 1] : 0;
    const std::int32_t count = l + 1 < L ? off[l + 2] - off[l + 1] : 0;
    for (std::int32_t j = off[l]; j < off[l + 1]; ++j) {
      const std::int32_t s0 = rec.start[idx(j)];
      if (rec.start[idx(j) + 1] - s0 != count) {
        return "the recurrent synapses are not dense from each layer to the next only";
      }
      for (std::int32_t k = 0; k < count; ++k) {
        if (rec.target[idx(s0 + k)] != lo + k) {
          return "the recurrent synapses are not dense from each layer to the next only";
        }
      }
    }
  }
  return nullptr;
}

/// Thrown inside the layered forward pass when the trial exceeds its event budget or the record
/// cap: the caller reruns the trial in the general engine, which reports the error exactly.
struct LayeredFallback {};

struct LayeredTheta : ThetaEngine {
  const LayerPlan& plan;
  LayeredState& ls;  ///< buffers and caches that outlive the trial (the Simulator's)
  double tauOverR2 = 0;
  bool wantState = true;          ///< fill ForwardResult::stateAtT (batches do not need it)
  std::vector<double> layerLast;  ///< per layer: the time of its last input event (0 if none)

  LayeredTheta(const EngineBase& base, ThetaAdapter model, const LayerPlan& layerPlan,
               LayeredState& state)
      : ThetaEngine(base, model), plan(layerPlan), ls(state) {
    tauOverR2 = m.p.tau / (m.r * m.r);
  }

  static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

  /// The candidate threshold of the interval (t0, t1): a neuron not known, last updated at t0, with
  /// a state below it neither spikes before t1 nor is within eps of its spike after t1 (the
  /// margin covers the round-off between the flowed state and the prediction).
  double cutoff(double t1, double t0, double margin) const {
    const double x = a * (t1 - t0 + m.p.eps + margin);
    return x >= kPi ? -kInfinity : 1.0 / std::tan(x);
  }

  /// The spike-before-T threshold of ThetaEngine::enterEvent for an event at tk.
  double limitAt(double tk) const {
    const double x = a * (T - tk);
    return x >= kPi ? -kInfinity : 1.0 / std::tan(x);
  }

  // ---- forward ----------------------------------------------------------------------------

  /// The exact prediction of neuron i, as the theta engine computes it at the kick
  /// (newPrediction): computed only when needed, from the post-kick state at the kick and the
  /// spike-before-T threshold of that event. ls.known[i]: 1 the prediction tHat_ is exact; 0 the
  /// neuron was kicked at the layer's previous event (tLast_ = tPrev) and not touched since, so
  /// the post-kick state is x0_ at tLast_ and the threshold is that event's, pLimPrev() (a tan,
  /// computed when first needed); 2 it was kicked earlier, and that kick's state and threshold were
  /// saved in ls.pK at ls.tK and ls.plK (by a later event that flowed it without a kick,
  /// forward()).
  template <class Limit>
  double prediction(std::size_t i, Limit& pLimPrev) {
    if (ls.known[i] != 1) {
      const bool atLast = ls.known[i] == 0;
      const double pK = atLast ? s.x0_[i] : ls.pK[i];
      const double plK = atLast ? pLimPrev() : ls.plK[i];
      const double tK = atLast ? s.tLast_[i] : ls.tK[i];
      ls.known[i] = 1;
      s.tHat_[i] = (pK > plK || plK == -kInfinity) ? tK + std::atan2(1.0, pK) / a : kInfinity;
    }
    return s.tHat_[i];
  }

  void forward(ForwardResult* out) {
    Tape::Layered& rec = tape->layered;
    tape->isLayered = true;
    const std::size_t L = plan.layers();
    const auto n = idx(net.n);
    const auto& off = plan.off;
    s.x0_.resize(n);
    s.tLast_.assign(n, 0.0);
    s.tHat_.resize(n);
    ls.known.assign(n, 1);
    ls.tK.resize(n);
    ls.pK.resize(n);
    ls.plK.resize(n);
    ls.reserveLayer(n);
    // The initial tangents are parameters: computed once per parameter set (bit-identical).
    const double* x0 = ls.initialTangents(par.initial.data(), n, a,
                                          [this](double phi) { return tanOfPhase(phi); });
    std::copy(x0, x0 + n, s.x0_.begin());
    for (std::size_t i = 0; i < n; ++i) s.tHat_[i] = m.Theta - par.initial[i];
    rec.layerEvents.assign(1, 0);
    rec.layerSpikes.assign(1, 0);
    rec.ptStart.assign(1, 0);
    std::int64_t count = 0;
    const std::int64_t budget = maxEvents;
    // Layer 0's events: the inputs before T in time order (stable). An empty bundle is an event
    // (it counts against the budget) that touches no neuron.
    for (std::int32_t k : s.order_) {
      if (!(in.times[idx(k)] < T)) break;
      ++count;
      if (in.bundled() && in.start[idx(k)] == in.start[idx(k) + 1]) continue;
      rec.evTime.push_back(in.times[idx(k)]);
      rec.evSource.push_back(k);
    }
    if (count > budget) throw LayeredFallback{};
    // A neuron whose state p at tLast is below cot(a (Delta + eps + margin)) neither spikes within
    // Delta nor is within eps of its spike after Delta; the margin covers the round-off between
    // the flowed state and the prediction (both describe one trajectory), so only the other
    // neurons need their exact prediction (an atan2).
    const double margin = 1e-7 * (1.0 / a + T);
    const double tanMargin = std::tan(a * (m.p.eps + margin));
    const Synapses& inp = net.input;
    for (std::size_t l = 0; l < L; ++l) {
      const std::int32_t lo = off[l], hi = off[l + 1];
      const auto nl = idx(hi - lo);
      const std::size_t e0 = idx(rec.layerEvents[l]);
      const std::size_t E = rec.evTime.size() - e0;
      const std::size_t ptBase = rec.pt.size();
      if (ptBase + E * nl > kMaxTouches) throw LayeredFallback{};
      rec.pt.resize(ptBase + E * nl);
      rec.allKicked.resize(e0 + E);
      const bool bundles = l == 0 && in.bundled();
      if (bundles) rec.wsum.resize(E * nl);
      double* p = s.x0_.data() + lo;
      double* tLast = s.tLast_.data() + lo;
      double* tHat = s.tHat_.data() + lo;
      std::uint64_t* known = ls.known.data() + lo;
      double* tK = ls.tK.data() + lo;
      double* pK = ls.pK.data() + lo;
      double* plK = ls.plK.data() + lo;
      double tPrev = 0.0;  // the time of the layer's previous input event (0 before the first)
      // Its spike-before-T threshold limitAt(tPrev), computed when first needed (a tan: most
      // events need none), NaN before the first event (no neuron has known 0 before it).
      double pLimPrevValue = kNaN;
      bool pLimPrevDone = true;
      const auto pLimPrev = [&]() {
        if (!pLimPrevDone) {
          pLimPrevValue = limitAt(tPrev);
          pLimPrevDone = true;
        }
        return pLimPrevValue;
      };
      if (l == 0) layerLast.assign(L, 0.0);
      std::uint64_t* cand = ls.cand.data();
      std::uint64_t anyCand = 0;  // 0: no cand is set (the gather is skipped)
      double tanNext = kNaN;      // tan(a (tk - tPrev)) of the next event, from the previous one
      for (std::size_t e = 0; e <= E; ++e) {
        const double tNext = e < E ? rec.evTime[e0 + e] : T;
        // A layer-0 spike at an input's time goes first; a spike of layer l >= 1 at the time of a
        // spike of layer l-1 goes second (ties to the lower index).
        const bool spikeOnTie = l == 0 && e < E;
        // The candidates, in index order; the others cannot spike before tNext. Flagged by the
        // previous event's kick (cand), before the first event by flagCandidates.
        if (e == 0) {
          anyCand = kernels::flagCandidates(p, tLast, known, tPrev, cutoff(tNext, tPrev, margin),
                                            cand, nl);
        }
        const std::size_t nCand = anyCand ? kernels::gatherFlags(cand, nl, ls.list.data()) : 0;
        for (std::size_t c = 0; c < nCand; ++c) {
          const auto q = idx(ls.list[c]);
          const auto i = idx(lo) + q;
          for (;;) {
            const double ts = prediction(i, pLimPrev);
            if (!(ts < tNext || (spikeOnTie && ts == tNext))) break;
            if (++count > budget) throw LayeredFallback{};
            rec.spikes.push_back(
                {ts, lo + static_cast<std::int32_t>(q), static_cast<std::int32_t>(e)});
            // The reset: p = -inf, and a new prediction a period later if that is before T.
            // (limitAt(ts) == -inf exactly when a (T - ts) >= pi: no tan needed for the test.)
            tHat[q] = a * (T - ts) >= kPi ? ts + std::atan2(1.0, -kInfinity) / a : kInfinity;
            p[q] = -kInfinity;
            tLast[q] = ts;
          }
        }
        if (e == E) break;
        const double tk = tNext;
        const double* w = nullptr;
        if (l == 0) {
          const auto k = idx(rec.evSource[e0 + e]);
          if (bundles) {
            double* sum = rec.wsum.data() + e * nl;
            std::fill(sum, sum + nl, 0.0);
            // The columns in the bundle's order, four at a time (the same sums as one by one).
            const auto column = [&](std::int32_t c) {
              return par.input.data() + inp.start[idx(in.channels[idx(c)])];
            };
            std::int32_t c = in.start[k];
            for (; c + 4 <= in.start[k + 1]; c += 4) {
              kernels::add4(sum, column(c), column(c + 1), column(c + 2), column(c + 3), nl);
            }
            for (; c < in.start[k + 1]; ++c) kernels::add(sum, column(c), nl);
            w = sum;
          } else {
            w = par.input.data() + inp.start[idx(in.channels[k])];
          }
        } else {
          const std::int32_t j = rec.spikes[idx(rec.evSource[e0 + e])].neuron;
          w = par.recurrent.data() + net.recurrent.start[idx(j)];
        }
        double* pt = rec.pt.data() + ptBase + e * nl;
        // tan(a (tk - tPrev)): the previous event computed it (the same expression) for its
        // candidate threshold.
        const double tCommon = e == 0 ? std::tan(a * (tk - tPrev)) : tanNext;
        // The candidate threshold of the next interval (tk, tAfter), cutoff(tAfter, tk, margin),
        // by the tangent addition from tan(a (tAfter - tk)), which the next event reuses as its
        // tCommon, and tan(a (eps + margin)): one tan per event less. It differs from cutoff's
        // 1 / tan by round-off only, far inside the margin (the threshold is conservative).
        const double tAfter = e + 1 < E ? rec.evTime[e0 + e + 1] : T;
        tanNext = std::tan(a * (tAfter - tk));
        const double cAfter = a * (tAfter - tk + m.p.eps + margin) >= kPi
                                  ? -kInfinity
                                  : (1.0 - tanNext * tanMargin) / (tanNext + tanMargin);
        // The common path for the whole layer in one pass (kernels::flowKick), then the flagged
        // neurons (left unchanged by it) with the scalar code below.
        const std::uint64_t any =
            kernels::flowKick(p, tLast, tHat, known, w, tPrev, tCommon, tk, m.p.eps, pGuard, invR,
                              cAfter, pt, ls.flag.data(), cand, nl);
        anyCand = any >> 1;
        const std::size_t nRare =
            (any & 1) != 0 ? kernels::gatherFlags(ls.flag.data(), nl, ls.list.data()) : 0;
        std::size_t unkicked = 0;  // the flagged neurons that were not kicked (pt NaN)
        for (std::size_t k = 0; k < nRare; ++k) {
          const auto q = idx(ls.list[k]);
          const double p0 = p[q];
          double pv, ptv = kNaN;
          if (known[q] == 1 && tHat[q] - tk <= m.p.eps) {
            pv = 1.0 / std::tan(a * (tHat[q] - tk));  // the guard: the prediction stands
          } else {
            const double t = tLast[q] == tPrev ? tCommon : std::tan(a * (tk - tLast[q]));
            pv = p0 == -kInfinity ? -1.0 / t : (p0 + t) / (1.0 - p0 * t);
            if (pv > -pGuard && pv < pGuard) {
              ptv = pv;
              pv += w[q] * invR;
              known[q] = 0;
              tHat[q] = kInfinity;  // stale while unknown (flowKick's guard test needs no known)
            } else if (known[q] == 0) {
              // Not kicked, the lazy prediction still from the previous event's kick: its state
              // (tLast = tPrev) and threshold are saved before the flow overwrites them.
              tK[q] = tLast[q];
              pK[q] = p0;
              plK[q] = pLimPrev();
              known[q] = 2;
            }
          }
          pt[q] = ptv;
          unkicked += ptv != ptv;
          p[q] = pv;
          tLast[q] = tk;
          cand[q] = static_cast<std::uint64_t>(known[q] == 1 || !(pv < cAfter));
          anyCand |= cand[q];
        }
        rec.allKicked[e0 + e] = unkicked == 0;
        tPrev = tk;
        pLimPrevDone = false;
      }
      layerLast[l] = tPrev;
      rec.ptStart.push_back(rec.pt.size());
      rec.layerSpikes.push_back(static_cast<std::int32_t>(rec.spikes.size()));
      // The next layer's events: this layer's spikes in the order of the general engine's heap.
      const auto sp0 = idx(rec.layerSpikes[l]);
      const std::size_t first = rec.evTime.size();
      rec.layerEvents.push_back(static_cast<std::int32_t>(first));
      if (l + 1 < L) {
        for (std::size_t k = sp0; k < rec.spikes.size(); ++k) {
          rec.evSource.push_back(static_cast<std::int32_t>(k));
        }
        sortSpikes(rec.evSource.data() + first, rec.evSource.size() - first);
        for (std::size_t k = first; k < rec.evSource.size(); ++k) {
          rec.evTime.push_back(rec.spikes[idx(rec.evSource[k])].t);
        }
      }
    }
    inTrial = count;
    decode(out);
  }

  bool spikeBefore(std::int32_t x, std::int32_t y) const {
    const auto& a0 = tape->layered.spikes[idx(x)];
    const auto& b0 = tape->layered.spikes[idx(y)];
    return a0.t < b0.t || (a0.t == b0.t && a0.neuron < b0.neuron);
  }

  /// Whether the spikes v[0..count) are in strictly increasing (time, index) order. Then no two
  /// of them have the same key and that order is the only sorted one: std::sort would give it.
  bool strictlySorted(const std::int32_t* v, std::size_t count) const {
    for (std::size_t k = 1; k < count; ++k) {
      if (!spikeBefore(v[k - 1], v[k])) return false;
    }
    return true;
  }

  /// Sorts the spikes v[0..count) by (time, index) as std::sort with spikeBefore does: std::sort
  /// on a copy of their keys (no indirection per comparison) in the same initial order, so the
  /// same comparisons give the same permutation, ties included.
  void sortSpikes(std::int32_t* v, std::size_t count) const {
    const auto& spikes = tape->layered.spikes;
    std::vector<LayeredState::SpikeKey>& keys = ls.keys;
    keys.resize(count);
    for (std::size_t k = 0; k < count; ++k) {
      const auto& sp = spikes[idx(v[k])];
      keys[k] = {sp.t, sp.neuron, v[k]};
    }
    std::sort(keys.begin(), keys.end(),
              [](const LayeredState::SpikeKey& x, const LayeredState::SpikeKey& y) {
                return x.t < y.t || (x.t == y.t && x.neuron < y.neuron);
              });
    for (std::size_t k = 0; k < count; ++k) v[k] = keys[k].spike;
  }

  /// Outputs as decodeOutputs (output.hpp) gives them: spikes in (time, index) order, the phases
  /// at T, ordinary slots then pseudospikes; the pseudo coupling layer by layer (dense).
  void decode(ForwardResult* out) {
    Tape::Layered& rec = tape->layered;
    const auto n = idx(net.n);
    std::vector<std::int32_t>& order = s.bundleList_;
    order.resize(rec.spikes.size());
    // The layers' spikes merged, each layer's in (time, index) order: the next layer's events
    // (forward()), the last layer's sorted here. Strictly increasing, it is std::sort's order of
    // all spikes (strictlySorted); else (two equal keys) std::sort it is.
    const std::size_t L = plan.layers();
    std::vector<std::int32_t>& merged = ls.merged;
    merged.resize(order.size());
    const auto lastLo = idx(rec.layerSpikes[L - 1]);
    std::int32_t* tail = order.data() + lastLo;  // the last layer's spikes
    std::iota(tail, order.data() + order.size(), static_cast<std::int32_t>(lastLo));
    sortSpikes(tail, order.size() - lastLo);
    std::size_t have = 0;  // order[0..have): the layers so far, merged
    for (std::size_t l = 0; l < L; ++l) {
      const auto n0 = idx(rec.layerSpikes[l]), n1 = idx(rec.layerSpikes[l + 1]);
      const std::int32_t* run = l + 1 < L ? rec.evSource.data() + rec.layerEvents[l + 1] : tail;
      if (have == 0) {
        std::copy(run, run + (n1 - n0), merged.data());
      } else {
        std::merge(order.data(), order.data() + have, run, run + (n1 - n0), merged.data(),
                   [&](std::int32_t x, std::int32_t y) { return spikeBefore(x, y); });
      }
      have += n1 - n0;
      std::copy(merged.data(), merged.data() + have, order.data());
    }
    if (!strictlySorted(order.data(), order.size())) {
      std::iota(order.begin(), order.end(), 0);
      std::sort(order.begin(), order.end(),
                [&](std::int32_t x, std::int32_t y) { return spikeBefore(x, y); });
    }
    out->spikeTimes.resize(order.size());
    out->spikeNeurons.resize(order.size());
    for (std::size_t k = 0; k < order.size(); ++k) {
      out->spikeTimes[k] = rec.spikes[idx(order[k])].t;
      out->spikeNeurons[k] = rec.spikes[idx(order[k])].neuron;
    }
    couple();
    if (wantState) {
      out->stateAtT.assign(rec.phiT.begin(), rec.phiT.end());
    } else {
      out->stateAtT.clear();
    }
    const std::size_t total = ro.totalCount();
    out->outputTimes.assign(total, 0.0);
    out->outputIsPseudo.assign(total, 0);
    tape->slotEvent.assign(total, -1);
    tape->slotK.assign(total, 0);
    const std::size_t R = ro.neurons.size();
    std::vector<std::size_t>& filled = ls.filled;
    std::vector<std::size_t>& offset = ls.offset;
    filled.assign(R, 0);
    offset.assign(R, 0);
    for (std::size_t q = 1; q < R; ++q) offset[q] = offset[q - 1] + idx(ro.counts[q - 1]);
    s.headOf_.assign(n, -1);
    s.nextEntry_.assign(R, -1);
    for (std::size_t q = R; q-- > 0;) {
      s.nextEntry_[q] = s.headOf_[idx(ro.neurons[q])];
      s.headOf_[idx(ro.neurons[q])] = static_cast<std::int32_t>(q);
    }
    for (std::int32_t k : order) {
      const auto& sp = rec.spikes[idx(k)];
      for (std::int32_t q = s.headOf_[idx(sp.neuron)]; q >= 0; q = s.nextEntry_[idx(q)]) {
        const auto uq = idx(q);
        if (filled[uq] >= idx(ro.counts[uq])) continue;
        const std::size_t slot = offset[uq] + filled[uq]++;
        tape->slotEvent[slot] = k;
        out->outputTimes[slot] = sp.t;
      }
    }
    tape->pseudo.clear();
    for (const auto* v : {&s.u_, &s.r_, &s.drdx0_, &s.drdx1_}) {
      tape->pseudo.insert(tape->pseudo.end(), v->begin(), v->end());
    }
    for (std::size_t q = 0; q < R; ++q) {
      for (std::size_t k = filled[q]; k < idx(ro.counts[q]); ++k) {
        const std::size_t slot = offset[q] + k;
        const auto i = idx(ro.neurons[q]);
        tape->slotK[slot] = static_cast<std::int32_t>(k + 1 - filled[q]);
        out->outputIsPseudo[slot] = 1;
        out->outputTimes[slot] = atOrAfterT(T + tape->slotK[slot] * m.Theta - s.hT_[i], T);
      }
    }
    out->inTrialEvents = inTrial;
  }

  /// The phase at T of neuron i (the theta engine's trial-end touch, with atan2(1, -x) from
  /// kernels::phaseOfTangentOne: the same values as couple()'s vectorised pass).
  double phaseAtT(std::size_t i) const {
    return kernels::phaseOfTangentOne(s.x0_[i]) / a + (T - s.tLast_[i]);
  }

  /// The layered pseudo coupling (pseudo_coupling.hpp) with dense weight columns: u of layer l
  /// is W_l r of layer l-1, summed over the sources in index order; H(phi_T, u) and its slopes
  /// as ThetaAdapter::pseudoKick gives them, except that the tangent pt of phi_T comes from the
  /// state at the neuron's last update by the tangent addition (one tan per layer, not per
  /// neuron) where that is well conditioned (|pt| < 1e4, no pole crossed), and phi_T itself only
  /// where it is needed (layer 0, where u = 0 and H = phi_T, and for stateAtT). The phases
  /// atan2(1, -y) are computed for a whole layer at once by kernels::phaseOfTangent (vectorised,
  /// within 2 ulp of std::atan2, the same on every CPU), not by libm calls per neuron.
  void couple() {
    const auto n = idx(net.n);
    auto& phiT = tape->layered.phiT;
    phiT.assign(n, kNaN);
    s.u_.assign(n, 0.0);
    s.r_.assign(n, 0.0);
    s.drdx0_.assign(n, 0.0);
    s.drdx1_.assign(n, 0.0);
    s.hT_.resize(n);
    const auto& off = plan.off;
    const double tauOverR = m.p.tau / m.r;
    for (std::size_t l = 0; l < plan.layers(); ++l) {
      const std::int32_t lo = off[l], hi = off[l + 1];
      if (l > 0) {
        double* u = s.u_.data() + lo;
        const auto nl = idx(hi - lo);
        // u = sum_j W_j r_j in source order, four sources at a time (the same sums).
        const auto column = [&](std::int32_t j) {
          return par.recurrent.data() + net.recurrent.start[idx(j)];
        };
        const double* r = s.r_.data();
        std::int32_t j = off[l - 1];
        for (; j + 4 <= lo; j += 4) {
          kernels::axpy4(u, column(j), column(j + 1), column(j + 2), column(j + 3), r[idx(j)],
                         r[idx(j) + 1], r[idx(j) + 2], r[idx(j) + 3], nl);
        }
        for (; j < lo; ++j) kernels::axpy(u, column(j), r[idx(j)], nl);
      }
      const double tCommon = std::tan(a * (T - layerLast[l]));
      const auto nl = idx(hi - lo);
      if (ls.angle.size() < nl) {
        ls.tangentT.resize(nl);
        ls.kickedT.resize(nl);
        ls.angle.resize(nl);
        ls.angle0.resize(nl);
      }
      // Pass 1: the tangent pt at T (NaN where the tangent addition is not used) and the
      // kicked tangent y = pt + u/r; then the phases atan2(1, -y) and, where the phase at T is
      // needed, atan2(1, -x0) for the whole layer (kernels::phaseOfTangent, vectorised).
      double* ptT = ls.tangentT.data();
      double* yT = ls.kickedT.data();
      const bool anyZero =
          kernels::tangentsAtT(s.x0_.data() + lo, s.tLast_.data() + lo, s.u_.data() + lo,
                               layerLast[l], tCommon, m.r, ptT, yT, nl) != 0;
      double* angle = ls.angle.data();
      kernels::phaseOfTangent(yT, angle, nl);
      double* angle0 = ls.angle0.data();
      if (wantState || l == 0 || anyZero) kernels::phaseOfTangent(s.x0_.data() + lo, angle0, nl);
      // The phase at T from the state at the neuron's last update (phaseAtT).
      const auto phaseAt = [&](std::size_t q) {
        const auto ui = idx(lo) + q;
        return angle0[q] / a + (T - s.tLast_[ui]);
      };
      // The common path of the layer in one pass (kernels::pseudoRates), then the flagged
      // neurons (no tangent at T, u = 0, |pt| >= 1e4) and the phases at T with the scalar code.
      const std::uint64_t anyRare = kernels::pseudoRates(
          ptT, yT, angle, s.u_.data() + lo, tauOverR, tauOverR2, m.Theta, s.hT_.data() + lo,
          s.r_.data() + lo, s.drdx0_.data() + lo, s.drdx1_.data() + lo, ls.flag.data(), nl);
      if (!(wantState || l == 0 || anyZero || anyRare)) continue;
      for (std::int32_t i = lo; i < hi; ++i) {
        const auto ui = idx(i);
        const auto q = idx(i - lo);
        const double uu = s.u_[ui];
        if (wantState || l == 0 || uu == 0.0) phiT[ui] = phaseAt(q);
        if (ls.flag[q] == 0) continue;
        const double pt = ptT[q];
        Kick h;
        if (pt > -1e4 && pt < 1e4) {
          const double y = pt + uu / m.r;
          if (uu == 0.0) {
            const double ph = phiT[ui];
            h.phi = ph > 0.0 ? std::fmin(ph, m.Theta) : 0.0;  // H(phi, 0) = phi (pseudoKick)
          } else {
            h.phi = tauOverR * angle[q];
          }
          theta::detail::kickSlopes(pt, y, tauOverR2, &h.d_dphi, &h.d_dw);
        } else {
          if (std::isnan(phiT[ui])) phiT[ui] = phaseAtT(ui);
          h = m.pseudoKick(phiT[ui], uu);
        }
        s.hT_[ui] = h.phi;
        s.r_[ui] = h.phi / m.Theta;
        s.drdx0_[ui] = h.d_dphi / m.Theta;
        s.drdx1_[ui] = h.d_dw / m.Theta;
      }
    }
  }

  // ---- reverse ----------------------------------------------------------------------------

  const double* rateT = nullptr;   ///< backward: the rates r of the forward run (its tape)
  const double* drdx0T = nullptr;  ///< ... dr/dx0
  const double* drdx1T = nullptr;  ///< ... dr/du

  void backward(const Tape& tp, const double* cot, Gradient* grad) {
    const Tape::Layered& rec = tp.layered;
    const auto n = idx(net.n);
    const auto& off = plan.off;
    const std::size_t L = plan.layers();
    s.g0_.assign(n, 0.0);
    s.gHat_.assign(n, 0.0);
    s.gu_.assign(n, 0.0);
    s.gr_.assign(n, 0.0);
    std::vector<double>& lamSpike = s.lambda_;
    lamSpike.assign(rec.spikes.size(), 0.0);
    // The forward run's pseudo quantities, read in place (u, r, dr/dx0, dr/du: n values each).
    rateT = tp.pseudo.data() + n;
    drdx0T = tp.pseudo.data() + 2 * n;
    drdx1T = tp.pseudo.data() + 3 * n;
    // Seeds: ordinary slots their spike's time, pseudo slots the phase at T and the pseudo input.
    std::size_t slot = 0;
    for (std::size_t q = 0; q < ro.neurons.size(); ++q) {
      const auto i = idx(ro.neurons[q]);
      for (std::int32_t k = 0; k < ro.counts[q]; ++k, ++slot) {
        const double G = cot[slot];
        if (tp.slotEvent[slot] >= 0) {
          lamSpike[idx(tp.slotEvent[slot])] += G;
          continue;
        }
        if (G == 0.0) continue;
        // The slopes of H(phi_T, u): the rate's partials times Theta.
        s.g0_[i] -= G * (drdx0T[i] * m.Theta);
        s.gu_[i] -= G * (drdx1T[i] * m.Theta);
      }
    }
    reverseCouple(grad);
    s.wSum_.resize(n);
    s.g1_.resize(n);
    ls.reserveLayer(n);
    const bool fastSlopes = pGuard < 1e100;
    const Synapses& inp = net.input;
    for (std::size_t l = L; l-- > 0;) {
      const std::int32_t lo = off[l], hi = off[l + 1];
      const auto nl = idx(hi - lo);
      const std::size_t e0 = idx(rec.layerEvents[l]);
      const std::size_t E = idx(rec.layerEvents[l + 1]) - e0;
      const std::size_t ptBase = rec.ptStart[l];
      double* g0 = s.g0_.data() + lo;
      double* gHat = s.gHat_.data() + lo;
      double* gw = s.wSum_.data();
      auto sp = idx(rec.layerSpikes[l + 1]);
      const auto spLo = idx(rec.layerSpikes[l]);
      const bool bundles = l == 0 && in.bundled();
      for (std::size_t e = E + 1; e-- > 0;) {
        // Own spikes after input event e-1 (and before e), latest first per neuron.
        while (sp > spLo && idx(rec.spikes[sp - 1].before) == e) {
          --sp;
          const auto q = idx(rec.spikes[sp].neuron - lo);
          const double lam = lamSpike[sp] + gHat[q] - g0[q];
          g0[q] = 0.0;
          gHat[q] = lam;
        }
        if (e == 0) break;
        const std::size_t ev = e - 1;
        const double* w = nullptr;
        if (l == 0) {
          const auto k = idx(rec.evSource[e0 + ev]);
          w = bundles ? rec.wsum.data() + ev * nl
                      : par.input.data() + inp.start[idx(in.channels[k])];
        } else {
          const std::int32_t j = rec.spikes[idx(rec.evSource[e0 + ev])].neuron;
          w = par.recurrent.data() + net.recurrent.start[idx(j)];
        }
        const double* pt = rec.pt.data() + ptBase + ev * nl;
        // The gradient column of the event's weights (one), or null (a bundle: several).
        double* dW1 = nullptr;
        if (l > 0) {
          const std::int32_t j = rec.spikes[idx(rec.evSource[e0 + ev])].neuron;
          dW1 = grad->recurrent.data() + net.recurrent.start[idx(j)];
        } else if (!bundles) {
          dW1 = grad->input.data() + inp.start[idx(in.channels[idx(rec.evSource[e0 + ev])])];
        }
        double lam = 0.0;
        bool added = false;  // dW1 += gw done
        if (fastSlopes && rec.allKicked[e0 + ev]) {
          // Every neuron was kicked: the kernel, the sum of the event-time adjoints and (one
          // column) the gradient update in one pass, the same values as the general case below.
          const double invR1 = 1.0 / m.r;
          if (dW1 != nullptr) {
            lam = kernels::kickAdjointsSumAdd(pt, w, g0, gHat, dW1, nl, invR1, tauOverR2);
            added = true;
          } else {
            lam = kernels::kickAdjointsSum(pt, w, g0, gHat, gw, nl, invR1, tauOverR2);
          }
        } else if (fastSlopes) {
          // The neurons that were not kicked (pt NaN, few) keep their adjoints and contribute
          // nothing: saved before the branch-free kernel and restored after it.
          kernels::flagNaN(pt, ls.nan.data(), nl);
          const std::size_t nRare = kernels::gatherFlags(ls.nan.data(), nl, ls.list.data());
          double* saved = ls.saved.data();
          for (std::size_t k = 0; k < nRare; ++k) {
            const auto q = idx(ls.list[k]);
            saved[2 * k] = g0[q];
            saved[2 * k + 1] = gHat[q];
          }
          double* contrib = s.g1_.data();
          kernels::kickAdjoints(pt, w, g0, gHat, gw, contrib, nl, 1.0 / m.r, tauOverR2);
          for (std::size_t k = 0; k < nRare; ++k) {
            const auto q = idx(ls.list[k]);
            g0[q] = saved[2 * k];
            gHat[q] = saved[2 * k + 1];
            gw[q] = 0.0;
            contrib[q] = 0.0;
          }
          lam = kernels::sum(contrib, nl);
        } else {
          for (std::size_t q = 0; q < nl; ++q) {
            const double ptv = pt[q];
            if (std::isnan(ptv)) {
              gw[q] = 0.0;
              continue;
            }
            const double gs = g0[q];
            double g = gs - gHat[q];
            lam += gHat[q];
            gHat[q] = 0.0;
            double gwq = 0.0;
            if (g != 0.0) {
              double dphi, dw;
              theta::detail::kickSlopes(ptv, ptv + w[q] / m.r, tauOverR2, &dphi, &dw);
              gwq = g * dw;
              g *= dphi;
            }
            lam += g - gs;
            g0[q] = g;
            gw[q] = gwq;
          }
        }
        const auto k = idx(rec.evSource[e0 + ev]);
        if (dW1 != nullptr) {
          if (!added) kernels::add(dW1, gw, nl);
        } else {
          // The bundle's columns in its order, four distinct ones at a time (a channel listed
          // twice gets both additions in order either way).
          const auto column = [&](std::int32_t c) {
            return grad->input.data() + inp.start[idx(in.channels[idx(c)])];
          };
          std::int32_t c = in.start[k];
          for (; c + 4 <= in.start[k + 1]; c += 4) {
            double *y0 = column(c), *y1 = column(c + 1), *y2 = column(c + 2), *y3 = column(c + 3);
            if (y0 != y1 && y0 != y2 && y0 != y3 && y1 != y2 && y1 != y3 && y2 != y3) {
              kernels::addTo4(y0, y1, y2, y3, gw, nl);
            } else {
              for (double* y : {y0, y1, y2, y3}) kernels::add(y, gw, nl);
            }
          }
          for (; c < in.start[k + 1]; ++c) kernels::add(column(c), gw, nl);
        }
        if (l > 0) {
          lamSpike[k] += lam;
        } else {
          if (k < ownEvents) {
            grad->inputTimes[k] += lam;
          } else {
            grad->trainableTimes[k - ownEvents] += lam;
          }
        }
      }
    }
    for (std::size_t i = 0; i < n; ++i) grad->initial[i] += s.g0_[i] - s.gHat_[i];
  }

  // The branch-free reverse of an input event (kernels::kickAdjoints) requires |pt| < pGuard <
  // 1e100: then the plain slope formulas are kickSlopes' up to a square of y that overflows to a
  // slope of 0 instead of one below 1e-100.

  /// The reverse of couple(): EngineBase::reverseCoupling with dense weight columns.
  void reverseCouple(Gradient* grad) {
    const auto& off = plan.off;
    for (std::size_t l = plan.layers(); l-- > 0;) {
      const std::int32_t lo = off[l], hi = off[l + 1];
      for (std::int32_t i = lo; i < hi; ++i) {
        const auto ui = idx(i);
        s.g0_[ui] += s.gr_[ui] * drdx0T[ui];
        s.gu_[ui] += s.gr_[ui] * drdx1T[ui];
      }
      if (l == 0) continue;
      const auto nl = idx(hi - lo);
      const double* gu = s.gu_.data() + lo;
      // Nothing to do when no pseudo drive of the layer has an adjoint (every output spiked).
      if (std::all_of(gu, gu + nl, [](double x) { return x == 0.0; })) continue;
      for (std::int32_t j = off[l - 1]; j < lo; ++j) {
        const double rj = rateT[idx(j)];
        const auto s0 = idx(net.recurrent.start[idx(j)]);
        const double* w = par.recurrent.data() + s0;
        double* gw = grad->recurrent.data() + s0;
        s.gr_[idx(j)] += kernels::axpyDot(gw, gu, rj, w, nl);
      }
    }
  }
};

}  // namespace engine
}  // namespace spikegrad
