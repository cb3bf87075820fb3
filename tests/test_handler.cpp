// The HTTP handler is a pure function of (request, snapshot): tested here without sockets.
#include <catch2/catch.hpp>

#include "evfeed/handler.hpp"
#include "evfeed/pipeline.hpp"

using namespace evfeed;

namespace {

std::shared_ptr<SiteSnapshot> make_snapshot() {
  SiteConfig site;
  Diagnostics d;
  REQUIRE(load_site_config("feeds/config.yaml", site, d));
  REQUIRE(validate_site_config(site, "test", d));
  LoadResult r = load_events({{"feeds/content"}, 1}, site);
  SysSeconds now = date::sys_days{date::year{2026} / 11 / 25};
  EventModel model = assemble_model(r.built, site, now);
  Sequences seq;
  Snapshot snap;
  for (auto& res : render_site(model, site, seq, now, d)) {
    std::string p = res.path;
    snap.files.emplace(p, std::make_shared<const Resource>(std::move(res)));
  }
  snap.built_at = now;
  snap.event_count = model.events.size();
  snap.cache_control = site.cache_control;
  return std::make_shared<SiteSnapshot>(std::move(snap), std::make_shared<const EventModel>(std::move(model)), site, seq);
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
  return handle_request(req, s, m);
}

}  // namespace

TEST_CASE("handler serves snapshot files with types, ETag and CORS", "[handler]") {
  auto snap = make_snapshot();
  ServerMetrics m;
  struct Case {
    const char* path;
    const char* type;
  };
  for (Case c : {Case{"/calendar.ics", "text/calendar; charset=utf-8"}, Case{"/rss.xml", "application/rss+xml; charset=utf-8"},
                 Case{"/atom.xml", "application/atom+xml; charset=utf-8"}, Case{"/feed.json", "application/feed+json; charset=utf-8"},
                 Case{"/", "text/html; charset=utf-8"}, Case{"/topics/service-mesh/calendar.ics", "text/calendar; charset=utf-8"}}) {
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
  auto snap = make_snapshot();
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
  auto snap = make_snapshot();
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
  auto snap = make_snapshot();
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
  auto snap = make_snapshot();
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

TEST_CASE("healthz and metrics", "[handler]") {
  auto snap = make_snapshot();
  ServerMetrics m;
  m.count("/calendar.ics", 200);
  auto h = get(*snap, m, "/healthz");
  CHECK(h.status == 200);
  CHECK(std::string(h.body()).find("\"status\":\"ok\"") != std::string::npos);
  CHECK(std::string(h.body()).find("\"events\":") != std::string::npos);
  auto metrics = get(*snap, m, "/metrics");
  CHECK(std::string(metrics.body()).find("evfeed_http_requests_total{route=\"/calendar.ics\",status=\"200\"} 1") != std::string::npos);
  CHECK(std::string(metrics.body()).find("evfeed_events ") != std::string::npos);
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
