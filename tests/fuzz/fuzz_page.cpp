// fuzz_page: one page file, as load_events handles it: split_page, clean_utf8 of both
// parts, parse_front_matter (YAML, TOML or JSON, chosen by the page's first line), then
// build_event against a site zone picked from the input (Shanghai, New York or UTC).
//
// Invariants: nothing crashes or throws; a failed stage leaves an error diagnostic
// naming the page with a line inside the file; the value tree respects the documented
// depth and size limits; a built event has a zone, a title, an end after its start and
// valid UTF-8 text.
#include <algorithm>
#include <exception>
#include <vector>

#include "evfeed/front_matter.hpp"
#include "evfeed/model.hpp"
#include "evfeed/page.hpp"
#include "evfeed/schema.hpp"
#include "evfeed/site.hpp"
#include "fuzz_common.hpp"

using namespace evfeed;

namespace {

size_t count_values(const Value& v, int depth, int& max_depth) {
  max_depth = std::max(max_depth, depth);
  size_t n = 1;
  for (const auto& x : v.items) n += count_values(x, depth + 1, max_depth);
  for (const auto& [k, x] : v.members) n += count_values(x, depth + 1, max_depth);
  return n;
}

void check_positions(const Value& v, int max_line) {
  FUZZ_CHECK(v.line >= 0 && v.line <= max_line, "value line %d outside the file (1..%d)", v.line, max_line);
  for (const auto& x : v.items) check_positions(x, max_line);
  for (const auto& [k, x] : v.members) check_positions(x, max_line);
}

const SiteConfig& site_for(size_t selector) {
  static const std::vector<SiteConfig> sites = [] {
    std::vector<SiteConfig> v(3);
    v[1].timezone = "America/New_York";  // DST gaps and overlaps
    v[1].language = "zh";
    v[2].timezone = "UTC";
    v[2].fields["end"] = "finish";  // a config override of the end key
    return v;
  }();
  return sites[selector % sites.size()];
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 512 * 1024) return 0;  // read_file caps pages at 8 MiB; keep executions fast
  std::string text(fuzz::as_text(data, size));
  // clean_utf8 turns a lone CR into LF before parsing, so count CRs as line ends too.
  const int max_line =
      static_cast<int>(std::count(text.begin(), text.end(), '\n') + std::count(text.begin(), text.end(), '\r')) + 2;
  // Language folder and bundle form come from the path; vary them a little too.
  static const char* rel_paths[] = {"event/fuzz-page.md", "zh/event/fuzz-page/index.md", "event/fuzz.es.md"};
  SourceFile file;
  file.rel_path = rel_paths[size % 3];
  file.path = "content/" + file.rel_path;
  file.size = static_cast<std::int64_t>(size);

  // Exceptions are not caught: an exception escaping these functions ends `evfeed build`
  // (std::terminate), so it is a crash here too, with the throw site on the stack.
  Diagnostics diags;
  Page page;
  bool ok = split_page(file, text, page, diags);
  if (!ok) {
    FUZZ_CHECK(diags.has_errors(), "split_page failed without an error");
    fuzz::check_diags(diags, file.path, max_line);
    return 0;
  }
  FUZZ_CHECK(page.front_matter_line >= 1 && page.body_line >= 1 && page.body_line <= max_line,
             "bad line numbers fm=%d body=%d", page.front_matter_line, page.body_line);
  page.front_matter = clean_utf8(page.front_matter);
  page.body = clean_utf8(page.body);

  Value fm;
  ok = parse_front_matter(page, fm, diags);
  fuzz::check_diags(diags, file.path, max_line);
  if (!ok) {
    FUZZ_CHECK(diags.has_errors(), "parse_front_matter failed without an error");
    return 0;
  }
  FUZZ_CHECK(fm.kind == Value::Kind::map, "front matter accepted but not a map");
  int depth = 0;
  size_t nodes = count_values(fm, 0, depth);
  FUZZ_CHECK(depth <= max_nesting_depth + 1, "value tree %d deep (limit %d)", depth, max_nesting_depth);
  FUZZ_CHECK(nodes <= max_value_nodes + 1, "value tree has %zu nodes (limit %zu)", nodes, max_value_nodes);
  check_positions(fm, max_line);

  const SiteConfig& site = site_for(size / 3);
  Event e;
  Diagnostics bdiags;
  ok = build_event(page, fm, site, e, bdiags);
  fuzz::check_diags(bdiags, file.path, max_line);
  if (!ok) {
    FUZZ_CHECK(bdiags.has_errors(), "build_event failed without an error");
    return 0;
  }
  FUZZ_CHECK(e.zone != nullptr, "event without a zone");
  FUZZ_CHECK(!e.title.empty(), "event without a title");
  FUZZ_CHECK(!e.identity.empty() && !e.url.empty(), "event without identity or url");
  if (e.all_day) {
    FUZZ_CHECK(e.end_day > e.start_day, "all-day end day not after the start day");
  } else {
    FUZZ_CHECK(e.end > e.start, "end %lld not after start %lld (end from %s)",
               static_cast<long long>(e.end.time_since_epoch().count()),
               static_cast<long long>(e.start.time_since_epoch().count()), e.end_source.c_str());
  }
  // The clean-Event contract (event.hpp) that every renderer trusts.
  std::string unclean = unclean_field(e);
  FUZZ_CHECK(unclean.empty(), "the event breaks the clean-Event contract in %s", unclean.c_str());
  FUZZ_CHECK(is_safe_url(e.signup_url) && is_safe_url(e.image), "unsafe URL kept: signup '%s' image '%s'",
             e.signup_url.c_str(), e.image.c_str());
  return 0;
}
