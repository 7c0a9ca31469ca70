// The reverse pass (method.md 5.5; docs/core.md, "The reverse pass"), generic over the engine:
// seeds from the output slots, then one sweep over the tape's events from last to first, undoing
// each touch through Engine::undo, and finally the initial predictions.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/engine/engine_base.hpp"

namespace spikegrad {
namespace engine {

template <typename Engine>
void runBackward(Engine engine, const Tape& tape, const double* cot, Gradient* grad) {
  Workspace& s = engine.s;
  const NetworkStructure& net = engine.net;
  const auto n = idx(net.n);
  s.lambda_.assign(tape.events.size(), 0.0);
  // Per neuron: the adjoints of the state after the touch being undone (first the state at T)
  // and of the prediction in force.
  s.adj_.assign(n, NeuronAdjoint{});
  s.gu_.assign(n, 0.0);  // adjoint of the pseudo drive or pseudo input
  s.gr_.assign(n, 0.0);  // adjoint of the pseudo rate
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
      // The sample's own events, then the trainable input spikes (withTrainableInputs).
      const auto k = idx(ev.index);
      if (k < engine.ownEvents) {
        grad->inputTimes[k] += lambda;
      } else {
        grad->trainableTimes[k - engine.ownEvents] += lambda;
      }
    } else if (ev.kind == Tape::kSpike) {
      s.adj_[idx(ev.index)].gHat += lambda;
    } else if (ev.kind == Tape::kDelivery) {
      s.lambda_[idx(ev.index)] += lambda;  // to the spike's own event, swept later
    }
  }
  engine.finishInitial(grad);
}

}  // namespace engine
}  // namespace spikegrad
