// RSS 2.0, Atom 1.0 and JSON Feed 1.1. XML goes through tinyxml2, which writes control
// characters, invalid UTF-8 and "]]>" in CDATA as they are: every string is cleaned
// first and no CDATA is used (HTML content is escaped text instead).
#include <tinyxml2.h>

#include "evfeed/markdown.hpp"
#include "evfeed/recurrence.hpp"
#include "evfeed/render.hpp"
#include "evfeed/text.hpp"
#include "evfeed/ui_text.hpp"
#include "evfeed/version.hpp"

namespace evfeed {

namespace {

std::string clean(std::string_view s) { return clean_utf8(s); }

tinyxml2::XMLElement* add(tinyxml2::XMLNode* parent, const char* name, const std::string& text = {}) {
  auto* el = parent->GetDocument()->NewElement(name);
  if (!text.empty()) el->SetText(clean(text).c_str());
  parent->InsertEndChild(el);
  return el;
}

std::string print(tinyxml2::XMLDocument& doc) {
  tinyxml2::XMLPrinter printer(nullptr, false);
  doc.Print(&printer);
  return std::string(printer.CStr(), static_cast<size_t>(printer.CStrSize() - 1));
}

std::string image_type(const std::string& url) {
  std::string l = to_lower_ascii(url.substr(0, url.find_first_of("?#")));
  if (ends_with(l, ".png")) return "image/png";
  if (ends_with(l, ".gif")) return "image/gif";
  if (ends_with(l, ".webp")) return "image/webp";
  if (ends_with(l, ".svg")) return "image/svg+xml";
  return "image/jpeg";
}

// tag: URI (RFC 4151) from the host and the event identity: independent of http/https
// and of anything an edit changes.
std::string atom_id(const Event& e, const SiteConfig& site) {
  std::string path;
  for (const auto& seg : split(e.identity, '/')) path += (path.empty() ? "" : "/") + url_encode(seg);
  return "tag:" + url_host(site.base_url) + ",2019:" + path;
}

// One occurrence of the event (its own start and end, a session's, or a series' one), in the
// event's language.
std::string when_text(const Event& e, SysSeconds start, SysSeconds end) {
  return format_event_time(e, start, end, e.lang, DateStyle::full);
}

// "<strong>When:</strong> " in the event's language; a heading (nothing follows) without the space.
std::string label_html(const char* label, const Event& e, bool value_follows = true) {
  std::string l = label_before(label, e.lang);
  bool space = l.back() == ' ';
  return "<strong>" + html_escape(space ? l.substr(0, l.size() - 1) : l) + "</strong>" +
         (space && value_follows ? " " : "");
}

// "When:" of a single event; "Next:" and "Repeats:" of a series; the list of sessions.
std::string when_html(const Event& e) {
  const EventLabels& w = event_labels(e.lang);
  if (!e.sessions().empty()) {
    std::string h = "<p>" + label_html(w.when, e, false) + "</p><ul>";
    for (const auto& x : e.sessions()) {
      h += "<li>" + html_escape(when_text(e, x.start, x.end));
      if (!x.title.empty()) h += ": " + html_escape(x.title);
      if (!x.location.empty()) h += " (" + html_escape(x.location) + ")";
      h += "</li>";
    }
    return h + "</ul>";
  }
  if (!e.recurs()) return "<p>" + label_html(w.when, e) + html_escape(when_text(e, e.start, e.end)) + "</p>";
  Occurrence next = e.shown() ? *e.shown() : occurrence_at(e, e.all_day ? LocalSeconds{e.start_day} : e.local_start());
  std::string h = "<p>" + label_html(w.next, e) + html_escape(when_text(e, next.start, next.end));
  if (next.changed && next.title != e.title) h += ": " + html_escape(next.title);
  if (next.location != e.location && !next.location.empty()) h += " (" + html_escape(next.location) + ")";
  if (next.cancelled) h += " (" + html_escape(w.cancelled_occurrence) + ")";
  return h + "</p><p>" + label_html(w.repeats, e) + html_escape(describe_series(e, e.lang)) + "</p>";
}

}  // namespace

std::string google_calendar_link(const Event& e) {
  // The whole series when Google's template can carry it (a rule alone: it takes no EXDATE,
  // RDATE or changed occurrence); else the occurrence shown, as the other links do.
  const Series& series = e.series();
  bool whole_rule = series.rule && series.rdates.empty() && series.exdates.empty() && series.changes.empty();
  const Occurrence* shown = e.shown() && !whole_rule ? &*e.shown() : nullptr;
  SysSeconds start = shown ? shown->start : e.start, end = shown ? shown->end : e.end;
  const std::string& title = shown && !shown->title.empty() ? shown->title : e.title;
  const std::string& place = shown && !shown->location.empty() ? shown->location : e.location;
  std::string dates;
  if (e.all_day)
    dates = format_date_basic(date::floor<date::days>(to_local(e.zone, start))) + "/" +
            format_date_basic(date::floor<date::days>(to_local(e.zone, end)));
  else
    dates = format_local_basic(to_local(e.zone, start)) + "/" + format_local_basic(to_local(e.zone, end));
  std::string link = "https://calendar.google.com/calendar/render?action=TEMPLATE&text=" + url_encode(title) +
                     "&dates=" + dates + "&ctz=" + url_encode(e.zone_name());
  if (whole_rule) link += "&recur=" + url_encode("RRULE:" + rrule_value(*series.rule, e));
  if (!place.empty()) link += "&location=" + url_encode(place);
  link += "&details=" + url_encode(e.url);
  return link;
}

AddToCalendarLinks add_to_calendar_links(const Event& e) {
  // The occurrence shown (the next one of a series or the shown session), in UTC; all-day:
  // dates, the end exclusive for Outlook as in iCalendar.
  SysSeconds start = e.shown() ? e.shown()->start : e.start, end = e.shown() ? e.shown()->end : e.end;
  // A series' or sessions' shown occurrence comes with its own title and place.
  const std::string& what = e.shown() && !e.shown()->title.empty() ? e.shown()->title : e.title;
  const std::string& place = e.shown() && !e.shown()->location.empty() ? e.shown()->location : e.location;
  auto day = [&](SysSeconds t) { return date::floor<date::days>(to_local(e.zone, t)); };
  // No description: the page links to the event, and index.html lists up to 150 events
  // with five links each (it stays under 300 KB at 10,000 events).
  std::string title = url_encode(what), where = url_encode(place);
  AddToCalendarLinks l;
  l.google = google_calendar_link(e);
  std::string outlook = "/calendar/0/action/compose?rru=addevent&subject=" + title;
  if (e.all_day)
    outlook += "&allday=true&startdt=" + date::format("%F", day(start)) + "&enddt=" + date::format("%F", day(end));
  else
    outlook += "&startdt=" + date::format("%FT%TZ", start) + "&enddt=" + date::format("%FT%TZ", end);
  outlook += "&location=" + where;
  l.outlook_com = "https://outlook.live.com" + outlook;
  l.office365 = "https://outlook.office.com" + outlook;
  l.yahoo = "https://calendar.yahoo.com/?v=60&title=" + title;
  if (e.all_day && day(end) - day(start) == date::days{1})  // one whole day
    l.yahoo += "&st=" + format_date_basic(day(start)) + "&dur=allday";
  else  // Yahoo's all-day takes a single day: several whole days go as their span in UTC
    l.yahoo += "&st=" + format_utc_basic(start) + "&et=" + format_utc_basic(end);
  l.yahoo += "&in_loc=" + where;
  return l;
}

std::string event_content_html(const Event& e, const SiteConfig& site) {
  const EventLabels& w = event_labels(e.lang);
  std::string h = "<div class=\"event\">";
  h += when_html(e);
  if (e.status != EventStatus::confirmed)
    h += "<p>" + label_html(w.status, e) +
         html_escape(e.status == EventStatus::cancelled ? ui_text(e.lang).cancelled : w.tentative) + "</p>";
  if (!e.location.empty()) h += "<p>" + label_html(w.where, e) + html_escape(e.location) + "</p>";
  if (!e.fee.empty()) h += "<p>" + label_html(w.fee, e) + html_escape(e.fee) + "</p>";
  if (!e.speakers.empty()) {
    h += "<p>" + label_html(w.speakers, e, false) + "</p><ul>";
    for (const auto& s : e.speakers)
      h += "<li>" + html_escape(s.name) + (s.designation.empty() ? "" : ", " + html_escape(s.designation)) + "</li>";
    h += "</ul>";
  }
  if (!e.sponsor.empty()) h += "<div>" + label_html(w.sponsor, e) + markdown_to_html(e.sponsor, e.url) + "</div>";
  h += "<p>";
  if (!e.signup_url.empty())
    h += "<a href=\"" + html_escape(e.signup_url) + "\">" + html_escape(ui_text(e.lang).sign_up) + "</a> · ";
  h += "<a href=\"" + html_escape(site.base_url + "events/" + e.slug + ".ics") + "\">" + html_escape(w.add_ics) +
       "</a> · ";
  h += "<a href=\"" + html_escape(google_calendar_link(e)) + "\">" + html_escape(w.add_google) + "</a></p></div>";
  h += e.summary_html;
  h += markdown_to_html(e.body_markdown, e.url);
  return h;
}

namespace {
std::string content_of(const Event& e, const SiteConfig& site, const RenderCache* cache) {
  const RenderedEvent* r = cache ? cache->find(&e) : nullptr;
  return r && r->has_html ? r->content_html : event_content_html(e, site);
}
}  // namespace

std::string render_rss(const std::vector<const Event*>& events, const SiteConfig& site, const FeedInfo& feed,
                       const RenderCache* cache) {
  tinyxml2::XMLDocument doc;
  doc.InsertEndChild(doc.NewDeclaration());
  auto* rss = doc.NewElement("rss");
  rss->SetAttribute("version", "2.0");
  rss->SetAttribute("xmlns:atom", "http://www.w3.org/2005/Atom");
  rss->SetAttribute("xmlns:media", "http://search.yahoo.com/mrss/");
  doc.InsertEndChild(rss);
  auto* ch = add(rss, "channel");
  add(ch, "title", feed.title);
  add(ch, "link", site.base_url);
  add(ch, "description", feed.description.empty() ? feed.title : feed.description);
  add(ch, "language", feed.language);
  add(ch, "generator", "evfeed " EVFEED_VERSION);
  const date::time_zone* site_zone = find_zone(site.timezone);
  if (feed.updated != SysSeconds{})
    add(ch, "lastBuildDate", format_rfc822(feed.updated, offset_at(site_zone, feed.updated)));
  auto* self = add(ch, "atom:link");
  self->SetAttribute("href", clean(site.base_url + feed.dir + "rss.xml").c_str());
  self->SetAttribute("rel", "self");
  self->SetAttribute("type", "application/rss+xml");
  for (const Event* e : events) {
    auto* item = add(ch, "item");
    add(item, "title", e->title);
    add(item, "link", e->url);
    auto* guid = add(item, "guid", event_uid(*e, site));
    guid->SetAttribute("isPermaLink", "false");
    add(item, "pubDate", format_rfc822(e->start, e->start_offset()));
    add(item, "description", content_of(*e, site, cache));
    for (const auto& t : e->topics) add(item, "category", t);
    for (const auto& t : e->tags) add(item, "category", t);
    if (!e->image.empty()) {
      auto* media = add(item, "media:content");
      media->SetAttribute("url", e->image.c_str());
      media->SetAttribute("medium", "image");
      media->SetAttribute("type", image_type(e->image).c_str());
    }
  }
  return print(doc);
}

std::string render_atom(const std::vector<const Event*>& events, const SiteConfig& site, const FeedInfo& feed,
                        const RenderCache* cache) {
  tinyxml2::XMLDocument doc;
  doc.InsertEndChild(doc.NewDeclaration());
  auto* root = doc.NewElement("feed");
  root->SetAttribute("xmlns", "http://www.w3.org/2005/Atom");
  root->SetAttribute("xml:lang", clean(feed.language).c_str());
  doc.InsertEndChild(root);
  add(root, "title", feed.title);
  if (!feed.description.empty()) add(root, "subtitle", feed.description);
  add(root, "id", "tag:" + url_host(site.base_url) + ",2019:" + (feed.dir.empty() ? "feed" : feed.dir + "feed"));
  add(root, "updated", format_rfc3339(feed.updated, Seconds{0}));
  auto* self = add(root, "link");
  self->SetAttribute("rel", "self");
  self->SetAttribute("type", "application/atom+xml");
  self->SetAttribute("href", clean(site.base_url + feed.dir + "atom.xml").c_str());
  auto* alt = add(root, "link");
  alt->SetAttribute("rel", "alternate");
  alt->SetAttribute("type", "text/html");
  alt->SetAttribute("href", clean(site.base_url).c_str());
  auto* author = add(root, "author");
  add(author, "name", site.author.empty() ? site.title : site.author);
  add(root, "generator", "evfeed");
  for (const Event* e : events) {
    auto* entry = add(root, "entry");
    add(entry, "title", e->title);
    add(entry, "id", atom_id(*e, site));
    add(entry, "updated", format_rfc3339(e->updated, offset_at(e->zone, e->updated)));
    auto* link = add(entry, "link");
    link->SetAttribute("rel", "alternate");
    link->SetAttribute("type", "text/html");
    link->SetAttribute("href", e->url.c_str());
    if (!e->summary.empty()) add(entry, "summary", e->summary);
    auto* content = add(entry, "content", content_of(*e, site, cache));
    content->SetAttribute("type", "html");
    for (const auto& t : e->topics) add(entry, "category")->SetAttribute("term", t.c_str());
    for (const auto& t : e->tags) add(entry, "category")->SetAttribute("term", t.c_str());
    if (!e->image.empty()) {
      auto* enc = add(entry, "link");
      enc->SetAttribute("rel", "enclosure");
      enc->SetAttribute("type", image_type(e->image).c_str());
      enc->SetAttribute("href", e->image.c_str());
    }
  }
  return print(doc);
}

std::string render_json_feed(const std::vector<const Event*>& events, const SiteConfig& site, const FeedInfo& feed,
                             const RenderCache* cache) {
  auto str = [](const std::string& s) { return "\"" + json_escape(clean(s)) + "\""; };
  std::string j = "{\n  \"version\": \"https://jsonfeed.org/version/1.1\",\n";
  j += "  \"title\": " + str(feed.title) + ",\n";
  j += "  \"home_page_url\": " + str(site.base_url) + ",\n";
  j += "  \"feed_url\": " + str(site.base_url + feed.dir + "feed.json") + ",\n";
  if (!feed.description.empty()) j += "  \"description\": " + str(feed.description) + ",\n";
  j += "  \"language\": " + str(feed.language) + ",\n";
  j += "  \"authors\": [{\"name\": " + str(site.author.empty() ? site.title : site.author) + "}],\n";
  j += "  \"items\": [";
  bool first = true;
  for (const Event* e : events) {
    j += first ? "\n" : ",\n";
    first = false;
    j += "    {\n      \"id\": " + str(event_uid(*e, site)) + ",\n";
    j += "      \"url\": " + str(e->url) + ",\n";
    j += "      \"title\": " + str(e->title) + ",\n";
    j += "      \"content_html\": " + str(content_of(*e, site, cache)) + ",\n";
    if (!e->summary.empty()) j += "      \"summary\": " + str(e->summary) + ",\n";
    if (!e->image.empty()) j += "      \"image\": " + str(e->image) + ",\n";
    j += "      \"date_published\": " + str(format_rfc3339(e->start, e->start_offset())) + ",\n";
    j += "      \"date_modified\": " + str(format_rfc3339(e->updated, offset_at(e->zone, e->updated))) + ",\n";
    std::vector<std::string> tags = e->topics;
    tags.insert(tags.end(), e->tags.begin(), e->tags.end());
    if (!tags.empty()) {
      j += "      \"tags\": [";
      for (size_t i = 0; i < tags.size(); ++i) j += (i ? ", " : "") + str(tags[i]);
      j += "],\n";
    }
    j += "      \"language\": " + str(e->lang) + ",\n";
    j += "      \"_event\": {\"start\": " + str(format_rfc3339(e->start, e->start_offset())) +
         ", \"end\": " + str(format_rfc3339(e->end, offset_at(e->zone, e->end))) +
         ", \"timezone\": " + str(e->zone_name()) + ", \"all_day\": " + (e->all_day ? "true" : "false") +
         ", \"location\": " + str(e->location) + ", \"status\": " + str(to_lower_ascii(status_name(e->status))) +
         ", \"ics\": " + str(site.base_url + "events/" + e->slug + ".ics");
    if (e->series().rule) j += ", \"rrule\": " + str(rrule_value(*e->series().rule, *e));
    if (e->recurs()) j += ", \"repeats\": " + str(describe_series(*e, e->lang));
    if (e->shown())
      j += ", \"next\": {\"start\": " + str(format_rfc3339(e->shown()->start, offset_at(e->zone, e->shown()->start))) +
           ", \"end\": " + str(format_rfc3339(e->shown()->end, offset_at(e->zone, e->shown()->end))) +
           ", \"title\": " + str(e->shown()->title) + ", \"location\": " + str(e->shown()->location) + "}";
    j += "}\n    }";
  }
  j += events.empty() ? "]\n}\n" : "\n  ]\n}\n";
  return j;
}

}  // namespace evfeed
