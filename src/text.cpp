#include "evfeed/text.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <utility>

#include <uriparser/Uri.h>

namespace evfeed {

namespace {

// Decodes one UTF-8 sequence at s[i]; returns its length, or 0 when invalid.
size_t decode_utf8(std::string_view s, size_t i, uint32_t& cp) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  size_t len;
  if (c < 0x80) {
    cp = c;
    return 1;
  }
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
    cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    cp = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    cp = c & 0x07;
  } else
    return 0;
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) return 0;
  if (cp >= 0xD800 && cp <= 0xDFFF) return 0;
  return len;
}

bool allowed_char(uint32_t cp) {
  if (cp == '\t' || cp == '\n') return true;
  if (cp < 0x20 || cp == 0x7F) return false;
  if (cp >= 0x80 && cp <= 0x9F) return false;
  if (cp == 0xFFFE || cp == 0xFFFF) return false;
  return true;
}

}  // namespace

namespace {

// The length of the character at in[i] when clean_utf8 keeps it as it is, else 0.
size_t kept_char_length(std::string_view in, size_t i) {
  unsigned char c = static_cast<unsigned char>(in[i]);
  if ((c >= 0x20 && c < 0x7F) || c == '\n' || c == '\t') return 1;  // printable ASCII: most of every page
  uint32_t cp = 0;
  size_t len = decode_utf8(in, i, cp);
  return len && cp != '\r' && allowed_char(cp) ? len : 0;
}

}  // namespace

size_t first_unclean_utf8(std::string_view in) {
  for (size_t i = 0; i < in.size();) {
    size_t n = kept_char_length(in, i);
    if (n == 0) return i;
    i += n;
  }
  return std::string_view::npos;
}

std::string clean_utf8(std::string_view in, bool* changed) {
  std::string out;
  out.reserve(in.size());
  bool any = false;
  size_t run = 0;  // start of the clean bytes not copied yet: they go out in one append
  size_t i = 0;
  while (i < in.size()) {
    if (size_t n = kept_char_length(in, i)) {
      i += n;
      continue;
    }
    out.append(in.data() + run, i - run);
    uint32_t cp = 0;
    size_t len = decode_utf8(in, i, cp);
    if (len == 0) {  // invalid: U+FFFD for the byte
      out += "\xEF\xBF\xBD";
      any = true;
      ++i;
    } else if (cp == '\r') {  // CRLF -> LF, lone CR -> LF
      if (i + 1 >= in.size() || in[i + 1] != '\n') out += '\n';
      ++i;
    } else {  // a control character: dropped
      any = true;
      i += len;
    }
    run = i;
  }
  out.append(in.data() + run, i - run);
  if (changed) *changed = any;
  return out;
}

void clean_utf8_in_place(std::string& s) {
  if (first_unclean_utf8(s) != std::string::npos) s = clean_utf8(s);
}

size_t first_invalid_utf8(std::string_view in) {
  for (size_t i = 0; i < in.size();) {
    if (static_cast<unsigned char>(in[i]) < 0x80) {
      ++i;
      continue;
    }
    uint32_t cp;
    size_t len = decode_utf8(in, i, cp);
    if (len == 0) return i;
    i += len;
  }
  return std::string_view::npos;
}

bool is_valid_utf8(std::string_view in) { return first_invalid_utf8(in) == std::string_view::npos; }

std::pair<int, int> line_column(std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  size_t line_start = offset == 0 ? std::string_view::npos : text.rfind('\n', offset - 1);
  line_start = line_start == std::string_view::npos ? 0 : line_start + 1;
  int line =
      1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(line_start), '\n'));
  return {line, static_cast<int>(offset - line_start) + 1};
}

std::string trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

std::string to_lower_ascii(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}
bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    unsigned char x = static_cast<unsigned char>(a[i]), y = static_cast<unsigned char>(b[i]);
    if (x != y && std::tolower(x) != std::tolower(y)) return false;
  }
  return true;
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      out.emplace_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  if (from.empty()) return;
  for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size())
    s.replace(pos, from.size(), to);
}

std::string slugify(std::string_view s) {
  std::string out;
  bool dash = false;
  for (unsigned char c : s) {
    if (c >= 0x80 || std::isalnum(c)) {
      if (dash && !out.empty()) out += '-';
      dash = false;
      out += static_cast<char>(std::tolower(c));
    } else {
      dash = true;
    }
  }
  return out.empty() ? "item" : out;
}

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 16);
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string url_encode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string json_escape(std::string_view s) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(s.size() + 8);
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '<': out += "\\u003c"; break;  // keeps "</script>" out of embedded JSON
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

namespace {
size_t scheme_end(std::string_view u) {  // index of ':' ending a scheme, or npos
  if (u.empty() || !std::isalpha(static_cast<unsigned char>(u[0]))) return std::string_view::npos;
  for (size_t i = 0; i < u.size(); ++i) {
    char c = u[i];
    if (c == ':') return i > 0 ? i : std::string_view::npos;
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.'))
      return std::string_view::npos;
  }
  return std::string_view::npos;
}
}  // namespace

namespace {

// Where the authority of a URI reference lies: after "scheme://" or a leading "//", up to the
// first '/', '?' or '#'. {npos, npos} without one.
std::pair<size_t, size_t> authority_span(std::string_view s) {
  size_t start = std::string_view::npos;
  if (starts_with(s, "//")) {
    start = 2;
  } else if (size_t colon = scheme_end(s); colon != std::string_view::npos && s.compare(colon + 1, 2, "//") == 0) {
    start = colon + 3;
  }
  if (start == std::string_view::npos) return {start, start};
  size_t end = s.find_first_of("/?#", start);
  return {start, end == std::string_view::npos ? s.size() : end};
}

// uriparser reads RFC 3986 URI references only. What people write in front matter and
// Markdown is looser: a byte it would refuse (non-ASCII, space, controls, "<>\"{}|\\^`", a
// second '#', '[' and ']' outside an IPv6 host) is percent-encoded as UTF-8, as browsers do,
// and a '%' that starts no escape becomes "%25".
std::string to_uri_reference(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  auto is_hex = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; };
  auto [host_start, host_end] = authority_span(s);
  std::string out;
  out.reserve(s.size());
  bool in_fragment = false;
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    bool in_host = host_start != std::string_view::npos && i >= host_start && i < host_end;
    bool escape_start = c == '%' && i + 2 < s.size() && is_hex(s[i + 1]) && is_hex(s[i + 2]);
    bool refused = c <= 0x20 || c >= 0x7F || std::strchr("<>\"{}|\\^`", c) != nullptr || (c == '#' && in_fragment) ||
                   ((c == '[' || c == ']') && !in_host);
    in_fragment = in_fragment || c == '#';
    if (c == '%' ? !escape_start : refused) {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 0xF];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

// A parsed URI reference that frees uriparser's members; `text` owns the bytes it points into.
class ParsedUri {
 public:
  explicit ParsedUri(std::string text) : text_(std::move(text)) {
    const char* error = nullptr;
    ok_ = uriParseSingleUriExA(&uri_, text_.data(), text_.data() + text_.size(), &error) == URI_SUCCESS;
  }
  ~ParsedUri() { uriFreeUriMembersA(&uri_); }
  ParsedUri(const ParsedUri&) = delete;
  ParsedUri& operator=(const ParsedUri&) = delete;
  bool ok() const { return ok_; }
  bool absolute() const { return ok_ && uri_.scheme.first != nullptr; }
  const UriUriA& uri() const { return uri_; }

 private:
  std::string text_;
  UriUriA uri_{};
  bool ok_ = false;
};

std::string range_text(const UriTextRangeA& r) {
  return r.first ? std::string(r.first, static_cast<size_t>(r.afterLast - r.first)) : std::string();
}

// The text of `uri`. uriToString writes an IPv6 host in full ("[0000:...:0001]"); as an
// "IPvFuture" it writes the host as given, between brackets ("[::1]").
std::string uri_to_string(UriUriA& uri) {
  struct Ip6AsWritten {
    UriUriA& uri;
    UriIp6* ip6;
    explicit Ip6AsWritten(UriUriA& u) : uri(u), ip6(u.hostData.ip6) {
      if (!ip6) return;
      uri.hostData.ip6 = nullptr;
      uri.hostData.ipFuture = uri.hostText;
    }
    ~Ip6AsWritten() {  // restored for uriFreeUriMembersA, even when the string throws
      if (!ip6) return;
      uri.hostData.ip6 = ip6;
      uri.hostData.ipFuture = UriTextRangeA{nullptr, nullptr};
    }
  } as_written(uri);
  int needed = 0;
  if (uriToStringCharsRequiredA(&uri, &needed) != URI_SUCCESS) return "";
  std::string out(static_cast<size_t>(needed) + 1, '\0');
  int written = 0;
  if (uriToStringA(out.data(), &uri, needed + 1, &written) != URI_SUCCESS) return "";
  out.resize(static_cast<size_t>(std::max(written - 1, 0)));  // written counts the NUL
  return out;
}

// The result of uriAddBaseUriExA, freed whatever happens.
struct ResolvedUri {
  UriUriA uri{};
  ResolvedUri() = default;
  ResolvedUri(const ResolvedUri&) = delete;
  ResolvedUri& operator=(const ResolvedUri&) = delete;
  ~ResolvedUri() { uriFreeUriMembersA(&uri); }
};

}  // namespace

std::string resolve_url(std::string_view base, std::string_view ref) {
  std::string r = trim(ref);
  if (r.empty()) return std::string(base);
  // "café:menu.pdf" is a path whose first segment holds a colon, not a scheme: "./" says so.
  size_t first_end = r.find_first_of("/?#");
  if (scheme_end(r) == std::string::npos && r.find(':') < first_end) r = "./" + r;
  std::string encoded = to_uri_reference(r);
  ParsedUri rel(encoded);
  if (!rel.ok() || rel.absolute()) return encoded;  // nothing to resolve against
  ParsedUri abs_base(to_uri_reference(base));
  if (!abs_base.absolute()) return encoded;
  ResolvedUri resolved;
  if (uriAddBaseUriExA(&resolved.uri, &rel.uri(), &abs_base.uri(), URI_RESOLVE_STRICTLY) != URI_SUCCESS) return encoded;
  std::string out = uri_to_string(resolved.uri);
  return out.empty() ? encoded : out;
}

std::string url_host(std::string_view url) {
  std::string u = trim(url);
  // "example.org/events/" (a site's baseURL written without a scheme): the host comes first.
  if (u.find("://") == std::string::npos && !starts_with(u, "//")) u = "//" + u;
  ParsedUri parsed(to_uri_reference(u));
  if (!parsed.ok()) return "";
  std::string host = range_text(parsed.uri().hostText);
  // RFC 3986 3.2.2: an IP literal is the bracketed address ("[::1]").
  if (parsed.uri().hostData.ip6 || parsed.uri().hostData.ipFuture.first) return to_lower_ascii("[" + host + "]");
  // A registered name comes back as written (an IDN as its UTF-8 bytes, not the escapes
  // added for parsing); one that holds bytes no host (and no UID) may hold is no host.
  std::string decoded = percent_decode(host, nullptr, false);
  bool plain = is_valid_utf8(decoded) && std::none_of(decoded.begin(), decoded.end(), [](char c) {
                 auto b = static_cast<unsigned char>(c);
                 return b <= 0x20 || b == 0x7F || std::strchr("/?#@[]:%\\", b) != nullptr;
               });
  return plain ? to_lower_ascii(decoded) : "";
}

bool is_safe_url(std::string_view url) {
  std::string u = to_lower_ascii(trim(url));
  size_t colon = scheme_end(u);
  if (colon == std::string::npos) return true;
  std::string scheme = u.substr(0, colon);
  return scheme == "http" || scheme == "https" || scheme == "mailto" || scheme == "webcal" || scheme == "tel" ||
         scheme == "ftp";
}

std::string percent_decode(std::string_view s, bool* ok, bool plus_is_space) {
  std::string out;
  if (ok) *ok = true;
  auto hex = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; };
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) && hex(s[i + 2])) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else if (s[i] == '%') {
      if (ok) *ok = false;
      out += s[i];
    } else {
      out += plus_is_space && s[i] == '+' ? ' ' : s[i];
    }
  }
  return out;
}

std::string to_lower_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      out += static_cast<char>(b >= 'A' && b <= 'Z' ? b + 32 : b);
      ++i;
      continue;
    }
    if ((b >> 5) != 6 || i + 1 >= s.size() || (static_cast<unsigned char>(s[i + 1]) & 0xC0) != 0x80) {
      // 3- and 4-byte sequences (no case here) and invalid bytes pass through
      out += s[i++];
      continue;
    }
    char32_t c = (static_cast<char32_t>(b & 0x1F) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3F);
    if ((c >= 0xC0 && c <= 0xDE && c != 0xD7) || (c >= 0x391 && c <= 0x3AB && c != 0x3A2) || (c >= 0x410 && c <= 0x42F))
      c += 0x20;
    else if (c >= 0x400 && c <= 0x40F)
      c += 0x50;
    else if ((c >= 0x100 && c <= 0x137 && c % 2 == 0 && c != 0x130) || (c >= 0x139 && c <= 0x148 && c % 2 == 1) ||
             (c >= 0x14A && c <= 0x177 && c % 2 == 0) || (c >= 0x179 && c <= 0x17E && c % 2 == 1))
      c += 1;  // Latin Extended-A pairs: upper, lower (the parity flips at U+0139 and U+0179)
    else if (c == 0x386)
      c = 0x3AC;
    else if (c >= 0x388 && c <= 0x38A)
      c += 0x25;
    else if (c == 0x178) {  // Ÿ -> ÿ
      out += "\xC3\xBF";
      i += 2;
      continue;
    }
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
    i += 2;
  }
  return out;
}

}  // namespace evfeed
