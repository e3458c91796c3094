#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Allocation failures while `exectrail mcp` answers: one stdio session
# (initialize, discover, tools/list, ping, reads, a note, a start, errors)
# is run once per N with the Nth allocation of every message failing
# (ET_TEST_FAIL_ALLOC=N with ET_TEST_FAIL_ALLOC_SCOPE=request, base/alloc.h:
# start-up never fails, each message counts from 1). Every reply either is
# the reply of a run without failures or is the JSON-RPC error -32603
# "Internal error: out of memory" with the request's id; never a result
# with a member missing, never a reply to a notification; the trail
# verifies after each session. ET_ALLOC_STEP / ET_ALLOC_MAX change the
# walk (every 5th up to 150 by default, plus 1..6; a message makes
# about 100 at most).
. "$(dirname "$0")/lib.sh"

sqlite_only "each run starts from a copy of a prepared trail's directory (a file copy of trail.db); allocation failures on PostgreSQL: t0024, t0026" ||
  done_testing
alloc_walk_setup
python3 - >"$T_DIR/walk.out" 2>&1 <<'PY'
import json, os, re, shutil, subprocess

exe, base, tdir = os.environ["EXECTRAIL"], os.environ["ET_BASE_HOME"], os.environ["ET_T_DIR"]
rid = os.environ["ET_REC_ID"]
new = "0b6a7c1e-5f0d-4e7a-9c2b-8d4e1f3a2b55"
req = lambda i, m, p=None: dict(jsonrpc="2.0", id=i, method=m, **({"params": p} if p is not None else {}))
call = lambda i, name, args: req(i, "tools/call", {"name": name, "arguments": args})
msgs = [
    req(1, "initialize", {"protocolVersion": "2025-11-25", "capabilities": {},
                          "clientInfo": {"name": "t", "version": "1"}}),
    {"jsonrpc": "2.0", "method": "notifications/initialized"},
    req(2, "tools/list"),
    req(3, "tools/list", {"cursor": "10"}),
    req(4, "ping"),
    req(5, "logging/setLevel", {"level": "debug"}),
    call(6, "get_execution", {"execution_id": rid}),
    call(7, "query_executions", {"query": "duration_ms > 0"}),
    call(8, "get_status", {}),
    call(9, "get_execution", {}),  # a tool error: isError, logged
    req(10, "no/such/method"),
    req("d", "server/discover", {"_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28"}}),
    req("v", "tools/list", {"_meta": {"io.modelcontextprotocol/protocolVersion": "1900-01-01"}}),
    call(11, "execution_start", {"execution_id": new, "session_id": "s-walk",
                                 "agent_metadata": {"name": "alloc-walk"},
                                 "task": {"description": "walk"}}),
]
wire = b"\n".join(json.dumps(m).encode() for m in msgs) + b"\n"
ids = [m["id"] for m in msgs if "id" in m]

def session(n):
    home = os.path.join(tdir, "h")
    shutil.rmtree(home, ignore_errors=True)
    shutil.copytree(base, home)
    env = dict(os.environ, EXECTRAIL_HOME=home)
    if n:
        env.update(ET_TEST_FAIL_ALLOC=str(n), ET_TEST_FAIL_ALLOC_SCOPE="request")
    p = subprocess.run([exe, "mcp"], input=wire, env=env, capture_output=True, timeout=120)
    replies, logs = {}, []
    for l in p.stdout.splitlines():
        m = json.loads(l)
        if m.get("method") == "notifications/message":
            logs.append(m)
        else:
            replies.setdefault(json.dumps(m.get("id")), []).append(m)
    ver = subprocess.run([exe, "verify"], env=dict(os.environ, EXECTRAIL_HOME=home),
                         capture_output=True).returncode
    shown = subprocess.run([exe, "show", "--json", new], env=dict(os.environ, EXECTRAIL_HOME=home),
                           capture_output=True)
    return p.returncode, replies, logs, ver, shown

rc, ref, ref_logs, ver, shown = session(0)
bad = []
if rc or ver or shown.returncode or sorted(ref) != sorted(json.dumps(i) for i in ids):
    bad.append("reference run: exit %s verify %s show %s replies %s" % (rc, ver, shown.returncode, sorted(ref)))
if not ref_logs:
    bad.append("reference run: no log notification (the tool error is logged)")
for i in ("6", "7", "8", "11"):
    if ref.get(i, [{}])[0].get("result", {}).get("isError") is not False:
        bad.append("reference run: tool call %s is not a success: %s" % (i, ref.get(i)))
# the start's own time differs from run to run
untimed = lambda b: re.sub(rb'"20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z"', b'"T"', b)
ref_start = untimed(shown.stdout)
oom = lambda i: {"jsonrpc": "2.0", "id": i, "error": {"code": -32603, "message": "Internal error: out of memory"}}
step, top = int(os.environ.get("ET_ALLOC_STEP", "5")), int(os.environ.get("ET_ALLOC_MAX", "150"))
same = errors = 0
last_err = 0
for n in sorted(set(list(range(1, 7)) + list(range(1, top + 1, step)))):
    rc, got, logs, ver, shown = session(n)
    if rc:
        bad.append("n=%d: exit %d" % (n, rc))
    if ver:
        bad.append("n=%d: the trail does not verify" % n)
    for i in ids:
        k = json.dumps(i)
        g = got.get(k, [])
        if len(g) != 1:
            bad.append("n=%d id=%s: %d replies" % (n, k, len(g)))
        elif g[0] == ref[k][0]:
            same += 1
        elif g[0] == oom(i):
            errors += 1
            last_err = max(last_err, n)
        else:
            bad.append("n=%d id=%s: neither the reference nor -32603: %s" % (n, k, json.dumps(g[0])[:300]))
    if set(got) - set(ref):
        bad.append("n=%d: replies to %s (a notification answered?)" % (n, sorted(set(got) - set(ref))))
    # the start is stored whole or not at all (a -32603 reply may come
    # after the store: the answer, not the event, failed)
    if shown.returncode == 0:
        if untimed(shown.stdout) != ref_start:
            bad.append("n=%d: the started execution is stored differently: %s" % (n, shown.stdout[:300]))
    elif got.get('11', [{}])[0] == ref['11'][0]:
        bad.append("n=%d: the start answered success but nothing is stored" % n)
print("# %d replies as without failures, %d were -32603 (the last at allocation %d)" % (same, errors, last_err))
print("BAD" if bad else "GOOD", *bad[:20], sep="\n")
PY
cat "$T_DIR/walk.out" | grep '^#'
check "every reply is the reference or -32603, the trail verifies, nothing is stored short" \
  grep -qx GOOD "$T_DIR/walk.out"
[ -s "$T_DIR/walk.out" ] && ! grep -qx GOOD "$T_DIR/walk.out" && sed 's/^/#   /' "$T_DIR/walk.out" | head -30
errs=$(sed -n 's/^# [0-9]* replies as without failures, \([0-9]*\) were.*/\1/p' "$T_DIR/walk.out")
last=$(sed -n 's/.*(the last at allocation \([0-9]*\))/\1/p' "$T_DIR/walk.out")
check "the injection reached the replies (some were -32603)" test "${errs:-0}" -gt 20
check "past the last allocation every reply is the reference" test "${last:-0}" -lt "${ET_ALLOC_MAX:-150}"
done_testing
