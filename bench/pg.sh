#!/bin/sh
# SPDX-License-Identifier: MIT
# PostgreSQL beside SQLite (make bench, section 11): the same corpus, the
# same binary, the same run, each figure for both stores and the ratio
# PostgreSQL / SQLite:
#   import       `exectrail import` of bench_gen JSONL (10 actions per
#                record, then a tenth as many of 100), actions/s, median
#                of 3 (a fresh trail each run); PostgreSQL also without its
#                bulk writes (COPY of ledger and action rows, deferred
#                applies), with the round trips of each
#   hook, record one process per call (bench_spawn): `exectrail hook` of a
#                5 KB PostToolUse and `exectrail record` of a spec record
#                (5 actions), p50/p99, 1 caller and 8 at once
#   queries      bench_query on each store (the spec's queries through the
#                query language, and the same question as hand-written SQL
#                on that store), p50; corpus bench_query_gen
# The server: EXECTRAIL_TEST_PG (a connection string) when set, else a
# throwaway cluster (tools/pg-test-cluster.sh: fsync off, so PostgreSQL's
# commits are not durable there while SQLite's are: the record and hook
# rows favour PostgreSQL; with a server of your own they compare like for
# like). Each trail is a schema of its own, dropped at the end.
# usage: bench/pg.sh BUILD_DIR
# Environment: BENCH_PG_IMPORT_RECORDS (default 10000), BENCH_PG_RUNS
# (record and hook calls, default 300), BENCH_PG_QUERY_EXECUTIONS (default
# 30000; 0 skips the queries), BENCH_PG_QUERY_RUNS (default 10).
set -eu
B=${1:-build/release}
ET="$PWD/$B/exectrail"
BIN="$PWD/$B/bench"
SRC=$(cd "$(dirname "$0")/.." && pwd)
NIMP=${BENCH_PG_IMPORT_RECORDS:-10000}
RUNS=${BENCH_PG_RUNS:-300}
QN=${BENCH_PG_QUERY_EXECUTIONS:-30000}
QRUNS=${BENCH_PG_QUERY_RUNS:-10}
W=$(mktemp -d "${TMPDIR:-/tmp}/et-bench-pg-XXXXXX")
PGDIR=""
SCHEMAS=""

cleanup() {
  if [ -n "${DSN:-}" ]; then
    for s in $SCHEMAS; do
      PGOPTIONS="-c client_min_messages=warning" psql "$DSN" -X -q \
        -c "DROP SCHEMA IF EXISTS $s CASCADE" >/dev/null 2>&1 || true
    done
  fi
  [ -n "$PGDIR" ] && sh "$SRC/tools/pg-test-cluster.sh" stop "$PGDIR"
  rm -rf "$W"
}
trap cleanup EXIT

if "$ET" --db 'postgresql://nobody@127.0.0.1:1/none?connect_timeout=1' stats 2>&1 |
    grep -q 'built without PostgreSQL'; then
  echo "PostgreSQL beside SQLite: skipped (this build has no PostgreSQL backend)"
  exit 0
fi
if [ -n "${EXECTRAIL_TEST_PG:-}" ]; then
  DSN=$EXECTRAIL_TEST_PG
  where="the server of EXECTRAIL_TEST_PG"
elif out=$(sh "$SRC/tools/pg-test-cluster.sh" start 2>"$W/pg.err"); then
  PGDIR=$(echo "$out" | sed -n 's/^DIR=//p')
  DSN=$(echo "$out" | sed -n 's/^DSN=//p')
  where="a throwaway cluster on loopback (tools/pg-test-cluster.sh: fsync off)"
else
  echo "PostgreSQL beside SQLite: skipped ($(cat "$W/pg.err"))"
  exit 0
fi

kv() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
median3() { printf '%s\n%s\n%s\n' "$1" "$2" "$3" | sort -g | sed -n 2p; }
n=0
pg_trail() { # NAME: P = the connection string of a new schema
  n=$((n + 1))
  sch="et_bench_$$_$1_$n"
  SCHEMAS="$SCHEMAS $sch"
  case "$DSN" in
    *\?*) P="$DSN&options=-csearch_path%3D$sch" ;;
    *) P="$DSN?options=-csearch_path%3D$sch" ;;
  esac
}
# the keys of a PostgreSQL trail live in EXECTRAIL_HOME
export EXECTRAIL_HOME="$W/home"
PGV=$(psql "$DSN" -X -A -t -c 'SHOW server_version' 2>/dev/null || echo '?')
echo "PostgreSQL $PGV beside SQLite, $where:"
echo

# ---- import ----
# each corpus into SQLite, into PostgreSQL as built, and into PostgreSQL
# as before the bulk writes (ET_PG_COPY_ROWS=off: no COPY of ledger and
# action rows; ET_PG_DEFER=off: every apply answered on its own), in turn
import_rows() { # FILE ACTIONS_PER_RECORD LABEL
  f=$1 per=$2 label=$3
  acts=$(($(wc -l <"$f") * per))
  sq=""; pg=""; pb=""; rt=""; rtb=""
  for k in 1 2 3; do
    rm -f "$W"/imp.db*
    s=$(date +%s.%N)
    "$ET" -q --db "$W/imp.db" import "$f" 2>/dev/null
    e=$(date +%s.%N)
    sq="$sq $(awk -v s="$s" -v e="$e" -v a="$acts" 'BEGIN { printf "%.0f", a / (e - s) }')"
    for v in new old; do
      pg_trail imp
      "$ET" -q --db "$P" init >/dev/null
      s=$(date +%s.%N)
      if [ $v = new ]; then
        ET_STORE_STATS=1 "$ET" -q --db "$P" import "$f" 2>"$W/st"
      else
        ET_PG_COPY_ROWS=off ET_PG_DEFER=off ET_STORE_STATS=1 "$ET" -q --db "$P" import "$f" 2>"$W/st"
      fi
      e=$(date +%s.%N)
      r=$(awk -v s="$s" -v e="$e" -v a="$acts" 'BEGIN { printf "%.0f", a / (e - s) }')
      nrt=$(sed -nE 's/^exectrail: postgresql: ([0-9]+) round trips.*/\1/p' "$W/st")
      if [ $v = new ]; then pg="$pg $r"; rt=$nrt; else pb="$pb $r"; rtb=$nrt; fi
    done
  done
  set -- $sq; sqm=$(median3 "$1" "$2" "$3")
  set -- $pg; pgm=$(median3 "$1" "$2" "$3")
  set -- $pb; pbm=$(median3 "$1" "$2" "$3")
  echo "import, $label ($(du -m "$f" | cut -f1) MB JSONL, median of 3, actions/s):"
  echo "  SQLite                        $sqm   (runs:$sq)"
  echo "  PostgreSQL                    $pgm   (runs:$pg; $rt round trips)"
  echo "  PostgreSQL, no bulk writes    $pbm   (runs:$pb; $rtb round trips)"
  echo "  ratio PG/SQLite  $(ratio "$pgm" "$sqm")x, PG/PG before  $(ratio "$pgm" "$pbm")x"
  "$ET" --db "$P" verify >/dev/null && echo "  the last PostgreSQL import verifies"
  echo
}
"$BIN/bench_gen" jsonl "$NIMP" 10 "$W/imp.jsonl"
import_rows "$W/imp.jsonl" 10 "$NIMP records x 10 actions"
# records of 100 actions: their ledger and action rows go by COPY
"$BIN/bench_gen" jsonl $((NIMP / 10)) 100 "$W/imp100.jsonl"
import_rows "$W/imp100.jsonl" 100 "$((NIMP / 10)) records x 100 actions"
rm -f "$W/imp100.jsonl"

# ---- the hook path and record: one process per call ----
mkdir -p "$W/hooks" "$W/recs"
pad=$(head -c 4600 /dev/zero | tr '\0' 'x')
i=0
while [ $i -lt $((RUNS + 50)) ]; do
  printf '{"session_id":"bench-session","transcript_path":"/tmp/t.jsonl","cwd":"/tmp","hook_event_name":"PostToolUse","tool_name":"Bash","tool_input":{"command":"make test %d"},"tool_response":{"stdout":"%s","stderr":"","interrupted":false},"tool_use_id":"toolu_bench_%d","agent_id":"a-bench","agent_type":"general-purpose"}\n' \
    "$i" "$pad" "$i" >"$W/hooks/h-$i.json"
  i=$((i + 1))
done
"$BIN/bench_gen" files $((RUNS + 50)) 5 "$W/recs/r-%d.json"
line() { # LABEL SQLITE_RESULT PG_RESULT
  printf '  %-22s SQLite p50 %6s p99 %6s ms   PostgreSQL p50 %6s p99 %6s ms   ratio p50 %sx p99 %sx%s\n' \
    "$1" "$(kv "$2" p50_ms)" "$(kv "$2" p99_ms)" "$(kv "$3" p50_ms)" "$(kv "$3" p99_ms)" \
    "$(ratio "$(kv "$3" p50_ms)" "$(kv "$2" p50_ms)")" \
    "$(ratio "$(kv "$3" p99_ms)" "$(kv "$2" p99_ms)")" \
    "$([ "$(kv "$2" failures)$(kv "$3" failures)" = 00 ] || echo "  failures $(kv "$2" failures)/$(kv "$3" failures)")"
}
spawn_pair() { # LABEL CONCURRENCY INPUT_FMT VERB...
  label=$1 c=$2 in=$3
  shift 3
  # warm-up on trails of their own (page cache, the server's caches)
  pg_trail warm
  "$ET" --db "$W/warm$n.db" init >/dev/null
  "$ET" --db "$P" init >/dev/null
  "$BIN/bench_spawn" -n 20 -i "$in" -- "$ET" --db "$W/warm$n.db" "$@" >/dev/null 2>&1 || true
  "$BIN/bench_spawn" -n 20 -i "$in" -- "$ET" --db "$P" "$@" >/dev/null 2>&1 || true
  pg_trail spawn
  "$ET" --db "$W/sp$n.db" init >/dev/null
  "$ET" --db "$P" init >/dev/null
  a=$("$BIN/bench_spawn" -n "$RUNS" -c "$c" -i "$in" -- "$ET" --db "$W/sp$n.db" "$@")
  b=$("$BIN/bench_spawn" -n "$RUNS" -c "$c" -i "$in" -- "$ET" --db "$P" "$@")
  line "$label" "$a" "$b"
  "$ET" --db "$P" verify >/dev/null || echo "  (the PostgreSQL trail does not verify!)"
}
echo "one process per call ($RUNS calls each; p50/p99 of process start -> commit -> exit):"
spawn_pair "hook, 1 caller" 1 "$W/hooks/h-%d.json" hook
spawn_pair "hook, 8 callers" 8 "$W/hooks/h-%d.json" hook
spawn_pair "record, 1 caller" 1 "$W/recs/r-%d.json" record -
spawn_pair "record, 8 callers" 8 "$W/recs/r-%d.json" record -
echo

# ---- the spec queries ----
if [ "$QN" -gt 0 ]; then
  "$BIN/bench_query_gen" "$QN" 10 "$W/q.jsonl"
  s=$(date +%s.%N)
  "$ET" -q --db "$W/q.db" import "$W/q.jsonl" 2>/dev/null
  e=$(date +%s.%N)
  pg_trail query
  "$ET" -q --db "$P" init >/dev/null
  s2=$(date +%s.%N)
  "$ET" -q --db "$P" import "$W/q.jsonl" 2>/dev/null
  e2=$(date +%s.%N)
  psql "$P" -X -q -c 'ANALYZE' >/dev/null
  rm -f "$W/q.jsonl"
  "$BIN/bench_query" "$W/q.db" "$QRUNS" 100 >"$W/q.sqlite"
  "$BIN/bench_query" "$P" "$QRUNS" 100 >"$W/q.pg"
  echo "queries over $QN executions / $((QN * 10)) actions (import: SQLite $(awk -v s="$s" -v e="$e" 'BEGIN { printf "%.0f", e - s }') s, PostgreSQL $(awk -v s="$s2" -v e="$e2" 'BEGIN { printf "%.0f", e - s }') s), p50 ms of $QRUNS runs:"
  echo "  ids = the whole answer as ids, rows = as summary rows, page = first 100 rows;"
  echo "  SQL = the same question hand-written, on the same store"
  python3 - "$W/q.sqlite" "$W/q.pg" <<'PY'
import sys
def load(p):
    rows, name = [], ""
    for l in open(p):
        f = l.split()
        if len(f) < 7 or f[0] == "query":
            continue
        # "  NAME... MODE p50 p95 sqlp50 sqlp95 ratio matches": NAME may be
        # blank (same query) or several words
        i = next(k for k, x in enumerate(f) if x in ("ids", "rows", "page", "top20"))
        if i:
            name = " ".join(f[:i])
        rows.append((name, f[i], float(f[i + 1]), float(f[i + 3]), f[i + 6]))
    return rows
a, b = load(sys.argv[1]), load(sys.argv[2])
print("  %-20s %-5s %9s %9s %9s %11s %9s %8s" % ("query", "mode", "SQLite", "PG", "PG/SQLite", "SQLite SQL", "PG SQL", "matches"))
last = ""
for (n, m, s50, ss50, sc), (_, _, p50, ps50, pc) in zip(a, b):
    print("  %-20s %-5s %9.2f %9.2f %8.2fx %11.2f %9.2f %8s%s" % (
        n if n != last else "", m, s50, p50, p50 / s50 if s50 > 0 else 0,
        ss50, ps50, sc, "" if sc == pc else "  (PG: %s)" % pc))
    last = n
PY
fi
