#pragma once
// Date strings, IANA zones (Howard Hinnant's date on the system tz database), DST gaps
// and overlaps, durations, and time ranges written in a page body.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <date/date.h>
#include <date/tz.h>

namespace evfeed {

using Seconds = std::chrono::seconds;
using SysSeconds = date::sys_seconds;
using LocalSeconds = date::local_seconds;

// A date or date-time as written: with an offset it is an instant, without one it is a
// wall-clock time in a zone decided later, and a date alone is an all-day date.
struct TimeValue {
  enum class Kind { date, local, instant };
  Kind kind = Kind::local;
  LocalSeconds local{};  // wall time as written (midnight for a date)
  Seconds offset{0};     // instant only: the written UTC offset
  std::string comment;   // trailing "# ..." comment, if any

  SysSeconds instant() const { return SysSeconds{local.time_since_epoch() - offset}; }
};

// Accepts ISO 8601 / RFC 3339 variants seen on real sites: "2019-11-24T13:00:00+08:00",
// "...Z", "2021-07-12T10:00", "2021-05-18 09:00:00 -0700", "2018-12-11T8:00:00",
// "2015-01-14", fractional seconds, a trailing "# comment". nullopt + *error otherwise.
std::optional<TimeValue> parse_time(std::string_view text, std::string* error = nullptr);

// Jekyll-style human dates: "November 10, 2014" with an optional "6:30 PM".
std::optional<TimeValue> parse_human_date(std::string_view date_text, std::string_view time_text,
                                          std::string* error = nullptr);

// Finds a zone: an IANA name ("Asia/Shanghai"), "UTC"/"Z", or a fixed offset written
// as "UTC -7", "GMT+8", "+05:00" (whole hours map to the IANA Etc/GMT zones).
// nullptr + *error when unknown.
const date::time_zone* find_zone(std::string_view name, std::string* error = nullptr);

// The Etc/GMT zone for a whole-hour offset, UTC for zero; nullptr for other offsets.
const date::time_zone* fixed_offset_zone(Seconds offset);

// Wall time in a zone -> instant. A time in a DST gap takes the offset in force before
// the gap; an ambiguous time takes its first occurrence (RFC 5545 3.3.5).
struct Resolved {
  SysSeconds instant;
  bool in_gap = false;
  bool ambiguous = false;
};
Resolved resolve_local(const date::time_zone* zone, LocalSeconds local);

// date/tz's sys_info and local_info, also after the last transition its TZif file lists
// (2037 on Debian), where the file's POSIX TZ footer rule applies: every lookup of a zone
// in evfeed goes through these.
date::sys_info zone_info(const date::time_zone* zone, SysSeconds t);
date::local_info zone_local_info(const date::time_zone* zone, LocalSeconds local);

Seconds offset_at(const date::time_zone* zone, SysSeconds t);
LocalSeconds to_local(const date::time_zone* zone, SysSeconds t);

// The years 1000-2999, which calendar software handles: libical writes 00000000T000000 from
// the year 3000 on, and no calendar app goes there either.
bool in_calendar_years(LocalSeconds t);
inline bool in_calendar_years(SysSeconds t) { return in_calendar_years(LocalSeconds{t.time_since_epoch()}); }

// "PT2H", "P1DT2H", "2h30m", "90m", "1.5h", "2 hours"; nullopt when not a duration.
std::optional<Seconds> parse_duration(std::string_view text);
std::string format_ical_duration(Seconds d);  // "PT2H30M", "P1D", "-P1D"

// A time range stated in the body ("时间：2018年7月29日（星期日）下午 1:00 - 5:30",
// "Time: 18:30 - 19:30", "When: September 21, 2022, 10:00 a.m. – 6:30 p.m.").
struct BodyTimeRange {
  bool has_range = false;  // false: the line names only a date
  int start_minutes = 0;   // minutes after local midnight
  int end_minutes = 0;
  std::optional<date::year_month_day> day;  // when the line also names a date
  int line = 0;                             // 1-based line in the body
  int column = 0;
};
std::optional<BodyTimeRange> find_body_time_range(std::string_view body);

// Formatting helpers.
std::string format_rfc3339(SysSeconds t, Seconds offset);  // 2019-11-24T13:00:00+08:00
std::string format_rfc822(SysSeconds t, Seconds offset);   // Sun, 24 Nov 2019 13:00:00 +0800
std::string format_utc_basic(SysSeconds t);                // 20191124T050000Z
std::string format_local_basic(LocalSeconds t);            // 20191124T130000
std::string format_date_basic(date::local_days d);         // 20191124
std::string format_offset(Seconds offset, bool colon);     // +08:00 / +0800
std::string format_utc_offset_ical(Seconds offset);        // +0800, or +080543 when seconds matter

}  // namespace evfeed
