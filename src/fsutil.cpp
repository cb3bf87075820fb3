#include "evfeed/fsutil.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <limits>
#include <set>

namespace fs = std::filesystem;

namespace evfeed {

namespace {

// Reads an open descriptor to its end, at most max_bytes (the size from fstat is a hint:
// a file may grow, and /proc files or devices say 0). false with errno set (EFBIG: over
// the limit), `out` empty.
bool read_fd(int fd, std::uintmax_t size_hint, std::uintmax_t max_bytes, std::string& out) {
  out.clear();
  out.resize(static_cast<size_t>(std::min(size_hint, max_bytes)) + 1);
  size_t used = 0;
  while (true) {
    if (used == out.size()) {
      if (used > max_bytes) {
        out.clear();
        errno = EFBIG;
        return false;
      }
      out.resize(static_cast<size_t>(std::min<std::uintmax_t>(out.size() * 2 + 4096, max_bytes + 1)));
    }
    ssize_t n = ::read(fd, out.data() + used, out.size() - used);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      out.clear();
      return false;
    }
    if (n == 0) break;
    used += static_cast<size_t>(n);
  }
  out.resize(used);
  return true;
}

// Opens `path` for reading; fills *size from fstat. -1 with errno set on failure.
int open_for_reading(const std::string& path, std::uintmax_t* size) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  struct stat st {};
  if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
    int saved = S_ISDIR(st.st_mode) ? EISDIR : errno;
    ::close(fd);
    errno = saved;
    return -1;
  }
  *size = static_cast<std::uintmax_t>(st.st_size);
  return fd;
}

}  // namespace

bool read_whole_file(const std::string& path, std::string& out) {
  std::uintmax_t size = 0;
  int fd = open_for_reading(path, &size);
  if (fd < 0) return false;
  bool ok = read_fd(fd, size, std::numeric_limits<std::uintmax_t>::max() - 1, out);
  ::close(fd);
  return ok;
}

bool read_file(const std::string& path, std::string& out, Diagnostics& diags) {
  std::uintmax_t size = 0;
  int fd = open_for_reading(path, &size);
  if (fd < 0) {
    diags.add(path, 0, 0, Severity::error, std::string("cannot read the file: ") + std::strerror(errno));
    return false;
  }
  if (size > static_cast<std::uintmax_t>(max_input_bytes)) {
    ::close(fd);
    diags.add(path, 0, 0, Severity::error,
              "file is " + std::to_string(size) + " bytes, over the 8 MiB limit; split it or remove it");
    return false;
  }
  bool ok = read_fd(fd, size, static_cast<std::uintmax_t>(max_input_bytes), out);
  int saved = errno;
  ::close(fd);
  if (ok) return true;
  diags.add(path, 0, 0, Severity::error,
            saved == EFBIG ? "file grew over the 8 MiB limit while it was read; split it or remove it"
                           : std::string("cannot read the file: ") + std::strerror(saved));
  return false;
}

bool stage_file(const std::string& path, std::string_view bytes, std::string* tmp_out, bool sync, Diagnostics& diags) {
  tmp_out->clear();
  std::error_code ec;
  if (fs::file_size(path, ec) == bytes.size() && !ec) {
    std::string old;
    if (read_whole_file(path, old) && old == bytes) return true;
  }
  fs::path p(path);
  fs::create_directories(p.parent_path(), ec);
  std::string tmp = (p.parent_path() / ("." + p.filename().string() + ".tmp." + std::to_string(::getpid()))).string();
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
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
  if ((sync && ::fsync(fd) != 0) | (::close(fd) != 0)) {
    diags.add(path, 0, 0, Severity::error, std::string("flush failed: ") + std::strerror(errno));
    ::unlink(tmp.c_str());
    return false;
  }
  *tmp_out = tmp;
  return true;
}

bool commit_file(const std::string& tmp, const std::string& path, Diagnostics& diags) {
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    diags.add(path, 0, 0, Severity::error, std::string("rename failed: ") + std::strerror(errno));
    ::unlink(tmp.c_str());
    return false;
  }
  return true;
}

bool is_stale_temporary_name(std::string_view name) {
  size_t tmp = name.rfind(".tmp.");
  return name.size() > 1 && name[0] == '.' && tmp != std::string_view::npos && tmp + 5 < name.size() &&
         name.find_first_not_of("0123456789", tmp + 5) == std::string_view::npos;
}

bool write_file_atomic(const std::string& path, std::string_view bytes, bool* changed, Diagnostics& diags,
                       bool durable) {
  if (changed) *changed = false;
  std::string tmp;
  // fsync before rename: after a crash the name points at complete bytes or the old file.
  if (!stage_file(path, bytes, &tmp, durable, diags)) return false;
  if (tmp.empty()) return true;
  if (!commit_file(tmp, path, diags)) return false;
  if (changed) *changed = true;
  return true;
}

bool remove_durably(const std::vector<std::string>& paths, Diagnostics& diags) {
  std::set<std::string> dirs;
  for (const auto& p : paths) {
    if (::unlink(p.c_str()) == 0) {
      dirs.insert(fs::path(p).parent_path().string());
    } else if (errno != ENOENT) {
      diags.add(p, 0, 0, Severity::error, std::string("cannot remove: ") + std::strerror(errno));
      return false;
    }
  }
  for (const auto& dir : dirs) {
    int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
      ::fsync(fd);
      ::close(fd);
    }
  }
  return true;
}

}  // namespace evfeed
