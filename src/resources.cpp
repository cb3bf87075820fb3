#include "evfeed/resources.hpp"

#include <zlib.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <thread>

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
  // Two 64-bit lanes over 8-byte words with multiply-rotate mixing: stable across builds
  // and machines, fast on large calendars, no cryptographic claim (ETags only).
  const std::uint64_t p1 = 0x9E3779B185EBCA87ULL, p2 = 0xC2B2AE3D27D4EB4FULL;
  auto rotl = [](std::uint64_t x, int r) { return (x << r) | (x >> (64 - r)); };
  std::uint64_t a = 0x243F6A8885A308D3ULL ^ bytes.size(), b = 0x13198A2E03707344ULL;
  size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, bytes.data() + i, 8);
    a = rotl(a ^ (w * p2), 31) * p1;
    b = rotl(b + (w * p1), 27) * p2 + a;
  }
  std::uint64_t tail = 0;
  std::memcpy(&tail, bytes.data() + i, bytes.size() - i);
  a = rotl(a ^ (tail * p2), 31) * p1;
  b = rotl(b + (tail * p1), 27) * p2 + a;
  auto fmix = [](std::uint64_t k) {
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ULL;
    return k ^ (k >> 33);
  };
  char buf[40];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(fmix(a)),
                static_cast<unsigned long long>(fmix(b ^ a)));
  return buf;
}

std::string gzip_bytes(std::string_view bytes) {
  z_stream zs{};
  // windowBits 15 + 16 = gzip wrapper; the header's mtime stays 0 so output is reproducible.
  if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return {};
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

Resource pending_resource(std::string path, std::string body, SysSeconds last_modified) {
  Resource r;
  r.content_type = content_type_for(path);
  r.is_feed = !ends_with(path, ".html");
  r.path = std::move(path);
  r.body = std::move(body);
  r.last_modified = last_modified;
  return r;
}

Resource make_resource(std::string path, std::string body, SysSeconds last_modified) {
  Resource r = pending_resource(std::move(path), std::move(body), last_modified);
  r.etag = "\"" + content_hash_hex(r.body) + "\"";
  r.gzip = gzip_bytes(r.body);
  return r;
}

void finalize_resources(std::vector<Resource>& resources, unsigned threads) {
  std::atomic<size_t> next{0};
  auto run = [&] {
    for (size_t i; (i = next.fetch_add(1)) < resources.size();) {
      Resource& r = resources[i];
      r.etag = "\"" + content_hash_hex(r.body) + "\"";
      r.gzip = gzip_bytes(r.body);
    }
  };
  unsigned n = threads ? threads : std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < n && t < resources.size(); ++t) pool.emplace_back(run);
  run();
  for (auto& t : pool) t.join();
}

}  // namespace evfeed
