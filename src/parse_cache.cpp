#include "evfeed/parse_cache.hpp"

#include <filesystem>

#include "evfeed/event_codec.hpp"
#include "evfeed/fsutil.hpp"
#include "evfeed/publish.hpp"
#include "evfeed/recurrence.hpp"
#include "evfeed/resources.hpp"
#include "evfeed/site_profile.hpp"
#include "evfeed/text.hpp"
#include "evfeed/version.hpp"

namespace evfeed {

namespace {

constexpr const char* magic = "evfeed-parse-cache 4";
using Writer = CodecWriter;
using Reader = CodecReader;

// Size and mtime of the running binary: any rebuild of evfeed (not only a version bump)
// invalidates the caches.
std::string binary_identity() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "unknown";
  auto size = std::filesystem::file_size(exe, ec);
  auto mtime = std::filesystem::last_write_time(exe, ec);
  return std::to_string(size) + "@" + std::to_string(mtime.time_since_epoch().count());
}

}  // namespace

std::string config_fingerprint(const SiteConfig& c) {
  Writer w;
  w.str(EVFEED_VERSION);
  static const std::string binary = binary_identity();
  w.str(binary);
  for (const std::string* s :
       {&c.title, &c.description, &c.base_url, &c.language, &c.timezone, &c.author, &c.cache_control})
    w.str(*s);
  w.num(c.default_duration.count());
  w.num(static_cast<long long>(c.items_limit));
  w.num(static_cast<long long>(c.index_upcoming));
  w.num(static_cast<long long>(c.index_past));
  w.num(c.refresh_interval.count());
  w.num(c.alarm_before.count());
  w.num(c.window_past_days);
  for (const auto& [k, v] : c.fields) {
    w.str(k);
    w.str(v);
  }
  for (const auto& f : c.feeds) {
    w.str(f.slug);
    w.str(f.title);
    w.list(f.topics);
    w.list(f.tags);
    w.list(f.locations);
  }
  w.str(c.uid_domain);
  w.str(c.profile ? c.profile->fingerprint : std::string());
  w.num(c.include_drafts);
  w.num(c.include_future);
  w.num(c.include_expired);
  w.str(date::get_tzdb().version);  // new tzdata can move cached instants
  return content_hash_hex(w.out);
}

ParseCache ParseCache::load(const std::string& path, const std::string& config_fp) {
  ParseCache cache;
  cache.config_fp_ = config_fp;
  std::string text;
  if (!read_whole_file(path, text)) return cache;
  Reader r{text};
  if (r.str() != magic || r.str() != EVFEED_VERSION || r.str() != config_fp) return cache;
  long long n = r.num();
  for (long long i = 0; r.ok && i < n; ++i) {
    CachedPage p;
    p.file.path = std::string(r.str());
    p.file.rel_path = std::string(r.str());
    p.file.size = r.num();
    p.file.mtime_ns = r.num();
    p.content_hash = std::string(r.str());
    p.ok = r.num() != 0;
    if (p.ok) {
      auto e = std::make_shared<Event>();
      if (!deserialize_event(r.str(), *e)) {
        ParseCache empty;
        empty.config_fp_ = config_fp;
        return empty;
      }
      p.event = std::move(e);
    }
    p.diags = r.diags();
    if (r.ok) cache.pages_[p.file.path] = std::move(p);
  }
  if (!r.ok) {  // a damaged cache is just a cold build
    ParseCache empty;
    empty.config_fp_ = config_fp;
    return empty;
  }
  return cache;
}

bool ParseCache::save(const std::string& path, Diagnostics& diags) const {
  Writer w;
  w.str(magic);
  w.str(EVFEED_VERSION);
  w.str(config_fp_);
  w.num(static_cast<long long>(pages_.size()));
  for (const auto& [key, p] : pages_) {
    w.str(p.file.path);
    w.str(p.file.rel_path);
    w.num(p.file.size);
    w.num(p.file.mtime_ns);
    w.str(p.content_hash);
    w.num(p.ok);
    if (p.ok) w.str(serialize_event(*p.event));
    w.diags(p.diags);
  }
  // Not flushed on its own (0.1-0.2 s for a 10k-page site): load() rejects a damaged
  // file, and the build's syncfs flushes this one with the outputs.
  return write_file_atomic(path, w.out, nullptr, diags, /*durable=*/false);
}

std::string serialize_index(const BuildIndex& index) {
  Writer w;
  w.str("evfeed-index 1");
  w.str(EVFEED_VERSION);
  w.str(index.config_fp);
  w.num(index.valid_until.time_since_epoch().count());
  w.num(static_cast<long long>(index.events));
  w.num(static_cast<long long>(index.files.size()));
  for (const auto& f : index.files) {
    w.str(f.path);
    w.str(f.rel_path);
    w.num(f.size);
    w.num(f.mtime_ns);
  }
  w.diags(index.diags);
  return w.out;
}

bool parse_index(const std::string& text, BuildIndex& index) {
  Reader r{text};
  if (r.str() != "evfeed-index 1" || r.str() != EVFEED_VERSION) return false;
  index = BuildIndex{};
  index.config_fp = std::string(r.str());
  index.valid_until = SysSeconds{Seconds{r.num()}};
  index.events = static_cast<size_t>(r.num());
  long long n = r.num();
  for (long long i = 0; r.ok && i < n; ++i) {
    SourceFile f;
    f.path = std::string(r.str());
    f.rel_path = std::string(r.str());
    f.size = r.num();
    f.mtime_ns = r.num();
    index.files.push_back(std::move(f));
  }
  index.diags = r.diags();
  return r.ok && r.pos == text.size();
}

bool same_inputs(const BuildIndex& index, const std::vector<SourceFile>& files) {
  if (index.files.size() != files.size()) return false;
  for (size_t i = 0; i < files.size(); ++i) {
    const auto& a = index.files[i];
    const auto& b = files[i];
    if (a.path != b.path || a.rel_path != b.rel_path || a.size != b.size || a.mtime_ns != b.mtime_ns) return false;
  }
  return true;
}

SysSeconds decisions_valid_until(const std::vector<Event>& built, const SiteConfig& site, SysSeconds now) {
  SysSeconds until = SysSeconds::max();
  auto consider = [&](SysSeconds t) {
    if (t > now && t < until) until = t;
  };
  for (const auto& e : built) {
    if (e.publish_date) consider(*e.publish_date);
    consider(e.updated);  // feed dates are capped at the build time until then
    if (e.expiry_date) consider(*e.expiry_date);
    if (site.window_past_days > 0) {
      SysSeconds end = e.has_instances() ? last_end(e) : e.end;
      if (end != SysSeconds::max()) consider(end + date::days{site.window_past_days});
    }
    // index.html sorts events into upcoming and past at the build: it changes when one ends
    // (for a series, when the occurrence it shows ends and the next is shown).
    consider(e.has_instances() ? shown_occurrence(e, now).end : e.end);
  }
  return until;
}

const CachedPage* ParseCache::find(const std::string& path) const {
  auto it = pages_.find(path);
  return it == pages_.end() ? nullptr : &it->second;
}

}  // namespace evfeed
