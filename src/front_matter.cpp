#include "evfeed/front_matter.hpp"

#include <yaml-cpp/yaml.h>

#include <toml++/toml.h>
#include <algorithm>
#include <cstdio>
#include <unordered_set>

#include "evfeed/text.hpp"

namespace evfeed {

const Value* Value::find(std::string_view key) const {
  if (kind != Kind::map) return nullptr;
  for (const auto& [k, v] : members)
    if (iequals(k, key)) return &v;
  return nullptr;
}

const Value* Value::find_path(std::string_view dotted) const {
  const Value* v = this;
  for (const auto& part : split(dotted, '.')) {
    v = v->find(part);
    if (!v) return nullptr;
  }
  return v;
}

namespace {

struct Converter {
  const Page& page;
  Diagnostics& diags;
  size_t nodes = 0;
  bool too_big = false;
};

// Maximum bracket/indent nesting in the text, measured before yaml-cpp recurses into it.
int nesting_depth(const std::string& text) {
  int depth = 0, max_depth = 0;
  for (char c : text) {
    if (c == '[' || c == '{')
      max_depth = std::max(max_depth, ++depth);
    else if ((c == ']' || c == '}') && depth > 0)
      --depth;
  }
  // Indentation nests blocks, and so does each "- " that opens a line ("- - - a" is three
  // sequences deep without any indentation).
  int max_block = 0;
  for (const auto& line : split(text, '\n')) {
    size_t n = line.find_first_not_of(' ');
    if (n == std::string::npos) continue;
    int dashes = 0;
    while (n < line.size() && line[n] == '-' && (n + 1 == line.size() || line[n + 1] == ' ')) {
      ++dashes;
      n = line.find_first_not_of(' ', n + 1);
      if (n == std::string::npos) break;
    }
    max_block = std::max(max_block, static_cast<int>(line.find_first_not_of(' ')) / 2 + dashes);
  }
  return std::max(max_depth, max_block);
}

void set_pos_yaml(Value& v, const YAML::Mark& m, const Page& page) {
  if (m.line >= 0) {
    v.line = m.line + page.front_matter_line;
    v.column = m.column + 1;
  }
}

bool convert_yaml(const YAML::Node& n, Value& v, Converter& cv, int depth) {
  if (++cv.nodes > max_value_nodes || depth > max_nesting_depth) {
    cv.too_big = true;
    return false;
  }
  set_pos_yaml(v, n.Mark(), cv.page);
  switch (n.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined: v.kind = Value::Kind::null; return true;
    case YAML::NodeType::Scalar: {
      v.scalar = n.Scalar();
      v.quoted = n.Tag() == "!";
      v.kind = Value::Kind::string;
      if (!v.quoted) {
        std::string l = to_lower_ascii(v.scalar);
        if (l == "true" || l == "false" || l == "yes" || l == "no" || l == "on" || l == "off")
          v.kind = Value::Kind::boolean;
      }
      return true;
    }
    case YAML::NodeType::Sequence:
      v.kind = Value::Kind::list;
      for (const auto& item : n) {
        v.items.emplace_back();
        if (!convert_yaml(item, v.items.back(), cv, depth + 1)) return false;
      }
      return true;
    case YAML::NodeType::Map: {
      v.kind = Value::Kind::map;
      // Keys seen, lowercased (lookups ignore case, as Hugo's do): one hash per key keeps a
      // 40,000-key map linear; a linear scan per key took seconds.
      std::unordered_set<std::string> seen;
      for (const auto& kv : n) {
        std::string key = kv.first.IsScalar() ? kv.first.Scalar() : std::string("?");
        if (!seen.insert(to_lower_ascii(key)).second) {
          Value tmp;
          set_pos_yaml(tmp, kv.first.Mark(), cv.page);
          cv.diags.add(cv.page.file.path, tmp.line, tmp.column, Severity::warning,
                       "duplicate key '" + key + "': the first value is used; remove one of them");
          continue;
        }
        v.members.emplace_back(key, Value{});
        if (!convert_yaml(kv.second, v.members.back().second, cv, depth + 1)) return false;
      }
      return true;
    }
  }
  return true;
}

std::string two(int n) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d", n);
  return buf;
}

void convert_toml(const toml::node& n, Value& v, Converter& cv, int depth) {
  if (++cv.nodes > max_value_nodes || depth > max_nesting_depth) {
    cv.too_big = true;
    return;
  }
  const auto& src = n.source();
  v.line = static_cast<int>(src.begin.line) + cv.page.front_matter_line - 1;
  v.column = static_cast<int>(src.begin.column);
  if (auto t = n.as_table()) {
    v.kind = Value::Kind::map;
    for (const auto& [k, child] : *t) {
      v.members.emplace_back(std::string(k.str()), Value{});
      convert_toml(child, v.members.back().second, cv, depth + 1);
    }
  } else if (auto a = n.as_array()) {
    v.kind = Value::Kind::list;
    for (const auto& child : *a) {
      v.items.emplace_back();
      convert_toml(child, v.items.back(), cv, depth + 1);
    }
  } else if (auto s = n.as_string()) {
    v.kind = Value::Kind::string;
    v.scalar = s->get();
    v.quoted = true;
  } else if (auto b = n.as_boolean()) {
    v.kind = Value::Kind::boolean;
    v.scalar = b->get() ? "true" : "false";
  } else if (auto i = n.as_integer()) {
    v.kind = Value::Kind::number;
    v.scalar = std::to_string(i->get());
  } else if (auto f = n.as_floating_point()) {
    v.kind = Value::Kind::number;
    v.scalar = std::to_string(f->get());
  } else if (auto d = n.as_date()) {
    v.kind = Value::Kind::datetime;
    const auto& x = d->get();
    v.scalar = std::to_string(x.year) + "-" + two(x.month) + "-" + two(x.day);
  } else if (auto tm = n.as_time()) {
    v.kind = Value::Kind::string;
    const auto& x = tm->get();
    v.scalar = two(x.hour) + ":" + two(x.minute) + ":" + two(x.second);
  } else if (auto dt = n.as_date_time()) {
    v.kind = Value::Kind::datetime;
    const auto& x = dt->get();
    v.scalar = std::to_string(x.date.year) + "-" + two(x.date.month) + "-" + two(x.date.day) + "T" + two(x.time.hour) +
               ":" + two(x.time.minute) + ":" + two(x.time.second);
    if (x.offset) {
      int m = x.offset->minutes;
      if (m == 0) {
        v.scalar += "Z";
      } else {
        v.scalar += m < 0 ? "-" : "+";
        m = std::abs(m);
        v.scalar += two(m / 60) + ":" + two(m % 60);
      }
    }
  }
}

}  // namespace

bool parse_front_matter(const Page& page, Value& out, Diagnostics& diags) {
  out = Value{};
  Converter cv{page, diags};
  const std::string& path = page.file.path;
  // Checked before any parser runs: yaml-cpp needs ~5 us per key, so a 200,000-key map
  // would take seconds to parse only to be rejected by the value cap afterwards.
  if (page.front_matter.size() > max_front_matter_bytes) {
    auto first = page.front_matter.begin();
    int line = page.front_matter_line + static_cast<int>(std::count(first, first + max_front_matter_bytes, '\n'));
    diags.add(path, line, 1, Severity::error,
              "front matter is over " + std::to_string(max_front_matter_bytes / 1024) +
                  " KiB; move long text into the page body");
    return false;
  }
  auto lines = std::count(page.front_matter.begin(), page.front_matter.end(), '\n');
  if (lines > max_front_matter_lines) {
    diags.add(path, page.front_matter_line + max_front_matter_lines, 1, Severity::error,
              "front matter has more than " + std::to_string(max_front_matter_lines) +
                  " lines; move long data into the page body or a data file");
    return false;
  }
  if (nesting_depth(page.front_matter) > max_nesting_depth) {
    diags.add(path, page.front_matter_line, 1, Severity::error,
              "front matter nested deeper than " + std::to_string(max_nesting_depth) + " levels; flatten it");
    return false;
  }
  if (page.format == FrontMatterFormat::toml) {
    try {
      toml::table t = toml::parse(page.front_matter, std::string_view(path));
      convert_toml(t, out, cv, 0);
      out.line = page.front_matter_line;
    } catch (const toml::parse_error& e) {
      const auto& b = e.source().begin;
      diags.add(path, static_cast<int>(b.line) + page.front_matter_line - 1, static_cast<int>(b.column),
                Severity::error, "TOML front matter does not parse: " + std::string(e.description()));
      return false;
    }
  } else {
    // JSON front matter is a YAML flow mapping, so yaml-cpp reads both.
    try {
      YAML::Node root = YAML::Load(page.front_matter);
      if (!convert_yaml(root, out, cv, 0) && !cv.too_big) return false;
    } catch (const YAML::Exception& e) {
      int line = e.mark.line >= 0 ? e.mark.line + page.front_matter_line : page.front_matter_line;
      int col = e.mark.column >= 0 ? e.mark.column + 1 : 0;
      std::string hint;
      if (e.msg == "illegal map value") hint = " (a value containing ': ' must be quoted)";
      if (e.msg.find("tab") != std::string::npos) hint = " (indent with spaces, not tabs)";
      diags.add(path, line, col, Severity::error,
                std::string(page.format == FrontMatterFormat::json ? "JSON" : "YAML") +
                    " front matter does not parse: " + e.msg + hint);
      return false;
    }
  }
  if (cv.too_big) {
    diags.add(path, page.front_matter_line, 1, Severity::error,
              "front matter expands to more than " + std::to_string(max_value_nodes) +
                  " values or nests too deep (alias bomb?); simplify it");
    return false;
  }
  if (out.kind == Value::Kind::null) {  // empty front matter: a map with nothing in it
    out.kind = Value::Kind::map;
    out.line = page.front_matter_line;
  }
  if (out.kind != Value::Kind::map) {
    diags.add(path, out.line ? out.line : page.front_matter_line, out.column, Severity::error,
              "front matter must be a mapping of keys to values");
    return false;
  }
  return true;
}

}  // namespace evfeed
