#pragma once
// Stage 1: content folders -> Pages (raw text split into front matter and body).
#include <cstdint>
#include <string>
#include <vector>

#include "evfeed/diagnostic.hpp"

namespace evfeed {

enum class FrontMatterFormat { none, yaml, toml, json };

struct SourceFile {
  std::string path;      // as opened, for diagnostics
  std::string rel_path;  // relative to its content dir, '/'-separated
  std::int64_t size = 0;
  std::int64_t mtime_ns = 0;
};

struct Page {
  SourceFile file;
  FrontMatterFormat format = FrontMatterFormat::none;
  std::string front_matter;   // text between the delimiters (JSON: the object itself)
  int front_matter_line = 1;  // 1-based file line of the first front-matter line
  std::string body;
  int body_line = 1;  // 1-based file line of the first body line
};

// The one walk of the content tree: loading, the live site's change scan and its inotify
// watches all see the same pages and folders.
struct ContentTree {
  std::vector<SourceFile> pages;          // every .md/.markdown file, sorted by path (no _index.md)
  std::vector<std::string> folders;       // every folder walked, the content folders first
  std::vector<std::string> missing;       // content folders that do not exist
  std::vector<SourceFile> section_pages;  // Hugo's _index.* (no events; their cascade is site config)
};

// Symbolic links that lead inside a content folder are followed; those that lead outside
// (to /etc, a home folder, another site) are skipped with a warning unless
// `follow_symlinks` (--follow-symlinks). Unreadable entries and loops become diagnostics.
ContentTree walk_content(const std::vector<std::string>& content_dirs, bool follow_symlinks, Diagnostics& diags);

inline std::vector<SourceFile> find_pages(const std::vector<std::string>& content_dirs, bool follow_symlinks,
                                          Diagnostics& diags) {
  return walk_content(content_dirs, follow_symlinks, diags).pages;
}

// Hugo's section and home pages: "_index.md", "_index.en.md" (not an editor's "_index.md~").
bool is_section_page_name(const std::string& name);

// Size and mtime of `path` from one stat(2) into `f`; false (f unchanged) when it is not there.
// The mtime in nanoseconds since the Unix epoch: std::filesystem's file clock has an epoch of
// its own in libstdc++, so its count is no date.
bool stat_source_file(const std::string& path, SourceFile& f);

// Splits raw text into front matter and body. Accepts a UTF-8 BOM, CRLF, no EOF newline.
// A page without front matter is an error (no event can come from it).
bool split_page(const SourceFile& file, std::string text, Page& page, Diagnostics& diags);

}  // namespace evfeed
