#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Crash injection at random points (docs/RELIABILITY.md, "Crash harness").

Runs `exectrail import`, `hook`, `record`, `retention run` and `serve` (with
two clients posting records and hook inputs to it) over and over, and ends
most runs at a random point: SIGKILL after a random delay, or the store's
fault VFS ending the process at a random write point
(ET_TEST_IO_FAULT=N:crash or N:torn). One run in ten is left to finish.
After every run it checks, without faults:

  - `exectrail verify` passes;
  - every acknowledged event is stored exactly once: a record or import
    that exited 0, a serve request answered 2xx, a hook call that exited 0
    (stored, or in a spool file; the spool is then replayed, which must
    succeed, and the input must be stored once);
  - nothing is stored twice (execution ids, hook tool_use_ids, erasures);
  - an import that did not finish stored a prefix of its input in whole
    batches;
  - retention: every execution acknowledged is in the store or in a bundle
    that `archive verify` accepts, and a run that exited 0 left none of
    them (all expired) in the store.

Prints one line per operation and, last, "N runs, F failures"; exits 1 when
a check failed. Each trail is started afresh every --reset runs.

usage: crash-harness.py [--exectrail PATH] [--runs N] [--seed S]
                        [--ops import,hook,record,retention,serve]
                        [--reset K] [--dir DIR] [--keep] [-v]
Environment: EXECTRAIL (the binary, when --exectrail is not given).
"""
import argparse
import copy
import glob
import http.client
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
SPEC = os.path.join(HERE, "..", "tests", "data", "spec-record.json")
OPS = ["import", "hook", "record", "retention", "serve"]
# retention: the records are from 2025, "now" is far enough on that every
# retention class (the longest is 2 years) has expired
RET_NOW = "2028-06-01T00:00:00Z"
# the first guess of each operation's number of store write points, for
# choosing a random fault point (adapted as runs complete or crash)
POINTS = {"import": 120, "hook": 60, "record": 30, "retention": 400,
          "serve": 300}


class Failure(Exception):
    pass


class Stats:
    def __init__(self):
        self.runs = self.killed = self.crashed = self.completed = 0
        self.acked = self.failures = 0
        self.seconds = 0.0


class World:
    """One trail and what has been acknowledged in it."""

    def __init__(self, h, op):
        self.h = h
        self.op = op
        self.n = 0
        self.root = os.path.join(h.dir, op)
        self.reset()

    def reset(self):
        shutil.rmtree(self.root, ignore_errors=True)
        self.home = os.path.join(self.root, "home")
        self.fb = os.path.join(self.root, "fallback")
        self.xdg = os.path.join(self.root, "xdg")
        os.makedirs(self.fb, mode=0o700)
        os.makedirs(self.xdg, mode=0o700)
        self.env = dict(self.h.env)
        self.env.update(EXECTRAIL_HOME=self.home,
                        EXECTRAIL_SPOOL_FALLBACK=self.fb,
                        XDG_RUNTIME_DIR=self.xdg)
        if self.op == "retention":
            self.env["EXECTRAIL_NOW"] = RET_NOW
        self.recs = set()      # acknowledged execution ids
        self.hooks = set()     # acknowledged hook tool_use_ids
        self.bundles = {}      # bundle path -> (stat key, ids) once verified
        self.runs = 0
        self.h.run_ok(["init"], self.env)

    # ---- reading the store ----
    def db(self):
        p = os.path.join(self.home, "trail.db")
        return sqlite3.connect("file:%s?mode=ro" % p, uri=True)

    def counts(self):
        """(recorded ids -> n, hook tool_use_ids -> n, erased ids -> n)"""
        c = self.db()
        try:
            rec = dict(c.execute(
                "SELECT execution_id, count(*) FROM ledger WHERE type = "
                "'execution.recorded' GROUP BY 1").fetchall())
            hk = dict(c.execute(
                "SELECT json_extract(body, '$.body.tool_use_id'), count(*) "
                "FROM ledger WHERE type = 'session.tool' GROUP BY 1"
            ).fetchall())
            er = dict(c.execute(
                "SELECT execution_id, count(*) FROM ledger WHERE type = "
                "'retention.erased' GROUP BY 1").fetchall())
        finally:
            c.close()
        return rec, hk, er

    def spooled_ids(self):
        """tool_use_ids waiting in any spool file of this trail"""
        files = [os.path.join(self.home, n)
                 for n in ("hook-spool.jsonl", "hook-spool.replaying")]
        for d in (self.fb, os.path.join(self.xdg, "exectrail")):
            for n in ("hook-spool.jsonl", "hook-spool.replaying"):
                files += glob.glob(os.path.join(d, "spool-*", n))
        ids = set()
        for f in files:
            try:
                with open(f, "rb") as fh:
                    for line in fh:
                        try:
                            ids.add(json.loads(line).get("tool_use_id"))
                        except ValueError:
                            pass  # a torn line of an unacknowledged input
            except FileNotFoundError:
                pass
        return ids


class Harness:
    def __init__(self, args):
        self.args = args
        self.exe = os.path.abspath(args.exectrail)
        self.rng = random.Random(args.seed)
        self.dir = args.dir or tempfile.mkdtemp(prefix="et-crash-")
        os.makedirs(self.dir, exist_ok=True)
        self.env = dict(os.environ)
        for k in ("EXECTRAIL_DB", "EXECTRAIL_NOW", "ET_TEST_IO_FAULT",
                  "ET_TEST_FAIL_ALLOC"):
            self.env.pop(k, None)
        self.env["EXECTRAIL_BUSY_TIMEOUT_MS"] = "10000"
        # leak checking at exit is slow under ASan and says nothing about a
        # killed process (the other tests check the commands for leaks)
        asan = self.env.get("ASAN_OPTIONS", "")
        self.env["ASAN_OPTIONS"] = (asan + ":" if asan else "") + \
            "detect_leaks=0"
        with open(SPEC) as f:
            self.spec = json.load(f)
        self.est = {op: 0.05 for op in OPS}   # seconds, when not killed
        self.points = dict(POINTS)
        self.stats = {op: Stats() for op in OPS}
        self.log = []

    # ---- running exectrail ----
    def run(self, argv, env, stdin=None, timeout=120):
        p = subprocess.run([self.exe] + argv, env=env, stdin=stdin,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout)
        return p.returncode, p.stdout.decode(errors="replace"), \
            p.stderr.decode(errors="replace")

    def run_ok(self, argv, env, what=None):
        rc, out, err = self.run(argv, env)
        if rc != 0:
            raise Failure("%s: exit %d: %s" % (what or " ".join(argv), rc,
                                               err.strip()[-300:]))
        return out

    def how(self, op):
        """('kill', delay) or ('fault', 'N:kind') or ('none', None)"""
        r = self.rng.random()
        if r < 0.1:
            return "none", None
        if r < 0.65:
            return "kill", self.rng.uniform(0, 1.5 * self.est[op])
        kind = "crash" if self.rng.random() < 0.7 else "torn"
        return "fault", "%d:%s" % (self.rng.randint(1, self.points[op]), kind)

    def victim(self, op, w, argv, how, stdin_path=None):
        """Run the operation under test; return its exit status (negative:
        killed, 137: ended by the fault VFS)."""
        mode, arg = how
        env = dict(w.env)
        if mode == "fault":
            env["ET_TEST_IO_FAULT"] = arg
        stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
        errf = open(os.path.join(w.root, "victim.err"), "wb")
        t0 = time.monotonic()
        p = subprocess.Popen([self.exe] + argv, env=env, stdin=stdin,
                             stdout=subprocess.DEVNULL, stderr=errf,
                             start_new_session=True)
        if mode == "kill":
            time.sleep(arg)
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
        rc = p.wait()
        self.note_end(op, how, rc, time.monotonic() - t0)
        if stdin_path:
            stdin.close()
        errf.close()
        return rc

    def note_end(self, op, how, rc, dt):
        s = self.stats[op]
        if rc == -signal.SIGKILL:
            s.killed += 1
        elif rc == 137 and how[0] == "fault":
            s.crashed += 1
            n = int(how[1].split(":")[0])
            if n > 0.8 * self.points[op]:
                self.points[op] = int(self.points[op] * 1.2) + 1
        else:
            s.completed += 1
            if how[0] != "kill" or how[1] >= dt:
                self.est[op] = 0.7 * self.est[op] + 0.3 * dt
            if how[0] == "fault":
                # the fault point was past the last write: aim lower
                self.points[op] = max(4, int(self.points[op] * 0.9))

    def err_text(self, w):
        try:
            with open(os.path.join(w.root, "victim.err"), "rb") as f:
                return f.read().decode(errors="replace").strip()[-300:]
        except OSError:
            return ""

    def expect_rc(self, op, w, rc, ok=(0,)):
        if rc in ok or rc == -signal.SIGKILL or rc == 137:
            return
        raise Failure("%s exited %d: %s" % (op, rc, self.err_text(w)))

    # ---- inputs ----
    def record(self, eid, ts="2025-01-16T10:30:00.000Z"):
        r = copy.deepcopy(self.spec)
        r["execution_id"] = eid
        r["session_id"] = "crash-" + eid[:8]
        r["timestamp_start"] = ts
        r.pop("timestamp_end", None)
        r.pop("duration_ms", None)
        n = self.rng.randint(0, 6)
        a = r["execution"]["actions_taken"][0]
        r["execution"]["actions_taken"] = [
            dict(a, sequence=i + 1, input="step %d of %s" % (i, eid))
            for i in range(n)]
        return r

    def hook_input(self, tid):
        out = "x" * self.rng.choice([10, 200, 3000, 20000])
        return {"session_id": "crash-hooks", "transcript_path": "/t/s.jsonl",
                "cwd": "/w", "hook_event_name": "PostToolUse",
                "tool_name": "Bash",
                "tool_input": {"command": "echo " + tid},
                "tool_response": {"stdout": out, "stderr": "",
                                  "interrupted": False},
                "tool_use_id": tid, "duration_ms": 5}

    def write(self, w, name, data):
        p = os.path.join(w.root, name)
        with open(p, "w") as f:
            f.write(data)
        return p

    # ---- checks common to every operation ----
    def check_store(self, w, replay):
        self.run_ok(["verify"], w.env, "verify")
        rec, hk, er = w.counts()
        dup = [k for k, n in rec.items() if n > 1] + \
              [k for k, n in hk.items() if n > 1] + \
              [k for k, n in er.items() if n > 1]
        if dup:
            raise Failure("stored twice: %s" % ", ".join(map(str, dup[:5])))
        if w.op != "retention":
            lost = sorted(w.recs - set(rec))
            if lost:
                raise Failure("%d acknowledged records lost: %s" %
                              (len(lost), ", ".join(lost[:3])))
        if w.hooks:
            lost = sorted(w.hooks - set(hk) - w.spooled_ids())
            if lost:
                raise Failure("%d acknowledged hook inputs neither stored "
                              "nor spooled: %s" % (len(lost), lost[:3]))
        if replay:
            self.run_ok(["spool", "replay"], w.env, "spool replay")
            rec, hk, er = w.counts()
            lost = sorted(w.hooks - set(hk))
            dup = [k for k, n in hk.items() if n > 1]
            if lost or dup:
                raise Failure("after replay: %d acknowledged hook inputs "
                              "missing (%s), %d stored twice (%s)" %
                              (len(lost), lost[:3], len(dup), dup[:3]))
            left = w.spooled_ids()
            if left:
                raise Failure("after replay: %d still spooled" % len(left))

    # ---- the operations ----
    def op_record(self, w):
        eid = str(uuid.uuid4())
        p = self.write(w, "rec.json", json.dumps(self.record(eid)))
        rc = self.victim("record", w, ["record", p], self.how("record"))
        self.expect_rc("record", w, rc)
        if rc == 0:
            w.recs.add(eid)
            self.stats["record"].acked += 1
        self.check_store(w, False)

    def op_import(self, w):
        n = self.rng.randint(5, 80)
        batch = self.rng.randint(1, 25)
        ids = [str(uuid.uuid4()) for _ in range(n)]
        p = self.write(w, "in.jsonl", "".join(
            json.dumps(self.record(i)) + "\n" for i in ids))
        rc = self.victim("import", w, ["import", "--batch", str(batch), p],
                         self.how("import"))
        self.expect_rc("import", w, rc)
        if rc == 0:
            w.recs.update(ids)
            self.stats["import"].acked += n
        rec = w.counts()[0]
        k = sum(1 for i in ids if i in rec)
        if ids[:k] != [i for i in ids if i in rec]:
            raise Failure("an interrupted import stored other than a prefix")
        if k != n and k % batch:
            raise Failure("an interrupted import stored %d of %d records "
                          "(batches of %d)" % (k, n, batch))
        self.check_store(w, False)

    def op_hook(self, w):
        # 0-2 inputs spooled first (an I/O error at the first write), for
        # the call under test to replay before its own input
        for _ in range(self.rng.randint(0, 2)):
            tid = "tu_" + uuid.uuid4().hex
            p = self.write(w, "pre.json", json.dumps(self.hook_input(tid)))
            env = dict(w.env, ET_TEST_IO_FAULT="1:eio")
            with open(p, "rb") as f:
                rc = subprocess.run([self.exe, "hook"], env=env, stdin=f,
                                    stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL).returncode
            if rc != 0:
                raise Failure("a hook call meeting an I/O error exited %d"
                              % rc)
            w.hooks.add(tid)
            self.stats["hook"].acked += 1
        tid = "tu_" + uuid.uuid4().hex
        p = self.write(w, "hook.json", json.dumps(self.hook_input(tid)))
        rc = self.victim("hook", w, ["hook"], self.how("hook"), p)
        self.expect_rc("hook", w, rc)
        if rc == 0:
            w.hooks.add(tid)
            self.stats["hook"].acked += 1
        self.check_store(w, True)

    def op_retention(self, w):
        n = self.rng.randint(5, 30)
        ids = [str(uuid.uuid4()) for _ in range(n)]
        p = self.write(w, "in.jsonl", "".join(
            json.dumps(self.record(i, "2025-03-01T00:00:00Z")) + "\n"
            for i in ids))
        self.run_ok(["import", p], w.env, "import (retention setup)")
        w.recs.update(ids)
        self.stats["retention"].acked += n
        rc = self.victim("retention", w, ["retention", "run"],
                         self.how("retention"))
        self.expect_rc("retention", w, rc)
        self.check_store(w, False)
        rec, _, er = w.counts()
        in_store = set(rec) - set(er)
        archived = self.bundle_ids(w)
        lost = sorted(w.recs - in_store - archived)
        if lost:
            raise Failure("%d executions neither in the store nor in a "
                          "verified bundle: %s" % (len(lost), lost[:3]))
        unarchived = sorted(set(er) - archived)
        if unarchived:
            raise Failure("%d erased executions in no verified bundle: %s"
                          % (len(unarchived), unarchived[:3]))
        if rc == 0 and w.recs & in_store:
            raise Failure("retention run exited 0 and left %d expired "
                          "executions" % len(w.recs & in_store))

    def bundle_ids(self, w):
        ids = set()
        for b in sorted(glob.glob(os.path.join(w.home, "archive",
                                               "*.etar.zst"))):
            st = os.stat(b)
            key = (st.st_size, st.st_mtime_ns)
            if w.bundles.get(b, (None,))[0] != key:
                rc, _, err = self.run(["archive", "verify", b], w.env)
                if rc != 0:
                    raise Failure("a finished bundle does not verify: %s: %s"
                                  % (os.path.basename(b), err.strip()[-200:]))
                out = self.run_ok(["archive", "list", "--format", "jsonl",
                                   b], w.env)
                w.bundles[b] = (key, {json.loads(line)["execution_id"]
                                      for line in out.splitlines() if line})
            ids |= w.bundles[b][1]
        return ids

    def op_serve(self, w):
        how = self.how("serve")
        if how[0] == "kill":
            # the server never ends by itself: kill it within 1 s (its
            # start included)
            how = ("kill", self.rng.uniform(0.0, 1.0))
        portf = os.path.join(w.root, "port")
        if os.path.exists(portf):
            os.unlink(portf)
        env = dict(w.env)
        if how[0] == "fault":
            env["ET_TEST_IO_FAULT"] = how[1]
        errf = open(os.path.join(w.root, "victim.err"), "wb")
        t0 = time.monotonic()
        p = subprocess.Popen([self.exe, "serve", "--listen", "127.0.0.1:0",
                              "--port-file", portf], env=env,
                             stdout=subprocess.DEVNULL, stderr=errf,
                             start_new_session=True)
        acked_r, acked_h = [], []
        stop = threading.Event()

        def client(k):
            port = None
            while not stop.is_set() and p.poll() is None and port is None:
                try:
                    with open(portf) as f:
                        port = int(f.read().strip() or 0) or None
                except (OSError, ValueError):
                    time.sleep(0.005)
            while port and not stop.is_set():
                is_rec = self.rng.random() < 0.5
                if is_rec:
                    key = str(uuid.uuid4())
                    path, body = "/v1/executions", self.record(key)
                else:
                    key = "tu_" + uuid.uuid4().hex
                    path = "/v1/hooks/claude-code"
                    body = self.hook_input(key)
                try:
                    c = http.client.HTTPConnection("127.0.0.1", port,
                                                   timeout=10)
                    c.request("POST", path, json.dumps(body),
                              {"Content-Type": "application/json"})
                    status = c.getresponse().status
                    c.close()
                except (OSError, http.client.HTTPException):
                    return   # the server is gone
                if 200 <= status < 300:
                    (acked_r if is_rec else acked_h).append(key)
                elif status not in (503,):
                    errs.append("%s answered %d" % (path, status))

        errs = []
        ts = [threading.Thread(target=client, args=(k,)) for k in (0, 1)]
        for t in ts:
            t.start()
        if how[0] == "kill":
            time.sleep(how[1])
        else:
            # a fault point may be past what the clients reach: end it
            try:
                p.wait(timeout=1.0)
            except subprocess.TimeoutExpired:
                pass
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
        rc = p.wait()
        stop.set()
        for t in ts:
            t.join()
        errf.close()
        self.note_end("serve", how, rc, time.monotonic() - t0)
        if rc not in (-signal.SIGKILL, 137):
            raise Failure("serve exited %d: %s" % (rc, self.err_text(w)))
        if errs:
            raise Failure("; ".join(errs[:3]))
        w.recs.update(acked_r)
        w.hooks.update(acked_h)
        self.stats["serve"].acked += len(acked_r) + len(acked_h)
        self.check_store(w, True)

    # ---- the loop ----
    def keep(self, w, what):
        if not self.args.keep:
            return
        d = os.path.join(self.dir, "fail-%d" % len(self.log))
        shutil.copytree(w.root, d, symlinks=True)
        self.log[-1] += " (kept in %s)" % d

    def main(self):
        ops = self.args.ops.split(",")
        worlds = {op: World(self, op) for op in ops}
        t0 = time.monotonic()
        for i in range(self.args.runs):
            op = ops[i % len(ops)]
            w = worlds[op]
            s = self.stats[op]
            s.runs += 1
            t1 = time.monotonic()
            try:
                getattr(self, "op_" + op)(w)
            except Failure as e:
                s.failures += 1
                self.log.append("run %d (%s): %s" % (i + 1, op, e))
                print("crash-harness: FAIL " + self.log[-1], flush=True)
                self.keep(w, e)
                w.reset()
                continue
            except subprocess.TimeoutExpired as e:
                s.failures += 1
                self.log.append("run %d (%s): timeout: %s" % (i + 1, op, e))
                print("crash-harness: FAIL " + self.log[-1], flush=True)
                w.reset()
                continue
            finally:
                s.seconds += time.monotonic() - t1
            w.runs += 1
            if w.runs >= self.args.reset:
                w.reset()
            if self.args.verbose and (i + 1) % 100 == 0:
                print("crash-harness: %d runs, %.0f s" %
                      (i + 1, time.monotonic() - t0), flush=True)
        dt = time.monotonic() - t0
        tot = Stats()
        print("crash-harness: seed %d, %.1f s" % (self.args.seed, dt))
        print("%-10s %6s %7s %8s %10s %7s %9s %8s" % (
            "operation", "runs", "killed", "crashed", "completed", "acked",
            "failures", "seconds"))
        for op in ops:
            s = self.stats[op]
            print("%-10s %6d %7d %8d %10d %7d %9d %8.1f" % (
                op, s.runs, s.killed, s.crashed, s.completed, s.acked,
                s.failures, s.seconds))
            for k in vars(tot):
                setattr(tot, k, getattr(tot, k) + getattr(s, k))
        print("%d runs, %d failures" % (tot.runs, tot.failures))
        if not self.args.dir and not self.args.keep:
            shutil.rmtree(self.dir, ignore_errors=True)
        return 1 if tot.failures else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--exectrail", default=os.environ.get(
        "EXECTRAIL", os.path.join(HERE, "..", "build", "release",
                                  "exectrail")))
    ap.add_argument("--runs", type=int, default=100)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--ops", default=",".join(OPS))
    ap.add_argument("--reset", type=int, default=40,
                    help="start each trail afresh after this many runs")
    ap.add_argument("--dir", help="work here (default: a temporary "
                    "directory, removed at the end)")
    ap.add_argument("--keep", action="store_true",
                    help="keep a copy of each failing trail")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    if args.seed is None:
        args.seed = random.SystemRandom().randrange(1 << 31)
    for op in args.ops.split(","):
        if op not in OPS:
            ap.error("unknown operation %r (one of %s)" % (op, ",".join(OPS)))
    return Harness(args).main()


if __name__ == "__main__":
    sys.exit(main())
