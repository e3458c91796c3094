#!/bin/sh
# SPDX-License-Identifier: MIT
# What the partition uniqueness triggers cost an import (docs/POSTGRES.md
# "Time partitions"): executions_unique, actions_unique and fts_unique
# check, row by row, across every partition, what a unique index cannot
# on tables partitioned by a time that may be NULL. The same import into
# two fresh trails, one as `init` makes it, one with the three triggers
# dropped (a copy of the schema that only this script makes: without
# them nothing refuses a duplicate); interleaved, BENCH_TRIG_RUNS runs of
# each (default 3), median wall time and actions/s.
# Corpus: BENCH_TRIG_RECORDS records (default 2000) of 10 actions, spread
# over BENCH_TRIG_MONTHS months (default 12: each check looks into that
# many partitions, and the DEFAULT one).
# The server: EXECTRAIL_TEST_PG, else a throwaway cluster
# (tools/pg-test-cluster.sh). usage: bench/pg_triggers.sh BUILD_DIR
set -eu
B=${1:-build/release}
ET="$PWD/$B/exectrail"
SRC=$(cd "$(dirname "$0")/.." && pwd)
NREC=${BENCH_TRIG_RECORDS:-2000}
MONTHS=${BENCH_TRIG_MONTHS:-12}
RUNS=${BENCH_TRIG_RUNS:-3}
W=$(mktemp -d "${TMPDIR:-/tmp}/et-bench-trig-XXXXXX")
. "$SRC/bench/pg_bench_lib.sh"
export EXECTRAIL_HOME="$W/home"

python3 - "$W/in.jsonl" "$NREC" "$MONTHS" <<'PY'
import json, sys, uuid, datetime as dt
path, n, months = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
S = dt.timedelta(seconds=1)
f = lambda t: t.strftime("%Y-%m-%dT%H:%M:%S.000Z")
with open(path, "w") as out:
    for i in range(n):
        m = i % months
        start = dt.datetime(2024 + m // 12, 1 + m % 12, 1 + i % 25, 9, i % 60,
                            tzinfo=dt.timezone.utc)
        rec = {"execution_id": str(uuid.UUID(int=i + 1, version=4)),
               "session_id": "sess-%d" % (i % 50),
               "timestamp_start": f(start), "timestamp_end": f(start + 50 * S),
               "agent_metadata": {"name": "agent-%d" % (i % 7)},
               "delegation": {"prompt_sent": "item %d: check the walnut ledger" % i},
               "execution": {"actions_taken": [
                   {"sequence": k + 1, "tool": "Bash", "input": "make t%d" % k,
                    "output": "ok %d" % k, "timestamp": f(start + (k + 1) * S),
                    "success": True} for k in range(10)]},
               "output": {"raw_response": "done %d" % i,
                          "files_modified": ["src/f%d.c" % (i % 40)]},
               "verification": {"status": "MATCH"}}
        out.write(json.dumps(rec) + "\n")
PY

n=0
trail() { # NAME: P = the connection string of a new schema
  n=$((n + 1))
  sch="et_bench_$$_$1_$n"
  SCHEMAS="$SCHEMAS $sch"
  case "$DSN" in
    *\?*) P="$DSN&options=-csearch_path%3D$sch" ;;
    *) P="$DSN?options=-csearch_path%3D$sch" ;;
  esac
}
median() { tr ' ' '\n' | grep . | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
with=""; without=""
k=0
while [ $k -lt "$RUNS" ]; do
  k=$((k + 1))
  for v in with without; do
    trail "$v"
    "$ET" -q --db "$P" init >/dev/null
    if [ $v = without ]; then
      PGOPTIONS="-c search_path=$sch" psql "$DSN" -X -q -v ON_ERROR_STOP=1 \
        -c "DROP TRIGGER executions_unique ON executions" \
        -c "DROP TRIGGER actions_unique ON actions" \
        -c "DROP TRIGGER fts_unique ON fts" >/dev/null
    fi
    s=$(date +%s.%N)
    "$ET" -q --db "$P" import "$W/in.jsonl" >/dev/null 2>&1
    e=$(date +%s.%N)
    t=$(awk -v s="$s" -v e="$e" 'BEGIN { printf "%.2f", e - s }')
    if [ $v = with ]; then with="$with $t"; else without="$without $t"; fi
    [ $k -eq 1 ] && { "$ET" -q --db "$P" verify >/dev/null || echo "  ($v: the trail does not verify!)"; }
  done
done
# one more import with the triggers, untimed, with the server counting the
# time spent in the trigger functions (track_functions: a superuser's
# setting; skipped without the right)
trail track
"$ET" -q --db "$P" init >/dev/null
# (in the URI's options: libpq reads PGOPTIONS only when the URI has none)
if "$ET" -q --db "$P%20-ctrack_functions%3Dpl" import "$W/in.jsonl" >/dev/null 2>&1; then
  sleep 1 # the statistics of the import's backend reach the views
  fn=$(psql "$DSN" -X -A -t -F ' ' -c "SELECT funcname, calls, round(total_time::numeric)
    FROM pg_stat_user_functions WHERE schemaname = '$sch' AND funcname LIKE 'et\\_unique%'
    ORDER BY funcname" 2>/dev/null || true)
fi
mw=$(echo "$with" | median)
mo=$(echo "$without" | median)
acts=$((NREC * 10))
PGV=$(psql "$DSN" -X -A -t -c 'SHOW server_version' 2>/dev/null || echo '?')
parts=$(psql "$DSN" -X -A -t -c "SELECT count(*) FROM pg_inherits i
  JOIN pg_class p ON p.oid = i.inhparent WHERE p.relnamespace = '$sch'::regnamespace
  AND p.relname = 'actions'")
echo "PostgreSQL $PGV, $WHERE; load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
echo "import of $NREC records x 10 actions over $MONTHS months ($parts partitions of each table), median of $RUNS:"
echo "  with the uniqueness triggers     $mw s  $(awk -v a="$acts" -v t="$mw" 'BEGIN { printf "%.0f", a / t }') actions/s  (runs:$with)"
echo "  without them                     $mo s  $(awk -v a="$acts" -v t="$mo" 'BEGIN { printf "%.0f", a / t }') actions/s  (runs:$without)"
echo "  the triggers' share              $(awk -v a="$mw" -v b="$mo" 'BEGIN { printf "%.1f", 100 * (a - b) / a }') %"
if [ -n "${fn:-}" ]; then
  echo "time in the trigger functions, one more import with track_functions=pl (function calls ms):"
  echo "$fn" | sed 's/^/  /'
else
  echo "(time in the trigger functions: not counted, track_functions needs a superuser)"
fi
