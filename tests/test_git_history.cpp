// GitHistory (Hugo's enableGitInfo) against git itself: the date of each file must be the one
// `git log --no-merges --format=%at -1 -- FILE` prints. The Hugo side (quoted names, the
// :git date lists) is checked by tests/e2e/site_oracle.py with the hugo-gitinfo fixture.
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>

#include "evfeed/git_history.hpp"
#include "test_support.hpp"

using namespace evfeed;
using namespace evtest;

namespace {

// Runs a shell command in `dir`; its standard output.
std::string run_in(const fs::path& dir, const std::string& cmd) {
  std::string full = "cd '" + dir.string() + "' && " + cmd;
  FILE* p = ::popen(full.c_str(), "r");
  REQUIRE(p != nullptr);
  std::string out;
  char buf[256];
  while (size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  REQUIRE(::pclose(p) == 0);
  return out;
}

std::string git_env(const std::string& date) {
  return "GIT_CONFIG_NOSYSTEM=1 HOME=/nonexistent GIT_AUTHOR_DATE='" + date + "' GIT_COMMITTER_DATE='" + date +
         "' git -c user.name=T -c user.email=t@example.org -c init.defaultBranch=main ";
}

}  // namespace

TEST_CASE("git history: each file's last non-merge author date, as git log gives it", "[git]") {
  if (std::system("git --version >/dev/null 2>&1") != 0) {
    WARN("git not installed: skipped");
    return;
  }
  TempDir repo;
  spit(repo / "site/content/event/a.md", "a\n");
  spit(repo / "site/content/event/b.md", "b\n");
  spit(repo / "outside.md", "x\n");
  run_in(repo.path(), git_env("2021-01-02T03:04:05+09:00") + "init -q . && " + git_env("2021-01-02T03:04:05+09:00") +
                          "add -A && " + git_env("2021-01-02T03:04:05+09:00") + "commit -qm one");
  spit(repo / "site/content/event/a.md", "a2\n");
  run_in(repo.path(), git_env("2022-05-06T07:08:09-04:00") + "commit -qam two");
  run_in(repo.path(), git_env("2022-06-01T00:00:00Z") + "checkout -qb side && echo b2 > site/content/event/b.md && " +
                          git_env("2022-06-01T00:00:00Z") + "commit -qam side && " + git_env("2022-06-01T00:00:00Z") +
                          "checkout -q main && echo a3 >> outside.md && " + git_env("2022-06-02T00:00:00Z") +
                          "commit -qam main && " + git_env("2022-07-01T00:00:00Z") + "merge -q --no-ff -m merge side");

  GitHistory history((repo / "site").string());
  REQUIRE(history.error().empty());
  CHECK(history.head() == trim(run_in(repo.path(), "git rev-parse HEAD")));
  // Files under the site, and elsewhere in the work tree (Hugo keys them from the top too).
  for (const char* file : {"site/content/event/a.md", "site/content/event/b.md", "outside.md"}) {
    auto date = history.author_date((repo / file).string());
    REQUIRE(date);
    std::string git_says =
        trim(run_in(repo.path(), std::string("git log --no-merges -1 --format='%at %ai' -- ") + file));
    CHECK(std::to_string(date->seconds) == git_says.substr(0, git_says.find(' ')));
    // The author's own offset survives (Hugo prints dates with it): "+0900", "-0400".
    std::string offset = git_says.substr(git_says.rfind(' ') + 1);
    int minutes = (offset[0] == '-' ? -1 : 1) * (std::stoi(offset.substr(1, 2)) * 60 + std::stoi(offset.substr(3, 2)));
    CHECK(date->offset_minutes == minutes);
  }
  // serve watches these: a commit changes them.
  auto watched = history.head_files();
  REQUIRE(watched.size() == 2);
  for (const auto& f : watched) CHECK(fs::exists(f));
  auto logs_before = fs::file_size(watched[1]);
  run_in(repo.path(), git_env("2022-08-01T00:00:00Z") + "commit -q --allow-empty -m later");
  CHECK(fs::file_size(watched[1]) > logs_before);
  CHECK_FALSE(history.author_date((repo / "site/content/event/missing.md").string()));
  CHECK_FALSE(history.author_date("/etc/hostname"));  // outside the work tree
}

TEST_CASE("git history: no repository is no date and no crash", "[git]") {
  TempDir plain;
  spit(plain / "content/event/a.md", "a\n");
  GitHistory history(plain.str());
  CHECK(history.head().empty());
  CHECK_FALSE(history.error().empty());
  CHECK_FALSE(history.author_date((plain / "content/event/a.md").string()));
}

TEST_CASE("git history: a shallow clone and core.quotePath as git log sees them", "[git]") {
  if (std::system("git --version >/dev/null 2>&1") != 0) {
    WARN("git not installed: skipped");
    return;
  }
  TempDir tmp;
  spit(tmp / "origin/event/a.md", "a\n");
  spit(tmp / "origin/event/中文.md", "zh\n");
  run_in(tmp / "origin", git_env("2021-01-01T00:00:00Z") + "init -q . && " + git_env("2021-01-01T00:00:00Z") +
                             "add -A && " + git_env("2021-01-01T00:00:00Z") + "commit -qm one && echo b > b.md && " +
                             git_env("2023-03-03T00:00:00Z") + "add -A && " + git_env("2023-03-03T00:00:00Z") +
                             "commit -qm two");
  // depth 1: the only commit holds every file, as git log lists it.
  run_in(tmp.path(), "git clone -q --depth 1 file://" + (tmp / "origin").string() + " shallow");
  GitHistory shallow((tmp / "shallow").string());
  auto a = shallow.author_date((tmp / "shallow/event/a.md").string());
  REQUIRE(a);
  CHECK(std::to_string(a->seconds) == trim(run_in(tmp / "shallow", "git log -1 --format=%at -- event/a.md")));
  // A name git prints quoted has no date, unless core.quotePath is off.
  CHECK_FALSE(shallow.author_date((tmp / "shallow/event/中文.md").string()));
  run_in(tmp / "shallow", "git config core.quotePath false");
  GitHistory unquoted((tmp / "shallow").string());
  CHECK(unquoted.author_date((tmp / "shallow/event/中文.md").string()));
}
