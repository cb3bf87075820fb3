// The HTTP handler is a pure function of (request, snapshot): tested here without sockets.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "evfeed/handler.hpp"
#include "evfeed/pipeline.hpp"
#include "evfeed/snapshot.hpp"
#include "evfeed/text.hpp"

using namespace evfeed;

namespace {

std::shared_ptr<const SiteSnapshot> feeds_snapshot(std::shared_ptr<FilterCache> filters = nullptr) {
  SnapshotInputs in;
  Diagnostics d;
  REQUIRE(load_site_config("feeds/config.yaml", in.site, d));
  REQUIRE(validate_site_config(in.site, "test", d));
  LoadResult r = load_events({{"feeds/content"}, 1}, in.site);
  in.now = date::sys_days{date::year{2026} / 11 / 25};
  in.model = std::make_shared<const EventModel>(assemble_model(r.built, in.site, in.now));
  in.filters = std::move(filters);
  return make_snapshot(std::move(in));
}

std::string header(const HttpResponse& r, const std::string& name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return "";
}

HttpResponse get(const SiteSnapshot& s, ServerMetrics& m, std::string target, std::string method = "GET") {
  HttpRequest req;
  req.method = std::move(method);
  req.target = std::move(target);
  return handle_request_now(req, s, m);
}

}  // namespace

TEST_CASE("handler serves snapshot files with types, ETag and CORS", "[handler]") {
  auto snap = feeds_snapshot();
  ServerMetrics m;
  struct Case {
    const char* path;
    const char* type;
  };
  for (Case c :
       {Case{"/calendar.ics", "text/calendar; charset=utf-8"}, Case{"/rss.xml", "application/rss+xml; charset=utf-8"},
        Case{"/atom.xml", "application/atom+xml; charset=utf-8"},
        Case{"/feed.json", "application/feed+json; charset=utf-8"}, Case{"/", "text/html; charset=utf-8"},
        Case{"/topics/service-mesh/calendar.ics", "text/calendar; charset=utf-8"}}) {
    INFO(c.path);
    auto r = get(*snap, m, c.path);
    CHECK(r.status == 200);
    CHECK(header(r, "Content-Type") == c.type);
    CHECK(header(r, "ETag").size() > 10);
    CHECK(header(r, "Vary") == "Accept-Encoding");
    CHECK(!r.body().empty());
  }
  CHECK(header(get(*snap, m, "/calendar.ics"), "Access-Control-Allow-Origin") == "*");
  CHECK(header(get(*snap, m, "/index.html"), "Access-Control-Allow-Origin").empty());
}

TEST_CASE("conditional requests: If-None-Match wins over If-Modified-Since", "[handler]") {
  auto snap = feeds_snapshot();
  ServerMetrics m;
  auto first = get(*snap, m, "/rss.xml");
  HttpRequest req;
  req.method = "GET";
  req.target = "/rss.xml";
  req.if_none_match = header(first, "ETag");
  CHECK(handle_request(req, *snap, m).status == 304);
  req.if_none_match = "\"other\"";
  req.if_modified_since = header(first, "Last-Modified");
  CHECK(handle_request(req, *snap, m).status == 200);  // a failed INM is not rescued by IMS
  req.if_none_match.clear();
  CHECK(handle_request(req, *snap, m).status == 304);
  req.if_modified_since = "Mon, 01 Jan 2001 00:00:00 GMT";
  CHECK(handle_request(req, *snap, m).status == 200);
}

TEST_CASE("gzip only when accepted, with its own ETag", "[handler]") {
  auto snap = feeds_snapshot();
  ServerMetrics m;
  HttpRequest req{"GET", "/calendar.ics", "", "", "gzip, deflate"};
  auto gz = handle_request(req, *snap, m);
  CHECK(gz.gzip);
  CHECK(header(gz, "Content-Encoding") == "gzip");
  auto plain = get(*snap, m, "/calendar.ics");
  CHECK_FALSE(plain.gzip);
  CHECK(header(gz, "ETag") != header(plain, "ETag"));
  req.accept_encoding = "gzip;q=0, identity";
  CHECK_FALSE(handle_request(req, *snap, m).gzip);
}

TEST_CASE("methods, HEAD, unknown paths and traversal", "[handler]") {
  auto snap = feeds_snapshot();
  ServerMetrics m;
  auto post = get(*snap, m, "/calendar.ics", "POST");
  CHECK(post.status == 405);
  CHECK(header(post, "Allow") == "GET, HEAD");
  auto head = get(*snap, m, "/calendar.ics", "HEAD");
  CHECK(head.status == 200);
  CHECK(head.head);
  CHECK(get(*snap, m, "/nope.ics").status == 404);
  CHECK(get(*snap, m, "/../../etc/passwd").status == 404);
  CHECK(get(*snap, m, "/%2e%2e/%2e%2e/etc/passwd").status == 404);
  CHECK(get(*snap, m, "/bad%zzescape").status == 400);
}

TEST_CASE("filters render on the fly and are cached per snapshot", "[handler]") {
  auto snap = feeds_snapshot();
  ServerMetrics m;
  auto all = get(*snap, m, "/calendar.ics");
  auto mesh = get(*snap, m, "/calendar.ics?topic=Service%20Mesh");
  REQUIRE(mesh.status == 200);
  std::string body(mesh.body());
  CHECK(body.find("Service Mesh Meetup #8") != std::string::npos);
  CHECK(body.find("BEGIN:VEVENT") != std::string::npos);
  CHECK(body.size() < all.body().size());
  CHECK(header(mesh, "ETag") != header(all, "ETag"));
  auto again = get(*snap, m, "/calendar.ics?topic=Service+Mesh");
  CHECK(again.resource == mesh.resource);  // same cached object
  auto window = get(*snap, m, "/rss.xml?from=2027-01-01");
  REQUIRE(window.status == 200);
  CHECK(std::string(window.body()).find("2019") == std::string::npos);
  CHECK(get(*snap, m, "/feed.json?to=not-a-date").status == 400);
}

TEST_CASE("filters: the handler never renders, it asks the caller to", "[handler][filter]") {
  auto snap = feeds_snapshot();
  ServerMetrics m;
  HttpRequest req{"GET", "/calendar.ics?topic=Service%20Mesh", "", "", "", {}};
  HttpResponse first = handle_request(req, *snap, m);
  REQUIRE(first.render);
  CHECK(first.status == 0);
  CHECK(first.render->key() == "calendar.ics?topic=service%20mesh");
  auto rendered = snap->render_filter(*first.render);
  HttpResponse second = handle_request(req, *snap, m);  // now cached
  CHECK_FALSE(second.render);
  CHECK(second.status == 200);
  CHECK(second.filtered);
  CHECK(second.resource == rendered);
}

TEST_CASE("filters: equivalent queries share one entry; unknown or repeated parameters are refused",
          "[handler][filter]") {
  auto snap = feeds_snapshot();
  ServerMetrics m;
  auto a = get(*snap, m, "/calendar.ics?from=2024-03-01&topic=service%20mesh");
  auto b = get(*snap, m, "/calendar.ics?TOPIC=Service+Mesh&From=2024-03-01T17:45:10%2B08:00");
  REQUIRE(a.status == 200);
  CHECK(a.resource == b.resource);  // names ignore case, dates have day resolution
  CHECK(snap->filter_cache().entries() == 1);
  std::string unfolded(a.body());
  for (size_t at; (at = unfolded.find("\r\n ")) != std::string::npos;) unfolded.erase(at, 3);
  CHECK(unfolded.find("calendar.ics?topic=service%20mesh&from=2024-03-01") != std::string::npos);
  auto unknown = get(*snap, m, "/calendar.ics?topic=x&utm_source=y");
  CHECK(unknown.status == 400);
  CHECK(std::string(unknown.body()).find("utm_source") != std::string::npos);
  CHECK(get(*snap, m, "/calendar.ics?topic=a&topic=b").status == 400);
  // Without a filter parameter the query is ignored, as on any static file.
  CHECK(get(*snap, m, "/calendar.ics?utm_source=y").resource == get(*snap, m, "/calendar.ics").resource);
  // Values are bounded (keys of the byte-bounded cache); an empty filter is no filter.
  CHECK(get(*snap, m, "/calendar.ics?topic=" + std::string(201, 'x')).status == 400);
  CHECK(get(*snap, m, "/calendar.ics?topic=&tag=").resource == get(*snap, m, "/calendar.ics").resource);
  // Ends are exclusive: an all-day event of 2026-06-20 is not in a filter from the 21st.
  auto next_day = get(*snap, m, "/feed.json?from=2026-06-21&to=2026-06-21");
  REQUIRE(next_day.status == 200);
  CHECK(std::string(next_day.body()).find("cloud-native-open-day-beijing-2026") == std::string::npos);
  auto same_day = get(*snap, m, "/feed.json?from=2026-06-20&to=2026-06-20");
  CHECK(std::string(same_day.body()).find("cloud-native-open-day-beijing-2026") != std::string::npos);
  // A date-only `to` includes that whole day.
  auto to_day = get(*snap, m, "/feed.json?to=2019-11-24");
  CHECK(std::string(to_day.body()).find("Service Mesh Meetup #8") != std::string::npos);
}

TEST_CASE("FilterCache: bounded by bytes, least recently used out first, stale generations dropped",
          "[handler][filter]") {
  FilterCache cache(80 * 1024);
  auto res = [](size_t kb) {
    return std::make_shared<const Resource>(make_resource("calendar.ics", std::string(kb * 1024, 'x'), {}));
  };
  cache.insert(1, "a", res(4));
  cache.insert(1, "b", res(4));
  cache.insert(1, "big", res(20));  // over an eighth of the budget: not kept
  CHECK(cache.entries() == 2);
  for (int i = 0; i < 40; ++i) {
    CHECK(cache.find(1, "a"));  // "a" stays the most recently used
    cache.insert(1, "k" + std::to_string(i), res(4));
    CHECK(cache.bytes() <= cache.budget());
  }
  CHECK(cache.find(1, "a"));
  CHECK_FALSE(cache.find(1, "b"));
  CHECK_FALSE(cache.find(2, "a"));  // another snapshot's generation never sees it
  cache.insert(2, "new", res(4));
  CHECK(cache.entries() == 1);  // a newer build drops the older one's entries
  CHECK_FALSE(cache.find(1, "a"));
  cache.insert(1, "late", res(4));  // an old snapshot's late answer is not kept
  CHECK(cache.entries() == 1);
}

TEST_CASE("filters: many distinct queries stay within the byte budget", "[handler][filter]") {
  auto cache = std::make_shared<FilterCache>(256 * 1024);
  auto snap = feeds_snapshot(cache);
  ServerMetrics m;
  for (int day = 1; day <= 200; ++day) {
    std::string d = std::to_string(day % 28 + 1);
    auto r = get(*snap, m,
                 "/calendar.ics?from=2019-" + std::to_string(day % 12 + 1) + "-" + (d.size() < 2 ? "0" : "") + d +
                     "&location=" + std::to_string(day));
    REQUIRE(r.status == 200);
    CHECK(cache->bytes() <= cache->budget());
  }
  CHECK(cache->entries() > 1);
}

TEST_CASE("HEAD gets no body whatever the status; future If-Modified-Since is ignored; three date forms", "[handler]") {
  auto snap = feeds_snapshot();
  ServerMetrics m;
  for (const char* target : {"/bad%zzescape", "/nope.ics", "/calendar.ics?to=garbage"}) {
    INFO(target);
    auto r = get(*snap, m, target, "HEAD");
    CHECK(r.status >= 400);
    CHECK(r.head);
  }
  HttpRequest req{
      "GET", "/calendar.ics", "", "Fri, 01 Jan 2100 00:00:00 GMT", "", date::sys_days{date::year{2026} / 12 / 1}};
  CHECK(handle_request(req, *snap, m).status == 200);
  req.if_modified_since = "Tue, 01 Dec 2026 00:00:00 GMT";
  CHECK(handle_request(req, *snap, m).status == 304);
  SysSeconds t = date::sys_days{date::year{1994} / 11 / 6} + std::chrono::hours{8} + std::chrono::minutes{49} +
                 std::chrono::seconds{37};
  SysSeconds back;
  for (const char* form :
       {"Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"}) {
    INFO(form);
    REQUIRE(parse_http_date(form, back));
    CHECK(back == t);
  }
  CHECK_FALSE(parse_http_date("Sun, 06 Nov 70000 08:49:37 GMT", back));  // no year wrapped to 16 bits
  CHECK_FALSE(parse_http_date("Tue, 01 Dec 2026 -1:-1:-1 GMT", back));   // no signs in fields
  CHECK_FALSE(parse_http_date("Tue, 01 Dec 2026 +1:00:00 GMT", back));
  CHECK_FALSE(parse_http_date("Sunday, 06-Nov-9-4:49:37 GMT", back));
  CHECK_FALSE(parse_http_date("Sun, 06 Nov 1994 08:49:37 CET", back));
}

TEST_CASE("healthz and metrics", "[handler]") {
  auto snap = feeds_snapshot();
  ServerMetrics m;
  m.count("/calendar.ics", 200);
  auto h = get(*snap, m, "/healthz");
  CHECK(h.status == 200);
  nlohmann::ordered_json health;  // ordered: the keys as written
  REQUIRE_NOTHROW(health = nlohmann::ordered_json::parse(std::string(h.body())));
  CHECK(health.at("status") == "ok");
  CHECK(health.at("events") == snap->files().event_count);
  CHECK(health.at("last_reload_ok") == true);
  CHECK(health.at("page_errors").is_array());
  std::string keys;
  for (const auto& item : health.items()) keys += item.key() + " ";
  CHECK(keys == "status last_build build_seconds events pages reloads last_reload_ok page_errors ");
  auto metrics = get(*snap, m, "/metrics");
  CHECK(std::string(metrics.body()).find("evfeed_http_requests_total{route=\"/calendar.ics\",status=\"200\"} 1") !=
        std::string::npos);
  CHECK(std::string(metrics.body()).find("evfeed_events ") != std::string::npos);
}

TEST_CASE("healthz names problem files relative to the site, never by server path", "[handler][security]") {
  SnapshotInputs in;
  Diagnostics d;
  REQUIRE(load_site_config("feeds/config.yaml", in.site, d));
  REQUIRE(validate_site_config(in.site, "test", d));
  in.now = date::sys_days{date::year{2026} / 11 / 25};
  in.model = std::make_shared<const EventModel>();
  in.display_root = "/srv/www/site";
  in.problems.push_back({"/srv/www/site/content/event/bad.md", 3, 7, Severity::error, "date does not parse"});
  in.problems.push_back({"/srv/www/site/content", 0, 0, Severity::error, "content folder is missing"});
  in.problems.push_back({"/etc/secret/outside.md", 1, 1, Severity::error, "symlinked from elsewhere"});
  auto snap = make_snapshot(std::move(in));
  ServerMetrics m;
  std::string body(get(*snap, m, "/healthz").body());
  INFO(body);
  REQUIRE(nlohmann::json::parse(body).at("page_errors").size() == 3);
  CHECK_THAT(body, Catch::Contains("\"content/event/bad.md:3:7: error: date does not parse\""));
  CHECK_THAT(body, Catch::Contains("\"content: error: content folder is missing\""));
  CHECK_THAT(body, Catch::Contains("\"outside.md:1:1: error: symlinked from elsewhere\""));
  CHECK(body.find("/srv/") == std::string::npos);
  CHECK(body.find("/etc/") == std::string::npos);
  CHECK(display_path("site/content/x.md", "site") == "content/x.md");
  CHECK(display_path("site/../other/x.md", "site") == "x.md");
}

TEST_CASE("http dates and Accept-Encoding parsing", "[handler]") {
  SysSeconds t = date::sys_days{date::year{2019} / 11 / 24} + std::chrono::hours{5};
  CHECK(http_date(t) == "Sun, 24 Nov 2019 05:00:00 GMT");
  SysSeconds back;
  REQUIRE(parse_http_date("Sun, 24 Nov 2019 05:00:00 GMT", back));
  CHECK(back == t);
  CHECK_FALSE(parse_http_date("yesterday", back));
  CHECK(accepts_gzip("br, gzip"));
  CHECK(accepts_gzip("*"));
  CHECK_FALSE(accepts_gzip("identity"));
  CHECK_FALSE(accepts_gzip("gzip;q=0"));
}

TEST_CASE("serialize_head: status line, headers, framing; CR/LF in a value refused", "[handler][head]") {
  HttpResponse r;
  r.status = 200;
  r.headers = {{"Content-Type", "text/calendar; charset=utf-8"}, {"ETag", "\"abc\""}};
  std::string out;
  REQUIRE(serialize_head(r, 42, 11, true, "Tue, 01 Dec 2026 23:00:00 GMT", out));
  CHECK(out ==
        "HTTP/1.1 200 OK\r\nServer: evfeed\r\nDate: Tue, 01 Dec 2026 23:00:00 GMT\r\n"
        "Content-Type: text/calendar; charset=utf-8\r\nETag: \"abc\"\r\nContent-Length: 42\r\n\r\n");
  out.clear();
  r.status = 304;
  REQUIRE(serialize_head(r, 42, 10, true, "d", out));
  CHECK(starts_with(out, "HTTP/1.0 304 Not Modified\r\n"));
  CHECK(out.find("Content-Length") == std::string::npos);  // a 304 has no body to frame
  CHECK(ends_with(out, "Connection: keep-alive\r\n\r\n"));
  out.clear();
  r.status = 200;
  REQUIRE(serialize_head(r, 0, 11, false, "d", out));
  CHECK(ends_with(out, "Connection: close\r\n\r\n"));
  // What a config could bring in: nothing is written, the server answers 500 instead.
  for (auto bad : {std::pair<std::string, std::string>{"Cache-Control", "public\r\nSet-Cookie: x=1"},
                   {"Cache-Control", "a\nb"},
                   {"Cache-Control", std::string("a\0b", 3)},
                   {"Bad Name", "x"},
                   {"", "x"},
                   {"X:Y", "z"}}) {
    HttpResponse h = r;
    h.headers.push_back(bad);
    std::string o = "kept";
    CHECK_FALSE(serialize_head(h, 1, 11, true, "d", o));
    CHECK(o == "kept");
  }
}
