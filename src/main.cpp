// The command line: check, build, serve. Exit status: 0 no errors (warnings allowed),
// 1 some pages had errors (all valid pages still processed), 2 usage or config error.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "evfeed/parse_cache.hpp"
#include "evfeed/pipeline.hpp"
#include "evfeed/publish.hpp"
#include "evfeed/server.hpp"
#include "evfeed/text.hpp"
#include "evfeed/version.hpp"

namespace fs = std::filesystem;
using namespace evfeed;

namespace {

struct CommonOptions {
  std::vector<std::string> content;
  std::string config;
  std::string timezone;
  std::string base_url;
  bool drafts = false, future = false, expired = false;
};

void add_common(CLI::App* cmd, CommonOptions& o, bool with_base_url) {
  cmd->add_option("--content", o.content, "content folder(s) holding the event pages")->required()->expected(1, -1);
  cmd->add_option("--config", o.config, "site config (YAML)");
  cmd->add_option("--timezone", o.timezone, "zone for times written without an offset (default Asia/Shanghai)");
  if (with_base_url) cmd->add_option("--base-url", o.base_url, "absolute URL where the output is published");
  cmd->add_flag("--drafts", o.drafts, "include pages with draft: true");
  cmd->add_flag("--future", o.future, "include pages whose publishDate is in the future");
  cmd->add_flag("--expired", o.expired, "include pages whose expiryDate has passed");
}

// Config file, then flags on top. false = usage/config error (exit 2).
bool make_site(const CommonOptions& o, SiteConfig& site, Diagnostics& diags) {
  if (!o.config.empty() && !load_site_config(o.config, site, diags)) return false;
  if (!o.timezone.empty()) site.timezone = o.timezone;
  if (!o.base_url.empty()) site.base_url = o.base_url;
  site.include_drafts = o.drafts;
  site.include_future = o.future;
  site.include_expired = o.expired;
  return validate_site_config(site, o.config.empty() ? "command line" : o.config, diags);
}

void print_diags(const Diagnostics& d, bool quiet) {
  for (const auto& x : d.items)
    if (!quiet || x.severity == Severity::error || x.severity == Severity::warning) std::cerr << format_diagnostic(x) << "\n";
}

SysSeconds now_seconds() { return date::floor<std::chrono::seconds>(std::chrono::system_clock::now()); }

int run_check(const CommonOptions& o, bool verbose) {
  Diagnostics cfg;
  SiteConfig site;
  if (!make_site(o, site, cfg)) {
    print_diags(cfg, false);
    return 2;
  }
  print_diags(cfg, false);
  LoadResult r = load_events({o.content, 0}, site);
  print_diags(r.diags, false);
  EventModel model = assemble_model(r.built, site, now_seconds());
  if (verbose) {
    for (const auto& e : r.built) {
      std::string when = e.all_day ? date::format("%F", e.start_day) + " .. " + date::format("%F", e.end_day) + " (all day, end exclusive)"
                                   : format_rfc3339(e.start, e.start_offset()) + " .. " + format_rfc3339(e.end, offset_at(e.zone, e.end));
      std::cout << e.source_path << ": " << e.title << "\n    " << when << " [" << e.zone_name() << "]"
                << "\n    end from: " << e.end_source << "; lang " << e.lang << "; identity " << e.identity
                << (e.draft ? "; draft" : "") << "\n";
    }
  }
  size_t errors = r.diags.count(Severity::error), warnings = r.diags.count(Severity::warning);
  std::cout << r.pages_seen << " pages, " << r.built.size() << " events (" << model.events.size() << " published, "
            << model.pages.size() - model.events.size() << " translations), " << errors << " errors, " << warnings
            << " warnings\n";
  return errors ? 1 : 0;
}

// A memory figure of this process from /proc/self/status ("VmRSS:", "VmHWM:"), in MiB.
long memory_mib(const std::string& field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind(field, 0) == 0) return std::atol(line.c_str() + field.size()) / 1024;
  return -1;
}

int run_build(const CommonOptions& o, const std::string& out_dir, bool quiet) {
  auto t0 = std::chrono::steady_clock::now();
  Diagnostics cfg;
  SiteConfig site;
  if (!make_site(o, site, cfg)) {
    print_diags(cfg, false);
    return 2;
  }
  print_diags(cfg, quiet);
  OutputLock lock;
  Diagnostics io;
  if (!lock.acquire(out_dir, 60, io)) {
    print_diags(io, false);
    return 2;
  }
  fs::path out(out_dir);
  std::string config_fp = config_fingerprint(site);
  SysSeconds started = now_seconds();
  {
    // Fast path: the same files, sizes and mtimes as the last complete build, the same
    // config, no publishing decision due, every output present: nothing to do.
    Diagnostics scan;
    std::vector<SourceFile> files = find_pages(o.content, scan);
    std::string index_text;
    BuildIndex index;
    if (!scan.has_errors() && read_whole_file((out / index_name).string(), index_text) && parse_index(index_text, index) &&
        index.config_fp == config_fp && started < index.valid_until && same_inputs(index, files) &&
        outputs_present(out_dir)) {
      Diagnostics previous;
      previous.items = index.diags;
      print_diags(previous, quiet);
      if (!quiet)
        std::cout << files.size() << " pages unchanged since the last build, " << index.events << " events -> " << out_dir
                  << ": up to date\n";
      return previous.has_errors() ? 1 : 0;
    }
  }
  ParseCache cache = ParseCache::load((out / cache_name).string(), config_fp);
  ParseCache next_cache;
  next_cache.set_config(config_fp);
  std::string old_digest;
  read_whole_file((out / digest_name).string(), old_digest);
  // From here on the outputs may change: forget "up to date" first, so a build killed
  // halfway is never mistaken for a complete one.
  if (!forget_completed_build(out_dir, io)) {
    print_diags(io, false);
    return 1;
  }
  auto phase = std::chrono::steady_clock::now();
  auto lap = [&phase](const char* name) {  // EVFEED_TIMING=1 prints where a build spends its time
    if (!std::getenv("EVFEED_TIMING")) return;
    auto now = std::chrono::steady_clock::now();
    std::cerr << "timing: " << name << " " << std::chrono::duration<double>(now - phase).count() << " s, memory "
              << memory_mib("VmRSS:") << " MiB, peak " << memory_mib("VmHWM:") << " MiB\n";
    phase = now;
  };
  LoadResult r = load_events({o.content, 0, &cache, &next_cache}, site);
  lap("load");
  // The parse cache only maps page contents to parse results, so it can be saved now,
  // whatever happens to the build, on the core that modelling leaves idle; then neither
  // copy takes memory during rendering.
  std::vector<SourceFile> pages_read;
  for (const auto& [path, page] : next_cache.pages()) pages_read.push_back(page.file);
  bool cache_saved = false;
  Diagnostics cache_diags;
  std::thread cache_saver([&] {
    cache_saved = next_cache.save((out / cache_name).string(), cache_diags);
    cache = ParseCache{};
    next_cache = ParseCache{};
  });
  print_diags(r.diags, quiet);
  SysSeconds now = started;
  SysSeconds index_valid_until = decisions_valid_until(r.built, site, now);
  EventModel model = assemble_model(std::move(r.built), site, now);

  std::string state_text;
  read_whole_file((out / state_name).string(), state_text);
  SequenceState state = advance_sequences(model, parse_sequences(state_text));
  Sequences seq = sequences_of(state);
  PublishStats stats;
  // Nothing the outputs depend on changed, and they are all still there: nothing to do.
  std::string digest = output_digest(model, site, seq, now);
  cache_saver.join();
  bool ok = cache_saved;
  for (auto& d : cache_diags.items) io.items.push_back(std::move(d));
  if (digest == old_digest && outputs_present(out_dir)) {
    stats.unchanged = model.events.size();
  } else {
    Diagnostics render_diags;
    lap("model");
    // Each output goes to a temporary file as soon as it is rendered, and its bytes are
    // dropped: the whole site (ten times the pages' size) is never in memory at once.
    Publisher publisher(out_dir);
    render_site_to(model, site, seq, now, render_diags, [&publisher](Resource&& r) { publisher.stage(r); });
    lap("render and stage");
    print_diags(render_diags, quiet);
    ok = publisher.commit(stats, io) && ok;
    lap("commit");
    ok = write_file_atomic((out / state_name).string(), serialize_sequences(state), nullptr, io) && ok;
  }
  // The digest and index go last: a build killed before this point is redone next time.
  ok = ok && write_file_atomic((out / digest_name).string(), digest, nullptr, io);
  if (ok) {
    BuildIndex index;
    index.config_fp = config_fp;
    index.events = model.events.size();
    index.diags = r.diags.items;
    index.files = std::move(pages_read);
    std::sort(index.files.begin(), index.files.end(), [](const SourceFile& a, const SourceFile& b) { return a.path < b.path; });
    index.valid_until = index_valid_until;
    ok = write_file_atomic((out / index_name).string(), serialize_index(index), nullptr, io);
  } else {
    std::error_code ec;
    fs::remove(out / index_name, ec);  // an incomplete build is never "up to date"
  }
  print_diags(io, false);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!quiet)
    std::cout << r.pages_seen << " pages (" << r.pages_reused << " from cache), " << model.events.size() << " events -> "
              << out_dir << ": " << stats.written << " written, " << stats.unchanged << " unchanged, " << stats.removed
              << " removed in " << secs << " s\n";
  if (!ok) return 1;
  return r.diags.has_errors() ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"evfeed: event pages (Hugo, Jekyll, ...) to iCalendar, RSS, Atom and JSON Feed"};
  app.set_version_flag("--version", "evfeed " EVFEED_VERSION);
  app.require_subcommand(1);

  CommonOptions check_opts;
  bool verbose = false;
  auto* check = app.add_subcommand("check", "load and model every page, report problems");
  add_common(check, check_opts, false);
  check->add_flag("--verbose,-v", verbose, "print every event, its zone and where its end came from");

  CommonOptions build_opts;
  std::string out_dir;
  bool quiet = false;
  auto* build = app.add_subcommand("build", "write calendars, feeds and index.html to a folder");
  add_common(build, build_opts, true);
  build->add_option("--out", out_dir, "output folder")->required();
  build->add_flag("--quiet,-q", quiet, "print only problems");

  CommonOptions serve_opts;
  ServeOptions serve_cfg;
  auto* serve = app.add_subcommand("serve", "serve the feeds over HTTP, rebuilding when pages change");
  add_common(serve, serve_opts, true);
  serve->add_option("--listen", serve_cfg.listen, "address:port to listen on")->capture_default_str();
  serve->add_option("--threads", serve_cfg.threads, "I/O threads (0 = one per core)")->capture_default_str();
  serve->add_option("--poll", serve_cfg.poll_ms, "milliseconds between change scans")->capture_default_str();
  serve->add_option("--max-connections", serve_cfg.max_connections, "open connections allowed")->capture_default_str();
  bool no_access_log = false;
  serve->add_flag("--no-access-log", no_access_log, "do not log one line per request");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (*check) return run_check(check_opts, verbose);
  if (*build) return run_build(build_opts, out_dir, quiet);
  if (*serve) {
    Diagnostics cfg;
    SiteConfig site;
    if (!make_site(serve_opts, site, cfg)) {
      print_diags(cfg, false);
      return 2;
    }
    print_diags(cfg, false);
    serve_cfg.content_dirs = serve_opts.content;
    serve_cfg.access_log = !no_access_log;
    serve_cfg.config_path = serve_opts.config;
    serve_cfg.site = site;
    serve_cfg.flag_timezone = serve_opts.timezone;
    serve_cfg.flag_base_url = serve_opts.base_url;
    return run_server(serve_cfg);
  }
  return 2;
}
