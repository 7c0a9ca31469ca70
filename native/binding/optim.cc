// Binding of the optimiser steps (core/optim.hpp):
//
//   adamStep(constants, g, m, v, mNext, vNext, out, params)
//       constants: Float64Array [b1, b2, eps, epsRoot, bc1, bc2, scale, belief (0/1),
//       usePrevious (0/1)]; g, m, v, mNext, vNext, out (and params, or null): Float64Arrays of
//       one length. Writes the next moments and the update; returns true if they (and every
//       params[k] + out[k]) are finite. The TypeScript optimisers (lib/training/optim) validate
//       everything else and redo a step that returns false in TypeScript, for its exact error.
#include "binding/optim.hpp"

#include <string>

#include "binding/args.hpp"
#include "binding/errors.hpp"
#include "binding/memory.hpp"
#include "core/optim.hpp"

namespace spikegrad::binding {
namespace {

Napi::Value AdamStepFn(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&]() -> Napi::Value {
    requireArgs(info, 8, "adamStep");
    auto k = float64Array(info[0], "constants");
    if (k.ElementLength() != 9) fail(ErrorCode::kShape, "constants must hold 9 values");
    AdamStep c{k[0], k[1], k[2], k[3], k[4], k[5], k[6], k[7] != 0.0, k[8] != 0.0};
    const char* names[6] = {"g", "m", "v", "mNext", "vNext", "out"};
    Napi::Float64Array a[6];
    for (int i = 0; i < 6; ++i)
      a[i] = float64Array(info[static_cast<std::size_t>(i) + 1], names[i]);
    const std::size_t n = a[0].ElementLength();
    for (int i = 1; i < 6; ++i) {
      if (a[i].ElementLength() != n) {
        fail(ErrorCode::kShape, std::string(names[i]) + " must have the length of g");
      }
    }
    const double* params = nullptr;
    Napi::Float64Array p;
    if (present(info[7])) {
      p = float64Array(info[7], "params");
      if (p.ElementLength() != n) fail(ErrorCode::kShape, "params must have the length of g");
      params = p.Data();
    }
    const bool ok = adamArrayStep(c, n, a[0].Data(), a[1].Data(), a[2].Data(), a[3].Data(),
                                  a[4].Data(), a[5].Data(), params);
    for (int i = 3; i < 6; ++i) publishWrites(info.Env(), a[i]);
    return Napi::Boolean::New(info.Env(), ok);
  });
}

}  // namespace

void registerOptim(Napi::Env env, Napi::Object exports) {
  exports.Set("adamStep", Napi::Function::New(env, AdamStepFn));
}

}  // namespace spikegrad::binding
