#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A short run of the crash harness (tools/crash-harness.py;
# docs/RELIABILITY.md, "Crash harness"): import, hook, record, retention
# run and serve, each ended at a random point (SIGKILL after a random delay,
# or the fault VFS ending the process at a random write point); after each
# run verify passes, every acknowledged event is stored once and nothing is
# stored twice. ET_CRASH_RUNS (default 20) and ET_CRASH_SEED (default:
# random, printed) change the run; the release build runs thousands.
. "$(dirname "$0")/lib.sh"

case "${EXECTRAIL_DB:-}" in postgresql:* | postgres:*)
  echo "1..0 # SKIP the fault injection is SQLite's (a VFS shim)"; exit 0 ;;
esac
sqlite_only "tools/crash-harness.py reads the SQLite file (python sqlite3) and ends runs with SQLite's fault VFS; kill -9 on PostgreSQL: t0006, t0602, t0706" ||
  done_testing
RUNS=${ET_CRASH_RUNS:-20}
SEED=${ET_CRASH_SEED:-$(( $(od -An -N4 -tu4 /dev/urandom) % 2147483647 ))}
echo "# seed $SEED (ET_CRASH_SEED=$SEED reruns the same choices)"
python3 "$ET_SOURCE_DIR/tools/crash-harness.py" --exectrail "$EXECTRAIL" \
  --runs "$RUNS" --seed "$SEED" --dir "$T_DIR/h" --reset 10 \
  >"$T_DIR/harness.out" 2>&1
rc=$?
sed 's/^/# /' "$T_DIR/harness.out"
eq "$rc" 0 "the harness exits 0"
eq "$(tail -n 1 "$T_DIR/harness.out")" "$RUNS runs, 0 failures" \
  "$RUNS runs, each checked after its end: no failures"
ended=$(awk '$1 ~ /^(import|hook|record|retention|serve)$/ { n += $3 + $4 } END { print n + 0 }' "$T_DIR/harness.out")
if [ "$ended" -ge $((RUNS / 3)) ]; then ok "runs were ended early ($ended of $RUNS by SIGKILL or a fault)"
else fails "runs were ended early" "only $ended of $RUNS"; fi
done_testing
