#include "evfeed/build.hpp"

#include <algorithm>
#include <filesystem>
#include <thread>

#include "evfeed/fsutil.hpp"
#include "evfeed/parse_cache.hpp"
#include "evfeed/pipeline.hpp"
#include "evfeed/resources.hpp"

namespace fs = std::filesystem;

namespace evfeed {

namespace {

// Absolute, symlinks resolved, no "." or ".." and no trailing slash: two spellings of one
// folder give one path (one state, one lock).
fs::path resolved(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(fs::absolute(fs::path(path)), ec);
  if (ec) p = fs::absolute(fs::path(path));
  std::string s = p.lexically_normal().string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return fs::path(s);
}

bool names_a_folder(const fs::path& p) { return p.has_filename() && p.filename() != "." && p.filename() != ".."; }

}  // namespace

std::string default_state_dir(const std::string& out_dir) {
  fs::path out = resolved(out_dir);
  return names_a_folder(out) ? out.string() + ".evfeed-state" : "";
}

std::string site_state_dir(const std::string& site_root, const std::string& out_dir) {
  fs::path out = resolved(out_dir);
  // One state per output folder: the site may be built into several.
  std::string name = names_a_folder(out) ? out.filename().string() : "out";
  return (fs::path(site_root) / ".evfeed-state" / (name + "-" + content_hash_hex(out.string()).substr(0, 12))).string();
}

bool state_inside_output(const std::string& state_dir, const std::string& out_dir) {
  auto rel = resolved(state_dir).lexically_relative(resolved(out_dir));
  return !rel.empty() && *rel.begin() != "..";
}

bool migrate_state_from_output(const std::string& out_dir, const StateFiles& state, Diagnostics& diags) {
  fs::path out(out_dir);
  std::error_code ec;
  fs::create_directories(state.dir, ec);
  // What an older evfeed kept that is worth keeping: SEQUENCE numbers (they must never go
  // down) and the manifest (the only list of files evfeed may remove).
  const std::pair<const char*, std::string> kept[] = {{".evfeed-state", state.sequences()},
                                                      {".evfeed-manifest", state.manifest()}};
  std::vector<std::string> drop;
  for (const auto& [old_name, target] : kept) {
    fs::path old = out / old_name;
    if (!fs::exists(old, ec)) continue;
    if (!fs::exists(target, ec)) {
      fs::rename(old, target, ec);
      if (!ec) {
        diags.add(old.string(), 0, 0, Severity::note, "moved to " + target + " (build state stays out of the output)");
        continue;
      }
      std::string bytes;  // another file system: a durable copy, then the old one goes
      if (!read_whole_file(old.string(), bytes) || !write_file_atomic(target, bytes, nullptr, diags)) {
        diags.add(old.string(), 0, 0, Severity::error, "cannot move to " + target);
        return false;
      }
    }
    drop.push_back(old.string());
  }
  for (const char* old_name : {".evfeed-cache", ".evfeed-digest", ".evfeed-index", ".evfeed.lock"})
    if (fs::exists(out / old_name, ec)) drop.push_back((out / old_name).string());
  return remove_durably(drop, diags);
}

namespace {

std::string config_fingerprint_of(const BuildRequest& request) { return config_fingerprint(request.site); }

void phase(const BuildRequest& request, const char* name) {
  if (request.on_phase) request.on_phase(name);
}

void append(Diagnostics& to, Diagnostics&& from) {
  for (auto& d : from.items) to.items.push_back(std::move(d));
}

// What the next build's fast path compares against: written last, so that a build killed
// before it is redone in full.
bool save_index(const BuildRequest& request, std::vector<SourceFile> files, const BuildReport& report,
                SysSeconds valid_until, Diagnostics& diags) {
  BuildIndex index;
  index.config_fp = config_fingerprint_of(request);
  index.events = report.events;
  index.diags = report.page_diags.items;
  index.files = std::move(files);
  std::sort(index.files.begin(), index.files.end(),
            [](const SourceFile& a, const SourceFile& b) { return a.path < b.path; });
  index.valid_until = valid_until;
  return write_file_atomic(request.state.index(), serialize_index(index), nullptr, diags);
}

}  // namespace

std::optional<BuildReport> check_up_to_date(const BuildRequest& request, SysSeconds now) {
  Diagnostics scan;
  std::vector<SourceFile> files = find_site_pages(request.content_dirs, request.site, scan);
  std::string index_text;
  BuildIndex index;
  if (scan.has_errors() || !read_whole_file(request.state.index(), index_text) || !parse_index(index_text, index) ||
      index.config_fp != config_fingerprint_of(request) || now >= index.valid_until || !same_inputs(index, files) ||
      !outputs_present(request.out_dir, request.state.manifest()))
    return std::nullopt;
  BuildReport report;
  report.up_to_date = true;
  report.pages_seen = files.size();
  report.events = index.events;
  report.page_diags.items = std::move(index.diags);
  return report;
}

BuildReport build(const BuildRequest& request, SysSeconds now) {
  BuildReport report;
  const SiteConfig& site = request.site;
  const StateFiles& state = request.state;
  std::string config_fp = config_fingerprint_of(request);
  ParseCache cache = ParseCache::load(state.cache(), config_fp);
  ParseCache next_cache;
  next_cache.set_config(config_fp);
  std::string old_digest;
  read_whole_file(state.digest(), old_digest);
  // From here on the outputs may change: forget "up to date" first, so a build killed
  // halfway is never mistaken for a complete one.
  if (!remove_durably({state.index(), state.digest()}, report.io_diags)) {
    report.ok = false;
    return report;
  }
  LoadResult loaded = load_events({request.content_dirs, 0, &cache, &next_cache}, site);
  report.pages_seen = loaded.pages_seen;
  report.pages_reused = loaded.pages_reused;
  report.page_diags = std::move(loaded.diags);
  phase(request, "load");
  // The parse cache only maps page contents to parse results, so it can be saved now,
  // whatever happens to the build, on the core that modelling leaves idle; then neither
  // copy takes memory during rendering.
  std::vector<SourceFile> pages_read;
  for (const auto& [path, page] : next_cache.pages()) pages_read.push_back(page.file);
  bool cache_saved = false;
  Diagnostics cache_diags;
  std::thread cache_saver([&] {
    try {  // an exception escaping this thread would terminate the build
      cache_saved = next_cache.save(state.cache(), cache_diags);
    } catch (const std::exception& e) {
      cache_diags.add(state.cache(), 0, 0, Severity::error, std::string("cannot save the parse cache: ") + e.what());
    }
    cache = ParseCache{};
    next_cache = ParseCache{};
  });
  SysSeconds valid_until = decisions_valid_until(loaded.built, site, now);
  EventModel model = assemble_model(std::move(loaded.built), site, now, &report.page_diags);
  report.events = model.events.size();

  std::string state_text;
  read_whole_file(state.sequences(), state_text);
  SequenceState sequences = advance_sequences(model, parse_sequences(state_text));
  Sequences seq = sequences_of(sequences);
  // Nothing the outputs depend on changed, and they are all still there: nothing to do.
  std::string digest = output_digest(model, site, seq, now);
  cache_saver.join();
  bool ok = cache_saved;
  append(report.io_diags, std::move(cache_diags));
  if (digest == old_digest && outputs_present(request.out_dir, state.manifest())) {
    report.stats.unchanged = model.events.size();
  } else {
    phase(request, "model");
    // Each output goes to a temporary file as soon as it is rendered, and its bytes are
    // dropped: the whole site (ten times the pages' size) is never in memory at once.
    Publisher publisher(request.out_dir, state.manifest());
    render_site_to(model, site, seq, now, report.render_diags, [&publisher](Resource&& r) { publisher.stage(r); });
    phase(request, "render and stage");
    ok = publisher.commit(report.stats, report.io_diags) && ok;
    phase(request, "commit");
    ok = write_file_atomic(state.sequences(), serialize_sequences(sequences), nullptr, report.io_diags) && ok;
  }
  // The digest and index go last: a build killed before this point is redone next time.
  ok = ok && write_file_atomic(state.digest(), digest, nullptr, report.io_diags);
  ok = ok && save_index(request, std::move(pages_read), report, valid_until, report.io_diags);
  if (!ok) remove_durably({state.index()}, report.io_diags);  // an incomplete build is never "up to date"
  report.ok = ok;
  return report;
}

}  // namespace evfeed
