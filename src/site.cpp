#include "evfeed/site.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <iterator>
#include <set>

#include "evfeed/fsutil.hpp"
#include "evfeed/page.hpp"
#include "evfeed/text.hpp"

namespace evfeed {

namespace {

std::vector<std::string> string_list(const YAML::Node& n) {
  std::vector<std::string> out;
  if (!n) return out;
  if (n.IsSequence())
    for (const auto& x : n) out.push_back(x.as<std::string>());
  else
    out.push_back(n.as<std::string>());
  return out;
}

}  // namespace

bool load_site_config(const std::string& path, SiteConfig& c, Diagnostics& diags) {
  std::string text;
  if (!read_file(path, text, diags)) return false;
  return load_site_config_text(text, path, c, diags);
}

namespace {

// Where a config value was read from, for its errors.
struct ConfigErrors {
  const std::string& path;
  Diagnostics& diags;
  bool ok = true;
  void error(const YAML::Node& n, const std::string& msg) {
    diags.add(path, n.Mark().line + 1, n.Mark().column + 1, Severity::error, msg);
    ok = false;
  }
  void warn(const YAML::Node& n, const std::string& msg) {
    diags.add(path, n.Mark().line + 1, n.Mark().column + 1, Severity::warning, msg);
  }
};

void read_duration(const YAML::Node& n, Seconds& out, bool zero_ok, ConfigErrors& errors, const char* what) {
  if (auto d = parse_duration(n.as<std::string>()); d && (zero_ok ? d->count() >= 0 : d->count() > 0))
    out = *d;
  else
    errors.error(n, what);
}

void read_base_url(const YAML::Node& n, SiteConfig& c, ConfigErrors&) {
  c.base_url = n.as<std::string>();
  c.base_url_given = true;
}

void read_index(const YAML::Node& index, SiteConfig& c, ConfigErrors& errors) {
  for (const auto& kv : index)
    if (std::string key = kv.first.as<std::string>(); key != "upcoming" && key != "past")
      errors.warn(kv.first, "unknown config key 'index." + key + "' is ignored (upcoming, past)");
  if (auto n = index["upcoming"]) c.index_upcoming = n.as<size_t>();
  if (auto n = index["past"]) c.index_past = n.as<size_t>();
}

void read_calendar(const YAML::Node& cal, SiteConfig& c, ConfigErrors& errors) {
  if (auto n = cal["refresh_interval"])
    read_duration(n, c.refresh_interval, false, errors, "calendar.refresh_interval must be a duration such as PT6H");
  if (auto n = cal["alarm_before"])
    read_duration(n, c.alarm_before, true, errors, "calendar.alarm_before must be a duration such as P1D");
  if (auto n = cal["window_past_days"]) c.window_past_days = n.as<int>();
}

void read_feeds(const YAML::Node& feeds, SiteConfig& c, ConfigErrors& errors) {
  std::set<std::string> slugs;
  for (const auto& n : feeds) {
    FeedSpec spec;
    spec.title = n["title"] ? n["title"].as<std::string>() : "";
    spec.slug = n["slug"] ? slugify(n["slug"].as<std::string>()) : slugify(spec.title);
    if (spec.title.empty()) spec.title = spec.slug;
    spec.topics = string_list(n["topic"]);
    for (auto& t : string_list(n["topics"])) spec.topics.push_back(t);
    spec.tags = string_list(n["tag"]);
    for (auto& t : string_list(n["tags"])) spec.tags.push_back(t);
    spec.locations = string_list(n["location"]);
    if (spec.topics.empty() && spec.tags.empty() && spec.locations.empty()) {
      errors.error(n, "feed '" + spec.slug + "' needs a topic, tag or location filter");
      continue;
    }
    if (!slugs.insert(spec.slug).second) {
      errors.error(n, "two feeds have the slug '" + spec.slug + "'");
      continue;
    }
    c.feeds.push_back(std::move(spec));
  }
}

// Every key of an evfeed config and how it is read, in the order they apply (of base_url,
// baseurl and feeds_url, the last one present wins).
struct ConfigKey {
  const char* name;
  void (*read)(const YAML::Node&, SiteConfig&, ConfigErrors&);
};
const ConfigKey config_keys[] = {
    {"title", [](const YAML::Node& n, SiteConfig& c, ConfigErrors&) { c.title = n.as<std::string>(); }},
    {"description", [](const YAML::Node& n, SiteConfig& c, ConfigErrors&) { c.description = n.as<std::string>(); }},
    {"base_url", read_base_url},
    {"baseurl", read_base_url},
    {"feeds_url", read_base_url},
    {"language", [](const YAML::Node& n, SiteConfig& c, ConfigErrors&) { c.language = n.as<std::string>(); }},
    {"timezone", [](const YAML::Node& n, SiteConfig& c, ConfigErrors&) { c.timezone = n.as<std::string>(); }},
    {"author", [](const YAML::Node& n, SiteConfig& c, ConfigErrors&) { c.author = n.as<std::string>(); }},
    {"default_duration",
     [](const YAML::Node& n, SiteConfig& c, ConfigErrors& e) {
       read_duration(n, c.default_duration, false, e, "default_duration must be a duration such as 2h or PT2H");
     }},
    {"items_limit", [](const YAML::Node& n, SiteConfig& c, ConfigErrors&) { c.items_limit = n.as<size_t>(); }},
    {"index", read_index},
    {"calendar", read_calendar},
    {"http",
     [](const YAML::Node& n, SiteConfig& c, ConfigErrors&) {
       if (auto v = n["cache_control"]) c.cache_control = v.as<std::string>();
     }},
    {"fields",
     [](const YAML::Node& n, SiteConfig& c, ConfigErrors&) {
       for (const auto& kv : n) c.fields[kv.first.as<std::string>()] = kv.second.as<std::string>();
     }},
    {"feeds", read_feeds},
};

}  // namespace

bool load_site_config_text(const std::string& text, const std::string& path, SiteConfig& c, Diagnostics& diags) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    diags.add(path, e.mark.line + 1, e.mark.column + 1, Severity::error, "config does not parse: " + e.msg);
    return false;
  }
  if (root.IsNull()) return true;
  if (!root.IsMap()) {
    diags.add(path, 1, 1, Severity::error, "config must be a YAML mapping");
    return false;
  }
  ConfigErrors errors{path, diags};
  try {
    for (const auto& kv : root) {
      std::string key = kv.first.as<std::string>();
      if (std::none_of(std::begin(config_keys), std::end(config_keys),
                       [&](const ConfigKey& k) { return key == k.name; }))
        errors.warn(kv.first, "unknown config key '" + key + "' is ignored");
    }
    for (const auto& key : config_keys)
      if (auto n = root[key.name]) key.read(n, c, errors);
  } catch (const YAML::Exception& e) {
    diags.add(path, e.mark.line + 1, e.mark.column + 1, Severity::error, "config value has the wrong type: " + e.msg);
    return false;
  }
  return errors.ok;
}

bool validate_site_config(SiteConfig& c, const std::string& origin, Diagnostics& diags) {
  bool ok = true;
  std::string err;
  if (!find_zone(c.timezone, &err)) {
    diags.add(origin, 0, 0, Severity::error, "timezone: " + err);
    ok = false;
  }
  std::string b = trim(c.base_url);
  if (!(starts_with(b, "http://") || starts_with(b, "https://")) || url_host(b).empty()) {
    diags.add(origin, 0, 0, Severity::error, "base URL '" + b + "' must be absolute, like https://example.org/");
    ok = false;
  }
  if (b.empty() || b.back() != '/') b += '/';
  c.base_url = b;
  // Written into every response's headers: a CR or LF would inject headers of its own.
  for (unsigned char ch : c.cache_control)
    if (ch < 0x20 || ch == 0x7F) {
      diags.add(origin, 0, 0, Severity::error,
                "http.cache_control holds a control character (line break?); write it on one line");
      ok = false;
      break;
    }
  if (c.language.empty()) c.language = "en";
  return ok;
}

}  // namespace evfeed
