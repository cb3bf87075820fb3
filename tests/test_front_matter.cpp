// front_matter.hpp: YAML / TOML / JSON -> Value with positions in the FILE.
#include "test_support.hpp"

using namespace evfeed;
using namespace evtest;

namespace {

struct Parsed {
  bool ok = false;
  Value fm;
  Diagnostics diags;
  std::string messages() const {
    std::string s;
    for (const auto& d : diags.items) s += format_diagnostic(d) + "\n";
    return s;
  }
};

Parsed parse(const std::string& text) {
  Parsed p;
  Page page = page_from(text);
  p.ok = parse_front_matter(page, p.fm, p.diags);
  return p;
}

const Diagnostic* first_error(const Parsed& p) {
  for (const auto& d : p.diags.items)
    if (d.severity == Severity::error) return &d;
  return nullptr;
}

}  // namespace

TEST_CASE("YAML values carry 1-based line and column in the file", "[front_matter][yaml]") {
  auto p = parse(
      "---\n"                              // 1
      "title: Hello\n"                     // 2
      "date: 2019-11-24T13:00:00+08:00\n"  // 3
      "# a comment line\n"                 // 4
      "speaker:\n"                         // 5
      "  - name : \"曾凡松\"\n"            // 6
      "    designation: 专家\n"            // 7
      "tags: [a, b]\n"                     // 8
      "---\n"
      "body\n");
  INFO(p.messages());
  REQUIRE(p.ok);
  REQUIRE(p.fm.kind == Value::Kind::map);
  const Value* title = p.fm.find("title");
  REQUIRE(title);
  CHECK(title->kind == Value::Kind::string);
  CHECK(title->scalar == "Hello");
  CHECK(title->line == 2);
  CHECK(title->column == 8);
  const Value* date = p.fm.find("date");
  REQUIRE(date);
  CHECK(date->scalar == "2019-11-24T13:00:00+08:00");
  CHECK(date->line == 3);
  CHECK(date->column == 7);
  const Value* speakers = p.fm.find("speaker");
  REQUIRE(speakers);
  REQUIRE(speakers->kind == Value::Kind::list);
  REQUIRE(speakers->items.size() == 1);
  const Value& s0 = speakers->items[0];
  CHECK(s0.kind == Value::Kind::map);
  CHECK(s0.line == 6);
  CHECK(s0.column == 5);
  const Value* name = s0.find("name");
  REQUIRE(name);
  CHECK(name->scalar == "曾凡松");
  CHECK(name->quoted);
  CHECK(name->line == 6);
  CHECK(name->column == 12);
  CHECK(s0.find("designation")->line == 7);
  const Value* tags = p.fm.find("tags");
  REQUIRE(tags);
  REQUIRE(tags->items.size() == 2);
  CHECK(tags->items[1].scalar == "b");
  CHECK(tags->items[1].line == 8);
  CHECK(tags->items[1].column == 11);
}

TEST_CASE("YAML positions count the BOM-less file lines, also with CRLF", "[front_matter][yaml]") {
  auto p = parse("\xEF\xBB\xBF---\r\n# comment\r\n\r\ntitle: x\r\n---\r\n");
  REQUIRE(p.ok);
  REQUIRE(p.fm.find("title"));
  CHECK(p.fm.find("title")->scalar == "x");
  CHECK(p.fm.find("title")->line == 4);
  CHECK(p.fm.find("title")->column == 8);
}

TEST_CASE("YAML scalars: booleans, quoting and nulls", "[front_matter][yaml]") {
  auto p = parse("---\ndraft: false\nquoted: \"false\"\nyes_word: Yes\nnum: 42\nempty:\ntilde: ~\n---\n");
  REQUIRE(p.ok);
  CHECK(p.fm.find("draft")->kind == Value::Kind::boolean);
  CHECK(p.fm.find("quoted")->kind == Value::Kind::string);
  CHECK(p.fm.find("quoted")->quoted);
  CHECK(p.fm.find("yes_word")->kind == Value::Kind::boolean);
  CHECK(p.fm.find("num")->scalar == "42");
  CHECK(p.fm.find("empty")->kind == Value::Kind::null);
  CHECK(p.fm.find("tilde")->kind == Value::Kind::null);
}

TEST_CASE("Value::find is case-insensitive, find_path walks maps", "[front_matter]") {
  auto p = parse("---\nEvent:\n  Date: November 10, 2014\n  time: 6:30 PM\nsignup:\n  url: https://x.org\n---\n");
  REQUIRE(p.ok);
  REQUIRE(p.fm.find("event"));
  REQUIRE(p.fm.find_path("event.date"));
  CHECK(p.fm.find_path("event.date")->scalar == "November 10, 2014");
  CHECK(p.fm.find_path("EVENT.TIME")->scalar == "6:30 PM");
  CHECK(p.fm.find_path("signup.url")->scalar == "https://x.org");
  CHECK(p.fm.find_path("signup.nope") == nullptr);
  CHECK(p.fm.find_path("event.date.deeper") == nullptr);
}

TEST_CASE("YAML duplicate key: first value kept, warning at the duplicate", "[front_matter][yaml]") {
  auto p = parse("---\ntitle: First\ndate: 2019-11-24\ntitle: Second\n---\n");
  REQUIRE(p.ok);
  CHECK(p.fm.find("title")->scalar == "First");
  CHECK(p.fm.members.size() == 2);
  REQUIRE(p.diags.items.size() == 1);
  const auto& d = p.diags.items[0];
  CHECK(d.severity == Severity::warning);
  CHECK(d.line == 4);
  CHECK(d.column == 1);
  CHECK_THAT(d.message, Catch::Contains("duplicate key 'title'"));
}

TEST_CASE("TOML front matter: types, date-times and positions", "[front_matter][toml]") {
  auto p = parse(
      "+++\n"                                // 1
      "title = \"Operators\"\n"              // 2
      "date = 2026-09-19T14:00:00\n"         // 3
      "start = 2021-07-12T10:00:00+02:00\n"  // 4
      "utc = 2021-07-12T08:00:00Z\n"         // 5
      "neg = 2021-07-12T08:00:00-07:30\n"    // 6
      "day = 2021-07-12\n"                   // 7
      "clock = 10:30:00\n"                   // 8
      "draft = false\n"                      // 9
      "count = 3\n"                          // 10
      "tags = [\"a\", \"b\"]\n"              // 11
      "[[speaker]]\n"                        // 12
      "name = \"Chen\"\n"                    // 13
      "+++\n"
      "body\n");
  INFO(p.messages());
  REQUIRE(p.ok);
  CHECK(p.fm.find("title")->scalar == "Operators");
  CHECK(p.fm.find("title")->line == 2);
  const Value* date = p.fm.find("date");
  CHECK(date->kind == Value::Kind::datetime);
  CHECK(date->scalar == "2026-09-19T14:00:00");
  CHECK(date->line == 3);
  CHECK(p.fm.find("start")->scalar == "2021-07-12T10:00:00+02:00");
  CHECK(p.fm.find("utc")->scalar == "2021-07-12T08:00:00Z");
  CHECK(p.fm.find("neg")->scalar == "2021-07-12T08:00:00-07:30");
  CHECK(p.fm.find("day")->kind == Value::Kind::datetime);
  CHECK(p.fm.find("day")->scalar == "2021-07-12");
  CHECK(p.fm.find("clock")->scalar == "10:30:00");
  CHECK(p.fm.find("draft")->kind == Value::Kind::boolean);
  CHECK(p.fm.find("draft")->scalar == "false");
  CHECK(p.fm.find("count")->scalar == "3");
  CHECK(p.fm.find("tags")->items.size() == 2);
  const Value* sp = p.fm.find("speaker");
  REQUIRE(sp);
  REQUIRE(sp->kind == Value::Kind::list);
  CHECK(sp->items[0].find("name")->scalar == "Chen");
  CHECK(sp->items[0].find("name")->line == 13);
  // Every TOML date-time form reads back with parse_time.
  for (const char* key : {"date", "start", "utc", "neg", "day"}) {
    INFO(key);
    CHECK(parse_time(p.fm.find(key)->scalar).has_value());
  }
}

TEST_CASE("JSON front matter", "[front_matter][json]") {
  auto p = parse(
      "{\n"
      "  \"title\": \"云原生 meetup\",\n"
      "  \"date\": \"2025-03-15T14:00:00+08:00\",\n"
      "  \"draft\": false,\n"
      "  \"tags\": [\"平台工程\", \"eBPF\"],\n"
      "  \"speaker\": [{\"name\": \"陈思远\", \"designation\": \"工程师\"}]\n"
      "}\n"
      "body\n");
  INFO(p.messages());
  REQUIRE(p.ok);
  CHECK(p.fm.find("title")->scalar == "云原生 meetup");
  CHECK(p.fm.find("title")->line == 2);
  CHECK(p.fm.find("date")->scalar == "2025-03-15T14:00:00+08:00");
  CHECK(p.fm.find("date")->line == 3);
  CHECK(p.fm.find("draft")->kind == Value::Kind::boolean);
  CHECK(p.fm.find("tags")->items.size() == 2);
  CHECK(p.fm.find("speaker")->items[0].find("name")->scalar == "陈思远");
}

TEST_CASE("YAML parse errors point into the file", "[front_matter][errors]") {
  SECTION("unquoted ': ' in a value") {
    auto p = parse("---\n# comment\ntitle: Service Mesh: 实践\n---\n");
    CHECK_FALSE(p.ok);
    const Diagnostic* d = first_error(p);
    REQUIRE(d);
    CHECK(d->line == 3);
    CHECK(d->column > 0);
    CHECK_THAT(d->message, Catch::Contains("YAML") && Catch::Contains("quoted"));
  }
  SECTION("tab indentation") {
    auto p = parse("---\ntitle: x\nspeaker:\n\t- name: a\n---\n");
    CHECK_FALSE(p.ok);
    const Diagnostic* d = first_error(p);
    REQUIRE(d);
    CHECK(d->line == 4);
    CHECK(d->column >= 1);
  }
  SECTION("unclosed flow sequence after a BOM and CRLF") {
    auto p = parse("\xEF\xBB\xBF---\r\ntitle: x\r\ntags: [a, b\r\ndate: 2019-11-24\r\n---\r\n");
    CHECK_FALSE(p.ok);
    const Diagnostic* d = first_error(p);
    REQUIRE(d);
    CHECK(d->line >= 3);
    CHECK(d->line <= 5);
    CHECK(d->path == "content/en/event/x.md");
  }
}

TEST_CASE("TOML parse errors point into the file", "[front_matter][errors]") {
  auto p = parse("+++\ntitle = \"x\"\n\ndate = 2019-13-45T10:00:00\n+++\n");
  CHECK_FALSE(p.ok);
  const Diagnostic* d = first_error(p);
  REQUIRE(d);
  CHECK(d->line == 4);
  CHECK(d->column > 0);
  CHECK_THAT(d->message, Catch::Contains("TOML"));

  auto q = parse("+++\ntitle = \"x\"\ntitle = \"y\"\n+++\n");  // TOML forbids redefinition
  CHECK_FALSE(q.ok);
  REQUIRE(first_error(q));
  CHECK(first_error(q)->line == 3);
}

TEST_CASE("JSON parse errors point into the file", "[front_matter][errors]") {
  auto p = parse("{\n  \"title\": \"x\",\n  \"tags\": [\"a\" \"b\"]\n}\nbody\n");
  CHECK_FALSE(p.ok);
  const Diagnostic* d = first_error(p);
  REQUIRE(d);
  CHECK(d->line == 3);
  CHECK_THAT(d->message, Catch::Contains("JSON"));
}

TEST_CASE("front matter must be a mapping", "[front_matter][errors]") {
  auto p = parse("---\n- a\n- b\n---\n");
  CHECK_FALSE(p.ok);
  REQUIRE(first_error(p));
  CHECK_THAT(first_error(p)->message, Catch::Contains("mapping"));
  auto scalar = parse("---\njust text\n---\n");
  CHECK_FALSE(scalar.ok);
}

TEST_CASE("empty front matter is an empty mapping", "[front_matter]") {
  auto p = parse("---\n---\nbody\n");
  REQUIRE(p.ok);
  CHECK(p.fm.kind == Value::Kind::map);
  CHECK(p.fm.members.empty());
  auto comments_only = parse("---\n# nothing here\n---\n");
  REQUIRE(comments_only.ok);
  CHECK(comments_only.fm.kind == Value::Kind::map);
}

TEST_CASE("YAML alias bomb is rejected, not expanded", "[front_matter][limits]") {
  std::string text =
      "---\n"
      "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
      "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
      "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
      "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
      "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
      "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
      "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
      "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
      "title: boom\n"
      "---\n";
  auto p = parse(text);
  CHECK_FALSE(p.ok);
  const Diagnostic* d = first_error(p);
  REQUIRE(d);
  CHECK(d->line == 2);
  CHECK_THAT(d->message, Catch::Contains("alias bomb"));
}

TEST_CASE("small YAML aliases still work", "[front_matter][yaml]") {
  auto p = parse("---\nbase: &b {name: A}\nspeaker: [*b, *b]\n---\n");
  REQUIRE(p.ok);
  REQUIRE(p.fm.find("speaker")->items.size() == 2);
  CHECK(p.fm.find("speaker")->items[1].find("name")->scalar == "A");
}

TEST_CASE("deep nesting is rejected before the parser recurses", "[front_matter][limits]") {
  SECTION("flow brackets") {
    std::string deep = "---\nx: " + std::string(5000, '[') + std::string(5000, ']') + "\n---\n";
    auto p = parse(deep);
    CHECK_FALSE(p.ok);
    REQUIRE(first_error(p));
    CHECK_THAT(first_error(p)->message, Catch::Contains("nested deeper"));
  }
  SECTION("JSON objects") {
    std::string deep;
    for (int i = 0; i < 3000; ++i) deep += "{\"a\":";
    deep += "1";
    for (int i = 0; i < 3000; ++i) deep += "}";
    auto p = parse(deep + "\nbody\n");
    CHECK_FALSE(p.ok);
    REQUIRE(first_error(p));
  }
  SECTION("block indentation") {
    std::string deep = "---\n";
    for (int i = 0; i < 80; ++i) deep += std::string(static_cast<size_t>(i) * 2, ' ') + "k" + std::to_string(i) + ":\n";
    deep += std::string(160, ' ') + "leaf: 1\n---\n";
    auto p = parse(deep);
    CHECK_FALSE(p.ok);
    REQUIRE(first_error(p));
  }
  SECTION("block sequences opened on one line") {
    // "- - - a": each dash is a sequence, with no brackets and no indentation.
    std::string deep = "---\ntitle: t\nx:\n  ";
    for (int i = 0; i < 10000; ++i) deep += "- ";
    auto p = parse(deep + "a\n---\n");
    CHECK_FALSE(p.ok);
    REQUIRE(first_error(p));
    CHECK_THAT(first_error(p)->message, Catch::Contains("nested deeper"));
  }
  SECTION("a list of lists at moderate depth is fine") {
    auto p = parse("---\nx:\n  - - a\n    - b\n  - - c\n---\n");
    CHECK(p.ok);
  }
  SECTION("TOML arrays") {
    std::string deep = "+++\nx = " + std::string(3000, '[') + std::string(3000, ']') + "\n+++\n";
    auto p = parse(deep);
    CHECK_FALSE(p.ok);
    REQUIRE(first_error(p));
  }
  SECTION("moderate nesting is fine") {
    std::string ok = "---\nx: " + std::string(20, '[') + "1" + std::string(20, ']') + "\n---\n";
    auto p = parse(ok);
    CHECK(p.ok);
  }
}
