#include "evfeed/git_history.hpp"

#include <dlfcn.h>
#include <git2.h>

#include <filesystem>
#include <queue>
#include <string_view>
#include <unordered_set>

namespace fs = std::filesystem;

namespace evfeed {
namespace {

// libgit2 is opened when a site enables git info, not linked: its 16 libraries (TLS, SSH,
// Kerberos) would double the start-up time of every run (7 -> 15 ms), the up-to-date fast
// path of a cron build included.
#define EVFEED_GIT_FUNCTIONS(X)     \
  X(git_libgit2_init)               \
  X(git_libgit2_version)            \
  X(git_error_last)                 \
  X(git_repository_open_ext)        \
  X(git_repository_workdir)         \
  X(git_repository_path)            \
  X(git_repository_free)            \
  X(git_repository_config_snapshot) \
  X(git_config_get_bool)            \
  X(git_config_free)                \
  X(git_reference_name_to_id)       \
  X(git_oid_tostr_s)                \
  X(git_oid_fromstr)                \
  X(git_commit_lookup)              \
  X(git_commit_free)                \
  X(git_commit_time)                \
  X(git_commit_author)              \
  X(git_commit_parentcount)         \
  X(git_commit_parent_id)           \
  X(git_commit_parent)              \
  X(git_commit_tree)                \
  X(git_tree_free)                  \
  X(git_diff_tree_to_tree)          \
  X(git_diff_free)                  \
  X(git_diff_num_deltas)            \
  X(git_diff_get_delta)

struct Libgit2 {
#define EVFEED_DECLARE(name) decltype(&::name) name = nullptr;
  EVFEED_GIT_FUNCTIONS(EVFEED_DECLARE)
#undef EVFEED_DECLARE
  std::string error;  // why it is not there
};

// Loaded once for the process and never closed (its global state outlives any caller).
const Libgit2& git() {
  static const Libgit2 api = [] {
    Libgit2 a;
    void* handle = ::dlopen(EVFEED_LIBGIT2_SONAME, RTLD_NOW | RTLD_LOCAL);  // the headers' version (CMake)
    if (!handle) {
      a.error = std::string(EVFEED_LIBGIT2_SONAME) + " is not installed (Debian 12: apt-get install libgit2-1.5)";
      return a;
    }
#define EVFEED_LOAD(name)                                               \
  a.name = reinterpret_cast<decltype(&::name)>(::dlsym(handle, #name)); \
  if (!a.name) {                                                        \
    a.error = std::string(EVFEED_LIBGIT2_SONAME " has no ") + #name;    \
    return a;                                                           \
  }
    EVFEED_GIT_FUNCTIONS(EVFEED_LOAD)
#undef EVFEED_LOAD
    int major = 0, minor = 0, rev = 0;
    a.git_libgit2_version(&major, &minor, &rev);
    if (major != LIBGIT2_VER_MAJOR || minor != LIBGIT2_VER_MINOR) {
      a.error = "libgit2 " + std::to_string(major) + "." + std::to_string(minor) + " is not the " +
                std::to_string(LIBGIT2_VER_MAJOR) + "." + std::to_string(LIBGIT2_VER_MINOR) + " evfeed was built for";
      return a;
    }
    a.git_libgit2_init();
    return a;
  }();
  return api;
}

// libgit2 objects freed by their own functions.
struct GitFree {
  void operator()(git_repository* p) const { git().git_repository_free(p); }
  void operator()(git_commit* p) const { git().git_commit_free(p); }
  void operator()(git_tree* p) const { git().git_tree_free(p); }
  void operator()(git_diff* p) const { git().git_diff_free(p); }
  void operator()(git_config* p) const { git().git_config_free(p); }
};
using Repository = std::unique_ptr<git_repository, GitFree>;
using Commit = std::unique_ptr<git_commit, GitFree>;
using Tree = std::unique_ptr<git_tree, GitFree>;
using Diff = std::unique_ptr<git_diff, GitFree>;
using Config = std::unique_ptr<git_config, GitFree>;

std::string last_error(const char* what) {
  const git_error* e = git().git_error_last();
  return std::string(what) + (e && e->message ? std::string(": ") + e->message : std::string());
}

// git's quote_c_style: what `git log --name-only` prints in quotes (bytes over 0x7f only
// with core.quotePath, the default).
bool git_quotes(std::string_view path, bool quote_path) {
  for (unsigned char c : path)
    if (c < 0x20 || c == 0x7F || (c >= 0x80 && quote_path) || c == '"' || c == '\\') return true;
  return false;
}

std::string canonical(const std::string& path) {
  std::error_code ec;
  std::string s = fs::weakly_canonical(path, ec).generic_string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

Repository open_repository(const std::string& root, std::string& error) {
  if (!git().error.empty()) {
    error = git().error;
    return nullptr;
  }
  git_repository* raw = nullptr;
  if (git().git_repository_open_ext(&raw, root.c_str(), 0, nullptr) != 0) {
    error = last_error("no git repository");
    return nullptr;
  }
  Repository repo(raw);
  if (!git().git_repository_workdir(repo.get())) {
    error = "a bare git repository has no work tree";
    return nullptr;
  }
  return repo;
}

// A commit's tree, and its first parent's when that parent is in the repository (a shallow
// clone's oldest commit has none there: git then lists all its files, so do we).
bool commit_trees(git_commit* commit, Tree& tree, Tree& parent_tree) {
  git_tree* raw = nullptr;
  if (git().git_commit_tree(&raw, commit) != 0) return false;
  tree.reset(raw);
  git_commit* parent = nullptr;
  if (git().git_commit_parentcount(commit) == 1 && git().git_commit_parent(&parent, commit, 0) == 0) {
    Commit owned(parent);
    if (git().git_commit_tree(&raw, owned.get()) == 0) parent_tree.reset(raw);
  }
  return true;
}

}  // namespace

GitHistory::GitHistory(std::string site_root) : root_(canonical(site_root)) {
  Repository repo = open_repository(root_, error_);
  if (!repo) return;
  git_dir_ = git().git_repository_path(repo.get());  // ends with '/'
  top_ = canonical(git().git_repository_workdir(repo.get()));
  git_config* raw_config = nullptr;
  if (git().git_repository_config_snapshot(&raw_config, repo.get()) == 0) {
    Config config(raw_config);
    int value = 1;
    if (git().git_config_get_bool(&value, config.get(), "core.quotepath") == 0) quote_path_ = value != 0;
  }
  git_oid head;
  if (git().git_reference_name_to_id(&head, repo.get(), "HEAD") != 0) {
    error_ = last_error("no commit yet");
    return;
  }
  head_ = git().git_oid_tostr_s(&head);
}

std::vector<std::string> GitHistory::head_files() const {
  if (git_dir_.empty()) return {};
  return {git_dir_ + "HEAD", git_dir_ + "logs/HEAD"};
}

std::optional<GitAuthorDate> GitHistory::author_date(const std::string& path) const {
  if (head_.empty()) return std::nullopt;
  std::call_once(read_once_, [this] { read_history(); });
  // Pages under the site root need no system call: the root is canonical already.
  std::string abs = path.compare(0, root_.size() + 1, root_ + "/") == 0 ? path : canonical(path);
  if (abs.compare(0, top_.size() + 1, top_ + "/") != 0) return std::nullopt;  // outside the work tree
  auto it = dates_.find(abs.substr(top_.size() + 1));
  if (it == dates_.end()) return std::nullopt;
  return it->second;
}

// `git log --name-only --no-merges` from the commit of head(): newest commit time first
// (git's own walk: a queue ordered by commit time, parents added as their children are
// taken), the first commit that lists a path gives its date.
void GitHistory::read_history() const {
  std::string error;
  Repository repo = open_repository(root_, error);
  git_oid head;
  if (!repo || git().git_oid_fromstr(&head, head_.c_str()) != 0) return;
  struct Queued {
    std::int64_t time;
    std::uint64_t order;  // equal times: first queued first
    git_oid id;
    bool operator<(const Queued& o) const { return time != o.time ? time < o.time : order > o.order; }
  };
  std::priority_queue<Queued> queue;
  std::unordered_set<std::string> seen;
  std::uint64_t queued = 0;
  auto enqueue = [&](const git_oid& id) {
    git_commit* raw = nullptr;
    if (!seen.insert(std::string(reinterpret_cast<const char*>(id.id), GIT_OID_RAWSZ)).second ||
        git().git_commit_lookup(&raw, repo.get(), &id) != 0)
      return;  // seen, or beyond a shallow clone's edge
    Commit c(raw);
    queue.push({static_cast<std::int64_t>(git().git_commit_time(c.get())), queued++, id});
  };
  enqueue(head);
  while (!queue.empty()) {
    git_oid id = queue.top().id;
    queue.pop();
    git_commit* raw = nullptr;
    if (git().git_commit_lookup(&raw, repo.get(), &id) != 0) continue;
    Commit commit(raw);
    unsigned parents = git().git_commit_parentcount(commit.get());
    for (unsigned i = 0; i < parents; ++i) enqueue(*git().git_commit_parent_id(commit.get(), i));
    if (parents > 1) continue;  // --no-merges
    Tree tree, parent_tree;
    if (!commit_trees(commit.get(), tree, parent_tree)) continue;
    git_diff* raw_diff = nullptr;
    if (git().git_diff_tree_to_tree(&raw_diff, repo.get(), parent_tree.get(), tree.get(), nullptr) != 0) continue;
    Diff diff(raw_diff);
    const git_signature* author = git().git_commit_author(commit.get());
    GitAuthorDate date{static_cast<std::int64_t>(author->when.time), author->when.offset};
    for (size_t i = 0, n = git().git_diff_num_deltas(diff.get()); i < n; ++i) {
      std::string_view file = git().git_diff_get_delta(diff.get(), i)->new_file.path;
      if (!git_quotes(file, quote_path_)) dates_.emplace(std::string(file), date);  // keeps the newest
    }
  }
}

}  // namespace evfeed
