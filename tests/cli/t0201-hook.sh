#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# exectrail hook: the documented Claude Code hook samples and constructed
# sessions (two parallel subagents of one type with a wrong provisional
# binding that the Agent result corrects, a failing tool, an async subagent,
# a failed Agent call, duplicate deliveries, malformed input) replayed
# through the real binary; the resulting spec records are checked field by
# field and verify must pass.
. "$(dirname "$0")/lib.sh"

DATA="$ET_SOURCE_DIR/tests/data/claude"

# hook JSON: one hook call; it must exit 0 and print nothing
HOOK_BAD=0
hook() {
  printf '%s' "$1" | "$EXECTRAIL" hook >"$T_DIR/hout" 2>"$T_DIR/herr"
  rc=$?
  if [ "$rc" -ne 0 ] || [ -s "$T_DIR/hout" ]; then
    HOOK_BAD=$((HOOK_BAD + 1))
    echo "# hook exit $rc, stdout '$(head -c 200 "$T_DIR/hout")': $(head -c 200 "$1")"
  fi
}
events() { sql "$DB" "SELECT count(*) FROM ledger"; }

# ---- 1. the documented samples ----
while IFS= read -r line; do hook "$line"; done <"$DATA/doc-samples.jsonl"
eq "$HOOK_BAD" 0 "every documented sample exits 0 with no stdout"
et list --format ids >"$T_DIR/ids" 2>&1
eq "$(wc -l <"$T_DIR/ids" | tr -d ' ')" 0 "samples without an Agent call make no execution"
eq "$(sql "$DB" "SELECT group_concat(type) FROM (SELECT type FROM ledger ORDER BY seq) AS sub")" \
   "session.tool,session.tool,session.hook,session.subagent_stopped,session.hook,session.hook,session.hook,session.hook,session.hook" \
   "main-thread tools, an unknown agent's stop and the other events (UserPromptSubmit, Stop, SessionStart, SessionEnd, Notification, PreCompact) are session events (Bash without tool_use_id ignored)"
eq "$(sql "$DB" "SELECT count(*) FROM ledger WHERE execution_id IS NOT NULL")" 0 \
   "session events carry no execution_id"
sql "$DB" "SELECT body FROM ledger WHERE seq = 1" >"$T_DIR/ev1.json"
eq "$(jget "$T_DIR/ev1.json" 'd["body"]["tool"], d["body"]["success"], d["body"]["error"], d["body"]["session_id"], d["body"]["input"]["command"]')" \
   '["Bash",false,"Command exited with non-zero status code 1","abc123","npm test"]' \
   "the failed main-thread Bash call is recorded with its error"

# ---- 2. a constructed session ----
python3 - "$T_DIR/session.jsonl" <<'PY'
import json, sys
S = "88a8d761-7b9a-4bf1-a8ca-c1febe6bf358"
base = {"session_id": S, "transcript_path": "/home/u/.claude/projects/-home-u-app/%s.jsonl" % S,
        "cwd": "/home/u/app", "permission_mode": "default"}
out = []
def ev(name, **kw):
    d = dict(base); d["hook_event_name"] = name; d.update(kw); out.append(d)
def agent_in(desc, prompt, typ="general-purpose", **kw):
    d = {"description": desc, "prompt": prompt, "subagent_type": typ}; d.update(kw); return d
A = agent_in("Survey the jobs module", "Survey src/jobs and list its scheduled jobs.")
B = agent_in("Review the API layer", "Review src/api for error handling.")
# two parallel general-purpose subagents; agent y (really B's) starts first
ev("PreToolUse", tool_name="Agent", tool_input=A, tool_use_id="toolu_A")
ev("PreToolUse", tool_name="Agent", tool_input=B, tool_use_id="toolu_B")
ev("SubagentStart", agent_id="agy", agent_type="general-purpose")
ev("SubagentStart", agent_id="agx", agent_type="general-purpose")
ev("PreToolUse", agent_id="agy", agent_type="general-purpose", tool_name="Grep",
   tool_input={"pattern": "raise", "path": "src/api"}, tool_use_id="toolu_y1")
ev("PostToolUse", agent_id="agy", agent_type="general-purpose", tool_name="Grep",
   tool_input={"pattern": "raise", "path": "src/api"}, tool_response={"numFiles": 2, "filenames": ["src/api/a.py", "src/api/b.py"]},
   tool_use_id="toolu_y1", duration_ms=41)
# B's result arrives: agy belongs to toolu_B -> the binding is corrected
ev("SubagentStop", agent_id="agy", agent_type="general-purpose", stop_hook_active=False,
   agent_transcript_path="/t/agent-agy.jsonl", last_assistant_message="API review done")
ev("PostToolUse", tool_name="Agent", tool_input=B, tool_use_id="toolu_B", duration_ms=5000,
   tool_response={"status": "completed", "prompt": B["prompt"], "agentId": "agy", "agentType": "general-purpose",
                  "content": [{"type": "text", "text": "API review done."}, {"type": "text", "text": "2 issues."}],
                  "totalDurationMs": 4900, "totalTokens": 6079, "totalToolUseCount": 1,
                  "usage": {"input_tokens": 1, "output_tokens": 432, "cache_read_input_tokens": 5384}})
# agent x now works for toolu_A: a read and a failing Bash call
ev("PostToolUse", agent_id="agx", agent_type="general-purpose", tool_name="Read",
   tool_input={"file_path": "src/jobs/cron.py"}, tool_response={"type": "text", "file": {"numLines": 3}},
   tool_use_id="toolu_x1", duration_ms=3)
ev("PostToolUseFailure", agent_id="agx", agent_type="general-purpose", tool_name="Bash",
   tool_input={"command": "pytest src/jobs"}, tool_use_id="toolu_x2",
   error="Command exited with non-zero status code 1", is_interrupt=False, duration_ms=812)
ev("SubagentStop", agent_id="agx", agent_type="general-purpose", stop_hook_active=False,
   agent_transcript_path="/t/agent-agx.jsonl", last_assistant_message="Jobs surveyed")
ev("PostToolUse", tool_name="Agent", tool_input=A, tool_use_id="toolu_A",
   tool_response={"status": "completed", "agentId": "agx", "content": [{"type": "text", "text": "3 jobs."}],
                  "totalDurationMs": 7000, "totalTokens": 100, "usage": {"input_tokens": 5, "output_tokens": 9}})
# an async (background) Explore subagent
C = agent_in("Find TODOs", "List every TODO in src.", "Explore", run_in_background=True, model="haiku")
ev("PreToolUse", tool_name="Task", tool_input=C, tool_use_id="toolu_C")
ev("PostToolUse", tool_name="Task", tool_input=C, tool_use_id="toolu_C", duration_ms=20,
   tool_response={"status": "async_launched", "isAsync": True, "agentId": "agz", "description": C["description"],
                  "prompt": C["prompt"], "outputFile": "/tmp/agz.out"})
ev("PostToolUse", agent_id="agz", agent_type="Explore", tool_name="Grep",
   tool_input={"pattern": "TODO"}, tool_response="src/a.c:3: TODO", tool_use_id="toolu_z1")
ev("SubagentStop", agent_id="agz", agent_type="Explore", stop_hook_active=False,
   agent_transcript_path="/t/agent-agz.jsonl", last_assistant_message="Found 7 TODOs")
# an Agent call that fails
D = agent_in("Plan migration", "Plan the DB migration.", "Plan")
ev("PreToolUse", tool_name="Agent", tool_input=D, tool_use_id="toolu_D")
ev("PostToolUseFailure", tool_name="Agent", tool_input=D, tool_use_id="toolu_D",
   error="Agent interrupted", is_interrupt=True)
# a main-thread tool
ev("PostToolUse", tool_name="Edit", tool_input={"file_path": "README.md"}, tool_response={"ok": True},
   tool_use_id="toolu_m1", duration_ms=2)
with open(sys.argv[1], "w") as f:
    for d in out:
        f.write(json.dumps(d) + "\n")
PY
n0=$(events)
while IFS= read -r line; do hook "$line"; done <"$T_DIR/session.jsonl"
eq "$HOOK_BAD" 0 "every call of the constructed session exits 0 with no stdout"
n1=$(events)

# ---- 3. duplicate deliveries record nothing ----
while IFS= read -r line; do hook "$line"; done <"$T_DIR/session.jsonl"
eq "$(events)" "$n1" "replaying the whole session again appends no event"
eq "$HOOK_BAD" 0 "duplicates exit 0 too"

# ---- 4. the records, field by field ----
for tu in toolu_A toolu_B toolu_C toolu_D; do
  id=$(python3 -c '
import hashlib, sys
h = bytearray(hashlib.sha256(b"exectrail/claude-code/tool_use_id:" + sys.argv[1].encode()).digest()[:16])
h[6] = (h[6] & 0x0f) | 0x50; h[8] = (h[8] & 0x3f) | 0x80
x = h.hex(); print("%s-%s-%s-%s-%s" % (x[:8], x[8:12], x[12:16], x[16:20], x[20:]))' "$tu")
  et show --json "$id" >"$T_DIR/$tu.json" 2>"$T_DIR/err" || fails "show $tu" "$(cat "$T_DIR/err")"
  echo "$id" >"$T_DIR/$tu.id"
done
eq "$(et list --format ids | wc -l | tr -d ' ')" 4 "four Agent/Task calls, four executions"

python3 - "$T_DIR" >"$T_DIR/fields" 2>&1 <<'PY'
import json, os, sys
d = sys.argv[1]
R = {t: json.load(open(os.path.join(d, t + ".json"))) for t in ("toolu_A", "toolu_B", "toolu_C", "toolu_D")}
bad = []
def want(label, got, exp):
    if got != exp:
        bad.append("%s: got %r, want %r" % (label, got, exp))
S = "88a8d761-7b9a-4bf1-a8ca-c1febe6bf358"
a, b, c, dd = R["toolu_A"], R["toolu_B"], R["toolu_C"], R["toolu_D"]
for t, r in R.items():
    want(t + " session", r["session_id"], S)
    want(t + " tool_use_id kept", r["tool_use_id"], t)
    want(t + " uuid version 5", r["execution_id"][14], "5")
    want(t + " source", r["source"], "claude-code")
    want(t + " completed (has timestamp_end)", r["timestamp_end"] is not None, True)
want("A agent", a["agent_metadata"]["name"], "general-purpose")
want("A prompt", a["delegation"]["prompt_sent"], "Survey src/jobs and list its scheduled jobs.")
want("A prompt_length", a["delegation"]["prompt_length"], 44)
want("A description", a["main_agent_context"]["user_request"], "Survey the jobs module")
want("A actions", [(x["tool"], x["success"], x["agent_id"], x["tool_use_id"]) for x in a["execution"]["actions_taken"]],
     [("Read", True, "agx", "toolu_x1"), ("Bash", False, "agx", "toolu_x2")])
x2 = a["execution"]["actions_taken"][1]
want("A failing tool error", x2["error"], "Command exited with non-zero status code 1")
want("A failing tool input", json.loads(x2["input"]), {"command": "pytest src/jobs"})
want("A failing tool duration", x2["duration_ms"], 812)
want("A read output", json.loads(a["execution"]["actions_taken"][0]["output"]), {"type": "text", "file": {"numLines": 3}})
want("A raw_response", a["output"]["raw_response"], "3 jobs.")
want("A usage", a["output"]["usage"], {"input_tokens": 5, "output_tokens": 9, "total_tokens": 100, "total_duration_ms": 7000})
want("A duration from the input", a["duration_ms"], 7000)
want("B has agy's Grep: recorded under the provisional binding to A, moved by the correction",
     [(x["tool"], x["agent_id"], x["duration_ms"], x["sequence"]) for x in b["execution"]["actions_taken"]],
     [("Grep", "agy", 41, 1)])
want("A's actions are numbered in time order", [x["sequence"] for x in a["execution"]["actions_taken"]], [1, 2])
want("B raw_response joins text blocks", b["output"]["raw_response"], "API review done.\n\n2 issues.")
want("B usage", b["output"]["usage"], {"input_tokens": 1, "output_tokens": 432, "cache_read_input_tokens": 5384,
     "total_tokens": 6079, "total_duration_ms": 4900, "total_tool_use_count": 1})
want("B duration prefers the input's duration_ms", b["duration_ms"], 5000)
want("B agent_id", b["output"]["agent_id"], "agy")
want("C agent", c["agent_metadata"]["name"], "Explore")
want("C model", c["agent_metadata"]["configuration"], {"model": "haiku"})
want("C background", c["run_in_background"], True)
want("C action", [(x["tool"], x["output"], x["success"]) for x in c["execution"]["actions_taken"]],
     [("Grep", "src/a.c:3: TODO", True)])
want("C raw_response from SubagentStop", c["output"]["raw_response"], "Found 7 TODOs")
want("C transcript", c["output"]["agent_transcript_path"], "/t/agent-agz.jsonl")
want("D error", dd["output"]["error"], "Agent interrupted")
want("D no actions", dd["execution"]["actions_taken"], [])
want("D agent", dd["agent_metadata"]["name"], "Plan")
print("\n".join(bad) if bad else "ALL OK")
PY
eq "$(cat "$T_DIR/fields")" "ALL OK" "records match the hook inputs field by field"

# agy's Grep went to A's execution under the provisional binding (the
# ledger is append-only); the correction is itself in the ledger, and the
# projection follows it: the Grep is B's action now
A_ID=$(cat "$T_DIR/toolu_A.id"); B_ID=$(cat "$T_DIR/toolu_B.id")
eq "$(sql "$DB" "SELECT group_concat(x) FROM (SELECT json_extract(body,'$.body.binding') || ':' || json_extract(body,'$.body.agent_id') || ':' || (CASE WHEN execution_id = '$A_ID' THEN 1 ELSE 0 END) AS x FROM ledger WHERE type = 'execution.bound' AND execution_id IN ('$A_ID','$B_ID') ORDER BY seq) AS sub")" \
   "provisional:agy:1,provisional:agx:0,corrected:agx:1,authoritative:agy:0,confirmed:agx:1" \
   "bindings: provisional, corrected by the Agent result, then confirmed"
eq "$(sql "$DB" "SELECT json_extract(body,'$.body.tool') || ':' || json_extract(body,'$.body.agent_id') FROM ledger WHERE type = 'tool.requested' AND execution_id = '$A_ID'")" \
   "Grep:agy" "the PreToolUse before the correction stays on the provisional execution"
eq "$(sql "$DB" "SELECT state, n_actions, n_failed_actions FROM executions WHERE execution_id = '$A_ID'")" \
   "completed|2|1" "A: completed, 2 actions (agy's Grep moved to B by the correction), 1 failed"
eq "$(sql "$DB" "SELECT execution_id FROM actions WHERE json_extract(doc,'$.tool_use_id') = 'toolu_y1'")" \
   "$B_ID" "the projection puts agy's Grep on B"
eq "$(sql "$DB" "SELECT n_actions FROM executions WHERE execution_id = '$B_ID'")" 1 "B counts it"
eq "$(sql "$DB" "SELECT count(*) FROM exec_lists WHERE execution_id = '$A_ID' AND item LIKE '%raise%'")" 0 \
   "nothing the Grep implied stays listed on A"
eq "$(sql "$DB" "SELECT count(*) FROM ledger WHERE type = 'action.recorded' AND json_extract(body,'$.body.tool_use_id') = 'toolu_y1'")" \
   1 "the Grep PostToolUse of agy is one action"
eq "$(sql "$DB" "SELECT execution_id FROM ledger WHERE type = 'action.recorded' AND json_extract(body,'$.body.tool_use_id') = 'toolu_y1'")" \
   "$A_ID" "the ledger keeps the event as it was recorded"
eq "$(sql "$DB" "SELECT count(*) FROM ledger WHERE type = 'session.tool' AND json_extract(body,'$.body.tool') = 'Edit'")" \
   1 "the main-thread Edit is one session.tool event"

# the correlation state names sessions by a keyed digest, never the id
eq "$(sql "$DB" "SELECT count(*) FROM meta WHERE key LIKE 'claude:%' AND key LIKE '%88a8d761%'")" 0 \
   "no correlation key holds the session id"
check "there is correlation state" test "$(sql "$DB" "SELECT count(*) FROM meta WHERE key LIKE 'claude:agent:%'")" -gt 0

# ---- 5. malformed input: exit 0, quarantined ----
hook '{"session_id": "x", "hook_event_name": "PostToolUse", '
hook '["not", "an", "object"]'
hook '{"hook_event_name":"SubagentStart","session_id":"s"}'
eq "$HOOK_BAD" 0 "malformed input exits 0 with no stdout"
et spool status --json >"$T_DIR/st" 2>&1
eq "$(jget "$T_DIR/st" 'd["quarantined"]')" 3 "three inputs wait in quarantine"
contains "$EXECTRAIL_HOME/hook-quarantine.log" '{"session_id": "x", "hook_event_name": "PostToolUse", ' \
  "the raw bytes are kept"
contains "$EXECTRAIL_HOME/hook-quarantine.log" 'agent_id: missing on SubagentStart' "with the reason"

check "verify passes" et verify

# ---- 6. a moved action takes its security reasons with it ----
# agent agp starts first and is bound provisionally to P; it writes .env;
# then Q's result says agp is Q's: the path reason leaves P for Q
export EXECTRAIL_HOME="$T_DIR/moved"
DB="$EXECTRAIL_HOME/trail.db"
python3 - "$T_DIR/moved.jsonl" <<'PY'
import json, sys
b = {"session_id": "s-moved", "cwd": "/w", "permission_mode": "default"}
P = {"description": "p", "prompt": "do p", "subagent_type": "general-purpose"}
Q = {"description": "q", "prompt": "do q", "subagent_type": "general-purpose"}
evs = [dict(hook_event_name="PreToolUse", tool_name="Agent", tool_input=P, tool_use_id="toolu_P"),
       dict(hook_event_name="PreToolUse", tool_name="Agent", tool_input=Q, tool_use_id="toolu_Q"),
       dict(hook_event_name="SubagentStart", agent_id="agp", agent_type="general-purpose"),
       dict(hook_event_name="PostToolUse", agent_id="agp", agent_type="general-purpose", tool_name="Write",
            tool_input={"file_path": "/w/.env", "content": "X=1"}, tool_response={"ok": True}, tool_use_id="toolu_p1"),
       dict(hook_event_name="PostToolUse", tool_name="Agent", tool_input=Q, tool_use_id="toolu_Q",
            tool_response={"status": "completed", "agentId": "agp", "content": [{"type": "text", "text": "q done"}]})]
with open(sys.argv[1], "w") as f:
    for e in evs:
        d = dict(b); d.update(e); f.write(json.dumps(d) + "\n")
PY
while IFS= read -r line; do hook "$line"; done <"$T_DIR/moved.jsonl"
eq "$HOOK_BAD" 0 "the moved-action session exits 0"
P_ID=$(sql "$DB" "SELECT execution_id FROM executions WHERE json_extract(doc,'$.tool_use_id') = 'toolu_P'")
Q_ID=$(sql "$DB" "SELECT execution_id FROM executions WHERE json_extract(doc,'$.tool_use_id') = 'toolu_Q'")
eq "$(sql "$DB" "SELECT count(*) FROM security_relevant WHERE execution_id = '$P_ID'")" 0 \
   "P keeps no security reason of the .env write that moved to Q"
contains_sql() { sql "$DB" "$1" | grep -q -- "$2"; }
check "Q is security-relevant for the .env path" \
  contains_sql "SELECT reasons FROM security_relevant WHERE execution_id = '$Q_ID'" "path:/w/.env"
eq "$(et query --format ids 'files_modified:*.env' | tr '\n' ' ')" "$Q_ID " \
   "a files_modified query finds Q only"
check "verify passes, projections included" et verify
done_testing
