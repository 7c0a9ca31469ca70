// Batches: many trials of one network, spread over a pool of threads, with deterministic results.
//
// forward() runs every sample (its own input events) and keeps each sample's tape; backward()
// differentiates them from per-sample cotangents and returns the parameter gradient summed over
// the batch. The sum is formed in fixed chunks of samples whose partial sums are added in chunk
// order, so the result does not depend on the number of threads.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "core/parallel.hpp"
#include "core/simulator.hpp"

namespace spikegrad {

/// Aggregated outputs of a batch forward run.
struct BatchForward {
  std::size_t samples = 0;
  std::size_t slots = 0;               ///< output times per sample (Readout::totalCount())
  std::vector<double> outputTimes;     ///< samples x slots, sample-major
  std::vector<std::uint8_t> isPseudo;  ///< samples x slots
  std::vector<double> inTrialEvents;   ///< per sample
  /// Per neuron: ordinary spikes summed over the batch.
  std::vector<double> spikeCount;
  /// Per neuron: spikes before the sample's first ordinary spike of any readout neuron (before T
  /// when no readout neuron spiked), summed over the batch.
  std::vector<double> spikeCountFirst;
};

/// A loss the core computes itself (the same formulas as the TypeScript loss of that name), so
/// that a batch can run forward, loss and backward sample by sample (Batch::forwardBackward).
struct NativeLoss {
  /// first_spike_cross_entropy (lib/training/losses/first_spike_cross_entropy.ts): per sample
  /// t_y - t_min + log sum_k exp(t_min - t_k) + gamma expm1(t_y / T), averaged over the batch.
  enum class Kind : std::uint8_t { kFirstSpikeCrossEntropy };
  Kind kind = Kind::kFirstSpikeCrossEntropy;
  double gamma = 0.01;
};

/// What Batch::forwardBackward returns.
struct FusedStep {
  BatchForward forward;
  std::vector<double> lossPerSample;  ///< per sample
  std::vector<double> cotangent;      ///< d mean loss / d output time, samples x slots
  Gradient grad;                      ///< as Batch::backward of the cotangent
};

/// The loss of one sample's output times t (slots values) with label y, its cotangent scaled by
/// 1 / samples written to cot; returns the sample's loss.
double nativeLoss(const NativeLoss& loss, const double* t, std::size_t slots, std::int32_t y,
                  double T, std::size_t samples, double* cot);

/// Recycled tapes: a batch takes its tapes from the pool and gives them back (emptied, with their
/// memory) when destroyed, so steady training reuses warm memory instead of fresh pages.
/// Thread-safe. Keeps at most kMaxBytes of tape memory.
class TapePool {
 public:
  static constexpr std::size_t kMaxBytes = std::size_t{1} << 30;
  std::vector<Tape> take(std::size_t count);
  void give(std::vector<Tape>&& tapes);

 private:
  std::mutex mutex_;
  std::vector<Tape> free_;
  std::size_t bytes_ = 0;
};

/// A recorded batch: network, inputs and tapes, ready for backward(). Immutable after forward.
class Batch {
 public:
  /// Validates everything. The batch shares the network's structure and owns copies of the rest;
  /// pool (optional) lends it tapes.
  Batch(Network net, std::vector<InputSpikes> samples, Readout readout, TrialSpec trial,
        std::shared_ptr<TapePool> pool = nullptr);
  ~Batch();
  Batch(const Batch&) = delete;
  Batch& operator=(const Batch&) = delete;

  /// Runs every sample; keeps the tapes when keepTapes.
  void forward(unsigned threads, bool keepTapes, BatchForward* out);

  /// Sums the gradients of sum_k cot[s * slots + k] * outputTimes[s][k] over the samples s.
  /// inputTimes of *grad is sized to the total number of the samples' own input events (sample
  /// after sample); trainableTimes holds the trainable input spikes' gradient summed over the
  /// samples in sample order. Needs forward(..., keepTapes = true). Safe to call from several
  /// threads at once (it only reads the batch).
  void backward(const double* cot, unsigned threads, Gradient* grad) const;

  /// Forward, loss and backward sample by sample (one sample's record stays in the core's cache
  /// and is reused for the next sample: the memory does not grow with the batch), for a loss
  /// whose cotangent of a sample depends on that sample only. labels: one per sample, in
  /// [0, slots). The gradient is summed in the chunks of backward(): bit-identical to
  /// forward + backward of the same cotangent, and for any number of threads. Keeps no tapes.
  void forwardBackward(const NativeLoss& loss, const std::int32_t* labels, unsigned threads,
                       FusedStep* out);

  std::size_t samples() const { return samples_.size(); }
  /// Moves the parameters out, for the caller to reuse their memory; the batch must not run
  /// again afterwards.
  NetworkParams releaseParams() { return std::move(net_.params); }
  std::size_t slots() const { return readout_.totalCount(); }
  /// Bytes held by the tapes.
  std::size_t tapeBytes() const;
  const Network& network() const { return net_; }

 private:
  Network net_;
  std::vector<InputSpikes> samples_;
  Readout readout_;
  TrialSpec trial_;
  std::vector<Tape> tapes_;
  std::shared_ptr<TapePool> pool_;
  bool haveTapes_ = false;
};

}  // namespace spikegrad
