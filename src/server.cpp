#include "evfeed/server.hpp"
#include <iostream>
namespace evfeed {
int run_server(const ServeOptions&) { std::cerr << "serve: not built yet\n"; return 2; }
}
