#include "evfeed/diagnostic.hpp"

#include <filesystem>

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

std::string display_path(const std::string& path, const std::string& root) {
  std::filesystem::path p = std::filesystem::path(path).lexically_normal();
  if (!root.empty()) {
    std::filesystem::path rel = p.lexically_relative(std::filesystem::path(root).lexically_normal());
    if (!rel.empty() && *rel.begin() != "..") return rel == "." ? std::string(".") : rel.string();
  }
  return p.filename().string();
}

bool Diagnostics::has_errors() const { return count(Severity::error) > 0; }

size_t Diagnostics::count(Severity s) const {
  size_t n = 0;
  for (const auto& d : items) n += d.severity == s;
  return n;
}

}  // namespace evfeed
