// The command line: check, build, serve. Exit status: 0 no errors (warnings allowed),
// 1 some pages had errors (all valid pages still processed), 2 usage or config error.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "evfeed/build.hpp"
#include "evfeed/log.hpp"
#include "evfeed/model.hpp"
#include "evfeed/pipeline.hpp"
#include "evfeed/recurrence.hpp"
#include "evfeed/render.hpp"
#include "evfeed/server.hpp"
#include "evfeed/site_profile.hpp"
#include "evfeed/text.hpp"
#include "evfeed/version.hpp"

namespace fs = std::filesystem;
using namespace evfeed;

namespace {

void add_common(CLI::App* cmd, SiteSources& o, bool with_base_url, const char* default_environment) {
  cmd->add_option("--site", o.site_dir,
                  "a Hugo or Jekyll site: its config gives links, publishing, languages and zone");
  cmd->add_option("--content", o.content, "content folder(s) holding the event pages (instead of, or within, --site)")
      ->expected(1, -1);
  o.environment = default_environment;
  cmd->add_option("--environment", o.environment, "Hugo environment: config/<environment>/ over config/_default/")
      ->capture_default_str();
  cmd->add_option("--jekyll-config", o.jekyll_configs, "Jekyll config file(s), merged in order (default _config.yml)")
      ->delimiter(',');
  cmd->add_option("--config", o.config, "evfeed settings (YAML); win over those in the site config");
  cmd->add_option("--timezone", o.timezone, "zone for times written without an offset (default Asia/Shanghai)");
  if (with_base_url) cmd->add_option("--base-url", o.base_url, "absolute URL where the output is published");
  cmd->add_flag("--drafts", o.drafts, "include pages with draft: true");
  cmd->add_flag("--future", o.future, "include pages whose publishDate is in the future");
  cmd->add_flag("--expired", o.expired, "include pages whose expiryDate has passed");
  cmd->add_flag("--follow-symlinks", o.follow_symlinks,
                "publish pages and folders that symbolic links bring in from outside the content folders");
}

// The path of a page as its site sees it ("content/zh/event/a.md"), else as opened.
std::string site_path_of(const SiteConfig& site, const Event& e) {
  const ContentRoot* root = site.profile ? root_of(*site.profile, e.source_path) : nullptr;
  return root ? root->site_rel + e.source_path.substr(root->dir.size()) : e.source_path;
}

void print_diags(const Diagnostics& d, bool quiet) {
  for (const auto& x : d.items)
    if (!quiet || x.severity == Severity::error || x.severity == Severity::warning) log_diagnostic(x);
}

SysSeconds now_seconds() { return date::floor<std::chrono::seconds>(std::chrono::system_clock::now()); }

// `check --verbose`: a series' rule in words and its next five occurrences, in the
// page's zone and in UTC.
void print_next_occurrences(const Event& e, SysSeconds now) {
  if (!e.has_instances()) return;
  if (e.recurs()) std::cout << "    repeats: " << describe_series(e) << "\n";
  for (const auto& o : occurrences(e, now, SysSeconds::max(), 5))
    std::cout << "    next: " << format_rfc3339(o.start, offset_at(e.zone, o.start)) << " ("
              << format_utc_basic(o.start) << ")" << (o.title != e.title ? " " + o.title : "")
              << (o.cancelled ? " CANCELLED" : "") << "\n";
}

// `check --occurrences FROM/TO`: every occurrence of the published events starting in
// [FROM, TO), one line each as tests/recurrence/compare.py's expanders print them, so the
// model's own expansion is compared with the calendar clients'.
void print_occurrences(const EventModel& model, const SiteConfig& site, std::pair<SysSeconds, SysSeconds> window) {
  std::vector<std::string> lines;
  for (const auto& e : model.events) {
    auto stamp = [&](SysSeconds t) {
      return e.all_day ? date::format("%F", date::floor<date::days>(to_local(e.zone, t))) : date::format("%FT%TZ", t);
    };
    auto line = [&](const std::string& uid, const Occurrence& o, const std::string& title) {
      SysSeconds key =
          e.all_day ? SysSeconds{date::floor<date::days>(to_local(e.zone, o.start)).time_since_epoch()} : o.start;
      if (key >= window.first && key < window.second)
        lines.push_back(uid + "\t" + stamp(o.start) + "\t" + stamp(o.end) + "\t" +
                        (o.cancelled ? "CANCELLED" : status_name(e.status)) + "\t" + title);
    };
    if (!e.sessions().empty()) {
      for (const auto& s : e.sessions())
        line(session_uid(e, s, site), Occurrence{s.start, s.end, {}, {}, {}, e.status == EventStatus::cancelled, false},
             s.title.empty() ? e.title : e.title + ": " + s.title);
      continue;
    }
    // Starts in the window: the occurrences overlapping it from a year before.
    SysSeconds from = window.first - date::days{400};
    for (const auto& o : occurrences(e, from, window.second, std::numeric_limits<size_t>::max() / 4))
      line(event_uid(e, site), o, o.title);
  }
  std::sort(lines.begin(), lines.end());
  for (const auto& l : lines) std::cout << l << "\n";
}

int run_check(const SiteSources& o, bool verbose, bool list,
              std::optional<std::pair<SysSeconds, SysSeconds>> occurrences_window) {
  Diagnostics cfg;
  ResolvedSite resolved;
  if (!resolve_site(o, resolved, cfg)) {
    print_diags(cfg, false);
    return 2;
  }
  const SiteConfig& site = resolved.site;
  const std::vector<std::string>& content = resolved.content_dirs;
  print_diags(cfg, false);
  LoadResult r = load_events({content, 0}, site);
  print_diags(r.diags, false);
  SysSeconds now = now_seconds();
  Diagnostics model_diags;
  EventModel model = assemble_model(r.built, site, now, &model_diags);
  print_diags(model_diags, false);
  if (verbose && site.profile) {
    const SiteProfile& p = *site.profile;
    std::cout << (p.generator == Generator::hugo ? "Hugo" : "Jekyll") << " site " << p.root << " (" << p.config_files
              << "): pages at " << p.base_url << ", feeds at " << site.base_url << ", zone " << site.timezone << "\n";
    for (const auto& [lang, url] : p.language_base_urls) std::cout << "  " << lang << " pages at " << url << "\n";
    std::string by_type, types;
    for (const auto& root : p.roots) {
      std::string where = root.site_rel + (root.lang.empty() ? "" : " [" + root.lang + "]");
      if (root.event_types.empty()) {
        std::cout << "  events in " << where << "\n";
        continue;
      }
      by_type += (by_type.empty() ? "" : ", ") + where;
      types.clear();
      for (const auto& t : root.event_types) types += (types.empty() ? "" : ", ") + t;
    }
    if (!by_type.empty())  // sections read for pages that say `type: event` (or layout) themselves
      std::cout << "  event pages by their type or layout (" << types << ") in " << by_type << "\n";
  }
  if (list) {  // one line per event page: path in the site, link, published (1/0) and why not
    for (const auto& e : r.built) {
      std::string why = unpublished_reason(e, site, now);
      std::cout << site_path_of(site, e) << "\t" << e.url << "\t" << (why.empty() ? "1" : "0\t" + why) << "\n";
    }
  }
  if (verbose) {
    auto print_table = [](const char* title, const std::vector<PrecedenceRow>& rows) {
      std::cout << title << " (the first row that applies wins):\n";
      for (size_t i = 0; i < rows.size(); ++i)
        std::cout << "  " << i + 1 << ". " << rows[i].source << ": " << rows[i].rule << "\n";
    };
    print_table("Zone of an event", zone_precedence());
    print_table("End of an event", end_precedence());
    for (const auto& e : r.built) {
      std::string when =
          e.all_day
              ? date::format("%F", e.start_day) + " .. " + date::format("%F", e.end_day) + " (all day, end exclusive)"
              : format_rfc3339(e.start, e.start_offset()) + " .. " + format_rfc3339(e.end, offset_at(e.zone, e.end));
      std::cout << e.source_path << ": " << e.title << "\n    " << when << " [" << e.zone_name() << "]"
                << "\n    zone from: " << e.zone_source << "; end from: " << e.end_source << "; lang " << e.lang
                << "; identity " << e.identity << (e.draft ? "; draft" : "") << "\n";
      print_next_occurrences(e, now);
    }
  }
  if (occurrences_window) print_occurrences(model, site, *occurrences_window);
  size_t errors = r.diags.count(Severity::error),
         warnings =
             cfg.count(Severity::warning) + r.diags.count(Severity::warning) + model_diags.count(Severity::warning);
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

int run_build(const SiteSources& o, const std::string& out_dir, const std::string& state_dir, bool quiet) {
  auto t0 = std::chrono::steady_clock::now();
  Diagnostics cfg;
  BuildRequest request;
  ResolvedSite resolved;
  if (!resolve_site(o, resolved, cfg)) {
    print_diags(cfg, false);
    return 2;
  }
  request.site = std::move(resolved.site);
  request.content_dirs = std::move(resolved.content_dirs);
  print_diags(cfg, quiet);
  if (!request.site.base_url_given) {
    log_line(
        "evfeed build: error: no base URL, so links and UIDs would point at localhost; give --base-url "
        "https://example.org/events/, base_url in --config, or --site with the site's baseURL/url");
    return 2;
  }
  request.out_dir = out_dir;
  request.state.dir = !state_dir.empty()     ? state_dir
                      : request.site.profile ? site_state_dir(request.site.profile->root, out_dir)
                                             : default_state_dir(out_dir);
  if (request.state.dir.empty()) {
    log_line(out_dir + ": error: the build state cannot go beside this output folder; give --state-dir DIR");
    return 2;
  }
  if (state_inside_output(request.state.dir, out_dir)) {
    log_line(request.state.dir +
             ": error: the build state (with the text of drafts) would be published inside --out; give a "
             "--state-dir outside it");
    return 2;
  }
  OutputLock lock;
  Diagnostics io;
  if (!lock.acquire(request.state.lock(), 60, io) || !migrate_state_from_output(out_dir, request.state, io)) {
    print_diags(io, false);
    return 2;
  }
  print_diags(io, quiet);
  auto phase_start = std::chrono::steady_clock::now();
  if (std::getenv("EVFEED_TIMING")) {  // EVFEED_TIMING=1 prints where a build spends its time
    request.on_phase = [&phase_start](const char* name) {
      auto now = std::chrono::steady_clock::now();
      std::ostringstream line;
      line << "timing: " << name << " " << std::chrono::duration<double>(now - phase_start).count() << " s, memory "
           << memory_mib("VmRSS:") << " MiB, peak " << memory_mib("VmHWM:") << " MiB";
      log_line(line.str());
      phase_start = now;
    };
  }
  SysSeconds now = now_seconds();
  if (auto report = check_up_to_date(request, now)) {
    print_diags(report->page_diags, quiet);
    if (!quiet)
      std::cout << report->pages_seen << " pages unchanged since the last build, " << report->events << " events -> "
                << out_dir << ": up to date\n";
    return report->page_diags.has_errors() ? 1 : 0;
  }
  BuildReport report = build(request, now);
  print_diags(report.page_diags, quiet);
  print_diags(report.render_diags, quiet);
  print_diags(report.io_diags, false);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!quiet)
    std::cout << report.pages_seen << " pages (" << report.pages_reused << " from cache), " << report.events
              << " events -> " << out_dir << ": " << report.stats.written << " written, " << report.stats.unchanged
              << " unchanged, " << report.stats.removed << " removed in " << secs << " s\n";
  if (!report.ok) return 1;
  return report.page_diags.has_errors() ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"evfeed: event pages (Hugo, Jekyll, ...) to iCalendar, RSS, Atom and JSON Feed"};
  app.set_version_flag("--version", "evfeed " EVFEED_VERSION);
  app.require_subcommand(1);

  SiteSources check_opts;
  bool verbose = false;
  auto* check = app.add_subcommand("check", "load and model every page, report problems");
  add_common(check, check_opts, false, "production");
  check->add_flag("--verbose,-v", verbose, "print every event, its zone and where its end came from");
  bool list = false;
  check->add_flag("--list", list, "print each event page: its path in the site, link, and 1/0 published");
  std::string occurrences_arg;
  check->add_option("--occurrences", occurrences_arg,
                    "print every occurrence starting in FROM/TO (UTC dates or date-times), one line each");

  SiteSources build_opts;
  std::string out_dir;
  bool quiet = false;
  auto* build = app.add_subcommand("build", "write calendars, feeds and index.html to a folder");
  add_common(build, build_opts, true, "production");
  build->add_option("--out", out_dir, "output folder")->required();
  std::string state_dir;
  build->add_option("--state-dir", state_dir,
                    "build state (caches, SEQUENCE numbers, lock); default <out>.evfeed-state");
  build->add_flag("--quiet,-q", quiet, "print only problems");

  SiteSources serve_opts;
  ServeOptions serve_cfg;
  auto* serve = app.add_subcommand("serve", "serve the feeds over HTTP, rebuilding when pages change");
  add_common(serve, serve_opts, true, "production");
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
  if (*check) {
    std::optional<std::pair<SysSeconds, SysSeconds>> window;
    if (!occurrences_arg.empty()) {
      size_t slash = occurrences_arg.find('/');
      auto from = parse_time(occurrences_arg.substr(0, slash));
      auto to = slash == std::string::npos ? std::nullopt : parse_time(occurrences_arg.substr(slash + 1));
      if (!from || !to) {
        log_line("evfeed check: --occurrences takes FROM/TO, e.g. 2026-01-01/2028-01-01");
        return 2;
      }
      window = std::pair{from->instant(), to->instant()};  // naive and date values: UTC
    }
    return run_check(check_opts, verbose, list, window);
  }
  if (*build) return run_build(build_opts, out_dir, state_dir, quiet);
  if (*serve) {
    Diagnostics cfg;
    // Nothing names the published address: links and UIDs use the listen address, on every
    // reload too (UIDs must not flip).
    serve_opts.fallback_base_url = "http://" + serve_cfg.listen + "/";
    if (!resolve_site(serve_opts, serve_cfg.resolved, cfg)) {
      print_diags(cfg, false);
      return 2;
    }
    print_diags(cfg, false);
    if (!serve_cfg.resolved.site.base_url_given)
      log_line("evfeed serve: no base URL given: links and UIDs use " + serve_cfg.resolved.site.base_url +
               " (give --base-url or --site for the published address)");
    serve_cfg.access_log = !no_access_log;
    serve_cfg.sources = serve_opts;
    return run_server(serve_cfg);
  }
  return 2;
}
