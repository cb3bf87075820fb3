// text.hpp: UTF-8 cleaning, URL resolution, slugs and escaping.
#include <nlohmann/json.hpp>

#include "test_support.hpp"

using namespace evfeed;
using namespace evtest;
using json = nlohmann::json;

static const std::string FFFD = "\xEF\xBF\xBD";

TEST_CASE("clean_utf8 keeps valid text untouched", "[text][utf8]") {
  bool changed = true;
  std::string s = "Service Mesh 上海 🎉 tab\there\nnew line";
  CHECK(clean_utf8(s, &changed) == s);
  CHECK_FALSE(changed);
  CHECK(clean_utf8("", &changed).empty());
  CHECK_FALSE(changed);
}

TEST_CASE("clean_utf8 drops control characters XML and iCalendar cannot carry", "[text][utf8]") {
  bool changed = false;
  CHECK(clean_utf8("a\x01"
                   "b\x7f"
                   "c\x1b"
                   "d\x0b"
                   "e\x0c"
                   "f",
                   &changed) == "abcdef");
  CHECK(changed);
  // C1 controls (U+0080..U+009F) and the noncharacters U+FFFE / U+FFFF.
  CHECK(clean_utf8("x\xC2\x85y\xC2\x9Fz") == "xyz");
  CHECK(clean_utf8("x\xEF\xBF\xBEy\xEF\xBF\xBFz") == "xyz");
  // TAB and LF stay; CRLF and lone CR become LF.
  CHECK(clean_utf8("a\tb\nc") == "a\tb\nc");
  CHECK(clean_utf8("a\r\nb\rc") == "a\nb\nc");
  // U+00A0 and U+2028 are ordinary characters.
  CHECK(clean_utf8("a\xC2\xA0"
                   "b") ==
        "a\xC2\xA0"
        "b");
}

TEST_CASE("clean_utf8 replaces invalid UTF-8 with U+FFFD", "[text][utf8]") {
  bool changed = false;
  CHECK(clean_utf8("\xC3\x28", &changed) == FFFD + "(");
  CHECK(changed);
  CHECK(clean_utf8("ok\xFF\xFE") == "ok" + FFFD + FFFD);
  // Overlong encodings, surrogates and truncated sequences are invalid too.
  CHECK(clean_utf8("\xC0\xAF") == FFFD + FFFD);
  CHECK(clean_utf8("\xE0\x80\xAF") == FFFD + FFFD + FFFD);
  CHECK(clean_utf8("\xED\xA0\x80") == FFFD + FFFD + FFFD);
  CHECK(clean_utf8("end\xE4\xB8") == "end" + FFFD + FFFD);
  CHECK(clean_utf8("\xF4\x90\x80\x80") == FFFD + FFFD + FFFD + FFFD);  // above U+10FFFF
  for (const char* nasty : {"\xC3\x28", "a\xE4\xB8", "\xF0\x9F\x8E", "\x80\x80", "\xFE\xFF"})
    CHECK(is_valid_utf8(clean_utf8(nasty)));
}

TEST_CASE("is_valid_utf8", "[text][utf8]") {
  CHECK(is_valid_utf8(""));
  CHECK(is_valid_utf8("plain ascii"));
  CHECK(is_valid_utf8("中文 🎉 é"));
  CHECK_FALSE(is_valid_utf8("\xC3\x28"));
  CHECK_FALSE(is_valid_utf8("\xC0\x80"));
  CHECK_FALSE(is_valid_utf8("\xED\xB0\x80"));
  CHECK_FALSE(is_valid_utf8("\xF0\x9F\x8E"));  // truncated emoji
}

TEST_CASE("first_unclean_utf8 and clean_utf8_in_place agree with clean_utf8", "[text][utf8]") {
  for (std::string s :
       {std::string("plain ascii"), std::string("中文 🎉\tok\n"), std::string("a\rb"), std::string("nul\0x", 5),
        std::string("bad \xC3\x28"), std::string("del\x7f"), std::string("c1 \xC2\x85"), std::string("")}) {
    INFO(s);
    std::string cleaned = clean_utf8(s);
    CHECK((first_unclean_utf8(s) == std::string::npos) == (cleaned == s));
    std::string in_place = s;
    clean_utf8_in_place(in_place);
    CHECK(in_place == cleaned);
  }
  CHECK(first_unclean_utf8(std::string("ab\x01c")) == 2);
}

TEST_CASE("resolve_url", "[text][url]") {
  const std::string base = "https://example.org/event/meetup-08/";
  CHECK(resolve_url(base, "slides.pdf") == "https://example.org/event/meetup-08/slides.pdf");
  CHECK(resolve_url(base, "./img/a.png") == "https://example.org/event/meetup-08/img/a.png");
  CHECK(resolve_url(base, "../other/") == "https://example.org/event/other/");
  CHECK(resolve_url(base, "../../../../../x") == "https://example.org/x");
  CHECK(resolve_url(base, "/images/a.jpg") == "https://example.org/images/a.jpg");
  CHECK(resolve_url(base, "//cdn.example.net/a.js") == "https://cdn.example.net/a.js");
  CHECK(resolve_url("http://example.org/", "//cdn.example.net/a.js") == "http://cdn.example.net/a.js");
  CHECK(resolve_url(base, "https://other.example/x?a=1") == "https://other.example/x?a=1");
  CHECK(resolve_url(base, "mailto:team@example.org") == "mailto:team@example.org");
  CHECK(resolve_url(base, "#agenda") == base + "#agenda");
  CHECK(resolve_url(base, "?page=2") == base + "?page=2");
  CHECK(resolve_url(base, "") == base);
  CHECK(resolve_url(base, "  /trimmed  ") == "https://example.org/trimmed");
  // Base without a trailing slash: the last segment is a file, not a folder.
  CHECK(resolve_url("https://example.org/a/page.html", "img.png") == "https://example.org/a/img.png");
  CHECK(resolve_url("https://example.org", "x") == "https://example.org/x");
  CHECK(resolve_url("https://example.org:8443/a/", "/b") == "https://example.org:8443/b");
}

TEST_CASE("resolve_url: the reference resolution examples of RFC 3986 5.4", "[text][url]") {
  // Base "http://a/b/c/d;p?q": every normal example of 5.4.1 and the abnormal ones of 5.4.2
  // that a strict parser resolves, as the RFC lists them.
  const std::string base = "http://a/b/c/d;p?q";
  const std::vector<std::pair<std::string, std::string>> examples = {{"g:h", "g:h"},
                                                                     {"g", "http://a/b/c/g"},
                                                                     {"./g", "http://a/b/c/g"},
                                                                     {"g/", "http://a/b/c/g/"},
                                                                     {"/g", "http://a/g"},
                                                                     {"//g", "http://g"},
                                                                     {"?y", "http://a/b/c/d;p?y"},
                                                                     {"g?y", "http://a/b/c/g?y"},
                                                                     {"#s", "http://a/b/c/d;p?q#s"},
                                                                     {"g#s", "http://a/b/c/g#s"},
                                                                     {"g?y#s", "http://a/b/c/g?y#s"},
                                                                     {";x", "http://a/b/c/;x"},
                                                                     {"g;x", "http://a/b/c/g;x"},
                                                                     {"g;x?y#s", "http://a/b/c/g;x?y#s"},
                                                                     {".", "http://a/b/c/"},
                                                                     {"./", "http://a/b/c/"},
                                                                     {"..", "http://a/b/"},
                                                                     {"../", "http://a/b/"},
                                                                     {"../g", "http://a/b/g"},
                                                                     {"../..", "http://a/"},
                                                                     {"../../", "http://a/"},
                                                                     {"../../g", "http://a/g"},
                                                                     {"../../../g", "http://a/g"},
                                                                     {"../../../../g", "http://a/g"},
                                                                     {"/./g", "http://a/g"},
                                                                     {"/../g", "http://a/g"},
                                                                     {"g.", "http://a/b/c/g."},
                                                                     {".g", "http://a/b/c/.g"},
                                                                     {"g..", "http://a/b/c/g.."},
                                                                     {"..g", "http://a/b/c/..g"},
                                                                     {"./../g", "http://a/b/g"},
                                                                     {"./g/.", "http://a/b/c/g/"},
                                                                     {"g/./h", "http://a/b/c/g/h"},
                                                                     {"g/../h", "http://a/b/c/h"},
                                                                     {"g;x=1/./y", "http://a/b/c/g;x=1/y"},
                                                                     {"g;x=1/../y", "http://a/b/c/y"},
                                                                     {"g?y/./x", "http://a/b/c/g?y/./x"},
                                                                     {"g?y/../x", "http://a/b/c/g?y/../x"},
                                                                     {"g#s/./x", "http://a/b/c/g#s/./x"},
                                                                     {"g#s/../x", "http://a/b/c/g#s/../x"}};
  for (const auto& [ref, want] : examples) {
    INFO(ref);
    CHECK(resolve_url(base, ref) == want);
  }
}

TEST_CASE("resolve_url: a query or fragment of its own replaces the base's", "[text][url]") {
  CHECK(resolve_url("https://x.org/a/p?old=1#top", "?new=2") == "https://x.org/a/p?new=2");
  CHECK(resolve_url("https://x.org/a/p?old=1#top", "#agenda") == "https://x.org/a/p?old=1#agenda");
  // A '/' inside the base's query is no folder.
  CHECK(resolve_url("https://x.org/a/p?next=/b/c", "img.png") == "https://x.org/a/img.png");
  CHECK(resolve_url("http://[::1]:8080/event/x/", "../y/") == "http://[::1]:8080/event/y/");
  CHECK(resolve_url("http://[2001:db8::7]/", "/c.ics") == "http://[2001:db8::7]/c.ics");
}

TEST_CASE("resolve_url writes URIs: what RFC 3986 does not allow is percent-encoded", "[text][url]") {
  const std::string base = "https://example.org/event/x/";
  CHECK(resolve_url(base, "/author/tomás-zaba") == "https://example.org/author/tom%C3%A1s-zaba");
  CHECK(resolve_url(base, "幻灯片.pdf") == "https://example.org/event/x/%E5%B9%BB%E7%81%AF%E7%89%87.pdf");
  CHECK(resolve_url(base, "a b.png") == "https://example.org/event/x/a%20b.png");
  CHECK(resolve_url(base, "100%.png") == "https://example.org/event/x/100%25.png");
  CHECK(resolve_url(base, "ok%20already") == "https://example.org/event/x/ok%20already");  // escapes kept
  CHECK(resolve_url(base, "https://x.org/?q=a|b") == "https://x.org/?q=a%7Cb");
  CHECK(resolve_url(base, "https://x.org/\x01") == "https://x.org/%01");
  CHECK(resolve_url(base, "a[1].png?q=[x]") == "https://example.org/event/x/a%5B1%5D.png?q=%5Bx%5D");
  CHECK(resolve_url(base, "page#one#two") == "https://example.org/event/x/page#one%23two");
  CHECK(resolve_url(base, "//cdn.example.net/a[1].png") == "https://cdn.example.net/a%5B1%5D.png");
  CHECK(resolve_url("https://x.org/a[1]/p", "img.png") == "https://x.org/a%5B1%5D/img.png");
  // A colon in the first segment of a path is no scheme ("café" is not one).
  CHECK(resolve_url(base, "café:menu.pdf") == "https://example.org/event/x/caf%C3%A9:menu.pdf");
  CHECK(resolve_url(base, "1x:y") == "https://example.org/event/x/1x:y");
}

TEST_CASE("url_host and is_safe_url", "[text][url]") {
  CHECK(url_host("https://Events.Example.org:8080/x?y") == "events.example.org");
  CHECK(url_host("http://localhost:8080/") == "localhost");
  CHECK(url_host("https://example.org") == "example.org");
  // RFC 3986 3.2.2: an IP-literal host is the bracketed address; user info is not the host.
  CHECK(url_host("http://[::1]:8080/") == "[::1]");
  CHECK(url_host("http://[2001:DB8::7]/calendar/") == "[2001:db8::7]");
  CHECK(url_host("https://user:pw@Example.org:8443/x") == "example.org");
  CHECK(url_host("https://活动.example/x") == "活动.example");  // a UID domain keeps its bytes
  CHECK(url_host("not a url") == "");
  // A site's baseURL written without a scheme still names its host.
  CHECK(url_host("example.org/events/") == "example.org");
  CHECK(url_host("Example.org:8080") == "example.org");
  // A name that decodes to a control, a space or a delimiter is no host.
  CHECK(url_host("https://a%0Ab.org/") == "");
  CHECK(url_host("https://a%2Fb.org/") == "");

  for (const char* ok : {"https://x.org", "http://x.org/a", "mailto:a@b.org", "webcal://x.org/c.ics", "tel:+861234",
                         "ftp://x.org/f", "relative/path", "/abs/path", "#frag", "?q=1", "HTTPS://X.ORG"})
    CHECK(is_safe_url(ok));
  for (const char* bad : {"javascript:alert(1)", "JavaScript:alert(1)", "  javascript:alert(1)",
                          "data:text/html,<b>x</b>", "vbscript:msgbox(1)", "file:///etc/passwd"})
    CHECK_FALSE(is_safe_url(bad));
}

TEST_CASE("slugify", "[text][slug]") {
  CHECK(slugify("Service Mesh 上海") == "service-mesh-上海");
  CHECK(slugify("  Hello,  World!! ") == "hello-world");
  CHECK(slugify("Cloud Native") == "cloud-native");
  CHECK(slugify("C++ & Go") == "c-go");
  CHECK(slugify("already-a-slug") == "already-a-slug");
  CHECK(slugify("") == "item");
  CHECK(slugify("---") == "item");
  CHECK(slugify("云原生") == "云原生");
}

TEST_CASE("html_escape", "[text][escape]") {
  CHECK(html_escape("<a href=\"x\">'&'</a>") == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  CHECK(html_escape("</title><script>alert(1)</script>") == "&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;");
  CHECK(html_escape("中文 🎉") == "中文 🎉");
  CHECK(html_escape("&amp;") == "&amp;amp;");
}

TEST_CASE("json_escape", "[text][escape]") {
  CHECK(json_escape("say \"hi\"\\") == "say \\\"hi\\\"\\\\");
  CHECK(json_escape("a\nb\rc\td") == "a\\nb\\rc\\td");
  CHECK(json_escape(std::string("\x01\x1f", 2)) == "\\u0001\\u001f");
  CHECK(json_escape(std::string("nul\0x", 5)) == "nul\\u0000x");
  // '<' is escaped so "</script>" can never close an embedding <script> element.
  CHECK(json_escape("</script>") == "\\u003c/script>");
  CHECK(json_escape("中文 🎉") == "中文 🎉");
  // What json_escape writes reads back as the original.
  std::string original = "q\"b\\n\n\x01<>中🎉";
  std::string text = "\"" + json_escape(original) + "\"";
  json j;
  REQUIRE_NOTHROW(j = json::parse(text));
  CHECK(j.get<std::string>() == original);
}

TEST_CASE("url_encode keeps RFC 3986 unreserved characters only", "[text][escape]") {
  CHECK(url_encode("a b/中") == "a%20b%2F%E4%B8%AD");
  CHECK(url_encode("AZaz09-_.~") == "AZaz09-_.~");
  CHECK(url_encode("webcal://x.org/c.ics?a=1&b") == "webcal%3A%2F%2Fx.org%2Fc.ics%3Fa%3D1%26b");
}

TEST_CASE("small string helpers", "[text]") {
  CHECK(trim("  \t x y \n") == "x y");
  CHECK(trim("") == "");
  CHECK(to_lower_ascii("ABC 中") == "abc 中");
  CHECK(iequals("Date", "dATE"));
  CHECK_FALSE(iequals("date", "dates"));
  CHECK(starts_with("abc", "ab"));
  CHECK_FALSE(starts_with("a", "ab"));
  CHECK(ends_with("x.md", ".md"));
  CHECK_FALSE(ends_with("md", ".md"));
  CHECK(split("a,,b", ',') == std::vector<std::string>{"a", "", "b"});
  CHECK(split("", ',') == std::vector<std::string>{""});
  std::string s = "aXbXc";
  replace_all(s, "X", "XX");
  CHECK(s == "aXXbXXc");
  replace_all(s, "", "never");
  CHECK(s == "aXXbXXc");
}

TEST_CASE("format_diagnostic", "[text][diagnostic]") {
  CHECK(format_diagnostic({"a.md", 3, 7, Severity::error, "bad"}) == "a.md:3:7: error: bad");
  CHECK(format_diagnostic({"a.md", 3, 0, Severity::warning, "hmm"}) == "a.md:3: warning: hmm");
  CHECK(format_diagnostic({"a.md", 0, 0, Severity::note, "fyi"}) == "a.md: note: fyi");
  Diagnostics d;
  d.add("x", 1, 1, Severity::warning, "w");
  CHECK_FALSE(d.has_errors());
  d.add("x", 1, 1, Severity::error, "e");
  CHECK(d.has_errors());
  CHECK(d.count(Severity::warning) == 1);
}
