#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Output people read: show gives each action's input, output and error on
# one line each, cut at --width; one sample's percentiles are that sample;
# stats works on a trail without failures; insights never says "no problem"
# beside executions that failed.
. "$(dirname "$0")/lib.sh"

et -q init >/dev/null 2>&1
id=$(et start --agent reviewer --request "review" 2>/dev/null)
long=$(printf 'line %s of a long input\n' $(seq 1 30))
et -q action "$id" --tool Bash --input "$long" --output "all tests passed"
et -q action "$id" --tool Grep --input 'secret' --error "permission denied"
et -q complete "$id" --status MISMATCH

expect_exit 0 "show" et show "$id"
contains "$T_DIR/out" "input   line 1 of a long input line 2" "an action's input, newlines as spaces"
contains "$T_DIR/out" "output  all tests passed" "an action's output"
contains "$T_DIR/out" "error   permission denied" "an action's error"
grep 'input   line 1' "$T_DIR/out" | grep -q '\.\.\.$' && ok "a long input is cut, and says so" || fails "a long input is cut"
len=$(grep 'input   line 1' "$T_DIR/out" | sed 's/^ *input   //; s/\.\.\.$//' | wc -c)
[ "$len" -eq 101 ] && ok "cut at 100 characters by default" || fails "cut at 100 characters by default" "got $len"
! grep -q '^line 2 of a long input' "$T_DIR/out" && ok "the input stays on one line" || fails "the input stays on one line"
expect_exit 0 "show --width 0" et show --width 0 "$id"
contains "$T_DIR/out" "line 30 of a long input" "--width 0 shows the whole input"
expect_exit 0 "show --width 20" et show --width 20 "$id"
contains "$T_DIR/out" "input   line 1 of a long inp..." "--width 20 cuts at 20"
expect_exit 2 "show --width x" et show --width x "$id"
expect_exit 0 "show --format json" et show --format json "$id"
cp "$T_DIR/out" "$T_DIR/fmt.json"
et show --json "$id" >"$T_DIR/old.json"
cmp -s "$T_DIR/fmt.json" "$T_DIR/old.json" && ok "--format json is --json" || fails "--format json is --json"
# UTF-8: never cut inside a character
et -q action "$(et start --agent u --request r 2>/dev/null)" --tool Read --input "$(printf 'é%.0s' $(seq 1 80))" 2>/dev/null
uid=$(et list --agent u --format ids)
et show --width 9 "$uid" | grep 'input' | sed 's/^ *input   //; s/\.\.\.$//' >"$T_DIR/cut"
python3 -c 'import sys; open(sys.argv[1], encoding="utf-8").read()' "$T_DIR/cut" &&
  ok "a cut keeps UTF-8 whole" || fails "a cut keeps UTF-8 whole" "$(od -c "$T_DIR/cut" | head -n 2)"

# one sample: every percentile is that sample (not its histogram bucket's middle)
et -q record "$ET_SOURCE_DIR/examples/run.json"
et report daily --date 2025-01-16 --format json >"$T_DIR/day.json"
python3 - "$T_DIR/day.json" <<'PY' && ok "one sample: p50 = p95 = p99 = the sample" || fails "one sample's percentiles"
import json, sys
d = json.load(open(sys.argv[1]))
def find(o):
    if isinstance(o, dict):
        if "p50" in o and "count" in o:
            return o
        for v in o.values():
            r = find(v)
            if r: return r
    if isinstance(o, list):
        for v in o:
            r = find(v)
            if r: return r
dur = find(d)
assert dur["count"] == 1, dur
assert dur["p50"] == dur["p95"] == dur["p99"] == 135234, dur
PY

# stats on a trail whose only failure is a failed action (no failure pattern
# list to sort at first): ran into qsort(NULL, 0) before
home_rm "$EXECTRAIL_HOME"
et -q record "$ET_SOURCE_DIR/examples/run.json" >/dev/null 2>&1
expect_exit 0 "stats on a one-record trail" et stats
contains "$T_DIR/out" "agent-name" "stats names the agent"

# insights: a failed execution is never "no problem"
et -q import "$ET_SOURCE_DIR/examples/runs.jsonl" >/dev/null 2>&1
expect_exit 0 "insights db-migrator" et insights db-migrator
not_contains "$T_DIR/out" "no rule found a problem" "insights does not say 'no problem' beside a MISMATCH"
contains "$T_DIR/out" "did not MATCH" "it says what did not match"
expect_exit 0 "insights for one good run" et insights agent-name
contains "$T_DIR/out" "rules need 5" "too few runs to judge is said as such"
done_testing
