#include <tuple>

#include "evfeed/render.hpp"
#include "evfeed/text.hpp"

namespace evfeed {

namespace {

struct Transition {
  SysSeconds at;  // UTC instant of the change
  Seconds from;
  Seconds to;
  bool dst;
  std::string abbrev;
  LocalSeconds local;                            // in the `from` offset, as DTSTART wants it
  int year, month, day_of_month, weekday, week;  // week: 1..4, or -1 for "last"
  Seconds time_of_day;
};

Transition make_transition(SysSeconds at, const date::sys_info& before, const date::sys_info& after) {
  Transition t;
  t.at = at;
  t.from = before.offset;
  t.to = after.offset;
  t.dst = after.save != std::chrono::minutes{0};
  t.abbrev = after.abbrev;
  t.local = LocalSeconds{at.time_since_epoch() + before.offset};
  auto day = date::floor<date::days>(t.local);
  date::year_month_day ymd{day};
  t.year = static_cast<int>(ymd.year());
  t.month = static_cast<int>(static_cast<unsigned>(ymd.month()));
  t.day_of_month = static_cast<int>(static_cast<unsigned>(ymd.day()));
  t.weekday = static_cast<int>(date::weekday{day}.c_encoding());
  auto dim = static_cast<int>(static_cast<unsigned>((ymd.year() / ymd.month() / date::last).day()));
  t.week = t.day_of_month + 7 > dim ? -1 : (t.day_of_month - 1) / 7 + 1;
  t.time_of_day = t.local - LocalSeconds{day};
  return t;
}

auto rule_key(const Transition& t) {
  return std::make_tuple(t.dst, t.from.count(), t.to.count(), t.abbrev, t.month, t.weekday, t.week,
                         t.time_of_day.count());
}

const char* weekday_code(int wd) {
  static const char* codes[] = {"SU", "MO", "TU", "WE", "TH", "FR", "SA"};
  return codes[wd % 7];
}

void append_observance(std::string& out, const Transition& first, const std::string& rrule) {
  const char* kind = first.dst ? "DAYLIGHT" : "STANDARD";
  out += "BEGIN:";
  out += kind;
  out += "\r\nTZNAME:" + first.abbrev + "\r\nTZOFFSETFROM:" + format_utc_offset_ical(first.from) +
         "\r\nTZOFFSETTO:" + format_utc_offset_ical(first.to) + "\r\nDTSTART:" + format_local_basic(first.local) +
         "\r\n";
  if (!rrule.empty()) out += rrule + "\r\n";
  out += "END:";
  out += kind;
  out += "\r\n";
}

}  // namespace

std::string vtimezone_text(const date::time_zone* zone, SysSeconds from, SysSeconds to) {
  using namespace std::chrono;
  // Whole years around the span, so a DST zone always shows both its rules.
  auto year_of = [](SysSeconds t) { return date::year_month_day{date::floor<date::days>(t)}.year(); };
  SysSeconds span_from = SysSeconds{date::sys_days{year_of(from) / 1 / 1}};
  SysSeconds span_to = SysSeconds{date::sys_days{(year_of(to) + date::years{1}) / 1 / 1}};

  std::vector<Transition> ts;
  date::sys_info info = zone_info(zone, span_from);
  if (info.begin <= SysSeconds{date::sys_days{date::year{1800} / 1 / 1}}) {
    // No earlier transition: one observance from 1970 on.
    Transition t = make_transition(info.begin, info, info);
    t.local = LocalSeconds{date::local_days{date::year{1970} / 1 / 1}};
    t.year = 1970;
    ts.push_back(t);
  } else {
    ts.push_back(make_transition(info.begin, zone_info(zone, info.begin - seconds{1}), info));
  }
  while (info.end < span_to) {
    date::sys_info next = zone_info(zone, info.end);
    if (next.offset != info.offset || next.save != info.save || next.abbrev != info.abbrev)
      ts.push_back(make_transition(info.end, info, next));
    info = next;
  }
  // Does the zone keep following this rule after the span? Look at the next two changes.
  std::vector<Transition> after;
  for (int i = 0; i < 2 && info.end < SysSeconds{date::sys_days{date::year{2200} / 1 / 1}}; ++i) {
    date::sys_info next = zone_info(zone, info.end);
    after.push_back(make_transition(info.end, info, next));
    info = next;
  }

  // Fold runs of yearly transitions with the same rule into one RRULE.
  std::string out = "BEGIN:VTIMEZONE\r\nTZID:" + std::string(zone->name()) + "\r\n";
  std::vector<bool> used(ts.size(), false);
  for (size_t i = 0; i < ts.size(); ++i) {
    if (used[i]) continue;
    used[i] = true;
    size_t last = i;
    for (size_t j = i + 1; j < ts.size(); ++j) {
      if (used[j] || ts[j].dst != ts[i].dst) continue;
      if (rule_key(ts[j]) == rule_key(ts[i]) && ts[j].year == ts[last].year + 1) {
        used[j] = true;
        last = j;
      } else if (ts[j].year > ts[last].year) {
        break;
      }
    }
    bool continues = false;
    if (last == ts.size() - 1 || last == ts.size() - 2) {
      for (const auto& a : after)
        if (a.dst == ts[last].dst) {
          continues = rule_key(a) == rule_key(ts[last]) && a.year == ts[last].year + 1;
          break;
        }
    }
    if (ts[i].from == ts[i].to && i == 0 && ts.size() == 1) continues = false;
    std::string rrule;
    if (last != i || continues) {
      rrule = "RRULE:FREQ=YEARLY;BYMONTH=" + std::to_string(ts[i].month) + ";BYDAY=" + std::to_string(ts[i].week) +
              weekday_code(ts[i].weekday);
      if (!continues) rrule += ";UNTIL=" + format_utc_basic(ts[last].at);
    }
    append_observance(out, ts[i], rrule);
  }
  out += "END:VTIMEZONE\r\n";
  return out;
}

}  // namespace evfeed
