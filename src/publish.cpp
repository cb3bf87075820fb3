#include "evfeed/publish.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "evfeed/fsutil.hpp"
#include "evfeed/parallel.hpp"
#include "evfeed/text.hpp"

namespace fs = std::filesystem;

namespace evfeed {

OutputLock::~OutputLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

bool OutputLock::acquire(const std::string& path, int timeout_seconds, Diagnostics& diags) {
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  // 0666 and the umask: a build running as another (dynamic) user must still be able to lock.
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (fd_ < 0) {
    diags.add(path, 0, 0, Severity::error, std::string("cannot open the lock file: ") + std::strerror(errno));
    return false;
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  while (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    if (std::chrono::steady_clock::now() >= deadline) {
      diags.add(path, 0, 0, Severity::error,
                "another evfeed build holds " + path + " (waited " + std::to_string(timeout_seconds) +
                    " s); if none is running, the lock is stale only while that process lives");
      ::close(fd_);
      fd_ = -1;
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return true;
}

bool outputs_present(const std::string& out_dir, const std::string& manifest_path) {
  std::string manifest;
  if (!read_whole_file(manifest_path, manifest)) return false;
  std::istringstream in(manifest);
  std::string rel;
  std::error_code ec;
  while (std::getline(in, rel))
    if (!rel.empty() && rel[0] != '#' && !fs::is_regular_file(fs::path(out_dir) / rel, ec)) return false;
  return true;
}

namespace {

// A build killed mid-write leaves ".name.tmp.PID" files; the next build (holding the lock,
// so no other build is writing) removes them.
void remove_stale_temporaries(const fs::path& root) {
  std::error_code ec;
  fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec), end;
  std::vector<fs::path> stale;
  for (; !ec && it != end; it.increment(ec)) {
    if (is_stale_temporary_name(it->path().filename().string()) && it->is_regular_file(ec)) stale.push_back(it->path());
  }
  for (const auto& p : stale) fs::remove(p, ec);
}

}  // namespace

Publisher::Publisher(std::string out_dir, std::string manifest_path)
    : root_(std::move(out_dir)), manifest_(std::move(manifest_path)) {
  remove_stale_temporaries(root_);
}

Publisher::~Publisher() {
  for (const auto& f : files_)
    if (!f.tmp.empty()) ::unlink(f.tmp.c_str());  // never committed: leave the old outputs as they were
}

void Publisher::stage(const Resource& r) {
  for (int gz = 0; gz < 2; ++gz) {
    if (gz && !gzip_sibling_on_disk(r.path)) continue;
    Staged f;
    f.rel = gz ? r.path + ".gz" : r.path;
    f.final_path = (fs::path(root_) / f.rel).string();
    Diagnostics d;
    f.ok = stage_file(f.final_path, gz ? std::string_view(r.gzip) : std::string_view(r.body), &f.tmp, false, d);
    std::lock_guard<std::mutex> lock(mutex_);
    files_.push_back(std::move(f));
    for (auto& x : d.items) diags_.items.push_back(std::move(x));
  }
}

bool Publisher::commit(PublishStats& stats, Diagnostics& diags) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& x : diags_.items) diags.items.push_back(std::move(x));
  diags_.items.clear();
  fs::path root(root_);
  std::set<std::string> now;
  bool ok = true;
  std::vector<Staged*> staged;
  for (auto& f : files_) {
    if (!f.ok) {
      ok = false;
      continue;
    }
    now.insert(f.rel);
    if (f.tmp.empty())
      ++stats.unchanged;
    else
      staged.push_back(&f);
  }
  // Every changed file is staged: flush them all with one syncfs, then rename, so each name
  // always points at complete bytes (old or new), and 20,000 fsyncs become one.
  if (!staged.empty()) {
    int dir_fd = ::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    bool synced = dir_fd >= 0 && ::syncfs(dir_fd) == 0;
    if (dir_fd >= 0) ::close(dir_fd);
    if (!synced) {
      diags.add(root_, 0, 0, Severity::error, std::string("cannot flush the output to disk: ") + std::strerror(errno));
      return false;  // the destructor removes the temporaries
    }
    for (Staged* f : staged) {
      if (commit_file(f->tmp, f->final_path, diags))
        ++stats.written;
      else
        ok = false;
      f->tmp.clear();
    }
  }
  // Remove what the previous run wrote and this one did not; never anything else.
  std::string old_manifest;
  if (read_whole_file(manifest_, old_manifest)) {
    std::istringstream in(old_manifest);
    std::string rel;
    while (std::getline(in, rel)) {
      if (rel.empty() || rel[0] == '#' || now.count(rel)) continue;
      if (rel.find("..") != std::string::npos || rel[0] == '/') continue;  // a tampered manifest cannot reach out
      std::error_code ec;
      if (fs::remove(root / rel, ec)) ++stats.removed;
      fs::path dir = (root / rel).parent_path();
      while (dir != root && fs::is_empty(dir, ec) && !ec) {  // drop folders we emptied
        fs::remove(dir, ec);
        dir = dir.parent_path();
      }
    }
  }
  std::string manifest = "# files written by evfeed; stale ones are removed on the next build\n";
  for (const auto& rel : now) manifest += rel + "\n";
  std::error_code ec;
  fs::create_directories(fs::path(manifest_).parent_path(), ec);
  if (!write_file_atomic(manifest_, manifest, nullptr, diags)) ok = false;
  return ok;
}

bool publish_resources(const std::string& out_dir, const std::string& manifest_path,
                       const std::vector<Resource>& resources, PublishStats& stats, Diagnostics& diags) {
  Publisher publisher(out_dir, manifest_path);
  // Staging is mostly kernel work on separate files: spread it over the cores.
  parallel_for(resources.size(), 0, [&](size_t i) { publisher.stage(resources[i]); });
  return publisher.commit(stats, diags);
}

}  // namespace evfeed
