#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Help, version, usage errors (exit 2), an unavailable store (exit 5) and
# how the store is located: --db, EXECTRAIL_DB, EXECTRAIL_HOME,
# XDG_DATA_HOME, HOME.
. "$(dirname "$0")/lib.sh"

CMDS="init record import start delegate action respond complete show list verify checkpoint proof rebuild"

# ---- help ------------------------------------------------------------------------
for c in $CMDS; do
  expect_exit 0 "$c --help exits 0" et "$c" --help
  eq "$(head -c $((17 + ${#c})) "$T_DIR/out")" "usage: exectrail $c" "$c --help starts with 'usage: exectrail $c'"
done
expect_exit 0 "show -h works too" et show -h
contains "$T_DIR/out" "usage: exectrail show" "-h prints the usage"
expect_exit 0 "--help needs no trail" et --db "$T_DIR/none/x.db" verify --help
[ ! -e "$T_DIR/none" ] && ok "--help created nothing" || fails "--help created nothing" "$T_DIR/none exists"

expect_exit 0 "exectrail --help" et --help
cp "$T_DIR/out" "$T_DIR/main-help"
contains "$T_DIR/main-help" "usage: exectrail [--db PATH] <command> [options]" "the main usage line"
for c in $CMDS; do
  if grep -qE "^  $c +[a-z]" "$T_DIR/main-help"; then ok "--help lists $c"; else fails "--help lists $c"; fi
done
contains "$T_DIR/main-help" "exit status: 0 ok, 1 other failure, 2 usage error, 3 invalid input" "--help gives the exit statuses"
contains "$T_DIR/main-help" '$EXECTRAIL_DB' "--help names EXECTRAIL_DB"
contains "$T_DIR/main-help" '$XDG_DATA_HOME/exectrail/trail.db' "--help names the XDG location"
# any command listed (added later, too) has a working --help
for c in $(sed -n '/^commands:/,/^$/p' "$T_DIR/main-help" | awk 'NF > 1 {print $1}'); do
  case " $CMDS " in *" $c "*) continue ;; esac
  expect_exit 0 "$c (listed in --help) --help exits 0" et "$c" --help
  contains "$T_DIR/out" "usage: exectrail $c" "$c --help prints its usage"
done
expect_exit 0 "exectrail help" et help
if cmp -s "$T_DIR/out" "$T_DIR/main-help"; then ok "help prints the same as --help"; else fails "help prints the same as --help"; fi
expect_exit 0 "exectrail help record" et help record
contains "$T_DIR/out" "usage: exectrail record [--db PATH] [FILE|-]" "help record prints record's usage"
expect_exit 0 "exectrail --version" et --version
if grep -qE '^exectrail [0-9]+\.[0-9]+\.[0-9]+' "$T_DIR/out"; then ok "--version prints 'exectrail X.Y.Z'"; else
  fails "--version prints 'exectrail X.Y.Z'" "$(cat "$T_DIR/out")"; fi
cp "$T_DIR/out" "$T_DIR/version"
expect_exit 0 "exectrail version" et version
if cmp -s "$T_DIR/out" "$T_DIR/version"; then ok "version = --version"; else fails "version = --version"; fi

# ---- usage errors: exit 2, nothing created -----------------------------------------
expect_exit 2 "no command at all" et
contains "$T_DIR/err" "usage: exectrail" "no command: usage on stderr"
expect_exit 2 "an unknown command" et frobnicate
contains "$T_DIR/err" "'frobnicate' is not a command" "the unknown command is named"
expect_exit 2 "an unknown global option" et --frobnicate list
contains "$T_DIR/err" "unknown option '--frobnicate'" "the unknown option is named"
for c in $CMDS; do
  expect_exit 2 "$c --no-such-option exits 2" et "$c" --no-such-option x
  contains "$T_DIR/err" "exectrail $c:" "$c --no-such-option: the message names the command"
done
expect_exit 2 "--db without its value" et --db
expect_exit 2 "show without an id" et show
contains "$T_DIR/err" "give one execution id" "show: says what is missing"
expect_exit 2 "proof without an id" et proof
expect_exit 2 "delegate without an id" et delegate --prompt p
expect_exit 2 "action without an id" et action --tool T
expect_exit 2 "respond without an id" et respond --response r
expect_exit 2 "complete without an id" et complete --status MATCH
expect_exit 2 "import without a file" et import
expect_exit 2 "record with two files" et record a.json b.json
expect_exit 2 "list --limit without its value" et list --limit
expect_exit 2 "list --limit abc" et list --limit abc
expect_exit 2 "list --format xml" et list --format xml
expect_exit 2 "verify --checkpoint without its value" et verify --checkpoint
expect_exit 2 "verify with an extra argument" et verify extra
expect_exit 2 "complete --confidence abc" et complete 00000000-0000-4000-8000-000000000000 --confidence abc
expect_exit 2 "action with flags and --json" et action 00000000-0000-4000-8000-000000000000 --tool T --json - </dev/null
contains "$T_DIR/err" "give --json or flags, not both" "action: says why"
[ ! -e "$EXECTRAIL_HOME" ] && ok "no usage error created a trail" || fails "no usage error created a trail" "$(ls -la "$EXECTRAIL_HOME")"

# ---- a store that is not there: exit 5, the path named -------------------------------
for c in "show abcd" "show --json abcd" "list" "verify" "proof abcd" "rebuild" "checkpoint"; do
  # shellcheck disable=SC2086
  expect_exit 5 "--db /nonexistent-dir/x.db $c exits 5" et --db /nonexistent-dir/x.db $c
  contains "$T_DIR/err" "no trail at $(trail_target /nonexistent-dir/x.db)" "$c: the message names the path"
done
[ ! -e /nonexistent-dir ] && ok "reading commands created nothing" || fails "reading commands created nothing"
expect_exit 5 "EXECTRAIL_DB pointing nowhere: exit 5" env EXECTRAIL_DB=/nonexistent-dir/y.db "$EXECTRAIL" list
contains "$T_DIR/err" "/nonexistent-dir/y.db" "the message names EXECTRAIL_DB's path"
touch "$T_DIR/plainfile"
spec_record >"$T_DIR/rec.json"
expect_exit 5 "a write where the directory cannot be created: exit 5" et --db "$T_DIR/plainfile/x.db" record "$T_DIR/rec.json"
# (on PostgreSQL the directory is the keys', pg_exec.sh)
contains "$T_DIR/err" "$T_DIR/plainfile/$(is_pg && echo exectrail.key || echo x.db)" "the message names the path"
expect_exit 2 "no HOME and no variables: usage error" \
  env -u HOME -u EXECTRAIL_HOME -u EXECTRAIL_DB -u XDG_DATA_HOME "$EXECTRAIL" list
contains "$T_DIR/err" "set EXECTRAIL_HOME or pass --db" "it says how to choose a store"

# ---- where the store goes -----------------------------------------------------------------
if sqlite_only "which SQLite file --db, EXECTRAIL_DB, EXECTRAIL_HOME, XDG_DATA_HOME and HOME choose"; then
# run with a clean environment except for what is being tested
run_env() { env -u EXECTRAIL_HOME -u EXECTRAIL_DB -u XDG_DATA_HOME HOME="$T_DIR/fakehome" "$@"; }
n=0
store_at() { # DESCRIPTION EXPECTED-DB-PATH ENV-ASSIGNMENTS... -- ARGS...
  local what=$1 dbp=$2
  shift 2
  n=$((n + 1))
  local envs=()
  while [ "$1" != "--" ]; do envs+=("$1"); shift; done
  shift
  spec_record "60000000-0000-4000-8000-00000000000$n" >"$T_DIR/sel$n.json"
  expect_exit 0 "$what: record" run_env "${envs[@]}" "$EXECTRAIL" "$@" record "$T_DIR/sel$n.json"
  contains "$T_DIR/err" "created a new trail at $dbp" "$what: the note names $dbp"
  if [ -f "$dbp" ] && [ -f "$(dirname "$dbp")/exectrail.key" ]; then ok "$what: trail.db and the key are in $(dirname "$dbp")"
  else fails "$what: trail.db and the key are in $(dirname "$dbp")" "$(ls -la "$(dirname "$dbp")" 2>&1)"; fi
  eq "$(sql "$dbp" "SELECT execution_id FROM ledger")" "60000000-0000-4000-8000-00000000000$n" "$what: the record is in that store"
}
store_at "--db" "$T_DIR/s-db/my.db" EXECTRAIL_DB="$T_DIR/s-env/no.db" EXECTRAIL_HOME="$T_DIR/s-home-no" -- --db "$T_DIR/s-db/my.db"
store_at "EXECTRAIL_DB" "$T_DIR/s-env/env.db" EXECTRAIL_DB="$T_DIR/s-env/env.db" EXECTRAIL_HOME="$T_DIR/s-home-no" XDG_DATA_HOME="$T_DIR/s-xdg-no" --
store_at "EXECTRAIL_HOME" "$T_DIR/s-home/trail.db" EXECTRAIL_HOME="$T_DIR/s-home" XDG_DATA_HOME="$T_DIR/s-xdg-no" --
store_at "XDG_DATA_HOME" "$T_DIR/s-xdg/exectrail/trail.db" XDG_DATA_HOME="$T_DIR/s-xdg" --
store_at "HOME" "$T_DIR/fakehome/.local/share/exectrail/trail.db" --
store_at "empty EXECTRAIL_DB is unset" "$T_DIR/s-home2/trail.db" EXECTRAIL_DB= EXECTRAIL_HOME="$T_DIR/s-home2" --
for p in s-env/no.db s-home-no s-xdg-no; do
  [ ! -e "$T_DIR/$p" ] && ok "the overridden location $p was not touched" || fails "the overridden location $p was not touched"
done
# each store answers for its own records only
expect_exit 0 "list through EXECTRAIL_HOME" run_env EXECTRAIL_HOME="$T_DIR/s-home" "$EXECTRAIL" list --format ids
eq "$(cat "$T_DIR/out")" "60000000-0000-4000-8000-000000000003" "EXECTRAIL_HOME's store holds its one record"
expect_exit 0 "--db beats EXECTRAIL_HOME when reading" run_env EXECTRAIL_HOME="$T_DIR/s-home" "$EXECTRAIL" --db "$T_DIR/s-db/my.db" list --format ids
eq "$(cat "$T_DIR/out")" "60000000-0000-4000-8000-000000000001" "--db's store is the one read"
expect_exit 0 "--db after the command works too" run_env "$EXECTRAIL" list --db "$T_DIR/s-xdg/exectrail/trail.db" --format ids
eq "$(cat "$T_DIR/out")" "60000000-0000-4000-8000-000000000004" "the command's own --db is used"
fi

# ---- init ----------------------------------------------------------------------------------
export EXECTRAIL_HOME="$T_DIR/inited"
expect_exit 0 "init" et init
contains "$T_DIR/out" "created trail at $(trail_target "$EXECTRAIL_HOME/trail.db")" "init says where"
contains "$T_DIR/out" "verifier key: exectrail-" "init prints the verifier key"
key1=$(grep 'verifier key' "$T_DIR/out")
eq "$(stat -c %a "$EXECTRAIL_HOME")" "700" "the data directory is mode 0700"
eq "$(stat -c %a "$EXECTRAIL_HOME/exectrail.key")" "600" "the private key is mode 0600"
expect_exit 0 "init again" et init
contains "$T_DIR/out" "existing trail at $(trail_target "$EXECTRAIL_HOME/trail.db")" "init again finds the existing trail"
eq "$(grep 'verifier key' "$T_DIR/out")" "$key1" "init again keeps the same key"
expect_exit 1 "checkpoint --out to a path that cannot be written: exit 1" et checkpoint --out "$T_DIR/plainfile/cp"
contains "$T_DIR/err" "cannot write $T_DIR/plainfile/cp" "the message names the file"
expect_exit 0 "-q silences the 'created' note" et -q --db "$T_DIR/quiet/trail.db" record "$T_DIR/rec.json"
eq "$(cat "$T_DIR/err")" "" "-q: nothing on stderr"

# ---- EXECTRAIL_NOW: a fixed clock for tests and reproducible runs ----------------------------
EXECTRAIL_NOW=2025-01-17T10:00:00Z expect_exit 0 "start under a fixed clock" et --db "$T_DIR/now/trail.db" start --agent clock
id=$(cat "$T_DIR/out")
expect_exit 0 "show it" et --db "$T_DIR/now/trail.db" show "$id" --json
contains "$T_DIR/out" '"timestamp_start": "2025-01-17T10:00:00.000Z"' "the fixed clock is the start time"
EXECTRAIL_NOW=yesterday expect_exit 3 "an unparseable EXECTRAIL_NOW is an input error" et --db "$T_DIR/now/trail.db" list
contains "$T_DIR/err" "EXECTRAIL_NOW: expected an RFC 3339 time or YYYY-MM-DD, got 'yesterday'" "the message names the variable"

done_testing
