#!/bin/bash
# SPDX-License-Identifier: MIT
# exectrail mcp and notes (docs/MCP.md, docs/NOTES.md): a free-form
# graphiti episode (source "text", "message", or a "json" body that is not
# an execution) is stored as a ledger note with its group_id, name, source,
# source_description and uuid, and found again by search_memory_facts,
# search_nodes and get_episodes for that group (not for another);
# delete_episode is refused and the note stays; execution_note and
# execution_score beside the first-class tools; bad arguments are tool
# errors naming the argument and store nothing; verify passes after.
. "$ET_SOURCE_DIR/tests/cli/lib.sh"

check "init" et init
et -q import "$ET_SOURCE_DIR/examples/runs.jsonl" >/dev/null 2>&1
export ET_MCP_BIN="$EXECTRAIL" ET_MCP_DB="$DB"
python3 - >"$T_DIR/mcp.out" 2>&1 <<'PY'
import json, os, subprocess

EID = "7e1a0c52-0000-4000-8000-000000000003"
U1 = "5b0c6f1e-1111-4aaa-8bbb-000000000001"
msgs, checks = [], []
def call(name, args, check):
    i = len(msgs) + 1
    msgs.append(dict(jsonrpc="2.0", id=i, method="tools/call",
                     params={"name": name, "arguments": args}))
    checks.append((i, name, check))

ok = lambda r: not r.get("isError")
def err(word):
    return lambda r: r.get("isError") and word in r["content"][0]["text"]
sc = lambda r: r["structuredContent"]

msgs.append(dict(jsonrpc="2.0", id=0, method="initialize", params={
    "protocolVersion": "2025-11-25", "capabilities": {},
    "clientInfo": {"name": "t", "version": "1"}}))
# free-form episodes in two groups
call("add_memory", {"name": "Deploy runbook", "episode_body":
     "Always drain the canary pool before a schema migration",
     "source": "text", "source_description": "ops wiki", "group_id": "ops",
     "uuid": U1}, lambda r: ok(r) and sc(r)["result"]["uuid"] == U1)
call("add_memory", {"name": "chat", "episode_body": "user: the canary pool is flaky today",
     "source": "message", "group_id": "support"},
     lambda r: ok(r) and "stored as note" in sc(r)["result"]["message"])
call("add_episode", {"name": "config snapshot", "episode_body": json.dumps({"canary": {"size": 3}}),
     "source": "json", "group_id": "ops"}, ok)
# the same uuid again: refused, names the argument
call("add_memory", {"name": "again", "episode_body": "x", "group_id": "ops", "uuid": U1},
     err("argument 'uuid'"))
call("add_memory", {"name": "bad", "episode_body": "{not json", "source": "json", "group_id": "ops"},
     err("episode_body"))
call("add_memory", {"name": "empty", "episode_body": "", "group_id": "ops"}, err("episode_body"))
call("add_memory", {"name": "ctl", "episode_body": "a", "group_id": "o\u0001ps"}, err("group_id"))
# found again, by group
call("search_memory_facts", {"query": "canary migration", "group_ids": ["ops"]},
     lambda r: ok(r) and [f["uuid"] for f in sc(r)["result"]["facts"]] == [U1]
     and sc(r)["result"]["facts"][0]["fact"].startswith("Always drain")
     and sc(r)["result"]["facts"][0]["group_id"] == "ops")
call("search_memory_facts", {"query": "canary", "group_ids": ["support"]},
     lambda r: ok(r) and len(sc(r)["result"]["facts"]) == 1
     and "flaky" in sc(r)["result"]["facts"][0]["fact"])
call("search_memory_facts", {"query": "canary migration", "group_ids": ["nobody"]},
     lambda r: ok(r) and sc(r)["result"]["facts"] == []
     and "not a query" in sc(r)["result"]["message"])
call("search_memory_facts", {"query": "canary"},
     lambda r: ok(r) and len(sc(r)["result"]["facts"]) == 3)
# plain words that are no query: executions whose text has them
call("search_memory_facts", {"query": "orders table rollback"},
     lambda r: ok(r) and any(f["execution_id"] == "7e1a0c52-0000-4000-8000-000000000001"
                             and f["field"] == "text" and "[orders]" in f["value"]
                             for f in sc(r)["result"]["facts"]))
# the spec's own queries still answer with executions
call("search_memory_facts", {"query": "verification status ERROR MISMATCH",
     "group_ids": ["execution_tracking"]},
     lambda r: ok(r) and any(f.get("field") == "verification.status"
                             for f in sc(r)["result"]["facts"]))
call("search_nodes", {"query": "canary pool", "group_ids": ["ops"]},
     lambda r: ok(r) and [n["uuid"] for n in sc(r)["result"]["nodes"]] == [U1]
     and "[canary] [pool]" in sc(r)["result"]["nodes"][0]["summary"])
call("get_episodes", {"group_ids": ["ops"], "max_episodes": 50},
     lambda r: ok(r) and {e["name"] for e in sc(r)["result"]["episodes"]
                          if e["group_id"] == "ops" and e["uuid"] != EID}
     >= {"Deploy runbook", "config snapshot"}
     and any(e["uuid"] == U1 and e["source"] == "text" and
             e["source_description"] == "ops wiki" and e["content"].startswith("Always")
             for e in sc(r)["result"]["episodes"])
     and not any(e["name"] == "chat" for e in sc(r)["result"]["episodes"]))
call("get_episodes", {"group_id": "support", "last_n": 1},
     lambda r: ok(r) and len(sc(r)["result"]["episodes"]) == 1)
# delete_episode: refused, the note stays
call("delete_episode", {"uuid": U1}, err("append-only"))
call("delete_episode", {"uuid": U1}, err("ledger note"))
call("delete_episode", {}, err("uuid"))
call("search_memory_facts", {"query": "drain", "group_ids": ["ops"]},
     lambda r: ok(r) and len(sc(r)["result"]["facts"]) == 1)
# execution_note / execution_score
call("execution_note", {"execution_id": EID, "text": "reviewed by the on-call",
     "author": "dana", "tags": ["review"]}, lambda r: ok(r) and sc(r)["execution_id"] == EID)
call("execution_note", {"execution_id": EID, "text": "x", "tags": "review"}, err("tags"))
call("execution_note", {"execution_id": "ffffffff-0000-4000-8000-000000000000", "text": "x"},
     err("execution_id"))
call("execution_note", {"execution_id": EID}, err("text"))
call("execution_score", {"execution_id": EID, "score": 0.9, "reason": "solid", "scorer": "dana"},
     lambda r: ok(r) and sc(r)["score"] == 0.9)
call("execution_score", {"execution_id": EID, "score": 3}, err("score"))
call("execution_score", {"execution_id": EID, "score": "high"}, err("score"))
call("execution_score", {"execution_id": "ffffffff", "score": 0.5}, err("execution_id"))
call("get_execution", {"execution_id": EID},
     lambda r: ok(r) and sc(r)["feedback"]["human_score"] == 0.9
     and sc(r)["feedback"]["notes"][0]["author"] == "dana"
     and sc(r)["quality_metrics"]["completeness"] == "MEDIUM")
call("search_executions", {"query": "on-call"},
     lambda r: ok(r) and sc(r)["hits"][0]["execution_id"] == EID)
msgs.append(dict(jsonrpc="2.0", id="tools", method="tools/list"))

p = subprocess.run([os.environ["ET_MCP_BIN"], "--db", os.environ["ET_MCP_DB"], "mcp"],
                   input="\n".join(json.dumps(m) for m in msgs).encode() + b"\n",
                   capture_output=True, timeout=120)
got = {}
for l in p.stdout.split(b"\n"):
    if l:
        m = json.loads(l)
        if "id" in m:
            got[m["id"]] = m
bad = []
for i, name, check in checks:
    r = got.get(i, {}).get("result")
    try:
        good = r is not None and check(r)
    except Exception as e:  # a missing key is a failed check
        good = False
    if not good:
        bad.append("%d %s: %s" % (i, name, json.dumps(got.get(i))[:600]))
names = []
cursor = None
print("exit", p.returncode)
print("BAD" if bad else "GOOD", *bad, sep="\n")
PY
if grep -q '^GOOD' "$T_DIR/mcp.out" && grep -q '^exit 0' "$T_DIR/mcp.out"; then
  ok "free-form episodes stored as notes and found by group; refusals name the argument"
else
  fails "mcp notes" "$(head -c 3000 "$T_DIR/mcp.out")"
fi
eq "$(sql "$DB" "SELECT count(*) FROM ledger WHERE type = 'execution.note' AND execution_id IS NULL")" 3 \
  "three free-form notes in the ledger (refused calls stored nothing)"
eq "$(sql "$DB" "SELECT group_id || ':' || json_extract(doc, '\$.name') || ':' || json_extract(doc, '\$.source') FROM notes WHERE uuid = '5b0c6f1e-1111-4aaa-8bbb-000000000001'")" \
  "ops:Deploy runbook:text" "group_id, name and source kept"
eq "$(sql "$DB" "SELECT count(*) FROM ledger WHERE type = 'execution.scored'")" 1 "one score"
check "verify passes after" et verify
check "the notes are found from the CLI too" et search canary
contains "$T_DIR/out" "5b0c6f1e-1111-4aaa-8bbb-000000000001" "search lists the graphiti note"
# tools/list names the note tools beside the first-class ones
printf '%s\n' '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}' \
  '{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{"cursor":"10"}}' |
  et mcp >"$T_DIR/list.out" 2>&1
contains "$T_DIR/list.out" '"execution_note"' "tools/list has execution_note"
contains "$T_DIR/list.out" '"execution_score"' "tools/list has execution_score"
done_testing
