#pragma once
// Stage 2: front-matter text (YAML, TOML or JSON) -> one value tree with file positions.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "evfeed/diagnostic.hpp"
#include "evfeed/page.hpp"

namespace evfeed {

struct Value {
  enum class Kind { null, boolean, number, string, datetime, list, map };
  Kind kind = Kind::null;
  std::string scalar;   // text of a scalar (TOML date-times in ISO 8601 form)
  bool quoted = false;  // YAML scalar written in quotes: never a boolean or number
  std::vector<Value> items;
  std::vector<std::pair<std::string, Value>> members;
  int line = 0;  // 1-based position in the file
  int column = 0;

  bool is_scalar() const { return kind != Kind::list && kind != Kind::map && kind != Kind::null; }
  // Map lookup, case-insensitive like Hugo's; nullptr when absent or not a map.
  const Value* find(std::string_view key) const;
  // Looks up a dotted path ("signup.url", "event.date").
  const Value* find_path(std::string_view dotted) const;
};

// Limits that keep hostile front matter from exhausting the stack or memory.
constexpr int max_nesting_depth = 64;
constexpr size_t max_value_nodes = 200000;
// Real event pages have a few dozen lines of front matter (the corpus: at most 134 lines).
constexpr size_t max_front_matter_bytes = 256 * 1024;
constexpr long max_front_matter_lines = 10000;

// Parses page.front_matter. On failure adds an error pointing into the file and
// returns false. Warns about duplicate keys (YAML keeps the first; we say so).
bool parse_front_matter(const Page& page, Value& out, Diagnostics& diags);

}  // namespace evfeed
