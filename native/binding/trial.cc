#include "binding/trial.hpp"

#include "binding/results.hpp"

namespace spikegrad::binding {

void TrialRun::run() {
  Simulator sim;
  Tape tape;
  sim.setTrusted(true);
  // Events and traces are read from the general engine's record.
  if (wantEvents || traceRequest.dt != 0.0) trial.engine = EngineKind::kGeneral;
  sim.forward(net, inputs, readout, trial, &tape, &fwd);
  if (wantEvents) events = tape.events;
  requireFiniteResult(fwd.outputTimes, "output times");
  requireFiniteResult(fwd.stateAtT, "state at T");
  if (traceRequest.dt != 0.0) {
    traces = computeTraces(net, tape, trial.T, traceRequest.dt, traceRequest.neurons);
    requireFiniteResult(traces.V, "traces");
    requireFiniteResult(traces.I, "traces");
  }
  if (!wantGradient) return;
  grad.reset(*net.structure, inputs.times.size());
  sim.backward(net, inputs, readout, trial, tape, cotangent.data(), &grad);
  requireFiniteGradient(grad);
}

Napi::Object TrialRun::result(Napi::Env env) const {
  Napi::Object out = trialObject(env, fwd, wantEvents ? &events : nullptr);
  if (traceRequest.dt != 0.0) {
    Napi::Object tr = Napi::Object::New(env);
    tr.Set("times", toFloat64Array(env, traces.times));
    tr.Set("V", toFloat64Array(env, traces.V));
    if (!traces.I.empty()) tr.Set("I", toFloat64Array(env, traces.I));
    out.Set("traces", tr);
  }
  return out;
}

}  // namespace spikegrad::binding
