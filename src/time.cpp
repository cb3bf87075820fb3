#include "evfeed/time.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <map>
#include <mutex>
#include <regex>
#include <vector>

#include "evfeed/fsutil.hpp"
#include "evfeed/text.hpp"

namespace evfeed {

using namespace std::chrono;

namespace {

struct Cursor {
  std::string_view s;
  size_t i = 0;
  bool done() const { return i >= s.size(); }
  char peek() const { return done() ? '\0' : s[i]; }
  bool digit() const { return !done() && std::isdigit(static_cast<unsigned char>(s[i])); }
  // Reads between min and max digits.
  bool number(int min, int max, int& out) {
    size_t start = i;
    out = 0;
    while (digit() && static_cast<int>(i - start) < max) out = out * 10 + (s[i++] - '0');
    return static_cast<int>(i - start) >= min;
  }
  void spaces() {
    while (!done() && (s[i] == ' ' || s[i] == '\t')) ++i;
  }
};

bool valid_ymd(int y, int m, int d) {
  return date::year_month_day{date::year{y}, date::month{static_cast<unsigned>(m)}, date::day{static_cast<unsigned>(d)}}
      .ok();
}

std::string strip_comment(std::string_view text, std::string& comment) {
  size_t hash = text.find(" #");
  if (hash == std::string_view::npos && starts_with(text, "#")) hash = 0;
  if (hash != std::string_view::npos) {
    comment = trim(text.substr(hash + (text[hash] == '#' ? 1 : 2)));
    text = text.substr(0, hash);
  }
  std::string t = trim(text);
  if (t.size() >= 2 && (t.front() == '"' || t.front() == '\'') && t.back() == t.front()) t = t.substr(1, t.size() - 2);
  return t;
}

}  // namespace

std::optional<TimeValue> parse_time(std::string_view text, std::string* error) {
  auto fail = [&](const std::string& msg) -> std::optional<TimeValue> {
    if (error) *error = msg;
    return std::nullopt;
  };
  TimeValue tv;
  if (text.size() > 200) return fail("not a date: a date-time is never this long");
  std::string clean = strip_comment(text, tv.comment);
  Cursor c{clean};
  int y, mo, d;
  if (!c.number(4, 4, y) || c.peek() != '-') return fail("expected a date like 2019-11-24");
  ++c.i;
  if (!c.number(1, 2, mo) || c.peek() != '-') return fail("expected a date like 2019-11-24");
  ++c.i;
  if (!c.number(1, 2, d)) return fail("expected a date like 2019-11-24");
  if (!valid_ymd(y, mo, d)) return fail("no such calendar date: " + clean);
  auto day = date::local_days{date::year{y} / mo / d};
  if (c.done()) {
    tv.kind = TimeValue::Kind::date;
    tv.local = LocalSeconds{day};
    return tv;
  }
  if (c.peek() != 'T' && c.peek() != 't' && c.peek() != ' ') return fail("unexpected text after the date: " + clean);
  ++c.i;
  c.spaces();
  int h, mi, sec = 0;
  if (!c.number(1, 2, h) || c.peek() != ':') return fail("expected a time like 13:00 after the date");
  ++c.i;
  if (!c.number(2, 2, mi)) return fail("expected minutes after the hour");
  if (c.peek() == ':') {
    ++c.i;
    if (!c.number(2, 2, sec)) return fail("expected seconds after the minutes");
    if (c.peek() == '.' || c.peek() == ',') {  // fractional seconds are dropped
      ++c.i;
      while (c.digit()) ++c.i;
    }
  }
  if (h > 24 || mi > 59 || sec > 60 || (h == 24 && (mi || sec))) return fail("no such time of day: " + clean);
  tv.local = LocalSeconds{day} + hours{h} + minutes{mi} + seconds{std::min(sec, 59)};
  c.spaces();
  if (c.done()) {
    tv.kind = TimeValue::Kind::local;
    return tv;
  }
  if (c.peek() == 'Z' || c.peek() == 'z') {
    ++c.i;
    tv.kind = TimeValue::Kind::instant;
    tv.offset = Seconds{0};
  } else if (c.peek() == '+' || c.peek() == '-') {
    int sign = c.peek() == '-' ? -1 : 1;
    ++c.i;
    int oh, om = 0;
    if (!c.number(2, 2, oh)) return fail("UTC offset must look like +08:00 or -0700");
    if (c.peek() == ':') ++c.i;
    if (c.digit() && !c.number(2, 2, om)) return fail("UTC offset must look like +08:00 or -0700");
    if (oh > 14 || om > 59) return fail("UTC offset out of range: " + clean);
    tv.kind = TimeValue::Kind::instant;
    tv.offset = Seconds{sign * (oh * 3600 + om * 60)};
  } else {
    return fail("unexpected text after the time: " + clean);
  }
  c.spaces();
  if (!c.done()) return fail("unexpected text after the UTC offset: " + clean);
  return tv;
}

namespace {

int month_from_name(std::string_view name) {
  static const char* names[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  std::string l = to_lower_ascii(name);
  if (l.size() < 3) return 0;
  for (int i = 0; i < 12; ++i)
    if (l.compare(0, 3, names[i]) == 0) return i + 1;
  return 0;
}

// "6:30 PM", "18:30", "6 pm", "10:00 a.m." -> minutes after midnight, or -1.
int parse_clock(std::string_view text) {
  static const std::regex re(R"(^\s*(\d{1,2})(?:[:.](\d{2}))?\s*([aApP])?\.?\s*[mM]?\.?\s*$)");
  std::cmatch m;
  std::string t(text);
  if (!std::regex_match(t.c_str(), m, re)) return -1;
  int h = std::stoi(m[1].str());
  int mi = m[2].matched ? std::stoi(m[2].str()) : 0;
  if (m[3].matched) {
    char ap = static_cast<char>(std::tolower(m[3].str()[0]));
    if (h < 1 || h > 12) return -1;
    if (ap == 'p' && h != 12) h += 12;
    if (ap == 'a' && h == 12) h = 0;
  } else if (!m[2].matched) {
    return -1;
  }
  if (h > 23 || mi > 59) return -1;
  return h * 60 + mi;
}

}  // namespace

std::optional<TimeValue> parse_human_date(std::string_view date_text, std::string_view time_text, std::string* error) {
  // Try ISO first: some Jekyll sites write event.date: 2015-03-09.
  TimeValue tv;
  std::string comment;
  if (date_text.size() > 200 || time_text.size() > 200) {
    if (error) *error = "not a date: a date is never this long";
    return std::nullopt;
  }
  std::string dtext = strip_comment(date_text, comment);
  std::string ttext = strip_comment(time_text, comment);
  if (auto iso = parse_time(dtext)) {
    tv = *iso;
  } else {
    static const std::regex mdy(R"(^(?:[A-Za-z]+,\s*)?([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$)");
    static const std::regex dmy(R"(^(?:[A-Za-z]+,\s*)?(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\.?,?\s+(\d{4})$)");
    std::smatch m;
    int y = 0, mo = 0, d = 0;
    if (std::regex_match(dtext, m, mdy)) {
      mo = month_from_name(m[1].str());
      d = std::stoi(m[2].str());
      y = std::stoi(m[3].str());
    } else if (std::regex_match(dtext, m, dmy)) {
      d = std::stoi(m[1].str());
      mo = month_from_name(m[2].str());
      y = std::stoi(m[3].str());
    }
    if (!mo || !valid_ymd(y, mo, d)) {
      if (error) *error = "cannot read the date '" + dtext + "'; write it as 2014-11-10 or November 10, 2014";
      return std::nullopt;
    }
    tv.kind = TimeValue::Kind::date;
    tv.local = LocalSeconds{date::local_days{date::year{y} / mo / d}};
  }
  if (!ttext.empty() && tv.kind == TimeValue::Kind::date) {
    int minutes = parse_clock(ttext);
    if (minutes < 0) {
      if (error) *error = "cannot read the time '" + ttext + "'; write it as 6:30 PM or 18:30";
      return std::nullopt;
    }
    tv.kind = TimeValue::Kind::local;
    tv.local += std::chrono::minutes{minutes};
  }
  return tv;
}

const date::time_zone* fixed_offset_zone(Seconds offset) {
  if (offset.count() % 3600 != 0) return nullptr;
  long h = offset.count() / 3600;
  if (h < -12 || h > 14) return nullptr;
  // IANA's Etc zones have POSIX-inverted signs: UTC+8 is Etc/GMT-8.
  std::string name = h == 0 ? "UTC" : "Etc/GMT" + std::string(h > 0 ? "-" : "+") + std::to_string(std::labs(h));
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    return nullptr;
  }
}

const date::time_zone* find_zone(std::string_view name_in, std::string* error) {
  std::string name = trim(name_in);
  if (name.size() > 64) {  // IANA names are short; long input would only feed std::regex recursion
    if (error) *error = "time zone name too long; use an IANA name such as Asia/Shanghai";
    return nullptr;
  }
  if (name.empty()) {
    if (error) *error = "empty time zone";
    return nullptr;
  }
  std::string upper = name;
  for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (upper == "UTC" || upper == "Z" || upper == "GMT" || upper == "ETC/UTC") return date::locate_zone("UTC");
  static const std::regex offset_re(R"(^(?:UTC|GMT)?\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?$)");
  std::smatch m;
  if (std::regex_match(upper, m, offset_re)) {
    int sign = m[1].str() == "-" ? -1 : 1;
    int h = std::stoi(m[2].str());
    int mi = m[3].matched ? std::stoi(m[3].str()) : 0;
    if (auto z = fixed_offset_zone(Seconds{sign * (h * 3600 + mi * 60)})) return z;
    if (error) *error = "offset '" + name + "' is not a whole hour; use an IANA zone name such as Asia/Kolkata";
    return nullptr;
  }
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    if (error) *error = "unknown time zone '" + name + "'; use an IANA name such as Asia/Shanghai or America/New_York";
    return nullptr;
  }
}

// --- Time after the last transition of a TZif file --------------------------------------
// Debian's TZif files list transitions up to 2037 and end with a POSIX TZ string (RFC 8536
// 3.3, "EST5EDT,M3.2.0,M11.1.0") for every later year. date/tz (USE_OS_TZDB) ignores that
// footer, so without this a New York event in July 2040 would be read as EST.

namespace {

struct PosixDate {
  char kind = 'M';  // 'M' month.week.day, 'J' Julian 1-365 without Feb 29, 'N' zero-based 0-365
  int month = 0, week = 0, weekday = 0, day = 0;
  Seconds time{7200};  // local time of the change, default 02:00
};

struct PosixRule {
  std::string std_abbrev, dst_abbrev;
  Seconds std_offset{0}, dst_offset{0};  // UTC offsets (east positive)
  bool has_dst = false;
  PosixDate start, end;
};

struct PosixParser {
  std::string_view s;
  size_t pos = 0;
  bool ok = true;
  bool more() const { return pos < s.size(); }
  char peek() const { return more() ? s[pos] : '\0'; }
  std::string name() {
    size_t from = pos;
    if (peek() == '<') {
      size_t close = s.find('>', pos);
      if (close == std::string_view::npos) return ok = false, "";
      pos = close + 1;
      return std::string(s.substr(from + 1, close - from - 1));
    }
    while (more() && std::isalpha(static_cast<unsigned char>(peek()))) ++pos;
    if (pos - from < 3) ok = false;
    return std::string(s.substr(from, pos - from));
  }
  int number() {
    if (!std::isdigit(static_cast<unsigned char>(peek()))) return ok = false, 0;
    int n = 0;
    while (more() && std::isdigit(static_cast<unsigned char>(peek())) && n < 100000) n = n * 10 + (s[pos++] - '0');
    return n;
  }
  Seconds hms() {  // [+-]hh[:mm[:ss]]
    int sign = 1;
    if (peek() == '+' || peek() == '-') sign = s[pos++] == '-' ? -1 : 1;
    long total = number() * 3600L;
    for (int unit : {60, 1})
      if (peek() == ':') {
        ++pos;
        total += number() * unit;
      }
    return Seconds{sign * total};
  }
  PosixDate date() {
    PosixDate d;
    if (peek() == 'M') {
      ++pos;
      d.month = number();
      if (peek() != '.') ok = false;
      ++pos;
      d.week = number();
      if (peek() != '.') ok = false;
      ++pos;
      d.weekday = number();
      if (d.month < 1 || d.month > 12 || d.week < 1 || d.week > 5 || d.weekday > 6) ok = false;
    } else if (peek() == 'J') {
      ++pos;
      d.kind = 'J';
      d.day = number();
      if (d.day < 1 || d.day > 365) ok = false;
    } else {
      d.kind = 'N';
      d.day = number();
      if (d.day > 365) ok = false;
    }
    if (peek() == '/') {
      ++pos;
      d.time = hms();
    }
    return d;
  }
};

std::optional<PosixRule> parse_posix_tz(std::string_view text) {
  PosixParser p{text};
  PosixRule r;
  r.std_abbrev = p.name();
  r.std_offset = -p.hms();  // POSIX offsets count west of Greenwich
  if (p.ok && p.more()) {
    r.has_dst = true;
    r.dst_abbrev = p.name();
    r.dst_offset = p.peek() == ',' || !p.more() ? r.std_offset + hours{1} : -p.hms();
    if (p.peek() != ',') return std::nullopt;  // DST without rules: nothing to apply
    ++p.pos;
    r.start = p.date();
    if (p.peek() != ',') return std::nullopt;
    ++p.pos;
    r.end = p.date();
  }
  if (!p.ok || p.more()) return std::nullopt;
  return r;
}

// The local day of a rule in `year`.
date::local_days rule_day(const PosixDate& d, date::year year) {
  if (d.kind == 'J')
    return date::local_days{year / 1 / 1} + date::days{d.day - 1 + (year.is_leap() && d.day >= 60 ? 1 : 0)};
  if (d.kind == 'N') return date::local_days{year / 1 / 1} + date::days{d.day};
  date::month m{static_cast<unsigned>(d.month)};
  date::weekday wd{static_cast<unsigned>(d.weekday)};
  if (d.week == 5) return date::local_days{year / m / date::weekday_last{wd}};
  return date::local_days{year / m / wd[static_cast<unsigned>(d.week)]};
}

// The footer of the zone's TZif file, read once per zone and thread.
const PosixRule* footer_rule(const date::time_zone* zone) {
  thread_local std::map<const date::time_zone*, std::optional<PosixRule>> seen;
  auto it = seen.find(zone);
  if (it != seen.end()) return it->second ? &*it->second : nullptr;
  static std::mutex mutex;  // the files are read once per process
  static std::map<std::string, std::optional<PosixRule>> by_name;
  std::optional<PosixRule> rule;
  {
    std::lock_guard<std::mutex> lock(mutex);
    std::string name(zone->name());
    auto known = by_name.find(name);
    if (known != by_name.end()) {
      rule = known->second;
    } else {
      // The folder date/tz reads (USE_OS_TZDB: /usr/share/zoneinfo), whatever TZDIR says:
      // one database for the listed transitions and the rule after them.
      std::string path = "/usr/share/zoneinfo/" + name;
      std::string bytes;
      read_whole_file(path, bytes);
      // "...\n<TZ string>\n" closes a version 2+ file.
      if (bytes.size() > 2 && bytes.back() == '\n' && bytes.compare(0, 4, "TZif") == 0) {
        size_t open = bytes.rfind('\n', bytes.size() - 2);
        if (open != std::string::npos)
          rule = parse_posix_tz(std::string_view(bytes).substr(open + 1, bytes.size() - open - 2));
      }
      by_name[name] = rule;
    }
  }
  auto& slot = seen[zone] = rule;
  return slot ? &*slot : nullptr;
}

// Past this, date/tz's last sys_info runs forever: the footer rule decides.
constexpr SysSeconds open_ended{date::sys_days{date::year{2200} / 1 / 1}};

}  // namespace

date::sys_info zone_info(const date::time_zone* zone, SysSeconds t) {
  date::sys_info info = zone->get_info(t);
  if (info.end < open_ended) return info;
  const PosixRule* rule = footer_rule(zone);
  if (!rule || !rule->has_dst) return info;
  // The changes of the years around t, in UTC: into DST at the standard offset's local
  // time, out of it at the DST offset's.
  std::vector<std::pair<SysSeconds, bool>> changes;  // instant, DST after it
  date::year y = date::year_month_day{date::floor<date::days>(t)}.year();
  for (date::year year = y - date::years{1}; year <= y + date::years{1}; year += date::years{1}) {
    changes.push_back(
        {SysSeconds{(rule_day(rule->start, year) + rule->start.time).time_since_epoch()} - rule->std_offset, true});
    changes.push_back(
        {SysSeconds{(rule_day(rule->end, year) + rule->end.time).time_since_epoch()} - rule->dst_offset, false});
  }
  std::sort(changes.begin(), changes.end());
  size_t next = 0;
  while (next < changes.size() && changes[next].first <= t) ++next;
  if (next == 0 || next == changes.size()) return info;  // cannot happen with three years
  if (changes[next - 1].first < info.begin) {            // the last listed transition is still the latest
    info.end = changes[next].first;
    return info;
  }
  bool dst = changes[next - 1].second;
  date::sys_info out;
  out.begin = changes[next - 1].first;
  out.end = changes[next].first;
  out.offset = dst ? rule->dst_offset : rule->std_offset;
  out.save = dst ? date::floor<minutes>(rule->dst_offset - rule->std_offset) : minutes{0};
  out.abbrev = dst ? rule->dst_abbrev : rule->std_abbrev;
  return out;
}

date::local_info zone_local_info(const date::time_zone* zone, LocalSeconds local) {
  SysSeconds as_utc{local.time_since_epoch()};
  if (zone->get_info(as_utc - date::days{2}).end < open_ended) return zone->get_info(local);
  // Beyond the listed transitions: an offset fits the local time when the instant it gives
  // has that offset. Two fit in an overlap, none in a gap.
  date::sys_info before = zone_info(zone, as_utc - date::days{1});
  date::sys_info after = zone_info(zone, as_utc + date::days{1});
  auto fits = [&](const date::sys_info& i) { return zone_info(zone, as_utc - i.offset).offset == i.offset; };
  date::local_info r;
  bool first = fits(before), second = before.offset != after.offset && fits(after);
  if (first && second) {
    r.result = date::local_info::ambiguous;
    r.first = zone_info(zone, as_utc - before.offset);
    r.second = zone_info(zone, as_utc - after.offset);
  } else if (first || second) {
    r.result = date::local_info::unique;
    r.first = zone_info(zone, as_utc - (first ? before : after).offset);
  } else {
    r.result = date::local_info::nonexistent;
    r.first = before;
    r.second = after;
  }
  return r;
}

Resolved resolve_local(const date::time_zone* zone, LocalSeconds local) {
  Resolved r;
  auto info = zone_local_info(zone, local);
  switch (info.result) {
    case date::local_info::unique: r.instant = SysSeconds{local.time_since_epoch() - info.first.offset}; break;
    case date::local_info::nonexistent:  // gap: the offset before the gap applies
      r.in_gap = true;
      r.instant = SysSeconds{local.time_since_epoch() - info.first.offset};
      break;
    case date::local_info::ambiguous:  // overlap: the first occurrence
      r.ambiguous = true;
      r.instant = SysSeconds{local.time_since_epoch() - info.first.offset};
      break;
  }
  return r;
}

Seconds offset_at(const date::time_zone* zone, SysSeconds t) { return zone_info(zone, t).offset; }

bool in_calendar_years(LocalSeconds t) {
  int year = static_cast<int>(date::year_month_day{date::floor<date::days>(t)}.year());
  return year >= 1000 && year <= 2999;
}

LocalSeconds to_local(const date::time_zone* zone, SysSeconds t) {
  return LocalSeconds{t.time_since_epoch() + offset_at(zone, t)};
}

std::optional<Seconds> parse_duration(std::string_view text) {
  std::string t = to_lower_ascii(trim(text));
  // Long inputs would make std::regex recurse deeply; no real duration is this long.
  if (t.empty() || t.size() > 40) return std::nullopt;
  static const std::regex iso(R"(^p(?:(\d+)w)?(?:(\d+)d)?(?:t(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?)?$)");
  std::smatch m;
  constexpr double max_seconds = 100.0 * 366 * 86400;  // a century: anything longer is a typo
  if (std::regex_match(t, m, iso) && t != "p" && t != "pt") {
    auto n = [&](int i) { return m[i].matched ? std::stod(m[i].str()) : 0.0; };
    double total = n(1) * 604800 + n(2) * 86400 + n(3) * 3600 + n(4) * 60 + n(5);
    if (total > max_seconds) return std::nullopt;
    return Seconds{static_cast<long>(total)};
  }
  // Free form: "2h30m", "1.5h", "90 min", "2 hours", "1 day".
  static const std::regex part(R"((\d+(?:\.\d+)?)\s*(days?|d|hours?|hrs?|h|minutes?|mins?|m|seconds?|secs?|s)\s*)");
  double total = 0;
  size_t pos = 0;
  auto begin = std::sregex_iterator(t.begin(), t.end(), part);
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    if (static_cast<size_t>(it->position()) != pos) return std::nullopt;
    double v = std::stod((*it)[1].str());
    char unit = (*it)[2].str()[0];
    total += v * (unit == 'd' ? 86400 : unit == 'h' ? 3600 : unit == 'm' ? 60 : 1);
    pos += static_cast<size_t>(it->length());
  }
  if (pos != t.size() || pos == 0 || total > max_seconds) return std::nullopt;
  return Seconds{static_cast<long>(std::llround(total))};
}

std::string format_ical_duration(Seconds d) {
  std::string out = d.count() < 0 ? "-P" : "P";
  long s = std::labs(d.count());
  if (s % 86400 == 0 && s > 0) return out + std::to_string(s / 86400) + "D";
  long days = s / 86400;
  s %= 86400;
  if (days) out += std::to_string(days) + "D";
  out += "T";
  if (s / 3600) out += std::to_string(s / 3600) + "H";
  if (s % 3600 / 60) out += std::to_string(s % 3600 / 60) + "M";
  if (s % 60 || out.back() == 'T') out += std::to_string(s % 60) + "S";
  return out;
}

namespace {

// A hand-written matcher for the time range of a body line ("下午 1:00 - 5:30",
// "10:00 a.m. – 6:30 p.m.", "14：00 至 17：30"). It replaces a std::regex whose adjacent
// `\s*` groups backtracked polynomially: one 399-character line took 16 s. Every step
// here is greedy and never backtracks, so a line costs O(length) per start position.
struct RangeCursor {
  std::string_view s;
  size_t i = 0;

  bool at_end() const { return i >= s.size(); }
  bool eat(std::string_view lit) {
    if (s.substr(i, lit.size()) != lit) return false;
    i += lit.size();
    return true;
  }
  template <size_t N>
  std::string_view eat_any(const std::string_view (&lits)[N]) {
    for (auto lit : lits)
      if (eat(lit)) return lit;
    return {};
  }
  void skip_space() {  // std::regex's \s on bytes
    while (!at_end() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\v' || s[i] == '\f' || s[i] == '\r'))
      ++i;
  }
  bool digit(size_t k) const { return k < s.size() && s[k] >= '0' && s[k] <= '9'; }
  // H:MM or H：MM with one or two hour digits and exactly two minute digits.
  bool clock(int& h, int& m) {
    size_t start = i;
    if (!digit(i)) return false;
    h = s[i++] - '0';
    if (digit(i)) h = h * 10 + (s[i++] - '0');
    if (!eat(":") && !eat("：")) return (i = start), false;
    if (!digit(i) || !digit(i + 1)) return (i = start), false;
    m = (s[i] - '0') * 10 + (s[i + 1] - '0');
    i += 2;
    return true;
  }
  // "a", "p.m.", "PM": the letter counts only when it is not the start of a word ("1:00 pizza").
  char meridiem() {
    if (at_end() || !std::strchr("AaPp", s[i])) return 0;
    char letter = s[i];
    size_t k = i + 1;
    if (k < s.size() && s[k] == '.') ++k;
    if (k < s.size() && (s[k] == 'M' || s[k] == 'm')) {
      ++k;
      if (k < s.size() && s[k] == '.') ++k;
    }
    if (k < s.size() && std::isalpha(static_cast<unsigned char>(s[k]))) return 0;
    i = k;
    return letter;
  }
};

const std::string_view kStartMarkers[] = {"上午", "下午", "晚上", "中午"};
const std::string_view kEndMarkers[] = {"上午", "下午", "晚上"};
const std::string_view kRangeSeparators[] = {"-", "–", "—", "~", "～", "至", "到", "to"};

int to_24_hour(int h, std::string_view marker, char meridiem) {
  bool pm = marker == "下午" || marker == "晚上" || meridiem == 'p' || meridiem == 'P';
  bool am = marker == "上午" || meridiem == 'a' || meridiem == 'A';
  if (pm && h < 12) h += 12;
  if (am && h == 12) h = 0;
  return h;
}

// The range that starts exactly at `pos`, as minutes after midnight.
std::optional<std::pair<int, int>> range_at(std::string_view line, size_t pos) {
  RangeCursor c{line, pos};
  std::string_view start_marker = c.eat_any(kStartMarkers);
  c.skip_space();
  int sh = 0, sm = 0, eh = 0, em = 0;
  if (!c.clock(sh, sm)) return std::nullopt;
  c.skip_space();
  char start_meridiem = c.meridiem();
  c.skip_space();
  bool separated = false;
  while (!c.eat_any(kRangeSeparators).empty()) separated = true;
  if (!separated) return std::nullopt;
  c.skip_space();
  std::string_view end_marker = c.eat_any(kEndMarkers);
  c.skip_space();
  if (!c.clock(eh, em)) return std::nullopt;
  c.skip_space();
  char end_meridiem = c.meridiem();
  // An end without its own marker inherits the start's afternoon ("下午 1:00 - 5:30"), and
  // a bare start shares the end's ("1:00 - 2:00 p.m."), unless that would put it after the
  // end ("11:00 - 1:00 p.m." starts before noon).
  if (start_marker.empty() && !start_meridiem && end_marker.empty() && end_meridiem && sh % 12 <= eh % 12)
    start_meridiem = end_meridiem;
  sh = to_24_hour(sh, start_marker, start_meridiem);
  eh = to_24_hour(eh, end_marker.empty() ? start_marker : end_marker, end_meridiem ? end_meridiem : start_meridiem);
  if (sh >= 24 || eh >= 24 || sm >= 60 || em >= 60) return std::nullopt;
  return std::make_pair(sh * 60 + sm, eh * 60 + em);
}

// The leftmost range in the line, like regex_search would find.
std::optional<std::pair<int, int>> find_range(std::string_view line) {
  for (size_t pos = 0; pos < line.size(); ++pos) {
    unsigned char ch = static_cast<unsigned char>(line[pos]);
    if (!(ch >= '0' && ch <= '9') && ch < 0x80) continue;  // a range starts with a digit or a CJK marker
    if (auto r = range_at(line, pos)) return r;
  }
  return std::nullopt;
}

}  // namespace

std::optional<BodyTimeRange> find_body_time_range(std::string_view body) {
  // std::regex works on bytes: multi-byte characters go in alternations, never in [...].
  // The keyword keeps prose like "from 1:00 - 2:00 we eat" from being mistaken for the event time.
  static const std::regex keyword(R"((时间|日期|[Tt]ime|[Ww]hen)\s*(:|：))");
  static const std::regex cn_date(R"((\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日)");
  static const std::regex iso_date(R"((\d{4})-(\d{2})-(\d{2}))");
  int line_no = 0;
  size_t pos = 0;
  while (pos <= body.size()) {
    size_t nl = body.find('\n', pos);
    std::string line(body.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos));
    ++line_no;
    std::smatch km;
    // Cheap prefilter: the regexes run only on lines that name a time at all.
    bool candidate = line.find("时间") != std::string::npos || line.find("日期") != std::string::npos ||
                     line.find("ime") != std::string::npos || line.find("hen") != std::string::npos;
    if (candidate && line.size() < 400 && std::regex_search(line, km, keyword)) {
      std::string rest = line.substr(static_cast<size_t>(km.position() + km.length()));
      BodyTimeRange r;
      r.line = line_no;
      r.column = static_cast<int>(km.position()) + 1;
      if (auto range = find_range(rest)) {
        r.has_range = true;
        r.start_minutes = range->first;
        r.end_minutes = range->second;
      }
      std::smatch dm;
      if (std::regex_search(line, dm, cn_date) || std::regex_search(line, dm, iso_date)) {
        date::year_month_day ymd{date::year{std::stoi(dm[1].str())},
                                 date::month{static_cast<unsigned>(std::stoi(dm[2].str()))},
                                 date::day{static_cast<unsigned>(std::stoi(dm[3].str()))}};
        if (ymd.ok()) r.day = ymd;
      }
      if (r.has_range || r.day) return r;
    }
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  return std::nullopt;
}

std::string format_offset(Seconds offset, bool colon) {
  long s = offset.count();
  char sign = s < 0 ? '-' : '+';
  s = std::labs(s);
  char buf[48];
  std::snprintf(buf, sizeof buf, colon ? "%c%02ld:%02ld" : "%c%02ld%02ld", sign, s / 3600, s % 3600 / 60);
  return buf;
}

std::string format_utc_offset_ical(Seconds offset) {
  std::string out = format_offset(offset, false);
  long sec = std::labs(offset.count()) % 60;  // local mean time offsets such as +080543
  if (sec) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%02ld", sec);
    out += buf;
  }
  return out;
}

std::string format_rfc3339(SysSeconds t, Seconds offset) {
  auto local = date::local_seconds{t.time_since_epoch() + offset};
  std::string s = date::format("%Y-%m-%dT%H:%M:%S", local);
  return s + (offset.count() == 0 ? std::string("Z") : format_offset(offset, true));
}

std::string format_rfc822(SysSeconds t, Seconds offset) {
  auto local = date::local_seconds{t.time_since_epoch() + offset};
  return date::format("%a, %d %b %Y %H:%M:%S ", local) + format_offset(offset, false);
}

std::string format_utc_basic(SysSeconds t) { return date::format("%Y%m%dT%H%M%SZ", t); }
std::string format_local_basic(LocalSeconds t) { return date::format("%Y%m%dT%H%M%S", t); }
std::string format_date_basic(date::local_days d) { return date::format("%Y%m%d", d); }

}  // namespace evfeed
