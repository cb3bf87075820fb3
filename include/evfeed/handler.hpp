#pragma once
// The HTTP request handler: a function of (request, snapshot) with no sockets, no file
// system and no rendering, so it is tested without a server. Paths resolve only inside the
// in-memory snapshot. A filtered output that is not cached yet comes back as a response
// with `render` set: the server renders it off its I/O threads (SiteSnapshot::render_filter)
// and answers with respond_with_resource.
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "evfeed/metrics.hpp"
#include "evfeed/snapshot.hpp"

namespace evfeed {

struct HttpRequest {
  std::string method;
  std::string target;  // "/calendar.ics?topic=x"
  std::string if_none_match;
  std::string if_modified_since;
  std::string accept_encoding;
  SysSeconds received{};  // the server's clock: an If-Modified-Since after it is ignored
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::shared_ptr<const Resource> resource;  // body from the snapshot (no copy)
  bool gzip = false;                         // send resource->gzip instead of ->body
  std::string text;                          // body when there is no resource
  bool head = false;                         // HEAD: headers only
  std::string route;                         // for metrics: "/calendar.ics", "/events/*", "404"
  std::optional<FilterQuery> render;         // status 0: render this filter, then respond_with_resource
  bool filtered = false;                     // a filtered output: not worth a sendfile copy
  std::string_view body() const {
    if (resource) return gzip ? std::string_view(resource->gzip) : std::string_view(resource->body);
    return text;
  }
};

// The status line and header block of `res` (through the blank line), appended to `out`:
// "Server", "Date" (`http_date_now`), the handler's headers, Content-Length (not on 304) and
// Connection as HTTP/1.0 or 1.1 (`version` 10 or 11) needs it for `keep_alive`. false, with
// nothing appended, when a header name is no RFC 9110 token or a value holds CR, LF or NUL:
// no config value or bug may split a response or smuggle a header.
bool serialize_head(const HttpResponse& res, std::size_t body_size, int version, bool keep_alive,
                    std::string_view http_date_now, std::string& out);

// A plain-text error (`head`: no body), as the handler answers errors.
HttpResponse error_response(int status, std::string text, std::string route, bool head);

// The reason phrase of the status codes evfeed sends ("Not Modified"); "" for others.
std::string_view reason_phrase(int status);

HttpResponse handle_request(const HttpRequest& req, const SiteSnapshot& snap, ServerMetrics& metrics);
// The answer with `res` as the selected representation: validators, preconditions (RFC 9110
// 13.2.2 order), encoding.
HttpResponse respond_with_resource(const HttpRequest& req, const SiteSnapshot& snap,
                                   std::shared_ptr<const Resource> res, std::string route);
// handle_request, rendering a missing filtered output on the calling thread (tests, fuzzing).
HttpResponse handle_request_now(const HttpRequest& req, const SiteSnapshot& snap, ServerMetrics& metrics);
// "/topics/x/rss.xml" -> "/topics/*": a bounded set of labels for metrics.
std::string route_of(const std::string& path);

std::string http_date(SysSeconds t);  // "Sun, 24 Nov 2019 05:00:00 GMT"
// RFC 9110 5.6.7: IMF-fixdate, and the obsolete RFC 850 and asctime forms recipients accept.
bool parse_http_date(const std::string& s, SysSeconds& out);
bool accepts_gzip(const std::string& accept_encoding);
std::map<std::string, std::string> parse_query(std::string_view q);

}  // namespace evfeed
