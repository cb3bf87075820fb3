// index.html, the page people open to subscribe: one self-contained file (inline CSS and
// JS, no external assets) in the page's language, with a QR code per calendar for phones,
// the upcoming events (soonest first) and the most recent past ones, each with its time in
// its own zone (and, by a few lines of JS, in the visitor's), and add-to-calendar links.
// Upcoming/past is decided at the build; the script moves an event that ends while the
// page is open, and without JavaScript the page is complete.
#include <qrencode.h>

#include <algorithm>
#include <map>

#include "evfeed/index_assets.hpp"
#include "evfeed/recurrence.hpp"
#include "evfeed/render.hpp"
#include "evfeed/text.hpp"
#include "evfeed/ui_text.hpp"

namespace evfeed {

namespace {

// index.html stays under this size (the script and the end of the page come after).
constexpr size_t max_index_bytes = 290 * 1024;

// Links to the site's own files are relative (the page also works opened from disk);
// subscribe links must be absolute, since calendar apps fetch them from elsewhere.
struct CalendarLinks {
  std::string name, https, webcal, google, outlook, ics, rss, atom, json;
};

CalendarLinks links_for(const SiteConfig& site, const std::string& dir, const std::string& up,
                        const std::string& name) {
  CalendarLinks l;
  l.name = name;
  l.https = site.base_url + dir + "calendar.ics";
  std::string no_scheme = l.https.substr(l.https.find("://") + 3);
  l.webcal = "webcal://" + no_scheme;
  l.google = "https://calendar.google.com/calendar/r?cid=" + url_encode(l.webcal);
  l.outlook = "https://outlook.live.com/calendar/0/addfromweb?url=" + url_encode(l.https) + "&name=" + url_encode(name);
  l.ics = up + dir + "calendar.ics";
  l.rss = up + dir + "rss.xml";
  l.atom = up + dir + "atom.xml";
  l.json = up + dir + "feed.json";
  return l;
}

// The QR code of `text` as SVG: one path of dark modules, a 4-module quiet zone. Empty
// when libqrencode cannot encode it (a URL over ~2 KB).
std::string qr_svg(const std::string& text, const std::string& label) {
  QRcode* code = QRcode_encodeString(text.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  if (!code) return "";
  int n = code->width, size = n + 8;
  std::string path;
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n;) {
      if (!(code->data[y * n + x] & 1)) {
        ++x;
        continue;
      }
      int run = 1;
      while (x + run < n && (code->data[y * n + x + run] & 1)) ++run;
      path += "M" + std::to_string(x + 4) + " " + std::to_string(y + 4) + "h" + std::to_string(run) + "v1h-" +
              std::to_string(run) + "z";
      x += run;
    }
  QRcode_free(code);
  return "<svg class=\"qr\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + std::to_string(size) + " " +
         std::to_string(size) + "\" role=\"img\" aria-label=\"" + html_escape(label) + "\"><rect width=\"" +
         std::to_string(size) + "\" height=\"" + std::to_string(size) + "\" fill=\"#fff\"/><path d=\"" + path +
         "\" fill=\"#000\"/></svg>";
}

std::string subscribe_block(const CalendarLinks& l, int index, const UiText& t) {
  auto a = [](const std::string& href, const std::string& cls, const std::string& text) {
    return "<a class=\"btn " + cls + "\" href=\"" + html_escape(href) + "\">" + html_escape(text) + "</a>";
  };
  std::string id = "ics-" + std::to_string(index);
  std::string h = "<section class=\"sub\"><h3>" + html_escape(l.name) + "</h3><div class=\"btns\">";
  // The webcal URL is another scheme's absolute URL, not a path of this site: its final
  // dot is written as &#46; so crawlers that scrape href="*.ics" as site paths skip it.
  std::string webcal = html_escape(l.webcal);
  webcal.replace(webcal.rfind('.'), 1, "&#46;");
  h += "<a class=\"btn webcal\" href=\"" + webcal + "\">Apple / webcal</a>";
  h += a(l.google, "google", "Google Calendar");
  h += a(l.outlook, "outlook", "Outlook");
  h += a(l.ics, "ics", t.download_ics);
  h += a(l.rss, "rss", "RSS");
  h += a(l.atom, "atom", "Atom");
  h += a(l.json, "json", "JSON Feed");
  h += "</div><div class=\"copy\"><input id=\"" + id + "\" readonly value=\"" + html_escape(l.https) +
       "\" aria-label=\"" + html_escape(std::string(t.calendar_url) + ": " + l.name) +
       "\"><button type=\"button\" data-copy=\"" + id + "\" aria-label=\"" +
       html_escape(std::string(t.copy) + ": " + l.name) + "\">" + html_escape(t.copy) + "</button></div>";
  // A phone's camera opens webcal:// in its calendar app, which subscribes (shown on wide
  // screens only: on the phone itself the buttons do it).
  h += "<figure class=\"qrbox\">" + qr_svg(l.webcal, std::string(t.scan_to_subscribe) + ": " + l.webcal) +
       "<figcaption>" + html_escape(t.scan_to_subscribe) + "</figcaption></figure></section>";
  return h;
}

// One event of the list: title, time in its zone (the visitor's is added by the script),
// place, and the links to add it to a calendar.
std::string event_item(const Event& e, const UiText& t, const std::string& lang, const std::string& up) {
  // A series or multi-session event shows the occurrence assemble_model chose (the next one).
  SysSeconds start = e.shown() ? e.shown()->start : e.start, end = e.shown() ? e.shown()->end : e.end;
  std::string when = format_event_time(e, start, end, lang, DateStyle::compact);
  std::string h = "<li class=\"ev" + std::string(e.status == EventStatus::cancelled ? " cancelled" : "") +
                  "\" data-end=\"" +
                  std::to_string(std::min(last_end(e), SysSeconds{Seconds{253402300799}})
                                     .time_since_epoch()
                                     .count()) +  // 9999-12-31: open-ended
                  "\">";                          // the title is in the event's language, the rest in the page's
  h += "<h3 lang=\"" + html_escape(e.lang) + "\"><a href=\"" + html_escape(e.url) + "\">" + html_escape(e.title) +
       "</a></h3>";
  h += "<p class=\"when\"><time datetime=\"" + format_rfc3339(start, offset_at(e.zone, start)) + "\" data-zone=\"" +
       html_escape(e.zone_name()) + "\" data-end=\"" + format_rfc3339(end, offset_at(e.zone, end)) + "\"" +
       (e.all_day ? " data-all-day=\"1\"" : "") + ">" + html_escape(when) + "</time>";
  if (e.status == EventStatus::cancelled) h += " · <strong>" + html_escape(t.cancelled) + "</strong>";
  h += "</p>";
  if (e.recurs()) h += "<p class=\"repeats\">" + html_escape(describe_series(e, lang)) + "</p>";
  for (const auto& s : e.sessions())
    h += "<p class=\"session\">" +
         html_escape(format_range(to_local(e.zone, s.start), to_local(e.zone, s.end), e.all_day, lang)) +
         (s.title.empty() ? "" : " · " + html_escape(s.title)) + "</p>";
  const std::string& place = e.shown() && !e.shown()->location.empty() ? e.shown()->location : e.location;
  if (!place.empty()) h += "<p class=\"where\">" + html_escape(place) + "</p>";
  if (e.status == EventStatus::cancelled) return h + "</li>\n";  // nothing to add or sign up for
  AddToCalendarLinks add = add_to_calendar_links(e);
  h += "<p class=\"links\"><span class=\"sr\">" + html_escape(std::string(t.add_to_calendar) + ": ") +
       "</span><a href=\"" + html_escape(up + "events/" + e.slug + ".ics") + "\">.ics</a>";
  for (const auto& [name, href] : {std::pair<const char*, const std::string&>{"Google", add.google},
                                   {"Outlook.com", add.outlook_com},
                                   {"Microsoft 365", add.office365},
                                   {"Yahoo", add.yahoo}})
    h += "<a class=\"add\" data-cal=\"" + std::string(name) + "\" href=\"" + html_escape(href) + "\">" + name + "</a>";
  if (!e.signup_url.empty()) h += "<a href=\"" + html_escape(e.signup_url) + "\">" + html_escape(t.sign_up) + "</a>";
  return h + "</p></li>\n";
}

std::string replace_underscores(std::string s) {  // "zh_CN" -> "zh-CN": Intl takes BCP 47 tags
  for (char& c : s)
    if (c == '_') c = '-';
  return s;
}

// A JSON string that is also safe inside <script>.
std::string json_quote(std::string_view s) {
  std::string out = "\"";
  for (char c : json_escape(clean_utf8(s))) out += c == '<' ? std::string("\\u003c") : std::string(1, c);
  return out + "\"";
}

const char* language_name(const std::string& lang) {
  static const std::map<std::string, const char*> names = {{"en", "English"},           {"zh", "中文"},
                                                           {"zh-CN", "中文"},           {"zh-Hans", "中文"},
                                                           {"zh-Hant", "中文（繁體）"}, {"zh-TW", "中文（繁體）"},
                                                           {"es", "Español"},           {"fr", "Français"},
                                                           {"de", "Deutsch"},           {"ja", "日本語"},
                                                           {"pt", "Português"},         {"pt-BR", "Português"},
                                                           {"it", "Italiano"},          {"ko", "한국어"},
                                                           {"ru", "Русский"},           {"nl", "Nederlands"}};
  auto it = names.find(lang);
  return it == names.end() ? nullptr : it->second;
}

std::string page_style() { return "<style>\n" + std::string(index_css) + "</style>\n"; }

// Moves events that end while the page is open; adds the visitor's own time where it
// differs from the event's; copy buttons report to a live region.
std::string page_script(const UiText& t, const std::string& lang) {
  return "<script>\n(function(){\n  var lang = " + json_quote(replace_underscores(lang)) +
         ", yours = " + json_quote(t.your_time) + ", copied = " + json_quote(t.copied) +
         ", copy = " + json_quote(t.copy) + ";\n\n" + std::string(index_js) + "})();\n</script>\n";
}

// <head>: title, description, the language versions, every calendar's feeds, the stylesheet.
std::string page_head(const SiteConfig& site, const IndexPage& page, const std::string& lang, const std::string& title,
                      const std::vector<CalendarLinks>& cals) {
  std::string h = "<!DOCTYPE html>\n<html lang=\"" + html_escape(lang) + "\">\n<head>\n<meta charset=\"utf-8\">\n";
  h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  h += "<title>" + html_escape(title) + "</title>\n";
  h += "<meta name=\"description\" content=\"" + html_escape(clean_utf8(site.description)) + "\">\n";
  for (const auto& l : page.languages)
    h += "<link rel=\"alternate\" hreflang=\"" + html_escape(l) + "\" href=\"" + html_escape(site.base_url + l + "/") +
         "\">\n";
  if (!page.languages.empty())
    h += "<link rel=\"alternate\" hreflang=\"x-default\" href=\"" + html_escape(site.base_url) + "\">\n";
  for (const auto& c : cals) {
    h += "<link rel=\"alternate\" type=\"application/rss+xml\" title=\"" + html_escape(c.name) + " (RSS)\" href=\"" +
         html_escape(c.rss) + "\">\n";
    h += "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"" + html_escape(c.name) + " (Atom)\" href=\"" +
         html_escape(c.atom) + "\">\n";
    h += "<link rel=\"alternate\" type=\"application/feed+json\" title=\"" + html_escape(c.name) + " (JSON)\" href=\"" +
         html_escape(c.json) + "\">\n";
  }
  h += "<link rel=\"alternate\" type=\"text/calendar\" title=\"" + html_escape(title) + "\" href=\"" +
       html_escape(cals[0].ics) + "\">\n";
  h += page_style();
  return h;
}

// The switcher between the language versions of the page (none for a single language).
std::string language_nav(const IndexPage& page, const UiText& t, const std::string& up) {
  if (page.languages.empty()) return "";
  std::string h = "<nav class=\"langs\" aria-label=\"" + html_escape(t.languages) + "\">";
  for (const auto& l : page.languages) {
    const char* name = language_name(l);
    std::string href = up + l + "/index.html";
    h +=
        l == page.lang && !page.dir.empty()
            ? "<span lang=\"" + html_escape(l) + "\" aria-current=\"page\">" + html_escape(name ? name : l) + "</span> "
            : "<a href=\"" + html_escape(href) + "\" hreflang=\"" + html_escape(l) + "\" lang=\"" + html_escape(l) +
                  "\">" + html_escape(name ? name : l) + "</a> ";
  }
  return h + "</nav>\n";
}

}  // namespace

std::string render_index_html(const std::vector<const Event*>& events, const SiteConfig& site, SysSeconds now,
                              const IndexPage& page) {
  std::string lang = page.lang.empty() ? site.language : page.lang;
  const UiText& t = ui_text(lang);
  std::string up = page.dir.empty() ? "" : "../";
  std::string title = clean_utf8(page.title.empty() ? site.title : page.title);
  std::vector<CalendarLinks> cals{links_for(site, page.dir, up, title)};
  if (!page.dir.empty()) cals.push_back(links_for(site, "", up, clean_utf8(site.title)));
  for (const auto& f : site.feeds) cals.push_back(links_for(site, f.dir() + "/", up, f.title));

  std::string h = page_head(site, page, lang, title, cals);
  h += "</head>\n<body>\n<a class=\"skip\" href=\"#upcoming\">" + html_escape(t.upcoming) + "</a>\n<main>\n<h1>" +
       html_escape(title) + "</h1>\n<p>" + html_escape(clean_utf8(site.description)) + "</p>\n";
  h += language_nav(page, t, up);
  h += "<h2 id=\"subscribe\">" + html_escape(t.subscribe) + "</h2>\n<div class=\"subs\">\n";
  for (size_t i = 0; i < cals.size(); ++i) h += subscribe_block(cals[i], static_cast<int>(i), t) + "\n";
  h += "</div>\n<p class=\"sr\" id=\"copy-status\" aria-live=\"polite\"></p>\n";

  // Upcoming (not over at the build), soonest first, then the most recent past ones.
  std::vector<const Event*> upcoming, past;
  for (const Event* e : events) (last_end(*e) >= now ? upcoming : past).push_back(e);
  std::reverse(upcoming.begin(), upcoming.end());  // `events` comes newest first
  bool more_upcoming = upcoming.size() > page.upcoming_limit, more_past = past.size() > page.past_limit;
  if (more_upcoming) upcoming.resize(page.upcoming_limit);
  if (more_past) past.resize(page.past_limit);
  // Long titles make long items: the lists also stop at a byte budget (the page stays light
  // on a phone); the calendars and feeds have every event.
  auto list = [&](const std::vector<const Event*>& items, size_t budget, bool& more) {
    for (size_t i = 0; i < items.size(); ++i) {
      if (h.size() > budget) {
        more = true;
        break;
      }
      h += event_item(*items[i], t, lang, up);
    }
  };
  auto more_link = [&](const char* text) {
    return "<p>" + html_escape(text) + " <a href=\"" + html_escape(cals[0].ics) + "\">.ics</a> · <a href=\"" +
           html_escape(cals[0].rss) + "\">RSS</a></p>\n";
  };
  h += "<h2 id=\"upcoming\">" + html_escape(t.upcoming) + "</h2>\n";
  if (upcoming.empty()) h += "<p>" + html_escape(t.no_upcoming) + "</p>\n";
  h += "<ol class=\"events\" id=\"upcoming-list\">\n";
  list(upcoming, max_index_bytes * 3 / 4, more_upcoming);
  h += "</ol>\n";
  if (more_upcoming) h += more_link(t.more_upcoming);
  h += "<h2 id=\"past\">" + html_escape(t.past) + "</h2>\n<ol class=\"events\" id=\"past-list\">\n";
  list(past, max_index_bytes - 8 * 1024, more_past);
  h += "</ol>\n";
  if (more_past) h += more_link(t.more_past);
  h += page_script(t, lang);
  h += "</main>\n</body>\n</html>\n";
  return h;
}

}  // namespace evfeed
