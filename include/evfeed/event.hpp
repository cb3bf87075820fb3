#pragma once
// The Event value type: everything the writers need, with time zones resolved.
//
// The clean-Event contract: build_event cleans every text once, and renderers trust it and
// never clean again. Every text (identity, slug, lang, title, summary, summary_html, body,
// location, fee, sponsor, topics, tags, speakers, sessions' and changed occurrences' title
// and location) is what clean_utf8 leaves unchanged: valid UTF-8 without the controls XML
// and iCalendar refuse; url, image, signup_url and speakers' urls also hold no byte <= 0x20
// nor DEL (they go into iCalendar URI values unescaped).
// unclean_field checks it: the pipeline asserts it in debug builds, the tests and fuzz
// targets on every event they build.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "evfeed/time.hpp"

namespace evfeed {

enum class EventStatus { confirmed, tentative, cancelled };
const char* status_name(EventStatus s);  // CONFIRMED / TENTATIVE / CANCELLED

struct Speaker {
  std::string name;
  std::string designation;  // role or affiliation
  std::string url;
};

// A series on one page (front matter `rrule`/`repeat`, `rdate`, `exdate`, `overrides`):
// recurrence.hpp reads, checks, expands and describes it; render_ics writes it.
struct RecurrenceRule {
  std::string freq;  // DAILY, WEEKLY, MONTHLY or YEARLY
  int interval = 1;
  int count = 0;                            // 0: no COUNT
  std::optional<LocalSeconds> until;        // inclusive, wall time in the event's zone (all-day: that day)
  std::vector<std::pair<int, int>> by_day;  // (ordinal, 0 = every; weekday, 0 = Sunday)
  std::vector<int> by_month_day, by_month, by_set_pos;
  std::string week_start;  // WKST: "" or MO..SU
};

// One occurrence of a series moved, retitled or cancelled (a RECURRENCE-ID VEVENT).
struct OccurrenceChange {
  LocalSeconds original{};  // the occurrence's start as the rule makes it (wall time; midnight all-day)
  bool cancelled = false;
  std::optional<SysSeconds> start, end;  // moved; all-day series: local midnights in the zone
  std::string title, location;           // "" keeps the series'
};

struct Series {
  std::optional<RecurrenceRule> rule;
  std::vector<LocalSeconds> rdates, exdates;  // wall times in the event's zone (midnight all-day)
  std::vector<OccurrenceChange> changes;      // sorted by original
  bool empty() const { return !rule && rdates.empty(); }
};

// One session of a multi-session event (front matter `sessions:`): a VEVENT of its own.
struct EventSession {
  std::string id;  // the UID's stable part: the session's `id:`, else its 1-based position
  std::string title, location;
  SysSeconds start{}, end{};  // all-day sessions: local midnights, like Event
};

// One instance of an event: the event itself, one of its sessions, or a series' occurrence.
struct Occurrence {
  SysSeconds start{}, end{};
  LocalSeconds original{};      // series: the start the rule made (RECURRENCE-ID)
  std::string title, location;  // as shown: the event's unless changed
  bool cancelled = false;
  bool changed = false;  // moved, retitled or cancelled by an override
};

struct EventInstances {
  Series series;
  std::vector<EventSession> sessions;  // empty unless the page lists sessions
  // The occurrence the feeds and index.html show (the next at the build, else the last);
  // set by assemble_model, since it depends on the build time.
  std::optional<Occurrence> shown;
};

struct Event {
  // Identity: the page path without language, extension or "/index", e.g.
  // "event/service-mesh-meetup-08". Translations share it; the UID is built from it.
  std::string identity;
  std::string slug;  // unique within the site, safe as a file name: events/<slug>.ics
  std::string lang;
  std::vector<std::string> languages;  // every language this event exists in (sorted)
  std::string source_path;

  std::string title;
  std::string summary;        // description/summary/abstract from front matter, as plain text
  std::string summary_html;   // the same rendered as Markdown, as the themes' markdownify does
  std::string body_markdown;  // shortcodes already reduced to their inner text
  std::string url;            // absolute URL of the page
  std::string image;          // absolute, or empty
  std::string location;
  std::vector<std::string> topics;
  std::vector<std::string> tags;  // tags and categories
  std::vector<Speaker> speakers;
  std::string fee;
  std::string sponsor;  // may hold a Markdown link
  std::string signup_url;
  EventStatus status = EventStatus::confirmed;
  int sequence = -1;  // front matter `sequence:` (RFC 5545 SEQUENCE) when given: the floor of SEQUENCE

  const date::time_zone* zone = nullptr;  // never null once built
  bool all_day = false;
  SysSeconds start{};  // instants; for all-day events, local midnight in `zone`
  SysSeconds end{};
  date::local_days start_day{};  // all-day only; end_day is exclusive
  date::local_days end_day{};
  std::string zone_source;  // the row of zone_precedence() that chose the zone
  std::string end_source;   // the row of end_precedence() that gave the end, with details

  // Series, sessions and the occurrence shown: null for a single event (most events), so
  // that an Event stays small and cheap to copy. Read through series(), sessions(), shown().
  std::shared_ptr<const EventInstances> instances;

  SysSeconds updated{};  // lastmod, else the page's date: never "now"
  bool draft = false;
  std::optional<SysSeconds> publish_date;
  std::optional<SysSeconds> expiry_date;

  std::string zone_name() const { return zone ? std::string(zone->name()) : "UTC"; }
  Seconds start_offset() const { return offset_at(zone, start); }
  LocalSeconds local_start() const { return to_local(zone, start); }
  LocalSeconds local_end() const { return to_local(zone, end); }
  bool is_utc_zone() const;
  const Series& series() const;
  const std::vector<EventSession>& sessions() const;
  const std::optional<Occurrence>& shown() const;
  bool recurs() const { return instances && !instances->series.empty(); }
  bool has_instances() const { return instances != nullptr; }
  // For writing: this event's own copy of its instances (made on first use).
  EventInstances& edit_instances();
};

// Establishes the clean-Event contract (build_event's last step; for events made by hand).
void clean_event_texts(Event& e);
// The first field of `e` that breaks the contract ("speakers[2].url"), or "" when clean.
std::string unclean_field(const Event& e);

}  // namespace evfeed
