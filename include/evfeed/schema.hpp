#pragma once
// Which front-matter keys mean what, across the site families seen in the wild
// (Hugo educenter, Wowchemy/Academic, rOpenSci, Jekyll, OpenSearch, badge.team).
#include <map>
#include <string>
#include <vector>

#include "evfeed/front_matter.hpp"

namespace evfeed {

enum class Field {
  start,
  end,
  all_day,
  timezone,
  duration,
  title,
  description,
  draft,
  publish_date,
  expiry_date,
  lastmod,
  date,
  slug,
  url,
  image,
  topic,
  tags,
  categories,
  speakers,
  signup_url,
  status,
  fee,
  sponsor,
  location,
  event_time,
  sequence
};

// Canonical name used in the config's `fields:` overrides ("start", "end", "signup_url", ...).
const char* field_name(Field f);
// Keys tried in order; dotted keys walk into maps ("signup.url").
const std::vector<std::string>& field_aliases(Field f);

struct FieldHit {
  const Value* value = nullptr;
  std::string key;  // which key matched, for messages
};

// The first non-empty alias present whose value has a shape the field takes (scalar, list,
// map: see the table in schema.cpp); a config override replaces the alias list.
FieldHit find_field(const Value& front_matter, Field f, const std::map<std::string, std::string>& overrides);

// Scalar text, or "" for null / collections.
std::string scalar_text(const Value* v);
// A string or a list of strings (also "a, b" is kept as one item).
std::vector<std::string> string_items(const Value* v);

}  // namespace evfeed
