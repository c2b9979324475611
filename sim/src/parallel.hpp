// parallel.hpp — a minimal parallel-for over independent batch elements. Each worker gets its
// own index so it can own scratch (a State); results never depend on the thread count.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <exception>
#include <thread>
#include <vector>

namespace sim {

inline int hardwareThreads() {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : (int)n;
}

/// Number of workers for `count` items of roughly `costPerItem` flops, capped by `requested`
/// (<= 0: every core). Small jobs stay on the calling thread: spawning costs ~20 µs a thread.
inline int workerCount(int64_t count, double costPerItem, int requested) {
  int n = requested <= 0 ? hardwareThreads() : requested;
  if (count * costPerItem < 2e5) n = 1;
  return (int)std::max<int64_t>(1, std::min<int64_t>(n, count));
}

/// Calls body(worker, item) for item in [0, count) on `workers` threads (dynamic schedule).
/// The first exception thrown by any worker is rethrown on the caller's thread.
template <class Body>
void parallelFor(int64_t count, int workers, Body body) {
  if (workers <= 1) {
    for (int64_t i = 0; i < count; ++i) body(0, i);
    return;
  }
  std::atomic<int64_t> next{0};
  std::exception_ptr error;
  std::atomic<bool> failed{false};
  auto run = [&](int worker) {
    try {
      for (int64_t i; !failed.load(std::memory_order_relaxed) && (i = next.fetch_add(1)) < count;)
        body(worker, i);
    } catch (...) {
      if (!failed.exchange(true)) error = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(workers - 1);
  for (int w = 1; w < workers; ++w) pool.emplace_back(run, w);
  run(0);
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace sim
