// Error type of the spikegrad core.
//
// The core never includes Node-API. It reports failures by throwing spikegrad::Error, which
// carries a stable code that the binding turns into the `code` property of a JavaScript Error
// (see docs/errors.md). Caller bugs that the binding should have caught are still reported this
// way rather than by assert(), because an abort would take the host process down.
#pragma once

#include <stdexcept>
#include <string>

namespace spikegrad {

/// Stable error categories; the binding maps each to an `ERR_SPIKEGRAD_*` code.
enum class ErrorCode {
  kArgument,   ///< wrong type or missing argument (TypeError, ERR_SPIKEGRAD_ARG)
  kShape,      ///< lengths or dimensions that do not fit together (RangeError, ERR_SPIKEGRAD_SHAPE)
  kNonFinite,  ///< NaN or infinity where a finite number is required (RangeError,
               ///< ERR_SPIKEGRAD_NONFINITE)
  kRange,      ///< an index or count out of range (RangeError, ERR_SPIKEGRAD_RANGE)
  kDomain,     ///< model parameters outside the model's domain (RangeError, ERR_SPIKEGRAD_DOMAIN)
  kBudget,     ///< the event budget maxEvents was exhausted (Error, ERR_SPIKEGRAD_BUDGET)
  kMemory,     ///< an allocation failed (Error, ERR_SPIKEGRAD_MEMORY)
  kInternal,   ///< an invariant of the core failed; a bug (Error, ERR_SPIKEGRAD_INTERNAL)
};

/// The exception thrown by the core.
class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ErrorCode code() const noexcept { return code_; }

 private:
  ErrorCode code_;
};

/// The `ERR_SPIKEGRAD_*` string of a code.
inline const char* errorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kArgument:
      return "ERR_SPIKEGRAD_ARG";
    case ErrorCode::kShape:
      return "ERR_SPIKEGRAD_SHAPE";
    case ErrorCode::kNonFinite:
      return "ERR_SPIKEGRAD_NONFINITE";
    case ErrorCode::kRange:
      return "ERR_SPIKEGRAD_RANGE";
    case ErrorCode::kDomain:
      return "ERR_SPIKEGRAD_DOMAIN";
    case ErrorCode::kBudget:
      return "ERR_SPIKEGRAD_BUDGET";
    case ErrorCode::kMemory:
      return "ERR_SPIKEGRAD_MEMORY";
    case ErrorCode::kInternal:
      return "ERR_SPIKEGRAD_INTERNAL";
  }
  return "ERR_SPIKEGRAD_INTERNAL";
}

}  // namespace spikegrad
