#!/bin/sh
# SPDX-License-Identifier: MIT
# Source checks the compiler does not make: an SPDX line at the top of every
# C file, include guards named ET_<PATH>_H in headers, no // comments, and
# files under 1500 lines. usage: tools/checksrc.sh [SOURCE_DIR]
set -u
cd "${1:-.}" || exit 2
bad=0
say() { echo "checksrc: $*"; bad=$((bad + 1)); }
files=$(find include src cmd tests/unit tests/harness fuzz bench -name '*.[ch]' 2>/dev/null | sort)
for f in $files; do
  head -n 1 "$f" | grep -q 'SPDX-License-Identifier' || say "$f: first line must be an SPDX-License-Identifier comment"
  n=$(wc -l <"$f")
  [ "$n" -le 1500 ] || say "$f: $n lines (split it: files stay under about 1000)"
  # // comments outside strings (a URL inside a string is fine)
  if grep -nE '^[^"]*//' "$f" | grep -vE '^[0-9]+:\s*/?\*' | grep -vE 'https?://' >/dev/null; then
    say "$f: uses // comments (use /* */)"
  fi
  case "$f" in
    *.h)
      guard=$(grep -m1 -E '^#ifndef ET_' "$f" | awk '{print $2}')
      [ -n "$guard" ] || say "$f: no ET_..._H include guard"
      ;;
  esac
done
echo "checksrc: $(echo "$files" | wc -w) files, $bad problems"
[ "$bad" -eq 0 ]
