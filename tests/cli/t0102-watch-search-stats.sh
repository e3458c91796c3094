#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# exectrail watch (follows the ledger, filters by query, prints verdicts, is
# cheap while idle), exectrail search (ranked, snippets, grouped) and
# exectrail stats (per agent, failure patterns, slowest).
. "$(dirname "$0")/lib.sh"

expect_exit 0 "init" et init

# wait_for FILE TEXT: up to 10 s for TEXT to appear in FILE
wait_for() {
  for _ in $(seq 1 100); do
    grep -qF -- "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# cpu_ticks PID: user + system time of a process, in clock ticks
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# ---- watch --------------------------------------------------------------------
# (the binary itself in the background, so that $! is its pid)
"$EXECTRAIL" watch --all --format jsonl 'agent:watched' >"$T_DIR/w.jsonl" 2>"$T_DIR/w.err" &
WJ=$!
"$EXECTRAIL" watch --all 'agent:watched' >"$T_DIR/w.txt" 2>&1 &
WT=$!
T_PIDS="$T_PIDS $WJ $WT"

ID=$(et start --agent watched --request "fix the login bug")
OTHER=$(et start --agent other --request "something else")
et delegate "$ID" --prompt "please fix the login bug" >/dev/null
et action "$ID" --tool Bash --input "make test" >/dev/null
et action "$ID" --tool Edit --input "src/login.c" --error "permission denied" >/dev/null
et action "$OTHER" --tool Read --input "README" >/dev/null
et complete "$ID" --status MATCH >/dev/null
et complete "$OTHER" --status ERROR >/dev/null

if wait_for "$T_DIR/w.jsonl" '"execution.analysed"'; then ok "watch prints the completion"; else
  fails "watch prints the completion" "$(head -c 600 "$T_DIR/w.jsonl") $(head -c 300 "$T_DIR/w.err")"; fi
wait_for "$T_DIR/w.txt" "COMPLETE" || true
check "watch --format jsonl: exactly the watched execution's events, in order, with the verdict" \
  python3 - "$T_DIR/w.jsonl" "$ID" <<'PY'
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1])]
ids = {e["execution_id"] for e in evs}
assert ids == {sys.argv[2]}, ids
types = [e["type"] for e in evs]
assert types == ["execution.started", "execution.delegated", "action.recorded",
                 "action.recorded", "execution.completed",
                 "execution.analysed"], types
seqs = [e["seq"] for e in evs]
assert seqs == sorted(seqs), seqs
assert evs[0]["body"]["main_agent_context"]["user_request"] == "fix the login bug"
assert evs[3]["body"]["error"] == "permission denied"
assert evs[-1]["verification"] == "MATCH" and evs[-1]["agent"] == "watched", evs[-1]
PY
contains "$T_DIR/w.txt" "START" "the text view shows the start"
contains "$T_DIR/w.txt" "FAIL permission denied" "the text view shows a failed action with its error"
contains "$T_DIR/w.txt" "verdict MATCH" "the text view shows the verdict"
not_contains "$T_DIR/w.txt" "${OTHER:0:8}" "executions that do not match are not shown"

# idle: polls back off to 1 s, each a single small read
sleep 1.5
c0=$(cpu_ticks "$WJ")
sleep 3
c1=$(cpu_ticks "$WJ")
if [ $((c1 - c0)) -le 10 ]; then ok "watch uses $((c1 - c0)) CPU ticks in 3 s idle (<= 10)"; else
  fails "watch is cheap while idle" "$((c1 - c0)) ticks in 3 s"; fi

# a new event after the idle period still arrives
ID2=$(et start --agent watched --request "second run")
if wait_for "$T_DIR/w.jsonl" "$ID2"; then ok "watch picks up events after idling"; else
  fails "watch picks up events after idling" "$(tail -c 300 "$T_DIR/w.jsonl")"; fi

kill -TERM "$WJ" "$WT"
wait "$WJ"
eq "$?" "0" "watch exits cleanly on SIGTERM"
wait "$WT" 2>/dev/null

# new events only by default; --exit-after ends it
et watch --exit-after 1 >"$T_DIR/w2.txt" 2>&1
eq "$?" "0" "--exit-after stops watch"
eq "$(wc -l <"$T_DIR/w2.txt" | tr -d ' ')" "0" "without --all old events are not replayed"
expect_exit 3 "a bad watch query exits 3" et watch 'duration_ms >'

# ---- search ---------------------------------------------------------------------
python3 - >"$T_DIR/s.jsonl" <<'PY'
import json
def rec(i, prompt, resp):
    return {"execution_id": "00000000-0000-4000-8000-%012d" % i, "session_id": "s",
            "timestamp_start": "2025-01-16T10:00:%02dZ" % i,
            "agent_metadata": {"name": "searcher"}, "delegation": {"prompt_sent": prompt},
            "output": {"raw_response": resp}}
rows = [rec(1, "rotate the signing key", "done"),
        rec(2, "rotate logs", "the signing key was rotated; signing key rotation signing key"),
        rec(3, "unrelated work", "nothing here"),
        rec(4, "key signing party", "ok")]
for r in rows:
    print(json.dumps(r))
PY
expect_exit 0 "import the search corpus" et -q import "$T_DIR/s.jsonl"
expect_exit 0 "search --format jsonl" et search --format jsonl signing key
cp "$T_DIR/out" "$T_DIR/search.jsonl"
check "search returns every execution with all the words, best first, snippets marked" \
  python3 - "$T_DIR/search.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
ids = [r["execution_id"][-1] for r in rows]
assert sorted(ids) == ["1", "2", "4"], ids
assert ids[0] == "2", ids          # the most mentions ranks first
scores = [r["score"] for r in rows]
assert scores == sorted(scores, reverse=True), scores
for r in rows:
    assert r["matching_events"] == 1 and r["agent"] == "searcher", r
    assert "[signing]" in r["snippets"][0]["text"].lower() or "[key]" in r["snippets"][0]["text"], r
PY
expect_exit 0 "search text output" et search signing key
contains "$T_DIR/out" "1. 00000000-0000-4000-8000-000000000002" "the text view numbers executions"
contains "$T_DIR/out" "[signing] [key]" "the text view highlights the matches"
expect_exit 0 "search --limit 1" et search --format jsonl --limit 1 key
eq "$(wc -l <"$T_DIR/out" | tr -d ' ')" "1" "--limit caps the executions"
expect_exit 0 "operators are plain words" et search --format jsonl 'signing OR unrelated'
eq "$(wc -l <"$T_DIR/out" | tr -d ' ')" "0" "OR is a word to find, not an operator"
expect_exit 3 "nothing to search for exits 3" et search '***'
expect_exit 2 "no words is a usage error" et search

# ---- stats ------------------------------------------------------------------------
expect_exit 0 "stats --format json" et stats --format json
cp "$T_DIR/out" "$T_DIR/stats.json"
check "stats: agents, failure patterns and slowest are computed" \
  python3 - "$T_DIR/stats.json" "$ID" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
ag = {a["agent"]: a for a in d["agents"]}
w = ag["watched"]
assert w["executions"] == 2 and w["match"] == 1 and w["unverified"] == 1, w
assert w["success_rate"] == 1.0 and w["failed_actions"] == 1 and w["actions"] == 2, w
o = ag["other"]
assert o["error"] == 1 and o["success_rate"] == 0.0, o
assert ag["searcher"]["executions"] == 4 and ag["searcher"]["success_rate"] is None
pats = {(p["status"], p["signature"]): p for p in d["failures"]}
assert ("MATCH", "Edit: permission denied") in pats, pats
assert ("ERROR", "(no error recorded)") in pats, pats
assert pats[("MATCH", "Edit: permission denied")]["example_execution_id"] == sys.argv[2]
slow = d["slowest"]
durs = [s["duration_ms"] for s in slow if s["duration_ms"] is not None]
assert durs == sorted(durs, reverse=True) and len(durs) >= 2, slow
PY
expect_exit 0 "stats agents --where" et stats agents --where 'agent:watched'
contains "$T_DIR/out" "watched" "the filtered table has the agent"
not_contains "$T_DIR/out" "searcher" "and not the others"
expect_exit 3 "a bad --where exits 3" et stats --where 'agent:'
expect_exit 2 "an unknown section is a usage error" et stats everything

done_testing
