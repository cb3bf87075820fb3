#pragma once
// Stage 5 (static): resources -> folder, safe under cron. Each file is written to a
// temporary file in its folder, flushed and renamed; unchanged files are not touched
// (mtime kept); files of vanished events are removed, but only those listed in the
// manifest of the previous run; a lock keeps two runs from interleaving. The manifest and
// the lock are files the caller names (build keeps them out of the published folder).
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

// Holds a lock file for its lifetime (flock, released by the kernel if the process dies).
// `acquire` creates the file and its folder, and waits up to timeout_seconds.
class OutputLock {
 public:
  OutputLock() = default;
  ~OutputLock();
  OutputLock(const OutputLock&) = delete;
  OutputLock& operator=(const OutputLock&) = delete;
  bool acquire(const std::string& lock_path, int timeout_seconds, Diagnostics& diags);

 private:
  int fd_ = -1;
};

// Every file the manifest lists exists under out_dir (someone may have deleted outputs by hand).
bool outputs_present(const std::string& out_dir, const std::string& manifest_path);

// One build's outputs on their way to the folder. `stage` (from any thread, as each output
// is rendered) writes the bytes to a temporary file beside the target unless the target
// already holds them; `commit` flushes everything with one syncfs, renames, removes the
// outputs of the previous build that this one did not stage, and writes the manifest.
// Without a commit, nothing visible changes: the destructor removes the temporaries.
class Publisher {
 public:
  Publisher(std::string out_dir, std::string manifest_path);
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
  std::string manifest_;
  std::mutex mutex_;
  std::vector<Staged> files_;
  Diagnostics diags_;
};

// Stages every resource with a Publisher and commits.
bool publish_resources(const std::string& out_dir, const std::string& manifest_path,
                       const std::vector<Resource>& resources, PublishStats& stats, Diagnostics& diags);

}  // namespace evfeed
