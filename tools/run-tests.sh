#!/bin/sh
# SPDX-License-Identifier: MIT
# Run the test suite with CTest and end with a plain "N passed, N failed"
# line (what CI reads). usage: tools/run-tests.sh PRESET [ctest args...]
set -u
preset=${1:-asan}
shift || true
log=$(mktemp)
ctest --preset "$preset" "$@" 2>&1 | tee "$log"
status=$?
line=$(grep -E '[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1)
rm -f "$log"
if [ -z "$line" ]; then
  echo "0 passed, 1 failed"
  exit 1
fi
failed=$(echo "$line" | sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/')
total=$(echo "$line" | sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\2/')
echo "$((total - failed)) passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
