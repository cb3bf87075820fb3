// model.hpp: language/identity from paths, build_event (schema + time zones) and the
// site-wide assemble_model pass (publishing rules, slugs, translations).
#include <atomic>
#include <set>
#include <stdexcept>

#include "evfeed/parallel.hpp"
#include "evfeed/schema.hpp"

#include "test_support.hpp"

using namespace evfeed;
using namespace evtest;
using namespace std::chrono;

namespace {

Event quick_event(const std::string& identity, const std::string& lang, const std::string& start_utc) {
  Event e;
  e.identity = identity;
  e.lang = lang;
  e.zone = find_zone("Asia/Shanghai");
  e.start = utc(start_utc);
  e.end = e.start + hours{2};
  e.updated = e.start;
  e.title = identity + " (" + lang + ")";
  e.source_path = "content/" + lang + "/" + identity + ".md";
  return e;
}

bool has_diag(const Built& b, Severity s, const std::string& text, int line = -1) {
  for (const auto& d : b.diags.items)
    if (d.severity == s && d.message.find(text) != std::string::npos && (line < 0 || d.line == line)) return true;
  return false;
}

}  // namespace

TEST_CASE("language_from_path", "[model][path]") {
  CHECK(language_from_path("en/event/x.md") == "en");
  CHECK(language_from_path("content/en/event/x.md") == "en");
  CHECK(language_from_path("zh/event/service-mesh-meetup-08.md") == "zh");
  CHECK(language_from_path("2023-11-23/index.es.md") == "es");
  CHECK(language_from_path("ropensci-commcalls/2023-11-23/index.es.md") == "es");
  CHECK(language_from_path("event/x/index.md") == "");
  CHECK(language_from_path("english/event/event-1.md") == "en");
  CHECK(language_from_path("french/event/event-1.md") == "fr");
  CHECK(language_from_path("event/x.zh-cn.md") == "zh");
  CHECK(language_from_path("pt-br/event/x.md") == "pt-BR");
  CHECK(language_from_path("2015-01-14.md") == "");
  CHECK(language_from_path("_posts/2014-11-10-go-surprises.md") == "");
  CHECK(language_from_path("x.markdown") == "");
  // The file suffix wins over the folder.
  CHECK(language_from_path("en/event/x.fr.md") == "fr");
}

TEST_CASE("identity_from_path", "[model][path]") {
  CHECK(identity_from_path("en/event/service-mesh-meetup-08.md") == "event/service-mesh-meetup-08");
  CHECK(identity_from_path("zh/event/service-mesh-meetup-08.md") == "event/service-mesh-meetup-08");
  CHECK(identity_from_path("content/en/event/x.md") == "content/event/x");
  CHECK(identity_from_path("2023-11-23/index.es.md") == "2023-11-23");
  CHECK(identity_from_path("2023-11-23/index.md") == "2023-11-23");
  CHECK(identity_from_path("event/observability-summit-2023/index.md") == "event/observability-summit-2023");
  CHECK(identity_from_path("english/event/event-1.md") == "event/event-1");
  CHECK(identity_from_path("2021-early-july.markdown") == "2021-early-july");
  CHECK(identity_from_path("2023-0205-opensearch-at-fosdem23 copy.markdown") ==
        "2023-0205-opensearch-at-fosdem23 copy");
  CHECK(identity_from_path("index.md") == "index");
  CHECK(identity_from_path("event/x.zh-cn.md") == "event/x");
  // Translations share their identity, whatever the language marker.
  CHECK(identity_from_path("en/event/a.md") == identity_from_path("zh/event/a.md"));
  CHECK(identity_from_path("x/index.md") == identity_from_path("x/index.es.md"));
}

TEST_CASE("the seed page builds the expected event", "[model][seed]") {
  SiteConfig site = test_site();
  site.base_url = "https://events.servicemesher.example/";
  Built b = build_from(seed_text(), site, "en/event/service-mesh-meetup-08.md");
  INFO(b.messages());
  REQUIRE(b.ok);
  CHECK(b.errors() == 0);
  CHECK(b.warnings() == 0);
  const Event& e = b.event;
  CHECK(e.identity == "event/service-mesh-meetup-08");
  CHECK(e.lang == "en");
  CHECK(e.title == "Service Mesh Meetup #8");
  CHECK(e.summary == "8th Service Mesh Meetup, Nov 24, 2019, Beijing, China.");
  CHECK(iso_utc(e.start) == "2019-11-24T05:00:00Z");
  REQUIRE(e.zone);
  CHECK(e.zone_name() == "Asia/Shanghai");
  CHECK(e.start_offset() == hours{8});
  CHECK(e.local_start() == local(2019, 11, 24, 13));
  CHECK_FALSE(e.all_day);
  // No end in the front matter or the body: the site's default duration (2 h).
  CHECK(e.end - e.start == site.default_duration);
  CHECK(iso_utc(e.end) == "2019-11-24T07:00:00Z");
  CHECK_THAT(e.end_source, Catch::Contains("default: the site's duration"));
  REQUIRE(e.speakers.size() == 10);
  CHECK(e.speakers[0].name == "曾凡松");
  CHECK(e.speakers[0].designation == "阿里巴巴高级技术专家");
  CHECK(e.speakers[1].name == "汪萌海");  // trailing space trimmed
  CHECK(e.speakers[9].name == "吴天龙");
  CHECK(e.speakers[9].designation == "阿里巴巴函数计算技术专家");
  CHECK(e.location == "Beijing, China");
  CHECK(e.fee == "Free");
  CHECK(e.topics == std::vector<std::string>{"Service Mesh"});
  CHECK(e.sponsor == "[ServiceMesher](https://www.servicemesher.com)");
  CHECK(e.signup_url == "https://tech.antfin.com/community/activities/985");
  CHECK(e.url == "https://events.servicemesher.example/event/service-mesh-meetup-08/");
  CHECK(e.image == "https://events.servicemesher.example/images/events/service-mesh-meetup-08-beijing.jpg");
  CHECK(e.status == EventStatus::confirmed);
  CHECK_FALSE(e.draft);
  CHECK(e.updated == e.start);
  CHECK_THAT(e.body_markdown, Catch::Contains("关于本次活动"));
}

TEST_CASE("the default end follows the site's default_duration", "[model][end]") {
  SiteConfig site = test_site();
  site.default_duration = hours{3};
  Event e = event_from(seed_text(), site, "en/event/service-mesh-meetup-08.md");
  CHECK(iso_utc(e.end) == "2019-11-24T08:00:00Z");
}

TEST_CASE("Jekyll event.date + event.time in the site zone", "[model][jekyll]") {
  SiteConfig site = test_site();
  site.timezone = "America/Chicago";
  Event e = event_from(
      "---\nlayout: event\ntitle: Go Surprises\nauthor: Ken Walters\nvenue:\n  name: DevMynd Studios\n"
      "  address: 2035 W. Wabansia Ave\nevent:\n  date: November 10, 2014\n  time: 6:30 PM\n---\nBody\n",
      site, "_posts/2014-11-10-go-surprises.md");
  CHECK(e.zone_name() == "America/Chicago");
  CHECK(e.local_start() == local(2014, 11, 10, 18, 30));
  CHECK(iso_utc(e.start) == "2014-11-11T00:30:00Z");  // CST, UTC-6
  CHECK_FALSE(e.all_day);
  CHECK(e.location == "DevMynd Studios, 2035 W. Wabansia Ave");
  REQUIRE(e.speakers.size() == 1);
  CHECK(e.speakers[0].name == "Ken Walters");
  CHECK(e.identity == "_posts/2014-11-10-go-surprises");

  Built bad = build_from("---\ntitle: x\nevent:\n  date: November 10, 2014\n  time: half past six\n---\n", site);
  CHECK_FALSE(bad.ok);
  CHECK(has_diag(bad, Severity::error, "time", 5));
}

TEST_CASE("zones: page zone, written offsets, '# UTC' comments", "[model][zone]") {
  SECTION("naive time in the site zone") {
    Event e = event_from("---\ntitle: t\ndate: 2026-09-19T14:00:00\n---\n");
    CHECK(e.zone_name() == "Asia/Shanghai");
    CHECK(iso_utc(e.start) == "2026-09-19T06:00:00Z");
  }
  SECTION("naive time in the page's own zone") {
    Event e = event_from("---\ntitle: t\ndate: 2024-07-04T18:00:00\ntimezone: America/New_York\n---\n");
    CHECK(e.zone_name() == "America/New_York");
    CHECK(iso_utc(e.start) == "2024-07-04T22:00:00Z");
  }
  SECTION("an offset matching the site zone keeps the site zone") {
    Event e = event_from("---\ntitle: t\ndate: 2019-11-24T13:00:00+08:00\n---\n");
    CHECK(e.zone_name() == "Asia/Shanghai");
  }
  SECTION("an offset from another zone: a fixed Etc/GMT zone keeps the wall time") {
    Event e = event_from("---\ntitle: t\ndate: 2021-05-18T09:00:00-07:00\n---\n");
    CHECK(e.zone_name() == "Etc/GMT+7");
    CHECK(iso_utc(e.start) == "2021-05-18T16:00:00Z");
    CHECK(e.local_start() == local(2021, 5, 18, 9));
  }
  SECTION("a non-whole-hour offset: the instant is kept (in UTC)") {
    Event e = event_from("---\ntitle: t\ndate: 2021-05-18T09:00:00+05:30\n---\n");
    CHECK(iso_utc(e.start) == "2021-05-18T03:30:00Z");
    CHECK(e.is_utc_zone());
  }
  SECTION("rOpenSci '# UTC!!' comments make naive times UTC") {
    Event e = event_from(
        "---\ntitle: call\ndateStart: 2023-11-23T12:00:00 # UTC!!\ndateEnd: 2023-11-23T13:00:00 # UTC!!\n"
        "date: 2023-11-23T13:00:00 # UTC!! same as dateEnd\n---\n");
    CHECK(e.is_utc_zone());
    CHECK(iso_utc(e.start) == "2023-11-23T12:00:00Z");
    CHECK(iso_utc(e.end) == "2023-11-23T13:00:00Z");
  }
  SECTION("a fixed zone written like 'UTC -7'") {
    Event e = event_from("---\ntitle: t\ndate: 2022-06-15T09:00:00\ntz: UTC -7\n---\n");
    CHECK(e.zone_name() == "Etc/GMT+7");
    CHECK(iso_utc(e.start) == "2022-06-15T16:00:00Z");
  }
  SECTION("an offset contradicting the page zone: warning, instant kept") {
    Built b = build_from("---\ntitle: t\ndate: 2023-04-06T09:00:00-08:00\ntimezone: America/Los_Angeles\n---\n");
    REQUIRE(b.ok);
    CHECK(b.event.zone_name() == "America/Los_Angeles");
    CHECK(iso_utc(b.event.start) == "2023-04-06T17:00:00Z");
    CHECK(has_diag(b, Severity::warning, "contradicts", 3));
  }
  SECTION("an unknown zone is an error at its line") {
    Built b = build_from("---\ntitle: t\ndate: 2023-04-06T09:00:00\ntimezone: Mars/Olympus\n---\n");
    CHECK_FALSE(b.ok);
    CHECK(has_diag(b, Severity::error, "unknown time zone", 4));
  }
  SECTION("a wall time in the spring gap: warning, shifted forward") {
    Built b = build_from("---\ntitle: t\ndate: 2019-03-10T02:30:00\ntimezone: America/New_York\n---\n");
    REQUIRE(b.ok);
    CHECK(iso_utc(b.event.start) == "2019-03-10T07:30:00Z");
    CHECK(has_diag(b, Severity::warning, "does not exist", 3));
  }
  SECTION("a wall time in the autumn overlap: first occurrence") {
    Event e = event_from("---\ntitle: t\ndate: 2019-11-03T01:30:00\ntimezone: America/New_York\n---\n");
    CHECK(iso_utc(e.start) == "2019-11-03T05:30:00Z");
  }
}

TEST_CASE("all-day events", "[model][allday]") {
  SECTION("a date alone") {
    Event e = event_from("---\ntitle: t\ndate: 2026-06-20\n---\n");
    CHECK(e.all_day);
    CHECK(e.start_day == date::local_days{date::year{2026} / 6 / 20});
    CHECK(e.end_day == date::local_days{date::year{2026} / 6 / 21});
    CHECK(iso_utc(e.start) == "2026-06-19T16:00:00Z");  // local midnight in Shanghai
    CHECK(iso_utc(e.end) == "2026-06-20T16:00:00Z");
  }
  SECTION("multi-day: the written end day is inclusive, end_day exclusive") {
    Event e = event_from("---\ntitle: t\ndate: 2026-06-20\nendDate: 2026-06-22\n---\n");
    CHECK(e.all_day);
    CHECK(e.end_day == date::local_days{date::year{2026} / 6 / 23});
  }
  SECTION("all_day: true with a time uses the day of that time") {
    Event e = event_from("---\ntitle: t\ndate: 2019-11-24T13:00:00+08:00\nall_day: true\n---\n");
    CHECK(e.all_day);
    CHECK(e.start_day == date::local_days{date::year{2019} / 11 / 24});
    CHECK(e.end_day == date::local_days{date::year{2019} / 11 / 25});
  }
  SECTION("all_day with a timed end on a later day") {
    Event e = event_from(
        "---\ntitle: t\ndate: 2022-11-10T09:00:00+08:00\ndate_end: 2022-11-11T18:00:00+08:00\nall_day: true\n---\n");
    CHECK(e.all_day);
    CHECK(e.start_day == date::local_days{date::year{2022} / 11 / 10});
    CHECK(e.end_day == date::local_days{date::year{2022} / 11 / 12});
  }
  SECTION("a date-only end after a timed start ends at the end of that day") {
    Event e = event_from("---\ntitle: t\ndate: 2019-11-24T13:00:00+08:00\nendDate: 2019-11-25\n---\n");
    CHECK_FALSE(e.all_day);
    CHECK(e.local_end() == local(2019, 11, 26));
  }
}

TEST_CASE("where the end comes from", "[model][end]") {
  SECTION("front matter end") {
    Event e = event_from("---\ntitle: t\ndate: 2025-03-15T14:00:00+08:00\ndate_end: 2025-03-15T17:30:00+08:00\n---\n");
    CHECK(iso_utc(e.end) == "2025-03-15T09:30:00Z");
    CHECK_THAT(e.end_source, Catch::Contains("date_end"));
  }
  SECTION("end before start: warning at the end line, default end") {
    Built b = build_from("---\ntitle: t\ndate: 2019-11-24T13:00:00+08:00\nendDate: 2019-11-24T12:00:00+08:00\n---\n");
    REQUIRE(b.ok);
    CHECK(has_diag(b, Severity::warning, "before the start", 4));
    CHECK(b.event.end == b.event.start + test_site().default_duration);
  }
  SECTION("end equal to start: warning, default end") {
    Built b = build_from("---\ntitle: t\ndate: 2019-11-24T13:00:00+08:00\nendDate: 2019-11-24T13:00:00+08:00\n---\n");
    REQUIRE(b.ok);
    CHECK(has_diag(b, Severity::warning, "zero length", 4));
    CHECK(b.event.end == b.event.start + test_site().default_duration);
  }
  SECTION("all-day end before start: warning, one day") {
    Built b = build_from("---\ntitle: t\ndate: 2026-06-20\nendDate: 2026-06-18\n---\n");
    REQUIRE(b.ok);
    CHECK(has_diag(b, Severity::warning, "before the start", 4));
    CHECK(b.event.end_day == b.event.start_day + date::days{1});
  }
  SECTION("an unreadable end is reported, and the next source decides the end") {
    Built b = build_from("---\ntitle: t\ndate: 2019-11-24T13:00:00+08:00\nendDate: soon\nduration: 90m\n---\n");
    REQUIRE(b.ok);                                                      // the event is still built
    CHECK(has_diag(b, Severity::warning, "cannot read 'endDate'", 4));  // a warning: the event is still published
    CHECK_FALSE(has_diag(b, Severity::error, "endDate", 4));
    CHECK(b.event.end - b.event.start == minutes{90});
  }
  SECTION("duration") {
    Event e = event_from("---\ntitle: t\ndate: 2019-11-24T13:00:00+08:00\nduration: PT1H30M\n---\n");
    CHECK(e.end - e.start == minutes{90});
    CHECK_THAT(e.end_source, Catch::Contains("duration"));
  }
  SECTION("a bad duration warns and falls back") {
    Built b = build_from("---\ntitle: t\ndate: 2019-11-24T13:00:00+08:00\nduration: a while\n---\n");
    REQUIRE(b.ok);
    CHECK(has_diag(b, Severity::warning, "duration", 4));
    CHECK(b.event.end - b.event.start == test_site().default_duration);
  }
  SECTION("a time range in the body") {
    Built b = build_from(
        "---\ntitle: t\ndate: 2018-07-29T13:00:00+08:00\n---\n\n## 关于本次活动\n\n时间：2018年7月29日（星期日）下午 "
        "1:00 - 5:30\n");
    REQUIRE(b.ok);
    CHECK(b.warnings() == 0);
    CHECK(b.event.local_end() == local(2018, 7, 29, 17, 30));
    CHECK_THAT(b.event.end_source, Catch::Contains("body, line 8"));
  }
  SECTION("a body range starting elsewhere warns at its file line") {
    Built b = build_from("---\ntitle: t\ndate: 2018-07-29T14:00:00+08:00\n---\nTime: 13:00 - 17:00\n");
    REQUIRE(b.ok);
    CHECK(has_diag(b, Severity::warning, "different time", 5));
    CHECK(b.event.local_end() == local(2018, 7, 29, 17));
  }
  SECTION("a body date contradicting the front matter warns") {
    Built b = build_from("---\ntitle: t\ndate: 2019-12-24T13:00:00+08:00\n---\n\n时间：2019年12月28日（星期六）\n");
    REQUIRE(b.ok);
    CHECK(has_diag(b, Severity::warning, "2019-12-28", 6));
  }
  SECTION("a lastmod after the year 2999 warns and falls back to the date") {
    // regressions/fuzz_ics/dtstamp-year-after-3000: libical wrote DTSTAMP:00000000T000000.
    Built b = build_from("---\ntitle: t\ndate: 2019-11-24T13:00:00+08:00\nlastmod: 3001-01-01\n---\n");
    REQUIRE(b.ok);
    CHECK(has_diag(b, Severity::warning, "outside the years 1000-2999", 4));
    CHECK(iso_utc(b.event.updated) == "2019-11-24T05:00:00Z");
  }
  SECTION("a body range past midnight ends the next day") {
    Event e = event_from("---\ntitle: t\ndate: 2018-07-29T22:00:00+08:00\n---\nTime: 22:00 - 01:00\n");
    CHECK(e.local_end() == local(2018, 7, 30, 1));
  }
}

TEST_CASE("fields, aliases and text", "[model][schema]") {
  SECTION("rOpenSci dateStart/dateEnd win over date") {
    Event e = event_from(
        "---\ntitle: t\ndateStart: 2024-09-24T16:00:00Z\ndateEnd: 2024-09-24T17:00:00Z\ndate: "
        "2024-09-24T17:00:00Z\n---\n");
    CHECK(iso_utc(e.start) == "2024-09-24T16:00:00Z");
    CHECK(iso_utc(e.end) == "2024-09-24T17:00:00Z");
  }
  SECTION("a config override replaces the aliases") {
    SiteConfig site = test_site();
    site.fields["start"] = "when.begins";
    Event e = event_from("---\ntitle: t\ndate: 2000-01-01\nwhen:\n  begins: 2024-09-24T16:00:00Z\n---\n", site);
    CHECK(iso_utc(e.start) == "2024-09-24T16:00:00Z");
  }
  SECTION("no title: warning, the file name is used") {
    Built b = build_from("---\ndate: 2019-11-24T13:00:00+08:00\n---\n", test_site(), "en/event/my-meetup.md");
    REQUIRE(b.ok);
    CHECK(b.event.title == "my-meetup");
    CHECK(has_diag(b, Severity::warning, "no title"));
  }
  SECTION("no start date is an error") {
    Built b = build_from("---\ntitle: t\n---\n");
    CHECK_FALSE(b.ok);
    CHECK(has_diag(b, Severity::error, "no start date"));
  }
  SECTION("an unreadable start is an error at its line and column") {
    Built b = build_from("---\ntitle: t\ndate: next tuesday\n---\n");
    CHECK_FALSE(b.ok);
    REQUIRE(b.errors() == 1);
    CHECK(b.diags.items[0].line == 3);
    CHECK(b.diags.items[0].column == 7);
  }
  SECTION("status") {
    CHECK(event_from("---\ntitle: t\ndate: 2019-11-24\nstatus: cancelled\n---\n").status == EventStatus::cancelled);
    CHECK(event_from("---\ntitle: t\ndate: 2019-11-24\nstatus: Canceled\n---\n").status == EventStatus::cancelled);
    CHECK(event_from("---\ntitle: t\ndate: 2019-11-24\nstatus: postponed\n---\n").status == EventStatus::tentative);
    Built b = build_from("---\ntitle: t\ndate: 2019-11-24\nstatus: wobbly\n---\n");
    REQUIRE(b.ok);
    CHECK(b.event.status == EventStatus::confirmed);
    CHECK(has_diag(b, Severity::warning, "unknown status", 4));
  }
  SECTION("tags, categories and location maps") {
    Event e = event_from(
        "---\ntitle: t\ndate: 2019-11-24\ntags: [a, b]\ncategories: [b, c]\n"
        "location:\n  name: Hall\n  city: Beijing\n  country: China\n---\n");
    CHECK(e.tags == std::vector<std::string>{"a", "b", "c"});
    CHECK(e.location == "Hall, Beijing, China");
  }
  SECTION("unsafe and relative sign-up URLs") {
    Event js = event_from("---\ntitle: t\ndate: 2019-11-24\napply_url: javascript:alert(1)\n---\n");
    CHECK(js.signup_url.empty());
    Event hash = event_from("---\ntitle: t\ndate: 2019-11-24\napply_url: \"#\"\n---\n");
    CHECK(hash.signup_url.empty());
    Event rel = event_from("---\ntitle: t\ndate: 2019-11-24\napply_url: /register\n---\n");
    CHECK(rel.signup_url == "https://events.example.org/register");
    Event img = event_from("---\ntitle: t\ndate: 2019-11-24\nimage: data:image/png;base64,AAAA\n---\n");
    CHECK(img.image.empty());
  }
  SECTION("page URLs: language prefix, slug and url fields") {
    SiteConfig site = test_site();
    site.language = "zh";
    Event en = event_from("---\ntitle: t\ndate: 2019-11-24\n---\n", site, "en/event/a.md");
    CHECK(en.url == "https://events.example.org/en/event/a/");
    Event zh = event_from("---\ntitle: t\ndate: 2019-11-24\n---\n", site, "zh/event/a.md");
    CHECK(zh.url == "https://events.example.org/event/a/");
    Event slug = event_from("---\ntitle: t\ndate: 2019-11-24\nslug: nov2023\n---\n", site, "zh/event/a.md");
    CHECK(slug.url == "https://events.example.org/event/nov2023/");
    Event url = event_from("---\ntitle: t\ndate: 2019-11-24\nurl: /custom/path/\n---\n", site, "zh/event/a.md");
    CHECK(url.url == "https://events.example.org/custom/path/");
  }
}

// Regression (fixed): comment_says_utc() in src/model.cpp only checks that the comment starts with
// "utc"/"gmt", so "# UTC+8" (the writer's own offset) makes a naive time UTC: 8 h off.
TEST_CASE("a '# UTC+8' comment does not make a naive time UTC", "[model][zone]") {
  Event e = event_from("---\ntitle: t\ndate: 2019-11-24T13:00:00 # UTC+8\n---\n");
  CHECK(iso_utc(e.start) == "2019-11-24T05:00:00Z");
  Event g = event_from("---\ntitle: t\ndate: 2019-11-24T13:00:00 # GMT+08:00 Beijing\n---\n");
  CHECK(iso_utc(g.start) == "2019-11-24T05:00:00Z");
}

// Regression (fixed): the page URL is the identity pasted into the base URL, so a file name with a
// space (corpus: opensearch-events/"2023-0205-opensearch-at-fosdem23 copy.markdown")
// gives "https://…/2023-0205-opensearch-at-fosdem23 copy/": not a valid URI, and it is
// written as is into URL:, <link>, Atom href and JSON "url".
TEST_CASE("page URLs are valid URIs even when the file name has a space", "[model][url]") {
  Event e = event_from("---\ntitle: t\ndate: 2023-02-05T10:00:00+01:00\n---\n", test_site(),
                       "opensearch-events/2023-0205-opensearch-at-fosdem23 copy.markdown");
  INFO(e.url);
  CHECK(e.url.find(' ') == std::string::npos);
  std::string text = render_calendar({&e}, test_site(), CalendarOptions{"x", "", "", false}, {});
  CHECK(ical_line(text, "URL:").find(' ') == std::string::npos);
}

TEST_CASE("assemble_model: draft, publishDate and expiryDate", "[model][publish]") {
  const std::string now_iso = "2024-06-01T00:00:00Z";
  SysSeconds now = utc(now_iso);
  auto build = [&](const std::string& extra, const std::string& name) {
    return event_from("---\ntitle: " + name + "\ndate: 2024-05-01T10:00:00Z\n" + extra + "---\n", test_site(),
                      "event/" + name + ".md");
  };
  std::vector<Event> built = {
      build("", "normal"),
      build("draft: true\n", "draft"),
      build("publishDate: 2024-07-01T00:00:00Z\n", "future"),
      build("publishDate: " + now_iso + "\n", "published-now"),
      build("expiryDate: 2024-05-31T00:00:00Z\n", "expired"),
      build("expiryDate: " + now_iso + "\n", "expires-now"),
      build("expiryDate: 2024-06-02T00:00:00Z\n", "expires-later"),
      build("draft: \"yes\"\n", "draft-yes"),
      build("draft: false\n", "not-draft"),
  };
  auto titles = [](const EventModel& m) {
    std::set<std::string> t;
    for (const auto& e : m.events) t.insert(e.title);
    return t;
  };

  SiteConfig site = test_site();
  CHECK(titles(assemble_model(built, site, now)) ==
        std::set<std::string>{"normal", "published-now", "expires-later", "not-draft"});

  site.include_drafts = true;
  CHECK(titles(assemble_model(built, site, now)) ==
        std::set<std::string>{"normal", "published-now", "expires-later", "not-draft", "draft", "draft-yes"});
  site.include_drafts = false;
  site.include_future = true;
  CHECK(titles(assemble_model(built, site, now)).count("future") == 1);
  site.include_future = false;
  site.include_expired = true;
  auto with_expired = titles(assemble_model(built, site, now));
  CHECK(with_expired.count("expired") == 1);
  CHECK(with_expired.count("expires-now") == 1);
}

TEST_CASE("assemble_model: publishDate is read in the page's zone", "[model][publish]") {
  Event e = event_from("---\ntitle: t\ndate: 2024-05-01T10:00:00+08:00\npublishDate: 2024-06-01T08:00:00\n---\n");
  REQUIRE(e.publish_date);
  CHECK(iso_utc(*e.publish_date) == "2024-06-01T00:00:00Z");
  CHECK(assemble_model({e}, test_site(), utc("2024-05-31T23:59:59Z")).events.empty());
  CHECK(assemble_model({e}, test_site(), utc("2024-06-01T00:00:00Z")).events.size() == 1);
}

TEST_CASE("assemble_model: unique slugs", "[model][slug]") {
  std::vector<Event> built = {
      quick_event("cloudnative.to/service-mesh-meetup-08", "zh", "2019-11-24T05:00:00Z"),
      quick_event("servicemesher-educenter/service-mesh-meetup-08", "en", "2019-11-24T05:00:00Z"),
      quick_event("event/unique-one", "en", "2020-01-01T05:00:00Z"),
      quick_event("opensearch/2023-0205-opensearch-at-fosdem23 copy", "en", "2023-02-05T05:00:00Z"),
  };
  EventModel m = assemble_model(built, test_site(), utc("2030-01-01T00:00:00Z"));
  std::map<std::string, std::string> slug;
  for (const auto& e : m.events) slug[e.identity] = e.slug;
  CHECK(slug["cloudnative.to/service-mesh-meetup-08"] == "cloudnative.to-service-mesh-meetup-08");
  CHECK(slug["servicemesher-educenter/service-mesh-meetup-08"] == "servicemesher-educenter-service-mesh-meetup-08");
  CHECK(slug["event/unique-one"] == "unique-one");
  CHECK(slug["opensearch/2023-0205-opensearch-at-fosdem23 copy"] == "2023-0205-opensearch-at-fosdem23-copy");
  for (const auto& [id, s] : slug) {
    CHECK(s.find('/') == std::string::npos);
    CHECK(s.find(' ') == std::string::npos);
  }
}

// Regression (fixed): a slug made from a whole identity ("x/foo" -> "x-foo") can equal another
// event's plain slug ("x-foo"); both events then write events/x-foo.ics.
TEST_CASE("assemble_model: slugs stay unique when a flattened identity meets a plain one", "[model][slug]") {
  std::vector<Event> built = {
      quick_event("x/foo", "en", "2019-11-24T05:00:00Z"),
      quick_event("y/foo", "en", "2019-11-25T05:00:00Z"),
      quick_event("x-foo", "en", "2019-11-26T05:00:00Z"),
  };
  EventModel m = assemble_model(built, test_site(), utc("2030-01-01T00:00:00Z"));
  std::set<std::string> slugs;
  for (const auto& e : m.events) slugs.insert(e.slug);
  CHECK(slugs.size() == m.events.size());
}

TEST_CASE("assemble_model: translations grouped under one identity", "[model][translations]") {
  std::vector<Event> built = {
      quick_event("event/meetup-08", "zh", "2019-11-24T05:00:00Z"),
      quick_event("event/meetup-08", "en", "2019-11-24T05:00:00Z"),
      quick_event("event/only-zh", "zh", "2019-12-01T05:00:00Z"),
      quick_event("event/only-fr", "fr", "2018-01-01T05:00:00Z"),
  };
  SiteConfig site = test_site();
  site.language = "en";
  EventModel m = assemble_model(built, site, utc("2030-01-01T00:00:00Z"));
  CHECK(m.pages.size() == 4);
  REQUIRE(m.events.size() == 3);
  CHECK(m.languages == std::vector<std::string>{"en", "fr", "zh"});
  // Newest first.
  CHECK(m.events[0].identity == "event/only-zh");
  CHECK(m.events[1].identity == "event/meetup-08");
  CHECK(m.events[1].lang == "en");  // the site's language where it exists
  CHECK(m.events[1].languages == std::vector<std::string>{"en", "zh"});
  CHECK(m.events[2].identity == "event/only-fr");
  CHECK(m.events[2].languages == std::vector<std::string>{"fr"});
  // Translations share a slug.
  std::set<std::string> slugs;
  for (const auto& p : m.pages)
    if (p.identity == "event/meetup-08") slugs.insert(p.slug);
  CHECK(slugs == std::set<std::string>{"meetup-08"});

  site.language = "zh";
  EventModel mz = assemble_model(built, site, utc("2030-01-01T00:00:00Z"));
  for (const auto& e : mz.events)
    if (e.identity == "event/meetup-08") CHECK(e.lang == "zh");
  CHECK(mz.updated == utc("2019-12-01T05:00:00Z"));
}

TEST_CASE("feed_matches: topics, tags and locations", "[model][feeds]") {
  Event e = quick_event("event/a", "en", "2019-11-24T05:00:00Z");
  e.topics = {"Service Mesh"};
  e.tags = {"Kubernetes", "eBPF"};
  e.location = "北京市海淀区中关村 · Beijing, China";
  FeedSpec f;
  f.slug = "x";
  f.topics = {"service mesh"};
  CHECK(feed_matches(f, e));
  f.topics = {"Cloud Native"};
  CHECK_FALSE(feed_matches(f, e));
  f.tags = {"ebpf"};
  CHECK(feed_matches(f, e));
  f.tags = {"Service Mesh"};  // a tag filter also looks at topics
  CHECK(feed_matches(f, e));
  f.tags.clear();
  f.locations = {"beijing"};
  CHECK(feed_matches(f, e));
  f.locations = {"Shanghai"};
  CHECK_FALSE(feed_matches(f, e));
  f.locations = {""};
  CHECK_FALSE(feed_matches(f, e));
  CHECK(f.dir() == "topics/x");
}

TEST_CASE("a file name's control characters reach no UID, slug or URL", "[model][path]") {
  Event e = event_from("---\ntitle: t\ndate: 2024-01-01T10:00:00Z\n---\n", test_site(),
                       "event/a\nb\x7f"
                       "c.md");
  CHECK(e.identity == "event/a-b-c");
  for (char c : e.url + e.identity) CHECK(static_cast<unsigned char>(c) >= 0x20);
  EventModel m = assemble_model({e}, test_site(), utc("2025-01-01T00:00:00Z"));
  REQUIRE(m.events.size() == 1);
  CHECK(m.events[0].slug.find('\n') == std::string::npos);
}

TEST_CASE("a front-matter url naming another host is not the page's link", "[model][url]") {
  Built b =
      build_from("---\ntitle: t\ndate: 2024-01-01T10:00:00Z\nurl: //evil.example/x\n---\n", test_site(), "event/x.md");
  REQUIRE(b.ok);
  CHECK(url_host(b.event.url) == url_host(test_site().base_url));
  CHECK(b.messages().find("another host") != std::string::npos);
}

TEST_CASE("http.cache_control with a line break is refused (header injection)", "[model][site]") {
  SiteConfig site = test_site();
  site.cache_control = "public\r\nSet-Cookie: x=1";
  Diagnostics d;
  CHECK_FALSE(validate_site_config(site, "config.yaml", d));
  CHECK(d.count(Severity::error) == 1);
}

TEST_CASE("run_workers: an exception in a worker reaches the caller, after every worker ends", "[model][parallel]") {
  std::atomic<int> done{0};
  CHECK_THROWS_AS(run_workers(4,
                              [&] {
                                ++done;
                                throw std::runtime_error("worker failed");
                              }),
                  std::runtime_error);
  CHECK(done == 4);
}

TEST_CASE("two pages of one identity are published apart, with a warning naming both", "[model][collision]") {
  const char* text = "---\ntitle: %s\ndate: 2024-01-01T10:00:00Z\n---\n";
  auto page = [&](const char* title, const char* rel) {
    char buf[200];
    std::snprintf(buf, sizeof buf, text, title);
    return event_from(buf, test_site(), rel);
  };
  std::vector<Event> built = {page("Markdown", "event/a.md"), page("Long extension", "event/a.markdown")};
  Diagnostics d;
  EventModel m = assemble_model(built, test_site(), utc("2025-01-01T00:00:00Z"), &d);
  REQUIRE(m.events.size() == 2);
  CHECK(m.events[0].identity != m.events[1].identity);
  CHECK(event_uid(m.events[0], test_site()) != event_uid(m.events[1], test_site()));
  CHECK(m.events[0].slug != m.events[1].slug);
  REQUIRE(d.count(Severity::warning) >= 1);
  std::string all;
  for (const auto& x : d.items) all += format_diagnostic(x) + "\n";
  CHECK(all.find("event/a.md") != std::string::npos);
  CHECK(all.find("event/a.markdown") != std::string::npos);
}

TEST_CASE("identities made apart for colliding file names keep the clean-Event contract", "[model][collision]") {
  // Control characters and invalid UTF-8 in a file name: the identity made for the second
  // file (from its extension) is cleaned like the first one's.
  const std::string text = "---\ntitle: T\ndate: 2024-01-01T10:00:00Z\n---\n";
  std::vector<Event> built = {event_from(text, test_site(), "event/a\x01\xC3.md"),
                              event_from(text, test_site(), "event/a\x01\xC3.markdown")};
  EventModel m = assemble_model(built, test_site(), utc("2025-01-01T00:00:00Z"));
  REQUIRE(m.events.size() == 2);
  CHECK(m.events[0].identity != m.events[1].identity);
  for (const auto& e : m.events) {
    INFO(e.identity << " " << e.slug);
    CHECK(unclean_field(e) == "");
    CHECK(e.slug.find('\x01') == std::string::npos);
  }
}

TEST_CASE("two events linking to one URL are both published, with a warning", "[model][collision]") {
  Event a = event_from("---\ntitle: A\ndate: 2024-01-01T10:00:00Z\nurl: /same/\n---\n", test_site(), "event/a.md");
  Event b = event_from("---\ntitle: B\ndate: 2024-02-01T10:00:00Z\nurl: /same/\n---\n", test_site(), "event/b.md");
  Diagnostics d;
  EventModel m = assemble_model({a, b}, test_site(), utc("2025-01-01T00:00:00Z"), &d);
  CHECK(m.events.size() == 2);
  REQUIRE(d.count(Severity::warning) == 1);
  CHECK(d.items[0].message.find("/same/") != std::string::npos);
}

TEST_CASE("an abstract is Markdown with inline HTML, as Wowchemy's markdownify renders it", "[model][text]") {
  Event e = event_from(
      "---\ntitle: Talk\ndate: 2019-08-29T12:00:00+02:00\n"
      "abstract: \"predicted with R<sup>2</sup>=0.78, *not* <script>x</script> Caf&eacute;\"\n---\n");
  CHECK(e.summary == "predicted with R2=0.78, not <script>x</script> Caf\u00e9");
  CHECK_THAT(e.summary_html, Catch::Contains("R<sup>2</sup>=0.78, <em>not</em> &lt;script&gt;x&lt;/script&gt;"));
  CHECK(event_from("---\ntitle: Talk\ndate: 2019-08-29T12:00:00+02:00\n---\n").summary_html.empty());
}

TEST_CASE("zone precedence: each row of the table decides in its case, and only then", "[model][time][precedence]") {
  // test_site(): zone Asia/Shanghai.
  struct Case {
    const char* front_matter;
    const char* source;
    const char* zone;
    const char* start_utc;
  };
  const Case cases[] = {
      {"date: 2024-07-04T18:00:00\ntimezone: America/New_York\n", "page field", "America/New_York",
       "2024-07-04T22:00:00Z"},
      // The page's zone wins over a "# UTC" comment on the date line (it used to be the reverse).
      {"date: 2024-07-04T18:00:00 # UTC\ntimezone: America/New_York\n", "page field", "America/New_York",
       "2024-07-04T22:00:00Z"},
      {"date: 2024-07-04T18:00:00+02:00\ntimezone: America/New_York\n", "page field", "America/New_York",
       "2024-07-04T16:00:00Z"},
      {"date: 2024-07-04T18:00:00 # UTC\n", "date-line comment", "UTC", "2024-07-04T18:00:00Z"},
      {"date: 2024-07-04T18:00:00\ndateEnd: 2024-07-04T19:00:00 # UTC!!\n", "date-line comment", "UTC",
       "2024-07-04T18:00:00Z"},
      {"date: 2024-07-04T18:00:00+08:00\n", "site zone, offset matches", "Asia/Shanghai", "2024-07-04T10:00:00Z"},
      {"date: 2024-07-04T18:00:00+02:00\n", "fixed offset", "Etc/GMT-2", "2024-07-04T16:00:00Z"},
      {"date: 2024-07-04T18:00:00+05:30\n", "fixed offset", "UTC", "2024-07-04T12:30:00Z"},
      {"date: 2024-07-04T18:00:00\n", "site zone", "Asia/Shanghai", "2024-07-04T10:00:00Z"},
  };
  std::set<std::string> seen;
  for (const auto& c : cases) {
    Built b = build_from(std::string("---\ntitle: t\n") + c.front_matter + "---\n");
    INFO(c.front_matter << b.messages());
    REQUIRE(b.ok);
    CHECK(b.event.zone_source == c.source);
    CHECK(b.event.zone_name() == c.zone);
    CHECK(iso_utc(b.event.start) == c.start_utc);
    seen.insert(c.source);
  }
  for (const auto& row : zone_precedence()) CHECK(seen.count(row.source) == 1);
  // Two zones named for one page: the timezone field wins and the comment is reported.
  Built both = build_from("---\ntitle: t\ndate: 2024-07-04T18:00:00 # UTC\ntimezone: America/New_York\n---\n");
  CHECK(has_diag(both, Severity::warning, "the page's timezone America/New_York decides", 3));
  CHECK_FALSE(has_diag(build_from("---\ntitle: t\ndate: 2024-07-04T18:00:00 # UTC\ntimezone: UTC\n---\n"),
                       Severity::warning, "decides"));
}

TEST_CASE("end precedence: each row of the table decides in its case, and only then", "[model][time][precedence]") {
  struct Case {
    const char* page;
    const char* source_prefix;
    const char* end_utc;
  };
  const Case cases[] = {
      {"date: 2024-07-04T18:00:00+08:00\nendDate: 2024-07-04T20:00:00+08:00\nduration: 1h\n---\nTime: 18:00 - 21:00\n",
       "front matter", "2024-07-04T12:00:00Z"},
      {"date: 2024-07-04T18:00:00+08:00\nendDate: nonsense\nduration: 1h\n---\nTime: 18:00 - 21:00\n", "duration",
       "2024-07-04T11:00:00Z"},
      {"date: 2024-07-04T18:00:00+08:00\n---\nTime: 18:00 - 21:00\n", "time range in the body", "2024-07-04T13:00:00Z"},
      {"date: 2024-07-04T18:00:00+08:00\n---\nNo time here.\n", "default", "2024-07-04T12:00:00Z"},
  };
  std::set<std::string> seen;
  for (const auto& c : cases) {
    Built b = build_from(std::string("---\ntitle: t\n") + c.page);
    INFO(c.page << b.messages());
    REQUIRE(b.ok);
    CHECK_THAT(b.event.end_source, Catch::StartsWith(c.source_prefix));
    CHECK(iso_utc(b.event.end) == c.end_utc);
    seen.insert(c.source_prefix);
  }
  for (const auto& row : end_precedence()) CHECK(seen.count(row.source) == 1);
}

TEST_CASE("field aliases take only their shapes: a Jekyll event map does not shadow name", "[model][schema]") {
  Event e = event_from(
      "---\nname: Go meetup\nevent:\n  date: \"November 10, 2014\"\n  time: \"6:00 PM\"\n"
      "location:\n  name: Pivotal\n  city: Chicago\n---\n");
  CHECK(e.title == "Go meetup");
  CHECK(e.location == "Pivotal, Chicago");
  // A list where a scalar belongs is passed over too: the next alias decides.
  Event listed = event_from("---\ntitle: [a, b]\nname: Listed\ndate: 2024-06-01T10:00:00+08:00\n---\n");
  CHECK(listed.title == "Listed");
  // Every field has one row in the table: a name, aliases, and names that differ.
  std::set<std::string> names;
  for (int f = static_cast<int>(Field::start); f <= static_cast<int>(Field::sequence); ++f) {
    CHECK_FALSE(field_aliases(static_cast<Field>(f)).empty());
    names.insert(field_name(static_cast<Field>(f)));
  }
  CHECK(names.size() == static_cast<size_t>(Field::sequence) + 1);
}

TEST_CASE("every built event keeps the clean-Event contract, sessions and overrides included", "[model][security]") {
  // YAML escapes put NUL, controls and invalid UTF-8 into values of a clean file; an entity
  // in a Wowchemy summary decodes to a control; a speaker's URL has a space and a newline.
  Built series = build_from(
      "---\ntitle: \"Call\\0 \\x01\"\ndate: 2026-03-04T17:00:00Z\nrrule: FREQ=MONTHLY;COUNT=6\n"
      "summary: \"R&#1;<sup>2</sup> \\x1b\"\nspeakers:\n  - name: \"A\\0\"\n    url: \"https://x.org/a b\\nc\"\n"
      "overrides:\n  - date: 2026-04-04T17:00:00Z\n    title: \"Moved\\x02\"\n    location: \"Room\\0 "
      "1\"\n---\nBody\n");
  REQUIRE(series.ok);
  CHECK(unclean_field(series.event) == "");
  REQUIRE(series.event.series().changes.size() == 1);
  CHECK(series.event.series().changes[0].title == "Moved");
  CHECK(series.event.speakers.at(0).url == "https://x.org/a%20bc");

  Built sessions = build_from(
      "---\ntitle: Conf\nsessions:\n  - {start: 2026-05-01T09:00:00Z, end: 2026-05-01T12:00:00Z, title: \"AM\\0\"}\n"
      "  - {start: 2026-05-01T13:00:00Z, end: 2026-05-01T17:00:00Z, location: \"Hall \\x7f B\"}\n---\n");
  REQUIRE(sessions.ok);
  CHECK(unclean_field(sessions.event) == "");

  // The check itself names what breaks the contract.
  Event e = sessions.event;
  e.edit_instances().sessions.at(1).location = std::string("Hall\0B", 6);
  CHECK(unclean_field(e) == "sessions[1]");
  e = sessions.event;
  e.url = "https://x.org/a b";
  CHECK(unclean_field(e) == "url");
  e = sessions.event;
  e.tags = {"ok", "bad\xC3"};
  CHECK(unclean_field(e) == "tags[1]");
}
