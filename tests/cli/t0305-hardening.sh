#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 18, second part: a bad `analysis:` section degrades to the defaults
# with a recorded warning (writes still exit 0); `report --output` never
# follows or writes through a symbolic link and replaces a file by rename;
# reports say which tree head they were computed on and whether `verify`
# checked it (and notice report tables changed since).
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
eq "$(sql "$DB" "SELECT json_extract(body,'$.body.message') LIKE '%thresholdz%' FROM ledger WHERE type = 'config.warning'")" "1" \
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

done_testing
