#pragma once
// Hugo shortcodes are template calls, not Markdown: the model removes them from a page body
// before anything reads it (end times found in the text, the Markdown renderers).
#include <string>
#include <string_view>

namespace evfeed {

// "{{< callout note >}}Hi{{< /callout >}}" -> "Hi"; also {{% %}} and {{</* */>}} forms.
std::string strip_shortcodes(std::string_view markdown);

}  // namespace evfeed
