#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# PostgreSQL writers (docs/POSTGRES.md "Privileges", "Bulk writes"):
#  - a role that owns nothing, with only the grants the docs tell a DBA to
#    give, records, imports, runs the hook, makes a new month's partitions
#    (et_part_ensure runs with the owner's rights), runs retention (which
#    drops a month whole) and verifies; it cannot drop or create tables,
#    run init in a new schema, or open a trail it has no USAGE on;
#  - the ledger and action rows of a large apply go by COPY and give the
#    same tables as one INSERT each; a row the server refuses in a COPY or
#    in an apply whose answers were deferred fails with the message of
#    the record it belongs to, and nothing of it stays;
#  - the round trips of an import (ET_STORE_STATS): a few a batch, not one
#    a record.
# Needs EXECTRAIL_TEST_PG and the right to create roles; skips, saying
# so, without them.
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/pg_lib.sh"

OWNER_URL=$(pg_trail main)
S=$(pg_schema main)
ROLE="et_cli_$$_writer"
# the connection string of the trail in schema $1 as user $ROLE
as_writer() {
  pg_url "$1" | sed -E "s|^(postgres(ql)?://)([^@/]*@)?|\1$ROLE@|"
}
role_cleanup() {
  PGOPTIONS="-c client_min_messages=warning" psql "$EXECTRAIL_TEST_PG" -X -q \
    -c "DROP OWNED BY $ROLE" -c "DROP ROLE IF EXISTS $ROLE" >/dev/null 2>&1
  pg_cleanup
}
trap role_cleanup EXIT
if ! psql "$EXECTRAIL_TEST_PG" -X -q -v ON_ERROR_STOP=1 \
    -c "CREATE ROLE $ROLE LOGIN" >/dev/null 2>"$T_DIR/role.err"; then
  skip_note "cannot create a role here: $(head -n 1 "$T_DIR/role.err")"
  done_testing
fi

export EXECTRAIL_HOME="$T_DIR/home"
mkdir -p "$EXECTRAIL_HOME"
check "the owner makes the trail" et --db "$OWNER_URL" init

# The grants of docs/POSTGRES.md "Privileges", after taking from PUBLIC
# what a careful DBA takes (the right to run the schema's functions), so
# that every right the writer uses is one given here.
psql_q "$S" "REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA $S FROM PUBLIC" >/dev/null
W=$(as_writer "$S")
eq "$(psql_q "$S" "SELECT has_schema_privilege('$ROLE', '$S', 'USAGE')")" "f" \
  "before the grants the writer has no USAGE on the schema"
expect_exit 5 "so it cannot open the trail" et --db "$W" list
contains "$T_DIR/err" "role $ROLE has no USAGE on schema '$S'" \
  "the message says which right is missing"
expect_exit 5 "nor record into it" et --db "$W" record "$ET_SOURCE_DIR/tests/data/spec-record.json"
contains "$T_DIR/err" "has no USAGE on schema" "(the same message)"
psql "$EXECTRAIL_TEST_PG" -X -q -v ON_ERROR_STOP=1 >/dev/null <<SQL
GRANT USAGE ON SCHEMA $S TO $ROLE;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA $S TO $ROLE;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA $S TO $ROLE;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA $S TO $ROLE;
SQL
eq "$(psql_q "$S" "SELECT count(*) FROM pg_class c WHERE c.relnamespace = '$S'::regnamespace
    AND pg_get_userbyid(c.relowner) = '$ROLE'")" "0" "the writer owns nothing in the schema"
eq "$(psql_q "$S" "SELECT has_database_privilege('$ROLE', current_database(), 'CREATE')")" "f" \
  "nor may it create schemas"

# ---- what the writer can do ----
export EXECTRAIL_DB="$W"
check "the writer records" et record "$ET_SOURCE_DIR/tests/data/spec-record.json"
python3 - "$T_DIR" <<'PY'
import json, os, sys
d = sys.argv[1]
def rec(i, month, n_actions=3, year=2031):
    t = "%d-%02d-03T10:%02d:00.000Z" % (year, month, i % 60)
    return {"execution_id": "70000000-0000-4000-8000-%012d" % i, "session_id": "s-%d" % (i % 3),
            "timestamp_start": t, "timestamp_end": t.replace(":00.000Z", ":30.000Z"),
            "agent_metadata": {"name": "writer-%d" % (i % 2)},
            "delegation": {"prompt_sent": "count the walnuts, part %d" % i},
            "execution": {"actions_taken": [
                {"sequence": k + 1, "tool": "Bash", "input": "make t%d" % k, "output": "fine",
                 "timestamp": t, "success": True} for k in range(n_actions)]},
            "output": {"raw_response": "done %d" % i}, "verification": {"status": "MATCH"}}
with open(os.path.join(d, "batch.jsonl"), "w") as f:
    for i in range(12):
        f.write(json.dumps(rec(i, 5)) + "\n")
# a month no row has had yet
json.dump(rec(100, 9), open(os.path.join(d, "september.json"), "w"))
# old enough for retention to erase at 2031-06-01 (kept 90 days): a month alone
with open(os.path.join(d, "old.jsonl"), "w") as f:
    for i in range(3):
        f.write(json.dumps(rec(200 + i, 1, year=2030)) + "\n")
# many actions in one record: its ledger and action rows go by COPY
big = rec(300, 5, n_actions=150)
json.dump(big, open(os.path.join(d, "big.json"), "w"))
PY
check "the writer imports" et import "$T_DIR/batch.jsonl"
contains "$T_DIR/err" "imported 12 records" "all twelve"
nparts() {
  psql_q "$S" "SELECT count(*) FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent
    WHERE p.relnamespace = '$S'::regnamespace AND p.relkind = 'p'"
}
before=$(nparts)
check "the writer records into a month that has no partitions yet" et record "$T_DIR/september.json"
eq "$(psql_q "$S" "SELECT string_agg(c.relname || ':' || pg_get_userbyid(c.relowner), ' ' ORDER BY c.relname)
    FROM pg_class c WHERE c.relnamespace = '$S'::regnamespace AND c.relname LIKE '%\\_p203109'
    AND c.relkind = 'r'")" \
  "actions_p203109:exectrail exec_issues_p203109:exectrail exec_lists_p203109:exectrail executions_p203109:exectrail fts_p203109:exectrail" \
  "the month's five partitions were made, owned by the trail's owner"
after=$(nparts)
eq "$after" "$((before + 5))" "and no others"
check "the writer sees what it wrote there" et show 70000000-0000-4000-8000-000000000100
n0=$(psql_q "$S" "SELECT count(*) FROM ledger")
n=0
while IFS= read -r line; do
  printf '%s\n' "$line" | et hook >/dev/null 2>>"$T_DIR/hook.err" || n=$((n + 1))
done <"$ET_SOURCE_DIR/tests/data/claude/hook-session.jsonl"
eq "$n" "0" "the writer runs the hook for a whole session"
n1=$(psql_q "$S" "SELECT count(*) FROM ledger")
[ "$n1" -gt "$n0" ] && ok "the hook appended events ($n0 -> $n1)" ||
  fails "the hook appended events" "$n0 -> $n1: $(head -c 600 "$T_DIR/hook.err")"
check "spool status" et spool status --json
contains "$T_DIR/out" '"spooled":0,"quarantined":0' "nothing was spooled or quarantined"
ET_PG_COPY_ROWS=64 check "a record with 150 actions (its rows by COPY)" et record "$T_DIR/big.json"
eq "$(psql_q "$S" "SELECT count(*) FROM actions WHERE execution_id = '70000000-0000-4000-8000-000000000300'")" \
  "150" "all its actions are there"
check "the writer imports a month that retention will erase" et import "$T_DIR/old.jsonl"
EXECTRAIL_NOW=2031-06-01T00:00:00Z check \
  "the writer runs retention (a month's partitions dropped whole)" \
  et retention run --at 2031-06-01T00:00:00Z
eq "$(psql_q "$S" "SELECT count(*) FROM executions WHERE execution_id LIKE '%00000000020_'")" "0" \
  "the three old executions are erased"
# (exec_issues_p203001 stays: it was empty, and an empty partition is
# never dropped)
eq "$(psql_q "$S" "SELECT coalesce(string_agg(relname, ' ' ORDER BY relname), '') FROM pg_class
    WHERE relnamespace = '$S'::regnamespace AND relkind = 'r' AND relname LIKE '%\\_p203001'")" \
  "exec_issues_p203001" "the partitions that held their rows are gone"
check "verify passes, run by the writer (projections compared)" et verify
contains "$T_DIR/out" "every row matches" "the projections match the ledger"

# ---- what it cannot do ----
drop() { psql "$W" -X -q -v ON_ERROR_STOP=1 -c "$1" >"$T_DIR/out" 2>"$T_DIR/err"; }
expect_exit 1 "the writer cannot drop the ledger" drop "DROP TABLE ledger"
contains "$T_DIR/err" "must be owner" "(must be owner)"
expect_exit 1 "nor a month partition" drop "DROP TABLE executions_p203109"
expect_exit 1 "nor create a table in the trail's schema" drop "CREATE TABLE x(a int)"
contains "$T_DIR/err" "permission denied for schema $S" "(permission denied)"
expect_exit 1 "nor replace a function the owner's rights run" \
  drop "CREATE OR REPLACE FUNCTION et_part_ensure(ns bigint) RETURNS void LANGUAGE sql AS 'SELECT 1'"
NEWS="${S}_new"
expect_exit 5 "nor init a trail in a new schema" et --db "$(as_writer "$NEWS")" init
contains "$T_DIR/err" "permission denied" "the message says why"
eq "$(psql_q "$S" "SELECT count(*) FROM pg_namespace WHERE nspname = '$NEWS'")" "0" "no schema was made"

# ---- bulk rows: COPY and one INSERT each make the same tables ----
export EXECTRAIL_DB="$OWNER_URL"
BIG_ID=70000000-0000-4000-8000-000000000300
tables() { # SCHEMA: the ledger (without times: each trail signs its own) and actions
  psql_q "$1" "SELECT md5(string_agg(execution_id || sequence || coalesce(tool, '') || coalesce(ts_ns, 0)
      || coalesce(success, 9) || doc, ',' ORDER BY execution_id, sequence)) FROM actions"
  psql_q "$1" "SELECT string_agg(seq || type || coalesce(execution_id, ''), ',' ORDER BY seq) FROM ledger
      WHERE execution_id IS NOT NULL" | md5sum
  psql_q "$1" "SELECT count(*) FROM event_index"
}
for mode in copy rows; do
  url=$(pg_trail "b$mode")
  if [ $mode = copy ]; then c=1; else c=off; fi
  et --db "$url" init >/dev/null 2>&1
  ET_PG_COPY_ROWS=$c et --db "$url" record "$T_DIR/big.json" >/dev/null 2>&1
  ET_PG_COPY_ROWS=$c et --db "$url" import "$T_DIR/batch.jsonl" >/dev/null 2>&1
  tables "$(pg_schema "b$mode")" >"$T_DIR/tables-$mode"
  check "$mode: the trail verifies" et --db "$url" verify
done
if cmp -s "$T_DIR/tables-copy" "$T_DIR/tables-rows"; then
  ok "COPY and one INSERT each: the same ledger, event index and actions"
else fails "COPY and one INSERT each: the same ledger, event index and actions" \
  "$(diff "$T_DIR/tables-copy" "$T_DIR/tables-rows")"; fi

# ---- a refused row: the record's own message, nothing of it stays ----
# an action row of the record is there already (put by hand): the
# uniqueness trigger refuses the COPY's INSERT ... SELECT, then the rows
# run one by one and the action names itself
SB=$(pg_schema bcopy)
psql_q "$SB" "INSERT INTO actions(execution_id, sequence, tool, ts_ns, success, seq, doc)
  VALUES ('70000000-0000-4000-8000-000000000400', 77, 'x', NULL, 1, 999999, '{}')" >/dev/null
python3 - "$T_DIR/big.json" "$T_DIR/dup.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); r["execution_id"] = "70000000-0000-4000-8000-000000000400"
json.dump(r, open(sys.argv[2], "w"))
PY
n0=$(psql_q "$SB" "SELECT count(*) FROM ledger")
for c in 1 off; do
  ET_PG_COPY_ROWS=$c expect_exit 3 "COPY_ROWS=$c: a record whose action 77 is stored already is refused" \
    et --db "$(pg_trail bcopy)" record "$T_DIR/dup.json"
  contains "$T_DIR/err" "execution.actions_taken: sequence 77 is already recorded for 70000000-0000-4000-8000-000000000400" \
    "COPY_ROWS=$c: the message names the action and its execution"
  eq "$(psql_q "$SB" "SELECT count(*) FROM ledger")" "$n0" "COPY_ROWS=$c: no ledger row of it stays"
done
psql_q "$SB" "DELETE FROM actions WHERE seq = 999999" >/dev/null
# the ledger row the record is to take is there already
psql_q "$SB" "INSERT INTO ledger VALUES ($n0, 'x', NULL, 1, '\\x00', NULL)" >/dev/null
ET_PG_COPY_ROWS=1 expect_exit 7 "a ledger row in the way: the append is refused (COPY)" \
  et --db "$(pg_trail bcopy)" record "$T_DIR/dup.json"
contains "$T_DIR/err" "append event: seq $n0 is already in the ledger" "the message names the sequence number"
eq "$(psql_q "$SB" "SELECT count(*) FROM actions WHERE execution_id = '70000000-0000-4000-8000-000000000400'")" \
  "0" "none of its actions stay"
# an import's writes reach the server in applies of many records, the
# last with the batch's commit (deferred: answered with the commit's
# round trip): the same refusal there fails the import (exit 3), names the
# refused row and the batch's lines, and nothing of the batch stays
head -n 3 "$T_DIR/batch.jsonl" | sed 's/70000000-0000-4000-8000-0000000000/70000000-0000-4000-8000-0000000005/' \
  >"$T_DIR/three.jsonl"
for d in on off; do
  ET_PG_DEFER=$d expect_exit 3 "defer=$d: an import meeting that ledger row fails" \
    et --db "$(pg_trail bcopy)" import "$T_DIR/three.jsonl"
  contains "$T_DIR/err" "lines 1-3: append event: seq $n0 is already in the ledger" \
    "defer=$d: and names the refused row and the batch's lines"
  contains "$T_DIR/err" "imported 0 records (0 actions) from 3 lines" \
    "defer=$d: the summary counts nothing of the batch"
  eq "$(psql_q "$SB" "SELECT count(*) FROM executions WHERE execution_id LIKE '%00000000050_'")" "0" \
    "defer=$d: nothing of the batch stays"
  eq "$(psql_q "$SB" "SELECT count(*) FROM ledger")" "$((n0 + 1))" "defer=$d: nor of its ledger rows"
done
psql_q "$SB" "DELETE FROM ledger WHERE seq = $n0" >/dev/null
check "after the row is gone the trail verifies" et --db "$(pg_trail bcopy)" verify

# ---- round trips of an import (ET_STORE_STATS) ----
# the batch's ids are checked in one read (et_store_exec_exists) and its
# writes go in applies of many records: 48 records or 96 in one batch take
# the same few round trips (open the trail, begin, check, apply, copy the
# text rows: 32 or more by COPY, commit), deferred or not
python3 - "$T_DIR/batch.jsonl" "$T_DIR" <<'PY'
import json, os, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
for n in (4, 8):
    with open(os.path.join(sys.argv[2], "x%d.jsonl" % n), "w") as f:
        for k in range(n):
            for i, r in enumerate(recs):
                f.write(json.dumps(dict(r, execution_id="71000000-0000-4000-8000-%012d" % (k * 100 + i))) + "\n")
PY
rtrips() { # FILE DEFER: the round trips of its import into a new trail
  local url
  url=$(pg_trail "rt$2$(basename "$1" .jsonl)")
  et --db "$url" init >/dev/null 2>&1
  ET_PG_DEFER=$2 ET_STORE_STATS=1 "$EXECTRAIL" --db "$url" import "$1" >/dev/null 2>"$T_DIR/rt"
  sed -nE 's/^exectrail: postgresql: ([0-9]+) round trips.*/\1/p' "$T_DIR/rt"
}
for d in on off; do
  rt12=$(rtrips "$T_DIR/batch.jsonl" $d)
  rt48=$(rtrips "$T_DIR/x4.jsonl" $d)
  rt96=$(rtrips "$T_DIR/x8.jsonl" $d)
  [ "${rt12:-0}" -gt 0 ] && [ "$rt12" -le 20 ] && ok "defer=$d: $rt12 round trips for 12 records" ||
    fails "defer=$d: 1 to 20 round trips for 12 records" "${rt12:-none}: $(cat "$T_DIR/rt")"
  [ "${rt48:-0}" -gt 0 ] && [ "${rt96:-99}" -le $((rt48 + 2)) ] &&
    ok "defer=$d: $rt48 for 48 records, $rt96 for 96: not one more a record" ||
    fails "defer=$d: 96 records take about as many round trips as 48" "${rt96:-none} vs ${rt48:-none}"
done
done_testing
