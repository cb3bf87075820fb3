#pragma once
// The one way evfeed spreads work over the cores: plain threads, this one included, joined
// before returning (every stage is a pure function of its input; no pool outlives a call).
#include <cstddef>
#include <functional>

namespace evfeed {

// Runs `worker` on `threads` threads at once (0: one per core), this one among them, and
// returns when every one has returned.
void run_workers(unsigned threads, const std::function<void()>& worker);

// Calls body(i) once for every i in [0, count), spread over `threads` threads (0: one per
// core; never more threads than items), in no particular order.
void parallel_for(std::size_t count, unsigned threads, const std::function<void(std::size_t)>& body);

}  // namespace evfeed
