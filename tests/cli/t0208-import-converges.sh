#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Bindings as first-class state (docs/INTEGRATIONS.md, "Bindings"): a
# Claude Code session imported in any order and in any number of pieces
# (subagent files before their main transcript, transcripts cut mid-session
# as a periodic import sees them, links known up front or only from the
# Agent results) gives the same records as one whole import. Property test
# with a fixed seed over two sessions: a generated one with two parallel
# subagents of the same type started in the opposite order to their
# delegations, and the minimal_showcase transcript (tests/data/claude).
. "$(dirname "$0")/lib.sh"

S=3c9d2e1f-5a6b-4c7d-8e9f-0a1b2c3d4e5f
mkdir -p "$T_DIR/gen"
python3 - "$T_DIR/gen" "$S" <<'PY'
import json, os, sys
d, S = sys.argv[1], sys.argv[2]
def rec(t, content, ts, **kw):
    r = {"type": t, "sessionId": S, "timestamp": ts, "cwd": "/home/u/app", "uuid": "u-" + t + ts,
         "message": {"role": t, "content": content}}
    r.update(kw); return r
A = {"description": "Fix login", "prompt": "Fix the login bug in src/login.c", "subagent_type": "general-purpose"}
B = {"description": "Check deps", "prompt": "Check dependencies for CVEs", "subagent_type": "general-purpose"}
main = [rec("user", "Fix login and check deps", "2026-11-02T09:00:00.000Z"),
        rec("assistant", [{"type": "tool_use", "id": "toolu_A", "name": "Agent", "input": A},
                          {"type": "tool_use", "id": "toolu_B", "name": "Agent", "input": B}],
            "2026-11-02T09:00:01.000Z")]
def tool(agent, tid, name, inp, out, t1, t2, err=False):
    ts = "2026-11-02T09:00:%02d.000Z"
    return [rec("assistant", [{"type": "tool_use", "id": tid, "name": name, "input": inp}], ts % t1,
                isSidechain=True, agentId=agent),
            rec("user", [{"type": "tool_result", "tool_use_id": tid, "content": out, "is_error": err}], ts % t2,
                isSidechain=True, agentId=agent)]
# b2 (B's agent) starts first although B was delegated second
b2 = tool("b2", "tb1", "Bash", {"command": "npm audit"}, "0 vulnerabilities", 2, 3) + \
     tool("b2", "tb2", "WebFetch", {"url": "https://nvd.nist.gov/vuln", "prompt": "list"}, "ok", 4, 5)
a1 = tool("a1", "ta1", "Read", {"file_path": "src/login.c"}, "int login(){}", 6, 7) + \
     tool("a1", "ta2", "Edit", {"file_path": "src/login.c", "old_string": "a", "new_string": "b"}, "ok", 8, 9) + \
     tool("a1", "ta3", "Bash", {"command": "make test"}, "1 failed", 10, 11, err=True) + \
     tool("a1", "ta4", "Bash", {"command": "curl -s https://api.github.com/repos/x/y"}, "{}", 12, 13)
def result(tid, agent, text, ts):
    return rec("user", [{"type": "tool_result", "tool_use_id": tid, "content": [{"type": "text", "text": text}]}],
               ts, toolUseResult={"status": "completed", "agentId": agent, "totalDurationMs": 9000,
                                  "content": [{"type": "text", "text": text}]})
main += [result("toolu_B", "b2", "No CVEs found", "2026-11-02T09:00:14.000Z"),
         result("toolu_A", "a1", "Fixed login; 1 test still fails", "2026-11-02T09:00:15.000Z")]
def write(path, rows):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        for r in rows: f.write(json.dumps(r, separators=(",", ":")) + "\n")
write(os.path.join(d, S + ".jsonl"), main)
write(os.path.join(d, S, "subagents", "agent-a1.jsonl"), a1)
write(os.path.join(d, S, "subagents", "agent-b2.jsonl"), b2)
PY
SHOW="$ET_SOURCE_DIR/tests/data/claude/transcripts/minimal_showcase"

# plans: plan.py SESSION_DIR OUT SEED N DROP_META -> one line per plan: the
# files to import in order (pieces of the session's files, in any order)
cat >"$T_DIR/plan.py" <<'PY'
import json, os, random, shutil, sys
src, out, seed, n, drop_meta = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5] == "1"
files = []
for root, _, names in os.walk(src):
    for nm in names:
        if nm.endswith(".jsonl"):
            files.append(os.path.relpath(os.path.join(root, nm), src))
files.sort()
rng = random.Random(seed)
for p in range(n):
    pd = os.path.join(out, "plan%d" % p)
    steps = []
    for k, f in enumerate(files):
        lines = open(os.path.join(src, f)).readlines()
        pieces = [len(lines)]
        if len(lines) > 1 and rng.random() < 0.6:   # a cut copy first, as a periodic import sees it
            pieces.insert(0, rng.randrange(1, len(lines)))
        for j, cut in enumerate(pieces):
            dst = os.path.join(pd, "step%d_%d" % (k, j), f)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            with open(dst, "w") as o:
                o.writelines(lines[:cut])
            meta = os.path.join(src, f[:-6] + ".meta.json")
            if os.path.exists(meta) and not drop_meta:
                shutil.copy(meta, dst[:-6] + ".meta.json")
            steps.append((k, j, dst))
    # any order: a cut copy after its whole file adds nothing
    rng.shuffle(steps)
    print(json.dumps([s[2] for s in steps]))
PY

cat >"$T_DIR/norm.py" <<'PY'
# The records of a trail, with what depends on the trail's history at
# analysis time (docs/INTEGRATIONS.md, "Bindings") left out.
import json, subprocess, sys
et = sys.argv[1]
# one export (each line exactly as show --json gives it) instead of a show
# per execution
out = subprocess.run([et, "-q", "export"], capture_output=True, text=True, check=True).stdout
recs = []
for line in out.splitlines():
    r = json.loads(line)
    r.pop("analysis", None)
    l = r.get("learning") or {}
    l.pop("insights_gained", None)
    if isinstance(l.get("agent_performance"), str):
        l["agent_performance"] = l["agent_performance"].split("; agent MATCH rate")[0]
    recs.append(r)
recs.sort(key=lambda r: r.get("tool_use_id") or "")
print(json.dumps(recs, indent=1, sort_keys=True))
PY

# converge NAME SESSION_DIR SEED PLANS DROP_META
converge() {
  name=$1 src=$2 seed=$3 plans=$4 drop=$5
  export EXECTRAIL_HOME="$T_DIR/$name-whole"
  whole=$(mktemp -d "$T_DIR/$name-src-XXXX")
  cp -r "$src/." "$whole/"
  [ "$drop" = 1 ] && find "$whole" -name '*.meta.json' -delete
  et import claude-code "$whole" >/dev/null 2>&1 || fails "$name: whole import" "exit $?"
  python3 "$T_DIR/norm.py" "$EXECTRAIL" >"$T_DIR/$name-whole.json"
  n_exec=$(et list --format ids | wc -l | tr -d ' ')
  n_act=$(jget "$T_DIR/$name-whole.json" 'sum(len(r["execution"]["actions_taken"]) for r in d)')
  python3 "$T_DIR/plan.py" "$src" "$T_DIR/$name-plans" "$seed" "$plans" "$drop" >"$T_DIR/$name-plans.txt"
  same=0 differ=""
  p=0
  while read -r plan; do
    export EXECTRAIL_HOME="$T_DIR/$name-p$p"
    for f in $(echo "$plan" | python3 -c 'import json,sys; print("\n".join(json.load(sys.stdin)))'); do
      et import claude-code "$f" >/dev/null 2>&1 || differ="$differ plan$p(import $f: exit $?)"
    done
    python3 "$T_DIR/norm.py" "$EXECTRAIL" >"$T_DIR/$name-p$p.json"
    if cmp -s "$T_DIR/$name-whole.json" "$T_DIR/$name-p$p.json"; then
      same=$((same + 1))
    else
      differ="$differ plan$p"
      diff "$T_DIR/$name-whole.json" "$T_DIR/$name-p$p.json" | head -20 >&2
    fi
    p=$((p + 1))
  done <"$T_DIR/$name-plans.txt"
  eq "$same/$plans${differ:+ differ:$differ}" "$plans/$plans" \
     "$name: $plans piecewise imports give the whole import's $n_exec records and $n_act actions"
}

converge gen "$T_DIR/gen" 7 8 1
eq "$(jget "$T_DIR/gen-whole.json" '[[(a["tool"], a["agent_id"]) for a in r["execution"]["actions_taken"]] for r in d]')" \
   '[[["Read","a1"],["Edit","a1"],["Bash","a1"],["Bash","a1"]],[["Bash","b2"],["WebFetch","b2"]]]' \
   "parallel same-type subagents started in the opposite order: each delegation has its own agent's actions"
eq "$(jget "$T_DIR/gen-whole.json" '[r["verification"]["status"] for r in d]')" '["PARTIAL","MATCH"]' \
   "A's failed Bash makes it PARTIAL, B is a MATCH"
converge gen-meta "$T_DIR/gen" 11 4 0
converge showcase "$SHOW" 3 4 0
converge showcase-nometa "$SHOW" 5 4 1

# the projection is a pure function of the ledger: a rebuild of a piecewise
# trail gives the same records, and the trail verifies
export EXECTRAIL_HOME="$T_DIR/gen-p0"
check "a piecewise trail rebuilds" et rebuild
python3 "$T_DIR/norm.py" "$EXECTRAIL" >"$T_DIR/gen-p0-rebuilt.json"
eq "$(cmp -s "$T_DIR/gen-whole.json" "$T_DIR/gen-p0-rebuilt.json" && echo same)" same \
   "and gives the same records after the rebuild"
check "and verifies, projections included" et verify

# re-analysis is in the ledger: a completed execution that gained actions
# late was analysed again (trigger "rebind")
found=0
for h in "$T_DIR"/gen-p*; do
  trail_exists "$h/trail.db" || continue
  n=$(sql "$h/trail.db" "SELECT count(*) FROM ledger WHERE type = 'execution.analysed' AND json_extract(body, '\$.body.analysis.trigger') = 'rebind'")
  [ "$n" -gt 0 ] && found=$((found + 1))
done
check "some plans completed an execution before its actions came, and re-analysed it" test "$found" -gt 0
done_testing
