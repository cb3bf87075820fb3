#pragma once
// What `serve` answers from: one build's outputs, model and per-event texts, immutable once
// made, swapped in atomically by the live site. Filtered calendars and feeds
// (?topic=&tag=&location=&from=&to=) are assembled from the snapshot's per-event texts on
// demand and kept in one LRU cache bounded by bytes, shared by every snapshot of a server.
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "evfeed/model.hpp"
#include "evfeed/pipeline.hpp"
#include "evfeed/render.hpp"
#include "evfeed/resources.hpp"

namespace evfeed {

// A filtered output, normalized so that equivalent queries share one cache entry: names
// case-insensitive, dates at day resolution in the site's zone (from = the start of its
// day, to = the end of its day), so that `?from=` with every second of a day is one entry.
struct FilterQuery {
  std::string path;  // calendar.ics, rss.xml, atom.xml or feed.json
  std::string topic, tag, location;
  std::string from_day, to_day;  // "2024-01-31" in the site's zone, or empty
  SysSeconds from = SysSeconds::min();
  SysSeconds to = SysSeconds::max();
  // "calendar.ics?topic=service%20mesh&from=2024-01-31": the cache key, and the query of
  // the filtered calendar's own URL.
  std::string key() const;
};

enum class FilterParse { not_filtered, ok, invalid };
// Reads the filter of a request for `path`. not_filtered: no filter parameter (the query,
// if any, is ignored as on any static file). invalid: *error says why (400): an unknown
// parameter beside a filter, a repeated one, a bad date, a path that cannot be filtered.
FilterParse parse_filter(const std::string& path, std::string_view raw_query, const date::time_zone* zone,
                         FilterQuery& out, std::string* error);

// Least recently used filtered outputs within a byte budget (body + gzip). Entries of an
// older snapshot generation are dropped as soon as a newer one stores its first entry.
class FilterCache {
 public:
  static constexpr std::size_t default_budget = 64u << 20;
  explicit FilterCache(std::size_t budget_bytes = default_budget) : budget_(budget_bytes) {}
  std::shared_ptr<const Resource> find(std::uint64_t generation, const std::string& key);
  // Outputs larger than an eighth of the budget are not kept: they would evict everything.
  void insert(std::uint64_t generation, const std::string& key, std::shared_ptr<const Resource> resource);
  std::size_t bytes() const;
  std::size_t entries() const;
  std::size_t budget() const { return budget_; }

 private:
  struct Entry {
    std::string key;
    std::shared_ptr<const Resource> resource;
    std::size_t bytes;
  };
  void evict_to(std::size_t budget);
  const std::size_t budget_;
  mutable std::mutex mutex_;
  std::uint64_t generation_ = 0;
  std::list<Entry> lru_;  // most recent first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
  std::size_t bytes_ = 0;
};

// Everything one build produced, immutable once published to the server.
class SiteSnapshot {
 public:
  SiteSnapshot(Snapshot files, std::shared_ptr<const EventModel> model, SiteConfig site, Sequences seq,
               std::shared_ptr<const RenderCache> texts = nullptr, std::shared_ptr<FilterCache> filters = nullptr);
  const Snapshot& files() const { return files_; }
  const EventModel& model() const { return *model_; }
  const SiteConfig& site() const { return site_; }
  const Sequences& sequences() const { return seq_; }
  std::uint64_t generation() const { return generation_; }
  const date::time_zone* zone() const { return zone_; }
  const std::shared_ptr<const EventModel>& shared_model() const { return model_; }
  const std::shared_ptr<const RenderCache>& texts() const { return texts_; }
  FilterCache& filter_cache() const { return *filters_; }
  // The same model, texts, filter cache and generation with other files (gzip filled in,
  // problems changed): filtered outputs do not depend on the files.
  std::shared_ptr<const SiteSnapshot> with_files(Snapshot files) const;

  // A cached filtered output, or null.
  std::shared_ptr<const Resource> cached_filter(const FilterQuery& q) const;
  // Renders a filtered output from the per-event texts and caches it. Costs milliseconds to
  // a second on a large site: the server calls it off its I/O threads.
  std::shared_ptr<const Resource> render_filter(const FilterQuery& q) const;

 private:
  Snapshot files_;
  std::shared_ptr<const EventModel> model_;  // shared by the snapshots of one build
  SiteConfig site_;
  Sequences seq_;
  std::shared_ptr<const RenderCache> texts_;  // VEVENT and feed HTML of the model's events
  std::shared_ptr<FilterCache> filters_;
  std::uint64_t generation_;
  const date::time_zone* zone_;  // the site's zone, looked up once (filters read dates in it)
};

struct SnapshotInputs {
  std::shared_ptr<const EventModel> model;
  SiteConfig site;
  Sequences seq;
  SysSeconds now{};
  RenderReuse* reuse = nullptr;          // serve: reuse the previous build's texts and outputs
  std::shared_ptr<FilterCache> filters;  // null: a cache of its own
  size_t page_count = 0;
  std::vector<Diagnostic> problems;  // of the config and the pages
  std::string display_root;          // the site or content folder's parent: see display_path
  double build_seconds = 0;
};

// Renders every output of the model and assembles the snapshot: the one way serve, the
// tests and the fuzz target make one. Render diagnostics are added to problems.
std::shared_ptr<const SiteSnapshot> make_snapshot(SnapshotInputs in);

}  // namespace evfeed
