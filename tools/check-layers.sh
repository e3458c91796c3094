#!/bin/sh
# SPDX-License-Identifier: MIT
# The layering check (docs/internals/LAYERS.md): every #include "DIR/..." in
# src/ must point to the same layer or a lower one, and cmd/ may include only
# the public headers (exectrail/...) and its own. A wrong-way include fails
# with the file, the line and both layers. usage: tools/check-layers.sh [ROOT]
set -u
root=${1:-$(dirname "$0")/..}
cd "$root" || exit 2

# The rank of each layer under src/: a file may include its own layer and
# the layers of a smaller rank; layers of equal rank may not include each
# other.
ranks='base=0 codec=1 config=1 model=2 ledger=2 redact=2 store=3 trail=4
ingest=5 query=5 witness=5 analysis=6 report=7 retention=8 http=9 mcp=9'

# Known wrong-way includes, one `FILE:INCLUDE` a line, each with the reason
# it stands (remove the line when it is fixed; an entry that no longer
# occurs fails the check too, so the list cannot go stale). None today: the
# last two (the query compilers in the store backends) went when the
# predicate building moved above a per-dialect emitter (issue 16, step 3).
allowed=''

files=$(find src cmd -name '*.[ch]' | sort)
[ -n "$files" ] || { echo "check-layers: no sources under $root"; exit 2; }
# shellcheck disable=SC2086
awk -v ranks="$ranks" -v allowed="$allowed" -v nfiles="$(echo "$files" | wc -l)" '
BEGIN {
  n = split(ranks, kv, /[ \n]+/)
  for (i = 1; i <= n; i++) { split(kv[i], p, "="); rank[p[1]] = p[2] }
  na = split(allowed, al, /[ \n]+/)
  for (i = 1; i <= na; i++) if (al[i] != "") ok[al[i]] = 1
}
FNR == 1 {
  split(FILENAME, parts, "/")
  top = parts[1]; from = parts[2]
  if (top == "src" && !(from in rank)) {
    printf "check-layers: %s: layer '\''%s'\'' has no rank (add it to tools/check-layers.sh and LAYERS.md)\n", FILENAME, from
    bad++
  }
}
/^[ \t]*#[ \t]*include[ \t]*"/ {
  inc = $0; sub(/^[^"]*"/, "", inc); sub(/".*$/, "", inc)
  if (top == "cmd") {
    if (inc !~ /^exectrail\// && inc != "cli.h") {
      printf "%s:%d: includes \"%s\" (cmd/ may include only exectrail/*.h)\n", FILENAME, FNR, inc
      bad++
    }
    next
  }
  if (inc !~ /\//) next
  to = inc; sub(/\/.*$/, "", to)
  if (to == "exectrail" || to == from || !(from in rank)) next
  if (!(to in rank)) {
    printf "%s:%d: includes %s from unknown layer '\''%s'\''\n", FILENAME, FNR, inc, to
    bad++
  } else if (rank[to] + 0 >= rank[from] + 0) {
    if ((FILENAME ":" inc) in ok) { seen[FILENAME ":" inc] = 1; next }
    printf "%s:%d: includes %s: layer %s (rank %d) may not depend on %s (rank %d)\n", FILENAME, FNR, inc, from, rank[from], to, rank[to]
    bad++
  }
}
END {
  for (a in ok) if (!(a in seen)) {
    printf "check-layers: allowed exception %s no longer occurs: remove it\n", a
    bad++
  }
  if (bad) { printf "check-layers: %d wrong-way include(s)\n", bad; exit 1 }
  printf "check-layers: every include points down (%d files)\n", nfiles
}' $files
