// The engines' queue of network spikes: an indexed binary min-heap of predicted spike times,
// ordered by (time, neuron index) so that ties go to the lowest index (method.md 3.3). Only
// neurons whose prediction lies inside the trial are kept in the heap; an update costs O(log m)
// for m neurons due to spike before T.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

namespace spikegrad {

class SpikeQueue {
 public:
  /// Empties the queue for neurons 0..n-1.
  void reset(std::int32_t n) {
    heap_.clear();
    pos_.assign(static_cast<std::size_t>(n), -1);
    key_.assign(static_cast<std::size_t>(n), std::numeric_limits<double>::infinity());
  }

  /// Sets neuron i's predicted spike time; +infinity (or any time the caller wants ignored)
  /// removes it.
  void set(std::int32_t i, double t) {
    const auto ui = static_cast<std::size_t>(i);
    const bool present = pos_[ui] >= 0;
    if (t == std::numeric_limits<double>::infinity()) {
      if (present) remove(ui);
      return;
    }
    const double old = key_[ui];
    key_[ui] = t;
    if (!present) {
      pos_[ui] = static_cast<std::int32_t>(heap_.size());
      heap_.push_back(i);
      up(heap_.size() - 1);
    } else if (t < old) {
      up(static_cast<std::size_t>(pos_[ui]));
    } else {
      down(static_cast<std::size_t>(pos_[ui]));
    }
  }

  /// The neuron that spikes next (lowest index among ties); only when topTime() < infinity.
  std::int32_t top() const { return heap_.front(); }
  /// Its predicted spike time, or +infinity when the queue is empty.
  double topTime() const {
    return heap_.empty() ? std::numeric_limits<double>::infinity()
                         : key_[static_cast<std::size_t>(heap_.front())];
  }

 private:
  bool less(std::int32_t a, std::int32_t b) const {
    const double ka = key_[static_cast<std::size_t>(a)], kb = key_[static_cast<std::size_t>(b)];
    return ka < kb || (ka == kb && a < b);
  }
  void place(std::size_t slot, std::int32_t i) {
    heap_[slot] = i;
    pos_[static_cast<std::size_t>(i)] = static_cast<std::int32_t>(slot);
  }
  void up(std::size_t slot) {
    const std::int32_t i = heap_[slot];
    while (slot > 0) {
      const std::size_t parent = (slot - 1) / 2;
      if (!less(i, heap_[parent])) break;
      place(slot, heap_[parent]);
      slot = parent;
    }
    place(slot, i);
  }
  void down(std::size_t slot) {
    const std::int32_t i = heap_[slot];
    const std::size_t size = heap_.size();
    for (;;) {
      std::size_t child = 2 * slot + 1;
      if (child >= size) break;
      if (child + 1 < size && less(heap_[child + 1], heap_[child])) ++child;
      if (!less(heap_[child], i)) break;
      place(slot, heap_[child]);
      slot = child;
    }
    place(slot, i);
  }
  void remove(std::size_t ui) {
    const auto slot = static_cast<std::size_t>(pos_[ui]);
    pos_[ui] = -1;
    key_[ui] = std::numeric_limits<double>::infinity();
    const std::int32_t last = heap_.back();
    heap_.pop_back();
    if (slot < heap_.size()) {
      place(slot, last);
      up(slot);
      down(static_cast<std::size_t>(pos_[static_cast<std::size_t>(last)]));
    }
  }

  std::vector<std::int32_t> heap_;  ///< neuron indices in heap order
  std::vector<std::int32_t> pos_;   ///< slot of each neuron in heap_, -1 when absent
  std::vector<double> key_;         ///< predicted spike time of each neuron in the heap
};

}  // namespace spikegrad
