#include "evfeed/permalink.hpp"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>
#include <optional>
#include <regex>
#include <set>

#include "evfeed/text.hpp"

namespace evfeed {

namespace {

// --- UTF-8 ---------------------------------------------------------------------------

// The code point at s[i] and its length in bytes (invalid bytes count as U+FFFD, length 1).
std::pair<char32_t, size_t> code_point(std::string_view s, size_t i) {
  auto b = static_cast<unsigned char>(s[i]);
  size_t len = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
  if (len == 0 || i + len > s.size()) return {0xFFFD, 1};
  for (size_t k = 1; k < len; ++k)
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return {0xFFFD, 1};
  char32_t c = len == 1 ? b : len == 2 ? (b & 0x1F) : len == 3 ? (b & 0x0F) : (b & 0x07);
  for (size_t k = 1; k < len; ++k) c = (c << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  return {c, len};
}

bool is_unicode_space(char32_t c) {
  return c == ' ' || (c >= 0x09 && c <= 0x0D) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

// Go's unicode.IsLetter/IsDigit/IsMark for what event titles hold: ASCII exactly; beyond it,
// everything but the blocks of spaces, punctuation, symbols and emoji.
bool is_letter_digit_mark(char32_t c) {
  if (c < 0x80) return std::isalnum(static_cast<int>(c)) != 0;
  if (is_unicode_space(c)) return false;
  if (c <= 0xBF)
    return c == 0xAA || c == 0xB5 || c == 0xBA || c == 0xB2 || c == 0xB3 || c == 0xB9 || c == 0xBC || c == 0xBD ||
           c == 0xBE;
  if (c == 0xD7 || c == 0xF7) return false;
  if ((c >= 0x2000 && c <= 0x2BFF) || (c >= 0x3000 && c <= 0x3004) || (c >= 0x3008 && c <= 0x3020) || c == 0x30FB ||
      (c >= 0xFE10 && c <= 0xFE6F) || (c >= 0xFF00 && c <= 0xFF0F) || (c >= 0xFF1A && c <= 0xFF20) ||
      (c >= 0xFF3B && c <= 0xFF40) || (c >= 0xFF5B && c <= 0xFF65) || (c >= 0x1F000 && c <= 0x1FAFF) || c == 0xFFFD)
    return false;
  return true;
}

bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

std::string percent_escape_byte(unsigned char b) {
  char buf[4];
  std::snprintf(buf, sizeof buf, "%%%02X", b);
  return buf;
}

// --- front matter --------------------------------------------------------------------

std::string text_of(const Value& fm, std::string_view key) {
  const Value* v = fm.find(key);
  return v && v->is_scalar() ? v->scalar : "";
}

bool false_value(const Value* v) { return v && v->is_scalar() && (v->scalar == "false" || v->scalar == "never"); }

std::string stem_of(const std::string& file) {
  size_t dot = file.rfind('.');
  return dot == std::string::npos || dot == 0 ? file : file.substr(0, dot);
}

// Local calendar fields of a front-matter date as written (Hugo keeps the written offset).
struct LocalDate {
  date::local_days day{};
  Seconds time_of_day{0};
};

std::optional<LocalDate> local_date_of(const TimeValue& tv, const date::time_zone* convert_to) {
  LocalSeconds local;
  if (tv.kind == TimeValue::Kind::instant)
    local = convert_to ? to_local(convert_to, tv.instant()) : tv.local;
  else
    local = tv.local;
  LocalDate d;
  d.day = date::floor<date::days>(local);
  d.time_of_day = local - LocalSeconds{d.day};
  return d;
}

// --- Hugo ------------------------------------------------------------------------------

// Hugo's [frontmatter] defaults (page_frontmatter.go newDefaultFrontmatterConfig).
const std::vector<std::string>& hugo_default_keys(const std::string& which) {
  static const std::map<std::string, std::vector<std::string>> defaults = {
      {"date", {"date", "publishdate", "pubdate", "published", "lastmod", "modified"}},
      {"publishdate", {"publishdate", "pubdate", "published", "date"}},
      {"lastmod", {":git", "lastmod", "modified", "date", "publishdate", "pubdate", "published"}},
      {"expirydate", {"expirydate", "unpublishdate"}}};
  return defaults.at(which);
}

// "2022-03-04-talk" -> (2022-03-04, "talk"), as Hugo's :filename reads a name.
std::optional<std::pair<date::local_days, std::string>> date_in_name(const std::string& base) {
  if (base.size() < 10) return std::nullopt;
  auto tv = parse_time(base.substr(0, 10));
  if (!tv || tv->kind != TimeValue::Kind::date) return std::nullopt;
  std::string rest = base.substr(10);
  size_t from = rest.find_first_not_of(" -_"), to = rest.find_last_not_of(" -_");  // strings.Trim(" -_")
  return std::make_pair(date::floor<date::days>(tv->local),
                        from == std::string::npos ? "" : rest.substr(from, to - from + 1));
}

std::string base_name_of(const std::string& rel) {
  auto parts = split(rel, '/');
  std::string stem = stem_of(parts.back());
  if ((stem == "index" || starts_with(stem, "index.")) && parts.size() > 1) return parts[parts.size() - 2];
  return stem;
}

// One of a page's dates ("date", "publishdate", "lastmod", "expirydate") as the site's
// [frontmatter] lists (or Hugo's defaults) say, with Hugo's aliases after each key.
struct FrontDate {
  std::optional<TimeValue> value;
  bool from_filename = false;  // the :filename handler gave it (Hugo then takes the slug too)
};

FrontDate hugo_front_date(const SiteProfile& site, const std::string& which, const Value& fm, const PageRef& page) {
  static const std::map<std::string, std::vector<std::string>> aliases = {
      {"publishdate", {"pubdate", "published"}}, {"lastmod", {"modified"}}, {"expirydate", {"unpublishdate"}}};
  auto configured = site.front_dates.find(which);
  std::vector<std::string> keys;
  for (const auto& k : configured == site.front_dates.end() ? hugo_default_keys(which) : configured->second) {
    const auto& expanded = k == ":default" ? hugo_default_keys(which) : std::vector<std::string>{k};
    for (const auto& key : expanded) {
      keys.push_back(key);
      if (auto a = aliases.find(key); a != aliases.end()) keys.insert(keys.end(), a->second.begin(), a->second.end());
    }
  }
  for (const auto& key : keys) {
    if (key == ":filename") {
      if (auto d = date_in_name(base_name_of(page.rel)))
        return {TimeValue{TimeValue::Kind::date, LocalSeconds{d->first}, Seconds{0}, ""}, true};
    } else if (key == ":filemodtime") {
      if (page.mtime_ns > 0)
        return {TimeValue{TimeValue::Kind::instant, LocalSeconds{Seconds{page.mtime_ns / 1000000000}}, Seconds{0}, ""}};
    } else if (key == ":git") {
      if (page.git_date) {
        Seconds offset{page.git_date->offset_minutes * 60};
        return {
            TimeValue{TimeValue::Kind::instant, LocalSeconds{Seconds{page.git_date->seconds} + offset}, offset, ""}};
      }
    } else if (key[0] != ':') {
      const Value* v = fm.find(key);
      if (v && v->is_scalar())
        if (auto tv = parse_time(v->scalar)) return {tv};
    }
  }
  return {};
}

// A page's .Date (permalink date tokens; lastmod falls back to it).
std::optional<TimeValue> hugo_date(const SiteProfile& site, const Value& fm, const PageRef& page) {
  return hugo_front_date(site, "date", fm, page).value;
}

// The slug Hugo's :filename handler sets ("2022-03-04-talk" -> "talk") when one of the
// date lists took its date from the file name and the page names no slug; else "".
std::string filename_slug(const SiteProfile& site, const Value& fm, const PageRef& page) {
  if (!trim(text_of(fm, "slug")).empty()) return "";
  for (const char* which : {"date", "publishdate", "lastmod", "expirydate"})
    if (hugo_front_date(site, which, fm, page).from_filename)
      if (auto d = date_in_name(base_name_of(page.rel))) return d->second;
  return "";
}

struct HugoPath {
  std::string dir;      // "event/sub" (bundle: the bundle's parent)
  std::string base;     // file stem, or the bundle's folder name
  std::string section;  // first element of dir
  bool bundle = false;
};

HugoPath hugo_path(const SiteProfile& site, const std::string& rel) {
  auto parts = split(rel, '/');
  HugoPath p;
  std::string stem = stem_of(parts.back());
  // "a.fr.md" is "a" in French only when fr is a configured language.
  if (size_t dot = stem.rfind('.'); dot != std::string::npos) {
    std::string suffix = to_lower_ascii(stem.substr(dot + 1));
    if (std::find(site.languages.begin(), site.languages.end(), suffix) != site.languages.end()) stem.resize(dot);
  }
  parts.pop_back();
  p.bundle = stem == "index" && !parts.empty();
  if (p.bundle) {
    p.base = parts.back();
    parts.pop_back();
  } else {
    p.base = stem;
  }
  for (const auto& d : parts) p.dir += (p.dir.empty() ? "" : "/") + d;
  p.section = parts.empty() ? "" : parts.front();
  return p;
}

std::string urlize(const SiteProfile& site, std::string_view s) {
  return go_url_escape_path(hugo_sanitize_path(s, !site.disable_path_to_lower, site.remove_path_accents));
}

std::string two(unsigned n) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02u", n);
  return buf;
}

std::string query_unescape(const std::string& s) { return percent_decode(s, nullptr, true); }

std::string expand_hugo_pattern(const SiteProfile& site, const std::string& pattern, const HugoPath& p, const Value& fm,
                                const PageRef& page) {
  static const char* months[] = {"January", "February", "March",     "April",   "May",      "June",
                                 "July",    "August",   "September", "October", "November", "December"};
  static const char* weekdays[] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};
  auto date = hugo_date(site, fm, page);
  std::optional<LocalDate> ld = date ? local_date_of(*date, nullptr) : std::nullopt;
  date::year_month_day ymd =
      ld ? date::year_month_day{ld->day} : date::year_month_day{date::year{1}, date::month{1}, date::day{1}};
  date::weekday wd = ld ? date::weekday{ld->day} : date::weekday{1};
  std::string title = urlize(site, text_of(fm, "title"));
  std::string slug = trim(text_of(fm, "slug"));
  if (slug.empty()) slug = filename_slug(site, fm, page);
  while (!slug.empty() && slug.front() == '-') slug.erase(0, 1);
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  std::string filename = urlize(site, p.base);
  auto value = [&](const std::string& token) -> std::optional<std::string> {
    if (token == "year") return std::to_string(static_cast<int>(ymd.year()));
    if (token == "month") return two(static_cast<unsigned>(ymd.month()));
    if (token == "monthname") return std::string(months[static_cast<unsigned>(ymd.month()) - 1]);
    if (token == "day") return two(static_cast<unsigned>(ymd.day()));
    if (token == "weekday") return std::to_string(wd.c_encoding());
    if (token == "weekdayname") return std::string(weekdays[wd.c_encoding()]);
    if (token == "yearday")
      return std::to_string((date::sys_days{ymd} - date::sys_days{ymd.year() / 1 / 1}).count() + 1);
    if (token == "section") return p.section;
    if (token == "sections") return p.dir;
    if (token == "title") return title;
    if (token == "slug") return slug.empty() ? title : urlize(site, slug);
    if (token == "slugorfilename") return slug.empty() ? filename : urlize(site, slug);
    if (token == "filename") return filename;
    return std::nullopt;
  };
  std::string out;
  for (size_t i = 0; i < pattern.size();) {
    if (pattern[i] == ':') {
      size_t j = i + 1;
      while (j < pattern.size() && std::islower(static_cast<unsigned char>(pattern[j]))) ++j;
      if (auto v = value(pattern.substr(i + 1, j - i - 1))) {
        out += *v;
        i = j;
        continue;
      }
    }
    out += pattern[i++];
  }
  return query_unescape(out);
}

std::string squeeze_slashes(std::string s) {
  std::string out;
  for (char c : s)
    if (!(c == '/' && !out.empty() && out.back() == '/')) out += c;
  return out;
}

std::string hugo_link(const SiteProfile& site, const PageRef& page, const Value& fm) {
  HugoPath p = hugo_path(site, page.rel);
  if (const Value* build = fm.find("_build"); build && false_value(build->find("render"))) return "";
  if (p.bundle) {
    const Value* headless = fm.find("headless");
    if (headless && headless->is_scalar() && headless->scalar == "true") return "";
  }
  auto own_host = site.language_base_urls.find(page.lang);  // multihost: the language's own base URL, no prefix
  bool multihost = own_host != site.language_base_urls.end();
  bool lang_prefix =
      !multihost && site.multilingual && (page.lang != site.default_language || site.default_language_in_subdir);
  bool ugly = site.ugly_urls;
  if (auto it = site.ugly_sections.find(to_lower_ascii(p.section)); it != site.ugly_sections.end()) ugly = it->second;
  std::string url = trim(text_of(fm, "url"));
  std::string link;
  if (!url.empty()) {
    // Front matter `url` is kept as written: no lowercasing, no sanitizing.
    link = url[0] == '/' ? url : (lang_prefix ? "/" + page.lang + "/" : "/") + url;
    if (link.back() != '/' && url.find('.') == std::string::npos) link += '/';  // as CreateTargetPaths does
  } else {
    std::string slug = text_of(fm, "slug");
    if (trim(slug).empty()) slug = filename_slug(site, fm, page);
    while (!slug.empty() && slug.front() == '-') slug.erase(0, 1);
    while (!slug.empty() && slug.back() == '-') slug.pop_back();
    auto pattern = site.permalinks.find(to_lower_ascii(p.section));
    std::string path = pattern != site.permalinks.end() ? expand_hugo_pattern(site, pattern->second, p, fm, page)
                                                        : "/" + p.dir + "/" + (slug.empty() ? p.base : slug);
    path = squeeze_slashes("/" + path);
    if (ugly) {
      while (path.size() > 1 && path.back() == '/') path.pop_back();
      path += ".html";
    } else if (path.back() != '/') {
      path += '/';
    }
    if (lang_prefix) path = "/" + page.lang + path;
    link = hugo_sanitize_path(path, !site.disable_path_to_lower, site.remove_path_accents);
  }
  link = go_url_escape_path(squeeze_slashes(link));
  return (multihost ? own_host->second : site.base_url) + link.substr(1);
}

// --- Jekyll ----------------------------------------------------------------------------

struct JekyllDoc {
  enum class Kind { post, draft, collection, page } kind = Kind::page;
  std::string label;                        // collection label ("posts" for posts)
  std::string path;                         // within the collection folder, without extension: "workshops/docker-101"
  std::string basename;                     // file name without extension
  std::string slug;                         // file-name slug (after a date prefix)
  std::vector<std::string> dir_categories;  // folders above _posts
  std::optional<date::local_days> name_date;
};

JekyllDoc jekyll_doc(const SiteProfile& site, const std::string& rel) {
  JekyllDoc d;
  auto parts = split(rel, '/');
  d.basename = stem_of(parts.back());
  size_t special = parts.size();
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    if (parts[i] == "_posts" || parts[i] == "_drafts") {
      special = i;
      d.kind = parts[i] == "_posts" ? JekyllDoc::Kind::post : JekyllDoc::Kind::draft;
      d.label = "posts";
      break;
    }
  }
  if (special == parts.size() && parts.size() > 1 && parts[0].size() > 1 && parts[0][0] == '_' &&
      site.collections.count(parts[0].substr(1))) {
    special = 0;
    d.kind = JekyllDoc::Kind::collection;
    d.label = parts[0].substr(1);
  }
  if (d.kind == JekyllDoc::Kind::page) {  // :path of a page is its folder
    for (size_t i = 0; i + 1 < parts.size(); ++i) d.path += (d.path.empty() ? "" : "/") + parts[i];
    return d;
  }
  for (size_t i = 0; i < special; ++i) d.dir_categories.push_back(parts[i]);
  std::string within;
  for (size_t i = special + 1; i < parts.size(); ++i) within += (within.empty() ? "" : "/") + parts[i];
  d.path = within.substr(0, within.size() - (parts.back().size() - d.basename.size()));
  static const std::regex dated(R"(^(\d{2,4})-(\d{1,2})-(\d{1,2})-(.*)$)");
  std::smatch m;
  d.slug = d.basename;
  if (d.kind != JekyllDoc::Kind::draft && std::regex_match(d.basename, m, dated)) {
    date::year_month_day ymd{date::year{std::stoi(m[1])}, date::month{static_cast<unsigned>(std::stoi(m[2]))},
                             date::day{static_cast<unsigned>(std::stoi(m[3]))}};
    if (ymd.ok()) {
      d.name_date = date::local_days{ymd};
      d.slug = m[4];
    }
  }
  while (!d.slug.empty() && d.slug.back() == '.') d.slug.pop_back();
  return d;
}

// The document's date in the site's zone: front matter `date` (converted to the zone, as
// Jekyll converts every Time to local), else the date in its file name.
std::optional<LocalDate> jekyll_date(const JekyllDoc& d, const Value& fm, const date::time_zone* zone) {
  if (const Value* v = fm.find("date"); v && v->is_scalar()) {
    if (auto tv = parse_time(v->scalar)) {
      // Psych reads an unquoted date-time without offset as UTC; Jekyll then converts it.
      if (tv->kind == TimeValue::Kind::local && !v->quoted && v->kind != Value::Kind::string &&
          v->scalar.find_first_of("T ") != std::string::npos)
        return local_date_of(TimeValue{TimeValue::Kind::instant, tv->local, Seconds{0}, {}}, zone);
      return local_date_of(*tv, zone);
    }
  }
  if (d.name_date) return LocalDate{*d.name_date, Seconds{0}};
  return std::nullopt;
}

std::string jekyll_style(const std::string& style) {
  if (style == "date") return "/:categories/:year/:month/:day/:title:output_ext";
  if (style == "pretty") return "/:categories/:year/:month/:day/:title/";
  if (style == "ordinal") return "/:categories/:year/:y_day/:title:output_ext";
  if (style == "weekdate") return "/:categories/:year/W:week/:short_day/:title:output_ext";
  if (style == "none") return "/:categories/:title:output_ext";
  return style;
}

// Utils.add_permalink_suffix
std::string with_permalink_suffix(const std::string& tmpl, const std::string& style) {
  if (style == "pretty") return tmpl + "/";
  if (style == "date" || style == "ordinal" || style == "none") return tmpl + ":output_ext";
  if (ends_with(style, "/")) return tmpl + "/";
  if (ends_with(style, ":output_ext")) return tmpl + ":output_ext";
  return tmpl;
}

std::vector<std::string> jekyll_categories(const JekyllDoc& d, const Value& fm) {
  // Lowercased and without repeats, as Jekyll's URL drop uses them; a `categories` string
  // is split on spaces, a `category` string is one category.
  std::vector<std::string> out;
  auto add = [&](const std::string& c) {
    std::string lower = to_lower_utf8(c);
    if (!lower.empty() && std::find(out.begin(), out.end(), lower) == out.end()) out.push_back(lower);
  };
  for (const auto& c : d.dir_categories) add(c);
  for (const char* key : {"category", "categories"}) {
    const Value* v = fm.find(key);
    if (!v) continue;
    if (v->kind == Value::Kind::list) {
      for (const auto& x : v->items)
        if (x.is_scalar()) add(x.scalar);
    } else if (v->is_scalar()) {
      if (std::string(key) == "category")
        add(trim(v->scalar));
      else
        for (const auto& c : split(v->scalar, ' ')) add(trim(c));
    }
  }
  return out;
}

// Jekyll::URL: placeholders replaced (escaped), then sanitize_url.
std::string expand_jekyll_template(const std::string& tmpl,
                                   const std::function<std::optional<std::string>(const std::string&)>& value) {
  std::string url;
  for (size_t i = 0; i < tmpl.size();) {
    if (tmpl[i] == ':') {
      size_t j = i + 1;
      while (j < tmpl.size() && (std::islower(static_cast<unsigned char>(tmpl[j])) || tmpl[j] == '_')) ++j;
      if (auto v = value(tmpl.substr(i + 1, j - i - 1))) {
        url += jekyll_escape_path(*v);
        i = j;
        continue;
      }
    }
    url += tmpl[i++];
  }
  url = "/" + url;
  for (size_t at; (at = url.find("..")) != std::string::npos;) url.replace(at, 2, "/");
  for (size_t at; (at = url.find("./")) != std::string::npos;) url.erase(at, 2);
  return squeeze_slashes(url);
}

// The site's url + baseurl before a URL from expand_jekyll_template.
std::string jekyll_absolute_url(const SiteProfile& site, const std::string& url) {
  std::string base = site.jekyll_baseurl;
  while (!base.empty() && base.back() == '/') base.pop_back();
  if (!base.empty() && base[0] != '/') base = "/" + base;
  std::string host = site.jekyll_url;
  while (!host.empty() && host.back() == '/') host.pop_back();
  return host + base + url;
}

// A Jekyll page's URL (Page#template, #url_placeholders): its own permalink, else its folder
// and file name with the site's permalink style's suffix; only :path, :basename, :output_ext.
std::string jekyll_page_url(const SiteProfile& site, const JekyllDoc& d, const Value& fm) {
  std::string tmpl;
  if (const Value* own = fm.find("permalink"); own && own->is_scalar() && !own->scalar.empty())
    tmpl = own->scalar;
  else
    tmpl = d.basename == "index" ? "/:path/" : with_permalink_suffix("/:path/:basename", site.permalink_style);
  return expand_jekyll_template(tmpl, [&](const std::string& token) -> std::optional<std::string> {
    if (token == "path") return d.path;
    if (token == "basename") return d.basename;
    if (token == "output_ext") return std::string(".html");
    return std::nullopt;
  });
}

std::string jekyll_link(const SiteProfile& site, const PageRef& page, const Value& fm, const date::time_zone* zone) {
  JekyllDoc d = jekyll_doc(site, page.rel);
  if (d.kind == JekyllDoc::Kind::page) return jekyll_absolute_url(site, jekyll_page_url(site, d, fm));
  std::string tmpl;
  if (const Value* own = fm.find("permalink"); own && own->is_scalar() && !own->scalar.empty()) {
    tmpl = own->scalar;
  } else if (d.kind == JekyllDoc::Kind::collection) {
    const auto& c = site.collections.at(d.label);
    if (!c.output) return "";
    tmpl = !c.permalink.empty() ? jekyll_style(c.permalink)
                                : with_permalink_suffix("/:collection/:path", site.permalink_style);
  } else {
    auto posts = site.collections.find("posts");
    tmpl = posts != site.collections.end() && !posts->second.permalink.empty() ? jekyll_style(posts->second.permalink)
                                                                               : jekyll_style(site.permalink_style);
  }
  std::string slug = text_of(fm, "slug");
  if (slug.empty()) slug = d.slug;
  auto ld = jekyll_date(d, fm, zone);
  date::year_month_day ymd =
      ld ? date::year_month_day{ld->day} : date::year_month_day{date::year{1970}, date::month{1}, date::day{1}};
  auto tod = date::make_time(ld ? ld->time_of_day : Seconds{0});
  auto fmt = [&](const char* f) { return ld ? date::format(f, date::local_seconds{ld->day} + (ld->time_of_day)) : ""; };
  std::string categories;
  for (const auto& c : jekyll_categories(d, fm)) categories += (categories.empty() ? "" : "/") + c;
  auto value = [&](const std::string& token) -> std::optional<std::string> {
    if (token == "title") return jekyll_slugify(slug, true, true);
    if (token == "slug") return jekyll_slugify(slug, false, false);
    if (token == "name") return jekyll_slugify(d.basename, false, false);
    if (token == "path") return d.path;
    if (token == "categories") return categories;
    if (token == "collection") return d.label;
    if (token == "output_ext") return std::string(".html");
    if (token == "year") return std::to_string(static_cast<int>(ymd.year()));
    if (token == "month") return two(static_cast<unsigned>(ymd.month()));
    if (token == "day") return two(static_cast<unsigned>(ymd.day()));
    if (token == "hour") return two(static_cast<unsigned>(tod.hours().count()));
    if (token == "minute") return two(static_cast<unsigned>(tod.minutes().count()));
    if (token == "second") return two(static_cast<unsigned>(tod.seconds().count()));
    if (token == "i_month") return std::to_string(static_cast<unsigned>(ymd.month()));
    if (token == "i_day") return std::to_string(static_cast<unsigned>(ymd.day()));
    if (token == "short_year") return fmt("%y");
    if (token == "short_month") return fmt("%b");
    if (token == "long_month") return fmt("%B");
    if (token == "short_day") return fmt("%a");
    if (token == "long_day") return fmt("%A");
    if (token == "y_day") return fmt("%j");
    if (token == "week") return fmt("%V");
    if (token == "w_year") return fmt("%G");
    if (token == "w_day") return fmt("%u");
    return std::nullopt;
  };
  return jekyll_absolute_url(site, expand_jekyll_template(tmpl, value));
}

}  // namespace

std::string hugo_sanitize_path(std::string_view s, bool lower, bool /*remove_accents*/) {
  std::string out;
  bool prepend_hyphen = false, was_hyphen = false;
  for (size_t i = 0; i < s.size();) {
    auto [c, len] = code_point(s, i);
    bool allowed = c == '.' || c == '/' || c == '\\' || c == '_' || c == '#' || c == '+' || c == '~' || c == '-' ||
                   c == '@' || is_letter_digit_mark(c) ||
                   (c == '%' && i + 2 < s.size() && is_hex(s[i + 1]) && is_hex(s[i + 2]));
    if (allowed) {
      was_hyphen = c == '-';
      if (prepend_hyphen) {
        if (!was_hyphen) out += '-';
        prepend_hyphen = false;
      }
      out.append(s.substr(i, len));
    } else if (!out.empty() && !was_hyphen && is_unicode_space(c)) {
      prepend_hyphen = true;
    }
    i += len;
  }
  return lower ? to_lower_utf8(out) : out;
}

std::string go_url_escape_path(std::string_view s) {
  auto kept = [](unsigned char c) {
    return std::isalnum(c) || std::string_view("-_.~$&+,/:;=@").find(static_cast<char>(c)) != std::string_view::npos;
  };
  // url.Parse keeps a path that is already a valid encoding as it was written.
  bool valid = true;
  for (size_t i = 0; i < s.size() && valid; ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c == '%')
      valid = i + 2 < s.size() && is_hex(s[i + 1]) && is_hex(s[i + 2]);
    else
      valid = kept(c) || std::string_view("!*'()[]#?").find(static_cast<char>(c)) != std::string_view::npos;
  }
  if (valid) return std::string(s);
  std::string out;
  for (unsigned char c : s) out += kept(c) || c == '#' ? std::string(1, static_cast<char>(c)) : percent_escape_byte(c);
  return out;
}

std::string jekyll_slugify(std::string_view s, bool pretty, bool cased) {
  // Runs of other characters become one "-", none at either end.
  std::string out;
  bool pending = false;
  for (size_t i = 0; i < s.size();) {
    auto [c, len] = code_point(s, i);
    bool keep = c < 0x80 ? std::isalnum(static_cast<int>(c)) != 0 ||
                               (pretty &&
                                std::string_view("._~!$&'()+,;=@").find(static_cast<char>(c)) != std::string_view::npos)
                         : is_letter_digit_mark(c);
    if (keep) {
      if (pending && !out.empty()) out += '-';
      pending = false;
      out.append(s.substr(i, len));
    } else {
      pending = true;
    }
    i += len;
  }
  return cased ? out : to_lower_utf8(out);
}

std::string jekyll_escape_path(std::string_view s) {
  bool plain = std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '/' || c == '-';
  });
  if (plain) return std::string(s);
  // Addressable::URI.encode: unreserved and reserved characters stay; then "#" -> %23.
  std::string out;
  for (unsigned char c : s) {
    bool keep = std::isalnum(c) ||
                std::string_view("-._~!$&'()*+,;=:@/?[]").find(static_cast<char>(c)) != std::string_view::npos;
    out += keep ? std::string(1, static_cast<char>(c)) : percent_escape_byte(c);
  }
  return out;
}

std::vector<SourceFile> generator_pages(const SiteProfile& site, std::vector<SourceFile> files) {
  static const std::regex dated(R"(^\d{2,4}-\d{1,2}-\d{1,2}-.*)");
  std::set<std::string> leaf_bundles;  // folders holding an index.md (full paths)
  if (site.generator == Generator::hugo)
    for (const auto& f : files) {
      std::string name = f.path.substr(f.path.rfind('/') + 1);
      if (starts_with(name, "index.") && f.rel_path.find('/') != std::string::npos)
        leaf_bundles.insert(f.path.substr(0, f.path.rfind('/')));
    }
  auto keep = [&](const SourceFile& f) {
    std::string name = f.path.substr(f.path.rfind('/') + 1);
    if (site.generator == Generator::jekyll) {
      if (name[0] == '_' || name[0] == '.' || name[0] == '#' || name[0] == '~' || name.back() == '~') return false;
      const ContentRoot* root = root_of(site, f.path);
      bool in_posts = root && (root->site_rel == "_posts" || ends_with(root->site_rel, "/_posts"));
      return !in_posts || std::regex_match(name, dated);
    }
    // A file below a leaf bundle's folder (its own index excepted) is a resource.
    for (std::string dir = f.path.substr(0, f.path.rfind('/'));; dir = dir.substr(0, dir.rfind('/'))) {
      if (leaf_bundles.count(dir) && !(dir == f.path.substr(0, f.path.rfind('/')) && starts_with(name, "index.")))
        return false;
      if (dir.rfind('/') == std::string::npos || dir.size() <= 1) break;
    }
    return true;
  };
  files.erase(std::remove_if(files.begin(), files.end(), [&](const SourceFile& f) { return !keep(f); }), files.end());
  return files;
}

std::string generator_link(const SiteProfile& site, const PageRef& page, const Value& fm, const date::time_zone* zone) {
  return site.generator == Generator::hugo ? hugo_link(site, page, fm) : jekyll_link(site, page, fm, zone);
}

// The nearest section (or home) page above a Hugo page in its language: what it holds back
// (its own and its ancestors', settled once per site) holds the page back too.
static void fold_section_pages(const SiteProfile& site, const PageRef& page, GeneratorDates& g) {
  for (const auto& s : site.section_pages) {  // deepest first: the first that applies is the nearest
    if (!starts_with(page.path, s.dir) || s.path == page.path || (!s.lang.empty() && s.lang != page.lang)) continue;
    g.draft = g.draft || s.held_draft;
    if (s.held_publish && (!g.publish || *s.held_publish > *g.publish)) g.publish = s.held_publish;
    if (s.held_expiry && (!g.expiry || *s.held_expiry < *g.expiry)) g.expiry = s.held_expiry;
    return;
  }
}

void settle_section_pages(SiteProfile& site, const date::time_zone* zone) {
  auto& sections = site.section_pages;
  // Only the date, publishDate and expiryDate lists decide what a section holds back: the git
  // history (a walk of all of it) is read for them only when one of them names :git.
  bool git_dates = false;
  for (const char* which : {"date", "publishdate", "expirydate"})
    if (auto it = site.front_dates.find(which); it != site.front_dates.end())
      git_dates = git_dates || std::find(it->second.begin(), it->second.end(), ":git") != it->second.end();
  for (auto& s : sections) {  // its own dates, with the cascades that reach it (its own included)
    PageRef ref{s.rel, s.lang, s.mtime_ns, std::nullopt, s.path};
    if (site.git && git_dates) ref.git_date = site.git->author_date(s.path);
    GeneratorDates own =
        generator_dates(site, ref, with_hugo_cascade(site, ref, s.front_matter, s.home ? "home" : "section"), zone);
    s.held_draft = own.draft;
    s.held_publish = own.publish;
    s.held_expiry = own.expiry;
  }
  // Shallowest first (the list is deepest first), so each folds in its nearest ancestor,
  // which is settled already and holds everything above it.
  for (size_t i = sections.size(); i-- > 0;) {
    auto& s = sections[i];
    for (size_t j = i + 1; j < sections.size(); ++j) {
      const auto& parent = sections[j];
      if (parent.dir == s.dir || !starts_with(s.dir, parent.dir) || (!parent.lang.empty() && parent.lang != s.lang))
        continue;
      s.held_draft = s.held_draft || parent.held_draft;
      if (parent.held_publish && (!s.held_publish || *parent.held_publish > *s.held_publish))
        s.held_publish = parent.held_publish;
      if (parent.held_expiry && (!s.held_expiry || *parent.held_expiry < *s.held_expiry))
        s.held_expiry = parent.held_expiry;
      break;
    }
  }
}

GeneratorDates generator_dates(const SiteProfile& site, const PageRef& page, const Value& fm,
                               const date::time_zone* zone) {
  GeneratorDates g;
  auto instant_of = [&](const TimeValue& tv) {
    if (tv.kind == TimeValue::Kind::instant) return tv.instant();
    return resolve_local(zone, tv.local).instant;
  };
  if (site.generator == Generator::hugo) {
    auto date = hugo_date(site, fm, page);  // lastmod falls back to it; publishDate only through its list
    if (auto publish = hugo_front_date(site, "publishdate", fm, page).value) g.publish = instant_of(*publish);
    if (auto expiry = hugo_front_date(site, "expirydate", fm, page).value) g.expiry = instant_of(*expiry);
    auto lastmod = hugo_front_date(site, "lastmod", fm, page).value;
    if (!lastmod) lastmod = date;
    if (lastmod) g.lastmod = instant_of(*lastmod);
    const Value* draft = fm.find("draft");
    const Value* published = fm.find("published");
    if (draft && draft->is_scalar())
      g.draft = draft->scalar == "true";
    else if (published && published->is_scalar())
      g.draft = published->scalar == "false";
    if (!starts_with(page.path.substr(page.path.rfind('/') + 1), "_index."))  // sections: settle_section_pages
      fold_section_pages(site, page, g);
    return g;
  }
  JekyllDoc d = jekyll_doc(site, page.rel);
  g.date_from_name = d.name_date;
  g.draft = d.kind == JekyllDoc::Kind::draft;
  if (d.kind == JekyllDoc::Kind::page) {  // pages are written whatever their date (`future` is for documents)
    if (const Value* published = fm.find("published");
        published && published->is_scalar() && published->scalar == "false")
      g.draft = !site.jekyll_unpublished;
    return g;
  }
  if (const Value* published = fm.find("published");
      published && published->is_scalar() && published->scalar == "false")
    g.draft = g.draft || !site.jekyll_unpublished;
  if (auto ld = jekyll_date(d, fm, zone))
    g.publish = resolve_local(zone, LocalSeconds{ld->day} + ld->time_of_day).instant;
  return g;
}

// The first character of `s` (`len` its bytes): a UTF-8 sequence, or one byte when invalid.
static char32_t first_code_point(std::string_view s, size_t& len) {
  auto b = static_cast<unsigned char>(s[0]);
  len = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
  if (len > s.size()) len = 1;
  char32_t c = len == 1 ? b : b & (0x7F >> len);
  for (size_t i = 1; i < len; ++i) {
    auto cont = static_cast<unsigned char>(s[i]);
    if ((cont & 0xC0) != 0x80) {
      len = 1;
      return b;
    }
    c = (c << 6) | (cont & 0x3F);
  }
  return c;
}

bool hugo_glob_match(std::string_view pattern, std::string_view text) {
  if (pattern.empty()) return text.empty();
  if (pattern[0] == '{') {
    size_t close = pattern.find('}');
    if (close != std::string_view::npos) {
      std::string_view rest = pattern.substr(close + 1);
      for (const auto& alt : split(std::string(pattern.substr(1, close - 1)), ','))
        if (hugo_glob_match(alt + std::string(rest), text)) return true;
      return false;
    }
  }
  if (pattern.substr(0, 2) == "**") {
    for (size_t i = 0; i <= text.size(); ++i)
      if (hugo_glob_match(pattern.substr(2), text.substr(i))) return true;
    return false;
  }
  if (pattern[0] == '*') {
    for (size_t i = 0; i <= text.size(); ++i) {
      if (hugo_glob_match(pattern.substr(1), text.substr(i))) return true;
      if (i < text.size() && text[i] == '/') break;
    }
    return false;
  }
  if (text.empty()) return false;
  size_t text_len = 0;
  char32_t c = first_code_point(text, text_len);  // ? and classes take a character, not a byte
  if (pattern[0] == '[') {                        // [abc], [a-z], [!a-z]: one character, never the separator
    size_t close = pattern.find(']', 2);
    std::string_view set = close == std::string_view::npos ? "" : pattern.substr(1, close - 1);
    bool negate = !set.empty() && set[0] == '!';
    if (negate) set.remove_prefix(1);
    if (!set.empty()) {  // "[]" and "[!]" are literal text
      if (c == '/') return false;
      std::vector<char32_t> members;
      for (size_t i = 0, n = 0; i < set.size(); i += n) members.push_back(first_code_point(set.substr(i), n));
      bool in = false;
      for (size_t i = 0; i < members.size(); ++i)
        if (i + 2 < members.size() && members[i + 1] == '-')
          in = in || (c >= members[i] && c <= members[i + 2]), i += 2;
        else
          in = in || c == members[i];
      return in != negate && hugo_glob_match(pattern.substr(close + 1), text.substr(text_len));
    }
  }
  if (pattern[0] == '?') return c != '/' && hugo_glob_match(pattern.substr(1), text.substr(text_len));
  if (pattern[0] == '\\' && pattern.size() > 1) pattern.remove_prefix(1);  // an escaped character is literal
  if (pattern[0] != text[0]) return false;
  return hugo_glob_match(pattern.substr(1), text.substr(1));
}

Value with_hugo_cascade(const SiteProfile& site, const PageRef& page, const Value& fm, const char* kind) {
  if (site.generator != Generator::hugo || site.cascades.empty() || fm.kind != Value::Kind::map) return fm;
  Value merged = fm;
  std::string path = "/" + to_lower_ascii(page.rel);  // as Hugo's PageMatcher sees it
  for (const auto& c : site.cascades) {               // an _index page's own cascade applies to itself too
    if (!starts_with(page.path, c.dir)) continue;
    if ((!c.path.empty() && !hugo_glob_match(c.path, path)) || (!c.kind.empty() && !hugo_glob_match(c.kind, kind)) ||
        (!c.lang.empty() && !hugo_glob_match(c.lang, page.lang)) ||
        (!c.environment.empty() && !hugo_glob_match(c.environment, site.environment)))
      continue;
    for (const auto& [key, value] : c.values.members)
      if (!merged.find(key)) merged.members.emplace_back(key, value);
  }
  return merged;
}

Value with_jekyll_defaults(const SiteProfile& site, const std::string& rel, const Value& fm) {
  if (site.generator != Generator::jekyll || site.jekyll_defaults.kind != Value::Kind::list) return fm;
  JekyllDoc d = jekyll_doc(site, rel);
  std::string type = d.kind == JekyllDoc::Kind::post    ? "posts"
                     : d.kind == JekyllDoc::Kind::draft ? "drafts"
                     : d.kind == JekyllDoc::Kind::page  ? "pages"
                                                        : d.label;
  struct Applicable {
    size_t path_length;
    bool has_type;
    size_t order;
    const Value* values;
  };
  std::vector<Applicable> sets;
  for (size_t i = 0; i < site.jekyll_defaults.items.size(); ++i) {
    const Value& set = site.jekyll_defaults.items[i];
    const Value* scope = set.find("scope");
    const Value* values = set.find("values");
    if (!values || values->kind != Value::Kind::map) continue;
    std::string path = scope ? text_of(*scope, "path") : "";
    std::string scope_type = scope ? text_of(*scope, "type") : "";
    if (scope_type == "post" || scope_type == "page" || scope_type == "draft") scope_type += "s";
    if (!scope_type.empty() && scope_type != type) continue;
    if (!path.empty() && !starts_with(rel, path)) continue;  // a plain prefix, as Jekyll compares
    sets.push_back({path.size(), !scope_type.empty(), i, values});
  }
  // Longer paths win, then sets with a type, then later sets: merge in the opposite order.
  std::sort(sets.begin(), sets.end(), [](const Applicable& a, const Applicable& b) {
    return std::tie(a.path_length, a.has_type, a.order) < std::tie(b.path_length, b.has_type, b.order);
  });
  Value merged;
  merged.kind = Value::Kind::map;
  for (const auto& s : sets) merge_values(merged, *s.values);
  merge_values(merged, fm);
  return merged;
}

}  // namespace evfeed
