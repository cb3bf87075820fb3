#include "evfeed/live_site.hpp"

#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <set>
#include <sstream>
#include <thread>

#include "evfeed/log.hpp"
#include "evfeed/pipeline.hpp"
#include "evfeed/site_profile.hpp"
#include "evfeed/text.hpp"

namespace fs = std::filesystem;

namespace evfeed {

LiveSite::LiveSite(ServeOptions opts, ReloadListener on_reload)
    : opts_(std::move(opts)), on_reload_(std::move(on_reload)) {
  inotify_fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);  // -1: polling alone still works
}

LiveSite::~LiveSite() {
  if (inotify_fd_ >= 0) ::close(inotify_fd_);
}

// The folder /healthz paths are relative to: the site with --site, else the folder that
// holds the content folders (so a missing one still shows by name: "content").
std::string LiveSite::display_root() const {
  if (opts_.resolved.site.profile) return opts_.resolved.site.profile->root;
  std::string root;
  for (const auto& dir : opts_.resolved.content_dirs) {
    std::string parent = fs::path(dir).lexically_normal().parent_path().string();
    if (root.empty() || starts_with(root, parent + "/")) root = parent;
  }
  return root;
}

// What a reload would read: the pages and folders of the same walk as the load, so a
// page reached through a symbolic link is watched exactly when it is published. The
// folders found are kept for add_watches (no second walk).
std::string LiveSite::scan() {
  Diagnostics ignored;  // the rebuild reports them
  ContentTree tree = walk_content(opts_.resolved.content_dirs, opts_.resolved.site.follow_symlinks, ignored);
  folders_ = std::move(tree.folders);
  std::string fp;
  for (const auto& dir : tree.missing) fp += dir + "|missing\n";
  for (const auto& f : tree.pages)
    fp += f.path + "|" + std::to_string(f.size) + "|" + std::to_string(f.mtime_ns) + "\n";
  for (const auto& dir : folders_) fp += dir + "/\n";  // a new empty folder needs a watch
  // The site's config files, the evfeed config and the _index pages (their cascade is
  // config): a change resolves the site again.
  std::set<std::string> inputs(opts_.resolved.inputs.begin(), opts_.resolved.inputs.end());
  for (const auto& f : tree.section_pages) inputs.insert(f.path);
  inputs_fp_ = opts_.resolved.site.profile ? site_layout(*opts_.resolved.site.profile) : "";
  for (const auto& path : inputs) {
    SourceFile f;
    f.size = -1;  // missing
    stat_source_file(path, f);
    inputs_fp_ += path + "|" + std::to_string(f.size) + "|" + std::to_string(f.mtime_ns) + "\n";
  }
  return fp + inputs_fp_;
}

void LiveSite::add_watches() {
  if (inotify_fd_ < 0) return;
  // *_SELF: a content folder itself moved away or deleted (the scan then notices it is
  // missing and polls until it is back).
  const uint32_t mask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_MODIFY | IN_ATTRIB |
                        IN_DELETE_SELF | IN_MOVE_SELF;
  auto watch = [&](const std::string& p) { ::inotify_add_watch(inotify_fd_, p.c_str(), mask); };
  for (const auto& dir : folders_) watch(dir);
  // Where config files are or may appear: beside each input, the site root and its config/
  // folders, and each content dir (a new section, the home page's _index).
  std::set<std::string> dirs;
  for (const auto& f : opts_.resolved.inputs)
    dirs.insert(fs::path(f).parent_path().empty() ? "." : fs::path(f).parent_path().string());
  if (const auto& p = opts_.resolved.site.profile) {
    dirs.insert(p->root);
    dirs.insert(p->root + "/config/_default");
    dirs.insert(p->root + "/config/" + opts_.sources.environment);
    dirs.insert(p->content_dirs.begin(), p->content_dirs.end());
    for (const auto& folder : section_folders(*p)) dirs.insert(folder);  // a new _index page there
  }
  for (const auto& d : dirs) watch(d);  // a folder that does not exist is no watch, and no error
}

bool LiveSite::reload_config(bool initial, ResolvedSite& out, Diagnostics& diags) {
  if (initial || inputs_fp_ == resolved_inputs_fp_) {
    out = opts_.resolved;
    diags = config_errors_;  // a broken config keeps being reported until it is fixed
    return config_errors_.items.empty();
  }
  resolved_inputs_fp_ = inputs_fp_;
  ResolvedSite fresh;
  Diagnostics d;
  if (!resolve_site(opts_.sources, fresh, d, &opts_.resolved)) {
    for (auto& x : d.items)
      if (x.severity == Severity::error) x.message += " (the last good config is kept)";
    config_errors_ = diags = d;
    out = opts_.resolved;
    return false;
  }
  config_errors_ = Diagnostics{};
  diags = d;
  out = opts_.resolved = std::move(fresh);
  return true;
}

void LiveSite::rebuild(bool initial, std::string fingerprint) {
  auto t0 = std::chrono::steady_clock::now();
  fingerprint_ = fingerprint.empty() ? scan() : std::move(fingerprint);
  Diagnostics cfg_diags;
  ResolvedSite resolved;
  // A config that does not load keeps the last good one (not the startup one).
  std::vector<std::string> dirs_before = opts_.resolved.content_dirs;
  bool config_ok = reload_config(initial, resolved, cfg_diags);
  if (initial) resolved_inputs_fp_ = inputs_fp_;
  // New content dirs (a section found): their folders are scanned and watched from now on.
  if (resolved.content_dirs != dirs_before) {
    fingerprint_ = scan();
    if (config_ok) resolved_inputs_fp_ = inputs_fp_;  // the new dirs' inputs are this resolve's
  }
  const SiteConfig& site = resolved.site;
  std::string config_fp = config_fingerprint(site);
  if (config_fp != config_fp_) {  // another config: nothing rendered before can be reused
    parse_cache_ = ParseCache{};
    reuse_ = RenderReuse{};
    config_fp_ = config_fp;
  }
  if (!initial && hold_while_missing(resolved.content_dirs)) return;
  LoadResult r;
  std::vector<Event> events = load_keeping_last_good(resolved, config_fp, r);

  SysSeconds now = date::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  // Time alone changes outputs when a publishDate, expiryDate, calendar window or future
  // page date passes: watch() rebuilds then, so every replica serves the same bytes.
  valid_until_ = decisions_valid_until(events, site, now);
  EventModel model = assemble_model(std::move(events), site, now, &r.diags);
  // After the first build, changed outputs go out uncompressed at once and get their gzip
  // right after: new bytes reach clients first (identity is always acceptable).
  reuse_.defer_gzip = !initial;
  SnapshotInputs in;
  in.seq = declared_sequences(model);  // from the content alone: replicas and restarts agree
  in.model = std::make_shared<const EventModel>(std::move(model));
  in.site = site;
  in.now = now;
  in.reuse = &reuse_;
  in.filters = filters_;
  in.page_count = r.pages_seen;
  in.display_root = display_root();
  for (auto* src : {&cfg_diags, &r.diags})
    for (const auto& d : src->items) in.problems.push_back(d);
  in.build_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  swap_in(make_snapshot(std::move(in)), initial, config_ok && !r.diags.has_errors(), config_ok);
}

// A content folder that vanished (unmounted, mid-checkout) is not "every page deleted": the
// last snapshot stays, /healthz says why, until the scan sees the folder back. true: held.
bool LiveSite::hold_while_missing(const std::vector<std::string>& content_dirs) {
  std::vector<Diagnostic> missing;
  for (const auto& dir : content_dirs) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
      missing.push_back({dir, 0, 0, Severity::error, "content folder is missing; serving the last good snapshot"});
  }
  if (missing.empty()) return false;
  auto old = current();
  Snapshot files = old->files();
  files.problems = missing;
  for (const auto& d : missing) log_diagnostic(d);
  std::atomic_store(&current_, old->with_files(std::move(files)));
  valid_until_ = SysSeconds::max();  // the scan notices the folder's return
  if (on_reload_) on_reload_({false, false});
  return true;
}

// The events of this load, where a page that now fails (or sits in a folder that could not
// be read) keeps its last good event: a typo never makes an event vanish from subscribers.
std::vector<Event> LiveSite::load_keeping_last_good(const ResolvedSite& resolved, const std::string& config_fp,
                                                    LoadResult& r) {
  ParseCache next_cache;
  next_cache.set_config(config_fp);
  r = load_events({resolved.content_dirs, opts_.threads, &parse_cache_, &next_cache}, resolved.site);
  parse_cache_ = std::move(next_cache);
  std::set<std::string> failed, built_paths;
  for (const auto& d : r.diags.items)
    if (d.severity == Severity::error) failed.insert(d.path);
  for (const auto& e : r.built) built_paths.insert(e.source_path);
  std::vector<Event> events = std::move(r.built);
  // Last good versions: those of this build's pages are the parse cache's own events
  // (shared, not copied); a broken page keeps the one it had.
  std::map<std::string, std::shared_ptr<const Event>> good;
  for (const auto& [path, page] : parse_cache_.pages())
    if (page.ok) good[path] = page.event;
  auto keep_last_good = [&](const std::string& path, const std::shared_ptr<const Event>& e) {
    events.push_back(*e);
    built_paths.insert(path);
    good[path] = e;
  };
  for (const auto& path : failed) {
    auto it = last_good_.find(path);
    if (it != last_good_.end() && !built_paths.count(path)) {
      keep_last_good(path, it->second);
      r.diags.add(path, 0, 0, Severity::note, "serving the last good version of this page until its error is fixed");
    }
  }
  // A folder that could not be read (permissions, out of file descriptors) hides its pages
  // without deleting them: they keep their last good versions too.
  for (const auto& path : failed) {
    std::error_code ec;
    if (!fs::is_directory(path, ec)) continue;
    std::string prefix = path.back() == '/' ? path : path + "/";
    for (const auto& [page, e] : last_good_)
      if (starts_with(page, prefix) && !built_paths.count(page)) keep_last_good(page, e);
  }
  last_good_ = std::move(good);
  return events;
}

// Logs the new snapshot, makes it the current one, counts the reload and fills in its gzip.
void LiveSite::swap_in(std::shared_ptr<const SiteSnapshot> next, bool initial, bool ok, bool config_ok) {
  const Snapshot& snap = next->files();
  for (const auto& d : snap.problems)
    if (d.severity != Severity::note) log_diagnostic(d);
  std::ostringstream summary;  // the seconds as iostreams print a double: "0.0123"
  summary << "evfeed: " << (initial ? "built " : "reloaded ") << snap.event_count << " events from " << snap.page_count
          << " pages in " << snap.build_seconds << " s" << (config_ok ? "" : " (config error: old config kept)");
  log_line(summary.str());
  std::atomic_store(&current_, std::move(next));
  if (on_reload_) on_reload_({initial, ok});
  compress_pending();
  add_watches();
}

void LiveSite::compress_pending() {
  auto snap = current();
  std::vector<Resource> todo;
  for (const auto& [path, res] : snap->files().files)
    if (res->gzip.empty() && !res->body.empty()) todo.push_back(*res);
  if (todo.empty()) return;
  finalize_resources(todo);
  Snapshot files = snap->files();
  for (auto& res : todo) {
    std::string path = res.path;
    files.files[path] = std::make_shared<const Resource>(std::move(res));
  }
  reuse_.files = files.files;
  std::atomic_store(&current_, snap->with_files(std::move(files)));
}

void LiveSite::watch(const std::atomic<bool>& stop) {
  char buf[8192];
  // With inotify, the tree is scanned when it reports a change, and every 20 polls as a
  // safety net (a folder deleted and created again, an overflowed queue): a scan stats
  // every page, which on a 10,000-page site is not free. Without inotify, or while a
  // content folder is missing (no watch can see it come back), every poll scans.
  int polls_since_scan = 0;
  while (!stop) {
    bool changed = false;
    if (inotify_fd_ >= 0) {
      pollfd pfd{inotify_fd_, POLLIN, 0};
      if (::poll(&pfd, 1, opts_.poll_ms) > 0) {
        while (::read(inotify_fd_, buf, sizeof buf) > 0) {
        }
        changed = true;
        // Let an editor finish its write-rename dance before scanning.
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(opts_.poll_ms));
    }
    if (stop) break;
    if (date::floor<std::chrono::seconds>(std::chrono::system_clock::now()) >= valid_until_) {
      rebuild(false);
      continue;
    }
    bool blind = inotify_fd_ < 0 || fingerprint_.find("|missing\n") != std::string::npos;
    if (!changed && !blind && ++polls_since_scan < 20) continue;
    polls_since_scan = 0;
    std::string fp = scan();
    // A config input that changed since the site was resolved resolves it again, even when
    // the scan that found the change was taken by the previous rebuild.
    if (fp != fingerprint_ || inputs_fp_ != resolved_inputs_fp_)
      rebuild(false, std::move(fp));  // also watches new folders
    else if (changed)
      add_watches();  // a folder deleted and made again under its old name needs a new watch
  }
}

}  // namespace evfeed
