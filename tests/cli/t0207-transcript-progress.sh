#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A subagent whose turns exist only as "progress"/agent_progress records in
# the main transcript (no agent-<id>.jsonl) still gets its actions; with
# its file present as well, each tool call is recorded once.
. "$(dirname "$0")/lib.sh"

S=7b1e2c3d-4a5b-4c6d-8e7f-901234567890
mkdir -p "$T_DIR/p1" "$T_DIR/p2/$S/subagents"
python3 - "$T_DIR" "$S" <<'PY'
import json, os, sys
d, S = sys.argv[1], sys.argv[2]
def rec(t, content, ts, **kw):
    r = {"type": t, "sessionId": S, "timestamp": ts, "cwd": "/home/u/app", "uuid": "u-" + ts,
         "message": {"role": t, "content": content}}
    r.update(kw); return r
A = {"description": "List the repo", "prompt": "List files and write notes", "subagent_type": "Explore"}
sub = [  # the subagent's own records
    rec("assistant", [{"type": "tool_use", "id": "tb1", "name": "Bash", "input": {"command": "ls -la"}}],
        "2026-11-01T10:00:02.000Z"),
    rec("user", [{"type": "tool_result", "tool_use_id": "tb1", "content": "a.py b.py"}],
        "2026-11-01T10:00:03.000Z"),
    rec("assistant", [{"type": "tool_use", "id": "tw1", "name": "Write",
                       "input": {"file_path": "notes/secrets.md", "content": "x"}}],
        "2026-11-01T10:00:04.000Z"),
    rec("user", [{"type": "tool_result", "tool_use_id": "tw1", "is_error": True, "content": "denied"}],
        "2026-11-01T10:00:05.000Z"),
]
main = [rec("user", "List the repo please", "2026-11-01T10:00:00.000Z"),
        rec("assistant", [{"type": "tool_use", "id": "toolu_A", "name": "Agent", "input": A}],
            "2026-11-01T10:00:01.000Z")]
for i, r in enumerate(sub):
    main.append({"type": "progress", "sessionId": S, "timestamp": r["timestamp"], "uuid": "p%d" % i,
                 "parentToolUseID": "toolu_A", "toolUseID": "agent_msg_%d" % i,
                 "data": {"type": "agent_progress", "agentId": "a1", "prompt": A["prompt"],
                          "message": {"type": r["type"], "timestamp": r["timestamp"], "uuid": "m%d" % i,
                                      "message": r["message"]}}})
main.append(rec("user", [{"type": "tool_result", "tool_use_id": "toolu_A",
                          "content": [{"type": "text", "text": "2 files; notes not written"}]}],
                "2026-11-01T10:00:06.000Z",
                toolUseResult={"status": "completed", "agentId": "a1", "totalDurationMs": 5000,
                               "content": [{"type": "text", "text": "2 files; notes not written"}]}))
def write(path, rows):
    with open(path, "w") as f:
        for r in rows: f.write(json.dumps(r, separators=(",", ":")) + "\n")
write(os.path.join(d, "p1", S + ".jsonl"), main)
write(os.path.join(d, "p2", S + ".jsonl"), main)
for r in sub:
    r["isSidechain"] = True; r["agentId"] = "a1"
write(os.path.join(d, "p2", S, "subagents", "agent-a1.jsonl"), sub)
PY

check "import a transcript whose subagent exists only as progress records" et import claude-code "$T_DIR/p1"
id=$(et list --format ids)
eq "$(echo "$id" | wc -l | tr -d ' ')" 1 "one execution"
et show --json "$id" >"$T_DIR/r1.json"
eq "$(jget "$T_DIR/r1.json" '[(a["tool"], a["success"]) for a in d["execution"]["actions_taken"]]')" \
   '[["Bash",true],["Write",false]]' "its two tool calls are actions (the failed one failed)"
eq "$(jget "$T_DIR/r1.json" '[d["output"]["files_modified"], d["output"]["commands_executed"]]')" \
   '[["notes/secrets.md"],["ls -la"]]' "and their derived lists"
check "verify" et verify

export EXECTRAIL_HOME="$T_DIR/home2"
check "init a second trail" et init
check "import with the subagent file too" et import claude-code "$T_DIR/p2"
id2=$(et list --format ids)
et show --json "$id2" >"$T_DIR/r2.json"
eq "$(jget "$T_DIR/r2.json" '[(a["tool"], a["success"]) for a in d["execution"]["actions_taken"]]')" \
   '[["Bash",true],["Write",false]]' "with the file present too, each tool call is recorded once"
not_contains "$T_DIR/err" "warning" "nothing unattached, no warning"

# a subagent file alone (its main transcript not imported): a warning
export EXECTRAIL_HOME="$T_DIR/home3"
check "init a third trail" et init
check "import only the subagent file" et import claude-code "$T_DIR/p2/$S/subagents/agent-a1.jsonl"
contains "$T_DIR/err" "warning: 2 tool call(s) of 1 subagent(s) could not be attached to a delegation" \
  "the import warns about the calls it could not attach, counting them and their agents"
eq "$(et list --format ids | wc -l | tr -d ' ')" 0 "no execution is invented for them"
eq "$(sql "$EXECTRAIL_HOME/trail.db" "SELECT count(*) FROM ledger WHERE type = 'action.recorded' AND execution_id IS NULL")" 2 \
  "they are kept as actions of their agent, with no execution yet"
eq "$(sql "$EXECTRAIL_HOME/trail.db" "SELECT count(*) FROM agent_actions WHERE agent_id = 'a1' AND execution_id IS NULL")" 2 \
  "held for agent a1 until a binding comes"

# then the main transcript (without the progress records, as a periodic
# import of the main file alone sees it): the late link gives the held
# actions to the delegation, and the verdict is computed on them
grep -v '"type":"progress"' "$T_DIR/p2/$S.jsonl" >"$T_DIR/main-only.jsonl"
check "import the main transcript afterwards" et import claude-code "$T_DIR/main-only.jsonl"
id=$(et list --format ids)
eq "$(echo "$id" | wc -l | tr -d ' ')" 1 "one execution"
et show --json "$id" >"$T_DIR/r3.json"
eq "$(jget "$T_DIR/r3.json" '[(a["tool"], a["success"], a["sequence"]) for a in d["execution"]["actions_taken"]]')" \
   '[["Bash",true,1],["Write",false,2]]' "the held actions joined the execution in time order"
eq "$(jget "$T_DIR/r3.json" '[d["output"]["files_modified"], d["output"]["commands_executed"]]')" \
   '[["notes/secrets.md"],["ls -la"]]' "with their derived lists"
eq "$(sql "$EXECTRAIL_HOME/trail.db" "SELECT n_actions || '|' || n_failed_actions FROM executions")" "2|1" \
   "counted, the failure too"
jget "$T_DIR/r1.json" 'd["verification"]["status"]' >"$T_DIR/v1"
eq "$(jget "$T_DIR/r3.json" 'd["verification"]["status"]')" "$(cat "$T_DIR/v1")" \
   "the verdict is the one a whole import gives"
check "verify passes after the late link" et verify
done_testing
