#!/usr/bin/python3
"""expand.py FILE.ics FROM TO

Lists every occurrence of every VEVENT as python recurring-ical-events
(Debian's 2.0.1, on icalendar 4.0.3 + dateutil + pytz) expands it, in the
canonical format shared with expand_libical.c and expand.mjs (one sorted line
per occurrence whose start is in [FROM, TO)):
    UID \t START \t END \t STATUS \t SUMMARY
START/END: UTC "YYYY-MM-DDTHH:MM:SSZ", or "YYYY-MM-DD" for all-day events
(which count as their 00:00 UTC for the window test).
Exit 0 ok, 2 on usage or input errors.

icalendar 4.0.3 resolves a TZID through pytz by its IANA name; the file's
VTIMEZONE is used only for names pytz does not know.
"""
import datetime
import sys

import icalendar
import recurring_ical_events

UTC = datetime.timezone.utc


def parse_utc(s):
    try:
        return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        print(f"expand.py: time must look like 2025-01-31T00:00:00Z: {s}", file=sys.stderr)
        sys.exit(2)


def as_utc(value):
    """A DATE stays a date; a DATE-TIME becomes aware UTC (floating read as UTC)."""
    if not isinstance(value, datetime.datetime):
        return value
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def window_key(value):
    """The instant used for the [FROM, TO) test: a date counts as 00:00 UTC."""
    if isinstance(value, datetime.datetime):
        return value
    return datetime.datetime(value.year, value.month, value.day, tzinfo=UTC)


def fmt(value):
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.strftime("%Y-%m-%d")


def escape(text):
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def main(argv):
    if len(argv) != 4:
        print("usage: expand.py FILE.ics FROM TO  (times as 2025-01-31T00:00:00Z)", file=sys.stderr)
        return 2
    start, stop = parse_utc(argv[2]), parse_utc(argv[3])
    with open(argv[1], "rb") as f:
        cal = icalendar.Calendar.from_ical(f.read())

    # between() returns instances that *overlap* the span, and it drops an
    # override whose own time is outside the span.  Ask for a span that covers
    # every DTSTART and RECURRENCE-ID in the file plus the window, then apply
    # our own rule (start in [FROM, TO)) below.
    instants = [window_key(as_utc(ev[p].dt)) for ev in cal.walk("VEVENT")
                for p in ("DTSTART", "RECURRENCE-ID") if p in ev]
    span_from = min([start] + instants) - datetime.timedelta(days=2)
    span_to = max([stop] + instants) + datetime.timedelta(days=2)

    lines = []
    # recurring-ical-events 2.0.1 keeps STATUS:CANCELLED overrides (it copies
    # the override VEVENT), so nothing has to be added back here.  It matches
    # an override to its instance by the *calendar date* of RECURRENCE-ID,
    # not the instant.
    for ev in recurring_ical_events.of(cal).between(span_from, span_to):
        s = as_utc(ev["DTSTART"].dt)
        e = as_utc(ev["DTEND"].dt) if "DTEND" in ev else s
        if not start <= window_key(s) < stop:
            continue
        status = str(ev.get("STATUS", "CONFIRMED"))
        summary = str(ev.get("SUMMARY", ""))
        lines.append("\t".join([str(ev["UID"]), fmt(s), fmt(e), status, escape(summary)]))
    for line in sorted(lines, key=lambda l: l.encode()):  # byte order, like the C and JS ones
        print(line)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except Exception as exc:  # a crash of the library is exit 2, like a usage error
        import traceback
        print(traceback.format_exc()[-2000:], file=sys.stderr)
        print(f"expand.py: {type(exc).__name__}: {str(exc)[:300]}", file=sys.stderr)
        sys.exit(2)
