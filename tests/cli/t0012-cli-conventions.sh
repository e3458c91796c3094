#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The command-line conventions of docs/CLI.md, checked against the doc
# itself so that the two cannot drift: the exit-status table (parsed from the
# doc) agrees with `exectrail --help` and with what the commands return;
# every verb listed by --help has a --help, refuses an unknown option with
# the usage status, and takes the global options on either side; the
# output-format table (parsed from the doc) is exactly what each verb's
# --help offers and accepts; a missing input file is the invalid-input
# status everywhere; `-` is stdin; times are relative or absolute;
# NO_COLOR is honoured.
. "$(dirname "$0")/lib.sh"

DOC="$ET_SOURCE_DIR/docs/CLI.md"

# ---- the exit-status table ---------------------------------------------------------
sed -n '/^## Exit statuses/,/^## /p' "$DOC" | awk -F'|' '/^\| [0-9]+ \|/ {
  gsub(/^ +| +$/, "", $2); gsub(/^ +| +$/, "", $3); print $2 "\t" $3 }' >"$T_DIR/codes"
[ "$(wc -l <"$T_DIR/codes")" -ge 8 ] && ok "CLI.md's exit-status table parses ($(wc -l <"$T_DIR/codes") rows)" ||
  fails "CLI.md's exit-status table parses" "$(cat "$T_DIR/codes")"
code_for() { awk -F'\t' -v w="$1" 'index($2, w) == 1 || index($2, " " w) {print $1; exit}' "$T_DIR/codes"; }
USAGE=$(code_for "usage error")
INPUT=$(code_for "invalid input")
INTEG=$(code_for "integrity failure")
UNAVAIL=$(code_for "store unavailable")
NOTFOUND=$(code_for "not found")
for v in USAGE INPUT INTEG UNAVAIL NOTFOUND; do
  [ -n "${!v}" ] && ok "the table has a status for $v (${!v})" || fails "the table has a status for $v"
done

# `exectrail --help` states the same statuses, in the same words
et --help >"$T_DIR/help"
sed -n '/^exit status:/,/^$/p' "$T_DIR/help" | tr '\n' ' ' | sed 's/^exit status: *//; s/([^)]*)//g' |
  tr ',' '\n' | sed 's/^ *//; s/ *$//' | grep . >"$T_DIR/help-codes"
[ "$(wc -l <"$T_DIR/help-codes")" -eq "$(wc -l <"$T_DIR/codes")" ] &&
  ok "--help lists as many statuses as the doc" ||
  fails "--help lists as many statuses as the doc" "$(cat "$T_DIR/help-codes")"
while read -r n phrase; do
  [ "$n" = 0 ] && continue
  meaning=$(awk -F'\t' -v n="$n" '$1 == n {print $2}' "$T_DIR/codes")
  case "$meaning" in *"$phrase"*) ok "status $n: --help's '$phrase' is the doc's" ;;
  *) fails "status $n: --help says '$phrase', the doc '$meaning'" ;; esac
done <"$T_DIR/help-codes"

# ---- every verb ----------------------------------------------------------------------
VERBS=$(sed -n '/^commands:/,/^$/p' "$T_DIR/help" | awk 'NF > 1 {print $1}')
[ "$(echo "$VERBS" | wc -w)" -ge 30 ] && ok "--help lists the verbs" || fails "--help lists the verbs" "$VERBS"
for v in $VERBS; do
  expect_exit 0 "$v --help" et "$v" --help
  head -n 1 "$T_DIR/out" | grep -q "^usage: exectrail $v" || fails "$v --help starts with its usage"
  cp "$T_DIR/out" "$T_DIR/help-$v"
  expect_exit 0 "$v: -q and --db after the verb" et "$v" -q --db "$T_DIR/none/x.db" --help
  expect_exit 0 "$v: -q and --db before the verb" et -q --db "$T_DIR/none/x.db" "$v" --help
  if [ "$v" = hook ]; then
    expect_exit 0 "hook: exits 0 whatever happens (documented exception)" et hook --no-such-option
  else
    expect_exit "$USAGE" "$v: an unknown option is a usage error" et "$v" --no-such-option
  fi
done
[ ! -e "$T_DIR/none" ] && ok "no --help created a trail" || fails "no --help created a trail"

# ---- the output-format table ----------------------------------------------------------
sed -n '/^## Output formats/,/^## /p' "$DOC" | awk -F'|' '/^\| `[a-z -]+` \|/ {
  gsub(/`/, "", $2); gsub(/^ +| +$/, "", $2); gsub(/ /, "", $3); gsub(/,/, "|", $3); print $2 "\t" $3 }' >"$T_DIR/formats"
[ "$(wc -l <"$T_DIR/formats")" -ge 10 ] && ok "CLI.md's format table parses" ||
  fails "CLI.md's format table parses" "$(cat "$T_DIR/formats")"
while IFS="$(printf '\t')" read -r v vals; do
  verb=${v%% *}
  if grep -q -- "--format $vals\]" "$T_DIR/help-$verb"; then ok "$v --help offers --format $vals"; else
    fails "$v --help offers --format $vals" "$(grep -o -- '--format [^ ]*' "$T_DIR/help-$verb" | head -n 1)"
  fi
  for f in $(echo "$vals" | tr '|' ' '); do
    # shellcheck disable=SC2086
    expect_exit 0 "$v accepts --format $f" et $v --format "$f" --help
    # shellcheck disable=SC2086
    expect_exit 0 "$v accepts a global --format $f" et --format "$f" $v --help
  done
  # shellcheck disable=SC2086
  expect_exit "$USAGE" "$v refuses --format bogus" et $v --format bogus --help
  grep -q "${vals%%|*}" "$T_DIR/err" && ok "$v: the refusal lists the formats" ||
    fails "$v: the refusal lists the formats" "$(cat "$T_DIR/err")"
done <"$T_DIR/formats"
# every verb whose --help offers --format is in the table (no drift)
for v in $VERBS; do
  grep -q -- '--format [a-z]*|' "$T_DIR/help-$v" || continue
  grep -qE "^$v( [a-z]+)?	" "$T_DIR/formats" && ok "$v's --format is in CLI.md's table" ||
    fails "$v offers --format but CLI.md's table does not list it"
done
# the human aliases: table and text are the same
expect_exit 0 "search --format table (alias of text)" et search --format table --help
expect_exit 0 "list --format text (alias of table)" et list --format text --help
expect_exit 0 "verify --json still works" et verify --json --help

# ---- behaviour ---------------------------------------------------------------------------
et -q init >/dev/null 2>&1
et -q import "$ET_SOURCE_DIR/examples/runs.jsonl" >/dev/null 2>&1
et list --format ids >"$T_DIR/ids-list"
[ "$(wc -l <"$T_DIR/ids-list")" -eq 3 ] && ok "three executions to look at" || fails "three executions to look at"
et --format ids list >"$T_DIR/ids-global"
cmp -s "$T_DIR/ids-list" "$T_DIR/ids-global" && ok "--format before the verb = after it" ||
  fails "--format before the verb = after it"
et list -q --db "$DB" --format ids >"$T_DIR/ids-after" 2>"$T_DIR/err"
cmp -s "$T_DIR/ids-list" "$T_DIR/ids-after" && ok "--db and -q after the verb" || fails "--db and -q after the verb"
et list --format json >"$T_DIR/list.json"
python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); assert len(a)==3 and a[0]["agent"]' "$T_DIR/list.json" &&
  ok "list --format json is a JSON array" || fails "list --format json is a JSON array"
et list --format csv >"$T_DIR/list.csv"
[ "$(head -n 1 "$T_DIR/list.csv" | cut -d, -f1)" = execution_id ] && [ "$(wc -l <"$T_DIR/list.csv")" -eq 4 ] &&
  ok "list --format csv: a header and three rows" || fails "list --format csv"

# list filters, relative and absolute times (the query language's parser)
eq "$(et list --agent db-migrator --format ids | wc -l)" 2 "list --agent"
eq "$(et list --verification MISMATCH --format ids)" 7e1a0c52-0000-4000-8000-000000000002 "list --verification"
eq "$(et list --since 2026-11-22 --until 2026-11-22T23:59:59Z --format ids)" \
  7e1a0c52-0000-4000-8000-000000000002 "list --since/--until absolute"
eq "$(EXECTRAIL_NOW=2026-11-24T00:00:00Z et list --since 36h --format ids)" \
  7e1a0c52-0000-4000-8000-000000000003 "list --since relative (36h before EXECTRAIL_NOW)"
eq "$(et list --state completed --format ids | wc -l)" 3 "list --state"
eq "$(et list --state running --format ids | wc -l)" 0 "list --state with no match"
expect_exit "$USAGE" "list --since with a bad time" et list --since yesterdayish
contains "$T_DIR/err" "expected a time" "the message says what a time looks like"
expect_exit "$USAGE" "list --agent ''" et list --agent ''

# a -q that is an option's value stays that value
qid=$(et start --agent a --request r 2>/dev/null)
check "action --input -q" et action "$qid" --tool Bash --input -q
et show --json "$qid" | grep -q '"input": "-q"' && ok "the input is the text -q" ||
  fails "the input is the text -q" "$(et show --json "$qid" | grep '"input"')"

# a missing input file: the invalid-input status, whatever the command
for c in "record NOFILE" "import NOFILE" "import claude-code NOFILE" "archive verify NOFILE" \
  "archive list NOFILE" "verify --checkpoint NOFILE" "start --agent a --json NOFILE" \
  "action 7e1a --json NOFILE"; do
  # shellcheck disable=SC2086
  expect_exit "$INPUT" "$c: a missing file is status $INPUT" et ${c//NOFILE/$T_DIR/no-such-file}
  contains "$T_DIR/err" "cannot read $T_DIR/no-such-file" "$c: the message names the file"
done

# - is stdin
et checkpoint --out "$T_DIR/cp.txt" >/dev/null 2>&1
expect_exit 0 "verify --checkpoint - reads stdin" et verify --checkpoint - <"$T_DIR/cp.txt"
expect_exit 0 "record - reads stdin" et record - <"$ET_SOURCE_DIR/examples/run.json"

# store unavailable, not found
for v in list verify doctor "show abcd"; do
  # shellcheck disable=SC2086
  expect_exit "$UNAVAIL" "$v on a missing store: status $UNAVAIL" et --db "$T_DIR/none/x.db" $v
done
expect_exit "$NOTFOUND" "show of an unknown id: status $NOTFOUND" et show ffffffff

# NO_COLOR: the demo's headings carry no escapes with NO_COLOR, nor off a terminal
(cd "$T_DIR" && NO_COLOR=1 DEMO_DIR="$T_DIR/demo" sh "$ET_SOURCE_DIR/tools/demo.sh" "$EXECTRAIL") \
  >"$T_DIR/demo.out" 2>&1
grep -q '^== 1\.' "$T_DIR/demo.out" && ok "the demo ran" || fails "the demo ran" "$(tail -n 5 "$T_DIR/demo.out")"
if grep -q "$(printf '\033')" "$T_DIR/demo.out"; then fails "no escapes with NO_COLOR"; else ok "no escapes with NO_COLOR"; fi
done_testing
