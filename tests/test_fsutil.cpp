// fsutil.hpp: the one file reader (size cap, errors named), atomic writes that leave equal
// files untouched, and the names of temporaries a killed run leaves behind.
#include <unistd.h>

#include <fstream>

#include "test_support.hpp"

using namespace evfeed;
using namespace evtest;

TEST_CASE("read_file: contents, missing files and the size limit", "[fsutil]") {
  TempDir tmp;
  spit(tmp / "a.md", std::string("bytes\0and\xC3\x28more", 15));
  std::string out;
  Diagnostics d;
  REQUIRE(read_file((tmp / "a.md").string(), out, d));
  CHECK(out == std::string("bytes\0and\xC3\x28more", 15));

  CHECK_FALSE(read_file((tmp / "missing.md").string(), out, d));
  CHECK(d.count(Severity::error) == 1);

  // A sparse file just over the limit: refused without being read.
  auto big = tmp / "big.md";
  spit(big, "");
  fs::resize_file(big, static_cast<std::uintmax_t>(max_input_bytes) + 1);
  Diagnostics d2;
  CHECK_FALSE(read_file(big.string(), out, d2));
  REQUIRE(d2.items.size() == 1);
  CHECK_THAT(d2.items[0].message, Catch::Contains("8 MiB"));
}

TEST_CASE("write_file_atomic writes, then leaves equal bytes untouched", "[fsutil]") {
  TempDir tmp;
  auto file = tmp / "sub/dir/calendar.ics";
  Diagnostics d;
  bool changed = false;
  REQUIRE(write_file_atomic(file.string(), "BEGIN:VCALENDAR\r\n", &changed, d));
  CHECK(changed);
  CHECK(slurp(file) == "BEGIN:VCALENDAR\r\n");

  age(file);
  ino_t before = inode(file);
  REQUIRE(write_file_atomic(file.string(), "BEGIN:VCALENDAR\r\n", &changed, d));
  CHECK_FALSE(changed);
  CHECK(fs::last_write_time(file) == OLD_TIME);  // mtime kept
  CHECK(inode(file) == before);                  // not replaced either

  // Same size, different bytes: rewritten.
  REQUIRE(write_file_atomic(file.string(), "BEGIN:VCALENDAX\r\n", &changed, d));
  CHECK(changed);
  CHECK(slurp(file) == "BEGIN:VCALENDAX\r\n");
  CHECK(fs::last_write_time(file) != OLD_TIME);
  // Empty content is a valid file too.
  REQUIRE(write_file_atomic(file.string(), "", &changed, d));
  CHECK(changed);
  CHECK(fs::file_size(file) == 0);
  CHECK(d.items.empty());
  // No temporary files left behind.
  CHECK(files_under(tmp.path()) == std::vector<std::string>{"sub/dir/calendar.ics"});
}

TEST_CASE("write_file_atomic replaces the file by rename (readers never see half a file)", "[fsutil]") {
  TempDir tmp;
  auto file = tmp / "a.xml";
  Diagnostics d;
  REQUIRE(write_file_atomic(file.string(), "old", nullptr, d));
  // A reader holding the old file keeps reading the old bytes after the replacement.
  std::ifstream reader(file, std::ios::binary);
  REQUIRE(write_file_atomic(file.string(), "new content", nullptr, d));
  std::string seen((std::istreambuf_iterator<char>(reader)), std::istreambuf_iterator<char>());
  CHECK(seen == "old");
  CHECK(slurp(file) == "new content");
}

TEST_CASE("write_file_atomic reports an unwritable folder", "[fsutil][errors]") {
  if (::geteuid() == 0) {
    // root ignores permissions: use a path below a regular file instead.
    TempDir tmp;
    spit(tmp / "file", "x");
    Diagnostics d;
    CHECK_FALSE(write_file_atomic((tmp / "file/child.ics").string(), "x", nullptr, d));
    CHECK(d.count(Severity::error) == 1);
    return;
  }
  TempDir tmp;
  fs::create_directory(tmp / "ro");
  fs::permissions(tmp / "ro", fs::perms::owner_read | fs::perms::owner_exec);
  Diagnostics d;
  CHECK_FALSE(write_file_atomic((tmp / "ro/x.ics").string(), "x", nullptr, d));
  CHECK(d.count(Severity::error) == 1);
  fs::permissions(tmp / "ro", fs::perms::owner_all);
}

TEST_CASE("read_file and read_whole_file refuse a folder", "[fsutil]") {
  TempDir tmp;
  fs::create_directory(tmp / "dir.md");
  std::string out = "stale";
  Diagnostics d;
  CHECK_FALSE(read_file((tmp / "dir.md").string(), out, d));
  REQUIRE(d.items.size() == 1);
  CHECK_THAT(d.items[0].message, Catch::Contains("directory"));
  CHECK_FALSE(read_whole_file((tmp / "dir.md").string(), out));
}

TEST_CASE("read_whole_file reads past the size fstat gave (and empty files)", "[fsutil]") {
  TempDir tmp;
  spit(tmp / "empty", "");
  std::string out = "stale";
  REQUIRE(read_whole_file((tmp / "empty").string(), out));
  CHECK(out.empty());
  std::string big(3 * 1024 * 1024 + 7, 'x');
  spit(tmp / "big", big);
  REQUIRE(read_whole_file((tmp / "big").string(), out));
  CHECK(out == big);
  // /proc files report size 0 and still have contents.
  REQUIRE(read_whole_file("/proc/self/status", out));
  CHECK_THAT(out, Catch::Contains("Name:"));
}

TEST_CASE("stage_file's temporaries are what is_stale_temporary_name recognises", "[fsutil]") {
  TempDir tmp;
  std::string tmp_path;
  Diagnostics d;
  REQUIRE(stage_file((tmp / "calendar.ics").string(), "x", &tmp_path, false, d));
  REQUIRE_FALSE(tmp_path.empty());
  CHECK(is_stale_temporary_name(fs::path(tmp_path).filename().string()));
  REQUIRE(commit_file(tmp_path, (tmp / "calendar.ics").string(), d));
  CHECK(slurp(tmp / "calendar.ics") == "x");
  CHECK_FALSE(is_stale_temporary_name("calendar.ics"));
  CHECK_FALSE(is_stale_temporary_name(".calendar.ics.tmp."));
  CHECK_FALSE(is_stale_temporary_name(".calendar.ics.tmp.12a"));
  CHECK_FALSE(is_stale_temporary_name("calendar.ics.tmp.12"));
  CHECK(d.items.empty());
}

TEST_CASE("read_file keeps to its cap when the size said nothing (a device, a growing file)", "[fsutil][errors]") {
  std::string out = "stale";
  Diagnostics d;
  CHECK_FALSE(read_file("/dev/zero", out, d));  // fstat says 0 bytes; it never ends
  REQUIRE(d.items.size() == 1);
  CHECK_THAT(d.items[0].message, Catch::Contains("8 MiB"));
  CHECK(out.empty());
}
