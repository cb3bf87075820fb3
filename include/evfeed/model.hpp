#pragma once
// Stage 3: page + front matter -> Event (schema and time zones resolved), and the
// site-wide pass that gives events unique slugs, groups translations and applies
// Hugo's publishing rules.
#include <string>
#include <vector>

#include "evfeed/event.hpp"
#include "evfeed/front_matter.hpp"
#include "evfeed/page.hpp"
#include "evfeed/site.hpp"

namespace evfeed {

// Language of a page from its path: a folder named like a language ("en", "zh",
// "english") or a file suffix ("index.es.md"); "" when the path names none.
std::string language_from_path(const std::string& rel_path);
// The path without language folder/suffix, extension or trailing "/index".
std::string identity_from_path(const std::string& rel_path);

// How build_event decides an event's zone and its end: the first row that applies wins.
// `check --verbose` prints both tables and, for each event, the row that decided.
struct PrecedenceRow {
  const char* source;  // as in Event::zone_source / end_source
  const char* rule;
};
const std::vector<PrecedenceRow>& zone_precedence();
const std::vector<PrecedenceRow>& end_precedence();

// --site, before a page is parsed: false when it is surely no event (a page of another
// section whose text names no event `type`/`layout` and to which no cascade hands one down):
// it is then not parsed and gets no word. Always true outside --site and in event sections.
bool may_be_event(const SourceFile& file, std::string_view text, const SiteConfig& site);

// Builds one event; false (with errors in diags) when the page cannot be an event, or false
// without a word when it is no event page (--site: a page of another section without an
// event `type`, see is_event_page).
bool build_event(const Page& page, const Value& front_matter, const SiteConfig& site, Event& out, Diagnostics& diags);

struct EventModel {
  std::vector<Event> pages;            // every published page, all languages, sorted by identity+lang
  std::vector<Event> events;           // one per identity, in the site's language where it exists
  std::vector<std::string> languages;  // languages seen, sorted
  SysSeconds updated{};                // newest page change: feeds' lastBuildDate
};

// "draft", "future" or "expired" when the publishing rules (Hugo's, or the site generator's
// under --site) keep this event out at `now`; "" when it is published.
std::string unpublished_reason(const Event& e, const SiteConfig& site, SysSeconds now);

// Applies drafts / publishDate / expiryDate against `now`, assigns unique slugs and
// languages, sorts events by start (newest first).
// With `diags`: a warning for pages that share an identity (published apart, never merged)
// or a link, and (--site) for events the feeds carry whose page the site does not publish.
EventModel assemble_model(std::vector<Event> built, const SiteConfig& site, SysSeconds now,
                          Diagnostics* diags = nullptr);

// Does the event belong in this feed?
bool feed_matches(const FeedSpec& feed, const Event& e);

}  // namespace evfeed
