// index.html: one self-contained page (inline CSS and JS, no external assets). The list
// is rendered in start order with each event's instant in data-start; a small script
// moves past events below the upcoming ones, so the bytes do not depend on the day of
// the build (and without JavaScript every event is still listed).
#include "evfeed/recurrence.hpp"
#include "evfeed/render.hpp"
#include "evfeed/text.hpp"

namespace evfeed {

namespace {

// Links to the site's own files are relative (the page also works opened from disk);
// subscribe links must be absolute, since calendar apps fetch them from elsewhere.
struct CalendarLinks {
  std::string name, https, webcal, google, outlook, ics, rss, atom, json;
};

CalendarLinks links_for(const SiteConfig& site, const std::string& dir, const std::string& name) {
  CalendarLinks l;
  l.name = name;
  l.https = site.base_url + dir + "calendar.ics";
  std::string no_scheme = l.https.substr(l.https.find("://") + 3);
  l.webcal = "webcal://" + no_scheme;
  l.google = "https://calendar.google.com/calendar/r?cid=" + url_encode(l.webcal);
  l.outlook = "https://outlook.live.com/calendar/0/addfromweb?url=" + url_encode(l.https) + "&name=" + url_encode(name);
  l.ics = dir + "calendar.ics";
  l.rss = dir + "rss.xml";
  l.atom = dir + "atom.xml";
  l.json = dir + "feed.json";
  return l;
}

std::string subscribe_block(const CalendarLinks& l, int index) {
  auto a = [](const std::string& href, const std::string& cls, const std::string& text) {
    return "<a class=\"btn " + cls + "\" href=\"" + html_escape(href) + "\">" + text + "</a>";
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
  h += a(l.ics, "ics", "Download .ics");
  h += a(l.rss, "rss", "RSS");
  h += a(l.atom, "atom", "Atom");
  h += a(l.json, "json", "JSON Feed");
  h += "</div><div class=\"copy\"><input id=\"" + id + "\" readonly value=\"" + html_escape(l.https) +
       "\" aria-label=\"Calendar URL\"><button type=\"button\" data-copy=\"" + id + "\">Copy</button></div></section>";
  return h;
}

}  // namespace

std::string render_index_html(const std::vector<const Event*>& events, const SiteConfig& site, SysSeconds) {
  std::vector<CalendarLinks> cals{links_for(site, "", site.title)};
  for (const auto& f : site.feeds) cals.push_back(links_for(site, f.dir() + "/", f.title));

  std::string h =
      "<!DOCTYPE html>\n<html lang=\"" + html_escape(site.language) + "\">\n<head>\n<meta charset=\"utf-8\">\n";
  h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  h += "<title>" + html_escape(clean_utf8(site.title)) + "</title>\n";
  h += "<meta name=\"description\" content=\"" + html_escape(clean_utf8(site.description)) + "\">\n";
  for (const auto& c : cals) {
    h += "<link rel=\"alternate\" type=\"application/rss+xml\" title=\"" + html_escape(c.name) + " (RSS)\" href=\"" +
         html_escape(c.rss) + "\">\n";
    h += "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"" + html_escape(c.name) + " (Atom)\" href=\"" +
         html_escape(c.atom) + "\">\n";
    h += "<link rel=\"alternate\" type=\"application/feed+json\" title=\"" + html_escape(c.name) + " (JSON)\" href=\"" +
         html_escape(c.json) + "\">\n";
  }
  h += "<link rel=\"alternate\" type=\"text/calendar\" title=\"" + html_escape(site.title) + "\" href=\"" +
       html_escape(cals[0].ics) + "\">\n";
  h += R"(<style>
:root{--fg:#1d2330;--muted:#5b6475;--bg:#fff;--card:#f5f7fa;--accent:#1a62d6;--line:#dfe3ea}
@media (prefers-color-scheme:dark){:root{--fg:#e8ebf1;--muted:#a3acbd;--bg:#14171d;--card:#1e232c;--accent:#7aa7ff;--line:#2e3440}}
*{box-sizing:border-box}
body{margin:0;font:16px/1.55 system-ui,-apple-system,"Segoe UI","PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC",sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:60rem;margin:0 auto;padding:1rem}
h1{font-size:1.7rem;margin:.5rem 0}
h2{font-size:1.3rem;margin:1.5rem 0 .5rem;border-bottom:1px solid var(--line);padding-bottom:.25rem}
h3{font-size:1.05rem;margin:.25rem 0 .5rem}
.sub{background:var(--card);border-radius:.6rem;padding:.75rem;margin:.75rem 0}
.btns{display:flex;flex-wrap:wrap;gap:.4rem}
.btn{display:inline-block;padding:.45rem .7rem;border-radius:.4rem;background:var(--accent);color:#fff;text-decoration:none;font-size:.9rem;min-height:44px;line-height:1.9}
.copy{display:flex;gap:.4rem;margin-top:.5rem}
.copy input{flex:1;min-width:0;padding:.4rem;border:1px solid var(--line);border-radius:.4rem;background:var(--bg);color:var(--fg);font-size:.85rem}
.copy button{padding:.4rem .8rem;border:0;border-radius:.4rem;background:var(--fg);color:var(--bg);min-height:44px}
ol.events{list-style:none;padding:0;margin:0}
.ev{border-bottom:1px solid var(--line);padding:.75rem 0;overflow-wrap:anywhere}
.ev h3 a{color:var(--accent);text-decoration:none}
.when,.where{color:var(--muted);margin:.1rem 0;font-size:.95rem}
.ev .links a{margin-right:.75rem;font-size:.9rem;color:var(--accent)}
.cancelled h3{text-decoration:line-through}
details{margin:.5rem 0}
@media (min-width:48rem){.subs{display:grid;grid-template-columns:1fr 1fr;gap:.75rem}.sub{margin:0}}
</style>
</head>
<body>
<main>
)";
  h += "<h1>" + html_escape(clean_utf8(site.title)) + "</h1>\n<p>" + html_escape(clean_utf8(site.description)) +
       "</p>\n";
  h += "<h2 id=\"subscribe\">Subscribe</h2>\n<div class=\"subs\">\n";
  for (size_t i = 0; i < cals.size(); ++i) h += subscribe_block(cals[i], static_cast<int>(i)) + "\n";
  h += "</div>\n<h2 id=\"upcoming\">Upcoming events</h2>\n<ol class=\"events\" id=\"upcoming-list\">\n";
  for (const Event* ep : events) {
    const Event& e = *ep;
    // A series or multi-session event shows the occurrence assemble_model chose (the next
    // one) and stays "upcoming" until its last occurrence ends.
    SysSeconds start = e.shown() ? e.shown()->start : e.start, end = e.shown() ? e.shown()->end : e.end;
    LocalSeconds ls = to_local(e.zone, start), le = to_local(e.zone, end);
    std::string when;
    if (e.all_day) {
      auto first = date::floor<date::days>(ls), after = date::floor<date::days>(le);
      when = date::format("%Y-%m-%d (%a)", first);
      if (after - first > date::days{1}) when += " – " + date::format("%Y-%m-%d (%a)", after - date::days{1});
    } else {
      when = date::format("%Y-%m-%d (%a) %H:%M", ls) + "–" + date::format("%H:%M", le) + " " + e.zone_name() + " (UTC" +
             format_offset(offset_at(e.zone, start), true) + ")";
    }
    if (e.recurs()) when += " · " + describe_series(e);
    if (!e.sessions().empty()) when += " · " + std::to_string(e.sessions().size()) + " sessions";
    SysSeconds last = e.has_instances() ? last_end(e) : e.end;
    long long data_end = last == SysSeconds::max() ? 253402300799 : last.time_since_epoch().count();  // 9999-12-31
    h += "<li class=\"ev" + std::string(e.status == EventStatus::cancelled ? " cancelled" : "") + "\" data-end=\"" +
         std::to_string(data_end) + "\" lang=\"" + html_escape(e.lang) + "\">";
    h += "<h3><a href=\"" + html_escape(clean_utf8(e.url)) + "\">" + html_escape(clean_utf8(e.title)) + "</a></h3>";
    h += "<p class=\"when\"><time datetime=\"" + format_rfc3339(start, offset_at(e.zone, start)) + "\">" +
         html_escape(when) + "</time>";
    if (e.status == EventStatus::cancelled) h += " · Cancelled";
    h += "</p>";
    if (!e.location.empty()) h += "<p class=\"where\">" + html_escape(clean_utf8(e.location)) + "</p>";
    h += "<p class=\"links\"><a href=\"" + html_escape("events/" + e.slug + ".ics") + "\">.ics</a>";
    h += "<a href=\"" + html_escape(google_calendar_link(e)) + "\">Google Calendar</a>";
    if (!e.signup_url.empty()) h += "<a href=\"" + html_escape(e.signup_url) + "\">Sign up</a>";
    h += "</p></li>\n";
  }
  h += "</ol>\n<h2 id=\"past\">Past events</h2>\n<ol class=\"events\" id=\"past-list\"></ol>\n";
  h += R"(<script>
(function(){
  var now = Date.now() / 1000, up = document.getElementById('upcoming-list'), past = document.getElementById('past-list');
  var items = Array.prototype.slice.call(up.children);
  // Upcoming: soonest first. Past: most recent first (the list arrives newest first).
  items.reverse().forEach(function(li){ if (Number(li.dataset.end) >= now) up.appendChild(li); });
  items.reverse().forEach(function(li){ if (Number(li.dataset.end) < now) past.appendChild(li); });
  document.querySelectorAll('button[data-copy]').forEach(function(b){
    b.addEventListener('click', function(){
      var input = document.getElementById(b.dataset.copy);
      input.select();
      var done = function(){ b.textContent = 'Copied'; setTimeout(function(){ b.textContent = 'Copy'; }, 1500); };
      if (navigator.clipboard) navigator.clipboard.writeText(input.value).then(done, function(){ document.execCommand('copy'); done(); });
      else { document.execCommand('copy'); done(); }
    });
  });
})();
</script>
</main>
</body>
</html>
)";
  return h;
}

}  // namespace evfeed
