#!/bin/bash
# SPDX-License-Identifier: MIT
# exectrail mcp at the wire: malformed JSON, wrong JSON-RPC shapes, unknown
# methods, oversized and deeply nested messages, notifications (no reply),
# protocol version negotiation (initialize, server/discover, _meta), bad tool
# arguments; the server answers every request with the standard code and
# keeps serving; stdout holds only protocol messages. Then `mcp install`:
# project and user scope in a scratch HOME, idempotent, backup, refusal to
# replace someone else's server, the store pinned.
. "$ET_SOURCE_DIR/tests/cli/lib.sh"

check "init" et init
export ET_MCP_BIN="$EXECTRAIL" ET_MCP_DB="$DB"
python3 - >"$T_DIR/wire.out" 2>&1 <<'PY'
import json, os, subprocess

lines = []
def send(x):
    lines.append(x if isinstance(x, bytes) else (x if isinstance(x, str) else json.dumps(x)).encode())
req = lambda i, m, p=None: dict(jsonrpc="2.0", id=i, method=m, **({"params": p} if p is not None else {}))
call = lambda i, name, args: req(i, "tools/call", {"name": name, "arguments": args})

expect = {}  # id -> ("error", code) | ("result", check)
send("{not json");                                  # -32700, id null
send('{"jsonrpc":"2.0","id":1,"method":"ping"} trailing')  # -32700
send("[]")                                          # batch: -32600
send('"just a string"')                             # -32600
send(json.dumps({"jsonrpc": "1.0", "id": 2, "method": "ping"})); expect[2] = ("error", -32600)
send(json.dumps({"jsonrpc": "2.0", "id": 3, "method": 7})); expect[3] = ("error", -32600)
send(json.dumps({"jsonrpc": "2.0", "id": {"x": 1}, "method": "ping"}))  # id null, -32600
send(json.dumps({"jsonrpc": "2.0", "id": 4, "method": "ping", "params": [1]})); expect[4] = ("error", -32602)
send(req(5, "no/such/method")); expect[5] = ("error", -32601)
send(json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}))  # no reply
send(json.dumps({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 5}}))
send(json.dumps({"jsonrpc": "2.0", "method": "no/such/notification"}))       # no reply
send(b"")                                           # blank line: nothing
send(b"{" * 100000)                                 # deep: -32700
send(b'{"jsonrpc":"2.0","id":6,"method":"ping","params":{"x":"' + b"a" * (9 << 20) + b'"}}')  # too large
send(b'{"jsonrpc":"2.0","id":7,"method":"pi\x00ng"}')  # NUL: -32700
send(req(8, "initialize", {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}))
expect[8] = ("result", lambda r: r["protocolVersion"] == "2025-11-25" and r["serverInfo"]["name"] == "exectrail")
send(req(9, "initialize", {"protocolVersion": "1999-01-01", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}))
expect[9] = ("result", lambda r: r["protocolVersion"] == "2025-11-25")
send(req(10, "server/discover", {"_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28"}}))
expect[10] = ("result", lambda r: "2026-07-28" in r["supportedVersions"] and r["resultType"] == "complete")
send(req(11, "tools/list", {"_meta": {"io.modelcontextprotocol/protocolVersion": "1900-01-01"}}))
expect[11] = ("error", -32022)
send(req(12, "tools/call", {"name": "nope", "arguments": {}})); expect[12] = ("error", -32602)
send(req(13, "tools/call", {"arguments": {}})); expect[13] = ("error", -32602)
send(req(14, "tools/call", {"name": "get_execution", "arguments": [1]})); expect[14] = ("error", -32602)
send(call(15, "get_execution", {})); expect[15] = ("tool-error", "execution_id")
send(call(16, "execution_start", {"agent_metadata": "not an object"})); expect[16] = ("tool-error", "agent_metadata")
send(call(17, "query_executions", {"query": "verification.status = )"})); expect[17] = ("tool-error", "column")
send(call(18, "search_memory_facts", {"query": "x", "group_ids": 5})); expect[18] = ("tool-error", "group_ids")
send(call(19, "add_memory", {"name": "Execution Start: a", "episode_body": "[1]", "source": "json"})); expect[19] = ("tool-error", "episode_body")
send(req(20, "logging/setLevel", {"level": "shout"})); expect[20] = ("error", -32602)
send(req(21, "logging/setLevel", {"level": "debug"})); expect[21] = ("result", lambda r: r == {})
send(req(22, "tools/list", {"cursor": "999"})); expect[22] = ("error", -32602)
send(req("last", "ping")); expect["last"] = ("result", lambda r: r == {})

p = subprocess.run([os.environ["ET_MCP_BIN"], "--db", os.environ["ET_MCP_DB"], "mcp"],
                   input=b"\n".join(lines) + b"\n", capture_output=True, timeout=120)
print("exit", p.returncode)
got, nulls, logs = {}, [], 0
for l in p.stdout.split(b"\n"):
    if not l:
        continue
    m = json.loads(l)  # stdout is protocol messages only
    assert m.get("jsonrpc") == "2.0", l
    if m.get("method") == "notifications/message":
        logs += 1
        continue
    if m["id"] is None:
        nulls.append(m["error"]["code"])
    else:
        got[m["id"]] = m
bad = []
if sorted(nulls) != sorted([-32700, -32700, -32600, -32600, -32600, -32700, -32600, -32700]):
    bad.append("id-null errors %s" % nulls)
for i, (kind, what) in expect.items():
    m = got.get(i)
    if m is None:
        bad.append("no reply to %s" % i); continue
    if kind == "error":
        if m.get("error", {}).get("code") != what:
            bad.append("%s: want error %s got %s" % (i, what, m))
    elif kind == "result":
        if "result" not in m or not what(m["result"]):
            bad.append("%s: bad result %s" % (i, m))
    else:
        r = m.get("result", {})
        if not r.get("isError") or what not in r["content"][0]["text"]:
            bad.append("%s: want isError naming %s, got %s" % (i, what, m))
if len(got) != len(expect):
    bad.append("replies to %s, expected %s" % (sorted(map(str, got)), sorted(map(str, expect))))
if logs < 1:
    bad.append("no log notification after logging/setLevel debug and failed tools")
print("stderr:", p.stderr.decode()[-300:])
print("BAD" if bad else "GOOD", *bad, sep="\n")
PY
if grep -q '^GOOD' "$T_DIR/wire.out" && grep -q '^exit 0' "$T_DIR/wire.out"; then
  ok "bad input: standard codes, no reply to notifications, keeps serving, exit 0 at EOF"
else
  fails "bad input" "$(head -c 1500 "$T_DIR/wire.out")"
fi
eq "$(et list 2>/dev/null | grep -c .)" "0" "nothing stored by the refused calls"

# usage
expect_exit 2 "mcp with an argument is a usage error" et mcp extra
contains "$T_DIR/err" "unexpected argument" "usage error says what"
printf '%s\n' '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_status","arguments":{}}}' |
  et mcp --db "$T_DIR/other.db" >"$T_DIR/out" 2>"$T_DIR/err"
contains "$T_DIR/out" "$(if is_pg; then pg_schema_for "$T_DIR/other.db"; else echo other.db; fi)" \
  "mcp --db PATH serves that store"
expect_exit 0 "mcp --help" et mcp --help
contains "$T_DIR/out" "mcp install" "--help describes install"
expect_exit 2 "install --scope bad" et mcp install --scope team
contains "$T_DIR/err" "--scope" "names the option"

# ---- install ----
export HOME="$T_DIR/userhome"
mkdir -p "$HOME" "$T_DIR/proj"
cd "$T_DIR/proj" || exit 1
check "install (project scope)" et --db "$DB" mcp install
contains "$T_DIR/out" "added server 'graphiti-memory'" "says what it changed"
# (install pins the running executable: the binary itself, not pg_exec.sh)
python3 - "$T_DIR/proj/.mcp.json" "$(trail_target "$DB")" "${ET_CLI_REAL:-$EXECTRAIL}" >"$T_DIR/chk" 2>&1 <<'PY'
import json, os, sys
c = json.load(open(sys.argv[1]))
e = c["mcpServers"]["graphiti-memory"]
assert e["type"] == "stdio", e
assert os.path.realpath(e["command"]) == os.path.realpath(sys.argv[3]), e
# a file by its real path, a connection string as it is
store = sys.argv[2] if "://" in sys.argv[2] else os.path.realpath(sys.argv[2])
assert e["args"] == ["--db", store, "mcp"], e
print("GOOD")
PY
contains "$T_DIR/chk" GOOD ".mcp.json has the server pinned to the store"
cp .mcp.json "$T_DIR/first"
check "install again" et --db "$DB" mcp install
contains "$T_DIR/out" "nothing changed" "second install changes nothing"
cmp -s .mcp.json "$T_DIR/first" && ok "file unchanged" || fails "file unchanged"
echo '{"mcpServers":{"graphiti-memory":{"command":"uvx","args":["graphiti"]}},"keep":1}' >.mcp.json
expect_exit 7 "refuses to replace another server" et --db "$DB" mcp install
contains "$T_DIR/err" "not exectrail's" "says why"
check "install --name exectrail beside it" et --db "$DB" mcp install --name exectrail
python3 -c 'import json,sys; c=json.load(open(".mcp.json")); assert c["keep"]==1 and c["mcpServers"]["graphiti-memory"]["command"]=="uvx" and "exectrail" in c["mcpServers"]; print("GOOD")' >"$T_DIR/chk" 2>&1
contains "$T_DIR/chk" GOOD "other keys and servers kept"
contains .mcp.json.bak '"uvx"' "backup holds the previous file"
echo '{"broken' >.mcp.json
expect_exit 1 "a broken file is left alone" et --db "$DB" mcp install
eq "$(cat .mcp.json)" '{"broken' "broken file unchanged"
echo '{"projects":{},"numStartups":3}' >"$HOME/.claude.json"
check "install --scope user" et --db "$DB" mcp install --scope user
python3 -c 'import json,os; c=json.load(open(os.environ["HOME"]+"/.claude.json")); assert c["numStartups"]==3 and c["mcpServers"]["graphiti-memory"]["args"][-1]=="mcp"; print("GOOD")' >"$T_DIR/chk" 2>&1
contains "$T_DIR/chk" GOOD "~/.claude.json gets the server, other keys kept"
expect_exit 5 "install against a missing store" et --db "$T_DIR/none/trail.db" mcp install --settings "$T_DIR/x.json"
[ ! -e "$T_DIR/x.json" ] && ok "nothing written for a missing store" || fails "x.json written"
done_testing
