#include "evfeed/event_codec.hpp"

namespace evfeed {

namespace {

using Writer = CodecWriter;
using Reader = CodecReader;

long long secs(SysSeconds t) { return t.time_since_epoch().count(); }
long long days(date::local_days d) { return d.time_since_epoch().count(); }

}  // namespace

std::string serialize_event(const Event& e) {
  Writer w;
  for (const std::string* s :
       {&e.identity, &e.lang, &e.source_path, &e.title, &e.summary, &e.summary_html, &e.body_markdown, &e.url, &e.image,
        &e.location, &e.fee, &e.sponsor, &e.signup_url, &e.zone_source, &e.end_source})
    w.str(*s);
  w.list(e.topics);
  w.list(e.tags);
  w.num(static_cast<long long>(e.speakers.size()));
  for (const auto& s : e.speakers) {
    w.str(s.name);
    w.str(s.designation);
    w.str(s.url);
  }
  w.num(static_cast<int>(e.status));
  w.str(e.zone_name());
  w.num(e.all_day);
  w.num(secs(e.start));
  w.num(secs(e.end));
  w.num(days(e.start_day));
  w.num(days(e.end_day));
  w.num(secs(e.updated));
  w.num(e.draft);
  w.num(e.publish_date ? 1 : 0);
  w.num(e.publish_date ? secs(*e.publish_date) : 0);
  w.num(e.expiry_date ? 1 : 0);
  w.num(e.expiry_date ? secs(*e.expiry_date) : 0);
  w.num(e.sequence);
  return w.out;
}

bool deserialize_event(std::string_view text, Event& e) {
  Reader r{text};
  e = Event{};
  for (std::string* s :
       {&e.identity, &e.lang, &e.source_path, &e.title, &e.summary, &e.summary_html, &e.body_markdown, &e.url, &e.image,
        &e.location, &e.fee, &e.sponsor, &e.signup_url, &e.zone_source, &e.end_source})
    *s = std::string(r.str());
  e.topics = r.list();
  e.tags = r.list();
  long long n = r.num();
  for (long long i = 0; r.ok && i < n; ++i) {
    Speaker s;
    s.name = std::string(r.str());
    s.designation = std::string(r.str());
    s.url = std::string(r.str());
    e.speakers.push_back(std::move(s));
  }
  long long status = r.num();
  if (status < 0 || status > 2) return false;
  e.status = static_cast<EventStatus>(status);
  e.zone = find_zone(r.str());
  if (!e.zone) return false;
  e.all_day = r.num() != 0;
  e.start = SysSeconds{Seconds{r.num()}};
  e.end = SysSeconds{Seconds{r.num()}};
  e.start_day = date::local_days{date::days{r.num()}};
  e.end_day = date::local_days{date::days{r.num()}};
  e.updated = SysSeconds{Seconds{r.num()}};
  e.draft = r.num() != 0;
  bool has_pub = r.num() != 0;
  long long pub = r.num();
  if (has_pub) e.publish_date = SysSeconds{Seconds{pub}};
  bool has_exp = r.num() != 0;
  long long exp = r.num();
  if (has_exp) e.expiry_date = SysSeconds{Seconds{exp}};
  e.sequence = static_cast<int>(r.num());
  return r.ok && r.pos == text.size();
}

}  // namespace evfeed
