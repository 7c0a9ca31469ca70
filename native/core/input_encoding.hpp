// Summed input weights for time-to-first-spike inputs that share one spike time.
//
// When many input channels spike at the same time (method.md 6.4: all bright pixels of an MNIST
// image spike at t_0), their kicks can be delivered as one event whose weight onto neuron h is
// the sum of W_in[h, c] over the active channels c. Voltage jumps add, so this is exact up to
// round-off, and it turns hundreds of events into one matrix-vector product.
#pragma once

#include <cstddef>

namespace spikegrad {

/// out[h] = sum_c W[h, c] * active[c] for a column-major rows x cols matrix W.
/// In: W (rows*cols values, column-major), active (cols values, usually 0/1).
/// Out: out (rows values). Throws spikegrad::Error (kShape) when a size is zero-length while the
/// other is not, and (kNonFinite) when a weight or mask entry is not finite.
void summedInputWeights(const double* W, std::size_t rows, std::size_t cols, const double* active,
                        double* out);

/// Gradient of summedInputWeights: dW[h, c] += g[h] * active[c] (an outer product), column-major.
void summedInputWeightsGrad(const double* g, std::size_t rows, std::size_t cols,
                            const double* active, double* dW);

}  // namespace spikegrad
