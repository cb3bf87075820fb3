#pragma once
// `evfeed build` as a library call: the incremental static build that cron runs. It sits
// above the pipeline (load -> model -> render) and publish, and owns the build's state:
// the files that make a warm rebuild cheap and SEQUENCE numbers stable. That state lives
// in its own folder, never in the published one: the parse cache holds the full text of
// drafts and embargoed pages, and an rsync or S3 sync of the output must not carry it.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "evfeed/diagnostic.hpp"
#include "evfeed/page.hpp"
#include "evfeed/publish.hpp"
#include "evfeed/site.hpp"
#include "evfeed/time.hpp"

namespace evfeed {

// The files of the build state folder (default: `<out>.evfeed-state`, beside the output).
struct StateFiles {
  std::string dir;
  std::string lock() const { return dir + "/lock"; }            // flock: one build at a time
  std::string manifest() const { return dir + "/manifest"; }    // outputs the last build wrote
  std::string sequences() const { return dir + "/sequences"; }  // identity -> SEQUENCE, fingerprint
  std::string cache() const { return dir + "/parse-cache"; }    // page -> event (drafts included)
  std::string digest() const { return dir + "/digest"; }        // everything the outputs depend on
  std::string index() const { return dir + "/index"; }          // inputs of the last complete build
};

// `<out>.evfeed-state` for `out` (trailing slashes ignored); "" when `out` has no name of
// its own (the file-system root), where the caller must ask for --state-dir.
std::string default_state_dir(const std::string& out_dir);

// With --site: `<site>/.evfeed-state/<out name>-<hash>`. The output usually sits inside the
// site's publish folder (public/calendar), where `<out>.evfeed-state` would be published.
std::string site_state_dir(const std::string& site_root, const std::string& out_dir);
// Whether `state_dir` is `out_dir` or inside it (refused: it would be published).
bool state_inside_output(const std::string& state_dir, const std::string& out_dir);

// Moves the state an older evfeed kept inside the output (.evfeed-state, .evfeed-manifest)
// to `state`, and deletes the rest of it (.evfeed-cache, -digest, -index, .evfeed.lock), so
// the output folder holds only what is meant to be published. Call with the lock held.
bool migrate_state_from_output(const std::string& out_dir, const StateFiles& state, Diagnostics& diags);

struct BuildRequest {
  std::vector<std::string> content_dirs;
  std::string out_dir;
  StateFiles state;
  SiteConfig site;
  // Called after each phase ("load", "model", "render and stage", "commit"): EVFEED_TIMING.
  std::function<void(const char* phase)> on_phase;
};

struct BuildReport {
  bool up_to_date = false;  // the fast path answered: nothing was read, rendered or written
  bool ok = true;           // false: the outputs could not be written completely (exit 1)
  size_t pages_seen = 0;
  size_t pages_reused = 0;  // taken from the parse cache
  size_t events = 0;
  PublishStats stats;
  Diagnostics page_diags;  // of the pages, in file order (also replayed by the fast path)
  Diagnostics render_diags;
  Diagnostics io_diags;  // state and output files
};

// The fast path of a warm rebuild: the same files, sizes and mtimes as the last complete
// build, the same config, no publishing decision due at `now` (a publishDate, expiryDate or
// calendar window passing), every output present. Then the report of that build (with its
// page diagnostics), else nullopt.
std::optional<BuildReport> check_up_to_date(const BuildRequest& request, SysSeconds now);

// Loads, models, renders and publishes, reusing what the state folder holds; never leaves a
// half-written output (see Publisher). The caller holds the lock (OutputLock on state.lock()).
BuildReport build(const BuildRequest& request, SysSeconds now);

}  // namespace evfeed
