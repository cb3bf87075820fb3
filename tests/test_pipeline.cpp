// pipeline.hpp: load_events, SEQUENCE bookkeeping and render_site over the embedded
// default site (feeds/, which holds the seed page): reproducible bytes, and an edit that
// changes exactly the outputs carrying the edited event.
#include <mutex>
#include <set>

#include "evfeed/parse_cache.hpp"
#include "test_support.hpp"

using namespace evfeed;
using namespace evtest;
using namespace std::chrono;

namespace {

const SysSeconds NOW{date::sys_days{date::year{2025} / 1 / 1}};  // 2025-01-01T00:00:00Z

SiteConfig feeds_site() {
  SiteConfig site;
  Diagnostics d;
  std::string cfg = source_dir() + "/feeds/config.yaml";
  bool loaded = load_site_config(cfg, site, d);
  INFO(cfg);
  REQUIRE(loaded);
  REQUIRE(validate_site_config(site, cfg, d));
  CHECK(d.count(Severity::error) == 0);
  return site;
}

struct SiteBuild {
  LoadResult load;
  EventModel model;
  SequenceState state;
  std::vector<Resource> resources;
  Diagnostics render_diags;
  std::map<std::string, const Resource*> by_path() const {
    std::map<std::string, const Resource*> m;
    for (const auto& r : resources) m[r.path] = &r;
    return m;
  }
};

SiteBuild build_site(const std::vector<std::string>& dirs, const SiteConfig& site, const SequenceState& previous = {},
                     unsigned threads = 0, SysSeconds now = NOW) {
  SiteBuild b;
  b.load = load_events({dirs, threads}, site);
  b.model = assemble_model(b.load.built, site, now);
  b.state = advance_sequences(b.model, previous);
  b.resources = render_site(b.model, site, sequences_of(b.state), now, b.render_diags);
  return b;
}

std::string feeds_content() { return source_dir() + "/feeds/content"; }

void copy_tree(const fs::path& from, const fs::path& to) {
  fs::create_directories(to);
  fs::copy(from, to, fs::copy_options::recursive);
}

// A copy of feeds/content in `tmp` (tests edit its pages); returns its path.
std::string copy_of_feeds(const TempDir& tmp) {
  copy_tree(feeds_content(), tmp / "content");
  return (tmp / "content").string();
}

void replace_in_file(const fs::path& p, const std::string& from, const std::string& to) {
  std::string text = slurp(p);
  REQUIRE(text.find(from) != std::string::npos);
  replace_all(text, from, to);
  spit(p, text);
}

Event seq_event(const std::string& identity, const std::string& start, const std::string& location = "") {
  Event e;
  e.identity = identity;
  e.lang = "en";
  e.zone = find_zone("Asia/Shanghai");
  e.start = utc(start);
  e.end = e.start + hours{2};
  e.location = location;
  e.title = identity;
  return e;
}

EventModel model_of(std::vector<Event> events) {
  return assemble_model(std::move(events), test_site(), utc("2030-01-01T00:00:00Z"));
}

}  // namespace

TEST_CASE("the default site embeds the seed page byte for byte", "[pipeline][seed]") {
  std::error_code ec;
  INFO(seed_path());
  REQUIRE(fs::is_regular_file(seed_path(), ec));
  CHECK(slurp(seed_path()) == slurp(embedded_seed_path()));
}

TEST_CASE("feeds/: loads cleanly and publishes the expected set", "[pipeline][feeds]") {
  SiteConfig site = feeds_site();
  SiteBuild b = build_site({feeds_content()}, site);
  CHECK(b.load.pages_seen == 18);
  CHECK(b.load.built.size() == 18);
  CHECK(b.load.diags.count(Severity::error) == 0);
  CHECK(b.load.diags.count(Severity::warning) == 0);
  CHECK(b.model.pages.size() == 17);  // the draft stays out
  CHECK(b.model.events.size() == 12);
  CHECK(b.model.languages == std::vector<std::string>{"en", "zh"});
  CHECK(b.render_diags.items.empty());

  auto files = b.by_path();
  for (const char* p : {"calendar.ics", "calendar-alarms.ics", "rss.xml", "atom.xml", "feed.json", "index.html",
                        "events/service-mesh-meetup-08.ics", "topics/service-mesh/calendar.ics",
                        "topics/cloud-native/rss.xml", "topics/beijing/atom.xml", "en/calendar.ics", "zh/feed.json"}) {
    INFO(p);
    CHECK(files.count(p) == 1);
  }
  CHECK(count_of(files["calendar.ics"]->body, "BEGIN:VEVENT") == 13);
  CHECK(count_of(files["en/calendar.ics"]->body, "BEGIN:VEVENT") ==
        7);  // 6 events: the series adds its moved occurrence
  CHECK(count_of(files["zh/calendar.ics"]->body, "BEGIN:VEVENT") == 12);
  size_t per_event = 0;
  for (const auto& [path, r] : files) per_event += starts_with(path, "events/");
  CHECK(per_event == 12);
  // The draft appears nowhere.
  for (const auto& r : b.resources) {
    INFO(r.path);
    CHECK(r.body.find("service-mesh-meetup-10") == std::string::npos);
  }
  // The cancelled event is published as cancelled.
  CHECK_THAT(files["events/cloud-native-meetup-chengdu-2026.ics"]->body, Catch::Contains("STATUS:CANCELLED"));
  // The summit's end comes from the body line "时间：…下午 1:00 - 5:30".
  CHECK_THAT(files["events/service-mesh-summit-2027.ics"]->body,
             Catch::Contains("DTEND;TZID=Asia/Shanghai:20270320T173000"));
  // The seed: site language zh, so calendar.ics carries its Chinese translation.
  CHECK_THAT(files["events/service-mesh-meetup-08.ics"]->body,
             Catch::Contains("SUMMARY:Service Mesh Meetup #8 北京站"));
  CHECK_THAT(files["en/calendar.ics"]->body, Catch::Contains("SUMMARY:Service Mesh Meetup #8\r\n"));
  // Topic and location feeds select what they should.
  CHECK(count_of(files["topics/beijing/calendar.ics"]->body, "BEGIN:VEVENT") >= 2);
  for (const auto& r : b.resources) {
    INFO(r.path);
    CHECK_FALSE(r.etag.empty());
    CHECK_FALSE(r.gzip.empty());
    if (ends_with(r.path, ".ics")) {
      auto lines = check_ical_lines(r.body);
      CHECK(lines.too_long == 0);
      CHECK(lines.bare_lf == 0);
      CHECK(lines.bad_utf8 == 0);
    }
  }
}

TEST_CASE("building feeds/ twice gives byte-identical resources", "[pipeline][reproducible]") {
  SiteConfig site = feeds_site();
  SiteBuild a = build_site({feeds_content()}, site, {}, 1);
  SiteBuild b = build_site({feeds_content()}, site, {}, 4);
  REQUIRE(a.resources.size() == b.resources.size());
  for (size_t i = 0; i < a.resources.size(); ++i) {
    INFO(a.resources[i].path);
    CHECK(a.resources[i].path == b.resources[i].path);
    CHECK(a.resources[i].body == b.resources[i].body);
    CHECK(a.resources[i].gzip == b.resources[i].gzip);
    CHECK(a.resources[i].etag == b.resources[i].etag);
    CHECK(a.resources[i].last_modified == b.resources[i].last_modified);
  }
  CHECK(serialize_sequences(a.state) == serialize_sequences(b.state));
  // Paths come sorted and unique.
  for (size_t i = 1; i < a.resources.size(); ++i) CHECK(a.resources[i - 1].path < a.resources[i].path);
}

TEST_CASE("render_site_to (evfeed build) hands over the same outputs as render_site (evfeed serve)",
          "[pipeline][reproducible]") {
  SiteConfig site = feeds_site();
  SiteBuild b = build_site({feeds_content()}, site);
  std::map<std::string, Resource> streamed;
  std::mutex m;
  Diagnostics d;
  render_site_to(b.model, site, sequences_of(b.state), NOW, d, [&](Resource&& r) {
    std::lock_guard<std::mutex> lock(m);
    CHECK(streamed.count(r.path) == 0);
    streamed.emplace(r.path, std::move(r));
  });
  CHECK(d.items.size() == b.render_diags.items.size());
  REQUIRE(streamed.size() == b.resources.size());
  for (const auto& r : b.resources) {
    INFO(r.path);
    REQUIRE(streamed.count(r.path) == 1);
    const Resource& s = streamed.at(r.path);
    CHECK(s.body == r.body);
    CHECK(s.content_type == r.content_type);
    CHECK(s.last_modified == r.last_modified);
    // gzip only where the build writes a .gz sibling
    CHECK(s.gzip.empty() == !gzip_sibling_on_disk(r.path));
    if (!s.gzip.empty()) CHECK(s.gzip == r.gzip);
  }
}

TEST_CASE("render_site bytes do not depend on the build's clock once every page date has passed",
          "[pipeline][reproducible]") {
  SiteConfig site = feeds_site();
  SiteBuild b = build_site({feeds_content()}, site);
  Diagnostics d1, d2;
  auto early = render_site(b.model, site, sequences_of(b.state), utc("2040-01-01T00:00:00Z"), d1);
  auto late = render_site(b.model, site, sequences_of(b.state), utc("2060-01-01T00:00:00Z"), d2);
  REQUIRE(early.size() == late.size());
  for (size_t i = 0; i < early.size(); ++i) {
    INFO(early[i].path);
    CHECK(early[i].body == late[i].body);
  }
}

TEST_CASE("feed dates never lie after the build: a page dated in the future does not date the feed", "[pipeline]") {
  SiteConfig site = feeds_site();
  SiteBuild b = build_site({feeds_content()}, site);  // holds events of 2026 and 2027, whose page date is their start
  SysSeconds built = utc("2025-01-01T00:00:00Z");
  Diagnostics d;
  for (const auto& r : render_site(b.model, site, sequences_of(b.state), built, d)) {
    INFO(r.path);
    if (starts_with(r.path, "events/")) continue;  // one event's own date
    CHECK(r.last_modified <= built);
    for (const char* tag : {"<updated>", "<lastBuildDate>"}) {
      size_t at = r.body.find(tag);
      if (at == std::string::npos || at > r.body.find("<entry>")) continue;  // feed-level only
      INFO(r.body.substr(at, 60));
      CHECK(r.body.substr(at, 60).find("2026") == std::string::npos);
      CHECK(r.body.substr(at, 60).find("2027") == std::string::npos);
    }
  }
  // Reproducible: a build a second (or a month) later in the same interval has the same bytes.
  Diagnostics d2;
  auto later = render_site(b.model, site, sequences_of(b.state), built + std::chrono::hours(24 * 30), d2);
  auto now_bytes = render_site(b.model, site, sequences_of(b.state), built, d2);
  REQUIRE(later.size() == now_bytes.size());
  for (size_t i = 0; i < later.size(); ++i) CHECK(later[i].body == now_bytes[i].body);
  // And the warm-build fast path expires when such a date passes (the feed date moves then).
  auto until = decisions_valid_until(b.load.built, site, built);
  CHECK(until > built);
  CHECK(until <= utc("2026-12-31T00:00:00Z"));
}

TEST_CASE("editing one page's time bumps its SEQUENCE and changes only the outputs carrying it",
          "[pipeline][sequence]") {
  TempDir tmp;
  const std::string content = copy_of_feeds(tmp);
  SiteConfig site = feeds_site();
  SiteBuild first = build_site({content}, site);
  const std::string id = "event/cloud-native-meetup-shanghai-operators";
  REQUIRE(first.state.count(id) == 1);
  for (const auto& [identity, entry] : first.state) CHECK(entry.sequence == 0);

  // Unchanged pages: same state, same bytes.
  SiteBuild same = build_site({content}, site, first.state);
  CHECK(serialize_sequences(same.state) == serialize_sequences(first.state));

  replace_in_file(tmp / "content/en/event/cloud-native-meetup-shanghai-operators.md", "date = 2026-09-19T14:00:00",
                  "date = 2026-09-19T15:30:00");
  SiteBuild second = build_site({content}, site, first.state);
  for (const auto& [identity, entry] : second.state) {
    INFO(identity);
    CHECK(entry.sequence == (identity == id ? 1 : 0));
    if (identity != id) CHECK(entry.fingerprint == first.state.at(identity).fingerprint);
  }

  auto before = first.by_path();
  auto after = second.by_path();
  REQUIRE(before.size() == after.size());
  std::vector<std::string> changed;
  for (const auto& [path, r] : after) {
    REQUIRE(before.count(path) == 1);
    bool differs = before[path]->body != r->body;
    bool carries = r->body.find("cloud-native-meetup-shanghai-operators") != std::string::npos;
    INFO(path);
    CHECK(differs == carries);
    CHECK((before[path]->gzip != r->gzip) == differs);
    if (differs) changed.push_back(path);
  }
  // The event's own calendar, the site calendars, its language and topic sets, index.html.
  for (const char* p : {"events/cloud-native-meetup-shanghai-operators.ics", "calendar.ics", "calendar-alarms.ics",
                        "en/calendar.ics", "topics/cloud-native/calendar.ics", "rss.xml", "index.html"}) {
    INFO(p);
    CHECK(std::find(changed.begin(), changed.end(), p) != changed.end());
  }
  CHECK(std::find(changed.begin(), changed.end(), "events/service-mesh-meetup-08.ics") == changed.end());
  CHECK(std::find(changed.begin(), changed.end(), "zh/calendar.ics") == changed.end());
  CHECK(std::find(changed.begin(), changed.end(), "topics/service-mesh/calendar.ics") == changed.end());

  const std::string& ics = after["events/cloud-native-meetup-shanghai-operators.ics"]->body;
  CHECK(ical_line(ics, "SEQUENCE") == "SEQUENCE:1");
  CHECK(ical_line(ics, "DTSTART") == "DTSTART;TZID=Asia/Shanghai:20260919T153000");
  // In the site calendar, only that event has SEQUENCE:1.
  CHECK(count_of(after["calendar.ics"]->body, "SEQUENCE:1\r\n") == 1);
  CHECK(count_of(after["calendar.ics"]->body, "SEQUENCE:0\r\n") == 12);  // the series has 2 VEVENTs

  // A title-only edit changes bytes but not the schedule: SEQUENCE stays.
  replace_in_file(tmp / "content/en/event/cloud-native-meetup-shanghai-operators.md",
                  "title = \"Cloud Native Meetup Shanghai", "title = \"Renamed Meetup Shanghai");
  SiteBuild third = build_site({content}, site, second.state);
  CHECK(third.state.at(id).sequence == 1);
}

TEST_CASE("render_site_again (serve's reload) equals a fresh render and keeps the objects of untouched outputs",
          "[pipeline][reload]") {
  TempDir tmp;
  const std::string content = copy_of_feeds(tmp);
  SiteConfig site = feeds_site();
  RenderReuse reuse;
  auto same_as_fresh = [&](const SiteBuild& b, const std::map<std::string, std::shared_ptr<const Resource>>& files) {
    REQUIRE(files.size() == b.resources.size());
    for (const auto& r : b.resources) {
      INFO(r.path);
      REQUIRE(files.count(r.path) == 1);
      CHECK(files.at(r.path)->body == r.body);
      CHECK(files.at(r.path)->etag == r.etag);
      // After the first build the server sends changed outputs before compressing them.
      if (!reuse.defer_gzip || !files.at(r.path)->gzip.empty()) CHECK(files.at(r.path)->gzip == r.gzip);
    }
  };
  SiteBuild first = build_site({content}, site);
  Diagnostics d1;
  auto files1 = render_site_again(first.model, site, sequences_of(first.state), NOW, d1, reuse);
  same_as_fresh(first, files1);
  reuse.defer_gzip = true;  // as `serve` does after its first build

  // Nothing changed: every output is the previous object.
  SiteBuild again = build_site({content}, site, first.state);
  Diagnostics d2;
  auto files2 = render_site_again(again.model, site, sequences_of(again.state), NOW, d2, reuse);
  same_as_fresh(again, files2);
  for (const auto& [path, r] : files2) {
    INFO(path);
    CHECK(r == files1.at(path));
  }

  // One title edited: the outputs carrying that event are new, the others the same objects.
  replace_in_file(tmp / "content/en/event/cloud-native-meetup-shanghai-operators.md",
                  "title = \"Cloud Native Meetup Shanghai", "title = \"Renamed Meetup Shanghai");
  SiteBuild edited = build_site({content}, site, again.state);
  Diagnostics d3;
  auto files3 = render_site_again(edited.model, site, sequences_of(edited.state), NOW, d3, reuse);
  same_as_fresh(edited, files3);
  for (const auto& [path, r] : files3) {
    INFO(path);
    bool carries = r->body.find("Renamed Meetup Shanghai") != std::string::npos;
    CHECK((r != files2.at(path)) == carries);
  }
  CHECK(files3.at("events/cloud-native-meetup-shanghai-operators.ics") !=
        files2.at("events/cloud-native-meetup-shanghai-operators.ics"));
  CHECK(files3.at("events/service-mesh-meetup-08.ics") == files2.at("events/service-mesh-meetup-08.ics"));
  CHECK(files3.at("zh/calendar.ics") == files2.at("zh/calendar.ics"));

  // A new time for the seed page (site language: in calendar.ics): a new SEQUENCE too.
  replace_in_file(tmp / "content/zh/event/service-mesh-meetup-08.md", "date: 2019-11-24T13:00:00+08:00",
                  "date: 2019-11-24T14:00:00+08:00");
  SiteBuild moved = build_site({content}, site, edited.state);
  Diagnostics d4;
  auto files4 = render_site_again(moved.model, site, sequences_of(moved.state), NOW, d4, reuse);
  same_as_fresh(moved, files4);
  CHECK(ical_line(files4.at("events/service-mesh-meetup-08.ics")->body, "SEQUENCE") == "SEQUENCE:1");
}

// Regression (fixed): advance_sequences fingerprints model.events only (one page per identity, in
// the site language). In feeds/ (site language zh) a time change made only in the English
// page is published in en/calendar.ics with the same UID and the same SEQUENCE:0, so
// subscribed clients may ignore the reschedule (RFC 5545 3.8.7.4).
TEST_CASE("a time change in a translation bumps the SEQUENCE of that UID", "[pipeline][sequence]") {
  TempDir tmp;
  const std::string content = copy_of_feeds(tmp);
  SiteConfig site = feeds_site();
  SiteBuild first = build_site({content}, site);
  replace_in_file(tmp / "content/en/event/cloud-native-meetup-shenzhen-07.md", "date: 2021-09-25T18:00:00+08:00",
                  "date: 2021-09-25T19:00:00+08:00");
  SiteBuild second = build_site({content}, site, first.state);
  auto files = second.by_path();
  REQUIRE(files.count("en/calendar.ics") == 1);
  std::string en = files["en/calendar.ics"]->body;
  size_t uid = en.find("UID:event/cloud-native-meetup-shenzhen-07@");
  REQUIRE(uid != std::string::npos);
  std::string vevent = en.substr(uid, en.find("END:VEVENT", uid) - uid);
  CHECK_THAT(vevent, Catch::Contains("DTSTART;TZID=Asia/Shanghai:20210925T190000"));
  CHECK_THAT(vevent, Catch::Contains("SEQUENCE:1"));
}

TEST_CASE("advance_sequences: schedule changes count, other edits do not", "[pipeline][sequence]") {
  auto m1 = model_of({seq_event("a", "2024-01-01T00:00:00Z", "Hall 1"), seq_event("b", "2024-02-01T00:00:00Z")});
  SequenceState s1 = advance_sequences(m1, {});
  CHECK(s1.at("a").sequence == 0);
  CHECK(s1.at("b").sequence == 0);

  Event a_renamed = seq_event("a", "2024-01-01T00:00:00Z", "Hall 1");
  a_renamed.title = "renamed";
  a_renamed.summary = "new text";
  auto m2 = model_of({a_renamed, seq_event("b", "2024-02-01T00:00:00Z")});
  SequenceState s2 = advance_sequences(m2, s1);
  CHECK(s2.at("a").sequence == 0);

  auto m3 = model_of({seq_event("a", "2024-01-01T00:00:00Z", "Hall 2"), seq_event("b", "2024-02-01T00:00:00Z")});
  SequenceState s3 = advance_sequences(m3, s2);
  CHECK(s3.at("a").sequence == 1);  // location
  CHECK(s3.at("b").sequence == 0);

  Event b_cancelled = seq_event("b", "2024-02-01T00:00:00Z");
  b_cancelled.status = EventStatus::cancelled;
  SequenceState s4 = advance_sequences(model_of({seq_event("a", "2024-01-01T00:00:00Z", "Hall 2"), b_cancelled}), s3);
  CHECK(s4.at("b").sequence == 1);  // status

  Event b_longer = b_cancelled;
  b_longer.end += hours{1};
  SequenceState s5 = advance_sequences(model_of({seq_event("a", "2024-01-01T00:00:00Z", "Hall 2"), b_longer}), s4);
  CHECK(s5.at("b").sequence == 2);  // end time

  // A vanished event keeps its entry; when it comes back it does not restart at 0.
  SequenceState s6 = advance_sequences(model_of({seq_event("a", "2024-01-01T00:00:00Z", "Hall 2")}), s5);
  REQUIRE(s6.count("b") == 1);
  CHECK(s6.at("b").sequence == 2);
  SequenceState s7 = advance_sequences(model_of({seq_event("a", "2024-01-01T00:00:00Z", "Hall 2"), b_longer}), s6);
  CHECK(s7.at("b").sequence == 2);
  CHECK(sequences_of(s7) == Sequences{{"a", 1}, {"b", 2}});
}

TEST_CASE("sequence state serializes and parses back", "[pipeline][sequence]") {
  SequenceState s{{"event/a", {3, "0123456789abcdef"}},
                  {"2023-11-23", {0, "fedcba9876543210"}},
                  {"dir/with space", {12, "00ff00ff00ff00ff"}}};
  std::string text = serialize_sequences(s);
  CHECK(starts_with(text, "#"));
  SequenceState back = parse_sequences(text);
  REQUIRE(back.size() == 3);
  CHECK(back.at("event/a").sequence == 3);
  CHECK(back.at("event/a").fingerprint == "0123456789abcdef");
  CHECK(back.at("dir/with space").sequence == 12);
  CHECK(serialize_sequences(back) == text);
  // Junk lines are skipped, never fatal.
  SequenceState junk = parse_sequences("garbage\nx\tnot-a-number\tf\n\n# comment\ny\t2\tabc\n");
  CHECK(junk.size() == 1);
  CHECK(junk.at("y").sequence == 2);
  CHECK(parse_sequences("").empty());
}

TEST_CASE("schedule_fingerprint reflects time, zone, location and status only", "[pipeline][sequence]") {
  Event a = seq_event("a", "2024-01-01T00:00:00Z", "Hall");
  Event b = a;
  b.title = "other";
  b.speakers = {{"x", "y", ""}};
  CHECK(schedule_fingerprint(a) == schedule_fingerprint(b));
  b.start += minutes{1};
  CHECK(schedule_fingerprint(a) != schedule_fingerprint(b));
  Event c = a;
  c.zone = find_zone("UTC");
  CHECK(schedule_fingerprint(a) != schedule_fingerprint(c));
}

TEST_CASE("load_events: broken pages are reported and never stop the others", "[pipeline][errors]") {
  TempDir tmp;
  auto c = tmp / "content";
  spit(c / "a-good.md", "---\ntitle: good\ndate: 2019-11-24T13:00:00+08:00\n---\nbody\n");
  spit(c / "b-nul.md", std::string("---\ntitle: x\n") + '\0' + "\n---\n");
  spit(c / "c-unclosed.md", "---\ntitle: x\ndate: 2019-11-24\n");
  spit(c / "d-yaml.md", "---\ntitle: Service Mesh: 实践\ndate: 2019-11-24\n---\n");
  spit(c / "e-nodate.md", "---\ntitle: no date\n---\n");
  spit(c / "f-badutf8.md", "---\ntitle: caf\xE9\ndate: 2019-11-24\n---\n");
  spit(c / "g-good.markdown", "+++\ntitle = \"toml\"\ndate = 2019-11-25T10:00:00\n+++\n");
  spit(c / "_index.md", "---\ntitle: section\n---\n");
  LoadResult one = load_events({{c.string()}, 1}, test_site());
  CHECK(one.pages_seen == 7);
  REQUIRE(one.built.size() == 3);
  CHECK(one.built[0].title == "good");
  CHECK(one.built[1].title == "caf\xEF\xBF\xBD");
  CHECK(one.built[2].title == "toml");
  CHECK(one.diags.count(Severity::error) == 4);
  CHECK(one.diags.count(Severity::warning) == 1);  // invalid UTF-8 replaced, at its line and column
  // Diagnostics come in file order whatever the thread count.
  std::vector<std::string> paths;
  for (const auto& d : one.diags.items) paths.push_back(fs::path(d.path).filename().string());
  CHECK(paths == std::vector<std::string>{"b-nul.md", "c-unclosed.md", "d-yaml.md", "e-nodate.md", "f-badutf8.md"});
  for (unsigned threads : {2u, 8u}) {
    LoadResult many = load_events({{c.string()}, threads}, test_site());
    REQUIRE(many.diags.items.size() == one.diags.items.size());
    for (size_t i = 0; i < many.diags.items.size(); ++i)
      CHECK(format_diagnostic(many.diags.items[i]) == format_diagnostic(one.diags.items[i]));
    REQUIRE(many.built.size() == 3);
    CHECK(many.built[2].title == "toml");
  }
}

// Regression (fixed): load_events runs clean_utf8 (which drops control characters, NUL included)
// before split_page, so split_page's "file contains a NUL byte" error can never fire in
// the pipeline: a corrupt/binary page with NULs is silently accepted.
TEST_CASE("load_events reports a page containing a NUL byte", "[pipeline][errors]") {
  TempDir tmp;
  spit(tmp / "content/nul.md", std::string("---\ntitle: x\ndate: 2019-11-24\n---\nbody") + '\0' + "more\n");
  LoadResult r = load_events({{(tmp / "content").string()}, 1}, test_site());
  CHECK(r.built.empty());
  REQUIRE(r.diags.items.size() == 1);
  CHECK(r.diags.items[0].severity == Severity::error);
  CHECK_THAT(r.diags.items[0].message, Catch::Contains("NUL"));
}

TEST_CASE("load_events over several content folders", "[pipeline]") {
  TempDir tmp;
  spit(tmp / "one/en/event/a.md", "---\ntitle: A\ndate: 2019-11-24T13:00:00+08:00\n---\n");
  spit(tmp / "two/zh/event/a.md", "---\ntitle: A zh\ndate: 2019-11-24T13:00:00+08:00\n---\n");
  LoadResult r =
      load_events({{(tmp / "one").string(), (tmp / "two").string(), (tmp / "missing").string()}, 0}, test_site());
  CHECK(r.pages_seen == 2);
  CHECK(r.built.size() == 2);
  CHECK(r.diags.count(Severity::error) == 1);  // the missing folder
  EventModel m = assemble_model(r.built, test_site(), NOW);
  REQUIRE(m.events.size() == 1);
  CHECK(m.events[0].languages == std::vector<std::string>{"en", "zh"});
}

TEST_CASE("calendar window: old events leave calendar.ics, not their own files", "[pipeline]") {
  std::vector<Event> evs = {seq_event("event/old", "2020-01-01T00:00:00Z"),
                            seq_event("event/new", "2024-12-20T00:00:00Z")};
  for (auto& e : evs) e.url = "https://events.example.org/" + e.identity + "/";
  SiteConfig site = test_site();
  site.window_past_days = 30;
  EventModel m = assemble_model(evs, site, NOW);
  Diagnostics d;
  auto rs = render_site(m, site, {}, NOW, d);
  std::map<std::string, std::string> body;
  for (const auto& r : rs) body[r.path] = r.body;
  CHECK(count_of(body["calendar.ics"], "BEGIN:VEVENT") == 1);
  CHECK_THAT(body["calendar.ics"], Catch::Contains("UID:event/new@"));
  CHECK(body.count("events/old.ics") == 1);
  CHECK_THAT(body["calendar-alarms.ics"], !Catch::Contains("UID:event/old@"));
}

TEST_CASE("load_events points at invalid UTF-8 and at absurdly long lines", "[pipeline][errors]") {
  TempDir tmp;
  auto c = tmp / "content";
  spit(c / "a.md", "---\ntitle: ok\ndate: 2019-11-24T13:00:00+08:00\n---\nfine\nnot caf\xE9 here\n");
  spit(c / "b.md", "---\ntitle: long\ndate: 2019-11-24T13:00:00+08:00\n---\n" + std::string(70 * 1024, 'x') + "\n");
  LoadResult r = load_events({{c.string()}, 1}, test_site());
  REQUIRE(r.built.size() == 2);  // both still published
  REQUIRE(r.diags.items.size() == 2);
  const Diagnostic& utf8 = r.diags.items[0];
  CHECK(utf8.severity == Severity::warning);
  CHECK(utf8.line == 6);
  CHECK(utf8.column == 8);
  CHECK_THAT(utf8.message, Catch::Contains("UTF-8"));
  const Diagnostic& long_line = r.diags.items[1];
  CHECK(long_line.line == 5);
  CHECK(long_line.column == 1);
  CHECK_THAT(long_line.message, Catch::Contains("70 KiB long"));
}
