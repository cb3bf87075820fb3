#pragma once
// The Event value type: everything the writers need, with time zones resolved.
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

  SysSeconds updated{};  // lastmod, else the page's date: never "now"
  bool draft = false;
  std::optional<SysSeconds> publish_date;
  std::optional<SysSeconds> expiry_date;

  std::string zone_name() const { return zone ? std::string(zone->name()) : "UTC"; }
  Seconds start_offset() const { return offset_at(zone, start); }
  LocalSeconds local_start() const { return to_local(zone, start); }
  LocalSeconds local_end() const { return to_local(zone, end); }
  bool is_utc_zone() const;
};

}  // namespace evfeed
