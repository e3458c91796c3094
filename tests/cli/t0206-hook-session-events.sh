#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Hook fields an audit asks about (docs/INTEGRATIONS.md "What is recorded"):
# every other hook event is a session.hook event with its fields; the
# user's prompt (redacted) becomes the next delegation's user_request; the
# permission mode is on the execution and its actions and queryable; the
# MCP server comes from the tool name; a repeated delivery is stored once;
# `hooks install` registers the events and pins the store, and the command
# it writes works as written from anywhere.
. "$(dirname "$0")/lib.sh"

S=3d1f0c2a-6b7e-4f81-9c2d-5e4a3b2c1d0e
python3 - "$T_DIR/s.jsonl" "$S" <<'PY'
import json, sys
S = sys.argv[2]
base = {"session_id": S, "transcript_path": "/t/%s.jsonl" % S, "cwd": "/home/u/app"}
out = []
def ev(name, **kw):
    d = dict(base); d["hook_event_name"] = name; d.update(kw); out.append(d)
ev("SessionStart", source="startup", model="claude-opus-5", permission_mode="default")
ev("UserPromptSubmit", prompt="Rotate the key ghp_AkJiG8XnBE3NnYJoQ9WmXeHH2fdeeTFJGvVv in deploy.yml",
   permission_mode="bypassPermissions")
A = {"description": "Rotate the deploy key", "prompt": "Rotate it", "subagent_type": "ops"}
ev("PreToolUse", tool_name="Agent", tool_input=A, tool_use_id="toolu_A", permission_mode="bypassPermissions")
ev("SubagentStart", agent_id="ag1", agent_type="ops", permission_mode="bypassPermissions")
ev("PermissionRequest", agent_id="ag1", agent_type="ops", tool_name="Bash",
   tool_input={"command": "rm -rf build"}, permission_mode="bypassPermissions")
ev("PostToolUse", agent_id="ag1", agent_type="ops", tool_name="mcp__github__create_issue",
   tool_input={"title": "rotated"}, tool_response={"ok": True}, tool_use_id="toolu_1",
   permission_mode="bypassPermissions")
ev("Notification", message="Claude needs your permission", notification_type="permission_prompt")
ev("PreCompact", trigger="auto", custom_instructions="")
ev("SubagentStop", agent_id="ag1", agent_type="ops", stop_hook_active=False,
   agent_transcript_path="/t/agent-ag1.jsonl", last_assistant_message="rotated")
ev("PostToolUse", tool_name="Agent", tool_input=A, tool_use_id="toolu_A", duration_ms=900,
   tool_response={"status": "completed", "agentId": "ag1", "content": [{"type": "text", "text": "done"}]})
ev("Stop", last_assistant_message="All done", stop_hook_active=False)
ev("SessionEnd", reason="prompt_input_exit")
ev("TotallyNewEvent", something={"x": 1})
with open(sys.argv[1], "w") as f:
    for d in out:
        f.write(json.dumps(d) + "\n")
PY
bad=0
while IFS= read -r l; do printf '%s' "$l" | et hook 2>>"$T_DIR/herr" || bad=$((bad + 1)); done <"$T_DIR/s.jsonl"
eq "$bad" 0 "every hook call exits 0 (the unknown event too)"
eq "$(sql "$DB" "SELECT group_concat(json_extract(body,'\$.body.hook_event_name')) FROM (SELECT body FROM ledger WHERE type = 'session.hook' ORDER BY seq) AS sub")" \
   "SessionStart,UserPromptSubmit,PermissionRequest,Notification,PreCompact,Stop,SessionEnd,TotallyNewEvent" \
   "each non-tool, non-subagent event is a session.hook event, in order"
eq "$(sql "$DB" "SELECT json_extract(body,'\$.body.model') || '|' || json_extract(body,'\$.body.source') FROM ledger WHERE type = 'session.hook' AND json_extract(body,'\$.body.hook_event_name') = 'SessionStart'")" \
   "claude-opus-5|startup" "SessionStart keeps model and source"
eq "$(sql "$DB" "SELECT json_extract(body,'\$.body.reason') FROM ledger WHERE json_extract(body,'\$.body.hook_event_name') = 'SessionEnd'")" \
   "prompt_input_exit" "SessionEnd keeps its reason"
eq "$(sql "$DB" "SELECT json_extract(body,'\$.body.last_assistant_message') FROM ledger WHERE json_extract(body,'\$.body.hook_event_name') = 'Stop'")" \
   "All done" "Stop keeps the last message"
eq "$(sql "$DB" "SELECT json_extract(body,'\$.body.tool_name') || '|' || json_extract(body,'\$.body.agent_id') || '|' || json_extract(body,'\$.body.tool_input.command') FROM ledger WHERE json_extract(body,'\$.body.hook_event_name') = 'PermissionRequest'")" \
   "Bash|ag1|rm -rf build" "PermissionRequest keeps which agent asked for which tool"
eq "$(sql "$DB" "SELECT json_extract(body,'\$.body.notification_type') FROM ledger WHERE json_extract(body,'\$.body.hook_event_name') = 'Notification'")" \
   "permission_prompt" "Notification keeps its type"
eq "$(sql "$DB" "SELECT count(*) FROM ledger WHERE body LIKE '%ghp_AkJiG8%'")" 0 \
   "the token in the user's prompt is redacted in the ledger"
eq "$(sql "$DB" "SELECT count(*) FROM meta WHERE value LIKE '%ghp_AkJiG8%' OR key LIKE '%ghp_AkJiG8%'")" 0 \
   "and in the hook's correlation state"

id=$(et list --format ids | head -n 1)
et show --json "$id" >"$T_DIR/rec.json"
eq "$(jget "$T_DIR/rec.json" 'd["main_agent_context"]["user_request"].startswith("Rotate the key [REDACTED:"), d["main_agent_context"]["user_request"].endswith("in deploy.yml"), d["delegation"]["instructions"]')" \
   '[true,true,"Rotate the deploy key"]' \
   "user_request is what the user asked (redacted); the Agent description stays in instructions"
eq "$(jget "$T_DIR/rec.json" 'd["security"]["permission_mode"]')" "bypassPermissions" \
   "the permission mode is on the execution"
eq "$(et query --format ids 'security.permission_mode = "bypassPermissions"')" "$id" \
   "and queryable"
eq "$(jget "$T_DIR/rec.json" '[(a["tool"], a["mcp_server"], a["permission_mode"]) for a in d["execution"]["actions_taken"]]')" \
   '[["mcp__github__create_issue","github","bypassPermissions"]]' \
   "the action's MCP server comes from the tool name; its permission mode is kept"

# a repeated delivery of an id-less event is stored once
n=$(sql "$DB" "SELECT count(*) FROM ledger")
grep Notification "$T_DIR/s.jsonl" | tr -d '\n' | et hook
eq "$(sql "$DB" "SELECT count(*) FROM ledger")" "$n" "the same Notification delivered again adds nothing"
check "verify" et verify

# ---- hooks install pins the store and the command works as written ----
SET="$T_DIR/settings.json"
check "install with EXECTRAIL_HOME set" et hooks install --settings "$SET"
contains "$T_DIR/err" "events go to $(trail_target "$EXECTRAIL_HOME/trail.db")" "install says which store the hook writes to"
python3 - "$SET" >"$T_DIR/evs" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
cmds = {h["command"] for g in sum(s["hooks"].values(), []) for h in g["hooks"]}
print(len(s["hooks"]), len(cmds), next(iter(cmds)))
PY
read -r nev ncmd cmd <"$T_DIR/evs"
eq "$nev $ncmd" "34 1" "34 events registered, one command"
contains "$T_DIR/evs" "--db '$(trail_target "$EXECTRAIL_HOME/trail.db")' hook" "the command pins the store (shell-quoted)"
check "install again" et hooks install --settings "$SET"
contains "$T_DIR/err" "already has the hooks" "a second install changes nothing"
# run the command exactly as settings.json holds it, elsewhere, without
# the environment that chose the store
n=$(sql "$DB" "SELECT count(*) FROM ledger")
(cd / && printf '%s' '{"session_id":"s2","hook_event_name":"SessionStart","source":"resume"}' |
   env -u EXECTRAIL_HOME -u EXECTRAIL_DB HOME="$T_DIR/elsewhere" sh -c "$cmd")
eq "$(sql "$DB" "SELECT count(*) FROM ledger")" "$((n + 1))" \
   "the installed command, run from / without EXECTRAIL_HOME, writes to the pinned store"
# a store path with a quote in it survives the shell
Q="$T_DIR/it's here"
mkdir -p "$Q"
check "install pinned to a path with a quote" et --db "$Q/t.db" hooks install --settings "$T_DIR/s2.json"
cmd2=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(s["hooks"]["Stop"][0]["hooks"][0]["command"])' "$T_DIR/s2.json")
check "init that store" et --db "$Q/t.db" init
(cd / && printf '%s' '{"session_id":"s3","hook_event_name":"Stop"}' | env -u EXECTRAIL_HOME sh -c "$cmd2")
eq "$(sql "$Q/t.db" "SELECT count(*) FROM ledger WHERE type = 'session.hook'")" 1 \
   "the quoted path reaches the right store"
done_testing
