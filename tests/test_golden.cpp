// Golden files: exact bytes evfeed produces, kept under tests/golden/. Set
// EVFEED_UPDATE_GOLDEN=1 to rewrite them (then review the diff by eye before committing).
#include "test_support.hpp"

using namespace evfeed;
using namespace evtest;

namespace {

const SysSeconds NOW{date::sys_days{date::year{2025} / 1 / 1}};

bool update_golden() { return env_or("EVFEED_UPDATE_GOLDEN", "") == "1"; }

fs::path golden_path(const std::string& rel) { return fs::path(source_dir()) / "tests/golden" / rel; }

// First line where the texts differ, for the failure message.
std::string first_difference(const std::string& want, const std::string& got) {
  std::istringstream a(want), b(got);
  std::string la, lb;
  for (int n = 1;; ++n) {
    bool ea = !std::getline(a, la), eb = !std::getline(b, lb);
    if (ea && eb) return "same lines (bytes differ in line endings?)";
    if (ea || eb || la != lb)
      return "line " + std::to_string(n) + ":\n  golden: " + (ea ? "<end>" : la) + "\n  actual: " + (eb ? "<end>" : lb);
  }
}

void compare_golden(const std::string& rel, const std::string& actual) {
  fs::path p = golden_path(rel);
  if (update_golden()) {
    spit(p, actual);
    WARN("EVFEED_UPDATE_GOLDEN=1: rewrote " << p.string() << "; review it before committing");
    return;
  }
  std::error_code ec;
  INFO("golden file " << p.string() << " (run with EVFEED_UPDATE_GOLDEN=1 to create or update it)");
  REQUIRE(fs::is_regular_file(p, ec));
  std::string want = slurp(p);
  if (want != actual) {
    // Keep the actual bytes next to the build for `diff`.
    fs::path out = fs::path(EVFEED_TEST_BINARY_DIR) / "test-artifacts/golden-actual" / rel;
    spit(out, actual);
    INFO("actual bytes written to " << out.string());
    INFO(first_difference(want, actual));
    CHECK(want == actual);
  }
}

// A content folder holding only the seed, where the brief puts it.
void seed_site(const TempDir& tmp) { spit(tmp / "content/en/event/service-mesh-meetup-08.md", seed_text()); }

SiteConfig seed_config() {
  SiteConfig site;  // defaults: Asia/Shanghai, 2 h, en
  site.base_url = "https://events.servicemesher.example/";
  Diagnostics d;
  REQUIRE(validate_site_config(site, "test", d));
  return site;
}

}  // namespace

TEST_CASE("golden: the seed page alone -> events/service-mesh-meetup-08.ics", "[golden][seed]") {
  TempDir tmp;
  seed_site(tmp);
  SiteConfig site = seed_config();
  LoadResult r = load_events({{(tmp / "content").string()}, 1}, site);
  REQUIRE(r.built.size() == 1);
  CHECK(r.diags.items.empty());
  EventModel m = assemble_model(r.built, site, NOW);
  SequenceState st = advance_sequences(m, {});
  Diagnostics d;
  auto resources = render_site(m, site, sequences_of(st), NOW, d);
  const Resource* ics = nullptr;
  for (const auto& res : resources)
    if (res.path == "events/service-mesh-meetup-08.ics") ics = &res;
  REQUIRE(ics);
  // The facts the golden file was reviewed for.
  CHECK_THAT(ics->body, Catch::Contains("\r\nDTSTART;TZID=Asia/Shanghai:20191124T130000\r\n"));
  CHECK_THAT(ics->body, Catch::Contains("\r\nBEGIN:VTIMEZONE\r\nTZID:Asia/Shanghai\r\n"));
  CHECK_THAT(ics->body, Catch::Contains("\r\nUID:event/service-mesh-meetup-08@events.servicemesher.example\r\n"));
  CHECK_THAT(ics->body, Catch::Contains("\r\nSEQUENCE:0\r\n"));
  compare_golden("seed/events/service-mesh-meetup-08.ics", ics->body);
}

TEST_CASE("golden: `evfeed build` writes the same bytes as the library", "[golden][seed][cli]") {
  std::string bin = evfeed_bin();
  REQUIRE_FALSE(bin.empty());   // ctest sets EVFEED_BIN; the test target depends on evfeed
  if (update_golden()) return;  // the library test rewrites the file
  TempDir tmp;
  seed_site(tmp);
  int rc = run_shell(shell_quote(bin) + " build --quiet --content " + shell_quote((tmp / "content").string()) +
                     " --base-url https://events.servicemesher.example/ --out " + shell_quote((tmp / "out").string()) +
                     " >" + shell_quote((tmp / "log").string()) + " 2>&1");
  INFO(slurp(tmp / "log"));
  REQUIRE(rc == 0);
  fs::path p = golden_path("seed/events/service-mesh-meetup-08.ics");
  REQUIRE(fs::is_regular_file(p));
  std::string got = slurp(tmp / "out/events/service-mesh-meetup-08.ics");
  INFO(first_difference(slurp(p), got));
  CHECK(got == slurp(p));
}
