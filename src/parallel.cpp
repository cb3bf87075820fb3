#include "evfeed/parallel.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace evfeed {

void run_workers(unsigned threads, const std::function<void()>& worker) {
  unsigned n = threads ? threads : std::max(1u, std::thread::hardware_concurrency());
  // An exception escaping a thread would call std::terminate: the first one is kept and
  // thrown again here, after every worker has finished.
  std::mutex mutex;
  std::exception_ptr first;
  auto guarded = [&] {
    try {
      worker();
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex);
      if (!first) first = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < n; ++t) pool.emplace_back(guarded);
  guarded();
  for (auto& t : pool) t.join();
  if (first) std::rethrow_exception(first);
}

void parallel_for(std::size_t count, unsigned threads, const std::function<void(std::size_t)>& body) {
  if (count == 0) return;
  unsigned n = threads ? threads : std::max(1u, std::thread::hardware_concurrency());
  std::atomic<std::size_t> next{0};
  run_workers(static_cast<unsigned>(std::min<std::size_t>(n, count)), [&] {
    for (std::size_t i; (i = next.fetch_add(1)) < count;) body(i);
  });
}

}  // namespace evfeed
