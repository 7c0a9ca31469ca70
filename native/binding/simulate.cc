// Binding of the single-trial simulator: simulate(spec) and simulateAsync(spec).
//
// spec is a plain object of typed arrays and numbers (see lib/simulate.ts, TrialSpec) with dense
// weight matrices. Every field is copied into plain C++ data and re-checked here, so the raw
// binding is safe to call without the TypeScript layer. The asynchronous variant copies before
// queueing, so callers may mutate or transfer their arrays at once.
#include "binding/simulate.hpp"

#include <memory>

#include "binding/args.hpp"
#include "binding/async.hpp"
#include "binding/errors.hpp"
#include "binding/results.hpp"
#include "binding/trial.hpp"

namespace spikegrad::binding {
namespace {

/// Everything one trial needs, copied out of JavaScript, and the dense gradients.
struct SimulateBaton {
  TrialRun trial;
  std::vector<double> denseW, denseWin;

  static SimulateBaton fromArgs(const Napi::CallbackInfo& info) {
    requireArgs(info, 1, "simulate");
    if (!info[0].IsObject()) fail(ErrorCode::kArgument, "simulate: spec must be an object");
    const Napi::Object spec = info[0].As<Napi::Object>();
    SimulateBaton b;
    TrialRun& t = b.trial;
    auto st = std::make_shared<NetworkStructure>();
    st->model = getModel(spec);
    const std::size_t n = getSize(field(spec, "n"), "spec.n", kMaxNeurons);
    const std::size_t nIn = getSize(field(spec, "nIn"), "spec.nIn", kMaxNeurons);
    if (n < 1) fail(ErrorCode::kRange, "spec.n must be at least 1");
    st->n = static_cast<std::int32_t>(n);
    const std::size_t nn = checkedProduct(n, n, "n * n");
    const std::size_t nnIn = checkedProduct(n, nIn, "n * nIn");
    if (nn > kMaxElements || nnIn > kMaxElements) fail(ErrorCode::kRange, "network too large");
    auto W = getFloat64s(field(spec, "weights"), "spec.weights", nn);
    auto Win = getFloat64s(field(spec, "inputWeights"), "spec.inputWeights", nnIn);
    std::vector<std::uint8_t> mask, inMask;
    Napi::Value mv = field(spec, "weightMask", false);
    if (present(mv)) mask = getUint8s(mv, "spec.weightMask", nn);
    Napi::Value imv = field(spec, "inputMask", false);
    if (present(imv)) inMask = getUint8s(imv, "spec.inputMask", nnIn);
    st->recurrent = Synapses::fromMask(st->n, st->n, mask.empty() ? nullptr : mask.data());
    st->input = Synapses::fromMask(st->n, static_cast<std::int32_t>(nIn),
                                   inMask.empty() ? nullptr : inMask.data());
    NetworkParams& par = t.net.params;
    par.recurrent = st->recurrent.gather(W.data());
    par.input = st->input.gather(Win.data());
    par.initial = getFloat64s(field(spec, "initial"), "spec.initial", st->stateSize());
    t.net.structure = st;
    // Input times may be +infinity (never processed); NaN and negative times are rejected by
    // InputSpikes::validate.
    t.inputs.times = getFloat64sAnyLength(field(spec, "inputTimes"), "spec.inputTimes", false);
    t.inputs.channels = getInt32s(field(spec, "inputChannels"), "spec.inputChannels");
    t.readout = getReadout(spec);
    t.trial = getTrial(spec);
    t.cotangent = getCotangent(spec, "spec", &t.wantGradient);
    t.traceRequest = getTraces(spec, "spec", -1);
    Napi::Value ev = field(spec, "recordEvents", false);
    t.wantEvents = ev.IsBoolean() && ev.As<Napi::Boolean>().Value();
    // Validate here, on the main thread, so errors are thrown synchronously where possible.
    t.net.validate();
    t.inputs.validate(st->inputChannels());
    t.readout.validate(st->n);
    t.trial.validate();
    checkSlots(t.readout, "spec.readoutCounts");
    if (t.wantGradient && t.cotangent.size() != t.readout.totalCount()) {
      fail(ErrorCode::kShape, "spec.cotangent must have one value per output time (" +
                                  std::to_string(t.readout.totalCount()) + ")");
    }
    return b;
  }

  void run() {
    trial.run();
    if (!trial.wantGradient) return;
    const NetworkStructure& st = *trial.net.structure;
    const auto n = static_cast<std::size_t>(st.n);
    denseW.assign(n * n, 0.0);
    st.recurrent.scatterDense(trial.grad.recurrent.data(), denseW.data());
    denseWin.assign(n * static_cast<std::size_t>(st.inputChannels()), 0.0);
    st.input.scatterDense(trial.grad.input.data(), denseWin.data());
  }

  Napi::Value result(Napi::Env env) const {
    Napi::Object out = trial.result(env);
    if (trial.wantGradient) {
      Napi::Object g = Napi::Object::New(env);
      g.Set("weights", toFloat64Array(env, denseW));
      g.Set("inputWeights", toFloat64Array(env, denseWin));
      g.Set("inputTimes", toFloat64Array(env, trial.grad.inputTimes));
      g.Set("initial", toFloat64Array(env, trial.grad.initial));
      out.Set("grad", g);
    }
    return out;
  }
};

}  // namespace

void registerSimulate(Napi::Env env, Napi::Object exports) {
  exports.Set("simulate", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
                return runNow<SimulateBaton>(info, SimulateBaton::fromArgs);
              }));
  exports.Set("simulateAsync", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
                return runAsync<SimulateBaton>(info, SimulateBaton::fromArgs);
              }));
}

}  // namespace spikegrad::binding
