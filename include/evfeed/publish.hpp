#pragma once
// Stage 5 (static): resources -> folder, safe under cron. Each file is written to a
// temporary file in its folder, flushed and renamed; unchanged files are not touched
// (mtime kept); files of vanished events are removed, but only those listed in the
// manifest of the previous run; a lock keeps two runs from interleaving.
#include <mutex>
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
// `durable`: flushed to disk before the rename, so that after a power loss the name holds
// the old bytes or the new ones; without, it may hold neither (for files that are checked
// when read, such as the parse cache).
bool write_file_atomic(const std::string& path, std::string_view bytes, bool* changed, Diagnostics& diags,
                       bool durable = true);
bool read_whole_file(const std::string& path, std::string& out);
// Removes the markers of a completed build (.evfeed-index, .evfeed-digest) and makes the
// removal durable; done before any output changes.
bool forget_completed_build(const std::string& out_dir, Diagnostics& diags);
// Every file the manifest lists exists (someone may have deleted outputs by hand).
bool outputs_present(const std::string& out_dir);

// One build's outputs on their way to the folder. `stage` (from any thread, as each output
// is rendered) writes the bytes to a temporary file beside the target unless the target
// already holds them; `commit` flushes everything with one syncfs, renames, removes the
// outputs of the previous build that this one did not stage, and writes the manifest.
// Without a commit, nothing visible changes: the destructor removes the temporaries.
class Publisher {
 public:
  explicit Publisher(std::string out_dir);
  ~Publisher();
  Publisher(const Publisher&) = delete;
  Publisher& operator=(const Publisher&) = delete;
  void stage(const Resource& r);  // the body, plus a .gz sibling where gzip_sibling_on_disk
  bool commit(PublishStats& stats, Diagnostics& diags);

 private:
  struct Staged {
    std::string rel, final_path, tmp;  // tmp empty: unchanged (or already renamed)
    bool ok = true;
  };
  std::string root_;
  std::mutex mutex_;
  std::vector<Staged> files_;
  Diagnostics diags_;
};

// Stages every resource with a Publisher and commits.
bool publish_resources(const std::string& out_dir, const std::vector<Resource>& resources, PublishStats& stats,
                       Diagnostics& diags);

}  // namespace evfeed
