#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Claude Code's own telemetry (OTLP log records) beside its hooks
# (claude_telemetry.py: one session as both report it): usage, cost and API
# errors on the subagent's execution, permission decisions on its actions,
# no second action for a call both report, the same record whatever came
# first and however often the logs came; telemetry with hooks only on the
# Agent calls still gives the actions; a bad record is rejected by name.
. "$(dirname "$0")/lib.sh"

GEN="$ET_SOURCE_DIR/tests/cli/claude_telemetry.py"
G="$T_DIR/gen"
python3 "$GEN" "$G" || { not_ok "generate the session"; done_testing; }

feed() { # feed HOOKS.jsonl: one `exectrail hook` per line
  local bad=0 line
  while IFS= read -r line; do
    printf '%s' "$line" | et hook >/dev/null 2>>"$T_DIR/herr" || bad=$((bad + 1))
  done <"$1"
  echo "$bad"
}
logs() { et import otlp --type logs --json "$@" >"$T_DIR/out" 2>>"$T_DIR/lerr"; }
show() { et show --json "$(sql "$DB" "SELECT execution_id FROM executions")" >"$1"; }
# the record without the receipt times of the hooks (hook inputs carry none)
norm() {
  python3 - "$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for k in ("timestamp_start", "timestamp_end", "duration_ms"):
    d.pop(k, None)
for a in d["execution"]["actions_taken"]:
    a.pop("timestamp", None)
json.dump(d, open(sys.argv[2], "w"), sort_keys=True)
PY
}

# A: the hooks, then the logs, then the same logs again (a retry) and once
# more by another route (other receive times and resource attributes)
export EXECTRAIL_HOME="$T_DIR/a"; DB="$EXECTRAIL_HOME/trail.db"
eq "$(feed "$G/hooks.jsonl")" 0 "A: every hook call exits 0"
logs "$G/logs.json"; logs "$G/logs.json"; logs "$G/logs-again.json"
eq "$(sql "$DB" "SELECT count(*) FROM ledger WHERE type='otlp.log'")" 20 \
  "A: every record kept as otlp.log (the retry skipped, the other route kept)"
eq "$(sql "$DB" "SELECT count(*) FROM executions")" 1 "A: one execution"
eq "$(sql "$DB" "SELECT n_actions FROM executions")" 2 "A: two actions, none from telemetry"
show "$T_DIR/a.json"
R="$T_DIR/a.json"
eq "$(jget "$R" 'd["agent_metadata"]["telemetry_usage"]["api_requests"]')" 2 \
  "the subagent's two api_requests, once each (the main agent's is not its)"
eq "$(jget "$R" 'round(d["agent_metadata"]["telemetry_usage"]["cost_usd"], 6)')" 0.005 "their cost summed"
eq "$(jget "$R" 'd["agent_metadata"]["telemetry_usage"]["input_tokens"]'),$(jget "$R" 'd["agent_metadata"]["telemetry_usage"]["output_tokens"]'),$(jget "$R" 'd["agent_metadata"]["telemetry_usage"]["cache_read_tokens"]')" \
  "1100,160,100" "tokens summed"
eq "$(jget "$R" 'd["agent_metadata"]["telemetry_usage"]["models"]["claude-haiku-4-5"]["output_tokens"]')" 40 "per model"
eq "$(jget "$R" 'd["agent_metadata"]["models_used"]')" '["claude-haiku-4-5","claude-sonnet-4-5"]' "models_used names them"
eq "$(jget "$R" 'len(d["execution"]["api_errors"])'),$(jget "$R" 'd["execution"]["api_errors"][0]["status_code"]')" "1,529" "the API error, once"
eq "$(jget "$R" 'd["execution"]["actions_taken"][0]["permission_decision"]')" \
  '{"decision":"accept","source":"user_temporary"}' "tool_decision on the Bash action"
eq "$(jget "$R" 'd["execution"]["actions_taken"][0]["duration_ms"]')" 812 "tool_result's duration where the hook gave none"
eq "$(jget "$R" 'd["execution"]["actions_taken"][0]["output"]')" '{"stdout":"1 failed","exit_code":1}' "the hook's output kept"
eq "$(jget "$R" 'd["execution"]["actions_taken"][1]["success"]'),$(jget "$R" 'd["execution"]["actions_taken"][1]["error"]')" \
  "false,old_string not found" "the failed Edit"
eq "$(jget "$R" 'd["main_agent_context"]["user_request"]')" "please fix the build" \
  "the hook's prompt (the telemetry's is redacted)"

# B: the logs first, then the hooks, then the logs again
export EXECTRAIL_HOME="$T_DIR/b"; DB="$EXECTRAIL_HOME/trail.db"
logs "$G/logs.json"
eq "$(jget "$T_DIR/out" 'd["actions"]')" 2 "B: the subagent's tool results are actions at once"
eq "$(feed "$G/hooks.jsonl")" 0 "B: every hook call exits 0"
logs "$G/logs-again.json"
eq "$(sql "$DB" "SELECT n_actions FROM executions")" 2 "B: still two actions (the hooks' facts laid over them)"
eq "$(sql "$DB" "SELECT count(*) FROM ledger WHERE type='action.recorded'")" 2 "B: two action events in the ledger"
show "$T_DIR/b.json"
norm "$T_DIR/a.json" "$T_DIR/a.n"; norm "$T_DIR/b.json" "$T_DIR/b.n"
json_same "$T_DIR/a.n" "$T_DIR/b.n" "A and B give the same record (but the hooks' receipt times)"
check "B: the projections rebuild to the same" et verify

# C: telemetry with hooks only on the Agent tool (no per-tool hooks)
export EXECTRAIL_HOME="$T_DIR/c"; DB="$EXECTRAIL_HOME/trail.db"
logs "$G/logs.json"
eq "$(feed "$G/agent-hooks.jsonl")" 0 "C: the Agent hooks exit 0"
show "$T_DIR/c.json"
eq "$(jget "$T_DIR/c.json" '[a["tool"] for a in d["execution"]["actions_taken"]]')" '["Bash","Edit"]' \
  "C: the telemetry's tool calls are the subagent's actions"
eq "$(jget "$T_DIR/c.json" 'd["execution"]["actions_taken"][0]["source"]')" "claude-code-telemetry" "C: marked as from telemetry"
eq "$(jget "$T_DIR/c.json" 'd["execution"]["actions_taken"][1]["success"]')" false "C: the failed call failed"
eq "$(jget "$T_DIR/c.json" 'd["agent_metadata"]["telemetry_usage"]["api_requests"]')" 2 "C: with the usage"

# a malformed record: rejected, the field named, the good ones stored
export EXECTRAIL_HOME="$T_DIR/d"; DB="$EXECTRAIL_HOME/trail.db"
python3 - "$G/logs.json" "$T_DIR/bad.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["resourceLogs"][0]["scopeLogs"][0]["logRecords"][1]["traceId"] = "abcd"
json.dump(d, open(sys.argv[2], "w"))
PY
expect_exit 3 "a record with a short trace id" et import otlp --type logs "$T_DIR/bad.json"
contains "$T_DIR/err" "resourceLogs[0].scopeLogs[0].logRecords[1]: traceId" "the rejection names the record and the field"
eq "$(sql "$DB" "SELECT count(*) FROM ledger WHERE type='otlp.log'")" 9 "the other nine stored"

eq "$(cat "$T_DIR/herr" "$T_DIR/lerr" 2>/dev/null | grep -vc 'created a new trail')" 0 "nothing unexpected on stderr"
done_testing
