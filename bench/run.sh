#!/bin/sh
# SPDX-License-Identifier: MIT
# make bench: every benchmark runs its baseline in the same run and reports
# medians and the ratio. usage: bench/run.sh BUILD_DIR
# Environment: BENCH_RUNS (record runs, default 500), BENCH_IMPORT_RECORDS
# (records per import run, default 30000), BENCH_BIG_MB (size of the RSS
# import, default 1024; 0 skips it), BENCH_VERIFY_RECORDS (store of the
# verify benchmark, default 1000; 0 skips it), BENCH_PG (0 skips the
# PostgreSQL section; its own knobs are in bench/pg.sh).
set -eu
B=${1:-build/release}
ET="$PWD/$B/exectrail"
BIN="$PWD/$B/bench"
RUNS=${BENCH_RUNS:-500}
NIMP=${BENCH_IMPORT_RECORDS:-30000}
BIG_MB=${BENCH_BIG_MB:-1024}
W=$(mktemp -d "${TMPDIR:-/tmp}/et-bench-XXXXXX")
trap 'rm -rf "$W"' EXIT

kv() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
median3() { printf '%s\n%s\n%s\n' "$1" "$2" "$3" | sort -g | sed -n 2p; }

echo "exectrail benchmarks, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(uname -m)"
echo

# ---- 1. record: process start -> durable commit -> exit ----
mkdir -p "$W/recs"
"$BIN/bench_gen" files $((RUNS + 100)) 5 "$W/recs/r-%d.json"
"$ET" --db "$W/rec.db" init >/dev/null
"$ET" --db "$W/warm.db" init >/dev/null
# warm-up (page cache, WAL creation) with other ids
"$BIN/bench_spawn" -n 50 -i "$W/recs/r-%d.json" -- "$ET" --db "$W/warm.db" record - >/dev/null
"$BIN/bench_spawn" -n 20 -i "$W/recs/r-%d.json" -- "$BIN/bench_commit" "$W/base.db" >/dev/null
r=$("$BIN/bench_spawn" -n "$RUNS" -i "$W/recs/r-%d.json" -- "$ET" --db "$W/rec.db" record -)
b=$("$BIN/bench_spawn" -n "$RUNS" -i "$W/recs/r-%d.json" -- "$BIN/bench_commit" "$W/base.db")
t=$("$BIN/bench_spawn" -n "$RUNS" -- "$BIN/bench_trivial")
echo "record, 1 writer ($RUNS runs, one spec record with 5 actions each):"
echo "  exectrail record      p50 $(kv "$r" p50_ms) ms  p99 $(kv "$r" p99_ms) ms  (failures $(kv "$r" failures))"
echo "  baseline: 1 commit    p50 $(kv "$b" p50_ms) ms  p99 $(kv "$b" p99_ms) ms  (static C process, WAL FULL insert)"
echo "  baseline: empty proc  p50 $(kv "$t" p50_ms) ms"
echo "  ratio record/commit   $(ratio "$(kv "$r" p50_ms)" "$(kv "$b" p50_ms)")x   (target: p50 <= 2.5 ms)"
echo

"$ET" --db "$W/rec8.db" init >/dev/null
r8=$("$BIN/bench_spawn" -n "$RUNS" -c 8 -i "$W/recs/r-%d.json" -- "$ET" --db "$W/rec8.db" record -)
b8=$("$BIN/bench_spawn" -n "$RUNS" -c 8 -i "$W/recs/r-%d.json" -- "$BIN/bench_commit" "$W/base8.db")
echo "record, 8 concurrent writers ($RUNS runs):"
echo "  exectrail record      p50 $(kv "$r8" p50_ms) ms  p99 $(kv "$r8" p99_ms) ms  (failures $(kv "$r8" failures))"
echo "  baseline: 1 commit    p50 $(kv "$b8" p50_ms) ms  p99 $(kv "$b8" p99_ms) ms"
echo "  ratio p50             $(ratio "$(kv "$r8" p50_ms)" "$(kv "$b8" p50_ms)")x   (target: p99 <= 10 ms)"
"$ET" --db "$W/rec8.db" verify >/dev/null && echo "  verify after the concurrent run: OK"
echo

# ---- 1b. Claude Code hook: PostToolUse of a subagent's tool, 5 KB ----
mkdir -p "$W/hooks"
pad=$(head -c 4600 /dev/zero | tr '\0' 'x')
i=0
while [ $i -lt $((RUNS + 50)) ]; do
  printf '{"session_id":"bench-session","transcript_path":"/tmp/t.jsonl","cwd":"/tmp","hook_event_name":"PostToolUse","tool_name":"Bash","tool_input":{"command":"make test %d"},"tool_response":{"stdout":"%s","stderr":"","interrupted":false},"tool_use_id":"toolu_bench_%d","agent_id":"a-bench","agent_type":"general-purpose"}\n' \
    "$i" "$pad" "$i" >"$W/hooks/h-$i.json"
  i=$((i + 1))
done
"$ET" --db "$W/hook.db" init >/dev/null
"$ET" --db "$W/hook8.db" init >/dev/null
h=$("$BIN/bench_spawn" -n "$RUNS" -i "$W/hooks/h-%d.json" -- "$ET" --db "$W/hook.db" hook)
h8=$("$BIN/bench_spawn" -n "$RUNS" -c 8 -i "$W/hooks/h-%d.json" -- "$ET" --db "$W/hook8.db" hook)
echo "hook, PostToolUse with a 5 KB payload ($RUNS runs):"
echo "  exectrail hook        p50 $(kv "$h" p50_ms) ms  p99 $(kv "$h" p99_ms) ms"
echo "  8 concurrent callers  p50 $(kv "$h8" p50_ms) ms  p99 $(kv "$h8" p99_ms) ms"
echo "  ratio p50 to the 1-commit baseline above: $(ratio "$(kv "$h" p50_ms)" "$(kv "$b" p50_ms)")x   (targets: p50 <= 2.5 ms, p99 <= 10 ms with 8)"
echo

# ---- 1c. Claude Code transcript import (MB/s) ----
# BENCH_TRANSCRIPT_COPIES copies of the fixture tree, each with its own ids
TR="$(dirname "$0")/../tests/data/claude/transcripts"
NTR=${BENCH_TRANSCRIPT_COPIES:-300}
if [ -d "$TR" ] && [ "$NTR" -gt 0 ]; then
  python3 "$(dirname "$0")/transcripts.py" "$TR" "$W/tr" "$NTR"
  trb=$(du -sb "$W/tr" | cut -f1)
  s=$(date +%s.%N)
  "$ET" --db "$W/tr.db" import claude-code "$W/tr" 2>"$W/tr.err" >/dev/null
  e=$(date +%s.%N)
  "$BIN/bench_jsonscan" "$W/tr" >/dev/null   # warm
  bs=$(date +%s.%N)
  "$BIN/bench_jsonscan" "$W/tr" >/dev/null
  be=$(date +%s.%N)
  mbs=$(awk -v s="$s" -v e="$e" -v b="$trb" 'BEGIN { printf "%.2f", b / 1e6 / (e - s) }')
  bmbs=$(awk -v s="$bs" -v e="$be" -v b="$trb" 'BEGIN { printf "%.2f", b / 1e6 / (e - s) }')
  echo "transcript import ($NTR copies of the fixture tree, $(awk -v b="$trb" 'BEGIN { printf "%.1f", b / 1e6 }') MB):"
  echo "  exectrail import claude-code  $mbs MB/s  ($(tail -n 1 "$W/tr.err" | sed 's/^exectrail: //'))"
  echo "  baseline: json-c parse only   $bmbs MB/s"
  echo "  ratio                         $(ratio "$mbs" "$bmbs")x"
  echo
fi

# ---- 2. import throughput ----
"$BIN/bench_gen" jsonl "$NIMP" 10 "$W/imp.jsonl"
mb=$(du -m "$W/imp.jsonl" | cut -f1)
acts=$((NIMP * 10))
ei=""; bi=""
for k in 1 2 3; do
  rm -f "$W"/imp*.db*
  s=$(date +%s.%N)
  "$ET" -q --db "$W/imp$k.db" import "$W/imp.jsonl" 2>/dev/null
  e=$(date +%s.%N)
  ei="$ei $(awk -v s="$s" -v e="$e" -v a="$acts" 'BEGIN { printf "%.0f", a / (e - s) }')"
  s=$(date +%s.%N)
  "$BIN/bench_raw_insert" "$W/raw$k.db" <"$W/imp.jsonl" >/dev/null
  e=$(date +%s.%N)
  bi="$bi $(awk -v s="$s" -v e="$e" -v a="$acts" 'BEGIN { printf "%.0f", a / (e - s) }')"
  rm -f "$W"/raw$k.db*
done
set -- $ei; em=$(median3 "$1" "$2" "$3")
set -- $bi; bm=$(median3 "$1" "$2" "$3")
echo "import ($NIMP records x 10 actions, $mb MB JSONL, median of 3):"
echo "  exectrail import      $em actions/s   (runs:$ei)"
echo "  baseline: raw inserts $bm actions/s   (json-c parse + plain prepared INSERTs, same rows)"
echo "  ratio                 $(ratio "$em" "$bm")x   (target: >= 100000 actions/s)"
echo

# ---- 3. peak RSS on a big import ----
if [ "$BIG_MB" -gt 0 ]; then
  per=$(awk -v b="$(stat -c %s "$W/imp.jsonl")" -v n="$NIMP" 'BEGIN { printf "%d", b / n }')
  nbig=$((BIG_MB * 1024 * 1024 / per))
  rm -f "$W/imp.jsonl" "$W"/imp*.db*
  "$BIN/bench_gen" jsonl "$nbig" 10 "$W/big.jsonl"
  g=$("$BIN/bench_spawn" -n 1 -i "$W/big.jsonl" -- "$ET" -q --db "$W/big.db" import -)
  secs=$(awk -v m="$(kv "$g" p50_ms)" 'BEGIN { printf "%.1f", m / 1000 }')
  echo "import of $(du -m "$W/big.jsonl" | cut -f1) MB ($nbig records, $((nbig * 10)) actions) in $secs s:"
  echo "  peak RSS              $(( $(kv "$g" max_rss_kb) / 1024 )) MiB   (target: <= 64 MiB)"
  echo "  throughput            $(awk -v m="$(kv "$g" p50_ms)" -v a="$((nbig * 10))" 'BEGIN { printf "%.0f", a / (m / 1000) }') actions/s"
fi

# ---- 4. the query language over a big trail ----
# BENCH_QUERY_EXECUTIONS (default 100000; the target is stated for 1000000),
# 10 actions each; BENCH_QUERY_RUNS runs per query (default 20).
QN=${BENCH_QUERY_EXECUTIONS:-100000}
QRUNS=${BENCH_QUERY_RUNS:-20}
if [ "$QN" -gt 0 ]; then
  rm -f "$W"/big.jsonl "$W"/big.db*
  "$BIN/bench_query_gen" "$QN" 10 "$W/q.jsonl"
  s=$(date +%s.%N)
  "$ET" -q --db "$W/q.db" import "$W/q.jsonl" 2>/dev/null
  e=$(date +%s.%N)
  rm -f "$W/q.jsonl"
  echo "queries over $QN executions / $((QN * 10)) actions (import took $(awk -v s="$s" -v e="$e" 'BEGIN { printf "%.0f", e - s }') s):"
  echo "  ids = the whole answer as ids, rows = as summary rows, page = first 100 rows;"
  echo "  SQL = the same question hand-written, same database and process; ratio = p50 / SQL p50"
  "$BIN/bench_query" "$W/q.db" "$QRUNS" 100
  echo "  (targets: <= 50 ms p50 per spec query, ranked full-text <= 300 ms)"
fi

# ---- 5. secret redaction on 5 KB tool outputs (MB/s) ----
# BENCH_REDACT_OUTPUTS (default 2000) outputs of 5 KB, one in 20 with a
# secret; median of 7 runs; the baseline is a memchr scan of the same bytes.
echo
echo "redaction (docs/SECURITY.md), the same bytes through each engine:"
"$BIN/bench_redact" "${BENCH_REDACT_OUTPUTS:-2000}" 7

# ---- 6. complete with the analysis (verification, quality, issues,
# learning) against complete without it, same store, alternating runs ----
# On the query store of section 4 when it ran (its agents have history),
# else on a store of BENCH_ANALYSIS_EXECUTIONS imported records (default
# 20000). BENCH_ANALYSIS_RUNS completes of each kind (default 300).
ARUNS=${BENCH_ANALYSIS_RUNS:-300}
if [ ! -f "$W/q.db" ]; then
  "$BIN/bench_gen" jsonl "${BENCH_ANALYSIS_EXECUTIONS:-20000}" 10 "$W/a.jsonl"
  "$ET" -q --db "$W/q.db" import "$W/a.jsonl" 2>/dev/null
  rm -f "$W/a.jsonl"
fi
echo "complete, analysis on vs off ($ARUNS runs each, on a store of $("$ET" --db "$W/q.db" list --limit 0 --format ids | wc -l) executions):"
"$BIN/bench_analysis" "$W/q.db" "$ARUNS"

# ---- 7. reports from the rollups ----
# BENCH_REPORT_EXECUTIONS (default 100000; the target is stated for
# 1000000) over 30 days, 2 actions each; BENCH_REPORT_RUNS runs per report
# (default 20). Baseline: the same figures by plain SQL aggregates over the
# raw tables (executions, exec_issues), same database and process.
RN=${BENCH_REPORT_EXECUTIONS:-100000}
RRUNS=${BENCH_REPORT_RUNS:-20}
if [ "$RN" -gt 0 ]; then
  rm -f "$W"/q.db*
  "$BIN/bench_report_gen" "$RN" 30 2 "$W/r.jsonl"
  s=$(date +%s.%N)
  "$ET" -q --db "$W/r.db" import "$W/r.jsonl" 2>/dev/null
  e=$(date +%s.%N)
  rm -f "$W/r.jsonl"
  echo
  echo "reports over $RN executions in 30 days (import took $(awk -v s="$s" -v e="$e" 'BEGIN { printf "%.0f", e - s }') s), median of $RRUNS runs:"
  "$BIN/bench_report" "$W/r.db" 2025-01-30 test-runner "$RRUNS"
  echo "  (target: <= 100 ms each at 1000000 executions)"
fi

# ---- 8. retention run (archive + proofs + erase) against import ----
if [ "${BENCH_RETENTION_EXECUTIONS:-30000}" -gt 0 ]; then
  echo
  sh "$(dirname "$0")/retention.sh" "$B"
fi

# ---- 10. verify with the projection check against --no-projections ----
if [ "${BENCH_VERIFY_RECORDS:-1000}" -gt 0 ]; then
  echo
  sh "$(dirname "$0")/verify.sh" "$B"
fi

# ---- 9. MCP soak: one `exectrail mcp` session, BENCH_MCP_CALLS calls ----
MN=${BENCH_MCP_CALLS:-10000}
if [ "$MN" -gt 0 ]; then
  "$ET" --db "$W/mcp.db" init >/dev/null
  echo
  echo "MCP soak, one session, $MN tool calls (start, actions, complete, get, query, facts, list):"
  "$BIN/bench_mcp_soak" "$ET" "$W/mcp.db" "$MN"
fi

# ---- 10. HTTP ingest (exectrail serve) against the CLI and the no-store floor ----
if [ "${BENCH_SERVE_SECONDS:-10}" -gt 0 ]; then
  echo
  sh "$(dirname "$0")/serve.sh" "$B"
fi

# ---- 11. PostgreSQL beside SQLite: import, the hook path and record, the
# spec queries, same corpus and run (bench/pg.sh; skips, saying why, without
# a server: EXECTRAIL_TEST_PG, or a throwaway cluster it starts itself) ----
if [ "${BENCH_PG:-1}" != 0 ]; then
  echo
  sh "$(dirname "$0")/pg.sh" "$B"
fi
