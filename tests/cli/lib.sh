# SPDX-License-Identifier: MIT
# Shared helpers for the CLI tests (sourced). Each test gets a fresh
# temporary directory, removed on exit, and a trail inside it.
set -u

: "${EXECTRAIL:?EXECTRAIL must point at the exectrail binary}"
: "${ET_SOURCE_DIR:?ET_SOURCE_DIR must point at the source tree}"

T_DIR=$(mktemp -d "${TMPDIR:-/tmp}/et-cli-XXXXXX")
# python3 is the Debian interpreter tools/setup.sh installs (with
# python3-yaml and python3-jsonschema), not a version manager's shim that
# comes first on PATH: a pyenv shim is a shell script costing ~100 ms of CPU
# per call, which made some tests three times as costly
if [ -x /usr/bin/python3 ] && [ "$(command -v python3)" != /usr/bin/python3 ]; then
  mkdir "$T_DIR/.py"
  ln -s /usr/bin/python3 "$T_DIR/.py/python3"
  PATH="$T_DIR/.py:$PATH"
fi
export EXECTRAIL_HOME="$T_DIR/home"
export EXECTRAIL_DB=""
DB="$EXECTRAIL_HOME/trail.db"
T_PASS=0
T_FAIL=0
T_NAME=$(basename "$0" .sh)
T_PIDS=""

# EXECTRAIL_CLI_PG (a PostgreSQL connection string): run this test's
# trails in PostgreSQL instead, each in a schema of its own, all dropped at
# the end (docs/POSTGRES.md, "Tests"). $EXECTRAIL becomes tests/cli/pg_exec.sh
# (through a link named exectrail: the tests that put it on PATH find it by
# that name; ET_CLI_REAL is the binary itself), which maps the store path the
# program would use to its schema; sql, db_digest, lock_store and the other
# helpers below follow the same mapping. A test (or a part of one) that
# cannot apply to PostgreSQL says so with sqlite_only.
T_PG_PREFIX=""
if [ -n "${EXECTRAIL_CLI_PG:-}" ]; then
  T_PG_PREFIX="et_clipg_$$"
  ET_CLI_REAL=$EXECTRAIL
  ET_CLI_PG_BASE=$EXECTRAIL_CLI_PG
  ET_CLI_PG_PREFIX=$T_PG_PREFIX
  ET_CLI_PG_MAP="$ET_SOURCE_DIR/tests/cli/pg_map.sh"
  ET_CLI_T_DIR=$T_DIR
  mkdir -p "$T_DIR/.pgbin"
  ln -s "$ET_SOURCE_DIR/tests/cli/pg_exec.sh" "$T_DIR/.pgbin/exectrail"
  EXECTRAIL="$T_DIR/.pgbin/exectrail"
  export ET_CLI_REAL ET_CLI_PG_BASE ET_CLI_PG_PREFIX ET_CLI_PG_MAP ET_CLI_T_DIR EXECTRAIL
  . "$ET_CLI_PG_MAP"
fi

# is_pg: this run keeps its trails in PostgreSQL
is_pg() { [ -n "$T_PG_PREFIX" ]; }

# pg_schema_for PATH: the schema of the trail at PATH (pg_map.sh, byte by
# byte as pg_exec.sh's sh does)
pg_schema_for() {
  local LC_ALL=C
  et_pg_schema "$1"
  echo "$ET_PG_SCHEMA"
}

# trail_target PATH: the store the program names for the trail at PATH
# (the path itself; on PostgreSQL the connection string pg_exec.sh gives)
trail_target() {
  if is_pg; then
    case "$EXECTRAIL_CLI_PG" in
      *\?*) echo "$EXECTRAIL_CLI_PG&options=-csearch_path%3D$(pg_schema_for "$1")" ;;
      *) echo "$EXECTRAIL_CLI_PG?options=-csearch_path%3D$(pg_schema_for "$1")" ;;
    esac
  else
    echo "$1"
  fi
}

# pg_psql SCHEMA [psql args...]: psql on the test's database with the
# trail's schema first in the search_path (then the SQLite look-alike
# functions of pg_compat)
pg_psql() {
  local s=$1
  shift
  PGOPTIONS="-c search_path=$s,${T_PG_PREFIX}_compat -c client_min_messages=warning" \
    psql "$EXECTRAIL_CLI_PG" -X -q -A -t -v ON_ERROR_STOP=1 "$@"
}

# pg_compat: SQLite's json_extract, hex, group_concat and replace (on the
# ledger's bytes) spelled for PostgreSQL, once per test in a schema of its
# own, so that the tests' SQL runs on both backends
pg_compat() {
  [ -e "$T_DIR/.pg_compat" ] && return 0
  PGOPTIONS="-c client_min_messages=warning" psql "$EXECTRAIL_CLI_PG" -X -q \
    -v ON_ERROR_STOP=1 >/dev/null <<SQL && : >"$T_DIR/.pg_compat"
CREATE SCHEMA IF NOT EXISTS ${T_PG_PREFIX}_compat;
SET search_path = ${T_PG_PREFIX}_compat;
CREATE FUNCTION json_extract(doc text, path text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS \$f\$
DECLARE v json; p text[];
BEGIN
  IF doc IS NULL THEN RETURN NULL; END IF;
  IF path = '\$' THEN v := doc::json;
  ELSE
    p := regexp_split_to_array(ltrim(regexp_replace(substr(path, 2),
           '\[([0-9]+)\]', '.\1', 'g'), '.'), '\.');
    v := doc::json #> p;
  END IF;
  IF v IS NULL OR json_typeof(v) = 'null' THEN RETURN NULL; END IF;
  IF json_typeof(v) = 'string' THEN RETURN v #>> '{}'; END IF;
  IF json_typeof(v) = 'boolean' THEN
    RETURN CASE WHEN v::text = 'true' THEN '1' ELSE '0' END;
  END IF;
  RETURN v::text;
END \$f\$;
CREATE FUNCTION json_extract(doc bytea, path text) RETURNS text
LANGUAGE sql IMMUTABLE AS
  \$f\$ SELECT json_extract(convert_from(doc, 'UTF8'), path) \$f\$;
CREATE FUNCTION replace(b bytea, f text, t text) RETURNS bytea
LANGUAGE sql IMMUTABLE AS
  \$f\$ SELECT convert_to(replace(convert_from(b, 'UTF8'), f, t), 'UTF8') \$f\$;
CREATE FUNCTION hex(b bytea) RETURNS text LANGUAGE sql IMMUTABLE AS
  \$f\$ SELECT upper(encode(b, 'hex')) \$f\$;
CREATE FUNCTION gc_step(acc text, v text, sep text) RETURNS text
LANGUAGE sql IMMUTABLE AS
  \$f\$ SELECT CASE WHEN v IS NULL THEN acc WHEN acc IS NULL THEN v
                ELSE acc || sep || v END \$f\$;
CREATE FUNCTION gc_step1(acc text, v text) RETURNS text
LANGUAGE sql IMMUTABLE AS \$f\$ SELECT gc_step(acc, v, ',') \$f\$;
CREATE AGGREGATE group_concat(text) (sfunc = gc_step1, stype = text);
CREATE AGGREGATE group_concat(text, text) (sfunc = gc_step, stype = text);
SQL
}

t_cleanup() {
  for p in $T_PIDS; do kill -9 "$p" 2>/dev/null || true; done
  if [ -n "$T_PG_PREFIX" ]; then
    PGOPTIONS="-c client_min_messages=warning" psql "$EXECTRAIL_CLI_PG" -X -q -A -t \
      -c "SELECT nspname FROM pg_namespace WHERE starts_with(nspname, '${T_PG_PREFIX}_')" \
      2>/dev/null | while read -r s; do
      [ -n "$s" ] && PGOPTIONS="-c client_min_messages=warning" psql "$EXECTRAIL_CLI_PG" \
        -X -q -c "DROP SCHEMA IF EXISTS $s CASCADE" >/dev/null 2>&1
    done
  fi
  [ -n "${T_KEEP:-}" ] || rm -rf "$T_DIR"
}
trap t_cleanup EXIT

# hold_lock DB MARK [IMMEDIATE|EXCLUSIVE]: another process takes DB's write
# lock, creates MARK once it holds it, and holds it until MARK is removed
# (rm -f MARK; wait "$LOCKER"). LOCKER is its pid, which T_PIDS gets too.
# Returns once MARK exists, or after 10 s (check MARK). On PostgreSQL it
# holds the trail's advisory lock (lock_store), which every write
# transaction takes; IMMEDIATE and EXCLUSIVE are the same lock there.
hold_lock() {
  rm -f "$2" # a marker left by an earlier lock_store would say held at once
  if is_pg; then
    lock_store "$1" "$2" &
  else
    python3 - "$1" "$2" "${3:-IMMEDIATE}" <<'PY' &
import os, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
db.execute("BEGIN " + sys.argv[3])
open(sys.argv[2], "w").close()
while os.path.exists(sys.argv[2]):
    time.sleep(0.02)
db.execute("ROLLBACK")
PY
  fi
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
  if is_pg; then
    pg_digest "$(pg_schema_for "${1:-$EXECTRAIL_HOME/trail.db}")"
    return
  fi
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

# pg_digest SCHEMA: db_digest of a trail in PostgreSQL (every table of its
# schema, rows in text form, sorted)
pg_digest() {
  pg_psql "$1" -c "SELECT string_agg(format('\\echo table %s' || chr(10) ||
      'COPY (SELECT * FROM %I) TO STDOUT;', table_name, table_name), chr(10)
      ORDER BY table_name) FROM information_schema.tables
      WHERE table_schema = '$1' AND table_type = 'BASE TABLE'" 2>/dev/null |
    pg_psql "$1" -f - 2>/dev/null | python3 -c '
import hashlib, sys
h, name, rows = hashlib.sha256(), None, []
def flush():
    if name is not None:
        h.update(("table %s %d\n" % (name, len(rows))).encode())
        for r in sorted(rows):
            h.update(r + b"\n")
for line in sys.stdin.buffer:
    line = line.rstrip(b"\n")
    if line.startswith(b"table "):
        flush()
        name, rows = line[6:].decode(), []
    else:
        rows.append(line)
flush()
print(h.hexdigest())'
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
# On PostgreSQL (is_pg) the statement runs in the schema of the trail at
# DB (pg_compat gives it json_extract, hex and group_concat); the
# parameters are sent as quoted literals.
sql() {
  if is_pg; then
    pg_compat
    PGOPTIONS="-c search_path=$(pg_schema_for "$1"),${T_PG_PREFIX}_compat -c client_min_messages=warning" \
      python3 - "$EXECTRAIL_CLI_PG" "$@" <<'PY'
import re, subprocess, sys
dsn, stmt, params = sys.argv[1], sys.argv[3], sys.argv[4:]
out, q, i = [], None, 0
for c in stmt:
    if q:
        q = None if c == q else q
    elif c in "'\"":
        q = c
    elif c == "?":
        out.append("'" + params[i].replace("'", "''") + "'")
        i += 1
        continue
    out.append(c)
r = subprocess.run(["psql", dsn, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                    "-F", "\x1f", "-R", "\x1e", "-c", "".join(out)],
                   stdout=subprocess.PIPE)
def field(v):
    # bytea comes as \x<hex>; SQLite gives the stored text itself
    if re.fullmatch(r"\\x(?:[0-9a-f]{2})*", v):
        try:
            return bytes.fromhex(v[2:]).decode("utf-8")
        except ValueError:
            pass
    return v
text = r.stdout.decode("utf-8")
text = text[:-1] if text.endswith("\n") else text
for row in text.split("\x1e") if text else []:
    print("|".join(field(v) for v in row.split("\x1f")))
sys.exit(r.returncode)
PY
    return
  fi
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

# sqlite_only WHY: on PostgreSQL (is_pg), say that a part of this test
# reads or changes the SQLite file itself and does not apply there;
# returns 1 there (`if sqlite_only WHY; then ... fi`). A whole test
# declares itself so right after sourcing lib.sh, with
# `sqlite_only WHY || done_testing` (a skip-all plan on PostgreSQL).
sqlite_only() {
  if is_pg; then
    skip_note "SQLite only: $1"
    return 1
  fi
  return 0
}

# lock_store DB READY [RELEASE]: hold the trail's write lock from another
# process (SQLite: BEGIN EXCLUSIVE; PostgreSQL: the trail's advisory lock,
# docs/POSTGRES.md), create READY once held, and release it when RELEASE
# appears (without RELEASE: when READY is removed). Run it in the
# background.
lock_store() {
  if is_pg; then
    exec python3 - "$EXECTRAIL_CLI_PG" "$(pg_schema_for "$1")" "$2" "${3:-}" <<'PY'
import os, subprocess, sys, time
dsn, schema, ready, release = sys.argv[1:5]
env = dict(os.environ, PGOPTIONS="-c search_path=%s" % schema)
p = subprocess.Popen(["psql", dsn, "-X", "-q", "-A", "-t"], stdin=subprocess.PIPE,
                     stdout=subprocess.PIPE, env=env, text=True)
# a query's result reaches the pipe at once (psql buffers \echo there)
p.stdin.write("SELECT pg_advisory_lock(1163150418, hashtext(current_schema()));\n"
              "SELECT 'locked';\n")
p.stdin.flush()
for line in p.stdout:
    if line.strip() == "locked":
        break
else:
    sys.exit("lock_store: psql ended before it held the lock")
open(ready, "w").close()
while (os.path.exists(release) if release else not os.path.exists(ready)) is False:
    time.sleep(0.05)
p.stdin.close()
p.wait()
PY
  fi
  exec python3 - "$1" "$2" "${3:-}" <<'PY'
import os, sqlite3, sys, time
db, ready, release = sys.argv[1:4]
c = sqlite3.connect(db, isolation_level=None, timeout=10)
c.execute("BEGIN EXCLUSIVE")
open(ready, "w").close()
while (os.path.exists(release) if release else not os.path.exists(ready)) is False:
    time.sleep(0.05)
c.execute("ROLLBACK")
PY
}

# trail_exists DB: there is a trail at DB (on PostgreSQL: in its schema)
trail_exists() {
  if is_pg; then
    [ "$(pg_psql "$(pg_schema_for "$1")" -c "SELECT to_regclass('et_schema') IS NOT NULL" 2>/dev/null)" = t ]
  else
    [ -f "$1" ]
  fi
}

# home_rm DIR: remove DIR and the trail of DIR/trail.db with it (on
# PostgreSQL its schema)
home_rm() {
  rm -rf "$1"
  if is_pg; then
    pg_psql "$(pg_schema_for "$1/trail.db")" \
      -c "DROP SCHEMA IF EXISTS $(pg_schema_for "$1/trail.db") CASCADE" >/dev/null 2>&1
  fi
  return 0
}

# alloc_walk_setup: the set-up of the allocation-failure walks (t0707,
# t0855): leak checks off (leaks on the injected failure paths are
# expected; what is checked is what is answered and stored), a trail
# holding the spec record ($REC), and what the walk's Python reads from
# the environment (ET_BASE_HOME, ET_REC_ID, ET_T_DIR)
alloc_walk_setup() {
  REC="$ET_SOURCE_DIR/tests/data/spec-record.json"
  export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
  check "init" et init
  check "a record to read" et record "$REC"
  export ET_BASE_HOME="$EXECTRAIL_HOME" ET_T_DIR="$T_DIR"
  ET_REC_ID=$(jget "$REC" 'd["execution_id"]')
  export ET_REC_ID
}
