#include "evfeed/parse_cache.hpp"

#include "evfeed/site_profile.hpp"

#include <filesystem>

#include "evfeed/publish.hpp"
#include "evfeed/resources.hpp"
#include "evfeed/text.hpp"
#include "evfeed/version.hpp"

namespace evfeed {

namespace {

constexpr const char* magic = "evfeed-parse-cache 2";

// Length-prefixed fields: "<len>:<bytes>" so any byte may appear in a value.
struct Writer {
  std::string out;
  void str(std::string_view s) {
    out += std::to_string(s.size());
    out += ':';
    out.append(s);
  }
  void num(long long v) { str(std::to_string(v)); }
  void list(const std::vector<std::string>& v) {
    num(static_cast<long long>(v.size()));
    for (const auto& s : v) str(s);
  }
  void diags(const std::vector<Diagnostic>& v) {
    num(static_cast<long long>(v.size()));
    for (const auto& d : v) {
      str(d.path);
      num(d.line);
      num(d.column);
      num(static_cast<int>(d.severity));
      str(d.message);
    }
  }
};

struct Reader {
  std::string_view in;
  size_t pos = 0;
  bool ok = true;
  std::string_view str() {
    size_t colon = in.find(':', pos);
    if (!ok || colon == std::string_view::npos) {
      ok = false;
      return {};
    }
    size_t len = 0;
    for (size_t i = pos; i < colon; ++i) {
      char c = in[i];
      if (c < '0' || c > '9') {
        ok = false;
        return {};
      }
      len = len * 10 + static_cast<size_t>(c - '0');
    }
    if (colon + 1 + len > in.size()) {
      ok = false;
      return {};
    }
    pos = colon + 1 + len;
    return in.substr(colon + 1, len);
  }
  long long num() {
    std::string_view s = str();
    if (!ok || s.empty()) {
      ok = false;
      return 0;
    }
    try {
      return std::stoll(std::string(s));
    } catch (const std::exception&) {
      ok = false;
      return 0;
    }
  }
  std::vector<std::string> list() {
    long long n = num();
    std::vector<std::string> v;
    for (long long i = 0; ok && i < n; ++i) v.emplace_back(str());
    return v;
  }
  std::vector<Diagnostic> diags() {
    long long n = num();
    std::vector<Diagnostic> v;
    for (long long i = 0; ok && i < n; ++i) {
      Diagnostic d;
      d.path = std::string(str());
      d.line = static_cast<int>(num());
      d.column = static_cast<int>(num());
      long long severity = num();
      d.severity = severity == 2 ? Severity::error : severity == 1 ? Severity::warning : Severity::note;
      d.message = std::string(str());
      v.push_back(std::move(d));
    }
    return v;
  }
};

long long secs(SysSeconds t) { return t.time_since_epoch().count(); }
long long days(date::local_days d) { return d.time_since_epoch().count(); }

}  // namespace

std::string serialize_event(const Event& e) {
  Writer w;
  for (const std::string* s : {&e.identity, &e.lang, &e.source_path, &e.title, &e.summary, &e.body_markdown, &e.url,
                               &e.image, &e.location, &e.fee, &e.sponsor, &e.signup_url, &e.end_source})
    w.str(*s);
  w.list(e.topics);
  w.list(e.tags);
  w.num(static_cast<long long>(e.speakers.size()));
  for (const auto& s : e.speakers) {
    w.str(s.name);
    w.str(s.designation);
    w.str(s.url);
  }
  w.num(static_cast<int>(e.status));
  w.str(e.zone_name());
  w.num(e.all_day);
  w.num(secs(e.start));
  w.num(secs(e.end));
  w.num(days(e.start_day));
  w.num(days(e.end_day));
  w.num(secs(e.updated));
  w.num(e.draft);
  w.num(e.publish_date ? 1 : 0);
  w.num(e.publish_date ? secs(*e.publish_date) : 0);
  w.num(e.expiry_date ? 1 : 0);
  w.num(e.expiry_date ? secs(*e.expiry_date) : 0);
  return w.out;
}

bool deserialize_event(std::string_view text, Event& e) {
  Reader r{text};
  e = Event{};
  for (std::string* s : {&e.identity, &e.lang, &e.source_path, &e.title, &e.summary, &e.body_markdown, &e.url, &e.image,
                         &e.location, &e.fee, &e.sponsor, &e.signup_url, &e.end_source})
    *s = std::string(r.str());
  e.topics = r.list();
  e.tags = r.list();
  long long n = r.num();
  for (long long i = 0; r.ok && i < n; ++i) {
    Speaker s;
    s.name = std::string(r.str());
    s.designation = std::string(r.str());
    s.url = std::string(r.str());
    e.speakers.push_back(std::move(s));
  }
  long long status = r.num();
  if (status < 0 || status > 2) return false;
  e.status = static_cast<EventStatus>(status);
  e.zone = find_zone(r.str());
  if (!e.zone) return false;
  e.all_day = r.num() != 0;
  e.start = SysSeconds{Seconds{r.num()}};
  e.end = SysSeconds{Seconds{r.num()}};
  e.start_day = date::local_days{date::days{r.num()}};
  e.end_day = date::local_days{date::days{r.num()}};
  e.updated = SysSeconds{Seconds{r.num()}};
  e.draft = r.num() != 0;
  bool has_pub = r.num() != 0;
  long long pub = r.num();
  if (has_pub) e.publish_date = SysSeconds{Seconds{pub}};
  bool has_exp = r.num() != 0;
  long long exp = r.num();
  if (has_exp) e.expiry_date = SysSeconds{Seconds{exp}};
  return r.ok && r.pos == text.size();
}

namespace {

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
  for (const std::string* s : {&c.title, &c.description, &c.base_url, &c.language, &c.timezone, &c.author, &c.cache_control})
    w.str(*s);
  w.num(c.default_duration.count());
  w.num(static_cast<long long>(c.items_limit));
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
    if (e.expiry_date) consider(*e.expiry_date);
    if (site.window_past_days > 0) consider(e.end + date::days{site.window_past_days});
  }
  return until;
}

const CachedPage* ParseCache::find(const std::string& path) const {
  auto it = pages_.find(path);
  return it == pages_.end() ? nullptr : &it->second;
}

}  // namespace evfeed
