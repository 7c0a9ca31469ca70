// The engines' queue of network spikes: an indexed binary min-heap of predicted spike times,
// ordered by (time, neuron index) so that ties go to the lowest index (method.md 3.3). Only
// neurons whose prediction lies inside the trial are kept in the heap; an update costs O(log m)
// for m neurons due to spike before T. A neuron's slot in the heap lives in the caller's
// per-neuron record (Node::heapPos, -1 when absent), next to the state a touch reads anyway, so
// that an update of a neuron in a large network does not miss the cache on a separate array.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace spikegrad {

template <typename Node>
class SpikeQueue {
 public:
  /// Empties the queue and takes the neurons' records, whose heapPos must all be -1.
  void attach(Node* nodes) {
    heap_.clear();
    nodes_ = nodes;
  }
  /// Empties the queue (the neurons in it get heapPos -1).
  void clear() {
    for (const Entry& e : heap_) pos(e.i) = -1;
    heap_.clear();
  }

  /// Sets neuron i's predicted spike time; +infinity (or any time the caller wants ignored)
  /// removes it.
  void set(std::int32_t i, double t) {
    const std::int32_t at = pos(i);
    if (t == std::numeric_limits<double>::infinity()) {
      if (at >= 0) remove(static_cast<std::size_t>(at));
      return;
    }
    if (at < 0) {
      heap_.push_back({t, i});
      up(heap_.size() - 1);
      return;
    }
    const auto slot = static_cast<std::size_t>(at);
    const double old = heap_[slot].t;
    heap_[slot].t = t;
    if (t < old) {
      up(slot);
    } else {
      down(slot);
    }
  }

  /// The neuron that spikes next (lowest index among ties); only when topTime() < infinity.
  std::int32_t top() const { return heap_.front().i; }
  /// Its predicted spike time, or +infinity when the queue is empty.
  double topTime() const {
    return heap_.empty() ? std::numeric_limits<double>::infinity() : heap_.front().t;
  }

 private:
  /// A heap entry holds its key: a sift compares entries of the heap array itself, with no
  /// lookup per comparison in an array indexed by neuron (in a large network those lookups were
  /// cache misses, one per level).
  struct Entry {
    double t;
    std::int32_t i;
  };
  static bool less(const Entry& a, const Entry& b) {
    return a.t < b.t || (a.t == b.t && a.i < b.i);
  }
  void place(std::size_t slot, const Entry& e) {
    heap_[slot] = e;
    pos(e.i) = static_cast<std::int32_t>(slot);
  }
  void up(std::size_t slot) {
    const Entry e = heap_[slot];
    while (slot > 0) {
      const std::size_t parent = (slot - 1) / 2;
      if (!less(e, heap_[parent])) break;
      place(slot, heap_[parent]);
      slot = parent;
    }
    place(slot, e);
  }
  void down(std::size_t slot) {
    const Entry e = heap_[slot];
    const std::size_t size = heap_.size();
    for (;;) {
      std::size_t child = 2 * slot + 1;
      if (child >= size) break;
      if (child + 1 < size && less(heap_[child + 1], heap_[child])) ++child;
      if (!less(heap_[child], e)) break;
      place(slot, heap_[child]);
      slot = child;
    }
    place(slot, e);
  }
  void remove(std::size_t slot) {
    pos(heap_[slot].i) = -1;
    const Entry last = heap_.back();
    heap_.pop_back();
    if (slot < heap_.size()) {
      place(slot, last);
      up(slot);
      down(static_cast<std::size_t>(pos(last.i)));
    }
  }

  std::int32_t& pos(std::int32_t i) { return nodes_[static_cast<std::size_t>(i)].heapPos; }

  std::vector<Entry> heap_;  ///< (predicted spike time, neuron) in heap order
  Node* nodes_ = nullptr;    ///< the neurons' records: heapPos is the slot in heap_, -1 if absent
};

}  // namespace spikegrad
