#pragma once
// The last commit of every file of a site, as Hugo's enableGitInfo sees it (its `:git` date
// and .GitInfo): read with libgit2 once per build, never by running git per page.
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace evfeed {

struct GitAuthorDate {
  std::int64_t seconds = 0;  // since the epoch
  int offset_minutes = 0;    // the author's UTC offset, as written in the commit
};

// One repository's history as of one commit. `head` is cheap (read at construction, part of
// the config fingerprint so caches see a new commit); the per-file map walks the whole
// history from that commit, so it is read on first use, once, from any thread.
class GitHistory {
 public:
  // `site_root`: the site folder, anywhere inside a work tree. No repository (or no commit)
  // is not an error: every page then has no git date, as in Hugo. `error` says why, if any.
  explicit GitHistory(std::string site_root);

  const std::string& head() const { return head_; }  // commit id, "" without a repository
  const std::string& error() const { return error_; }
  // Files that change whenever HEAD moves (a commit, a checkout, a reset): serve watches them.
  std::vector<std::string> head_files() const;

  // The author date of the newest non-merge commit that changed `path` (absolute, or relative
  // to the current folder), as `git log --name-only --no-merges` lists it: in git log's order
  // (commit time, newest first), a shallow clone's oldest commit holding all its files. Paths
  // git prints quoted (core.quotePath, the default: non-ASCII, control characters, '"', '\\')
  // have none: Hugo 0.111 looks them up by their quoted form and finds nothing.
  std::optional<GitAuthorDate> author_date(const std::string& path) const;

 private:
  void read_history() const;

  std::string root_, top_, head_, error_, git_dir_;  // root_, top_: canonical
  bool quote_path_ = true;
  mutable std::once_flag read_once_;
  mutable std::unordered_map<std::string, GitAuthorDate> dates_;  // repository-relative path -> date
};

}  // namespace evfeed
