#pragma once
// Small string helpers shared by every stage. All strings are UTF-8.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace evfeed {

// Replaces invalid UTF-8 with U+FFFD and drops characters that neither XML 1.0 nor
// iCalendar TEXT may carry (C0 controls except TAB/LF, DEL, C1 controls, U+FFFE/FFFF).
// Returns true in *changed when anything was replaced or dropped.
std::string clean_utf8(std::string_view in, bool* changed = nullptr);
// The same, without a copy when `s` is already clean (the common case).
void clean_utf8_in_place(std::string& s);
// Offset of the first byte clean_utf8 would change, or npos when it keeps `in` as it is.
size_t first_unclean_utf8(std::string_view in);
bool is_valid_utf8(std::string_view in);
size_t first_invalid_utf8(std::string_view in);  // byte offset, or npos when valid
// 1-based line and byte column of a byte offset in text.
std::pair<int, int> line_column(std::string_view text, size_t offset);

std::string trim(std::string_view s);
std::string to_lower_ascii(std::string_view s);
// Lowercase for ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic letters (what URL
// rules of Hugo and Jekyll lowercase in practice); other characters unchanged.
std::string to_lower_utf8(std::string_view s);
bool starts_with(std::string_view s, std::string_view prefix);
bool ends_with(std::string_view s, std::string_view suffix);
bool iequals(std::string_view a, std::string_view b);
std::vector<std::string> split(std::string_view s, char sep);
void replace_all(std::string& s, std::string_view from, std::string_view to);

// "Service Mesh 上海" -> "service-mesh-上海": lowercase ASCII, spaces to '-', keeps non-ASCII.
std::string slugify(std::string_view s);

// Escaping for HTML text and attribute values.
std::string html_escape(std::string_view s);
std::string url_encode(std::string_view s);  // RFC 3986 unreserved kept
// %XX decoded; *ok false when a '%' starts no valid escape (kept as is).
std::string percent_decode(std::string_view s, bool* ok, bool plus_is_space);
std::string json_escape(std::string_view s);  // without the surrounding quotes

// Resolves `ref` against an absolute base URL (scheme://host/path/). Absolute refs are
// returned as they are; `//host` takes the base's scheme; `/x` is host-relative.
std::string resolve_url(std::string_view base, std::string_view ref);
std::string url_host(std::string_view url);
// http, https, mailto, webcal, tel, ftp or relative: anything else (javascript:, data:) is unsafe.
bool is_safe_url(std::string_view url);

}  // namespace evfeed
