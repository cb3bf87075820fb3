// fuzz_http: handle_request against a snapshot built once from feeds/ (the example site).
//
// Input: lines "METHOD\nTARGET\nIF-NONE-MATCH\nIF-MODIFIED-SINCE\nACCEPT-ENCODING\nTARGET2".
// Each input gets a fresh SiteSnapshot (same files and model, empty filter cache) so runs
// are reproducible. TARGET is answered, then TARGET2 on the same snapshot, then TARGET2
// again on another fresh snapshot: the filter cache must not change answers.
//
// Invariants: only the documented statuses; a 200 carries the resource bytes it names
// (gzip only when accepted, with Content-Encoding), 304 only after a validator matched;
// header names and values free of CR, LF and NUL; routes for /metrics stay a small set;
// the same request on the same snapshot answers the same; also the helpers
// (percent_decode, parse_query, parse_http_date/http_date, accepts_gzip) hold up.
#include <cstdlib>
#include <exception>
#include <memory>
#include <set>
#include <vector>

#include "evfeed/handler.hpp"
#include "evfeed/pipeline.hpp"
#include "evfeed/site.hpp"
#include "evfeed/snapshot.hpp"
#include "fuzz_common.hpp"

using namespace evfeed;

namespace {

// The snapshot every input starts from: made once, as serve makes one.
const SiteSnapshot& base() {
  static const std::shared_ptr<const SiteSnapshot> b = [] {
    SnapshotInputs in;
    const char* env = std::getenv("EVFEED_FUZZ_FEEDS");
    std::string root = env && *env ? env : EVFEED_SOURCE_DIR "/feeds";
    Diagnostics diags;
    if (!load_site_config(root + "/config.yaml", in.site, diags) || !validate_site_config(in.site, "config", diags)) {
      std::fprintf(stderr, "fuzz_http: cannot load %s/config.yaml\n", root.c_str());
      std::abort();
    }
    LoadResult r = load_events({{root + "/content"}, 1}, in.site);
    in.now = SysSeconds{date::sys_days{date::year{2025} / 6 / 1}};
    auto model = std::make_shared<const EventModel>(assemble_model(r.built, in.site, in.now));
    in.model = model;
    in.seq = sequences_of(advance_sequences(*model, {}));
    in.problems = r.diags.items;
    auto snap = make_snapshot(std::move(in));
    if (snap->files().files.size() < 10 || model->events.empty()) {
      std::fprintf(stderr, "fuzz_http: the snapshot of %s is empty\n", root.c_str());
      std::abort();
    }
    std::fprintf(stderr, "fuzz_http: snapshot of %zu files, %zu events\n", snap->files().files.size(),
                 model->events.size());
    return snap;
  }();
  return *b;
}

// The same snapshot with an empty filter cache of its own.
std::unique_ptr<SiteSnapshot> fresh() {
  const SiteSnapshot& b = base();
  return std::make_unique<SiteSnapshot>(b.files(), b.shared_model(), b.site(), b.sequences(), b.texts(),
                                        std::make_shared<FilterCache>());
}

std::string header(const HttpResponse& r, const std::string& name) {
  for (const auto& [k, v] : r.headers)
    if (iequals(k, name)) return v;
  return "";
}

void check_response(const HttpRequest& req, const HttpResponse& r) {
  static const std::set<int> statuses = {200, 304, 400, 404, 405};
  FUZZ_CHECK(statuses.count(r.status), "status %d for %s %s", r.status, req.method.c_str(),
             fuzz::show(req.target).c_str());
  // The head the server writes: every handler answer serializes (no 500 for a valid request),
  // and the head it makes is one block of CRLF lines ending in the blank line.
  std::string head;
  FUZZ_CHECK(serialize_head(r, r.body().size(), 11, true, "Tue, 01 Dec 2026 00:00:00 GMT", head),
             "the handler's answer to %s does not serialize", fuzz::show(req.target).c_str());
  FUZZ_CHECK(head.find("\r\n\r\n") == head.size() - 4, "the head of the answer to %s is not one block",
             fuzz::show(req.target).c_str());
  for (const auto& [k, v] : r.headers) {
    FUZZ_CHECK(!k.empty(), "empty header name");
    for (char c : k + v)
      FUZZ_CHECK(c != '\r' && c != '\n' && c != '\0', "header injection: %s: %s for target %s", fuzz::show(k).c_str(),
                 fuzz::show(v).c_str(), fuzz::show(req.target).c_str());
  }
  FUZZ_CHECK(!r.route.empty(), "no route for metrics");
  static std::set<std::string> routes;
  routes.insert(r.route);
  FUZZ_CHECK(routes.size() < 200, "metrics route cardinality unbounded: %zu routes, latest '%s'", routes.size(),
             fuzz::show(r.route).c_str());
  if (r.status == 200 && r.resource) {
    bool enc = header(r, "Content-Encoding") == "gzip";
    FUZZ_CHECK(enc == r.gzip, "Content-Encoding header and gzip flag disagree");
    if (r.gzip)
      FUZZ_CHECK(accepts_gzip(req.accept_encoding), "gzip sent to '%s'", fuzz::show(req.accept_encoding).c_str());
    FUZZ_CHECK(!header(r, "ETag").empty() && !header(r, "Last-Modified").empty(), "200 without validators");
    SysSeconds lm;
    FUZZ_CHECK(parse_http_date(header(r, "Last-Modified"), lm), "Last-Modified does not parse: %s",
               header(r, "Last-Modified").c_str());
  }
  if (r.status == 304)
    FUZZ_CHECK(!req.if_none_match.empty() || !req.if_modified_since.empty(), "304 without a validator");
  if (r.status == 200 && !r.resource)
    FUZZ_CHECK(r.route == "/healthz" || r.route == "/metrics", "200 without a resource on route %s", r.route.c_str());
  if (req.method == "HEAD" && r.status == 200) FUZZ_CHECK(r.head, "HEAD answered with a body");
  if (req.method != "GET" && req.method != "HEAD")
    FUZZ_CHECK(r.status == 405 || r.status == 400, "method %s got %d", fuzz::show(req.method).c_str(), r.status);
}

bool same(const HttpResponse& a, const HttpResponse& b) {
  if (a.status != b.status || a.body() != b.body() || a.headers.size() != b.headers.size()) return false;
  for (size_t i = 0; i < a.headers.size(); ++i) {
    if (a.headers[i].first != b.headers[i].first) return false;
    if (a.headers[i].second != b.headers[i].second && a.headers[i].first != "Content-Length") return false;
  }
  return true;
}

void check_helpers(const std::string& target, const std::string& ims, const std::string& ae) {
  bool ok = false;
  std::string dec = percent_decode(target, &ok, false);
  FUZZ_CHECK(dec.size() <= target.size(), "percent_decode grew the text");
  (void)parse_query(target);
  (void)accepts_gzip(ae);
  SysSeconds t;
  if (parse_http_date(ims, t)) {
    std::string again = http_date(t);
    SysSeconds t2;
    FUZZ_CHECK(parse_http_date(again, t2) && t2 == t, "http_date round trip: '%s' -> '%s'", fuzz::show(ims).c_str(),
               again.c_str());
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)base();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 16 * 1024) return 0;  // the server refuses headers over 8 KiB
  std::string_view in = fuzz::as_text(data, size);
  std::vector<std::string> f;
  for (size_t pos = 0; f.size() < 6;) {
    size_t nl = in.find('\n', pos);
    f.emplace_back(in.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos));
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  f.resize(6);
  {  // exceptions are not caught: one escaping is a crash (std::terminate) with its throw site
    HttpRequest req{f[0], f[1], f[2], f[3], f[4]};
    HttpRequest req2 = req;
    req2.target = f[5].empty() ? f[1] : f[5];
    ServerMetrics metrics;
    auto snap = fresh();
    HttpResponse r1 = handle_request_now(req, *snap, metrics);
    check_response(req, r1);
    HttpResponse r1b = handle_request_now(req, *snap, metrics);
    FUZZ_CHECK(same(r1, r1b) || r1.route == "/metrics", "same request, other answer: %s",
               fuzz::show(req.target).c_str());
    HttpResponse r2 = handle_request_now(req2, *snap, metrics);
    check_response(req2, r2);
    auto snap2 = fresh();
    ServerMetrics metrics2;
    HttpResponse r2b = handle_request_now(req2, *snap2, metrics2);
    FUZZ_CHECK(same(r2, r2b) || r2.route == "/metrics",
               "filter cache changed the answer: '%s' after '%s' gave %d (%zu bytes), alone %d (%zu bytes)",
               fuzz::show(req2.target).c_str(), fuzz::show(req.target).c_str(), r2.status, r2.body().size(), r2b.status,
               r2b.body().size());
    check_helpers(f[1], f[3], f[4]);
  }
  return 0;
}
