#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The PostgreSQL backend through the CLI: init, record, import, show, list,
# query, search, checkpoint, verify (and a tampered row named by verify),
# many concurrent writer processes making one ledger with nothing lost or
# duplicated, and `migrate` both ways between SQLite and PostgreSQL.
# Needs EXECTRAIL_TEST_PG (a connection string; test.sh starts a throwaway
# cluster with tools/pg-test-cluster.sh); skips, saying so, without it.
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/pg_lib.sh"

PG=$(pg_trail main)
S_MAIN=$(pg_schema main)
export EXECTRAIL_DB="$PG"

# ---- init, record, show, list, query, search ----
check "init creates the schema and the trail" et init
contains "$T_DIR/out" "created trail" "init says it created the trail"
expect_exit 0 "init again is harmless" et init
check "record the spec's example record" et record "$ET_SOURCE_DIR/tests/data/spec-record.json"
ID=$(head -n 1 "$T_DIR/out")
eq "$ID" "3f2b8c1e-7d4a-4e9b-a6c5-1d2e3f4a5b6c" "record prints the execution id"
check "show by prefix" et show 3f2b8c1e
contains "$T_DIR/out" "agent-name" "show prints the agent"
et show --json "$ID" >"$T_DIR/shown.json"
json_same "$T_DIR/shown.json" "$ET_SOURCE_DIR/tests/data/spec-record.json" \
  "show --json gives back the recorded spec record"
expect_exit 7 "recording the same execution again is a conflict" \
  et record "$ET_SOURCE_DIR/tests/data/spec-record.json"
expect_exit 6 "show of an unknown id: not found" et show 99999999

# ---- libpq is loaded on first use, not linked (src/store/pg/pq_dl.h) ----
if command -v ldd >/dev/null 2>&1; then
  if ldd "$EXECTRAIL" | grep -q 'libpq\.so'; then
    fails "the binary does not link libpq" "$(ldd "$EXECTRAIL" | grep libpq)"
  else ok "the binary does not link libpq"; fi
fi
EXECTRAIL_LIBPQ="$T_DIR/no-such-libpq.so.5" expect_exit 5 \
  "without libpq, a PostgreSQL store is unavailable (exit 5)" et list
contains "$T_DIR/err" "PostgreSQL stores need libpq (apt-get install libpq5)" \
  "the message says what to install"
contains "$T_DIR/err" "no-such-libpq.so.5: cannot open" "and what could not be loaded"
EXECTRAIL_LIBPQ=libz.so.1 expect_exit 5 "a library that is not libpq: unavailable" et list
contains "$T_DIR/err" "has no PQ" "the message names the missing function"
EXECTRAIL_LIBPQ="$T_DIR/no-such-libpq.so.5" expect_exit 0 \
  "a SQLite store never needs libpq" et --db "$T_DIR/plain.db" init

python3 - "$ET_SOURCE_DIR/tests/data/spec-record.json" "$T_DIR" <<'PY'
import copy, json, os, sys
base = json.load(open(sys.argv[1])); d = sys.argv[2]
with open(os.path.join(d, "batch.jsonl"), "w") as f:
    for i in range(20):
        r = copy.deepcopy(base)
        r["execution_id"] = "50000000-0000-4000-8000-%012d" % i
        r["agent_metadata"]["name"] = "importer-%d" % (i % 2)
        r["timestamp_start"] = "2025-02-01T10:%02d:00.000Z" % i
        r["timestamp_end"] = "2025-02-01T10:%02d:%02d.000Z" % (i, i + 1)
        r["duration_ms"] = 1000 * (i + 1)
        r["delegation"]["prompt_sent"] = "migrate the billing ledger, part %d" % i
        f.write(json.dumps(r) + "\n")
    f.write('{"execution_id": "not a record"\n')
PY
expect_exit 3 "import stops at the bad line (abort)" et import "$T_DIR/batch.jsonl"
contains "$T_DIR/err" "line 21" "the bad line is named"
eq "$(et query --count 'agent ~ importer')" "20" "the 20 good records before it are stored"
eq "$(et query --count 'agent = importer-1')" "10" "query by agent"
eq "$(et query --count 'agent ~ importer AND duration_ms >= 15000')" "6" "query on a number"
eq "$(et query --format ids 'agent ~ importer ORDER BY duration_ms DESC LIMIT 2' | tr '\n' ' ')" \
  "50000000-0000-4000-8000-000000000019 50000000-0000-4000-8000-000000000018 " \
  "ORDER BY and LIMIT"
eq "$(et query --count '"billing ledger"')" "20" "free-text phrase"
eq "$(et query --count 'NOT agent ~ importer')" "1" "NOT"
expect_exit 3 "a query that does not parse" et query 'agent = ('
check "search ranks executions" et search billing
contains "$T_DIR/out" "50000000-0000-4000-8000" "search finds the imported records"
check "list" et list --limit 100
eq "$(grep -c '^50000000' "$T_DIR/out")" "20" "list shows every imported record"
check "stats" et stats

# ---- checkpoint, verify, a tampered row ----
check "checkpoint" et checkpoint
check "verify" et verify
contains "$T_DIR/out" "OK: 21 events verified, 1 signed checkpoint(s) match" "verify counts every event"
contains "$T_DIR/out" "every row matches" "verify compares the projections with the ledger"
psql_q "$S_MAIN" "UPDATE executions SET agent_name = 'evil' WHERE execution_id = '$ID'" >/dev/null
expect_exit 4 "verify fails on a changed projection row" et verify
contains "$T_DIR/out" "table executions" "and names its table"
check "rebuild" et rebuild
contains "$T_DIR/out" "rebuilt projections from 21 events" "rebuild replays every event"
check "verify after rebuild" et verify
psql_q "$S_MAIN" "UPDATE ledger SET body = convert_to('{\"forged\":1}', 'UTF8') WHERE seq = 5" >/dev/null
expect_exit 4 "verify fails on a changed row" et verify
contains "$T_DIR/out" "event 5: the stored bytes do not match" "verify names the changed row"
contains "$T_DIR/out" "50000000-0000-4000-8000-000000000004" "and its execution"

# ---- the Claude Code hook path ----
PH=$(pg_trail hook)
check "init a trail for hooks" et --db "$PH" init
HOOK_BAD=0
while IFS= read -r line; do
  printf '%s' "$line" | et --db "$PH" hook >/dev/null 2>>"$T_DIR/hook.err" || HOOK_BAD=$((HOOK_BAD + 1))
done <"$ET_SOURCE_DIR/tests/data/claude/doc-samples.jsonl"
eq "$HOOK_BAD" "0" "every hook input is accepted $(head -c 200 "$T_DIR/hook.err")"
eq "$(psql_q "et_cli_$$_hook" "SELECT string_agg(type, ',' ORDER BY seq) FROM ledger")" \
  "session.tool,session.tool,session.hook,session.subagent_stopped,session.hook,session.hook,session.hook,session.hook,session.hook" \
  "the same session events as on SQLite (t0201)"
check "the hook trail verifies" et --db "$PH" verify

# ---- concurrent writers: one ledger, nothing lost or duplicated ----
PC=$(pg_trail conc)
S_CONC="et_cli_$$_conc"
WRITERS=${ET_PG_WRITERS:-6}
PER=${ET_PG_PER_WRITER:-15}
TOTAL=$((WRITERS * PER))
check "init the shared trail" et --db "$PC" init
python3 - "$ET_SOURCE_DIR/tests/data/spec-record.json" "$T_DIR" "$WRITERS" "$PER" <<'PY'
import copy, json, os, sys, uuid
base = json.load(open(sys.argv[1])); d = sys.argv[2]
w, per = int(sys.argv[3]), int(sys.argv[4])
for i in range(w):
    with open(os.path.join(d, "w%d.jsonl" % i), "w") as f:
        for j in range(per):
            r = copy.deepcopy(base)
            r["execution_id"] = str(uuid.uuid4())
            r["agent_metadata"]["name"] = "writer-%d" % i
            f.write(json.dumps(r) + "\n")
PY
cat "$T_DIR"/w*.jsonl | python3 -c 'import json,sys; [print(json.loads(l)["execution_id"]) for l in sys.stdin]' | sort >"$T_DIR/expected"
W_ASAN="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
writer() { # N: one process per record
  local n=$1 line
  : >"$T_DIR/w$n.errors"
  while IFS= read -r line; do
    printf '%s\n' "$line" | ASAN_OPTIONS=$W_ASAN "$EXECTRAIL" --db "$PC" record - \
      >>"$T_DIR/w$n.ids" 2>>"$T_DIR/w$n.errors" || echo "exit $?" >>"$T_DIR/w$n.errors"
  done <"$T_DIR/w$n.jsonl"
}
pids=""
for n in $(seq 0 $((WRITERS - 1))); do writer "$n" & pids="$pids $!"; done
T_PIDS="$T_PIDS $pids"
for p in $pids; do wait "$p"; done
eq "$(cat "$T_DIR"/w*.errors | wc -l | tr -d ' ')" "0" "no writer failed $(head -c 300 "$T_DIR"/w0.errors)"
eq "$(cat "$T_DIR"/w*.ids | wc -l | tr -d ' ')" "$TOTAL" "every record acknowledged ($WRITERS writers x $PER)"
et --db "$PC" query --format ids '' | sort >"$T_DIR/stored"
if cmp -s "$T_DIR/expected" "$T_DIR/stored"; then ok "exactly the records written are stored, once each"; else
  fails "stored records differ" "$(diff "$T_DIR/expected" "$T_DIR/stored" | head -5)"; fi
eq "$(psql_q "$S_CONC" 'SELECT count(*) FROM ledger')" "$TOTAL" "the ledger holds one event per record"
eq "$(psql_q "$S_CONC" 'SELECT count(DISTINCT execution_id) FROM ledger')" "$TOTAL" "no execution twice in the ledger"
eq "$(psql_q "$S_CONC" 'SELECT max(seq) + 1 - count(*) FROM ledger')" "0" "sequence numbers without gaps"
eq "$(psql_q "$S_CONC" 'SELECT size FROM tree_head')" "$TOTAL" "the tree head counts them all"
check "the shared ledger verifies" et --db "$PC" verify
contains "$T_DIR/out" "OK: $TOTAL events verified" "verify counts every writer's events"

# ---- migrate: SQLite -> PostgreSQL -> SQLite ----
SQ="$T_DIR/src/trail.db"
check "a SQLite trail" et --db "$SQ" init
et --db "$SQ" import "$T_DIR/w0.jsonl" >/dev/null 2>&1
et --db "$SQ" record "$ET_SOURCE_DIR/tests/data/spec-record.json" >/dev/null
et --db "$SQ" checkpoint >/dev/null
et --db "$SQ" verify >"$T_DIR/sq.verify"
ROOT=$(sed -n 's/.*root \([0-9a-f]*\).*/\1/p' "$T_DIR/sq.verify")
PM=$(pg_trail mig)
# the keys of a PostgreSQL trail live in EXECTRAIL_HOME; this one has
# none yet, so migrate gives it the SQLite trail's
export EXECTRAIL_HOME="$T_DIR/mig-home"
check "migrate SQLite -> PostgreSQL" et migrate "$SQ" "$PM"
contains "$T_DIR/out" "migrated $((PER + 1)) events and 1 signed checkpoint(s)" "migrate counts what it copied"
contains "$T_DIR/out" "tree size $((PER + 1)), root $ROOT (the same in both)" "migrate proves the same tree head"
check "the PostgreSQL copy verifies" et --db "$PM" verify
contains "$T_DIR/out" "root $ROOT" "its root is the source's"
eq "$(et --db "$PM" query --count 'agent = writer-0')" "$PER" "its projections were rebuilt"
expect_exit 7 "migrate into a store that has events: refused" et migrate "$SQ" "$PM"
check "migrate PostgreSQL -> SQLite" et migrate "$PM" "$T_DIR/back/trail.db"
contains "$T_DIR/out" "root $ROOT (the same in both)" "the round trip keeps the tree head"
check "the SQLite copy verifies, projections too" et --db "$T_DIR/back/trail.db" verify
contains "$T_DIR/out" "every row matches" "its projections match its ledger"
eq "$(et --db "$T_DIR/back/trail.db" show --json 3f2b8c1e | python3 -c 'import json,sys; print(json.load(sys.stdin)["agent_metadata"]["name"])')" \
  "agent-name" "a record reads back the same after two migrations"
expect_exit 7 "migrate into a key directory with other keys: refused" \
  env EXECTRAIL_HOME="$T_DIR/home" "$EXECTRAIL" migrate "$SQ" "$(pg_trail other)"
contains "$T_DIR/err" "different exectrail.key" "the refusal says why"
expect_exit 5 "migrate from a store that does not exist" et migrate "$T_DIR/none.db" "$T_DIR/x.db"

done_testing
