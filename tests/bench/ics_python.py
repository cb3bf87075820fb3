#!/usr/bin/python3
"""Python peer of the build benchmark: reads the event pages written by gen_site.py (front matter in
YAML, parsed with PyYAML's libyaml CLoader), builds one icalendar.Calendar of every published event
(DTSTART/DTEND with their zone, no VTIMEZONE: icalendar 4 does not write them, SUMMARY, DESCRIPTION = the Markdown body as written, LOCATION, URL,
CATEGORIES) and writes that .ics only. Drafts are skipped, like evfeed and Hugo do.

Usage: ics_python.py CONTENT_DIR OUT_FILE [DEFAULT_ZONE]
"""
import datetime
import os
import sys

import icalendar
import pytz
import yaml

content, out_file = sys.argv[1], sys.argv[2]
default_zone = pytz.timezone(sys.argv[3] if len(sys.argv) > 3 else "Asia/Shanghai")
Loader = yaml.CLoader  # libyaml; fail loudly rather than fall back to the pure-Python parser
HOST = "events.example.org"
zones = {}


def zone(name):
    if not name:
        return default_zone
    z = zones.get(name)
    if z is None:
        z = zones[name] = pytz.timezone(name)
    return z


def parse_duration(text):
    text = str(text).strip().lower()
    hours = minutes = 0
    if "h" in text:
        h, text = text.split("h", 1)
        hours = int(h)
    if text.endswith("m"):
        minutes = int(text[:-1])
    return datetime.timedelta(hours=hours, minutes=minutes)


def start_of(value, tzname):
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            return zone(tzname).localize(value)
        if value.utcoffset() == datetime.timedelta(0):
            return value.astimezone(pytz.utc)
        if tzname:
            return value.astimezone(zone(tzname))
        return value.astimezone(pytz.utc)  # an offset and no zone name: keep the instant, in UTC
    return value  # a date: all-day


cal = icalendar.Calendar()
cal.add("prodid", "-//evfeed bench//python icalendar//EN")
cal.add("version", "2.0")
cal.add("calscale", "GREGORIAN")
cal.add("method", "PUBLISH")
cal.add("x-wr-calname", "Bench Events")
count = 0
for root, dirs, files in os.walk(content):
    dirs.sort()
    for name in sorted(files):
        if not name.endswith(".md"):
            continue
        path = os.path.join(root, name)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        _, fm_text, body = text.split("---\n", 2)
        fm = yaml.load(fm_text, Loader=Loader)
        if fm.get("draft"):
            continue
        tzname = fm.get("timezone")
        start = start_of(fm["date"], tzname)
        rel = os.path.relpath(path, content)
        ident = rel.split(os.sep, 1)[1][:-3]  # without the language folder and ".md"
        ev = icalendar.Event()
        ev.add("uid", f"{ident}@{HOST}")
        ev.add("dtstamp", datetime.datetime(2024, 1, 1, tzinfo=pytz.utc))
        ev.add("dtstart", start)
        ev.add("dtend", start + parse_duration(fm.get("duration", "2h")))
        ev.add("summary", fm.get("title", ""))
        ev.add("description", (fm.get("description", "") + "\n\n" + body).strip())
        if fm.get("location"):
            ev.add("location", fm["location"])
        ev.add("url", f"https://{HOST}/{ident}/")
        if fm.get("topic"):
            ev.add("categories", [fm["topic"]])
        cal.add_component(ev)
        count += 1

with open(out_file, "wb") as f:
    f.write(cal.to_ical())
print(f"python icalendar: {count} events -> {out_file}", file=sys.stderr)
