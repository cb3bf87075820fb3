#include "evfeed/pipeline.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>
#include <unordered_set>

#include "evfeed/event_codec.hpp"
#include "evfeed/fsutil.hpp"
#include "evfeed/parallel.hpp"
#include "evfeed/parse_cache.hpp"
#include "evfeed/permalink.hpp"
#include "evfeed/recurrence.hpp"
#include "evfeed/text.hpp"

namespace evfeed {

namespace {

// Problems of the raw bytes that no parser reports well: where the file stops being UTF-8,
// and lines so long that they are almost certainly a mistake (a pasted blob, a lost newline).
void report_raw_text_problems(const std::string& path, std::string_view text, Diagnostics& diags) {
  size_t bad = first_invalid_utf8(text);
  if (bad != std::string_view::npos) {
    auto [line, col] = line_column(text, bad);
    diags.add(path, line, col, Severity::warning,
              "invalid UTF-8 (first here) replaced with U+FFFD; save the file as UTF-8");
  }
  constexpr size_t long_line = 64 * 1024;
  for (size_t pos = 0; pos < text.size();) {
    size_t nl = text.find('\n', pos);
    size_t end = nl == std::string_view::npos ? text.size() : nl;
    if (end - pos > long_line) {
      auto [line, col] = line_column(text, pos);
      diags.add(path, line, col, Severity::warning,
                "line is " + std::to_string((end - pos) / 1024) +
                    " KiB long; it goes into the outputs in full: is a line break missing?");
      break;  // one such warning per file is enough
    }
    pos = end + 1;
  }
}

}  // namespace

std::vector<SourceFile> find_site_pages(const std::vector<std::string>& content_dirs, const SiteConfig& site,
                                        Diagnostics& diags) {
  std::vector<SourceFile> files = find_pages(content_dirs, site.follow_symlinks, diags);
  return site.profile ? generator_pages(*site.profile, std::move(files)) : files;
}

LoadResult load_events(const LoadOptions& opts, const SiteConfig& site) {
  LoadResult result;
  std::vector<SourceFile> files = find_site_pages(opts.content_dirs, site, result.diags);
  result.pages_seen = files.size();

  struct Slot {
    bool ok = false;
    bool reused = false;
    std::shared_ptr<const Event> cached;  // the parse cache's event, when reused
    Event event;
    Diagnostics diags;
    std::string content_hash;
  };
  std::vector<Slot> slots(files.size());
  // At most one thread per 16 pages.
  unsigned n = opts.threads ? opts.threads : std::max(1u, std::thread::hardware_concurrency());
  n = static_cast<unsigned>(std::min<size_t>(n, std::max<size_t>(1, files.size() / 16)));
  parallel_for(files.size(), n, [&](size_t i) {
    Slot& s = slots[i];
    std::string text;
    Page page;
    Value fm;
    const SourceFile& f = files[i];
    const CachedPage* c = opts.cache ? opts.cache->find(f.path) : nullptr;
    auto reuse = [&] {
      s.ok = c->ok;
      s.cached = c->event;
      if (s.ok) s.event = *c->event;
      s.diags.items = c->diags;
      s.content_hash = c->content_hash;
      s.reused = true;
    };
    if (c && c->file.rel_path == f.rel_path && c->file.size == f.size && c->file.mtime_ns == f.mtime_ns) {
      reuse();
      return;
    }
    if (!read_file(f.path, text, s.diags)) {
      if (!may_be_event(f, {}, site)) s.diags.items.clear();  // --site: another section's page, no word
      return;
    }
    s.content_hash = content_hash_hex(text);
    if (c && c->file.rel_path == f.rel_path && c->content_hash == s.content_hash) {  // touched, not changed
      reuse();
      return;
    }
    if (!may_be_event(f, text, site)) return;  // --site: another section's page that names no event type
    // Split the raw bytes first (it rejects NUL bytes), then clean each part.
    report_raw_text_problems(files[i].path, text, s.diags);
    if (!split_page(files[i], std::move(text), page, s.diags)) return;
    page.front_matter = clean_utf8(page.front_matter);
    page.body = clean_utf8(page.body);
    if (!parse_front_matter(page, fm, s.diags)) return;
    size_t said = s.diags.items.size();
    s.ok = build_event(page, fm, site, s.event, s.diags);
    if (!s.ok && s.diags.items.size() == said) s.diags.items.clear();  // no event page (--site): no word
  });
  for (size_t i = 0; i < slots.size(); ++i) {
    Slot& s = slots[i];
    result.pages_reused += s.reused;
    if (opts.next_cache && !s.content_hash.empty()) {
      std::shared_ptr<const Event> e = s.cached;
      if (!e && s.ok) e = std::make_shared<const Event>(s.event);
      opts.next_cache->put(CachedPage{files[i], s.content_hash, s.ok, std::move(e), s.diags.items});
    }
    for (auto& d : s.diags.items) result.diags.items.push_back(std::move(d));
    if (s.ok) result.built.push_back(std::move(s.event));
  }
  return result;
}

std::string schedule_fingerprint(const Event& e) {
  std::string f = std::to_string(e.start.time_since_epoch().count()) + "|" +
                  std::to_string(e.end.time_since_epoch().count()) + "|" + (e.all_day ? "D" : "T") + "|" +
                  e.zone_name() + "|" + e.location + "|" + status_name(e.status);
  // A changed rule, date list, override or session is a new schedule (the inputs, not the
  // expansion: an old open-ended series has more occurrences than any expansion holds).
  auto n = [](auto t) { return std::to_string(t.time_since_epoch().count()); };
  if (e.series().rule) f += "|" + rrule_value(*e.series().rule, e);
  for (LocalSeconds t : e.series().rdates) f += "|R" + n(t);
  for (LocalSeconds t : e.series().exdates) f += "|X" + n(t);
  for (const auto& c : e.series().changes)
    f += "|C" + n(c.original) + "," + (c.start ? n(*c.start) : "") + "," + (c.end ? n(*c.end) : "") + "," + c.location +
         (c.cancelled ? ",C" : "");
  for (const auto& x : e.sessions()) f += "|S" + x.id + "," + n(x.start) + "," + n(x.end) + "," + x.location;
  return content_hash_hex(f).substr(0, 16);
}

Sequences declared_sequences(const EventModel& model) {
  Sequences s;
  for (const auto& e : model.events) s[e.identity] = 0;
  for (const auto& p : model.pages) s[p.identity] = std::max(s[p.identity], p.sequence);  // any translation's
  return s;
}

SequenceState advance_sequences(const EventModel& model, const SequenceState& previous) {
  // Every translation counts: moving only the English page must bump the shared UID too.
  std::map<std::string, std::map<std::string, std::string>> prints;  // identity -> lang -> fingerprint
  for (const auto& p : model.pages) prints[p.identity][p.lang] = schedule_fingerprint(p);
  Sequences declared = declared_sequences(model);
  SequenceState next;
  for (const auto& e : model.events) {
    std::string combined;
    for (const auto& [lang, fp] : prints[e.identity]) combined += lang + ":" + fp + ";";
    SequenceEntry entry{
        0, prints[e.identity].size() > 1 ? content_hash_hex(combined).substr(0, 16) : schedule_fingerprint(e)};
    auto it = previous.find(e.identity);
    if (it != previous.end())
      entry.sequence = it->second.sequence + (it->second.fingerprint != entry.fingerprint ? 1 : 0);
    entry.sequence = std::max(entry.sequence, declared[e.identity]);  // the page's own `sequence:` is a floor
    next[e.identity] = entry;
  }
  // Keep entries of events that vanished, so a page that comes back does not restart at 0.
  for (const auto& [id, entry] : previous) next.emplace(id, entry);
  return next;
}

Sequences sequences_of(const SequenceState& state) {
  Sequences s;
  for (const auto& [id, e] : state) s[id] = e.sequence;
  return s;
}

std::string serialize_sequences(const SequenceState& state) {
  std::string out = "# evfeed sequence state: identity<TAB>sequence<TAB>fingerprint\n";
  for (const auto& [id, e] : state) out += id + "\t" + std::to_string(e.sequence) + "\t" + e.fingerprint + "\n";
  return out;
}

SequenceState parse_sequences(const std::string& text) {
  SequenceState s;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto parts = split(line, '\t');
    if (parts.size() != 3) continue;
    try {
      s[parts[0]] = SequenceEntry{std::stoi(parts[1]), parts[2]};
    } catch (const std::exception&) {
    }
  }
  return s;
}

namespace {

// The newest page change behind a set of events that is not after `now`: a page dated in
// the future (an event's date used as its page date) must not make a feed claim it was built
// then (lastBuildDate, Atom updated; the W3C validator calls that an ImplausibleDate). Not
// clamped to `now`, which would change the bytes on every build: it moves only when a page's
// date passes (decisions_valid_until expires the fast path then). When every page lies in
// the future, the earliest.
template <typename Events, typename Get>
SysSeconds newest_past_update(const Events& events, SysSeconds now, Get get) {
  SysSeconds newest{}, earliest = SysSeconds::max();
  bool any_past = false;
  for (const auto& e : events) {
    SysSeconds t = get(e)->updated;
    earliest = std::min(earliest, t);
    if (t <= now) {
      newest = std::max(newest, t);
      any_past = true;
    }
  }
  return any_past ? newest : earliest == SysSeconds::max() ? SysSeconds{} : earliest;
}

}  // namespace

SysSeconds newest_update_before(const std::vector<const Event*>& events, SysSeconds now) {
  return newest_past_update(events, now, [](const Event* e) { return e; });
}

SysSeconds newest_update_of(const EventModel& model, SysSeconds now) {
  return newest_past_update(model.pages, now, [](const Event& e) { return &e; });
}

std::string output_digest(const EventModel& model, const SiteConfig& site, const Sequences& seq, SysSeconds now) {
  std::string all = config_fingerprint(site);
  all += "|updated " + std::to_string(newest_update_of(model, now).time_since_epoch().count());
  if (site.window_past_days > 0)
    all += "|day " + std::to_string(date::floor<date::days>(now).time_since_epoch().count());
  // index.html sorts events into upcoming and past at the build: which ones are over counts.
  for (const auto& e : model.pages) all += event_fingerprint(e) + "|" + e.slug + (last_end(e) < now ? "|past|" : "|");
  for (const auto& [id, n] : seq) all += id + "=" + std::to_string(n) + ";";
  return content_hash_hex(all);
}

namespace {

using Emit = std::function<void(Resource&&)>;

struct Job {
  std::function<void()> run;
  bool heavy = false;  // holds a large calendar and its gzip in memory while it runs
};

// Runs each job once, spread over all cores, in no particular order. Heavy jobs run one at
// a time while light ones are left for the other cores: two 50 MB calendars (and their
// compression buffers) at once would set the build's peak memory.
void run_jobs(const std::vector<Job>& jobs) {
  std::mutex mutex;
  std::vector<size_t> heavy, light;
  for (size_t i = 0; i < jobs.size(); ++i) (jobs[i].heavy ? heavy : light).push_back(i);
  size_t next_heavy = 0, next_light = 0;
  int heavy_running = 0;
  auto work = [&] {
    for (;;) {
      size_t job;
      bool is_heavy;
      {
        std::lock_guard<std::mutex> lock(mutex);
        if (next_heavy < heavy.size() && (heavy_running == 0 || next_light == light.size())) {
          job = heavy[next_heavy++];
          is_heavy = true;
          ++heavy_running;
        } else if (next_light < light.size()) {
          job = light[next_light++];
          is_heavy = false;
        } else {
          return;
        }
      }
      jobs[job].run();
      if (is_heavy) {
        std::lock_guard<std::mutex> lock(mutex);
        --heavy_running;
      }
    }
  };
  run_workers(static_cast<unsigned>(std::min<size_t>(std::max(1u, std::thread::hardware_concurrency()), jobs.size())),
              work);
}

struct FeedSet {
  std::vector<const Event*> events;
  std::string dir, title, description, language;
  bool with_alarms = false;
};

// Whether the previous build's output at `path` can stand, given the events it is made of.
using Reusable = std::function<bool(const std::string& path, const std::vector<const Event*>& events)>;

// One job per output of a feed set: the calendars are large, the feeds small.
void add_feed_set_jobs(std::vector<Job>& jobs, std::shared_ptr<const FeedSet> set, const SiteConfig& site,
                       const Sequences& seq, const RenderCache& cache, const Emit& emit, const Reusable& reusable,
                       SysSeconds now) {
  SysSeconds updated = newest_update_before(set->events, now);
  for (bool alarms : {false, true}) {
    if (alarms && !set->with_alarms) continue;
    constexpr size_t kHeavyCalendar = 1000;  // events: about 5 MB of text
    jobs.push_back({[set, alarms, updated, &site, &seq, &cache, &emit, &reusable] {
                      std::string path = set->dir + (alarms ? "calendar-alarms.ics" : "calendar.ics");
                      if (reusable && reusable(path, set->events)) return;
                      CalendarOptions copts{set->title, set->description, site.base_url + path, alarms};
                      emit(pending_resource(path, render_calendar(set->events, site, copts, seq, &cache), updated));
                    },
                    set->events.size() > kHeavyCalendar});
  }
  // The three feeds carry the newest items, and their date is the newest change of all.
  jobs.push_back({[set, updated, &site, &cache, &emit, &reusable] {
    if (reusable && reusable(set->dir + "rss.xml", set->events) & reusable(set->dir + "atom.xml", set->events) &
                        reusable(set->dir + "feed.json", set->events))  // `&`: each call records its inputs
      return;
    std::vector<const Event*> items = set->events;
    if (items.size() > site.items_limit) items.resize(site.items_limit);
    FeedInfo info{set->title, set->description, set->dir, set->language, updated};
    emit(pending_resource(set->dir + "rss.xml", render_rss(items, site, info, &cache), updated));
    emit(pending_resource(set->dir + "atom.xml", render_atom(items, site, info, &cache), updated));
    emit(pending_resource(set->dir + "feed.json", render_json_feed(items, site, info, &cache), updated));
  }});
}

// The feed sets of the site: the main one (calendar.ics may be limited to a window: Google
// ignores subscribed calendars over ~1 MB), one per language when the site has
// translations (<lang>/rss.xml and friends), one per configured feed.
std::vector<std::shared_ptr<const FeedSet>> plan_feed_sets(const EventModel& model, const SiteConfig& site,
                                                           SysSeconds now, const std::vector<const Event*>& all) {
  std::vector<std::shared_ptr<const FeedSet>> sets;
  auto main_set = std::make_shared<FeedSet>(FeedSet{{}, "", site.title, site.description, site.language, true});
  for (const Event* e : all)
    if (site.window_past_days <= 0 ||
        (e->has_instances() ? last_end(*e) : e->end) >= now - date::days{site.window_past_days})
      main_set->events.push_back(e);
  sets.push_back(main_set);
  if (model.languages.size() > 1) {
    for (const auto& lang : model.languages) {
      auto set =
          std::make_shared<FeedSet>(FeedSet{{}, lang + "/", site.title + " (" + lang + ")", site.description, lang});
      for (const auto& e : model.pages)
        if (e.lang == lang) set->events.push_back(&e);
      sets.push_back(set);
    }
  }
  for (const auto& feed : site.feeds) {
    auto set = std::make_shared<FeedSet>(
        FeedSet{{}, feed.dir() + "/", site.title + " · " + feed.title, site.description, site.language});
    for (const Event* e : all)
      if (feed_matches(feed, *e)) set->events.push_back(e);
    sets.push_back(set);
  }
  return sets;
}

// The events some feed carries as an item (the newest items_limit of each set): only
// these need their HTML rendered.
std::unordered_set<const Event*> feed_items(const std::vector<std::shared_ptr<const FeedSet>>& sets,
                                            const SiteConfig& site) {
  std::unordered_set<const Event*> items;
  for (const auto& set : sets)
    for (size_t i = 0; i < set->events.size() && i < site.items_limit; ++i) items.insert(set->events[i]);
  return items;
}

// Renders every output of the site on all cores and hands each to `emit` (from any
// thread, in no particular order) without ETag or gzip; with `reusable`, outputs it
// approves are left out (rss.xml stands for the three feeds of its folder).
void render_outputs(const std::vector<std::shared_ptr<const FeedSet>>& sets, const SiteConfig& site,
                    const Sequences& seq, SysSeconds now, const RenderCache& cache,
                    const std::vector<const Event*>& all, const Emit& emit, const Reusable& reusable = nullptr) {
  std::vector<Job> jobs;
  for (const auto& set : sets) add_feed_set_jobs(jobs, set, site, seq, cache, emit, reusable, now);
  // The site's newest past change dates the index, and an event page dated after the build
  // (it has not changed since): every replica and restart sends the same Last-Modified.
  SysSeconds site_changed = newest_update_before(all, now);
  // index.html also changes when an event ends (it moves to "past"): its Last-Modified too.
  SysSeconds index_changed = site_changed;
  for (const Event* e : all)
    if (SysSeconds end = last_end(*e); end <= now) index_changed = std::max(index_changed, end);
  // index.html in the site's language; with translations, one per language (<lang>/index.html).
  std::vector<std::string> languages;
  for (const auto& set : sets)
    if (!set->language.empty() && set->dir == set->language + "/") languages.push_back(set->language);
  IndexPage main_page{site.language, "", "", languages, site.index_upcoming, site.index_past};
  jobs.push_back({[&, main_page] {
    emit(pending_resource("index.html", render_index_html(all, site, now, main_page), index_changed));
  }});
  for (const auto& set : sets)
    if (!set->language.empty() && set->dir == set->language + "/")
      jobs.push_back({[&, set, languages] {
        IndexPage page{set->language, set->dir, set->title, languages, site.index_upcoming, site.index_past};
        emit(pending_resource(set->dir + "index.html", render_index_html(set->events, site, now, page), index_changed));
      }});
  constexpr size_t kEventsPerJob = 256;
  for (size_t from = 0; from < all.size(); from += kEventsPerJob)
    jobs.push_back({[&, from] {
      for (size_t i = from; i < std::min(all.size(), from + kEventsPerJob); ++i) {
        const Event* e = all[i];
        std::string path = "events/" + e->slug + ".ics";
        if (reusable && reusable(path, {e})) continue;
        CalendarOptions copts{e->title, "", site.base_url + path, false};
        emit(pending_resource(path, render_calendar({e}, site, copts, seq, &cache),
                              e->updated <= now ? e->updated : site_changed));
      }
    }});
  run_jobs(jobs);
}

void check_calendar_size(const Resource& r, Diagnostics& diags) {
  if (r.path == "calendar.ics" && r.body.size() > 1024 * 1024)
    diags.add("calendar.ics", 0, 0, Severity::warning,
              "calendar.ics is " + std::to_string(r.body.size() / 1024) +
                  " KiB; Google Calendar ignores subscriptions over about 1 MB: set calendar.window_past_days");
}

// Renders each event's texts once: model.events are copies of some model.pages, so the
// pages are rendered and each event shares its page's text (with one language, events
// and pages are the same set). `html_for` may name events or pages.
std::shared_ptr<RenderCache> render_events(const EventModel& model, const SiteConfig& site, const Sequences& seq,
                                           const std::vector<const Event*>& all,
                                           std::unordered_set<const Event*> html_for, const RenderCache* previous,
                                           bool remember) {
  bool multilingual = model.languages.size() > 1;
  if (!multilingual) return std::make_shared<RenderCache>(all, site, seq, 0, previous, remember, &html_for);
  std::vector<const Event*> every_page;
  for (const auto& e : model.pages) every_page.push_back(&e);
  std::map<std::pair<std::string, std::string>, const Event*> page_of;  // (identity, lang) -> page
  for (const Event* p : every_page) page_of.emplace(std::make_pair(p->identity, p->lang), p);
  for (const Event* e : all)
    if (html_for.count(e)) html_for.insert(page_of.at({e->identity, e->lang}));
  auto cache = std::make_shared<RenderCache>(every_page, site, seq, 0, previous, remember, &html_for);
  for (const Event* e : all) cache->share(e, page_of.at({e->identity, e->lang}));
  return cache;
}

std::vector<const Event*> pointers_to(const std::vector<Event>& events) {
  std::vector<const Event*> out;
  for (const auto& e : events) out.push_back(&e);
  return out;
}

}  // namespace

std::vector<Resource> render_site(const EventModel& model, const SiteConfig& site, const Sequences& seq, SysSeconds now,
                                  Diagnostics& diags) {
  std::vector<const Event*> all = pointers_to(model.events);
  auto sets = plan_feed_sets(model, site, now, all);
  auto cache = render_events(model, site, seq, all, feed_items(sets, site), nullptr, false);
  std::vector<Resource> out;
  std::mutex out_mutex;
  render_outputs(sets, site, seq, now, *cache, all, [&](Resource&& r) {
    std::lock_guard<std::mutex> lock(out_mutex);
    out.push_back(std::move(r));
  });
  finalize_resources(out);
  std::sort(out.begin(), out.end(), [](const Resource& a, const Resource& b) { return a.path < b.path; });
  for (const auto& r : out) check_calendar_size(r, diags);
  return out;
}

std::map<std::string, std::shared_ptr<const Resource>> render_site_again(const EventModel& model,
                                                                         const SiteConfig& site, const Sequences& seq,
                                                                         SysSeconds now, Diagnostics& diags,
                                                                         RenderReuse& reuse) {
  std::vector<const Event*> all = pointers_to(model.events);
  auto sets = plan_feed_sets(model, site, now, all);
  auto cache = render_events(model, site, seq, all, feed_items(sets, site), reuse.events.get(), true);
  // Feed dates are capped at `now`: when the cap moves, outputs of the same texts may differ.
  std::pair<SysSeconds, SysSeconds> cap{newest_update_of(model, now), newest_update_before(all, now)};
  if (cap != reuse.updated_cap) reuse.inputs.clear();
  reuse.updated_cap = cap;
  // An output made of the very same event texts (objects kept from the previous build,
  // reused only when the event's content, slug and sequence are unchanged) is unchanged.
  std::map<std::string, std::vector<const RenderedEvent*>> inputs;
  std::set<std::string> reused;
  std::mutex mutex;
  Reusable reusable = [&](const std::string& path, const std::vector<const Event*>& events) {
    std::vector<const RenderedEvent*> texts;
    texts.reserve(events.size());
    for (const Event* e : events) texts.push_back(cache->find(e));
    auto prev = reuse.inputs.find(path);
    bool same = prev != reuse.inputs.end() && prev->second == texts && reuse.files.count(path);
    std::lock_guard<std::mutex> lock(mutex);
    inputs[path] = std::move(texts);
    if (same) reused.insert(path);
    return same;
  };
  std::vector<Resource> rendered;
  render_outputs(
      sets, site, seq, now, *cache, all,
      [&](Resource&& r) {
        std::lock_guard<std::mutex> lock(mutex);
        rendered.push_back(std::move(r));
      },
      reusable);
  std::map<std::string, std::shared_ptr<const Resource>> files;
  for (const auto& path : reused) files[path] = reuse.files.at(path);
  // Rendered outputs whose bytes did not change (same ETag: a 128-bit hash of the bytes)
  // keep the previous object and its gzip; the rest get their gzip now or, when deferred,
  // after the swap.
  parallel_for(rendered.size(), 0,
               [&](size_t i) { rendered[i].etag = "\"" + content_hash_hex(rendered[i].body) + "\""; });
  std::vector<Resource> todo;
  for (auto& r : rendered) {
    auto prev = reuse.files.find(r.path);
    if (prev != reuse.files.end() && prev->second->etag == r.etag && prev->second->body.size() == r.body.size() &&
        prev->second->last_modified == r.last_modified) {
      files[r.path] = prev->second;
    } else if (reuse.defer_gzip) {
      std::string path = r.path;
      files[path] = std::make_shared<const Resource>(std::move(r));
    } else {
      todo.push_back(std::move(r));
    }
  }
  finalize_resources(todo);
  for (auto& r : todo) {
    std::string path = r.path;
    files[path] = std::make_shared<const Resource>(std::move(r));
  }
  for (const auto& [path, r] : files) check_calendar_size(*r, diags);
  reuse.texts = cache->events_only();
  cache->forget_events();
  reuse.events = cache;
  reuse.inputs = std::move(inputs);
  reuse.files = files;
  return files;
}

void render_site_to(const EventModel& model, const SiteConfig& site, const Sequences& seq, SysSeconds now,
                    Diagnostics& diags, const std::function<void(Resource&&)>& sink) {
  std::vector<const Event*> all = pointers_to(model.events);
  auto sets = plan_feed_sets(model, site, now, all);
  auto cache = render_events(model, site, seq, all, feed_items(sets, site), nullptr, false);
  render_outputs(sets, site, seq, now, *cache, all, [&](Resource&& r) {
    check_calendar_size(r, diags);  // called one output at a time: only calendar.ics adds to diags
    if (gzip_sibling_on_disk(r.path)) r.gzip = gzip_bytes(r.body);
    sink(std::move(r));
  });
}

}  // namespace evfeed
