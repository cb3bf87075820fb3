#include "evfeed/recurrence.hpp"

#include <libical/ical.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <set>

#include "evfeed/schema.hpp"
#include "evfeed/text.hpp"

namespace evfeed {

using namespace std::chrono;

namespace {

constexpr std::array<const char*, 7> day_codes = {"SU", "MO", "TU", "WE", "TH", "FR", "SA"};
constexpr std::array<const char*, 7> day_names = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                  "Thursday", "Friday", "Saturday"};
constexpr std::array<const char*, 12> month_names = {"January",   "February", "March",    "April",
                                                     "May",       "June",     "July",     "August",
                                                     "September", "October",  "November", "December"};

int day_code_index(std::string_view code) {
  for (int i = 0; i < 7; ++i)
    if (code == day_codes[i]) return i;
  return -1;
}

bool parse_int(std::string_view s, int& out) {
  if (s.empty() || s.size() > 6) return false;
  size_t i = s[0] == '+' || s[0] == '-' ? 1 : 0;
  if (i == s.size() || s.find_first_not_of("0123456789", i) != std::string_view::npos) return false;
  out = std::stoi(std::string(s.substr(i)));
  if (s[0] == '-') out = -out;
  return true;
}

// "1,-1,15" with every value in [lo, hi] and not 0.
bool parse_int_list(std::string_view s, int lo, int hi, std::vector<int>& out) {
  for (const auto& item : split(s, ',')) {
    int v = 0;
    if (!parse_int(item, v) || v == 0 || v < lo || v > hi) return false;
    out.push_back(v);
  }
  return !out.empty();
}

std::string join_ints(const std::vector<int>& v) {
  std::string s;
  for (int x : v) s += (s.empty() ? "" : ",") + std::to_string(x);
  return s;
}

// The parts of the rule as RFC 5545 writes them, UNTIL excluded.
std::string rule_parts(const RecurrenceRule& r) {
  std::string s = "FREQ=" + r.freq;
  if (r.interval != 1) s += ";INTERVAL=" + std::to_string(r.interval);
  if (r.count > 0) s += ";COUNT=" + std::to_string(r.count);
  if (!r.by_day.empty()) {
    s += ";BYDAY=";
    for (size_t i = 0; i < r.by_day.size(); ++i)
      s +=
          (i ? "," : "") + (r.by_day[i].first ? std::to_string(r.by_day[i].first) : "") + day_codes[r.by_day[i].second];
  }
  if (!r.by_month_day.empty()) s += ";BYMONTHDAY=" + join_ints(r.by_month_day);
  if (!r.by_month.empty()) s += ";BYMONTH=" + join_ints(r.by_month);
  if (!r.by_set_pos.empty()) s += ";BYSETPOS=" + join_ints(r.by_set_pos);
  if (!r.week_start.empty()) s += ";WKST=" + r.week_start;
  return s;
}

LocalSeconds end_of_day(date::local_days d) { return LocalSeconds{d} + hours{23} + minutes{59} + seconds{59}; }

// "20270101T190000Z" -> "2027-01-01T19:00:00Z": RFC 5545's basic form in ISO 8601's.
std::string extended_form(std::string_view v) {
  std::string s(v);
  auto digits = [&](size_t from, size_t n) {
    return s.size() >= from + n && s.substr(from, n).find_first_not_of("0123456789") == std::string::npos;
  };
  if (!digits(0, 8) || (s.size() != 8 && !(s.size() >= 15 && s[8] == 'T' && digits(9, 6)))) return s;
  std::string out = s.substr(0, 4) + "-" + s.substr(4, 2) + "-" + s.substr(6, 2);
  if (s.size() > 8) out += "T" + s.substr(9, 2) + ":" + s.substr(11, 2) + ":" + s.substr(13, 2) + s.substr(15);
  return out;
}

// UNTIL as written: a date (the whole day counts), a local date-time, or UTC with "Z".
std::optional<LocalSeconds> parse_until(std::string_view v, const date::time_zone* zone) {
  std::string err;
  auto tv = parse_time(extended_form(v), &err);
  if (!tv) return std::nullopt;
  if (tv->kind == TimeValue::Kind::date) return end_of_day(date::floor<date::days>(tv->local));
  if (tv->kind == TimeValue::Kind::instant) return to_local(zone, tv->instant());
  return tv->local;
}

// The shapes of rule that libical, ical.js, node-ical and recurring-ical-events expand
// alike (tests/recurrence): "" when `r` is one, else why not. BYSETPOS, WKST, yearly rules
// by month-day or week number, a weekday listed twice... each splits the clients.
std::string unsupported_shape(const RecurrenceRule& r) {
  std::set<std::pair<int, int>> days(r.by_day.begin(), r.by_day.end());
  if (days.size() != r.by_day.size()) return "BYDAY lists a weekday twice (libical counts it twice toward COUNT)";
  if (std::set<int>(r.by_month_day.begin(), r.by_month_day.end()).size() != r.by_month_day.size())
    return "BYMONTHDAY lists a day twice";
  if (!r.by_set_pos.empty()) return "BYSETPOS is not supported: calendar apps pick different days with it";
  if (!r.week_start.empty()) return "WKST is not supported: calendar apps count weeks differently with it";
  bool numbered = std::any_of(r.by_day.begin(), r.by_day.end(), [](auto d) { return d.first != 0; });
  bool plain = std::any_of(r.by_day.begin(), r.by_day.end(), [](auto d) { return d.first == 0; });
  if (r.freq == "DAILY" && (!r.by_day.empty() || !r.by_month_day.empty() || !r.by_month.empty()))
    return "FREQ=DAILY takes no BYDAY/BYMONTHDAY/BYMONTH here (clients disagree): use WEEKLY;BYDAY=MO,TU,... or "
           "MONTHLY;BYMONTHDAY=...";
  if (r.freq == "WEEKLY" && (!r.by_month_day.empty() || !r.by_month.empty()))
    return "FREQ=WEEKLY takes only BYDAY (weekdays such as MO,TH)";
  if (r.freq == "MONTHLY" && (!r.by_month.empty() || (plain && numbered) ||
                              (!r.by_day.empty() && !r.by_month_day.empty()) || (plain && !numbered)))
    return "FREQ=MONTHLY takes numbered weekdays (BYDAY=2TH or -1FR) or days of the month (BYMONTHDAY=15), not both "
           "and no BYMONTH";
  if (r.freq == "YEARLY" && !(r.by_day.empty() && r.by_month_day.empty() && r.by_month.empty()) &&
      !(r.by_month.size() == 1 && r.by_day.size() == 1 && numbered && r.by_month_day.empty()))
    return "FREQ=YEARLY repeats the start's date, or takes one month and one numbered weekday (BYMONTH=11;BYDAY=1TH)";
  return "";
}

}  // namespace

std::optional<RecurrenceRule> parse_rrule(std::string_view text, const date::time_zone* zone, std::string* error) {
  auto fail = [&](const std::string& msg) -> std::optional<RecurrenceRule> {
    if (error) *error = msg;
    return std::nullopt;
  };
  std::string t = trim(text);
  if (starts_with(to_lower_ascii(t), "rrule:")) t = t.substr(6);
  RecurrenceRule r;
  std::set<std::string> seen;
  for (const auto& raw : split(t, ';')) {
    std::string part = trim(raw);
    if (part.empty()) continue;
    size_t eq = part.find('=');
    if (eq == std::string::npos) return fail("'" + part + "' is not NAME=VALUE");
    std::string name = to_lower_ascii(part.substr(0, eq));
    for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    std::string value = part.substr(eq + 1);
    for (char& c : value) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (!seen.insert(name).second) return fail(name + " is given twice");
    if (name == "FREQ") {
      if (value != "DAILY" && value != "WEEKLY" && value != "MONTHLY" && value != "YEARLY")
        return fail("FREQ=" + value + ": evfeed writes DAILY, WEEKLY, MONTHLY or YEARLY series");
      r.freq = value;
    } else if (name == "INTERVAL") {
      if (!parse_int(value, r.interval) || r.interval < 1 || r.interval > 1000)
        return fail("INTERVAL=" + value + " must be a whole number from 1 to 1000");
    } else if (name == "COUNT") {
      if (!parse_int(value, r.count) || r.count < 1)
        return fail("COUNT=" + value + " must be a whole number 1 or more");
      if (static_cast<size_t>(r.count) > max_series_occurrences)
        return fail("COUNT=" + value + " is over evfeed's cap of " + std::to_string(max_series_occurrences) +
                    " occurrences; leave the series open-ended or split it");
    } else if (name == "UNTIL") {
      r.until = parse_until(value, zone);
      if (!r.until) return fail("UNTIL=" + value + " is not a date (20270101) or date-time (20270101T190000[Z])");
      if (*r.until >= LocalSeconds{date::local_days{date::year{3000} / 1 / 1}})
        return fail("UNTIL=" + value + " is after 2999; leave the series open-ended instead");
    } else if (name == "BYDAY") {
      for (const auto& item : split(value, ',')) {
        std::string code = item.size() >= 2 ? item.substr(item.size() - 2) : item;
        int day = day_code_index(code);
        int ordinal = 0;
        std::string ord = item.substr(0, item.size() - std::min<size_t>(2, item.size()));
        if (day < 0 || (!ord.empty() && (!parse_int(ord, ordinal) || ordinal == 0 || ordinal < -53 || ordinal > 53)))
          return fail("BYDAY=" + value + ": '" + item + "' is not a weekday such as TH, 2TH or -1FR");
        r.by_day.emplace_back(ordinal, day);
      }
    } else if (name == "BYMONTHDAY") {
      if (!parse_int_list(value, -31, 31, r.by_month_day))
        return fail("BYMONTHDAY=" + value + " must list days 1 to 31 (or -31 to -1 from the month's end)");
    } else if (name == "BYMONTH") {
      if (!parse_int_list(value, 1, 12, r.by_month)) return fail("BYMONTH=" + value + " must list months 1 to 12");
    } else if (name == "BYSETPOS") {
      if (!parse_int_list(value, -366, 366, r.by_set_pos))
        return fail("BYSETPOS=" + value + " must list positions 1 to 366 (or negative)");
    } else if (name == "WKST") {
      if (day_code_index(value) < 0) return fail("WKST=" + value + " must be a weekday code (MO, SU...)");
      r.week_start = value;
    } else if (name == "BYYEARDAY" || name == "BYWEEKNO" || name == "BYHOUR" || name == "BYMINUTE" ||
               name == "BYSECOND") {
      return fail(name + " is not supported: calendar clients expand it differently; use BYDAY/BYMONTHDAY/BYMONTH");
    } else {
      return fail("unknown part " + name + " (RFC 5545 3.3.10 lists FREQ, INTERVAL, COUNT, UNTIL, BYDAY...)");
    }
  }
  if (r.freq.empty()) return fail("FREQ is missing (FREQ=WEEKLY, MONTHLY...)");
  if (r.count > 0 && r.until) return fail("COUNT and UNTIL together: RFC 5545 allows one of them");
  for (const auto& [ordinal, day] : r.by_day) {
    int limit = r.freq == "MONTHLY" || r.freq == "YEARLY" ? 5 : 0;
    if (ordinal != 0 && (limit == 0 || std::abs(ordinal) > limit))
      return fail("BYDAY " + std::to_string(ordinal) + day_codes[day] + " is out of range for FREQ=" + r.freq +
                  (limit ? " (at most " + std::to_string(limit) + ")" : " (numbered weekdays need MONTHLY or YEARLY)"));
  }
  if (auto why = unsupported_shape(r); !why.empty()) return fail(why);
  return r;
}

std::string rrule_value(const RecurrenceRule& rule, const Event& e) {
  // A weekly rule on DTSTART's own weekday is written without BYDAY (RFC 5545 takes the
  // day from DTSTART): clients that expand in their own zone (calcurse) would otherwise
  // see a 19:00 New York Thursday as a Friday in UTC and drop the series.
  RecurrenceRule written = rule;
  auto weekday = date::weekday{date::floor<date::days>(e.all_day ? LocalSeconds{e.start_day} : e.local_start())};
  if (rule.freq == "WEEKLY" && rule.by_day.size() == 1 && rule.by_day[0] == std::pair{0, int(weekday.c_encoding())})
    written.by_day.clear();
  std::string s = rule_parts(written);
  if (rule.until) {
    if (e.all_day)
      s += ";UNTIL=" + format_date_basic(date::floor<date::days>(*rule.until));
    else
      s += ";UNTIL=" + format_utc_basic(resolve_local(e.zone, *rule.until).instant);
  }
  return s;
}

namespace {

// A floating date-time (or date) for libical's iterator, through its own parser of the
// basic form that the writers already produce.
icaltimetype ical_local(LocalSeconds t, bool is_date) {
  std::string text = is_date ? format_date_basic(date::floor<date::days>(t)) : format_local_basic(t);
  return icaltime_from_string(text.c_str());
}

LocalSeconds from_ical(const icaltimetype& t) {
  auto day = date::local_days{date::year{t.year} / t.month / t.day};
  return LocalSeconds{day} + hours{t.hour} + minutes{t.minute} + seconds{t.second};
}

LocalSeconds local_start_of(const Event& e) { return e.all_day ? LocalSeconds{e.start_day} : e.local_start(); }

// Calls `visit` with each start the rule makes (wall time, DTSTART first when it matches),
// in order, until it returns false, the rule ends or `bound` is passed. libical expands in
// wall time: UNTIL is given to it as local time too.
template <typename Visit>
void each_rule_start(const Event& e, const RecurrenceRule& rule, LocalSeconds bound, Visit visit) {
  std::string text = rule_parts(rule);
  if (rule.until)
    text += ";UNTIL=" +
            (e.all_day ? format_date_basic(date::floor<date::days>(*rule.until)) : format_local_basic(*rule.until));
  icalrecurrencetype r = icalrecurrencetype_from_string(text.c_str());
  if (r.freq == ICAL_NO_RECURRENCE) return;
  icalrecur_iterator* it = icalrecur_iterator_new(r, ical_local(local_start_of(e), e.all_day));
  if (!it) return;
  // A bound on libical's steps: an open-ended daily series from the year 1000 to a window
  // in 2999 is ~730,000 steps; a rule that never matches ends here too.
  for (long steps = 0; steps < 1000000; ++steps) {
    icaltimetype t = icalrecur_iterator_next(it);
    if (icaltime_is_null_time(t)) break;
    LocalSeconds local = from_ical(t);
    if (local > bound || !visit(local)) break;
  }
  icalrecur_iterator_free(it);
}

bool bounded(const Event& e) { return !e.series().rule || e.series().rule->count > 0 || e.series().rule->until; }

// Series starts (rule, RDATE; EXDATE removed) up to `bound`, sorted: those before
// `count_from` and at most `limit` from there on (the rule is not expanded further).
std::vector<LocalSeconds> series_starts(const Event& e, LocalSeconds bound, size_t limit,
                                        LocalSeconds count_from = LocalSeconds::min()) {
  std::vector<LocalSeconds> starts;
  size_t counted = 0;
  if (e.series().rule)
    each_rule_start(e, *e.series().rule, bound, [&](LocalSeconds t) {
      starts.push_back(t);
      if (t >= count_from) ++counted;
      return counted < limit + e.series().exdates.size();
    });
  for (LocalSeconds t : e.series().rdates)
    if (t <= bound) starts.push_back(t);
  std::sort(starts.begin(), starts.end());
  starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
  auto excluded = [&](LocalSeconds t) {
    return std::binary_search(e.series().exdates.begin(), e.series().exdates.end(), t);
  };
  starts.erase(std::remove_if(starts.begin(), starts.end(), excluded), starts.end());
  auto first = std::lower_bound(starts.begin(), starts.end(), count_from);
  if (static_cast<size_t>(starts.end() - first) > limit)
    starts.erase(first + static_cast<ptrdiff_t>(limit), starts.end());
  return starts;
}

SysSeconds instant_of(const Event& e, LocalSeconds t) { return resolve_local(e.zone, t).instant; }

}  // namespace

Occurrence occurrence_at(const Event& e, LocalSeconds original) {
  Occurrence o;
  o.original = original;
  o.start = instant_of(e, original);
  if (e.all_day)
    o.end = instant_of(e, original + (LocalSeconds{e.end_day} - LocalSeconds{e.start_day}));
  else
    o.end = o.start + (e.end - e.start);
  o.title = e.title;
  o.location = e.location;
  o.cancelled = e.status == EventStatus::cancelled;
  auto change = std::lower_bound(e.series().changes.begin(), e.series().changes.end(), original,
                                 [](const OccurrenceChange& c, LocalSeconds t) { return c.original < t; });
  if (change != e.series().changes.end() && change->original == original) {
    o.changed = true;
    if (change->start) o.start = *change->start;
    if (change->end) o.end = *change->end;
    if (!change->title.empty()) o.title = change->title;
    if (!change->location.empty()) o.location = change->location;
    o.cancelled = o.cancelled || change->cancelled;
  }
  return o;
}

namespace {

constexpr LocalSeconds near_local() { return LocalSeconds{date::local_days{date::year{1000} / 1 / 1}}; }
constexpr LocalSeconds far_local() { return LocalSeconds{date::local_days{date::year{2999} / 12 / 31}}; }

bool overlaps(const Occurrence& o, SysSeconds from, SysSeconds to) {
  return (o.end > from || (o.end == from && o.start == o.end)) && o.start < to;
}

}  // namespace

std::vector<Occurrence> occurrences(const Event& e, SysSeconds from, SysSeconds to, size_t limit) {
  std::vector<Occurrence> out;
  if (!e.sessions().empty()) {
    for (const auto& s : e.sessions()) {
      Occurrence o{s.start,
                   s.end,
                   to_local(e.zone, s.start),
                   s.title.empty() ? e.title : s.title,
                   s.location.empty() ? e.location : s.location,
                   e.status == EventStatus::cancelled,
                   false};
      if (overlaps(o, from, to) && out.size() < limit) out.push_back(std::move(o));
    }
    return out;
  }
  if (!e.recurs()) {
    Occurrence o{e.start, e.end, local_start_of(e), e.title, e.location, e.status == EventStatus::cancelled, false};
    if (overlaps(o, from, to)) out.push_back(std::move(o));
    return out;
  }
  // Originals up to the window's end (a moved occurrence is looked at on its own below);
  // when only a few are wanted, stop once that many overlap.
  LocalSeconds bound = to >= instant_of(e, far_local()) ? far_local() : to_local(e.zone, to);
  // An occurrence that overlaps `from` starts at most its length (and a day of offsets)
  // before it; from there, `limit` starts suffice, plus one per override (which may move
  // an occurrence out of the window). An open-ended series is not expanded to the year 2999.
  LocalSeconds count_from = from <= instant_of(e, near_local())
                                ? LocalSeconds::min()
                                : to_local(e.zone, from) - (e.end - e.start) - date::days{1};
  std::vector<LocalSeconds> starts = series_starts(e, bound, limit + e.series().changes.size(), count_from);
  for (LocalSeconds t : starts) {
    Occurrence o = occurrence_at(e, t);
    if (overlaps(o, from, to)) out.push_back(std::move(o));
  }
  for (const auto& c : e.series().changes)  // moved into the window from an original past it
    if (c.original > bound) {
      Occurrence o = occurrence_at(e, c.original);
      if (overlaps(o, from, to)) out.push_back(std::move(o));
    }
  std::stable_sort(out.begin(), out.end(), [](const Occurrence& a, const Occurrence& b) { return a.start < b.start; });
  if (out.size() > limit) out.resize(limit);
  return out;
}

SysSeconds last_end(const Event& e) {
  if (e.recurs() && !bounded(e)) return SysSeconds::max();
  SysSeconds last = e.end;
  for (const auto& o : occurrences(e, SysSeconds::min(), SysSeconds::max())) last = std::max(last, o.end);
  return last;
}

Occurrence shown_occurrence(const Event& e, SysSeconds now) {
  auto coming = occurrences(e, now, SysSeconds::max(), 64);
  for (const auto& o : coming)
    if (!o.cancelled && o.end > now) return o;
  for (const auto& o : coming)  // all cancelled (a cancelled series): the next one still
    if (o.end > now) return o;
  auto all = occurrences(e, SysSeconds::min(), SysSeconds::max());
  if (all.empty()) return Occurrence{e.start, e.end, local_start_of(e), e.title, e.location, false, false};
  return all.back();
}

std::pair<SysSeconds, SysSeconds> zone_span(const Event& e) {
  SysSeconds first = e.start, last = e.end;
  for (const auto& s : e.sessions()) {
    first = std::min(first, s.start);
    last = std::max(last, s.end);
  }
  for (LocalSeconds t : e.series().rdates) last = std::max(last, instant_of(e, t) + (e.end - e.start));
  for (const auto& c : e.series().changes) {
    if (c.start) first = std::min(first, *c.start);
    if (c.end) last = std::max(last, *c.end);
  }
  if (e.recurs()) {
    SysSeconds end = last_end(e);
    // Open-ended: at least to 2038, where the tz database's listed transitions end, so an
    // old series carries today's rules, not those of its first years.
    SysSeconds horizon =
        std::max(e.start + date::years{open_series_zone_years}, SysSeconds{date::sys_days{date::year{2038} / 1 / 1}});
    last = std::max(last, end != SysSeconds::max() ? end : horizon);
  }
  return {first, last};
}

namespace {

// --- front matter -------------------------------------------------------------------

struct InstanceReader {
  const Page& page;
  Event& e;
  EventInstances& x;  // e's, being filled in
  Diagnostics& diags;
  bool failed = false;

  int line(const Value* v) const { return v && v->line > 0 ? v->line : page.front_matter_line; }
  int column(const Value* v) const { return v && v->line > 0 && v->column > 0 ? v->column : 1; }
  void error(const Value* v, const std::string& msg) {
    diags.add(page.file.path, line(v), column(v), Severity::error, msg);
    failed = true;
  }
  void warn(const Value* v, const std::string& msg) {
    diags.add(page.file.path, line(v), column(v), Severity::warning, msg);
  }

  // A date or date-time of the series as wall time in its zone. A date alone in a timed
  // series names the occurrence of that day (at the series' time of day).
  std::optional<LocalSeconds> local(const Value* v, const std::string& key) {
    std::string err;
    auto tv = v && v->is_scalar() ? parse_time(extended_form(trim(v->scalar)), &err) : std::nullopt;
    if (!tv) {
      error(v, "'" + key + "' must be a date (2027-01-07) or date-time (2027-01-07T19:00:00) in the event's zone" +
                   (err.empty() ? "" : ": " + err));
      return std::nullopt;
    }
    if (!in_calendar_years(tv->local)) {  // as for the event's own start
      error(v, "'" + key + "' lies outside the years 1000-2999 that calendar software handles; check the year");
      return std::nullopt;
    }
    if (tv->kind == TimeValue::Kind::instant) {
      LocalSeconds t = to_local(e.zone, tv->instant());
      return e.all_day ? LocalSeconds{date::floor<date::days>(t)} : t;
    }
    auto day = date::floor<date::days>(tv->local);
    if (e.all_day) return LocalSeconds{day};
    if (tv->kind == TimeValue::Kind::date)
      return LocalSeconds{day} + (e.local_start() - date::floor<date::days>(e.local_start()));
    return tv->local;
  }

  // `key: [a, b]` or `key: "a, b"`: a list of dates.
  std::vector<LocalSeconds> dates(const Value* v, const std::string& key) {
    std::vector<LocalSeconds> out;
    if (!v) return out;
    std::vector<Value> items;
    if (v->kind == Value::Kind::list) {
      items = v->items;
    } else if (v->is_scalar()) {
      for (const auto& part : split(v->scalar, ',')) {
        Value item = *v;
        item.scalar = trim(part);
        items.push_back(item);
      }
    } else {
      error(v, "'" + key + "' must be a date or a list of dates");
      return out;
    }
    for (const auto& item : items)
      if (auto t = local(&item, key)) out.push_back(*t);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

  const Value* one_of(const Value& fm, std::initializer_list<const char*> keys, std::string* which = nullptr) {
    for (const char* k : keys)
      if (const Value* v = fm.find(k); v && v->kind != Value::Kind::null) {
        if (which) *which = k;
        return v;
      }
    return nullptr;
  }
};

const std::vector<std::pair<std::string, int>>& ordinal_words() {
  static const std::vector<std::pair<std::string, int>> words = {
      {"first", 1},  {"1st", 1}, {"second", 2}, {"2nd", 2}, {"third", 3},           {"3rd", 3},
      {"fourth", 4}, {"4th", 4}, {"fifth", 5},  {"5th", 5}, {"second-to-last", -2}, {"last", -1}};
  return words;
}

int weekday_of(std::string word) {
  word = to_lower_ascii(word);
  if (!word.empty() && word.back() == 's') word.pop_back();  // "thursdays"
  for (int i = 0; i < 7; ++i) {
    std::string name = to_lower_ascii(day_names[i]);
    if (word == name || word == name.substr(0, 3) || word == to_lower_ascii(day_codes[i])) return i;
  }
  return -1;
}

int month_of(const std::string& word) {
  for (int i = 0; i < 12; ++i) {
    std::string name = to_lower_ascii(month_names[i]);
    if (to_lower_ascii(word) == name || to_lower_ascii(word) == name.substr(0, 3)) return i + 1;
  }
  return 0;
}

// `repeat: {every: 2 weeks, on: [thursday], until: 2027-01-01}` -> the RRULE text it means,
// so that both forms go through one parser and one set of checks.
// The parts of an RRULE a `repeat:` map names.
struct RepeatParts {
  std::string freq, interval = "1";
  std::vector<std::string> by_day, by_month_day, by_month;
  std::string tail;  // ;UNTIL=... ;COUNT=...
};

// every: day, week, 2 weeks, other week, fortnight, weekday, month, year.
bool read_every(InstanceReader& in, const Value& value, const std::string& text, RepeatParts& r) {
  auto words = split(text, ' ');
  words.erase(std::remove(words.begin(), words.end(), std::string()), words.end());
  std::string unit = words.empty() ? "" : words.back();
  if (words.size() == 2 && (words[0] == "other" || std::all_of(words[0].begin(), words[0].end(), ::isdigit)))
    r.interval = words[0] == "other" ? "2" : words[0];
  else if (words.size() != 1)
    unit.clear();
  if (r.interval.find_first_not_of('0') == std::string::npos || r.interval.size() > 4) {
    in.error(&value, "repeat: every '" + text + "' needs a number from 1 to 1000");
    return false;
  }
  if (unit == "fortnight") unit = "week", r.interval = "2";
  if (!unit.empty() && unit.back() == 's') unit.pop_back();
  if (unit == "weekday") {
    r.freq = "WEEKLY";
    for (const char* d : {"MO", "TU", "WE", "TH", "FR"}) r.by_day.push_back(d);
    return true;
  }
  static const std::vector<std::pair<std::string, std::string>> units = {
      {"day", "DAILY"},       {"daily", "DAILY"}, {"week", "WEEKLY"},   {"weekly", "WEEKLY"},  {"month", "MONTHLY"},
      {"monthly", "MONTHLY"}, {"year", "YEARLY"}, {"yearly", "YEARLY"}, {"annually", "YEARLY"}};
  for (const auto& [word, f] : units)
    if (unit == word) r.freq = f;
  if (r.freq.empty()) {
    in.error(&value, "repeat: every '" + text + "' is not a period: write day, week, 2 weeks, month or year");
    return false;
  }
  return true;
}

// on: thursday, [monday, thursday], second thursday, last friday, 15, last day, first
// thursday of november.
bool read_on(InstanceReader& in, const Value& value, RepeatParts& r) {
  std::vector<const Value*> items;
  if (value.kind == Value::Kind::list)
    for (const auto& item : value.items) items.push_back(&item);
  else
    items.push_back(&value);
  std::vector<std::pair<const Value*, std::string>> texts;  // "monday, thursday" is two days
  for (const Value* item : items)
    for (const auto& part : split(item->is_scalar() ? item->scalar : "", ','))
      texts.emplace_back(item, to_lower_ascii(trim(part)));
  for (const auto& [item, t] : texts) {
    if (t == "last day" || t == "last day of the month") {
      r.by_month_day.push_back("-1");
      continue;
    }
    auto words = split(t, ' ');
    words.erase(std::remove(words.begin(), words.end(), std::string()), words.end());
    if (words.size() >= 3 && words[words.size() - 2] == "of" && month_of(words.back())) {
      r.by_month.push_back(std::to_string(month_of(words.back())));
      words.resize(words.size() - 2);
    }
    int ordinal = 0;
    if (words.size() == 2)
      for (const auto& [word, n] : ordinal_words())
        if (words[0] == word) ordinal = n;
    std::string digits = words.size() == 1 ? words[0] : "";
    for (const char* suffix : {"st", "nd", "rd", "th"})
      if (ends_with(digits, suffix)) digits.resize(digits.size() - 2);
    if (words.size() == 1 && weekday_of(words[0]) >= 0) {
      r.by_day.push_back(day_codes[weekday_of(words[0])]);
    } else if (words.size() == 2 && ordinal != 0 && weekday_of(words[1]) >= 0) {
      r.by_day.push_back(std::to_string(ordinal) + day_codes[weekday_of(words[1])]);
    } else if (!digits.empty() && digits.size() <= 2 && digits.find_first_not_of("0123456789") == std::string::npos) {
      r.by_month_day.push_back(digits);
    } else {
      in.error(item, "repeat: on '" + t +
                         "' is not a day: write thursday, [monday, thursday], second thursday, last friday, 15 or "
                         "last day");
      return false;
    }
  }
  return true;
}

std::optional<std::string> rrule_from_repeat(InstanceReader& in, const Value& repeat) {
  RepeatParts r;
  for (const auto& [key, value] : repeat.members) {
    std::string k = to_lower_ascii(key);
    std::string text = to_lower_ascii(trim(value.is_scalar() ? value.scalar : ""));
    if (k == "every") {
      if (!read_every(in, value, text, r)) return std::nullopt;
    } else if (k == "on") {
      if (!read_on(in, value, r)) return std::nullopt;
    } else if (k == "until") {
      if (auto t = in.local(&value, "repeat: until"))
        r.tail += ";UNTIL=" + format_local_basic(in.e.all_day || value.scalar.find(':') == std::string::npos
                                                     ? end_of_day(date::floor<date::days>(*t))
                                                     : *t);
    } else if (k == "count" || k == "times") {
      if (text.empty() || text.size() > 6 || text.find_first_not_of("0123456789") != std::string::npos) {
        in.error(&value, "repeat: count must be a whole number such as 10");
        return std::nullopt;
      }
      r.tail += ";COUNT=" + text;
    } else if (k != "except" && k != "also") {
      in.error(&value, "repeat: unknown key '" + key + "' (every, on, until, count, except, also)");
      return std::nullopt;
    }
  }
  if (r.freq.empty()) {
    in.error(&repeat, "repeat: needs 'every' (day, week, 2 weeks, month, year)");
    return std::nullopt;
  }
  std::string rule = "FREQ=" + r.freq + (r.interval == "1" ? "" : ";INTERVAL=" + r.interval) + r.tail;
  auto list = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ",") + x;
    return s;
  };
  if (!r.by_day.empty()) rule += ";BYDAY=" + list(r.by_day);
  if (!r.by_month_day.empty()) rule += ";BYMONTHDAY=" + list(r.by_month_day);
  if (!r.by_month.empty()) rule += ";BYMONTH=" + list(r.by_month);
  return rule;
}

void read_rule(InstanceReader& in, const Value& fm) {
  std::string rrule_key;
  const Value* rrule = in.one_of(fm, {"rrule", "recurrence_rule"}, &rrule_key);
  const Value* repeat = fm.find("repeat");
  if (repeat && repeat->kind != Value::Kind::map) {
    in.error(repeat, "repeat must be a map such as {every: 2 weeks, on: thursday, until: 2027-01-01}");
    return;
  }
  if (rrule && repeat) {
    in.error(repeat, "both 'rrule' (line " + std::to_string(in.line(rrule)) + ") and 'repeat' are given: keep one");
    return;
  }
  std::optional<std::string> text;
  const Value* where = rrule ? rrule : repeat;
  if (rrule && rrule->is_scalar())
    text = rrule->scalar;
  else if (rrule)
    in.error(rrule, "'" + rrule_key + "' must be text such as \"FREQ=WEEKLY;BYDAY=TH\"");
  else if (repeat)
    text = rrule_from_repeat(in, *repeat);
  if (!text) return;
  std::string err;
  auto rule = parse_rrule(*text, in.e.zone, &err);
  if (!rule) {
    in.error(where, (repeat ? "repeat: " : "rrule: ") + err);
    return;
  }
  if (in.e.all_day && rule->until) rule->until = LocalSeconds{date::floor<date::days>(*rule->until)};
  if (!in.e.all_day && rule->until) {
    // Every occurrence has DTSTART's time of day, so UNTIL may as well be the end of the
    // last day it allows: an UNTIL exactly on an instance across a DST change is dropped by
    // recurring-ical-events (tests/recurrence/samples/disagree).
    LocalSeconds start = in.e.local_start();
    auto day = date::floor<date::days>(*rule->until);
    bool day_counts = *rule->until - LocalSeconds{day} >= start - LocalSeconds{date::floor<date::days>(start)};
    rule->until = end_of_day(day_counts ? day : day - date::days{1});
  }
  // Days that some months or years lack: RFC 5545 skips those months, ical.js and
  // node-ical move the date instead, so the clients would show different days.
  auto start_day = date::year_month_day{date::floor<date::days>(local_start_of(in.e))};
  unsigned dom = static_cast<unsigned>(start_day.day());
  bool implicit_day = rule->by_day.empty() && rule->by_month_day.empty();
  bool short_months =
      std::any_of(rule->by_month_day.begin(), rule->by_month_day.end(), [](int d) { return std::abs(d) >= 29; }) ||
      (implicit_day && ((rule->freq == "MONTHLY" && dom >= 29) ||
                        (rule->freq == "YEARLY" && start_day.month() == date::February && dom == 29)));
  if (short_months) {
    in.error(where,
             "the series falls on a day some months (or years) do not have, and calendar apps disagree on "
             "what to do then; use the last day of the month (repeat: on: last day; BYMONTHDAY=-1) or a weekday rule");
    return;
  }
  in.x.series.rule = std::move(rule);
  if (repeat) {
    if (const Value* ex = repeat->find("except")) in.x.series.exdates = in.dates(ex, "repeat: except");
    if (const Value* also = repeat->find("also")) in.x.series.rdates = in.dates(also, "repeat: also");
  }
}

void read_changes(InstanceReader& in, const Value& overrides) {
  if (overrides.kind != Value::Kind::list) {
    in.error(&overrides, "overrides must be a list of {date, start?, end?, title?, location?, cancelled?}");
    return;
  }
  for (const auto& item : overrides.items) {
    const Value* which = item.kind == Value::Kind::map ? in.one_of(item, {"date", "occurrence", "original"}) : nullptr;
    if (!which) {
      in.error(&item,
               "an override names its occurrence: {date: 2027-01-07, cancelled: true} or {date: ..., start: ...}");
      continue;
    }
    OccurrenceChange c;
    auto original = in.local(which, "overrides: date");
    if (!original) continue;
    c.original = *original;
    if (const Value* v = item.find("start")) {
      if (auto t = in.local(v, "overrides: start")) c.start = instant_of(in.e, *t);
    }
    if (const Value* v = item.find("end")) {
      std::string err;
      auto tv = v->is_scalar() ? parse_time(extended_form(trim(v->scalar)), &err) : std::nullopt;
      if (!in.e.all_day && tv && tv->kind == TimeValue::Kind::date)
        in.error(v, "an override's end needs a time in a timed series (2027-01-22T21:00:00)");
      else if (auto t = in.local(v, "overrides: end"))
        c.end = instant_of(in.e, in.e.all_day ? *t + date::days{1} : *t);  // all-day: the day named is included
    }
    if (c.start && !c.end) {  // moved: it keeps its length (all-day: in days, not hours)
      if (in.e.all_day)
        c.end = instant_of(in.e,
                           to_local(in.e.zone, *c.start) + (LocalSeconds{in.e.end_day} - LocalSeconds{in.e.start_day}));
      else
        c.end = *c.start + (in.e.end - in.e.start);
    }
    if (c.end && !c.start) c.start = instant_of(in.e, c.original);
    if (c.start && c.end && *c.end < *c.start) in.error(item.find("end"), "the override ends before it starts");
    c.title = trim(scalar_text(item.find("title")));
    c.location = trim(scalar_text(item.find("location")));
    std::string status = to_lower_ascii(scalar_text(item.find("status")));
    std::string cancelled = to_lower_ascii(scalar_text(item.find("cancelled")));
    c.cancelled = cancelled == "true" || cancelled == "yes" || status == "cancelled" || status == "canceled";
    in.x.series.changes.push_back(std::move(c));
  }
  auto& ch = in.x.series.changes;
  std::sort(ch.begin(), ch.end(), [](const auto& a, const auto& b) { return a.original < b.original; });
  for (size_t i = 1; i < ch.size(); ++i)
    if (ch[i].original == ch[i - 1].original) {
      in.error(&overrides, "two overrides name the occurrence of " + date::format("%F %R", ch[i].original));
      return;
    }
}

// The rule's checks that need the expansion: every client must see the same occurrences.
bool has(const std::vector<LocalSeconds>& sorted, LocalSeconds t) {
  return std::binary_search(sorted.begin(), sorted.end(), t);
}

// The series' start: after 1582, not after UNTIL, and the rule's own first occurrence.
bool check_series_start(InstanceReader& in, const Value* where, LocalSeconds first, const std::string& when) {
  Event& e = in.e;
  if (first < LocalSeconds{date::local_days{date::year{1583} / 1 / 1}}) {  // before the Gregorian calendar
    in.error(where, "a series starting before 1583 (" + when + "): calendar apps disagree on its weekdays");
    return false;
  }
  if (!e.series().rule) return true;
  const auto& rule = *e.series().rule;
  if (rule.until && *rule.until < first) {
    in.error(where, "UNTIL (" + date::format("%F %R", *rule.until) + ") is before the first occurrence (" + when + ")");
    return false;
  }
  // Clients disagree on a DTSTART the rule does not make (RFC 5545 counts it, libical
  // and node-ical skip it): the start must be the rule's first occurrence.
  std::optional<LocalSeconds> made;
  each_rule_start(e, rule, far_local(), [&](LocalSeconds t) {
    made = t;
    return false;
  });
  if (!made || *made != first) {
    in.error(where, "the event's start (" + when + ") is not an occurrence of the rule" +
                        (made ? " (its first is " + date::format(e.all_day ? "%F" : "%F %R", *made) + ")" : "") +
                        ": calendar apps disagree on such a start; start the event on an occurrence");
    return false;
  }
  return true;
}

// rdates after the start, neither the rule's own occurrences (dropped) nor on a day the rule
// has one; exdates that remove a real occurrence (others dropped).
bool check_listed_dates(InstanceReader& in, const Value* where, LocalSeconds first, const std::string& when,
                        const std::vector<LocalSeconds>& rule_starts) {
  const Event& e = in.e;
  auto& rd = in.x.series.rdates;
  for (auto it = rd.begin(); it != rd.end();) {
    std::string d = date::format(e.all_day ? "%F" : "%F %R", *it);
    if (*it <= first) {
      in.error(where, "rdate " + d + " is not after the event's start (" + when + "): clients disagree on it");
      return false;
    }
    if (has(rule_starts, *it)) {
      in.warn(where, "rdate " + d + " is already an occurrence of the rule; it is ignored");
      it = rd.erase(it);
      continue;
    }
    // recurring-ical-events keeps one occurrence per day when an rdate shares its day with
    // one of the rule's (tests/recurrence: a daily series plus an evening rdate).
    auto day = date::floor<date::days>(*it);
    auto same_day = std::lower_bound(rule_starts.begin(), rule_starts.end(), LocalSeconds{day});
    if (same_day != rule_starts.end() && date::floor<date::days>(*same_day) == day) {
      in.error(where, "rdate " + d + " falls on a day the rule already has an occurrence (" +
                          date::format("%R", *same_day) +
                          "): calendar apps then drop one of the two; give it its own page");
      return false;
    }
    ++it;
  }
  auto& ex = in.x.series.exdates;
  for (auto it = ex.begin(); it != ex.end();) {
    if (!has(rule_starts, *it) && !has(rd, *it)) {
      in.warn(where, "exdate " + date::format(e.all_day ? "%F" : "%F %R", *it) +
                         " is not an occurrence of the series; it is ignored");
      it = ex.erase(it);
    } else {
      ++it;
    }
  }
  return true;
}

// Overrides name a real occurrence that no exdate removes.
bool check_overrides(InstanceReader& in, const Value* where, const std::vector<LocalSeconds>& starts,
                     const std::vector<LocalSeconds>& rule_starts) {
  const Event& e = in.e;
  for (const auto& c : e.series().changes) {
    std::string d = date::format(e.all_day ? "%F" : "%F %R", c.original);
    if (has(e.series().exdates, c.original)) {
      in.error(where,
               "an override names " + d + ", which exdate removes (clients disagree on it): keep one of the two");
      return false;
    }
    if (!has(starts, c.original) && !has(rule_starts, c.original)) {
      in.error(where, "an override names " + d + ", which is not an occurrence of the series");
      return false;
    }
  }
  return true;
}

// A start or end in the hour the clocks change: clients place it differently.
void check_clock_changes(InstanceReader& in, const Value* where, const std::vector<LocalSeconds>& starts) {
  const Event& e = in.e;
  if (e.all_day) return;
  Seconds length = e.local_end() - e.local_start();
  for (LocalSeconds t : starts)
    for (LocalSeconds at : {t, t + length})
      if (auto r = resolve_local(e.zone, at); r.in_gap || r.ambiguous) {
        in.error(where, "the occurrence of " + date::format("%F %R", t) + (at == t ? "" : " ends at a time that") +
                            (r.in_gap ? " does not exist" : " happens twice") + " in " + e.zone_name() + " (clocks " +
                            (r.in_gap ? "jump forward" : "go back") +
                            "); calendar apps place it differently: move the series out of the hour the clocks change");
        return;
      }
}

void check_series(InstanceReader& in, const Value* where) {
  Event& e = in.e;
  LocalSeconds first = local_start_of(e);
  std::string when = date::format(e.all_day ? "%F" : "%F %R", first);
  if (!check_series_start(in, where, first, when)) return;
  LocalSeconds bound = far_local();
  // The rule's starts: a bounded series all of them (up to the cap), an open-ended one up to
  // its last listed date (rdate, exdate, override) and two years past its start.
  LocalSeconds listed = first + date::years{2};
  for (const auto* list : {&e.series().rdates, &e.series().exdates})
    if (!list->empty()) listed = std::max(listed, list->back());
  if (!e.series().changes.empty()) listed = std::max(listed, e.series().changes.back().original);
  std::vector<LocalSeconds> rule_starts;
  if (e.series().rule)
    each_rule_start(e, *e.series().rule, bounded(e) ? bound : listed, [&](LocalSeconds t) {
      rule_starts.push_back(t);
      return !bounded(e) || rule_starts.size() <= max_series_occurrences + e.series().exdates.size();
    });
  if (!check_listed_dates(in, where, first, when, rule_starts)) return;
  std::vector<LocalSeconds> starts = bounded(e)
                                         ? series_starts(e, bound, max_series_occurrences + 1)
                                         : series_starts(e, listed, rule_starts.size() + in.x.series.rdates.size() + 1);
  if (starts.empty()) {
    in.error(where, "the series has no occurrence left (every date is excluded)");
    return;
  }
  if (bounded(e) && starts.size() > max_series_occurrences) {
    in.error(where, "the series makes more than " + std::to_string(max_series_occurrences) +
                        " occurrences; leave it open-ended (no UNTIL/COUNT) or split it");
    return;
  }
  if (!check_overrides(in, where, starts, rule_starts)) return;
  check_clock_changes(in, where, starts);
}

void read_sessions(InstanceReader& in, const Value& list) {
  if (list.kind != Value::Kind::list || list.items.empty()) {
    in.error(&list, "sessions must be a list of {start, end, title?, location?}");
    return;
  }
  if (list.items.size() > max_sessions) {
    in.error(&list, "more than " + std::to_string(max_sessions) + " sessions on one page");
    return;
  }
  Event& e = in.e;
  std::set<std::string> ids;
  std::optional<bool> all_day;
  for (size_t i = 0; i < list.items.size(); ++i) {
    const Value& item = list.items[i];
    const Value* start_v = item.kind == Value::Kind::map ? in.one_of(item, {"start", "date"}) : nullptr;
    if (!start_v || !start_v->is_scalar()) {
      in.error(&item, "session " + std::to_string(i + 1) + " needs a start: {start: 2027-03-01T09:00, end: ...}");
      continue;
    }
    std::string err;
    auto start = parse_time(trim(start_v->scalar), &err);
    const Value* end_v = item.find("end");
    auto end = end_v && end_v->is_scalar() ? parse_time(trim(end_v->scalar), &err) : std::nullopt;
    if (!start || (end_v && !end)) {
      in.error(start ? end_v : start_v, "cannot read the session's time: " + err);
      continue;
    }
    bool day = start->kind == TimeValue::Kind::date;
    if (end && (end->kind == TimeValue::Kind::date) != day) {
      in.error(end_v, "a session's start and end are both dates or both date-times");
      continue;
    }
    if (all_day && *all_day != day) {
      in.error(start_v, "sessions must all have times, or all be whole days");
      continue;
    }
    all_day = day;
    EventSession s;
    auto instant = [&](const TimeValue& tv) {
      return tv.kind == TimeValue::Kind::instant ? tv.instant() : resolve_local(e.zone, tv.local).instant;
    };
    s.start = instant(*start);
    if (end)
      s.end = day ? resolve_local(e.zone, end->local + date::days{1}).instant  // a day end names its last day
                  : instant(*end);
    else if (day)
      s.end = resolve_local(e.zone, start->local + date::days{1}).instant;
    else {
      in.error(&item, "session " + std::to_string(i + 1) + " needs an end time");
      continue;
    }
    if (s.end < s.start) in.error(end_v, "the session ends before it starts");
    s.id = trim(scalar_text(item.find("id")));
    if (s.id.empty()) s.id = std::to_string(i + 1);
    s.id = slugify(s.id);
    if (!ids.insert(s.id).second) in.error(&item, "two sessions have the id '" + s.id + "'");
    s.title = trim(scalar_text(item.find("title")));
    if (s.title.empty()) s.title = trim(scalar_text(item.find("name")));
    s.location = trim(scalar_text(item.find("location")));
    in.x.sessions.push_back(std::move(s));
  }
  if (in.failed || e.sessions().empty()) return;
  std::stable_sort(in.x.sessions.begin(), in.x.sessions.end(),
                   [](const EventSession& a, const EventSession& b) { return a.start < b.start; });
  e.all_day = *all_day;
  e.start = e.sessions().front().start;
  e.end = e.start;
  for (const auto& s : e.sessions()) e.end = std::max(e.end, s.end);
  if (e.all_day) {
    e.start_day = date::floor<date::days>(to_local(e.zone, e.start));
    e.end_day = date::floor<date::days>(to_local(e.zone, e.end));
  }
  e.end_source = "sessions: from the first session's start to the last one's end";
}

}  // namespace

bool read_instances(const Page& page, const Value& fm, Event& e, Diagnostics& diags) {
  const Value* sessions = fm.find("sessions");
  const Value* overrides = fm.find("overrides");
  bool any = false;
  for (const char* key :
       {"sessions", "overrides", "rrule", "recurrence_rule", "repeat", "rdate", "rdates", "exdate", "exdates"})
    if (const Value* v = fm.find(key); v && v->kind != Value::Kind::null) any = true;
  if (!any) return true;  // a single event (most pages): no instances at all
  InstanceReader in{page, e, e.edit_instances(), diags};
  if (sessions && sessions->kind != Value::Kind::null) read_sessions(in, *sessions);
  if (in.failed) return false;
  read_rule(in, fm);
  const Value* where = in.one_of(fm, {"rrule", "recurrence_rule", "repeat"});
  std::string rdate_key, exdate_key;
  if (const Value* v = in.one_of(fm, {"rdate", "rdates"}, &rdate_key)) {
    auto more = in.dates(v, rdate_key);
    in.x.series.rdates.insert(in.x.series.rdates.end(), more.begin(), more.end());
    if (!where) where = v;
  }
  if (const Value* v = in.one_of(fm, {"exdate", "exdates"}, &exdate_key)) {
    auto more = in.dates(v, exdate_key);
    in.x.series.exdates.insert(in.x.series.exdates.end(), more.begin(), more.end());
    if (!where) where = v;
  }
  for (auto* list : {&in.x.series.rdates, &in.x.series.exdates}) {
    std::sort(list->begin(), list->end());
    list->erase(std::unique(list->begin(), list->end()), list->end());
  }
  if (in.failed) return false;
  if (!e.series().rule && !e.series().exdates.empty()) in.error(where, "exdate without a series (rrule or repeat)");
  if (!e.series().rule && !e.series().rdates.empty())  // ical.js drops DTSTART from such a series
    in.error(where, "rdate adds dates to a rule (rrule or repeat); for an event on a few dates, use sessions:");
  if (overrides && overrides->kind != Value::Kind::null) {
    if (e.series().empty())
      in.error(overrides, "overrides change occurrences of a series: add rrule or repeat");
    else
      read_changes(in, *overrides);
  }
  if (!e.sessions().empty() && !e.series().empty())
    in.error(sessions, "a page has sessions or a series, not both: give each session its own page or rule");
  if (in.failed) return false;
  if (!e.series().empty()) check_series(in, where);
  if (in.x.series.empty() && in.x.sessions.empty()) e.instances = nullptr;
  return !in.failed;
}

const Series& Event::series() const {
  static const Series none;
  return instances ? instances->series : none;
}
const std::vector<EventSession>& Event::sessions() const {
  static const std::vector<EventSession> none;
  return instances ? instances->sessions : none;
}
const std::optional<Occurrence>& Event::shown() const {
  static const std::optional<Occurrence> none;
  return instances ? instances->shown : none;
}
EventInstances& Event::edit_instances() {
  // Copies share their instances; a writer gets its own (made mutable by make_shared).
  if (!instances || instances.use_count() > 1)
    instances = std::make_shared<EventInstances>(instances ? *instances : EventInstances{});
  return const_cast<EventInstances&>(*instances);
}

// --- words --------------------------------------------------------------------------

namespace {

std::string ordinal_word(int n) {
  static const char* words[] = {"", "first", "second", "third", "fourth", "fifth"};
  if (n == -1) return "last";
  if (n == -2) return "second-to-last";
  if (n >= 1 && n <= 5) return words[n];
  return std::to_string(n) + (n % 10 == 1 && n != 11   ? "st"
                              : n % 10 == 2 && n != 12 ? "nd"
                              : n % 10 == 3 && n != 13 ? "rd"
                                                       : "th");
}

std::string and_list(const std::vector<std::string>& items) {
  std::string s;
  for (size_t i = 0; i < items.size(); ++i) s += (i == 0 ? "" : i + 1 == items.size() ? " and " : ", ") + items[i];
  return s;
}

std::string long_date(date::local_days d) {
  date::year_month_day ymd{d};
  return std::to_string(static_cast<unsigned>(ymd.day())) + " " + month_names[static_cast<unsigned>(ymd.month()) - 1] +
         " " + std::to_string(static_cast<int>(ymd.year()));
}

// "every second Thursday", "the last Friday of every month"; "" when the rule has parts
// that words would not say exactly (BYSETPOS...): the caller writes the rule itself.
std::string rule_words(const RecurrenceRule& r, const Event& e) {
  if (!r.by_set_pos.empty() || !r.week_start.empty()) return "";
  std::vector<std::string> days, numbered;
  for (const auto& [ordinal, day] : r.by_day)
    (ordinal ? numbered : days)
        .push_back(ordinal ? "the " + ordinal_word(ordinal) + " " + day_names[day] : day_names[day]);
  std::vector<std::string> month_days;
  for (int d : r.by_month_day)
    month_days.push_back(d == -1 ? "the last day"
                         : d < 0 ? "the " + ordinal_word(-d) + "-to-last day"
                                 : "the " + ordinal_word(d));
  std::vector<std::string> months;
  for (int m : r.by_month) months.push_back(month_names[m - 1]);
  std::string every = r.interval == 1 ? "every" : "every " + ordinal_word(r.interval);
  date::year_month_day start{date::floor<date::days>(local_start_of(e))};
  if (r.freq == "DAILY" && days.empty() && numbered.empty() && month_days.empty() && months.empty())
    return r.interval == 1 ? "every day" : "every " + std::to_string(r.interval) + " days";
  if (r.freq == "WEEKLY" && numbered.empty() && month_days.empty() && months.empty()) {
    if (days.empty())
      days.push_back(
          day_names[date::weekday{date::sys_days{date::floor<date::days>(local_start_of(e)).time_since_epoch()}}
                        .c_encoding()]);
    if (days.size() == 5 && r.by_day.size() == 5 &&
        std::none_of(r.by_day.begin(), r.by_day.end(), [](auto p) { return p.second == 0 || p.second == 6; }))
      return r.interval == 1 ? "every weekday" : "every " + std::to_string(r.interval) + " weeks on weekdays";
    return every + " " + and_list(days);
  }
  std::string period = r.interval == 1 ? "every month" : "every " + std::to_string(r.interval) + " months";
  if (r.freq == "MONTHLY" && days.empty() && months.empty() &&
      (numbered.empty() != month_days.empty() || (numbered.empty() && month_days.empty()))) {
    if (numbered.empty() && month_days.empty())
      month_days.push_back("the " + ordinal_word(static_cast<int>(static_cast<unsigned>(start.day()))));
    return and_list(numbered.empty() ? month_days : numbered) + " of " + period;
  }
  if (r.freq == "YEARLY" && days.empty() && month_days.empty() && numbered.size() <= 1) {
    std::string years = r.interval == 1 ? "every year" : "every " + std::to_string(r.interval) + " years";
    if (numbered.empty() && months.empty())
      return years + " on " + std::to_string(static_cast<unsigned>(start.day())) + " " +
             month_names[static_cast<unsigned>(start.month()) - 1];
    if (!numbered.empty() && months.size() == 1) return numbered[0] + " of " + months[0] + ", " + years;
  }
  return "";
}

// Chinese: "每两周的周四", "每月第二个周四", "每年11月第四个周四"; "" as rule_words.
std::string rule_words_zh(const RecurrenceRule& r, const Event& e) {
  if (!r.by_set_pos.empty() || !r.week_start.empty()) return "";
  static const char* days_zh[] = {"周日", "周一", "周二", "周三", "周四", "周五", "周六"};
  const std::string week = "周";
  auto count = [](int n) { return n == 2 ? std::string("两") : std::to_string(n); };
  auto number = [](int n) {
    static const char* small[] = {"", "一", "二", "三", "四", "五"};
    return n >= 1 && n <= 5 ? std::string(small[n]) : std::to_string(n);
  };
  auto nth = [&](int n) {
    return n == -1 ? std::string("最后一个") : (n < 0 ? "倒数第" : "第") + number(std::abs(n)) + "个";
  };
  auto joined = [](const std::vector<std::string>& items) {
    std::string s;
    for (size_t i = 0; i < items.size(); ++i) s += (i ? "、" : "") + items[i];
    return s;
  };
  std::vector<std::string> days, numbered, month_days;
  for (const auto& [ordinal, day] : r.by_day)
    (ordinal ? numbered : days).push_back(ordinal ? nth(ordinal) + days_zh[day] : days_zh[day]);
  for (int d : r.by_month_day)
    month_days.push_back(d == -1 ? "最后一天"
                         : d < 0 ? "倒数第" + std::to_string(-d) + "天"
                                 : std::to_string(d) + "日");
  date::year_month_day start{date::floor<date::days>(local_start_of(e))};
  if (r.freq == "DAILY" && days.empty() && numbered.empty() && month_days.empty() && r.by_month.empty())
    return r.interval == 1 ? "每天" : "每" + count(r.interval) + "天";
  if (r.freq == "WEEKLY" && numbered.empty() && month_days.empty() && r.by_month.empty()) {
    if (days.empty())
      days.push_back(
          days_zh[date::weekday{date::sys_days{date::floor<date::days>(local_start_of(e)).time_since_epoch()}}
                      .c_encoding()]);
    if (days.size() == 5 && r.by_day.size() == 5 &&
        std::none_of(r.by_day.begin(), r.by_day.end(), [](auto p) { return p.second == 0 || p.second == 6; }))
      return r.interval == 1 ? "每个工作日" : "每" + count(r.interval) + week + "的工作日";
    return r.interval == 1 ? "每" + joined(days) : "每" + count(r.interval) + week + "的" + joined(days);
  }
  std::string period = r.interval == 1 ? "每月" : "每" + count(r.interval) + "个月的";
  if (r.freq == "MONTHLY" && days.empty() && r.by_month.empty() && (numbered.empty() || month_days.empty())) {
    if (numbered.empty() && month_days.empty())
      month_days.push_back(std::to_string(static_cast<unsigned>(start.day())) + "日");
    return period + joined(numbered.empty() ? month_days : numbered);
  }
  if (r.freq == "YEARLY" && days.empty() && month_days.empty() && numbered.size() <= 1) {
    std::string years = r.interval == 1 ? "每年" : "每" + count(r.interval) + "年的";
    if (numbered.empty() && r.by_month.empty())
      return years + std::to_string(static_cast<unsigned>(start.month())) + "月" +
             std::to_string(static_cast<unsigned>(start.day())) + "日";
    if (!numbered.empty() && r.by_month.size() == 1) return years + std::to_string(r.by_month[0]) + "月" + numbered[0];
  }
  return "";
}

// The few characters of these phrases that Traditional Chinese writes otherwise.
std::string to_traditional(std::string s) {
  static const std::pair<const char*, const char*> map[] = {{"两", "兩"}, {"个", "個"}, {"复", "複"},
                                                            {"仅", "僅"}, {"续", "續"}, {"后", "後"},
                                                            {"数", "數"}, {"时", "時"}, {"周", "週"}};
  for (const auto& [from, to] : map)
    for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + std::strlen(to)))
      s.replace(at, std::strlen(from), to);
  return s;
}

// The phrases of describe_series in one language; describe_with puts them together.
struct SeriesWords {
  std::string (*rule)(const RecurrenceRule&, const Event&);  // "" when words would not say it exactly
  std::string (*raw_rule)(const std::string& rrule);
  std::string (*dates)(size_t count);  // a series of dates only (RDATE, no rule)
  std::string (*all_day)(long days);
  std::string (*same_day)(const std::string& from, const std::string& to, const std::string& zone);
  std::string (*long_span)(const std::string& from, const std::string& zone, long hours);
  std::string (*until)(date::year_month_day);
  std::string (*count)(int times);
  std::string (*more)(size_t dates);
  std::string (*except)(size_t dates);
};

std::string plural(size_t n, const char* word) { return std::to_string(n) + " " + word + (n > 1 ? "s" : ""); }
std::string number(long n) { return std::to_string(n); }

const SeriesWords english_words = {
    rule_words,
    [](const std::string& r) { return "repeating (" + r + ")"; },  // the rule says it all
    [](size_t n) { return "on " + plural(n, "date"); },
    [](long days) {
      return days > 1 ? ", " + number(days) + " days from its start, all day" : std::string(", all day");
    },
    [](const std::string& from, const std::string& to, const std::string& zone) {
      return ", " + from + "–" + to + " " + zone;
    },
    [](const std::string& from, const std::string& zone, long hours) {  // when it starts and how long it lasts
      return ", from " + from + " " + zone + " for " + number(hours) + " hours";
    },
    [](date::year_month_day d) { return ", until " + long_date(date::local_days{d}); },
    [](int n) { return n == 1 ? std::string(", once") : ", " + number(n) + " times"; },
    [](size_t n) { return ", and on " + number(static_cast<long>(n)) + " more date" + (n > 1 ? "s" : ""); },
    [](size_t n) { return ", except " + plural(n, "date"); },
};

const SeriesWords chinese_words = {
    // Simplified; to_traditional makes Traditional
    rule_words_zh,
    [](const std::string& r) { return "重复（" + r + "）"; },
    [](size_t n) { return "共" + number(static_cast<long>(n)) + "个日期"; },
    [](long days) { return days > 1 ? "，每次" + number(days) + "天，全天" : std::string("，全天"); },
    [](const std::string& from, const std::string& to, const std::string& zone) {
      return " " + from + "–" + to + " " + zone;
    },
    [](const std::string& from, const std::string& zone, long hours) {
      return " " + from + " " + zone + "起，持续" + number(hours) + "小时";
    },
    [](date::year_month_day d) {
      return "，直到" + number(static_cast<int>(d.year())) + "年" + number(static_cast<unsigned>(d.month())) + "月" +
             number(static_cast<unsigned>(d.day())) + "日";
    },
    [](int n) { return n == 1 ? std::string("，仅一次") : "，共" + number(n) + "次"; },
    [](size_t n) { return "，另加" + number(static_cast<long>(n)) + "个日期"; },
    [](size_t n) { return "，除去" + number(static_cast<long>(n)) + "个日期"; },
};

std::string describe_with(const Event& e, const SeriesWords& w) {
  const RecurrenceRule* rule = e.series().rule ? &*e.series().rule : nullptr;
  std::string words = rule ? w.rule(*rule, e) : "";
  if (rule && words.empty()) return w.raw_rule(rrule_value(*rule, e));
  std::string s = rule ? words : w.dates(e.series().rdates.size() + 1);
  LocalSeconds ls = local_start_of(e), le = e.all_day ? LocalSeconds{e.end_day} : e.local_end();
  if (e.all_day)
    s += w.all_day(date::floor<date::days>(le - date::floor<date::days>(ls)).count());
  else if (date::floor<date::days>(ls) == date::floor<date::days>(le))
    s += w.same_day(date::format("%R", ls), date::format("%R", le), e.zone_name());
  else
    s += w.long_span(date::format("%R", ls), e.zone_name(),
                     std::chrono::duration_cast<std::chrono::hours>(le - ls).count());
  if (rule && rule->until) s += w.until(date::year_month_day{date::floor<date::days>(*rule->until)});
  if (rule && rule->count) s += w.count(rule->count);
  size_t more = e.series().rdates.size(), except = e.series().exdates.size();
  if (rule && more) s += w.more(more);
  if (except) s += w.except(except);
  return s;
}

}  // namespace

std::string describe_series(const Event& e, std::string_view lang) {
  if (!e.recurs()) return "";
  std::string tag = to_lower_ascii(lang);
  std::replace(tag.begin(), tag.end(), '_', '-');  // zh_TW as zh-TW, as the page's catalogue reads it
  if (!starts_with(tag, "zh")) return describe_with(e, english_words);
  bool traditional = false;  // the same test as ui_text's catalogue_tag, so dates and words agree
  for (const char* part : {"hant", "-tw", "-hk", "-mo"})
    traditional = traditional || tag.find(part) != std::string::npos;
  return traditional ? to_traditional(describe_with(e, chinese_words)) : describe_with(e, chinese_words);
}

}  // namespace evfeed
