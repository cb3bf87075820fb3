#pragma once
// Events to bytes and back: the one serialization of an Event, used by the parse cache (on
// disk), the render cache (texts keyed on an event's content) and the output digest.
#include <string>
#include <string_view>
#include <vector>

#include "evfeed/diagnostic.hpp"
#include "evfeed/event.hpp"

namespace evfeed {

// Length-prefixed fields ("<len>:<bytes>"), so any byte may appear in a value.
struct CodecWriter {
  std::string out;
  void str(std::string_view s) {
    out += std::to_string(s.size());
    out += ':';
    out.append(s);
  }
  void num(long long v) { str(std::to_string(v)); }
  void list(const std::vector<std::string>& v) {
    num(static_cast<long long>(v.size()));
    for (const auto& s : v) str(s);
  }
  void diags(const std::vector<Diagnostic>& v) {
    num(static_cast<long long>(v.size()));
    for (const auto& d : v) {
      str(d.path);
      num(d.line);
      num(d.column);
      num(static_cast<int>(d.severity));
      str(d.message);
    }
  }
};

struct CodecReader {
  std::string_view in;
  size_t pos = 0;
  bool ok = true;
  std::string_view str() {
    size_t colon = in.find(':', pos);
    if (!ok || colon == std::string_view::npos) {
      ok = false;
      return {};
    }
    size_t len = 0;
    for (size_t i = pos; i < colon; ++i) {
      char c = in[i];
      if (c < '0' || c > '9') {
        ok = false;
        return {};
      }
      len = len * 10 + static_cast<size_t>(c - '0');
    }
    if (colon + 1 + len > in.size()) {
      ok = false;
      return {};
    }
    pos = colon + 1 + len;
    return in.substr(colon + 1, len);
  }
  long long num() {
    std::string_view s = str();
    if (!ok || s.empty()) {
      ok = false;
      return 0;
    }
    try {
      return std::stoll(std::string(s));
    } catch (const std::exception&) {
      ok = false;
      return 0;
    }
  }
  std::vector<std::string> list() {
    long long n = num();
    std::vector<std::string> v;
    for (long long i = 0; ok && i < n; ++i) v.emplace_back(str());
    return v;
  }
  std::vector<Diagnostic> diags() {
    long long n = num();
    std::vector<Diagnostic> v;
    for (long long i = 0; ok && i < n; ++i) {
      Diagnostic d;
      d.path = std::string(str());
      d.line = static_cast<int>(num());
      d.column = static_cast<int>(num());
      long long severity = num();
      d.severity = severity == 2 ? Severity::error : severity == 1 ? Severity::warning : Severity::note;
      d.message = std::string(str());
      v.push_back(std::move(d));
    }
    return v;
  }
};

std::string serialize_event(const Event& e);
bool deserialize_event(std::string_view text, Event& e);
// Everything of an event its texts depend on, as one string: equal fingerprints, equal texts.
inline std::string event_fingerprint(const Event& e) { return serialize_event(e); }

}  // namespace evfeed
