// Binding of a recorded batch: NativeBatch.backward / backwardAsync (gradients summed over the
// batch, in synapse-list layout), dispose() and tapeBytes. Created by NativeNetwork.forward with
// keepTapes; running asynchronous work keeps its own reference to the batch.
#include "binding/native_batch.hpp"

#include "binding/args.hpp"
#include "binding/async.hpp"
#include "binding/errors.hpp"
#include "binding/results.hpp"

namespace spikegrad::binding {
namespace {

/// Per-environment constructor reference (the addon may be loaded by several worker threads).
struct ClassRefs {
  Napi::FunctionReference batch;
};

class NativeBatch : public Napi::ObjectWrap<NativeBatch> {
 public:
  static Napi::Function define(Napi::Env env) {
    return DefineClass(env, "NativeBatch",
                       {InstanceMethod("backward", &NativeBatch::Backward),
                        InstanceMethod("backwardAsync", &NativeBatch::BackwardAsync),
                        InstanceMethod("dispose", &NativeBatch::Dispose),
                        InstanceAccessor("tapeBytes", &NativeBatch::TapeBytes, nullptr)});
  }

  explicit NativeBatch(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeBatch>(info) {
    if (info.Length() != 1 || !info[0].IsExternal()) {
      throw makeError(info.Env(), ErrorCode::kArgument,
                      "NativeBatch cannot be constructed directly; use NativeNetwork.forward");
    }
    batch_ = *info[0].As<Napi::External<std::shared_ptr<const Batch>>>().Data();
    adjusted_ = static_cast<std::int64_t>(batch_->tapeBytes());
    Napi::MemoryManagement::AdjustExternalMemory(info.Env(), adjusted_);
  }

  ~NativeBatch() override { release(); }

 private:
  struct BackwardBaton {
    std::shared_ptr<const Batch> batch;
    std::vector<double> cot;
    unsigned threads = 0;
    Gradient grad;
    void run() {
      batch->backward(cot.data(), threads, &grad);
      requireFiniteGradient(grad);
    }
    Napi::Value result(Napi::Env env) const { return gradientObject(env, grad); }
  };

  BackwardBaton baton(const Napi::CallbackInfo& info) {
    if (!batch_) fail(ErrorCode::kArgument, "this batch was disposed");
    requireArgs(info, 1, "backward");
    BackwardBaton b;
    b.batch = batch_;
    b.cot = getFloat64s(info[0], "cotangent", batch_->samples() * batch_->slots());
    b.threads = getThreads(info.Length() > 1 ? info[1] : info.Env().Undefined());
    return b;
  }

  Napi::Value Backward(const Napi::CallbackInfo& info) {
    return runNow<BackwardBaton>(info, [&](const Napi::CallbackInfo& i) { return baton(i); });
  }

  Napi::Value BackwardAsync(const Napi::CallbackInfo& info) {
    return runAsync<BackwardBaton>(info, [&](const Napi::CallbackInfo& i) { return baton(i); });
  }

  Napi::Value Dispose(const Napi::CallbackInfo& info) {
    release(info.Env());
    return info.Env().Undefined();
  }

  Napi::Value TapeBytes(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), batch_ ? static_cast<double>(batch_->tapeBytes()) : 0.0);
  }

  void release(Napi::Env env) {
    if (adjusted_ != 0) Napi::MemoryManagement::AdjustExternalMemory(env, -adjusted_);
    adjusted_ = 0;
    batch_.reset();  // running async work keeps its own reference
  }
  void release() { release(Env()); }

  std::shared_ptr<const Batch> batch_;
  std::int64_t adjusted_ = 0;
};

}  // namespace

void registerBatch(Napi::Env env, Napi::Object exports) {
  auto* refs = new ClassRefs();
  Napi::Function batch = NativeBatch::define(env);
  refs->batch = Napi::Persistent(batch);
  env.SetInstanceData<ClassRefs>(refs);
  exports.Set("NativeBatch", batch);
}

Napi::Object wrapBatch(Napi::Env env, std::shared_ptr<const Batch> batch) {
  auto* refs = env.GetInstanceData<ClassRefs>();
  std::shared_ptr<const Batch> holder = std::move(batch);
  return refs->batch.New({Napi::External<std::shared_ptr<const Batch>>::New(env, &holder)});
}

}  // namespace spikegrad::binding
