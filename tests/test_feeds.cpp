// RSS 2.0, Atom 1.0, JSON Feed 1.1 and index.html from hostile and real events: parsed
// back with tinyxml2, checked with `xmllint --noout` and python3's json when present.
#include <tinyxml2.h>
#include <nlohmann/json.hpp>

#include <set>

#include "evfeed/ui_text.hpp"
#include "test_support.hpp"

using namespace evfeed;
using namespace evtest;
using json = nlohmann::json;
using namespace std::chrono;

namespace {

const std::string EVIL_TITLE =
    "Meetup </title><script>alert(1)</script> ]]> ctrl[\x01\x7f] bad[\xC3\x28] 🎉 中文 & \"q\" 'a'";
const std::string CLEAN_TITLE =
    "Meetup </title><script>alert(1)</script> ]]> ctrl[] bad[\xEF\xBF\xBD(] 🎉 中文 & \"q\" 'a'";
const std::string EVIL_SUMMARY = "Summary </summary><script>alert(2)</script> ]]> \x01 bad\xC3\x28 🎉 中文";
const std::string CLEAN_SUMMARY = "Summary </summary><script>alert(2)</script> ]]>  bad\xEF\xBF\xBD( 🎉 中文";

Event hostile_event() {
  Event e;
  e.identity = "event/hostile";
  e.slug = "hostile";
  e.lang = "zh";
  e.title = EVIL_TITLE;
  e.summary = EVIL_SUMMARY;
  e.body_markdown =
      "Body <script>alert(3)</script> ]]> \x01\x7f \xC3\x28 🎉 中文\n\n[x](javascript:alert(4)) "
      "<img src=x onerror=alert(5)>\n\n</description></item></channel>\n";
  e.location = "上海 <b>bold</b> & co ]]>";
  e.speakers = {{"Name</li><script>", "Role & \"co\" \x01", ""}};
  e.topics = {"Service Mesh"};
  e.tags = {"tag<script>", "]]>", "中文\x02"};
  e.sponsor = "[Sponsor](javascript:alert(6)) <script>alert(7)</script>";
  e.signup_url = "https://events.example.org/apply?a=1&b=\"2\"";
  e.image = "https://events.example.org/img/a&b.png";
  e.zone = find_zone("Asia/Shanghai");
  e.start = utc("2019-11-24T05:00:00Z");
  e.end = e.start + hours{2};
  e.updated = utc("2019-11-20T00:00:00Z");
  e.url = "https://events.example.org/zh/event/hostile/";
  clean_event_texts(e);  // controls and bad bytes go as build_event drops them; the rest stays hostile
  return e;
}

FeedInfo feed_info() {
  FeedInfo f;
  f.title = "Feed </title><script>x</script> \x01 🎉";
  f.description = "Description & more";
  f.language = "zh";
  f.updated = utc("2019-11-20T00:00:00Z");
  return f;
}

bool has_bad_bytes(const std::string& s) {
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\n' && c != '\r' && c != '\t') || u == 0x7f) return true;
  }
  return !is_valid_utf8(s);
}

// xmllint --noout on the bytes (deploy/install-deps.sh --with-test-tools installs it).
void check_xmllint(const std::string& xml, const std::string& name) {
  INFO(name);
  REQUIRE(have_command("xmllint"));
  TempDir tmp;
  auto file = tmp / name;
  spit(file, xml);
  int rc = run_shell("xmllint --noout " + shell_quote(file.string()) + " 2>" + shell_quote((tmp / "err").string()));
  INFO("xmllint: " << slurp(tmp / "err"));
  CHECK(rc == 0);
}

const char* text_of(const tinyxml2::XMLElement* el) { return el && el->GetText() ? el->GetText() : ""; }

std::string python3() {
  if (fs::exists("/usr/bin/python3")) return "/usr/bin/python3";
  return have_command("python3") ? "python3" : "";
}

}  // namespace

TEST_CASE("RSS: hostile text survives as text and the XML is well-formed", "[feeds][rss][security]") {
  Event e = hostile_event();
  std::string xml = render_rss({&e}, test_site(), feed_info());
  CHECK(starts_with(xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
  CHECK_FALSE(has_bad_bytes(xml));
  CHECK(xml.find("<script") == std::string::npos);
  CHECK(xml.find("<![CDATA[") == std::string::npos);
  check_xmllint(xml, "rss.xml");

  tinyxml2::XMLDocument doc;
  REQUIRE(doc.Parse(xml.c_str(), xml.size()) == tinyxml2::XML_SUCCESS);
  auto* channel = doc.FirstChildElement("rss")->FirstChildElement("channel");
  REQUIRE(channel);
  CHECK(std::string(text_of(channel->FirstChildElement("title"))) == "Feed </title><script>x</script>  🎉");
  auto* self = channel->FirstChildElement("atom:link");
  REQUIRE(self);
  CHECK(std::string(self->Attribute("href")) == "https://events.example.org/rss.xml");
  CHECK(std::string(text_of(channel->FirstChildElement("lastBuildDate"))) == "Wed, 20 Nov 2019 08:00:00 +0800");
  auto* item = channel->FirstChildElement("item");
  REQUIRE(item);
  CHECK(std::string(text_of(item->FirstChildElement("title"))) == CLEAN_TITLE);
  CHECK(std::string(text_of(item->FirstChildElement("link"))) == e.url);
  auto* guid = item->FirstChildElement("guid");
  REQUIRE(guid);
  CHECK(std::string(text_of(guid)) == "event/hostile@events.example.org");
  CHECK(std::string(guid->Attribute("isPermaLink")) == "false");
  CHECK(std::string(text_of(item->FirstChildElement("pubDate"))) == "Sun, 24 Nov 2019 13:00:00 +0800");
  std::string html = text_of(item->FirstChildElement("description"));
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("<img") == std::string::npos);
  CHECK(to_lower_ascii(html).find("javascript:") == std::string::npos);
  CHECK_THAT(html, Catch::Contains("&lt;script&gt;alert(3)&lt;/script&gt;"));
  CHECK_THAT(html, Catch::Contains("🎉 中文"));
  CHECK_THAT(html, Catch::Contains("https://events.example.org/events/hostile.ics"));
  std::vector<std::string> cats;
  for (auto* c = item->FirstChildElement("category"); c; c = c->NextSiblingElement("category"))
    cats.push_back(text_of(c));
  CHECK(cats == std::vector<std::string>{"Service Mesh", "tag<script>", "]]>", "中文"});
  auto* media = item->FirstChildElement("media:content");
  REQUIRE(media);
  CHECK(std::string(media->Attribute("url")) == e.image);
  CHECK(std::string(media->Attribute("type")) == "image/png");
}

TEST_CASE("Atom: hostile text survives as text and the XML is well-formed", "[feeds][atom][security]") {
  Event e = hostile_event();
  std::string xml = render_atom({&e}, test_site(), feed_info());
  CHECK_FALSE(has_bad_bytes(xml));
  CHECK(xml.find("<script") == std::string::npos);
  CHECK(xml.find("<![CDATA[") == std::string::npos);
  check_xmllint(xml, "atom.xml");

  tinyxml2::XMLDocument doc;
  REQUIRE(doc.Parse(xml.c_str(), xml.size()) == tinyxml2::XML_SUCCESS);
  auto* feed = doc.FirstChildElement("feed");
  REQUIRE(feed);
  CHECK(std::string(feed->Attribute("xmlns")) == "http://www.w3.org/2005/Atom");
  CHECK(std::string(text_of(feed->FirstChildElement("id"))) == "tag:events.example.org,2019:feed");
  CHECK(std::string(text_of(feed->FirstChildElement("updated"))) == "2019-11-20T00:00:00Z");
  REQUIRE(feed->FirstChildElement("author"));
  CHECK(std::string(text_of(feed->FirstChildElement("author")->FirstChildElement("name"))) == "Events");
  auto* entry = feed->FirstChildElement("entry");
  REQUIRE(entry);
  CHECK(std::string(text_of(entry->FirstChildElement("title"))) == CLEAN_TITLE);
  CHECK(std::string(text_of(entry->FirstChildElement("id"))) == "tag:events.example.org,2019:event/hostile");
  CHECK(std::string(text_of(entry->FirstChildElement("updated"))) == "2019-11-20T08:00:00+08:00");
  CHECK(std::string(text_of(entry->FirstChildElement("summary"))) == CLEAN_SUMMARY);
  auto* content = entry->FirstChildElement("content");
  REQUIRE(content);
  CHECK(std::string(content->Attribute("type")) == "html");
  std::string html = text_of(content);
  CHECK(html.find("<script") == std::string::npos);
  CHECK(to_lower_ascii(html).find("javascript:") == std::string::npos);
  CHECK_THAT(html, Catch::Contains("🎉 中文"));
  int links = 0;
  for (auto* l = entry->FirstChildElement("link"); l; l = l->NextSiblingElement("link")) {
    ++links;
    std::string rel = l->Attribute("rel");
    if (rel == "alternate") CHECK(std::string(l->Attribute("href")) == e.url);
    if (rel == "enclosure") CHECK(std::string(l->Attribute("href")) == e.image);
  }
  CHECK(links == 2);
}

TEST_CASE("JSON Feed 1.1: required fields, hostile text decoded intact", "[feeds][json][security]") {
  Event e = hostile_event();
  Event plain = event_from(seed_text(), test_site(), "en/event/service-mesh-meetup-08.md");
  plain.slug = "service-mesh-meetup-08";
  std::string text = render_json_feed({&e, &plain}, test_site(), feed_info());
  CHECK_FALSE(has_bad_bytes(text));
  CHECK(text.find('<') == std::string::npos);  // '<' always as \u003c: safe to embed

  // nlohmann::json is strict: it rejects invalid UTF-8, raw control characters and trailing text.
  json j;
  REQUIRE_NOTHROW(j = json::parse(text));
  REQUIRE(j.is_object());
  CHECK(j.at("version") == "https://jsonfeed.org/version/1.1");
  CHECK(j.at("title") == "Feed </title><script>x</script>  🎉");
  CHECK(j.at("home_page_url") == "https://events.example.org/");
  CHECK(j.at("feed_url") == "https://events.example.org/feed.json");
  REQUIRE(j.at("items").is_array());
  REQUIRE(j.at("items").size() == 2);
  std::set<std::string> ids;
  for (const auto& item : j.at("items")) {
    REQUIRE(item.contains("id"));
    CHECK_FALSE(item.at("id").get<std::string>().empty());
    ids.insert(item.at("id").get<std::string>());
    bool has_content = (item.contains("content_html") && item.at("content_html").is_string()) ||
                       (item.contains("content_text") && item.at("content_text").is_string());
    CHECK(has_content);
    CHECK(item.contains("url"));
    CHECK(item.contains("date_published"));
  }
  CHECK(ids.size() == 2);
  const json& first = j.at("items")[0];
  CHECK(first.at("title") == CLEAN_TITLE);
  CHECK(first.at("summary") == CLEAN_SUMMARY);
  std::string html = first.at("content_html").get<std::string>();
  CHECK(html.find("<script") == std::string::npos);
  CHECK_THAT(html, Catch::Contains("🎉 中文"));
  CHECK(first.at("date_published") == "2019-11-24T13:00:00+08:00");
  const json& ev = first.at("_event");
  CHECK(ev.at("timezone") == "Asia/Shanghai");
  CHECK(ev.at("end") == "2019-11-24T15:00:00+08:00");
  CHECK(ev.at("all_day").is_boolean());
  CHECK(ev.at("ics") == "https://events.example.org/events/hostile.ics");
  const json& second = j.at("items")[1];
  CHECK(second.at("title") == "Service Mesh Meetup #8");
  CHECK(second.at("id") == "event/service-mesh-meetup-08@events.example.org");

  // Cross-check with Python's strict json module when it is installed.
  std::string py = python3();
  REQUIRE_FALSE(py.empty());  // installed by deploy/install-deps.sh
  TempDir tmp;
  spit(tmp / "feed.json", text);
  spit(tmp / "check.py",
       "import json, sys\n"
       "d = json.load(open(sys.argv[1], encoding='utf-8'))\n"
       "assert d['version'] == 'https://jsonfeed.org/version/1.1'\n"
       "assert isinstance(d['title'], str) and d['title']\n"
       "assert isinstance(d['items'], list) and d['items']\n"
       "for it in d['items']:\n"
       "    assert isinstance(it['id'], str) and it['id']\n"
       "    assert isinstance(it.get('content_html'), str) or isinstance(it.get('content_text'), str)\n"
       "t = d['items'][0]['title']\n"
       "assert '</title><script>alert(1)</script>' in t, t\n"
       "assert '\\U0001F389' in t and '\\u4e2d\\u6587' in t, t\n"
       "assert '\\x01' not in t and '\\x7f' not in t, t\n"
       "assert '<script' not in d['items'][0]['content_html']\n");
  int rc = run_shell(py + " " + shell_quote((tmp / "check.py").string()) + " " +
                     shell_quote((tmp / "feed.json").string()) + " 2>" + shell_quote((tmp / "err").string()));
  INFO("python: " << slurp(tmp / "err"));
  CHECK(rc == 0);
}

// Regression (fixed): image_type() in src/render_feeds.cpp looks at the end of the whole
// URL, so an image URL with a query string ("a.png?w=800") is declared image/jpeg.
TEST_CASE("RSS media type of an image URL with a query string", "[feeds][rss]") {
  Event e = hostile_event();
  e.image = "https://events.example.org/img/a.png?w=800";
  std::string xml = render_rss({&e}, test_site(), feed_info());
  CHECK_THAT(xml, Catch::Contains("type=\"image/png\""));
}

TEST_CASE("feeds of the real seed event: dates, links and content", "[feeds]") {
  SiteConfig site = test_site();
  Event e = event_from(seed_text(), site, "en/event/service-mesh-meetup-08.md");
  e.slug = "service-mesh-meetup-08";
  FeedInfo info{"Events", "Upcoming and past events", "", "en", e.updated};
  std::string rss = render_rss({&e}, site, info);
  std::string atom = render_atom({&e}, site, info);
  check_xmllint(rss, "rss.xml");
  check_xmllint(atom, "atom.xml");
  CHECK_THAT(rss, Catch::Contains("<pubDate>Sun, 24 Nov 2019 13:00:00 +0800</pubDate>"));
  CHECK_THAT(atom, Catch::Contains("<updated>2019-11-24T13:00:00+08:00</updated>"));
  std::string html = event_content_html(e, site);
  CHECK_THAT(
      html, Catch::Contains("<strong>When:</strong> Sunday, 24 November 2019, 13:00–15:00 (Asia/Shanghai, UTC+08:00)"));
  CHECK_THAT(html, Catch::Contains("<p><strong>Speakers:</strong></p><ul><li>曾凡松, 阿里巴巴高级技术专家</li>"));
  CHECK_THAT(html, Catch::Contains("<a href=\"https://tech.antfin.com/community/activities/985\">Sign up</a>"));
  CHECK_THAT(html, Catch::Contains("<a href=\"https://www.servicemesher.com\">ServiceMesher</a>"));
  CHECK_THAT(html, Catch::Contains("href=\"https://events.example.org/events/service-mesh-meetup-08.ics\""));
  CHECK(google_calendar_link(e) ==
        "https://calendar.google.com/calendar/render?action=TEMPLATE&text=Service%20Mesh%20Meetup%20%238"
        "&dates=20191124T130000/20191124T150000&ctz=Asia%2FShanghai&location=Beijing%2C%20China"
        "&details=https%3A%2F%2Fevents.example.org%2Fevent%2Fservice-mesh-meetup-08%2F");
}

TEST_CASE("an event's labels and dates are in its own language, in the feeds and the calendar", "[feeds][lang]") {
  SiteConfig site = test_site();
  Event zh = event_from(seed_text(), site, "zh/event/service-mesh-meetup-08.md");
  REQUIRE(zh.lang == "zh");
  zh.slug = "service-mesh-meetup-08";
  std::string html = event_content_html(zh, site);
  CHECK_THAT(html, Catch::Contains("<strong>时间：</strong>2019年11月24日 周日 13:00–15:00 Asia/Shanghai (UTC+08:00)"));
  CHECK_THAT(html, Catch::Contains("<strong>地点：</strong>Beijing, China"));
  CHECK_THAT(html, Catch::Contains("<strong>讲者：</strong></p><ul><li>曾凡松"));
  CHECK_THAT(html, Catch::Contains("\">报名</a>"));
  CHECK_THAT(html, Catch::Contains("\">添加到 Google 日历</a>"));
  CHECK_THAT(html, !Catch::Contains("When") && !Catch::Contains("Where") && !Catch::Contains("Sign up"));
  std::string text = event_description_text(zh);
  CHECK_THAT(text, Catch::Contains("地点：Beijing, China\n费用：Free\n讲者：\n- 曾凡松"));
  CHECK_THAT(text, Catch::Contains("报名：https://tech.antfin.com/community/activities/985"));

  Event fr = zh;
  fr.lang = "fr-CA";
  CHECK_THAT(event_content_html(fr, site),
             Catch::Contains("<strong>Quand\u00a0:</strong> dim. 24 nov. 2019, 13:00–15:00"));
  CHECK_THAT(event_description_text(fr), Catch::Contains("Où\u00a0: Beijing, China"));
  Event other = zh;  // a language the catalogue lacks: English, spelled out
  other.lang = "ko";
  CHECK_THAT(
      event_content_html(other, site),
      Catch::Contains("<strong>When:</strong> Sunday, 24 November 2019, 13:00–15:00 (Asia/Shanghai, UTC+08:00)"));
}

TEST_CASE("all-day and multi-day events in feed content", "[feeds][allday]") {
  Event e = event_from("---\ntitle: open day\ndate: 2026-06-20\nendDate: 2026-06-21\n---\n", test_site(),
                       "event/open-day.md");
  e.slug = "open-day";
  CHECK_THAT(event_content_html(e, test_site()),
             Catch::Contains("Saturday, 20 June 2026 – Sunday, 21 June 2026 (all day)"));
  CHECK_THAT(google_calendar_link(e), Catch::Contains("&dates=20260620/20260622&"));
}

TEST_CASE("empty feeds are still valid documents", "[feeds]") {
  FeedInfo info{"Empty", "", "topics/none/", "en", SysSeconds{}};
  std::string rss = render_rss({}, test_site(), info);
  std::string atom = render_atom({}, test_site(), info);
  std::string json_text = render_json_feed({}, test_site(), info);
  check_xmllint(rss, "rss.xml");
  check_xmllint(atom, "atom.xml");
  CHECK_THAT(rss, Catch::Contains("https://events.example.org/topics/none/rss.xml"));
  json j;
  REQUIRE_NOTHROW(j = json::parse(json_text));
  CHECK(j.at("items").empty());
  CHECK(j.at("feed_url") == "https://events.example.org/topics/none/feed.json");
}

// Every href="..." of a page, entities decoded and resolved against the page's URL.
std::set<std::string> page_links(const std::string& html, const std::string& page_url) {
  std::set<std::string> out;
  for (size_t p = html.find("href=\""); p != std::string::npos; p = html.find("href=\"", p + 6)) {
    size_t start = p + 6, end = html.find('"', start);
    std::string v = html.substr(start, end - start);
    std::string d;
    for (size_t i = 0; i < v.size(); ++i) {  // &amp; &lt; &gt; &quot; &#39; &#NN;
      if (v[i] != '&') {
        d += v[i];
        continue;
      }
      size_t semi = v.find(';', i);
      std::string ent = v.substr(i + 1, semi - i - 1);
      if (ent == "amp")
        d += '&';
      else if (ent == "lt")
        d += '<';
      else if (ent == "gt")
        d += '>';
      else if (ent == "quot")
        d += '"';
      else if (!ent.empty() && ent[0] == '#')
        d += static_cast<char>(std::stoi(ent.substr(1)));
      i = semi;
    }
    out.insert(resolve_url(page_url, d));
  }
  return out;
}

TEST_CASE("index.html: subscribe links and escaped event text", "[feeds][html]") {
  SiteConfig site = test_site();
  FeedSpec mesh;
  mesh.slug = "service-mesh";
  mesh.title = "Service Mesh";
  mesh.topics = {"Service Mesh"};
  site.feeds.push_back(mesh);
  Event e = hostile_event();
  std::string html = render_index_html({&e}, site, utc("2024-01-01T00:00:00Z"));
  CHECK(starts_with(html, "<!DOCTYPE html>"));
  CHECK_FALSE(has_bad_bytes(html));
  auto links = page_links(html, site.base_url);
  for (const std::string& dir : {std::string(""), std::string("topics/service-mesh/")}) {
    INFO("calendar set '" << dir << "'");
    std::string https = "https://events.example.org/" + dir + "calendar.ics";
    std::string webcal = "webcal://events.example.org/" + dir + "calendar.ics";
    CHECK(links.count(webcal) == 1);
    CHECK(links.count("https://calendar.google.com/calendar/r?cid=" + url_encode(webcal)) == 1);
    bool outlook = false;
    for (const auto& l : links)
      outlook = outlook || starts_with(l, "https://outlook.live.com/calendar/0/addfromweb?url=" + url_encode(https));
    CHECK(outlook);
    CHECK(links.count("https://events.example.org/" + dir + "rss.xml") == 1);
    CHECK(links.count("https://events.example.org/" + dir + "atom.xml") == 1);
    CHECK(links.count("https://events.example.org/" + dir + "feed.json") == 1);
    CHECK_THAT(html, Catch::Contains("value=\"" + https + "\""));  // the copyable https URL
  }
  CHECK(links.count("https://events.example.org/events/hostile.ics") == 1);
  // One <script> only: the page's own.
  CHECK(count_of(html, "<script") == 1);
  CHECK_THAT(html, Catch::Contains("&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
  CHECK_THAT(html, Catch::Contains("🎉 中文"));
  // The bytes do not depend on the day of the build.
  CHECK(html == render_index_html({&e}, site, utc("2030-06-01T00:00:00Z")));
}

TEST_CASE("index.html: upcoming soonest first, the most recent past ones, bounded; in the page's language",
          "[feeds][html]") {
  SiteConfig site = test_site();
  std::vector<Event> events;
  SysSeconds now = utc("2026-06-01T00:00:00Z");
  for (int i = 0; i < 10000; ++i) {  // one a day around `now`, newest first as the model sorts them
    Event e;
    e.identity = "event/e" + std::to_string(i);
    e.slug = "e" + std::to_string(i);
    e.lang = "zh";
    e.zone = find_zone("Asia/Shanghai");
    e.start = now + date::days{5000 - i};
    e.end = e.start + hours{2};
    e.updated = e.start;
    e.title = "Cloud Native Meetup #" + std::to_string(i) + " 上海站";
    e.location = "上海市徐汇区";
    e.url = site.base_url + e.identity + "/";
    e.signup_url = "https://example.org/apply/" + std::to_string(i);
    events.push_back(e);
  }
  std::vector<const Event*> all;
  for (const auto& e : events) all.push_back(&e);
  IndexPage page{"zh", "zh/", "", {"en", "zh"}, 80, 50};
  std::string html = render_index_html(all, site, now, page);
  CHECK(html.size() < 300 * 1024);
  CHECK(count_of(html, "<li class=\"ev") == 130);
  // Upcoming: the next 80, soonest first; past: the 50 most recent, newest first.
  size_t up = html.find("id=\"upcoming-list\""), past = html.find("id=\"past-list\"");
  CHECK(html.find("#5000 ", up) < html.find("#4999 ", up));  // #5000 starts at `now`
  CHECK(html.find("#4921 ", up) < past);
  CHECK(html.find("#4920 ") == std::string::npos);
  CHECK(html.find("#5001 ", past) < html.find("#5002 ", past));
  CHECK(html.find("#5050 ", past) != std::string::npos);
  CHECK(html.find("#5051 ") == std::string::npos);
  // The page's language: its words and its dates; links to the other language.
  CHECK_THAT(html, Catch::Contains("<html lang=\"zh\">"));
  CHECK_THAT(html, Catch::Contains(">订阅</h2>"));
  CHECK_THAT(html, Catch::Contains(">即将举行的活动</h2>"));
  CHECK_THAT(html, Catch::Contains("2026年6月1日 周一"));
  CHECK_THAT(html, Catch::Contains("hreflang=\"en\" href=\"https://events.example.org/en/\""));
  CHECK_THAT(html, Catch::Contains("<a href=\"../en/index.html\""));
  CHECK_THAT(html, Catch::Contains("<a href=\"../events/e4999.ics\">"));
  // A QR code per calendar, with its text for screen readers.
  CHECK(count_of(html, "<svg class=\"qr\"") == 2);
  CHECK_THAT(html, Catch::Contains("aria-label=\"用手机扫码订阅: webcal://events.example.org/zh/calendar.ics\""));
}

TEST_CASE("format_day and format_range write dates as each language does", "[feeds][html]") {
  auto day = date::local_days{date::year{2026} / 12 / 12};
  CHECK(format_day(day, "en") == "Sat 12 Dec 2026");
  CHECK(format_day(day, "zh") == "2026年12月12日 周六");
  CHECK(format_day(day, "zh-TW") == "2026年12月12日 週六");
  CHECK(format_day(day, "ja") == "2026年12月12日(土)");
  CHECK(format_day(day, "de") == "Sa., 12. Dez. 2026");
  CHECK(format_day(day, "xx") == "Sat 12 Dec 2026");  // English for the rest
  LocalSeconds start = LocalSeconds{day} + hours{13} + minutes{30};
  CHECK(format_range(start, start + hours{3}, false, "zh") == "2026年12月12日 周六 13:30–16:30");
  CHECK(format_range(start, start + hours{3}, false, "en") == "Sat 12 Dec 2026, 13:30–16:30");
  CHECK(format_range(start, start + hours{24}, false, "en") == "Sat 12 Dec 2026, 13:30 – Sun 13 Dec 2026, 13:30");
  CHECK(format_range(LocalSeconds{day}, LocalSeconds{day + date::days{2}}, true, "en") ==
        "Sat 12 Dec 2026 – Sun 13 Dec 2026");
  CHECK(std::string(ui_text("zh-CN").subscribe) == "订阅");
  CHECK(std::string(ui_text("fr-CA").subscribe) == "S’abonner");
}
