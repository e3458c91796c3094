#!/bin/sh
# SPDX-License-Identifier: MIT
# make fuzz: run every libFuzzer target for FUZZ_SECONDS (default 60) on a
# copy of its corpus; new crashers are left in build/fuzz/crash-*.
# usage: tools/fuzz.sh BUILD_DIR
set -eu
B=${1:-build/fuzz}
SECS=${FUZZ_SECONDS:-60}
status=0
for f in fuzz/fuzz_*.c; do
  name=$(basename "$f" .c)
  corpus=fuzz/corpus/${name#fuzz_}
  work="$B/corpus-${name#fuzz_}"
  mkdir -p "$work"
  cp -n "$corpus"/* "$work"/ 2>/dev/null || true
  echo "== $name ($SECS s)"
  if ! "$B/$name" -max_total_time="$SECS" -artifact_prefix="$B/crash-$name-" "$work" 2>&1 | tail -n 2; then
    status=1
  fi
done
exit $status
