#pragma once
// Shared helpers of the libFuzzer targets. An invariant that does not hold is a finding:
// FUZZ_CHECK prints what was expected and aborts, so libFuzzer saves the input.
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "evfeed/diagnostic.hpp"
#include "evfeed/text.hpp"

#define FUZZ_CHECK(cond, ...)                                                                 \
  do {                                                                                        \
    if (!(cond)) {                                                                            \
      std::fprintf(stderr, "\n==FUZZ_CHECK failed== %s:%d: %s\n", __FILE__, __LINE__, #cond); \
      std::fprintf(stderr, __VA_ARGS__);                                                      \
      std::fprintf(stderr, "\n");                                                             \
      std::abort();                                                                           \
    }                                                                                         \
  } while (0)

namespace fuzz {

inline std::string_view as_text(const uint8_t* data, size_t size) {
  return std::string_view(reinterpret_cast<const char*>(data), size);
}

// Printable excerpt for messages.
inline std::string show(std::string_view s, size_t max = 200) {
  std::string out;
  for (size_t i = 0; i < s.size() && i < max; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '\n')
      out += "\\n";
    else if (c == '\r')
      out += "\\r";
    else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else
      out += static_cast<char>(c);
  }
  if (s.size() > max) out += "...";
  return out;
}

inline bool icontains(std::string_view hay, std::string_view needle) {
  if (needle.size() > hay.size()) return false;
  for (size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    size_t k = 0;
    while (k < needle.size() &&
           std::tolower(static_cast<unsigned char>(hay[i + k])) == std::tolower(static_cast<unsigned char>(needle[k])))
      ++k;
    if (k == needle.size()) return true;
  }
  return false;
}

// Every diagnostic names the file it is about, with sane positions.
inline void check_diags(const evfeed::Diagnostics& diags, const std::string& path, int max_line) {
  for (const auto& d : diags.items) {
    FUZZ_CHECK(d.path == path, "diagnostic names '%s', not the page '%s': %s", d.path.c_str(), path.c_str(),
               d.message.c_str());
    FUZZ_CHECK(d.line >= 0 && d.line <= max_line, "diagnostic line %d outside the file (1..%d): %s", d.line, max_line,
               d.message.c_str());
    FUZZ_CHECK(d.column >= 0, "negative diagnostic column %d: %s", d.column, d.message.c_str());
    FUZZ_CHECK(!d.message.empty(), "empty diagnostic message");
  }
}

inline bool env_flag(const char* name) {
  const char* v = std::getenv(name);
  return v && *v && std::string(v) != "0";
}

// Text an output may carry: valid UTF-8 without C0 controls other than TAB and LF.
inline bool clean_text(std::string_view s) {
  if (!evfeed::is_valid_utf8(s)) return false;
  for (unsigned char c : s)
    if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f) return false;
  return true;
}

}  // namespace fuzz
