#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 18, second part: a bad `analysis:` section degrades to the defaults
# with a recorded warning (writes still exit 0); `report --output` never
# follows or writes through a symbolic link and replaces a file by rename;
# reports say which tree head they were computed on and whether `verify`
# checked it (and notice report tables changed since, a failed verify, a
# forged record).
. "$(dirname "$0")/lib.sh"

R1=30500000-0000-4000-8000-000000000001
X=30500000-0000-4000-8000-00000000000a
Y=30500000-0000-4000-8000-00000000000b

# ---- a bad analysis: section ----
check "init" et init
printf 'analysis:\n  thresholdz: 3\n' >"$EXECTRAIL_HOME/config.yaml"
check "start with a bad analysis section" et start --agent cfg --id $X --request "do x"
check "action" et action $X --tool Bash --input "make"
expect_exit 0 "complete (runs the analysis) exits 0 with a bad analysis section" \
  et complete $X --status MATCH --confidence 0.9
contains "$T_DIR/err" "unknown key" "stderr names the bad key"
contains "$T_DIR/err" "(using the defaults)" "stderr says the defaults are used"
eq "$(sql "$DB" "SELECT count(*) FROM ledger WHERE type = 'config.warning' AND json_extract(body,'$.body.section') = 'analysis'")" "1" \
  "one config.warning event for the analysis section"
eq "$(sql "$DB" "SELECT count(*) FROM ledger WHERE type = 'config.warning' AND json_extract(body,'$.body.message') LIKE '%thresholdz%'")" "1" \
  "the warning names the key"
eq "$(sql "$DB" "SELECT count(*) FROM ledger WHERE type = 'execution.analysed' AND execution_id = '$X'")" "1" \
  "the analysis ran with the defaults"
check "start Y" et start --agent cfg --id $Y --request "do y"
expect_exit 0 "a second complete exits 0" et complete $Y --status MATCH --confidence 0.9
eq "$(sql "$DB" "SELECT count(*) FROM ledger WHERE type = 'config.warning'")" "1" \
  "the same error is recorded once, not per write"
spec_record $R1 >"$T_DIR/r1.json"
expect_exit 0 "record with a bad analysis section" et record "$T_DIR/r1.json"
printf 'analysis:\n  enabled: maybe\n' >"$EXECTRAIL_HOME/config.yaml"
Z=30500000-0000-4000-8000-00000000000c
check "start Z" et start --agent cfg --id $Z --request "do z"
expect_exit 0 "complete with another analysis mistake" et complete $Z --status MATCH --confidence 0.9
eq "$(sql "$DB" "SELECT count(*) FROM ledger WHERE type = 'config.warning'")" "2" \
  "a different error is recorded again"
check "verify after the warnings" et verify
rm -f "$EXECTRAIL_HOME/config.yaml"

# ---- report --output and symbolic links ----
O="$T_DIR/outdir"
mkdir -p "$O"
echo "precious" >"$O/target"
ln -s "$O/target" "$O/link"
expect_exit 1 "report --output through a symlink is refused (exit 1)" \
  et report daily --output "$O/link"
contains "$T_DIR/err" "is a symbolic link" "the message says why"
eq "$(cat "$O/target")" "precious" "the symlink's target is untouched"
eq "$(readlink "$O/link")" "$O/target" "the symlink itself is left alone"
ln -s "$O/nothing-here" "$O/dangling"
expect_exit 1 "a dangling symlink is refused too" et report daily --output "$O/dangling"
[ -e "$O/nothing-here" ] && fails "nothing is created through the dangling link" ||
  ok "nothing is created through the dangling link"
mkdir "$O/adir"
expect_exit 1 "a directory is refused" et report daily --output "$O/adir"
contains "$T_DIR/err" "not a regular file" "the message says it is not a regular file"
expect_exit 0 "report --output a new file" et report daily --format json --output "$O/r.json"
eq "$(jget "$O/r.json" 'd["kind"]')" "daily" "the file holds the report"
echo "old report" >"$O/r.txt"
ln "$O/r.txt" "$O/r-hardlink"
expect_exit 0 "report --output over an existing file" et report daily --output "$O/r.txt"
contains "$O/r.txt" "Daily report" "it is replaced"
eq "$(cat "$O/r-hardlink")" "old report" "by a rename: another name of the old file is not written through"
eq "$(ls -a "$O" | grep -c '\.tmp\.')" "0" "no temporary file is left behind"
expect_exit 1 "a directory that does not exist" et report daily --output "$O/no/such/r.txt"
contains "$T_DIR/err" "cannot write" "says it cannot write"

# ---- reports say whether their figures were verified ----
vstatus() { et report daily --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["ledger_verification"]["status"])'; }
check "one more event after the last verify" et start --agent cfg --request "later"
eq "$(vstatus)" "stale" "after new events the last verify does not cover the report's head"
check "verify --no-projections" et verify --no-projections
eq "$(vstatus)" "ledger_verified" "ledger only: the projections are said to be unchecked"
check "verify" et verify
eq "$(vstatus)" "verified" "after a full verify at this head: verified"
et report daily >"$T_DIR/v.txt"
contains "$T_DIR/v.txt" "Verification: verified: 'exectrail verify' checked the ledger and" "text says so"
et report agent cfg --format md >"$T_DIR/v.md"
contains "$T_DIR/v.md" "Verification: verified:" "markdown says so (agent report)"
et report agents --format html >"$T_DIR/v.html"
contains "$T_DIR/v.html" 'id="verification" data-status="verified"' "html says so (agents report)"
et report daily --format json >"$T_DIR/v.json"
eq "$(jget "$T_DIR/v.json" '[d["ledger_verification"]["checked_tree_size"] == d["checkpoint"]["tree_size"], d["ledger_verification"]["checked_at"] is not None]')" \
  "[true,true]" "json names the checked head and when"
# tampering with what reports read, after verify: the report notices
is_pg || cp "$DB" "$T_DIR/clean.db"
sql "$DB" "UPDATE report_slots SET n = n + 5 WHERE slot = (SELECT max(slot) FROM report_slots)"
eq "$(vstatus)" "altered" "report tables edited after verify: not verified"
et report daily >"$T_DIR/v.txt"
contains "$T_DIR/v.txt" "NOT verified: the report tables changed after" "text says so"
expect_exit 4 "verify finds the edit" et verify
eq "$(vstatus)" "failed" "after the failed verify the report says verify failed at this head"
# a forged record: changed without the key
if is_pg; then # no file to copy back: the edit undone
  sql "$DB" "UPDATE report_slots SET n = n - 5 WHERE slot = (SELECT max(slot) FROM report_slots)"
else
  cp "$T_DIR/clean.db" "$DB"; rm -f "$DB-wal" "$DB-shm"
fi
check "verify the clean copy" et verify
sql "$DB" "UPDATE meta SET value = replace(value, 'ledger ok', 'ledger ok ') WHERE key = 'verified'"
eq "$(vstatus)" "invalid" "an edited verification record is not trusted"
sql "$DB" "DELETE FROM meta WHERE key = 'verified'"
eq "$(vstatus)" "not_checked" "no record: not checked"
# a ledger edit that verify sees
check "verify again" et verify
sql "$DB" "UPDATE ledger SET body = replace(body, 'do x', 'do X') WHERE seq = (SELECT min(seq) FROM ledger WHERE body LIKE '%do x%')"
expect_exit 4 "verify finds the ledger edit" et verify
eq "$(vstatus)" "failed" "the report says verify found the ledger altered"
et report daily >"$T_DIR/v.txt"
contains "$T_DIR/v.txt" "found the ledger altered" "and names the ledger"

done_testing
