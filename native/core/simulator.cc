// The facade of the engine room: validation, workspace preparation and the dispatch to the engine
// of the trial (TrialSpec::engine) and the model (engine/engines.hpp).
#include "core/simulator.hpp"

#include <algorithm>
#include <numeric>

#include "core/engine/engines.hpp"
#include "core/engine/event_loop.hpp"
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

/// fn(engine) with the engine that runs the trial.
template <typename Fn>
void dispatch(const TrialSpec& trial, const engine::EngineBase& base, Fn&& fn) {
  switch (trial.engine) {
    case EngineKind::kGeneral:
      engine::withEngine(base, fn);
      return;
  }
  throw Error(ErrorCode::kInternal, "unknown engine");
}

}  // namespace

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
  s.queue_.reset(st.n);
  s.lastTouch_.assign(n, -1);
  s.lastEvent_.assign(n, -1);
  s.wSum_.assign(n, 0.0);
  s.inBundle_.assign(n, 0);
  s.bundleList_.clear();
  assignLayers(readout, n, &s);
  const engine::EngineBase base{s, st, net.params, in, readout, trial.T, tape, inputs.events()};
  dispatch(trial, base, [&](auto e) { engine::runForward(e, trial.maxEvents, out); });
}

void Simulator::backward(const Network& net, const InputSpikes& inputs, const Readout& readout,
                         const TrialSpec& trial, const Tape& tape, const double* cotangent,
                         Gradient* grad) {
  if (tape.events.empty() || tape.events.back().kind != Tape::kTrialEnd) {
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
  const engine::EngineBase base{ws_,     st,      net.params, in,
                                readout, trial.T, nullptr,    inputs.events()};
  dispatch(trial, base, [&](auto e) { engine::runBackward(e, tape, cotangent, grad); });
}

}  // namespace spikegrad
