#pragma once
// Counters for /metrics and /healthz, all updated by the server: requests, bytes,
// connections, filtered renders, and the reloads the live site reports to it.
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace evfeed {

// Request counts are kept per thread (no lock shared between I/O threads) and summed when
// /metrics is read.
struct ServerMetrics {
  using RequestCounts = std::map<std::pair<std::string, int>, unsigned long long>;  // (route, status) -> count
  RequestCounts requests() const;
  std::atomic<unsigned long long> bytes_sent{0};
  std::atomic<unsigned long long> reloads{0};
  std::atomic<unsigned long long> reload_failures{0};
  std::atomic<int> last_reload_ok{1};
  std::atomic<long long> connections_open{0};
  std::atomic<unsigned long long> filter_renders{0};     // filtered outputs rendered (cache misses)
  std::atomic<unsigned long long> filter_rejections{0};  // 503s: render queue or bytes in flight full
  std::atomic<long long> filter_bytes_in_flight{0};      // filtered bodies being written to clients
  void count(const std::string& route, int status);
  // A rebuild of the live site: the first one sets only last_reload_ok.
  void record_reload(bool initial, bool ok);

 private:
  struct Shard {
    std::mutex mutex;  // taken by its own thread, and by /metrics now and then
    RequestCounts counts;
  };
  Shard& local_shard();
  mutable std::mutex shards_mutex_;
  std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace evfeed
