#include "evfeed/pipeline.hpp"

#include <algorithm>
#include <atomic>
#include <sstream>
#include <thread>

#include "evfeed/parse_cache.hpp"
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

LoadResult load_events(const LoadOptions& opts, const SiteConfig& site) {
  LoadResult result;
  std::vector<SourceFile> files = find_pages(opts.content_dirs, result.diags);
  result.pages_seen = files.size();

  struct Slot {
    bool ok = false;
    bool reused = false;
    Event event;
    Diagnostics diags;
    std::string content_hash;
  };
  std::vector<Slot> slots(files.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i; (i = next.fetch_add(1)) < files.size();) {
      Slot& s = slots[i];
      std::string text;
      Page page;
      Value fm;
      const SourceFile& f = files[i];
      const CachedPage* c = opts.cache ? opts.cache->find(f.path) : nullptr;
      auto reuse = [&] {
        s.ok = c->ok;
        s.event = c->event;
        s.diags.items = c->diags;
        s.content_hash = c->content_hash;
        s.reused = true;
      };
      if (c && c->file.rel_path == f.rel_path && c->file.size == f.size && c->file.mtime_ns == f.mtime_ns) {
        reuse();
        continue;
      }
      if (!read_file(f.path, text, s.diags)) continue;
      s.content_hash = content_hash_hex(text);
      if (c && c->file.rel_path == f.rel_path && c->content_hash == s.content_hash) {  // touched, not changed
        reuse();
        continue;
      }
      // Split the raw bytes first (it rejects NUL bytes), then clean each part.
      report_raw_text_problems(files[i].path, text, s.diags);
      if (!split_page(files[i], std::move(text), page, s.diags)) continue;
      page.front_matter = clean_utf8(page.front_matter);
      page.body = clean_utf8(page.body);
      if (!parse_front_matter(page, fm, s.diags)) continue;
      s.ok = build_event(page, fm, site, s.event, s.diags);
    }
  };
  unsigned n = opts.threads ? opts.threads : std::max(1u, std::thread::hardware_concurrency());
  n = static_cast<unsigned>(std::min<size_t>(n, std::max<size_t>(1, files.size() / 16)));
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < n; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  for (size_t i = 0; i < slots.size(); ++i) {
    Slot& s = slots[i];
    result.pages_reused += s.reused;
    if (opts.next_cache && !s.content_hash.empty()) {
      CachedPage p{files[i], s.content_hash, s.ok, s.ok ? s.event : Event{}, s.diags.items};
      opts.next_cache->put(std::move(p));
    }
    for (auto& d : s.diags.items) result.diags.items.push_back(std::move(d));
    if (s.ok) result.built.push_back(std::move(s.event));
  }
  return result;
}

std::string schedule_fingerprint(const Event& e) {
  std::string f = std::to_string(e.start.time_since_epoch().count()) + "|" + std::to_string(e.end.time_since_epoch().count()) +
                  "|" + (e.all_day ? "D" : "T") + "|" + e.zone_name() + "|" + e.location + "|" + status_name(e.status);
  return content_hash_hex(f).substr(0, 16);
}

SequenceState advance_sequences(const EventModel& model, const SequenceState& previous) {
  // Every translation counts: moving only the English page must bump the shared UID too.
  std::map<std::string, std::map<std::string, std::string>> prints;  // identity -> lang -> fingerprint
  for (const auto& p : model.pages) prints[p.identity][p.lang] = schedule_fingerprint(p);
  SequenceState next;
  for (const auto& e : model.events) {
    std::string combined;
    for (const auto& [lang, fp] : prints[e.identity]) combined += lang + ":" + fp + ";";
    SequenceEntry entry{0, prints[e.identity].size() > 1 ? content_hash_hex(combined).substr(0, 16) : schedule_fingerprint(e)};
    auto it = previous.find(e.identity);
    if (it != previous.end())
      entry.sequence = it->second.sequence + (it->second.fingerprint != entry.fingerprint ? 1 : 0);
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

std::string output_digest(const EventModel& model, const SiteConfig& site, const Sequences& seq, SysSeconds now) {
  std::string all = config_fingerprint(site);
  if (site.window_past_days > 0) all += "|day " + std::to_string(date::floor<date::days>(now).time_since_epoch().count());
  for (const auto& e : model.pages) all += serialize_event(e) + "|" + e.slug + "|";
  for (const auto& [id, n] : seq) all += id + "=" + std::to_string(n) + ";";
  return content_hash_hex(all);
}

namespace {

SysSeconds newest_update(const std::vector<const Event*>& events) {
  SysSeconds t{};
  for (const Event* e : events) t = std::max(t, e->updated);
  return t;
}

void add_feed_set(std::vector<Resource>& out, const std::vector<const Event*>& events, const SiteConfig& site,
                  const std::string& dir, const std::string& title, const std::string& description,
                  const std::string& language, const Sequences& seq, const RenderCache& cache, bool with_alarms) {
  SysSeconds updated = newest_update(events);
  CalendarOptions copts{title, description, site.base_url + dir + "calendar.ics", false};
  out.push_back(pending_resource(dir + "calendar.ics", render_calendar(events, site, copts, seq, &cache), updated));
  if (with_alarms) {
    copts.alarms = true;
    copts.url = site.base_url + dir + "calendar-alarms.ics";
    out.push_back(pending_resource(dir + "calendar-alarms.ics", render_calendar(events, site, copts, seq, &cache), updated));
  }
  std::vector<const Event*> items = events;
  if (items.size() > site.items_limit) items.resize(site.items_limit);
  FeedInfo info{title, description, dir, language, updated};
  out.push_back(pending_resource(dir + "rss.xml", render_rss(items, site, info, &cache), updated));
  out.push_back(pending_resource(dir + "atom.xml", render_atom(items, site, info, &cache), updated));
  out.push_back(pending_resource(dir + "feed.json", render_json_feed(items, site, info, &cache), updated));
}

}  // namespace

std::vector<Resource> render_site(const EventModel& model, const SiteConfig& site, const Sequences& seq,
                                  SysSeconds now, Diagnostics& diags, RenderReuse* reuse, bool for_disk) {
  std::vector<Resource> out;
  std::vector<const Event*> all;
  for (const auto& e : model.events) all.push_back(&e);
  std::vector<const Event*> every_page;
  for (const auto& e : model.pages) every_page.push_back(&e);
  // model.events are copies of some model.pages: render both sets once.
  std::vector<const Event*> to_render = all;
  if (model.languages.size() > 1) to_render.insert(to_render.end(), every_page.begin(), every_page.end());
  auto cache_ptr = std::make_shared<RenderCache>(to_render, site, seq, 0, reuse ? reuse->events.get() : nullptr,
                                                 reuse != nullptr);
  const RenderCache& cache = *cache_ptr;

  // calendar.ics may be limited to a window: Google ignores subscribed calendars over ~1 MB.
  std::vector<const Event*> windowed;
  for (const Event* e : all)
    if (site.window_past_days <= 0 || e->end >= now - date::days{site.window_past_days}) windowed.push_back(e);
  add_feed_set(out, windowed, site, "", site.title, site.description, site.language, seq, cache, true);
  if (out.front().body.size() > 1024 * 1024)
    diags.add("calendar.ics", 0, 0, Severity::warning,
              "calendar.ics is " + std::to_string(out.front().body.size() / 1024) +
                  " KiB; Google Calendar ignores subscriptions over about 1 MB: set calendar.window_past_days");

  for (const Event* e : all) {
    CalendarOptions copts{e->title, "", site.base_url + "events/" + e->slug + ".ics", false};
    out.push_back(pending_resource("events/" + e->slug + ".ics", render_calendar({e}, site, copts, seq, &cache), e->updated));
  }
  for (const auto& feed : site.feeds) {
    std::vector<const Event*> matched;
    for (const Event* e : all)
      if (feed_matches(feed, *e)) matched.push_back(e);
    add_feed_set(out, matched, site, feed.dir() + "/", site.title + " · " + feed.title, site.description, site.language, seq,
                 cache, false);
  }
  // Per-language sets when the site has translations: <lang>/rss.xml and friends.
  if (model.languages.size() > 1) {
    for (const auto& lang : model.languages) {
      std::vector<const Event*> pages;
      for (const auto& e : model.pages)
        if (e.lang == lang) pages.push_back(&e);
      add_feed_set(out, pages, site, lang + "/", site.title + " (" + lang + ")", site.description, lang, seq, cache, false);
    }
  }
  out.push_back(pending_resource("index.html", render_index_html(all, site, now), newest_update(all)));
  if (reuse) {
    // Outputs whose bytes did not change keep their ETag and gzip; the rest get theirs now,
    // or after the swap when gzip is deferred.
    std::vector<Resource> todo;
    std::vector<size_t> where;
    for (size_t i = 0; i < out.size(); ++i) {
      auto it = reuse->files.find(out[i].path);
      if (it != reuse->files.end() && it->second->body == out[i].body) {
        out[i].etag = it->second->etag;
        out[i].gzip = it->second->gzip;
        continue;
      }
      if (reuse->defer_gzip) {
        out[i].etag = "\"" + content_hash_hex(out[i].body) + "\"";
        continue;
      }
      where.push_back(i);
      todo.push_back(std::move(out[i]));
    }
    finalize_resources(todo);
    for (size_t k = 0; k < where.size(); ++k) out[where[k]] = std::move(todo[k]);
    cache_ptr->forget_events();
    reuse->events = cache_ptr;
  } else {
    finalize_resources(out, 0, for_disk);
  }
  std::sort(out.begin(), out.end(), [](const Resource& a, const Resource& b) { return a.path < b.path; });
  return out;
}

}  // namespace evfeed
