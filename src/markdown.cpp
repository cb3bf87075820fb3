#include "evfeed/markdown.hpp"

#include <md4c-html.h>
#include <md4c.h>

#include <regex>

#include "evfeed/text.hpp"

namespace evfeed {

std::string strip_shortcodes(std::string_view markdown) {
  // Hugo shortcodes: {{< name args >}}, {{< /name >}}, {{% ... %}}, and the escaped
  // {{</* ... */>}} form. The markers go; what sits between an open and close stays.
  std::string out;
  out.reserve(markdown.size());
  size_t i = 0;
  while (i < markdown.size()) {
    if (markdown.compare(i, 3, "{{<") == 0 || markdown.compare(i, 3, "{{%") == 0) {
      char kind = markdown[i + 2];
      std::string close = std::string(1, kind == '<' ? '>' : '%') + "}}";
      size_t end = markdown.find(close, i + 3);
      if (end != std::string_view::npos && end - i < 2000) {
        i = end + close.size();
        continue;
      }
    }
    out += markdown[i++];
  }
  return out;
}

namespace {

constexpr unsigned md_flags = MD_DIALECT_GITHUB | MD_FLAG_NOHTML;

void append_cb(const MD_CHAR* text, MD_SIZE size, void* userdata) {
  static_cast<std::string*>(userdata)->append(text, size);
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
    case MD_TEXT_ENTITY: {
      std::string ent(text, size);
      if (ent == "&amp;")
        r.out += '&';
      else if (ent == "&lt;")
        r.out += '<';
      else if (ent == "&gt;")
        r.out += '>';
      else if (ent == "&quot;")
        r.out += '"';
      else if (ent == "&nbsp;")
        r.out += ' ';
      else
        r.out += ent;
      break;
    }
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
  return fix_urls(html, page_url);
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
  return trim(r.out);
}

}  // namespace evfeed
