#pragma once
// The HTTP request handler: a function of (request, snapshot) with no sockets and no
// file system, so it is tested without a server. Paths resolve only inside the
// in-memory snapshot.
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "evfeed/model.hpp"
#include "evfeed/render.hpp"
#include "evfeed/resources.hpp"

namespace evfeed {

// Everything one build produced, immutable once published to the server.
class SiteSnapshot {
 public:
  SiteSnapshot(Snapshot files, std::shared_ptr<const EventModel> model, SiteConfig site, Sequences seq);
  const Snapshot& files() const { return files_; }
  const EventModel& model() const { return *model_; }
  const std::shared_ptr<const EventModel>& shared_model() const { return model_; }
  const SiteConfig& site() const { return site_; }
  const Sequences& sequences() const { return seq_; }
  // A filtered calendar or feed (?topic=&tag=&location=&from=&to=), rendered once per
  // snapshot and cached; nullptr when `path` cannot be filtered or the query is invalid.
  std::shared_ptr<const Resource> filtered(const std::string& path, const std::map<std::string, std::string>& query,
                                           std::string* error) const;

 private:
  Snapshot files_;
  std::shared_ptr<const EventModel> model_;  // shared by the snapshots of one build
  SiteConfig site_;
  Sequences seq_;
  mutable std::mutex cache_mutex_;
  mutable std::map<std::string, std::shared_ptr<const Resource>> cache_;
};

// Counters for /metrics, updated by the connection code. Request counts are kept per
// thread (no lock shared between I/O threads) and summed when /metrics is read.
struct ServerMetrics {
  using RequestCounts = std::map<std::pair<std::string, int>, unsigned long long>;  // (route, status) -> count
  RequestCounts requests() const;
  std::atomic<unsigned long long> bytes_sent{0};
  std::atomic<unsigned long long> reloads{0};
  std::atomic<unsigned long long> reload_failures{0};
  std::atomic<int> last_reload_ok{1};
  std::atomic<long long> connections_open{0};
  void count(const std::string& route, int status);

 private:
  struct Shard {
    std::mutex mutex;  // taken by its own thread, and by /metrics now and then
    RequestCounts counts;
  };
  Shard& local_shard();
  mutable std::mutex shards_mutex_;
  std::vector<std::unique_ptr<Shard>> shards_;
};

struct HttpRequest {
  std::string method;
  std::string target;  // "/calendar.ics?topic=x"
  std::string if_none_match;
  std::string if_modified_since;
  std::string accept_encoding;
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::shared_ptr<const Resource> resource;  // body from the snapshot (no copy)
  bool gzip = false;                         // send resource->gzip instead of ->body
  std::string text;                          // body when there is no resource
  bool head = false;                         // HEAD: headers only
  std::string route;                         // for metrics: "/calendar.ics", "/events/*", "404"
  std::string_view body() const {
    if (resource) return gzip ? std::string_view(resource->gzip) : std::string_view(resource->body);
    return text;
  }
};

HttpResponse handle_request(const HttpRequest& req, const SiteSnapshot& snap, ServerMetrics& metrics);

std::string http_date(SysSeconds t);                         // "Sun, 24 Nov 2019 05:00:00 GMT"
bool parse_http_date(const std::string& s, SysSeconds& out);  // RFC 7231 IMF-fixdate
bool accepts_gzip(const std::string& accept_encoding);
std::string percent_decode(std::string_view s, bool* ok, bool plus_is_space);
std::map<std::string, std::string> parse_query(std::string_view q);

}  // namespace evfeed
