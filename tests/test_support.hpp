#pragma once
// Helpers shared by the test files: paths from the environment, temporary folders,
// pages built from text and iCalendar line checks.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <sys/wait.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "evfeed/front_matter.hpp"
#include "evfeed/fsutil.hpp"
#include "evfeed/model.hpp"
#include "evfeed/page.hpp"
#include "evfeed/pipeline.hpp"
#include "evfeed/publish.hpp"
#include "evfeed/render.hpp"
#include "evfeed/text.hpp"
#include "evfeed/time.hpp"

namespace evtest {

namespace fs = std::filesystem;
using namespace evfeed;

inline std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

// The repository root (EVFEED_SOURCE, else the configure-time path).
inline std::string source_dir() { return env_or("EVFEED_SOURCE", EVFEED_TEST_SOURCE_DIR); }
// ../shared/corpus next to the repository (EVFEED_CORPUS overrides).
inline std::string corpus_dir() { return env_or("EVFEED_CORPUS", source_dir() + "/../shared/corpus"); }
// The evfeed CLI (EVFEED_BIN, else build/evfeed); "" when it does not exist.
inline std::string evfeed_bin() {
  std::string b = env_or("EVFEED_BIN", std::string(EVFEED_TEST_BINARY_DIR) + "/evfeed");
  std::error_code ec;
  return fs::is_regular_file(b, ec) ? b : std::string();
}
inline std::string seed_path() { return source_dir() + "/../shared/seed/000_4907c7c11a74353d.txt"; }
// The seed is also embedded (byte-identical) in the default site.
inline std::string embedded_seed_path() { return source_dir() + "/feeds/content/en/event/service-mesh-meetup-08.md"; }

inline std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void spit(const fs::path& p, const std::string& bytes) {
  fs::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << bytes;
}

// The seed page text: the shared copy, else the embedded one.
inline std::string seed_text() {
  std::error_code ec;
  if (fs::is_regular_file(seed_path(), ec)) return slurp(seed_path());
  return slurp(embedded_seed_path());
}

// A fresh folder under the system temp dir, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "evfeed-test-XXXXXX").string();
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    char* made = ::mkdtemp(buf.data());
    REQUIRE(made != nullptr);
    path_ = made;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }
  std::string str() const { return path_.string(); }
  fs::path operator/(const std::string& rel) const { return path_ / rel; }

 private:
  fs::path path_;
};

inline SourceFile source_file(const std::string& rel_path) {
  SourceFile f;
  f.path = "content/" + rel_path;
  f.rel_path = rel_path;
  return f;
}

// Splits text into a page; REQUIREs success.
inline Page page_from(const std::string& text, const std::string& rel_path = "en/event/x.md") {
  Page page;
  Diagnostics d;
  bool ok = split_page(source_file(rel_path), text, page, d);
  INFO(text);
  REQUIRE(ok);
  return page;
}

inline SiteConfig test_site() {
  SiteConfig site;
  site.base_url = "https://events.example.org/";
  return site;
}

struct Built {
  bool ok = false;
  Event event;
  Diagnostics diags;
  size_t warnings() const { return diags.count(Severity::warning); }
  size_t errors() const { return diags.count(Severity::error); }
  std::string messages() const {
    std::string s;
    for (const auto& d : diags.items) s += format_diagnostic(d) + "\n";
    return s;
  }
};

// Page text -> Event, the way load_events does it (minus the file system).
inline Built build_from(const std::string& text, const SiteConfig& site = test_site(),
                        const std::string& rel_path = "en/event/x.md") {
  Built b;
  Page page;
  Value fm;
  if (!split_page(source_file(rel_path), clean_utf8(text), page, b.diags)) return b;
  if (!parse_front_matter(page, fm, b.diags)) return b;
  b.ok = build_event(page, fm, site, b.event, b.diags);
  return b;
}

// Builds and REQUIREs success.
inline Event event_from(const std::string& text, const SiteConfig& site = test_site(),
                        const std::string& rel_path = "en/event/x.md") {
  Built b = build_from(text, site, rel_path);
  INFO(b.messages());
  REQUIRE(b.ok);
  return b.event;
}

// "2019-11-24T05:00:00Z" -> instant (test input, must be valid).
inline SysSeconds utc(const std::string& iso) {
  auto tv = parse_time(iso);
  REQUIRE(tv);
  REQUIRE(tv->kind == TimeValue::Kind::instant);
  return tv->instant();
}

inline std::string iso_utc(SysSeconds t) { return format_rfc3339(t, Seconds{0}); }

inline LocalSeconds local(int y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0) {
  return LocalSeconds{date::local_days{date::year{y} / mo / d}} + std::chrono::hours{h} + std::chrono::minutes{mi} +
         std::chrono::seconds{s};
}

inline size_t count_of(const std::string& hay, const std::string& needle) {
  size_t n = 0;
  for (size_t p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + needle.size())) ++n;
  return n;
}

// --- iCalendar text ------------------------------------------------------------------

// Splits on LF; every physical line must end in CR, be <= 75 octets and valid UTF-8.
struct IcalLineReport {
  size_t lines = 0, bare_lf = 0, too_long = 0, bad_utf8 = 0, max_octets = 0;
  bool ends_with_crlf = false;
};
inline IcalLineReport check_ical_lines(const std::string& text) {
  IcalLineReport r;
  r.ends_with_crlf = ends_with(text, "\r\n");
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++r.lines;
    if (line.empty() || line.back() != '\r') {
      ++r.bare_lf;
    } else {
      line.pop_back();
    }
    r.max_octets = std::max(r.max_octets, line.size());
    if (line.size() > 75) ++r.too_long;
    if (!is_valid_utf8(line)) ++r.bad_utf8;
  }
  return r;
}

// Unfolded logical lines, without CRLF.
inline std::vector<std::string> unfold_ical(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t') && !out.empty())
      out.back() += line.substr(1);
    else if (!line.empty())
      out.push_back(line);
  }
  return out;
}

// First unfolded line starting with `prefix` ("DTSTART", "SUMMARY:") outside the
// VTIMEZONE blocks (whose observances have DTSTART lines of their own), or "".
inline std::string ical_line(const std::string& text, const std::string& prefix) {
  bool in_tz = false;
  for (const auto& l : unfold_ical(text)) {
    if (l == "BEGIN:VTIMEZONE") in_tz = true;
    if (!in_tz && starts_with(l, prefix)) return l;
    if (l == "END:VTIMEZONE") in_tz = false;
  }
  return "";
}

// --- files: ages, identities and listings -------------------------------------------

// A fixed instant ten days back (whole seconds): files are set to it, so "unchanged"
// is an equality check and never depends on timing.
inline const fs::file_time_type OLD_TIME =
    std::chrono::time_point_cast<std::chrono::seconds>(fs::file_time_type::clock::now() - std::chrono::hours{240});

inline void age(const fs::path& p) { fs::last_write_time(p, OLD_TIME); }

inline ino_t inode(const fs::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_ino;
}

inline std::vector<std::string> files_under(const fs::path& root) {
  std::vector<std::string> out;
  for (auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file()) out.push_back(fs::relative(e.path(), root).generic_string());
  std::sort(out.begin(), out.end());
  return out;
}

// --- external tools --------------------------------------------------------------------

inline bool have_command(const std::string& name) {
  return std::system(("command -v " + name + " >/dev/null 2>&1").c_str()) == 0;
}

// Runs a shell command; returns its exit status (-1 when it could not run).
inline int run_shell(const std::string& cmd) {
  int rc = std::system(cmd.c_str());
  if (rc == -1) return -1;
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

inline std::string shell_quote(const std::string& s) {
  std::string o = "'";
  for (char c : s) {
    if (c == '\'')
      o += "'\\''";
    else
      o += c;
  }
  return o + "'";
}

}  // namespace evtest
