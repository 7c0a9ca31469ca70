// The facade of the engine room: validation, workspace preparation and the dispatch to the engine
// of the trial (TrialSpec::engine) and the model (engine/engines.hpp).
#include "core/simulator.hpp"

#include <algorithm>
#include <numeric>

#include "core/engine/engines.hpp"
#include "core/engine/event_loop.hpp"
#include "core/engine/layered.hpp"
#include "core/engine/layered_model.hpp"
#include "core/engine/reverse_sweep.hpp"

namespace spikegrad {

using engine::idx;

void Gradient::reset(const NetworkStructure& st, std::size_t nInputEvents) {
  recurrent.assign(st.recurrent.size(), 0.0);
  input.assign(st.input.size(), 0.0);
  inputTimes.assign(nInputEvents, 0.0);
  initial.assign(st.stateSize(), 0.0);
  trainableTimes.assign(st.trainableChannels.size(), 0.0);
}

namespace {

void sortInputs(const InputSpikes& in, std::vector<std::int32_t>* order) {
  order->resize(in.times.size());
  std::iota(order->begin(), order->end(), 0);
  std::stable_sort(order->begin(), order->end(), [&](std::int32_t a, std::int32_t b) {
    return in.times[idx(a)] < in.times[idx(b)];
  });
}

void assignLayers(const Readout& readout, std::size_t n, Workspace* s) {
  s->layerOf_.assign(n, -1);
  for (std::size_t L = 0; L < readout.layers.size(); ++L) {
    for (std::int32_t i : readout.layers[L]) s->layerOf_[idx(i)] = static_cast<std::int32_t>(L);
  }
}

/// Recurrent pseudo mode: the synapses into the readout neurons, listed once per structure and
/// readout. The pseudo coupling needs only these (pseudo_coupling.hpp): the other neurons' pseudo
/// inputs are never read and their adjoints are zero, so a large recurrent network no longer
/// streams all its synapses twice per trial.
void listReadoutSynapses(const Network& net, const Readout& readout, Workspace* s) {
  if (!readout.layers.empty()) return;
  const bool sameNet = !s->roNet_.expired() && !s->roNet_.owner_before(net.structure) &&
                       !net.structure.owner_before(s->roNet_);
  if (sameNet && s->roNeurons_ == readout.neurons) return;
  s->roNet_.reset();  // invalid until the lists are complete (an allocation may throw)
  const Synapses& rec = net.structure->recurrent;
  std::vector<std::uint8_t> isReadout(idx(net.structure->n), 0);
  for (std::int32_t i : readout.neurons) isReadout[idx(i)] = 1;
  s->roSyn_.clear();
  s->roSrc_.clear();
  for (std::int32_t j = 0; j < rec.sources; ++j) {
    for (std::int32_t k = rec.start[idx(j)]; k < rec.start[idx(j) + 1]; ++k) {
      if (!isReadout[idx(rec.target[idx(k)])]) continue;
      s->roSyn_.push_back(k);
      s->roSrc_.push_back(j);
    }
  }
  s->roNeurons_ = readout.neurons;
  s->roNet_ = net.structure;
}

/// An empty queue for the general engines (whose init() resets their per-neuron records).
void resetState(std::size_t n, Workspace* s) { s->queue_.reset(static_cast<std::int32_t>(n)); }

}  // namespace

EngineKind resolveEngine(const NetworkStructure& st, const Readout& readout, EngineKind requested,
                         LayerPlan* plan) {
  if (requested == EngineKind::kGeneral) return requested;
  const char* reason = engine::layeredPlan(st, readout, plan);
  // 'auto' takes the layered engine where it is faster: theta (LayeredTheta); the other models'
  // layered order (layered_model.hpp) runs the general kernels, so 'auto' keeps the general one.
  if (!reason && (requested == EngineKind::kLayered || st.model.is<ThetaParams>())) {
    return EngineKind::kLayered;
  }
  if (requested == EngineKind::kAuto) return EngineKind::kGeneral;
  throw Error(ErrorCode::kArgument, std::string("engine 'layered' cannot run this network: ") +
                                        reason + " (use engine 'auto' or 'general')");
}

void Simulator::forward(const Network& net, const InputSpikes& inputs, const Readout& readout,
                        const TrialSpec& trial, Tape* tape, ForwardResult* out) {
  if (!trusted_) {
    net.validate();
    inputs.validate(net.structure->inputChannels());
    readout.validate(net.structure->n);
    trial.validate();
  }
  const NetworkStructure& st = *net.structure;
  tape->clear();
  Workspace& s = ws_;
  const InputSpikes& in = withTrainableInputs(inputs, st, net.params, &s.merged_);
  sortInputs(in, &s.order_);
  const auto n = idx(st.n);
  resetState(n, &s);
  s.wSum_.assign(n, 0.0);
  s.inBundle_.assign(n, 0);
  s.bundleList_.clear();
  assignLayers(readout, n, &s);
  listReadoutSynapses(net, readout, &s);
  const engine::EngineBase base{s, st, net.params, in, readout, trial.T, tape, inputs.events()};
  EngineKind kind = trial.engine;
  if (!trusted_ || kind == EngineKind::kAuto) {
    kind = resolveEngine(st, readout, kind, &plan_);
  } else if (kind == EngineKind::kLayered && !engine::layerOffsets(readout, st.n, &plan_)) {
    throw Error(ErrorCode::kInternal, "forward(): the layered engine needs layered readout layers");
  }
  if (kind == EngineKind::kLayered && !st.model.is<ThetaParams>()) {
    try {
      engine::withEngine(
          base, [&](auto e) { engine::runForwardLayered(e, plan_, trial.maxEvents, out); });
      last_ = EngineKind::kLayered;
      return;
    } catch (const engine::LayeredFallback&) {
      tape->clear();  // and the general engine starts from a fresh workspace
      resetState(n, &s);
    }
  } else if (kind == EngineKind::kLayered) {
    engine::LayeredTheta lt(base, ThetaAdapter(st.model.get<ThetaParams>()), plan_, layered_);
    lt.maxEvents = trial.maxEvents;
    lt.wantState = wantState_;
    try {
      lt.forward(out);
      last_ = EngineKind::kLayered;
      return;
    } catch (const engine::LayeredFallback&) {
      // Over the budget or the record cap: the general engine reports it exactly.
      tape->clear();
    }
  }
  last_ = EngineKind::kGeneral;
  engine::withEngine(base, [&](auto e) { engine::runForward(e, trial.maxEvents, out); });
}

void Simulator::backward(const Network& net, const InputSpikes& inputs, const Readout& readout,
                         const TrialSpec& trial, const Tape& tape, const double* cotangent,
                         Gradient* grad) {
  if (!tape.isLayered && (tape.events.empty() || tape.events.back().kind != Tape::kTrialEnd)) {
    throw Error(ErrorCode::kInternal, "backward(): the tape holds no complete forward run");
  }
  const NetworkStructure& st = *net.structure;
  if (grad->recurrent.size() != st.recurrent.size() || grad->input.size() != st.input.size() ||
      grad->inputTimes.size() != inputs.times.size() || grad->initial.size() != st.stateSize() ||
      grad->trainableTimes.size() != st.trainableChannels.size() ||
      tape.slotEvent.size() != readout.totalCount()) {
    throw Error(ErrorCode::kShape, "backward(): gradient arrays do not match the network");
  }
  const InputSpikes& in = withTrainableInputs(inputs, st, net.params, &ws_.merged_);
  assignLayers(readout, idx(st.n), &ws_);
  listReadoutSynapses(net, readout, &ws_);
  const engine::EngineBase base{ws_,     st,      net.params, in,
                                readout, trial.T, nullptr,    inputs.events()};
  if (tape.isLayered) {
    if (!engine::layerOffsets(readout, st.n, &plan_) || !st.model.is<ThetaParams>()) {
      throw Error(ErrorCode::kInternal, "backward(): a layered tape needs its layered network");
    }
    engine::LayeredTheta lt(base, ThetaAdapter(st.model.get<ThetaParams>()), plan_, layered_);
    lt.backward(tape, cotangent, grad);
    return;
  }
  engine::withEngine(base, [&](auto e) { engine::runBackward(e, tape, cotangent, grad); });
}

}  // namespace spikegrad
