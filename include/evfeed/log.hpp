#pragma once
// Where evfeed's messages go. People read stderr: build and reload summaries, warnings and
// errors, one whole line per call even when several threads log at once. Machines read the
// access log on stdout: one line per request, buffered and flushed at most once a second
// (and by flush_access_log at shutdown), so that logging costs no system call per request.
#include <chrono>
#include <cstddef>
#include <string_view>

#include "evfeed/diagnostic.hpp"

namespace evfeed {

// Writes `line` and a newline to stderr as one write.
void log_line(std::string_view line);
// "file:line:col: severity: message" (format_diagnostic) as one line.
void log_diagnostic(const Diagnostic& d);

// One request: `remote "METHOD target" status bytes NNNus`.
struct AccessRecord {
  std::string_view remote, method, target;
  int status = 0;
  std::size_t bytes = 0;
  std::chrono::microseconds duration{0};
};
void log_access(const AccessRecord& r);
void flush_access_log();

}  // namespace evfeed
