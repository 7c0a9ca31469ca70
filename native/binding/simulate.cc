// Binding of the single-trial simulator: simulate(spec) and simulateAsync(spec).
//
// spec is a plain object of typed arrays and numbers (see lib/native.ts, SimulateSpec). Every
// field is copied into plain C++ data and re-checked here, so the raw binding is safe to call
// without the TypeScript layer. The asynchronous variant copies before queueing, so callers may
// mutate or transfer their arrays at once.
#include "binding/simulate.hpp"

#include <memory>

#include "binding/args.hpp"
#include "binding/convert.hpp"
#include "core/simulator.hpp"
#include "core/traces.hpp"

namespace spikegrad::binding {
namespace {

/// Everything one trial needs, copied out of JavaScript.
struct SimulateBaton {
  Network net;
  InputSpikes inputs;
  Readout readout;
  TrialSpec trial;
  bool wantGradient = false;
  std::vector<double> cotangent;
  bool wantEvents = false;
  double traceDt = 0.0;
  std::vector<std::int32_t> traceNeurons;
  Traces traces;
  // Results.
  ForwardResult fwd;
  Gradient grad;
  std::vector<double> denseW, denseWin;
  std::vector<double> eventTimes;
  std::vector<std::int32_t> eventKinds, eventIndices;

  static SimulateBaton fromArgs(const Napi::CallbackInfo& info) {
    requireArgs(info, 1, "simulate");
    if (!info[0].IsObject()) fail(ErrorCode::kArgument, "simulate: spec must be an object");
    const Napi::Object spec = info[0].As<Napi::Object>();
    SimulateBaton b;
    b.net.model = getModel(spec);
    const std::size_t n = getSize(field(spec, "n"), "spec.n", kMaxNeurons);
    const std::size_t nIn = getSize(field(spec, "nIn"), "spec.nIn", kMaxNeurons);
    if (n < 1) fail(ErrorCode::kRange, "spec.n must be at least 1");
    b.net.n = static_cast<std::int32_t>(n);
    const std::size_t nn = checkedProduct(n, n, "n * n");
    const std::size_t nnIn = checkedProduct(n, nIn, "n * nIn");
    if (nn > kMaxElements || nnIn > kMaxElements) fail(ErrorCode::kRange, "network too large");
    auto W = getFloat64s(field(spec, "weights"), "spec.weights", nn);
    auto Win = getFloat64s(field(spec, "inputWeights"), "spec.inputWeights", nnIn);
    std::vector<std::uint8_t> mask, inMask;
    Napi::Value mv = field(spec, "weightMask", false);
    if (!mv.IsUndefined() && !mv.IsNull()) mask = getUint8s(mv, "spec.weightMask", nn);
    Napi::Value imv = field(spec, "inputMask", false);
    if (!imv.IsUndefined() && !imv.IsNull()) inMask = getUint8s(imv, "spec.inputMask", nnIn);
    b.net.recurrent =
        Synapses::fromDense(b.net.n, b.net.n, W.data(), mask.empty() ? nullptr : mask.data());
    b.net.input = Synapses::fromDense(b.net.n, static_cast<std::int32_t>(nIn), Win.data(),
                                      inMask.empty() ? nullptr : inMask.data());
    b.net.initial = getFloat64s(field(spec, "initial"), "spec.initial",
                                static_cast<std::size_t>(b.net.model.stateDim()) * n);
    // Input times may be +infinity (never processed); NaN and negative times are rejected by
    // InputSpikes::validate.
    Napi::Value tv = field(spec, "inputTimes");
    if (!tv.IsTypedArray() || tv.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) {
      fail(ErrorCode::kArgument, "spec.inputTimes must be a Float64Array");
    }
    b.inputs.times =
        getFloat64s(tv, "spec.inputTimes", tv.As<Napi::Float64Array>().ElementLength(), false);
    b.inputs.channels = getInt32s(field(spec, "inputChannels"), "spec.inputChannels");
    b.readout.neurons = getInt32s(field(spec, "readoutNeurons"), "spec.readoutNeurons");
    b.readout.counts = getInt32s(field(spec, "readoutCounts"), "spec.readoutCounts");
    Napi::Value lv = field(spec, "layers", false);
    if (!lv.IsUndefined() && !lv.IsNull()) {
      if (!lv.IsArray()) fail(ErrorCode::kArgument, "spec.layers must be an array of Int32Arrays");
      auto arr = lv.As<Napi::Array>();
      for (std::uint32_t L = 0; L < arr.Length(); ++L) {
        b.readout.layers.push_back(getInt32s(arr.Get(L), "spec.layers[L]"));
      }
    }
    b.trial.T = getFinite(field(spec, "T"), "spec.T");
    b.trial.maxEvents = static_cast<std::int64_t>(
        getSize(field(spec, "maxEvents"), "spec.maxEvents", kMaxEventBudget));
    Napi::Value cv = field(spec, "cotangent", false);
    if (!cv.IsUndefined() && !cv.IsNull()) {
      b.wantGradient = true;
      // Length checked against the readout once that is validated (in run()).
      if (!cv.IsTypedArray() || cv.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) {
        fail(ErrorCode::kArgument, "spec.cotangent must be a Float64Array");
      }
      b.cotangent = getFloat64s(cv, "spec.cotangent", cv.As<Napi::Float64Array>().ElementLength());
    }
    Napi::Value tdv = field(spec, "traceDt", false);
    if (!tdv.IsUndefined() && !tdv.IsNull()) {
      b.traceDt = getFinite(tdv, "spec.traceDt");
      b.traceNeurons = getInt32s(field(spec, "traceNeurons"), "spec.traceNeurons");
    }
    Napi::Value ev = field(spec, "recordEvents", false);
    b.wantEvents = ev.IsBoolean() && ev.As<Napi::Boolean>().Value();
    // Validate here, on the main thread, so errors are thrown synchronously where possible.
    b.net.validate();
    b.inputs.validate(b.net.inputChannels());
    b.readout.validate(b.net.n);
    b.trial.validate();
    if (b.readout.totalCount() > kMaxSlots) {
      fail(ErrorCode::kRange,
           "spec.readoutCounts: more than " + std::to_string(kMaxSlots) + " output times");
    }
    if (b.wantGradient && b.cotangent.size() != b.readout.totalCount()) {
      fail(ErrorCode::kShape, "spec.cotangent must have one value per output time (" +
                                  std::to_string(b.readout.totalCount()) + ")");
    }
    return b;
  }

  void run() {
    Simulator sim;
    Tape tape;
    sim.setTrusted(true);
    sim.forward(net, inputs, readout, trial, &tape, &fwd);
    if (wantEvents) {
      for (const auto& e : tape.events) {
        eventTimes.push_back(e.t);
        eventKinds.push_back(e.kind);
        eventIndices.push_back(e.index);
      }
    }
    requireFiniteResult(fwd.outputTimes, "output times");
    if (traceDt != 0.0) traces = computeTraces(net, tape, trial.T, traceDt, traceNeurons);
    if (!wantGradient) return;
    grad.reset(net, inputs.times.size());
    sim.backward(net, inputs, readout, trial, tape, cotangent.data(), &grad);
    const auto n = static_cast<std::size_t>(net.n);
    denseW.assign(n * n, 0.0);
    net.recurrent.scatterDense(grad.recurrent.data(), denseW.data());
    denseWin.assign(n * static_cast<std::size_t>(net.inputChannels()), 0.0);
    net.input.scatterDense(grad.input.data(), denseWin.data());
    requireFiniteResult(grad.recurrent, "gradient");
    requireFiniteResult(grad.input, "gradient");
    requireFiniteResult(grad.inputTimes, "gradient");
    requireFiniteResult(grad.initial, "gradient");
  }

  Napi::Value result(Napi::Env env) const {
    Napi::Object out = Napi::Object::New(env);
    out.Set("spikeTimes", toFloat64Array(env, fwd.spikeTimes));
    auto neurons = Napi::Int32Array::New(env, fwd.spikeNeurons.size());
    std::copy(fwd.spikeNeurons.begin(), fwd.spikeNeurons.end(), neurons.Data());
    out.Set("spikeNeurons", neurons);
    out.Set("outputTimes", toFloat64Array(env, fwd.outputTimes));
    auto pseudo = Napi::Uint8Array::New(env, fwd.outputIsPseudo.size());
    std::copy(fwd.outputIsPseudo.begin(), fwd.outputIsPseudo.end(), pseudo.Data());
    out.Set("outputIsPseudo", pseudo);
    out.Set("stateAtT", toFloat64Array(env, fwd.stateAtT));
    out.Set("inTrialEvents", Napi::Number::New(env, static_cast<double>(fwd.inTrialEvents)));
    if (wantEvents) {
      Napi::Object events = Napi::Object::New(env);
      events.Set("times", toFloat64Array(env, eventTimes));
      auto kinds = Napi::Int32Array::New(env, eventKinds.size());
      std::copy(eventKinds.begin(), eventKinds.end(), kinds.Data());
      auto idx = Napi::Int32Array::New(env, eventIndices.size());
      std::copy(eventIndices.begin(), eventIndices.end(), idx.Data());
      events.Set("kinds", kinds);
      events.Set("indices", idx);
      out.Set("events", events);
    }
    if (traceDt != 0.0) {
      Napi::Object tr = Napi::Object::New(env);
      tr.Set("times", toFloat64Array(env, traces.times));
      tr.Set("V", toFloat64Array(env, traces.V));
      if (!traces.I.empty()) tr.Set("I", toFloat64Array(env, traces.I));
      out.Set("traces", tr);
    }
    if (wantGradient) {
      Napi::Object g = Napi::Object::New(env);
      g.Set("weights", toFloat64Array(env, denseW));
      g.Set("inputWeights", toFloat64Array(env, denseWin));
      g.Set("inputTimes", toFloat64Array(env, grad.inputTimes));
      g.Set("initial", toFloat64Array(env, grad.initial));
      out.Set("grad", g);
    }
    return out;
  }
};

Napi::Value SimulateSync(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&]() -> Napi::Value {
    auto b = SimulateBaton::fromArgs(info);
    b.run();
    return b.result(info.Env());
  });
}

Napi::Value SimulateAsync(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&]() -> Napi::Value {
    return PromiseWorker<SimulateBaton>::start(info.Env(), SimulateBaton::fromArgs(info));
  });
}

}  // namespace

void registerSimulate(Napi::Env env, Napi::Object exports) {
  exports.Set("simulate", Napi::Function::New(env, SimulateSync));
  exports.Set("simulateAsync", Napi::Function::New(env, SimulateAsync));
}

}  // namespace spikegrad::binding
