#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# kill -9 in the middle of a bulk import: what was committed is a prefix of
# the input, whole batches only, and the trail verifies; importing the file
# again with --on-error skip stores exactly the rest.
. "$(dirname "$0")/lib.sh"

# 20,000 records: the kill comes after the first batch and a second of
# running, long before an ASan import of 20,000 ends (ET_KILL9_RECORDS
# sets it; the suite is CPU-bound near its time budget)
N=${ET_KILL9_RECORDS:-20000}
BATCH=500
check "init" et init
python3 - "$T_DIR/in.jsonl" "$T_DIR/in.ids" "$N" <<'PY'
import json, sys, uuid
n = int(sys.argv[3])
with open(sys.argv[1], "w") as f, open(sys.argv[2], "w") as ids:
    for i in range(n):
        eid = str(uuid.uuid4())
        f.write(json.dumps({"execution_id": eid, "session_id": "kill9-session",
                            "timestamp_start": "2025-01-16T10:30:00.000Z",
                            "agent_metadata": {"name": "bulk"},
                            "delegation": {"prompt_sent": "record %d" % i}},
                           separators=(",", ":")) + "\n")
        ids.write(eid + "\n")
PY
eq "$(wc -l <"$T_DIR/in.jsonl" | tr -d ' ')" "$N" "$N records generated"

ledger_rows() { sql "$DB" "SELECT count(*) FROM ledger" 2>/dev/null || echo 0; }

"$EXECTRAIL" import --batch $BATCH "$T_DIR/in.jsonl" >"$T_DIR/import.out" 2>"$T_DIR/import.err" &
ipid=$!
T_PIDS="$T_PIDS $ipid"
start=$(date +%s%N)
rows=0
# at least one committed batch, and then a second of running (or a quarter
# of the input, for builds much faster than ASan)
while kill -0 "$ipid" 2>/dev/null; do
  rows=$(ledger_rows)
  if [ "$rows" -gt 0 ] && { [ $(( $(date +%s%N) - start )) -ge 1000000000 ] || [ "$rows" -ge $((N / 4)) ]; }; then
    break
  fi
  sleep 0.1
done
if kill -9 "$ipid" 2>/dev/null; then ok "import killed with SIGKILL while running ($rows rows seen)"
else fails "import killed with SIGKILL while running" "the import had already finished: make N bigger"; fi
wait "$ipid" 2>/dev/null
eq "$?" "137" "the import died of SIGKILL"

expect_exit 0 "verify passes after kill -9" et verify --json
K=$(jget "$T_DIR/out" 'd["events"]')
eq "$(jget "$T_DIR/out" 'd["ok"]')" "true" "verify --json says ok ($K events)"
if [ "$K" -gt 0 ] && [ "$K" -lt "$N" ]; then ok "some but not all records were committed (K=$K of $N)"
else fails "some but not all records were committed" "K=$K of $N"; fi
eq "$((K % BATCH))" "0" "whole batches of $BATCH only (K=$K)"

# the stored ids, in ledger order, are exactly the first K ids of the input
sql "$DB" "SELECT execution_id FROM ledger ORDER BY seq" >"$T_DIR/stored.ids"
head -n "$K" "$T_DIR/in.ids" >"$T_DIR/prefix.ids"
if cmp -s "$T_DIR/stored.ids" "$T_DIR/prefix.ids"; then ok "the ledger holds exactly the first K input records, in order"
else fails "the ledger holds exactly the first K input records, in order" "$(diff "$T_DIR/stored.ids" "$T_DIR/prefix.ids" | head -5)"; fi
expect_exit 0 "list after the kill" et list --limit 0 --format ids
eq "$(sort "$T_DIR/out" | sha256sum)" "$(sort "$T_DIR/prefix.ids" | sha256sum)" "the projection lists the same K executions"

# import the whole file again, skipping what is already there
expect_exit 3 "re-import with --on-error skip exits 3 (the duplicates are rejected)" \
  et import --on-error skip "$T_DIR/in.jsonl"
cp "$T_DIR/err" "$T_DIR/reimport.err"
eq "$(grep -c 'is already recorded' "$T_DIR/reimport.err")" "$K" "each of the K duplicates is reported"
first=$(head -1 "$T_DIR/in.ids")
contains "$T_DIR/reimport.err" "line 1: execution_id: $first is already recorded" "the first duplicate is named by line number"
contains "$T_DIR/reimport.err" "line $K: " "the last duplicate (line $K) is named"
not_contains "$T_DIR/reimport.err" "line $((K + 1)): " "line $((K + 1)) is not rejected"
contains "$T_DIR/reimport.err" "imported $((N - K)) records (0 actions) from $N lines" "the summary counts the rest"
contains "$T_DIR/reimport.err" "; $K rejected" "and the K rejected"

expect_exit 0 "verify after the re-import" et verify --json
eq "$(jget "$T_DIR/out" '[d["ok"], d["events"]]')" "[true,$N]" "verify OK with all $N events"
sql "$DB" "SELECT execution_id FROM ledger ORDER BY seq" >"$T_DIR/stored.ids"
if cmp -s "$T_DIR/stored.ids" "$T_DIR/in.ids"; then ok "the ledger holds every input record once, in input order"
else fails "the ledger holds every input record once, in input order" "$(diff "$T_DIR/stored.ids" "$T_DIR/in.ids" | head -5)"; fi
expect_exit 0 "list --limit 0 --format ids" et list --limit 0 --format ids
eq "$(wc -l <"$T_DIR/out" | tr -d ' ')" "$N" "all $N executions are listed"

done_testing
