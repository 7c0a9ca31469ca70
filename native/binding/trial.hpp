// One trial with everything the single-trial interfaces offer (simulate and NativeNetwork.trial):
// forward run, event list, traces, and the gradient of a cotangent. Plain C++ data, run on any
// thread.
#pragma once

#include <napi.h>

#include <vector>

#include "binding/args.hpp"
#include "core/simulator.hpp"
#include "core/traces.hpp"

namespace spikegrad::binding {

struct TrialRun {
  // What to run (validated by the caller).
  Network net;
  InputSpikes inputs;
  Readout readout;
  TrialSpec trial;
  bool wantGradient = false;
  std::vector<double> cotangent;
  bool wantEvents = false;
  TraceRequest traceRequest;
  // Results.
  ForwardResult fwd;
  std::vector<Tape::Event> events;
  Traces traces;
  Gradient grad;

  /// Forward run, then what was asked for; throws ERR_SPIKEGRAD_NONFINITE for overflowed results.
  void run();
  /// {spikeTimes, spikeNeurons, outputTimes, outputIsPseudo, stateAtT, inTrialEvents, events?,
  /// traces?}; the caller adds the gradient in its layout.
  Napi::Object result(Napi::Env env) const;
};

}  // namespace spikegrad::binding
