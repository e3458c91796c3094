#!/bin/sh
# SPDX-License-Identifier: MIT
# PostgreSQL retention by month partition against row by row (docs/
# POSTGRES.md "Time partitions"): the same corpus imported into two
# trails, then `retention run` on each, one dropping the partitions of the
# months that expire whole, the other with ET_PG_RETENTION=rows; wall time
# of the run, executions erased, partitions before and after.
# Corpus: BENCH_PART_MONTHS months (default 6) of BENCH_PART_PER_MONTH
# executions (default 2000, 3 actions each, all MATCH, kept 90 days),
# starting on days 1-25; the run is at 2025-08-01, so the first four
# months expire whole and May in part.
# The server: EXECTRAIL_TEST_PG, else a throwaway cluster
# (tools/pg-test-cluster.sh). usage: bench/pg_partitions.sh BUILD_DIR
set -eu
B=${1:-build/release}
ET="$PWD/$B/exectrail"
SRC=$(cd "$(dirname "$0")/.." && pwd)
MONTHS=${BENCH_PART_MONTHS:-6}
PER=${BENCH_PART_PER_MONTH:-2000}
W=$(mktemp -d "${TMPDIR:-/tmp}/et-bench-part-XXXXXX")
. "$SRC/bench/pg_bench_lib.sh"

python3 - "$W/in.jsonl" "$MONTHS" "$PER" <<'PY'
import json, sys, uuid, datetime as dt
months, per = int(sys.argv[2]), int(sys.argv[3])
S = dt.timedelta(seconds=1)
f = lambda t: t.strftime("%Y-%m-%dT%H:%M:%S.000Z")
with open(sys.argv[1], "w") as out:
    for m in range(months):
        base = dt.datetime(2025, 1 + m, 1, tzinfo=dt.timezone.utc)
        for i in range(per):
            start = base + dt.timedelta(seconds=i * (25 * 86400 // per))
            out.write(json.dumps({
                "execution_id": str(uuid.UUID(int=(m << 40) + i + 1, version=4)),
                "session_id": "s-%d-%d" % (m, i % 50),
                "timestamp_start": f(start), "timestamp_end": f(start + 40 * S),
                "agent_metadata": {"name": "agent-%d" % (i % 7)},
                "delegation": {"prompt_sent": "fix item %d of month %d" % (i, m)},
                "execution": {"actions_taken": [
                    {"sequence": k + 1, "tool": "Bash", "input": "make t%d" % k,
                     "output": "ok", "timestamp": f(start + (k + 1) * S),
                     "success": True} for k in range(3)]},
                "output": {"raw_response": "done", "files_modified": ["src/f%d.c" % (i % 100)]},
                "verification": {"status": "MATCH"}}) + "\n")
PY

q() { PGOPTIONS="-c search_path=$1 -c client_min_messages=warning" \
  psql "$DSN" -X -q -A -t -c "$2"; }
nparts() { q "$1" "SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
  WHERE c.relnamespace = '$1'::regnamespace AND c.relkind = 'r'"; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b - a) / 1e9 }'; }

echo "corpus: $MONTHS months x $PER executions (3 actions each)"
for mode in partitions rows; do
  s="et_bench_part_$$_$mode"
  SCHEMAS="$SCHEMAS $s"
  export EXECTRAIL_HOME="$W/home-$mode"
  export EXECTRAIL_DB="$DSN?options=-csearch_path%3D$s"
  mkdir -p "$EXECTRAIL_HOME"
  "$ET" init >/dev/null
  t0=$(date +%s%N)
  "$ET" import "$W/in.jsonl" >/dev/null 2>&1
  t1=$(date +%s%N)
  before=$(nparts "$s")
  if [ $mode = rows ]; then export ET_PG_RETENTION=rows; fi
  t2=$(date +%s%N)
  res=$("$ET" retention run --at 2025-08-01 2>&1 | sed 's/ into [^;]*;/;/')
  t3=$(date +%s%N)
  unset ET_PG_RETENTION
  after=$(nparts "$s")
  t4=$(date +%s%N)
  "$ET" verify >/dev/null
  t5=$(date +%s%N)
  printf '%-10s import %6ss  retention run %6ss  partitions %s -> %s  verify %ss  (%s)\n' \
    "$mode" "$(secs "$t0" "$t1")" "$(secs "$t2" "$t3")" "$before" "$after" \
    "$(secs "$t4" "$t5")" "$res"
done
