// The element-wise steps of the built-in Adam-family optimisers (lib/training/optim: Adam and
// AdaBelief) for one parameter array, run by the binding's adamStep when the TypeScript
// optimiser takes its fast path. Every element is the same sequence of IEEE operations as the
// TypeScript loop (no contraction: -ffp-contract=off), so the results are bit-identical to it.
#pragma once

#include <cstddef>

namespace spikegrad {

/// The constants of one step. The bias corrections bc1 = 1 - b1^t and bc2 = 1 - b2^t come from
/// the caller (TypeScript's Math.pow), scale = -lr.
struct AdamStep {
  double b1, b2, eps, epsRoot, bc1, bc2, scale;
  bool belief;       ///< AdaBelief (the second moment of g - m) instead of Adam
  bool usePrevious;  ///< AdaBelief 'optax-0.2.3': g minus the previous first moment
};

/// Reads the moments m, v and the gradient g of n elements, writes the next moments to mNext,
/// vNext and the update to out. Returns true if every next moment and update, and (params not
/// null) every params[k] + out[k], is finite; on false the outputs are partly written and the
/// caller discards them (the inputs are unchanged).
///   Adam:      m' = b1 m + (1 - b1) g;  v' = b2 v + (1 - b2) g^2;
///              out = scale (m' / bc1 / (sqrt(v' / bc2 + epsRoot) + eps))
///   AdaBelief: m' as Adam; e = g - (usePrevious ? m : m');  v' = b2 v + (1 - b2) e^2 + epsRoot;
///              out = scale (m' / bc1 / (sqrt(v' / bc2) + eps))
bool adamArrayStep(const AdamStep& c, std::size_t n, const double* g, const double* m,
                   const double* v, double* mNext, double* vNext, double* out,
                   const double* params);

}  // namespace spikegrad
