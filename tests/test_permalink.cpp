// permalink.hpp: the generators' rules. Links and publish decisions are compared page by page
// with the real hugo and jekyll (tests/e2e/site_oracle.py); here, what no site fixture can
// show: malformed _target globs never read past their end nor loop, and stay literal text.
#include <catch2/catch.hpp>

#include "evfeed/permalink.hpp"

using namespace evfeed;

TEST_CASE("hugo_glob_match: unfinished groups, classes and escapes are literal text", "[permalink][glob]") {
  CHECK(hugo_glob_match("/a[", "/a["));
  CHECK_FALSE(hugo_glob_match("/a[", "/ab"));
  CHECK(hugo_glob_match("/a\\", "/a\\"));
  CHECK(hugo_glob_match("{a,b", "{a,b"));
  CHECK(hugo_glob_match("[]", "[]"));
  CHECK(hugo_glob_match("[!]", "[!]"));
  CHECK_FALSE(hugo_glob_match("[!]", "x"));
  CHECK(hugo_glob_match("/x/\\*", "/x/*"));
  CHECK_FALSE(hugo_glob_match("/x/\\*", "/x/y"));
  // A truncated UTF-8 sequence is one byte per character, never a read past the end.
  CHECK(hugo_glob_match("?", std::string("\xE8", 1)));
  CHECK_FALSE(hugo_glob_match("?", std::string("\xE8\x80", 2)));
}
