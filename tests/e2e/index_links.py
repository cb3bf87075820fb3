#!/usr/bin/python3
"""index_links.py OUT_DIR: decodes every add-to-calendar link of OUT_DIR/index.html (and of
each <lang>/index.html) and checks it against the event as feed.json describes it (an
independent rendering of the same event): start, end, title and location, in UTC or as
all-day dates. Google's link is read as Google documents it (dates in the ctz zone).

Exit 0 when every link of every event that feed.json also lists agrees; 1 otherwise.
"""
import datetime
import html.parser
import json
import os
import sys
import urllib.parse
from zoneinfo import ZoneInfo


class Items(html.parser.HTMLParser):
    """Per <li class="ev">: the page link (h3 a) and the add-to-calendar links by name."""

    def __init__(self):
        super().__init__()
        self.items, self.cur, self.in_h3 = [], None, False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "li" and "ev" in (a.get("class") or "").split():
            self.cur = {"links": {}}
            self.items.append(self.cur)
        elif tag == "h3" and self.cur is not None:
            self.in_h3 = True
        elif tag == "a" and self.cur is not None:
            if self.in_h3 and "url" not in self.cur:
                self.cur["url"] = a.get("href")
            if a.get("data-cal"):
                self.cur["links"][a["data-cal"]] = a.get("href")

    def handle_endtag(self, tag):
        if tag == "h3":
            self.in_h3 = False
        elif tag == "li":
            self.cur = None


def utc(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(datetime.timezone.utc)


def expected(ev):
    """(start, end, all_day, title, location) of what the page shows: a series' next occurrence."""
    e = ev["_event"]
    shown = e.get("next", {})
    start, end = shown.get("start", e["start"]), shown.get("end", e["end"])
    title, location = shown.get("title") or ev["title"], shown.get("location") or e["location"]
    if e["all_day"]:
        return start[:10], end[:10], True, title, location
    return utc(start), utc(end), False, title, location


def check_event(item, ev, fail):
    start, end, all_day, title, location = expected(ev)
    links = item["links"]
    if ev["_event"]["status"] == "cancelled":  # nothing to add to a calendar
        if links:
            fail(f"{item['url']}: a cancelled event offers {sorted(links)}")
        return
    for name in ("Google", "Outlook.com", "Microsoft 365", "Yahoo"):
        if name not in links:
            fail(f"{item['url']}: no {name} link")
    q = {k: v[0] for k, v in urllib.parse.parse_qs(urllib.parse.urlsplit(links.get("Google", "")).query).items()}
    if q.get("text") != title:
        fail(f"{item['url']}: Google title {q.get('text')!r} != {title!r}")
    if "dates" in q:
        a, b = q["dates"].split("/")
        if all_day:
            got = (f"{a[:4]}-{a[4:6]}-{a[6:8]}", f"{b[:4]}-{b[4:6]}-{b[6:8]}")
        else:
            zone = ZoneInfo(q.get("ctz", "UTC"))
            parse = lambda s: datetime.datetime.strptime(s, "%Y%m%dT%H%M%S").replace(tzinfo=zone).astimezone(datetime.timezone.utc)
            got = (parse(a), parse(b))
        # A series' Google link is its first occurrence plus the rule (recur=); others the shown one.
        if "recur" not in q and got != (start, end):
            fail(f"{item['url']}: Google dates {got} != {(start, end)}")
    for name, host in (("Outlook.com", "outlook.live.com"), ("Microsoft 365", "outlook.office.com")):
        u = urllib.parse.urlsplit(links.get(name, ""))
        q = {k: v[0] for k, v in urllib.parse.parse_qs(u.query).items()}
        if u.netloc != host:
            fail(f"{item['url']}: {name} link goes to {u.netloc}")
        want = (start, end)
        got = (q.get("startdt"), q.get("enddt")) if all_day else (utc(q["startdt"]), utc(q["enddt"])) if "startdt" in q else None
        if got != want or (all_day and q.get("allday") != "true"):
            fail(f"{item['url']}: {name} {got} != {want}")
        if q.get("subject") != title or q.get("location", "") != location:
            fail(f"{item['url']}: {name} subject/location {q.get('subject')!r}/{q.get('location')!r}")
    q = {k: v[0] for k, v in urllib.parse.parse_qs(urllib.parse.urlsplit(links.get("Yahoo", "")).query).items()}
    if all_day and datetime.date.fromisoformat(end) - datetime.date.fromisoformat(start) == datetime.timedelta(days=1):
        ok = q.get("st") == start.replace("-", "") and q.get("dur") == "allday"
    elif all_day:  # several days: their span in UTC (Yahoo's all-day takes one day)
        zone = ZoneInfo(ev["_event"]["timezone"])
        span = [datetime.datetime.fromisoformat(d).replace(tzinfo=zone).astimezone(datetime.timezone.utc)
                for d in (start, end)]
        ok = q.get("st") == span[0].strftime("%Y%m%dT%H%M%SZ") and q.get("et") == span[1].strftime("%Y%m%dT%H%M%SZ")
    else:
        ok = q.get("st") == start.strftime("%Y%m%dT%H%M%SZ") and q.get("et") == end.strftime("%Y%m%dT%H%M%SZ")
    if not ok or q.get("title") != title or q.get("in_loc", "") != location:
        fail(f"{item['url']}: Yahoo {q} does not match {start}..{end} {title!r} {location!r}")


def main():
    out = sys.argv[1]
    failures, checked = [], 0
    fail = failures.append
    pages = ["index.html"] + [os.path.join(d, "index.html") for d in sorted(os.listdir(out))
                              if os.path.isfile(os.path.join(out, d, "index.html"))]
    for page in pages:
        feed_path = os.path.join(out, os.path.dirname(page), "feed.json")
        with open(feed_path, encoding="utf-8") as f:
            by_url = {i["url"]: i for i in json.load(f)["items"]}
        parser = Items()
        with open(os.path.join(out, page), encoding="utf-8") as f:
            parser.feed(f.read())
        if not parser.items:
            fail(f"{page}: no events listed")
        for item in parser.items:
            if item.get("url") in by_url:
                check_event(item, by_url[item["url"]], fail)
                checked += 1
    for f in failures:
        print("FAIL: " + f)
    print(f"{checked} events' add-to-calendar links checked on {len(pages)} pages, {len(failures)} failures")
    return 1 if failures or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
