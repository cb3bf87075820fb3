// fuzz_time: the date, time, zone and duration parsers.
//
// Input: text. The whole input goes to parse_time, parse_duration, find_zone and
// find_body_time_range; split at the first '|' it is (date, time) for parse_human_date.
//
// Invariants: nothing crashes or throws; parsed values are in range and survive a
// format/parse round trip (parse_time, parse_duration); a zone that is found resolves
// local times both ways; a body time range has minutes of a day and a real position.
#include <algorithm>
#include <exception>

#include "evfeed/time.hpp"
#include "fuzz_common.hpp"

using namespace evfeed;
using namespace std::chrono;

namespace {

int year_of(LocalSeconds t) { return static_cast<int>(date::year_month_day{date::floor<date::days>(t)}.year()); }

void check_time_value(const TimeValue& tv, std::string_view input, const char* who) {
  FUZZ_CHECK(std::labs(tv.offset.count()) <= 14 * 3600 + 59 * 60, "%s: offset %ld out of range for '%s'", who,
             static_cast<long>(tv.offset.count()), fuzz::show(input).c_str());
  int y = year_of(tv.local);
  FUZZ_CHECK(y >= 0 && y <= 9999, "%s: year %d from '%s'", who, y, fuzz::show(input).c_str());
  if (tv.kind == TimeValue::Kind::date)
    FUZZ_CHECK(date::floor<date::days>(tv.local) == tv.local, "%s: a date with a time of day from '%s'", who,
               fuzz::show(input).c_str());
  FUZZ_CHECK(is_valid_utf8(tv.comment) || !is_valid_utf8(input), "%s: comment is not valid UTF-8", who);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return 0;
  std::string text(fuzz::as_text(data, size));
  {  // exceptions are not caught: one escaping is a crash (std::terminate) with its throw site
    // --- parse_time, with a round trip through format_rfc3339 / format_local_basic.
    std::string err;
    if (auto tv = parse_time(text, &err)) {
      check_time_value(*tv, text, "parse_time");
      int y = year_of(tv->local);
      if (tv->kind == TimeValue::Kind::instant && y >= 1 && y <= 9998) {
        std::string again = format_rfc3339(tv->instant(), tv->offset);
        auto back = parse_time(again);
        FUZZ_CHECK(back && back->instant() == tv->instant(), "parse_time round trip: '%s' -> '%s' -> %s",
                   fuzz::show(text).c_str(), again.c_str(), back ? "another instant" : "unparsable");
      }
      if (tv->kind == TimeValue::Kind::local) {
        std::string again = date::format("%Y-%m-%dT%H:%M:%S", tv->local);
        auto back = parse_time(again);
        FUZZ_CHECK(back && back->local == tv->local && back->kind == TimeValue::Kind::local,
                   "parse_time local round trip: '%s' -> '%s'", fuzz::show(text).c_str(), again.c_str());
      }
    } else {
      FUZZ_CHECK(!err.empty(), "parse_time failed without a message for '%s'", fuzz::show(text).c_str());
    }

    // --- parse_human_date(date | time)
    size_t bar = text.find('|');
    std::string dpart = text.substr(0, bar);
    std::string tpart = bar == std::string::npos ? "" : text.substr(bar + 1);
    err.clear();
    if (auto tv = parse_human_date(dpart, tpart, &err))
      check_time_value(*tv, text, "parse_human_date");
    else
      FUZZ_CHECK(!err.empty(), "parse_human_date failed without a message");

    // --- parse_duration, with a round trip through format_ical_duration
    if (auto d = parse_duration(text)) {
      FUZZ_CHECK(d->count() >= 0, "negative duration %lld from '%s'", static_cast<long long>(d->count()),
                 fuzz::show(text).c_str());
      std::string ical = format_ical_duration(*d);
      auto back = parse_duration(ical);
      FUZZ_CHECK(back && *back == *d, "duration round trip: '%s' -> %lld s -> '%s' -> %lld", fuzz::show(text).c_str(),
                 static_cast<long long>(d->count()), ical.c_str(), back ? static_cast<long long>(back->count()) : -1LL);
    }

    // --- find_zone, then local <-> instant in that zone
    err.clear();
    if (const date::time_zone* z = find_zone(text, &err)) {
      LocalSeconds local = LocalSeconds{date::local_days{date::year{2021} / 3 / 14}} + hours{2} + minutes{30};
      Resolved r = resolve_local(z, local);
      LocalSeconds back = to_local(z, r.instant);
      if (!r.in_gap && !r.ambiguous)
        FUZZ_CHECK(back == local, "zone %s: local -> instant -> local differs", std::string(z->name()).c_str());
      FUZZ_CHECK(std::labs(offset_at(z, r.instant).count()) <= 15 * 3600, "zone %s: offset out of range",
                 std::string(z->name()).c_str());
    } else {
      FUZZ_CHECK(!err.empty(), "find_zone failed without a message");
    }

    // --- a time range in a page body
    if (auto r = find_body_time_range(text)) {
      int lines = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
      FUZZ_CHECK(r->line >= 1 && r->line <= lines && r->column >= 1, "body range at line %d col %d (of %d lines)",
                 r->line, r->column, lines);
      FUZZ_CHECK(r->has_range || r->day, "a range with neither times nor a day");
      if (r->has_range)
        FUZZ_CHECK(r->start_minutes >= 0 && r->start_minutes < 1440 && r->end_minutes >= 0 && r->end_minutes < 1440,
                   "body range minutes %d..%d", r->start_minutes, r->end_minutes);
      if (r->day) FUZZ_CHECK(r->day->ok(), "body range names an invalid day");
    }
  }
  return 0;
}
