# SPDX-License-Identifier: MIT
# Shared helpers for the CLI tests (sourced). Each test gets a fresh
# temporary directory, removed on exit, and a trail inside it.
set -u

: "${EXECTRAIL:?EXECTRAIL must point at the exectrail binary}"
: "${ET_SOURCE_DIR:?ET_SOURCE_DIR must point at the source tree}"

T_DIR=$(mktemp -d "${TMPDIR:-/tmp}/et-cli-XXXXXX")
export EXECTRAIL_HOME="$T_DIR/home"
export EXECTRAIL_DB=""
DB="$EXECTRAIL_HOME/trail.db"
T_PASS=0
T_FAIL=0
T_NAME=$(basename "$0" .sh)
T_PIDS=""

t_cleanup() {
  for p in $T_PIDS; do kill -9 "$p" 2>/dev/null || true; done
  [ -n "${T_KEEP:-}" ] || rm -rf "$T_DIR"
}
trap t_cleanup EXIT

et() { "$EXECTRAIL" "$@"; }

ok() {
  T_PASS=$((T_PASS + 1))
  echo "ok $((T_PASS + T_FAIL)) - $T_NAME: $1"
}

not_ok() {
  T_FAIL=$((T_FAIL + 1))
  echo "not ok $((T_PASS + T_FAIL)) - $T_NAME: $1"
  shift
  for l in "$@"; do echo "#   $l"; done
}

# check DESCRIPTION COMMAND...: passes when the command succeeds
check() {
  d=$1
  shift
  if "$@" >"$T_DIR/out" 2>"$T_DIR/err"; then ok "$d"; else
    not_ok "$d" "command: $*" "stderr: $(head -c 600 "$T_DIR/err")"
  fi
}

# expect_exit CODE DESCRIPTION COMMAND...: output in $T_DIR/out, $T_DIR/err
expect_exit() {
  want=$1
  d=$2
  shift 2
  "$@" >"$T_DIR/out" 2>"$T_DIR/err"
  got=$?
  if [ "$got" -eq "$want" ]; then ok "$d"; else
    not_ok "$d" "exit $got, want $want: $*" "stderr: $(head -c 600 "$T_DIR/err")"
  fi
}

# contains FILE TEXT DESCRIPTION
contains() {
  if grep -qF -- "$2" "$1"; then ok "$3"; else
    not_ok "$3" "'$2' not in $(basename "$1"):" "$(head -c 600 "$1")"
  fi
}

eq() {
  if [ "$1" = "$2" ]; then ok "$3"; else not_ok "$3" "got '$1'" "want '$2'"; fi
}

done_testing() {
  echo "1..$((T_PASS + T_FAIL))"
  echo "$T_PASS passed, $T_FAIL failed"
  [ "$T_FAIL" -eq 0 ]
  exit $?
}
