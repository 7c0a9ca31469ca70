// A tiny test helper for the Node-free native tests: CHECK and CHECK_NEAR record failures with
// their location and keep going; finish() prints "N passed, N failed" and returns the exit code.
// context() holds an optional description (for example the parameters of a randomized case) that
// is printed with every failure while it is set. expectError checks that a call fails with a
// given spikegrad::Error code.
#pragma once

#include <cmath>
#include <cstdio>
#include <string>

#include "core/error.hpp"

namespace spikegrad::test {

inline int& passed() {
  static int n = 0;
  return n;
}
inline int& failed() {
  static int n = 0;
  return n;
}

/// Description printed with each failure while non-empty; set it before a group of checks.
inline std::string& context() {
  static std::string s;
  return s;
}

inline void record(bool ok, const char* expr, const char* file, int line, double a = NAN,
                   double b = NAN) {
  if (ok) {
    ++passed();
    return;
  }
  ++failed();
  if (!context().empty()) std::printf("[%s] ", context().c_str());
  if (std::isnan(a) && std::isnan(b)) {
    std::printf("FAIL %s:%d: %s\n", file, line, expr);
  } else {
    std::printf("FAIL %s:%d: %s (got %.17g, want %.17g)\n", file, line, expr, a, b);
  }
}

/// |a - b| <= abs_tol + rel_tol * |b|, with NaN never near anything.
inline bool near(double a, double b, double abs_tol, double rel_tol) {
  if (std::isinf(a) || std::isinf(b)) return a == b;
  return std::fabs(a - b) <= abs_tol + rel_tol * std::fabs(b);
}

inline int finish(const char* name) {
  std::printf("%s: %d passed, %d failed\n", name, passed(), failed());
  return failed() == 0 ? 0 : 1;
}

/// Prints "N passed, N failed" and returns the process exit code (0 when nothing failed).
inline int finish() {
  std::printf("%d passed, %d failed\n", passed(), failed());
  return failed() == 0 ? 0 : 1;
}

}  // namespace spikegrad::test

#define CHECK(cond) ::spikegrad::test::record((cond), #cond, __FILE__, __LINE__)
#define CHECK_NEAR(a, b, abs_tol, rel_tol)                                                       \
  do {                                                                                           \
    const double check_a_ = (a), check_b_ = (b);                                                 \
    ::spikegrad::test::record(::spikegrad::test::near(check_a_, check_b_, (abs_tol), (rel_tol)), \
                              #a " ~ " #b, __FILE__, __LINE__, check_a_, check_b_);              \
  } while (0)

namespace spikegrad::test {

/// fn() must throw a spikegrad::Error with `code` (and nothing else: only spikegrad::Error may
/// leave the core); `what` describes the case in failure messages.
template <typename Fn>
void expectError(spikegrad::ErrorCode code, Fn&& fn, const char* what) {
  context() = what;
  bool threw = false;
  try {
    fn();
  } catch (const spikegrad::Error& e) {
    threw = true;
    CHECK(e.code() == code);
  } catch (...) {
    threw = true;
    CHECK(false);  // only spikegrad::Error may leave the core
  }
  CHECK(threw);
  context().clear();
}

}  // namespace spikegrad::test
