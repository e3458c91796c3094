#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Allocation failures while the YAML files are read (src/config/yaml.c, its
# json-c constructors reached by ET_TEST_FAIL_ALLOC through NEW()): `record`
# with a config.yaml (security and capture sections) and `retention plan`
# with a retention.yaml are run with the Nth allocation failing, N walked
# from 1 (every 4th up to 140 for record, each up to 40 for the plan;
# ET_ALLOC_STEP / ET_ALLOC_MAX change the first). Each run
# either does exactly what a run without failures does (the record stored
# alike and the trail verifying; the same plan) or fails with exit status 1
# and a message saying "out of memory" (naming the file when the YAML could
# not be read), storing nothing.
. "$(dirname "$0")/lib.sh"

REC="$ET_SOURCE_DIR/tests/data/spec-record.json"
ID=$(jget "$REC" 'd["execution_id"]')
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
STEP=${ET_ALLOC_STEP:-4}
MAX=${ET_ALLOC_MAX:-140}

config() {
  cat >"$1/config.yaml" <<'EOF'
security:
  sensitive_paths: ["*.pem", "secrets/**"]
capture:
  file_tools:
    MyWriter: target
  command_tools: {shell: command}
EOF
}

# ---- record with a config.yaml ----
export EXECTRAIL_HOME="$T_DIR/ref"
mkdir -p "$EXECTRAIL_HOME" && config "$EXECTRAIL_HOME"
et record "$REC" >/dev/null 2>&1 || fails "the reference record" "exit $?"
et show --json "$ID" >"$T_DIR/ref.json" 2>/dev/null
check "the reference record reads back" test -s "$T_DIR/ref.json"

same=0 failed=0 named=0 bad=""
for n in $(seq 1 "$STEP" "$MAX"); do
  export EXECTRAIL_HOME="$T_DIR/h"
  home_rm "$EXECTRAIL_HOME" && mkdir -p "$EXECTRAIL_HOME" && config "$EXECTRAIL_HOME"
  ET_TEST_FAIL_ALLOC=$n "$EXECTRAIL" record "$REC" >/dev/null 2>"$T_DIR/err"
  rc=$?
  if [ "$rc" -eq 0 ]; then
    et show --json "$ID" >"$T_DIR/got.json" 2>/dev/null
    cmp -s "$T_DIR/ref.json" "$T_DIR/got.json" && same=$((same + 1)) ||
      bad="$bad n=$n:stored-differently"
    et verify >/dev/null 2>&1 || bad="$bad n=$n:verify-after-success"
  else
    failed=$((failed + 1))
    [ "$rc" -eq 1 ] || bad="$bad n=$n:exit-$rc"
    grep -q "out of memory" "$T_DIR/err" || bad="$bad n=$n:message($(tail -1 "$T_DIR/err" | head -c 80))"
    grep -q "config.yaml: out of memory reading YAML" "$T_DIR/err" && named=$((named + 1))
    if trail_exists "$EXECTRAIL_HOME/trail.db"; then
      et show --json "$ID" >/dev/null 2>&1 && bad="$bad n=$n:stored-after-failure"
      et verify >/dev/null 2>&1 || bad="$bad n=$n:verify"
    fi
  fi
done
echo "# record: $same runs as without failures, $failed failed ($named naming config.yaml)"
eq "${bad:-none}" none "record: every run stores the whole record or fails with 'out of memory' and stores nothing"
check "record: some failures were in reading config.yaml, and say so" test "$named" -gt 0
check "record: the runs past the last allocation stored the record" test "$same" -gt 0

# ---- retention plan with a retention.yaml ----
export EXECTRAIL_HOME="$T_DIR/ref"
printf 'RETENTION_POLICY:\n  execution_tracking:\n    successful_executions: 1_years\n    failed_executions: 180_days\n' \
  >"$EXECTRAIL_HOME/retention.yaml"
et retention plan --all --format jsonl >"$T_DIR/plan.ref" 2>/dev/null
check "the reference plan has the record" grep -q "\"execution_id\":\"$ID\"" "$T_DIR/plan.ref"
same=0 failed=0 named=0 bad=""
for n in $(seq 1 1 40); do
  ET_TEST_FAIL_ALLOC=$n "$EXECTRAIL" retention plan --all --format jsonl >"$T_DIR/plan" 2>"$T_DIR/err"
  rc=$?
  if [ "$rc" -eq 0 ]; then
    cmp -s "$T_DIR/plan.ref" "$T_DIR/plan" && same=$((same + 1)) || bad="$bad n=$n:other-plan"
  else
    failed=$((failed + 1))
    [ "$rc" -eq 1 ] || bad="$bad n=$n:exit-$rc"
    grep -q "out of memory" "$T_DIR/err" || bad="$bad n=$n:message($(tail -1 "$T_DIR/err" | head -c 80))"
    grep -q "retention.yaml: out of memory reading YAML" "$T_DIR/err" && named=$((named + 1))
  fi
done
echo "# retention plan: $same runs as without failures, $failed failed ($named naming retention.yaml)"
eq "${bad:-none}" none "retention plan: the same plan or 'out of memory'"
check "retention plan: some failures were in reading retention.yaml, and say so" test "$named" -gt 0
done_testing
