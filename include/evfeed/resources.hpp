#pragma once
// The rendered site: path -> bytes, with gzip and ETag computed once. `build` writes
// these to a folder; `serve` holds them as an immutable snapshot.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "evfeed/diagnostic.hpp"
#include "evfeed/time.hpp"

namespace evfeed {

struct Resource {
  std::string path;  // "calendar.ics", "events/x.ics", "topics/y/rss.xml"
  std::string content_type;
  std::string body;
  std::string gzip;            // body compressed once, gzip level 6
  std::string etag;            // strong, quoted: "\"3f2a...\""
  SysSeconds last_modified{};  // newest page change behind it
  bool is_feed = false;        // gets Access-Control-Allow-Origin
};

std::string content_type_for(const std::string& path);
std::string content_hash_hex(std::string_view bytes);  // 128-bit, hex
std::string gzip_bytes(std::string_view bytes);
// Whether `evfeed build` writes a precompressed X.gz beside the file. Not for the per-event
// .ics downloads: 10,000 small files that a person fetches once, where the .gz siblings
// cost a quarter of a cold build's file creations; nginx compresses those on the fly.
// Subscribed calendars and feeds, polled over and over, always get one.
bool gzip_sibling_on_disk(const std::string& path);
Resource make_resource(std::string path, std::string body, SysSeconds last_modified);
// Without ETag and gzip yet: finalize_resources computes those for many at once, in
// parallel (the ETag only where it is still empty).
Resource pending_resource(std::string path, std::string body, SysSeconds last_modified);
void finalize_resources(std::vector<Resource>& resources, unsigned threads = 0);

struct Snapshot {
  std::map<std::string, std::shared_ptr<const Resource>> files;
  SysSeconds built_at{};  // wall clock of the build (for /healthz only, never in outputs)
  double build_seconds = 0;
  size_t event_count = 0;
  size_t page_count = 0;
  std::vector<Diagnostic> problems;  // errors and warnings of the pages
  std::string display_root;          // /healthz shows problem paths relative to it
  std::string cache_control;
};

}  // namespace evfeed
