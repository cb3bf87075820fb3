#pragma once
// The words of index.html in the page's language, and the labels of each event's text in
// the feeds and calendars in the event's language: a small catalogue (English, Simplified and
// Traditional Chinese, Japanese, German, French, Spanish, Portuguese), English for any other,
// and dates written the way each language writes them.
#include <string>
#include <string_view>

#include "evfeed/event.hpp"
#include "evfeed/time.hpp"

namespace evfeed {

struct UiText {
  const char* lang;  // the catalogue's own tag: "en", "zh-Hans"...
  const char* subscribe;
  const char* upcoming;
  const char* past;
  const char* copy;
  const char* copied;        // the live region says "<copied> <URL>"
  const char* calendar_url;  // label of the URL field
  const char* download_ics;
  const char* sign_up;
  const char* cancelled;
  const char* all_day;
  const char* your_time;        // "Your time" before the visitor's own zone
  const char* add_to_calendar;  // label of the per-event links
  const char* scan_to_subscribe;
  const char* more_past;      // "Older events are in the calendar and the feeds."
  const char* more_upcoming;  // "More upcoming events are in the calendar and the feeds."
  const char* languages;      // label of the language switcher
  const char* no_upcoming;
};

// The catalogue entry for a page language ("zh", "zh-CN", "zh-TW", "en-GB"...).
const UiText& ui_text(std::string_view lang);

// The labels an event's own text carries in the feeds' HTML and the calendar's DESCRIPTION,
// in the event's language (same languages and fallback as UiText).
struct EventLabels {
  const char* lang;
  const char* when;
  const char* next;     // a series' next occurrence
  const char* repeats;  // a series' rule in words
  const char* status;
  const char* tentative;
  const char* where;
  const char* fee;
  const char* speakers;
  const char* sponsor;
  const char* add_ics;
  const char* add_google;
  const char* cancelled_occurrence;  // "(cancelled)" after one occurrence
};
const EventLabels& event_labels(std::string_view lang);
// "When: ", "时间：", "Quand : ": a label as the language sets it before a value.
std::string label_before(const char* label, std::string_view lang);

// How dates are spelled: `compact` on the page, in the page's language ("Sat 12 Dec 2026",
// "2026年12月12日 周六"); `full` in the feeds: English spelled out ("Saturday, 12 December
// 2026"), any other language of the catalogue as on the page.
enum class DateStyle { compact, full };

// A day as the language writes it.
std::string format_day(date::local_days day, std::string_view lang, DateStyle style = DateStyle::compact);
// A time range: "Sat 12 Dec 2026, 13:30–16:30", "2026年12月12日 周六 13:30–16:30"; an end on
// another day names that day too; all-day ranges name days only (end exclusive).
std::string format_range(LocalSeconds start, LocalSeconds end, bool all_day, std::string_view lang,
                         DateStyle style = DateStyle::compact);
// The one way an occurrence of an event is told, in the event's zone, the zone named:
//   compact: "Sun 24 Nov 2019, 13:00–15:00 Asia/Shanghai (UTC+08:00)", "... (all day)" in `lang`;
//   full:    "Sunday, 24 November 2019, 13:00–15:00 (Asia/Shanghai, UTC+08:00)".
std::string format_event_time(const Event& e, SysSeconds start, SysSeconds end, std::string_view lang, DateStyle style);

}  // namespace evfeed
