#pragma once
// Warm rebuilds, the common cron case: every page's Event and diagnostics are kept in a
// cache file beside the output, keyed on path, size and mtime (then a content hash), and
// invalidated wholesale when evfeed's version or the site config changes. An unchanged
// page is neither read nor parsed again; the rendered bytes stay identical to a cold build.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "evfeed/event.hpp"
#include "evfeed/event_codec.hpp"
#include "evfeed/page.hpp"
#include "evfeed/site.hpp"

namespace evfeed {

struct CachedPage {
  SourceFile file;
  std::string content_hash;
  bool ok = false;                     // false: the page had errors and yields no event
  std::shared_ptr<const Event> event;  // shared from one cache to the next: reloads copy no events
  std::vector<Diagnostic> diags;
};

// Everything in the config that changes how pages are modelled or rendered.
std::string config_fingerprint(const SiteConfig& site);

class ParseCache {
 public:
  // Reads the cache file; returns an empty cache when it is missing, unreadable, from
  // another evfeed version or for another config.
  static ParseCache load(const std::string& path, const std::string& config_fp);
  bool save(const std::string& path, Diagnostics& diags) const;

  const CachedPage* find(const std::string& path) const;
  void put(CachedPage page) { pages_[page.file.path] = std::move(page); }
  size_t size() const { return pages_.size(); }
  const std::map<std::string, CachedPage>& pages() const { return pages_; }
  void set_config(std::string fp) { config_fp_ = std::move(fp); }

 private:
  std::string config_fp_;
  std::map<std::string, CachedPage> pages_;
};

// The fast path of a warm rebuild: path, size and mtime of every input as of the last
// complete build, the config, until when its publishing decisions hold (a publishDate or
// expiryDate or calendar window that passes changes them), and its diagnostics. When
// nothing differs, a build is done after one stat per page.
struct BuildIndex {
  std::string config_fp;
  SysSeconds valid_until{SysSeconds::max()};
  std::vector<SourceFile> files;
  std::vector<Diagnostic> diags;
  size_t events = 0;
};
std::string serialize_index(const BuildIndex& index);
bool parse_index(const std::string& text, BuildIndex& index);
bool same_inputs(const BuildIndex& index, const std::vector<SourceFile>& files);
// When the first decision about these events changes after `now`: publishing, the feed-date
// cap, the calendar window, and index.html's upcoming/past (an event or shown occurrence ends).
SysSeconds decisions_valid_until(const std::vector<Event>& built, const SiteConfig& site, SysSeconds now);

}  // namespace evfeed
