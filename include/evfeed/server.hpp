#pragma once
// `evfeed serve`: the snapshot server on Boost.Beast (src/server.cpp is the only
// translation unit that includes Beast).
#include <string>
#include <vector>

#include "evfeed/site.hpp"

namespace evfeed {

struct ServeOptions {
  std::vector<std::string> content_dirs;
  std::string config_path;
  SiteConfig site;
  std::string listen = "127.0.0.1:8080";
  unsigned threads = 0;
  int poll_ms = 500;
  size_t max_connections = 10000;
};

// Runs until SIGTERM/SIGINT; returns the process exit status.
int run_server(const ServeOptions& opts);

}  // namespace evfeed
