#include "evfeed/schema.hpp"

#include "evfeed/text.hpp"

namespace evfeed {

const char* field_name(Field f) {
  switch (f) {
    case Field::start: return "start";
    case Field::end: return "end";
    case Field::all_day: return "all_day";
    case Field::timezone: return "timezone";
    case Field::duration: return "duration";
    case Field::title: return "title";
    case Field::description: return "description";
    case Field::draft: return "draft";
    case Field::publish_date: return "publish_date";
    case Field::expiry_date: return "expiry_date";
    case Field::lastmod: return "lastmod";
    case Field::date: return "date";
    case Field::slug: return "slug";
    case Field::url: return "url";
    case Field::image: return "image";
    case Field::topic: return "topic";
    case Field::tags: return "tags";
    case Field::categories: return "categories";
    case Field::speakers: return "speakers";
    case Field::signup_url: return "signup_url";
    case Field::status: return "status";
    case Field::fee: return "fee";
    case Field::sponsor: return "sponsor";
    case Field::location: return "location";
    case Field::event_time: return "event_time";
    case Field::sequence: return "sequence";
  }
  return "?";
}

const std::vector<std::string>& field_aliases(Field f) {
  // Order matters: rOpenSci writes `date` equal to the END, so explicit start keys come first.
  static const std::map<Field, std::vector<std::string>> table = {
      {Field::start,
       {"dateStart", "startDate", "start_date", "eventdate", "event_date", "event.date", "start", "date"}},
      {Field::end, {"dateEnd", "endDate", "end_date", "enddate", "date_end", "event.end", "end"}},
      {Field::event_time, {"event.time", "time"}},
      {Field::all_day, {"all_day", "allDay", "allday"}},
      {Field::timezone, {"timezone", "tz", "time_zone", "timeZone"}},
      {Field::duration, {"duration"}},
      {Field::title, {"title", "event", "name"}},
      {Field::description, {"description", "summary", "abstract"}},
      {Field::draft, {"draft"}},
      {Field::publish_date, {"publishDate", "publish_date", "pubdate"}},
      {Field::expiry_date, {"expiryDate", "expiry_date", "unpublishdate"}},
      {Field::lastmod, {"lastmod", "last_modified", "modified", "updated"}},
      {Field::date, {"date"}},
      {Field::slug, {"slug"}},
      {Field::url, {"url"}},
      {Field::image, {"image", "featured_image", "cover", "banner"}},
      {Field::topic, {"topic", "topics"}},
      {Field::tags, {"tags"}},
      {Field::categories, {"categories"}},
      {Field::speakers, {"speaker", "speakers", "authors", "author", "attendees"}},
      {Field::signup_url,
       {"apply_url", "signup.url", "event_url", "registration", "register_url", "registration_url", "signup_url",
        "link"}},
      {Field::status, {"status", "event_status"}},
      {Field::fee, {"fee", "price", "cost"}},
      {Field::sponsor, {"sponsor", "sponsors", "organizer"}},
      {Field::location, {"location", "venue", "address", "place", "city"}},
      {Field::sequence, {"sequence"}},
  };
  return table.at(f);
}

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
  for (const auto& key : field_aliases(f)) {
    const Value* v = key.find('.') == std::string::npos ? fm.find(key) : fm.find_path(key);
    if (!is_empty(v)) return {v, key};
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
