// shortcodes.hpp: Hugo shortcode markers removed from page bodies, their inner text kept.
#include "test_support.hpp"

#include "evfeed/shortcodes.hpp"

using namespace evfeed;
using namespace evtest;

TEST_CASE("strip_shortcodes keeps the inner text", "[shortcodes]") {
  CHECK(strip_shortcodes("{{< callout note >}}Hi{{< /callout >}}") == "Hi");
  CHECK(strip_shortcodes("a {{% notice info %}}b{{% /notice %}} c") == "a b c");
  CHECK(strip_shortcodes("before {{</* figure src=\"x\" */>}} after") == "before  after");
  CHECK(strip_shortcodes("{{< youtube id=\"abc\" >}}\n\nText") == "\n\nText");
  CHECK(strip_shortcodes("unclosed {{< oops and more") == "unclosed {{< oops and more");
  CHECK(strip_shortcodes("no shortcodes {here} {{ .Title }}") == "no shortcodes {here} {{ .Title }}");
  CHECK(strip_shortcodes("") == "");
  // A marker is at most 2000 bytes long: a stray "{{<" does not swallow the page.
  std::string long_text = "{{< " + std::string(3000, 'x') + " >}}";
  CHECK(strip_shortcodes(long_text) == long_text);
}

TEST_CASE("shortcodes never reach the output of a built event", "[shortcodes]") {
  Event e = event_from(
      "---\ntitle: t\ndate: 2019-11-24T13:00:00+08:00\n---\n{{< figure src=\"/a.png\" >}}\n\n"
      "{{% callout note %}}Bring a laptop{{% /callout %}}\n");
  CHECK(e.body_markdown.find("{{") == std::string::npos);
  CHECK_THAT(e.body_markdown, Catch::Contains("Bring a laptop"));
}
