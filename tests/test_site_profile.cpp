// --site: which pages of a Hugo site are events. Links and publish decisions are compared
// with Hugo itself in e2e.site_oracle; these tests pin evfeed's own choice of event pages.
#include <algorithm>

#include "evfeed/pipeline.hpp"
#include "evfeed/site_profile.hpp"
#include "test_support.hpp"

using namespace evtest;
using namespace evfeed;

namespace {

// `evfeed check --site DIR`'s reading: the site (its diagnostics in `diags`), then its pages.
LoadResult load_site(const fs::path& site_dir, Diagnostics& diags) {
  SiteSources sources;
  sources.site_dir = site_dir.string();
  ResolvedSite resolved;
  REQUIRE(resolve_site(sources, resolved, diags));
  return load_events({resolved.content_dirs, 1}, resolved.site);
}

// The site-relative paths of the events `evfeed check --site DIR` would list.
std::vector<std::string> event_paths(const fs::path& site_dir) {
  Diagnostics diags;
  LoadResult r = load_site(site_dir, diags);
  std::string said;
  for (const auto& d : diags.items) said += format_diagnostic(d) + "\n";
  for (const auto& d : r.diags.items) said += format_diagnostic(d) + "\n";
  CHECK(said == "");  // pages that are no events get no word
  std::vector<std::string> out;
  for (const auto& e : r.built) out.push_back(fs::path(e.source_path).lexically_relative(site_dir).generic_string());
  std::sort(out.begin(), out.end());
  return out;
}

void write_page(const fs::path& p, const std::string& front_matter) {
  fs::create_directories(p.parent_path());
  spit(p, "---\n" + front_matter + "---\nBody.\n");
}

}  // namespace

TEST_CASE("site profile: pages of other sections are events by their own or handed-down type or layout",
          "[site_profile]") {
  TempDir dir;
  spit(dir.path() / "hugo.toml", "baseURL = \"https://example.org/\"\n");
  write_page(dir.path() / "content/events/a.md", "title: A\ndate: 2024-05-01T10:00:00Z\n");
  write_page(dir.path() / "content/blog/_index.md", "title: Blog\ncascade:\n  type: post\n");
  write_page(dir.path() / "content/blog/talk.md", "title: Talk\ndate: 2024-05-02T10:00:00Z\ntype: Event\n");
  write_page(dir.path() / "content/blog/evening.md", "title: Evening\ndate: 2024-05-03T10:00:00Z\nlayout: event\n");
  // No date, a duplicate key, invalid UTF-8: an event page would get warnings, this one none.
  write_page(dir.path() / "content/blog/post.md", "title: Post\ntitle: Again\nsummary: \"caf\xe9\"\n");
  write_page(dir.path() / "content/news/2024/_index.md", "title: '2024'\ncascade:\n  type: meetup\n");
  write_page(dir.path() / "content/news/2024/social.md", "title: Social\ndate: 2024-05-04T10:00:00Z\n");
  write_page(dir.path() / "content/news/item.md", "title: Item\n");
  spit(dir.path() / "content/blog/README.md", "No front matter: Hugo takes it, and so do we, quietly.\n");
  spit(dir.path() / "content/blog/nul.md", std::string("---\ntitle: x\n---\n\0", 18));
  spit(dir.path() / "content/blog/open.md", "---\ntitle: never closed\n");
  CHECK(event_paths(dir.path()) == std::vector<std::string>{"content/blog/evening.md", "content/blog/talk.md",
                                                            "content/events/a.md", "content/news/2024/social.md"});

  SECTION("configured sections are the only ones read") {
    spit(dir.path() / "hugo.toml",
         "baseURL = \"https://example.org/\"\n[params.evfeed.events]\nsections = [\"events\"]\n");
    CHECK(event_paths(dir.path()) == std::vector<std::string>{"content/events/a.md"});
  }
  SECTION("configured types decide, in every section that is not an event section") {
    spit(dir.path() / "hugo.toml",
         "baseURL = \"https://example.org/\"\n[params.evfeed.events]\ntypes = [\"meetup\"]\n");
    CHECK(event_paths(dir.path()) == std::vector<std::string>{"content/events/a.md", "content/news/2024/social.md"});
  }
}

TEST_CASE("site profile: Jekyll pages in plain folders are events by layout, with the configured types",
          "[site_profile]") {
  TempDir dir;
  spit(dir.path() / "_config.yml", "url: https://example.org\n");
  write_page(dir.path() / "_posts/2024-05-01-a.md", "title: A\n");
  write_page(dir.path() / "community/bbq.md", "title: BBQ\ndate: 2024-05-02 10:00:00\nlayout: event\n");
  write_page(dir.path() / "community/social.md", "title: Social\ndate: 2024-05-03 10:00:00\nlayout: meetup\n");
  write_page(dir.path() / "community/notes.md", "title: Notes\nlayout: page\n");
  write_page(dir.path() / "node_modules/x/readme.md", "title: X\nlayout: event\n");  // excluded by Jekyll
  CHECK(event_paths(dir.path()) ==
        std::vector<std::string>{"_posts/2024-05-01-a.md", "community/bbq.md", "community/social.md"});
  spit(dir.path() / "_config.yml", "url: https://example.org\nevfeed:\n  events:\n    types: [Meetup]\n");
  CHECK(event_paths(dir.path()) == std::vector<std::string>{"_posts/2024-05-01-a.md", "community/social.md"});
}

TEST_CASE("site profile: Hugo rules evfeed does not follow are named once, at their place in the config",
          "[site_profile]") {
  TempDir dir;
  spit(dir.path() / "hugo.toml",
       "baseURL = \"https://example.org/\"\n"
       "[[module.mounts]]\nsource = \"content\"\ntarget = \"content\"\n"  // the contentDir again: read
       "[[module.mounts]]\nsource = \"events\"\ntarget = \"content/event\"\n");
  write_page(dir.path() / "content/event/x.md", "title: X\ndate: 2024-05-01T10:00:00Z\n");
  Diagnostics diags;
  load_site(dir.path(), diags);
  std::vector<std::string> said;
  for (const auto& d : diags.items) said.push_back(format_diagnostic(d));
  REQUIRE(said.size() == 1);
  std::string config = (dir.path() / "hugo.toml").string();
  CHECK(said[0].rfind(config + ":5:1: warning: module.mounts: content mounted from 'events' is not read", 0) == 0);
}

TEST_CASE("site profile: a broken page that says it is an event still gets its error", "[site_profile]") {
  TempDir dir;
  spit(dir.path() / "hugo.toml", "baseURL = \"https://example.org/\"\n");
  write_page(dir.path() / "content/events/a.md", "title: A\ndate: 2024-05-01T10:00:00Z\n");
  write_page(dir.path() / "content/blog/talk.md", "title: [unclosed\ntype: event\n");
  Diagnostics diags;
  LoadResult r = load_site(dir.path(), diags);
  REQUIRE(r.diags.count(Severity::error) == 1);
  CHECK(r.diags.items[0].path == (dir.path() / "content/blog/talk.md").string());
}

TEST_CASE("names_event_type: type or layout lines of YAML, TOML and JSON", "[site_profile]") {
  std::vector<std::string> types{"event", "talk"};
  CHECK(names_event_type("title: x\ntype: event\n", types));
  CHECK(names_event_type("title = 'x'\nlayout = \"Talk\"\n", types));
  CHECK(names_event_type("{\n  \"title\": \"x\",\n  \"type\": \"event\"\n}", types));
  CHECK(names_event_type("Type: 'event' # a comment\r\n", types));
  CHECK_FALSE(names_event_type("typeface: event\nlayouts: talk\n", types));
  CHECK_FALSE(names_event_type("type: post\nlayout: single\ntitle: type: event\n", types));
  CHECK_FALSE(names_event_type("type:\n", types));
  CHECK_FALSE(names_event_type("", types));
}
