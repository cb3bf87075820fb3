#pragma once
// The site configuration (YAML) and the feeds it publishes.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "evfeed/diagnostic.hpp"
#include "evfeed/time.hpp"

namespace evfeed {

// One extra feed set (calendar, RSS, Atom, JSON) selected by topic, tag or location.
struct FeedSpec {
  std::string slug;
  std::string title;
  std::vector<std::string> topics;     // equal, case-insensitive
  std::vector<std::string> tags;       // equal, case-insensitive
  std::vector<std::string> locations;  // substring, case-insensitive
  std::string dir() const { return "topics/" + slug; }
};

struct SiteProfile;

struct SiteConfig {
  std::string title = "Events";
  std::string description = "Upcoming and past events";
  // Where the feeds are published (calendar.ics, rss.xml... sit right under it); with
  // --site, page links come from the site's own rules instead.
  std::string base_url = "http://localhost:8080/";  // always ends with '/'
  bool base_url_given = false;                      // by a flag or a config: `build` refuses the localhost default
  std::string uid_domain;                           // the host in UIDs ("" = base_url's); --site: the site's host
  std::string language = "en";
  std::string timezone = "Asia/Shanghai";
  Seconds default_duration{2 * 3600};
  size_t items_limit = 100;
  // index.html lists at most this many upcoming and past events (the calendars have all).
  size_t index_upcoming = 80;
  size_t index_past = 50;
  std::string author = "";
  // iCalendar
  Seconds refresh_interval{6 * 3600};
  Seconds alarm_before{86400};
  int window_past_days = 0;  // calendar.ics keeps events that ended within this many days; 0 = all
  // HTTP
  std::string cache_control = "public, max-age=300";
  // canonical field name -> front-matter key (dotted path allowed), e.g. start: eventdate
  std::map<std::string, std::string> fields;
  std::vector<FeedSpec> feeds;
  // publishing (flags)
  bool include_drafts = false;
  bool include_future = false;
  bool include_expired = false;
  bool follow_symlinks = false;  // --follow-symlinks: publish pages linked from outside the content
  // --site: the Hugo or Jekyll site the pages belong to (links, publishing, languages).
  std::shared_ptr<const SiteProfile> profile;
};

// Reads the YAML config. Unknown keys warn; bad values are errors (exit status 2).
bool load_site_config(const std::string& path, SiteConfig& config, Diagnostics& diags);
// The same from YAML (or JSON) text; `origin` names it in diagnostics.
bool load_site_config_text(const std::string& text, const std::string& origin, SiteConfig& config, Diagnostics& diags);
// Validates what flags may have changed (zone, base URL); normalizes base_url.
bool validate_site_config(SiteConfig& config, const std::string& origin, Diagnostics& diags);

}  // namespace evfeed
