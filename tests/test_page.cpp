// page.hpp: finding pages, reading them, and splitting front matter from body.
#include <unistd.h>

#include <sys/wait.h>
#include <unistd.h>

#include "test_support.hpp"

using namespace evfeed;
using namespace evtest;

namespace {

struct Split {
  bool ok = false;
  Page page;
  Diagnostics diags;
};

Split split_text(const std::string& text) {
  Split s;
  s.ok = split_page(source_file("en/event/x.md"), text, s.page, s.diags);
  return s;
}

}  // namespace

TEST_CASE("split_page: YAML front matter with LF endings", "[page]") {
  auto s = split_text("---\ntitle: x\ndate: 2019-11-24\n---\n\n## Body\n");
  REQUIRE(s.ok);
  CHECK(s.page.format == FrontMatterFormat::yaml);
  CHECK(s.page.front_matter == "title: x\ndate: 2019-11-24\n");
  CHECK(s.page.front_matter_line == 2);
  CHECK(s.page.body == "\n## Body\n");
  CHECK(s.page.body_line == 5);
  CHECK(s.diags.items.empty());
}

TEST_CASE("split_page: UTF-8 BOM is ignored", "[page]") {
  auto s = split_text("\xEF\xBB\xBF---\ntitle: x\n---\nbody");
  REQUIRE(s.ok);
  CHECK(s.page.format == FrontMatterFormat::yaml);
  CHECK(s.page.front_matter == "title: x\n");
  CHECK(s.page.body == "body");
  CHECK(s.page.body_line == 4);
  // A BOM before JSON front matter too.
  auto j = split_text("\xEF\xBB\xBF{\"title\": \"x\"}\nbody");
  REQUIRE(j.ok);
  CHECK(j.page.format == FrontMatterFormat::json);
}

TEST_CASE("split_page: CRLF line endings", "[page]") {
  auto s = split_text("---\r\ntitle: x\r\ndate: 2019-11-24\r\n---\r\nbody line\r\nsecond\r\n");
  REQUIRE(s.ok);
  CHECK(s.page.format == FrontMatterFormat::yaml);
  CHECK(s.page.front_matter_line == 2);
  CHECK(s.page.body_line == 5);
  CHECK(trim(s.page.front_matter) == "title: x\r\ndate: 2019-11-24");
  CHECK(starts_with(s.page.body, "body line"));
  // The CRLF page's front matter parses to the same values as the LF page's.
  Value fm;
  Diagnostics d;
  REQUIRE(parse_front_matter(s.page, fm, d));
  REQUIRE(fm.find("title"));
  CHECK(fm.find("title")->scalar == "x");
  CHECK(fm.find("date")->scalar == "2019-11-24");
  CHECK(fm.find("date")->line == 3);
}

TEST_CASE("split_page: no newline at the end of the file", "[page]") {
  auto closed_at_eof = split_text("---\ntitle: x\n---");
  REQUIRE(closed_at_eof.ok);
  CHECK(closed_at_eof.page.front_matter == "title: x\n");
  CHECK(closed_at_eof.page.body.empty());

  auto body_no_eol = split_text("---\ntitle: x\n---\nlast line");
  REQUIRE(body_no_eol.ok);
  CHECK(body_no_eol.page.body == "last line");
  CHECK(body_no_eol.page.body_line == 4);

  auto toml = split_text("+++\ntitle = \"x\"\n+++");
  REQUIRE(toml.ok);
  CHECK(toml.page.format == FrontMatterFormat::toml);
  CHECK(toml.page.body.empty());
}

TEST_CASE("split_page: empty body and empty front matter", "[page]") {
  auto s = split_text("---\ntitle: x\n---\n");
  REQUIRE(s.ok);
  CHECK(s.page.body.empty());
  auto empty_fm = split_text("---\n---\nbody\n");
  REQUIRE(empty_fm.ok);
  CHECK(empty_fm.page.front_matter.empty());
  CHECK(empty_fm.page.body == "body\n");
  CHECK(empty_fm.page.body_line == 3);
}

TEST_CASE("split_page: YAML '...' closes the document", "[page]") {
  auto s = split_text("---\ntitle: x\n...\nbody\n");
  REQUIRE(s.ok);
  CHECK(s.page.front_matter == "title: x\n");
  CHECK(s.page.body == "body\n");
}

TEST_CASE("split_page: a '---' inside the body is body text", "[page]") {
  auto s = split_text("---\ntitle: x\n---\nintro\n\n---\n\nafter a rule\n");
  REQUIRE(s.ok);
  CHECK(s.page.front_matter == "title: x\n");
  CHECK(s.page.body == "intro\n\n---\n\nafter a rule\n");
}

TEST_CASE("split_page: TOML front matter", "[page]") {
  auto s = split_text("+++\ntitle = \"x\"\ndate = 2021-07-12T10:00:00\n+++\nbody\n");
  REQUIRE(s.ok);
  CHECK(s.page.format == FrontMatterFormat::toml);
  CHECK(s.page.front_matter == "title = \"x\"\ndate = 2021-07-12T10:00:00\n");
  CHECK(s.page.front_matter_line == 2);
  CHECK(s.page.body == "body\n");
  CHECK(s.page.body_line == 5);
}

TEST_CASE("split_page: JSON front matter", "[page]") {
  auto s = split_text(
      "{\n  \"title\": \"a } b { c\",\n  \"tags\": [\"x\"],\n  \"nested\": {\"k\": \"\\\"}\"}\n}\n\nBody here\n");
  REQUIRE(s.ok);
  CHECK(s.page.format == FrontMatterFormat::json);
  CHECK(starts_with(s.page.front_matter, "{"));
  CHECK(ends_with(s.page.front_matter, "}"));
  CHECK(s.page.front_matter_line == 1);
  CHECK(s.page.body == "\nBody here\n");
  CHECK(s.page.body_line == 6);
  Value fm;
  Diagnostics d;
  REQUIRE(parse_front_matter(s.page, fm, d));
  CHECK(fm.find("title")->scalar == "a } b { c");
  CHECK(fm.find_path("nested.k")->scalar == "\"}");
}

TEST_CASE("split_page: a NUL byte is an error with its line", "[page][errors]") {
  std::string text = "---\ntitle: x\n";
  text += std::string(1, '\0');
  text += "\n---\nbody\n";
  auto s = split_text(text);
  CHECK_FALSE(s.ok);
  REQUIRE(s.diags.items.size() == 1);
  const auto& d = s.diags.items[0];
  CHECK(d.severity == Severity::error);
  CHECK(d.line == 3);
  CHECK(d.path == "content/en/event/x.md");
  CHECK_THAT(d.message, Catch::Contains("NUL"));
}

TEST_CASE("split_page: unclosed front matter is an error at line 1", "[page][errors]") {
  for (const char* text :
       {"---\ntitle: x\ndate: 2019-11-24\n\nbody without a closing line\n", "+++\ntitle = \"x\"\n"}) {
    auto s = split_text(text);
    CHECK_FALSE(s.ok);
    REQUIRE(s.diags.items.size() == 1);
    CHECK(s.diags.items[0].severity == Severity::error);
    CHECK(s.diags.items[0].line == 1);
    CHECK(s.diags.items[0].column == 1);
    CHECK_THAT(s.diags.items[0].message, Catch::Contains("never closed"));
  }
  auto json = split_text("{\n\"title\": \"x\"\n");
  CHECK_FALSE(json.ok);
  REQUIRE(json.diags.items.size() == 1);
  CHECK(json.diags.items[0].line == 1);
  CHECK_THAT(json.diags.items[0].message, Catch::Contains("never closed"));
}

TEST_CASE("split_page: a page without front matter is an error", "[page][errors]") {
  for (const char* text : {"# Just markdown\n", "", "\n---\ntitle: late\n---\n"}) {
    auto s = split_text(text);
    CHECK_FALSE(s.ok);
    REQUIRE(s.diags.items.size() == 1);
    CHECK(s.diags.items[0].severity == Severity::error);
    CHECK_THAT(s.diags.items[0].message, Catch::Contains("no front matter"));
  }
}

TEST_CASE("find_pages lists Markdown pages, sorted, without section indexes", "[page][fs]") {
  TempDir tmp;
  auto root = tmp.path() / "content";
  for (const char* rel : {"en/event/b.md", "en/event/a.md", "en/event/_index.md", "zh/event/a.md", "x/index.es.md",
                          "x/index.md", "jekyll/2015-01-14.markdown", "README.md", "notes.txt", "en/event/img.png",
                          ".hidden/secret.md", "en/.draft.md"})
    spit(root / rel, "---\ntitle: t\n---\n");
  Diagnostics d;
  auto files = find_pages({root.string()}, false, d);
  CHECK(d.items.empty());
  std::vector<std::string> rels;
  for (const auto& f : files) {
    rels.push_back(f.rel_path);
    CHECK(f.size == 17);
    CHECK(f.mtime_ns != 0);  // libstdc++'s file clock: not the Unix epoch, only compared
    CHECK(starts_with(f.path, root.string()));
  }
  CHECK(rels == std::vector<std::string>{"en/event/a.md", "en/event/b.md", "jekyll/2015-01-14.markdown",
                                         "x/index.es.md", "x/index.md", "zh/event/a.md"});
}

TEST_CASE("find_pages reports a missing content folder", "[page][fs][errors]") {
  TempDir tmp;
  Diagnostics d;
  auto files = find_pages({(tmp.path() / "nope").string()}, false, d);
  CHECK(files.empty());
  REQUIRE(d.items.size() == 1);
  CHECK(d.items[0].severity == Severity::error);
}

TEST_CASE("find_pages loads each folder once: symlink loops and second links are errors", "[page][fs][errors]") {
  TempDir tmp;
  auto root = tmp.path() / "content";
  spit(root / "a/page.md", "---\ntitle: t\n---\n");
  spit(tmp.path() / "shared/other.md", "---\ntitle: o\n---\n");
  fs::create_directory_symlink("..", root / "a" / "loop");                // contains itself
  fs::create_directory_symlink(tmp.path() / "shared", root / "linked");   // fine: loaded once
  fs::create_directory_symlink(tmp.path() / "shared", root / "linked2");  // the same folder again
  Diagnostics d;
  auto files = find_pages({root.string()}, true, d);  // --follow-symlinks: shared/ is outside
  std::vector<std::string> rels;
  for (const auto& f : files) rels.push_back(f.rel_path);
  CHECK(rels == std::vector<std::string>{"a/page.md", "linked/other.md"});
  REQUIRE(d.count(Severity::error) == 2);
  for (const auto& item : d.items) CHECK_THAT(item.message, Catch::Contains("already part of the content tree"));
  CHECK_THAT(d.items[0].path + d.items[1].path, Catch::Contains("loop") && Catch::Contains("linked2"));
}

TEST_CASE("symbolic links out of the content folders are skipped with a warning unless allowed",
          "[page][fs][security]") {
  TempDir tmp;
  auto root = tmp.path() / "content";
  spit(root / "event/real.md", "---\ntitle: r\n---\n");
  spit(root / "other/inner.md", "---\ntitle: i\n---\n");
  spit(tmp.path() / "private/secret.md", "---\ntitle: s\n---\n");
  fs::create_symlink(root / "other/inner.md", root / "event/inside.md");         // inside: followed
  fs::create_symlink(tmp.path() / "private/secret.md", root / "event/out.md");   // outside
  fs::create_directory_symlink(tmp.path() / "private", root / "event/privdir");  // outside
  fs::create_symlink(tmp.path() / "private/missing.md", root / "event/dangling.md");
  auto rels_of = [](const ContentTree& t) {
    std::vector<std::string> rels;
    for (const auto& f : t.pages) rels.push_back(f.rel_path);
    return rels;
  };
  Diagnostics d;
  ContentTree tree = walk_content({root.string()}, false, d);
  CHECK(rels_of(tree) == std::vector<std::string>{"event/inside.md", "event/real.md", "other/inner.md"});
  REQUIRE(d.count(Severity::warning) == 2);
  for (const auto& item : d.items) {
    CHECK_THAT(item.message, Catch::Contains("outside the content folders") && Catch::Contains("--follow-symlinks"));
    CHECK((item.path == (root / "event/out.md").string() || item.path == (root / "event/privdir").string()));
  }
  for (const auto& folder : tree.folders) CHECK(folder.find("privdir") == std::string::npos);  // not watched either
  Diagnostics allowed;
  tree = walk_content({root.string()}, true, allowed);
  CHECK(allowed.items.empty());
  CHECK(rels_of(tree) == std::vector<std::string>{"event/inside.md", "event/out.md", "event/privdir/secret.md",
                                                  "event/real.md", "other/inner.md"});
  CHECK(std::find(tree.folders.begin(), tree.folders.end(), (root / "event/privdir").string()) != tree.folders.end());
}

TEST_CASE("find_pages: a content folder given twice, or inside another, is loaded once", "[page][fs]") {
  TempDir tmp;
  auto root = tmp.path() / "content";
  spit(root / "en/a.md", "---\ntitle: t\n---\n");
  Diagnostics d;
  auto files = find_pages({(root / "en").string(), root.string(), root.string()}, false, d);
  CHECK(d.items.empty());
  REQUIRE(files.size() == 1);
  CHECK(files[0].rel_path == "a.md");  // relative to the folder that was named for it
}

TEST_CASE("find_pages reports an unreadable folder", "[page][fs][errors]") {
  TempDir tmp;
  auto root = tmp.path() / "content";
  spit(root / "ok.md", "---\ntitle: t\n---\n");
  spit(root / "locked/hidden.md", "---\ntitle: h\n---\n");
  fs::permissions(tmp.path(), fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                  fs::perms::others_read | fs::perms::others_exec);
  fs::permissions(root / "locked", fs::perms::none);
  auto reported = [&] {
    Diagnostics d;
    auto files = find_pages({root.string()}, false, d);
    return files.size() == 1 && d.count(Severity::error) == 1 &&
           d.items[0].message.find("cannot read the folder") != std::string::npos;
  };
  bool ok;
  if (::geteuid() == 0) {
    // root reads any folder: look as nobody, in a child process.
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(3);
      ::_exit(reported() ? 0 : 1);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) != 3);  // could not become nobody
    ok = WEXITSTATUS(status) == 0;
  } else {
    ok = reported();
  }
  fs::permissions(root / "locked", fs::perms::owner_all);
  CHECK(ok);
}
