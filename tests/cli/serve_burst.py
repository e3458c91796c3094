# SPDX-License-Identifier: MIT
"""Concurrent writers against `exectrail serve` (t0706): THREADS clients,
each on one keep-alive connection, post N writes in turn (a spec record, a
one-action batch on the client's own execution, a Claude Code hook input:
client W's write I is of kind KINDS[(W + I) % len]), each carrying a unique
key. Prints one line per
write, "STATUS KIND KEY RETRY_AFTER" (status 0: no answer), to stdout.
With --kill PID AFTER, SIGKILLs PID as soon as AFTER writes have been
acknowledged (2xx), while the other clients' writes are still in flight.

usage: serve_burst.py PORT TAG THREADS N KINDS [--kill PID AFTER]
"""
import http.client
import json
import os
import signal
import sys
import threading

port, tag, threads, n, kinds = (int(sys.argv[1]), sys.argv[2],
                                int(sys.argv[3]), int(sys.argv[4]),
                                sys.argv[5].split(","))
kill_pid = kill_after = 0
if len(sys.argv) > 6 and sys.argv[6] == "--kill":
    kill_pid, kill_after = int(sys.argv[7]), int(sys.argv[8])
spec = json.load(open(os.path.join(os.environ["ET_SOURCE_DIR"],
                                   "tests/data/spec-record.json")))
lock = threading.Lock()
lines = []
state = {"acked": 0, "killed": False}


def post(conn, path, body):
    conn.request("POST", path, json.dumps(body),
                 {"Content-Type": "application/json"})
    r = conn.getresponse()
    data = r.read()
    return r.status, data, r.getheader("Retry-After") or "-"


def worker(w):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    exec_id = None
    for i in range(n):
        kind = kinds[(w + i) % len(kinds)]
        key = "%s-%d-%d" % (tag, w, i)
        try:
            if kind == "action" and exec_id is None:
                st, data, _ = post(conn, "/v1/executions/start",
                                   {"session_id": "gc-" + key,
                                    "agent_metadata": {"name": "gc"}})
                if st != 201:
                    raise OSError("start: %d" % st)
                exec_id = json.loads(data)["execution_id"]
            if kind == "record":
                key = "%s-0000-4000-8000-%04x%08x" % (
                    tag.encode()[:4].ljust(4, b"0").hex(), w, i)
                rec = dict(spec, execution_id=key)
                st, _, ra = post(conn, "/v1/executions", rec)
            elif kind == "action":
                st, _, ra = post(conn, "/v1/executions/%s/actions" % exec_id,
                                 [{"tool": "Bash", "input": key,
                                   "output": "ok", "success": True}])
            else:
                st, _, ra = post(conn, "/v1/hooks/claude-code",
                                 {"hook_event_name": "UserPromptSubmit",
                                  "session_id": "gc-%s-%d" % (tag, w),
                                  "prompt": key})
        except (OSError, http.client.HTTPException, ValueError):
            st, ra = 0, "-"
        with lock:
            lines.append("%d %s %s %s" % (st, kind, key, ra))
            if 200 <= st < 300:
                state["acked"] += 1
                if (kill_after and not state["killed"] and
                        state["acked"] >= kill_after):
                    os.kill(kill_pid, signal.SIGKILL)
                    state["killed"] = True
            stop = state["killed"]
        if st == 0 and stop:
            break  # the server is gone: the rest was never sent
    conn.close()


ts = [threading.Thread(target=worker, args=(w,)) for w in range(threads)]
for t in ts:
    t.start()
for t in ts:
    t.join()
print("\n".join(lines))
