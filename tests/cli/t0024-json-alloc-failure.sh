#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Allocation failures while an event is built: `record` of a spec record is
# run with the Nth allocation failing (ET_TEST_FAIL_ALLOC=N, which also
# reaches json-c's constructors through src/codec/json_alloc.c) for every N
# up to past the last allocation (every other one; ET_ALLOC_STEP=1 walks
# each). Each run either stores the record exactly
# as a run without failures does, or fails with exit 1 ("out of memory ...")
# and stores nothing; never a record with a member silently missing. The
# trail verifies after each failure, and under ASan no run leaks (SQLite).
. "$(dirname "$0")/lib.sh"

REC="$ET_SOURCE_DIR/tests/data/spec-record.json"
ID=$(jget "$REC" 'd["execution_id"]')
# under ASan, a leak on a failure path fails the run too (LeakSanitizer
# exits non-zero and says so): `record` frees what it made on every
# failure. Not on PostgreSQL, whose client library's own failure paths
# are not this test's.
if is_pg; then
  export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
fi

export EXECTRAIL_HOME="$T_DIR/ref"
et record "$REC" >/dev/null 2>&1 || fails "the reference record" "exit $?"
et show --json "$ID" >"$T_DIR/ref.json" 2>/dev/null
check "the reference record reads back" test -s "$T_DIR/ref.json"

same=0 failed=0 bad="" last_failed=0
for n in $(seq 1 "${ET_ALLOC_STEP:-2}" "${ET_ALLOC_MAX:-125}"); do
  export EXECTRAIL_HOME="$T_DIR/h"
  home_rm "$EXECTRAIL_HOME"
  ET_TEST_FAIL_ALLOC=$n "$EXECTRAIL" record "$REC" >/dev/null 2>"$T_DIR/err"
  rc=$?
  if [ "$rc" -eq 0 ]; then
    et show --json "$ID" >"$T_DIR/got.json" 2>/dev/null
    if cmp -s "$T_DIR/ref.json" "$T_DIR/got.json"; then
      same=$((same + 1))
    else
      bad="$bad n=$n:stored-differently"
    fi
  else
    failed=$((failed + 1)) last_failed=$n
    grep -q "LeakSanitizer" "$T_DIR/err" && bad="$bad n=$n:leak"
    [ "$rc" -eq 1 ] || bad="$bad n=$n:exit-$rc($(tail -1 "$T_DIR/err" | head -c 80))"
    grep -q "out of memory\|cannot" "$T_DIR/err" || bad="$bad n=$n:message($(tail -1 "$T_DIR/err" | head -c 80))"
    if trail_exists "$EXECTRAIL_HOME/trail.db"; then
      et show --json "$ID" >/dev/null 2>&1 && bad="$bad n=$n:stored-after-failure"
      et verify >/dev/null 2>&1 || bad="$bad n=$n:verify"
    fi
  fi
done
echo "# $same runs stored the record as without failures, $failed failed cleanly (last at allocation $last_failed)"
eq "${bad:-none}" none "every run stores the whole record or nothing"
check "some runs failed (the injection reached the write path)" test "$failed" -gt 10
check "the runs past the last allocation stored the record" test "$same" -gt 0 -a "$last_failed" -lt "${ET_ALLOC_MAX:-125}"
done_testing
