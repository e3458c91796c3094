# SPDX-License-Identifier: MIT
"""Report test corpus and the expected figures, computed here from the
generated records (never by exectrail).

  report_corpus.py gen SEED END_DATE DAYS N > corpus.jsonl
  report_corpus.py expect corpus.jsonl daily DATE TZ_OFFSET_H
  report_corpus.py expect corpus.jsonl agent NAME END_DATE DAYS [TZ_OFFSET_H]
  report_corpus.py expect corpus.jsonl agents END_DATE DAYS [TZ_OFFSET_H]
  report_corpus.py check EXPECTED.json REPORT.json

expect prints a JSON object of the figures the report must show; check
compares a report (exectrail report --format json) with them and prints
one line per difference (exit status 1 when there is any).
"""
import datetime as dt
import json
import math
import random
import re
import sys
import uuid

AGENTS = {
    # name: (success probability at the start, change per day, median s)
    "code-reviewer": (0.92, 0.0, 40),
    "test-runner": (0.95, -0.05, 90),
    "doc-writer": (0.60, 0.0, 400),
    "planner": (0.75, 0.02, 20),
}
ISSUES = [
    "timeout after {n}s waiting for /var/tmp/build-{n}/out.log",
    "exit status {n} from make test",
    "assertion failed in test_{w} line {n}",
    "rate limited by api.example.com (retry after {n} ms)",
]
LEVELS = ["HIGH", "MEDIUM", "LOW"]


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000)


def gen(seed, end_date, days, n):
    rnd = random.Random(seed)
    end = dt.datetime.strptime(end_date, "%Y-%m-%d").replace(
        tzinfo=dt.timezone.utc) + dt.timedelta(days=1)
    first = end - dt.timedelta(days=days)
    names = sorted(AGENTS)
    for i in range(n):
        agent = names[rnd.randrange(len(names))] if rnd.random() > 0.03 \
            else "code-reviewer"
        p0, dp, med = AGENTS[agent]
        start = first + dt.timedelta(
            seconds=rnd.randrange(int((end - first).total_seconds())))
        day = (start - first).days
        dur = max(0, int(rnd.lognormvariate(math.log(med * 1000), 0.6)))
        if rnd.random() < 0.02:
            dur = rnd.randrange(0, 3)
        rec = {
            "execution_id": str(uuid.UUID(int=rnd.getrandbits(128),
                                          version=4)),
            "session_id": "s-%d" % (i // 7),
            "timestamp_start": iso(start),
            "timestamp_end": iso(start + dt.timedelta(milliseconds=dur)),
            "duration_ms": dur,
            "main_agent_context": {"user_request": "task %d" % i},
            "agent_metadata": {"name": agent, "version": "v1"},
            "delegation": {"prompt_sent": "do task %d" % i},
        }
        u = rnd.random()
        if u < 0.12:
            pass  # unverified
        else:
            p = min(0.99, max(0.05, p0 + dp * day))
            if rnd.random() < p:
                status = "MATCH"
            else:
                status = rnd.choice(["MISMATCH", "ERROR", "PARTIAL"])
            rec["verification"] = {"status": status}
            if status != "MATCH":
                k = rnd.randrange(len(ISSUES))
                desc = ISSUES[k].format(n=rnd.randrange(1, 500),
                                        w=rnd.choice(["a", "b"]))
                rec["issues"] = [{"type": "ERROR", "description": desc}]
                if rnd.random() < 0.3:
                    rec["issues"].append({"type": "WARNING",
                                          "description": "retried once"})
        if rnd.random() < 0.85:
            qm = {}
            for k in ("completeness", "accuracy", "efficiency"):
                if rnd.random() < 0.9:
                    w = [5, 3, 1] if agent != "doc-writer" else [1, 2, 5]
                    qm[k] = rnd.choices(LEVELS, weights=w)[0]
            if qm:
                rec["quality_metrics"] = qm
        if rnd.random() < 0.5:
            rec["usage"] = {"input_tokens": rnd.randrange(100, 20000),
                            "output_tokens": rnd.randrange(10, 4000),
                            "cache_read_input_tokens": rnd.randrange(0, 9000),
                            "cost_usd": round(rnd.random() * 0.2, 6)}
        print(json.dumps(rec))


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def start_of(r):
    return dt.datetime.strptime(r["timestamp_start"],
                                "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=dt.timezone.utc)


def local_date(r, off_h):
    return (start_of(r) + dt.timedelta(hours=off_h)).date()


def status(r):
    return (r.get("verification") or {}).get("status")


def score(r):
    q = r.get("quality_metrics") or {}
    v = {"HIGH": 1.0, "MEDIUM": 0.5, "LOW": 0.0}
    lv = [v[q[k]] for k in ("completeness", "accuracy", "efficiency")
          if q.get(k) in v]
    return sum(lv) / len(lv) if lv else None


def nearest_rank(xs, p):
    xs = sorted(xs)
    if not xs:
        return None
    k = max(1, math.ceil(p * len(xs)))
    return xs[k - 1]


def signature(msg):
    # the documented normalisation: paths <path>, long hex-ish ids <id>,
    # digit runs N, whitespace collapsed
    out = []
    for w in msg.split():
        if "/" in w:
            out.append("<path>")
        elif len(w) >= 8 and re.fullmatch(r"[0-9a-fA-F-]+", w) and \
                re.search(r"[0-9]", w):
            out.append("<id>")
        else:
            out.append(re.sub(r"[0-9]+", "N", w))
    return " ".join(out)


def figures(rs):
    ver = [r for r in rs if status(r)]
    match = sum(1 for r in ver if status(r) == "MATCH")
    durs = [r["duration_ms"] for r in rs]
    scores = [s for s in (score(r) for r in rs) if s is not None]
    out = {
        "total": len(rs),
        "verified": len(ver),
        "match": match,
        "success_rate": round(match / len(ver), 4) if ver else None,
        "avg_duration": round(sum(durs) / len(durs), 1) if durs else None,
        "p50": nearest_rank(durs, 0.50),
        "p95": nearest_rank(durs, 0.95),
        "p99": nearest_rank(durs, 0.99),
        "avg_quality": round(sum(scores) / len(scores), 4) if scores
        else None,
        "scored": len(scores),
        "input_tokens": sum((r.get("usage") or {}).get("input_tokens", 0)
                            for r in rs),
        "cost_usd": round(sum((r.get("usage") or {}).get("cost_usd", 0)
                              for r in rs), 6),
    }
    issues = {}
    for r in rs:
        for i in r.get("issues") or []:
            key = (signature(i["description"]), i["type"])
            issues[key] = issues.get(key, 0) + 1
    top = sorted(issues.items(), key=lambda kv: (-kv[1], kv[0]))
    out["top_issues"] = [[k[0], k[1], c] for k, c in top]
    agents = {}
    for r in rs:
        agents[r["agent_metadata"]["name"]] = agents.get(
            r["agent_metadata"]["name"], 0) + 1
    out["agents"] = agents
    return out


def trend(rs, first, days, off):
    pts = []
    for d in range(days):
        day = first + dt.timedelta(days=d)
        ver = [r for r in rs if local_date(r, off) == day and status(r)]
        if ver:
            pts.append((d, sum(status(r) == "MATCH" for r in ver) / len(ver)))
    n = len(pts)
    if n < 3:
        return {"days": n, "direction": "not enough data"}
    sx = sum(x for x, _ in pts)
    sy = sum(y for _, y in pts)
    sxx = sum(x * x for x, _ in pts)
    sxy = sum(x * y for x, y in pts)
    slope = (n * sxy - sx * sy) / (n * sxx - sx * sx)
    d = "stable" if abs(slope) < 0.005 else (
        "improving" if slope > 0 else "declining")
    return {"days": n, "direction": d, "slope": round(slope, 4)}


PRECISION = 2 ** (1 / 16) - 1  # docs/REPORTS.md: percentiles


def close(got, want, tol):
    if got is None or want is None:
        return got is None and want is None
    return abs(got - want) <= tol


def check_figures(e, r, where, errs):
    def need(ok, what, got, want):
        if not ok:
            errs.append("%s%s: got %r, want %r" % (where, what, got, want))

    x = r["executions"]
    for k, kk in (("total", "total"), ("verified", "verified"),
                  ("match", "match")):
        need(x[kk] == e[k], k, x[kk], e[k])
    need(close(r["success_rate"], e["success_rate"], 1e-9), "success_rate",
         r["success_rate"], e["success_rate"])
    d = r["duration_ms"]
    need(close(d["avg"], e["avg_duration"], 0.051), "avg duration",
         d["avg"], e["avg_duration"])
    for p in ("p50", "p95", "p99"):
        tol = PRECISION * (e[p] + 1) + 1
        need(close(d[p], e[p], tol), p, d[p], e[p])
    q = r["quality"]
    need(q["scored"] == e["scored"], "scored", q["scored"], e["scored"])
    need(close(q["average_score"], e["avg_quality"], 1e-4), "avg quality",
         q["average_score"], e["avg_quality"])
    if "usage" in r:
        u = r["usage"]
        need(u["input_tokens"] == e["input_tokens"], "input tokens",
             u["input_tokens"], e["input_tokens"])
        need(close(u["cost_usd"], e["cost_usd"], 1e-6), "cost",
             u["cost_usd"], e["cost_usd"])
    key = "top_issues" if "top_issues" in r else "common_failure_modes"
    if key in r:
        got = [[g["signature"], g["type"], g["count"]] for g in r[key]]
        need(got == e["top_issues"][:len(got)] and
             len(got) == min(10, len(e["top_issues"])), key, got,
             e["top_issues"][:10])


def check(e, r):
    errs = []
    if r["kind"] == "daily":
        check_figures(e, r, "", errs)
        got = {a["name"]: a["executions"] for a in r["agents_used"]}
        if got != e["agents"]:
            errs.append("agents: got %r, want %r" % (got, e["agents"]))
        c = r["comparison"]
        if not close(c["executions_per_day"], e["prev_per_day"], 0.005):
            errs.append("prev per day %r %r" % (c["executions_per_day"],
                                                e["prev_per_day"]))
        if not close(c["success_rate"], e["prev_success_rate"], 1e-9):
            errs.append("prev success %r %r" % (c["success_rate"],
                                                e["prev_success_rate"]))
    elif r["kind"] == "agent":
        check_figures(e, r, "", errs)
        t, et = r["performance_trend"], e["trend"]
        if t["direction"] != et["direction"] or t["days"] != et["days"]:
            errs.append("trend: got %r, want %r" % (t, et))
        if "slope" in et and not close(t["slope_per_day"], et["slope"],
                                       1e-4):
            errs.append("slope: got %r, want %r" % (t, et))
    else:
        board = r["leaderboard"]
        names = [a["name"] for a in board]
        want = sorted(e["agents"], key=lambda a: (
            -(e["agents"][a]["success_rate"] if e["agents"][a]
              ["success_rate"] is not None else -1),
            -e["agents"][a]["total"], a))
        if names != want:
            errs.append("leaderboard order: got %r, want %r" % (names, want))
        for a in board:
            ea = e["agents"].get(a["name"], {})
            if a["executions"] != ea.get("total") or not close(
                    a["success_rate"], ea.get("success_rate"), 1e-9):
                errs.append("agent %s: got %r, want %r" % (a["name"], a, ea))
            if a["trend"]["direction"] != ea["trend"]["direction"]:
                errs.append("agent %s trend: got %r, want %r" % (
                    a["name"], a["trend"], ea["trend"]))
    for line in errs:
        print(line)
    return 1 if errs else 0


def main():
    if sys.argv[1] == "check":
        with open(sys.argv[2]) as f:
            e = json.load(f)
        with open(sys.argv[3]) as f:
            r = json.load(f)
        sys.exit(check(e, r))
    if sys.argv[1] == "gen":
        gen(int(sys.argv[2]), sys.argv[3], int(sys.argv[4]),
            int(sys.argv[5]))
        return
    rs = load(sys.argv[2])
    kind = sys.argv[3]
    if kind == "daily":
        day = dt.date.fromisoformat(sys.argv[4])
        off = float(sys.argv[5])
        out = figures([r for r in rs if local_date(r, off) == day])
        prev = [r for r in rs
                if day - dt.timedelta(days=7) <= local_date(r, off) < day]
        out["prev_per_day"] = round(len(prev) / 7, 2)
        pv = [r for r in prev if status(r)]
        out["prev_success_rate"] = round(
            sum(status(r) == "MATCH" for r in pv) / len(pv), 4) if pv \
            else None
    else:
        args = sys.argv[5:] if kind == "agent" else sys.argv[4:]
        end = dt.date.fromisoformat(args[0])
        days = int(args[1])
        off = float(args[2]) if len(args) > 2 else 0
        first = end - dt.timedelta(days=days - 1)
        rs = [r for r in rs if first <= local_date(r, off) <= end]
        if kind == "agent":
            rs = [r for r in rs if r["agent_metadata"]["name"] == sys.argv[4]]
            out = figures(rs)
            out["trend"] = trend(rs, first, days, off)
        else:
            out = {"agents": {}}
            for a in sorted({r["agent_metadata"]["name"] for r in rs}):
                mine = [r for r in rs if r["agent_metadata"]["name"] == a]
                f = figures(mine)
                f["trend"] = trend(mine, first, days, off)
                out["agents"][a] = f
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    print()


if __name__ == "__main__":
    main()
