// Small numerical helpers shared by the neuron models (native/core/neurons/*.hpp).
//
// - softplus(y) = log(1 + exp(y)) and sigmoid(y) = 1 / (1 + exp(-y)), written so that they neither
//   overflow nor lose relative accuracy for large |y| (method.md sections 0 and 4.1, pitfall 11).
// - sigmoidOverSoftplus(y) = sigmoid(y) / softplus(y), the factor that turns d/dS into d/dI_pseudo
//   divided by S; it stays finite where both softplus and sigmoid underflow.
// - The constants kPi and kInf, and the parameter-error helper used by every validate().
//
// Header-only, standard library only.
#pragma once

#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>

namespace spikegrad {

/// pi to double precision.
inline constexpr double kPi = 3.14159265358979323846;

/// Positive infinity; used for "no spike" times and the reset voltage of the QIF neuron.
inline constexpr double kInf = std::numeric_limits<double>::infinity();

/// Numerically stable softplus(y) = log(1 + exp(y)).
///
/// For y > 0 it is evaluated as y + log1p(exp(-y)), so exp never overflows (the naive form
/// overflows above y = 709 in float64); for y <= 0 log1p(exp(y)) keeps full relative accuracy
/// down to the underflow of exp(y) near y = -745, below which the result is 0.
inline double softplus(double y) {
  if (y > 0.0) return y + std::log1p(std::exp(-y));
  return std::log1p(std::exp(y));
}

/// Numerically stable logistic function sigmoid(y) = 1 / (1 + exp(-y)), the derivative of
/// softplus. Each branch only evaluates exp of a non-positive number, so nothing overflows.
inline double sigmoid(double y) {
  if (y >= 0.0) return 1.0 / (1.0 + std::exp(-y));
  const double ey = std::exp(y);
  return ey / (1.0 + ey);
}

/// sigmoid(y) / softplus(y), which is positive and finite for every finite y.
///
/// The pseudodynamics need dS/dI / S with S = alpha softplus(I / alpha). For y below about -745
/// both softplus and sigmoid underflow to 0 and the plain quotient would be 0/0.
/// The series sigmoid/softplus = 1 - exp(y)/2 + O(exp(2y)) equals 1 to double precision once
/// exp(y) < 1e-17, i.e. for y < -40, so that branch returns exactly 1.
inline double sigmoidOverSoftplus(double y) {
  if (y < -40.0) return 1.0;
  return sigmoid(y) / softplus(y);
}

namespace detail {

/// Throws std::invalid_argument with the message "<model>: <field> must <constraint> (got <v>)",
/// for example "theta: I0 must be greater than 1/4 (got 0.2)".
[[noreturn]] inline void throwInvalidParam(const char* model, const char* field,
                                           const char* constraint, double got) {
  std::ostringstream msg;
  msg << model << ": " << field << " must " << constraint << " (got " << got << ")";
  throw std::invalid_argument(msg.str());
}

/// True when x is a finite number greater than 0 (false for NaN and infinities).
inline bool isPositiveFinite(double x) { return x > 0.0 && std::isfinite(x); }

/// Checks a time constant: finite and > 0. Throws via throwInvalidParam otherwise.
inline void checkPositiveFinite(const char* model, const char* field, double x) {
  if (!isPositiveFinite(x)) throwInvalidParam(model, field, "be positive and finite", x);
}

/// Checks the guard tolerance eps: 0 < eps < 0.01 (the reference uses 1e-6; larger values would
/// make the mask, clamp and phase guards visibly distort the dynamics).
inline void checkEps(const char* model, double eps) {
  if (!(eps > 0.0 && eps < 0.01)) throwInvalidParam(model, "eps", "satisfy 0 < eps < 0.01", eps);
}

/// A period that a tau so large (or small) makes overflow (or underflow to 0) is an error naming
/// tau; `formula` is how the model's period follows from tau.
inline void checkPeriod(const char* model, double period, double tau, const char* formula) {
  if (!(std::isfinite(period) && period > 0.0)) {
    throwInvalidParam(model, "tau",
                      (std::string("give a finite, positive period ") + formula).c_str(), tau);
  }
}

}  // namespace detail
}  // namespace spikegrad
