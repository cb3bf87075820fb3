#include "evfeed/resources.hpp"

#include <zlib.h>

#include <cstdio>

#include "evfeed/text.hpp"

namespace evfeed {

std::string content_type_for(const std::string& path) {
  if (ends_with(path, ".ics")) return "text/calendar; charset=utf-8";
  if (ends_with(path, "rss.xml")) return "application/rss+xml; charset=utf-8";
  if (ends_with(path, "atom.xml")) return "application/atom+xml; charset=utf-8";
  if (ends_with(path, ".json")) return "application/feed+json; charset=utf-8";
  if (ends_with(path, ".html")) return "text/html; charset=utf-8";
  if (ends_with(path, ".xml")) return "application/xml; charset=utf-8";
  return "application/octet-stream";
}

std::string content_hash_hex(std::string_view bytes) {
  // Two independent FNV-1a 64 lanes: stable across builds and machines, no crypto needed.
  std::uint64_t a = 0xcbf29ce484222325ULL, b = 0x84222325cbf29ce4ULL;
  for (unsigned char c : bytes) {
    a = (a ^ c) * 0x100000001b3ULL;
    b = (b ^ c) * 0x100000001b3ULL;
    b ^= b >> 29;
  }
  char buf[40];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(a), static_cast<unsigned long long>(b));
  return buf;
}

std::string gzip_bytes(std::string_view bytes) {
  z_stream zs{};
  // windowBits 15 + 16 = gzip wrapper; the header's mtime stays 0 so output is reproducible.
  if (deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) return {};
  std::string out;
  out.resize(deflateBound(&zs, static_cast<uLong>(bytes.size())) + 32);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  zs.avail_in = static_cast<uInt>(bytes.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return rc == Z_STREAM_END ? out : std::string{};
}

Resource make_resource(std::string path, std::string body, SysSeconds last_modified) {
  Resource r;
  r.content_type = content_type_for(path);
  r.is_feed = !ends_with(path, ".html");
  r.path = std::move(path);
  r.etag = "\"" + content_hash_hex(body) + "\"";
  r.gzip = gzip_bytes(body);
  r.body = std::move(body);
  r.last_modified = last_modified;
  return r;
}

}  // namespace evfeed
