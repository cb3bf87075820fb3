#include "evfeed/handler.hpp"

#include <algorithm>
#include <cstdio>

#include "evfeed/text.hpp"

namespace evfeed {

SiteSnapshot::SiteSnapshot(Snapshot files, std::shared_ptr<const EventModel> model, SiteConfig site, Sequences seq)
    : files_(std::move(files)), model_(std::move(model)), site_(std::move(site)), seq_(std::move(seq)) {}

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

std::string http_date(SysSeconds t) {
  // Hand-formatted: date::format goes through an ostringstream, too slow per request.
  static const char* wdays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  auto day = date::floor<date::days>(t);
  date::year_month_day ymd{day};
  auto tod = date::make_time(t - day);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %04d %02d:%02d:%02d GMT", wdays[date::weekday{day}.c_encoding()],
                static_cast<unsigned>(ymd.day()), months[static_cast<unsigned>(ymd.month()) - 1], static_cast<int>(ymd.year()),
                static_cast<int>(tod.hours().count()), static_cast<int>(tod.minutes().count()),
                static_cast<int>(tod.seconds().count()));
  return buf;
}

bool parse_http_date(const std::string& s, SysSeconds& out) {
  // IMF-fixdate only ("Sun, 24 Nov 2019 05:00:00 GMT"), as RFC 7232 asks of caches.
  static const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char wday[4] = {}, mon[4] = {}, zone[4] = {};
  int d = 0, y = 0, h = 0, mi = 0, sec = 0, consumed = 0;
  if (std::sscanf(s.c_str(), "%3s, %d %3s %d %d:%d:%d %3s%n", wday, &d, mon, &y, &h, &mi, &sec, zone, &consumed) != 8 ||
      static_cast<size_t>(consumed) != s.size() || std::string(zone) != "GMT")
    return false;
  int m = 0;
  while (m < 12 && std::string(mon) != months[m]) ++m;
  date::year_month_day ymd{date::year{y}, date::month{static_cast<unsigned>(m + 1)}, date::day{static_cast<unsigned>(d)}};
  if (m == 12 || !ymd.ok() || h > 23 || mi > 59 || sec > 60) return false;
  out = SysSeconds{date::sys_days{ymd}} + std::chrono::hours{h} + std::chrono::minutes{mi} + Seconds{sec};
  return true;
}

bool accepts_gzip(const std::string& accept_encoding) {
  // "gzip", "gzip;q=0.5", "*" count; "gzip;q=0" refuses.
  for (const auto& part : split(accept_encoding, ',')) {
    auto fields = split(part, ';');
    std::string coding = to_lower_ascii(trim(fields[0]));
    if (coding != "gzip" && coding != "x-gzip" && coding != "*") continue;
    bool refused = false;
    for (size_t i = 1; i < fields.size(); ++i) {
      std::string p = trim(fields[i]);
      if (starts_with(p, "q=") || starts_with(p, "Q=")) {
        try {
          refused = std::stod(p.substr(2)) <= 0.0;
        } catch (const std::exception&) {
          refused = true;
        }
      }
    }
    if (!refused) return true;
  }
  return false;
}

std::string percent_decode(std::string_view s, bool* ok, bool plus_is_space) {
  std::string out;
  if (ok) *ok = true;
  auto hex = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; };
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) && hex(s[i + 2])) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else if (s[i] == '%') {
      if (ok) *ok = false;
      out += s[i];
    } else {
      out += plus_is_space && s[i] == '+' ? ' ' : s[i];
    }
  }
  return out;
}

std::map<std::string, std::string> parse_query(std::string_view q) {
  std::map<std::string, std::string> out;
  for (const auto& pair : split(q, '&')) {
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string k = percent_decode(pair.substr(0, eq), nullptr, true);
    std::string v = eq == std::string::npos ? "" : percent_decode(pair.substr(eq + 1), nullptr, true);
    out[k] = v;
  }
  return out;
}

namespace {

bool parse_bound(const std::string& s, const date::time_zone* zone, SysSeconds& out) {
  auto tv = parse_time(s);
  if (!tv) return false;
  out = tv->kind == TimeValue::Kind::instant ? tv->instant() : resolve_local(zone, tv->local).instant;
  return true;
}

}  // namespace

std::shared_ptr<const Resource> SiteSnapshot::filtered(const std::string& path, const std::map<std::string, std::string>& query,
                                                       std::string* error) const {
  static const char* filterable[] = {"calendar.ics", "rss.xml", "atom.xml", "feed.json"};
  if (std::find(std::begin(filterable), std::end(filterable), path) == std::end(filterable)) return nullptr;
  std::string key = path + "?";
  for (const char* k : {"topic", "tag", "location", "from", "to"}) {
    auto it = query.find(k);
    if (it != query.end()) key += std::string(k) + "=" + url_encode(it->second) + "&";  // encoded: no value can fake a '&'
  }
  {
    std::lock_guard<std::mutex> lock(cache_mutex_);
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
  }
  FeedSpec spec;
  auto get = [&](const char* k) {
    auto it = query.find(k);
    return it == query.end() ? std::string() : it->second;
  };
  if (!get("topic").empty()) spec.topics.push_back(get("topic"));
  if (!get("tag").empty()) spec.tags.push_back(get("tag"));
  if (!get("location").empty()) spec.locations.push_back(get("location"));
  const date::time_zone* zone = find_zone(site_.timezone);
  SysSeconds from = SysSeconds::min(), to = SysSeconds::max();
  if (!get("from").empty() && !parse_bound(get("from"), zone, from)) {
    if (error) *error = "from= must be a date like 2024-01-31 or 2024-01-31T10:00:00+08:00";
    return nullptr;
  }
  if (!get("to").empty() && !parse_bound(get("to"), zone, to)) {
    if (error) *error = "to= must be a date like 2024-12-31 or 2024-12-31T10:00:00+08:00";
    return nullptr;
  }
  bool any_filter = !spec.topics.empty() || !spec.tags.empty() || !spec.locations.empty();
  std::vector<const Event*> events;
  for (const auto& e : model_->events) {
    if (any_filter && !feed_matches(spec, e)) continue;
    if (e.end < from || e.start > to) continue;  // overlaps [from, to]
    events.push_back(&e);
  }
  SysSeconds updated{};
  for (const Event* e : events) updated = std::max(updated, e->updated);
  std::string body;
  std::string title = site_.title;
  if (path == "calendar.ics") {
    CalendarOptions opts{title, site_.description, site_.base_url + key.substr(0, key.size() - 1), false};
    body = render_calendar(events, site_, opts, seq_);
  } else {
    if (events.size() > site_.items_limit) events.resize(site_.items_limit);
    FeedInfo info{title, site_.description, "", site_.language, updated};
    body = path == "rss.xml" ? render_rss(events, site_, info) : path == "atom.xml" ? render_atom(events, site_, info)
                                                                                 : render_json_feed(events, site_, info);
  }
  auto r = std::make_shared<const Resource>(make_resource(path, std::move(body), updated));
  std::lock_guard<std::mutex> lock(cache_mutex_);
  if (cache_.size() < 512) cache_.emplace(key, r);  // bounded: arbitrary queries cannot grow memory
  return r;
}

namespace {

std::string json_str(const std::string& s) { return "\"" + json_escape(clean_utf8(s)) + "\""; }

HttpResponse text_response(int status, std::string body, std::string content_type = "text/plain; charset=utf-8") {
  HttpResponse r;
  r.status = status;
  r.text = std::move(body);
  r.headers.emplace_back("Content-Type", std::move(content_type));
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

HttpResponse healthz(const SiteSnapshot& snap, ServerMetrics& m) {
  const Snapshot& f = snap.files();
  std::string j = "{\"status\":" + json_str(m.last_reload_ok ? "ok" : "degraded") +
                  ",\"last_build\":" + json_str(format_rfc3339(f.built_at, Seconds{0})) +
                  ",\"build_seconds\":" + std::to_string(f.build_seconds) + ",\"events\":" + std::to_string(f.event_count) +
                  ",\"pages\":" + std::to_string(f.page_count) + ",\"reloads\":" + std::to_string(m.reloads.load()) +
                  ",\"last_reload_ok\":" + (m.last_reload_ok ? "true" : "false") + ",\"page_errors\":[";
  bool first = true;
  for (const auto& d : f.problems) {
    if (d.severity != Severity::error) continue;
    j += (first ? "" : ",") + json_str(format_diagnostic(d));
    first = false;
  }
  j += "]}\n";
  return text_response(200, std::move(j), "application/json");
}

HttpResponse metrics_page(const SiteSnapshot& snap, ServerMetrics& m) {
  std::string t;
  t += "# HELP evfeed_http_requests_total HTTP requests by route and status.\n# TYPE evfeed_http_requests_total counter\n";
  {
    for (const auto& [key, n] : m.requests())
      t += "evfeed_http_requests_total{route=\"" + key.first + "\",status=\"" + std::to_string(key.second) + "\"} " +
           std::to_string(n) + "\n";
  }
  t += "# HELP evfeed_http_response_bytes_total Body bytes sent.\n# TYPE evfeed_http_response_bytes_total counter\n";
  t += "evfeed_http_response_bytes_total " + std::to_string(m.bytes_sent.load()) + "\n";
  t += "# HELP evfeed_build_duration_seconds Duration of the last build.\n# TYPE evfeed_build_duration_seconds gauge\n";
  t += "evfeed_build_duration_seconds " + std::to_string(snap.files().build_seconds) + "\n";
  t += "# HELP evfeed_events Events in the current snapshot.\n# TYPE evfeed_events gauge\n";
  t += "evfeed_events " + std::to_string(snap.files().event_count) + "\n";
  t += "# HELP evfeed_page_errors Pages with errors in the last build.\n# TYPE evfeed_page_errors gauge\n";
  size_t errors = 0;
  for (const auto& d : snap.files().problems) errors += d.severity == Severity::error;
  t += "evfeed_page_errors " + std::to_string(errors) + "\n";
  t += "# HELP evfeed_reloads_total Rebuilds after content changes.\n# TYPE evfeed_reloads_total counter\n";
  t += "evfeed_reloads_total " + std::to_string(m.reloads.load()) + "\n";
  t += "# HELP evfeed_reload_failures_total Rebuilds that failed.\n# TYPE evfeed_reload_failures_total counter\n";
  t += "evfeed_reload_failures_total " + std::to_string(m.reload_failures.load()) + "\n";
  t += "# HELP evfeed_last_reload_success 1 when the last reload succeeded.\n# TYPE evfeed_last_reload_success gauge\n";
  t += "evfeed_last_reload_success " + std::to_string(m.last_reload_ok.load()) + "\n";
  t += "# HELP evfeed_connections_open Open client connections.\n# TYPE evfeed_connections_open gauge\n";
  t += "evfeed_connections_open " + std::to_string(m.connections_open.load()) + "\n";
  return text_response(200, std::move(t), "text/plain; version=0.0.4; charset=utf-8");
}

std::string route_of(const std::string& path) {
  if (starts_with(path, "events/")) return "/events/*";
  if (starts_with(path, "topics/")) return "/topics/*";
  size_t slash = path.find('/');
  if (slash != std::string::npos) return "/" + path.substr(0, slash) + "/*";  // language sets
  return "/" + path;
}

}  // namespace

HttpResponse handle_request(const HttpRequest& req, const SiteSnapshot& snap, ServerMetrics& metrics) {
  HttpResponse r;
  std::string target = req.target;
  std::string query;
  if (size_t q = target.find('?'); q != std::string::npos) {
    query = target.substr(q + 1);
    target.resize(q);
  }
  bool ok = true;
  std::string path = percent_decode(target, &ok, false);
  if (!ok || path.empty() || path[0] != '/' || path.find('\0') != std::string::npos) {
    r = text_response(400, "bad request target\n");
    r.route = "invalid";
    return r;
  }
  path.erase(0, 1);
  if (path.empty() || ends_with(path, "/")) path += "index.html";

  if (req.method != "GET" && req.method != "HEAD") {
    r = text_response(405, "method not allowed: use GET or HEAD\n");
    r.headers.emplace_back("Allow", "GET, HEAD");
    r.route = "other";
    return r;
  }
  bool head = req.method == "HEAD";
  if (path == "healthz" || path == "metrics") {
    r = path == "healthz" ? healthz(snap, metrics) : metrics_page(snap, metrics);
    r.route = "/" + path;
    r.head = head;
    return r;
  }

  std::shared_ptr<const Resource> res;
  auto params = parse_query(query);
  bool has_filter = false;
  for (const char* k : {"topic", "tag", "location", "from", "to"}) has_filter |= params.count(k) > 0;
  if (has_filter) {
    std::string error;
    res = snap.filtered(path, params, &error);
    if (!res && !error.empty()) {
      r = text_response(400, error + "\n");
      r.route = route_of(path);
      return r;
    }
  }
  if (!res) {
    auto it = snap.files().files.find(path);
    if (it != snap.files().files.end()) res = it->second;
  }
  if (!res) {
    r = text_response(404, "not found\n");
    r.route = "404";
    r.head = head;
    return r;
  }
  r.route = route_of(path);
  r.head = head;
  r.headers.emplace_back("Content-Type", res->content_type);
  // Each encoding is its own representation, so gzip gets its own strong ETag.
  bool gzip = !res->gzip.empty() && accepts_gzip(req.accept_encoding);
  std::string etag = gzip ? res->etag.substr(0, res->etag.size() - 1) + "-gz\"" : res->etag;
  // Never a Last-Modified after the build: pages dated in the future are not modified yet.
  SysSeconds last_modified = std::min(res->last_modified, snap.files().built_at);
  r.headers.emplace_back("ETag", etag);
  r.headers.emplace_back("Last-Modified", http_date(last_modified));
  r.headers.emplace_back("Cache-Control", snap.files().cache_control);
  r.headers.emplace_back("Vary", "Accept-Encoding");
  if (res->is_feed) r.headers.emplace_back("Access-Control-Allow-Origin", "*");

  // If-None-Match wins over If-Modified-Since (RFC 7232 3.3).
  bool not_modified = false;
  if (!req.if_none_match.empty()) {
    for (const auto& tag : split(req.if_none_match, ',')) {
      std::string t = trim(tag);
      if (starts_with(t, "W/")) t = t.substr(2);
      if (t == etag || t == "*") not_modified = true;
    }
  } else if (!req.if_modified_since.empty()) {
    SysSeconds since;
    if (parse_http_date(req.if_modified_since, since) && last_modified <= since) not_modified = true;
  }
  if (not_modified) {
    r.status = 304;
    return r;
  }
  r.resource = res;
  r.gzip = gzip;
  if (r.gzip) r.headers.emplace_back("Content-Encoding", "gzip");
  return r;
}

}  // namespace evfeed
