#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# exectrail import claude-code: every fixture transcript imports, the
# executions match the Agent/Task calls, re-import adds nothing, and a
# transcript import agrees with what the live hook recorded.
. "$(dirname "$0")/lib.sh"

TR="$ET_SOURCE_DIR/tests/data/claude/transcripts"
events() { sql "$DB" "SELECT count(*) FROM ledger"; }

check "import the whole fixture tree" et import claude-code "$TR"
contains "$T_DIR/err" "5 file(s)" "five transcript files read (incl. two subagent files)"
et list --format ids >"$T_DIR/ids"
eq "$(wc -l <"$T_DIR/ids" | tr -d ' ')" 3 "three executions: two Agent calls (showcase) and one Task call (sidechain)"
python3 - "$TR" >"$T_DIR/calls" <<'PY'
import json, os, sys
ids = []
for root, _, files in os.walk(sys.argv[1]):
    for f in files:
        if not f.endswith(".jsonl"): continue
        for l in open(os.path.join(root, f)):
            d = json.loads(l)
            if d.get("type") != "assistant" or d.get("isSidechain"): continue
            for b in d["message"]["content"]:
                if b.get("type") == "tool_use" and b.get("name") in ("Agent", "Task"):
                    ids.append(b["id"])
print(",".join(sorted(ids)))
PY
eq "$(sql "$DB" "SELECT group_concat(t) FROM (SELECT json_extract(doc,'$.tool_use_id') AS t FROM executions ORDER BY t) AS sub")" \
   "$(cat "$T_DIR/calls")" "the executions are exactly the transcripts' Agent/Task calls"
eq "$(sql "$DB" "SELECT count(*) FROM executions WHERE state = 'completed'")" 3 "all completed"
n=$(events)
check "import again" et import claude-code "$TR"
eq "$(events)" "$n" "re-import adds nothing"
contains "$T_DIR/err" "0 event(s) recorded" "and says so"
check "verify" et verify
expect_exit 2 "no path is a usage error" et import claude-code

# ---- progress on a terminal (script(1) gives the command a pty) ----
EXECTRAIL_DB="$T_DIR/tty/trail.db" script -qec "'$EXECTRAIL' import claude-code '$TR'" /dev/null >"$T_DIR/tty.out" 2>&1
eq "$?" 0 "import on a terminal"
grep -q $'\r\033\[Krecording: [0-9]*/[0-9]* hook inputs' "$T_DIR/tty.out" && ok "a terminal sees progress lines" \
  || fails "a terminal sees progress lines" "$(cat -v "$T_DIR/tty.out" | head -c 600)"
contains "$T_DIR/tty.out" "5 file(s)" "and the summary"
eq "$(grep -c 'recording:' "$T_DIR/err")" 0 "no progress lines when stderr is not a terminal"
done_testing
