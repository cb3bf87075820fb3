// fuzz_markdown: strip_shortcodes, markdown_to_html and markdown_to_text.
//
// The pipeline cleans every body with clean_utf8 before it reaches these functions, so
// the strict checks run on the cleaned input; the raw input is also rendered (memory
// safety only: md4c passes invalid UTF-8 through).
//
// Invariants on the HTML: no <script (nor other active elements), no event-handler
// attributes, every href/src is a safe scheme once entities and whitespace are undone,
// valid UTF-8. On the text: valid UTF-8, no NUL.
#include <exception>

#include "evfeed/markdown.hpp"
#include "evfeed/shortcodes.hpp"
#include "fuzz_common.hpp"

using namespace evfeed;

namespace {

// Decodes the few entities an attribute value may use, then drops what browsers ignore
// inside a scheme (ASCII whitespace and controls).
std::string attribute_as_browser_sees_it(std::string_view v) {
  std::string decoded;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '&') {
      size_t semi = v.find(';', i);
      if (semi != std::string_view::npos && semi - i <= 10) {
        std::string ent(v.substr(i + 1, semi - i - 1));
        long cp = -1;
        if (ent == "amp")
          cp = '&';
        else if (ent == "lt")
          cp = '<';
        else if (ent == "gt")
          cp = '>';
        else if (ent == "quot")
          cp = '"';
        else if (ent == "colon")
          cp = ':';
        else if (ent == "Tab")
          cp = '\t';
        else if (ent == "NewLine")
          cp = '\n';
        else if (!ent.empty() && ent[0] == '#') {
          try {
            cp = (ent.size() > 1 && (ent[1] == 'x' || ent[1] == 'X')) ? std::stol(ent.substr(2), nullptr, 16)
                                                                      : std::stol(ent.substr(1));
          } catch (const std::exception&) {
            cp = -1;
          }
        }
        if (cp >= 0 && cp < 0x80) {
          decoded += static_cast<char>(cp);
          i = semi;
          continue;
        }
      }
    }
    decoded += v[i];
  }
  std::string out;
  for (unsigned char c : decoded)
    if (c > 0x20 && c != 0x7f) out += static_cast<char>(std::tolower(c));
  return out;
}

void check_html(const std::string& html, std::string_view input) {
  for (const char* bad : {"<script", "<iframe", "<object", "<embed", "<style", "<svg", "<math", "<form", "<base",
                          "<meta", "<link", "<frame", "<textarea", "<noscript", "<template"})
    FUZZ_CHECK(!fuzz::icontains(html, bad), "HTML contains %s for input '%s':\n%s", bad, fuzz::show(input).c_str(),
               fuzz::show(html, 2000).c_str());
  // Attributes: md4c writes name="value" with the value escaped; look at every one.
  for (size_t i = 0, next = 0; (i = html.find("=\"", next)) != std::string::npos;) {
    next = i + 2;
    size_t name_start = i;
    while (name_start > 0 && std::isalpha(static_cast<unsigned char>(html[name_start - 1]))) --name_start;
    std::string name = fuzz::show(std::string_view(html).substr(name_start, i - name_start));
    // Only inside a tag: the last '<' before must come after the last '>'.
    size_t lt = html.rfind('<', i), gt = html.rfind('>', i);
    if (lt == std::string::npos || (gt != std::string::npos && gt > lt)) continue;
    size_t end = html.find('"', i + 2);
    FUZZ_CHECK(end != std::string::npos, "unterminated attribute %s", name.c_str());
    next = end + 1;  // the value may itself contain '=' followed by the closing quote
    std::string value = attribute_as_browser_sees_it(std::string_view(html).substr(i + 2, end - i - 2));
    FUZZ_CHECK(!(name.size() > 2 && (name[0] == 'o' || name[0] == 'O') && (name[1] == 'n' || name[1] == 'N')),
               "event handler attribute %s in:\n%s", name.c_str(), fuzz::show(html, 2000).c_str());
    if (name == "href" || name == "src") {
      for (const char* scheme : {"javascript:", "vbscript:", "data:", "file:"})
        FUZZ_CHECK(value.compare(0, std::string(scheme).size(), scheme) != 0, "unsafe %s=\"%s\" for input '%s'",
                   name.c_str(), value.c_str(), fuzz::show(input).c_str());
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 256 * 1024) return 0;
  std::string_view raw = fuzz::as_text(data, size);
  static const std::string page_url = "https://events.example.org/event/fuzz/";
  {  // exceptions are not caught: one escaping is a crash (std::terminate) with its throw site
    // Raw bytes (no clean_utf8): memory safety only. Held in a std::string as every caller
    // does: md4c 0.4.8 reads text[size], which must be the string's NUL (see
    // regressions/README.md, md4c-0.4.8-reads-text-at-size).
    const std::string raw_text(raw);
    (void)markdown_to_html(raw_text, page_url);
    (void)markdown_to_text(raw_text, page_url);

    // As the pipeline does it: clean, strip shortcodes, render.
    std::string body = clean_utf8(raw);
    std::string md = strip_shortcodes(body);
    FUZZ_CHECK(is_valid_utf8(md), "strip_shortcodes broke UTF-8");
    FUZZ_CHECK(md.size() <= body.size(), "strip_shortcodes made the text longer");
    std::string html = markdown_to_html(md, page_url);
    FUZZ_CHECK(is_valid_utf8(html), "HTML is not valid UTF-8 for input '%s':\n%s", fuzz::show(md).c_str(),
               fuzz::show(html, 2000).c_str());
    FUZZ_CHECK(html.find('\0') == std::string::npos, "NUL in HTML");
    check_html(html, md);
    std::string text = markdown_to_text(md, page_url);
    FUZZ_CHECK(is_valid_utf8(text), "text is not valid UTF-8 for input '%s':\n%s", fuzz::show(md).c_str(),
               fuzz::show(text, 2000).c_str());
    FUZZ_CHECK(text.find('\0') == std::string::npos, "NUL in text");

    // The sponsor field is rendered the same way, with another base.
    (void)markdown_to_text(md, "https://events.example.org/");
  }
  return 0;
}
