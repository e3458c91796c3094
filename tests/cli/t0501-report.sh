#!/bin/bash
# SPDX-License-Identifier: MIT
# exectrail report daily|agent|agents on a generated corpus: every figure
# is compared with what report_corpus.py computes from the records
# themselves; text, Markdown and JSON; rollups kept up to date by the
# lifecycle verbs and recomputed by rebuild; the checkpoint; bad options.
. "$ET_SOURCE_DIR/tests/cli/lib.sh"

P="python3 $ET_SOURCE_DIR/tests/cli/report_corpus.py"
export EXECTRAIL_NOW=2025-01-17T20:00:00Z
C="$T_DIR/corpus.jsonl"
$P gen 7 2025-01-17 12 700 >"$C"
check "init" et init
check "import the corpus" et import "$C"

# ---- JSON: every figure against the independent computation ----
report_check() { # NAME EXPECT-ARGS... -- REPORT-ARGS...
  name=$1
  shift
  ex=()
  while [ "$1" != "--" ]; do ex+=("$1"); shift; done
  shift
  $P expect "$C" "${ex[@]}" >"$T_DIR/want.json"
  if ! et report "$@" --format json >"$T_DIR/got.json" 2>"$T_DIR/err"; then
    fails "$name" "report failed: $(head -c 300 "$T_DIR/err")"
    return
  fi
  if $P check "$T_DIR/want.json" "$T_DIR/got.json" >"$T_DIR/diff"; then
    ok "$name"
  else
    fails "$name" "$(head -c 900 "$T_DIR/diff")"
  fi
}
report_check "daily (UTC) figures" daily 2025-01-17 0 -- daily
report_check "daily of an earlier date" daily 2025-01-12 0 -- \
  daily --date 2025-01-12
report_check "daily in America/New_York (UTC-5)" daily 2025-01-14 -5 -- \
  daily --date 2025-01-14 --tz America/New_York
report_check "daily in Asia/Tokyo (UTC+9)" daily 2025-01-15 9 -- \
  daily --date 2025-01-15 --tz Asia/Tokyo
# days that begin at a half or three quarters of a UTC hour (quarter-hour
# rollups). The days are chosen so that their figures differ from those of
# the same day with the offset rounded to a whole (or, for +5:45, half)
# hour: a report that rounded its bounds would fail these checks.
report_check "daily in Asia/Kolkata (UTC+5:30)" daily 2025-01-12 5.5 -- \
  daily --date 2025-01-12 --tz Asia/Kolkata
report_check "daily in Asia/Kathmandu (UTC+5:45)" daily 2025-01-11 5.75 -- \
  daily --date 2025-01-11 --tz Asia/Kathmandu
report_check "daily in America/St_Johns (UTC-3:30)" daily 2025-01-15 -3.5 -- \
  daily --date 2025-01-15 --tz America/St_Johns
# (20:00Z is 01:30 on 2025-01-18 in Kolkata)
report_check "agents over 5 days in Asia/Kolkata" agents 2025-01-18 5 5.5 -- \
  agents --since 5d --tz Asia/Kolkata
for off in 5 6; do   # the control: rounded offsets give other figures
  $P expect "$C" daily 2025-01-12 $off >"$T_DIR/want.json"
  et report daily --date 2025-01-12 --tz Asia/Kolkata --format json >"$T_DIR/got.json"
  if $P check "$T_DIR/want.json" "$T_DIR/got.json" >/dev/null; then
    fails "the Kolkata day differs from a day at UTC+$off"
  else ok "the Kolkata day differs from a day at UTC+$off"; fi
done
report_check "agent test-runner (declining)" agent test-runner 2025-01-17 30 \
  -- agent test-runner
report_check "agent code-reviewer over 7 days" agent code-reviewer \
  2025-01-17 7 -- agent code-reviewer --since 7d
report_check "agent planner over 2 days: not enough data" agent planner \
  2025-01-17 2 -- agent planner --since 2
report_check "agents leaderboard" agents 2025-01-17 30 -- agents --since 30d
# whole UTC days from the daily histogram, the edge hours from the hourly one
report_check "agent over 5 days in America/New_York" agent doc-writer \
  2025-01-17 5 -5 -- agent doc-writer --since 5d --tz America/New_York
# (20:00Z is already 2025-01-18 in Tokyo)
report_check "agents over 6 days in Asia/Tokyo" agents 2025-01-18 6 9 -- \
  agents --since 6d --tz Asia/Tokyo

# the checker can fail: another day's figures do not pass as this day's
$P expect "$C" daily 2025-01-16 0 >"$T_DIR/want.json"
et report daily --format json >"$T_DIR/got.json"
if $P check "$T_DIR/want.json" "$T_DIR/got.json" >/dev/null; then
  fails "checker rejects the wrong day"
else ok "checker rejects the wrong day"; fi

# ---- the checkpoint ----
et report daily --format json >"$T_DIR/d.json"
et verify >"$T_DIR/verify"
root=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["checkpoint"]["root"])' "$T_DIR/d.json")
size=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["checkpoint"]["tree_size"])' "$T_DIR/d.json")
contains "$T_DIR/verify" "tree size $size, root $root" \
  "the report's checkpoint is the verified tree head"
eq "$size" "$(wc -l <"$C" | tr -d ' ')" "tree size = events recorded"
python3 -c 'import json,sys; sys.stdout.write(json.load(open(sys.argv[1]))["checkpoint"]["signed_note"])' "$T_DIR/d.json" >"$T_DIR/note"
check "the signed note verifies against the trail" \
  et verify --checkpoint "$T_DIR/note"

# ---- text: aligned, 80 columns, no colour off a terminal ----
$P expect "$C" daily 2025-01-17 0 >"$T_DIR/want.json"
et report daily >"$T_DIR/daily.txt"
python3 - "$T_DIR/want.json" "$T_DIR/daily.txt" >"$T_DIR/diff" <<'EOF'
import json, sys
e = json.load(open(sys.argv[1]))
text = open(sys.argv[2]).read()
want = ["Executions    %d " % e["total"],
        "Success rate  %.1f%% (%d MATCH of %d verified)" % (
            100 * e["success_rate"], e["match"], e["verified"]),
        "Checkpoint: %d events" % 700]
want += ["  %-40s %6d" % (a, n) for a, n in e["agents"].items()]
want += [s for s, _, _ in e["top_issues"][:10]]
for w in want:
    if w not in text:
        print("missing: %r" % w)
for i, line in enumerate(text.splitlines()):
    if len(line) > 80:
        print("line %d has %d columns" % (i + 1, len(line)))
if "\x1b" in text:
    print("colour codes off a terminal")
EOF
if [ -s "$T_DIR/diff" ]; then fails "text report" "$(head -c 900 "$T_DIR/diff")"
else ok "text report: figures, 80 columns, no colour"; fi
et report agent test-runner >"$T_DIR/agent.txt"
contains "$T_DIR/agent.txt" "declining: " "agent text shows the trend"
contains "$T_DIR/agent.txt" "(rests on 12 days)" \
  "agent text says how many days the trend rests on"
et report agent planner --since 2d >"$T_DIR/agent2.txt"
contains "$T_DIR/agent2.txt" "not enough data (rests on 2 days" \
  "a two-day trend is not oversold"
# colour on a terminal (script gives a pty), none with NO_COLOR
script -qec "$EXECTRAIL report daily" /dev/null >"$T_DIR/tty.txt" 2>&1
if grep -q $'\x1b\[' "$T_DIR/tty.txt"; then ok "colour on a terminal"
else fails "colour on a terminal" "$(head -c 300 "$T_DIR/tty.txt")"; fi
NO_COLOR=1 script -qec "$EXECTRAIL report daily" /dev/null >"$T_DIR/tty.txt" 2>&1
if grep -q $'\x1b\[' "$T_DIR/tty.txt"; then fails "NO_COLOR honoured"
else ok "NO_COLOR honoured"; fi

# ---- Markdown ----
et report daily --format md >"$T_DIR/daily.md"
python3 - "$T_DIR/want.json" "$T_DIR/daily.md" >"$T_DIR/diff" <<'EOF'
import json, sys
e = json.load(open(sys.argv[1]))
md = open(sys.argv[2]).read()
want = ["# Daily report 2025-01-17 (UTC)",
        "| Executions | %d |" % e["total"],
        "| Success rate | %.1f%% (%d MATCH of %d verified) |" % (
            100 * e["success_rate"], e["match"], e["verified"])]
for a, n in e["agents"].items():
    want.append("| %s | %d |" % (a.replace("_", "\\_"), n))
for s, t, c in e["top_issues"][:10]:
    esc = "".join("\\" + ch if ch in "|\\`*_[]<>#" else ch for ch in s)
    want.append("| %d | %d | %s | %s |" % (c, c, t, esc))
for w in want:
    if w not in md:
        print("missing: %r" % w)
EOF
if [ -s "$T_DIR/diff" ]; then fails "markdown report" "$(head -c 900 "$T_DIR/diff")"
else ok "markdown report: figures, agents, issues"; fi

# ---- rollups follow the lifecycle verbs and rebuild ----
before=$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(m["executions"]["total"], m["executions"]["match"], m["duration_ms"]["count"])' "$T_DIR/d.json")
id=$(echo '{"session_id":"s-live","timestamp_start":"2025-01-17T09:00:00.000Z","agent_metadata":{"name":"live-agent"},"main_agent_context":{"user_request":"x"}}' | et start --json -)
echo '{"timestamp_end":"2025-01-17T09:00:02.500Z","verification":{"status":"MATCH"},"quality_metrics":{"completeness":"HIGH","accuracy":"HIGH","efficiency":"HIGH"},"issues":[{"type":"WARNING","description":"flaky step 12 retried"}]}' >"$T_DIR/complete.json"
check "complete the live execution" et complete "$id" --json "$T_DIR/complete.json"
et report daily --format json >"$T_DIR/d2.json"
after=$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(m["executions"]["total"], m["executions"]["match"], m["duration_ms"]["count"])' "$T_DIR/d2.json")
want=$(echo "$before" | awk '{print $1+1, $2+1, $3+1}')
eq "$after" "$want" "start + complete move the rollups by one execution"
grep -q '"name": "live-agent"' "$T_DIR/d2.json" && grep -q 'flaky step N retried' "$T_DIR/d2.json"
eq "$?" 0 "the live agent and its issue signature are reported"
check "rebuild" et rebuild
et report daily --format json >"$T_DIR/d3.json"
et report agents --format json >"$T_DIR/a3.json"
if cmp -s "$T_DIR/d2.json" "$T_DIR/d3.json"; then
  ok "rebuild recomputes the same rollups"
else fails "rebuild recomputes the same rollups" "$(diff "$T_DIR/d2.json" "$T_DIR/d3.json" | head -20)"; fi

# ---- bad options: usage errors, not found ----
expect_exit 2 "unknown zone" et report daily --tz Nowhere/Atlantis
contains "$T_DIR/err" "unknown time zone 'Nowhere/Atlantis'" "names the zone"
# a zone that is not a whole number of quarter hours from UTC (Kathmandu's
# local mean time, +05:41:16, until 1920) is refused
expect_exit 2 "a zone off the quarter hours is refused" et report daily \
  --tz Asia/Kathmandu --date 1910-01-01
contains "$T_DIR/err" "whole number of quarter hours" "says why"
expect_exit 2 "impossible date" et report daily --date 2025-02-30
contains "$T_DIR/err" "--date: '2025-02-30'" "names the date"
expect_exit 2 "bad --since" et report agents --since 0d
expect_exit 2 "bad format" et report daily --format pdf
expect_exit 2 "no subcommand" et report
expect_exit 2 "agent without a name" et report agent
expect_exit 2 "--since on daily" et report daily --since 3d
expect_exit 6 "unknown agent" et report agent nobody
contains "$T_DIR/err" "no executions of agent 'nobody'" "names the agent"
check "--help" et report --help
contains "$T_DIR/out" "usage: exectrail report daily" "help text"
expect_exit 5 "no trail" env EXECTRAIL_HOME="$T_DIR/none" "$EXECTRAIL" report daily

# an empty trail reports zeros, not errors
EXECTRAIL_HOME="$T_DIR/empty" et init >/dev/null 2>&1
EXECTRAIL_HOME="$T_DIR/empty" et report daily --format json >"$T_DIR/e.json"
eq "$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(m["executions"]["total"], m["success_rate"], m["duration_ms"]["p50"], m["checkpoint"]["tree_size"])' "$T_DIR/e.json")" \
  "0 None None 0" "empty trail: zeros and nulls"
# a trail whose executions predate the report rollups (made before migration
# 8: simulated by emptying the rollups, undoing migrations 14, 13, 12 and
# 11 and going back to schema 9) is refused until rebuild recomputes them
if sqlite_only "undoes SQLite's schema migrations 14 to 10 (PostgreSQL's schema never had hourly rollups)"; then
U="$T_DIR/upgraded"
EXECTRAIL_HOME="$U" et init >/dev/null 2>&1
EXECTRAIL_HOME="$U" et start --agent old-agent >/dev/null 2>&1
for stmt in "DROP INDEX report_slots_agent" \
            "ALTER TABLE report_slots RENAME COLUMN slot TO hour" \
            "ALTER TABLE report_slots RENAME TO report_hourly" \
            "ALTER TABLE report_duration RENAME COLUMN slot TO hour" \
            "ALTER TABLE report_issues RENAME COLUMN slot TO hour" \
            "CREATE INDEX report_hourly_agent ON report_hourly(agent, hour)" \
            "DELETE FROM report_hourly" "DELETE FROM report_duration" \
            "DELETE FROM report_duration_day" \
            "DROP TRIGGER executions_start_lists" "DROP INDEX exec_lists_item" \
            "ALTER TABLE exec_lists DROP COLUMN start_ns" \
            "CREATE INDEX exec_lists_item ON exec_lists(kind, item, execution_id)" \
            "DROP TABLE agent_bindings" "DROP TABLE agent_actions" \
            "DROP TABLE notes" "PRAGMA user_version = 9"; do
  sql "$U/trail.db" "$stmt"
done
EXECTRAIL_HOME="$U" check "a write applies the new migration" et start --agent other-agent
EXECTRAIL_HOME="$U" expect_exit 7 "report on an upgraded trail with empty rollups: exit 7" et report daily
contains "$T_DIR/err" "run 'exectrail rebuild' once" "and says what to do"
EXECTRAIL_HOME="$U" check "rebuild" et rebuild
EXECTRAIL_HOME="$U" check "then the report works" et report agents --format json
contains "$T_DIR/out" '"old-agent"' "with the old execution counted"
fi
# a store whose executions table is still WITHOUT ROWID (made before
# migration 15: simulated by going back to it) is converted by the next
# write, with every row, index and the trigger, and verifies
if sqlite_only "SQLite's migration 15"; then
V="$T_DIR/v14"
EXECTRAIL_HOME="$V" et start --agent mig-a >/dev/null 2>&1
EXECTRAIL_HOME="$V" et start --agent mig-b >/dev/null 2>&1
cols="execution_id TEXT PRIMARY KEY, session_id TEXT, agent_name TEXT, agent_version TEXT, state TEXT NOT NULL, verification TEXT, completeness TEXT, accuracy TEXT, efficiency TEXT, start_ns INTEGER, end_ns INTEGER, duration_ms INTEGER, n_actions INTEGER NOT NULL DEFAULT 0, n_failed_actions INTEGER NOT NULL DEFAULT 0, first_seq INTEGER NOT NULL, last_seq INTEGER NOT NULL, doc TEXT NOT NULL"
for stmt in "CREATE TABLE e_old($cols) WITHOUT ROWID" \
            "INSERT INTO e_old SELECT * FROM executions" "DROP TABLE executions" \
            "ALTER TABLE e_old RENAME TO executions" "PRAGMA user_version = 14"; do
  sql "$V/trail.db" "$stmt"
done
eq "$(sql "$V/trail.db" "SELECT sql LIKE '%WITHOUT ROWID' FROM sqlite_master WHERE name = 'executions'")" 1 \
  "set-up: executions is WITHOUT ROWID at schema 14"
EXECTRAIL_HOME="$V" check "a write applies migration 15" et start --agent mig-c
eq "$(sql "$V/trail.db" "SELECT sql LIKE '%WITHOUT ROWID' FROM sqlite_master WHERE name = 'executions'")" 0 \
  "executions is a rowid table after migration 15"
eq "$(sql "$V/trail.db" "SELECT count(*) FROM executions")" 3 "its rows kept"
eq "$(sql "$V/trail.db" "SELECT count(*) FROM sqlite_master WHERE tbl_name = 'executions' AND name IN ('executions_start','executions_agent','executions_session','executions_verification','executions_quality','executions_duration','executions_start_lists')")" 7 \
  "its six indexes and the trigger are back"
EXECTRAIL_HOME="$V" check "the converted trail verifies (projections too)" et verify
fi
done_testing
