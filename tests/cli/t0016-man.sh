#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Manual pages (tools/gen-man.sh): exectrail(1) and one exectrail-VERB(1)
# per verb of --help, generated from --help and docs/CLI.md; each renders
# with `man -l` without a warning, carries its verb's summary and usage, and
# names every option its --help names. The pages the build made are the
# ones the program describes now (no stale page).
. "$(dirname "$0")/lib.sh"

if ! command -v man >/dev/null 2>&1; then
  ok "# SKIP man (man-db) is not installed"
  done_testing
fi
GEN="$ET_SOURCE_DIR/tools/gen-man.sh"
M="$T_DIR/man"
check "gen-man.sh generates the pages" sh "$GEN" "$EXECTRAIL" "$ET_SOURCE_DIR/docs/CLI.md" "$M"
et --help >"$T_DIR/help"
VERBS=$(sed -n '/^commands:/,/^$/p' "$T_DIR/help" | awk 'NF > 1 {print $1}')
[ -f "$M/exectrail.1" ] && ok "exectrail.1 exists" || fails "exectrail.1 exists"
eq "$(ls "$M" | wc -l)" "$(($(echo "$VERBS" | wc -w) + 1))" "one page per verb, plus exectrail.1"

render() { # page -> text, no hyphenation or justification, no overstrike
  LC_ALL=C.UTF-8 MANWIDTH=120 man --nh --nj --warnings -l "$1" 2>"$T_DIR/warn" | sed 's/.\x08//g'
}
for p in "$M"/exectrail.1 $(for v in $VERBS; do echo "$M/exectrail-$v.1"; done); do
  n=$(basename "$p" .1)
  if [ ! -f "$p" ]; then fails "$n: has a page"; continue; fi
  render "$p" >"$T_DIR/$n.txt"
  if [ -s "$T_DIR/warn" ] || [ ! -s "$T_DIR/$n.txt" ]; then
    fails "$n: man -l renders it without warnings" "$(head -c 400 "$T_DIR/warn")"
  else ok "$n: man -l renders it without warnings"; fi
done

missing=""
for v in $VERBS; do
  t="$T_DIR/exectrail-$v.txt"
  [ -f "$t" ] || continue
  et "$v" --help >"$T_DIR/vh"
  summary=$(awk -v v="$v" '$1 == v { $1 = ""; sub(/^ +/, ""); print; exit }' "$T_DIR/help")
  grep -qF -- "exectrail-$v - $summary" "$t" || missing="$missing $v:NAME"
  usage=$(head -n 1 "$T_DIR/vh" | sed 's/^usage: //')
  grep -qF -- "$usage" "$t" || missing="$missing $v:SYNOPSIS"
  grep -oE -- '--[a-z][a-z-]*' "$T_DIR/vh" | sort -u >"$T_DIR/want"
  grep -oE -- '--[a-z][a-z-]*' "$t" | sort -u >"$T_DIR/have"
  for o in $(comm -23 "$T_DIR/want" "$T_DIR/have"); do missing="$missing $v:$o"; done
done
eq "$missing" "" "every verb's page has its summary, usage and every option of its --help"
for o in --db --quiet --format --version; do
  grep -qF -- "$o" "$T_DIR/exectrail.txt" || missing="$missing exectrail:$o"
done
eq "$missing" "" "exectrail(1) has the global options"
for s in "GLOBAL OPTIONS" "EXIT STATUSES" "ENVIRONMENT VARIABLES" "OUTPUT FORMATS" "SEE ALSO"; do
  contains "$T_DIR/exectrail.txt" "$s" "exectrail(1) has the section $s (from docs/CLI.md)"
done
contains "$T_DIR/exectrail-record.txt" "Normalisation" "a verb's page carries its docs/CLI.md section"
contains "$T_DIR/exectrail-complete.txt" "LIFECYCLE: START, DELEGATE" "a shared docs/CLI.md section reaches each of its verbs"
contains "$T_DIR/exectrail.txt" "exectrail-record(1)" "exectrail(1) points at the verbs' pages"

# the pages the build made (installed by make install) are these
if [ -d "$ET_BUILD_DIR/man/man1" ]; then
  if diff -r "$ET_BUILD_DIR/man/man1" "$M" >"$T_DIR/diff" 2>&1; then ok "the build's pages are up to date"
  else fails "the build's pages are up to date" "$(head -c 400 "$T_DIR/diff")"; fi
else
  ok "# SKIP this build was configured with -DET_BUILD_MAN=OFF"
fi

# failures are loud
expect_exit 2 "gen-man.sh without arguments is a usage error" sh "$GEN"
printf '#!/bin/sh\necho "exectrail 0.0.0"\n' >"$T_DIR/fake"
chmod +x "$T_DIR/fake"
expect_exit 1 "a program whose --help lists no commands fails" sh "$GEN" "$T_DIR/fake" "$ET_SOURCE_DIR/docs/CLI.md" "$T_DIR/m2"
contains "$T_DIR/err" "no commands" "and says why"
done_testing
