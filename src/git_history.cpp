#include "evfeed/git_history.hpp"

#include <git2.h>

#include <filesystem>
#include <string_view>

namespace fs = std::filesystem;

namespace evfeed {
namespace {

// libgit2 objects freed by their own functions.
template <typename T, void (*Free)(T*)>
struct Freer {
  void operator()(T* p) const { Free(p); }
};
template <typename T, void (*Free)(T*)>
using Owned = std::unique_ptr<T, Freer<T, Free>>;
using Repository = Owned<git_repository, git_repository_free>;
using Revwalk = Owned<git_revwalk, git_revwalk_free>;
using Commit = Owned<git_commit, git_commit_free>;
using Tree = Owned<git_tree, git_tree_free>;
using Diff = Owned<git_diff, git_diff_free>;

// libgit2 keeps global state (allocators, TLS): one init for the process, never shut down
// while another thread may still use it.
void init_libgit2() {
  static const int once = git_libgit2_init();
  (void)once;
}

std::string last_error(const char* what) {
  const git_error* e = git_error_last();
  return std::string(what) + (e && e->message ? std::string(": ") + e->message : std::string());
}

// git's quote_c_style with core.quotePath (the default): what `git log --name-only` prints
// in quotes.
bool git_quotes(std::string_view path) {
  for (unsigned char c : path)
    if (c < 0x20 || c == 0x7F || c >= 0x80 || c == '"' || c == '\\') return true;
  return false;
}

// The repository holding `root` and where `root` sits in its work tree ("" at the top, else
// "site/" with a slash).
Repository open_repository(const std::string& root, std::string& prefix, std::string& error) {
  init_libgit2();
  git_repository* raw = nullptr;
  if (git_repository_open_ext(&raw, root.c_str(), 0, nullptr) != 0) {
    error = last_error("no git repository");
    return nullptr;
  }
  Repository repo(raw);
  const char* workdir = git_repository_workdir(repo.get());
  if (!workdir) {
    error = "a bare git repository has no work tree";
    return nullptr;
  }
  std::error_code ec;
  fs::path site = fs::weakly_canonical(root, ec), top = fs::weakly_canonical(workdir, ec);
  std::string rel = site.lexically_relative(top).generic_string();
  prefix = rel.empty() || rel == "." ? "" : rel + "/";
  return repo;
}

}  // namespace

GitHistory::GitHistory(std::string site_root) : root_(std::move(site_root)) {
  std::string prefix;
  Repository repo = open_repository(root_, prefix, error_);
  if (!repo) return;
  git_dir_ = git_repository_path(repo.get());  // ends with '/'
  git_oid head;
  if (git_reference_name_to_id(&head, repo.get(), "HEAD") != 0) {
    error_ = last_error("no commit yet");
    return;
  }
  head_ = git_oid_tostr_s(&head);
}

std::vector<std::string> GitHistory::head_files() const {
  if (git_dir_.empty()) return {};
  return {git_dir_ + "HEAD", git_dir_ + "logs/HEAD"};
}

std::optional<GitAuthorDate> GitHistory::author_date(const std::string& site_rel) const {
  if (head_.empty()) return std::nullopt;
  std::call_once(read_once_, [this] { read_history(); });
  auto it = dates_.find(site_rel);
  if (it == dates_.end()) return std::nullopt;
  return it->second;
}

// `git log --name-only --no-merges` from HEAD, in git log's order (newest commit time first):
// the first commit that lists a path gives its date. Only paths under the site are diffed.
void GitHistory::read_history() const {
  std::string prefix, error;
  Repository repo = open_repository(root_, prefix, error);
  if (!repo) return;
  git_revwalk* raw_walk = nullptr;
  if (git_revwalk_new(&raw_walk, repo.get()) != 0) return;
  Revwalk walk(raw_walk);
  git_revwalk_sorting(walk.get(), GIT_SORT_NONE);  // git log's own order (GIT_SORT_TIME sorts the whole history)
  if (git_revwalk_push_head(walk.get()) != 0) return;
  git_diff_options opts = GIT_DIFF_OPTIONS_INIT;
  std::string spec = prefix.empty() ? "" : prefix.substr(0, prefix.size() - 1);
  char* specs[] = {spec.data()};
  if (!spec.empty()) opts.pathspec = {specs, 1};
  git_oid oid;
  while (git_revwalk_next(&oid, walk.get()) == 0) {
    git_commit* raw_commit = nullptr;
    if (git_commit_lookup(&raw_commit, repo.get(), &oid) != 0) continue;
    Commit commit(raw_commit);
    unsigned parents = git_commit_parentcount(commit.get());
    if (parents > 1) continue;  // --no-merges
    git_tree *raw_tree = nullptr, *raw_parent_tree = nullptr;
    if (git_commit_tree(&raw_tree, commit.get()) != 0) continue;
    Tree tree(raw_tree), parent_tree;
    if (parents == 1) {
      git_commit* raw_parent = nullptr;
      if (git_commit_parent(&raw_parent, commit.get(), 0) != 0) continue;
      Commit parent(raw_parent);
      if (git_commit_tree(&raw_parent_tree, parent.get()) != 0) continue;
      parent_tree.reset(raw_parent_tree);
    }
    git_diff* raw_diff = nullptr;
    if (git_diff_tree_to_tree(&raw_diff, repo.get(), parent_tree.get(), tree.get(), &opts) != 0) continue;
    Diff diff(raw_diff);
    const git_signature* author = git_commit_author(commit.get());
    GitAuthorDate date{static_cast<std::int64_t>(author->when.time), author->when.offset};
    for (size_t i = 0, n = git_diff_num_deltas(diff.get()); i < n; ++i) {
      std::string_view path = git_diff_get_delta(diff.get(), i)->new_file.path;
      if (path.compare(0, prefix.size(), prefix) != 0 || git_quotes(path)) continue;
      dates_.emplace(std::string(path.substr(prefix.size())), date);  // keeps the newest
    }
  }
}

}  // namespace evfeed
