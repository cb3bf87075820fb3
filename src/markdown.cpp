#include "evfeed/markdown.hpp"

#include <md4c-html.h>
#include <md4c.h>

#include <cctype>
#include <regex>
#include <vector>

#include "evfeed/text.hpp"

namespace evfeed {

namespace {

constexpr unsigned md_flags = MD_DIALECT_GITHUB | MD_FLAG_NOHTML;

void append_cb(const MD_CHAR* text, MD_SIZE size, void* userdata) {
  static_cast<std::string*>(userdata)->append(text, size);
}

// One entity ("&eacute;", "&#233;", "&#xE9;") as UTF-8, through md4c-html's own table of
// the 2,125 HTML5 names; unknown names stay as written.
std::string decode_entity(std::string_view entity) {
  if (entity == "&nbsp;") return " ";  // plain text wants a plain space
  const std::string input(entity);
  std::string html;
  md_html(input.data(), static_cast<MD_SIZE>(input.size()), append_cb, &html, 0, 0);
  if (html.size() < 8 || html.compare(0, 3, "<p>") != 0 || html.compare(html.size() - 5, 5, "</p>\n") != 0)
    return input;
  std::string text = html.substr(3, html.size() - 8);
  // md4c-html escapes what it decoded, and an unknown name as "&amp;name;".
  replace_all(text, "&lt;", "<");
  replace_all(text, "&gt;", ">");
  replace_all(text, "&quot;", "\"");
  replace_all(text, "&amp;", "&");
  return text;
}

// Attribute-free inline tags that are safe and common in abstracts ("R<sup>2</sup>",
// "<em>Nature</em>"). Raw HTML is otherwise shown as text; these render as the themes do.
bool is_inline_tag(std::string_view name) {
  static const char* const names[] = {"b",    "i", "em",  "strong", "sup", "sub",   "code", "kbd",
                                      "mark", "s", "del", "ins",    "u",   "small", "br"};
  for (const char* n : names)
    if (name == n) return true;
  return false;
}

struct InlineTag {
  size_t begin, end;  // the tag's bytes in the text
  std::string name;
  bool closing, void_tag;
};

// Finds "<name>", "</name>", "<br/>" in `text` where `lt`/`gt` spell the brackets ("<" in
// plain text, "&lt;" in md4c's escaped HTML). A real tag ('<' in HTML output) is a barrier:
// a pair never spans two paragraphs or a link.
std::vector<InlineTag> find_inline_tags(std::string_view text, std::string_view lt, std::string_view gt,
                                        bool html_barriers) {
  std::vector<InlineTag> tags;
  for (size_t i = 0; i < text.size(); ++i) {
    if (html_barriers && text[i] == '<') {
      tags.push_back({i, i, "", false, false});  // barrier
      continue;
    }
    if (text.compare(i, lt.size(), lt) != 0) continue;
    size_t p = i + lt.size();
    bool closing = p < text.size() && text[p] == '/';
    if (closing) ++p;
    size_t name_start = p;
    while (p < text.size() && std::isalpha(static_cast<unsigned char>(text[p]))) ++p;
    std::string name = to_lower_ascii(text.substr(name_start, p - name_start));
    bool self_closing = false;
    while (p < text.size() && text[p] == ' ') ++p;
    if (p < text.size() && text[p] == '/') self_closing = true, ++p;
    if (name.empty() || !is_inline_tag(name) || text.compare(p, gt.size(), gt) != 0) continue;
    if (self_closing && name != "br") continue;
    tags.push_back({i, p + gt.size(), name, closing, name == "br"});
    i = p + gt.size() - 1;
  }
  return tags;
}

// Replaces each matched pair (and each <br>) by `open(name)`/`close(name)`; unmatched
// tags stay as they were, so the output is always well nested.
template <typename Emit>
std::string apply_inline_tags(std::string_view text, const std::vector<InlineTag>& tags, Emit emit) {
  std::vector<int> partner(tags.size(), -1);
  std::vector<size_t> open;
  for (size_t k = 0; k < tags.size(); ++k) {
    const InlineTag& t = tags[k];
    if (t.name.empty()) {
      open.clear();
    } else if (t.void_tag) {
      partner[k] = static_cast<int>(k);
    } else if (!t.closing) {
      open.push_back(k);
    } else if (!open.empty() && tags[open.back()].name == t.name) {
      partner[k] = static_cast<int>(open.back());
      partner[open.back()] = static_cast<int>(k);
      open.pop_back();
    }
  }
  std::string out;
  out.reserve(text.size());
  size_t at = 0;
  for (size_t k = 0; k < tags.size(); ++k) {
    if (partner[k] < 0) continue;
    out.append(text, at, tags[k].begin - at);
    out += emit(tags[k]);
    at = tags[k].end;
  }
  out.append(text, at, std::string_view::npos);
  return out;
}

std::string html_tag(const InlineTag& t) { return "<" + std::string(t.closing ? "/" : "") + t.name + ">"; }

std::string render_inline_tags_html(const std::string& html) {
  if (html.find("&lt;") == std::string::npos) return html;
  // Escaped tags inside <code>/<pre> are what the author wrote as code: copied as they are,
  // the text between them gets its tags.
  std::string out;
  size_t at = 0;
  while (at < html.size()) {
    size_t start = std::min(html.find("<code>", at), html.find("<pre>", at));
    std::string plain = html.substr(at, start == std::string::npos ? std::string::npos : start - at);
    out += apply_inline_tags(plain, find_inline_tags(plain, "&lt;", "&gt;", true), html_tag);
    if (start == std::string::npos) break;
    std::string_view close = html.compare(start, 6, "<code>") == 0 ? "</code>" : "</pre>";
    size_t stop = html.find(close, start);
    stop = stop == std::string::npos ? html.size() : stop + close.size();
    out.append(html, start, stop - start);
    at = stop;
  }
  return out;
}

// md4c's GitHub dialect turns a URL written as a link's text into a second link inside the
// first ("[https://x](https://x)"): invalid HTML that feed validators flag. Keep the outer.
std::string drop_nested_links(const std::string& html) {
  if (html.find("<a href=") == std::string::npos) return html;
  std::string out;
  out.reserve(html.size());
  int depth = 0, dropped = 0;
  size_t i = 0;
  while (i < html.size()) {
    if (html.compare(i, 3, "<a ") == 0) {
      size_t end = html.find('>', i);
      if (end == std::string::npos) break;
      if (depth++ > 0) {
        ++dropped;
        i = end + 1;
        continue;
      }
    } else if (html.compare(i, 4, "</a>") == 0 && depth > 0) {
      --depth;
      if (dropped > 0 && depth > 0) {
        --dropped;
        i += 4;
        continue;
      }
    }
    out += html[i++];
  }
  out.append(html, i, std::string::npos);
  return out;
}

// md4c escapes attribute text, so href/src values are well delimited by double quotes.
std::string fix_urls(const std::string& html, std::string_view page_url) {
  std::string out;
  out.reserve(html.size() + 64);
  size_t i = 0;
  while (i < html.size()) {
    size_t h = html.find("href=\"", i);
    size_t s = html.find("src=\"", i);
    size_t at = std::min(h, s);
    if (at == std::string::npos) {
      out.append(html, i, std::string::npos);
      break;
    }
    size_t value_start = at + (at == h ? 6 : 5);
    size_t value_end = html.find('"', value_start);
    if (value_end == std::string::npos) {
      out.append(html, i, std::string::npos);
      break;
    }
    out.append(html, i, value_start - i);
    std::string url = html.substr(value_start, value_end - value_start);
    std::string raw = url;
    replace_all(raw, "&amp;", "&");
    if (!is_safe_url(raw)) {
      out += "#";
    } else {
      std::string abs = resolve_url(page_url, raw);
      out += html_escape(abs);
    }
    i = value_end;
  }
  return out;
}

// Plain-text renderer: collects text with block structure as blank lines and "- " items.
struct TextRenderer {
  std::string out;
  std::string page_url;
  std::vector<std::string> link_stack;  // href of open links
  std::vector<int> list_counters;       // 0 for bullet lists, n for ordered
  int in_image = 0;

  void block_break() {
    while (!out.empty() && out.back() == ' ') out.pop_back();
    if (out.empty()) return;
    if (out.size() >= 2 && out.compare(out.size() - 2, 2, "\n\n") == 0) return;
    out += out.back() == '\n' ? "\n" : "\n\n";
  }
  void line_break() {
    while (!out.empty() && out.back() == ' ') out.pop_back();
    if (!out.empty() && out.back() != '\n') out += '\n';
  }
};

std::string attr_text(const MD_ATTRIBUTE& a) { return std::string(a.text, a.size); }

int enter_block(MD_BLOCKTYPE type, void* detail, void* ud) {
  auto& r = *static_cast<TextRenderer*>(ud);
  switch (type) {
    case MD_BLOCK_UL:
      r.line_break();
      r.list_counters.push_back(0);
      break;
    case MD_BLOCK_OL:
      r.line_break();
      r.list_counters.push_back(static_cast<int>(static_cast<MD_BLOCK_OL_DETAIL*>(detail)->start));
      break;
    case MD_BLOCK_LI: {
      r.line_break();
      size_t depth = r.list_counters.size();
      r.out += std::string(depth > 1 ? (depth - 1) * 2 : 0, ' ');
      if (!r.list_counters.empty() && r.list_counters.back() > 0)
        r.out += std::to_string(r.list_counters.back()++) + ". ";
      else
        r.out += "- ";
      break;
    }
    case MD_BLOCK_TR: r.line_break(); break;
    case MD_BLOCK_TH:
    case MD_BLOCK_TD:
      if (!r.out.empty() && r.out.back() != '\n') r.out += " | ";
      break;
    case MD_BLOCK_HR:
      r.block_break();
      r.out += "----";
      r.block_break();
      break;
    default: break;
  }
  return 0;
}

int leave_block(MD_BLOCKTYPE type, void*, void* ud) {
  auto& r = *static_cast<TextRenderer*>(ud);
  switch (type) {
    case MD_BLOCK_UL:
    case MD_BLOCK_OL:
      if (!r.list_counters.empty()) r.list_counters.pop_back();
      if (r.list_counters.empty()) r.block_break();
      break;
    case MD_BLOCK_LI: r.line_break(); break;
    case MD_BLOCK_P:
      if (r.list_counters.empty())
        r.block_break();
      else
        r.line_break();
      break;
    case MD_BLOCK_H:
    case MD_BLOCK_CODE:
    case MD_BLOCK_QUOTE:
    case MD_BLOCK_TABLE: r.block_break(); break;
    default: break;
  }
  return 0;
}

int enter_span(MD_SPANTYPE type, void* detail, void* ud) {
  auto& r = *static_cast<TextRenderer*>(ud);
  if (type == MD_SPAN_A) {
    auto* d = static_cast<MD_SPAN_A_DETAIL*>(detail);
    r.link_stack.push_back(attr_text(d->href));
  } else if (type == MD_SPAN_IMG) {
    ++r.in_image;
  }
  return 0;
}

int leave_span(MD_SPANTYPE type, void*, void* ud) {
  auto& r = *static_cast<TextRenderer*>(ud);
  if (type == MD_SPAN_A && !r.link_stack.empty()) {
    std::string href = r.link_stack.back();
    r.link_stack.pop_back();
    if (!href.empty() && is_safe_url(href) && href[0] != '#') {
      std::string abs = resolve_url(r.page_url, href);
      // "https://x" written as a bare autolink already shows the URL.
      if (r.out.size() < abs.size() || r.out.compare(r.out.size() - abs.size(), abs.size(), abs) != 0)
        r.out += " (" + abs + ")";
    }
  } else if (type == MD_SPAN_IMG) {
    --r.in_image;
  }
  return 0;
}

int text_cb(MD_TEXTTYPE type, const MD_CHAR* text, MD_SIZE size, void* ud) {
  auto& r = *static_cast<TextRenderer*>(ud);
  switch (type) {
    case MD_TEXT_BR: r.out += '\n'; break;
    case MD_TEXT_SOFTBR: r.out += ' '; break;
    case MD_TEXT_NULLCHAR: break;
    case MD_TEXT_ENTITY: r.out += decode_entity(std::string_view(text, size)); break;
    default: r.out.append(text, size);
  }
  return 0;
}

}  // namespace

std::string markdown_to_html(std::string_view markdown, std::string_view page_url) {
  // md4c 0.4.8 can read the byte just past the input (found by fuzz_markdown): hand it a
  // std::string, whose data() is always followed by a NUL.
  const std::string input(markdown);
  std::string html;
  html.reserve(input.size() * 3 / 2);
  md_html(input.data(), static_cast<MD_SIZE>(input.size()), append_cb, &html, md_flags, 0);
  return render_inline_tags_html(drop_nested_links(fix_urls(html, page_url)));
}

std::string markdown_to_text(std::string_view markdown, std::string_view page_url) {
  TextRenderer r;
  r.page_url = std::string(page_url);
  MD_PARSER parser{};
  parser.abi_version = 0;
  parser.flags = md_flags;
  parser.enter_block = enter_block;
  parser.leave_block = leave_block;
  parser.enter_span = enter_span;
  parser.leave_span = leave_span;
  parser.text = text_cb;
  const std::string input(markdown);  // NUL after the end: see markdown_to_html
  md_parse(input.data(), static_cast<MD_SIZE>(input.size()), &parser, &r);
  std::string text = trim(r.out);
  if (text.find('<') == std::string::npos) return text;
  return apply_inline_tags(text, find_inline_tags(text, "<", ">", false),
                           [](const InlineTag& t) { return std::string(t.void_tag ? "\n" : ""); });
}

}  // namespace evfeed
