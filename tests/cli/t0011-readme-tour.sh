#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The README's 5-minute tour, literally: every ```sh block of the "A 5-minute
# tour" section, in order, run under `set -e` in a scratch tree that looks
# like the source tree after `sh run.sh` (build/release is this binary;
# examples/ and the Claude Code fixtures are the source tree's). HOME is
# scratch too, so nothing can touch the real ~/.claude. The first command
# that fails fails the test and is named.
. "$(dirname "$0")/lib.sh"

S="$T_DIR/tree"
mkdir -p "$S/build" "$S/tests/data" "$T_DIR/fakehome"
ln -s "$(cd "$(dirname "$EXECTRAIL")" && pwd)" "$S/build/release"
ln -s "$ET_SOURCE_DIR/examples" "$S/examples"
ln -s "$ET_SOURCE_DIR/tests/data/claude" "$S/tests/data/claude"
# the binary the tour finds on PATH must be this one, called "exectrail"
[ "$(basename "$EXECTRAIL")" = exectrail ] && ok "the binary is called exectrail" ||
  fails "the binary is called exectrail" "$EXECTRAIL"

awk '/^## A 5-minute tour/{t=1; next} /^## /{t=0}
     t && /^```sh$/{b=1; next} b && /^```/{b=0; next} t && b' \
  "$ET_SOURCE_DIR/README.md" >"$T_DIR/tour.sh"
n=$(grep -c '^exectrail ' "$T_DIR/tour.sh")
[ "$n" -ge 25 ] && ok "the tour has $n exectrail commands" ||
  fails "the tour has its commands" "found $n in: $(head -c 300 "$T_DIR/tour.sh")"
grep -q -- '--user' "$T_DIR/tour.sh" && ! grep -qE '^exectrail hooks install[^#]*--user' "$T_DIR/tour.sh" &&
  ok "the tour never installs hooks into ~/.claude (--user only in a comment)" ||
  fails "the tour leaves ~/.claude alone"

# set -e stops at the first failure; the ERR trap names it
cat >"$T_DIR/run.sh" <<'SH'
set -eE
trap 'echo "FAILED (exit $?): $BASH_COMMAND" >&2' ERR
SH
cat "$T_DIR/tour.sh" >>"$T_DIR/run.sh"
echo 'echo TOUR-DONE' >>"$T_DIR/run.sh"
(cd "$S" && env -u EXECTRAIL_HOME -u EXECTRAIL_DB HOME="$T_DIR/fakehome" NO_COLOR=1 \
  bash "$T_DIR/run.sh") >"$T_DIR/tour.out" 2>"$T_DIR/tour.err" </dev/null
rc=$?
if [ $rc -eq 0 ] && tail -n 1 "$T_DIR/tour.out" | grep -q TOUR-DONE; then ok "every tour command succeeds"; else
  fails "every tour command succeeds" "exit $rc" "$(grep FAILED "$T_DIR/tour.err")" "$(tail -n 5 "$T_DIR/tour.err")"
fi

# what the tour promises it leaves behind
{ if is_pg; then trail_exists "$S/tour-trail/trail.db"; else [ -s "$S/tour-trail/trail.db" ]; fi; } && ok "the trail is in ./tour-trail" || fails "the trail is in ./tour-trail"
[ ! -e "$T_DIR/fakehome/.local/share/exectrail" ] && ok "the default trail was not touched" ||
  fails "the default trail was not touched"
[ ! -e "$T_DIR/fakehome/.claude" ] && ok "~/.claude was not touched" || fails "~/.claude was not touched"
grep -q '"PreToolUse"' "$S/tour-trail/settings.json" 2>/dev/null && ok "hooks went into the scratch settings" ||
  fails "hooks went into the scratch settings"
ls "$S"/tour-archive/retention-*.etar.zst >/dev/null 2>&1 && ok "retention run wrote the bundle it verifies" ||
  fails "retention run wrote the bundle it verifies"
grep -q '<html' "$S/tour-trail/today.html" 2>/dev/null && ok "the daily report is HTML" || fails "the daily report is HTML"

# the tour's runner really stops at a failing command (the test can fail)
printf 'set -eE\ntrap %s ERR\ntrue\nexectrail show 00000000\necho TOUR-DONE\n' \
  "'echo \"FAILED: \$BASH_COMMAND\" >&2'" >"$T_DIR/bad.sh"
(cd "$S" && PATH="$S/build/release:$PATH" EXECTRAIL_HOME="$S/tour-trail" bash "$T_DIR/bad.sh") \
  >"$T_DIR/bad.out" 2>"$T_DIR/bad.err"
[ $? -ne 0 ] && ! grep -q TOUR-DONE "$T_DIR/bad.out" && grep -q 'FAILED: exectrail show' "$T_DIR/bad.err" &&
  ok "a failing command stops the run and is named" || fails "a failing command stops the run and is named"
done_testing
