// render_calendar / vtimezone_text / refold_ical: the output is parsed back with libical
// and every time is converted through the VTIMEZONE written in the file itself.
#include <libical/ical.h>

#include "evfeed/version.hpp"
#include "test_support.hpp"

using namespace evfeed;
using namespace evtest;
using namespace std::chrono;

namespace {

struct Cal {
  icalcomponent* c = nullptr;
  explicit Cal(const std::string& text) : c(icalparser_parse_string(text.c_str())) {}
  ~Cal() {
    if (c) icalcomponent_free(c);
  }
  Cal(const Cal&) = delete;
  Cal& operator=(const Cal&) = delete;

  std::vector<icalcomponent*> children(icalcomponent_kind kind) const {
    std::vector<icalcomponent*> out;
    for (auto* x = icalcomponent_get_first_component(c, kind); x; x = icalcomponent_get_next_component(c, kind))
      out.push_back(x);
    return out;
  }
  std::vector<icalcomponent*> events() const { return children(ICAL_VEVENT_COMPONENT); }
  std::vector<icalcomponent*> timezones() const { return children(ICAL_VTIMEZONE_COMPONENT); }
};

// The instant of a DTSTART/DTEND property: UTC as written, or the local time converted
// with the VTIMEZONE of this calendar (never libical's built-in zones).
struct Instant {
  bool is_date = false;
  bool has_tzid = false;
  std::string tzid;
  std::string iso;  // UTC, RFC 3339; for dates "YYYYMMDD"
};

Instant instant_of(const Cal& cal, icalproperty* p) {
  Instant r;
  REQUIRE(p);
  icaltimetype t = icalvalue_get_datetime(icalproperty_get_value(p));
  if (t.is_date) {
    r.is_date = true;
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d%02d%02d", t.year, t.month, t.day);
    r.iso = buf;
    return r;
  }
  icalparameter* tz = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER);
  time_t secs;
  if (tz) {
    r.has_tzid = true;
    r.tzid = icalparameter_get_tzid(tz);
    icaltimezone* zone = icalcomponent_get_timezone(cal.c, r.tzid.c_str());
    INFO("TZID " << r.tzid << " must have a VTIMEZONE in the file");
    REQUIRE(zone);
    secs = icaltime_as_timet_with_zone(t, zone);
  } else {
    REQUIRE(icaltime_is_utc(t));  // floating times are not allowed in events
    secs = icaltime_as_timet_with_zone(t, icaltimezone_get_utc_timezone());
  }
  r.iso = iso_utc(SysSeconds{Seconds{secs}});
  return r;
}

Instant dtstart(const Cal& cal, icalcomponent* ev) {
  return instant_of(cal, icalcomponent_get_first_property(ev, ICAL_DTSTART_PROPERTY));
}
Instant dtend(const Cal& cal, icalcomponent* ev) {
  return instant_of(cal, icalcomponent_get_first_property(ev, ICAL_DTEND_PROPERTY));
}

CalendarOptions opts(const std::string& name = "Test calendar") {
  CalendarOptions o;
  o.name = name;
  o.description = "Events for tests";
  o.url = "https://events.example.org/calendar.ics";
  return o;
}

std::string render_one(const Event& e, const Sequences& seq = {}, const SiteConfig& site = test_site()) {
  return render_calendar({&e}, site, opts(), seq);
}

// An event built directly (renderers must cope with any strings, not only parsed pages).
Event raw_event(const std::string& title) {
  Event e;
  e.identity = "event/raw";
  e.slug = "raw";
  e.lang = "en";
  e.title = title;
  e.zone = find_zone("Asia/Shanghai");
  e.start = utc("2019-11-24T05:00:00Z");
  e.end = e.start + hours{2};
  e.updated = e.start;
  e.url = "https://events.example.org/event/raw/";
  return e;
}

void check_lines(const std::string& text) {
  auto r = check_ical_lines(text);
  CHECK(r.ends_with_crlf);
  CHECK(r.bare_lf == 0);
  CHECK(r.too_long == 0);
  CHECK(r.bad_utf8 == 0);
  CHECK(r.max_octets <= 75);
}

// Does `block` hold an RRULE line with these parts (in any order)?
bool has_rrule(const std::string& block, std::vector<std::string> parts) {
  for (const auto& line : unfold_ical(block)) {
    if (!starts_with(line, "RRULE:")) continue;
    auto got = split(line.substr(6), ';');
    bool all = true;
    for (const auto& p : parts) all = all && std::find(got.begin(), got.end(), p) != got.end();
    if (all) return true;
  }
  return false;
}

// Text between BEGIN:VTIMEZONE ... END:VTIMEZONE for one TZID.
std::string vtimezone_block(const std::string& text, const std::string& tzid) {
  size_t at = text.find("BEGIN:VTIMEZONE\r\nTZID:" + tzid + "\r\n");
  if (at == std::string::npos) return "";
  size_t end = text.find("END:VTIMEZONE\r\n", at);
  return text.substr(at, end - at);
}

}  // namespace

TEST_CASE("seed calendar: TZID, UID, SEQUENCE and the instant via the file's VTIMEZONE", "[ics][seed]") {
  SiteConfig site = test_site();
  site.base_url = "https://events.servicemesher.example/";
  Event e = event_from(seed_text(), site, "en/event/service-mesh-meetup-08.md");
  std::string text = render_one(e, {}, site);
  check_lines(text);
  CHECK(ical_line(text, "DTSTART") == "DTSTART;TZID=Asia/Shanghai:20191124T130000");
  CHECK(ical_line(text, "DTEND") == "DTEND;TZID=Asia/Shanghai:20191124T150000");
  CHECK(ical_line(text, "UID") == "UID:event/service-mesh-meetup-08@events.servicemesher.example");
  CHECK(ical_line(text, "SEQUENCE") == "SEQUENCE:0");
  CHECK(ical_line(text, "DTSTAMP") == "DTSTAMP:20191124T050000Z");

  Cal cal(text);
  REQUIRE(cal.c);
  CHECK(icalcomponent_count_errors(cal.c) == 0);
  REQUIRE(cal.events().size() == 1);
  icalcomponent* ev = cal.events()[0];
  auto s = dtstart(cal, ev);
  CHECK(s.tzid == "Asia/Shanghai");
  CHECK(s.iso == "2019-11-24T05:00:00Z");
  CHECK(dtend(cal, ev).iso == "2019-11-24T07:00:00Z");
  CHECK(std::string(icalcomponent_get_summary(ev)) == "Service Mesh Meetup #8");
  CHECK(std::string(icalcomponent_get_location(ev)) == "Beijing, China");
  std::string desc = icalcomponent_get_description(ev);
  CHECK_THAT(desc, Catch::Contains("- 曾凡松, 阿里巴巴高级技术专家"));
  CHECK_THAT(desc, Catch::Contains("- 吴天龙, 阿里巴巴函数计算技术专家"));
  CHECK_THAT(desc, Catch::Contains("Sign up: https://tech.antfin.com/community/activities/985"));
  CHECK_THAT(desc, Catch::EndsWith("https://events.servicemesher.example/event/service-mesh-meetup-08/"));
}

TEST_CASE("post-1991 Shanghai: one STANDARD observance, no DAYLIGHT, no RRULE", "[ics][vtimezone]") {
  Event e = event_from(seed_text(), test_site(), "en/event/service-mesh-meetup-08.md");
  std::string text = render_one(e);
  std::string tz = vtimezone_block(text, "Asia/Shanghai");
  REQUIRE_FALSE(tz.empty());
  CHECK(count_of(text, "BEGIN:VTIMEZONE") == 1);
  CHECK(count_of(tz, "BEGIN:STANDARD") == 1);
  CHECK(count_of(tz, "BEGIN:DAYLIGHT") == 0);
  CHECK(count_of(tz, "RRULE") == 0);
  CHECK_THAT(tz, Catch::Contains("TZOFFSETTO:+0800"));
}

TEST_CASE("1988 Shanghai summer time: DAYLIGHT +0900 in the VTIMEZONE", "[ics][vtimezone][dst]") {
  Event summer = event_from("---\ntitle: summer\ndate: 1988-06-01T12:00:00\n---\n", test_site(), "event/summer.md");
  Event winter = event_from("---\ntitle: winter\ndate: 1988-12-01T12:00:00\n---\n", test_site(), "event/winter.md");
  CHECK(iso_utc(summer.start) == "1988-06-01T03:00:00Z");
  std::string text = render_calendar({&summer, &winter}, test_site(), opts(), {});
  check_lines(text);
  std::string tz = vtimezone_block(text, "Asia/Shanghai");
  REQUIRE_FALSE(tz.empty());
  CHECK_THAT(tz, Catch::Contains("BEGIN:DAYLIGHT"));
  CHECK_THAT(tz, Catch::Contains("TZOFFSETTO:+0900"));
  CHECK_THAT(tz, Catch::Contains("BEGIN:STANDARD"));
  CHECK_THAT(text, Catch::Contains("DTSTART;TZID=Asia/Shanghai:19880601T120000"));

  Cal cal(text);
  REQUIRE(cal.c);
  CHECK(icalcomponent_count_errors(cal.c) == 0);
  auto evs = cal.events();
  REQUIRE(evs.size() == 2);
  CHECK(dtstart(cal, evs[0]).iso == "1988-06-01T03:00:00Z");
  CHECK(dtend(cal, evs[0]).iso == "1988-06-01T05:00:00Z");
  CHECK(dtstart(cal, evs[1]).iso == "1988-12-01T04:00:00Z");
}

TEST_CASE("New York spring gap: written as the shifted wall time, same instant", "[ics][dst]") {
  Event e = event_from("---\ntitle: gap\ndate: 2019-03-10T02:30:00\ntimezone: America/New_York\n---\n");
  std::string text = render_one(e);
  CHECK(ical_line(text, "DTSTART") == "DTSTART;TZID=America/New_York:20190310T033000");
  Cal cal(text);
  REQUIRE(cal.c);
  REQUIRE(cal.events().size() == 1);
  CHECK(dtstart(cal, cal.events()[0]).iso == "2019-03-10T07:30:00Z");
  CHECK(dtend(cal, cal.events()[0]).iso == "2019-03-10T09:30:00Z");
}

TEST_CASE("New York autumn overlap: first occurrence, unambiguous in the file", "[ics][dst]") {
  Event e = event_from("---\ntitle: overlap\ndate: 2019-11-03T01:30:00\ntimezone: America/New_York\n---\n");
  std::string text = render_one(e);
  // 01:30 happens twice that night: the file states the instant in UTC.
  CHECK(ical_line(text, "DTSTART") == "DTSTART:20191103T053000Z");
  CHECK(ical_line(text, "DTEND") == "DTEND;TZID=America/New_York:20191103T023000");
  Cal cal(text);
  REQUIRE(cal.c);
  REQUIRE(cal.events().size() == 1);
  CHECK(dtstart(cal, cal.events()[0]).iso == "2019-11-03T05:30:00Z");
  CHECK(dtend(cal, cal.events()[0]).iso == "2019-11-03T07:30:00Z");
}

TEST_CASE("New York 2024: yearly rules folded into RRULEs", "[ics][vtimezone]") {
  Event winter = event_from("---\ntitle: w\ndate: 2024-01-15T12:00:00\ntimezone: America/New_York\n---\n", test_site(),
                            "event/w.md");
  Event summer = event_from("---\ntitle: s\ndate: 2024-07-04T18:00:00\ntimezone: America/New_York\n---\n", test_site(),
                            "event/s.md");
  std::string text = render_calendar({&winter, &summer}, test_site(), opts(), {});
  check_lines(text);
  std::string tz = vtimezone_block(text, "America/New_York");
  REQUIRE_FALSE(tz.empty());
  CHECK(has_rrule(tz, {"FREQ=YEARLY", "BYMONTH=3", "BYDAY=2SU"}));
  CHECK(has_rrule(tz, {"FREQ=YEARLY", "BYMONTH=11", "BYDAY=1SU"}));
  CHECK(count_of(tz, "UNTIL=") == 0);
  CHECK_THAT(tz, Catch::Contains("TZOFFSETTO:-0400"));
  CHECK_THAT(tz, Catch::Contains("TZOFFSETTO:-0500"));
  Cal cal(text);
  REQUIRE(cal.c);
  CHECK(icalcomponent_count_errors(cal.c) == 0);
  auto evs = cal.events();
  REQUIRE(evs.size() == 2);
  CHECK(dtstart(cal, evs[0]).iso == "2024-01-15T17:00:00Z");
  CHECK(dtstart(cal, evs[1]).iso == "2024-07-04T22:00:00Z");
}

TEST_CASE("all-day and multi-day events use VALUE=DATE with an exclusive DTEND", "[ics][allday]") {
  Event one = event_from("---\ntitle: one\ndate: 2026-06-20\n---\n", test_site(), "event/one.md");
  Event multi =
      event_from("---\ntitle: multi\ndate: 2026-06-20\nendDate: 2026-06-22\n---\n", test_site(), "event/multi.md");
  Event timed = event_from("---\ntitle: timed\ndate: 2019-11-24T13:00:00+08:00\nall_day: true\n---\n", test_site(),
                           "event/timed.md");
  std::string text = render_calendar({&one, &multi, &timed}, test_site(), opts(), {});
  check_lines(text);
  CHECK(count_of(text, "BEGIN:VTIMEZONE") == 0);  // dates need no zone
  Cal cal(text);
  REQUIRE(cal.c);
  CHECK(icalcomponent_count_errors(cal.c) == 0);
  auto evs = cal.events();
  REQUIRE(evs.size() == 3);
  auto s0 = dtstart(cal, evs[0]), e0 = dtend(cal, evs[0]);
  CHECK(s0.is_date);
  CHECK(s0.iso == "20260620");
  CHECK(e0.iso == "20260621");
  CHECK(dtstart(cal, evs[1]).iso == "20260620");
  CHECK(dtend(cal, evs[1]).iso == "20260623");
  // all_day: true with a time: the day of that time.
  CHECK(dtstart(cal, evs[2]).is_date);
  CHECK(dtstart(cal, evs[2]).iso == "20191124");
  CHECK(dtend(cal, evs[2]).iso == "20191125");
  CHECK(count_of(text, "DTSTART;VALUE=DATE:") == 3);
  CHECK(count_of(text, "DTEND;VALUE=DATE:") == 3);
  CHECK(count_of(text, "TRANSP:TRANSPARENT") == 3);
}

TEST_CASE("an offset from another zone gets its own fixed VTIMEZONE", "[ics][zone]") {
  Event e = event_from("---\ntitle: x\ndate: 2021-05-18T09:00:00-07:00\n---\n");
  std::string text = render_one(e);
  CHECK(ical_line(text, "DTSTART") == "DTSTART;TZID=Etc/GMT+7:20210518T090000");
  std::string tz = vtimezone_block(text, "Etc/GMT+7");
  REQUIRE_FALSE(tz.empty());
  CHECK_THAT(tz, Catch::Contains("TZOFFSETTO:-0700"));
  CHECK(count_of(tz, "BEGIN:DAYLIGHT") == 0);
  Cal cal(text);
  REQUIRE(cal.c);
  CHECK(dtstart(cal, cal.events()[0]).iso == "2021-05-18T16:00:00Z");

  Event odd = event_from("---\ntitle: x\ndate: 2021-05-18T09:00:00+05:30\n---\n");
  std::string odd_text = render_one(odd);
  CHECK(ical_line(odd_text, "DTSTART") == "DTSTART:20210518T033000Z");
}

TEST_CASE("several zones in one calendar: every TZID has its VTIMEZONE", "[ics][zone]") {
  Event a = event_from(seed_text(), test_site(), "en/event/service-mesh-meetup-08.md");
  Event b = event_from("---\ntitle: ny\ndate: 2024-07-04T18:00:00\ntimezone: America/New_York\n---\n", test_site(),
                       "event/ny.md");
  Event c = event_from("---\ntitle: berlin\ndate: 2024-03-31T10:00:00\ntimezone: Europe/Berlin\n---\n", test_site(),
                       "event/berlin.md");
  Event d =
      event_from("---\ntitle: utc\ndate: 2024-03-31T10:00:00Z\ntimezone: UTC\n---\n", test_site(), "event/utc.md");
  std::string text = render_calendar({&a, &b, &c, &d}, test_site(), opts(), {});
  check_lines(text);
  CHECK(count_of(text, "BEGIN:VTIMEZONE") == 3);
  CHECK(has_rrule(vtimezone_block(text, "Europe/Berlin"), {"BYMONTH=3", "BYDAY=-1SU"}));
  CHECK(has_rrule(vtimezone_block(text, "Europe/Berlin"), {"BYMONTH=10", "BYDAY=-1SU"}));
  Cal cal(text);
  REQUIRE(cal.c);
  CHECK(icalcomponent_count_errors(cal.c) == 0);
  auto evs = cal.events();
  REQUIRE(evs.size() == 4);
  CHECK(dtstart(cal, evs[0]).iso == "2019-11-24T05:00:00Z");
  CHECK(dtstart(cal, evs[1]).iso == "2024-07-04T22:00:00Z");
  CHECK(dtstart(cal, evs[2]).iso == "2024-03-31T08:00:00Z");  // CEST began at 01:00Z that day
  CHECK_FALSE(dtstart(cal, evs[3]).has_tzid);
  CHECK(dtstart(cal, evs[3]).iso == "2024-03-31T10:00:00Z");
}

TEST_CASE("TEXT values are escaped and read back unchanged", "[ics][escape]") {
  Event e = raw_event("a,b;c\\d\nnext line");
  e.location = "上海市徐汇区, 蚂蚁 Z 空间; 1F\\A";
  e.summary = "Line one\nLine two, with; punctuation\\";
  std::string text = render_one(e);
  check_lines(text);
  CHECK(ical_line(text, "SUMMARY:") == "SUMMARY:a\\,b\\;c\\\\d\\nnext line");
  CHECK(ical_line(text, "LOCATION:") == "LOCATION:上海市徐汇区\\, 蚂蚁 Z 空间\\; 1F\\\\A");
  Cal cal(text);
  REQUIRE(cal.c);
  icalcomponent* ev = cal.events().at(0);
  CHECK(std::string(icalcomponent_get_summary(ev)) == "a,b;c\\d\nnext line");
  CHECK(std::string(icalcomponent_get_location(ev)) == "上海市徐汇区, 蚂蚁 Z 空间; 1F\\A");
  CHECK_THAT(std::string(icalcomponent_get_description(ev)),
             Catch::StartsWith("Line one\nLine two, with; punctuation\\"));
}

TEST_CASE("control characters are stripped and invalid UTF-8 replaced", "[ics][escape]") {
  // Raw bytes in the file and YAML escapes in values: the model drops or replaces both
  // (event.hpp's contract) and the calendar carries none of them.
  Built b = build_from(
      "---\ntitle: \"ctrl[\x01]del[\\x7f]esc[\\e]bad[\xC3\x28] 中文 🎉 ]]> </title>\"\n"
      "date: 2019-11-24T13:00:00+08:00\nsummary: \"nul-free \\x02 text \xFF\"\nlocation: \"room\\v 5\"\n"
      "speakers:\n  - name: \"Name\\x01\"\n    designation: \"Role\\x7f\"\ntopics: [\"topic\\x01\"]\n---\n"
      "body \x01 with \xC3\x28 bytes and 🎉\n");
  REQUIRE(b.ok);
  std::string text = render_one(b.event);
  check_lines(text);
  size_t bad_at = text.find_first_of(std::string("\x01\x02\x0b\x1b\x7f", 5));
  CHECK(bad_at == std::string::npos);
  CHECK(is_valid_utf8(text));
  Cal cal(text);
  REQUIRE(cal.c);
  CHECK(icalcomponent_count_errors(cal.c) == 0);
  std::string summary = icalcomponent_get_summary(cal.events().at(0));
  CHECK(summary == "ctrl[]del[]esc[]bad[\xEF\xBF\xBD(] 中文 🎉 ]]> </title>");
  CHECK(std::string(icalcomponent_get_location(cal.events().at(0))) == "room 5");
}

TEST_CASE("very long values fold at 75 octets without splitting characters", "[ics][fold]") {
  std::string title;
  for (int i = 0; i < 6; ++i) title += "蚂蚁金服双十一 Service Mesh 超大规模落地实践，";
  Event e = raw_event(title + " a,b;c\\d");
  std::string para;
  for (int i = 0; i < 40; ++i) para += "双\\";
  e.summary = para + std::string(300, 'x') + "🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉";
  e.body_markdown = std::string(500, 'y');
  std::string text = render_one(e);
  check_lines(text);
  Cal cal(text);
  REQUIRE(cal.c);
  icalcomponent* ev = cal.events().at(0);
  CHECK(std::string(icalcomponent_get_summary(ev)) == title + " a,b;c\\d");
  CHECK_THAT(std::string(icalcomponent_get_description(ev)), Catch::StartsWith(e.summary));
}

TEST_CASE("refold_ical", "[ics][fold]") {
  std::string long_line = "DESCRIPTION:" + std::string(200, 'a');
  std::string utf8_line = "SUMMARY:";
  for (int i = 0; i < 60; ++i) utf8_line += "é中🎉";
  std::string folded = refold_ical("BEGIN:VCALENDAR\n" + long_line + "\r\n" + utf8_line + "\nEND:VCALENDAR");
  check_lines(folded);
  auto lines = unfold_ical(folded);
  REQUIRE(lines.size() == 4);
  CHECK(lines[1] == long_line);
  CHECK(lines[2] == utf8_line);
  // Already folded input (and a fold between CR and LF) unfolds first.
  CHECK(refold_ical("A:b\r\n c\r\n") == "A:bc\r\n");
  CHECK(refold_ical("A:b\r\r\n") == "A:b\r\n");
  // A line of exactly 75 octets stays on one line.
  std::string exact = "X:" + std::string(73, 'z');
  CHECK(refold_ical(exact) == exact + "\r\n");
  CHECK(refold_ical(exact + "z") == exact + "\r\n z\r\n");
}

TEST_CASE("UID is built from the identity and the host: stable across edits", "[ics][uid]") {
  SiteConfig https = test_site();
  SiteConfig http = test_site();
  http.base_url = "http://events.example.org/";
  Event a = event_from("---\ntitle: First title\ndate: 2019-11-24T13:00:00+08:00\n---\n", https, "en/event/x.md");
  Event b =
      event_from("---\ntitle: Renamed\ndate: 2020-01-01T10:00:00+08:00\nslug: other\n---\n", https, "zh/event/x.md");
  CHECK(event_uid(a, https) == "event/x@events.example.org");
  CHECK(event_uid(a, https) == event_uid(b, https));
  CHECK(event_uid(a, https) == event_uid(a, http));
  CHECK(ical_line(render_one(a), "UID") == "UID:event/x@events.example.org");
  // Rendering twice gives the same bytes.
  CHECK(render_one(a) == render_one(a));
}

TEST_CASE("calendar header, SEQUENCE, STATUS, CATEGORIES, IMAGE and alarms", "[ics][props]") {
  Event e = event_from(
      "---\ntitle: t\ndate: 2019-11-24T13:00:00+08:00\nstatus: cancelled\ntopic: \"云原生,Service Mesh\"\n"
      "tags: [k8s]\nimage: /img/a.png\n---\n",
      test_site(), "event/x.md");
  CalendarOptions o = opts("Name, with; specials\\");
  o.alarms = true;
  SiteConfig site = test_site();
  site.alarm_before = hours{24};
  std::string text = render_calendar({&e}, site, o, {{"event/x", 3}});
  check_lines(text);
  auto lines = unfold_ical(text);
  REQUIRE(lines.size() > 5);
  CHECK(lines[0] == "BEGIN:VCALENDAR");
  CHECK(ical_line(text, "VERSION") == "VERSION:2.0");
  CHECK(ical_line(text, "PRODID") == "PRODID:-//evfeed//evfeed " EVFEED_VERSION "//EN");
  CHECK(ical_line(text, "METHOD") == "METHOD:PUBLISH");
  CHECK(ical_line(text, "NAME:") == "NAME:Name\\, with\\; specials\\\\");
  CHECK(ical_line(text, "X-WR-CALNAME:") == "X-WR-CALNAME:Name\\, with\\; specials\\\\");
  CHECK(ical_line(text, "X-WR-TIMEZONE:") == "X-WR-TIMEZONE:Asia/Shanghai");
  CHECK(ical_line(text, "REFRESH-INTERVAL") == "REFRESH-INTERVAL;VALUE=DURATION:PT6H");
  CHECK(ical_line(text, "URL:https://events.example.org/calendar.ics") != "");
  CHECK(ical_line(text, "SEQUENCE") == "SEQUENCE:3");
  CHECK(ical_line(text, "STATUS") == "STATUS:CANCELLED");
  CHECK(count_of(text, "CATEGORIES:") == 2);
  CHECK(ical_line(text, "CATEGORIES:") == "CATEGORIES:云原生 Service Mesh");
  CHECK(ical_line(text, "IMAGE") == "IMAGE;VALUE=URI;DISPLAY=BADGE:https://events.example.org/img/a.png");
  CHECK(count_of(text, "BEGIN:VALARM") == 1);
  CHECK(ical_line(text, "TRIGGER") == "TRIGGER:-P1D");
  CHECK(ical_line(text, "ACTION") == "ACTION:DISPLAY");
  Cal cal(text);
  REQUIRE(cal.c);
  CHECK(icalcomponent_count_errors(cal.c) == 0);
}

// After 2037 the zone's TZif footer rule applies (time.hpp zone_info): libical, reading
// only the VTIMEZONE evfeed wrote, must place both events at their New York wall time.
TEST_CASE("events after 2037 still convert through the VTIMEZONE", "[ics][vtimezone]") {
  Event e = event_from("---\ntitle: far\ndate: 2040-07-04T18:00:00\ntimezone: America/New_York\n---\n", test_site(),
                       "event/far.md");
  Event w = event_from("---\ntitle: far winter\ndate: 2041-01-15T12:00:00\ntimezone: America/New_York\n---\n",
                       test_site(), "event/far-winter.md");
  std::string text = render_calendar({&e, &w}, test_site(), opts(), {});
  Cal cal(text);
  REQUIRE(cal.c);
  auto evs = cal.events();
  REQUIRE(evs.size() == 2);
  CHECK(dtstart(cal, evs[0]).iso == "2040-07-04T22:00:00Z");
  CHECK(dtstart(cal, evs[1]).iso == "2041-01-15T17:00:00Z");
}

// Regression (fixed): format_offset() drops the seconds of an offset, so the
// VTIMEZONE of an event in Shanghai's LMT era says +0805 instead of +080543 and clients
// place the event 43 s off.
TEST_CASE("LMT offsets with seconds survive in the VTIMEZONE", "[ics][vtimezone]") {
  Event e = event_from("---\ntitle: old\ndate: 1900-06-01T12:00:00\n---\n", test_site(), "event/old.md");
  CHECK(e.start_offset() == Seconds{8 * 3600 + 5 * 60 + 43});
  std::string text = render_one(e);
  Cal cal(text);
  REQUIRE(cal.c);
  CHECK(dtstart(cal, cal.events().at(0)).iso == iso_utc(e.start));
}

TEST_CASE("an empty calendar is still a valid VCALENDAR", "[ics]") {
  std::string text = render_calendar({}, test_site(), opts(), {});
  check_lines(text);
  Cal cal(text);
  REQUIRE(cal.c);
  CHECK(cal.events().empty());
  CHECK(count_of(text, "BEGIN:VCALENDAR") == 1);
  CHECK(count_of(text, "END:VCALENDAR") == 1);
}

TEST_CASE("vtimezone_text covers just the span asked for", "[ics][vtimezone]") {
  auto ny = find_zone("America/New_York");
  std::string tz = vtimezone_text(ny, utc("2024-07-04T22:00:00Z"), utc("2024-07-05T00:00:00Z"));
  CHECK(starts_with(tz, "BEGIN:VTIMEZONE\r\nTZID:America/New_York\r\n"));
  CHECK(ends_with(tz, "END:VTIMEZONE\r\n"));
  CHECK(count_of(tz, "BEGIN:DAYLIGHT") == 1);
  CHECK(count_of(tz, "BEGIN:STANDARD") == 1);
  CHECK(count_of(tz, "UNTIL=") == 0);  // the rules still hold after 2024
  // 2006 switched rules: a span across it needs UNTIL on the old rules.
  std::string across = vtimezone_text(ny, utc("2005-06-01T00:00:00Z"), utc("2008-06-01T00:00:00Z"));
  CHECK_THAT(across, Catch::Contains("UNTIL="));
  CHECK_THAT(across, Catch::Contains("BYMONTH=4"));
  CHECK_THAT(across, Catch::Contains("BYMONTH=3"));
  // Every VTIMEZONE parses as a component libical can use for conversion.
  for (const std::string& t : {tz, across}) {
    icalcomponent* c = icalparser_parse_string(t.c_str());
    REQUIRE(c);
    CHECK(icalcomponent_isa(c) == ICAL_VTIMEZONE_COMPONENT);
    icalcomponent_free(c);
  }
  std::string utc_zone =
      vtimezone_text(find_zone("Etc/GMT-8"), utc("2024-01-01T00:00:00Z"), utc("2024-01-02T00:00:00Z"));
  CHECK(count_of(utc_zone, "BEGIN:STANDARD") == 1);
  CHECK_THAT(utc_zone, Catch::Contains("TZOFFSETFROM:+0800\r\nTZOFFSETTO:+0800"));
}

TEST_CASE("New York 2005-2008 events convert through the VTIMEZONE with UNTIL rules", "[ics][vtimezone][dst]") {
  std::vector<Event> evs;
  const char* dates[] = {"2005-04-03T12:00:00", "2005-10-29T12:00:00", "2005-10-31T12:00:00", "2007-03-12T12:00:00",
                         "2007-11-03T12:00:00", "2007-11-05T12:00:00", "2008-03-08T12:00:00"};
  for (const char* d : dates)
    evs.push_back(event_from(std::string("---\ntitle: t\ndate: ") + d + "\ntimezone: America/New_York\n---\n",
                             test_site(), std::string("event/") + d + ".md"));
  std::vector<const Event*> ptrs;
  for (const auto& e : evs) ptrs.push_back(&e);
  std::string text = render_calendar(ptrs, test_site(), opts(), {});
  Cal cal(text);
  REQUIRE(cal.c);
  auto parsed = cal.events();
  REQUIRE(parsed.size() == evs.size());
  for (size_t i = 0; i < evs.size(); ++i) {
    INFO(dates[i]);
    CHECK(dtstart(cal, parsed[i]).iso == iso_utc(evs[i].start));
  }
}
