#pragma once
// One diagnostic type for every stage: `path:line:col: error|warning: message`.
#include <string>
#include <vector>

namespace evfeed {

enum class Severity { note, warning, error };

struct Diagnostic {
  std::string path;
  int line = 0;    // 1-based; 0 when the problem concerns the whole file
  int column = 0;  // 1-based; 0 when unknown
  Severity severity = Severity::error;
  std::string message;
};

std::string format_diagnostic(const Diagnostic& d);

// `path` relative to `root` for showing to strangers (/healthz): "content/event/x.md",
// never the server's own folders. Paths outside the root show their file name only.
// Lexical: both in the same spelling (both absolute, or both relative to one folder).
std::string display_path(const std::string& path, const std::string& root);

// Collects diagnostics of one stage; cheap to pass by reference through pure functions.
struct Diagnostics {
  std::vector<Diagnostic> items;
  void add(std::string path, int line, int column, Severity s, std::string message) {
    items.push_back({std::move(path), line, column, s, std::move(message)});
  }
  bool has_errors() const;
  size_t count(Severity s) const;
};

}  // namespace evfeed
