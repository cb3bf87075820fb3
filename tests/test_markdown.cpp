// markdown.hpp: sanitised HTML, plain text, absolute links.
#include "test_support.hpp"

#include "evfeed/markdown.hpp"

using namespace evfeed;
using namespace evtest;

static const std::string PAGE = "https://events.example.org/event/meetup-08/";

TEST_CASE("raw HTML is escaped, never passed through", "[markdown][security]") {
  std::string html = markdown_to_html(
      "Hello <script>alert(1)</script>\n\n<script>\nalert(2)\n</script>\n\n"
      "<img src=x onerror=alert(3)>\n\n<iframe src=\"https://evil.example\"></iframe>\n\n"
      "<a href=\"javascript:alert(4)\">x</a>\n",
      PAGE);
  INFO(html);
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("<img") == std::string::npos);
  CHECK(html.find("<iframe") == std::string::npos);
  CHECK(html.find("<a href=\"javascript") == std::string::npos);
  CHECK_THAT(html, Catch::Contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
  CHECK_THAT(html, Catch::Contains("&lt;img src=x onerror=alert(3)&gt;"));
}

TEST_CASE("links with unsafe schemes are neutralised", "[markdown][security]") {
  for (const char* md : {"[click](javascript:alert(1))", "[click](JavaScript:alert(1))",
                         "[click](javascript:alert%281%29)", "<javascript:alert(1)>", "[click](vbscript:msgbox(1))",
                         "![pic](data:text/html;base64,PHNjcmlwdD4=)", "[click][ref]\n\n[ref]: javascript:alert(1)"}) {
    std::string html = markdown_to_html(md, PAGE);
    INFO(md << "\n -> " << html);
    std::string lower = to_lower_ascii(html);
    CHECK(lower.find("href=\"javascript") == std::string::npos);
    CHECK(lower.find("href=\"vbscript") == std::string::npos);
    CHECK(lower.find("src=\"data:") == std::string::npos);
    bool neutral = html.find("href=\"#\"") != std::string::npos || html.find("src=\"#\"") != std::string::npos;
    CHECK(neutral);
  }
}

TEST_CASE("entity-encoded schemes do not sneak past the link check", "[markdown][security]") {
  for (const char* md :
       {"[a](java&#115;cript:alert(1))", "[a](javascript&#58;alert(1))", "[a](&#106;avascript:alert(1))",
        "[a](java%73cript:alert(1))", "[a](<javascript:alert(1)>)", "[a]( javascript:alert(1) )"}) {
    std::string html = markdown_to_html(md, PAGE);
    INFO(md << "\n -> " << html);
    // Decode the character references a browser would, then look at the scheme.
    std::string decoded;
    for (size_t i = 0; i < html.size(); ++i) {
      if (html[i] == '&' && i + 2 < html.size() && html[i + 1] == '#') {
        size_t semi = html.find(';', i);
        bool hex = html[i + 2] == 'x' || html[i + 2] == 'X';
        decoded += static_cast<char>(
            std::stoi(html.substr(i + (hex ? 3 : 2), semi - i - (hex ? 3 : 2)), nullptr, hex ? 16 : 10));
        i = semi;
      } else {
        decoded += html[i];
      }
    }
    CHECK(to_lower_ascii(decoded).find("href=\"javascript") == std::string::npos);
  }
}

TEST_CASE("relative links and images become absolute", "[markdown][links]") {
  std::string html = markdown_to_html(
      "[slides](slides.pdf) [up](../other/) [root](/about/) [anchor](#agenda) [ext](https://x.org/?a=1&b=2) "
      "[mail](mailto:team@example.org)\n\n![photo](/images/a.jpg) ![cdn](//cdn.example.net/b.png)\n",
      PAGE);
  INFO(html);
  CHECK_THAT(html, Catch::Contains("href=\"https://events.example.org/event/meetup-08/slides.pdf\""));
  CHECK_THAT(html, Catch::Contains("href=\"https://events.example.org/event/other/\""));
  CHECK_THAT(html, Catch::Contains("href=\"https://events.example.org/about/\""));
  CHECK_THAT(html, Catch::Contains("href=\"https://events.example.org/event/meetup-08/#agenda\""));
  CHECK_THAT(html, Catch::Contains("href=\"https://x.org/?a=1&amp;b=2\""));
  CHECK_THAT(html, Catch::Contains("href=\"mailto:team@example.org\""));
  CHECK_THAT(html, Catch::Contains("src=\"https://events.example.org/images/a.jpg\""));
  CHECK_THAT(html, Catch::Contains("src=\"https://cdn.example.net/b.png\""));
}

TEST_CASE("GitHub dialect renders tables, autolinks and strikethrough", "[markdown]") {
  std::string html = markdown_to_html(
      "## 活动介绍\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nSee https://servicemesher.com now.\n\n~~删除线~~\n", PAGE);
  INFO(html);
  CHECK_THAT(html, Catch::Contains("<h2>活动介绍</h2>"));
  CHECK_THAT(html, Catch::Contains("<table>"));
  CHECK_THAT(html, Catch::Contains("<a href=\"https://servicemesher.com\">"));
  CHECK_THAT(html, Catch::Contains("<del>删除线</del>"));
}

TEST_CASE("text that looks like an attribute is not rewritten", "[markdown][links]") {
  std::string html = markdown_to_html("Write `href=\"javascript:x\"` or src=\"y\" in prose.\n", PAGE);
  INFO(html);
  CHECK(html.find("href=\"#\"") == std::string::npos);
  CHECK_THAT(html, Catch::Contains("href=&quot;javascript:x&quot;"));
}

TEST_CASE("markdown_to_text: plain text for iCalendar", "[markdown][text]") {
  std::string text = markdown_to_text(
      "# Title\n\nPara one\nline two.\n\n- apples\n- pears\n\n1. first\n2. second\n\n"
      "See [the slides](slides.pdf) and ![a photo](/i.png).\n\nVisit https://x.org today.\n\n"
      "Tom &amp; Jerry &lt;3\n",
      PAGE);
  CHECK(text ==
        "Title\n\n"
        "Para one line two.\n\n"
        "- apples\n- pears\n\n"
        "1. first\n2. second\n\n"
        "See the slides (https://events.example.org/event/meetup-08/slides.pdf) and a photo.\n\n"
        "Visit https://x.org today.\n\n"
        "Tom & Jerry <3");
}

TEST_CASE("markdown_to_text: nested lists, tables and unsafe links", "[markdown][text]") {
  std::string text = markdown_to_text(
      "- outer\n  - inner\n- next\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n[bad](javascript:alert(1)) [top](#top)\n",
      PAGE);
  INFO(text);
  CHECK_THAT(text, Catch::Contains("- outer\n  - inner\n- next"));
  CHECK_THAT(text, Catch::Contains("a | b"));
  CHECK_THAT(text, Catch::Contains("1 | 2"));
  CHECK(text.find("javascript") == std::string::npos);
  CHECK(text.find("(#top)") == std::string::npos);
  CHECK_THAT(text, Catch::EndsWith("bad top"));
}

TEST_CASE("markdown_to_text keeps raw HTML as visible text, except harmless inline tags", "[markdown][text]") {
  CHECK(markdown_to_text("Hello <script>x()</script> <div class=a>y</div>\n", PAGE) ==
        "Hello <script>x()</script> <div class=a>y</div>");
  CHECK(markdown_to_text("Hello <b>world</b>, R<sup>2</sup>=0.78, H<SUB>2</SUB>O\n", PAGE) ==
        "Hello world, R2=0.78, H2O");
  CHECK(markdown_to_text("line<br>two <br/>three", PAGE) == "line\ntwo \nthree");
  CHECK(markdown_to_text("unclosed <b>bold and </i>stray", PAGE) == "unclosed <b>bold and </i>stray");
  CHECK(markdown_to_text("", PAGE).empty());
}

TEST_CASE("markdown_to_html renders attribute-free inline tags, balanced, outside code", "[markdown][security]") {
  std::string html = markdown_to_html("R<sup>2</sup>=0.78 in <em>Nature</em>, <b>open and `<sup>code</sup>`\n", PAGE);
  INFO(html);
  CHECK_THAT(html, Catch::Contains("R<sup>2</sup>=0.78 in <em>Nature</em>"));
  CHECK_THAT(html, Catch::Contains("&lt;b&gt;open"));  // unmatched: stays text
  CHECK_THAT(html, Catch::Contains("<code>&lt;sup&gt;code&lt;/sup&gt;</code>"));
  // Attributes, event handlers and pairs across paragraphs never become tags.
  for (const char* md : {"<b onclick=x()>a</b>", "<sup style=x>a</sup>", "<b>one\n\ntwo</b>", "<b><i>x</b></i>"}) {
    std::string h = markdown_to_html(md, PAGE);
    INFO(md << " -> " << h);
    CHECK(h.find("onclick=x()>") == std::string::npos);
    CHECK(h.find("<sup style") == std::string::npos);
    CHECK(count_of(h, "<b>") == count_of(h, "</b>"));
    CHECK(count_of(h, "<i>") == count_of(h, "</i>"));
  }
}

TEST_CASE("markdown_to_text decodes every HTML5 named and numeric entity", "[markdown][text]") {
  CHECK(markdown_to_text("Caf&eacute; &#233; &#xE9; &amp; &lt;&gt; &quot;q&quot; &copy; &hellip; &nbsp;x", PAGE) ==
        "Caf\u00e9 \u00e9 \u00e9 & <> \"q\" \u00a9 \u2026  x");
  CHECK(markdown_to_text("&notanentity; &#0; &#x110000;", PAGE) == "&notanentity; \ufffd \ufffd");
}

TEST_CASE("a URL written as a link's text is not a link inside a link", "[markdown][links]") {
  for (const char* md : {"[https://x.example/a](https://x.example/a)", "[see www.x.example](https://x.example/)",
                         "[mail me@x.example](https://x.example/)"}) {
    std::string html = markdown_to_html(md, PAGE);
    INFO(md << " -> " << html);
    CHECK(count_of(html, "<a ") == 1);
    CHECK(count_of(html, "</a>") == 1);
  }
  CHECK(markdown_to_text("[https://x.example/a](https://x.example/a)", PAGE) == "https://x.example/a");
}
