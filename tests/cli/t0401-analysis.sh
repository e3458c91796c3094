#!/bin/bash
# SPDX-License-Identifier: MIT
# Analysis end to end through the CLI: criteria from start --expect and from
# the prompt's success-criteria block, the verdict with evidence on
# complete, issues with signatures, complete --no-analysis, verify-outcome
# (a new event, the old one kept; bad criteria; not found; not completed),
# insights, similar, the config section, and --help of the new verbs.
. "$(dirname "$0")/lib.sh"

et init >/dev/null
count_analysed() { sql "$DB" "SELECT count(*) FROM ledger WHERE type = 'execution.analysed' AND execution_id = ?" "$1"; }

ID=$(et start --agent fixer --request "fix the flaky login test" \
  --expect 'output.raw_response ~ "tests pass"' \
  --expect 'NOT files_modified:*.env')
check "delegate with a success-criteria block" et delegate "$ID" --prompt "$(printf 'Fix the login test.\n```success-criteria\naction(tool = Bash AND input ~ "make test" AND success)\n```\n')"
check "a failed action" et action "$ID" --tool Bash --input "make test" --error "exit status 2 (see /tmp/build/log.txt)"
check "an action that recovers" et action "$ID" --tool Bash --input "make test" --output "12 passed"
check "respond" et respond "$ID" --response "Fixed: all tests pass now." --file src/login.c
check "complete (analysis on)" et complete "$ID"
et show --json "$ID" >"$T_DIR/rec.json"
eq "$(jget "$T_DIR/rec.json" 'd["verification"]["status"]')" "MATCH" "all three criteria pass: MATCH"
eq "$(jget "$T_DIR/rec.json" 'd["verification"]["confidence_score"]')" "1" "confidence 1"
eq "$(jget "$T_DIR/rec.json" '[c["source"] for c in d["verification"]["criteria"]]')" \
  '["start","start","prompt"]' "criteria from start --expect and from the prompt"
eq "$(jget "$T_DIR/rec.json" 'd["verification"]["criteria"][2]["evidence"]')" \
  'action #2 (Bash): tool is "Bash"; input is "make test"; success is true' "the evidence names the action"
eq "$(jget "$T_DIR/rec.json" '[(i["type"], i["signature"]) for i in d["issues"]]')" \
  '[["WARNING","Bash: exit status N (see <path>)"]]' "the failed action is an issue with its signature"
eq "$(sql "$DB" "SELECT type, signature FROM exec_issues WHERE execution_id = ?" "$ID")" \
  "WARNING|Bash: exit status N (see <path>)" "exec_issues holds it"
eq "$(count_analysed "$ID")" "1" "one execution.analysed event"
et show "$ID" >"$T_DIR/show.txt"
contains "$T_DIR/show.txt" "verification   MATCH" "show prints the verdict"

# complete without analysis
ID2=$(et start --agent fixer --request "rename a variable")
check "complete --no-analysis" et complete "$ID2" --no-analysis
eq "$(count_analysed "$ID2")" "0" "no analysis event"
eq "$(et show --json "$ID2" | python3 -c 'import json,sys; print((json.load(sys.stdin).get("verification") or {}).get("status"))')" \
  "None" "no verdict"

# verify-outcome: a new event; the old result stays in the ledger
expect_exit 0 "verify-outcome with a failing criterion" et verify-outcome "$ID" --expect 'n_actions > 5'
contains "$T_DIR/out" "PARTIAL (confidence 0.75)" "the new verdict is PARTIAL with 3 of 4"
contains "$T_DIR/out" "n_actions is 2" "with its evidence"
eq "$(count_analysed "$ID")" "2" "a second execution.analysed event"
eq "$(sql "$DB" "SELECT body FROM ledger WHERE type = 'execution.analysed' AND execution_id = ? ORDER BY seq LIMIT 1" "$ID" | python3 -c 'import json,sys; print(json.load(sys.stdin)["body"]["verification"]["status"])')" \
  "MATCH" "the first verdict is still in the ledger"
check "verify still passes" et verify
expect_exit 0 "verify-outcome --only --json" et verify-outcome "$ID" --only --expect 'n_actions = 2' --json
eq "$(jget "$T_DIR/out" '[d["verification"]["status"], len(d["verification"]["criteria"])]')" '["MATCH",1]' "only the given criterion"
N=$(sql "$DB" "SELECT count(*) FROM ledger")
expect_exit 3 "a bad criterion exits 3" et verify-outcome "$ID" --expect 'n_actoins > 1'
contains "$T_DIR/err" "criterion 1: unknown field 'n_actoins' at column 1 (did you mean 'n_actions'?)" "the message names the field and the column"
eq "$(sql "$DB" "SELECT count(*) FROM ledger")" "$N" "nothing stored"
expect_exit 6 "verify-outcome of an unknown id exits 6" et verify-outcome 0123abcd
expect_exit 7 "verify-outcome of a running execution exits 7" et verify-outcome "$(et start --agent fixer)"
expect_exit 2 "--only without --expect exits 2" et verify-outcome "$ID" --only
expect_exit 3 "start --expect with a bad criterion exits 3" et start --agent fixer --expect 'duration_ms >'
contains "$T_DIR/err" "main_agent_context.success_criteria[0]" "the message names the criterion"
contains "$T_DIR/err" "column" "and the column"

# insights
expect_exit 0 "insights" et insights
contains "$T_DIR/out" "fixer" "insights name the agent"
contains "$T_DIR/out" "Bash: exit status N (see <path>)" "and its failure signature"
expect_exit 0 "insights fixer --format json" et insights fixer --format json
eq "$(jget "$T_DIR/out" '[d[0]["agent"], d[0]["executions"]]')" '["fixer",3]' "json: the agent's executions"
expect_exit 6 "insights of an unknown agent exits 6" et insights nobody
expect_exit 2 "insights --since nonsense exits 2" et insights --since soon
# --since counts back from the library's now, which EXECTRAIL_NOW fixes
expect_exit 0 "insights --since 1d, now" et insights fixer --since 1d --format json
eq "$(jget "$T_DIR/out" 'd[0]["executions"]')" 3 "the executions of today are in the last day"
EXECTRAIL_NOW=2099-01-01 expect_exit 6 "insights --since 1d in 2099: none left, exit 6" \
  et insights fixer --since 1d

# similar: planted near-duplicates among unrelated records
for i in $(seq 1 30); do
  spec_record "$(printf '70000000-0000-4000-8000-%012d' "$i")" | python3 -c '
import json, sys, random
r = json.load(sys.stdin); random.seed(int(sys.argv[1]))
w = ["cache", "schema", "invoice", "router", "thread", "widget", "queue", "matrix"]
r["main_agent_context"]["user_request"] = " ".join(random.choice(w) for _ in range(5))
r["delegation"]["prompt_sent"] = " ".join(random.choice(w) for _ in range(9))
print(json.dumps(r))' "$i" | et record - >/dev/null
done
SIM=$(et start --agent fixer --request "flaky login test fails on the oauth callback")
et delegate "$SIM" --prompt "the oauth callback of the login test is flaky" >/dev/null
D1=$(et start --agent other --request "oauth callback flaky in login test")
D2=$(et start --agent fixer --request "login oauth callback")
expect_exit 0 "similar" et similar "$SIM" --format jsonl
eq "$(python3 -c 'import json,sys; print(" ".join([json.loads(l)["execution_id"] for l in open(sys.argv[1])][:3]))' "$T_DIR/out")" \
  "$D2 $ID $D1" "the same agent's matches first (best first), then the other agent's near-duplicate"
eq "$(python3 -c 'import json,sys; print([json.loads(l)["same_agent"] for l in open(sys.argv[1])][:3])' "$T_DIR/out")" \
  "[True, True, False]" "same_agent says which"
expect_exit 6 "similar of an unknown id exits 6" et similar 0123abcd
expect_exit 2 "similar --limit 0 exits 2" et similar "$SIM" --limit 0

# the config section
mkdir -p "$EXECTRAIL_HOME"
printf 'analysis:\n  agents:\n    fixer:\n      criteria:\n        - "n_actoins > 1"\n' >"$EXECTRAIL_HOME/config.yaml"
ID3=$(et start --agent fixer)
# a mistake in the section never stops a write (docs/RELIABILITY.md): the
# defaults are used and a config.warning event records it
expect_exit 0 "complete with a bad analysis section exits 0 (defaults used)" et complete "$ID3"
contains "$T_DIR/err" "config.yaml:5:11: analysis.agents.fixer.criteria[0]: unknown field 'n_actoins'" "the warning names file, line, column and key"
eq "$(sql "$DB" "SELECT count(*) FROM ledger WHERE type = 'config.warning'")" "1" "a config.warning event records it"
eq "$(et show --json "$ID3" | python3 -c 'import json,sys; print(sum(c.get("source") == "config" for c in json.load(sys.stdin)["verification"]["criteria"]))')" \
  "0" "the analysis ran with the defaults: no configured criterion"
printf 'analysis:\n  agents:\n    fixer:\n      criteria:\n        - "n_actions > 1"\n' >"$EXECTRAIL_HOME/config.yaml"
ID3=$(et start --agent fixer)
check "complete with the config criterion" et complete "$ID3"
eq "$(et show --json "$ID3" | python3 -c 'import json,sys; v=json.load(sys.stdin)["verification"]; print(v["status"], v["criteria"][0]["source"])')" \
  "MISMATCH config" "the configured criterion decides"
printf 'analysis:\n  enabled: false\n' >"$EXECTRAIL_HOME/config.yaml"
ID4=$(et start --agent fixer)
check "complete with analysis disabled in the config" et complete "$ID4"
eq "$(count_analysed "$ID4")" "0" "no analysis event"
rm -f "$EXECTRAIL_HOME/config.yaml"

# rebuild recomputes the verdicts and the issues table from the ledger
et show --json "$ID" >"$T_DIR/before.json"
ISS=$(sql "$DB" "SELECT execution_id, seq, type, signature, message FROM exec_issues ORDER BY 1, 2")
check "rebuild" et rebuild
et show --json "$ID" >"$T_DIR/after.json"
if cmp -s "$T_DIR/before.json" "$T_DIR/after.json"; then ok "the record is the same after rebuild"; else
  not_ok "the record is the same after rebuild" "$(diff "$T_DIR/before.json" "$T_DIR/after.json" | head -5)"; fi
eq "$(sql "$DB" "SELECT execution_id, seq, type, signature, message FROM exec_issues ORDER BY 1, 2")" "$ISS" "exec_issues is the same after rebuild"

for v in verify-outcome insights similar; do
  expect_exit 0 "$v --help" et "$v" --help
  contains "$T_DIR/out" "usage: exectrail $v" "$v --help prints its usage"
done

done_testing
