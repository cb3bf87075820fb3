#include "evfeed/snapshot.hpp"

#include <algorithm>
#include <atomic>

#include "evfeed/recurrence.hpp"
#include "evfeed/text.hpp"

namespace evfeed {

namespace {

const char* const filterable_paths[] = {"calendar.ics", "rss.xml", "atom.xml", "feed.json"};
const char* const filter_names[] = {"topic", "tag", "location", "from", "to"};

std::atomic<std::uint64_t> next_generation{1};

// The start of the day holding `t` in `zone`, or the last second of it.
SysSeconds day_start(const date::time_zone* zone, SysSeconds t) {
  return resolve_local(zone, date::floor<date::days>(to_local(zone, t))).instant;
}
SysSeconds day_end(const date::time_zone* zone, SysSeconds t) {
  LocalSeconds next_day = date::floor<date::days>(to_local(zone, t)) + date::days{1};
  return resolve_local(zone, next_day).instant - Seconds{1};
}

bool parse_bound(const std::string& s, const date::time_zone* zone, SysSeconds& out) {
  auto tv = parse_time(s);
  if (!tv) return false;
  out = tv->kind == TimeValue::Kind::instant ? tv->instant() : resolve_local(zone, tv->local).instant;
  return true;
}

// What an entry holds: the bytes, the key twice (list and index) and the nodes around them.
std::size_t entry_bytes(const std::string& key, const Resource& r) {
  return r.body.size() + r.gzip.size() + r.path.size() + r.etag.size() + 2 * key.size() + 512;
}

constexpr std::size_t max_filter_value = 200;  // bytes of one decoded filter value

}  // namespace

std::string FilterQuery::key() const {
  // Values encoded (no topic can fake a separator) and lowercased (matching ignores case).
  std::string q;
  for (const auto& [name, value] : {std::pair<const char*, const std::string&>{"topic", topic},
                                    {"tag", tag},
                                    {"location", location},
                                    {"from", from_day},
                                    {"to", to_day}})
    if (!value.empty()) q += std::string(q.empty() ? "?" : "&") + name + "=" + url_encode(to_lower_ascii(value));
  return path + q;
}

FilterParse parse_filter(const std::string& path, std::string_view raw_query, const date::time_zone* zone,
                         FilterQuery& out, std::string* error) {
  auto fail = [&](std::string why) {
    if (error) *error = std::move(why);
    return FilterParse::invalid;
  };
  std::map<std::string, std::string> known;
  std::vector<std::string> unknown;
  for (const auto& pair : split(raw_query, '&')) {
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string name = to_lower_ascii(percent_decode(pair.substr(0, eq), nullptr, true));
    std::string value = eq == std::string::npos ? "" : percent_decode(pair.substr(eq + 1), nullptr, true);
    if (std::find(std::begin(filter_names), std::end(filter_names), name) == std::end(filter_names)) {
      unknown.push_back(name);
    } else if (value.size() > max_filter_value) {
      return fail(name + "= is longer than " + std::to_string(max_filter_value) + " bytes");
    } else if (!known.emplace(name, value).second) {
      return fail(name + "= is given twice");
    }
  }
  bool any_value = false;  // "?topic=" alone filters nothing: the whole output as it is
  for (const auto& [name, value] : known) any_value |= !value.empty();
  if (!any_value && unknown.empty()) return FilterParse::not_filtered;
  if (known.empty()) return FilterParse::not_filtered;
  if (std::find(std::begin(filterable_paths), std::end(filterable_paths), path) == std::end(filterable_paths))
    return FilterParse::not_filtered;  // only the site-wide outputs filter; others serve as they are
  if (!unknown.empty())
    return fail("unknown parameter " + unknown.front() + "=: filters are topic, tag, location, from and to");
  out = FilterQuery{};
  out.path = path;
  out.topic = known["topic"];
  out.tag = known["tag"];
  out.location = known["location"];
  if (!known["from"].empty()) {
    if (!parse_bound(known["from"], zone, out.from))
      return fail("from= must be a date like 2024-01-31 or 2024-01-31T10:00:00+08:00");
    out.from = day_start(zone, out.from);
    out.from_day = date::format("%F", date::floor<date::days>(to_local(zone, out.from)));
  }
  if (!known["to"].empty()) {
    if (!parse_bound(known["to"], zone, out.to))
      return fail("to= must be a date like 2024-12-31 or 2024-12-31T10:00:00+08:00");
    out.to = day_end(zone, out.to);
    out.to_day = date::format("%F", date::floor<date::days>(to_local(zone, out.to)));
  }
  return FilterParse::ok;
}

std::shared_ptr<const Resource> FilterCache::find(std::uint64_t generation, const std::string& key) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (generation != generation_) return nullptr;
  auto it = index_.find(key);
  if (it == index_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second);  // now the most recent
  return it->second->resource;
}

void FilterCache::insert(std::uint64_t generation, const std::string& key, std::shared_ptr<const Resource> resource) {
  std::size_t bytes = entry_bytes(key, *resource);
  if (bytes > budget_ / 8) return;
  std::lock_guard<std::mutex> lock(mutex_);
  if (generation < generation_) return;  // an older snapshot's answer: nobody will ask again
  if (generation > generation_) {        // a new build: every entry is stale
    generation_ = generation;
    evict_to(0);
  }
  if (index_.count(key)) return;
  evict_to(budget_ - bytes);
  lru_.push_front(Entry{key, std::move(resource), bytes});
  index_[key] = lru_.begin();
  bytes_ += bytes;
}

void FilterCache::evict_to(std::size_t budget) {
  while (bytes_ > budget && !lru_.empty()) {
    bytes_ -= lru_.back().bytes;
    index_.erase(lru_.back().key);
    lru_.pop_back();
  }
}

std::size_t FilterCache::bytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return bytes_;
}

std::size_t FilterCache::entries() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return lru_.size();
}

SiteSnapshot::SiteSnapshot(Snapshot files, std::shared_ptr<const EventModel> model, SiteConfig site, Sequences seq,
                           std::shared_ptr<const RenderCache> texts, std::shared_ptr<FilterCache> filters)
    : files_(std::move(files)),
      model_(std::move(model)),
      site_(std::move(site)),
      seq_(std::move(seq)),
      texts_(std::move(texts)),
      filters_(filters ? std::move(filters) : std::make_shared<FilterCache>()),
      generation_(next_generation++),
      zone_(find_zone(site_.timezone)) {}

std::shared_ptr<const SiteSnapshot> SiteSnapshot::with_files(Snapshot files) const {
  auto copy = std::make_shared<SiteSnapshot>(*this);
  copy->files_ = std::move(files);
  return copy;
}

std::shared_ptr<const Resource> SiteSnapshot::cached_filter(const FilterQuery& q) const {
  return filters_->find(generation_, q.key());
}

std::shared_ptr<const Resource> SiteSnapshot::render_filter(const FilterQuery& q) const {
  std::string key = q.key();
  if (auto hit = filters_->find(generation_, key)) return hit;
  FeedSpec spec;
  if (!q.topic.empty()) spec.topics.push_back(q.topic);
  if (!q.tag.empty()) spec.tags.push_back(q.tag);
  if (!q.location.empty()) spec.locations.push_back(q.location);
  bool any_filter = !spec.topics.empty() || !spec.tags.empty() || !spec.locations.empty();
  std::vector<const Event*> events;
  for (const auto& e : model_->events) {
    if (any_filter && !feed_matches(spec, e)) continue;
    // Overlaps [from, to]; ends are exclusive (an all-day event ends at the next midnight),
    // so an event ending exactly at `from` is over, unless it has no length at all.
    if (e.has_instances()) {  // a series is in the window when one of its occurrences is
      if (occurrences(e, q.from, q.to == SysSeconds::max() ? q.to : q.to + Seconds{1}, 1).empty()) continue;
    } else if (e.end < q.from || (e.end == q.from && e.end != e.start) || e.start > q.to) {
      continue;
    }
    events.push_back(&e);
  }
  SysSeconds updated = newest_update_before(events, files_.built_at);
  std::string body;
  if (q.path == "calendar.ics") {
    CalendarOptions opts{site_.title, site_.description, site_.base_url + key, false};
    body = render_calendar(events, site_, opts, seq_, texts_.get());
  } else {
    if (events.size() > site_.items_limit) events.resize(site_.items_limit);
    FeedInfo info{site_.title, site_.description, "", site_.language, updated};
    body = q.path == "rss.xml"    ? render_rss(events, site_, info, texts_.get())
           : q.path == "atom.xml" ? render_atom(events, site_, info, texts_.get())
                                  : render_json_feed(events, site_, info, texts_.get());
  }
  auto r = std::make_shared<const Resource>(make_resource(q.path, std::move(body), updated));
  filters_->insert(generation_, key, r);
  return r;
}

std::shared_ptr<const SiteSnapshot> make_snapshot(SnapshotInputs in) {
  RenderReuse local;
  RenderReuse& reuse = in.reuse ? *in.reuse : local;
  Diagnostics render_diags;
  Snapshot files;
  files.files = render_site_again(*in.model, in.site, in.seq, in.now, render_diags, reuse);
  files.built_at = in.now;
  files.event_count = in.model->events.size();
  files.page_count = in.page_count;
  files.cache_control = in.site.cache_control;
  files.display_root = std::move(in.display_root);
  files.problems = std::move(in.problems);
  for (auto& d : render_diags.items) files.problems.push_back(std::move(d));
  files.build_seconds = in.build_seconds;
  return std::make_shared<const SiteSnapshot>(std::move(files), std::move(in.model), std::move(in.site),
                                              std::move(in.seq), reuse.texts, std::move(in.filters));
}

}  // namespace evfeed
