#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# PostgreSQL's month partitions (docs/POSTGRES.md "Time partitions"): the
# projections get a partition per month written, retention drops the
# partitions of a month whose executions all expire and deletes the rest
# row by row, with the same ledger events, counts, query answers and
# reports as row by row (ET_PG_RETENTION=rows) and as SQLite; verify
# passes; a restore makes a dropped month again; a duplicate execution in
# another month is still refused; a partition that a reader keeps locked
# falls back to the row-by-row delete; a trail of schema 8 (plain tables)
# is converted when first opened for writing, and refused read-only.
# Needs EXECTRAIL_TEST_PG; skips, saying so, without it.
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/pg_lib.sh"

# use NAME: the trail NAME (PostgreSQL schema et_cli_<pid>_NAME, or the
# SQLite file when NAME is "lite"), with its own keys directory
use() {
  export EXECTRAIL_HOME="$T_DIR/home-$1"
  mkdir -p "$EXECTRAIL_HOME"
  if [ "$1" = lite ]; then
    export EXECTRAIL_DB="$EXECTRAIL_HOME/trail.db"
  else
    S=$(pg_schema "$1")
    export EXECTRAIL_DB
    EXECTRAIL_DB=$(pg_url "$S")
  fi
}
# parts SCHEMA TABLE: its partitions, by name
parts() {
  psql_q "$1" "SELECT coalesce(string_agg(c.relname, ' ' ORDER BY c.relname), '')
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    JOIN pg_class p ON p.oid = i.inhparent
    WHERE p.relnamespace = '$1'::regnamespace AND p.relname = '$2'"
}
nparts() { parts "$1" "$2" | wc -w | tr -d ' '; }

export EXECTRAIL_NOW=2025-07-01T00:00:00Z
AT=2025-07-20T00:00:00Z

# Six months, six executions each (starting on days 1, 5, ... 21), all
# MATCH (kept 90 days) but one held in February and one ERROR (kept 180
# days) in March. At $AT the successes that ended by 2025-04-21T00:00Z
# expire: January whole, February and March but the one each that stays,
# April's first five: 21.
python3 - "$T_DIR/in.jsonl" <<'PY'
import json, sys, uuid, datetime as dt
S = dt.timedelta(seconds=1)
f = lambda t: t.strftime("%Y-%m-%dT%H:%M:%S.000Z")
with open(sys.argv[1], "w") as out:
    for m in range(6):
        for i in range(6):
            start = dt.datetime(2025, 1 + m, 1 + 4 * i, 9, tzinfo=dt.timezone.utc)
            rec = {"execution_id": str(uuid.UUID(int=(m + 1) * 256 + i, version=4)),
                   "session_id": "sess-%d" % (i % 2),
                   "timestamp_start": f(start), "timestamp_end": f(start + 50 * S),
                   "agent_metadata": {"name": "agent-%d" % (i % 3)},
                   "delegation": {"prompt_sent": "month%d item%d walnut" % (m, i)},
                   "execution": {"actions_taken": [
                       {"sequence": k + 1, "tool": "Bash", "input": "make t%d" % k,
                        "output": "fine", "timestamp": f(start + (k + 1) * S),
                        "success": not (m == 2 and i == 1 and k == 1),
                        "error": "exit 2 in step 7" if m == 2 and i == 1 and k == 1 else None}
                       for k in range(3)]},
                   "output": {"raw_response": "done %d" % i,
                              "files_modified": ["src/m%d/f%d.c" % (m, i)]},
                   "verification": {"status": "ERROR" if (m, i) == (2, 1) else "MATCH"}}
            out.write(json.dumps(rec) + "\n")
PY
HELD=00000000-0000-4000-8000-000000000202

for tr in a rows lite; do
  use $tr
  check "$tr: init" et init
  check "$tr: import six months" et import "$T_DIR/in.jsonl"
  check "$tr: hold one in February" et hold "$HELD" --reason "case 7"
done

# ---- partitions made on demand ----
SA=et_cli_$$_a
eq "$(parts $SA executions)" "executions_default executions_p202501 executions_p202502 executions_p202503 executions_p202504 executions_p202505 executions_p202506" \
  "executions: a partition per month written, and the default"
for tb in actions exec_lists fts exec_issues; do
  eq "$(nparts $SA $tb)" 7 "$tb: a partition per month and the default"
done
eq "$(psql_q $SA "SELECT count(*) FROM executions_p202503")" 6 "March's executions are in March's partition"
eq "$(psql_q $SA "SELECT count(*) FROM fts_p202503")" 6 "and their text rows too"
eq "$(psql_q $SA "SELECT count(*) FROM executions_default")" 0 "nothing without a time in the default"

# the same execution id with a start in another month is still a conflict
python3 - "$T_DIR/in.jsonl" "$T_DIR/dup.json" <<'PY'
import json, sys
rec = json.loads(open(sys.argv[1]).readline())
rec["timestamp_start"], rec["timestamp_end"] = "2024-11-03T09:00:00.000Z", "2024-11-03T09:00:50.000Z"
json.dump(rec, open(sys.argv[2], "w"))
PY
use a
expect_exit 7 "an execution already recorded, starting in another month: conflict" \
  et record "$T_DIR/dup.json"
contains "$T_DIR/err" "already recorded" "the message says so"
eq "$(nparts $SA executions)" 7 "and its month's partition was not kept"

# what the three trails answer, before and after retention
answers() { # FILE
  {
    et list --limit 100
    et query 'agent_metadata.name = "agent-1"'
    et query 'verification status ERROR MISMATCH'
    et query 'files_modified src'
    # (ranks differ: docs/POSTGRES.md, "Full text")
    et search walnut | sed 's/score [^ ]*/score -/'
    et search 'month3' | sed 's/score [^ ]*/score -/'
    et stats
    et report daily --date 2025-03-05 --format json | python3 -c '
import json, sys
d = json.load(sys.stdin)
for k in ("checkpoint", "generated_at", "ledger", "store", "verified"):
    d.pop(k, None)
print(json.dumps(d, sort_keys=True))'
    # (the checkpoint's root differs: each trail signs its erasures)
    et report agent agent-0 --since 2025-01-01 --format md | grep -v 'root `'
    et retention plan --at "$AT" --all --format jsonl
  } >"$1" 2>&1
}
for tr in a rows lite; do use $tr; answers "$T_DIR/before-$tr"; done
same_file() { # A B WHAT
  if cmp -s "$1" "$2"; then ok "$3"; else fails "$3" "$(diff "$1" "$2" | head -20)"; fi
}
same_file "$T_DIR/before-a" "$T_DIR/before-lite" "before retention: the same answers as SQLite"

# ---- retention ----
for tr in a rows lite; do
  use $tr
  if [ $tr = rows ]; then export ET_PG_RETENTION=rows; fi
  check "$tr: retention run" et retention run --at "$AT"
  unset ET_PG_RETENTION
  sed 's/ into [^;]*;/ into BUNDLE;/' "$T_DIR/out" >"$T_DIR/run-$tr"
done
contains "$T_DIR/run-a" "erased 21 (21 events); kept 14, 1 on legal hold" "21 executions erased, 14 kept, 1 held"
same_file "$T_DIR/run-a" "$T_DIR/run-lite" "the run's counts are SQLite's"
same_file "$T_DIR/run-a" "$T_DIR/run-rows" "and row by row's"

eq "$(parts $SA executions)" "executions_default executions_p202502 executions_p202503 executions_p202504 executions_p202505 executions_p202506" \
  "January's partition is dropped, the months that keep an execution stay"
for tb in actions exec_lists fts; do
  eq "$(nparts $SA $tb)" 6 "$tb: January dropped too"
done
eq "$(psql_q $SA "SELECT count(*) FROM executions_p202502")" 1 "February keeps the held one (row by row)"
eq "$(psql_q $SA "SELECT count(*) FROM executions_p202503")" 1 "March keeps its failure"
eq "$(nparts et_cli_$$_rows executions)" 7 "ET_PG_RETENTION=rows drops nothing"

# the ledger: the same events in the same order everywhere
ledger_pg() { psql_q "$1" "SELECT string_agg(type || ' ' || coalesce(execution_id, '-') || ' ' || (body IS NULL)::text, E'\n' ORDER BY seq) FROM ledger"; }
ledger_pg $SA >"$T_DIR/ledger-a"
ledger_pg et_cli_$$_rows >"$T_DIR/ledger-rows"
python3 - "$T_DIR/home-lite/trail.db" >"$T_DIR/ledger-lite" <<'PY'
import sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
for t, e, b in db.execute("SELECT type, execution_id, body IS NULL FROM ledger ORDER BY seq"):
    print("%s %s %s" % (t, e or "-", "true" if b else "false"))
PY
same_file "$T_DIR/ledger-a" "$T_DIR/ledger-lite" "ledger: the same events, erased payloads and order as SQLite"
same_file "$T_DIR/ledger-a" "$T_DIR/ledger-rows" "and as row by row"
eq "$(grep -c '^retention.erased' "$T_DIR/ledger-a")" 21 "one retention.erased event per execution"

for tr in a rows lite; do
  use $tr
  check "$tr: verify after retention (projections recomputed)" et verify
  contains "$T_DIR/out" "projections: recomputed from the ledger, every row matches" "$tr: the projections match the ledger"
  answers "$T_DIR/after-$tr"
done
same_file "$T_DIR/after-a" "$T_DIR/after-lite" "after retention: the same answers as SQLite"
same_file "$T_DIR/after-a" "$T_DIR/after-rows" "and as row by row"
tables_pg() { psql_q "$1" "SELECT md5(string_agg(t, '|' ORDER BY t)) FROM (
  SELECT 'e' || e::text t FROM executions e UNION ALL SELECT 'a' || a::text FROM actions a
  UNION ALL SELECT 'l' || l::text FROM exec_lists l
  UNION ALL SELECT 'f' || seq || coalesce(execution_id, '') || body || coalesce(start_ns, 0) FROM fts
  UNION ALL SELECT 'i' || i::text FROM exec_issues i UNION ALL SELECT 's' || s::text FROM sessions s
  UNION ALL SELECT 'r' || r::text FROM report_slots r) u"; }
eq "$(tables_pg $SA)" "$(tables_pg et_cli_$$_rows)" "the projection tables hold the same rows as row by row"

# ---- a restore writes into January again: its partitions come back ----
use a
BUNDLE=$(ls "$EXECTRAIL_HOME"/archive/*.etar.zst)
check "restore the bundle" et archive restore "$BUNDLE"
eq "$(nparts $SA executions)" 7 "January's partition is made again"
eq "$(psql_q $SA "SELECT count(*) FROM executions_p202501")" 6 "with January's executions"
eq "$(psql_q $SA "SELECT count(*) FROM executions_default")" 0 "none in the default"
check "verify after the restore" et verify
check "rebuild" et rebuild
check "verify after rebuild" et verify

# ---- a partition a reader holds: the row-by-row delete instead ----
use lock
check "lock: init" et init
check "lock: import" et import "$T_DIR/in.jsonl"
SL=et_cli_$$_lock
PGOPTIONS="-c search_path=$SL -c client_min_messages=warning" \
  psql "$EXECTRAIL_TEST_PG" -X -q -c "BEGIN" \
  -c "LOCK TABLE executions_p202501 IN ACCESS SHARE MODE" \
  -c "SELECT pg_sleep(30)" >/dev/null 2>&1 &
LOCKER=$!
T_PIDS="${T_PIDS:+$T_PIDS }$LOCKER"
for _ in $(seq 1 200); do
  [ "$(psql_q $SL "SELECT count(*) FROM pg_locks WHERE relation = 'executions_p202501'::regclass AND granted")" = 1 ] && break
  sleep 0.05
done
EXECTRAIL_BUSY_TIMEOUT_MS=1000 check "retention while a reader holds January's executions" \
  et retention run --at "$AT"
kill "$LOCKER" 2>/dev/null; wait "$LOCKER" 2>/dev/null
sed 's/ into [^;]*;/ into BUNDLE;/' "$T_DIR/out" >"$T_DIR/run-lock"
# (nothing held here: 22 expire)
contains "$T_DIR/run-lock" "erased 22 (22 events)" "every expired execution is erased"
eq "$(parts $SL executions | grep -c executions_p202501)" 1 "the locked partition stays"
eq "$(psql_q $SL "SELECT count(*) FROM executions_p202501")" 0 "emptied row by row"
eq "$(parts $SL actions | grep -c actions_p202501)" 0 "the other tables' January partitions are dropped"
check "verify" et verify

# ---- a trail of schema 8: plain tables, converted when opened to write ----
use old
check "old: init" et init
check "old: import" et import "$T_DIR/in.jsonl"
et list --limit 100 >"$T_DIR/old-list-before"
SO=et_cli_$$_old
psql_q $SO "
CREATE TABLE v7_e AS SELECT * FROM executions; CREATE TABLE v7_a AS SELECT * FROM actions;
CREATE TABLE v7_l AS SELECT * FROM exec_lists; CREATE TABLE v7_i AS SELECT * FROM exec_issues;
CREATE TABLE v7_f AS SELECT seq, execution_id, body FROM fts;
DROP TABLE executions, actions, exec_lists, fts, exec_issues;
DROP FUNCTION et_part_ensure(bigint), et_part_forget(text), et_month_lo(bigint),
  et_unique_execution(), et_unique_action(), et_unique_fts();
ALTER TABLE v7_e RENAME TO executions; ALTER TABLE executions ADD PRIMARY KEY (execution_id);
ALTER TABLE v7_a RENAME TO actions; ALTER TABLE actions ADD PRIMARY KEY (execution_id, sequence);
ALTER TABLE v7_l RENAME TO exec_lists; ALTER TABLE exec_lists ADD PRIMARY KEY (execution_id, kind, item);
ALTER TABLE v7_i RENAME TO exec_issues;
ALTER TABLE v7_f RENAME TO fts; ALTER TABLE fts ADD PRIMARY KEY (seq);
ALTER TABLE fts ADD COLUMN tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple',
  regexp_replace(body, '[^[:alnum:]]+', ' ', 'g'))) STORED;
CREATE INDEX executions_start ON executions(start_ns);
CREATE INDEX executions_agent ON executions(agent_name, start_ns);
CREATE INDEX executions_session ON executions(session_id);
CREATE INDEX executions_verification ON executions(verification, start_ns);
CREATE INDEX executions_quality ON executions(completeness, accuracy, efficiency, start_ns);
CREATE INDEX executions_duration ON executions(duration_ms, start_ns);
CREATE INDEX exec_lists_item ON exec_lists(kind, item, start_ns, execution_id);
CREATE INDEX fts_tsv ON fts USING gin(tsv); CREATE INDEX fts_exec ON fts(execution_id);
CREATE INDEX exec_issues_signature ON exec_issues(signature, ts_ns);
CREATE INDEX exec_issues_exec ON exec_issues(execution_id);
CREATE INDEX exec_issues_agent ON exec_issues(agent_name, ts_ns);
CREATE FUNCTION et_exec_start_lists() RETURNS trigger LANGUAGE plpgsql
  AS \$f\$ BEGIN UPDATE exec_lists SET start_ns = NEW.start_ns
  WHERE execution_id = NEW.execution_id; RETURN NULL; END \$f\$;
CREATE TRIGGER executions_start_lists AFTER UPDATE OF start_ns ON executions
  FOR EACH ROW WHEN (OLD.start_ns IS DISTINCT FROM NEW.start_ns)
  EXECUTE FUNCTION et_exec_start_lists();
UPDATE et_schema SET version = 8;" >/dev/null
eq "$(psql_q $SO "SELECT count(*) FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid WHERE c.relnamespace = '$SO'::regnamespace")" 0 \
  "the trail is back at schema 8: no partitioned table"
expect_exit 5 "read-only, a trail that needs the upgrade is refused" et doctor
cat "$T_DIR/err" >>"$T_DIR/out"
contains "$T_DIR/out" "needs a schema upgrade; open it for writing once" "saying how to upgrade it"
check "opening it to write converts it" et hold 00000000-0000-4000-8000-000000000100 --reason "x"
eq "$(psql_q $SO "SELECT max(version) FROM et_schema")" 13 "schema version 13"
eq "$(psql_q $SO "SELECT indexdef LIKE '%INCLUDE (execution_id, agent_name)' FROM pg_indexes WHERE schemaname = '$SO' AND indexname = 'exec_issues_signature'")" t \
  "the signature index covers the recurring-failure count (migration 13)"
eq "$(nparts $SO executions)" 7 "executions: the months present got their partitions"
eq "$(nparts $SO fts)" 7 "fts too"
eq "$(psql_q $SO "SELECT count(*) FROM fts_p202504")" 6 "text rows follow their execution's start"
et list --limit 100 >"$T_DIR/old-list-after"
same_file "$T_DIR/old-list-before" "$T_DIR/old-list-after" "the converted trail lists the same executions"
check "verify the converted trail" et verify
contains "$T_DIR/out" "every row matches" "its projections match the ledger"
expect_exit 7 "a duplicate is still refused after conversion" et record "$T_DIR/dup.json"

done_testing
