// The corpus of real pages (../shared/corpus): exact counts per folder, no errors, and
// calendars of every event that parse back cleanly. Skipped (with a warning) when the
// corpus is absent. Counts were taken with `build/evfeed check --content <folder>`.
#include <libical/ical.h>

#include <set>

#include "test_support.hpp"

using namespace evfeed;
using namespace evtest;

namespace {

const SysSeconds NOW{date::sys_days{date::year{2025} / 1 / 1}};

// ../shared/corpus is part of the test environment (CI has it): its absence is a failure.
bool have_corpus() {
  std::error_code ec;
  INFO("corpus at " << corpus_dir());
  REQUIRE(fs::is_directory(corpus_dir(), ec));
  return true;
}

struct FolderCount {
  const char* folder;
  size_t pages;      // Markdown pages found
  size_t built;      // pages that yield an event
  size_t warnings;   // as `evfeed check` reports them
  size_t published;  // distinct events after the publishing rules at NOW (2025-01-01)
};

// educenter-theme-example: 6 English + 6 French demo pages (translations of each other);
// servicemesher-educenter: 19 en + 19 zh; badgeteam: every page is a draft.
const FolderCount COUNTS[] = {
    {"badgeteam-events", 12, 12, 4, 0},
    {"chicagolang-events", 11, 11, 0, 11},
    {"cloudnative.to", 23, 23, 1, 23},
    {"dataworkz-educenter", 18, 18, 2, 18},
    {"educenter-theme-example", 12, 12, 0, 6},
    {"opensearch-events", 15, 15, 1, 15},
    {"ropensci-commcalls", 45, 45, 0, 40},  // 5 calls have a publishDate after NOW
    {"ropensci-events", 197, 197, 19, 197},
    {"servicemesher-educenter", 38, 38, 4, 19},
    {"tinyrobots-academic-talks", 16, 16, 4, 16},
};

}  // namespace

TEST_CASE("corpus: exact page and event counts per folder", "[corpus]") {
  if (!have_corpus()) return;
  SiteConfig site = test_site();
  size_t total_pages = 0;
  for (const auto& c : COUNTS) {
    INFO("folder " << c.folder);
    std::string dir = corpus_dir() + "/" + c.folder;
    REQUIRE(fs::is_directory(dir));
    LoadResult r = load_events({{dir}, 0}, site);
    std::string msgs;
    for (const auto& d : r.diags.items) msgs += format_diagnostic(d) + "\n";
    INFO(msgs);
    CHECK(r.pages_seen == c.pages);
    CHECK(r.built.size() == c.built);
    CHECK(r.diags.count(Severity::error) == 0);
    CHECK(r.diags.count(Severity::warning) == c.warnings);
    EventModel m = assemble_model(r.built, site, NOW);
    CHECK(m.events.size() == c.published);
    total_pages += r.pages_seen;
  }
  CHECK(total_pages == 387);
}

TEST_CASE("corpus: the whole corpus loads with 0 errors", "[corpus]") {
  if (!have_corpus()) return;
  SiteConfig site = test_site();
  LoadResult r = load_events({{corpus_dir()}, 0}, site);
  std::string msgs;
  for (const auto& d : r.diags.items)
    if (d.severity == Severity::error) msgs += format_diagnostic(d) + "\n";
  INFO(msgs);
  CHECK(r.pages_seen == 387);
  CHECK(r.built.size() == 387);
  CHECK(r.diags.count(Severity::error) == 0);

  site.include_drafts = site.include_future = site.include_expired = true;
  EventModel m = assemble_model(r.built, site, NOW);
  CHECK(m.pages.size() == 387);
  std::set<std::string> slugs, uids;
  for (const auto& e : m.events) {
    INFO(e.source_path);
    CHECK(e.zone != nullptr);
    CHECK_FALSE(e.title.empty());
    CHECK_FALSE(e.identity.empty());
    CHECK(e.end > e.start);
    if (e.all_day) CHECK(e.end_day > e.start_day);
    CHECK(starts_with(e.url, site.base_url));
    CHECK(unclean_field(e) == "");  // the clean-Event contract renderers rely on
    slugs.insert(e.slug);
    uids.insert(event_uid(e, site));
  }
  CHECK(slugs.size() == m.events.size());
  CHECK(uids.size() == m.events.size());
}

TEST_CASE("corpus: one calendar of every event parses back without errors", "[corpus][ics]") {
  if (!have_corpus()) return;
  SiteConfig site = test_site();
  LoadResult r = load_events({{corpus_dir()}, 0}, site);
  site.include_drafts = site.include_future = site.include_expired = true;
  EventModel m = assemble_model(r.built, site, NOW);
  std::vector<const Event*> all;
  for (const auto& e : m.events) all.push_back(&e);
  CalendarOptions opts{"Corpus", "every event of the corpus", site.base_url + "calendar.ics", false};
  std::string text = render_calendar(all, site, opts, {});
  auto lines = check_ical_lines(text);
  CHECK(lines.bare_lf == 0);
  CHECK(lines.too_long == 0);
  CHECK(lines.bad_utf8 == 0);
  CHECK(count_of(text, "BEGIN:VEVENT") == all.size());
  icalcomponent* cal = icalparser_parse_string(text.c_str());
  REQUIRE(cal);
  CHECK(icalcomponent_count_errors(cal) == 0);
  // Every TZID used by an event has its VTIMEZONE in the file.
  std::set<std::string> defined, used;
  for (auto* tz = icalcomponent_get_first_component(cal, ICAL_VTIMEZONE_COMPONENT); tz;
       tz = icalcomponent_get_next_component(cal, ICAL_VTIMEZONE_COMPONENT))
    defined.insert(icalproperty_get_tzid(icalcomponent_get_first_property(tz, ICAL_TZID_PROPERTY)));
  size_t events = 0;
  for (auto* ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT); ev;
       ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
    ++events;
    for (auto kind : {ICAL_DTSTART_PROPERTY, ICAL_DTEND_PROPERTY}) {
      icalproperty* p = icalcomponent_get_first_property(ev, kind);
      REQUIRE(p);
      if (auto* tz = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER)) used.insert(icalparameter_get_tzid(tz));
    }
  }
  CHECK(events == all.size());
  for (const auto& t : used) {
    INFO("TZID " << t);
    CHECK(defined.count(t) == 1);
  }
  icalcomponent_free(cal);
}
