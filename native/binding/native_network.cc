// Binding of a network: the NativeNetwork class holds a network's structure (model, synapse
// lists, trainable input channels, readout, trial), built and validated once and shared by every
// call. Each call copies only what it is given (parameters and inputs), so asynchronous work owns
// its data and callers may change their arrays as soon as the call returns.
//
//   forward(params, batch, options)  every sample of a batch on a thread pool (a NativeBatch with
//                                    options.keepTapes)
//   trial(params, sample, options)   one sample with spike lists, events, traces and the gradient
//                                    of options.cotangent, in synapse-list layout
#include "binding/native_network.hpp"

#include <memory>
#include <mutex>
#include <vector>

#include "binding/args.hpp"
#include "binding/async.hpp"
#include "binding/errors.hpp"
#include "binding/native_batch.hpp"
#include "binding/results.hpp"
#include "binding/trial.hpp"
#include "core/batch.hpp"

namespace spikegrad::binding {
namespace {

class NativeNetwork : public Napi::ObjectWrap<NativeNetwork> {
 public:
  static Napi::Function define(Napi::Env env) {
    return DefineClass(env, "NativeNetwork",
                       {InstanceMethod("forward", &NativeNetwork::Forward),
                        InstanceMethod("forwardAsync", &NativeNetwork::ForwardAsync),
                        InstanceMethod("trial", &NativeNetwork::Trial),
                        InstanceMethod("trialAsync", &NativeNetwork::TrialAsync),
                        InstanceAccessor("engine", &NativeNetwork::Engine, nullptr)});
  }

  explicit NativeNetwork(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeNetwork>(info) {
    guarded(info.Env(), [&]() -> int {
      requireArgs(info, 1, "NativeNetwork");
      if (!info[0].IsObject()) fail(ErrorCode::kArgument, "NativeNetwork: spec must be an object");
      const Napi::Object spec = info[0].As<Napi::Object>();
      auto st = std::make_shared<NetworkStructure>();
      st->model = getModel(spec);
      const auto n = getSize(field(spec, "n"), "spec.n", kMaxNeurons);
      const auto nIn = getSize(field(spec, "nIn"), "spec.nIn", kMaxNeurons);
      if (n < 1) fail(ErrorCode::kRange, "spec.n must be at least 1");
      st->n = static_cast<std::int32_t>(n);
      st->recurrent =
          synapsesFromLists(getInt32s(field(spec, "recurrentSource"), "spec.recurrentSource"),
                            getInt32s(field(spec, "recurrentTarget"), "spec.recurrentTarget"),
                            st->n, st->n, "spec.recurrent");
      st->input = synapsesFromLists(getInt32s(field(spec, "inputSource"), "spec.inputSource"),
                                    getInt32s(field(spec, "inputTarget"), "spec.inputTarget"),
                                    static_cast<std::int32_t>(nIn), st->n, "spec.input");
      Napi::Value tv = field(spec, "trainableChannels", false);
      if (present(tv)) st->trainableChannels = getInt32s(tv, "spec.trainableChannels");
      readout_ = getReadout(spec);
      readout_.validate(st->n);
      trial_ = getTrial(spec);
      checkSlots(readout_, "spec.readoutCounts");
      trial_.validate();
      st->validate();
      LayerPlan plan;
      trial_.engine = resolveEngine(*st, readout_, trial_.engine, &plan);
      structure_ = std::move(st);
      return 0;
    });
  }

 private:
  // ---- forward ------------------------------------------------------------------------------

  /// A call's buffers: the copies of its parameters and input arrays, and its results before they
  /// are copied to JavaScript (for the MNIST network and a batch of 1000 digits about 1.2 MB and
  /// 1 MB).
  struct CallBuffers {
    NetworkParams params;
    BatchArrays arrays;
    FusedStep step;    ///< the results of a fused call (step.forward its forward results)
    BatchForward out;  ///< the results of a forward call
  };
  /// The buffers of finished calls, for the next calls to fill: fresh buffers of that size come
  /// from the kernel page by page (a page fault each), reused ones do not. At most two are kept,
  /// of at most kMaxBytes each (the buffers of a larger call, such as an evaluation of a whole
  /// dataset in one batch, are freed).
  class CopyPool {
   public:
    CallBuffers take() {
      std::lock_guard<std::mutex> lock(mutex_);
      if (free_.empty()) return {};
      CallBuffers c = std::move(free_.back());
      free_.pop_back();
      return c;
    }
    void give(CallBuffers&& c) {
      if (bytes(c) > kMaxBytes) return;
      std::lock_guard<std::mutex> lock(mutex_);
      if (free_.size() < kKeep) free_.push_back(std::move(c));
    }

   private:
    template <class T>
    static std::size_t bytes(const std::vector<T>& v) {
      return v.capacity() * sizeof(T);
    }
    static std::size_t bytes(const BatchForward& f) {
      return bytes(f.outputTimes) + bytes(f.isPseudo) + bytes(f.inTrialEvents) +
             bytes(f.spikeCount) + bytes(f.spikeCountFirst);
    }
    static std::size_t bytes(const CallBuffers& c) {
      const Gradient& g = c.step.grad;
      return bytes(c.params.recurrent) + bytes(c.params.input) + bytes(c.params.initial) +
             bytes(c.params.trainableTimes) + bytes(c.arrays.times) + bytes(c.arrays.channels) +
             bytes(c.arrays.sampleStart) + bytes(c.arrays.eventStart) + bytes(c.step.forward) +
             bytes(c.step.lossPerSample) + bytes(c.step.cotangent) + bytes(g.recurrent) +
             bytes(g.input) + bytes(g.inputTimes) + bytes(g.initial) + bytes(g.trainableTimes) +
             bytes(c.out);
    }
    static constexpr std::size_t kKeep = 2;
    static constexpr std::size_t kMaxBytes = std::size_t{32} << 20;
    std::mutex mutex_;
    std::vector<CallBuffers> free_;
  };

  struct ForwardBaton {
    // The inputs as copied from JavaScript; run() splits them into samples and builds the Batch
    // (which validates the network and every sample), on the worker thread of an async call.
    std::shared_ptr<const NetworkStructure> structure;
    CallBuffers in;
    std::shared_ptr<CopyPool> copies;
    Readout readout;
    TrialSpec trial;
    std::shared_ptr<TapePool> pool;
    std::shared_ptr<Batch> batch;
    unsigned threads = 0;
    bool keepTapes = false;
    bool fused = false;  ///< options.loss: forward, loss and backward sample by sample
    NativeLoss loss;
    std::vector<std::int32_t> labels;
    BatchForward& out() { return fused ? in.step.forward : in.out; }
    void build() {
      std::vector<InputSpikes> samples(in.arrays.samples());
      for (std::size_t s = 0; s < samples.size(); ++s) samples[s] = in.arrays.sample(s);
      batch = std::make_shared<Batch>(Network{structure, std::move(in.params)}, std::move(samples),
                                      std::move(readout), trial, std::move(pool));
    }
    void run() {
      build();
      if (fused) {
        batch->forwardBackward(loss, labels.data(), threads, &in.step);
      } else {
        batch->forward(threads, keepTapes, &in.out);
      }
      // A batch that is not kept is freed here, on the worker thread of an async call, not on
      // the JavaScript thread; its parameters' buffers are kept for the pool (result()).
      if (!keepTapes) {
        in.params = batch->releaseParams();
        batch.reset();
      }
      requireFiniteResult(out().outputTimes, "output times");
      if (fused) {
        requireFiniteResult(in.step.lossPerSample, "losses");
        requireFiniteGradient(in.step.grad);
      }
    }
    Napi::Value result(Napi::Env env) {
      Napi::Object o = Napi::Object::New(env);
      const BatchForward& out = this->out();
      if (fused) {
        o.Set("lossPerSample", toFloat64Array(env, in.step.lossPerSample));
        o.Set("cotangent", toFloat64Array(env, in.step.cotangent));
        o.Set("grad", gradientObject(env, in.step.grad));
      }
      o.Set("outputTimes", toFloat64Array(env, out.outputTimes));
      o.Set("outputIsPseudo", toUint8Array(env, out.isPseudo));
      o.Set("inTrialEvents", toFloat64Array(env, out.inTrialEvents));
      o.Set("spikeCount", toFloat64Array(env, out.spikeCount));
      o.Set("spikeCountFirst", toFloat64Array(env, out.spikeCountFirst));
      o.Set("samples", Napi::Number::New(env, static_cast<double>(out.samples)));
      o.Set("slots", Napi::Number::New(env, static_cast<double>(out.slots)));
      if (keepTapes) o.Set("batch", wrapBatch(env, batch));
      // The results are copied to JavaScript: the buffers go back to the pool.
      copies->give(std::move(in));
      return o;
    }
  };

  /// Copies parameters and inputs into the baton (buffers from the pool); run() builds the Batch,
  /// sharing the structure.
  ForwardBaton forwardBaton(const Napi::CallbackInfo& info) {
    requireArgs(info, 2, "forward");
    ForwardBaton b;
    b.structure = structure_;
    b.copies = copies_;
    b.in = copies_->take();
    getParams(info[0], *structure_, &b.in.params);
    getBatchArrays(info[1], "batch", false, &b.in.arrays);
    const std::size_t samples = b.in.arrays.samples();
    if (static_cast<double>(samples) * static_cast<double>(readout_.totalCount()) >
        static_cast<double>(kMaxElements)) {
      fail(ErrorCode::kRange, "batch too large: samples x output times exceeds 2^31");
    }
    b.readout = readout_;
    b.trial = trial_;
    b.pool = pool_;
    const Napi::Value options = info.Length() > 2 ? info[2] : info.Env().Undefined();
    b.threads = getThreads(options);
    b.keepTapes = getFlag(options, "keepTapes");
    // options.loss = {name: 'first_spike_cross_entropy', gamma} with options.labels (Int32Array,
    // one per sample): the fused step (Batch::forwardBackward), no tapes kept.
    if (options.IsObject() &&
        present(field(options.As<Napi::Object>(), "loss", false, "options"))) {
      const Napi::Object o = options.As<Napi::Object>();
      const Napi::Value lv = field(o, "loss", false, "options");
      if (!lv.IsObject()) fail(ErrorCode::kArgument, "options.loss must be an object");
      const Napi::Object lo = lv.As<Napi::Object>();
      const Napi::Value nv = field(lo, "name", false, "options.loss");
      if (!nv.IsString() || nv.As<Napi::String>().Utf8Value() != "first_spike_cross_entropy") {
        fail(ErrorCode::kArgument, "options.loss.name must be 'first_spike_cross_entropy'");
      }
      const Napi::Value gv = field(lo, "gamma", false, "options.loss");
      if (present(gv)) b.loss.gamma = getFinite(gv, "options.loss.gamma");
      if (!(b.loss.gamma >= 0.0)) fail(ErrorCode::kRange, "options.loss.gamma must be >= 0");
      if (b.keepTapes)
        fail(ErrorCode::kArgument, "options.loss and options.keepTapes exclude each other");
      b.labels = getInt32s(field(o, "labels", true, "options"), "options.labels");
      if (b.labels.size() != samples) {
        fail(ErrorCode::kShape, "options.labels must have one label per sample");
      }
      b.fused = true;
    }
    return b;
  }

  Napi::Value Forward(const Napi::CallbackInfo& info) {
    return runNow<ForwardBaton>(info, [&](const Napi::CallbackInfo& i) { return forwardBaton(i); });
  }

  Napi::Value ForwardAsync(const Napi::CallbackInfo& info) {
    return runAsync<ForwardBaton>(info,
                                  [&](const Napi::CallbackInfo& i) { return forwardBaton(i); });
  }

  /// The engine that runs this network's batches: "layered" or "general".
  Napi::Value Engine(const Napi::CallbackInfo& info) {
    return Napi::String::New(info.Env(), engineName(trial_.engine));
  }

  // ---- trial --------------------------------------------------------------------------------

  struct TrialBaton {
    TrialRun trial;
    void run() { trial.run(); }
    Napi::Value result(Napi::Env env) const {
      Napi::Object out = trial.result(env);
      if (trial.wantGradient) out.Set("grad", gradientObject(env, trial.grad));
      return out;
    }
  };

  /// sample: {times, channels, eventStart?} (one sample) or a batch with sampleStart, of which
  /// options.sample (default 0) is run. options: {sample, cotangent, recordEvents, traceDt,
  /// traceNeurons (default: all neurons)}.
  TrialBaton trialBaton(const Napi::CallbackInfo& info) {
    requireArgs(info, 2, "trial");
    TrialBaton b;
    TrialRun& t = b.trial;
    t.net = Network{structure_, getParams(info[0], *structure_)};
    const BatchArrays arrays = getBatchArrays(info[1], "sample", true);
    const Napi::Value ov = info.Length() > 2 ? info[2] : info.Env().Undefined();
    if (present(ov) && !ov.IsObject()) fail(ErrorCode::kArgument, "options must be an object");
    const Napi::Object options =
        ov.IsObject() ? ov.As<Napi::Object>() : Napi::Object::New(ov.Env());
    if (arrays.samples() == 0) fail(ErrorCode::kRange, "sample: the batch holds no samples");
    std::size_t s = 0;
    Napi::Value sv = field(options, "sample", false, "options");
    if (present(sv)) s = getSize(sv, "options.sample", arrays.samples() - 1);
    t.inputs = arrays.sample(s);
    t.readout = readout_;
    t.trial = trial_;
    t.cotangent = getCotangent(options, "options", &t.wantGradient);
    t.wantEvents = getFlag(options, "recordEvents");
    t.traceRequest = getTraces(options, "options", structure_->n);
    // Validate here, on the main thread (the structure was validated when it was built).
    t.net.params.validate(*structure_);
    t.inputs.validate(structure_->inputChannels());
    if (t.wantGradient && t.cotangent.size() != readout_.totalCount()) {
      fail(ErrorCode::kShape, "options.cotangent must have one value per output time (" +
                                  std::to_string(readout_.totalCount()) + ")");
    }
    return b;
  }

  Napi::Value Trial(const Napi::CallbackInfo& info) {
    return runNow<TrialBaton>(info, [&](const Napi::CallbackInfo& i) { return trialBaton(i); });
  }

  Napi::Value TrialAsync(const Napi::CallbackInfo& info) {
    return runAsync<TrialBaton>(info, [&](const Napi::CallbackInfo& i) { return trialBaton(i); });
  }

  std::shared_ptr<const NetworkStructure> structure_;
  std::shared_ptr<TapePool> pool_ = std::make_shared<TapePool>();
  std::shared_ptr<CopyPool> copies_ = std::make_shared<CopyPool>();
  Readout readout_;
  TrialSpec trial_;
};

}  // namespace

void registerNetwork(Napi::Env env, Napi::Object exports) {
  exports.Set("NativeNetwork", NativeNetwork::define(env));
}

}  // namespace spikegrad::binding
