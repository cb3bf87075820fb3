#include "evfeed/page.hpp"

#include <algorithm>
#include <filesystem>
#include <set>
#include <system_error>

#include <sys/stat.h>

#include "evfeed/text.hpp"

namespace fs = std::filesystem;

namespace evfeed {

namespace {

bool is_page_name(const std::string& name) {
  if (starts_with(name, "_index.")) return false;  // Hugo section list pages, not events
  std::string lower = to_lower_ascii(name);
  if (starts_with(lower, "readme.") || starts_with(lower, "license.") || starts_with(lower, "changelog."))
    return false;  // repository documents, not pages
  return ends_with(name, ".md") || ends_with(name, ".markdown");
}

}  // namespace

bool is_section_page_name(const std::string& name) {
  return starts_with(name, "_index.") && (ends_with(name, ".md") || ends_with(name, ".markdown") ||
                                          ends_with(name, ".html") || ends_with(name, ".htm"));
}

bool stat_source_file(const std::string& path, SourceFile& f) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return false;
  f.size = static_cast<std::int64_t>(st.st_size);
  f.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  return true;
}

namespace {

using DirId = std::pair<dev_t, ino_t>;

struct Walk {
  bool follow_symlinks;
  std::set<DirId> roots, seen;               // content folders; folders walked (by device and inode)
  std::vector<std::string> canonical_roots;  // where a symlink may lead without --follow-symlinks
  ContentTree& tree;
  Diagnostics& diags;

  // A link is followed when its target lies in a content folder (or when allowed).
  bool link_allowed(const fs::path& p) {
    if (follow_symlinks) return true;
    std::error_code ec;
    fs::path target = fs::canonical(p, ec);
    if (ec) return true;  // dangling or a loop: the caller reports what it finds
    std::string t = target.string();
    for (const auto& r : canonical_roots)
      if (t == r || starts_with(t, r == "/" ? r : r + "/")) return true;
    diags.add(p.string(), 0, 0, Severity::warning,
              "symbolic link leads outside the content folders (to " + t +
                  "); skipped: move the file into the content folder, or run with --follow-symlinks to publish it");
    return false;
  }

  // One folder, then its subfolders. Folders are identified by device and inode (links
  // followed), so a loop or a second link to a folder is reported once instead of
  // publishing its pages again under other paths.
  void folder(const fs::path& root, DirId root_id, const fs::path& dir, int depth) {
    std::error_code ec;
    fs::directory_iterator it(dir, ec), end;
    if (ec) {
      diags.add(dir.string(), 0, 0, Severity::error,
                "cannot read the folder (" + ec.message() + "); its pages are skipped: check its permissions");
      return;
    }
    tree.folders.push_back(dir.string());
    std::vector<fs::path> subfolders;
    for (; it != end; it.increment(ec)) {
      if (ec) {
        diags.add(dir.string(), 0, 0, Severity::error, "cannot list the whole folder: " + ec.message());
        break;
      }
      const fs::path& p = it->path();
      std::string name = p.filename().string();
      if (name.empty() || name[0] == '.') continue;  // .git, editors' temporary files
      std::error_code type_ec;
      bool is_dir = it->is_directory(type_ec);
      bool section_page = !is_dir && is_section_page_name(name);
      if (!is_dir && !section_page && !(it->is_regular_file(type_ec) && is_page_name(name))) continue;
      if (it->is_symlink(type_ec) && !link_allowed(p)) continue;
      if (is_dir) {
        subfolders.push_back(p);
        continue;
      }
      SourceFile f;
      f.path = p.string();
      f.rel_path = p.lexically_relative(root).generic_string();
      stat_source_file(f.path, f);
      (section_page ? tree.section_pages : tree.pages).push_back(std::move(f));
    }
    std::sort(subfolders.begin(), subfolders.end());  // of two links to one folder, the first name wins
    for (const auto& sub : subfolders) {
      struct stat st {};
      if (::stat(sub.c_str(), &st) != 0) continue;
      DirId id{st.st_dev, st.st_ino};
      if (id != root_id && roots.count(id)) continue;  // another --content folder: loaded as its own
      if (!seen.insert(id).second) {
        diags.add(sub.string(), 0, 0, Severity::error,
                  "this folder is already part of the content tree (a symlink loop, or a second link to it); "
                  "skipped: remove the link");
        continue;
      }
      if (depth >= 32) {
        diags.add(sub.string(), 0, 0, Severity::warning, "folder nested deeper than 32 levels; skipped");
        continue;
      }
      folder(root, root_id, sub, depth + 1);
    }
  }
};

}  // namespace

ContentTree walk_content(const std::vector<std::string>& content_dirs, bool follow_symlinks, Diagnostics& diags) {
  ContentTree tree;
  Walk walk{follow_symlinks, {}, {}, {}, tree, diags};  // one `seen` for all: a folder given twice loads once
  for (const auto& dir : content_dirs) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
      walk.roots.insert({st.st_dev, st.st_ino});
      std::error_code ec;
      fs::path canonical = fs::canonical(dir, ec);
      if (!ec) walk.canonical_roots.push_back(canonical.string());
    }
  }
  for (const auto& dir : content_dirs) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      diags.add(dir, 0, 0, Severity::error, "content folder does not exist or is not a folder");
      tree.missing.push_back(dir);
      continue;
    }
    if (!walk.seen.insert({st.st_dev, st.st_ino}).second) continue;
    walk.folder(dir, {st.st_dev, st.st_ino}, dir, 0);
  }
  auto by_path = [](const SourceFile& a, const SourceFile& b) { return a.path < b.path; };
  std::sort(tree.pages.begin(), tree.pages.end(), by_path);
  std::sort(tree.section_pages.begin(), tree.section_pages.end(), by_path);
  return tree;
}

namespace {

// Returns the offset just past the line starting at `pos`, and the line without its EOL.
size_t next_line(const std::string& t, size_t pos, std::string& line) {
  size_t nl = t.find('\n', pos);
  size_t end = nl == std::string::npos ? t.size() : nl;
  line = t.substr(pos, end - pos);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return nl == std::string::npos ? t.size() : nl + 1;
}

// End of a JSON object starting at t[0] == '{', honouring strings; npos if unbalanced.
size_t json_object_end(const std::string& t) {
  int depth = 0;
  bool in_str = false;
  for (size_t i = 0; i < t.size(); ++i) {
    char c = t[i];
    if (in_str) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_str = false;
      continue;
    }
    if (c == '"')
      in_str = true;
    else if (c == '{')
      ++depth;
    else if (c == '}' && --depth == 0)
      return i + 1;
  }
  return std::string::npos;
}

}  // namespace

bool split_page(const SourceFile& file, std::string text, Page& page, Diagnostics& diags) {
  page = Page{};
  page.file = file;
  if (starts_with(text, "\xEF\xBB\xBF")) text.erase(0, 3);
  if (text.find('\0') != std::string::npos) {
    auto [line, column] = line_column(text, text.find('\0'));
    diags.add(file.path, line, column, Severity::error,
              "file contains a NUL byte: it is binary or corrupt, not a Markdown page");
    return false;
  }
  std::string first;
  size_t pos = next_line(text, 0, first);
  std::string delim = trim(first);
  if (delim == "---" || delim == "+++") {
    page.format = delim == "---" ? FrontMatterFormat::yaml : FrontMatterFormat::toml;
    page.front_matter_line = 2;
    int line_no = 1;
    size_t fm_start = pos;
    while (pos < text.size()) {
      std::string line;
      size_t line_start = pos;
      pos = next_line(text, pos, line);
      ++line_no;
      // YAML also allows "..." as the end-of-document marker.
      if (trim(line) == delim || (delim == "---" && line == "...")) {
        page.front_matter = text.substr(fm_start, line_start - fm_start);
        page.body = text.substr(pos);
        page.body_line = line_no + 1;
        return true;
      }
    }
    diags.add(file.path, 1, 1, Severity::error,
              "front matter opened with '" + delim + "' is never closed; add a line '" + delim + "' after it");
    return false;
  }
  if (!text.empty() && text[0] == '{') {
    size_t end = json_object_end(text);
    if (end == std::string::npos) {
      diags.add(file.path, 1, 1, Severity::error, "JSON front matter starting with '{' is never closed");
      return false;
    }
    page.format = FrontMatterFormat::json;
    page.front_matter = text.substr(0, end);
    page.front_matter_line = 1;
    size_t body_start = end;
    if (body_start < text.size()) {
      std::string rest;
      body_start = next_line(text, body_start, rest);  // skip the rest of the closing line
    }
    page.body = text.substr(body_start);
    page.body_line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(body_start), '\n'));
    return true;
  }
  diags.add(file.path, 1, 1, Severity::error,
            "no front matter: an event page starts with '---' (YAML), '+++' (TOML) or '{' (JSON)");
  return false;
}

}  // namespace evfeed
