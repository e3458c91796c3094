#!/bin/sh
# SPDX-License-Identifier: MIT
# exectrail serve ingest against its baselines, in the same run: wrk posts
# spec records (and batches of actions) to a server on loopback, beside the
# same server answering /healthz (no store: the floor) and the CLI recording
# one process per event (8 at once). Three runs of each, medians.
# usage: bench/serve.sh BUILD_DIR   Environment: BENCH_SERVE_SECONDS (per
# wrk run, default 10), BENCH_SERVE_CONN (connections, default 8),
# BENCH_RUNS (CLI records, default 500).
set -eu
B=${1:-build/release}
ET="$PWD/$B/exectrail"
BIN="$PWD/$B/bench"
DUR=${BENCH_SERVE_SECONDS:-10}
CONN=${BENCH_SERVE_CONN:-8}
RUNS=${BENCH_RUNS:-500}
if ! command -v wrk >/dev/null || ! command -v curl >/dev/null; then
  echo "serve: wrk or curl missing (tools/setup.sh bench); skipped"
  exit 0
fi
W=$(mktemp -d "${TMPDIR:-/tmp}/et-bench-serve-XXXXXX")
SP=""
trap '[ -z "$SP" ] || kill "$SP" 2>/dev/null; wait 2>/dev/null; rm -rf "$W"' EXIT

median3() { printf '%s\n%s\n%s\n' "$1" "$2" "$3" | sort -g | sed -n 2p; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
kv() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

# one spec record with 5 actions, without execution_id (the server makes one)
"$BIN/bench_gen" files 1 5 "$W/r-%d.json" >/dev/null
python3 - "$W/r-0.json" "$W/record.json" "$W/actions.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); r.pop("execution_id", None)
json.dump(r, open(sys.argv[2], "w"))
a = [{"tool": "Bash", "input": "make test %d" % i, "output": "ok", "success": True}
     for i in range(100)]
json.dump(a, open(sys.argv[3], "w"))
PY

"$ET" --db "$W/s.db" init >/dev/null
"$ET" --db "$W/s.db" -q serve --listen 127.0.0.1:0 --port-file "$W/port" --threads 4 &
SP=$!
for _ in $(seq 1 100); do [ -s "$W/port" ] && break; sleep 0.1; done
U="http://127.0.0.1:$(cat "$W/port")"
ID=$(curl -sS -H 'Content-Type: application/json' \
  -d '{"session_id":"bench","agent_metadata":{"name":"bench"}}' \
  "$U/v1/executions/start" | python3 -c 'import json,sys; print(json.load(sys.stdin)["execution_id"])')

# a wrk script: method and body from the environment, then one line of
# results (requests/s, p50, p99, non-2xx answers)
cat >"$W/post.lua" <<'LUA'
wrk.method = os.getenv("WRK_METHOD")
local f = os.getenv("WRK_BODY")
if f ~= "" then
  wrk.body = io.open(f):read("*a")
  wrk.headers["Content-Type"] = "application/json"
end
done = function(s, lat, req)
  local bad = s.errors.status + s.errors.connect + s.errors.read +
              s.errors.write + s.errors.timeout
  io.write(string.format("rps=%.1f p50_ms=%.3f p99_ms=%.3f bad=%d\n",
    s.requests / (s.duration / 1e6), lat:percentile(50) / 1000,
    lat:percentile(99) / 1000, bad))
end
LUA
run_wrk() { # METHOD PATH BODYFILE
  WRK_METHOD=$1 WRK_BODY=$3 wrk -t2 -c"$CONN" -d"${DUR}s" -s "$W/post.lua" "$U$2" |
    grep '^rps='
}

echo "serve ingest, wrk -t2 -c$CONN ${DUR}s x3 each, interleaved ($(nproc) cores):"
for k in 1 2 3; do
  eval "f$k=\$(run_wrk GET /healthz '')"
  eval "r$k=\$(run_wrk POST /v1/executions \"$W/record.json\")"
  eval "a$k=\$(run_wrk POST /v1/executions/$ID/actions \"$W/actions.json\")"
done
m() { median3 "$(kv "$1" "$4")" "$(kv "$2" "$4")" "$(kv "$3" "$4")"; }
F=$(m "$f1" "$f2" "$f3" rps)
R=$(m "$r1" "$r2" "$r3" rps)
A=$(m "$a1" "$a2" "$a3" rps)
echo "  GET /healthz (floor, no store)     $F req/s  p50 $(m "$f1" "$f2" "$f3" p50_ms) ms  p99 $(m "$f1" "$f2" "$f3" p99_ms) ms"
echo "  POST /v1/executions (1 record)     $R req/s  p50 $(m "$r1" "$r2" "$r3" p50_ms) ms  p99 $(m "$r1" "$r2" "$r3" p99_ms) ms  (non-2xx $(kv "$r1" bad)/$(kv "$r2" bad)/$(kv "$r3" bad))"
echo "  POST .../actions (100 per request) $A req/s = $(awk -v a="$A" 'BEGIN{printf "%.0f", a*100}') actions/s  p50 $(m "$a1" "$a2" "$a3" p50_ms) ms  p99 $(m "$a1" "$a2" "$a3" p99_ms) ms"
kill "$SP"
wait "$SP" || true
SP=""
"$ET" --db "$W/s.db" verify >/dev/null && echo "  verify after the server runs: OK"

# baseline: the CLI, one process per record, 8 at once
mkdir -p "$W/recs"
"$BIN/bench_gen" files "$RUNS" 5 "$W/recs/r-%d.json" >/dev/null
"$ET" --db "$W/cli.db" init >/dev/null
t0=$(date +%s%N)
c=$("$BIN/bench_spawn" -n "$RUNS" -c 8 -i "$W/recs/r-%d.json" -- "$ET" --db "$W/cli.db" record -)
t1=$(date +%s%N)
C=$(awk -v n="$RUNS" -v ns=$((t1 - t0)) 'BEGIN { printf "%.1f", n / (ns / 1e9) }')
echo "  baseline: exectrail record x8      $C records/s  p50 $(kv "$c" p50_ms) ms  p99 $(kv "$c" p99_ms) ms  ($RUNS processes)"
echo "  ratio serve/CLI records            $(ratio "$R" "$C")x"
echo "  ratio serve records/floor          $(ratio "$R" "$F")x"
