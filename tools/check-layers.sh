#!/bin/sh
# SPDX-License-Identifier: MIT
# The layering check (docs/internals/LAYERS.md): every #include "DIR/..." in
# src/ must point to the same layer or a lower one, and cmd/ may include only
# the public headers (exectrail/...) and its own. A wrong-way include fails
# with the file, the line and both layers. usage: tools/check-layers.sh [ROOT]
set -u
root=${1:-$(dirname "$0")/..}
cd "$root" || exit 2

# rank of each layer under src/: a file may include its own layer and the
# layers with a smaller rank; layers of equal rank may not include each other
rank() {
  case "$1" in
    base) echo 0 ;;
    codec | config) echo 1 ;;
    model | ledger | redact) echo 2 ;;
    store) echo 3 ;;
    trail) echo 4 ;;
    ingest | query) echo 5 ;;
    analysis) echo 6 ;;
    report) echo 7 ;;
    retention) echo 8 ;;
    http | mcp) echo 9 ;;
    *) echo "" ;;
  esac
}

# Known wrong-way includes, each with the reason it stands (remove the line
# when it is fixed; an entry that no longer matches fails the check too, so
# the list cannot go stale).
allowed='src/store/sqlite/query_sqlite.h:query/ast.h'
# ^ the query compiler lives in the SQLite backend until the predicate
#   building moves above a per-dialect emitter (issue 16, step 3)

bad=0
seen_allowed=""
for f in $(find src -name '*.[ch]' | sort); do
  from=$(echo "$f" | cut -d/ -f2)
  rf=$(rank "$from")
  if [ -z "$rf" ]; then
    echo "check-layers: $f: layer '$from' has no rank (add it to tools/check-layers.sh and LAYERS.md)"
    bad=$((bad + 1))
    continue
  fi
  grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[a-z_]*/' "$f" |
    sed 's/^\([0-9]*\):.*"\(\([a-z_]*\)\/[^"]*\)".*/\1 \2 \3/' >"${TMPDIR:-/tmp}/et-layers.$$"
  while read -r line inc to; do
    [ "$to" = exectrail ] && continue
    [ "$to" = "$from" ] && continue
    rt=$(rank "$to")
    if [ -z "$rt" ]; then
      echo "$f:$line: includes $inc from unknown layer '$to'"
      bad=$((bad + 1))
    elif [ "$rt" -ge "$rf" ]; then
      case " $allowed " in
        *" $f:$inc "*) seen_allowed="$seen_allowed $f:$inc"; continue ;;
      esac
      echo "$f:$line: includes $inc: layer $from (rank $rf) may not depend on $to (rank $rt)"
      bad=$((bad + 1))
    fi
  done <"${TMPDIR:-/tmp}/et-layers.$$"
  rm -f "${TMPDIR:-/tmp}/et-layers.$$"
done
for a in $allowed; do
  case " $seen_allowed " in
    *" $a "*) ;;
    *) echo "check-layers: allowed exception $a no longer occurs: remove it"; bad=$((bad + 1)) ;;
  esac
done
# the command-line front is a client of the public headers only
for f in $(find cmd -name '*.[ch]' | sort); do
  grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" |
    grep -v '"exectrail/' | grep -v '"cli.h"' | while IFS= read -r l; do
      echo "$f:${l%%:*}: includes ${l#*:} (cmd/ may include only exectrail/*.h)"
    done
done >"${TMPDIR:-/tmp}/et-layers-cmd.$$"
if [ -s "${TMPDIR:-/tmp}/et-layers-cmd.$$" ]; then
  cat "${TMPDIR:-/tmp}/et-layers-cmd.$$"
  bad=$((bad + $(wc -l <"${TMPDIR:-/tmp}/et-layers-cmd.$$")))
fi
rm -f "${TMPDIR:-/tmp}/et-layers-cmd.$$"
if [ "$bad" -ne 0 ]; then
  echo "check-layers: $bad wrong-way include(s)"
  exit 1
fi
echo "check-layers: every include points down ($(find src cmd -name '*.[ch]' | wc -l | tr -d ' ') files)"
