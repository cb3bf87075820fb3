#pragma once
// Markdown bodies -> sanitised HTML (md4c, GitHub dialect) and -> plain text.
#include <string>
#include <string_view>

namespace evfeed {

// Raw HTML in the Markdown is escaped (never passed through), links with unsafe schemes
// (javascript:, data:) are dropped, and relative href/src are resolved against page_url.
std::string markdown_to_html(std::string_view markdown, std::string_view page_url);

// Plain text for iCalendar DESCRIPTION: paragraphs separated by blank lines, list items
// as "- ", links as "text (absolute-url)", images as their alt text.
std::string markdown_to_text(std::string_view markdown, std::string_view page_url);

}  // namespace evfeed
