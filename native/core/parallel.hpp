// Data parallelism for batches: parallelFor over a persistent process-wide pool of helper
// threads (parallel.cc), with the lowest failing index's exception rethrown.
#pragma once

#include <cstddef>
#include <functional>

namespace spikegrad {

/// Runs fn(i, worker) for i in [0, count) on `threads` threads (0: all hardware threads);
/// worker in [0, threads) identifies the calling thread's workspace. Exceptions are collected
/// and the one of the lowest i is rethrown after all threads finished; items after a failed one
/// are not started (they cannot change which error is reported). The helper threads come from a
/// persistent process-wide pool (created lazily, reused by later calls, at most two per hardware
/// thread); a helper that cannot be created is not an error: fewer threads do the work.
void parallelFor(std::size_t count, unsigned threads,
                 const std::function<void(std::size_t, unsigned)>& fn);

/// The number of worker threads `threads` stands for (0 -> hardware concurrency), at most count.
unsigned resolveThreads(unsigned threads, std::size_t count);

}  // namespace spikegrad
