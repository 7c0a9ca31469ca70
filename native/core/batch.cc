#include "core/batch.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <utility>

namespace spikegrad {

namespace {
// Stores sample s's output times, pseudo flags and in-trial event count in `out` and adds its
// ordinary spikes to the worker's integer counts (per neuron: all of them in [0, n), those before
// the first readout spike in [n, 2n)). Shared by Batch::forward and Batch::forwardBackward.
void storeSample(const ForwardResult& r, std::size_t s, std::size_t slots,
                 const std::vector<std::uint8_t>& isReadout, BatchForward* out,
                 std::vector<std::int64_t>* counts) {
  const std::size_t n = isReadout.size();
  std::copy(r.outputTimes.begin(), r.outputTimes.end(), out->outputTimes.begin() + s * slots);
  std::copy(r.outputIsPseudo.begin(), r.outputIsPseudo.end(), out->isPseudo.begin() + s * slots);
  out->inTrialEvents[s] = static_cast<double>(r.inTrialEvents);
  auto& c = *counts;
  bool beforeFirst = true;
  for (std::size_t k = 0; k < r.spikeNeurons.size(); ++k) {
    const auto j = static_cast<std::size_t>(r.spikeNeurons[k]);
    if (isReadout[j]) beforeFirst = false;
    ++c[j];
    if (beforeFirst) ++c[n + j];
  }
}

// grad's recurrent, input and initial gradients += the chunks' partial gradients, in chunk order:
// every element is the same sum in the same order as a loop over the chunks, so the result does
// not depend on the thread count. Blocks of elements are spread over the threads (each block is
// small enough to stay in the cache while every chunk is added to it).
void addPartials(const std::vector<Gradient>& partial, unsigned threads, Gradient* grad) {
  constexpr std::size_t kBlock = 2048;
  std::vector<double> Gradient::*const fields[] = {&Gradient::recurrent, &Gradient::input,
                                                   &Gradient::initial};
  std::vector<std::pair<std::size_t, std::size_t>> blocks;  // (field, first element)
  for (std::size_t f = 0; f < 3; ++f) {
    for (std::size_t lo = 0; lo < (grad->*fields[f]).size(); lo += kBlock)
      blocks.emplace_back(f, lo);
  }
  parallelFor(blocks.size(), resolveThreads(threads, blocks.size()), [&](std::size_t b, unsigned) {
    std::vector<double>& out = grad->*fields[blocks[b].first];
    const std::size_t lo = blocks[b].second, hi = std::min(lo + kBlock, out.size());
    double* y = out.data();
    for (const Gradient& g : partial) {
      const double* x = (g.*fields[blocks[b].first]).data();
      for (std::size_t k = lo; k < hi; ++k) y[k] += x[k];
    }
  });
}

std::size_t capacityBytes(const Tape& t) {
  return t.events.capacity() * sizeof(Tape::Event) + t.touches.capacity() * sizeof(Tape::Touch) +
         (t.slotEvent.capacity() + t.slotK.capacity()) * sizeof(std::int32_t) +
         t.pseudo.capacity() * sizeof(double) + t.layered.capacityBytes();
}
}  // namespace

std::vector<Tape> TapePool::take(std::size_t count) {
  std::vector<Tape> out;
  out.reserve(count);
  std::lock_guard<std::mutex> lock(mutex_);
  while (out.size() < count && !free_.empty()) {
    bytes_ -= capacityBytes(free_.back());
    out.push_back(std::move(free_.back()));
    free_.pop_back();
  }
  out.resize(count);
  return out;
}

void TapePool::give(std::vector<Tape>&& tapes) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& t : tapes) {
    const std::size_t b = capacityBytes(t);
    if (b == 0 || bytes_ + b > kMaxBytes) continue;  // dropped: its memory is freed
    t.clear();
    bytes_ += b;
    free_.push_back(std::move(t));
  }
  tapes.clear();
}

Batch::Batch(Network net, std::vector<InputSpikes> samples, Readout readout, TrialSpec trial,
             std::shared_ptr<TapePool> pool)
    : net_(std::move(net)),
      samples_(std::move(samples)),
      readout_(std::move(readout)),
      trial_(trial),
      pool_(std::move(pool)) {
  net_.validate();
  readout_.validate(net_.structure->n);
  trial_.validate();
  LayerPlan plan;
  trial_.engine = resolveEngine(*net_.structure, readout_, trial_.engine, &plan);
  for (std::size_t s = 0; s < samples_.size(); ++s) {
    try {
      samples_[s].validate(net_.structure->inputChannels());
    } catch (const Error& e) {
      throw Error(e.code(), "sample " + std::to_string(s) + ": " + e.what());
    }
  }
}

Batch::~Batch() {
  if (pool_) pool_->give(std::move(tapes_));
}

std::size_t Batch::tapeBytes() const {
  std::size_t bytes = 0;
  for (const auto& t : tapes_) {
    bytes += t.events.capacity() * sizeof(Tape::Event) +
             t.touches.capacity() * sizeof(Tape::Touch) + t.layered.capacityBytes();
  }
  return bytes;
}

void Batch::forward(unsigned threads, bool keepTapes, BatchForward* out) {
  const std::size_t B = samples_.size(), slots = readout_.totalCount();
  const auto n = static_cast<std::size_t>(net_.structure->n);
  threads = resolveThreads(threads, B);
  out->samples = B;
  out->slots = slots;
  out->outputTimes.assign(B * slots, 0.0);
  out->isPseudo.assign(B * slots, 0);
  out->inTrialEvents.assign(B, 0.0);
  if (pool_) pool_->give(std::move(tapes_));
  tapes_ =
      pool_ ? pool_->take(keepTapes ? B : threads) : std::vector<Tape>(keepTapes ? B : threads);
  haveTapes_ = false;
  std::vector<Simulator> sims(threads);
  std::vector<ForwardResult> results(threads);
  // Integer spike counts per worker; summing integers is order-independent.
  std::vector<std::vector<std::int64_t>> counts(threads, std::vector<std::int64_t>(2 * n, 0));
  std::vector<std::uint8_t> isReadout(n, 0);
  for (auto i : readout_.neurons) isReadout[static_cast<std::size_t>(i)] = 1;
  for (auto& sim : sims) {
    sim.setTrusted(true);
    sim.setWantState(false);  // a batch returns no states at T
  }
  parallelFor(B, threads, [&](std::size_t s, unsigned w) {
    Tape& tape = tapes_[keepTapes ? s : w];
    ForwardResult& r = results[w];
    try {
      sims[w].forward(net_, samples_[s], readout_, trial_, &tape, &r);
    } catch (const Error& e) {
      throw Error(e.code(), "sample " + std::to_string(s) + ": " + e.what());
    }
    storeSample(r, s, slots, isReadout, out, &counts[w]);
  });
  out->spikeCount.assign(n, 0.0);
  out->spikeCountFirst.assign(n, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    std::int64_t a = 0, b = 0;
    for (const auto& c : counts) {
      a += c[i];
      b += c[n + i];
    }
    out->spikeCount[i] = static_cast<double>(a);
    out->spikeCountFirst[i] = static_cast<double>(b);
  }
  if (keepTapes) {
    haveTapes_ = true;
  } else if (pool_) {
    pool_->give(std::move(tapes_));
  } else {
    tapes_.clear();
  }
}

void Batch::backward(const double* cot, unsigned threads, Gradient* grad) const {
  if (!haveTapes_) {
    throw Error(ErrorCode::kInternal, "backward() needs forward() with keepTapes first");
  }
  const NetworkStructure& st = *net_.structure;
  const std::size_t B = samples_.size(), slots = readout_.totalCount();
  const std::size_t m = st.trainableChannels.size();
  // Fixed chunks (independent of the thread count) keep the floating-point sum deterministic.
  const std::size_t chunks = std::min<std::size_t>(B, 16);
  std::vector<std::size_t> eventOffset(B + 1, 0);
  for (std::size_t s = 0; s < B; ++s) eventOffset[s + 1] = eventOffset[s] + samples_[s].events();
  grad->reset(st, 0);
  grad->inputTimes.assign(eventOffset[B], 0.0);
  if (B == 0) return;
  std::vector<Gradient> partial(chunks);
  // Per sample: the trainable input spikes' gradient, summed over the samples in order below.
  std::vector<double> trainable(B * m, 0.0);
  threads = resolveThreads(threads, chunks);
  std::vector<Simulator> sims(threads);
  parallelFor(chunks, threads, [&](std::size_t c, unsigned w) {
    Gradient& g = partial[c];
    g.reset(st, 0);
    const std::size_t lo = c * B / chunks, hi = (c + 1) * B / chunks;
    for (std::size_t s = lo; s < hi; ++s) {
      g.inputTimes.assign(samples_[s].events(), 0.0);
      g.trainableTimes.assign(m, 0.0);
      sims[w].backward(net_, samples_[s], readout_, trial_, tapes_[s], cot + s * slots, &g);
      std::copy(g.inputTimes.begin(), g.inputTimes.end(),
                grad->inputTimes.begin() + static_cast<std::ptrdiff_t>(eventOffset[s]));
      std::copy(g.trainableTimes.begin(), g.trainableTimes.end(),
                trainable.begin() + static_cast<std::ptrdiff_t>(s * m));
    }
  });
  addPartials(partial, threads, grad);
  for (std::size_t s = 0; s < B; ++s) {
    for (std::size_t k = 0; k < m; ++k) grad->trainableTimes[k] += trainable[s * m + k];
  }
}

double nativeLoss(const NativeLoss& loss, const double* t, std::size_t slots, std::int32_t y,
                  double T, std::size_t samples, double* cot) {
  // first_spike_cross_entropy, in the operations of its TypeScript form.
  double tMin = std::numeric_limits<double>::infinity();
  for (std::size_t k = 0; k < slots; ++k) tMin = std::min(tMin, t[k]);
  double z = 0.0;
  for (std::size_t k = 0; k < slots; ++k) {
    const double e = std::exp(tMin - t[k]);
    cot[k] = e;
    z += e;
  }
  const auto uy = static_cast<std::size_t>(y);
  const double ty = t[uy];
  const double gamma = loss.gamma;
  const double value = ty - tMin + std::log(z) + (gamma == 0.0 ? 0.0 : gamma * std::expm1(ty / T));
  const auto B = static_cast<double>(samples);
  for (std::size_t k = 0; k < slots; ++k) cot[k] = -cot[k] / z / B;
  cot[uy] += (1.0 + (gamma == 0.0 ? 0.0 : (gamma / T) * std::exp(ty / T))) / B;
  return value;
}

void Batch::forwardBackward(const NativeLoss& loss, const std::int32_t* labels, unsigned threads,
                            FusedStep* res) {
  const NetworkStructure& st = *net_.structure;
  const std::size_t B = samples_.size(), slots = readout_.totalCount();
  const auto n = static_cast<std::size_t>(st.n);
  const std::size_t m = st.trainableChannels.size();
  for (std::size_t s = 0; s < B; ++s) {
    if (labels[s] < 0 || static_cast<std::size_t>(labels[s]) >= slots) {
      throw Error(ErrorCode::kRange, "labels[" + std::to_string(s) + "] = " +
                                         std::to_string(labels[s]) + " is not an output slot");
    }
  }
  BatchForward* out = &res->forward;
  out->samples = B;
  out->slots = slots;
  out->outputTimes.assign(B * slots, 0.0);
  out->isPseudo.assign(B * slots, 0);
  out->inTrialEvents.assign(B, 0.0);
  res->lossPerSample.assign(B, 0.0);
  res->cotangent.assign(B * slots, 0.0);
  Gradient* grad = &res->grad;
  std::vector<std::size_t> eventOffset(B + 1, 0);
  for (std::size_t s = 0; s < B; ++s) eventOffset[s + 1] = eventOffset[s] + samples_[s].events();
  grad->reset(st, 0);
  grad->inputTimes.assign(eventOffset[B], 0.0);
  out->spikeCount.assign(n, 0.0);
  out->spikeCountFirst.assign(n, 0.0);
  if (B == 0) return;
  const std::size_t chunks = std::min<std::size_t>(B, 16);
  std::vector<Gradient> partial(chunks);
  std::vector<double> trainable(B * m, 0.0);
  threads = resolveThreads(threads, chunks);
  std::vector<Simulator> sims(threads);
  for (auto& sim : sims) {
    sim.setTrusted(true);
    sim.setWantState(false);
  }
  std::vector<Tape> tapes = pool_ ? pool_->take(threads) : std::vector<Tape>(threads);
  std::vector<ForwardResult> results(threads);
  std::vector<std::vector<std::int64_t>> counts(threads, std::vector<std::int64_t>(2 * n, 0));
  std::vector<std::uint8_t> isReadout(n, 0);
  for (auto i : readout_.neurons) isReadout[static_cast<std::size_t>(i)] = 1;
  parallelFor(chunks, threads, [&](std::size_t c, unsigned w) {
    Gradient& g = partial[c];
    g.reset(st, 0);
    const std::size_t lo = c * B / chunks, hi = (c + 1) * B / chunks;
    for (std::size_t s = lo; s < hi; ++s) {
      ForwardResult& r = results[w];
      try {
        sims[w].forward(net_, samples_[s], readout_, trial_, &tapes[w], &r);
      } catch (const Error& e) {
        throw Error(e.code(), "sample " + std::to_string(s) + ": " + e.what());
      }
      for (double x : r.outputTimes) {
        if (!std::isfinite(x)) {
          throw Error(ErrorCode::kNonFinite,
                      "sample " + std::to_string(s) + ": an output time is not finite");
        }
      }
      storeSample(r, s, slots, isReadout, out, &counts[w]);
      double* cot = res->cotangent.data() + s * slots;
      res->lossPerSample[s] =
          nativeLoss(loss, r.outputTimes.data(), slots, labels[s], trial_.T, B, cot);
      g.inputTimes.assign(samples_[s].events(), 0.0);
      g.trainableTimes.assign(m, 0.0);
      sims[w].backward(net_, samples_[s], readout_, trial_, tapes[w], cot, &g);
      std::copy(g.inputTimes.begin(), g.inputTimes.end(),
                grad->inputTimes.begin() + static_cast<std::ptrdiff_t>(eventOffset[s]));
      std::copy(g.trainableTimes.begin(), g.trainableTimes.end(),
                trainable.begin() + static_cast<std::ptrdiff_t>(s * m));
    }
  });
  if (pool_) pool_->give(std::move(tapes));
  addPartials(partial, threads, grad);
  for (std::size_t s = 0; s < B; ++s) {
    for (std::size_t k = 0; k < m; ++k) grad->trainableTimes[k] += trainable[s * m + k];
  }
  for (std::size_t i = 0; i < n; ++i) {
    std::int64_t a = 0, b = 0;
    for (const auto& cnt : counts) {
      a += cnt[i];
      b += cnt[n + i];
    }
    out->spikeCount[i] = static_cast<double>(a);
    out->spikeCountFirst[i] = static_cast<double>(b);
  }
}

}  // namespace spikegrad
