#include "evfeed/site.hpp"

#include <yaml-cpp/yaml.h>

#include <set>

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
  static const std::set<std::string> known = {"title",    "description",      "base_url",    "baseurl",   "language",
                                              "timezone", "default_duration", "items_limit", "author",    "calendar",
                                              "http",     "fields",           "feeds",       "feeds_url", "index"};
  bool ok = true;
  auto where = [&](const YAML::Node& n, const std::string& msg) {
    diags.add(path, n.Mark().line + 1, n.Mark().column + 1, Severity::error, msg);
    ok = false;
  };
  try {
    for (const auto& kv : root) {
      std::string key = kv.first.as<std::string>();
      if (!known.count(key))
        diags.add(path, kv.first.Mark().line + 1, kv.first.Mark().column + 1, Severity::warning,
                  "unknown config key '" + key + "' is ignored");
    }
    if (root["title"]) c.title = root["title"].as<std::string>();
    if (root["description"]) c.description = root["description"].as<std::string>();
    for (const char* key : {"base_url", "baseurl", "feeds_url"}) {
      if (!root[key]) continue;
      c.base_url = root[key].as<std::string>();
      c.base_url_given = true;
    }
    if (root["language"]) c.language = root["language"].as<std::string>();
    if (root["timezone"]) c.timezone = root["timezone"].as<std::string>();
    if (root["author"]) c.author = root["author"].as<std::string>();
    if (auto n = root["default_duration"]) {
      if (auto d = parse_duration(n.as<std::string>()); d && d->count() > 0)
        c.default_duration = *d;
      else
        where(n, "default_duration must be a duration such as 2h or PT2H");
    }
    if (auto n = root["items_limit"]) c.items_limit = n.as<size_t>();
    if (auto index = root["index"]) {
      for (const auto& kv : index)
        if (std::string key = kv.first.as<std::string>(); key != "upcoming" && key != "past")
          diags.add(path, kv.first.Mark().line + 1, kv.first.Mark().column + 1, Severity::warning,
                    "unknown config key 'index." + key + "' is ignored (upcoming, past)");
      if (auto n = index["upcoming"]) c.index_upcoming = n.as<size_t>();
      if (auto n = index["past"]) c.index_past = n.as<size_t>();
    }
    if (auto cal = root["calendar"]) {
      if (auto n = cal["refresh_interval"]) {
        if (auto d = parse_duration(n.as<std::string>()); d && d->count() > 0)
          c.refresh_interval = *d;
        else
          where(n, "calendar.refresh_interval must be a duration such as PT6H");
      }
      if (auto n = cal["alarm_before"]) {
        if (auto d = parse_duration(n.as<std::string>()); d && d->count() >= 0)
          c.alarm_before = *d;
        else
          where(n, "calendar.alarm_before must be a duration such as P1D");
      }
      if (auto n = cal["window_past_days"]) c.window_past_days = n.as<int>();
    }
    if (auto http = root["http"]) {
      if (auto n = http["cache_control"]) c.cache_control = n.as<std::string>();
    }
    if (auto f = root["fields"]) {
      for (const auto& kv : f) c.fields[kv.first.as<std::string>()] = kv.second.as<std::string>();
    }
    if (auto feeds = root["feeds"]) {
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
          where(n, "feed '" + spec.slug + "' needs a topic, tag or location filter");
          continue;
        }
        if (!slugs.insert(spec.slug).second) {
          where(n, "two feeds have the slug '" + spec.slug + "'");
          continue;
        }
        c.feeds.push_back(std::move(spec));
      }
    }
  } catch (const YAML::Exception& e) {
    diags.add(path, e.mark.line + 1, e.mark.column + 1, Severity::error, "config value has the wrong type: " + e.msg);
    return false;
  }
  return ok;
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
