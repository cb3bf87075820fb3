#pragma once
// The whole flow, top to bottom:
//   content dirs --find/read/split--> Page --parse--> Value --build--> Event
//   --assemble--> EventModel --render--> Resources --publish--> files | snapshot.
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "evfeed/model.hpp"
#include "evfeed/render.hpp"
#include "evfeed/resources.hpp"

namespace evfeed {

class ParseCache;

struct LoadOptions {
  std::vector<std::string> content_dirs;
  unsigned threads = 0;               // 0 = all cores
  const ParseCache* cache = nullptr;  // reuse events of unchanged pages
  ParseCache* next_cache = nullptr;   // filled with this run's pages
};

struct LoadResult {
  std::vector<Event> built;  // every page that yielded an event (before publishing rules)
  size_t pages_seen = 0;
  Diagnostics diags;        // in file order, whatever the thread count
  size_t pages_reused = 0;  // taken from the parse cache
};

// The pages under the content dirs, sorted; with --site only those its generator treats as
// pages (generator_pages).
std::vector<SourceFile> find_site_pages(const std::vector<std::string>& content_dirs, const SiteConfig& site,
                                        Diagnostics& diags);

// Loads and models every page, in parallel; a broken page never stops the others.
LoadResult load_events(const LoadOptions& opts, const SiteConfig& site);

// SEQUENCE (RFC 5545 3.8.7.4). `serve` uses what the content declares (`sequence:`, else
// 0): every replica and every restart computes the same number from the same pages.
// `build` also keeps state: the number goes up whenever an event's time, location or
// status changes between builds, never below the declared one.
Sequences declared_sequences(const EventModel& model);
struct SequenceEntry {
  int sequence = 0;
  std::string fingerprint;
};
using SequenceState = std::map<std::string, SequenceEntry>;  // identity -> entry
std::string schedule_fingerprint(const Event& e);
SequenceState advance_sequences(const EventModel& model, const SequenceState& previous);
Sequences sequences_of(const SequenceState& state);
std::string serialize_sequences(const SequenceState& state);
SequenceState parse_sequences(const std::string& text);

// The date of a feed or calendar as a whole: the newest page change (lastmod, else the page's
// date) not after `now`; the earliest when all lie after it.
SysSeconds newest_update_before(const std::vector<const Event*>& events, SysSeconds now);
SysSeconds newest_update_of(const EventModel& model, SysSeconds now);

// Digest of everything the outputs depend on: when it equals the previous build's and
// every output is still there, a build has nothing to write.
std::string output_digest(const EventModel& model, const SiteConfig& site, const Sequences& seq, SysSeconds now);

// Every output of the site, sorted by path, with ETag and gzip.
std::vector<Resource> render_site(const EventModel& model, const SiteConfig& site, const Sequences& seq, SysSeconds now,
                                  Diagnostics& diags);

// What a long-running process (serve) carries from one build to the next.
struct RenderReuse {
  std::shared_ptr<RenderCache> events;                              // per-event texts by content
  std::map<std::string, std::shared_ptr<const Resource>> files;     // previous outputs
  std::map<std::string, std::vector<const RenderedEvent*>> inputs;  // output -> the texts it was made of
  bool defer_gzip = false;                          // leave gzip empty for changed outputs (compressed after the swap)
  std::shared_ptr<const RenderCache> texts;         // the last build's texts by event: filtered outputs
  std::pair<SysSeconds, SysSeconds> updated_cap{};  // feed dates of the last build (pages, events)
};

// render_site for a live server: events whose content did not change keep their texts,
// outputs made of exactly the same texts are not rendered again, and outputs whose bytes
// did not change are the previous objects (same ETag and gzip). Updates `reuse`.
std::map<std::string, std::shared_ptr<const Resource>> render_site_again(const EventModel& model,
                                                                         const SiteConfig& site, const Sequences& seq,
                                                                         SysSeconds now, Diagnostics& diags,
                                                                         RenderReuse& reuse);

// What `evfeed build` writes: every output handed to `sink` as soon as it is rendered (from
// several threads at once, in no particular order), with gzip where the build writes a .gz
// sibling (gzip_sibling_on_disk) and no ETag, so the whole site is never held in memory.
void render_site_to(const EventModel& model, const SiteConfig& site, const Sequences& seq, SysSeconds now,
                    Diagnostics& diags, const std::function<void(Resource&&)>& sink);

}  // namespace evfeed
