#pragma once
// The site a page belongs to: a Hugo or Jekyll site read from its own config. A page's
// link, publish decision and default zone are the generator's, not the page's alone, so
// `--site DIR` reads them here and the model asks (permalink.hpp holds the URL rules).
// Rules follow Hugo 0.111 and Jekyll 4.3 (Debian 12), checked against the real generators
// by tests/sites/oracle.py.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "evfeed/diagnostic.hpp"
#include "evfeed/front_matter.hpp"
#include "evfeed/git_history.hpp"
#include "evfeed/site.hpp"

namespace evfeed {

enum class Generator { hugo, jekyll };

// A folder of event pages and what the generator makes of it.
struct ContentRoot {
  std::string dir;       // absolute folder given to the loader
  std::string lang;      // language of every page in it ("" = from the path, as without --site)
  std::string site_rel;  // the folder relative to the site root, e.g. "content/zh/event" or "_posts"
  std::string prefix;    // what the generator's rules see before a page's path: "event/" (Hugo section), "" (Jekyll)
  // A folder not named for events (Hugo's other sections, Jekyll's plain folders; found
  // automatically): only its pages whose own or handed-down `type`/`layout` is an event type
  // are events; the others are not parsed (see may_be_event) and get no diagnostics.
  std::vector<std::string> event_types;  // empty: every page is an event
};

// Whether a page's front matter (with what is handed down to it) makes it an event in `root`.
bool is_event_page(const ContentRoot& root, const Value& front_matter);
// Whether a page's raw text has a `type` or `layout` line naming one of `types` (YAML
// `type: event`, TOML `type = "event"`, JSON `"type": "event"`; nested keys count too: a
// cheap test before parsing, so it may say yes where is_event_page then says no).
bool names_event_type(std::string_view text, const std::vector<std::string>& types);

struct SiteProfile {
  Generator generator = Generator::hugo;
  std::string root;                // the site folder
  std::string config_files;        // the files read, for messages
  std::string fingerprint;         // their bytes and the roots found: caches keyed on the config see a change
  std::string base_url;            // the site's own, with its subpath, ending in '/'
  std::vector<ContentRoot> roots;  // the event sections found (or configured), then the folders read for typed pages
  std::vector<std::string> content_dirs;  // Hugo: each language's content dir (absolute), where sections appear
  std::vector<std::string> languages;     // Hugo: configured languages, by weight
  std::string default_language;
  bool multilingual = false;
  bool default_language_in_subdir = false;
  // Hugo URL rules
  std::map<std::string, std::string> permalinks;  // section (lowercase) -> pattern
  bool ugly_urls = false;
  std::map<std::string, bool> ugly_sections;
  std::map<std::string, std::string> language_base_urls;  // multihost: language -> its baseURL (ending in '/')
  bool disable_path_to_lower = false;
  // [frontmatter]: date, publishdate, lastmod, expirydate -> keys in order, or :filename,
  // :filemodtime, :git; absent = Hugo's defaults.
  std::map<std::string, std::vector<std::string>> front_dates;
  std::shared_ptr<const GitHistory> git;  // enableGitInfo: the site's history (:git dates), else null
  bool remove_path_accents = false;
  // Hugo `cascade`: front matter that `_index` pages (and the config) hand down to the pages
  // below them, as Hugo 0.111 applies it: a page's own keys win, then the nearest folder's.
  struct Cascade {
    std::string dir;  // absolute folder of the _index page (or a content dir for the config's), ending in '/'
    Value values;     // the keys handed down (_target removed)
    // `_target` globs ("" = any), list form only: Hugo 0.111 ignores _target in the map form,
    // and reads only the lowercase keys of a list entry (`publishDate` there is never read).
    std::string path, kind, lang, environment;
  };
  std::vector<Cascade> cascades;  // deepest folder first; within one folder, as written
  // The `_index` pages themselves: a section (or home) page that Hugo does not publish
  // (draft, future, expired) takes every page below it along.
  struct SectionPage {
    std::string path;  // the _index file
    std::string dir;   // its folder, ending in '/'
    std::string rel;   // within its content dir, "events/_index.md"
    std::string lang;  // the language it is the section page of
    std::int64_t mtime_ns = 0;
    bool home = false;
    Value front_matter;
    // What it holds back below it, with the sections above it folded in (settle_section_pages,
    // once the site's zone is known): a draft, the latest publish date, the earliest expiry.
    bool held_draft = false;
    std::optional<SysSeconds> held_publish, held_expiry;
  };
  std::vector<SectionPage> section_pages;
  std::string environment;  // the one the config was read for (`_target.environment`)
  // Front-matter keys of [taxonomies] (plural); unset when the config has none (Hugo's tags, categories).
  std::optional<std::vector<std::string>> taxonomies;
  // Jekyll URL rules
  std::string jekyll_url;      // `url`
  std::string jekyll_baseurl;  // `baseurl`, "" or "/blog"
  std::string permalink_style = "date";
  struct Collection {
    std::string label;
    bool output = false;
    std::string permalink;
  };
  std::map<std::string, Collection> collections;
  Value jekyll_defaults;  // the `defaults` list as read
  // Publishing
  bool build_drafts = false, build_future = false, build_expired = false;
  bool jekyll_unpublished = false;
  // Which settings were in the config (evfeed's own flags and config still win).
  std::string timezone;  // "" when the config names none (Hugo and Jekyll then use UTC here)
};

struct SiteLoadOptions {
  std::string dir;
  std::string environment = "production";   // Hugo: config/<environment>/
  std::vector<std::string> jekyll_configs;  // --jekyll-config; default _config.yml or _config.yaml
};

// Detects the generator, reads its config into `profile` and the site-level settings into
// `site` (title, description, base URL, language, zone, evfeed's own settings under Hugo
// `params.evfeed` or Jekyll `evfeed`), finds the event sections. false (exit 2): no site
// there, or a config that does not parse (the error names file, line and column).
bool load_site_profile(const SiteLoadOptions& opts, SiteProfile& profile, SiteConfig& site, Diagnostics& diags);

// Which generator's config sits in `dir` (Jekyll's _config.y*ml first), if any.
std::optional<Generator> detect_generator(const std::string& dir);

// The root a page was loaded from (by its path), or null.
const ContentRoot* root_of(const SiteProfile& profile, const std::string& page_path);

// Where a run's settings come from, lowest first: the site's own config (--site), evfeed's
// config file (--config), then the flags. check and build resolve them once; serve again on
// each reload, so an edit of hugo.toml, an _index page or the evfeed config is picked up.
struct SiteSources {
  std::string site_dir;              // --site; "" and no --content: the current folder, when it is a site
  std::vector<std::string> content;  // --content (else the site's event sections)
  std::string environment = "production";
  std::vector<std::string> jekyll_configs;
  std::string config;              // --config
  std::string timezone, base_url;  // --timezone, --base-url
  std::string fallback_base_url;   // serve: its own address, when nothing else names one
  bool drafts = false, future = false, expired = false, follow_symlinks = false;
};

struct ResolvedSite {
  SiteConfig site;
  std::vector<std::string> content_dirs;
  std::vector<std::string> inputs;  // the files read (site config, _index pages, --config): serve watches them
};

// false (exit 2): no site or content named, or a config that does not load or validate.
// `previous` (serve's last good one) lends what has not changed (the git history of the same commit).
bool resolve_site(const SiteSources& sources, ResolvedSite& out, Diagnostics& diags,
                  const ResolvedSite* previous = nullptr);

// The top-level folders of each Hugo content dir (every section, event section or not).
std::vector<std::string> section_folders(const SiteProfile& profile);

// What a new config file or section would change that no input of the last resolve names:
// the config files' names at the site root and in config/_default/ and config/<environment>/,
// the folders and _index pages at the top of each content dir and of its sections. serve
// compares it between scans; equal = nothing new to resolve.
std::string site_layout(const SiteProfile& profile);

// Merges `over` into `base` (maps recursively, keys case-insensitive like Hugo's; any
// other value replaced): config/_default then config/<environment>.
void merge_values(Value& base, const Value& over);

}  // namespace evfeed
