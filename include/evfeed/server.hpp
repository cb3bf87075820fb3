#pragma once
// `evfeed serve`: the snapshot server on Boost.Beast (src/server.cpp is the only
// translation unit that includes Beast).
#include "evfeed/live_site.hpp"

namespace evfeed {

// Runs until SIGTERM/SIGINT; returns the process exit status.
int run_server(const ServeOptions& opts);

}  // namespace evfeed
