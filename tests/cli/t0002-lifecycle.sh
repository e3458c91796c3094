#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The lifecycle verbs start / delegate / action / respond / complete build
# the whole spec record; phases out of order are refused.
. "$(dirname "$0")/lib.sh"

SESSION=9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d
now_ms() { python3 -c 'import time; print(int(time.time() * 1000))'; }

# more fields through --json; the flags give other keys of the same objects
cat >"$T_DIR/start.json" <<'EOF'
{"main_agent_context": {"risk_assessment": "may miss generated code",
                        "user_request": "overridden by --request"},
 "agent_metadata": {"configuration": {"model": "m-1", "temperature": 0}},
 "x_start_extra": {"kept": true}}
EOF

T0=$(now_ms)
expect_exit 0 "start with flags and --json" et start --agent code-reviewer --agent-version v2.0 \
  --tools Read,Grep,Bash --session "$SESSION" --request "Review the auth module" \
  --reasoning "security reviews are its speciality" --expected "findings with file:line" \
  --json "$T_DIR/start.json"
ID=$(cat "$T_DIR/out")
if [[ $ID =~ ^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$ ]]; then
  ok "start prints a new UUID v4"
else fails "start prints a new UUID v4" "got '$ID'"; fi

PROMPT='Review src/auth/*.py for injection — ünïcödé ✓ and 𝄞 (astral)'
expect_exit 0 "delegate" et delegate "$ID" --prompt "$PROMPT" \
  --context "the repo uses Flask" --instructions "report file:line for each finding"

expect_exit 0 "action with flags" et action "$ID" --tool Grep --action "search for f-strings in SQL" \
  --input 'execute\(f"' --output "login.py:42"

cat >"$T_DIR/actions.json" <<'EOF'
[
 {"tool": "Bash", "action": "run the tests", "input": "make test",
  "output": "1 failed", "success": false, "error": "exit status 2"},
 {"tool": "Edit", "action": "fix the query", "input": "login.py",
  "output": "patched", "success": true, "error": null, "x_action_extra": 7}
]
EOF
expect_exit 0 "a JSON array of two actions on stdin" et action "$ID" --json - <"$T_DIR/actions.json"
contains "$T_DIR/err" "recorded 2 actions" "action says how many it recorded"

expect_exit 0 "respond" et respond "$ID" --response "2 findings: login.py:42, db.py:7" \
  --file src/auth/login.py --file src/auth/db.py --command "make test" \
  --api "GET https://api.github.com/repos/x/y" --structured '{"findings": 2}'

cat >"$T_DIR/complete.json" <<'EOF'
{"verification": {"expected_vs_actual": "2 of 3 expected findings",
                  "success_criteria_met": ["findings with file:line"],
                  "success_criteria_failed": ["tests pass"],
                  "manual_verification_required": true},
 "quality_metrics": {"completeness": "HIGH", "accuracy": "MEDIUM",
                     "efficiency": "LOW", "adherence_to_standards": "92%"},
 "issues": [{"type": "WARNING", "description": "one test still fails",
             "impact": "PARTIAL", "resolution": "left for a human",
             "prevention": "run the tests first"}],
 "learning": {"insights_gained": ["the agent skips generated code"],
              "process_improvements": ["give it the test command"],
              "agent_performance": "good at grep, weak at tests",
              "recommendation_for_future": "pair with a test runner"}}
EOF
expect_exit 0 "complete with --status, --confidence and --json" \
  et complete "$ID" --status PARTIAL --confidence 0.5 --json "$T_DIR/complete.json"
T1=$(now_ms)

expect_exit 0 "show --json" et show --json "$ID"
cp "$T_DIR/out" "$T_DIR/rec.json"

# every spec key at every level, in the spec's order
check "show --json has every spec key at every level" python3 - "$T_DIR/rec.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
spec = [
 ("", ["execution_id", "session_id", "timestamp_start", "timestamp_end", "duration_ms",
       "main_agent_context", "agent_metadata", "delegation", "execution", "output",
       "verification", "quality_metrics", "issues", "learning"]),
 ("main_agent_context", ["user_request", "main_agent_reasoning", "expected_outcome", "risk_assessment"]),
 ("agent_metadata", ["name", "version", "tools_available", "configuration"]),
 ("delegation", ["prompt_sent", "prompt_length", "context_provided", "instructions"]),
 ("execution", ["actions_taken", "real_time_status", "resource_usage"]),
 ("output", ["raw_response", "structured_data", "files_modified", "commands_executed", "api_calls_made"]),
 ("verification", ["status", "expected_vs_actual", "success_criteria_met", "success_criteria_failed",
                   "confidence_score", "manual_verification_required"]),
 ("quality_metrics", ["completeness", "accuracy", "efficiency", "adherence_to_standards"]),
 ("learning", ["insights_gained", "process_improvements", "agent_performance", "recommendation_for_future"]),
]
bad = []
for path, keys in spec:
    o = d if not path else d.get(path)
    if not isinstance(o, dict):
        bad.append("%s is %r, not an object" % (path, o)); continue
    got = [k for k in o if k in keys]
    if got != keys:
        bad.append("%s: keys %s, want %s" % (path or "$", list(o), keys))
acts = d["execution"]["actions_taken"]
akeys = ["sequence", "tool", "action", "input", "output", "timestamp", "success", "error"]
for i, a in enumerate(acts):
    if [k for k in a if k in akeys] != akeys:
        bad.append("actions_taken[%d]: keys %s" % (i, list(a)))
ikeys = ["type", "description", "impact", "resolution", "prevention"]
for i, x in enumerate(d["issues"]):
    if [k for k in x if k in ikeys] != ikeys:
        bad.append("issues[%d]: keys %s" % (i, list(x)))
if len(acts) != 3 or len(d["issues"]) != 1:
    bad.append("%d actions, %d issues" % (len(acts), len(d["issues"])))
if bad:
    sys.exit("\n".join(bad))
PY

# the values given, phase by phase
expect_rec() { # DESCRIPTION PYTHON-EXPR-over-d EXPECTED-JSON
  eq "$(jget "$T_DIR/rec.json" "$2")" "$3" "$1"
}
expect_rec "execution_id and session_id" '[d["execution_id"], d["session_id"]]' "[\"$ID\",\"$SESSION\"]"
expect_rec "main_agent_context: flags win, --json fills the rest" 'd["main_agent_context"]' \
  '{"user_request":"Review the auth module","main_agent_reasoning":"security reviews are its speciality","expected_outcome":"findings with file:line","risk_assessment":"may miss generated code"}'
expect_rec "agent_metadata from flags and --json" 'd["agent_metadata"]' \
  '{"name":"code-reviewer","version":"v2.0","tools_available":["Read","Grep","Bash"],"configuration":{"model":"m-1","temperature":0}}'
expect_rec "an extension key from start --json is kept" 'd.get("x_start_extra")' '{"kept":true}'
eq "$(jget "$T_DIR/rec.json" 'd["delegation"]["prompt_sent"]')" "$PROMPT" "delegation.prompt_sent is the exact prompt"
expect_rec "prompt_length is derived: Unicode code points" 'd["delegation"]["prompt_length"]' \
  "$(python3 -c 'import sys; print(len(sys.argv[1]))' "$PROMPT")"
expect_rec "delegation context and instructions" '[d["delegation"]["context_provided"], d["delegation"]["instructions"]]' \
  '["the repo uses Flask","report file:line for each finding"]'
expect_rec "actions are numbered 1, 2, 3 in the order given" \
  '[(a["sequence"], a["tool"]) for a in d["execution"]["actions_taken"]]' '[[1,"Grep"],[2,"Bash"],[3,"Edit"]]'
expect_rec "the flag action: input, output, success true, error null" \
  '[d["execution"]["actions_taken"][0][k] for k in ("action", "input", "output", "success", "error")]' \
  '["search for f-strings in SQL","execute\\(f\"","login.py:42",true,null]'
expect_rec "the failed JSON action keeps success false and its error" \
  '[d["execution"]["actions_taken"][1][k] for k in ("action", "input", "output", "success", "error")]' \
  '["run the tests","make test","1 failed",false,"exit status 2"]'
expect_rec "the second JSON action, its extra key kept" \
  '[d["execution"]["actions_taken"][2][k] for k in ("input", "output", "success", "error", "x_action_extra")]' \
  '["login.py","patched",true,null,7]'
# the given lists, then what the actions imply and the lists lack: the Edit
# action's "login.py" (docs/RECORD.md, "Derived lists")
expect_rec "output from respond" 'd["output"]' \
  '{"raw_response":"2 findings: login.py:42, db.py:7","structured_data":{"findings":2},"files_modified":["src/auth/login.py","src/auth/db.py","login.py"],"commands_executed":["make test"],"api_calls_made":["GET https://api.github.com/repos/x/y"]}'
# the list items of a lifecycle execution carry its start time (the list
# index answers list queries alone, docs/QUERY.md)
eq "$(sql "$DB" "SELECT count(*), sum(CASE WHEN l.start_ns = e.start_ns THEN 1 ELSE 0 END) FROM exec_lists l JOIN executions e USING (execution_id) WHERE e.execution_id = ?" "$ID")" \
  "5|5" "each of the 5 list items (4 given, 1 derived) carries the execution's start time"
eq "$(et query --format ids 'files_modified auth')" "$ID" "and a list query finds the execution"
expect_rec "verification: flags and --json" 'd["verification"]' \
  '{"status":"PARTIAL","expected_vs_actual":"2 of 3 expected findings","success_criteria_met":["findings with file:line"],"success_criteria_failed":["tests pass"],"confidence_score":0.5,"manual_verification_required":true}'
expect_rec "quality_metrics" 'd["quality_metrics"]' \
  '{"completeness":"HIGH","accuracy":"MEDIUM","efficiency":"LOW","adherence_to_standards":"92%"}'
expect_rec "issues" 'd["issues"]' \
  '[{"type":"WARNING","description":"one test still fails","impact":"PARTIAL","resolution":"left for a human","prevention":"run the tests first"}]'
expect_rec "learning" 'd["learning"]' \
  '{"insights_gained":["the agent skips generated code"],"process_improvements":["give it the test command"],"agent_performance":"good at grep, weak at tests","recommendation_for_future":"pair with a test runner"}'

# the times: RFC 3339 UTC ms, inside the test's own clock window, ordered,
# and duration_ms = end - start
check "timestamps are Z/ms, within the run, ordered; duration_ms = end - start" \
  python3 - "$T_DIR/rec.json" "$T0" "$T1" <<'PY'
import json, re, sys
from datetime import datetime, timezone
d = json.load(open(sys.argv[1])); t0, t1 = int(sys.argv[2]), int(sys.argv[3])
def ms(s):
    if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", s or ""):
        sys.exit("not RFC 3339 UTC ms: %r" % s)
    return int(datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc).timestamp() * 1000 + 0.5)
s, e = ms(d["timestamp_start"]), ms(d["timestamp_end"])
acts = [ms(a["timestamp"]) for a in d["execution"]["actions_taken"]]
seq = [s] + acts + [e]
# the clock is read in ms by both sides: allow the 1 ms truncation
if not (t0 - 1 <= s and e <= t1 + 1):
    sys.exit("start %d / end %d outside [%d, %d]" % (s, e, t0, t1))
if seq != sorted(seq):
    sys.exit("not ordered: %s" % seq)
if d["duration_ms"] != e - s:
    sys.exit("duration_ms %r != %d" % (d["duration_ms"], e - s))
PY

# the list and the text view
expect_exit 0 "list --format ids" et list --format ids
eq "$(cat "$T_DIR/out")" "$ID" "list --format ids lists the execution"
expect_exit 0 "list --format jsonl" et list --format jsonl
eq "$(jget "$T_DIR/out" '[d["execution_id"], d["agent"], d["state"], d["verification"], d["actions"], d["failed_actions"]]')" \
  "[\"$ID\",\"code-reviewer\",\"completed\",\"PARTIAL\",3,1]" "list --format jsonl summarises it"
expect_exit 0 "show (text)" et show "$ID"
contains "$T_DIR/out" "verification   PARTIAL (confidence 0.50)" "the text view shows the verdict"
contains "$T_DIR/out" "FAIL Bash" "the text view marks the failed action"

# ---- phases out of order -----------------------------------------------------
trail_state "$T_DIR/before-conflicts"
expect_exit 7 "action after complete exits 7" et action "$ID" --tool Late
contains "$T_DIR/err" "it is completed" "the message says it is completed"
expect_exit 7 "respond after complete exits 7" et respond "$ID" --response late
expect_exit 7 "complete twice exits 7" et complete "$ID" --status MATCH
expect_exit 7 "start with an id already recorded exits 7" et start --agent x --id "$ID"
same_state "$T_DIR/before-conflicts" "the refused verbs stored nothing"

expect_exit 0 "start a second execution" et start --agent second --session "$SESSION"
ID2=$(cat "$T_DIR/out")
expect_exit 0 "delegate it" et delegate "$ID2" --prompt "first prompt"
expect_exit 7 "delegate twice exits 7" et delegate "$ID2" --prompt "second prompt"
contains "$T_DIR/err" "$ID2" "the conflict names the execution"
expect_exit 0 "show it" et show --json "$ID2"
eq "$(jget "$T_DIR/out" 'd["delegation"]["prompt_sent"]')" "first prompt" "the first prompt stays"

NOID=00000000-0000-4000-8000-000000000000
trail_state "$T_DIR/before-unknown"
expect_exit 6 "delegate to an unknown id exits 6" et delegate "$NOID" --prompt p
contains "$T_DIR/err" "no execution '$NOID'" "the message names the id"
expect_exit 6 "action on an unknown id exits 6" et action "$NOID" --tool T
expect_exit 6 "respond to an unknown id exits 6" et respond "$NOID" --response r
expect_exit 6 "complete an unknown id exits 6" et complete "$NOID"
expect_exit 3 "start without --agent exits 3" et start --request "no agent"
contains "$T_DIR/err" "agent_metadata.name: missing mandatory field" "the message names agent_metadata.name"
expect_exit 3 "start --id with a placeholder exits 3" et start --agent a --id uuid-v4
contains "$T_DIR/err" "execution_id: expected a UUID" "the message names execution_id"
expect_exit 3 "complete --status OK exits 3" et complete "$ID2" --status OK
contains "$T_DIR/err" "verification.status" "the message names verification.status"
expect_exit 3 "an action without a tool exits 3" et action "$ID2" --json - <<<'{"input": "x"}'
contains "$T_DIR/err" "tool: missing mandatory field" "the message names the missing tool"
# --json input to the lifecycle verbs is as strict as record's
printf '{"agent_metadata": {"version": "v1"}} trailing' >"$T_DIR/trailing.json"
expect_exit 3 "start --json with data after the object exits 3" et start --agent a --json "$T_DIR/trailing.json"
contains "$T_DIR/err" "--json: byte 38: unexpected character" "the message names the byte"
printf '{"agent_metadata": {"version": ' >"$T_DIR/cut.json"
expect_exit 3 "start --json with truncated JSON exits 3" et start --agent a --json "$T_DIR/cut.json"
contains "$T_DIR/err" "--json: byte 31: unexpected end of data" "the message says the data ended"
expect_exit 3 "complete --json with an array exits 3" et complete "$ID2" --json - <<<'[1]'
contains "$T_DIR/err" "expected a JSON object" "the message says an object was expected"
same_state "$T_DIR/before-unknown" "the failed verbs stored nothing"

expect_exit 0 "list --format ids lists both" et list --format ids
eq "$(sort "$T_DIR/out" | tr '\n' ' ')" "$(printf '%s\n' "$ID" "$ID2" | sort | tr '\n' ' ')" "both ids, nothing else"
expect_exit 0 "verify" et verify
contains "$T_DIR/out" "OK: 9 events verified" "7 events for the first execution, 2 for the second"

# an id given in upper case is stored in lower case, and found in either case
UP=ABCDEF12-0000-4000-8000-0000000000AB
expect_exit 0 "start --id in upper case" et start --agent up --id "$UP"
eq "$(cat "$T_DIR/out")" "abcdef12-0000-4000-8000-0000000000ab" "start prints the id in lower case"
expect_exit 0 "delegate with the upper-case id" et delegate "$UP" --prompt "p"
expect_exit 0 "action with an upper-case prefix" et action ABCDEF12 --tool T
expect_exit 0 "show with the lower-case id" et show --json abcdef12-0000-4000-8000-0000000000ab
eq "$(jget "$T_DIR/out" '[d["delegation"]["prompt_sent"], len(d["execution"]["actions_taken"])]')" '["p",1]' \
  "the phases went to the same execution"

# the next sequence follows the largest recorded one, gaps included (read
# from the end of the action key, not by re-reading every action)
GAP=$(et start --agent gaps)
expect_exit 0 "actions with explicit, gapped sequences" et action "$GAP" --json - <<<'[{"tool": "A", "sequence": 5}, {"tool": "B", "sequence": 40}]'
expect_exit 0 "an action without a sequence" et action "$GAP" --tool C
expect_exit 0 "a hook-style action after it" et action "$GAP" --json - <<<'{"tool": "D"}'
et show --json "$GAP" >"$T_DIR/gap.json"
eq "$(jget "$T_DIR/gap.json" '[(a["sequence"], a["tool"]) for a in d["execution"]["actions_taken"]]')" \
  '[[5,"A"],[40,"B"],[41,"C"],[42,"D"]]' "sequences continue after the largest one (40)"
expect_exit 3 "a sequence not after the largest one is refused" et action "$GAP" --json - <<<'{"tool": "E", "sequence": 41}'
contains "$T_DIR/err" "41 is not after the last recorded sequence 42" "the message names both sequences"

# record rejects duplicate keys (t0004); --json of the lifecycle verbs must too
trail_state "$T_DIR/before-dup"
printf '{"x_dup": 1, "x_dup": 2}' >"$T_DIR/dup.json"
expect_exit 3 "start --json with a duplicate key exits 3 (as record does)" et start --agent a --json "$T_DIR/dup.json"
contains "$T_DIR/err" 'duplicate key "x_dup"' "the message names the duplicate key"
same_state "$T_DIR/before-dup" "the duplicate-key input stored nothing"

done_testing
