#include "evfeed/model.hpp"

#include <algorithm>
#include <cassert>
#include <map>
#include <regex>
#include <set>

#include "evfeed/markdown.hpp"
#include "evfeed/permalink.hpp"
#include "evfeed/recurrence.hpp"
#include "evfeed/schema.hpp"
#include "evfeed/shortcodes.hpp"
#include "evfeed/text.hpp"

namespace evfeed {

using namespace std::chrono;

const char* status_name(EventStatus s) {
  switch (s) {
    case EventStatus::confirmed: return "CONFIRMED";
    case EventStatus::tentative: return "TENTATIVE";
    case EventStatus::cancelled: return "CANCELLED";
  }
  return "CONFIRMED";
}

bool Event::is_utc_zone() const {
  if (!zone) return true;
  std::string n(zone->name());
  return n == "UTC" || n == "Etc/UTC" || n == "Etc/GMT" || n == "GMT" || n == "Etc/Universal" || n == "Etc/Zulu";
}

namespace {

bool clean_text(const std::string& s) { return first_unclean_utf8(s) == std::string::npos; }

// A file name is text like any other: control characters never reach UIDs, slugs
// (events/<slug>.ics) or URLs; they become '-' (and invalid UTF-8 U+FFFD).
std::string identity_text(std::string s) {
  for (char& c : s)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = '-';
  return clean_utf8(s);
}

bool clean_url(const std::string& s) {
  return clean_text(s) && std::none_of(s.begin(), s.end(), [](char c) {
           auto b = static_cast<unsigned char>(c);
           return b <= 0x20 || b == 0x7F;
         });
}

}  // namespace

std::string unclean_field(const Event& e) {
  const std::pair<const char*, const std::string*> texts[] = {
      {"identity", &e.identity},  {"slug", &e.slug},         {"lang", &e.lang},
      {"title", &e.title},        {"summary", &e.summary},   {"summary_html", &e.summary_html},
      {"body", &e.body_markdown}, {"location", &e.location}, {"fee", &e.fee},
      {"sponsor", &e.sponsor}};
  for (const auto& [name, text] : texts)
    if (!clean_text(*text)) return name;
  for (const auto& [name, url] : {std::pair{"url", &e.url}, {"image", &e.image}, {"signup_url", &e.signup_url}})
    if (!clean_url(*url)) return name;
  auto indexed = [](const char* list, size_t i, const char* field) {
    return std::string(list) + "[" + std::to_string(i) + "]" + (*field ? "." : "") + field;
  };
  for (size_t i = 0; i < e.topics.size(); ++i)
    if (!clean_text(e.topics[i])) return indexed("topics", i, "");
  for (size_t i = 0; i < e.tags.size(); ++i)
    if (!clean_text(e.tags[i])) return indexed("tags", i, "");
  for (size_t i = 0; i < e.speakers.size(); ++i) {
    const Speaker& sp = e.speakers[i];
    if (!clean_text(sp.name) || !clean_text(sp.designation)) return indexed("speakers", i, "name");
    if (!clean_url(sp.url)) return indexed("speakers", i, "url");
  }
  for (size_t i = 0; i < e.sessions().size(); ++i)
    if (!clean_text(e.sessions()[i].title) || !clean_text(e.sessions()[i].location)) return indexed("sessions", i, "");
  for (size_t i = 0; i < e.series().changes.size(); ++i)
    if (!clean_text(e.series().changes[i].title) || !clean_text(e.series().changes[i].location))
      return indexed("changes", i, "");
  return "";
}

namespace {

const std::map<std::string, std::string>& language_names() {
  static const std::map<std::string, std::string> names = {
      {"en", "en"},       {"zh", "zh"},       {"fr", "fr"},        {"es", "es"},       {"de", "de"},
      {"ja", "ja"},       {"ko", "ko"},       {"pt", "pt"},        {"it", "it"},       {"ru", "ru"},
      {"nl", "nl"},       {"zh-cn", "zh"},    {"zh-hans", "zh"},   {"zh-tw", "zh-TW"}, {"zh-hant", "zh-TW"},
      {"pt-br", "pt-BR"}, {"english", "en"},  {"french", "fr"},    {"chinese", "zh"},  {"spanish", "es"},
      {"german", "de"},   {"japanese", "ja"}, {"portuguese", "pt"}};
  return names;
}

std::vector<std::string> path_parts(const std::string& rel) { return split(rel, '/'); }

std::string strip_extension(const std::string& name) {
  for (const char* ext : {".markdown", ".md"})
    if (ends_with(name, ext)) return name.substr(0, name.size() - std::string(ext).size());
  return name;
}

// "index.es" -> ("index", "es"); "2015-01-14" -> unchanged.
std::pair<std::string, std::string> split_lang_suffix(const std::string& stem) {
  size_t dot = stem.rfind('.');
  if (dot == std::string::npos) return {stem, ""};
  std::string suffix = to_lower_ascii(stem.substr(dot + 1));
  auto it = language_names().find(suffix);
  if (it == language_names().end()) return {stem, ""};
  return {stem.substr(0, dot), it->second};
}

}  // namespace

std::string language_from_path(const std::string& rel_path) {
  auto parts = path_parts(rel_path);
  if (parts.empty()) return "";
  auto [stem, lang] = split_lang_suffix(strip_extension(parts.back()));
  if (!lang.empty()) return lang;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    auto it = language_names().find(to_lower_ascii(parts[i]));
    if (it != language_names().end()) return it->second;
  }
  return "";
}

std::string identity_from_path(const std::string& rel_path) {
  auto parts = path_parts(rel_path);
  std::vector<std::string> kept;
  for (size_t i = 0; i + 1 < parts.size(); ++i)
    if (!language_names().count(to_lower_ascii(parts[i]))) kept.push_back(parts[i]);
  std::string stem = split_lang_suffix(strip_extension(parts.back())).first;
  if (stem != "index" || kept.empty()) kept.push_back(stem);
  std::string id;
  for (const auto& k : kept) id += (id.empty() ? "" : "/") + k;
  return id;
}

namespace {

struct Ctx {
  const Page& page;
  const Value& fm;
  const SiteConfig& site;
  Diagnostics& diags;
  bool failed = false;

  // Every message points at a line and a column: the value's, else the front matter's start.
  void error(const Value* v, const std::string& msg) {
    diags.add(page.file.path, line_of(v), column_of(v), Severity::error, msg);
    failed = true;
  }
  void warn(const Value* v, const std::string& msg) {
    diags.add(page.file.path, line_of(v), column_of(v), Severity::warning, msg);
  }
  int line_of(const Value* v) const { return v && v->line > 0 ? v->line : page.front_matter_line; }
  int column_of(const Value* v) const { return v && v->line > 0 && v->column > 0 ? v->column : 1; }
  void warn_at(int line, int col, const std::string& msg) {
    diags.add(page.file.path, line, col, Severity::warning, msg);
  }
  FieldHit field(Field f) const { return find_field(fm, f, site.fields); }
};

// The trailing "# comment" on a front-matter line (YAML drops comments; rOpenSci marks
// naive times with "# UTC!!").
std::string line_comment(const Page& page, int file_line) {
  int idx = file_line - page.front_matter_line;
  if (idx < 0) return "";
  size_t pos = 0;
  for (int i = 0; i < idx; ++i) {
    pos = page.front_matter.find('\n', pos);
    if (pos == std::string::npos) return "";
    ++pos;
  }
  size_t nl = page.front_matter.find('\n', pos);
  std::string line = page.front_matter.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
  size_t hash = line.find(" #");
  return hash == std::string::npos ? "" : trim(line.substr(hash + 2));
}

// "# UTC!!" -> UTC, "# UTC+8" -> Etc/GMT-8, anything else -> nullptr.
const date::time_zone* comment_zone(const std::string& comment) {
  static const std::regex re(R"(^(?:utc|gmt)(?:\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?)?(?:[^0-9a-z:]|$))",
                             std::regex::icase);
  std::smatch m;
  std::string head = comment.substr(0, 64);  // bounded: std::regex recursion grows with input
  if (!std::regex_search(head, m, re)) return nullptr;
  if (!m[1].matched) return date::locate_zone("UTC");
  int sign = m[1].str() == "-" ? -1 : 1;
  long secs = sign * (std::stol(m[2].str()) * 3600 + (m[3].matched ? std::stol(m[3].str()) * 60 : 0));
  return fixed_offset_zone(Seconds{secs});
}

bool truthy(const Value* v) {
  std::string s = to_lower_ascii(scalar_text(v));
  return s == "true" || s == "yes" || s == "on" || s == "1";
}

std::optional<TimeValue> read_time(Ctx& cx, const Value* v, const std::string& key) {
  if (!v || !v->is_scalar()) {
    cx.error(v, "'" + key + "' must be a date or date-time such as 2019-11-24T13:00:00+08:00");
    return std::nullopt;
  }
  std::string err;
  auto tv = parse_time(v->scalar, &err);
  if (!tv) tv = parse_human_date(v->scalar, "", nullptr);
  if (!tv) {
    cx.error(v, "cannot read '" + key + "': " + err);
    return std::nullopt;
  }
  if (tv->comment.empty()) tv->comment = line_comment(cx.page, v->line);
  return tv;
}

// Instant of a value in the event zone (naive -> local in zone; date -> local midnight).
SysSeconds instant_in(const TimeValue& tv, const date::time_zone* zone) {
  if (tv.kind == TimeValue::Kind::instant) return tv.instant();
  return resolve_local(zone, tv.local).instant;
}

std::string location_text(const Value* v) {
  if (!v) return "";
  if (v->is_scalar()) return trim(v->scalar);
  if (v->kind == Value::Kind::map) {
    std::vector<std::string> parts;
    for (const char* k : {"name", "street", "address", "city", "region", "postcode", "country"}) {
      std::string s = scalar_text(v->find(k));
      if (!s.empty() && std::find(parts.begin(), parts.end(), s) == parts.end()) parts.push_back(s);
    }
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
    return out;
  }
  return "";
}

std::vector<Speaker> read_speakers(const Value* v) {
  std::vector<Speaker> out;
  if (!v) return out;
  auto one = [&](const Value& x) {
    Speaker s;
    if (x.is_scalar()) {
      s.name = trim(x.scalar);
    } else if (x.kind == Value::Kind::map) {
      s.name = scalar_text(x.find("name"));
      for (const char* k : {"designation", "affiliation", "title", "role", "organization", "company", "bio"}) {
        s.designation = scalar_text(x.find(k));
        if (!s.designation.empty()) break;
      }
      for (const char* k : {"url", "link", "website", "twitter"}) {
        s.url = scalar_text(x.find(k));
        if (!s.url.empty()) break;
      }
    }
    if (!s.name.empty()) out.push_back(std::move(s));
  };
  if (v->kind == Value::Kind::list)
    for (const auto& x : v->items) one(x);
  else
    one(*v);
  return out;
}

}  // namespace

const std::vector<PrecedenceRow>& zone_precedence() {
  static const std::vector<PrecedenceRow> rows = {
      {"page field",
       "`timezone`/`tz` in the front matter; a written offset keeps its instant (warning when it "
       "contradicts the zone); a `# UTC` comment is then ignored, with a warning"},
      {"date-line comment", "a naive time, and a `# UTC` (or zone) comment on one of the page's date lines"},
      {"site zone, offset matches", "a written offset equal to the site zone's offset at that instant"},
      {"fixed offset", "any other written offset: Etc/GMT+-N for whole hours, else UTC; the instant is kept"},
      {"site zone", "a naive time: the site's `timezone` (Hugo's timeZone, Jekyll's timezone)"},
  };
  return rows;
}

const std::vector<PrecedenceRow>& end_precedence() {
  static const std::vector<PrecedenceRow> rows = {
      {"front matter", "`dateEnd`/`endDate`/`end_date`/`enddate`/`date_end`, when readable and after the start"},
      {"duration", "`duration` (PT2H, 2h30m)"},
      {"time range in the body", "`Time: 18:30 - 19:30`, `时间：下午 1:00 - 5:30`, on the start's day"},
      {"default", "all day: one day; else the site's default duration"},
  };
  return rows;
}

namespace {

struct ZoneCandidates {
  const date::time_zone* page;     // `timezone`/`tz`, or null
  const date::time_zone* comment;  // a date line's "# UTC", or null
  const Value* comment_value;      // where that comment is
  const date::time_zone* site;
};

// Sets e.zone by the first row of zone_precedence() that applies, and says which.
void choose_zone(Ctx& cx, const TimeValue& start, const Value* start_value, const ZoneCandidates& z, Event& e) {
  bool naive = start.kind != TimeValue::Kind::instant;
  auto pick = [&e](const date::time_zone* zone, const char* source) {
    e.zone = zone;
    e.zone_source = source;
  };
  if (z.page) {
    pick(z.page, "page field");
    if (z.comment && z.comment != z.page)
      cx.warn(z.comment_value, "the comment names zone " + std::string(z.comment->name()) +
                                   " but the page's timezone " + std::string(z.page->name()) +
                                   " decides; remove one of them");
    if (!naive && offset_at(z.page, start.instant()) != start.offset)
      cx.warn(start_value, "offset " + format_offset(start.offset, true) + " contradicts time zone " +
                               std::string(z.page->name()) + " (" +
                               format_offset(offset_at(z.page, start.instant()), true) +
                               " on that date); the written instant is kept");
  } else if (naive && z.comment) {
    pick(z.comment, "date-line comment");
  } else if (!naive && offset_at(z.site, start.instant()) == start.offset) {
    pick(z.site, "site zone, offset matches");
  } else if (!naive) {
    auto fixed = fixed_offset_zone(start.offset);
    pick(fixed ? fixed : date::locate_zone("UTC"), "fixed offset");
  } else {
    pick(z.site, "site zone");
  }
}

// Sets e.end (and e.end_day) by the first row of end_precedence() that applies, and says
// which in e.end_source. `comment_tz`: the date-line comment's zone when it decides.
// The end from the front matter's end field; false when there is none or it does not hold
// (an unreadable end is not fatal: a warning, and the next source decides).
bool end_from_front_matter(Ctx& cx, const date::time_zone* comment_tz, bool page_zone, Event& e) {
  auto hit = cx.field(Field::end);
  if (!hit.value) return false;
  Diagnostics end_diags;
  Ctx end_cx{cx.page, cx.fm, cx.site, end_diags};
  auto end = read_time(end_cx, hit.value, hit.key);
  for (auto& d : end_diags.items) {
    d.severity = Severity::warning;
    d.message += "; the end is taken from the next source";
    cx.diags.items.push_back(std::move(d));
  }
  if (!end) return false;
  if (e.all_day) {
    LocalSeconds local = end->kind == TimeValue::Kind::instant ? to_local(e.zone, end->instant()) : end->local;
    e.end_day = date::floor<date::days>(local) + date::days{1};  // inclusive last day -> exclusive
    if (e.end_day <= e.start_day) {
      cx.warn(hit.value, "end is before the start; the end is dropped");
      return false;
    }
  } else {
    const date::time_zone* end_zone = comment_tz                                 ? comment_tz
                                      : !page_zone && comment_zone(end->comment) ? comment_zone(end->comment)
                                                                                 : e.zone;
    SysSeconds end_at =
        end->kind == TimeValue::Kind::date
            ? resolve_local(end_zone, LocalSeconds{date::floor<date::days>(end->local) + date::days{1}}).instant
            : instant_in(*end, end_zone);
    if (end_at < e.start) {
      cx.warn(hit.value, "end " + scalar_text(hit.value) + " is before the start; the end is dropped");
      return false;
    }
    if (end_at == e.start) {
      cx.warn(hit.value, "end equals the start (zero length); the end is dropped");
      return false;
    }
    e.end = end_at;
  }
  e.end_source = "front matter '" + hit.key + "'";
  return true;
}

bool end_from_duration(Ctx& cx, Event& e) {
  auto hit = cx.field(Field::duration);
  if (!hit.value) return false;
  auto d = parse_duration(scalar_text(hit.value));
  if (!d || d->count() <= 0) {
    cx.warn(hit.value, "cannot read duration '" + scalar_text(hit.value) + "'; write it as PT2H or 2h30m");
    return false;
  }
  if (e.all_day)
    e.end_day = e.start_day + date::days{std::max<long>(1, (d->count() + 86399) / 86400)};
  else
    e.end = e.start + *d;
  e.end_source = "duration (front matter 'duration')";
  return true;
}

// A time range in the body ("Time: 18:30 - 19:30") on the start's day, when no end is known
// yet (`use_it`); it is checked against the front matter either way.
bool end_from_body(Ctx& cx, const std::string& body, bool use_it, Event& e) {
  auto body_range = find_body_time_range(body);
  if (!body_range) return false;
  int line = cx.page.body_line + body_range->line - 1;
  auto start_day = e.all_day ? e.start_day : date::floor<date::days>(to_local(e.zone, e.start));
  if (body_range->day && date::local_days{*body_range->day} != start_day)
    cx.warn_at(line, body_range->column,
               "the body names " + date::format("%F", date::local_days{*body_range->day}) +
                   " but the front matter starts on " + date::format("%F", start_day) + "; the front matter is used");
  if (!use_it || e.all_day || !body_range->has_range) return false;
  auto local_start = to_local(e.zone, e.start);
  int start_minutes = static_cast<int>(duration_cast<minutes>(local_start - LocalSeconds{start_day}).count());
  if (body_range->start_minutes != start_minutes)
    cx.warn_at(line, body_range->column, "the body's time range starts at a different time than the front matter");
  auto end_local = LocalSeconds{start_day} + minutes{body_range->end_minutes};
  if (body_range->end_minutes <= body_range->start_minutes) end_local += date::days{1};  // runs past midnight
  SysSeconds end_at = resolve_local(e.zone, end_local).instant;
  if (end_at <= e.start) return false;
  e.end = end_at;
  e.end_source = "time range in the body, line " + std::to_string(line);
  return true;
}

void choose_end(Ctx& cx, const date::time_zone* comment_tz, bool page_zone, const std::string& body, Event& e) {
  bool have_end = end_from_front_matter(cx, comment_tz, page_zone, e);
  if (!have_end) have_end = end_from_duration(cx, e);
  if (end_from_body(cx, body, !have_end, e)) have_end = true;
  if (have_end) return;
  if (e.all_day) {
    e.end_day = e.start_day + date::days{1};
    e.end_source = "default: one day (all day)";
  } else {
    e.end = e.start + cx.site.default_duration;
    e.end_source = "default: the site's duration " + format_ical_duration(cx.site.default_duration);
  }
}

// Wowchemy markdownifies `abstract` and `summary` ("R<sup>2</sup>", "*Nature*"): feeds
// show that HTML, text outputs its text. Before the cleaning: an entity ("&#1;") can
// decode to a character it drops.
void markdownify_summary(Event& e) {
  if (e.summary.empty()) return;
  clean_utf8_in_place(e.summary);  // a NUL would reach the HTML as U+FFFD and the text not at all
  e.summary_html = markdown_to_html(e.summary, e.url);
  e.summary = markdown_to_text(e.summary, e.url);
}

}  // namespace

void clean_event_texts(Event& e) {
  // YAML escapes ("\0", "\e") can put NULs and controls into values of a clean file:
  // every text of the event is cleaned once here, whatever writer uses it later.
  for (std::string* text : {&e.identity, &e.slug, &e.lang, &e.title, &e.summary, &e.summary_html, &e.body_markdown,
                            &e.location, &e.fee, &e.sponsor, &e.signup_url, &e.image, &e.url})
    clean_utf8_in_place(*text);  // no copy of what is already clean (build_event's body is)
  for (auto* list : {&e.topics, &e.tags})
    for (auto& t : *list) clean_utf8_in_place(t);
  // URLs go into iCalendar URI values unescaped: no whitespace or line break may survive
  // there (a newline would inject a property).
  auto safe_url = [](std::string& url) {
    std::string safe;
    for (unsigned char c : url) {
      if (c == ' ')
        safe += "%20";
      else if (c > 0x20 && c != 0x7F)
        safe += static_cast<char>(c);
    }
    url = safe;
  };
  for (std::string* url : {&e.signup_url, &e.image, &e.url}) safe_url(*url);
  for (auto& sp : e.speakers) {
    for (std::string* text : {&sp.name, &sp.designation, &sp.url}) clean_utf8_in_place(*text);
    safe_url(sp.url);
  }
  if (!e.has_instances()) return;
  // Sessions' and overrides' texts are read from front matter like the event's own.
  EventInstances& x = e.edit_instances();
  for (auto& s : x.sessions)
    for (std::string* text : {&s.title, &s.location}) clean_utf8_in_place(*text);
  for (auto& c : x.series.changes)
    for (std::string* text : {&c.title, &c.location}) clean_utf8_in_place(*text);
}

namespace {

// The start as written: a date field, the first session's start, or (Jekyll) the date in
// the file name; nullopt after an error.
std::optional<TimeValue> read_start(Ctx& cx, const std::optional<GeneratorDates>& generator, FieldHit& start_hit) {
  start_hit = cx.field(Field::start);
  if (!start_hit.value)  // a multi-session page may give its times only in `sessions:`
    if (const Value* sessions = cx.fm.find("sessions");
        sessions && sessions->kind == Value::Kind::list && !sessions->items.empty())
      if (const Value* first = sessions->items.front().find("start")) start_hit = {first, "sessions.start"};
  bool date_from_name = !start_hit.value && generator && generator->date_from_name;
  if (!start_hit.value && !date_from_name) {
    cx.error(
        nullptr,
        "no start date: add 'date: 2019-11-24T13:00:00+08:00' (or dateStart/startDate/eventdate) to the front matter");
    return std::nullopt;
  }
  std::optional<TimeValue> start;
  if (date_from_name) {  // a Jekyll post without a date field: the date in its file name, all day
    start = TimeValue{TimeValue::Kind::date, LocalSeconds{*generator->date_from_name}, Seconds{0}, ""};
  } else if (start_hit.key == "event.date") {
    auto time_hit = cx.field(Field::event_time);
    std::string err;
    start = parse_human_date(scalar_text(start_hit.value), scalar_text(time_hit.value), &err);
    if (!start)
      cx.error(time_hit.value && err.find("time") != std::string::npos ? time_hit.value : start_hit.value, err);
  } else {
    start = read_time(cx, start_hit.value, start_hit.key);
  }
  if (cx.failed) return std::nullopt;
  return start;
}

// The start as an instant in the event's zone (midnight for an all-day event).
void place_start(Ctx& cx, const TimeValue& start, const Value* where, Event& e) {
  e.all_day = start.kind == TimeValue::Kind::date;
  if (auto hit = cx.field(Field::all_day); hit.value && truthy(hit.value)) e.all_day = true;
  if (e.all_day) {
    LocalSeconds local = start.kind == TimeValue::Kind::instant ? to_local(e.zone, start.instant()) : start.local;
    e.start_day = date::floor<date::days>(local);
    e.start = resolve_local(e.zone, LocalSeconds{e.start_day}).instant;
  } else if (start.kind == TimeValue::Kind::instant) {
    e.start = start.instant();
  } else {
    auto r = resolve_local(e.zone, start.local);
    e.start = r.instant;
    if (r.in_gap)
      cx.warn(where, date::format("%F %R", start.local) + " does not exist in " + e.zone_name() +
                         " (clocks jump forward); read with the offset before the gap, i.e. " +
                         date::format("%F %R", to_local(e.zone, e.start)));
  }
}

// Title, summary, place, topics, tags (the site's own taxonomies with --site Hugo, unless
// evfeed's `fields` map tags; else tags and categories), speakers, fee, sponsor.
void read_texts(Ctx& cx, const SiteProfile* profile, Event& e) {
  e.title = scalar_text(cx.field(Field::title).value);
  if (e.title.empty()) {
    e.title = e.identity.substr(e.identity.rfind('/') + 1);
    cx.warn(nullptr, "no title; the file name '" + e.title + "' is used");
  }
  e.summary = scalar_text(cx.field(Field::description).value);
  e.location = location_text(cx.field(Field::location).value);
  if (auto venue = cx.fm.find("venue"); venue && venue->kind == Value::Kind::map && e.location.empty())
    e.location = location_text(venue);
  e.topics = string_items(cx.field(Field::topic).value);
  std::vector<const Value*> tag_values;
  if (profile && profile->taxonomies && !cx.site.fields.count("tags"))
    for (const auto& key : *profile->taxonomies) tag_values.push_back(cx.fm.find(key));
  else
    tag_values = {cx.field(Field::tags).value, cx.field(Field::categories).value};
  for (const Value* v : tag_values)
    for (auto& t : string_items(v))
      if (std::find(e.tags.begin(), e.tags.end(), t) == e.tags.end()) e.tags.push_back(t);
  e.speakers = read_speakers(cx.field(Field::speakers).value);
  e.fee = scalar_text(cx.field(Field::fee).value);
  e.sponsor = scalar_text(cx.field(Field::sponsor).value);
}

// The page's link (`url`, else its path and `slug` like Hugo, with a language prefix for
// non-default languages; with --site the generator's own), the sign-up link and the image.
void choose_links(Ctx& cx, const SiteProfile* profile, const PageRef& ref, const date::time_zone* site_zone, Event& e) {
  const SiteConfig& site = cx.site;
  std::string lang_prefix = e.lang == site.language ? "" : e.lang + "/";
  std::string explicit_url = scalar_text(cx.field(Field::url).value);
  std::string slug = scalar_text(cx.field(Field::slug).value);
  if (starts_with(explicit_url, "//") || starts_with(explicit_url, "\\")) {  // another host: not the page's link
    cx.warn(cx.field(Field::url).value, "url '" + explicit_url + "' names another host; the page's own link is used");
    explicit_url.clear();
  }
  if (!explicit_url.empty()) {
    e.url = resolve_url(site.base_url, starts_with(explicit_url, "/") ? explicit_url : "/" + explicit_url);
  } else {
    std::string path = e.identity;
    if (!slug.empty()) path = path.substr(0, path.rfind('/') + 1) + slug;
    std::string encoded;  // "fosdem23 copy" -> "fosdem23%20copy": a URL never carries raw spaces
    for (const auto& seg : split(path, '/')) encoded += (encoded.empty() ? "" : "/") + url_encode(seg);
    e.url = site.base_url + lang_prefix + encoded + "/";
  }
  if (profile) {  // the link the generator writes; pages it writes none for keep the one above
    std::string link = generator_link(*profile, ref, cx.fm, site_zone);
    if (!link.empty()) e.url = link;
  }
  if (std::string signup = scalar_text(cx.field(Field::signup_url).value);
      !signup.empty() && signup != "#" && is_safe_url(signup))
    e.signup_url = resolve_url(e.url, signup);
  if (auto hit = cx.field(Field::image); hit.value && hit.value->is_scalar()) {
    std::string img = scalar_text(hit.value);
    if (is_safe_url(img))
      e.image =
          resolve_url(site.base_url, starts_with(img, "/") || img.find("://") != std::string::npos ? img : "/" + img);
  }
}

void read_status(Ctx& cx, Event& e) {
  std::string status = to_lower_ascii(scalar_text(cx.field(Field::status).value));
  if (status == "cancelled" || status == "canceled")
    e.status = EventStatus::cancelled;
  else if (status == "tentative" || status == "postponed" || status == "tbd" || status == "tba")
    e.status = EventStatus::tentative;
  else if (!status.empty() && status != "confirmed" && status != "scheduled")
    cx.warn(cx.field(Field::status).value, "unknown status '" + status + "'; use confirmed, tentative or cancelled");
  if (auto hit = cx.field(Field::sequence); hit.value) {
    std::string text = scalar_text(hit.value);
    if (!text.empty() && text.size() < 10 && text.find_first_not_of("0123456789") == std::string::npos)
      e.sequence = std::stoi(text);
    else
      cx.warn(hit.value, "sequence must be a whole number 0 or more (RFC 5545 SEQUENCE); it is ignored");
  }
}

// Draft, publish and expiry dates and the last change: the page's fields, or with --site the
// generator's own reading of them (Hugo's publishDate falls back to date).
void read_publishing(Ctx& cx, const date::time_zone* comment_tz, const std::optional<GeneratorDates>& generator,
                     Event& e) {
  e.draft = truthy(cx.field(Field::draft).value);
  auto meta_time = [&](Field f) -> std::optional<SysSeconds> {
    auto hit = cx.field(f);
    if (!hit.value) return std::nullopt;
    std::string err;
    auto tv = parse_time(scalar_text(hit.value), &err);
    if (!tv) {
      cx.warn(hit.value, "cannot read '" + hit.key + "' (" + err + "); it is ignored");
      return std::nullopt;
    }
    const date::time_zone* own = comment_zone(line_comment(cx.page, hit.value->line));
    SysSeconds t = instant_in(*tv, comment_tz ? comment_tz : own ? own : e.zone);
    if (!in_calendar_years(t)) {  // libical would write 00000000T000000
      cx.warn(hit.value, "'" + hit.key + "' lies outside the years 1000-2999; it is ignored");
      return std::nullopt;
    }
    return t;
  };
  e.publish_date = meta_time(Field::publish_date);
  e.expiry_date = meta_time(Field::expiry_date);
  if (generator) {
    e.draft = e.draft || generator->draft;
    // The generator's own rules decide, empty included: Hugo's date lists; Jekyll holds back
    // documents dated in the future only (pages never) and knows no publish or expiry date.
    e.publish_date = generator->publish;
    e.expiry_date = generator->expiry;
  }
  if (generator && generator->lastmod && in_calendar_years(*generator->lastmod))
    e.updated = *generator->lastmod;  // Hugo's lastmod ([frontmatter] lastmod, falling back to .Date)
  else if (auto lm = meta_time(Field::lastmod))
    e.updated = *lm;
  else if (auto d = meta_time(Field::date))
    e.updated = *d;
  else
    e.updated = e.start;
}

}  // namespace

namespace {

// --site: where the generator sees a page (its root's prefix and language); its language is
// else the path's, else the site's.
PageRef page_ref_of(const SourceFile& file, const ContentRoot* root, const SiteConfig& site) {
  PageRef ref{root ? root->prefix + file.rel_path : file.rel_path, root ? root->lang : "", file.mtime_ns, std::nullopt,
              file.path};
  if (ref.lang.empty()) ref.lang = language_from_path(file.rel_path);
  if (ref.lang.empty()) ref.lang = site.language;
  return ref;
}

}  // namespace

bool may_be_event(const SourceFile& file, std::string_view text, const SiteConfig& site) {
  const ContentRoot* root = site.profile ? root_of(*site.profile, file.path) : nullptr;
  if (!root || root->event_types.empty()) return true;
  const SiteProfile& profile = *site.profile;
  Value none;
  none.kind = Value::Kind::map;
  PageRef ref = page_ref_of(file, root, site);
  if (is_event_page(*root, profile.generator == Generator::hugo ? with_hugo_cascade(profile, ref, none)
                                                                : with_jekyll_defaults(profile, ref.rel, none)))
    return true;  // the folders above (Hugo cascade, Jekyll defaults) hand down an event type or layout
  return names_event_type(text, root->event_types);
}

bool build_event(const Page& page, const Value& page_fm, const SiteConfig& site, Event& e, Diagnostics& diags) {
  // --site: where the generator sees the page, and the front matter it hands down to it
  // (Jekyll defaults, Hugo cascade).
  const ContentRoot* root = site.profile ? root_of(*site.profile, page.file.path) : nullptr;
  const SiteProfile* profile = root ? site.profile.get() : nullptr;
  PageRef ref = page_ref_of(page.file, root, site);
  e = Event{};
  e.source_path = page.file.path;
  e.lang = ref.lang;
  Value with_defaults;
  bool handed_down = profile && (profile->generator == Generator::jekyll || !profile->cascades.empty());
  if (handed_down)
    with_defaults = profile->generator == Generator::jekyll ? with_jekyll_defaults(*profile, ref.rel, page_fm)
                                                            : with_hugo_cascade(*profile, ref, page_fm);
  const Value& fm = handed_down ? with_defaults : page_fm;
  if (root && !is_event_page(*root, fm)) return false;  // a page of another section, not an event: no word
  if (profile && profile->git) ref.git_date = profile->git->author_date(page.file.path);
  Ctx cx{page, fm, site, diags};
  e.identity = identity_text(identity_from_path(ref.rel));
  const date::time_zone* site_zone = find_zone(site.timezone);
  std::optional<GeneratorDates> generator;
  if (profile) generator = generator_dates(*profile, ref, fm, site_zone);

  const date::time_zone* page_zone = nullptr;
  if (auto hit = cx.field(Field::timezone); hit.value) {
    std::string err;
    page_zone = find_zone(scalar_text(hit.value), &err);
    if (!page_zone) cx.error(hit.value, err);
  }
  FieldHit start_hit;
  std::optional<TimeValue> start = read_start(cx, generator, start_hit);
  if (!start || cx.failed) return false;
  // rOpenSci marks its naive times "# UTC!!" on one of the date lines: that speaks for
  // every naive time of the page, unless the page names its zone.
  const date::time_zone* comment_tz = comment_zone(start->comment);
  const Value* comment_value = start_hit.value;
  for (Field f : {Field::start, Field::end, Field::date})
    if (auto hit = cx.field(f); hit.value && !comment_tz) {
      comment_tz = comment_zone(line_comment(page, hit.value->line));
      comment_value = hit.value;
    }
  choose_zone(cx, *start, start_hit.value, {page_zone, comment_tz, comment_value, site_zone}, e);
  if (page_zone) comment_tz = nullptr;
  place_start(cx, *start, start_hit.value, e);

  // End: front matter, else duration, else a range in the body, else the default.
  std::string body = strip_shortcodes(page.body);
  choose_end(cx, comment_tz, page_zone != nullptr, body, e);
  if (e.all_day) e.end = resolve_local(e.zone, LocalSeconds{e.end_day}).instant;
  if (!in_calendar_years(e.start) || !in_calendar_years(e.end)) {
    cx.error(start_hit.value,
             "the event lies outside the years 1000-2999 that calendar software handles; check the year");
    return false;
  }
  if (!read_instances(page, fm, e, diags)) return false;  // series and sessions
  read_texts(cx, profile, e);
  e.body_markdown = std::move(body);
  choose_links(cx, profile, ref, site_zone, e);
  read_status(cx, e);
  markdownify_summary(e);
  clean_event_texts(e);
  assert(unclean_field(e).empty() && "the clean-Event contract (event.hpp)");
  read_publishing(cx, comment_tz, generator, e);
  return true;
}

bool feed_matches(const FeedSpec& feed, const Event& e) {
  for (const auto& t : feed.topics)
    for (const auto& x : e.topics)
      if (iequals(t, x)) return true;
  for (const auto& t : feed.tags) {
    for (const auto& x : e.tags)
      if (iequals(t, x)) return true;
    for (const auto& x : e.topics)
      if (iequals(t, x)) return true;
  }
  std::string loc = to_lower_ascii(e.location);
  for (const auto& l : feed.locations)
    if (!l.empty() && loc.find(to_lower_ascii(l)) != std::string::npos) return true;
  return false;
}

std::string unpublished_reason(const Event& e, const SiteConfig& site, SysSeconds now) {
  if (e.draft && !site.include_drafts) return "draft";
  if (e.publish_date && *e.publish_date > now && !site.include_future) return "future";
  if (e.expiry_date && *e.expiry_date <= now && !site.include_expired) return "expired";
  return "";
}

namespace {

// --site: the setting that would make the generator publish a page evfeed's flags publish.
std::string site_would_hide(const Event& e, const SiteProfile& p, SysSeconds now) {
  bool hugo = p.generator == Generator::hugo;
  if (e.draft && !p.build_drafts)
    return hugo ? "it is a draft (buildDrafts = true publishes it)" : "it is a draft (show_drafts: true)";
  if (e.publish_date && *e.publish_date > now && !p.build_future)
    return hugo ? "its publish date is in the future (buildFuture = true publishes it)"
                : "its date is in the future (future: true)";
  if (hugo && e.expiry_date && *e.expiry_date <= now && !p.build_expired)
    return "it has expired (buildExpired = true publishes it)";
  return "";
}

// Pages that would be one event, or one link, are reported and kept apart, never merged.
void separate_collisions(std::vector<Event>& pages, Diagnostics* diags) {
  std::sort(pages.begin(), pages.end(), [](const Event& a, const Event& b) {
    return std::tie(a.identity, a.lang, a.source_path) < std::tie(b.identity, b.lang, b.source_path);
  });
  std::set<std::pair<std::string, std::string>> identities;
  std::map<std::pair<std::string, std::string>, std::vector<size_t>> groups;  // (identity, lang) -> pages
  for (size_t i = 0; i < pages.size(); ++i) {
    identities.insert({pages[i].identity, pages[i].lang});
    groups[{pages[i].identity, pages[i].lang}].push_back(i);
  }
  for (auto& [key, members] : groups) {
    if (members.size() < 2) continue;
    // The shortest file name keeps the identity (a.md before a.markdown or a.en.md), so
    // adding a second file never changes the UID of the first; the others get their own.
    std::sort(members.begin(), members.end(), [&](size_t a, size_t b) {
      const auto& pa = pages[a].source_path;
      const auto& pb = pages[b].source_path;
      return std::make_pair(pa.size(), pa) < std::make_pair(pb.size(), pb);
    });
    const Event& kept = pages[members[0]];
    for (size_t k = 1; k < members.size(); ++k) {
      Event& e = pages[members[k]];
      std::string ext = e.source_path.substr(e.source_path.rfind('/') + 1);
      for (auto& c : ext)
        if (c == '.') c = '-';
      std::string id = e.identity.substr(0, e.identity.rfind('/') + 1) + identity_text(ext);
      for (int n = 2; identities.count({id, e.lang}); ++n) id = e.identity + "-" + std::to_string(n);
      identities.insert({id, e.lang});
      if (diags)
        diags->add(e.source_path, 0, 0, Severity::warning,
                   "same event identity '" + e.identity + "' as " + kept.source_path + "; published apart as '" + id +
                       "' (rename one of the files to choose)");
      e.identity = id;
    }
  }
  std::sort(pages.begin(), pages.end(), [](const Event& a, const Event& b) {
    return std::tie(a.identity, a.lang, a.source_path) < std::tie(b.identity, b.lang, b.source_path);
  });
  if (!diags) return;
  std::map<std::string, const Event*> by_url;
  for (const auto& e : pages) {
    auto [it, fresh] = by_url.emplace(e.url, &e);
    if (!fresh && it->second->identity != e.identity)
      diags->add(e.source_path, 0, 0, Severity::warning,
                 "links to " + e.url + " like " + it->second->source_path +
                     ": the site writes one page there, so one of the two links shows the other event");
  }
}

}  // namespace

EventModel assemble_model(std::vector<Event> built, const SiteConfig& site, SysSeconds now, Diagnostics* diags) {
  EventModel m;
  for (auto& e : built) {
    if (!unpublished_reason(e, site, now).empty()) continue;
    if (diags && site.profile)
      if (std::string why = site_would_hide(e, *site.profile, now); !why.empty())
        diags->add(
            e.source_path, 0, 0, Severity::warning,
            "in the feeds, but the site does not publish this page yet: " + why + "; its link is a 404 until then");
    m.pages.push_back(std::move(e));
  }
  separate_collisions(m.pages, diags);

  // Unique slugs: the last path segment, or the whole identity when two events share it.
  std::map<std::string, std::set<std::string>> by_slug;
  auto base_slug = [](const std::string& identity) {
    std::string s = identity.substr(identity.rfind('/') + 1);
    for (auto& c : s)
      if (c == ' ' || c == '\\' || c == ':' || c == '?' || c == '#' || c == '%') c = '-';
    return s;
  };
  for (const auto& e : m.pages) by_slug[base_slug(e.identity)].insert(e.identity);
  // Identities in sorted order claim slugs; a collision (even with a flattened identity
  // such as "x/foo" -> "x-foo" against a page named "x-foo") gets "-2", "-3", ...
  std::map<std::string, std::string> slug_of;  // identity -> slug
  std::set<std::string> taken;
  for (const auto& [base, identities] : by_slug) {
    for (const auto& id : identities) {
      std::string s = base;
      if (identities.size() > 1) {
        s = id;
        for (auto& c : s)
          if (c == '/' || c == ' ' || c == '\\' || c == ':' || c == '?' || c == '#' || c == '%') c = '-';
      }
      slug_of[id] = s;
    }
  }
  for (auto& [id, s] : slug_of) {
    std::string candidate = s;
    for (int n = 2; taken.count(candidate); ++n) candidate = s + "-" + std::to_string(n);
    taken.insert(candidate);
    s = candidate;
  }
  std::map<std::string, std::vector<std::string>> langs;
  for (const auto& e : m.pages) langs[e.identity].push_back(e.lang);
  std::set<std::string> all_langs;
  for (auto& e : m.pages) {
    e.slug = slug_of[e.identity];
    e.languages = langs[e.identity];
    if (e.has_instances()) e.edit_instances().shown = shown_occurrence(e, now);
    all_langs.insert(e.lang);
    if (e.updated > m.updated) m.updated = e.updated;
  }
  m.languages.assign(all_langs.begin(), all_langs.end());
  // One event per identity: the site's language where it exists, else the first language.
  for (size_t i = 0; i < m.pages.size();) {
    size_t j = i;
    size_t pick = i;
    while (j < m.pages.size() && m.pages[j].identity == m.pages[i].identity) {
      if (m.pages[j].lang == site.language) pick = j;
      ++j;
    }
    m.events.push_back(m.pages[pick]);
    i = j;
  }
  // A series sits where the occurrence it shows does.
  auto newest_first = [](const Event& a, const Event& b) {
    SysSeconds as = a.shown() ? a.shown()->start : a.start, bs = b.shown() ? b.shown()->start : b.start;
    return std::tie(bs, a.identity) < std::tie(as, b.identity);
  };
  std::sort(m.events.begin(), m.events.end(), newest_first);
  std::sort(m.pages.begin(), m.pages.end(), newest_first);
  return m;
}

}  // namespace evfeed
