#!/bin/sh
# SPDX-License-Identifier: MIT
# Run the test suite with CTest and end with a plain "N passed, N failed"
# line (what CI reads); the tests that could not run here are named, with
# their reason and count, on the lines before it. usage: tools/run-tests.sh PRESET [ctest args...]
set -u
preset=${1:-asan}
shift || true
log=$(mktemp)
ctest --preset "$preset" "$@" 2>&1 | tee "$log"
status=$?
line=$(grep -E '[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1)
if [ -z "$line" ]; then
  rm -f "$log"
  echo "0 passed, 1 failed"
  exit 1
fi
failed=$(echo "$line" | sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/')
total=$(echo "$line" | sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\2/')
# tests that could not run here (TAP "1..0 # SKIP why"; CTest counts them
# as passed): named with their reason, and counted apart
skipped=$(grep -cE '^[[:space:]]+[0-9]+ - .* \(Skipped\)$' "$log" || true)
last="build/$preset/Testing/Temporary/LastTest.log"
if [ "$skipped" -gt 0 ] && [ -f "$last" ]; then
  awk '/^[0-9]+\/[0-9]+ Testing: / { name = $3 }
       /^1\.\.0 # SKIP/ { sub(/^1\.\.0 # SKIP */, ""); print "skipped " name ": " $0 }' "$last"
fi
rm -f "$log"
[ "$skipped" -gt 0 ] && echo "$skipped skipped (counted as passed below)"
echo "$((total - failed)) passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
