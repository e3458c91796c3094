#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Allocation failures while `exectrail serve` answers: the same requests
# (reads, searches, a 404, a bad body, a start, actions, an MCP call, an
# OTLP/JSON span) are
# sent to a server started once per N with the Nth allocation of every
# request failing (ET_TEST_FAIL_ALLOC=N with ET_TEST_FAIL_ALLOC_SCOPE=request,
# base/alloc.h: start-up and the transport never fail, each request counts
# from 1 on each thread it runs on). Every answer either is the answer of a
# run without failures (status and body) or is an out-of-memory error: 500
# {"error":{"code":"internal","message":"out of memory..."}}, 503 with
# Retry-After, or for /mcp the JSON-RPC error -32603; never a 2xx or 4xx
# with a member missing. The trail verifies after each run and the
# execution started is stored whole or not at all, with both actions or
# none (when the start failed, the actions may be 404). ET_ALLOC_STEP /
# ET_ALLOC_MAX change the walk (every 5th up to 120, plus 1..4).
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || { echo "1..0 # SKIP curl is not installed"; exit 0; }

sqlite_only "each run starts from a copy of a prepared trail's directory (a file copy of trail.db); allocation failures on PostgreSQL: t0024, t0026" ||
  done_testing
alloc_walk_setup
python3 - >"$T_DIR/walk.out" 2>&1 <<'PY'
import http.client, json, os, re, shutil, signal, subprocess, time

exe, base, tdir = os.environ["EXECTRAIL"], os.environ["ET_BASE_HOME"], os.environ["ET_T_DIR"]
rid = os.environ["ET_REC_ID"]
new = "0b6a7c1e-5f0d-4e7a-9c2b-8d4e1f3a2b55"
J = {"Content-Type": "application/json"}
mcp = lambda i, name, args: json.dumps({"jsonrpc": "2.0", "id": i, "method": "tools/call",
                                        "params": {"name": name, "arguments": args}})
reqs = [
    ("GET", "/v1/executions?q=duration_ms%20%3E%200", None, {}),
    ("GET", "/v1/executions?view=record&limit=1", None, {}),
    ("GET", "/v1/executions/" + rid, None, {}),
    ("GET", "/v1/executions/" + rid + "/similar", None, {}),
    ("GET", "/v1/search?q=agent", None, {}),
    ("GET", "/v1/nope", None, {}),
    ("POST", "/v1/executions", '{"execution_id": 5}', J),
    ("POST", "/v1/executions/start", json.dumps({"execution_id": new, "session_id": "s-walk",
                                                "agent_metadata": {"name": "alloc-walk"}}), J),
    ("POST", "/v1/executions/%s/actions" % new,
     '[{"tool":"Bash","input":"make","success":true},{"tool":"Edit","input":"a.c","success":false,"error":"x"}]', J),
    ("POST", "/mcp", mcp(7, "get_execution", {"execution_id": rid}),
     {"Content-Type": "application/json", "Accept": "application/json, text/event-stream",
      "MCP-Protocol-Version": "2025-11-25"}),
    # OTLP/JSON: decoded on the receiving thread, stored on the writer's
    ("POST", "/v1/traces", json.dumps({"resourceSpans": [{"scopeSpans": [{"spans": [{
        "traceId": "5b8efff798038103d269b633813fc60c", "spanId": "eee19b7ec3c1b174",
        "name": "chat", "startTimeUnixNano": "1763592800000000000",
        "endTimeUnixNano": "1763592801000000000",
        "attributes": [{"key": "gen_ai.operation.name", "value": {"stringValue": "chat"}}]}]}]}]}), J),
]

def start(home, n):
    env = dict(os.environ, EXECTRAIL_HOME=home)
    if n:
        env.update(ET_TEST_FAIL_ALLOC=str(n), ET_TEST_FAIL_ALLOC_SCOPE="request")
    port = os.path.join(tdir, "port")
    if os.path.exists(port):
        os.unlink(port)
    p = subprocess.Popen([exe, "serve", "--listen", "127.0.0.1:0", "--port-file", port],
                         env=env, stdout=subprocess.DEVNULL, stderr=open(os.path.join(tdir, "serve.log"), "ab"))
    for _ in range(600):
        if os.path.exists(port) and open(port).read().strip():
            return p, int(open(port).read())
        if p.poll() is not None:
            break
        time.sleep(0.02)
    raise SystemExit("BAD\nthe server did not start (n=%s)" % n)

def run(n, reqs=reqs):
    home = os.path.join(tdir, "h")
    shutil.rmtree(home, ignore_errors=True)
    shutil.copytree(base, home)
    p, port = start(home, n)
    got = []
    try:
        for m, path, body, hdr in reqs:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            c.request(m, path, body=body, headers=hdr)
            r = c.getresponse()
            got.append((r.status, r.getheader("Content-Type"), r.read()))
            c.close()
    finally:
        p.send_signal(signal.SIGTERM)
        rc = p.wait(timeout=60)
    env = dict(os.environ, EXECTRAIL_HOME=home)
    ver = subprocess.run([exe, "verify"], env=env, capture_output=True).returncode
    shown = subprocess.run([exe, "show", "--json", new], env=env, capture_output=True)
    return rc, got, ver, shown

untimed = lambda b: re.sub(rb'"20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z"', b'"T"', b)

def is_oom(path, g):
    st, ct, body = g
    if path == "/mcp":
        try:
            e = json.loads(body)["error"]
        except (ValueError, KeyError, TypeError):
            return st == 503
        return st == 200 and e == {"code": -32603, "message": "Internal error: out of memory"}
    if st == 503:
        return True
    if st != 500:
        return False
    try:
        e = json.loads(body)["error"]
    except (ValueError, KeyError, TypeError):
        return False
    return e.get("code") == "internal" and "out of memory" in e.get("message", "")

bad = []
rc, ref, ver, shown = run(0)
want = [200, 200, 200, 200, 200, 404, 400, 201, 200, 200, 200]
if rc or ver or shown.returncode or [g[0] for g in ref] != want:
    bad.append("reference run: exit %s verify %s show %s statuses %s" % (rc, ver, shown.returncode, [g[0] for g in ref]))
ref_start = untimed(shown.stdout)
# the execution as stored when the actions were not (their request failed)
_, _, _, shown = run(0, reqs[:8])
ref_noact = untimed(shown.stdout)
if ref_noact == ref_start:
    bad.append("reference run without the actions: the same execution")
same = errors = last_err = 0
step, top = int(os.environ.get("ET_ALLOC_STEP", "5")), int(os.environ.get("ET_ALLOC_MAX", "120"))
for n in sorted(set(list(range(1, 5)) + list(range(1, top + 1, step)))):
    rc, got, ver, shown = run(n)
    if rc:
        bad.append("n=%d: the server exited %d" % (n, rc))
    if ver:
        bad.append("n=%d: the trail does not verify" % n)
    stored = shown.returncode == 0
    for (m, path, _, _), g, r in zip(reqs, got, ref):
        if g == r:
            same += 1
        elif is_oom(path, g):
            errors += 1
            last_err = max(last_err, n)
        elif path.endswith("/actions") and not stored and g[0] == 404:
            pass  # the start failed: no execution to add actions to
        else:
            bad.append("n=%d %s %s: neither the reference nor out of memory: %d %s" % (n, m, path, g[0], g[2][:200]))
    if stored and untimed(shown.stdout) not in (ref_start, ref_noact):
        bad.append("n=%d: the started execution is stored differently: %s" % (n, shown.stdout[:300]))
    if not stored and got[7] == ref[7]:
        bad.append("n=%d: the start answered 201 but nothing is stored" % n)
print("# %d answers as without failures, %d were out of memory (the last at allocation %d)" % (same, errors, last_err))
print("BAD" if bad else "GOOD", *bad[:20], sep="\n")
PY
grep '^#' "$T_DIR/walk.out"
check "every answer is the reference or out of memory, the trail verifies, nothing is stored short" \
  grep -qx GOOD "$T_DIR/walk.out"
grep -qx GOOD "$T_DIR/walk.out" || sed 's/^/#   /' "$T_DIR/walk.out" | head -30
errs=$(sed -n 's/^# [0-9]* answers as without failures, \([0-9]*\) were.*/\1/p' "$T_DIR/walk.out")
last=$(sed -n 's/.*(the last at allocation \([0-9]*\))/\1/p' "$T_DIR/walk.out")
check "the injection reached the answers (some were out of memory)" test "${errs:-0}" -gt 10
check "past the last allocation every answer is the reference" test "${last:-0}" -lt "${ET_ALLOC_MAX:-120}"
done_testing
