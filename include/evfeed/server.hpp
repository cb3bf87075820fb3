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
  SiteConfig site;             // config file + flags, as validated at start
  std::string flag_timezone;   // flags re-applied when the config file is reloaded
  std::string flag_base_url;
  bool access_log = true;
  std::string listen = "127.0.0.1:8080";
  unsigned threads = 0;
  int poll_ms = 500;
  size_t max_connections = 10000;
};

// Runs until SIGTERM/SIGINT; returns the process exit status.
int run_server(const ServeOptions& opts);

}  // namespace evfeed
