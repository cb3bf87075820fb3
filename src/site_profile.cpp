#include "evfeed/site_profile.hpp"

#include <algorithm>
#include <filesystem>
#include <set>

#include "evfeed/fsutil.hpp"
#include "evfeed/page.hpp"
#include "evfeed/permalink.hpp"
#include "evfeed/site.hpp"
#include "evfeed/text.hpp"

namespace fs = std::filesystem;

namespace evfeed {

namespace {

// Section and collection names that hold events on the sites we know.
const char* const event_section_names[] = {"event",           "events",    "talk",      "talks",      "meetup",
                                           "meetups",         "workshop",  "workshops", "conference", "conferences",
                                           "seminar",         "seminars",  "webinar",   "webinars",   "calendar",
                                           "community-calls", "commcalls", "sessions"};

bool is_event_name(const std::string& name) {
  std::string n = to_lower_ascii(name);
  return std::find(std::begin(event_section_names), std::end(event_section_names), n) != std::end(event_section_names);
}

std::string text(const Value* v) { return v && v->is_scalar() ? v->scalar : ""; }
bool flag(const Value* v) { return v && v->is_scalar() && v->scalar == "true"; }

std::string json_of(const Value& v);

std::string json_string(const std::string& s) { return "\"" + json_escape(s) + "\""; }

// Values back to JSON text (which YAML reads): how evfeed's own settings inside a site
// config reach the evfeed config reader.
std::string json_of(const Value& v) {
  switch (v.kind) {
    case Value::Kind::null: return "null";
    case Value::Kind::boolean:
    case Value::Kind::number: return v.scalar;
    case Value::Kind::string:
    case Value::Kind::datetime: return json_string(v.scalar);
    case Value::Kind::list: {
      std::string out = "[";
      for (size_t i = 0; i < v.items.size(); ++i) out += (i ? "," : "") + json_of(v.items[i]);
      return out + "]";
    }
    case Value::Kind::map: {
      std::string out = "{";
      for (size_t i = 0; i < v.members.size(); ++i)
        out += (i ? "," : "") + json_string(v.members[i].first) + ":" + json_of(v.members[i].second);
      return out + "}";
    }
  }
  return "null";
}

FrontMatterFormat format_of(const fs::path& p) {
  std::string ext = to_lower_ascii(p.extension().string());
  if (ext == ".toml") return FrontMatterFormat::toml;
  if (ext == ".json") return FrontMatterFormat::json;
  if (ext == ".yaml" || ext == ".yml") return FrontMatterFormat::yaml;
  return FrontMatterFormat::none;
}

// A whole config file through the front-matter parsers: one value tree with positions, and
// errors that name file, line and column.
bool read_config_file(const fs::path& path, Value& out, Diagnostics& diags) {
  Page page;
  page.file.path = path.string();
  page.format = format_of(path);
  if (!read_file(page.file.path, page.front_matter, diags)) return false;
  if (page.front_matter.empty() || trim(page.front_matter).empty()) {
    out = Value{};
    out.kind = Value::Kind::map;
    return true;
  }
  Diagnostics d;
  bool ok = parse_front_matter(page, out, d);
  for (auto& x : d.items) {
    if (x.severity == Severity::error) x.message = "the site config does not parse: " + x.message;
    diags.items.push_back(std::move(x));
  }
  if (ok && out.kind != Value::Kind::map) {
    diags.add(page.file.path, 1, 1, Severity::error, "the site config must be a map of settings");
    return false;
  }
  return ok;
}

Value* member(Value& map, const std::string& key) {
  for (auto& [k, v] : map.members)
    if (iequals(k, key)) return &v;
  map.members.emplace_back(key, Value{});
  map.members.back().second.kind = Value::Kind::map;
  return &map.members.back().second;
}

// config/_default/ then config/<environment>/: hugo.* and config.* at the root, NAME.ext
// under NAME, NAME.<lang>.ext under languages.<lang> (params and menus under their name).
bool merge_config_dir(const fs::path& dir, Value& config, std::vector<std::string>& read, Diagnostics& diags) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return true;
  std::vector<fs::path> files;
  for (auto& e : fs::directory_iterator(dir, ec))
    if (e.is_regular_file() && format_of(e.path()) != FrontMatterFormat::none) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    Value v;
    if (!read_config_file(f, v, diags)) return false;
    read.push_back(f.string());
    auto parts = split(f.stem().string(), '.');
    std::string name = to_lower_ascii(parts[0]);
    if (name == "menu") name = "menus";
    if (name == "hugo" || name == "config") {
      merge_values(config, v);
    } else if (parts.size() > 1) {
      Value* lang = member(*member(config, "languages"), parts[1]);
      merge_values(name == "params" || name == "menus" ? *member(*lang, name) : *lang, v);
    } else {
      merge_values(*member(config, name), v);
    }
  }
  return true;
}

bool read_hugo_config(const SiteLoadOptions& opts, Value& config, std::vector<std::string>& read, Diagnostics& diags) {
  fs::path root(opts.dir);
  config.kind = Value::Kind::map;
  for (const char* base : {"hugo", "config"}) {
    bool found = false;
    for (const char* ext : {".toml", ".yaml", ".yml", ".json"}) {
      fs::path p = root / (std::string(base) + ext);
      std::error_code ec;
      if (!fs::is_regular_file(p, ec)) continue;
      if (!read_config_file(p, config, diags)) return false;
      read.push_back(p.string());
      found = true;
      break;
    }
    if (found) break;  // the first one found wins: hugo.* before config.*
  }
  return merge_config_dir(root / "config" / "_default", config, read, diags) &&
         merge_config_dir(root / "config" / opts.environment, config, read, diags);
}

std::string with_slash(std::string s) {
  if (s.empty() || s.back() != '/') s += '/';
  return s;
}

// The `cascade` of one _index page (`from_page`: then a list entry's keys that are not
// lowercase are dropped, Hugo 0.111 never reads them) or of the config, handed down below `dir`.
void add_cascade(const Value& cascade, const std::string& dir, bool from_page, const std::string& page_lang,
                 std::vector<SiteProfile::Cascade>& out) {
  auto entry = [&](const Value& v, bool list_form) {
    if (v.kind != Value::Kind::map) return;
    SiteProfile::Cascade c;
    c.dir = dir;
    c.lang = page_lang;
    c.values.kind = Value::Kind::map;
    for (const auto& [k, val] : v.members) {
      if (iequals(k, "_target")) {
        if (list_form && val.kind == Value::Kind::map) {
          c.path = to_lower_ascii(text(val.find("path")));
          c.kind = to_lower_ascii(text(val.find("kind")));
          if (std::string l = text(val.find("lang")); !l.empty()) c.lang = l;
          c.environment = text(val.find("environment"));
        }
        continue;
      }
      if (list_form && from_page && k != to_lower_ascii(k)) continue;
      c.values.members.emplace_back(k, val);
    }
    if (!c.values.members.empty()) out.push_back(std::move(c));
  };
  if (cascade.kind == Value::Kind::map)
    entry(cascade, false);
  else if (cascade.kind == Value::Kind::list)
    for (const auto& v : cascade.items) entry(v, true);
}

// Every _index page under a content dir and its cascade, deepest folder first. `_index.en.md`
// is the English section page and hands down to English pages only; `_index.md` is the one of
// `dir_lang` (the content dir's language, or the default one in a shared content dir).
void read_section_pages(const fs::path& content, const std::vector<std::string>& languages, const std::string& dir_lang,
                        SiteProfile& p, Diagnostics& diags) {
  std::vector<std::pair<size_t, std::string>> pages;  // (depth, path)
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(content, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (is_section_page_name(name) && it->is_regular_file(ec)) pages.emplace_back(it.depth(), it->path().string());
  }
  std::sort(pages.begin(), pages.end(),
            [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
  for (const auto& [depth, path] : pages) {
    std::string text_bytes;
    Page page;
    Value fm;
    Diagnostics local;
    SourceFile file{path, fs::path(path).lexically_relative(content).generic_string(), 0, 0};
    stat_source_file(path, file);
    if (!read_file(path, text_bytes, local) || !split_page(file, std::move(text_bytes), page, local)) continue;
    if (!parse_front_matter(page, fm, local)) {
      for (auto d : local.items) {
        d.severity = Severity::warning;
        d.message += " (its cascade is not read)";
        diags.items.push_back(d);
      }
      continue;
    }
    std::string stem = fs::path(path).stem().string(), lang = dir_lang;  // "_index.en" -> en
    if (size_t dot = stem.rfind('.');
        dot != std::string::npos &&
        std::find(languages.begin(), languages.end(), to_lower_ascii(stem.substr(dot + 1))) != languages.end())
      lang = to_lower_ascii(stem.substr(dot + 1));
    std::string dir = fs::path(path).parent_path().string() + "/";
    if (const Value* cascade = fm.find("cascade")) add_cascade(*cascade, dir, true, lang, p.cascades);
    SiteProfile::SectionPage section;
    section.path = path;
    section.dir = dir;
    section.rel = file.rel_path;
    section.lang = lang;
    section.mtime_ns = file.mtime_ns;
    section.home = depth == 0;
    section.front_matter = std::move(fm);
    p.section_pages.push_back(std::move(section));
  }
}

// Every top-level folder of a content dir whose name says events, or whose _index page
// hands down an event `type` or `layout` (`types`: the configured ones, else event names);
// with `configured` sections, those only.
std::vector<std::string> event_sections(const fs::path& content, const std::vector<std::string>& configured,
                                        const std::vector<std::string>& types,
                                        const std::vector<SiteProfile::Cascade>& cascades) {
  auto event_type = [&](const std::string& t) {
    return types.empty() ? is_event_name(t) : std::find(types.begin(), types.end(), t) != types.end();
  };
  std::vector<std::string> out;
  std::error_code ec;
  for (auto& e : fs::directory_iterator(content, ec)) {
    if (!e.is_directory()) continue;
    std::string name = e.path().filename().string();
    bool wanted = configured.empty() ? is_event_name(name)
                                     : std::find(configured.begin(), configured.end(), name) != configured.end();
    for (const auto& c : cascades)
      if (configured.empty() && c.dir == e.path().string() + "/" && c.path.empty() && c.environment.empty() &&
          (c.kind.empty() || c.kind == "page") &&
          (event_type(text(c.values.find("type"))) || event_type(text(c.values.find("layout")))))
        wanted = true;
    if (wanted) out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The top-level folders of a content dir that are not in `sections` (sorted).
std::vector<std::string> other_sections(const fs::path& content, const std::vector<std::string>& sections) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto& e : fs::directory_iterator(content, ec)) {
    std::string name = e.path().filename().string();
    if (e.is_directory(ec) && std::find(sections.begin(), sections.end(), name) == sections.end()) out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// events: {sections: [...]} or {types: [...]} (`which`) in evfeed's settings.
std::vector<std::string> configured_sections(const Value* evfeed, const char* which = "sections") {
  std::vector<std::string> out;
  const Value* events = evfeed ? evfeed->find("events") : nullptr;
  const Value* sections = events ? events->find(which) : nullptr;
  if (sections && sections->kind == Value::Kind::list)
    for (const auto& s : sections->items) out.push_back(s.scalar);
  else if (sections && sections->is_scalar())
    out.push_back(sections->scalar);
  return out;
}

// The `type`/`layout` values that make a page outside the event sections an event: evfeed's
// `events: {types: [...]}`, else the event names; lowercase, as is_event_page compares them.
std::vector<std::string> page_event_types(const Value* evfeed) {
  std::vector<std::string> types = configured_sections(evfeed, "types");
  if (types.empty()) types.assign(std::begin(event_section_names), std::end(event_section_names));
  for (auto& t : types) t = to_lower_ascii(t);
  return types;
}

// evfeed's own settings inside the site config, read like an evfeed config file.
bool apply_evfeed_settings(const Value* evfeed, const std::string& origin, SiteConfig& site, Diagnostics& diags) {
  if (!evfeed || evfeed->kind != Value::Kind::map) return true;
  Value copy = *evfeed;
  copy.members.erase(std::remove_if(copy.members.begin(), copy.members.end(),
                                    [](const auto& m) { return iequals(m.first, "events"); }),
                     copy.members.end());
  return load_site_config_text(json_of(copy), origin, site, diags);
}

struct HugoLanguage {
  std::string code;
  int weight = 0;
  std::string content_dir;
  std::string title;
  std::string base_url;  // its own (a multihost site), else ""
};

// A language's content dir, absolute, without a trailing '/' ("content/" in a config is "content").
fs::path content_path(const std::string& site, const std::string& content_dir) {
  fs::path dir = (fs::path(site) / content_dir).lexically_normal();
  return dir.has_filename() ? dir : dir.parent_path();
}

// Hugo's URL, build and date rules from its merged config.
void read_hugo_rules(const Value& c, SiteProfile& p) {
  std::string base = trim(text(c.find("baseurl")));
  p.base_url = base.empty() || base == "/" ? "" : with_slash(base);  // "": links need --base-url
  p.default_language = to_lower_ascii(text(c.find("defaultcontentlanguage")));
  if (p.default_language.empty()) p.default_language = "en";
  p.default_language_in_subdir = flag(c.find("defaultcontentlanguageinsubdir"));
  p.disable_path_to_lower = flag(c.find("disablepathtolower"));
  p.remove_path_accents = flag(c.find("removepathaccents"));
  p.build_drafts = flag(c.find("builddrafts"));
  p.build_future = flag(c.find("buildfuture"));
  p.build_expired = flag(c.find("buildexpired"));
  p.timezone = text(c.find("timezone"));
  if (const Value* perm = c.find("permalinks"); perm && perm->kind == Value::Kind::map)
    for (const auto& [k, v] : perm->members) p.permalinks[to_lower_ascii(k)] = v.scalar;
  if (const Value* ugly = c.find("uglyurls")) {
    if (ugly->kind == Value::Kind::map)
      for (const auto& [k, v] : ugly->members) p.ugly_sections[to_lower_ascii(k)] = v.scalar == "true";
    else
      p.ugly_urls = flag(ugly);
  }
  if (const Value* tax = c.find("taxonomies"); tax && tax->kind == Value::Kind::map) {
    p.taxonomies.emplace();  // named, even empty: Hugo then has none
    for (const auto& [singular, plural] : tax->members)
      if (plural.is_scalar() && !plural.scalar.empty()) p.taxonomies->push_back(to_lower_ascii(plural.scalar));
  }
  if (const Value* fd = c.find("frontmatter"); fd && fd->kind == Value::Kind::map) {
    for (const auto& [which, list] : fd->members) {
      std::vector<std::string> keys;
      auto add = [&](const Value& v) {  // a string is split on spaces, as Hugo's cast.ToStringSlice
        if (v.is_scalar())
          for (const auto& k : split(v.scalar, ' '))
            if (!trim(k).empty()) keys.push_back(to_lower_ascii(trim(k)));
      };
      if (list.kind == Value::Kind::list)
        for (const auto& k : list.items) add(k);
      else
        add(list);
      p.front_dates[to_lower_ascii(which)] = keys;
    }
  }
}

// The configured languages by weight (one, the default, when none is configured).
std::vector<HugoLanguage> hugo_languages(const Value& c, const std::string& default_language) {
  std::string content_dir = text(c.find("contentdir"));
  if (content_dir.empty()) content_dir = "content";
  std::vector<HugoLanguage> langs;
  if (const Value* l = c.find("languages"); l && l->kind == Value::Kind::map) {
    for (const auto& [code, v] : l->members) {
      HugoLanguage h;
      h.code = to_lower_ascii(code);
      h.weight = std::atoi(text(v.find("weight")).c_str());
      h.content_dir = text(v.find("contentdir"));
      h.title = text(v.find("title"));
      h.base_url = trim(text(v.find("baseurl")));
      if (h.content_dir.empty()) h.content_dir = content_dir;
      langs.push_back(h);
    }
  }
  if (langs.empty()) langs.push_back({default_language, 0, content_dir, "", ""});
  std::sort(langs.begin(), langs.end(), [](const HugoLanguage& a, const HugoLanguage& b) {
    return std::tie(a.weight, a.code) < std::tie(b.weight, b.code);
  });
  return langs;
}

// Each language's content dir: its _index pages and cascades, then its event sections.
void find_hugo_sections(const SiteLoadOptions& opts, const Value& c, const std::vector<HugoLanguage>& langs,
                        const Value* evfeed, SiteProfile& p, Diagnostics& diags) {
  // Languages that share a content dir tell their pages apart by file suffix ("a.en.md").
  std::map<std::string, int> dir_users;
  for (const auto& l : langs) ++dir_users[l.content_dir];
  std::vector<std::string> wanted = configured_sections(evfeed), types = configured_sections(evfeed, "types");
  std::set<std::string> seen;
  for (const auto& l : langs) {
    if (!seen.insert(l.content_dir).second) continue;
    fs::path dir = content_path(opts.dir, l.content_dir);
    p.content_dirs.push_back(dir.string());
    read_section_pages(dir, p.languages, dir_users[l.content_dir] > 1 ? p.default_language : l.code, p, diags);
    if (const Value* cascade = c.find("cascade"))  // the config's: below every _index page's
      add_cascade(*cascade, dir.string() + "/", false, "", p.cascades);
  }
  seen.clear();
  std::vector<std::string> page_types = page_event_types(evfeed);
  for (const auto& l : langs) {  // a section is an event section by the cascades of any language
    if (!seen.insert(l.content_dir).second) continue;
    fs::path dir = content_path(opts.dir, l.content_dir);
    auto add_root = [&](const std::string& section, std::vector<std::string> event_types) {
      ContentRoot r;
      r.dir = (dir / section).lexically_normal().string();
      r.lang = dir_users[l.content_dir] > 1 ? "" : l.code;
      r.site_rel = (fs::path(l.content_dir) / section).lexically_normal().generic_string();
      r.prefix = section + "/";
      r.event_types = std::move(event_types);
      p.roots.push_back(r);
    };
    std::vector<std::string> sections = event_sections(dir, wanted, types, p.cascades);
    for (const auto& section : sections) add_root(section, {});
    // Found automatically, other sections are read for pages that say `type: event` themselves.
    if (wanted.empty())
      for (const auto& section : other_sections(dir, sections)) add_root(section, page_types);
  }
}

// Hugo rules evfeed does not follow, said once (by `check`, `build` and `serve`) with what it
// does instead. Positions are exact when the config is one file (a merged config/ has several).
void warn_unreproduced_hugo_rules(const Value& c, const std::vector<std::string>& files, const std::string& site_dir,
                                  const std::vector<HugoLanguage>& langs, Diagnostics& diags) {
  auto warn = [&](const Value& at, const std::string& message) {
    bool one_file = files.size() == 1;
    diags.add(one_file ? files.front() : site_dir, one_file ? at.line : 0, one_file ? at.column : 0, Severity::warning,
              message);
  };
  if (const Value* module = c.find("module"))
    if (const Value* mounts = module->find("mounts"); mounts && mounts->kind == Value::Kind::list)
      for (const auto& m : mounts->items)
        if (to_lower_ascii(text(m.find("target"))).rfind("content", 0) == 0) {
          // Declaring mounts replaces Hugo's defaults: configs often mount their contentDir again.
          std::string source = text(m.find("source"));
          bool content_dir = std::any_of(langs.begin(), langs.end(), [&](const HugoLanguage& l) {
            return content_path(site_dir, source) == content_path(site_dir, l.content_dir);
          });
          if (!content_dir)
            warn(m, "module.mounts: content mounted from '" + source +
                        "' is not read; evfeed reads the contentDir of each language (or --content DIR)");
        }
}

bool load_hugo(const SiteLoadOptions& opts, SiteProfile& p, SiteConfig& site, Diagnostics& diags) {
  Value c;
  std::vector<std::string> read;
  if (!read_hugo_config(opts, c, read, diags)) return false;
  for (const auto& r : read) p.config_files += (p.config_files.empty() ? "" : ", ") + r;
  p.generator = Generator::hugo;
  p.environment = opts.environment;
  read_hugo_rules(c, p);
  if (flag(c.find("enablegitinfo"))) {
    p.git = std::make_shared<GitHistory>(opts.dir);
    if (p.git->head().empty())  // Hugo says so too and builds without git dates
      diags.add(opts.dir, 0, 0, Severity::warning,
                "enableGitInfo is set but " + p.git->error() + "; pages get no :git date (lastmod falls back to date)");
  }
  std::vector<HugoLanguage> langs = hugo_languages(c, p.default_language);
  warn_unreproduced_hugo_rules(c, read, opts.dir, langs, diags);
  // Multihost: a language with its own baseURL is served at that URL's root, no /<lang>/ prefix.
  for (const auto& l : langs)
    if (!l.base_url.empty() && l.base_url != "/") p.language_base_urls[l.code] = with_slash(l.base_url);
  if (p.base_url.empty() && p.language_base_urls.count(p.default_language))
    p.base_url = p.language_base_urls[p.default_language];  // UIDs and the feeds' default place
  p.multilingual = langs.size() > 1;
  for (const auto& l : langs) p.languages.push_back(l.code);

  const Value* params = c.find("params");
  const Value* evfeed = params ? params->find("evfeed") : nullptr;
  if (std::string t = text(c.find("title")); !t.empty()) site.title = t;
  std::string description = params ? text(params->find("description")) : "";
  if (description.empty()) description = text(c.find("description"));
  if (!description.empty()) site.description = description;
  site.language = p.default_language;
  for (const auto& l : langs)
    if (l.code == p.default_language && !l.title.empty()) site.title = l.title;
  find_hugo_sections(opts, c, langs, evfeed, p, diags);
  return apply_evfeed_settings(evfeed, read.empty() ? opts.dir : read.front() + " (params.evfeed)", site, diags);
}

std::string without_slashes(std::string s) {
  s = trim(s);
  while (!s.empty() && s.back() == '/') s.pop_back();
  while (!s.empty() && s.front() == '/') s.erase(0, 1);
  return s;
}

// The top-level folders Jekyll reads pages from: not `_x`, `.x`, `#x`, `x~`, not `exclude`d
// (its defaults: node_modules, vendor, gemfiles), not the destination.
std::vector<std::string> jekyll_page_folders(const std::string& site_dir, const Value& c) {
  std::set<std::string> excluded{"node_modules", "vendor", "gemfiles"};
  if (const Value* ex = c.find("exclude"); ex && ex->kind == Value::Kind::list)
    for (const auto& v : ex->items) excluded.insert(without_slashes(v.scalar));
  excluded.insert(without_slashes(text(c.find("destination"))));
  std::vector<std::string> out;
  std::error_code ec;
  for (auto& e : fs::directory_iterator(site_dir, ec)) {
    std::string name = e.path().filename().string();
    if (name.empty() || name[0] == '_' || name[0] == '.' || name[0] == '#' || name.back() == '~' ||
        excluded.count(name) || !e.is_directory(ec))
      continue;
    out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool load_jekyll(const SiteLoadOptions& opts, SiteProfile& p, SiteConfig& site, Diagnostics& diags) {
  std::vector<std::string> files = opts.jekyll_configs;
  if (files.empty()) {
    for (const char* name : {"_config.yml", "_config.yaml"}) {
      std::error_code ec;
      if (fs::is_regular_file(fs::path(opts.dir) / name, ec)) {
        files.push_back((fs::path(opts.dir) / name).string());
        break;
      }
    }
  }
  Value c;
  c.kind = Value::Kind::map;
  for (const auto& f : files) {
    Value v;
    if (!read_config_file(f, v, diags)) return false;
    merge_values(c, v);
    p.config_files += (p.config_files.empty() ? "" : ", ") + f;
  }
  p.generator = Generator::jekyll;
  p.jekyll_url = text(c.find("url"));
  p.jekyll_baseurl = text(c.find("baseurl"));
  std::string base = p.jekyll_baseurl;
  while (!base.empty() && base.back() == '/') base.pop_back();
  if (!base.empty() && base[0] != '/') base = "/" + base;
  std::string host = p.jekyll_url;
  while (!host.empty() && host.back() == '/') host.pop_back();
  p.base_url = host.empty() ? "" : with_slash(host + base);
  if (std::string style = text(c.find("permalink")); !style.empty()) p.permalink_style = style;
  p.build_future = flag(c.find("future"));
  p.build_drafts = flag(c.find("show_drafts"));
  p.jekyll_unpublished = flag(c.find("unpublished"));
  p.timezone = text(c.find("timezone"));
  if (const Value* d = c.find("defaults")) p.jekyll_defaults = *d;
  p.collections["posts"] = {"posts", true, ""};
  if (const Value* cols = c.find("collections")) {
    if (cols->kind == Value::Kind::map) {
      for (const auto& [label, v] : cols->members) {
        SiteProfile::Collection col{label, label == "posts" || flag(v.find("output")), text(v.find("permalink"))};
        p.collections[label] = col;
      }
    } else if (cols->kind == Value::Kind::list) {
      for (const auto& v : cols->items) p.collections[v.scalar] = {v.scalar, false, ""};
    }
  }
  const Value* evfeed = c.find("evfeed");
  if (std::string t = text(c.find("title")); !t.empty()) site.title = t;
  if (std::string d = text(c.find("description")); !d.empty()) site.description = d;
  if (std::string lang = text(c.find("lang")); !lang.empty()) site.language = lang;
  std::vector<std::string> wanted = configured_sections(evfeed);
  auto add_root = [&](const std::string& folder, std::vector<std::string> event_types = {}) {
    fs::path dir = fs::path(opts.dir) / folder;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return;
    p.roots.push_back({dir.lexically_normal().string(), "", folder, folder + "/", std::move(event_types)});
  };
  if (!wanted.empty()) {
    for (const auto& w : wanted) add_root(w);
  } else {
    for (const auto& [label, col] : p.collections)
      if (label != "posts" && is_event_name(label)) add_root("_" + label);
    if (p.roots.empty()) add_root("_posts");
    if (p.build_drafts && p.roots.size() == 1 && p.roots[0].site_rel == "_posts") add_root("_drafts");
    // Pages in the site's plain folders are events by their (or their defaults') layout or type.
    std::vector<std::string> page_types = page_event_types(evfeed);
    for (const auto& folder : jekyll_page_folders(opts.dir, c)) add_root(folder, page_types);
  }
  return apply_evfeed_settings(evfeed, files.empty() ? opts.dir : files.front() + " (evfeed)", site, diags);
}

bool has_any(const fs::path& dir, std::initializer_list<const char*> names) {
  std::error_code ec;
  for (const char* n : names)
    if (fs::exists(dir / n, ec)) return true;
  return false;
}

}  // namespace

std::optional<Generator> detect_generator(const std::string& dir) {
  if (has_any(dir, {"_config.yml", "_config.yaml"})) return Generator::jekyll;
  if (has_any(dir, {"hugo.toml", "hugo.yaml", "hugo.yml", "hugo.json", "config.toml", "config.yaml", "config.yml",
                    "config.json", "config/_default"}))
    return Generator::hugo;
  return std::nullopt;
}

void merge_values(Value& base, const Value& over) {
  if (base.kind != Value::Kind::map || over.kind != Value::Kind::map) {
    base = over;
    return;
  }
  for (const auto& member : over.members) {
    const std::string& k = member.first;  // a plain reference: clang cannot capture structured bindings (C++17)
    const Value& v = member.second;
    auto it =
        std::find_if(base.members.begin(), base.members.end(), [&](const auto& m) { return iequals(m.first, k); });
    if (it == base.members.end())
      base.members.emplace_back(k, v);
    else
      merge_values(it->second, v);
  }
}

bool is_event_page(const ContentRoot& root, const Value& front_matter) {
  if (root.event_types.empty()) return true;
  for (const char* key : {"type", "layout"}) {
    std::string t = to_lower_ascii(trim(text(front_matter.find(key))));
    if (!t.empty() && std::find(root.event_types.begin(), root.event_types.end(), t) != root.event_types.end())
      return true;
  }
  return false;
}

bool names_event_type(std::string_view text, const std::vector<std::string>& types) {
  constexpr auto npos = std::string_view::npos;
  for (size_t pos = 0; pos < text.size();) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == npos ? npos : nl - pos);
    pos = nl == npos ? text.size() : nl + 1;
    size_t i = line.find_first_not_of(" \t\"'");
    if (i == npos) continue;
    std::string key = to_lower_ascii(std::string(line.substr(i, 6)));
    size_t key_len = key.rfind("type", 0) == 0 ? 4 : key == "layout" ? 6 : 0;
    if (key_len == 0) continue;
    std::string_view rest = line.substr(i + key_len);
    size_t j = rest.find_first_not_of(" \t\"'");
    if (j == npos || (rest[j] != ':' && rest[j] != '=')) continue;
    rest.remove_prefix(j + 1);
    size_t k = rest.find_first_not_of(" \t\"'");
    if (k == npos) continue;
    rest.remove_prefix(k);
    std::string value = to_lower_ascii(std::string(rest.substr(0, rest.find_first_of(" \t\"',#\r"))));
    if (std::find(types.begin(), types.end(), value) != types.end()) return true;
  }
  return false;
}

const ContentRoot* root_of(const SiteProfile& profile, const std::string& page_path) {
  const ContentRoot* best = nullptr;
  for (const auto& r : profile.roots)
    if (starts_with(page_path, r.dir + "/") && (!best || r.dir.size() > best->dir.size())) best = &r;
  return best;
}

bool load_site_profile(const SiteLoadOptions& opts, SiteProfile& p, SiteConfig& site, Diagnostics& diags) {
  fs::path dir = fs::absolute(opts.dir).lexically_normal();
  SiteLoadOptions o = opts;
  o.dir = dir.string();
  while (o.dir.size() > 1 && o.dir.back() == '/') o.dir.pop_back();
  p.root = o.dir;
  bool ok;
  std::optional<Generator> found = opts.jekyll_configs.empty() ? detect_generator(o.dir) : Generator::jekyll;
  if (found == Generator::jekyll) {
    ok = load_jekyll(o, p, site, diags);
  } else if (found == Generator::hugo) {
    ok = load_hugo(o, p, site, diags);
  } else {
    diags.add(o.dir, 0, 0, Severity::error,
              "no Hugo (hugo.toml, config.toml, config/_default/) or Jekyll (_config.yml) config here; give the site's "
              "root folder, or --content for a plain folder of pages");
    return false;
  }
  if (!ok) return false;
  for (const auto& f : split(p.config_files, ',')) {
    std::string bytes;
    Diagnostics ignored;
    read_file(trim(f), bytes, ignored);
    p.fingerprint += trim(f) + "\n" + bytes + "\n";
  }
  for (const auto& r : p.roots) {
    p.fingerprint += r.dir + "|" + r.lang + "|";
    for (const auto& t : r.event_types) p.fingerprint += t + ",";
    p.fingerprint += "\n";
  }
  for (const auto& c : p.cascades)  // _index pages are no event pages: their cascade is config
    p.fingerprint += "cascade " + c.dir + "|" + c.path + "|" + c.kind + "|" + c.lang + "|" + c.environment + "|" +
                     json_of(c.values) + "\n";
  // A section page's mtime is one of its dates only through :fileModTime: a checkout that only
  // touches _index pages keeps the parse cache otherwise.
  bool mtime_dates = false;
  for (const auto& [which, keys] : p.front_dates)
    mtime_dates = mtime_dates || std::find(keys.begin(), keys.end(), ":filemodtime") != keys.end();
  p.fingerprint += "environment " + p.environment + "\n";  // cascade _target.environment
  for (const auto& sp : p.section_pages)
    p.fingerprint += "section " + sp.path + "|" + (mtime_dates ? std::to_string(sp.mtime_ns) : "") + "|" +
                     json_of(sp.front_matter) + "\n";
  if (p.git) p.fingerprint += "git HEAD " + p.git->head() + "\n";  // a new commit may move :git dates
  if (std::none_of(p.roots.begin(), p.roots.end(), [](const ContentRoot& r) { return r.event_types.empty(); }))
    diags.add(o.dir, 0, 0, Severity::warning,
              "no event section found (folders named event, events, talks, meetups, ...): only pages whose type or "
              "layout says event are events; name the sections with events: {sections: [...]} in the site's "
              "evfeed settings");
  if (!p.timezone.empty())
    site.timezone = p.timezone;
  else
    site.timezone = "UTC";  // Hugo reads naive dates in UTC when timeZone is unset; so do we here
  site.include_drafts = p.build_drafts;
  site.include_future = p.build_future;
  site.include_expired = p.build_expired;
  return true;
}

std::string site_layout(const SiteProfile& p) {
  auto names = [](const fs::path& dir, auto keep) {
    std::vector<std::string> out;
    std::error_code ec;
    for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
      std::string name = it->path().filename().string();
      if (keep(name, *it)) out.push_back(name);
    }
    std::sort(out.begin(), out.end());
    std::string joined = dir.string() + ":";
    for (const auto& n : out) joined += " " + n;
    return joined + "\n";
  };
  auto config_name = [](const std::string& n, const fs::directory_entry&) {
    return starts_with(n, "hugo.") || starts_with(n, "config") || starts_with(n, "_");
  };
  auto any_file = [](const std::string& n, const fs::directory_entry&) { return n[0] != '.'; };
  std::string out = names(p.root, config_name) + names(fs::path(p.root) / "config" / "_default", any_file) +
                    names(fs::path(p.root) / "config" / p.environment, any_file);
  auto section_page = [](const std::string& n, const fs::directory_entry&) { return is_section_page_name(n); };
  for (const auto& dir : p.content_dirs) out += names(dir, section_page);
  for (const auto& folder : section_folders(p)) out += folder + "/\n" + names(folder, section_page);
  return out;
}

std::vector<std::string> section_folders(const SiteProfile& p) {
  std::vector<std::string> out;
  for (const auto& dir : p.content_dirs) {
    std::error_code ec;
    for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec))
      if (it->is_directory(ec)) out.push_back(it->path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool resolve_site(const SiteSources& src, ResolvedSite& out, Diagnostics& diags, const ResolvedSite* previous) {
  std::string site_dir = src.site_dir;
  if (site_dir.empty() && src.content.empty()) {
    if (!detect_generator(".")) {
      diags.add("command line", 0, 0, Severity::error,
                "give --site DIR (a Hugo or Jekyll site) or --content DIR (a folder of event pages)");
      return false;
    }
    site_dir = ".";
  }
  SiteConfig& site = out.site;
  site = SiteConfig{};
  out.content_dirs = src.content;
  out.inputs.clear();
  std::shared_ptr<SiteProfile> profile;
  if (!site_dir.empty()) {
    profile = std::make_shared<SiteProfile>();
    if (!load_site_profile({site_dir, src.environment, src.jekyll_configs}, *profile, site, diags)) return false;
    // The same commit: the history already read (a walk of the whole history) serves again.
    const SiteProfile* before = previous ? previous->site.profile.get() : nullptr;
    if (before && before->git && profile->git && before->git->head() == profile->git->head())
      profile->git = before->git;
    site.uid_domain = url_host(profile->base_url);
    // Feeds go beside the site's pages, under calendar/, unless the settings say where.
    if (!site.base_url_given && !profile->base_url.empty()) {
      site.base_url = profile->base_url + "calendar/";
      site.base_url_given = true;
    }
    if (out.content_dirs.empty())
      for (const auto& r : profile->roots) out.content_dirs.push_back(r.dir);
    for (const auto& f : split(profile->config_files, ','))
      if (!trim(f).empty()) out.inputs.push_back(trim(f));
    for (const auto& sp : profile->section_pages) out.inputs.push_back(sp.path);
    if (profile->git)  // a new commit may move :git dates
      for (const auto& f : profile->git->head_files()) out.inputs.push_back(f);
    site.profile = profile;
  }
  if (!src.config.empty()) {
    out.inputs.push_back(src.config);
    if (!load_site_config(src.config, site, diags)) return false;
  }
  if (!src.timezone.empty()) site.timezone = src.timezone;
  if (!src.base_url.empty()) {
    site.base_url = src.base_url;
    site.base_url_given = true;
  }
  if (!site.base_url_given && !src.fallback_base_url.empty()) site.base_url = src.fallback_base_url;
  site.include_drafts = site.include_drafts || src.drafts;
  site.include_future = site.include_future || src.future;
  site.include_expired = site.include_expired || src.expired;
  site.follow_symlinks = src.follow_symlinks;
  if (!validate_site_config(site, src.config.empty() ? "command line" : src.config, diags)) return false;
  if (profile) settle_section_pages(*profile, find_zone(site.timezone));  // the zone is final now
  return true;
}

}  // namespace evfeed
