#pragma once
// Stage 4: events + site -> bytes. Pure functions: no I/O, no clock.
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "evfeed/event.hpp"
#include "evfeed/site.hpp"

namespace evfeed {

// A VTIMEZONE for `zone` (TZID = the plain IANA name) covering [from, to] and nothing
// more: the observance in force at `from` and every transition up to `to`, with yearly
// rules folded into DTSTART+RRULE where the zone follows one.
std::string vtimezone_text(const date::time_zone* zone, SysSeconds from, SysSeconds to);

// Unfolds iCalendar text and folds it again at 75 octets without splitting UTF-8.
std::string refold_ical(std::string_view text);

struct CalendarOptions {
  std::string name;         // NAME / X-WR-CALNAME
  std::string description;  // DESCRIPTION / X-WR-CALDESC
  std::string url;          // URL of this calendar
  bool alarms = false;      // add a VALARM to every event
};

// event identity -> SEQUENCE, from the publish state (0 when absent).
using Sequences = std::map<std::string, int>;

std::string event_uid(const Event& e, const SiteConfig& site);
// A session's own UID: the event's with "#session-<id>" before the "@".
std::string session_uid(const Event& e, const EventSession& s, const SiteConfig& site);
// Plain-text description: summary, when/where block, speakers, fee, sponsor, body.
std::string event_description_text(const Event& e);

// Text of one event rendered once per build and shared by every calendar and feed that
// carries it (the same event sits in calendar.ics, its language set, topics, events/x.ics).
struct RenderedEvent {
  std::string vevent;        // folded "BEGIN:VEVENT...END:VEVENT\r\n"
  std::string valarm;        // folded "BEGIN:VALARM...END:VALARM\r\n" for calendar-alarms.ics
  bool has_html = false;     // only events that some feed carries get their HTML
  std::string content_html;  // event_content_html
};
class RenderCache {
 public:
  RenderCache() = default;
  // Renders every event, spread over `threads` (0 = all cores): the VEVENT of each, the
  // feed HTML of those in `html_for` (null: all). Events whose content and sequence are
  // unchanged since `previous` (same site config) reuse its text.
  RenderCache(const std::vector<const Event*>& events, const SiteConfig& site, const Sequences& seq,
              unsigned threads = 0, const RenderCache* previous = nullptr, bool remember = false,
              const std::unordered_set<const Event*>* html_for = nullptr);
  const RenderedEvent* find(const Event* e) const;
  // `copy` (an identical copy of `original`, already rendered) gets the same text.
  void share(const Event* copy, const Event* original) { by_event_[copy] = by_event_.at(original); }
  size_t reused() const { return reused_; }
  // Keeps only the content-keyed texts (the events it points to are about to go away).
  void forget_events() { by_event_.clear(); }
  // A copy that finds this build's events only (for filtered outputs of a snapshot).
  std::shared_ptr<const RenderCache> events_only() const {
    auto copy = std::make_shared<RenderCache>();
    copy->by_event_ = by_event_;
    return copy;
  }

 private:
  std::unordered_map<const Event*, std::shared_ptr<const RenderedEvent>> by_event_;
  std::unordered_map<std::string, std::shared_ptr<const RenderedEvent>> by_key_;  // content key -> text
  size_t reused_ = 0;
};

std::string render_vevent(const Event& e, const SiteConfig& site, int sequence);

// `cache` may be null: events missing from it are rendered on the spot.
std::string render_calendar(const std::vector<const Event*>& events, const SiteConfig& site,
                            const CalendarOptions& opts, const Sequences& seq, const RenderCache* cache = nullptr);

struct FeedInfo {
  std::string title;
  std::string description;
  std::string dir;  // "" for the site feed, "topics/x/" or "zh/" otherwise
  std::string language;
  SysSeconds updated{};  // newest page change among the items
};

std::string render_rss(const std::vector<const Event*>& events, const SiteConfig& site, const FeedInfo& feed,
                       const RenderCache* cache = nullptr);
std::string render_atom(const std::vector<const Event*>& events, const SiteConfig& site, const FeedInfo& feed,
                        const RenderCache* cache = nullptr);
std::string render_json_feed(const std::vector<const Event*>& events, const SiteConfig& site, const FeedInfo& feed,
                             const RenderCache* cache = nullptr);

// The HTML fragment feed readers show: a header block (when, where, fee, speakers,
// sign-up, .ics and Google Calendar links) then the rendered body.
std::string event_content_html(const Event& e, const SiteConfig& site);
std::string google_calendar_link(const Event& e);

// Links that open a calendar's "new event" form filled in with the event (its next
// occurrence for a series; Google also takes the rule).
struct AddToCalendarLinks {
  std::string google, outlook_com, office365, yahoo;
};
AddToCalendarLinks add_to_calendar_links(const Event& e);

// Which index.html: the site's (dir "") or one language's ("zh/", listing its translations).
struct IndexPage {
  std::string lang;                    // "" = the site's language
  std::string dir;                     // "" or "<lang>/"
  std::string title;                   // "" = the site's title
  std::vector<std::string> languages;  // the languages that have a page (switcher, hreflang)
  size_t upcoming_limit = 80;          // site.index_upcoming
  size_t past_limit = 50;              // site.index_past
};

// index.html: subscribe cards (with QR codes), upcoming then recent past events.
std::string render_index_html(const std::vector<const Event*>& events, const SiteConfig& site, SysSeconds now,
                              const IndexPage& page = {});

}  // namespace evfeed
