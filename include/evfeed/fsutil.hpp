#pragma once
// File I/O for every stage that touches the disk: loading pages and configs, the build's
// caches and state files, publishing outputs. One reader, one atomic writer, one durable
// removal, so that size limits, temporary-file names and flushing follow one set of rules.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "evfeed/diagnostic.hpp"

namespace evfeed {

// Largest input file we read (a page, a config): anything bigger is an error, not an
// out-of-memory.
constexpr std::int64_t max_input_bytes = 8 * 1024 * 1024;

// Reads a whole file (binary, any size); false when it cannot be opened. For files evfeed
// wrote itself (caches, state) and for comparing outputs.
bool read_whole_file(const std::string& path, std::string& out);

// Reads an input file of at most max_input_bytes; false with a diagnostic naming the file
// when it is too big or cannot be read.
bool read_file(const std::string& path, std::string& out, Diagnostics& diags);

// Writes bytes to a temporary file beside `path` (".name.tmp.PID") unless `path` already
// holds exactly them. *tmp is empty when nothing needs writing. `sync`: fsync before close.
bool stage_file(const std::string& path, std::string_view bytes, std::string* tmp, bool sync, Diagnostics& diags);
// Renames a staged temporary over `path` (removing it when the rename fails).
bool commit_file(const std::string& tmp, const std::string& path, Diagnostics& diags);
// True for the names stage_file gives its temporaries: what a killed run leaves behind.
bool is_stale_temporary_name(std::string_view file_name);

// Writes `bytes` to `path` atomically unless the file already holds exactly them.
// Returns false on I/O errors (reported in diags); *changed says whether it wrote.
// `durable`: flushed to disk before the rename, so that after a power loss the name holds
// the old bytes or the new ones; without, it may hold neither (for files that are checked
// when read, such as the parse cache).
bool write_file_atomic(const std::string& path, std::string_view bytes, bool* changed, Diagnostics& diags,
                       bool durable = true);

// Removes these files (missing ones are fine) and makes the removal durable: how a build
// forgets the markers of the last complete build before any output changes.
bool remove_durably(const std::vector<std::string>& paths, Diagnostics& diags);

}  // namespace evfeed
