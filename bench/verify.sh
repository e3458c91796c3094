#!/bin/sh
# SPDX-License-Identifier: MIT
# verify benchmark (make bench, section 10): `exectrail verify` (ledger,
# tree head, checkpoints and, by default, the projections recomputed from
# the ledger) against `verify --no-projections` on the same store, runs
# alternating, in the same run. Reports the median wall and CPU time, the
# peak RSS and the ratio.
# usage: bench/verify.sh BUILD_DIR
# Environment: BENCH_VERIFY_RECORDS (spec records of 5 actions, default
# 1000), BENCH_VERIFY_RUNS (default 7).
set -eu
B=${1:-build/release}
ET="$PWD/$B/exectrail"
BIN="$PWD/$B/bench"
N=${BENCH_VERIFY_RECORDS:-1000}
RUNS=${BENCH_VERIFY_RUNS:-7}
W=$(mktemp -d "${TMPDIR:-/tmp}/et-bench-verify-XXXXXX")
trap 'rm -rf "$W"' EXIT

median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }
# one run: "wall_s cpu_s maxrss_kb" of the command, which must exit 0
timed() {
  /usr/bin/time -f '%e %U %S %M' -o "$W/t" "$@" >"$W/out" 2>&1 ||
    { echo "verify benchmark: $* failed:" >&2; cat "$W/out" >&2; exit 1; }
  awk '{ printf "%s %.2f %s\n", $1, $2 + $3, $4 }' "$W/t"
}

"$BIN/bench_gen" jsonl "$N" 5 "$W/v.jsonl"
"$ET" -q --db "$W/v.db" init >/dev/null
"$ET" -q --db "$W/v.db" import "$W/v.jsonl" >/dev/null 2>&1
# warm-up (page cache)
"$ET" --db "$W/v.db" verify >/dev/null
pw=""; pc=""; pm=""; nw=""; nc=""; nm=""
k=0
while [ $k -lt "$RUNS" ]; do
  k=$((k + 1))
  set -- $(timed "$ET" --db "$W/v.db" verify)
  grep -q "every row matches" "$W/out" ||
    { echo "verify benchmark: projections not compared:" >&2; cat "$W/out" >&2; exit 1; }
  pw="$pw $1"; pc="$pc $2"; pm="$pm $3"
  set -- $(timed "$ET" --db "$W/v.db" verify --no-projections)
  nw="$nw $1"; nc="$nc $2"; nm="$nm $3"
done
pw=$(echo "$pw" | median); pc=$(echo "$pc" | median); pm=$(echo "$pm" | median)
nw=$(echo "$nw" | median); nc=$(echo "$nc" | median); nm=$(echo "$nm" | median)
echo "verify over $N records ($((N * 5)) actions, $(du -m "$W/v.db" | cut -f1) MB store), median of $RUNS alternating runs:"
echo "  exectrail verify                  wall $pw s  CPU $pc s  peak RSS $((pm / 1024)) MB"
echo "  baseline: verify --no-projections wall $nw s  CPU $nc s  peak RSS $((nm / 1024)) MB"
echo "  ratio (CPU)                       $(ratio "$pc" "$nc")x   (wall $(ratio "$pw" "$nw")x)"
