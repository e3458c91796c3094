#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# exectrail export: records matching a query as JSONL (show --json's
# records, which import reads back: a round trip gives the same records) or
# CSV, to stdout or a file made atomically. exectrail erase: one execution
# erased on request through the signed retention erasure, refused under a
# legal hold; verify and the other executions' proofs keep passing. Also
# the session bounds after an erasure (retention run or erase) match a
# rebuild.
. "$(dirname "$0")/lib.sh"

et -q init >/dev/null 2>&1
et -q import "$ET_SOURCE_DIR/examples/runs.jsonl" >/dev/null 2>&1

# ---- export ----
et export >"$T_DIR/all.jsonl" 2>"$T_DIR/err"
eq "$(wc -l <"$T_DIR/all.jsonl")" 3 "export: every execution, one line each"
contains "$T_DIR/err" "exported 3 execution(s)" "a summary on stderr"
et show --json --compact 7e1a0c52-0000-4000-8000-000000000002 >"$T_DIR/one.json"
grep -qxF -f "$T_DIR/one.json" "$T_DIR/all.jsonl" && ok "a line is exactly show --json --compact's record" ||
  fails "a line is exactly show --json --compact's record"
eq "$(et -q export 'agent:db-migrator' | wc -l)" 2 "export QUERY filters"
eq "$(et -q export --limit 1 | wc -l)" 1 "export --limit"
eq "$(et -q export --output - | wc -l)" 3 "--output - is stdout"
check "export --output FILE" et -q export --format jsonl --output "$T_DIR/out.jsonl" verification status MISMATCH
eq "$(wc -l <"$T_DIR/out.jsonl")" 1 "the file holds the match (query words joined)"
[ ! -e "$T_DIR/out.jsonl.partial" ] && ok "no .partial left behind" || fails "no .partial left behind"
# round trip: export, import into another trail, export again
check "the export imports into a new trail" et -q --db "$T_DIR/b/trail.db" import "$T_DIR/all.jsonl"
et -q --db "$T_DIR/b/trail.db" export >"$T_DIR/again.jsonl"
if cmp -s "$T_DIR/all.jsonl" "$T_DIR/again.jsonl"; then ok "export -> import -> export gives the same bytes"
else fails "export -> import -> export gives the same bytes" "$(diff "$T_DIR/all.jsonl" "$T_DIR/again.jsonl" | head -c 400)"; fi
et -q export --format csv >"$T_DIR/x.csv"
et list --format csv >"$T_DIR/l.csv"
cmp -s "$T_DIR/x.csv" "$T_DIR/l.csv" && ok "export --format csv = list --format csv" || fails "export --format csv = list --format csv"
eq "$(et -q export --format csv agent:nobody)" "$(head -n 1 "$T_DIR/l.csv")" "no match: the CSV header alone"
eq "$(et -q export agent:nobody | wc -c)" 0 "no match: empty JSONL"
expect_exit 3 "a query that does not parse" et export --output "$T_DIR/bad.jsonl" 'agent:x AND ('
[ ! -e "$T_DIR/bad.jsonl" ] && [ ! -e "$T_DIR/bad.jsonl.partial" ] && ok "and no file" || fails "and no file"
expect_exit 1 "an output that cannot be written" et export --output "$T_DIR/no/such/dir/x.jsonl"
contains "$T_DIR/err" "cannot write" "says so"
expect_exit 2 "--format json is not an export format" et export --format json
expect_exit 5 "no trail: exit 5" et --db "$T_DIR/none/t.db" export
[ ! -e "$T_DIR/none" ] && ok "export creates nothing" || fails "export creates nothing"

# ---- erase ----
A=7e1a0c52-0000-4000-8000-000000000001
B=7e1a0c52-0000-4000-8000-000000000003
et -q hold "$A" --reason "litigation 17"
expect_exit 7 "erase refuses an execution under legal hold" et erase "$A" --reason "user asked"
contains "$T_DIR/err" "under legal hold" "and says why"
check "the held execution is intact" et show "$A"
et -q unhold "$A"
expect_exit 2 "erase without --reason" et erase "$A"
expect_exit 2 "erase without an id" et erase --reason x
expect_exit 6 "erase an unknown id" et erase ffffffff --reason x
n0=$(sql "$DB" "SELECT count(*) FROM ledger")
expect_exit 3 "an ambiguous prefix is refused" et erase 7e1a0c52 --reason x
check "erase ID --reason" et erase "$A" --reason "personal data by mistake"
contains "$T_DIR/out" "erased $A" "names the execution"
eq "$(sql "$DB" "SELECT count(*) FROM ledger")" "$((n0 + 1))" "one ledger event"
sql "$DB" "SELECT body FROM ledger WHERE type = 'retention.erased'" >"$T_DIR/ev.json"
eq "$(jget "$T_DIR/ev.json" '[d["body"]["rule"], d["body"]["reason"], d["body"]["archive"], "sig" in d["body"]["auth"]]')" \
  '["user","personal data by mistake",null,true]' "a signed retention.erased event, rule user, with the reason"
eq "$(sql "$DB" "SELECT count(*) FROM ledger WHERE execution_id = ? AND body IS NULL" "$A")" \
  "$(sql "$DB" "SELECT count(*) FROM ledger WHERE execution_id = ? AND type NOT LIKE 'retention.%'" "$A")" \
  "every payload of it is gone (the hold events stay)"
expect_exit 6 "show: it is gone" et show "$A"
expect_exit 6 "erasing it again: not found" et erase "$A" --reason again
check "verify passes" et verify
contains "$T_DIR/out" "every row matches" "and the projections match a rebuild"
check "another execution's proof still verifies" et proof "$B"
grep -q "$A" "$T_DIR/all.jsonl" && [ "$(et -q export | grep -c "$A")" -eq 0 ] &&
  ok "export no longer has it" || fails "export no longer has it"
# a forged erasure (a payload nulled without the signed event) is caught
sql "$DB" "UPDATE ledger SET body = NULL WHERE execution_id = ? AND type = 'execution.recorded'" "$B"
expect_exit 4 "nulling a payload by hand is tampering" et verify

# ---- the session bounds after a retention erasure ----
et -q --db "$T_DIR/c/trail.db" import "$ET_SOURCE_DIR/examples/runs.jsonl" >/dev/null 2>&1
check "retention run erases one execution of a shared session" et -q --db "$T_DIR/c/trail.db" retention run --at 2028-03-01
check "verify passes after it (session bounds recomputed)" et --db "$T_DIR/c/trail.db" verify
done_testing
