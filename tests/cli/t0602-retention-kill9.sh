#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# kill -9 in the middle of `retention run`, once while the bundle is being
# written and once while executions are being erased: nothing is lost (every
# execution is in the store or in a bundle that verifies), verify passes,
# and the next run completes the job.
. "$(dirname "$0")/lib.sh"

N=${ET_KILL9_RETENTION:-6000}
export EXECTRAIL_NOW=2026-01-01T00:00:00Z
check "init" et init
python3 - "$T_DIR/in.jsonl" "$T_DIR/all.ids" "$N" <<'PY'
import json, sys, uuid
n = int(sys.argv[3])
with open(sys.argv[1], "w") as f, open(sys.argv[2], "w") as ids:
    for i in range(n):
        eid = str(uuid.uuid4())
        f.write(json.dumps({"execution_id": eid, "session_id": "k9",
                            "timestamp_start": "2025-01-01T00:00:00Z",
                            "timestamp_end": "2025-01-01T00:01:00Z",
                            "agent_metadata": {"name": "bulk"},
                            "verification": {"status": "MATCH"},
                            "delegation": {"prompt_sent": "record %d" % i}}) + "\n")
        ids.write(eid + "\n")
PY
sort -o "$T_DIR/all.ids" "$T_DIR/all.ids"
check "import $N expired executions" et import "$T_DIR/in.jsonl"

# every id is in the store or in a bundle that verifies; print the count
# of ids missing from both
accounted() {
  et list --limit 0 --format ids >"$T_DIR/acc.ids"
  for b in "$EXECTRAIL_HOME"/archive/*.etar.zst; do
    [ -e "$b" ] || continue
    if et archive verify "$b" >/dev/null 2>&1; then
      et archive list --format jsonl "$b" | python3 -c '
import json, sys
for l in sys.stdin: print(json.loads(l)["execution_id"])' >>"$T_DIR/acc.ids"
    fi
  done
  sort -u "$T_DIR/acc.ids" | comm -23 "$T_DIR/all.ids" - | wc -l | tr -d ' '
}

# kill_when COND DESCRIPTION [WHY_IT_MAY_FINISH]: start a run, kill -9 it
# as soon as COND holds
kill_when() {
  "$EXECTRAIL" retention run >"$T_DIR/run.out" 2>"$T_DIR/run.err" &
  pid=$!
  T_PIDS="$T_PIDS $pid"
  while kill -0 "$pid" 2>/dev/null; do
    if eval "$1"; then break; fi
    sleep 0.05
  done
  if kill -9 "$pid" 2>/dev/null; then ok "retention run killed with SIGKILL $2"
  elif [ -n "${3:-}" ]; then ok "retention run killed with SIGKILL $2, or done first: $3"
  else fails "retention run killed with SIGKILL $2" "it had finished: make N bigger ($(cat "$T_DIR/run.out"))"; fi
  wait "$pid" 2>/dev/null
}
erased() { sql "$DB" "SELECT count(*) FROM ledger WHERE type = 'retention.erased'" 2>/dev/null || echo 0; }
partial() { ls "$EXECTRAIL_HOME"/archive/*.partial >/dev/null 2>&1; }

# 1. while the bundle is being written
kill_when "partial" "while writing the bundle"
expect_exit 0 "verify passes after the kill" et verify
eq "$(erased)" "0" "nothing was erased before the bundle was complete"
eq "$(accounted)" "0" "every execution is in the store or a verified bundle"

# 2. the rerun gives up the unfinished bundle and is killed while erasing
if is_pg; then
  kill_when '[ "$(erased)" -gt 0 ]' "while erasing" \
    "the erasures of a month are one transaction, which ends the run"
else
  kill_when '[ "$(erased)" -gt 0 ]' "while erasing"
fi
E=$(erased)
if is_pg; then
  # a store partitioned by month forgets a month's executions in one
  # transaction, which also ends the run (src/retention/erase.c,
  # month_ends): these 6000 share a month, so a kill leaves all or none
  if [ "$E" -eq 0 ] || [ "$E" -eq "$N" ]; then ok "all or none were erased, in the month's one transaction ($E of $N)"
  else fails "all or none were erased, in the month's one transaction" "$E of $N"; fi
elif [ "$E" -gt 0 ] && [ "$E" -lt "$N" ]; then ok "some but not all were erased ($E of $N)"
else fails "some but not all were erased" "$E of $N"; fi
expect_exit 0 "verify passes after the second kill" et verify
eq "$(accounted)" "0" "every execution is still in the store or a verified bundle"
eq "$(ls "$EXECTRAIL_HOME"/archive/ | grep -c partial)" "0" "the unfinished bundle of the first run is gone"

# 3. a rerun completes the job
expect_exit 0 "retention run after the kills" et retention run
if is_pg && [ "$E" -eq "$N" ]; then
  contains "$T_DIR/out" "archived 0 executions" "the killed run had ended with its erasures: nothing to complete"
else
  contains "$T_DIR/out" "completed an interrupted run first" "the rerun completes the interrupted run"
fi
eq "$(et list --limit 0 --format ids | wc -l | tr -d ' ')" "0" "every expired execution is erased"
eq "$(erased)" "$N" "exactly one retention.erased event per execution"
eq "$(accounted)" "0" "and every one of them is in a verified bundle"
expect_exit 0 "verify at the end" et verify --json
eq "$(jget "$T_DIR/out" '[d["ok"], d["erased"]]')" "[true,$N]" "verify passes with $N erased payloads"
expect_exit 0 "a last run has nothing to do" et retention run
contains "$T_DIR/out" "archived 0 executions" "nothing left to archive"
done_testing
