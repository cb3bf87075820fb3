#pragma once
// Series, overrides and sessions of one page: read from front matter and checked (so that
// every calendar client expands them the same way), expanded into occurrences for the
// page, the feeds, filters and `check`, and described in words.
#include <string>
#include <string_view>
#include <vector>

#include "evfeed/diagnostic.hpp"
#include "evfeed/event.hpp"
#include "evfeed/front_matter.hpp"
#include "evfeed/page.hpp"

namespace evfeed {

// A bounded series that makes more occurrences than this is an error (split it, or leave
// it open-ended: clients expand open-ended rules themselves).
constexpr size_t max_series_occurrences = 2000;
// Open-ended series: the VTIMEZONE covers this many years after the first occurrence, and
// at least to 2038 (the zone's last yearly rule carries on after that in every client).
constexpr int open_series_zone_years = 10;
constexpr size_t max_sessions = 200;

// "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH;UNTIL=20270101" (an "RRULE:" prefix is allowed). UNTIL
// may be a date (that whole day counts), a local date-time (in `zone`) or UTC ("...Z").
// nullopt and *error naming the part when the rule is not one evfeed writes.
std::optional<RecurrenceRule> parse_rrule(std::string_view text, const date::time_zone* zone, std::string* error);

// The RRULE value for the event: UNTIL in UTC for a timed DTSTART (RFC 5545 3.3.10), a
// DATE for an all-day series.
std::string rrule_value(const RecurrenceRule& rule, const Event& e);

// Reads `rrule`/`repeat`, `rdate`, `exdate`, `overrides` and `sessions` into the event
// (zone, start, end and all_day already set) and checks them; errors and warnings name the
// value's line and column. False when the page has an error.
bool read_instances(const Page& page, const Value& front_matter, Event& e, Diagnostics& diags);

// Occurrences overlapping [from, to), in order, at most `limit`: a single event is its one
// occurrence, a multi-session event its sessions. Cancelled occurrences are included.
std::vector<Occurrence> occurrences(const Event& e, SysSeconds from, SysSeconds to,
                                    size_t limit = max_series_occurrences);
// The occurrence the rule makes at `original` (wall time), with its override applied.
Occurrence occurrence_at(const Event& e, LocalSeconds original);
// End of the last occurrence; SysSeconds::max() for an open-ended series.
SysSeconds last_end(const Event& e);
// The first occurrence not over at `now` and not cancelled (a cancelled series: the first not
// over); else the last one.
Occurrence shown_occurrence(const Event& e, SysSeconds now);
// The span a VTIMEZONE must cover: every occurrence, moved ones included (open-ended
// series: open_series_zone_years, and to 2038 at least).
std::pair<SysSeconds, SysSeconds> zone_span(const Event& e);

// "every second Thursday, 19:00–21:00 Asia/Shanghai, until 1 January 2027"; "" for a
// single event. In Chinese for a `lang` of zh ("每月第二个周四 19:00–21:00 Asia/Shanghai，
// 直到2027年1月1日"; Traditional for zh-Hant/TW/HK/MO), else in English.
std::string describe_series(const Event& e, std::string_view lang = "en");

}  // namespace evfeed
