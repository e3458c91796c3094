#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# config.yaml `capture:` extends the derived-list table (docs/CONFIG.md):
# a tool that writes files, a tool that runs shell commands, a tool that
# calls a service and network programs, merged over the built-in table
# (a built-in can be changed or removed). The effective section is
# recorded (config.changed); a bad section degrades to the built-in table
# with a warning on stderr and one config.warning event naming the key,
# and nothing is lost. rebuild derives again under the current table.
. "$(dirname "$0")/lib.sh"

S=3c1e9d2a-7b4f-4e0a-8c6d-5f2a1b9e0d7c
hook_session() { # tool calls of one subagent, as hook inputs on stdin of et hook
  python3 - "$S" "$1" <<'PY' | while IFS= read -r l; do printf '%s' "$l" | et hook >/dev/null || echo "hook failed: $l"; done
import json, sys
S, tag = sys.argv[1], sys.argv[2]
base = {"session_id": S, "transcript_path": "/t/%s.jsonl" % S, "cwd": "/w"}
def ev(name, **kw):
    d = dict(base, hook_event_name=name); d.update(kw); print(json.dumps(d))
A = {"description": "Sync " + tag, "prompt": "Sync the catalogue " + tag,
     "subagent_type": "syncer"}
ev("PreToolUse", tool_name="Agent", tool_input=A, tool_use_id="toolu_A" + tag)
ev("SubagentStart", agent_id="ag" + tag, agent_type="syncer")
calls = [("MyWriter", {"target": "out/catalogue.csv"}),
         ("shell", {"cmd": "grpcurl -plaintext h:50051 list && s5cmd --stat ls s3://bucket"}),
         ("Fetch", {"url": "https://api.example.com/v2/items"}),
         ("NotebookEdit", {"notebook_path": "nb/x.ipynb"}),
         ("Bash", {"command": "curl -s https://api.github.com/zen"}),
         ("Write", {"file_path": "README.md"})]
for i, (tool, inp) in enumerate(calls):
    ev("PostToolUse", agent_id="ag" + tag, agent_type="syncer", tool_name=tool,
       tool_input=inp, tool_use_id="toolu_%s%d" % (tag, i), tool_response={"ok": True})
ev("SubagentStop", agent_id="ag" + tag, agent_type="syncer", stop_hook_active=False)
ev("PostToolUse", tool_name="Agent", tool_input=A, tool_use_id="toolu_A" + tag,
   tool_response={"status": "completed", "agentId": "ag" + tag,
                  "content": [{"type": "text", "text": "synced"}]})
PY
}
lists() { # the three derived lists of the execution of Agent call toolu_A$1
  for id in $(et list --limit 0 --format ids 2>/dev/null); do
    et show --json "$id" >"$T_DIR/rec.json" 2>/dev/null
    [ "$(jget "$T_DIR/rec.json" 'd["tool_use_id"]')" = "toolu_A$1" ] && break
  done
  jget "$T_DIR/rec.json" '[d["output"].get(k, []) for k in ("files_modified", "commands_executed", "api_calls_made")]'
}
changed() { sql "$DB" "SELECT count(*) FROM ledger WHERE type = '$1'"; }

# ---- the built-in table ----
hook_session 1
eq "$(lists 1)" '[["nb/x.ipynb","README.md"],["curl -s https://api.github.com/zen"],["curl https://api.github.com/zen"]]' \
   "built-in table: only the built-in tools derive"
eq "$(changed config.changed)" 0 "no capture section: no config.changed"

# ---- a capture section merged over it ----
mkdir -p "$EXECTRAIL_HOME"
cat >"$EXECTRAIL_HOME/config.yaml" <<'YAML'
capture:
  file_tools:
    MyWriter: target        # a tool of our own that writes files
    NotebookEdit: null      # removed from the built-in table
  command_tools:
    shell: cmd              # another agent's shell tool
  api_tools:
    Fetch: url
  network_commands: [grpcurl, s5cmd]
YAML
hook_session 2
eq "$(lists 2)" '[["out/catalogue.csv","README.md"],["grpcurl -plaintext h:50051 list && s5cmd --stat ls s3://bucket","curl -s https://api.github.com/zen"],["grpcurl h:50051 list","s5cmd s3://bucket","Fetch https://api.example.com/v2/items","curl https://api.github.com/zen"]]' \
   "capture: adds MyWriter, shell, Fetch, grpcurl and s5cmd, drops NotebookEdit, keeps the rest"
eq "$(et query --format ids 'files_modified:*catalogue.csv' | wc -l | tr -d ' ')" 1 \
   "the list index has the configured tool's file"
eq "$(et query --format ids 'api_calls_made:"Fetch https://api.example.com/v2/items"' | wc -l | tr -d ' ')" 1 \
   "and the configured API call"
eq "$(changed config.changed)" 1 "the new section is recorded once (config.changed)"
eq "$(sql "$DB" "SELECT json_extract(body, '\$.body.capture.api_tools.Fetch') FROM ledger WHERE type = 'config.changed'")" "url" \
   "with the section's content"
hook_session 3 >/dev/null
eq "$(changed config.changed)" 1 "no second event while it stays"

# ---- rebuild derives again under the current table ----
sql "$DB" "DELETE FROM exec_lists"
check "rebuild" et -q rebuild
eq "$(et query --format ids 'files_modified:*catalogue.csv' | wc -l | tr -d ' ')" 3 \
   "rebuild: every run's MyWriter file is indexed (the table applies to old events too)"

# ---- a bad section: built-in table, a warning, one config.warning ----
cat >"$EXECTRAIL_HOME/config.yaml" <<'YAML'
capture:
  file_tools: {MyWriter: target}
  network_commands: {grpcurl: fast}
YAML
hook_session 4 2>"$T_DIR/herr"
contains "$T_DIR/herr" "config.yaml:3:31: capture.network_commands.grpcurl: unknown style 'fast' (known: url, subcommand, auto) (using the built-in capture table)" \
  "stderr names the file, line, column and key"
eq "$(lists 4)" '[["nb/x.ipynb","README.md"],["curl -s https://api.github.com/zen"],["curl https://api.github.com/zen"]]' \
   "a bad section: the built-in table, nothing lost"
eq "$(changed config.warning)" 1 "one config.warning event"
eq "$(sql "$DB" "SELECT json_extract(body, '\$.body.section') || ' ' || json_extract(body, '\$.body.effect') FROM ledger WHERE type = 'config.warning'")" \
   "capture built-in table used" "naming the section and the effect"
hook_session 5 2>/dev/null
eq "$(changed config.warning)" 1 "not one per call"

expect_exit 0 "show works under the bad section" et show --json "$(et list --format ids | head -n 1)"
# the list index is a projection under the table in force when each event
# was projected: after a change of table, verify says it is stale and
# rebuild recomputes it (docs/CONFIG.md)
expect_exit 4 "verify: the list index was built under the previous table" et verify
contains "$T_DIR/out" "table exec_lists" "it names the list index"
contains "$T_DIR/out" "run 'exectrail rebuild'" "and says what to do"
check "rebuild" et -q rebuild
check "verify after rebuild" et verify
eq "$(et query --format ids 'files_modified:*catalogue.csv' | wc -l | tr -d ' ')" 0 \
   "the index now follows the built-in table"
done_testing
