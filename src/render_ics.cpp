// iCalendar (RFC 5545) written with libical. libical folds at 75 octets without splitting
// UTF-8 and escapes TEXT, but passes control characters and invalid UTF-8 through: event
// texts come clean (event.hpp's contract), every other string goes through clean_utf8. Its TZIDs carry a vendor prefix,
// so VTIMEZONEs are generated here from the system tz database with plain IANA names.
#include <libical/ical.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "evfeed/event_codec.hpp"
#include "evfeed/markdown.hpp"
#include "evfeed/parallel.hpp"
#include "evfeed/recurrence.hpp"
#include "evfeed/render.hpp"
#include "evfeed/resources.hpp"
#include "evfeed/text.hpp"
#include "evfeed/ui_text.hpp"
#include "evfeed/version.hpp"

namespace evfeed {

namespace {

struct Component {
  icalcomponent* c;
  explicit Component(icalcomponent_kind k) : c(icalcomponent_new(k)) {}
  ~Component() {
    if (c) icalcomponent_free(c);
  }
  Component(const Component&) = delete;
  Component& operator=(const Component&) = delete;
  Component(Component&& o) noexcept : c(o.release()) {}
  icalcomponent* release() {
    auto* r = c;
    c = nullptr;
    return r;
  }
};

std::string clean(std::string_view s) { return clean_utf8(s); }

icaltimetype local_time(LocalSeconds t) {
  auto day = date::floor<date::days>(t);
  date::year_month_day ymd{day};
  auto tod = date::make_time(t - day);
  icaltimetype it = icaltime_null_time();
  it.year = static_cast<int>(ymd.year());
  it.month = static_cast<int>(static_cast<unsigned>(ymd.month()));
  it.day = static_cast<int>(static_cast<unsigned>(ymd.day()));
  it.hour = static_cast<int>(tod.hours().count());
  it.minute = static_cast<int>(tod.minutes().count());
  it.second = static_cast<int>(tod.seconds().count());
  it.is_date = 0;
  return it;
}

// From the fields, not through time_t: libical's time_t conversion gives 00000000T000000
// for years after 3000.
icaltimetype utc_time(SysSeconds t) {
  icaltimetype it = local_time(LocalSeconds{t.time_since_epoch()});
  it.zone = icaltimezone_get_utc_timezone();
  return it;
}

icaltimetype date_value(date::local_days d) {
  icaltimetype it = local_time(LocalSeconds{d});
  it.is_date = 1;
  it.hour = it.minute = it.second = 0;
  return it;
}

// The zone whose TZID a date-time of the event carries: its own, except that a UTC series
// is written as Etc/GMT (the same offset, 0, for ever): clients that honour X-WR-TIMEZONE,
// as Google does (python's x-wr-timezone), move times named UTC into that zone before
// expanding the rule, so "first Wednesday" would become a Tuesday in the Americas.
const date::time_zone* tzid_zone(const Event& e) {
  static const date::time_zone* gmt = date::locate_zone("Etc/GMT");
  return e.recurs() && e.is_utc_zone() ? gmt : e.zone;
}

// A date-time property in the event's zone; UTC when the zone is UTC or the local time
// is ambiguous (an overlap), so every client reads the same instant. A series always
// has its TZID: clients expand rules in wall time, and those that honour X-WR-TIMEZONE
// (Google, python recurring-ical-events) expand a UTC DTSTART in that zone instead.
icalproperty* zoned_property(icalproperty* (*make)(icaltimetype), const Event& e, SysSeconds t) {
  LocalSeconds local = to_local(e.zone, t);
  bool ambiguous = zone_local_info(e.zone, local).result != date::local_info::unique;
  if (!e.recurs() && (e.is_utc_zone() || ambiguous)) return make(utc_time(t));
  icalproperty* p = make(local_time(local));
  icalproperty_add_parameter(p, icalparameter_new_tzid(std::string(tzid_zone(e)->name()).c_str()));
  return p;
}

void add_text(icalcomponent* c, icalproperty* p) { icalcomponent_add_property(c, p); }

// TEXT escaping (RFC 5545 3.3.11) for X-properties, whose values libical writes verbatim.
std::string escape_text(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == ',' || c == ';') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

// libical's folder can put a fold between the CR and LF that end a line (seen with
// values that end exactly at the fold column), so its output is unfolded here and
// folded again: 75 octets per line including the leading space, never inside a UTF-8
// sequence, CRLF everywhere.
std::string refold_ical(std::string_view text) {
  std::vector<std::string> logical;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    while (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
      if (!logical.empty()) logical.back().append(line.substr(1));
    } else if (!line.empty()) {
      logical.emplace_back(line);
    }
  }
  std::string out;
  out.reserve(text.size() + text.size() / 70 * 3);
  for (const auto& line : logical) {
    size_t i = 0, limit = 75;
    while (line.size() - i > limit) {
      size_t cut = i + limit;
      while (cut > i && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;  // not inside a character
      out.append(line, i, cut - i);
      out += "\r\n ";
      i = cut;
      limit = 74;  // continuation lines start with a space
    }
    out.append(line, i, std::string::npos);
    out += "\r\n";
  }
  return out;
}

namespace {}  // namespace

std::string event_uid(const Event& e, const SiteConfig& site) {
  // The path (not the title, slug or time) and the host: stable across edits and builds.
  return e.identity + "@" + (site.uid_domain.empty() ? url_host(site.base_url) : site.uid_domain);
}

std::string event_description_text(const Event& e) {
  const EventLabels& w = event_labels(e.lang);
  auto label = [&](const char* l) { return label_before(l, e.lang); };  // "Where: ", "地点："
  std::string out;
  if (!e.summary.empty()) out += e.summary + "\n\n";
  if (!e.location.empty()) out += label(w.where) + e.location + "\n";
  if (!e.fee.empty()) out += label(w.fee) + e.fee + "\n";
  if (!e.speakers.empty()) {
    out += trim(label(w.speakers)) + "\n";
    for (const auto& s : e.speakers) out += "- " + s.name + (s.designation.empty() ? "" : ", " + s.designation) + "\n";
  }
  if (!e.sponsor.empty()) out += label(w.sponsor) + markdown_to_text(e.sponsor, e.url) + "\n";
  if (!e.signup_url.empty()) out += label(ui_text(e.lang).sign_up) + e.signup_url + "\n";
  std::string body = markdown_to_text(e.body_markdown, e.url);
  if (!body.empty()) out += (out.empty() ? "" : "\n") + body + "\n";
  out += "\n" + e.url;
  return trim(out);
}

namespace {

std::string serialize(icalcomponent* c) {
  char* text = icalcomponent_as_ical_string_r(c);
  std::string raw = text ? text : "";
  icalmemory_free_buffer(text);
  return raw;
}

// A VTIMEZONE as libical writes it (parsed and serialized again, then folded). Most
// calendars carry the same few (one per event file: mostly one zone over one span), so
// each distinct text goes through libical once.
std::string vtimezone_as_written(const std::string& text) {
  static std::mutex mutex;
  static std::unordered_map<std::string, std::string> written;
  {
    std::lock_guard<std::mutex> lock(mutex);
    auto it = written.find(text);
    if (it != written.end()) return it->second;
  }
  std::string out;
  if (icalcomponent* tz = icalparser_parse_string(text.c_str())) {
    out = refold_ical(serialize(tz));
    icalcomponent_free(tz);
  }
  std::lock_guard<std::mutex> lock(mutex);
  if (written.size() >= 1024) written.clear();  // bounded: a long-running server sees many spans
  written.emplace(text, out);
  return out;
}

}  // namespace

namespace {

// One VEVENT of an event (or of a session or changed occurrence of it) under `uid`.
Component base_vevent(const Event& e, const std::string& uid, int sequence) {
  Component ev(ICAL_VEVENT_COMPONENT);
  icalcomponent_add_property(ev.c, icalproperty_new_uid(uid.c_str()));
  icalcomponent_add_property(ev.c, icalproperty_new_dtstamp(utc_time(e.updated)));
  icalcomponent_add_property(ev.c, icalproperty_new_lastmodified(utc_time(e.updated)));
  icalcomponent_add_property(ev.c, icalproperty_new_sequence(sequence));
  if (e.all_day) {
    icalcomponent_add_property(ev.c, icalproperty_new_dtstart(date_value(e.start_day)));
    icalcomponent_add_property(ev.c, icalproperty_new_dtend(date_value(e.end_day)));
    icalcomponent_add_property(ev.c, icalproperty_new_transp(ICAL_TRANSP_TRANSPARENT));
  } else {
    icalcomponent_add_property(ev.c, zoned_property(icalproperty_new_dtstart, e, e.start));
    icalcomponent_add_property(ev.c, zoned_property(icalproperty_new_dtend, e, e.end));
  }
  add_text(ev.c, icalproperty_new_summary(e.title.c_str()));
  add_text(ev.c, icalproperty_new_description(clean(event_description_text(e)).c_str()));
  if (!e.location.empty()) add_text(ev.c, icalproperty_new_location(e.location.c_str()));
  icalcomponent_add_property(ev.c, icalproperty_new_url(e.url.c_str()));
  std::vector<std::string> cats = e.topics;
  for (const auto& t : e.tags)
    if (std::find(cats.begin(), cats.end(), t) == cats.end()) cats.push_back(t);
  for (auto& c : cats) {
    // One CATEGORIES per value: a comma inside a category would split it otherwise.
    std::string v = c;
    replace_all(v, ",", " ");
    icalcomponent_add_property(ev.c, icalproperty_new_categories(v.c_str()));
  }
  if (!e.image.empty()) {
    icalproperty* p = icalproperty_new(ICAL_X_PROPERTY);
    icalproperty_set_x_name(p, "IMAGE");
    icalproperty_set_value(p, icalvalue_new_uri(e.image.c_str()));
    icalproperty_add_parameter(p, icalparameter_new_value(ICAL_VALUE_URI));
    icalproperty_add_parameter(p, icalparameter_new_display(ICAL_DISPLAY_BADGE));
    icalcomponent_add_property(ev.c, p);
  }
  icalcomponent_add_property(ev.c,
                             icalproperty_new_status(e.status == EventStatus::cancelled   ? ICAL_STATUS_CANCELLED
                                                     : e.status == EventStatus::tentative ? ICAL_STATUS_TENTATIVE
                                                                                          : ICAL_STATUS_CONFIRMED));
  return ev;
}

icalproperty* rdate_property(icaltimetype t) {
  icaldatetimeperiodtype v;
  v.time = t;
  v.period = icalperiodtype_null_period();
  return icalproperty_new_rdate(v);
}

// A series' date list entry (RDATE, EXDATE, RECURRENCE-ID) in the form DTSTART has.
icalproperty* series_date(icalproperty* (*make)(icaltimetype), const Event& e, LocalSeconds t) {
  if (e.all_day) return make(date_value(date::floor<date::days>(t)));
  return zoned_property(make, e, resolve_local(e.zone, t).instant);
}

void add_series(icalcomponent* ev, const Event& e) {
  if (e.series().rule)
    icalcomponent_add_property(
        ev, icalproperty_new_rrule(icalrecurrencetype_from_string(rrule_value(*e.series().rule, e).c_str())));
  for (LocalSeconds t : e.series().rdates) icalcomponent_add_property(ev, series_date(rdate_property, e, t));
  for (LocalSeconds t : e.series().exdates) icalcomponent_add_property(ev, series_date(icalproperty_new_exdate, e, t));
}

// The event as one of its instances: a session or a changed occurrence.
Event instance_event(const Event& e, SysSeconds start, SysSeconds end, const std::string& title,
                     const std::string& location) {
  Event part = e;
  part.instances = nullptr;
  part.start = start;
  part.end = end;
  if (e.all_day) {
    part.start_day = date::floor<date::days>(to_local(e.zone, start));
    part.end_day = date::floor<date::days>(to_local(e.zone, end));
  }
  if (!title.empty()) part.title = title;
  if (!location.empty()) part.location = location;
  return part;
}

}  // namespace

std::string session_uid(const Event& e, const EventSession& s, const SiteConfig& site) {
  std::string uid = event_uid(e, site);
  size_t at = uid.rfind('@');
  return uid.substr(0, at) + "#session-" + s.id + uid.substr(at);
}

std::string render_vevent(const Event& e, const SiteConfig& site, int sequence) {
  std::string uid = clean(event_uid(e, site));
  std::string out;
  if (!e.sessions().empty()) {  // the sessions are the event's VEVENTs, each related to it
    for (const auto& s : e.sessions()) {
      std::string title = s.title.empty() ? "" : e.title + ": " + s.title;
      Component ev =
          base_vevent(instance_event(e, s.start, s.end, title, s.location), clean(session_uid(e, s, site)), sequence);
      icalproperty* related = icalproperty_new_relatedto(uid.c_str());
      icalproperty_add_parameter(related, icalparameter_new_reltype(ICAL_RELTYPE_PARENT));
      icalcomponent_add_property(ev.c, related);
      out += refold_ical(serialize(ev.c));
    }
    return out;
  }
  Component ev = base_vevent(e, uid, sequence);
  if (e.recurs()) add_series(ev.c, e);
  out = refold_ical(serialize(ev.c));
  for (const auto& c : e.series().changes) {  // RECURRENCE-ID instances share the series' UID
    Occurrence o = occurrence_at(e, c.original);
    Event changed = instance_event(e, o.start, o.end, c.title, c.location);
    if (c.cancelled) changed.status = EventStatus::cancelled;
    Component inst = base_vevent(changed, uid, sequence);
    icalcomponent_add_property(inst.c, series_date(icalproperty_new_recurrenceid, e, c.original));
    out += refold_ical(serialize(inst.c));
  }
  return out;
}

namespace {

// "BEGIN:VALARM ... END:VALARM", for just before the event's END:VEVENT.
std::string valarm_text(const Event& e, const SiteConfig& site) {
  Component alarm(ICAL_VALARM_COMPONENT);
  icalcomponent_add_property(alarm.c, icalproperty_new_action(ICAL_ACTION_DISPLAY));
  icaltriggertype trig;
  trig.time = icaltime_null_time();
  trig.duration = icaldurationtype_from_int(-static_cast<int>(site.alarm_before.count()));
  icalcomponent_add_property(alarm.c, icalproperty_new_trigger(trig));
  add_text(alarm.c, icalproperty_new_description(e.title.c_str()));
  return refold_ical(serialize(alarm.c));
}

}  // namespace

std::string render_calendar(const std::vector<const Event*>& events, const SiteConfig& site,
                            const CalendarOptions& opts, const Sequences& seq, const RenderCache* cache) {
  Component cal(ICAL_VCALENDAR_COMPONENT);
  icalcomponent_add_property(cal.c, icalproperty_new_version("2.0"));
  icalcomponent_add_property(cal.c, icalproperty_new_prodid("-//evfeed//evfeed " EVFEED_VERSION "//EN"));
  icalcomponent_add_property(cal.c, icalproperty_new_calscale("GREGORIAN"));
  icalcomponent_add_property(cal.c, icalproperty_new_method(ICAL_METHOD_PUBLISH));
  std::string name = clean(opts.name);
  std::string desc = clean(opts.description);
  if (!desc.empty()) icalcomponent_add_property(cal.c, icalproperty_new_description(desc.c_str()));
  // NAME, X-WR-*, REFRESH-INTERVAL and URL (RFC 7986) are spliced in as text after
  // METHOD: libical 3.0 predates RFC 7986 and mis-escapes TEXT in X-properties.
  std::string header_props = "NAME:" + escape_text(name) + "\r\nX-WR-CALNAME:" + escape_text(name) + "\r\n";
  if (!desc.empty()) header_props += "X-WR-CALDESC:" + escape_text(desc) + "\r\n";
  header_props += "X-WR-TIMEZONE:" + escape_text(site.timezone) + "\r\n";
  header_props += "REFRESH-INTERVAL;VALUE=DURATION:" + format_ical_duration(site.refresh_interval) + "\r\n";
  header_props += "X-PUBLISHED-TTL:" + format_ical_duration(site.refresh_interval) + "\r\n";
  if (!opts.url.empty()) header_props += "URL:" + clean(opts.url) + "\r\n";

  // VTIMEZONEs: one per zone used, covering just the span of its events.
  std::map<std::string, std::pair<SysSeconds, SysSeconds>> spans;
  std::map<std::string, const date::time_zone*> zones;
  for (const Event* e : events) {
    if ((e->is_utc_zone() && !e->recurs()) || e->all_day) continue;
    auto [from, to] = e->has_instances() ? zone_span(*e) : std::pair{e->start, e->end};
    std::string tzid(tzid_zone(*e)->name());
    auto [it, inserted] = spans.try_emplace(tzid, from, to);
    if (!inserted) {
      it->second.first = std::min(it->second.first, from);
      it->second.second = std::max(it->second.second, to);
    }
    zones[tzid] = tzid_zone(*e);
  }
  std::string head = serialize(cal.c);
  size_t method = head.find("METHOD:PUBLISH\r\n");
  if (method != std::string::npos) head.insert(method + 16, header_props);
  head = refold_ical(head);
  head.resize(head.rfind("END:VCALENDAR\r\n"));
  // Reverse name order: the order libical gives components added in name order, which
  // earlier versions wrote; the same input keeps the same bytes across upgrades.
  for (auto it = spans.rbegin(); it != spans.rend(); ++it)
    head += vtimezone_as_written(vtimezone_text(zones[it->first], it->second.first, it->second.second));

  // Events: each VEVENT rendered once per build (RenderCache) and shared by every calendar.
  std::string out = std::move(head);
  if (cache) {  // a 50 MB calendar grown by doubling would briefly need 1.5x that
    size_t total = out.size() + 16;
    for (const Event* e : events)
      if (const RenderedEvent* pre = cache->find(e)) total += pre->vevent.size() + (opts.alarms ? 256 : 0);
    out.reserve(total);
  }
  for (const Event* e : events) {
    const RenderedEvent* pre = cache ? cache->find(e) : nullptr;
    std::string own;
    if (!pre) {
      auto s = seq.find(e->identity);
      own = render_vevent(*e, site, s == seq.end() ? 0 : s->second);
    }
    const std::string& vevent = pre ? pre->vevent : own;
    if (opts.alarms) {  // before each END:VEVENT: sessions and changed occurrences ring too
      std::string own_alarm = pre ? "" : valarm_text(*e, site);
      const std::string& alarm = pre ? pre->valarm : own_alarm;
      static constexpr std::string_view end_line = "END:VEVENT\r\n";
      size_t from = 0;
      for (size_t end; (end = vevent.find(end_line, from)) != std::string::npos; from = end + end_line.size()) {
        out.append(vevent, from, end - from);
        out += alarm;  // also in a cancelled one: calcurse drops the series' start otherwise
        out += end_line;
      }
      out.append(vevent, from, std::string::npos);
    } else {
      out += vevent;
    }
  }
  out += "END:VCALENDAR\r\n";
  return out;
}

RenderCache::RenderCache(const std::vector<const Event*>& events, const SiteConfig& site, const Sequences& seq,
                         unsigned threads, const RenderCache* previous, bool remember,
                         const std::unordered_set<const Event*>* html_for) {
  struct Job {
    const Event* event;
    std::string key;
    std::shared_ptr<const RenderedEvent> text;
  };
  std::vector<Job> jobs;
  std::unordered_map<const Event*, bool> seen;
  for (const Event* e : events)
    if (!seen[e]) {
      seen[e] = true;
      jobs.push_back({e, {}, nullptr});
    }
  auto sequence_of = [&](const Event& e) {
    auto s = seq.find(e.identity);
    return s == seq.end() ? 0 : s->second;
  };
  std::atomic<size_t> reused{0};
  parallel_for(jobs.size(), threads, [&](size_t i) {
    Job& job = jobs[i];
    const Event& e = *job.event;
    if (previous || remember) {
      job.key = content_hash_hex(event_fingerprint(e) + "|" + e.slug + "|" + std::to_string(sequence_of(e)));
    }
    bool wants_html = !html_for || html_for->count(&e);
    if (previous) {
      auto it = previous->by_key_.find(job.key);
      if (it != previous->by_key_.end()) {
        if (wants_html && !it->second->has_html) {  // now in a feed: add the HTML to the old text
          auto r = std::make_shared<RenderedEvent>(*it->second);
          r->content_html = event_content_html(e, site);
          r->has_html = true;
          job.text = std::move(r);
        } else {
          job.text = it->second;
        }
        ++reused;
        return;
      }
    }
    auto r = std::make_shared<RenderedEvent>();
    r->vevent = render_vevent(e, site, sequence_of(e));
    r->valarm = valarm_text(e, site);
    if (wants_html) {
      r->content_html = event_content_html(e, site);
      r->has_html = true;
    }
    job.text = std::move(r);
  });
  reused_ = reused;
  for (auto& job : jobs) {
    by_event_[job.event] = job.text;
    if (!job.key.empty()) by_key_[job.key] = job.text;
  }
}

const RenderedEvent* RenderCache::find(const Event* e) const {
  auto it = by_event_.find(e);
  return it == by_event_.end() ? nullptr : it->second.get();
}

}  // namespace evfeed
