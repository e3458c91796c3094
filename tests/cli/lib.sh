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

# EXECTRAIL_CLI_PG (a PostgreSQL connection string): run this test's trail
# in PostgreSQL instead, in a schema of its own dropped at the end. For
# finding which tests pass there (docs/POSTGRES.md); tests that read the
# SQLite file directly (sql, db_digest) cannot pass this way.
T_PG_SCHEMA=""
if [ -n "${EXECTRAIL_CLI_PG:-}" ]; then
  T_PG_SCHEMA="et_clipg_$$"
  case "$EXECTRAIL_CLI_PG" in
    *\?*) EXECTRAIL_DB="$EXECTRAIL_CLI_PG&options=-csearch_path%3D$T_PG_SCHEMA" ;;
    *) EXECTRAIL_DB="$EXECTRAIL_CLI_PG?options=-csearch_path%3D$T_PG_SCHEMA" ;;
  esac
  export EXECTRAIL_DB
fi

t_cleanup() {
  for p in $T_PIDS; do kill -9 "$p" 2>/dev/null || true; done
  if [ -n "$T_PG_SCHEMA" ]; then
    PGOPTIONS="-c client_min_messages=warning" psql "$EXECTRAIL_CLI_PG" -X -q \
      -c "DROP SCHEMA IF EXISTS $T_PG_SCHEMA CASCADE" >/dev/null 2>&1 || true
  fi
  [ -n "${T_KEEP:-}" ] || rm -rf "$T_DIR"
}
trap t_cleanup EXIT

# hold_lock DB MARK [IMMEDIATE|EXCLUSIVE]: another process takes DB's write
# lock, creates MARK once it holds it, and holds it until MARK is removed
# (rm -f MARK; wait "$LOCKER"). LOCKER is its pid, which T_PIDS gets too.
# Returns once MARK exists, or after 10 s (check MARK).
hold_lock() {
  python3 - "$1" "$2" "${3:-IMMEDIATE}" <<'PY' &
import os, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
db.execute("BEGIN " + sys.argv[3])
open(sys.argv[2], "w").close()
while os.path.exists(sys.argv[2]):
    time.sleep(0.02)
db.execute("ROLLBACK")
PY
  LOCKER=$!
  T_PIDS="${T_PIDS:+$T_PIDS }$LOCKER"
  for _ in $(seq 1 500); do [ -e "$2" ] && break; sleep 0.02; done
}

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

# skip_note WHY: say that a part of this test cannot run here. When no
# check ran at all, done_testing ends with TAP's skip-all plan
# "1..0 # SKIP WHY", which CTest reports as skipped (CMakeLists.txt).
T_SKIP_WHY=""
skip_note() {
  T_SKIP_WHY=$1
  echo "# SKIP $1"
}

done_testing() {
  if [ $((T_PASS + T_FAIL)) -eq 0 ] && [ -n "$T_SKIP_WHY" ]; then
    echo "1..0 # SKIP $T_SKIP_WHY"
    echo "0 passed, 0 failed"
    exit 0
  fi
  echo "1..$((T_PASS + T_FAIL))"
  echo "$T_PASS passed, $T_FAIL failed"
  [ "$T_FAIL" -eq 0 ]
  exit $?
}

# ---- helpers added for the end-to-end suite (python3 stdlib only) ----

# fails DESCRIPTION DETAIL...: record a failed check without running anything
fails() { not_ok "$@"; }

# not_contains FILE TEXT DESCRIPTION
not_contains() {
  if grep -qF -- "$2" "$1"; then not_ok "$3" "'$2' unexpectedly in $(basename "$1"):" "$(head -c 600 "$1")"
  else ok "$3"; fi
}

# json_same FILE_A FILE_B DESCRIPTION: deep equality of two JSON documents.
# Numbers compare by value (1 == 1.0), booleans are not numbers, object key
# order is ignored; the first difference is reported by its path.
json_same() {
  if python3 - "$1" "$2" >"$T_DIR/jdiff" 2>&1 <<'PY'
import json, sys
def load(p):
    with open(p, 'rb') as f:
        return json.loads(f.read().decode('utf-8'))
def diff(a, b, path):
    num = (int, float)
    if isinstance(a, bool) or isinstance(b, bool):
        return None if type(a) is type(b) and a == b else path
    if isinstance(a, num) and isinstance(b, num):
        return None if a == b else "%s: %r != %r" % (path, a, b)
    if type(a) is not type(b):
        return "%s: %s != %s" % (path, type(a).__name__, type(b).__name__)
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return "%s.%s: only in %s" % (path, k, "B" if k not in a else "A")
            d = diff(a[k], b[k], path + "." + k)
            if d:
                return d
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return "%s: length %d != %d" % (path, len(a), len(b))
        for i, (x, y) in enumerate(zip(a, b)):
            d = diff(x, y, "%s[%d]" % (path, i))
            if d:
                return d
        return None
    return None if a == b else "%s: %r != %r" % (path, a, b)
d = diff(load(sys.argv[1]), load(sys.argv[2]), "$")
if d:
    print("first difference at", d)
    sys.exit(1)
PY
  then ok "$3"; else not_ok "$3" "$(head -c 600 "$T_DIR/jdiff")"; fi
}

# jget FILE EXPR: print a value of the JSON document in FILE; EXPR is a
# python expression over d (the document), e.g. 'd["execution"]["x"]'.
# Strings print raw, everything else as compact JSON.
jget() {
  python3 - "$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1], 'rb'))
v = eval(sys.argv[2], {"d": d})
print(v if isinstance(v, str) else json.dumps(v, separators=(",", ":")))
PY
}

# db_digest [DB]: SHA-256 over every row of every ordinary table (the FTS5
# shadow tables included, virtual tables skipped), to prove "nothing stored".
db_digest() {
  python3 - "${1:-$EXECTRAIL_HOME/trail.db}" <<'PY'
import hashlib, sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
h = hashlib.sha256()
tabs = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' "
                  "ORDER BY name").fetchall()
for name, sql in tabs:
    if (sql or "").upper().startswith("CREATE VIRTUAL"):
        continue
    rows = db.execute('SELECT * FROM "%s"' % name.replace('"', '""')).fetchall()
    h.update(("table %s %d\n" % (name, len(rows))).encode())
    for r in sorted(repr(x).encode() for x in rows):
        h.update(r + b"\n")
print(h.hexdigest())
PY
}

# trail_state FILE: what the trail looks like from outside (verify --json
# events / root / checkpoints, every id listed) plus db_digest.
trail_state() {
  {
    "$EXECTRAIL" verify --json 2>&1 | python3 -c '
import json, sys
d = json.load(sys.stdin)
print("ok", d.get("ok"), "events", d.get("events"), "root", d.get("root_hash"),
      "checkpoints", d.get("checkpoints"))'
    echo "verify exit ${PIPESTATUS[0]}"
    "$EXECTRAIL" list --limit 0 --format ids 2>&1
    echo "list exit $?"
    db_digest
  } >"$1"
}

# same_state FILE DESCRIPTION: the trail is exactly as trail_state FILE saw it
same_state() {
  trail_state "$T_DIR/state.now"
  if cmp -s "$1" "$T_DIR/state.now"; then ok "$2"; else
    not_ok "$2" "before: $(head -c 300 "$1")" "after: $(head -c 300 "$T_DIR/state.now")"
  fi
}

# sql DB STATEMENT [PARAM...]: run one SQL statement with python's sqlite3
# (used to tamper with a copy of a trail); prints rows, if any, |-separated
sql() {
  python3 - "$@" <<'PY'
import sqlite3, sys
db = sqlite3.connect("file:%s?mode=rw" % sys.argv[1], uri=True)  # never creates
for row in db.execute(sys.argv[2], sys.argv[3:]).fetchall():
    print("|".join("" if v is None else str(v) for v in row))
db.commit()
PY
}

# spec_record [ID]: the spec example on stdout, with execution_id replaced
# (ID "none" drops it)
spec_record() {
  python3 - "$ET_SOURCE_DIR/tests/data/spec-record.json" "${1:-}" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
if sys.argv[2] == "none":
    del r["execution_id"]
elif sys.argv[2]:
    r["execution_id"] = sys.argv[2]
print(json.dumps(r))
PY
}
