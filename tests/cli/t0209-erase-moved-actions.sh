#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Erasing executions whose subagent actions were moved by a binding
# correction: each erasure takes the text index rows of what the execution
# owns now (the moved action goes with its new owner, not with the
# execution the ledger event names). Uses only the CLI, so it runs on
# PostgreSQL too (EXECTRAIL_CLI_PG).
. "$(dirname "$0")/lib.sh"

python3 - "$T_DIR/s.jsonl" <<'PY'
import json, sys
b = {"session_id": "s-erase", "cwd": "/w", "permission_mode": "default"}
P = {"description": "p", "prompt": "do p", "subagent_type": "general-purpose"}
Q = {"description": "q", "prompt": "do q", "subagent_type": "general-purpose"}
evs = [dict(hook_event_name="PreToolUse", tool_name="Agent", tool_input=P, tool_use_id="toolu_P"),
       dict(hook_event_name="PreToolUse", tool_name="Agent", tool_input=Q, tool_use_id="toolu_Q"),
       # agp starts first: bound provisionally to P
       dict(hook_event_name="SubagentStart", agent_id="agp", agent_type="general-purpose"),
       dict(hook_event_name="PostToolUse", agent_id="agp", agent_type="general-purpose", tool_name="Write",
            tool_input={"file_path": "/w/notes.txt", "content": "zebracorn"}, tool_response={"ok": True},
            tool_use_id="toolu_p1"),
       # Q's result: agp was Q's all along
       dict(hook_event_name="PostToolUse", tool_name="Agent", tool_input=Q, tool_use_id="toolu_Q",
            tool_response={"status": "completed", "agentId": "agp", "content": [{"type": "text", "text": "q done"}]}),
       dict(hook_event_name="PostToolUse", tool_name="Agent", tool_input=P, tool_use_id="toolu_P",
            tool_response={"status": "completed", "content": [{"type": "text", "text": "p done"}]})]
with open(sys.argv[1], "w") as f:
    for e in evs:
        d = dict(b); d.update(e); f.write(json.dumps(d) + "\n")
PY
while IFS= read -r line; do
  printf '%s' "$line" | et hook || fails "hook" "exit $?"
done <"$T_DIR/s.jsonl"

id_of() { # tool_use_id -> execution id (docs/INTEGRATIONS.md)
  python3 -c 'import hashlib, sys, uuid
b = bytearray(hashlib.sha256(b"exectrail/claude-code/tool_use_id:" + sys.argv[1].encode()).digest()[:16])
b[6] = (b[6] & 0x0f) | 0x50; b[8] = (b[8] & 0x3f) | 0x80
print(uuid.UUID(bytes=bytes(b)))' "$1"
}
P_ID=$(id_of toolu_P)
Q_ID=$(id_of toolu_Q)
check "P exists" et show "$P_ID"
check "Q exists" et show "$Q_ID"
found() { et search --format jsonl zebracorn >"$T_DIR/found" && jget "$T_DIR/found" 'd["execution_id"]'; }
eq "$(found)" "$Q_ID" "the moved Write is found on Q"
eq "$(et query --format ids '"zebracorn"' | tr '\n' ' ')" "$Q_ID " \
   "the query language's free text finds Q only"

et erase "$P_ID" --reason "test: erase the provisional owner" >/dev/null 2>"$T_DIR/err" ||
  fails "erase P" "$(cat "$T_DIR/err")"
eq "$(found)" "$Q_ID" \
   "erasing P (named by the event) keeps the Write's text: Q owns it"

et erase "$Q_ID" --reason "test: erase the owner" >/dev/null 2>"$T_DIR/err" ||
  fails "erase Q" "$(cat "$T_DIR/err")"
eq "$(et search --format jsonl zebracorn | wc -l | tr -d ' ')" 0 \
   "erasing Q takes the Write's text with it"
check "verify passes after both erasures" et verify
done_testing
