#include "evfeed/publish.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "evfeed/text.hpp"

namespace fs = std::filesystem;

namespace evfeed {

OutputLock::~OutputLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

bool OutputLock::acquire(const std::string& out_dir, int timeout_seconds, Diagnostics& diags) {
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  std::string path = (fs::path(out_dir) / lock_name).string();
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    diags.add(path, 0, 0, Severity::error, std::string("cannot open the lock file: ") + std::strerror(errno));
    return false;
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  while (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    if (std::chrono::steady_clock::now() >= deadline) {
      diags.add(out_dir, 0, 0, Severity::error,
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

bool read_whole_file(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

bool write_file_atomic(const std::string& path, std::string_view bytes, bool* changed, Diagnostics& diags) {
  if (changed) *changed = false;
  std::error_code ec;
  if (fs::file_size(path, ec) == bytes.size() && !ec) {
    std::string old;
    if (read_whole_file(path, old) && old == bytes) return true;
  }
  fs::path p(path);
  fs::create_directories(p.parent_path(), ec);
  std::string tmp = (p.parent_path() / ("." + p.filename().string() + ".tmp." + std::to_string(::getpid()))).string();
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    diags.add(path, 0, 0, Severity::error, std::string("cannot write: ") + std::strerror(errno));
    return false;
  }
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + off, bytes.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      diags.add(path, 0, 0, Severity::error, std::string("write failed: ") + std::strerror(errno));
      ::close(fd);
      ::unlink(tmp.c_str());
      return false;
    }
    off += static_cast<size_t>(n);
  }
  // fsync before rename: after a crash the name points at complete bytes or the old file.
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    diags.add(path, 0, 0, Severity::error, std::string("flush failed: ") + std::strerror(errno));
    ::unlink(tmp.c_str());
    return false;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    diags.add(path, 0, 0, Severity::error, std::string("rename failed: ") + std::strerror(errno));
    ::unlink(tmp.c_str());
    return false;
  }
  if (changed) *changed = true;
  return true;
}

bool publish_resources(const std::string& out_dir, const std::vector<Resource>& resources, PublishStats& stats,
                       Diagnostics& diags) {
  fs::path root(out_dir);
  std::set<std::string> now;
  bool ok = true;
  for (const auto& r : resources) {
    for (int gz = 0; gz < 2; ++gz) {
      std::string rel = gz ? r.path + ".gz" : r.path;
      bool changed = false;
      if (!write_file_atomic((root / rel).string(), gz ? r.gzip : r.body, &changed, diags)) {
        ok = false;
        continue;
      }
      now.insert(rel);
      changed ? ++stats.written : ++stats.unchanged;
    }
  }
  // Remove what the previous run wrote and this one did not; never anything else.
  std::string old_manifest;
  if (read_whole_file((root / manifest_name).string(), old_manifest)) {
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
  if (!write_file_atomic((root / manifest_name).string(), manifest, nullptr, diags)) ok = false;
  return ok;
}

}  // namespace evfeed
