// log.hpp: whole lines on stderr from many threads, the access log's line format on stdout.
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <iostream>
#include <set>
#include <thread>

#include "evfeed/log.hpp"
#include "test_support.hpp"

using namespace evfeed;
using namespace evtest;

namespace {

// Runs `body` in a child process whose stdout and stderr are pipes; returns what each got.
std::pair<std::string, std::string> captured(const std::function<void()>& body) {
  int out[2], err[2];
  REQUIRE(::pipe(out) == 0);
  REQUIRE(::pipe(err) == 0);
  std::cout.flush();
  std::fflush(nullptr);  // the child must not write out what this process had buffered
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::dup2(out[1], STDOUT_FILENO);
    ::dup2(err[1], STDERR_FILENO);
    ::close(out[0]);
    ::close(err[0]);
    body();
    ::_exit(0);  // no flush here: what reaches the parent was written by the code under test
  }
  ::close(out[1]);
  ::close(err[1]);
  auto drain = [](int fd) {
    std::string s;
    char buf[65536];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) s.append(buf, static_cast<size_t>(n));
    ::close(fd);
    return s;
  };
  std::string err_text;
  std::thread err_reader([&] { err_text = drain(err[0]); });
  std::string out_text = drain(out[0]);
  err_reader.join();
  int status = 0;
  ::waitpid(pid, &status, 0);
  CHECK(WIFEXITED(status));
  return {out_text, err_text};
}

}  // namespace

TEST_CASE("log_line keeps every line whole when threads log at once", "[log]") {
  auto [out, err] = captured([] {
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([t] {
        // Over PIPE_BUF (4096 bytes): the kernel may interleave such writes to a pipe.
        for (int i = 0; i < 500; ++i)
          log_line("thread " + std::to_string(t) + " line " + std::to_string(i) + " " +
                   std::string(6000, static_cast<char>('a' + t)));
      });
    for (auto& th : threads) th.join();
  });
  CHECK(out.empty());
  std::set<std::string> lines;
  std::istringstream in(err);
  for (std::string l; std::getline(in, l);) {
    char tag = l.empty() ? '?' : l.back();
    REQUIRE(l.size() > 6000);
    CHECK(l.find_first_not_of(std::string(1, tag), l.size() - 6000) == std::string::npos);
    lines.insert(l.substr(0, l.size() - 6001));
  }
  CHECK(lines.size() == 2000);
}

TEST_CASE("log_diagnostic and log_access write the formats people and log tools read", "[log]") {
  auto [out, err] = captured([] {
    log_diagnostic({"content/event/a.md", 3, 7, Severity::error, "date does not parse"});
    log_access({"203.0.113.9", "GET", "/calendar.ics?topic=go", 200, 51234, std::chrono::microseconds{1234}});
    log_access({"::1", "HEAD", "/", 304, 0, std::chrono::microseconds{0}});
    flush_access_log();
  });
  CHECK(err == format_diagnostic({"content/event/a.md", 3, 7, Severity::error, "date does not parse"}) + "\n");
  CHECK(out ==
        "203.0.113.9 \"GET /calendar.ics?topic=go\" 200 51234 1234us\n"
        "::1 \"HEAD /\" 304 0 0us\n");
}
