#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Derived output lists (docs/RECORD.md "Derived lists"): a hook-captured
# subagent that used every tool family gets files_modified,
# commands_executed and api_calls_made from its actions; the spec's list
# queries, security classification and a files_modified success criterion
# see them; lifecycle actions derive too; a spec record's given lists are
# kept, the implied ones added; rebuild recomputes the list index.
. "$(dirname "$0")/lib.sh"

S=5b0c4a9e-2d51-4c3a-9a5e-0d6c1f2b7e11
python3 - "$T_DIR/session.jsonl" "$S" <<'PY'
import json, sys
S = sys.argv[2]
base = {"session_id": S, "transcript_path": "/t/%s.jsonl" % S, "cwd": "/home/u/app",
        "permission_mode": "default"}
out = []
def ev(name, **kw):
    d = dict(base); d["hook_event_name"] = name; d.update(kw); out.append(d)
A = {"description": "Fix the login flow", "prompt": "Fix src/auth/login.c and push",
     "subagent_type": "general-purpose"}
ev("PreToolUse", tool_name="Agent", tool_input=A, tool_use_id="toolu_A")
ev("SubagentStart", agent_id="ag1", agent_type="general-purpose")
n = [0]
def tool(name, inp, resp={"ok": True}, fail=False):
    n[0] += 1
    kw = dict(agent_id="ag1", agent_type="general-purpose", tool_name=name,
              tool_input=inp, tool_use_id="toolu_%d" % n[0], duration_ms=5)
    if fail:
        ev("PostToolUseFailure", error="exit 1", is_interrupt=False, **kw)
    else:
        ev("PostToolUse", tool_response=resp, **kw)
tool("Read", {"file_path": "src/auth/session.c"})
tool("Write", {"file_path": "src/auth/login.c", "content": "int login(void);"})
tool("Edit", {"file_path": "config/credentials.yml", "old_string": "a", "new_string": "b"})
tool("MultiEdit", {"file_path": "src/auth/login.c", "edits": []})
tool("NotebookEdit", {"notebook_path": "nb/analysis.ipynb", "new_source": "x"})
tool("Bash", {"command": "make test"})
tool("Bash", {"command": "FOO=1 curl -s https://api.github.com/repos/o/r | jq . && aws s3 ls s3://bucket"})
tool("Bash", {"command": "echo 'curl https://not.a.call' ; sudo -E gcloud compute instances list"})
tool("Bash", {"command": "make test"})
tool("WebFetch", {"url": "https://docs.github.com/en/rest", "prompt": "summarise"})
tool("WebSearch", {"query": "gcp iam best practice"})
tool("mcp__github__create_issue", {"title": "login bug"})
tool("Grep", {"pattern": "TODO"})
tool("Bash", {"command": "kubectl get pods -n prod"}, fail=True)
ev("SubagentStop", agent_id="ag1", agent_type="general-purpose", stop_hook_active=False,
   agent_transcript_path="/t/agent-ag1.jsonl", last_assistant_message="done")
ev("PostToolUse", tool_name="Agent", tool_input=A, tool_use_id="toolu_A", duration_ms=9000,
   tool_response={"status": "completed", "agentId": "ag1", "content": [{"type": "text", "text": "Fixed."}]})
with open(sys.argv[1], "w") as f:
    for d in out:
        f.write(json.dumps(d) + "\n")
PY
bad=0
while IFS= read -r line; do
  printf '%s' "$line" | et hook >/dev/null 2>"$T_DIR/herr" || bad=$((bad + 1))
done <"$T_DIR/session.jsonl"
eq "$bad" 0 "every hook call exits 0"
id=$(et list --format ids | head -n 1)
et show --json "$id" >"$T_DIR/rec.json" 2>"$T_DIR/err" || fails "show" "$(cat "$T_DIR/err")"

eq "$(jget "$T_DIR/rec.json" 'd["output"]["files_modified"]')" \
   '["src/auth/login.c","config/credentials.yml","nb/analysis.ipynb"]' \
   "files_modified: Write, Edit, MultiEdit, NotebookEdit paths, each once, in action order (Read is no write)"
eq "$(jget "$T_DIR/rec.json" 'd["output"]["commands_executed"]')" \
   '["make test","FOO=1 curl -s https://api.github.com/repos/o/r | jq . && aws s3 ls s3://bucket","echo '"'"'curl https://not.a.call'"'"' ; sudo -E gcloud compute instances list","kubectl get pods -n prod"]' \
   "commands_executed: every Bash command once (the failed one too)"
eq "$(jget "$T_DIR/rec.json" 'd["output"]["api_calls_made"]')" \
   '["curl https://api.github.com/repos/o/r","aws s3 ls","gcloud compute instances","WebFetch https://docs.github.com/en/rest","WebSearch gcp iam best practice","github.create_issue","kubectl get pods"]' \
   "api_calls_made: network commands in Bash (not inside quotes), WebFetch, WebSearch, MCP server.tool"

# the spec's list queries see them
eq "$(et query --format ids 'files_modified secrets auth credentials config')" "$id" \
   "spec query files_modified secrets auth credentials config finds the hook-captured run"
eq "$(et query --format ids 'api_calls_made github aws gcp')" "$id" \
   "spec query api_calls_made github aws gcp finds it"
eq "$(et query --format ids 'commands_executed:"make test"')" "$id" \
   "commands_executed is queryable"
eq "$(et query --format ids 'security.relevant = true')" "$id" \
   "a write to a sensitive path makes the execution security-relevant"
eq "$(et query --format ids 'security.reason = "path:config/credentials.yml"')" "$id" \
   "the reason names the derived path"

# rebuild recomputes the list index from the ledger alone
sql "$DB" "DELETE FROM exec_lists"
eq "$(et query --format ids 'files_modified auth')" "" "(the list index emptied by hand)"
check "rebuild" et -q rebuild
eq "$(et query --format ids 'files_modified auth')" "$id" "rebuild derives the lists again"
eq "$(sql "$DB" "SELECT count(*) FROM exec_lists WHERE kind = 1 AND item = 'make test'")" 1 \
   "an item two actions imply is indexed once"

# ---- lifecycle verbs: actions with plain-text input derive too ----
id2=$(et start --agent fixer --request "fix login" --expected "login.c changed" \
        --expect 'files_modified:*login.c' --expect 'output.raw_response ~ "all green"')
check "delegate" et delegate "$id2" --prompt "fix it"
check "action Edit" et action "$id2" --tool Edit --input src/auth/login.c --output ok
check "action Bash" et action "$id2" --tool Bash --input "gh pr create --fill" --output "https://github.com/o/r/pull/1"
check "respond" et respond "$id2" --response "patched, tests not run"
check "complete" et complete "$id2"
et show --json "$id2" >"$T_DIR/rec2.json"
eq "$(jget "$T_DIR/rec2.json" 'd["output"]["files_modified"], d["output"]["api_calls_made"]')" \
   '[["src/auth/login.c"],["gh pr create"]]' \
   "lifecycle: an Edit with a path as input and a gh command are derived"
eq "$(jget "$T_DIR/rec2.json" 'd["verification"]["status"]')" "PARTIAL" \
   "files_modified:*login.c passes on a derived list (PARTIAL, not MISMATCH)"

# ---- a spec record's given items are kept, the implied ones added ----
python3 - "$ET_SOURCE_DIR/tests/data/spec-record.json" "$T_DIR" <<'PY'
import json, sys, uuid
r = json.load(open(sys.argv[1]))
r["execution"]["actions_taken"] = [
    {"sequence": 1, "tool": "Write", "action": "write", "input": json.dumps({"file_path": "src/x.c"}),
     "output": "ok", "timestamp": r["timestamp_start"], "success": True},
    {"sequence": 2, "tool": "Bash", "action": "run", "input": "make", "output": "ok",
     "timestamp": r["timestamp_start"], "success": True}]
given = dict(r, execution_id=str(uuid.uuid4()))
given["output"] = dict(r["output"], files_modified=["given.c"], commands_executed=["given cmd"],
                       api_calls_made=[])
json.dump(given, open(sys.argv[2] + "/given.json", "w"))
PY
gid=$(jget "$T_DIR/given.json" 'd["execution_id"]')
check "record with given lists" et record "$T_DIR/given.json"
et show --json "$gid" >"$T_DIR/given.out"
eq "$(jget "$T_DIR/given.out" '[d["output"][k] for k in ("files_modified","commands_executed","api_calls_made")]')" \
   '[["given.c","src/x.c"],["given cmd","make"],[]]' \
   "a record's given items are kept first, in order; the items its actions imply follow"
eq "$(et query --format ids 'files_modified "src/x.c"')" "$gid" \
   "the derived item of a recorded execution is in the list index"
eq "$(et query --format ids 'files_modified "given.c"')" "$gid" \
   "and so is the given one"
done_testing
