#!/bin/sh
# SPDX-License-Identifier: MIT
# exectrail serve ingest with durable group commit, beside the same server
# answering /healthz (no store: the floor) in the same run, at several
# connection counts: wrk posts one-action batches, 100-action batches, spec
# records and OTLP/JSON traces of 100 GenAI spans (each acknowledged only
# after its group commit is durable).
# A fresh store and server per connection count; three interleaved runs of
# each path, medians. Then the CLI recording one process per record (8 at
# once).
# usage: bench/serve.sh BUILD_DIR   Environment: BENCH_SERVE_SECONDS (per
# wrk run, default 5), BENCH_SERVE_CONNS (connection counts, default
# "8 64 256"), BENCH_RUNS (CLI records, default 500).
set -eu
B=${1:-build/release}
ET="$PWD/$B/exectrail"
BIN="$PWD/$B/bench"
DUR=${BENCH_SERVE_SECONDS:-5}
CONNS=${BENCH_SERVE_CONNS:-8 64 256}
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
python3 - "$W/r-0.json" "$W/record.json" "$W/a1.json" "$W/a100.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); r.pop("execution_id", None)
json.dump(r, open(sys.argv[2], "w"))
def acts(n):
    return [{"tool": "Bash", "input": "make test %d" % i, "output": "ok",
             "success": True} for i in range(n)]
json.dump(acts(1), open(sys.argv[3], "w"))
json.dump(acts(100), open(sys.argv[4], "w"))
PY

# a fresh store and server for each connection count (the store grows
# during a run, and records cost more in a bigger one)
start_server() {
  rm -f "$W/s.db" "$W/s.db-wal" "$W/s.db-shm" "$W/port"
  "$ET" --db "$W/s.db" init >/dev/null
  "$ET" --db "$W/s.db" -q serve --listen 127.0.0.1:0 --port-file "$W/port" \
    --threads 4 --max-connections 1024 &
  SP=$!
  for _ in $(seq 1 100); do [ -s "$W/port" ] && break; sleep 0.1; done
  U="http://127.0.0.1:$(cat "$W/port")"
  # actions go to 16 executions in turn (as many agents would send them)
  for e in $(seq 1 16); do
    curl -sS -H 'Content-Type: application/json' \
      -d "{\"session_id\":\"bench-$e\",\"agent_metadata\":{\"name\":\"bench\"}}" \
      "$U/v1/executions/start" |
      python3 -c 'import json,sys; print("/v1/executions/%s/actions" % json.load(sys.stdin)["execution_id"])'
  done >"$W/actions.paths"
}
stop_server() {
  kill "$SP"
  wait "$SP" || true
  SP=""
  "$ET" --db "$W/s.db" verify >/dev/null || { echo "  verify FAILED"; exit 1; }
}
# an OTLP/JSON request as an agent framework's exporter sends it: one
# invoke_agent span and 99 execute_tool spans under it (one failing), with
# placeholders that otlp.lua fills with fresh trace and span ids per request
# (the server drops spans it has already stored)
python3 - "$W/otlp.json" <<'PY'
import json, sys
def attr(k, v):
    return {"key": k, "value": {"stringValue": v}}
T0 = 1763592800000000000
spans = [{"traceId": "TRACEID0TRACEID0TRACEID0TRACEID0", "spanId": "SPAN_ID_0000",
          "name": "invoke_agent bench", "kind": 1,
          "startTimeUnixNano": str(T0), "endTimeUnixNano": str(T0 + 10**10),
          "attributes": [attr("gen_ai.operation.name", "invoke_agent"),
                         attr("gen_ai.agent.name", "bench"),
                         attr("gen_ai.request.model", "bench-model")],
          "status": {}}]
for i in range(1, 100):
    spans.append({"traceId": "TRACEID0TRACEID0TRACEID0TRACEID0",
                  "spanId": "SPAN_ID_%04x" % i,
                  "parentSpanId": "SPAN_ID_0000",
                  "name": "execute_tool Bash", "kind": 1,
                  "startTimeUnixNano": str(T0 + i * 10**7),
                  "endTimeUnixNano": str(T0 + i * 10**7 + 5 * 10**6),
                  "attributes": [attr("gen_ai.operation.name", "execute_tool"),
                                 attr("gen_ai.tool.name", "Bash"),
                                 attr("gen_ai.tool.call.arguments",
                                      json.dumps({"command": "make test %d" % i}))],
                  "status": {"code": 2, "message": "exit 2"} if i == 50 else {}})
json.dump({"resourceSpans": [{"resource": {"attributes": [
    attr("service.name", "bench-orchestrator")]}, "scopeSpans": [
    {"scope": {"name": "bench"}, "spans": spans}]}]}, open(sys.argv[1], "w"))
PY
# what each wrk script prints at its end: one line of results (requests/s,
# p50, p99, non-2xx)
cat >"$W/done.lua" <<'LUA'
done = function(s, lat, req)
  local bad = s.errors.status + s.errors.connect + s.errors.read +
              s.errors.write + s.errors.timeout
  io.write(string.format("rps=%.1f p50_ms=%.3f p99_ms=%.3f bad=%d\n",
    s.requests / (s.duration / 1e6), lat:percentile(50) / 1000,
    lat:percentile(99) / 1000, bad))
end
LUA
cat >"$W/otlp.lua" <<'LUA'
local body = io.open(os.getenv("WRK_BODY")):read("*a")
local headers = {["Content-Type"] = "application/json"}
local n = 0
math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)"), 16) % 100000)
request = function()
  n = n + 1
  -- 32 hex digits of trace id, 12 of span-id prefix: unique per request
  local t = string.format("%08x%08x%08x%08x", math.random(0, 0x7fffffff),
    math.random(0, 0x7fffffff), n, math.random(0, 0x7fffffff))
  local p = string.format("%04x%08x", math.random(0, 0xffff), n)
  local b = body:gsub("TRACEID0TRACEID0TRACEID0TRACEID0", t):gsub("SPAN_ID_", p)
  return wrk.format("POST", "/v1/traces", headers, b)
end
LUA
cat "$W/done.lua" >>"$W/otlp.lua"
echo /v1/executions >"$W/record.paths"
echo /healthz >"$W/healthz.paths"

# a wrk script: method, body and the paths (taken in turn) from the
# environment, then one line of results (requests/s, p50, p99, non-2xx)
cat >"$W/post.lua" <<'LUA'
local method = os.getenv("WRK_METHOD")
local body = nil
local headers = {}
local paths = {}
local f = os.getenv("WRK_BODY")
if f ~= "" then
  body = io.open(f):read("*a")
  headers["Content-Type"] = "application/json"
end
for p in io.lines(os.getenv("WRK_PATHS")) do paths[#paths + 1] = p end
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format(method, paths[i], headers, body)
end
LUA
cat "$W/done.lua" >>"$W/post.lua"
metric() { curl -sS "$U/metrics" | sed -n "s/^$1 //p"; }
# run_wrk CONNS METHOD PATHS BODY: the result line, plus "wpc=" (writes per
# group commit during the run)
run_wrk() {
  c0=$(metric exectrail_group_commits_total)
  w0=$(metric exectrail_group_commit_writes_total)
  script=post
  [ "$3" = otlp ] && script=otlp
  line=$(WRK_METHOD=$2 WRK_PATHS="$W/$3.paths" WRK_BODY=$4 \
    wrk -t2 -c"$1" -d"${DUR}s" --timeout 30s -s "$W/$script.lua" "$U" |
    grep '^rps=')
  # the writes wrk left in flight finish before the next run starts
  for _ in $(seq 1 600); do
    q=$(metric exectrail_write_queue)
    [ "${q:-0}" = 0 ] && break
    sleep 0.1
  done
  c1=$(metric exectrail_group_commits_total)
  w1=$(metric exectrail_group_commit_writes_total)
  echo "$line wpc=$(awk -v c=$((c1 - c0)) -v w=$((w1 - w0)) \
    'BEGIN { printf "%.1f", c ? w / c : 0 }')"
}
m() { median3 "$(kv "$1" "$4")" "$(kv "$2" "$4")" "$(kv "$3" "$4")"; }
bad() { echo "$(kv "$1" bad)/$(kv "$2" bad)/$(kv "$3" bad)"; }

echo "serve ingest, durable group commit, wrk -t2, ${DUR}s x3 each, interleaved ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)):"
printf '  %-5s %-36s %11s %10s %9s %9s %8s %7s\n' conns path events/s req/s p50_ms p99_ms w/commit x_floor
for C in $CONNS; do
  start_server
  for k in 1 2 3; do
    eval "f$k=\$(run_wrk $C GET healthz '')"
    eval "a$k=\$(run_wrk $C POST actions \"$W/a1.json\")"
    eval "h$k=\$(run_wrk $C POST actions \"$W/a100.json\")"
    eval "r$k=\$(run_wrk $C POST record \"$W/record.json\")"
    eval "o$k=\$(run_wrk $C POST otlp \"$W/otlp.json\")"
  done
  F=$(m "$f1" "$f2" "$f3" rps)
  row() { # LABEL EVENTS_PER_REQUEST k1 k2 k3
    rps=$(m "$3" "$4" "$5" rps)
    ev=$(awk -v r="$rps" -v n="$2" 'BEGIN { printf "%.0f", r * n }')
    printf '  %-5s %-36s %11s %10s %9s %9s %8s %7s%s\n' "$C" "$1" "$ev" "$rps" \
      "$(m "$3" "$4" "$5" p50_ms)" "$(m "$3" "$4" "$5" p99_ms)" \
      "$(m "$3" "$4" "$5" wpc)" "$(ratio "$ev" "$F")" \
      "$([ "$(bad "$3" "$4" "$5")" = 0/0/0 ] || echo "  non-2xx $(bad "$3" "$4" "$5")")"
  }
  printf '  %-5s %-36s %11s %10s %9s %9s %8s %7s\n' "$C" "GET /healthz (floor, no store)" - \
    "$F" "$(m "$f1" "$f2" "$f3" p50_ms)" "$(m "$f1" "$f2" "$f3" p99_ms)" - 1
  row "POST .../actions, 1 action" 1 "$a1" "$a2" "$a3"
  row "POST .../actions, 100 actions" 100 "$h1" "$h2" "$h3"
  row "POST /v1/executions, 1 record" 1 "$r1" "$r2" "$r3"
  row "POST /v1/traces, OTLP/JSON 100 spans" 100 "$o1" "$o2" "$o3"
  stop_server
done
echo "  (events/s = acknowledged requests/s x events each; x_floor = events/s"
echo "   over the floor's requests/s; w/commit = write requests per group commit)"
echo "  verify after each server's runs: OK"

# baseline: the CLI, one process per record, 8 at once
if [ "$RUNS" -gt 0 ]; then
  mkdir -p "$W/recs"
  "$BIN/bench_gen" files "$RUNS" 5 "$W/recs/r-%d.json" >/dev/null
  "$ET" --db "$W/cli.db" init >/dev/null
  t0=$(date +%s%N)
  c=$("$BIN/bench_spawn" -n "$RUNS" -c 8 -i "$W/recs/r-%d.json" -- "$ET" --db "$W/cli.db" record -)
  t1=$(date +%s%N)
  CL=$(awk -v n="$RUNS" -v ns=$((t1 - t0)) 'BEGIN { printf "%.1f", n / (ns / 1e9) }')
  echo "  baseline: exectrail record x8, $CL records/s  p50 $(kv "$c" p50_ms) ms  p99 $(kv "$c" p99_ms) ms  ($RUNS processes)"
fi
