// The event loop (method.md 3.5), generic over the engine: the next event is the earlier of the
// next input event and the heap's top (a network spike wins a tie); only the neurons an event
// reaches are touched, through Engine::touch. The trial end touches every neuron once.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>

#include "core/engine/engine_base.hpp"
#include "core/engine/output.hpp"

namespace spikegrad {
namespace engine {

/// Throws the budget error when the event loop reaches its budget before T (method.md 3.4). The
/// run stops there, so the number of events the trial needs is only known to be at least the
/// budget, plus the input events before T not yet processed, plus the network spike that is due
/// (events after the stop are not simulated: the work an error costs is that of the budget).
[[noreturn]] inline void throwBudget(std::int64_t budget, std::int64_t inputsLeft, bool spikeDue) {
  const std::int64_t atLeast = budget + inputsLeft + (spikeDue ? 1 : 0);
  throw Error(ErrorCode::kBudget,
              "maxEvents = " + std::to_string(budget) + " is too small: the trial needs at least " +
                  std::to_string(atLeast) +
                  " in-trial events (input events plus network spikes before T; a lower bound: the "
                  "run stopped at the budget); raise maxEvents to at least " +
                  std::to_string(atLeast));
}

/// Input event k at time tk, recorded as tape event e (its touches from index first): a kick by
/// each synapse of its channel, or, for a bundle, one kick per target by the summed weights.
template <typename Engine>
void deliverInput(Engine& engine, std::int32_t k, std::int32_t e, std::int32_t first, double tk) {
  Workspace& s = engine.s;
  const NetworkParams& par = engine.par;
  const InputSpikes& in = engine.in;
  const auto& inp = engine.net.input;
  engine.tape->events.push_back({tk, k, first, Tape::kInput});
  if (!in.bundled()) {
    const std::int32_t ch = in.channels[idx(k)];
    for (std::int32_t syn = inp.start[idx(ch)]; syn < inp.start[idx(ch) + 1]; ++syn) {
      engine.touch(inp.target[idx(syn)], e, tk, par.input[idx(syn)], syn,
                   Tape::kKicked | Tape::kInputSynapse);
    }
    return;
  }
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
      s.wSum_[t] += par.input[idx(syn)];
    }
  }
  for (std::int32_t t : s.bundleList_) {
    s.inBundle_[idx(t)] = 0;
    engine.touch(t, e, tk, s.wSum_[idx(t)], -1,
                 Tape::kKicked | Tape::kInputSynapse | Tape::kBundle);
  }
  s.bundleList_.clear();
}

template <typename Engine>
void runEvents(Engine& engine) {
  Workspace& s = engine.s;
  const NetworkStructure& net = engine.net;
  const NetworkParams& par = engine.par;
  const InputSpikes& in = engine.in;
  Tape& tape = *engine.tape;
  const double T = engine.T;
  const std::int64_t budget = engine.maxEvents;
  const auto& rec = net.recurrent;
  std::size_t c = 0;
  std::int64_t count = 0;
  for (;;) {
    const double tNet = s.queue_.topTime();
    const double tIn = c < s.order_.size() ? in.times[idx(s.order_[c])] : kInfinity;
    const bool isInput = tIn < tNet;  // strict: a network spike goes first on a tie
    const double tk = isInput ? tIn : tNet;
    if (!(tk < T)) break;  // strict: an event exactly at T is not in the trial
    if (count == budget) {
      // Stop at the budget: the events left are the inputs before T (sorted by time) and,
      // unless the next event is an input, the network spike that is due.
      const auto first = s.order_.begin() + static_cast<std::ptrdiff_t>(c);
      const auto endBefore = std::lower_bound(
          first, s.order_.end(), T, [&](std::int32_t k, double t) { return in.times[idx(k)] < t; });
      throwBudget(budget, static_cast<std::int64_t>(endBefore - first), !isInput);
    }
    ++count;
    const auto e = static_cast<std::int32_t>(tape.events.size());
    const auto first = static_cast<std::int32_t>(tape.touches.size());
    if (isInput) {
      deliverInput(engine, s.order_[c++], e, first, tk);
    } else {
      const std::int32_t j = s.queue_.top();
      tape.events.push_back({tk, j, first, Tape::kSpike});
      // The spiking neuron first, with its self-synapse if it has one.
      std::int32_t self = -1;
      for (std::int32_t syn = rec.start[idx(j)]; syn < rec.start[idx(j) + 1]; ++syn) {
        if (rec.target[idx(syn)] == j) self = syn;
      }
      engine.touch(j, e, tk, self >= 0 ? par.recurrent[idx(self)] : 0.0, self,
                   Tape::kReset | (self >= 0 ? Tape::kKicked : 0));
      for (std::int32_t syn = rec.start[idx(j)]; syn < rec.start[idx(j) + 1]; ++syn) {
        if (rec.target[idx(syn)] != j) {
          engine.touch(rec.target[idx(syn)], e, tk, par.recurrent[idx(syn)], syn, Tape::kKicked);
        }
      }
    }
  }
  const auto e = static_cast<std::int32_t>(tape.events.size());
  tape.events.push_back({T, -1, static_cast<std::int32_t>(tape.touches.size()), Tape::kTrialEnd});
  for (std::int32_t i = 0; i < net.n; ++i) engine.touch(i, e, T, 0.0, -1, 0);
  engine.inTrial = count;
}

/// One forward run: initial predictions, the event loop, then the outputs (output.hpp).
template <typename Engine>
void runForward(Engine engine, std::int64_t maxEvents, ForwardResult* out) {
  engine.maxEvents = maxEvents;
  engine.init();
  runEvents(engine);
  out->inTrialEvents = engine.inTrial;
  decodeOutputs(engine, out);
}

}  // namespace engine
}  // namespace spikegrad
