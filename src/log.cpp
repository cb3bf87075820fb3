#include "evfeed/log.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <mutex>
#include <string>

namespace evfeed {

namespace {

std::mutex stderr_mutex;

// stderr is unbuffered: one write(2) per line keeps lines whole between threads and
// processes sharing the descriptor (systemd's journal, a terminal).
void write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // nowhere to report a failing log
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

struct AccessLog {
  std::mutex mutex;
  std::chrono::steady_clock::time_point last_flush = std::chrono::steady_clock::now();
};
AccessLog access;

}  // namespace

void log_line(std::string_view line) {
  std::string whole;
  whole.reserve(line.size() + 1);
  whole.append(line).push_back('\n');
  std::lock_guard<std::mutex> lock(stderr_mutex);
  std::fflush(stderr);  // anything written with stdio first stays first
  write_all(STDERR_FILENO, whole);
}

void log_diagnostic(const Diagnostic& d) { log_line(format_diagnostic(d)); }

void log_access(const AccessRecord& r) {
  std::string line;
  line.reserve(r.remote.size() + r.method.size() + r.target.size() + 32);
  line.append(r.remote).append(" \"").append(r.method).append(" ").append(r.target).append("\" ");
  line.append(std::to_string(r.status)).append(" ").append(std::to_string(r.bytes)).append(" ");
  line.append(std::to_string(r.duration.count())).append("us\n");
  std::lock_guard<std::mutex> lock(access.mutex);
  std::fwrite(line.data(), 1, line.size(), stdout);
  auto now = std::chrono::steady_clock::now();
  if (now - access.last_flush > std::chrono::seconds(1)) {
    std::fflush(stdout);
    access.last_flush = now;
  }
}

void flush_access_log() {
  std::lock_guard<std::mutex> lock(access.mutex);
  std::fflush(stdout);
}

}  // namespace evfeed
