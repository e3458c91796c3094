#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The hook spool: with the store locked (another process holds BEGIN
# EXCLUSIVE), hook calls still exit 0 quickly and spool their input; after
# the lock is released, `spool replay` (or the next hook call) records each
# input exactly once and verify passes. --fail-closed refuses a PreToolUse
# that cannot be recorded.
. "$(dirname "$0")/lib.sh"

N=${ET_SPOOL_CALLS:-240}   # distinct inputs while locked
DUP=10                     # of which this many are delivered twice
SPOOLF="$EXECTRAIL_HOME/hook-spool.jsonl"

tool_json() { # tool_json N: a main-thread PostToolUse with tool_use_id tu_N
  printf '{"session_id":"s-spool","transcript_path":"/t/s.jsonl","cwd":"/w","hook_event_name":"PostToolUse","tool_name":"Bash","tool_input":{"command":"echo %s"},"tool_response":{"stdout":"%s\\n","stderr":"","interrupted":false},"tool_use_id":"tu_%s","duration_ms":%s}' "$1" "$1" "$1" "$1"
}
pre_agent() {
  printf '{"session_id":"s-spool","hook_event_name":"PreToolUse","tool_name":"Agent","tool_input":{"description":"d","prompt":"p","subagent_type":"Explore"},"tool_use_id":"%s"}' "$1"
}
count_tools() { sql "$DB" "SELECT count(*), count(DISTINCT json_extract(body,'$.body.tool_use_id')) FROM ledger WHERE type = 'session.tool'"; }

check "init" et init
printf '%s' "$(tool_json 0)" | et hook
eq "$(count_tools)" "1|1" "an unlocked hook call records at once"

# ---- lock the store ----
python3 - "$DB" "$T_DIR/locked" "$T_DIR/release" <<'PY' &
import os, sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
c.execute("BEGIN EXCLUSIVE")
open(sys.argv[2], "w").close()
while not os.path.exists(sys.argv[3]):
    time.sleep(0.05)
c.execute("ROLLBACK")
PY
LOCKER=$!
T_PIDS="$LOCKER"
for _ in $(seq 200); do [ -e "$T_DIR/locked" ] && break; sleep 0.05; done
[ -e "$T_DIR/locked" ] && ok "the store is locked" || fails "the store is locked" "locker did not start"

# 4 parallel callers; each call is timed
caller() { # caller FIRST LAST OUT
  for i in $(seq "$1" "$2"); do
    s=$(date +%s%N)
    tool_json "$i" | "$EXECTRAIL" hook >>"$3.stdout" 2>>"$3.stderr"
    rc=$?
    e=$(date +%s%N)
    echo "$rc $(( (e - s) / 1000000 ))" >>"$3"
  done
}
q=$((N / 4))
caller 1 $q "$T_DIR/c1" & p1=$!
caller $((q + 1)) $((2 * q)) "$T_DIR/c2" & p2=$!
caller $((2 * q + 1)) $((3 * q)) "$T_DIR/c3" & p3=$!
caller $((3 * q + 1)) "$N" "$T_DIR/c4" & p4=$!
wait $p1 $p2 $p3 $p4
caller 1 $DUP "$T_DIR/c5"   # duplicate deliveries
cat "$T_DIR"/c[1-5] >"$T_DIR/calls"
eq "$(wc -l <"$T_DIR/calls" | tr -d ' ')" $((N + DUP)) "$((N + DUP)) hook calls made while locked"
eq "$(awk '$1 != 0' "$T_DIR/calls" | wc -l | tr -d ' ')" 0 "all of them exit 0"
eq "$(cat "$T_DIR"/c[1-5].stdout | wc -c | tr -d ' ')" 0 "none prints to stdout"
# 200 ms busy wait + process start (slow under sanitizers): well under 3 s
eq "$(awk '$2 > 3000' "$T_DIR/calls" | wc -l | tr -d ' ')" 0 "every call returns within 3 s (max $(sort -k2 -n "$T_DIR/calls" | tail -1 | cut -d' ' -f2) ms)"
eq "$(wc -l <"$SPOOLF" | tr -d ' ')" $((N + DUP)) "every input is in the spool"
python3 -c '
import json, sys
for l in open(sys.argv[1]): json.loads(l)' "$SPOOLF" && ok "the spool holds one JSON per line" || fails "the spool holds one JSON per line"
eq "$(tail -n $DUP "$SPOOLF" | python3 -c 'import json,sys; print(",".join(json.loads(l)["tool_use_id"] for l in sys.stdin))')" \
   "$(seq -s, -f 'tu_%g' 1 $DUP)" "the spool keeps arrival order"
et spool status --json >"$T_DIR/st"
eq "$(jget "$T_DIR/st" 'd["spooled"]')" $((N + DUP)) "spool status counts them"
eq "$(count_tools)" "1|1" "nothing reached the store"

# fail-closed: a PreToolUse is refused while the audit cannot be written
pre_agent tu_fc | "$EXECTRAIL" hook --fail-closed >"$T_DIR/out" 2>"$T_DIR/err"
eq "$?" 2 "--fail-closed: PreToolUse exits 2 while the store is locked"
contains "$T_DIR/err" "tool call refused" "and says why on stderr"
tool_json 9999 | "$EXECTRAIL" hook --fail-closed >"$T_DIR/out" 2>"$T_DIR/err"
eq "$?" 0 "--fail-closed: PostToolUse still exits 0 (it cannot block)"
eq "$(wc -l <"$SPOOLF" | tr -d ' ')" $((N + DUP + 1)) "the refused PreToolUse is not spooled, the PostToolUse is"

# ---- release, replay ----
touch "$T_DIR/release"
wait "$LOCKER"
T_PIDS=""
check "spool replay" et spool replay
eq "$(count_tools)" "$((N + 2))|$((N + 2))" "each input recorded exactly once ($N + the first + 9999)"
eq "$([ -e "$SPOOLF" ] && wc -l <"$SPOOLF" | tr -d ' ' || echo 0)" 0 "the spool is empty"
check "spool replay again" et spool replay
eq "$(count_tools)" "$((N + 2))|$((N + 2))" "a second replay adds nothing"
eq "$(sql "$DB" "SELECT count(*) FROM ledger WHERE json_extract(body,'$.body.tool_use_id') = 'tu_fc'")" 0 \
   "the refused tool call left no trace"
check "verify passes" et verify

# ---- the next successful hook call replays the spool first ----
for i in 1 2 3; do tool_json "1000$i" >>"$SPOOLF"; printf '\n' >>"$SPOOLF"; done
printf "%s" "$(tool_json 10060)" | et hook
eq "$(sql "$DB" "SELECT group_concat(json_extract(body,'$.body.tool_use_id')) FROM (SELECT body FROM ledger WHERE type = 'session.tool' ORDER BY seq DESC LIMIT 4)")" \
   "tu_10060,tu_10003,tu_10002,tu_10001" "a hook call replays the spool before its own input, in order"

# ---- store unavailable (not a database at all): spool, or refuse ----
mkdir -p "$T_DIR/other"
export EXECTRAIL_DB="$T_DIR/other/notadb"
mkdir "$EXECTRAIL_DB"
pre_agent tu_x | "$EXECTRAIL" hook --fail-closed >"$T_DIR/out" 2>"$T_DIR/err"
eq "$?" 2 "--fail-closed: PreToolUse exits 2 when the store cannot be opened"
pre_agent tu_x | "$EXECTRAIL" hook >"$T_DIR/out" 2>"$T_DIR/err"
eq "$?" 0 "without it: exit 0"
eq "$(wc -l <"$T_DIR/other/hook-spool.jsonl" | tr -d ' ')" 1 "and the input is spooled beside the store"
done_testing
