// The process-wide pool of helper threads behind parallelFor (parallel.hpp).
#include "core/parallel.hpp"

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace spikegrad {

unsigned resolveThreads(unsigned threads, std::size_t count) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  return static_cast<unsigned>(std::max<std::size_t>(1, std::min<std::size_t>(threads, count)));
}

namespace {
// A persistent pool of helper threads. A parallelFor call borrows idle helpers (creating more only
// when none are idle, so threads are created once and reused by every later call), runs the work
// on them and on the calling thread, and gives them back when all of them are done. Concurrent
// calls (several async batches) each borrow their own helpers. The pool is never destroyed: its
// idle helpers wait on their condition variable until the process exits (no join at exit).
class HelperPool {
 public:
  struct Helper {
    std::mutex m;
    std::condition_variable cv;
    std::function<void()> task;  // set by the borrower; empty when idle
    bool done = true;
  };

  static HelperPool& instance() {
    static HelperPool* pool = new HelperPool();  // leaked on purpose: no destructor at exit
    return *pool;
  }

  /// Up to `count` helpers, idle ones first, then new ones; fewer when a thread cannot be created.
  std::vector<Helper*> borrow(unsigned count) {
    std::vector<Helper*> out;
    out.reserve(count);  // before any helper is taken: pushing one back cannot throw
    {
      std::lock_guard<std::mutex> lock(mutex_);
      while (out.size() < count && !idle_.empty()) {
        out.push_back(idle_.back());
        idle_.pop_back();
      }
    }
    // At most kPerCore persistent helpers per hardware thread: more threads than cores do not
    // make a batch faster, and every helper keeps its stack's address space for the rest of the
    // process (under `ulimit -v` a pool of 1024 would leave none for libuv's own threads).
    const std::size_t cap = kPerCore * std::max(1u, std::thread::hardware_concurrency());
    while (out.size() < count) {
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (live_ >= cap) break;
        ++live_;
      }
      Helper* h = nullptr;
      try {
        h = new Helper();
        std::thread([h] { loop(h); }).detach();
      } catch (const std::exception&) {
        // A helper that cannot be created (no memory for it, no address space for its thread's
        // stack, a process limit) is not an error: the helpers already borrowed and the calling
        // thread do the work.
        delete h;
        std::lock_guard<std::mutex> lock(mutex_);
        --live_;
        break;
      }
      out.push_back(h);  // never reallocates: reserved above
    }
    return out;
  }

  void giveBack(const std::vector<Helper*>& helpers) {
    std::lock_guard<std::mutex> lock(mutex_);
    idle_.insert(idle_.end(), helpers.begin(), helpers.end());
  }

  static void run(Helper* h, std::function<void()> task) {
    {
      std::lock_guard<std::mutex> lock(h->m);
      h->task = std::move(task);
      h->done = false;
    }
    h->cv.notify_all();
  }

  static void wait(Helper* h) {
    std::unique_lock<std::mutex> lock(h->m);
    h->cv.wait(lock, [h] { return h->done; });
  }

 private:
  static void loop(Helper* h) {
    for (;;) {
      std::function<void()> task;
      {
        std::unique_lock<std::mutex> lock(h->m);
        h->cv.wait(lock, [h] { return static_cast<bool>(h->task); });
        task = std::move(h->task);
        h->task = nullptr;
      }
      task();  // never throws: the work loop catches everything
      {
        std::lock_guard<std::mutex> lock(h->m);
        h->done = true;
      }
      h->cv.notify_all();
    }
  }

  static constexpr std::size_t kPerCore = 2;
  std::mutex mutex_;
  std::vector<Helper*> idle_;
  std::size_t live_ = 0;  // helpers created (idle or borrowed)
};
}  // namespace

void parallelFor(std::size_t count, unsigned threads,
                 const std::function<void(std::size_t, unsigned)>& fn) {
  threads = resolveThreads(threads, count);
  std::mutex mutex;
  std::size_t next = 0;
  std::size_t failedAt = count;
  std::exception_ptr failure;
  auto work = [&](unsigned worker) {
    for (;;) {
      std::size_t i;
      {
        std::lock_guard<std::mutex> lock(mutex);
        // After a failure only items before it still run: they may fail first, and the lowest
        // failing index is reported; the work after a failure is not done.
        if (next >= count || next > failedAt) return;
        i = next++;
      }
      try {
        fn(i, worker);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex);
        if (i < failedAt) {
          failedAt = i;
          failure = std::current_exception();
        }
      }
    }
  };
  if (threads <= 1) {
    work(0);
  } else {
    HelperPool& pool = HelperPool::instance();
    const std::vector<HelperPool::Helper*> helpers = pool.borrow(threads - 1);
    for (std::size_t w = 0; w < helpers.size(); ++w) {
      const auto id = static_cast<unsigned>(w + 1);
      HelperPool::run(helpers[w], [&work, id] { work(id); });
    }
    work(0);
    for (auto* h : helpers) HelperPool::wait(h);
    pool.giveBack(helpers);
  }
  if (failure) std::rethrow_exception(failure);
}

}  // namespace spikegrad
