#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The tamper suite (docs/SECURITY.md, "What verify detects"): one trail with
# every projection filled (hook sessions and tools, spec records with
# actions, lists, credentials, issues, report rollups, a retention run that
# erased an execution, a stored checkpoint), then each of the edits below
# applied to a fresh copy of it, and `exectrail verify` run. Every edit
# changes what a query, report or proof returns, so every one must be
# detected (exit 4); the count is printed.
. "$(dirname "$0")/lib.sh"

export EXECTRAIL_NOW=2026-01-01T00:00:00Z
check "init" et init
# two old executions, one of which retention erases
OLD=$(EXECTRAIL_NOW=2025-01-01T00:00:00Z et start --agent old --request "old work")
EXECTRAIL_NOW=2025-01-01T00:00:01Z et complete "$OLD" >/dev/null
# spec records: actions, lists, credentials, issues
python3 - "$ET_SOURCE_DIR/tests/data/spec-record.json" "$T_DIR/recs.jsonl" <<'PY'
import json, sys, uuid
r = json.load(open(sys.argv[1]))
with open(sys.argv[2], "w") as f:
    for i in range(3):
        r["execution_id"] = str(uuid.UUID(int=i + 77, version=4))
        r["main_agent_context"]["user_request"] = "fix with token ghp_AkJiG8XnBE3NnYJoQ9WmXeHH2fdeeTFJGvV%d" % i
        f.write(json.dumps(r) + "\n")
PY
check "import spec records" et import "$T_DIR/recs.jsonl"
for i in 1 2; do
  printf '{"session_id":"s-tamper","transcript_path":"/t/s.jsonl","cwd":"/w","hook_event_name":"PostToolUse","tool_name":"Bash","tool_input":{"command":"cat ~/.aws/credentials %s"},"tool_response":{"stdout":"x\\n","stderr":"","interrupted":false},"tool_use_id":"tu_%s","duration_ms":5}' "$i" "$i" | et hook
done
check "checkpoint" et checkpoint --out "$T_DIR/ck.note"
check "retention run" et retention run --at 2026-06-01
check "checkpoint at the end" et checkpoint --out "$T_DIR/ck2.note"
check "verify the pristine trail" et verify
contains "$T_DIR/out" "projections: recomputed from the ledger, every row matches" "projections checked"

sqlite_only "each edit is applied to a fresh copy of the SQLite file (cp -a, python sqlite3), to its tables by their SQLite names; tampering on PostgreSQL: t0801-postgres" ||
  done_testing
EXECTRAIL_HOME="$T_DIR/other" et init >/dev/null 2>&1
PRISTINE="$T_DIR/pristine"
cp -a "$EXECTRAIL_HOME" "$PRISTINE"
for t in executions actions exec_lists list_vocab fts_content sessions security_relevant exec_issues exec_credentials report_slots report_duration report_duration_day report_issues retention_state event_index checkpoints; do
  n=$(sql "$DB" "SELECT count(*) FROM $t")
  [ "$n" -gt 0 ] || fails "table $t has rows to tamper with" "it is empty"
done

TOTAL=0 DETECTED=0 MISSED=""
sqlscript() { python3 -c 'import sqlite3, sys; d = sqlite3.connect(sys.argv[1]); d.executescript(sys.argv[2]); d.commit()' "$DB" "$1"; }
# tamper NAME SQL: apply SQL to a fresh copy, expect verify to fail
tamper() {
  rm -rf "$EXECTRAIL_HOME"
  cp -a "$PRISTINE" "$EXECTRAIL_HOME"
  if [ "${2:0:1}" = "!" ]; then eval "${2:1}"; else sql "$DB" "$2" >/dev/null; fi
  TOTAL=$((TOTAL + 1))
  et verify >"$T_DIR/v.out" 2>&1
  if [ $? -eq 4 ]; then DETECTED=$((DETECTED + 1)); else MISSED="$MISSED [$1]"; fi
}
L1="(SELECT min(seq) FROM ledger WHERE type = 'execution.recorded')"
# ---- ledger ----
tamper body-byte        "UPDATE ledger SET body = replace(body, 'agent-name', 'agent-namX') WHERE seq = $L1"
tamper body-and-leaf    "UPDATE ledger SET body = replace(body, 'agent-name', 'agent-namX'), leaf = zeroblob(32) WHERE seq = $L1"
tamper leaf-only        "UPDATE ledger SET leaf = zeroblob(32) WHERE seq = 1"
tamper type-column      "UPDATE ledger SET type = 'execution.failed' WHERE seq = $L1"
tamper exec-id-column   "UPDATE ledger SET execution_id = (SELECT execution_id FROM executions LIMIT 1 OFFSET 2) WHERE seq = $L1"
tamper exec-id-null     "UPDATE ledger SET execution_id = NULL WHERE seq = $L1"
tamper ts-column        "UPDATE ledger SET ts_ns = ts_ns + 86400000000000 WHERE seq = $L1"
tamper delete-row       "DELETE FROM ledger WHERE seq = $L1"
tamper delete-last      "DELETE FROM ledger WHERE seq = (SELECT max(seq) FROM ledger)"
tamper null-body        "UPDATE ledger SET body = NULL WHERE seq = $L1"
tamper swap-seq         "!sqlscript \"UPDATE ledger SET seq = -1 WHERE seq = 2; UPDATE ledger SET seq = 2 WHERE seq = 3; UPDATE ledger SET seq = 3 WHERE seq = -1;\""
tamper forged-erasure   "!python3 $ET_SOURCE_DIR/tests/cli/tamper_forge.py $DB erase"
tamper erasure-rule     "UPDATE ledger SET body = replace(body, '\"rule\":\"', '\"rule\":\"x') WHERE type = 'retention.erased'"
tamper tree-head        "UPDATE tree_head SET state = substr(state, 1, length(state) - 32)"
tamper tree-peaks       "UPDATE tree_head SET state = substr(state, 1, 8) || zeroblob(length(state) - 8)"
# ---- projections ----
tamper exec-verification "UPDATE executions SET verification = 'MISMATCH'"
tamper exec-state       "UPDATE executions SET state = 'failed' WHERE execution_id = (SELECT min(execution_id) FROM executions)"
tamper exec-agent       "UPDATE executions SET agent_name = 'someone-else' WHERE execution_id = (SELECT min(execution_id) FROM executions)"
tamper exec-duration    "UPDATE executions SET duration_ms = 1 WHERE duration_ms IS NOT NULL"
tamper exec-quality     "UPDATE executions SET completeness = 'LOW', accuracy = 'LOW', efficiency = 'LOW'"
tamper exec-delete      "DELETE FROM executions WHERE execution_id = (SELECT min(execution_id) FROM executions)"
tamper exec-insert      "!sqlscript \"CREATE TEMP TABLE x AS SELECT * FROM executions LIMIT 1; UPDATE x SET execution_id = '00000000-0000-4000-8000-00000000dead'; INSERT INTO executions SELECT * FROM x;\""
tamper exec-start       "UPDATE executions SET start_ns = start_ns - 3600000000000"
tamper action-doc       "UPDATE actions SET doc = replace(doc, 'tool', 'tooX')"
tamper action-success   "UPDATE actions SET success = 1 - coalesce(success, 0)"
tamper action-delete    "DELETE FROM actions WHERE (execution_id, sequence) IN (SELECT execution_id, sequence FROM actions LIMIT 1)"
# exec_lists is keyed by (execution_id, kind, item) (migration 19): the
# first item by its key; a second copy of an item is refused by the key,
# so the insert forges a new item
L0="(SELECT execution_id, kind, item FROM exec_lists ORDER BY 1, 2, 3 LIMIT 1)"
tamper list-item        "UPDATE exec_lists SET item = 'forged' WHERE (execution_id, kind, item) = $L0"
tamper list-delete      "DELETE FROM exec_lists WHERE (execution_id, kind, item) = $L0"
tamper list-insert      "INSERT INTO exec_lists SELECT execution_id, kind, 'forged', start_ns FROM exec_lists LIMIT 1"
tamper vocab            "DELETE FROM list_vocab WHERE (kind, item) IN (SELECT kind, item FROM list_vocab LIMIT 1)"
tamper fts-body         "UPDATE fts SET body = 'forged' WHERE rowid = (SELECT min(rowid) FROM fts)"
tamper fts-delete       "DELETE FROM fts WHERE rowid = (SELECT min(rowid) FROM fts)"
tamper session-count    "UPDATE sessions SET n_executions = n_executions + 5"
tamper session-delete   "DELETE FROM sessions"
tamper security-reasons "UPDATE security_relevant SET reasons = '[]'"
tamper security-delete  "DELETE FROM security_relevant"
tamper issue-message    "UPDATE exec_issues SET message = 'forged'"
tamper issue-delete     "DELETE FROM exec_issues WHERE rowid = (SELECT min(rowid) FROM exec_issues)"
tamper cred-fingerprint "UPDATE exec_credentials SET fingerprint = 'forged'"
tamper cred-delete      "DELETE FROM exec_credentials WHERE (execution_id, kind, fingerprint) IN (SELECT execution_id, kind, fingerprint FROM exec_credentials LIMIT 1)"
tamper slot-count       "UPDATE report_slots SET n = n + 1 WHERE (slot, agent) IN (SELECT slot, agent FROM report_slots WHERE n > 0 LIMIT 1)"
tamper slot-match       "UPDATE report_slots SET match = match + 3"
tamper slot-cost        "UPDATE report_slots SET cost_micro_usd = cost_micro_usd + 999"
tamper slot-delete      "DELETE FROM report_slots WHERE n > 0"
tamper duration-n       "UPDATE report_duration SET n = n + 1"
tamper duration-day-n   "UPDATE report_duration_day SET n = n + 1"
tamper report-issue-n   "UPDATE report_issues SET n = n + 1"
tamper retention-state  "UPDATE retention_state SET value = replace(value, 'done', 'started')"
tamper retention-delete "DELETE FROM retention_state"
tamper event-index-move "UPDATE event_index SET execution_id = '00000000-0000-4000-8000-00000000dead' WHERE seq = $L1"
tamper event-index-del  "DELETE FROM event_index WHERE seq = $L1"
# ---- checkpoints, keys, meta ----
tamper ckpt-note        "UPDATE checkpoints SET note = replace(note, char(10) || '— ', char(10) || '— x')"
tamper ckpt-size        "UPDATE checkpoints SET size = size + 1"
tamper ckpt-note-size   "UPDATE checkpoints SET note = substr(note, 1, instr(note, char(10))) || '999' || substr(note, instr(note, char(10)) + 2)"
tamper meta-verifier    "UPDATE meta SET value = 'exectrail-00000000+00000000+AAAA' WHERE key = 'verifier_key'"
tamper meta-install-id  "UPDATE meta SET value = '00000000-0000-4000-8000-000000000000' WHERE key = 'install_id'"
tamper pub-replaced     "!cp $T_DIR/other/exectrail.pub $EXECTRAIL_HOME/exectrail.pub"
tamper key-replaced     "!cp $T_DIR/other/exectrail.key $EXECTRAIL_HOME/exectrail.key"
echo "# tamper suite: detected $DETECTED of $TOTAL kinds of edits"
eq "$DETECTED" "$TOTAL" "every edit is detected (missed:${MISSED:- none})"
[ "$TOTAL" -ge 50 ] && ok "at least 50 kinds ($TOTAL)" || fails "at least 50 kinds" "$TOTAL"

# the given checkpoint after the trail was re-signed with its own key (the
# key beside the store): an event rewritten, the tree head recomputed, the
# stored checkpoints replaced by one signed now
rm -rf "$EXECTRAIL_HOME" && cp -a "$PRISTINE" "$EXECTRAIL_HOME"
L1SEQ=$(sql "$DB" "SELECT $L1")
python3 "$ET_SOURCE_DIR/tests/cli/tamper_forge.py" "$DB" rewrite
sql "$DB" "DELETE FROM checkpoints"
et checkpoint >/dev/null
check "the re-signed trail passes verify on its own (why checkpoints must be kept elsewhere)" et verify --no-projections
expect_exit 4 "verify --checkpoint <kept elsewhere> fails" et verify --checkpoint "$T_DIR/ck2.note"
contains "$T_DIR/out" "does not match the given checkpoint: an event in 0.." "the range named starts at 0, not at a re-signed stored checkpoint"
eq "$(sed -n 's/.*an event in 0\.\.\([0-9]*\).*/\1/p' "$T_DIR/out")" "$(( $(sql "$DB" "SELECT count(*) FROM ledger") - 1 ))" "and covers the rewritten event $L1SEQ"
done_testing
