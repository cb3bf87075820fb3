// recurrence.hpp: series (rrule / repeat, rdate, exdate, overrides) and sessions read from
// front matter, checked, expanded, described and written. That calendar clients expand
// what evfeed writes as evfeed does is e2e.recurrence's job (four real expanders).
#include "evfeed/event_codec.hpp"
#include "evfeed/recurrence.hpp"
#include "evfeed/render.hpp"

#include "test_support.hpp"

using namespace evfeed;
using namespace evtest;
using namespace std::chrono;

namespace {

std::string page(const std::string& front_matter) { return "---\ntitle: Series\n" + front_matter + "---\nBody.\n"; }

Event series(const std::string& front_matter) { return event_from(page(front_matter)); }

std::vector<std::string> starts_utc(const Event& e, size_t limit = 100) {
  std::vector<std::string> out;
  for (const auto& o : occurrences(e, SysSeconds::min(), SysSeconds::max(), limit))
    out.push_back(format_utc_basic(o.start) + (o.cancelled ? " cancelled" : ""));
  return out;
}

}  // namespace

TEST_CASE("parse_rrule accepts RFC 5545 rules and names the part it refuses", "[recurrence]") {
  const date::time_zone* berlin = find_zone("Europe/Berlin");
  std::string err;
  auto r = parse_rrule("RRULE:freq=monthly;byday=2TH,-1fr;interval=2;count=4", berlin, &err);
  REQUIRE(r);
  CHECK(r->freq == "MONTHLY");
  CHECK(r->interval == 2);
  CHECK(r->count == 4);
  CHECK(r->by_day == std::vector<std::pair<int, int>>{{2, 4}, {-1, 5}});
  // UNTIL: a date counts the whole day; a UTC time is read in the zone.
  r = parse_rrule("FREQ=WEEKLY;UNTIL=20270101", berlin, &err);
  REQUIRE(r);
  CHECK(date::format("%F %T", *r->until) == "2027-01-01 23:59:59");
  r = parse_rrule("FREQ=WEEKLY;UNTIL=20270101T120000Z", berlin, &err);
  REQUIRE(r);
  CHECK(date::format("%F %T", *r->until) == "2027-01-01 13:00:00");

  for (auto [rule, words] : std::vector<std::pair<const char*, const char*>>{
           {"BYDAY=TH", "FREQ is missing"},
           {"FREQ=HOURLY", "DAILY, WEEKLY, MONTHLY or YEARLY"},
           {"FREQ=WEEKLY;FREQ=DAILY", "FREQ is given twice"},
           {"FREQ=WEEKLY;BYFOO=2", "unknown part BYFOO"},
           {"FREQ=WEEKLY;BYHOUR=9", "BYHOUR is not supported"},
           {"FREQ=WEEKLY;COUNT=2;UNTIL=20270101", "COUNT and UNTIL together"},
           {"FREQ=WEEKLY;COUNT=0", "COUNT=0"},
           {"FREQ=WEEKLY;COUNT=99999", "cap"},
           {"FREQ=WEEKLY;INTERVAL=0", "INTERVAL=0"},
           {"FREQ=WEEKLY;BYDAY=XX", "'XX' is not a weekday"},
           {"FREQ=WEEKLY;BYDAY=2TH", "numbered weekdays need MONTHLY or YEARLY"},
           {"FREQ=MONTHLY;BYDAY=6TH", "at most 5"},
           {"FREQ=MONTHLY;BYMONTHDAY=32", "BYMONTHDAY=32"},
           {"FREQ=YEARLY;BYMONTH=13", "BYMONTH=13"},
           {"FREQ=MONTHLY;BYDAY=TH;BYSETPOS=1", "BYSETPOS is not supported"},
           {"FREQ=WEEKLY;BYDAY=MO;WKST=SU", "WKST is not supported"},
           {"FREQ=WEEKLY;BYDAY=TH,TH", "a weekday twice"},
           {"FREQ=DAILY;BYMONTHDAY=5", "FREQ=DAILY takes no"},
           {"FREQ=WEEKLY;BYMONTHDAY=1", "FREQ=WEEKLY takes only BYDAY"},
           {"FREQ=MONTHLY;BYDAY=TH", "FREQ=MONTHLY takes numbered weekdays"},
           {"FREQ=MONTHLY;BYDAY=1TH;BYMONTHDAY=5", "not both"},
           {"FREQ=YEARLY;BYMONTH=1,2", "FREQ=YEARLY repeats the start's date"},
           {"FREQ=YEARLY;BYDAY=20MO", "at most 5"},
           {"FREQ=YEARLY;UNTIL=35000101", "after 2999"},
           {"FREQ=WEEKLY;UNTIL=tomorrow", "UNTIL=TOMORROW"},
           {"FREQ=WEEKLY;BYDAY", "is not NAME=VALUE"}}) {
    INFO(rule);
    err.clear();
    CHECK_FALSE(parse_rrule(rule, berlin, &err));
    CHECK_THAT(err, Catch::Matchers::Contains(words));
  }
}

TEST_CASE("the repeat map and the RRULE text make the same series", "[recurrence]") {
  const std::string start = "date: 2026-01-08T19:00:00\ntimezone: Europe/Berlin\nduration: 2h\n";
  for (auto [repeat, rrule] : std::vector<std::pair<std::string, std::string>>{
           {"{every: 2 weeks, on: thursday, until: 2027-01-01}", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH;UNTIL=20270101"},
           {"{every: other week, on: [Thursday], until: 2027-01-01}", "FREQ=WEEKLY;INTERVAL=2;UNTIL=20270101"},
           {"{every: month, on: second thursday, count: 10}", "FREQ=MONTHLY;BYDAY=2TH;COUNT=10"},
           {"{every: month, on: 2nd thu, count: 10}", "FREQ=MONTHLY;BYDAY=2TH;COUNT=10"},
           {"{every: weekday, count: 30}", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;COUNT=30"},
           {"{every: week, on: [monday, thursday], count: 9}", "FREQ=WEEKLY;BYDAY=MO,TH;COUNT=9"},
           {"{every: year, on: second thursday of january}", "FREQ=YEARLY;BYMONTH=1;BYDAY=2TH"},
           {"{every: 3 days, until: 2026-02-01T19:00:00}", "FREQ=DAILY;INTERVAL=3;UNTIL=20260201T190000"}}) {
    INFO(repeat << " vs " << rrule);
    Event a = series(start + "repeat: " + repeat + "\n");
    Event b = series(start + "rrule: \"" + rrule + "\"\n");
    REQUIRE(a.series().rule);
    REQUIRE(b.series().rule);
    CHECK(rrule_value(*a.series().rule, a) == rrule_value(*b.series().rule, b));
    CHECK(starts_utc(a) == starts_utc(b));
  }
}

TEST_CASE("RRULE as written: UNTIL in UTC for a timed series, a DATE all day, BYDAY left to DTSTART", "[recurrence]") {
  Event timed = series(
      "date: 2026-01-08T19:00:00\ntimezone: America/New_York\nduration: 2h\nrrule: "
      "\"FREQ=WEEKLY;BYDAY=TH;UNTIL=20261231\"\n");
  // The end of 31 December in New York, in UTC; BYDAY=TH is DTSTART's own day.
  CHECK(rrule_value(*timed.series().rule, timed) == "FREQ=WEEKLY;UNTIL=20270101T045959Z");
  // An UNTIL before the series' time of day ends the day before.
  Event early = series(
      "date: 2026-01-08T19:00:00\ntimezone: America/New_York\nduration: 2h\nrrule: "
      "\"FREQ=WEEKLY;UNTIL=20260122T180000\"\n");
  CHECK(starts_utc(early).size() == 2);
  Event all_day = series("date: 2026-03-02\ntimezone: Europe/Berlin\nrepeat: {every: week, until: 2026-05-25}\n");
  CHECK(rrule_value(*all_day.series().rule, all_day) == "FREQ=WEEKLY;UNTIL=20260525");
  CHECK(starts_utc(all_day).size() == 13);
}

TEST_CASE("occurrences apply exdate, rdate and overrides; a window and a limit bound them", "[recurrence]") {
  Event e = series(R"(date: 2026-01-07T16:00:00Z
timezone: UTC
duration: 1h
rrule: "FREQ=MONTHLY;BYDAY=1WE;COUNT=6"
rdate: 2026-08-19T16:00:00Z
exdate: 2026-05-06
overrides:
  - {date: 2026-03-04, start: 2026-03-05T17:00:00Z, title: Moved}
  - {date: 2026-04-01, cancelled: true}
)");
  CHECK(starts_utc(e) == std::vector<std::string>{"20260107T160000Z", "20260204T160000Z", "20260305T170000Z",
                                                  "20260401T160000Z cancelled", "20260603T160000Z",
                                                  "20260819T160000Z"});
  auto moved = occurrences(e, utc("2026-03-05T17:30:00Z"), utc("2026-03-06T00:00:00Z"));
  REQUIRE(moved.size() == 1);
  CHECK(moved[0].title == "Moved");
  CHECK(moved[0].end - moved[0].start == hours{1});  // a moved occurrence keeps its length
  CHECK(occurrences(e, SysSeconds::min(), SysSeconds::max(), 2).size() == 2);
  CHECK(last_end(e) == utc("2026-08-19T17:00:00Z"));
  // The shown occurrence skips a cancelled one; after the last, the last.
  CHECK(shown_occurrence(e, utc("2026-03-10T00:00:00Z")).start == utc("2026-06-03T16:00:00Z"));
  CHECK(shown_occurrence(e, utc("2030-01-01T00:00:00Z")).start == utc("2026-08-19T16:00:00Z"));

  Event open = series(
      "date: 2026-01-30T19:30:00\ntimezone: Europe/London\nduration: 2h\nrepeat: {every: month, on: last friday}\n");
  CHECK(last_end(open) == SysSeconds::max());
  auto later = occurrences(open, utc("2031-01-01T00:00:00Z"), utc("2031-03-01T00:00:00Z"));
  REQUIRE(later.size() == 2);
  CHECK(format_utc_basic(later[0].start) == "20310131T193000Z");
  auto [from, to] = zone_span(open);
  CHECK(from == open.start);
  CHECK(to - from > date::years{9});
}

TEST_CASE("sessions: one event, several times; the event spans them all", "[recurrence]") {
  Event e = series(R"(timezone: Europe/Berlin
sessions:
  - {id: day2, start: 2027-03-16T09:30:00, end: 2027-03-16T13:00:00, title: Day 2}
  - {start: 2027-03-15T09:00:00, end: 2027-03-15T12:30:00, title: Day 1, location: Room A}
)");
  REQUIRE(e.sessions().size() == 2);
  CHECK(e.sessions()[0].id == "2");  // its position in the list, sorted by time afterwards
  CHECK(e.sessions()[1].id == "day2");
  CHECK(e.start == utc("2027-03-15T08:00:00Z"));
  CHECK(e.end == utc("2027-03-16T12:00:00Z"));
  CHECK(occurrences(e, SysSeconds::min(), SysSeconds::max()).size() == 2);

  SiteConfig site = test_site();
  std::string ics = render_vevent(e, site, 0);
  CHECK(count_of(ics, "BEGIN:VEVENT") == 2);
  CHECK(count_of(ics, "RELATED-TO;RELTYPE=PARENT:" + event_uid(e, site)) == 2);
  CHECK_THAT(ics, Catch::Matchers::Contains("#session-day2@"));
  CHECK_THAT(ics, Catch::Matchers::Contains("SUMMARY:Series: Day 1"));
  CHECK_THAT(ics, Catch::Matchers::Contains("LOCATION:Room A"));
}

TEST_CASE("a series is written as RRULE, RDATE, EXDATE and RECURRENCE-ID instances in its zone", "[recurrence]") {
  Event e = series(R"(date: 2026-01-08T19:00:00
timezone: Europe/Berlin
duration: 2h
rrule: "FREQ=WEEKLY;COUNT=5"
rdate: [2026-02-20T10:00:00]
exdate: [2026-01-15]
overrides:
  - {date: 2026-01-22, cancelled: true}
)");
  SiteConfig site = test_site();
  std::string ics = render_vevent(e, site, 3);
  CHECK(count_of(ics, "BEGIN:VEVENT") == 2);
  CHECK(count_of(ics, "SEQUENCE:3") == 2);  // an instance carries the series' SEQUENCE
  CHECK_THAT(ics, Catch::Matchers::Contains("RRULE:FREQ=WEEKLY;COUNT=5"));
  CHECK_THAT(ics, Catch::Matchers::Contains("RDATE;TZID=Europe/Berlin:20260220T100000"));
  CHECK_THAT(ics, Catch::Matchers::Contains("EXDATE;TZID=Europe/Berlin:20260115T190000"));
  CHECK_THAT(ics, Catch::Matchers::Contains("RECURRENCE-ID;TZID=Europe/Berlin:20260122T190000"));
  CHECK_THAT(ics, Catch::Matchers::Contains("STATUS:CANCELLED"));

  // A UTC series carries a TZID too (Etc/GMT): clients that honour X-WR-TIMEZONE would
  // expand a UTC DTSTART in that zone.
  Event u = series("date: 2026-01-07T16:00:00Z\ntimezone: UTC\nduration: 1h\nrrule: \"FREQ=MONTHLY;BYDAY=1WE\"\n");
  std::string cal = render_calendar({&u}, site, CalendarOptions{"c", "", "", true}, {});
  CHECK_THAT(cal, Catch::Matchers::Contains("DTSTART;TZID=Etc/GMT:20260107T160000"));
  CHECK_THAT(cal, Catch::Matchers::Contains("TZID:Etc/GMT"));
  CHECK(count_of(cal, "BEGIN:VALARM") == 1);
  std::string with_alarms = render_calendar({&e}, site, CalendarOptions{"c", "", "", true}, {});
  CHECK(count_of(with_alarms, "BEGIN:VALARM") == 2);  // each VEVENT rings (calcurse needs it: validate-feeds)
}

TEST_CASE("the parse cache keeps a series, its sessions and the shown occurrence", "[recurrence][codec]") {
  Event e = series(R"(date: 2026-01-08T19:00:00
timezone: Europe/Berlin
duration: 2h
repeat: {every: month, on: [second thursday, last friday], until: 2026-12-31, except: [2026-02-12], also: [2026-03-03T19:00:00]}
overrides:
  - {date: 2026-04-09, start: 2026-04-10T18:00:00, title: Moved, location: Elsewhere}
)");
  e.edit_instances().shown = shown_occurrence(e, utc("2026-04-01T00:00:00Z"));
  Event back;
  REQUIRE(deserialize_event(serialize_event(e), back));
  CHECK(serialize_event(back) == serialize_event(e));
  CHECK(starts_utc(back) == starts_utc(e));
  CHECK(back.shown()->title == "Moved");

  Event s = series("timezone: UTC\nsessions:\n  - {start: 2027-03-15, end: 2027-03-16}\n");
  REQUIRE(deserialize_event(serialize_event(s), back));
  CHECK(serialize_event(back) == serialize_event(s));
  CHECK(back.all_day);
  CHECK(back.end_day - back.start_day == date::days{2});
}

TEST_CASE("series in words", "[recurrence]") {
  auto words = [](const std::string& fm) { return describe_series(series(fm)); };
  const std::string at = "date: 2026-01-08T19:00:00\ntimezone: Asia/Shanghai\nduration: 2h\n";
  CHECK(words(at + "repeat: {every: 2 weeks, on: thursday, until: 2027-01-01}\n") ==
        "every second Thursday, 19:00–21:00 Asia/Shanghai, until 1 January 2027");
  CHECK(words(at + "repeat: {every: month, on: second thursday, count: 10}\n") ==
        "the second Thursday of every month, 19:00–21:00 Asia/Shanghai, 10 times");
  CHECK(words(at + "rrule: FREQ=WEEKLY;BYDAY=MO,TH\nexdate: [2026-01-12]\n") ==
        "every Monday and Thursday, 19:00–21:00 Asia/Shanghai, except 1 date");
  CHECK(words(at + "rrule: FREQ=YEARLY\n") == "every year on 8 January, 19:00–21:00 Asia/Shanghai");
  CHECK(words("date: 2026-03-02\nrepeat: {every: weekday}\n") == "every weekday, all day");
  CHECK(words(at + "rrule: FREQ=WEEKLY;INTERVAL=22;COUNT=1\n") ==
        "every 22nd Thursday, 19:00–21:00 Asia/Shanghai, once");
  CHECK(words("date: 2026-01-31T19:00:00\ntimezone: UTC\nduration: 1h\nrepeat: {every: month, on: last day}\n") ==
        "the last day of every month, 19:00–20:00 UTC");
  CHECK(words("date: 2026-01-30T19:00:00\ntimezone: UTC\nduration: 1h\nrrule: FREQ=MONTHLY;BYMONTHDAY=-2\n") ==
        "the second-to-last day of every month, 19:00–20:00 UTC");
  CHECK(words("date: 2026-01-09T19:00:00\ntimezone: UTC\nduration: 39h\nrrule: FREQ=WEEKLY\n") ==
        "every Friday, from 19:00 UTC for 39 hours");
  CHECK(words("date: 2026-01-09\nend: 2026-01-11\nrrule: FREQ=WEEKLY\n") ==
        "every Friday, 3 days from its start, all day");
  CHECK(words(at) == "");
}

TEST_CASE("series in words, in Chinese for a zh page", "[recurrence]") {
  auto words = [](const std::string& fm, const char* lang) { return describe_series(series(fm), lang); };
  const std::string at = "date: 2026-01-08T19:00:00\ntimezone: Asia/Shanghai\nduration: 2h\n";
  CHECK(words(at + "repeat: {every: 2 weeks, on: thursday, until: 2027-01-01}\n", "zh") ==
        "每两周的周四 19:00–21:00 Asia/Shanghai，直到2027年1月1日");
  CHECK(words(at + "repeat: {every: month, on: second thursday, count: 10}\n", "zh-CN") ==
        "每月第二个周四 19:00–21:00 Asia/Shanghai，共10次");
  CHECK(words(at + "repeat: {every: month, on: second thursday, count: 10}\n", "zh_TW") ==
        "每月第二個週四 19:00–21:00 Asia/Shanghai，共10次");
  CHECK(words(at + "repeat: {every: month, on: second thursday, count: 10}\n", "zh-TW") ==
        "每月第二個週四 19:00–21:00 Asia/Shanghai，共10次");
  CHECK(words("date: 2026-01-30T19:00:00\ntimezone: UTC\nduration: 1h\nrrule: FREQ=MONTHLY;BYMONTHDAY=-2\n", "zh") ==
        "每月倒数第2天 19:00–20:00 UTC");
  CHECK(words("date: 2026-03-02\nrepeat: {every: weekday}\n", "zh") == "每个工作日，全天");
  // Other languages: English.
  CHECK(words(at + "rrule: FREQ=YEARLY\n", "de") == "every year on 8 January, 19:00–21:00 Asia/Shanghai");
}

TEST_CASE("series mistakes are errors at the value's line and column", "[recurrence]") {
  Built b = build_from(page("date: 2026-01-05T19:00:00\ntimezone: Europe/Berlin\nrrule: \"FREQ=WEEKLY;BYDAY=TH\"\n"));
  CHECK_FALSE(b.ok);
  REQUIRE(b.errors() == 1);
  CHECK(b.diags.items[0].line == 5);
  CHECK(b.diags.items[0].column == 8);
  CHECK_THAT(b.messages(), Catch::Matchers::Contains("not an occurrence of the rule"));

  b = build_from(
      page("date: 2026-01-08T19:00:00\ntimezone: Europe/Berlin\nrrule: FREQ=WEEKLY\nexdate: [2026-01-09]\n"));
  CHECK(b.ok);  // an exdate that matches nothing is dropped with a warning
  CHECK(b.warnings() == 1);
  CHECK(b.event.series().exdates.empty());

  b = build_from(
      page("date: 2026-03-08T02:30:00\ntimezone: America/New_York\nduration: 1h\nrrule: \"FREQ=YEARLY;COUNT=2\"\n"));
  CHECK_THAT(b.messages(), Catch::Matchers::Contains("does not exist in America/New_York"));
}
