#include "evfeed/shortcodes.hpp"

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

}  // namespace evfeed
