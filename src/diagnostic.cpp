#include "evfeed/diagnostic.hpp"

namespace evfeed {

std::string format_diagnostic(const Diagnostic& d) {
  std::string out = d.path;
  if (d.line > 0) {
    out += ':' + std::to_string(d.line);
    if (d.column > 0) out += ':' + std::to_string(d.column);
  }
  out += d.severity == Severity::error ? ": error: " : d.severity == Severity::warning ? ": warning: " : ": note: ";
  out += d.message;
  return out;
}

bool Diagnostics::has_errors() const { return count(Severity::error) > 0; }

size_t Diagnostics::count(Severity s) const {
  size_t n = 0;
  for (const auto& d : items) n += d.severity == s;
  return n;
}

}  // namespace evfeed
