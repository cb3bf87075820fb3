// fuzz_ics: pages -> events -> calendar.ics (and the alarm calendar, RSS, Atom, JSON
// Feed, the feed HTML), read back with libical's parser.
//
// Input: up to 4 pages separated by a line "%%%%". Each page goes through the same steps
// as in load_events (split, clean_utf8, parse_front_matter, build_event); the events are
// assembled (drafts, future and expired included) and rendered.
//
// Invariants on every calendar: CRLF line ends only, no line over 75 octets, valid UTF-8,
// icalparser_parse_string reads it without an X-LIC-ERROR property, one VEVENT per event,
// SUMMARY round-trips, and DTSTART/DTEND resolved through the generated VTIMEZONE give the
// event's instants (1975..2035, where libical expands zones). On the feeds: valid UTF-8,
// no character XML 1.0 forbids, no <script.
#include <libical/ical.h>

#include <algorithm>
#include <exception>
#include <set>
#include <vector>

#include "evfeed/front_matter.hpp"
#include "evfeed/model.hpp"
#include "evfeed/page.hpp"
#include "evfeed/render.hpp"
#include "evfeed/schema.hpp"
#include "fuzz_common.hpp"

using namespace evfeed;

namespace {

const SiteConfig& site() {
  static const SiteConfig s = [] {
    SiteConfig c;
    c.title = "Fuzz, events; \"all\" <of> them";
    c.base_url = "https://events.example.org/";
    c.language = "en";
    c.timezone = "America/New_York";
    c.include_drafts = c.include_future = c.include_expired = true;
    FeedSpec f;
    f.slug = "mesh";
    f.title = "Mesh";
    f.topics = {"Service Mesh"};
    c.feeds.push_back(f);
    return c;
  }();
  return s;
}

void check_ical_lines(const std::string& ics, const char* what) {
  FUZZ_CHECK(is_valid_utf8(ics), "%s is not valid UTF-8", what);
  size_t pos = 0, line_no = 0;
  while (pos < ics.size()) {
    size_t lf = ics.find('\n', pos);
    FUZZ_CHECK(lf != std::string::npos, "%s: last line without LF", what);
    ++line_no;
    FUZZ_CHECK(lf > pos && ics[lf - 1] == '\r', "%s: line %zu ends in a bare LF", what, line_no);
    std::string_view line(ics.data() + pos, lf - 1 - pos);
    FUZZ_CHECK(line.find('\r') == std::string_view::npos, "%s: line %zu holds a bare CR", what, line_no);
    FUZZ_CHECK(line.size() <= 75, "%s: line %zu is %zu octets: %s", what, line_no, line.size(),
               fuzz::show(line, 120).c_str());
    FUZZ_CHECK(!line.empty(), "%s: empty line %zu", what, line_no);
    for (unsigned char c : line)
      FUZZ_CHECK(c >= 0x20 || c == '\t', "%s: control character 0x%02x on line %zu", what, c, line_no);
    pos = lf + 1;
  }
}

void walk_errors(icalcomponent* c, const std::string& ics, const char* what) {
  for (icalproperty* p = icalcomponent_get_first_property(c, ICAL_ANY_PROPERTY); p;
       p = icalcomponent_get_next_property(c, ICAL_ANY_PROPERTY)) {
    if (icalproperty_isa(p) == ICAL_XLICERROR_PROPERTY) {
      const char* err = icalproperty_as_ical_string(p);
      FUZZ_CHECK(false, "%s: libical reports %s\n--- calendar ---\n%s", what, err ? err : "?", ics.c_str());
    }
  }
  for (icalcomponent* k = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT); k;
       k = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT))
    walk_errors(k, ics, what);
}

int year_of(SysSeconds t) { return static_cast<int>(date::year_month_day{date::floor<date::days>(t)}.year()); }

void check_instant(icaltimetype t, SysSeconds expected, const Event& e, const char* prop, const std::string& ics) {
  if (icaltime_is_null_time(t) || t.is_date) return;
  int y = year_of(expected);
  if (y < 1975 || y > 2035) return;
  time_t got = icaltime_as_timet_with_zone(t, t.zone ? t.zone : icaltimezone_get_utc_timezone());
  long long want = expected.time_since_epoch().count();
  FUZZ_CHECK(got == want, "%s of '%s' (zone %s) reads back as %lld, written instant is %lld (diff %lld s)\n%s", prop,
             e.title.c_str(), e.zone_name().c_str(), static_cast<long long>(got), want,
             static_cast<long long>(got) - want, ics.c_str());
}

// Only what evfeed writes: a property or component more is an injection.
void check_structure(icalcomponent* cal, const std::string& ics, const char* what, bool alarms) {
  static const std::set<std::string> event_props = {"UID", "DTSTAMP", "LAST-MODIFIED", "SEQUENCE", "DTSTART", "DTEND",
                                                    "TRANSP", "SUMMARY", "DESCRIPTION", "LOCATION", "URL", "CATEGORIES",
                                                    "IMAGE", "STATUS",
                                                    // series, their changed occurrences, sessions
                                                    "RRULE", "RDATE", "EXDATE", "RECURRENCE-ID", "RELATED-TO"};
  for (icalcomponent* c = icalcomponent_get_first_component(cal, ICAL_ANY_COMPONENT); c;
       c = icalcomponent_get_next_component(cal, ICAL_ANY_COMPONENT)) {
    icalcomponent_kind k = icalcomponent_isa(c);
    FUZZ_CHECK(k == ICAL_VEVENT_COMPONENT || k == ICAL_VTIMEZONE_COMPONENT, "%s: unexpected component %s\n%s", what,
               icalcomponent_kind_to_string(k), ics.c_str());
    if (k != ICAL_VEVENT_COMPONENT) continue;
    int urls = 0, images = 0, alarms_seen = 0;
    for (icalproperty* p = icalcomponent_get_first_property(c, ICAL_ANY_PROPERTY); p;
         p = icalcomponent_get_next_property(c, ICAL_ANY_PROPERTY)) {
      const char* name = icalproperty_get_property_name(p);
      std::string n = name ? name : "?";
      FUZZ_CHECK(event_props.count(n), "%s: property %s in a VEVENT (injected?)\n%s", what, n.c_str(), ics.c_str());
      urls += n == "URL";
      images += n == "IMAGE";
    }
    FUZZ_CHECK(urls == 1 && images <= 1, "%s: %d URL and %d IMAGE properties in one VEVENT\n%s", what, urls, images,
               ics.c_str());
    for (icalcomponent* sub = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT); sub;
         sub = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT)) {
      FUZZ_CHECK(icalcomponent_isa(sub) == ICAL_VALARM_COMPONENT && alarms, "%s: component %s inside a VEVENT\n%s",
                 what, icalcomponent_kind_to_string(icalcomponent_isa(sub)), ics.c_str());
      ++alarms_seen;
    }
    FUZZ_CHECK(alarms_seen == (alarms ? 1 : 0), "%s: %d VALARMs in one VEVENT", what, alarms_seen);
  }
}

void check_calendar(const std::string& ics, const std::vector<const Event*>& events, const char* what,
                    bool alarms = false) {
  check_ical_lines(ics, what);
  icalcomponent* cal = icalparser_parse_string(ics.c_str());
  FUZZ_CHECK(cal != nullptr, "%s: libical cannot parse it", what);
  walk_errors(cal, ics, what);
  check_structure(cal, ics, what, alarms);
  // An event writes one VEVENT, a series one more per changed occurrence (after it), a
  // multi-session event one per session: the first VEVENT of a single event or series is
  // the event itself.
  size_t i = 0, part = 0;
  for (icalcomponent* ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT); ev;
       ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
    FUZZ_CHECK(i < events.size(), "%s: more VEVENTs than events", what);
    const Event& e = *events[i];
    size_t parts = e.sessions().empty() ? 1 + e.series().changes.size() : e.sessions().size();
    if (part == 0 && e.sessions().empty()) {
      const char* summary = icalcomponent_get_summary(ev);
      std::string want = clean_utf8(e.title);
      FUZZ_CHECK(summary && want == summary, "%s: SUMMARY '%s' reads back as '%s'", what, fuzz::show(want).c_str(),
                 summary ? fuzz::show(summary).c_str() : "(none)");
      if (!e.all_day) {
        check_instant(icalcomponent_get_dtstart(ev), e.start, e, "DTSTART", ics);
        check_instant(icalcomponent_get_dtend(ev), e.end, e, "DTEND", ics);
      }
    }
    if (++part == parts) {
      part = 0;
      ++i;
    }
  }
  FUZZ_CHECK(i == events.size() && part == 0, "%s: %zu VEVENTs' events for %zu events", what, i, events.size());
  icalcomponent_free(cal);
}

void check_xml_text(const std::string& s, const char* what) {
  FUZZ_CHECK(is_valid_utf8(s), "%s is not valid UTF-8", what);
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    FUZZ_CHECK(c >= 0x20 || c == '\t' || c == '\n' || c == '\r', "%s: control character 0x%02x at %zu", what, c, i);
    if (c == 0xEF && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xBF)
      FUZZ_CHECK(static_cast<unsigned char>(s[i + 2]) < 0xBE, "%s: U+FFFE/U+FFFF at %zu", what, i);
  }
  FUZZ_CHECK(!fuzz::icontains(s, "<script"), "%s contains <script:\n%s", what, fuzz::show(s, 3000).c_str());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 256 * 1024) return 0;
  std::string input(fuzz::as_text(data, size));
  std::vector<std::string> texts;
  for (size_t pos = 0; pos <= input.size() && texts.size() < 4;) {
    size_t sep = input.find("\n%%%%\n", pos);
    texts.push_back(input.substr(pos, sep == std::string::npos ? std::string::npos : sep - pos));
    if (sep == std::string::npos) break;
    pos = sep + 6;
  }
  std::vector<Event> built;
  {  // exceptions are not caught: one escaping is a crash (std::terminate) with its throw site
    for (size_t i = 0; i < texts.size(); ++i) {
      SourceFile f;
      f.rel_path =
          (i % 2 ? "zh/event/p" : "event/p") + std::to_string(i / 2) + ".md";  // translations share an identity
      f.path = "content/" + f.rel_path;
      Diagnostics diags;
      Page page;
      Value fm;
      if (!split_page(f, texts[i], page, diags)) continue;
      page.front_matter = clean_utf8(page.front_matter);
      page.body = clean_utf8(page.body);
      if (!parse_front_matter(page, fm, diags)) continue;
      Event e;
      if (!build_event(page, fm, site(), e, diags)) continue;
      built.push_back(std::move(e));
    }
    if (built.empty()) return 0;
    SysSeconds now = SysSeconds{date::sys_days{date::year{2024} / 1 / 1}};
    EventModel model = assemble_model(built, site(), now);
    std::vector<const Event*> events;
    for (const auto& e : model.events) events.push_back(&e);
    Sequences seq;
    for (size_t i = 0; i < events.size(); ++i) seq[events[i]->identity] = static_cast<int>(i * 7);

    CalendarOptions opts{site().title, "A calendar; with, \\ escapes\nand lines", site().base_url + "calendar.ics",
                         false};
    std::string ics = render_calendar(events, site(), opts, seq);
    check_calendar(ics, events, "calendar.ics");
    opts.alarms = true;
    check_calendar(render_calendar(events, site(), opts, seq), events, "calendar-alarms.ics", true);
    for (const Event* e : events) {
      CalendarOptions one{e->title, "", site().base_url + "events/" + e->slug + ".ics", false};
      check_calendar(render_calendar({e}, site(), one, seq), {e}, "events/x.ics");
    }

    FeedInfo info{site().title, site().description, "", site().language, model.updated};
    check_xml_text(render_rss(events, site(), info), "rss.xml");
    check_xml_text(render_atom(events, site(), info), "atom.xml");
    std::string json = render_json_feed(events, site(), info);
    FUZZ_CHECK(is_valid_utf8(json), "feed.json is not valid UTF-8");
    for (unsigned char c : json) FUZZ_CHECK(c >= 0x20 || c == '\n' || c == '\t', "feed.json: raw control 0x%02x", c);
    // The feed HTML goes into RSS/Atom/JSON (which clean it again); index.html is served as is.
    std::string index = render_index_html(events, site(), now);
    FUZZ_CHECK(fuzz::clean_text(index), "index.html is not clean UTF-8 (NUL, controls or invalid bytes)");
    for (const Event* e : events) {
      std::string html = event_content_html(*e, site());
      check_xml_text(html, "event_content_html");
    }
  }
  return 0;
}
