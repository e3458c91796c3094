#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fault and crash injection under the store's file I/O (ET_TEST_IO_FAULT,
# src/store/sqlite/fault_vfs.c): an import into a trail of 20 records is run
# with its Nth write point (write, sync or truncate of the database, WAL or
# journal) failing with an I/O error, a full disk or a short write, or the
# process ending there (before the call, or after half a write). After each
# run, without faults: the trail verifies, the 20 records are intact, and
# the import's 5 records are all there or none (all when it said so). A hook
# input that meets an I/O error is spooled and recorded by the next replay.
. "$(dirname "$0")/lib.sh"

sqlite_only "the fault injection is SQLite's (a VFS shim)" || done_testing
# 25 records: the spec's example record under 25 ids
python3 - "$ET_SOURCE_DIR/tests/data/spec-record.json" "$T_DIR/all.jsonl" <<'PY'
import json, sys
rec = json.load(open(sys.argv[1]))
with open(sys.argv[2], "w") as f:
    for i in range(25):
        rec["execution_id"] = "00000000-0000-4000-8000-%012d" % i
        f.write(json.dumps(rec) + "\n")
PY
head -20 "$T_DIR/all.jsonl" >"$T_DIR/base.jsonl"
tail -5 "$T_DIR/all.jsonl" >"$T_DIR/more.jsonl"
export EXECTRAIL_HOME="$T_DIR/base"
et import "$T_DIR/base.jsonl" >/dev/null 2>&1 || fails "the base import" "exit $?"
et list --format ids | sort >"$T_DIR/base.ids"
eq "$(wc -l <"$T_DIR/base.ids" | tr -d ' ')" 20 "the base trail holds 20 records"

runs=0 bad="" failed=0 crashed=0 whole=0
for kind in eio full short crash torn; do
  for n in $(seq 1 "${ET_IO_STEP:-8}" "${ET_IO_MAX:-120}"); do
    rm -rf "$T_DIR/w" && cp -r "$T_DIR/base" "$T_DIR/w"
    export EXECTRAIL_HOME="$T_DIR/w"
    ET_TEST_IO_FAULT=$n:$kind "$EXECTRAIL" import "$T_DIR/more.jsonl" >/dev/null 2>"$T_DIR/err"
    rc=$?
    runs=$((runs + 1))
    et list --format ids | sort >"$T_DIR/ids"
    new=$(comm -13 "$T_DIR/base.ids" "$T_DIR/ids" | wc -l | tr -d ' ')
    kept=$(comm -12 "$T_DIR/base.ids" "$T_DIR/ids" | wc -l | tr -d ' ')
    [ "$kept" -eq 20 ] || bad="$bad $kind@$n:lost-$((20 - kept))"
    [ "$new" -eq 0 ] || [ "$new" -eq 5 ] || bad="$bad $kind@$n:partial-$new"
    et verify >/dev/null 2>&1 || bad="$bad $kind@$n:verify"
    case $rc in
      0) [ "$new" -eq 5 ] || bad="$bad $kind@$n:ok-but-$new"; whole=$((whole + 1)) ;;
      137) crashed=$((crashed + 1)) ;;
      *) failed=$((failed + 1))
         grep -q "I/O error\|disk is full\|store" "$T_DIR/err" ||
           bad="$bad $kind@$n:message($(tail -1 "$T_DIR/err" | head -c 60))" ;;
    esac
  done
done
echo "# $runs runs: $failed failed with an error, $crashed ended mid-write, $whole completed"
eq "${bad:-none}" none "after every fault: the base intact, the import all or nothing, verify passes"
check "the faults reached the store (some runs failed, some crashed)" test "$failed" -gt 20 -a "$crashed" -gt 20

# a hook input that meets an I/O error is spooled, then recorded once
export EXECTRAIL_HOME="$T_DIR/hook"
et init >/dev/null 2>&1
in='{"hook_event_name":"UserPromptSubmit","session_id":"s-io","prompt":"kept"}'
printf '%s' "$in" | ET_TEST_IO_FAULT=1:eio "$EXECTRAIL" hook 2>"$T_DIR/herr"
eq "$?" 0 "the hook exits 0 on an I/O error"
et spool status --json >"$T_DIR/st" 2>&1
eq "$(jget "$T_DIR/st" 'd["spooled"]')" 1 "and its input waits in the spool"
et spool replay >/dev/null 2>&1
eq "$(sql "$EXECTRAIL_HOME/trail.db" "SELECT count(*) FROM ledger WHERE type = 'session.hook'")" 1 \
   "the replay records it once"
check "verify passes" et verify
done_testing
