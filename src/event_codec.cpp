#include "evfeed/event_codec.hpp"

namespace evfeed {

namespace {

using Writer = CodecWriter;
using Reader = CodecReader;

long long secs(SysSeconds t) { return t.time_since_epoch().count(); }
long long days(date::local_days d) { return d.time_since_epoch().count(); }

long long local_secs(LocalSeconds t) { return t.time_since_epoch().count(); }
LocalSeconds local_at(long long n) { return LocalSeconds{Seconds{n}}; }

void write_locals(Writer& w, const std::vector<LocalSeconds>& v) {
  w.num(static_cast<long long>(v.size()));
  for (LocalSeconds t : v) w.num(local_secs(t));
}
std::vector<LocalSeconds> read_locals(Reader& r) {
  std::vector<LocalSeconds> v;
  for (long long i = 0, n = r.num(); r.ok && i < n && i < 100000; ++i) v.push_back(local_at(r.num()));
  return v;
}
void write_ints(Writer& w, const std::vector<int>& v) {
  w.num(static_cast<long long>(v.size()));
  for (int x : v) w.num(x);
}
std::vector<int> read_ints(Reader& r) {
  std::vector<int> v;
  for (long long i = 0, n = r.num(); r.ok && i < n && i < 1000; ++i) v.push_back(static_cast<int>(r.num()));
  return v;
}

// Series, sessions and the shown occurrence (rules are stored parsed: the codec needs no zone).
void write_instances(Writer& w, const Event& e) {
  w.num(e.instances ? 1 : 0);
  if (!e.instances) return;
  const Series& s = e.series();
  w.num(s.rule ? 1 : 0);
  if (s.rule) {
    const RecurrenceRule& r = *s.rule;
    w.str(r.freq);
    w.num(r.interval);
    w.num(r.count);
    w.num(r.until ? 1 : 0);
    w.num(r.until ? local_secs(*r.until) : 0);
    w.num(static_cast<long long>(r.by_day.size()));
    for (const auto& [ordinal, day] : r.by_day) w.num(ordinal * 8 + (ordinal < 0 ? -day : day));
    write_ints(w, r.by_month_day);
    write_ints(w, r.by_month);
    write_ints(w, r.by_set_pos);
    w.str(r.week_start);
  }
  write_locals(w, s.rdates);
  write_locals(w, s.exdates);
  w.num(static_cast<long long>(s.changes.size()));
  for (const auto& c : s.changes) {
    w.num(local_secs(c.original));
    w.num(c.cancelled);
    for (const auto& t : {c.start, c.end}) {
      w.num(t ? 1 : 0);
      w.num(t ? secs(*t) : 0);
    }
    w.str(c.title);
    w.str(c.location);
  }
  w.num(static_cast<long long>(e.sessions().size()));
  for (const auto& x : e.sessions()) {
    w.str(x.id);
    w.str(x.title);
    w.str(x.location);
    w.num(secs(x.start));
    w.num(secs(x.end));
  }
  w.num(e.shown() ? 1 : 0);
  if (e.shown()) {
    w.num(secs(e.shown()->start));
    w.num(secs(e.shown()->end));
    w.num(local_secs(e.shown()->original));
    w.str(e.shown()->title);
    w.str(e.shown()->location);
    w.num(e.shown()->cancelled);
    w.num(e.shown()->changed);
  }
}

void read_instances(Reader& r, Event& e) {
  if (r.num() == 0) return;
  EventInstances& x = e.edit_instances();
  Series& s = x.series;
  if (r.num() != 0) {
    RecurrenceRule rule;
    rule.freq = std::string(r.str());
    rule.interval = static_cast<int>(r.num());
    rule.count = static_cast<int>(r.num());
    bool has_until = r.num() != 0;
    long long until = r.num();
    if (has_until) rule.until = local_at(until);
    for (long long i = 0, n = r.num(); r.ok && i < n && i < 1000; ++i) {
      long long v = r.num();
      int ordinal = static_cast<int>(v / 8), day = static_cast<int>(v % 8);
      rule.by_day.emplace_back(ordinal, day < 0 ? -day : day);
    }
    rule.by_month_day = read_ints(r);
    rule.by_month = read_ints(r);
    rule.by_set_pos = read_ints(r);
    rule.week_start = std::string(r.str());
    s.rule = std::move(rule);
  }
  s.rdates = read_locals(r);
  s.exdates = read_locals(r);
  for (long long i = 0, n = r.num(); r.ok && i < n && i < 100000; ++i) {
    OccurrenceChange c;
    c.original = local_at(r.num());
    c.cancelled = r.num() != 0;
    for (auto* t : {&c.start, &c.end}) {
      bool has = r.num() != 0;
      long long v = r.num();
      if (has) *t = SysSeconds{Seconds{v}};
    }
    c.title = std::string(r.str());
    c.location = std::string(r.str());
    s.changes.push_back(std::move(c));
  }
  for (long long i = 0, n = r.num(); r.ok && i < n && i < 100000; ++i) {
    EventSession session;
    session.id = std::string(r.str());
    session.title = std::string(r.str());
    session.location = std::string(r.str());
    session.start = SysSeconds{Seconds{r.num()}};
    session.end = SysSeconds{Seconds{r.num()}};
    x.sessions.push_back(std::move(session));
  }
  if (r.num() != 0) {
    Occurrence o;
    o.start = SysSeconds{Seconds{r.num()}};
    o.end = SysSeconds{Seconds{r.num()}};
    o.original = local_at(r.num());
    o.title = std::string(r.str());
    o.location = std::string(r.str());
    o.cancelled = r.num() != 0;
    o.changed = r.num() != 0;
    x.shown = std::move(o);
  }
}

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
  write_instances(w, e);
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
  read_instances(r, e);
  return r.ok && r.pos == text.size();
}

}  // namespace evfeed
