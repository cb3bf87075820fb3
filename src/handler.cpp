#include "evfeed/handler.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "evfeed/text.hpp"

namespace evfeed {

std::string http_date(SysSeconds t) {
  // Hand-formatted: date::format goes through an ostringstream, too slow per request.
  static const char* wdays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  auto day = date::floor<date::days>(t);
  date::year_month_day ymd{day};
  auto tod = date::make_time(t - day);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %04d %02d:%02d:%02d GMT", wdays[date::weekday{day}.c_encoding()],
                static_cast<unsigned>(ymd.day()), months[static_cast<unsigned>(ymd.month()) - 1],
                static_cast<int>(ymd.year()), static_cast<int>(tod.hours().count()),
                static_cast<int>(tod.minutes().count()), static_cast<int>(tod.seconds().count()));
  return buf;
}

bool parse_http_date(const std::string& s, SysSeconds& out) {
  static const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char wday[16] = {}, mon[4] = {}, zone[4] = {};
  int d = 0, y = 0, h = 0, mi = 0, sec = 0, consumed = 0;
  const char* c = s.c_str();
  bool parsed =
      // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
      (std::sscanf(c, "%3[A-Za-z], %2d %3[A-Za-z] %4d %2d:%2d:%2d %3[A-Z]%n", wday, &d, mon, &y, &h, &mi, &sec, zone,
                   &consumed) == 8 &&
       static_cast<size_t>(consumed) == s.size()) ||
      // RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT" (two-digit year: RFC 9110 says within 50 years)
      (std::sscanf(c, "%15[A-Za-z], %2d-%3[A-Za-z]-%2d %2d:%2d:%2d %3[A-Z]%n", wday, &d, mon, &y, &h, &mi, &sec, zone,
                   &consumed) == 8 &&
       static_cast<size_t>(consumed) == s.size() && (y += y < 70 ? 2000 : 1900)) ||
      // asctime: "Sun Nov  6 08:49:37 1994"
      (std::sscanf(c, "%3[A-Za-z] %3[A-Za-z] %2d %2d:%2d:%2d %4d%n", wday, mon, &d, &h, &mi, &sec, &y, &consumed) ==
           7 &&
       static_cast<size_t>(consumed) == s.size() && std::snprintf(zone, sizeof zone, "GMT") > 0);
  if (!parsed || std::string(zone) != "GMT" || y < 1 || y > 9999) return false;
  // sscanf's %d takes signs: "-1:-1:-1" is no time. A '-' is only a separator (RFC 850).
  for (size_t i = 0; i < s.size(); ++i)
    if (s[i] == '+' || (s[i] == '-' && (i == 0 || !std::isalnum(static_cast<unsigned char>(s[i - 1]))))) return false;
  int m = 0;
  while (m < 12 && std::string(mon) != months[m]) ++m;
  if (m == 12) return false;
  date::year_month_day ymd{date::year{y}, date::month{static_cast<unsigned>(m + 1)},
                           date::day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || d < 1 || h < 0 || mi < 0 || sec < 0 || h > 23 || mi > 59 || sec > 60) return false;
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
  nlohmann::ordered_json j;  // ordered: the keys in the order monitoring scripts have seen
  j["status"] = m.last_reload_ok ? "ok" : "degraded";
  j["last_build"] = format_rfc3339(f.built_at, Seconds{0});
  j["build_seconds"] = f.build_seconds;
  j["events"] = f.event_count;
  j["pages"] = f.page_count;
  j["reloads"] = m.reloads.load();
  j["last_reload_ok"] = m.last_reload_ok.load() != 0;
  auto& errors = j["page_errors"] = nlohmann::ordered_json::array();
  for (const auto& d : f.problems) {
    if (d.severity != Severity::error) continue;
    Diagnostic shown = d;
    shown.path = display_path(d.path, f.display_root);
    errors.push_back(format_diagnostic(shown));
  }
  // A file name is bytes: invalid UTF-8 becomes U+FFFD instead of an exception.
  return text_response(200, j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n",
                       "application/json");
}

HttpResponse metrics_page(const SiteSnapshot& snap, ServerMetrics& m) {
  std::string t;
  t += "# HELP evfeed_http_requests_total HTTP requests by route and status.\n# TYPE evfeed_http_requests_total "
       "counter\n";
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
  t += "# HELP evfeed_filter_cache_bytes Bytes held by the cache of filtered outputs.\n# TYPE "
       "evfeed_filter_cache_bytes gauge\n";
  t += "evfeed_filter_cache_bytes " + std::to_string(snap.filter_cache().bytes()) + "\n";
  t += "# HELP evfeed_filter_cache_budget_bytes Its byte budget.\n# TYPE evfeed_filter_cache_budget_bytes gauge\n";
  t += "evfeed_filter_cache_budget_bytes " + std::to_string(snap.filter_cache().budget()) + "\n";
  t += "# HELP evfeed_filter_renders_total Filtered outputs rendered.\n# TYPE evfeed_filter_renders_total counter\n";
  t += "evfeed_filter_renders_total " + std::to_string(m.filter_renders.load()) + "\n";
  t += "# HELP evfeed_filter_rejections_total Filtered requests answered 503 (queue or bytes in flight full).\n";
  t += "# TYPE evfeed_filter_rejections_total counter\n";
  t += "evfeed_filter_rejections_total " + std::to_string(m.filter_rejections.load()) + "\n";
  t += "# HELP evfeed_filter_bytes_in_flight Filtered body bytes being written.\n# TYPE evfeed_filter_bytes_in_flight "
       "gauge\n";
  t += "evfeed_filter_bytes_in_flight " + std::to_string(m.filter_bytes_in_flight.load()) + "\n";
  return text_response(200, std::move(t), "text/plain; version=0.0.4; charset=utf-8");
}

}  // namespace

std::string route_of(const std::string& path) {
  if (starts_with(path, "events/")) return "/events/*";
  if (starts_with(path, "topics/")) return "/topics/*";
  size_t slash = path.find('/');
  if (slash != std::string::npos) return "/" + path.substr(0, slash) + "/*";  // language sets
  return "/" + path;
}

HttpResponse error_response(int status, std::string text, std::string route, bool head) {
  HttpResponse r = text_response(status, std::move(text));
  r.route = std::move(route);
  r.head = head;  // a HEAD request never gets a body, whatever its status
  return r;
}

namespace {

// "/a%20b/?x" -> path "a b/index.html", query "x"; false when the target is not a path.
bool parse_target(const std::string& target, std::string& path, std::string& query) {
  size_t q = target.find('?');
  if (q != std::string::npos) query = target.substr(q + 1);
  bool ok = true;
  path = percent_decode(std::string_view(target).substr(0, q), &ok, false);
  if (!ok || path.empty() || path[0] != '/' || path.find('\0') != std::string::npos) return false;
  path.erase(0, 1);
  if (path.empty() || ends_with(path, "/")) path += "index.html";
  return true;
}

// RFC 9110 13.2.2: If-None-Match first, and If-Modified-Since only without it; a date after
// the server's clock is invalid and ignored.
bool not_modified(const HttpRequest& req, const std::string& etag, SysSeconds last_modified) {
  if (!req.if_none_match.empty()) {
    for (const auto& tag : split(req.if_none_match, ',')) {
      std::string t = trim(tag);
      if (starts_with(t, "W/")) t = t.substr(2);  // weak comparison, as GET asks
      if (t == etag || t == "*") return true;
    }
    return false;
  }
  SysSeconds since;
  if (req.if_modified_since.empty() || !parse_http_date(req.if_modified_since, since)) return false;
  if (req.received != SysSeconds{} && since > req.received) return false;
  return last_modified <= since;
}

}  // namespace

HttpResponse handle_request(const HttpRequest& req, const SiteSnapshot& snap, ServerMetrics& metrics) {
  bool head = req.method == "HEAD";
  std::string path, query;
  if (!parse_target(req.target, path, query)) return error_response(400, "bad request target\n", "invalid", head);
  if (req.method != "GET" && !head) {
    HttpResponse r = error_response(405, "method not allowed: use GET or HEAD\n", "other", false);
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
  }
  if (path == "healthz" || path == "metrics") {
    HttpResponse r = path == "healthz" ? healthz(snap, metrics) : metrics_page(snap, metrics);
    r.route = "/" + path;
    r.head = head;
    return r;
  }
  FilterQuery filter;
  std::string error;
  // Most requests carry no query: nothing to parse then.
  switch (query.empty() ? FilterParse::not_filtered : parse_filter(path, query, snap.zone(), filter, &error)) {
    case FilterParse::invalid: return error_response(400, error + "\n", route_of(path), head);
    case FilterParse::ok:
      if (auto res = snap.cached_filter(filter)) {
        HttpResponse r = respond_with_resource(req, snap, std::move(res), route_of(path));
        r.filtered = true;
        return r;
      } else {
        HttpResponse r;
        r.status = 0;
        r.route = route_of(path);
        r.head = head;
        r.render = std::move(filter);
        return r;
      }
    case FilterParse::not_filtered: break;
  }
  auto it = snap.files().files.find(path);
  if (it == snap.files().files.end()) return error_response(404, "not found\n", "404", head);
  return respond_with_resource(req, snap, it->second, route_of(path));
}

HttpResponse respond_with_resource(const HttpRequest& req, const SiteSnapshot& snap,
                                   std::shared_ptr<const Resource> res, std::string route) {
  HttpResponse r;
  r.route = std::move(route);
  r.head = req.method == "HEAD";
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
  if (not_modified(req, etag, last_modified)) {
    r.status = 304;
    return r;
  }
  r.resource = std::move(res);
  r.gzip = gzip;
  if (r.gzip) r.headers.emplace_back("Content-Encoding", "gzip");
  return r;
}

HttpResponse handle_request_now(const HttpRequest& req, const SiteSnapshot& snap, ServerMetrics& metrics) {
  HttpResponse r = handle_request(req, snap, metrics);
  if (!r.render) return r;
  HttpResponse done = respond_with_resource(req, snap, snap.render_filter(*r.render), r.route);
  done.filtered = true;
  return done;
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "";
  }
}

bool serialize_head(const HttpResponse& res, std::size_t body_size, int version, bool keep_alive,
                    std::string_view http_date_now, std::string& out) {
  auto token = [](std::string_view name) {  // RFC 9110 5.6.2 tchar
    return !name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) {
      return std::isalnum(c) ||
             std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
    });
  };
  auto field_value = [](std::string_view v) { return v.find_first_of(std::string_view("\r\n\0", 3)) == v.npos; };
  for (const auto& [name, value] : res.headers)
    if (!token(name) || !field_value(value)) return false;
  if (!field_value(http_date_now)) return false;
  out += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  out += std::to_string(res.status);
  out += ' ';
  out += reason_phrase(res.status);
  out += "\r\nServer: evfeed\r\nDate: ";
  out += http_date_now;
  out += "\r\n";
  for (const auto& [name, value] : res.headers) {
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  if (res.status != 304) {
    out += "Content-Length: ";
    out += std::to_string(body_size);
    out += "\r\n";
  }
  if (version == 10 && keep_alive) out += "Connection: keep-alive\r\n";
  if (version != 10 && !keep_alive) out += "Connection: close\r\n";
  out += "\r\n";
  return true;
}

}  // namespace evfeed
