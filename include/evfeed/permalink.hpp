#pragma once
// The link a page gets from its generator, and the dates the generator publishes it by.
// Pure functions of (site profile, page path, front matter): Hugo 0.111's
// CreateTargetPaths/permalinks/MakePathSanitized and Jekyll 4.3's URL placeholders and
// slugify, as data and small steps; tests compare them page by page with the real
// generators (tests/sites/oracle.py).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "evfeed/front_matter.hpp"
#include "evfeed/page.hpp"
#include "evfeed/site_profile.hpp"
#include "evfeed/time.hpp"

namespace evfeed {

// Where a page sits for its generator: `rel` is the path the generator's rules see (Hugo:
// within the language's contentDir, "event/x.md"; Jekyll: within the site, "_posts/2024-01-02-x.md").
struct PageRef {
  std::string rel;
  std::string lang;
  std::int64_t mtime_ns = 0;              // Hugo's :fileModTime
  std::optional<GitAuthorDate> git_date;  // Hugo's :git (enableGitInfo), from SiteProfile::git
  std::string path;                       // the file (absolute): which folders' cascades and sections apply
};

// The absolute link ("https://site/sub/event/x/"), or "" when the generator writes no page
// for it (Hugo `_build: {render: never}` or `headless`, a Jekyll collection without output).
std::string generator_link(const SiteProfile& site, const PageRef& page, const Value& front_matter,
                           const date::time_zone* site_zone);

// What decides publishing, as the generator reads it. Hugo: a section page (`_index`) that is
// a draft, future or expired takes the pages below it along (its dates are folded in).
struct GeneratorDates {
  std::optional<SysSeconds> publish;  // Hugo: publishDate, else date; Jekyll: the post's date
  std::optional<SysSeconds> expiry;   // Hugo: expiryDate ([frontmatter] expiryDate)
  std::optional<SysSeconds> lastmod;  // Hugo: lastmod ([frontmatter] lastmod, :git first by default)
  bool draft = false;                 // Hugo draft (or `published: false`); Jekyll published: false, _drafts
  // Jekyll: a post's date from its file name ("2014-11-10-title.md"), when the front matter has none.
  std::optional<date::local_days> date_from_name;
};
GeneratorDates generator_dates(const SiteProfile& site, const PageRef& page, const Value& front_matter,
                               const date::time_zone* site_zone);

// Hugo: what each section page holds back below it (SiteProfile::SectionPage::held_*), once
// the site's zone is known; until then no section holds a page back.
void settle_section_pages(SiteProfile& site, const date::time_zone* site_zone);

// Jekyll `defaults` that apply to a document at `rel` of collection `type` (posts, pages,
// drafts, or a collection label), merged under its own front matter.
Value with_jekyll_defaults(const SiteProfile& site, const std::string& rel, const Value& front_matter);

// Hugo `cascade` that applies to `page` (a regular page, or a "section"/"home" page for the
// `_index` pages), merged under its own front matter: its own keys win, then the nearest folder's.
Value with_hugo_cascade(const SiteProfile& site, const PageRef& page, const Value& front_matter,
                        const char* kind = "page");

// Hugo's glob (gobwas/glob with '/' as separator): `*` and `?` stay within a path element,
// `**` crosses them, `{a,b}` alternatives, `[a-z]`/`[!a-z]` classes, `\` escapes. `?` and a class
// take one UTF-8 character; Hugo 0.111 matches neither against a non-ASCII character in a
// pattern without `*` (tried: "/talks/?.md" and "/talks/[讲座].md" miss "/talks/讲.md").
bool hugo_glob_match(std::string_view pattern, std::string_view text);

// The pages among `files` that the generator treats as pages: not the resources of a Hugo
// leaf bundle (event/x/index.md makes event/x/notes.md a resource), not Jekyll posts without
// a date in their name nor files it skips (_x, .x, #x, x~).
std::vector<SourceFile> generator_pages(const SiteProfile& site, std::vector<SourceFile> files);

// Building blocks, exposed for tests.
std::string hugo_sanitize_path(std::string_view s, bool lower, bool remove_accents);  // MakePathSanitized
std::string go_url_escape_path(std::string_view s);                                   // url.Parse(s).String()
std::string jekyll_slugify(std::string_view s, bool pretty, bool cased);
std::string jekyll_escape_path(std::string_view s);

}  // namespace evfeed
