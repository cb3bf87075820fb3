#pragma once
// The site configuration (YAML) and the feeds it publishes.
#include <map>
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

struct SiteConfig {
  std::string title = "Events";
  std::string description = "Upcoming and past events";
  std::string base_url = "http://localhost:8080/";  // always ends with '/'
  std::string language = "en";
  std::string timezone = "Asia/Shanghai";
  Seconds default_duration{2 * 3600};
  size_t items_limit = 100;
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
};

// Reads the YAML config. Unknown keys warn; bad values are errors (exit status 2).
bool load_site_config(const std::string& path, SiteConfig& config, Diagnostics& diags);
// Validates what flags may have changed (zone, base URL); normalizes base_url.
bool validate_site_config(SiteConfig& config, const std::string& origin, Diagnostics& diags);

}  // namespace evfeed
