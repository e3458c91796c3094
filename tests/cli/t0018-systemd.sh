#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The systemd user units (packaging/systemd): exectrail-retention and
# exectrail-report, each a oneshot service and a timer. `systemd-analyze
# verify --user` accepts them (and their Documentation= man pages exist in
# the build), and refuses a broken copy; each service's ExecStart, run as
# systemd would run it (specifiers and $$ undone), does its job on a trail.
. "$(dirname "$0")/lib.sh"

SRC="$ET_SOURCE_DIR/packaging/systemd"
U="$T_DIR/units"
mkdir -p "$U" "$T_DIR/rt" "$T_DIR/state"
chmod 700 "$T_DIR/rt"
BINDIR=$(cd "$(dirname "$EXECTRAIL")" && pwd)
for f in "$SRC"/*.in; do sed "s|@ET_BINDIR@|$BINDIR|g" "$f" >"$U/$(basename "$f" .in)"; done
cp "$SRC"/*.timer "$U/"
eq "$(cd "$U" && ls | tr '\n' ' ')" \
  "exectrail-report.service exectrail-report.timer exectrail-retention.service exectrail-retention.timer " \
  "two services and their timers"
grep -q '@' "$U"/*.service && fails "every @VAR@ is substituted" || ok "every @VAR@ is substituted"

if command -v systemd-analyze >/dev/null 2>&1; then
  man_opt=""
  if [ -d "$ET_BUILD_DIR/man/man1" ]; then export MANPATH="$ET_BUILD_DIR/man"; else man_opt="--man=no"; fi
  verify() { XDG_RUNTIME_DIR="$T_DIR/rt" systemd-analyze verify --user $man_opt "$@"; }
  # shellcheck disable=SC2086
  if verify "$U"/*.service "$U"/*.timer >"$T_DIR/v" 2>&1 && [ ! -s "$T_DIR/v" ]; then
    ok "systemd-analyze verify --user: no complaint${man_opt:+ (man pages not built: not checked)}"
  else fails "systemd-analyze verify --user: no complaint" "$(head -c 600 "$T_DIR/v")"; fi
  mkdir -p "$T_DIR/bad"
  sed 's/^OnCalendar=.*/OnCalendar=every blue moon/' "$U/exectrail-retention.timer" >"$T_DIR/bad/exectrail-retention.timer"
  cp "$U/exectrail-retention.service" "$T_DIR/bad/"
  verify "$T_DIR/bad/exectrail-retention.timer" >"$T_DIR/v" 2>&1 && fails "a broken timer is refused" ||
    ok "a broken timer is refused"
  contains "$T_DIR/v" "calendar" "and the complaint names the setting"
else
  ok "# SKIP systemd-analyze is not installed (Debian package systemd)"
fi

# ExecStart as systemd runs it: %% is %, $$ is $ (the units use no other
# specifier or variable), the environment carries STATE_DIRECTORY.
execstart() { sed -n 's/^ExecStart=//p' "$1" | sed 's/%%/%/g; s/\$\$/$/g'; }
et -q init >/dev/null 2>&1
et -q import "$ET_SOURCE_DIR/examples/runs.jsonl" >/dev/null 2>&1
cmd=$(execstart "$U/exectrail-report.service")
case "$cmd" in "/bin/sh -c '"*"'") ok "the report service runs a shell line" ;; *) fails "the report service runs a shell line" "$cmd" ;; esac
line=${cmd#"/bin/sh -c '"}
line=${line%"'"}
check "the report service's command succeeds" env STATE_DIRECTORY="$T_DIR/state" sh -c "$line"
day=$(date -u -d yesterday +%F)
[ -s "$T_DIR/state/daily-$day.md" ] && ok "it wrote daily-$day.md into the state directory" ||
  fails "it wrote daily-$day.md into the state directory" "$(ls "$T_DIR/state")"
grep -q "$day" "$T_DIR/state/daily-$day.md" 2>/dev/null && ok "a report of that day" || fails "a report of that day"
cmd=$(execstart "$U/exectrail-retention.service")
# shellcheck disable=SC2086
check "the retention service's command succeeds" $cmd
et retention schedule >"$T_DIR/sched" 2>&1
eq "$(grep -c 'not due' "$T_DIR/sched")" 4 "it ran the four due tasks (none is due now)"
expect_exit 0 "run again, nothing due: still exit 0" $cmd
done_testing
