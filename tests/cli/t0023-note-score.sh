#!/bin/bash
# SPDX-License-Identifier: MIT
# exectrail note / score (docs/NOTES.md): notes on an execution and free-form
# ones, human scores beside the automatic quality score, all found by
# search, shown by show (text and --json's feedback key), kept by rebuild
# and verify; the failure paths (unknown id, score out of range, empty or
# invalid text) store nothing and exit with CLI.md's statuses.
. "$(dirname "$0")/lib.sh"

et -q import "$ET_SOURCE_DIR/examples/runs.jsonl" >/dev/null 2>&1
ID=7e1a0c52-0000-4000-8000-000000000003

# ---- notes ----
check "note on an execution" et note "$ID" "the rollback plan was never tested" \
  --author alice --tag risk --tag db
NOTE=$(cat "$T_DIR/out")
case "$NOTE" in ????????-????-4???-????-????????????) ok "prints the note's uuid" ;;
*) fails "prints the note's uuid" "$NOTE" ;; esac
check "note on an id in upper case" et note "$(echo "$ID" | tr a-f A-F)" "upper case works"
printf 'quarterly review:\ndeploy checklist agreed\n' >"$T_DIR/n.txt"
check "free-form note from stdin, json output" sh -c \
  "\"$EXECTRAIL\" note - --group ops --name review --format json <\"$T_DIR/n.txt\""
FREE=$(jget "$T_DIR/out" 'd["uuid"]')
eq "$(jget "$T_DIR/out" 'd["kind"]')" note "json output names the kind"

# ---- scores ----
check "score as a fraction" et score "$ID" 7/10 --reason "good but slow" --scorer bob
check "score as a number" et score "$ID" 0.4 --scorer carol
et show "$ID" --json >"$T_DIR/show.json"
eq "$(jget "$T_DIR/show.json" 'd["feedback"]["human_score"]')" 0.4 "human_score is the latest score"
eq "$(jget "$T_DIR/show.json" 'round(d["feedback"]["quality_score"], 3)')" 0.667 \
  "quality_score is the automatic score (MEDIUM, MEDIUM, HIGH)"
eq "$(jget "$T_DIR/show.json" 'd["quality_metrics"]["completeness"]')" MEDIUM \
  "quality_metrics not overwritten by a human score"
eq "$(jget "$T_DIR/show.json" '[s["score"] for s in d["feedback"]["scores"]]')" "[0.7,0.4]" \
  "every score kept, oldest first"
eq "$(jget "$T_DIR/show.json" 'd["feedback"]["notes"][0]["text"]')" \
  "the rollback plan was never tested" "show --json: feedback.notes"
eq "$(jget "$T_DIR/show.json" 'd["feedback"]["notes"][0]["tags"]')" '["risk","db"]' "tags kept"
eq "$(jget "$T_DIR/show.json" 'd["feedback"]["notes"][0]["author"]')" alice "author kept"
check "show (text)" et show "$ID"
contains "$T_DIR/out" "human score    0.40 (latest); automatic 0.67" "text: human beside automatic"
contains "$T_DIR/out" "0.70 by bob: good but slow" "text: each score"
contains "$T_DIR/out" "(alice) the rollback plan was never tested" "text: each note"
et show 7e1a0c52-0000-4000-8000-000000000001 --json >"$T_DIR/plain.json"
eq "$(jget "$T_DIR/plain.json" '"feedback" in d')" false "no feedback key without notes"

# ---- search ----
check "search finds the execution by its note" et search rollback plan
contains "$T_DIR/out" "$ID" "the noted execution is a hit"
contains "$T_DIR/out" "[rollback] [plan]" "the note's text is the snippet"
check "search finds a free-form note" et search deploy checklist
contains "$T_DIR/out" "note $FREE  group ops" "free-form note listed with its group"
et search --format jsonl checklist >"$T_DIR/s.jsonl"
eq "$(jget "$T_DIR/s.jsonl" 'd["uuid"]')" "$FREE" "jsonl: the note's uuid"

# ---- failure paths: nothing stored ----
trail_state "$T_DIR/before"
expect_exit 6 "note on an unknown id: not found" et note ffffffff-0000-4000-8000-000000000000 "x"
contains "$T_DIR/err" "no execution" "says no such execution"
expect_exit 6 "score of an unknown id: not found" et score ffffffff 0.5
expect_exit 3 "score 1.5: invalid input" et score "$ID" 1.5
contains "$T_DIR/err" "score: expected a number in [0, 1]" "names the field"
expect_exit 3 "score -0.1" et score "$ID" -- -0.1
expect_exit 3 "score abc" et score "$ID" abc
contains "$T_DIR/err" "score:" "names the field"
expect_exit 3 "score 11/10" et score "$ID" 11/10
expect_exit 3 "score 1/0" et score "$ID" 1/0
expect_exit 3 "empty note text" et note "$ID" ""
contains "$T_DIR/err" "text: must not be empty" "names the field"
expect_exit 3 "empty tag" et note "$ID" "x" --tag ""
contains "$T_DIR/err" "tags[0]: must not be empty" "names the tag"
expect_exit 3 "invalid UTF-8 text" et note "$ID" "$(printf 'bad \377 byte')"
contains "$T_DIR/err" "text: invalid UTF-8 at byte 4" "names the byte"
expect_exit 3 "ambiguous prefix" et note 7e1a0c52 "x"
expect_exit 2 "score without a score" et score "$ID"
expect_exit 2 "note without text" et note
expect_exit 2 "note with three arguments" et note a b c
same_state "$T_DIR/before" "nothing stored by the refused notes and scores"
expect_exit 5 "score on a missing trail" et --db "$T_DIR/none/t.db" score "$ID" 0.5
[ ! -e "$T_DIR/none" ] && ok "score creates no trail" || fails "score creates no trail"

# ---- the ledger ----
check "verify (projections included)" et verify
check "rebuild" et rebuild
et show "$ID" --json >"$T_DIR/show2.json"
json_same "$T_DIR/show.json" "$T_DIR/show2.json" "show --json identical after rebuild"
check "verify after rebuild" et verify
eq "$(sql "$DB" "SELECT count(*) FROM ledger WHERE type IN ('execution.note','execution.scored')")" 5 \
  "five note events in the ledger"
eq "$(sql "$DB" "SELECT count(*) FROM ledger WHERE type = 'execution.note' AND execution_id IS NULL")" 1 \
  "the free-form note has no execution"
# a secret in a note is redacted like in every event
check "note with a secret" et note "$ID" "leaked AKIAIOSFODNN7EXAMPLE in the log"
et show "$ID" --json >"$T_DIR/show3.json"
not_contains "$T_DIR/show3.json" AKIAIOSFODNN7EXAMPLE "the secret is not stored"
contains "$T_DIR/show3.json" "[REDACTED:" "the note keeps a redaction marker"
# tampering with a note's payload is caught
if is_pg; then # no file to copy: the trail itself, at its end
  TAMPERED=$DB
  sql "$DB" "UPDATE ledger SET body = convert_to(replace(convert_from(body, 'UTF8'), 'never tested', 'well tested'), 'UTF8') WHERE type = 'execution.note'"
else
  TAMPERED="$T_DIR/tampered.db"
  cp "$DB" "$TAMPERED"
  sql "$TAMPERED" "UPDATE ledger SET body = replace(body, 'never tested', 'well tested') WHERE type = 'execution.note'"
fi
expect_exit 4 "verify catches an altered note" et --db "$TAMPERED" verify
done_testing
