#!/bin/sh
# SPDX-License-Identifier: MIT
# Retention benchmark (make bench, section 5): `retention run` over a trail
# of which about 30% has expired (archive with inclusion proofs, verify the
# bundle, erase), against the baseline of importing the same records, in
# the same run. Reports executions/s and peak RSS, median of BENCH_RET_RUNS.
# usage: bench/retention.sh BUILD_DIR
# Environment: BENCH_RETENTION_EXECUTIONS (default 30000; the lead's figure
# is for 1000000), BENCH_RET_RUNS (default 3).
set -eu
B=${1:-build/release}
ET="$PWD/$B/exectrail"
BIN="$PWD/$B/bench"
N=${BENCH_RETENTION_EXECUTIONS:-30000}
RUNS=${BENCH_RET_RUNS:-3}
W=$(mktemp -d "${TMPDIR:-/tmp}/et-bench-ret-XXXXXX")
trap 'rm -rf "$W"' EXIT

kv() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# bench_gen's records are 75% MATCH (kept 90 days), 25% PARTIAL (180
# days), seconds apart: "now" is set (after the first import) to the expiry
# time of the record at the 30th percentile, so 30% have expired
AT=""
"$BIN/bench_gen" jsonl "$N" 10 "$W/ret.jsonl"
mb=$(du -m "$W/ret.jsonl" | cut -f1)
ir=""; rr=""; irss=""; rrss=""; nexp=0
k=0
while [ $k -lt "$RUNS" ]; do
  k=$((k + 1))
  rm -rf "$W/h"
  mkdir -p "$W/h"
  EXECTRAIL_HOME="$W/h" "$ET" -q init >/dev/null
  i=$(EXECTRAIL_HOME="$W/h" "$BIN/bench_spawn" -n 1 -i "$W/ret.jsonl" -- "$ET" -q import - 2>/dev/null)
  if [ -z "$AT" ]; then
    AT=$(EXECTRAIL_HOME="$W/h" "$ET" retention plan --all --format jsonl 2>/dev/null | python3 -c '
import json, sys, datetime as dt
e = sorted(json.loads(l)["expires_ns"] for l in sys.stdin)
k = e[int(len(e) * 0.3) - 1]
print(dt.datetime.fromtimestamp(k // 10**9, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))')
  fi
  nexp=$(EXECTRAIL_HOME="$W/h" "$ET" retention plan --at "$AT" --format jsonl | grep -c '"EXPIRE"' || true)
  r=$(EXECTRAIL_HOME="$W/h" EXECTRAIL_NOW="$AT" "$BIN/bench_spawn" -n 1 -- "$ET" -q retention run)
  left=$(EXECTRAIL_HOME="$W/h" "$ET" list --limit 0 --format ids | wc -l | tr -d ' ')
  if [ "$left" -ne $((N - nexp)) ]; then
    echo "retention run left $left executions, expected $((N - nexp))" >&2
    exit 1
  fi
  ir="$ir $(awk -v m="$(kv "$i" p50_ms)" -v n="$N" 'BEGIN { printf "%.0f", n / (m / 1000) }')"
  rr="$rr $(awk -v m="$(kv "$r" p50_ms)" -v n="$N" 'BEGIN { printf "%.0f", n / (m / 1000) }')"
  irss="$irss $(( $(kv "$i" max_rss_kb) / 1024 ))"
  rrss="$rrss $(( $(kv "$r" max_rss_kb) / 1024 ))"
  rsecs=$(awk -v m="$(kv "$r" p50_ms)" 'BEGIN { printf "%.2f", m / 1000 }')
done
EXECTRAIL_HOME="$W/h" "$ET" verify >/dev/null
bundle=$(ls "$W"/h/archive/*.etar.zst)
EXECTRAIL_HOME="$W/h" "$ET" archive verify "$bundle" >/dev/null
im=$(echo "$ir" | median); rm_=$(echo "$rr" | median)
echo "retention run over $N executions x 10 actions ($mb MB JSONL), $nexp expired ($(awk -v a="$nexp" -v n="$N" 'BEGIN { printf "%.1f", 100 * a / n }')%), median of $RUNS:"
echo "  exectrail retention run  $rm_ executions/s over the trail ($(awk -v r="$rm_" -v a="$nexp" -v n="$N" 'BEGIN { printf "%.0f", r * a / n }') archived+erased/s; last run $rsecs s)   peak RSS $(echo "$rrss" | median) MiB   (runs:$rr)"
echo "  baseline: import         $im executions/s   peak RSS $(echo "$irss" | median) MiB   (the same records; runs:$ir)"
echo "  ratio run/import         $(ratio "$rm_" "$im")x"
echo "  bundle $(du -k "$bundle" | cut -f1) KB for $nexp executions; verify and archive verify pass afterwards"
