// time.hpp: date strings, zones, DST gaps/overlaps, durations, body time ranges.
#include <sstream>

#include "test_support.hpp"

using namespace evfeed;
using namespace evtest;
using namespace std::chrono;

namespace {

TimeValue must_parse(const std::string& s) {
  std::string err;
  auto tv = parse_time(s, &err);
  INFO(s << " -> " << err);
  REQUIRE(tv);
  return *tv;
}

std::string zone_name(const date::time_zone* z) { return z ? std::string(z->name()) : "(null)"; }

}  // namespace

TEST_CASE("parse_time: RFC 3339 with an offset is an instant", "[time][parse]") {
  auto tv = must_parse("2019-11-24T13:00:00+08:00");
  CHECK(tv.kind == TimeValue::Kind::instant);
  CHECK(tv.offset == hours{8});
  CHECK(tv.local == local(2019, 11, 24, 13));
  CHECK(iso_utc(tv.instant()) == "2019-11-24T05:00:00Z");

  auto z = must_parse("2019-11-24T05:00:00Z");
  CHECK(z.kind == TimeValue::Kind::instant);
  CHECK(z.offset == Seconds{0});
  CHECK(z.instant() == tv.instant());

  auto lower = must_parse("2019-11-24t05:00:00z");
  CHECK(lower.instant() == tv.instant());
}

TEST_CASE("parse_time: every documented form", "[time][parse]") {
  SECTION("naive date-time without seconds") {
    auto tv = must_parse("2021-07-12T10:00");
    CHECK(tv.kind == TimeValue::Kind::local);
    CHECK(tv.local == local(2021, 7, 12, 10));
  }
  SECTION("space separator and a -0700 offset") {
    auto tv = must_parse("2021-05-18 09:00:00 -0700");
    CHECK(tv.kind == TimeValue::Kind::instant);
    CHECK(tv.offset == -hours{7});
    CHECK(iso_utc(tv.instant()) == "2021-05-18T16:00:00Z");
  }
  SECTION("single-digit hour") {
    auto tv = must_parse("2018-12-11T8:00:00");
    CHECK(tv.kind == TimeValue::Kind::local);
    CHECK(tv.local == local(2018, 12, 11, 8));
  }
  SECTION("date only") {
    auto tv = must_parse("2015-01-14");
    CHECK(tv.kind == TimeValue::Kind::date);
    CHECK(tv.local == local(2015, 1, 14));
  }
  SECTION("fractional seconds are dropped") {
    auto tv = must_parse("2019-11-24T13:00:00.123456+08:00");
    CHECK(iso_utc(tv.instant()) == "2019-11-24T05:00:00Z");
    auto comma = must_parse("2019-11-24T13:00:00,5Z");
    CHECK(iso_utc(comma.instant()) == "2019-11-24T13:00:00Z");
  }
  SECTION("trailing comment") {
    auto tv = must_parse("2023-11-23T12:00:00 # UTC!!");
    CHECK(tv.kind == TimeValue::Kind::local);
    CHECK(tv.local == local(2023, 11, 23, 12));
    CHECK(tv.comment == "UTC!!");
  }
  SECTION("offsets without a colon or without minutes") {
    CHECK(must_parse("2019-11-24T13:00:00+0800").offset == hours{8});
    CHECK(must_parse("2019-11-24T13:00:00+08").offset == hours{8});
    CHECK(must_parse("2019-11-24T13:00:00+05:30").offset == hours{5} + minutes{30});
    CHECK(must_parse("2019-11-24T13:00:00-03:30").offset == -(hours{3} + minutes{30}));
  }
  SECTION("quoted and padded text") {
    CHECK(must_parse("  '2019-11-24'  ").kind == TimeValue::Kind::date);
    CHECK(must_parse("\"2019-11-24T13:00:00+08:00\"").kind == TimeValue::Kind::instant);
  }
  SECTION("single-digit month and day") { CHECK(must_parse("2019-1-5").local == local(2019, 1, 5)); }
  SECTION("24:00 is the end of the day") { CHECK(must_parse("2019-11-24T24:00:00").local == local(2019, 11, 25)); }
}

TEST_CASE("parse_time: rejects what it cannot read, with a reason", "[time][parse][errors]") {
  for (const char* bad : {"", "yesterday", "2019-02-30", "2019-13-01", "2019-11-24T25:00:00", "2019-11-24T13:61",
                          "2019-11-24T13:00:00+15:00", "2019-11-24T13:00:00 PST", "2019-11-24X13:00", "19-11-24",
                          "2019-11-24T13", "2019-11-24T24:30:00"}) {
    std::string err;
    INFO(bad);
    CHECK_FALSE(parse_time(bad, &err).has_value());
    CHECK_FALSE(err.empty());
  }
}

TEST_CASE("parse_human_date: Jekyll event.date + event.time", "[time][parse]") {
  auto check = [](const char* d, const char* t, TimeValue::Kind kind, LocalSeconds want) {
    std::string err;
    auto tv = parse_human_date(d, t, &err);
    INFO(d << " / " << t << " -> " << err);
    REQUIRE(tv);
    CHECK(tv->kind == kind);
    CHECK(tv->local == want);
  };
  check("November 10, 2014", "6:30 PM", TimeValue::Kind::local, local(2014, 11, 10, 18, 30));
  check("November 10, 2014", "", TimeValue::Kind::date, local(2014, 11, 10));
  check("Nov 10, 2014", "18:30", TimeValue::Kind::local, local(2014, 11, 10, 18, 30));
  check("Nov. 3rd, 2015", "7pm", TimeValue::Kind::local, local(2015, 11, 3, 19));
  check("10 November 2014", "6:30 p.m.", TimeValue::Kind::local, local(2014, 11, 10, 18, 30));
  check("Monday, November 10, 2014", "12:00 AM", TimeValue::Kind::local, local(2014, 11, 10, 0));
  check("March 9, 2015", "12 PM", TimeValue::Kind::local, local(2015, 3, 9, 12));
  check("2015-03-09", "10:00 a.m.", TimeValue::Kind::local, local(2015, 3, 9, 10));
  check("2015-03-09T19:00:00", "", TimeValue::Kind::local, local(2015, 3, 9, 19));

  std::string err;
  CHECK_FALSE(parse_human_date("Smarch 10, 2014", "", &err));
  CHECK_THAT(err, Catch::Contains("date"));
  CHECK_FALSE(parse_human_date("February 30, 2014", "", &err));
  CHECK_FALSE(parse_human_date("November 10, 2014", "25:00", &err));
  CHECK_THAT(err, Catch::Contains("time"));
  CHECK_FALSE(parse_human_date("November 10, 2014", "13:00 PM", &err));
}

TEST_CASE("find_zone: IANA names, UTC and fixed offsets", "[time][zone]") {
  CHECK(zone_name(find_zone("Asia/Shanghai")) == "Asia/Shanghai");
  CHECK(zone_name(find_zone("  America/New_York ")) == "America/New_York");
  for (const char* name : {"UTC", "utc", "Z", "GMT", "Etc/UTC"}) {
    INFO(name);
    auto z = find_zone(name);
    REQUIRE(z);
    CHECK(offset_at(z, utc("2019-11-24T05:00:00Z")) == Seconds{0});
  }
  CHECK(zone_name(find_zone("UTC -7")) == "Etc/GMT+7");
  CHECK(zone_name(find_zone("UTC-7")) == "Etc/GMT+7");
  CHECK(zone_name(find_zone("GMT+8")) == "Etc/GMT-8");
  CHECK(zone_name(find_zone("+05:00")) == "Etc/GMT-5");
  CHECK(zone_name(find_zone("-0300")) == "Etc/GMT+3");
  REQUIRE(find_zone("utc+0"));
  CHECK(offset_at(find_zone("utc+0"), utc("2019-11-24T05:00:00Z")) == Seconds{0});

  std::string err;
  CHECK(find_zone("+05:30", &err) == nullptr);
  CHECK_THAT(err, Catch::Contains("whole hour"));
  CHECK(find_zone("Asia/Nowhere", &err) == nullptr);
  CHECK_THAT(err, Catch::Contains("unknown time zone"));
  CHECK(find_zone("", &err) == nullptr);
  CHECK(find_zone("UTC+15", &err) == nullptr);
}

TEST_CASE("fixed_offset_zone uses the sign-inverted Etc/GMT names", "[time][zone]") {
  REQUIRE(fixed_offset_zone(Seconds{0}));
  CHECK(offset_at(fixed_offset_zone(Seconds{0}), utc("2019-11-24T05:00:00Z")) == Seconds{0});
  CHECK(zone_name(fixed_offset_zone(hours{8})) == "Etc/GMT-8");
  CHECK(zone_name(fixed_offset_zone(-hours{7})) == "Etc/GMT+7");
  CHECK(zone_name(fixed_offset_zone(hours{14})) == "Etc/GMT-14");
  CHECK(zone_name(fixed_offset_zone(-hours{12})) == "Etc/GMT+12");
  CHECK(fixed_offset_zone(minutes{330}) == nullptr);
  CHECK(fixed_offset_zone(hours{15}) == nullptr);
  CHECK(fixed_offset_zone(-hours{13}) == nullptr);
  auto z = fixed_offset_zone(-hours{7});
  CHECK(offset_at(z, utc("2021-05-18T16:00:00Z")) == -hours{7});
}

TEST_CASE("resolve_local: America/New_York gap and overlap (RFC 5545 3.3.5)", "[time][dst]") {
  auto ny = find_zone("America/New_York");
  REQUIRE(ny);
  SECTION("spring gap: 02:30 does not exist; the offset before the gap applies") {
    auto r = resolve_local(ny, local(2019, 3, 10, 2, 30));
    CHECK(r.in_gap);
    CHECK_FALSE(r.ambiguous);
    CHECK(iso_utc(r.instant) == "2019-03-10T07:30:00Z");
    CHECK(to_local(ny, r.instant) == local(2019, 3, 10, 3, 30));  // i.e. 03:30 EDT
  }
  SECTION("autumn overlap: 01:30 happens twice; the first occurrence is taken") {
    auto r = resolve_local(ny, local(2019, 11, 3, 1, 30));
    CHECK(r.ambiguous);
    CHECK_FALSE(r.in_gap);
    CHECK(iso_utc(r.instant) == "2019-11-03T05:30:00Z");
    CHECK(offset_at(ny, r.instant) == -hours{4});
  }
  SECTION("ordinary times") {
    auto summer = resolve_local(ny, local(2019, 7, 1, 12));
    CHECK_FALSE(summer.in_gap);
    CHECK_FALSE(summer.ambiguous);
    CHECK(iso_utc(summer.instant) == "2019-07-01T16:00:00Z");
    CHECK(iso_utc(resolve_local(ny, local(2019, 1, 15, 12)).instant) == "2019-01-15T17:00:00Z");
    // The edges of the gap and the overlap.
    CHECK(iso_utc(resolve_local(ny, local(2019, 3, 10, 3)).instant) == "2019-03-10T07:00:00Z");
    CHECK(iso_utc(resolve_local(ny, local(2019, 3, 10, 1, 59)).instant) == "2019-03-10T06:59:00Z");
    CHECK(iso_utc(resolve_local(ny, local(2019, 11, 3, 2)).instant) == "2019-11-03T07:00:00Z");
  }
}

TEST_CASE("resolve_local: Asia/Shanghai summer time 1986-1991", "[time][dst]") {
  auto sh = find_zone("Asia/Shanghai");
  REQUIRE(sh);
  auto r = resolve_local(sh, local(1988, 6, 1, 12));
  CHECK(iso_utc(r.instant) == "1988-06-01T03:00:00Z");
  CHECK(offset_at(sh, r.instant) == hours{9});
  CHECK(offset_at(sh, utc("1988-12-01T00:00:00Z")) == hours{8});
  CHECK(offset_at(sh, utc("2019-11-24T05:00:00Z")) == hours{8});
  CHECK(to_local(sh, utc("2019-11-24T05:00:00Z")) == local(2019, 11, 24, 13));
}

// date/tz built with USE_OS_TZDB reads only the transitions a TZif file lists (Debian: up
// to 2037); zone_info applies the file's POSIX footer rule after them. Python's zoneinfo
// reads the same files, footer included: it decides every expected offset here.
TEST_CASE("zone offsets after 2037 agree with Python's zoneinfo (the TZif footer rule)", "[time][dst]") {
  REQUIRE(have_command("python3"));
  TempDir tmp;
  const char* zones[] = {"America/New_York", "Europe/Berlin", "Australia/Sydney", "America/Santiago",
                         "Asia/Shanghai",    "Europe/London", "Pacific/Auckland", "America/Sao_Paulo"};
  std::string zone_list;
  for (const char* z : zones) zone_list += std::string(zone_list.empty() ? "" : ",") + z;
  // Every 5 days and 7 hours from 2035 to 2062, and both sides of each change Python finds.
  std::string script =
      "import sys, datetime\nfrom zoneinfo import ZoneInfo\n"
      "start = int(datetime.datetime(2035,1,1,tzinfo=datetime.timezone.utc).timestamp())\n"
      "end = int(datetime.datetime(2062,1,1,tzinfo=datetime.timezone.utc).timestamp())\n"
      "for name in sys.argv[1].split(','):\n"
      "    z = ZoneInfo(name)\n"
      "    off = lambda t: int(datetime.datetime.fromtimestamp(t, z).utcoffset().total_seconds())\n"
      "    t = start\n"
      "    while t < end:\n"
      "        print(name, t, off(t))\n"
      "        t += 5 * 86400 + 7 * 3600\n";
  spit(tmp / "offsets.py", script);
  REQUIRE(run_shell("python3 " + shell_quote((tmp / "offsets.py").string()) + " " + zone_list + " > " +
                    shell_quote((tmp / "out.txt").string())) == 0);
  std::istringstream in(slurp(tmp / "out.txt"));
  std::string name;
  long long t = 0, offset = 0;
  size_t lines = 0, dst_after_2037 = 0;
  while (in >> name >> t >> offset) {
    ++lines;
    const date::time_zone* zone = find_zone(name);
    REQUIRE(zone);
    SysSeconds at{Seconds{t}};
    INFO(name << " at " << iso_utc(at));
    CHECK(offset_at(zone, at).count() == offset);
    // Local time and back: the same instant (first occurrence in an overlap).
    Resolved back = resolve_local(zone, to_local(zone, at));
    if (!back.ambiguous) CHECK(back.instant == at);
    if (at > utc("2038-01-01T00:00:00Z") && zone_info(zone, at).save != std::chrono::minutes{0}) ++dst_after_2037;
  }
  CHECK(lines > 8 * 1800);
  CHECK(dst_after_2037 > 1000);  // the rule really applies (half the year in five of the zones)
  // A wall time in the 2040 spring gap and autumn overlap of New York.
  auto ny = find_zone("America/New_York");
  CHECK(resolve_local(ny, local(2040, 3, 11, 2, 30)).in_gap);
  CHECK(resolve_local(ny, local(2040, 11, 4, 1, 30)).ambiguous);
}

TEST_CASE("parse_duration", "[time][duration]") {
  auto secs = [](const char* s) -> long {
    auto d = parse_duration(s);
    INFO(s);
    REQUIRE(d);
    return static_cast<long>(d->count());
  };
  CHECK(secs("PT2H") == 7200);
  CHECK(secs("pt2h") == 7200);
  CHECK(secs("P1DT2H") == 93600);
  CHECK(secs("PT1H30M") == 5400);
  CHECK(secs("PT45M") == 2700);
  CHECK(secs("PT90S") == 90);
  CHECK(secs("P1D") == 86400);
  CHECK(secs("P1W") == 604800);
  CHECK(secs("2h30m") == 9000);
  CHECK(secs("90m") == 5400);
  CHECK(secs("90 min") == 5400);
  CHECK(secs("1.5h") == 5400);
  CHECK(secs("2 hours") == 7200);
  CHECK(secs("1 hour 30 minutes") == 5400);
  CHECK(secs("3h") == 10800);
  CHECK(secs("1 day") == 86400);
  CHECK(secs(" 45 mins ") == 2700);
  for (const char* bad : {"", "P", "PT", "abc", "2x", "h2", "2h abc", "-2h", "PT2H extra", "two hours"}) {
    INFO(bad);
    CHECK_FALSE(parse_duration(bad).has_value());
  }
}

TEST_CASE("format_ical_duration", "[time][duration]") {
  CHECK(format_ical_duration(Seconds{9000}) == "PT2H30M");
  CHECK(format_ical_duration(Seconds{7200}) == "PT2H");
  CHECK(format_ical_duration(Seconds{86400}) == "P1D");
  CHECK(format_ical_duration(Seconds{-86400}) == "-P1D");
  CHECK(format_ical_duration(Seconds{93600}) == "P1DT2H");
  CHECK(format_ical_duration(Seconds{90061}) == "P1DT1H1M1S");
  CHECK(format_ical_duration(Seconds{45}) == "PT45S");
  CHECK(format_ical_duration(Seconds{0}) == "PT0S");
  CHECK(format_ical_duration(Seconds{21600}) == "PT6H");
  // Round trip through the parser.
  for (long s : {60L, 5400L, 86400L, 93600L, 90061L, 604800L})
    CHECK(parse_duration(format_ical_duration(Seconds{s}))->count() == s);
}

TEST_CASE("find_body_time_range: Chinese afternoon range with a date", "[time][body]") {
  auto r = find_body_time_range("## 关于本次活动\n\n时间：2018年7月29日（星期日）下午 1:00 - 5:30\n\n地点：上海\n");
  REQUIRE(r);
  CHECK(r->has_range);
  CHECK(r->start_minutes == 13 * 60);
  CHECK(r->end_minutes == 17 * 60 + 30);
  REQUIRE(r->day);
  CHECK(*r->day == date::year{2018} / 7 / 29);
  CHECK(r->line == 3);
  CHECK(r->column == 1);
}

TEST_CASE("find_body_time_range: English 24-hour range", "[time][body]") {
  auto r = find_body_time_range("Intro\nTime: 18:30 - 19:30\n");
  REQUIRE(r);
  CHECK(r->has_range);
  CHECK(r->start_minutes == 18 * 60 + 30);
  CHECK(r->end_minutes == 19 * 60 + 30);
  CHECK_FALSE(r->day);
  CHECK(r->line == 2);
}

TEST_CASE("find_body_time_range: list item with an en dash", "[time][body]") {
  auto r = find_body_time_range("- 地点：北京\n- 时间：9:00 – 16:00\n");
  REQUIRE(r);
  CHECK(r->has_range);
  CHECK(r->start_minutes == 9 * 60);
  CHECK(r->end_minutes == 16 * 60);
  CHECK(r->line == 2);
  CHECK(r->column == 3);  // byte column of the keyword after "- "
}

TEST_CASE("find_body_time_range: more forms", "[time][body]") {
  SECTION("a.m./p.m. with a written date") {
    auto r = find_body_time_range("When: September 21, 2022, 10:00 a.m. – 6:30 p.m.");
    REQUIRE(r);
    CHECK(r->has_range);
    CHECK(r->start_minutes == 10 * 60);
    CHECK(r->end_minutes == 18 * 60 + 30);
  }
  SECTION("PM on both ends") {
    auto r = find_body_time_range("Time: 7:00 PM - 9:00 PM");
    REQUIRE(r);
    CHECK(r->start_minutes == 19 * 60);
    CHECK(r->end_minutes == 21 * 60);
  }
  SECTION("morning to afternoon") {
    auto r = find_body_time_range("Time: 10:00 AM - 2:00 PM");
    REQUIRE(r);
    CHECK(r->start_minutes == 10 * 60);
    CHECK(r->end_minutes == 14 * 60);
  }
  SECTION("至 between the times") {
    auto r = find_body_time_range("活动时间：14:00 至 17:30");
    REQUIRE(r);
    CHECK(r->start_minutes == 14 * 60);
    CHECK(r->end_minutes == 17 * 60 + 30);
  }
  SECTION("a date without a range") {
    auto r = find_body_time_range("时间：2019年11月24日（星期六）\n\n地点：北京\n");
    REQUIRE(r);
    CHECK_FALSE(r->has_range);
    REQUIRE(r->day);
    CHECK(*r->day == date::year{2019} / 11 / 24);
  }
  SECTION("ISO date with a range") {
    auto r = find_body_time_range("When: 2022-09-21 09:00-17:00");
    REQUIRE(r);
    CHECK(r->has_range);
    REQUIRE(r->day);
    CHECK(*r->day == date::year{2022} / 9 / 21);
  }
  SECTION("no keyword, no range") {
    CHECK_FALSE(find_body_time_range("From 1:00 - 2:00 we eat lunch.\n"));
    CHECK_FALSE(find_body_time_range(""));
    CHECK_FALSE(find_body_time_range("Time: to be announced\n"));
  }
}

namespace {
using Minutes = std::pair<int, int>;
// The range a body line states, as {start, end} minutes after midnight; none without one.
std::optional<Minutes> range_minutes(const std::string& body) {
  auto r = find_body_time_range(body);
  if (!r || !r->has_range) return std::nullopt;
  return Minutes{r->start_minutes, r->end_minutes};
}
}  // namespace

TEST_CASE("find_body_time_range: times written with a full-width colon", "[time][body]") {
  CHECK(range_minutes("活动时间：14：00 至 17：30") == Minutes{14 * 60, 17 * 60 + 30});
}

TEST_CASE("find_body_time_range: words after a time are not a meridiem", "[time][body]") {
  CHECK(range_minutes("Time: 1:00 - 2:00 pizza and talks") == Minutes{60, 120});
  CHECK(range_minutes("Time: 1:00 - 2:00 p.m.") == Minutes{13 * 60, 14 * 60});
  CHECK(range_minutes("Time: 11:00 - 1:00 pm") == Minutes{11 * 60, 13 * 60});
}

TEST_CASE("find_body_time_range: the leftmost valid range wins", "[time][body]") {
  CHECK(range_minutes("Time: 123:45 - 99:00, then 9:00 to 10:30") == Minutes{9 * 60, 10 * 60 + 30});
}

// regressions/fuzz_time/body-time-range-regex-backtracking: long runs of spaces around a
// time made the old std::regex backtrack for 16 s per line; the answer must still be right.
TEST_CASE("find_body_time_range: long runs of spaces", "[time][body]") {
  std::string line = "Time:" + std::string(100, ' ') + "1:00" + std::string(290, ' ');
  std::string body;
  for (int i = 0; i < 20; ++i) body += line + "\n";
  CHECK_FALSE(find_body_time_range(body));
  CHECK(range_minutes("Time:" + std::string(150, ' ') + "9:00" + std::string(150, ' ') + "-" + std::string(80, ' ') +
                      "11:15") == Minutes{9 * 60, 11 * 60 + 15});
}

TEST_CASE("format helpers", "[time][format]") {
  auto t = utc("2019-11-24T05:00:00Z");
  CHECK(format_rfc3339(t, hours{8}) == "2019-11-24T13:00:00+08:00");
  CHECK(format_rfc3339(t, Seconds{0}) == "2019-11-24T05:00:00Z");
  CHECK(format_rfc3339(t, -hours{5}) == "2019-11-24T00:00:00-05:00");
  CHECK(format_rfc822(t, hours{8}) == "Sun, 24 Nov 2019 13:00:00 +0800");
  CHECK(format_rfc822(t, Seconds{0}) == "Sun, 24 Nov 2019 05:00:00 +0000");
  CHECK(format_utc_basic(t) == "20191124T050000Z");
  CHECK(format_local_basic(local(2019, 11, 24, 13)) == "20191124T130000");
  CHECK(format_date_basic(date::local_days{date::year{2019} / 11 / 24}) == "20191124");
  CHECK(format_offset(hours{8}, true) == "+08:00");
  CHECK(format_offset(hours{8}, false) == "+0800");
  CHECK(format_offset(-hours{7}, false) == "-0700");
  CHECK(format_offset(hours{5} + minutes{30}, true) == "+05:30");
  CHECK(format_offset(-(hours{9} + minutes{30}), true) == "-09:30");
  CHECK(format_offset(Seconds{0}, true) == "+00:00");
}
