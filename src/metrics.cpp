#include "evfeed/metrics.hpp"

namespace evfeed {

ServerMetrics::Shard& ServerMetrics::local_shard() {
  thread_local const ServerMetrics* owner = nullptr;
  thread_local Shard* shard = nullptr;
  if (owner != this) {
    std::lock_guard<std::mutex> lock(shards_mutex_);
    shards_.push_back(std::make_unique<Shard>());
    shard = shards_.back().get();
    owner = this;
  }
  return *shard;
}

void ServerMetrics::record_reload(bool initial, bool ok) {
  if (!initial) {
    ++reloads;
    if (!ok) ++reload_failures;
  }
  last_reload_ok = ok ? 1 : 0;
}

void ServerMetrics::count(const std::string& route, int status) {
  Shard& s = local_shard();
  std::lock_guard<std::mutex> lock(s.mutex);
  ++s.counts[{route, status}];
}

ServerMetrics::RequestCounts ServerMetrics::requests() const {
  RequestCounts sum;
  std::lock_guard<std::mutex> lock(shards_mutex_);
  for (const auto& shard : shards_) {
    std::lock_guard<std::mutex> shard_lock(shard->mutex);
    for (const auto& [key, n] : shard->counts) sum[key] += n;
  }
  return sum;
}

}  // namespace evfeed
