// Argument checking and error mapping between JavaScript values and the pure C++ core.
//
// The raw binding is reachable from JavaScript without the TypeScript layer, so every function
// re-checks what it receives (types, lengths, finiteness, integer ranges) before any pointer is
// handed to the core. Errors carry the stable `code` strings of docs/errors.md.
#pragma once

#include <napi.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace spikegrad::binding {

/// Builds the JavaScript error for a core error code: TypeError for argument errors, RangeError
/// for shapes, ranges, non-finite numbers and model domains, Error otherwise; `code` is set.
inline Napi::Error makeError(Napi::Env env, ErrorCode code, const std::string& message) {
  Napi::Error err;
  switch (code) {
    case ErrorCode::kArgument:
      err = Napi::TypeError::New(env, message);
      break;
    case ErrorCode::kShape:
    case ErrorCode::kNonFinite:
    case ErrorCode::kRange:
    case ErrorCode::kDomain:
      err = Napi::RangeError::New(env, message);
      break;
    default:
      err = Napi::Error::New(env, message);
      break;
  }
  err.Set("code", Napi::String::New(env, errorCodeName(code)));
  return err;
}

[[noreturn]] inline void fail(ErrorCode code, const std::string& message) {
  throw Error(code, message);
}

/// A C++ exception translated into (code, message): what crosses back to JavaScript.
struct CaughtError {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
};

/// Runs fn and translates any exception it throws. Returns true when fn succeeded.
template <typename Fn>
bool runCatching(Fn&& fn, CaughtError* caught) {
  try {
    fn();
    return true;
  } catch (const Napi::Error&) {
    throw;  // a JavaScript exception (e.g. from a getter): it propagates as it is
  } catch (const Error& e) {
    *caught = {e.code(), e.what()};
  } catch (const std::invalid_argument& e) {
    *caught = {ErrorCode::kDomain, e.what()};
  } catch (const std::bad_alloc&) {
    *caught = {ErrorCode::kMemory,
               "spikegrad: out of memory (the network, batch or trial is too large)"};
  } catch (const std::exception& e) {
    *caught = {ErrorCode::kInternal, std::string("spikegrad: internal error: ") + e.what()};
  } catch (...) {
    *caught = {ErrorCode::kInternal, "spikegrad: internal error: unknown exception"};
  }
  return false;
}

/// Runs fn synchronously; a C++ exception becomes a thrown, coded JavaScript error.
template <typename Fn>
auto guarded(Napi::Env env, Fn&& fn) -> decltype(fn()) {
  CaughtError caught;
  decltype(fn()) result;
  if (runCatching([&] { result = fn(); }, &caught)) return result;
  throw makeError(env, caught.code, caught.message);
}

inline void requireArgs(const Napi::CallbackInfo& info, std::size_t count, const char* fname) {
  if (info.Length() < count) {
    fail(ErrorCode::kArgument, std::string(fname) + ": expected " + std::to_string(count) +
                                   " arguments but received " + std::to_string(info.Length()));
  }
}

/// A non-negative integer argument no larger than max.
inline std::size_t getSize(const Napi::Value& v, const char* name, std::size_t max) {
  if (!v.IsNumber()) fail(ErrorCode::kArgument, std::string(name) + " must be a number");
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || d < 0 || d != std::floor(d) || d > static_cast<double>(max)) {
    fail(ErrorCode::kRange, std::string(name) + " must be an integer in [0, " +
                                std::to_string(max) + "] (got " + std::to_string(d) + ")");
  }
  return static_cast<std::size_t>(d);
}

/// A finite number argument.
inline double getFinite(const Napi::Value& v, const char* name) {
  if (!v.IsNumber()) fail(ErrorCode::kArgument, std::string(name) + " must be a number");
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d)) fail(ErrorCode::kNonFinite, std::string(name) + " must be finite");
  return d;
}

/// Copies a Float64Array of exactly `length` finite values.
inline std::vector<double> getFloat64s(const Napi::Value& v, const char* name, std::size_t length,
                                       bool requireFinite = true) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) {
    fail(ErrorCode::kArgument, std::string(name) + " must be a Float64Array");
  }
  auto arr = v.As<Napi::Float64Array>();
  if (arr.ElementLength() != length) {
    fail(ErrorCode::kShape, std::string(name) + " must have length " + std::to_string(length) +
                                " but has length " + std::to_string(arr.ElementLength()));
  }
  std::vector<double> out(arr.Data(), arr.Data() + length);
  if (requireFinite) {
    for (std::size_t i = 0; i < length; ++i) {
      if (!std::isfinite(out[i])) {
        fail(ErrorCode::kNonFinite,
             std::string(name) + "[" + std::to_string(i) + "] must be finite");
      }
    }
  }
  return out;
}

/// rows * cols, refusing products that would overflow or exceed the maximal array length.
inline std::size_t checkedProduct(std::size_t rows, std::size_t cols, const char* what) {
  constexpr std::size_t kMax = std::size_t{1} << 32;
  if (rows != 0 && cols > kMax / rows) {
    fail(ErrorCode::kRange, std::string(what) + " is too large");
  }
  return rows * cols;
}

/// Throws ERR_SPIKEGRAD_NONFINITE when a computed result holds NaN or an infinity: extreme but
/// finite inputs can overflow a closed form; that must be an error, never a silent result.
inline void requireFiniteResult(const std::vector<double>& values, const char* what) {
  for (double v : values) {
    if (!std::isfinite(v)) {
      fail(ErrorCode::kNonFinite, std::string("the ") + what +
                                      " overflowed (not finite): the inputs or parameters are too "
                                      "extreme for float64");
    }
  }
}

/// A new Float64Array holding a copy of values.
inline Napi::Float64Array toFloat64Array(Napi::Env env, const std::vector<double>& values) {
  auto arr = Napi::Float64Array::New(env, values.size());
  std::copy(values.begin(), values.end(), arr.Data());
  return arr;
}

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

}  // namespace spikegrad::binding
