#include "evfeed/resources.hpp"

#include <libdeflate.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include "evfeed/parallel.hpp"
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

// Level 6: on a 48 MB calendar libdeflate takes 0.36 s for 5.2% (zlib: 0.65 s for 5.0%);
// level 9 doubles the time for 0.3 points, level 3 halves it but makes files 27% larger.
constexpr int kGzipLevel = 6;

std::string gzip_bytes(std::string_view bytes) {
  // libdeflate compresses 2-3x faster than zlib at the same level and writes a gzip header
  // with mtime 0, so output is reproducible. One compressor per thread: they are not shared.
  thread_local std::unique_ptr<libdeflate_compressor, void (*)(libdeflate_compressor*)> compressor(
      libdeflate_alloc_compressor(kGzipLevel), libdeflate_free_compressor);
  if (!compressor) return {};
  // Compress into a reused scratch buffer: a string sized to the bound would keep that
  // capacity (the whole input's size) for the life of the snapshot.
  // Text shrinks to well under half: try a buffer of half the input first, and the
  // worst-case bound (slightly over the input's size) only when that is too small.
  thread_local std::vector<char> scratch;
  size_t n = 0;
  for (size_t room : {bytes.size() / 2 + 1024, libdeflate_gzip_compress_bound(compressor.get(), bytes.size())}) {
    scratch.resize(room);
    n = libdeflate_gzip_compress(compressor.get(), bytes.data(), bytes.size(), scratch.data(), scratch.size());
    if (n) break;
  }
  std::string out(scratch.data(), n);
  if (scratch.size() > (8u << 20)) std::vector<char>().swap(scratch);  // do not pin a big one per thread
  return out;
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

bool gzip_sibling_on_disk(const std::string& path) { return !(starts_with(path, "events/") && ends_with(path, ".ics")); }

void finalize_resources(std::vector<Resource>& resources, unsigned threads) {
  parallel_for(resources.size(), threads, [&](size_t i) {
    Resource& r = resources[i];
    if (r.etag.empty()) r.etag = "\"" + content_hash_hex(r.body) + "\"";
    r.gzip = gzip_bytes(r.body);
  });
}

}  // namespace evfeed
