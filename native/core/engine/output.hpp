// Output decoding after the event loop: the spike list, the state at T, the output slots
// (ordinary spikes first, then pseudospikes numbered on; method.md 4.3) and the merged output
// times, generic over the engine (which supplies the pseudo rates and pseudospike times).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/engine/engine_base.hpp"

namespace spikegrad {
namespace engine {

/// A pseudospike time, at least T: T + k Theta - H(phi_T, u) >= T exactly (H <= Theta), but the
/// sum (T + k Theta) - H cancels when Theta is huge against T and H is within an ulp of it
/// (osclif with tau = 1e300 gave a pseudospike at 0 before T = 0.82; docs/robustness.md K21).
/// Where it is at least T already, which every ordinary run's is, the value is unchanged; NaN
/// stays NaN (reported as not finite).
inline double atOrAfterT(double t, double T) { return t < T ? T : t; }

template <typename Engine>
void decodeOutputs(Engine& engine, ForwardResult* out) {
  Workspace& s = engine.s;
  const NetworkStructure& net = engine.net;
  const Readout& ro = engine.ro;
  Tape& tape = *engine.tape;
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
    double x0, x1;
    Engine::decodeState(engine.m, end[i], true, &x0, &x1);
    out->stateAtT[i] = x0;
    if (D == 2) out->stateAtT[n + i] = x1;
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
      out->outputTimes[slot] =
          atOrAfterT(engine.pseudoTime(end, idx(ro.neurons[q]), tape.slotK[slot]), engine.T);
    }
  }
}

}  // namespace engine
}  // namespace spikegrad
