// Asynchronous work: a Promise resolved off the main thread.
#pragma once

#include <napi.h>

#include <utility>

#include "binding/errors.hpp"

namespace spikegrad::binding {

/// An AsyncWorker that owns a baton of plain C++ data, runs baton.run() off the main thread and
/// resolves a Promise with baton.result(env), or rejects it with a coded error. Execute() touches
/// no JavaScript value; inputs were copied into the baton before queueing.
template <typename Baton>
class PromiseWorker : public Napi::AsyncWorker {
 public:
  PromiseWorker(Napi::Env env, Baton baton)
      : Napi::AsyncWorker(env, "spikegrad"),
        deferred_(Napi::Promise::Deferred::New(env)),
        baton_(std::move(baton)) {}

  Napi::Promise promise() const { return deferred_.Promise(); }

  /// Queues the work and returns its promise.
  static Napi::Value start(Napi::Env env, Baton baton) {
    auto* worker = new PromiseWorker(env, std::move(baton));
    Napi::Promise p = worker->promise();
    worker->Queue();
    return p;
  }

 protected:
  void Execute() override {
    if (!runCatching([&] { baton_.run(); }, &caught_)) failed_ = true;
  }
  // OnOK and OnError run on the main thread after Execute. When the environment is being torn
  // down (a worker thread terminated while work was queued), any call into JavaScript throws a
  // Napi::Error; letting it escape would abort the process, so it is dropped: nobody is left to
  // receive the result.
  void OnOK() override {
    try {
      Napi::HandleScope scope(Env());
      if (failed_) {
        deferred_.Reject(makeError(Env(), caught_.code, caught_.message).Value());
        return;
      }
      CaughtError caught;
      Napi::Value result;
      bool ok = false;
      try {
        ok = runCatching([&] { result = baton_.result(Env()); }, &caught);
      } catch (const Napi::Error& e) {
        deferred_.Reject(e.Value());
        return;
      }
      if (ok) {
        deferred_.Resolve(result);
      } else {
        deferred_.Reject(makeError(Env(), caught.code, caught.message).Value());
      }
    } catch (const Napi::Error&) {
    }
  }
  void OnError(const Napi::Error& e) override {
    try {
      deferred_.Reject(e.Value());
    } catch (const Napi::Error&) {
    }
  }

 private:
  Napi::Promise::Deferred deferred_;
  Baton baton_;
  CaughtError caught_;
  bool failed_ = false;
};

/// The usual pair of a binding function: fn(info) runs the baton now or queues it.
template <typename Baton, typename Make>
Napi::Value runNow(const Napi::CallbackInfo& info, Make&& make) {
  return guarded(info.Env(), [&]() -> Napi::Value {
    Baton b = make(info);
    b.run();
    return b.result(info.Env());
  });
}

template <typename Baton, typename Make>
Napi::Value runAsync(const Napi::CallbackInfo& info, Make&& make) {
  return guarded(info.Env(), [&]() -> Napi::Value {
    return PromiseWorker<Baton>::start(info.Env(), make(info));
  });
}

}  // namespace spikegrad::binding
