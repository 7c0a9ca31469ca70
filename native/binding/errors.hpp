// Errors between the pure C++ core and JavaScript: the coded JavaScript error of a core error
// code (docs/errors.md), and the wrappers that translate every C++ exception into one.
#pragma once

#include <napi.h>

#include <exception>
#include <new>
#include <stdexcept>
#include <string>

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

/// Throws a coded core error (translated by guarded / runCatching).
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

}  // namespace spikegrad::binding
