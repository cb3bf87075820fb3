// publish.hpp and resources.hpp: the Publisher's staged commit, the manifest that limits
// removals to our own outputs, the output lock, gzip and ETags.
#include <sys/stat.h>
#include <zlib.h>

#include <set>

#include "test_support.hpp"

using namespace evfeed;
using namespace evtest;
using namespace std::chrono;

namespace {

std::string gunzip(const std::string& gz) {
  z_stream zs{};
  REQUIRE(inflateInit2(&zs, 15 + 16) == Z_OK);
  std::string out(gz.size() * 20 + 1024, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
  zs.avail_in = static_cast<uInt>(gz.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  int rc = inflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  inflateEnd(&zs);
  REQUIRE(rc == Z_STREAM_END);
  return out;
}

Resource res(const std::string& path, const std::string& body) { return make_resource(path, body, SysSeconds{}); }

}  // namespace

// The manifest lives in the build's state folder, outside the published output.
static std::string manifest_of(const TempDir& tmp) { return (tmp / "state/manifest").string(); }

TEST_CASE("publish_resources writes bodies, .gz siblings (not for events/*.ics) and a manifest", "[publish]") {
  TempDir tmp;
  auto out = tmp / "out";
  std::vector<Resource> rs = {res("calendar.ics", "cal"), res("events/a.ics", "a"), res("topics/x/rss.xml", "<rss/>")};
  PublishStats st;
  Diagnostics d;
  REQUIRE(publish_resources(out.string(), manifest_of(tmp), rs, st, d));
  CHECK(d.items.empty());
  CHECK(st.written == 5);
  CHECK(st.unchanged == 0);
  CHECK(st.removed == 0);
  CHECK(slurp(out / "events/a.ics") == "a");
  CHECK_FALSE(fs::exists(out / "events/a.ics.gz"));
  CHECK(gunzip(slurp(out / "calendar.ics.gz")) == "cal");
  std::string manifest = slurp(manifest_of(tmp));
  for (const char* rel : {"calendar.ics", "calendar.ics.gz", "events/a.ics", "topics/x/rss.xml", "topics/x/rss.xml.gz"})
    CHECK_THAT(manifest, Catch::Contains(std::string("\n") + rel + "\n"));

  // Publishing the same resources again touches nothing.
  for (const auto& f : files_under(out)) age(out / f);
  PublishStats again;
  REQUIRE(publish_resources(out.string(), manifest_of(tmp), rs, again, d));
  CHECK(again.written == 0);
  CHECK(again.unchanged == 5);
  for (const auto& f : files_under(out)) {
    INFO(f);
    CHECK(fs::last_write_time(out / f) == OLD_TIME);
  }
}

TEST_CASE("publish_resources removes stale outputs listed in the old manifest only", "[publish]") {
  TempDir tmp;
  auto out = tmp / "out";
  Diagnostics d;
  PublishStats st;
  REQUIRE(publish_resources(out.string(), manifest_of(tmp),
                            {res("calendar.ics", "cal"), res("events/gone.ics", "g"), res("topics/old/rss.xml", "r")},
                            st, d));
  // Files evfeed never wrote: next to ours, inside our folders, and outside the output.
  spit(out / "foreign.txt", "keep me");
  spit(out / "events/foreign.ics", "keep me too");
  spit(out / "CNAME", "events.example.org");
  spit(tmp / "outside.txt", "outside");
  // A tampered manifest must not reach outside the folder.
  std::string manifest = slurp(manifest_of(tmp));
  spit(manifest_of(tmp), manifest + "../outside.txt\n/etc/hostname\nevents/../../outside.txt\n");

  PublishStats st2;
  REQUIRE(publish_resources(out.string(), manifest_of(tmp), {res("calendar.ics", "cal")}, st2, d));
  CHECK(st2.removed == 3);  // events/gone.ics, topics/old/rss.xml(.gz)
  CHECK_FALSE(fs::exists(out / "events/gone.ics"));
  CHECK_FALSE(fs::exists(out / "topics/old/rss.xml"));
  CHECK_FALSE(fs::exists(out / "topics"));  // folders we emptied go too
  CHECK(slurp(out / "foreign.txt") == "keep me");
  CHECK(slurp(out / "events/foreign.ics") == "keep me too");
  CHECK(fs::exists(out / "CNAME"));
  CHECK(slurp(tmp / "outside.txt") == "outside");
  CHECK(slurp(out / "calendar.ics") == "cal");
  std::string new_manifest = slurp(manifest_of(tmp));
  CHECK(new_manifest.find("gone") == std::string::npos);
  CHECK(new_manifest.find("outside") == std::string::npos);
}

TEST_CASE("publish_resources without a previous manifest removes nothing", "[publish]") {
  TempDir tmp;
  auto out = tmp / "out";
  spit(out / "events/old-by-hand.ics", "hand written");
  spit(out / "index.html", "<p>old</p>");
  PublishStats st;
  Diagnostics d;
  REQUIRE(publish_resources(out.string(), manifest_of(tmp), {res("index.html", "<p>new</p>")}, st, d));
  CHECK(st.removed == 0);
  CHECK(fs::exists(out / "events/old-by-hand.ics"));
  CHECK(slurp(out / "index.html") == "<p>new</p>");
}

TEST_CASE("Publisher: staged outputs stay invisible until commit, and vanish without one", "[publish]") {
  TempDir tmp;
  auto out = tmp / "out";
  PublishStats st;
  Diagnostics d;
  REQUIRE(
      publish_resources(out.string(), manifest_of(tmp), {res("calendar.ics", "old"), res("events/a.ics", "a")}, st, d));
  auto before = files_under(out);
  {
    Publisher p(out.string(), manifest_of(tmp));
    p.stage(res("calendar.ics", "new"));
    p.stage(res("events/b.ics", "b"));
    CHECK(slurp(out / "calendar.ics") == "old");  // staged bytes sit in temporaries
    CHECK_FALSE(fs::exists(out / "events/b.ics"));
  }  // a build that fails before commit (or is killed) leaves the previous outputs as they were
  CHECK(files_under(out) == before);
  CHECK(slurp(out / "calendar.ics") == "old");

  Publisher p(out.string(), manifest_of(tmp));
  p.stage(res("calendar.ics", "new"));
  p.stage(res("events/b.ics", "b"));
  PublishStats st2;
  REQUIRE(p.commit(st2, d));
  CHECK(d.items.empty());
  CHECK(slurp(out / "calendar.ics") == "new");
  CHECK(gunzip(slurp(out / "calendar.ics.gz")) == "new");
  CHECK(slurp(out / "events/b.ics") == "b");
  CHECK_FALSE(fs::exists(out / "events/a.ics"));  // not staged this time: removed
  CHECK(st2.written == 3);
  CHECK(st2.removed == 1);
}

TEST_CASE("OutputLock: a second acquire times out while the first holds it", "[publish][lock]") {
  TempDir tmp;
  auto out = (tmp / "state/lock").string();
  Diagnostics d;
  {
    OutputLock first;
    REQUIRE(first.acquire(out, 1, d));
    CHECK(fs::exists(tmp / "state/lock"));
    OutputLock second;
    Diagnostics d2;
    CHECK_FALSE(second.acquire(out, 0, d2));
    REQUIRE(d2.items.size() == 1);
    CHECK(d2.items[0].severity == Severity::error);
    CHECK_THAT(d2.items[0].message, Catch::Contains("another evfeed build"));
  }
  // Released with its owner: the next one gets it at once.
  OutputLock third;
  CHECK(third.acquire(out, 0, d));
  CHECK(d.items.empty());
}

TEST_CASE("gzip_bytes: valid gzip, reproducible", "[resources]") {
  std::string body;
  for (int i = 0; i < 2000; ++i) body += "BEGIN:VEVENT 蚂蚁金服 " + std::to_string(i) + "\r\n";
  std::string gz = gzip_bytes(body);
  REQUIRE(gz.size() > 18);
  CHECK(static_cast<unsigned char>(gz[0]) == 0x1f);
  CHECK(static_cast<unsigned char>(gz[1]) == 0x8b);
  CHECK(gz.substr(4, 4) == std::string(4, '\0'));  // header mtime 0: same bytes every build
  CHECK(gz.size() < body.size() / 3);
  CHECK(gunzip(gz) == body);
  CHECK(gzip_bytes(body) == gz);
  CHECK(gunzip(gzip_bytes("")).empty());
}

TEST_CASE("content_hash_hex and make_resource", "[resources]") {
  std::string h = content_hash_hex("hello");
  CHECK(h.size() == 32);
  CHECK(h.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(content_hash_hex("hello") == h);
  CHECK(content_hash_hex("hellp") != h);
  CHECK(content_hash_hex("") != content_hash_hex(std::string(1, '\0')));
  std::set<std::string> distinct;
  for (int i = 0; i < 1000; ++i) distinct.insert(content_hash_hex("event " + std::to_string(i)));
  CHECK(distinct.size() == 1000);

  Resource r = make_resource("events/a.ics", "BEGIN:VCALENDAR\r\n", utc("2019-11-24T05:00:00Z"));
  CHECK(r.path == "events/a.ics");
  CHECK(r.content_type == "text/calendar; charset=utf-8");
  CHECK(r.etag == "\"" + content_hash_hex("BEGIN:VCALENDAR\r\n") + "\"");
  CHECK(gunzip(r.gzip) == r.body);
  CHECK(r.is_feed);
  CHECK(r.last_modified == utc("2019-11-24T05:00:00Z"));
  CHECK_FALSE(make_resource("index.html", "x", SysSeconds{}).is_feed);

  CHECK(content_type_for("rss.xml") == "application/rss+xml; charset=utf-8");
  CHECK(content_type_for("topics/x/atom.xml") == "application/atom+xml; charset=utf-8");
  CHECK(content_type_for("feed.json") == "application/feed+json; charset=utf-8");
  CHECK(content_type_for("index.html") == "text/html; charset=utf-8");
  CHECK(content_type_for("calendar-alarms.ics") == "text/calendar; charset=utf-8");
  CHECK(content_type_for("x.bin") == "application/octet-stream");
}
