// build.hpp: the incremental static build as a library call. The up-to-date fast path and
// its expiry with an injected clock, and the build state kept out of the published folder.
#include "evfeed/build.hpp"

#include "test_support.hpp"

using namespace evfeed;
using namespace evtest;

namespace {

const char* plain_page = "---\ntitle: Meetup\ndate: 2024-03-01T19:00:00+08:00\nlocation: Beijing\n---\nBody.\n";
// Embargoed until 2025-06-01: not published before, published after.
const char* embargoed_page =
    "---\ntitle: Secret launch\ndate: 2025-09-01T10:00:00Z\npublishDate: 2025-06-01T00:00:00Z\n---\n"
    "EMBARGOED-TEXT\n";
const char* draft_page = "---\ntitle: Draft talk\ndate: 2024-05-01T10:00:00Z\ndraft: true\n---\nDRAFT-TEXT\n";

struct Fixture {
  TempDir tmp;
  BuildRequest request;
  Fixture() {
    spit(tmp / "content/event/meetup.md", plain_page);
    spit(tmp / "content/event/launch.md", embargoed_page);
    spit(tmp / "content/event/draft.md", draft_page);
    request.content_dirs = {(tmp / "content").string()};
    request.out_dir = (tmp / "out").string();
    request.state.dir = default_state_dir(request.out_dir);
    request.site = test_site();
    request.site.base_url = "https://events.example.org/";
  }
};

SysSeconds at(const char* iso) { return utc(iso); }

std::vector<std::string> all_files(const fs::path& dir) {
  std::vector<std::string> out;
  for (auto& e : fs::recursive_directory_iterator(dir)) out.push_back(fs::relative(e.path(), dir).string());
  return out;
}

}  // namespace

TEST_CASE("default_state_dir: beside the output, whatever its spelling", "[build]") {
  CHECK(default_state_dir("/srv/www/public") == "/srv/www/public.evfeed-state");
  CHECK(default_state_dir("/srv/www/public/") == "/srv/www/public.evfeed-state");
  CHECK(default_state_dir("/srv/www/./public//") == "/srv/www/public.evfeed-state");
  CHECK(default_state_dir("/") == "");
}

TEST_CASE("state folders: never inside the output, one per output folder however it is spelled", "[build]") {
  TempDir tmp;
  fs::create_directories(tmp / "site/public/calendar");
  fs::create_directory_symlink(tmp / "site/public/calendar", tmp / "link");
  CHECK(state_inside_output((tmp / "out/state").string(), (tmp / "out").string()));
  CHECK(state_inside_output((tmp / "out").string(), (tmp / "out").string()));
  CHECK_FALSE(state_inside_output((tmp / "out.evfeed-state").string(), (tmp / "out").string()));
  // Two spellings of one folder share one state (one lock, one manifest).
  CHECK(default_state_dir((tmp / "link").string()) == default_state_dir((tmp / "site/public/calendar").string()));
  // --site: the state sits in the site, not beside an output inside its publish folder.
  std::string a = site_state_dir((tmp / "site").string(), (tmp / "site/public/calendar").string());
  std::string b = site_state_dir((tmp / "site").string(), (tmp / "site/public/other").string());
  CHECK(a != b);
  CHECK(a.find("/site/.evfeed-state/") != std::string::npos);
  CHECK(a.find("/public/") == std::string::npos);
  CHECK(a == site_state_dir((tmp / "site").string(), (tmp / "link").string()));
}

TEST_CASE("build: nothing but published outputs in --out; drafts and embargoed text nowhere in it", "[build]") {
  Fixture f;
  BuildReport report = build(f.request, at("2025-01-01T00:00:00Z"));
  REQUIRE(report.ok);
  CHECK(report.events == 1);
  for (const auto& rel : all_files(f.request.out_dir)) {
    INFO(rel);
    CHECK(fs::path(rel).filename().string()[0] != '.');  // `find OUT -name '.*'` lists nothing
    if (fs::is_regular_file(fs::path(f.request.out_dir) / rel)) {
      std::string bytes = slurp(fs::path(f.request.out_dir) / rel);
      CHECK(bytes.find("DRAFT-TEXT") == std::string::npos);
      CHECK(bytes.find("EMBARGOED-TEXT") == std::string::npos);
    }
  }
  // The state folder has the bookkeeping (the parse cache holds the unpublished pages too).
  for (auto path : {f.request.state.manifest(), f.request.state.sequences(), f.request.state.cache(),
                    f.request.state.digest(), f.request.state.index()}) {
    INFO(path);
    CHECK(fs::is_regular_file(path));
  }
  CHECK(slurp(f.request.state.cache()).find("DRAFT-TEXT") != std::string::npos);
}

TEST_CASE("check_up_to_date: answers after a complete build, until something changes", "[build]") {
  Fixture f;
  SysSeconds now = at("2025-01-01T00:00:00Z");
  CHECK_FALSE(check_up_to_date(f.request, now));  // never built
  REQUIRE(build(f.request, now).ok);

  auto report = check_up_to_date(f.request, now + std::chrono::hours(1));
  REQUIRE(report);
  CHECK(report->up_to_date);
  CHECK(report->events == 1);
  CHECK(report->pages_seen == 3);

  SECTION("expires when a publishing decision falls due (the embargo ends)") {
    CHECK(check_up_to_date(f.request, at("2025-05-31T23:59:59Z")));
    CHECK_FALSE(check_up_to_date(f.request, at("2025-06-01T00:00:00Z")));
    // And the build at that moment publishes the event.
    BuildReport later = build(f.request, at("2025-06-01T00:00:00Z"));
    REQUIRE(later.ok);
    CHECK(later.events == 2);
  }
  SECTION("a page edited") {
    spit(fs::path(f.request.content_dirs[0]) / "event/meetup.md", std::string(plain_page) + "More.\n");
    CHECK_FALSE(check_up_to_date(f.request, now));
  }
  SECTION("a page added") {
    spit(fs::path(f.request.content_dirs[0]) / "event/second.md", plain_page);
    CHECK_FALSE(check_up_to_date(f.request, now));
  }
  SECTION("an output deleted by hand") {
    fs::remove(fs::path(f.request.out_dir) / "calendar.ics");
    CHECK_FALSE(check_up_to_date(f.request, now));
  }
  SECTION("the config changed") {
    f.request.site.title = "Another title";
    CHECK_FALSE(check_up_to_date(f.request, now));
  }
  SECTION("the state lost its index (a build killed halfway)") {
    fs::remove(f.request.state.index());
    CHECK_FALSE(check_up_to_date(f.request, now));
  }
}

TEST_CASE("build: a second build of the same inputs writes nothing", "[build]") {
  Fixture f;
  SysSeconds now = at("2025-01-01T00:00:00Z");
  BuildReport first = build(f.request, now);
  REQUIRE(first.ok);
  CHECK(first.stats.written > 0);
  BuildReport second = build(f.request, now);
  REQUIRE(second.ok);
  CHECK(second.stats.written == 0);
  CHECK(second.pages_reused == 3);
}

TEST_CASE("migrate_state_from_output: an older evfeed's dotfiles leave the output", "[build]") {
  Fixture f;
  fs::path out(f.request.out_dir);
  spit(out / ".evfeed-state", "# evfeed sequences v1\nevent/meetup\t3\tfp\n");
  spit(out / ".evfeed-manifest", "# files written by evfeed\ncalendar.ics\n");
  spit(out / ".evfeed-cache", "DRAFT-TEXT");
  spit(out / ".evfeed-digest", "d");
  spit(out / ".evfeed-index", "i");
  spit(out / ".evfeed.lock", "");
  spit(out / "calendar.ics", "old");
  Diagnostics d;
  REQUIRE(migrate_state_from_output(f.request.out_dir, f.request.state, d));
  CHECK(d.count(Severity::error) == 0);
  CHECK(all_files(out) == std::vector<std::string>{"calendar.ics"});
  CHECK(slurp(f.request.state.sequences()) == "# evfeed sequences v1\nevent/meetup\t3\tfp\n");
  CHECK(slurp(f.request.state.manifest()) == "# files written by evfeed\ncalendar.ics\n");
}
