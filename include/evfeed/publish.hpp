#pragma once
// Stage 5 (static): resources -> folder, safe under cron. Each file is written to a
// temporary file in its folder, flushed and renamed; unchanged files are not touched
// (mtime kept); files of vanished events are removed, but only those listed in the
// manifest of the previous run; a lock keeps two runs from interleaving.
#include <string>
#include <vector>

#include "evfeed/diagnostic.hpp"
#include "evfeed/resources.hpp"

namespace evfeed {

struct PublishStats {
  size_t written = 0;
  size_t unchanged = 0;
  size_t removed = 0;
};

constexpr const char* manifest_name = ".evfeed-manifest";
constexpr const char* state_name = ".evfeed-state";
constexpr const char* lock_name = ".evfeed.lock";
constexpr const char* cache_name = ".evfeed-cache";
constexpr const char* digest_name = ".evfeed-digest";
constexpr const char* index_name = ".evfeed-index";

// Holds the output folder's lock for its lifetime (flock, released by the kernel if the
// process dies). `acquire` waits up to timeout_seconds.
class OutputLock {
 public:
  OutputLock() = default;
  ~OutputLock();
  OutputLock(const OutputLock&) = delete;
  OutputLock& operator=(const OutputLock&) = delete;
  bool acquire(const std::string& out_dir, int timeout_seconds, Diagnostics& diags);

 private:
  int fd_ = -1;
};

// Writes `bytes` to `path` atomically unless the file already holds exactly them.
// Returns false on I/O errors (reported in diags); *changed says whether it wrote.
bool write_file_atomic(const std::string& path, std::string_view bytes, bool* changed, Diagnostics& diags);
bool read_whole_file(const std::string& path, std::string& out);
// Removes the markers of a completed build (.evfeed-index, .evfeed-digest) and makes the
// removal durable; done before any output changes.
bool forget_completed_build(const std::string& out_dir, Diagnostics& diags);
// Every file the manifest lists exists (someone may have deleted outputs by hand).
bool outputs_present(const std::string& out_dir);

// Writes every resource (plus a .gz sibling where gzip_sibling_on_disk) and the manifest, removes stale outputs.
bool publish_resources(const std::string& out_dir, const std::vector<Resource>& resources, PublishStats& stats,
                       Diagnostics& diags);

}  // namespace evfeed
