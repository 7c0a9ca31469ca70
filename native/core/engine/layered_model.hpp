// The layered event order for every model (issue 11, item 1): a feed-forward network (the
// structure layeredPlan accepts, layered.hpp) run one layer at a time with the general engine's
// own kernels (Engine::touch and Engine::undo of current_engine.hpp / phase_engine.hpp), so the
// operations on every neuron are exactly those of the general engine in the same order.
//
// Layer l is driven by the time-ordered events of its source (the input events for layer 0, the
// spike events of layer l-1 for layer l >= 1) and by its own spikes, found from a heap over the
// layer's neurons only. A spike of layer l is recorded twice: a kSpike event at layer l (the reset
// of the spiking neuron) and a kDelivery event at layer l+1 (its kicks onto the next layer),
// whose index is the tape position of the kSpike event; the reverse sweep (reverse_sweep.hpp)
// passes a delivery's time adjoint to its spike event, which it reaches later (the tape is in
// layer order, so every delivery precedes its spike in the reverse sweep). The trial end touches
// every neuron once, last. Ties follow LayeredTheta: at layer 0 a spike goes before an input
// event at the same time, at layer l >= 1 a spike of layer l-1 goes before one of layer l.
//
// This is the exact reference of the layered order for the models without a dense kernel yet
// (qif, lif; osclif is refused by layeredPlan: its layered run does not yet match the general
// engine, see issue 11): engine 'layered' runs it; engine 'auto' keeps the general engine for them,
// since the record is the general engine's (one Tape::Touch per neuron update) and the speed the
// same. Theta runs in LayeredTheta (layered.hpp).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/engine/engine_base.hpp"
#include "core/engine/event_loop.hpp"
#include "core/engine/layered.hpp"
#include "core/engine/output.hpp"

namespace spikegrad {
namespace engine {

/// One forward run of engine e in layer order (see the file comment). Throws LayeredFallback when
/// the trial exceeds its event budget (the general engine then reports it exactly).
template <typename Engine>
void runForwardLayered(Engine engine, const LayerPlan& plan, std::int64_t maxEvents,
                       ForwardResult* out) {
  engine.maxEvents = maxEvents;
  engine.init();
  Workspace& s = engine.s;
  const NetworkStructure& net = engine.net;
  const NetworkParams& par = engine.par;
  const InputSpikes& in = engine.in;
  Tape& tape = *engine.tape;
  const double T = engine.T;
  const auto& rec = net.recurrent;
  const auto& off = plan.off;
  std::int64_t count = 0;
  std::vector<std::int32_t> below, spikes;  // tape events of the layer below's spikes, this one's
  for (std::size_t l = 0; l < plan.layers(); ++l) {
    // The heap holds this layer's predictions only.
    s.queue_.clear();
    for (std::int32_t i = off[l]; i < off[l + 1]; ++i) {
      const double th = s.state_[idx(i)].tHat;
      s.queue_.set(i, th < T ? th : kInfinity);
    }
    spikes.clear();
    std::size_t c = 0;
    const std::size_t nIn = l == 0 ? s.order_.size() : below.size();
    for (;;) {
      const double tNet = s.queue_.topTime();
      const double tIn = c >= nIn ? kInfinity
                         : l == 0 ? in.times[idx(s.order_[c])]
                                  : tape.events[idx(below[c])].t;
      const bool isInput = l == 0 ? tIn < tNet : tIn <= tNet;
      const double tk = isInput ? tIn : tNet;
      if (!(tk < T)) break;
      if (++count > maxEvents) throw LayeredFallback{};
      const auto e = static_cast<std::int32_t>(tape.events.size());
      const auto first = static_cast<std::int32_t>(tape.touches.size());
      if (!isInput) {
        const std::int32_t j = s.queue_.top();
        tape.events.push_back({tk, j, first, Tape::kSpike});
        spikes.push_back(e);
        engine.touch(j, e, tk, 0.0, -1, Tape::kReset);
      } else if (l > 0) {
        --count;  // the spike was counted at its own layer
        const std::int32_t se = below[c++];
        const std::int32_t j = tape.events[idx(se)].index;
        tape.events.push_back({tk, se, first, Tape::kDelivery});
        for (std::int32_t syn = rec.start[idx(j)]; syn < rec.start[idx(j) + 1]; ++syn) {
          engine.touch(rec.target[idx(syn)], e, tk, par.recurrent[idx(syn)], syn, Tape::kKicked);
        }
      } else {
        deliverInput(engine, s.order_[c++], e, first, tk);
      }
    }
    below.swap(spikes);
  }
  const auto e = static_cast<std::int32_t>(tape.events.size());
  tape.events.push_back({T, -1, static_cast<std::int32_t>(tape.touches.size()), Tape::kTrialEnd});
  for (std::int32_t i = 0; i < net.n; ++i) engine.touch(i, e, T, 0.0, -1, 0);
  engine.inTrial = count;
  out->inTrialEvents = count;
  decodeOutputs(engine, out);
  // The spike list in time order (the tape is in layer order); equal times keep the layer order.
  std::vector<std::int32_t>& order = s.bundleList_;
  order.resize(out->spikeTimes.size());
  for (std::size_t k = 0; k < order.size(); ++k) order[k] = static_cast<std::int32_t>(k);
  std::stable_sort(order.begin(), order.end(), [&](std::int32_t x, std::int32_t y) {
    return out->spikeTimes[idx(x)] < out->spikeTimes[idx(y)];
  });
  std::vector<double> times(order.size());
  std::vector<std::int32_t> neurons(order.size());
  for (std::size_t k = 0; k < order.size(); ++k) {
    times[k] = out->spikeTimes[idx(order[k])];
    neurons[k] = out->spikeNeurons[idx(order[k])];
  }
  out->spikeTimes.swap(times);
  out->spikeNeurons.swap(neurons);
  order.clear();
}

}  // namespace engine
}  // namespace spikegrad
