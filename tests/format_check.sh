#!/usr/bin/env bash
# Every C++ source of the tree is formatted as .clang-format says (clang-format 14).
# Exit 0 formatted, 1 not (the diff is printed: run clang-format -i on those files).
set -euo pipefail
cd "$(dirname "$0")/.."
cf=$(command -v clang-format-14 || command -v clang-format || true)
[ -n "$cf" ] || { echo "clang-format not installed (deploy/install-deps.sh --with-test-tools)"; exit 1; }
mapfile -t files < <(git ls-files 'src/*.cpp' 'src/*.hpp' 'include/*.hpp' 'tests/*.cpp' 'tests/*.hpp' 'tests/fuzz/*.cpp' \
  'tests/fuzz/*.hpp' 2>/dev/null || find src include tests -name '*.cpp' -o -name '*.hpp')
"$cf" --dry-run -Werror "${files[@]}"
echo "format: ${#files[@]} files as .clang-format says"
