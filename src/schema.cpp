#include "evfeed/schema.hpp"

#include "evfeed/text.hpp"

namespace evfeed {

namespace {

constexpr unsigned scalar = 1, list = 2, map = 4, any = scalar | list | map;

struct FieldSpec {
  Field field;
  const char* name;  // the config's `fields:` key
  unsigned shapes;   // a value of another shape is no match: the next alias is tried
  std::vector<std::string> aliases;
};

// One table: the name, the shapes and the aliases of every field. Order of aliases matters:
// rOpenSci writes `date` equal to the END, so explicit start keys come first. Shapes keep a
// key of another schema from shadowing the right one (Jekyll's `event: {date, time}` map
// is not a title: `name` is).
const std::vector<FieldSpec>& field_table() {
  static const std::vector<FieldSpec> table = {
      {Field::start,
       "start",
       scalar,
       {"dateStart", "startDate", "start_date", "eventdate", "event_date", "event.date", "start", "date"}},
      {Field::end, "end", scalar, {"dateEnd", "endDate", "end_date", "enddate", "date_end", "event.end", "end"}},
      {Field::all_day, "all_day", scalar, {"all_day", "allDay", "allday"}},
      {Field::timezone, "timezone", scalar, {"timezone", "tz", "time_zone", "timeZone"}},
      {Field::duration, "duration", scalar, {"duration"}},
      {Field::title, "title", scalar, {"title", "event", "name"}},
      {Field::description, "description", scalar, {"description", "summary", "abstract"}},
      {Field::draft, "draft", scalar, {"draft"}},
      {Field::publish_date, "publish_date", scalar, {"publishDate", "publish_date", "pubdate"}},
      {Field::expiry_date, "expiry_date", scalar, {"expiryDate", "expiry_date", "unpublishdate"}},
      {Field::lastmod, "lastmod", scalar, {"lastmod", "last_modified", "modified", "updated"}},
      {Field::date, "date", scalar, {"date"}},
      {Field::slug, "slug", scalar, {"slug"}},
      {Field::url, "url", scalar, {"url"}},
      {Field::image, "image", scalar, {"image", "featured_image", "cover", "banner"}},
      {Field::topic, "topic", scalar | list, {"topic", "topics"}},
      {Field::tags, "tags", scalar | list, {"tags"}},
      {Field::categories, "categories", scalar | list, {"categories"}},
      {Field::speakers, "speakers", any, {"speaker", "speakers", "authors", "author", "attendees"}},
      {Field::signup_url,
       "signup_url",
       scalar,
       {"apply_url", "signup.url", "event_url", "registration", "register_url", "registration_url", "signup_url",
        "link"}},
      {Field::status, "status", scalar, {"status", "event_status"}},
      {Field::fee, "fee", scalar, {"fee", "price", "cost"}},
      {Field::sponsor, "sponsor", scalar, {"sponsor", "sponsors", "organizer"}},
      {Field::location, "location", scalar | map, {"location", "venue", "address", "place", "city"}},
      {Field::event_time, "event_time", scalar, {"event.time", "time"}},
      {Field::sequence, "sequence", scalar, {"sequence"}},
  };
  return table;
}

const FieldSpec& spec_of(Field f) {
  for (const auto& spec : field_table())
    if (spec.field == f) return spec;
  return field_table().front();  // unreachable: every Field has a row (test_model checks)
}

unsigned shape_of(const Value& v) { return v.is_scalar() ? scalar : v.kind == Value::Kind::list ? list : map; }

}  // namespace

const char* field_name(Field f) { return spec_of(f).name; }

const std::vector<std::string>& field_aliases(Field f) { return spec_of(f).aliases; }

namespace {
bool is_empty(const Value* v) {
  if (!v || v->kind == Value::Kind::null) return true;
  if (v->is_scalar()) return trim(v->scalar).empty();
  if (v->kind == Value::Kind::list) return v->items.empty();
  return v->members.empty();
}
}  // namespace

FieldHit find_field(const Value& fm, Field f, const std::map<std::string, std::string>& overrides) {
  auto it = overrides.find(field_name(f));
  if (it != overrides.end()) {
    const Value* v = fm.find_path(it->second);
    return is_empty(v) ? FieldHit{} : FieldHit{v, it->second};
  }
  const FieldSpec& spec = spec_of(f);
  for (const auto& key : spec.aliases) {
    const Value* v = key.find('.') == std::string::npos ? fm.find(key) : fm.find_path(key);
    if (!is_empty(v) && (shape_of(*v) & spec.shapes)) return {v, key};
  }
  return {};
}

std::string scalar_text(const Value* v) {
  if (!v || !v->is_scalar()) return "";
  return trim(v->scalar);
}

std::vector<std::string> string_items(const Value* v) {
  std::vector<std::string> out;
  if (!v) return out;
  if (v->is_scalar()) {
    if (!trim(v->scalar).empty()) out.push_back(trim(v->scalar));
  } else if (v->kind == Value::Kind::list) {
    for (const auto& item : v->items)
      if (item.is_scalar() && !trim(item.scalar).empty()) out.push_back(trim(item.scalar));
  }
  return out;
}

}  // namespace evfeed
