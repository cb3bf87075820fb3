#pragma once
// The server's view of the site: builds snapshots in memory, watches the content folders
// and the config (inotify wakes it, a stat scan decides), and swaps the new snapshot in
// atomically. In-flight requests keep the snapshot they started with.
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "evfeed/parse_cache.hpp"
#include "evfeed/pipeline.hpp"
#include "evfeed/site.hpp"
#include "evfeed/site_profile.hpp"
#include "evfeed/snapshot.hpp"

namespace evfeed {

struct ServeOptions {
  SiteSources sources;    // resolved again on each reload (site config, evfeed config, flags)
  ResolvedSite resolved;  // as resolved and validated at start; then the last good one
  bool access_log = true;
  std::string listen = "127.0.0.1:8080";
  unsigned threads = 0;
  int poll_ms = 500;
  size_t max_connections = 10000;
};

// What one rebuild came to: the server counts it in its metrics. Called when the new
// snapshot (or the held one) becomes current, from the thread that rebuilt.
struct ReloadOutcome {
  bool initial = false;  // the build at start, not a reload
  bool ok = true;        // every page and the config loaded
};
using ReloadListener = std::function<void(const ReloadOutcome&)>;

class LiveSite {
 public:
  explicit LiveSite(ServeOptions opts, ReloadListener on_reload = {});
  ~LiveSite();
  LiveSite(const LiveSite&) = delete;
  LiveSite& operator=(const LiveSite&) = delete;

  std::shared_ptr<const SiteSnapshot> current() const { return std::atomic_load(&current_); }

  // Rebuilds everything. A page that now fails keeps its last good event, so a typo
  // never makes an event vanish from subscribers; its error shows in /healthz.
  // `fingerprint`: the scan that found the change (empty: scan now).
  void rebuild(bool initial, std::string fingerprint = {});

  // Blocks until `stop` is set, rebuilding whenever a page or the config changes.
  void watch(const std::atomic<bool>& stop);

 private:
  std::string scan();  // paths, sizes and mtimes of every input; sets folders_
  void add_watches();  // inotify watches on folders_ and the folders of the site's config files
  // The site resolved again when one of its config files changed (else the last good one).
  // false: it does not load; the last good one stays and `diags` say why.
  bool reload_config(bool initial, ResolvedSite& out, Diagnostics& diags);
  bool hold_while_missing(const std::vector<std::string>& content_dirs);
  std::vector<Event> load_keeping_last_good(const ResolvedSite& resolved, const std::string& config_fp, LoadResult& r);
  void swap_in(std::shared_ptr<const SiteSnapshot> next, bool initial, bool ok, bool config_ok);

  std::string display_root() const;
  ServeOptions opts_;
  ReloadListener on_reload_;
  std::shared_ptr<const SiteSnapshot> current_;
  // Fills in the gzip of outputs that changed in the last rebuild, then swaps again.
  void compress_pending();

  std::map<std::string, std::shared_ptr<const Event>> last_good_;  // source path -> last event built from it
  ParseCache parse_cache_;                                         // unchanged pages are not parsed again
  std::string config_fp_;
  RenderReuse reuse_;  // unchanged events and outputs are not rendered again
  std::shared_ptr<FilterCache> filters_ = std::make_shared<FilterCache>();  // one budget for all snapshots
  std::string fingerprint_;
  std::string inputs_fp_;                       // the config inputs' part of the last scan
  std::string resolved_inputs_fp_;              // ... when the site was last resolved
  Diagnostics config_errors_;                   // why the last resolve failed (reported on each reload until fixed)
  std::vector<std::string> folders_;            // of the last scan
  SysSeconds valid_until_ = SysSeconds::max();  // when a publishing decision of the content falls due
  int inotify_fd_ = -1;
};

}  // namespace evfeed
