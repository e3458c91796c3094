#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# exectrail serve: every REST endpoint with curl against a real server on a
# free loopback port. Answers are checked against what the CLI prints for
# the same trail, proofs are checked by recomputing them, and every answer
# is validated against docs/openapi.yaml.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve_lib.sh"

check "init a trail" et init
if serve_start; then ok "the server starts on a free port and answers /healthz"; else
  fails "the server starts"; done_testing; fi

req GET /healthz
status_is 200 "GET /healthz"
eq "$(jget "$T_DIR/body" 'd["status"]')" ok "healthz says ok"
req HEAD /healthz
status_is 200 "HEAD is answered like GET"

# ---- record a whole spec record ----
R1=30000000-0000-4000-8000-000000000001
spec_record $R1 >"$T_DIR/r1.json"
req POST /v1/executions -H "$JSON_CT" --data-binary @"$T_DIR/r1.json"
status_is 201 "POST /v1/executions records a spec record"
eq "$(jget "$T_DIR/body" 'd["execution_id"]')" $R1 "it answers the execution_id"
req POST /v1/executions -H "$JSON_CT" --data-binary @"$T_DIR/r1.json"
status_is 409 "the same execution_id again: 409"
eq "$(jget "$T_DIR/body" 'd["error"]["code"]')" exists "error code exists"
req GET /v1/executions/$R1
status_is 200 "GET /v1/executions/{id}"
et show --json $R1 >"$T_DIR/show.json"
json_same "$T_DIR/body" "$T_DIR/show.json" "the spec JSON is exectrail show --json's"
req GET /v1/executions/30000000
status_is 200 "a unique id prefix is accepted, as by show"
req GET /v1/executions/40000000-0000-4000-8000-000000000009
status_is 404 "an unknown execution: 404"
for i in 2 3 4 5 6; do
  spec_record 30000000-0000-4000-8000-00000000000$i >"$T_DIR/r$i.json"
  req POST /v1/executions -H "$JSON_CT" --data-binary @"$T_DIR/r$i.json"
  [ "$STATUS" = 201 ] || fails "record $i" "status $STATUS"
done

# ---- the lifecycle ----
req POST /v1/executions/start -H "$JSON_CT" -d '{"session_id":"sess-api","agent_metadata":{"name":"api-agent"},"main_agent_context":{"user_request":"fix the flaky build"}}'
status_is 201 "POST /v1/executions/start opens an execution"
L=$(jget "$T_DIR/body" 'd["execution_id"]')
req POST /v1/executions/$L/delegate -H "$JSON_CT" -d '{"prompt_sent":"please fix the flaky build in src/"}'
status_is 200 "POST .../delegate"
req POST /v1/executions/$L/actions -H "$JSON_CT" -d '{"tool":"Bash","input":"make test","output":"2 failures","success":true}'
status_is 200 "POST .../actions with one action"
eq "$(jget "$T_DIR/body" 'd["recorded"]')" 1 "one action recorded"
req POST /v1/executions/$L/actions -H "$JSON_CT" -d '[{"tool":"Edit","input":"src/a.c","success":true},{"tool":"Bash","input":"make test","success":false,"error":"exit status 2"}]'
status_is 200 "POST .../actions with a batch"
eq "$(jget "$T_DIR/body" 'd["recorded"]')" 2 "two actions recorded"
req POST /v1/executions/$L/respond -H "$JSON_CT" -d '{"raw_response":"fixed the build","files_modified":["src/a.c"]}'
status_is 200 "POST .../respond"
req POST /v1/executions/$L/complete -H "$JSON_CT" -d '{}'
status_is 200 "POST .../complete"
req POST /v1/executions/$L/actions -H "$JSON_CT" -d '{"tool":"Bash"}'
status_is 409 "an action after complete: 409"
eq "$(jget "$T_DIR/body" 'd["error"]["code"]')" state "error code state"
req POST /v1/executions/40000000-0000-4000-8000-000000000009/delegate -H "$JSON_CT" -d '{"prompt_sent":"x"}'
status_is 404 "a phase of an unknown execution: 404"
et show --json "$L" >"$T_DIR/show.json"
eq "$(jget "$T_DIR/show.json" 'len(d["execution"]["actions_taken"])')" 3 "the CLI sees the three actions"
eq "$(jget "$T_DIR/show.json" 'd["output"]["raw_response"]')" "fixed the build" "and the response"

# ---- metrics: the writes so far are 6 records and 7 lifecycle events ----
req GET /metrics
status_is 200 "GET /metrics"
contains "$T_DIR/body" "exectrail_events_ingested_total 13" "events ingested counts every accepted event"
contains "$T_DIR/body" "exectrail_requests_rejected_total 0" "nothing rejected yet"
contains "$T_DIR/body" 'exectrail_http_request_duration_seconds_bucket{le="+Inf"}' "a latency histogram"
contains "$T_DIR/body" 'exectrail_http_requests_total{route="executions_record",code="4xx"} 1' "requests by route and status"
EV=$(et verify --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["events"])')
contains "$T_DIR/body" "exectrail_store_events $EV" "the store size is the ledger's ($EV events)"
contains "$T_DIR/body" "exectrail_store_bytes " "and its bytes"

# ---- query with cursor pagination ----
req GET "/v1/executions?q=agent_metadata.name%20%3D%20%22api-agent%22"
status_is 200 "GET /v1/executions?q= in the query language"
eq "$(jget "$T_DIR/body" '[i["execution_id"] for i in d["items"]]')" "[\"$L\"]" "it finds the lifecycle execution only"
et query --limit 0 --format ids "" >"$T_DIR/ids.cli"
: >"$T_DIR/ids.api"
cur=""
pages=0
while :; do
  req GET "/v1/executions?limit=2${cur:+&cursor=$cur}"
  [ "$STATUS" = 200 ] || { fails "page $pages" "status $STATUS"; break; }
  jget "$T_DIR/body" '"\n".join(i["execution_id"] for i in d["items"])' >>"$T_DIR/ids.api"
  cur=$(jget "$T_DIR/body" 'd["next_cursor"] or ""')
  pages=$((pages + 1))
  [ -n "$cur" ] && [ $pages -lt 20 ] || break
done
eq "$pages" 4 "7 executions, 2 per page: 4 pages"
eq "$(cat "$T_DIR/ids.api")" "$(cat "$T_DIR/ids.cli")" "the pages hold exactly exectrail query's executions, in its order"
req GET "/v1/executions?q=verification.status%20MATCH&view=record&limit=1"
status_is 200 "view=record"
eq "$(jget "$T_DIR/body" '"delegation" in d["items"][0] and d["next_cursor"] is not None')" true "whole spec records, and a next page"
req GET "/v1/executions?q=duration_ms%20%3E%20(("
status_is 400 "a bad query: 400"
eq "$(jget "$T_DIR/body" 'd["error"]["field"]')" q "the error names the q parameter"
contains "$T_DIR/body" "column" "and the column of the offending token"
req GET "/v1/executions?limit=0"
status_is 400 "limit 0: 400"
req GET "/v1/executions?cursor=abc"
status_is 400 "a cursor this server did not give: 400"
req GET "/v1/executions?colour=red"
status_is 400 "an unknown query parameter: 400"

# ---- search, similar, insights ----
req GET "/v1/search?q=flaky+build"
status_is 200 "GET /v1/search"
eq "$(jget "$T_DIR/body" 'd["hits"][0]["execution_id"]')" "$L" "the search finds the execution"
contains "$T_DIR/body" "[flaky]" "with marked snippets"
req GET "/v1/search"
status_is 400 "search without q: 400"
req GET "/v1/executions/$R1/similar?limit=3"
status_is 200 "GET /v1/executions/{id}/similar"
et similar $R1 --limit 3 --format jsonl >"$T_DIR/sim.cli"
eq "$(jget "$T_DIR/body" '" ".join(h["execution_id"] for h in d["similar"])')" \
  "$(python3 -c 'import json,sys; print(" ".join(json.loads(l)["execution_id"] for l in open(sys.argv[1])))' "$T_DIR/sim.cli")" \
  "the same executions as exectrail similar"
req GET "/v1/insights"
status_is 200 "GET /v1/insights"
eq "$(jget "$T_DIR/body" 'sorted(a["agent"] for a in d)')" '["agent-name","api-agent"]' "one entry per agent"
req GET "/v1/insights?since=30d"
eq "$(jget "$T_DIR/body" 'sorted(a["agent"] for a in d)')" '["api-agent"]' "since=30d leaves out the 2025 records"
req GET "/v1/insights?agent=api-agent"
eq "$(jget "$T_DIR/body" '[a["agent"] for a in d]')" '["api-agent"]' "insights of one agent"
req GET "/v1/insights?since=forever"
status_is 400 "a bad since: 400"
eq "$(jget "$T_DIR/body" 'd["error"]["field"]')" since "naming since"

# ---- reports, every format ----
for f in json md text html; do
  req GET "/v1/reports/daily?format=$f"
  status_is 200 "daily report as $f"
  cp "$T_DIR/body" "$T_DIR/daily.$f"
  req GET "/v1/reports/agent?name=api-agent&format=$f"
  status_is 200 "agent report as $f"
  cp "$T_DIR/body" "$T_DIR/agent.$f"
done
eq "$(jget "$T_DIR/daily.json" 'd["kind"]')" daily "the daily JSON report"
eq "$(jget "$T_DIR/agent.json" 'd["kind"]')" agent "the agent JSON report"
contains "$T_DIR/daily.md" "# Daily report" "the Markdown report"
contains "$T_DIR/agent.html" "<svg" "the HTML report has its charts"
contains "$T_DIR/daily.text" "Daily report" "the text report"
req GET "/v1/reports/agents?days=7"
status_is 200 "the agents leaderboard"
req GET "/v1/reports/agent?name=nobody"
status_is 404 "an agent with no executions: 404"
req GET "/v1/reports/agent"
status_is 400 "an agent report without name: 400"
req GET "/v1/reports/daily?date=2025-13-45"
status_is 400 "a bad date: 400"
req GET "/v1/reports/daily?format=pdf"
status_is 400 "an unknown format: 400"

# ---- checkpoint, inclusion and consistency proofs ----
req POST /v1/checkpoint -H "$JSON_CT"
status_is 201 "POST /v1/checkpoint signs the tree head"
jget "$T_DIR/body" 'd["checkpoint"]' >"$T_DIR/cp.note"
OLD=$(sed -n 2p "$T_DIR/cp.note")
OLD_ROOT=$(sed -n 3p "$T_DIR/cp.note" | python3 -c 'import base64,sys; print(base64.b64decode(sys.stdin.read().strip()).hex())')
spec_record 30000000-0000-4000-8000-000000000007 >"$T_DIR/r7.json"
req POST /v1/executions -H "$JSON_CT" --data-binary @"$T_DIR/r7.json"
req GET "/v1/proofs/consistency?old_size=$OLD"
status_is 200 "GET /v1/proofs/consistency"
cp "$T_DIR/body" "$T_DIR/cons.json"
check "the consistency proof leads from the earlier checkpoint's root to the new one" \
  python3 - "$T_DIR/cons.json" "$OLD" "$OLD_ROOT" <<'PY'
import base64, hashlib, json, sys
d = json.load(open(sys.argv[1])); m = int(sys.argv[2]); old_root = sys.argv[3]
n = d["tree_size"]; proof = [bytes.fromhex(h) for h in d["consistency_proof"]]
assert d["old_size"] == m and d["old_root"] == old_root and n > m
note = d["checkpoint"].split("\n")
assert int(note[1]) == n and base64.b64decode(note[2]).hex() == d["root_hash"]
node = lambda l, r: hashlib.sha256(b"\x01" + l + r).digest()
# RFC 9162 2.1.4.2
if m & (m - 1) == 0:
    proof = [bytes.fromhex(old_root)] + proof
fn, sn = m - 1, n - 1
while fn & 1:
    fn >>= 1; sn >>= 1
fr = sr = proof[0]
for c in proof[1:]:
    assert sn != 0
    if fn & 1 or fn == sn:
        fr = node(c, fr); sr = node(c, sr)
        while not fn & 1 and fn != 0:
            fn >>= 1; sn >>= 1
    else:
        sr = node(sr, c)
    fn >>= 1; sn >>= 1
assert sn == 0 and fr.hex() == old_root and sr.hex() == d["root_hash"]
PY
req GET "/v1/proofs/consistency?old_size=0"
status_is 400 "old_size 0: 400"
req GET "/v1/proofs/consistency?old_size=999999"
status_is 400 "old_size beyond the log: 400"
eq "$(jget "$T_DIR/body" 'd["error"]["field"]')" old_size "naming old_size"
req GET "/v1/executions/$L/proof"
status_is 200 "GET /v1/executions/{id}/proof"
check "every event's leaf hash is SHA-256(0x00 || event)" python3 -c '
import hashlib, json, sys
d = json.load(open(sys.argv[1]))
assert d["execution_id"] == sys.argv[2] and len(d["events"]) >= 6
for e in d["events"]:
    assert hashlib.sha256(b"\0" + e["event"].encode()).hexdigest() == e["leaf_hash"]
' "$T_DIR/body" "$L"

# ---- the hook points ----
req POST /v1/hooks/claude-code -H "$JSON_CT" -d '{"hook_event_name":"UserPromptSubmit","session_id":"sess-hook","prompt":"hello"}'
status_is 200 "POST /v1/hooks/claude-code maps a hook input"
eq "$(cat "$T_DIR/body")" "{}" "and answers an empty hook output"
req POST /v1/traces -H 'Content-Type: application/x-protobuf' --data-binary 'x'
status_is 400 "OTLP traces: a body that is not OTLP protobuf is refused (400)"
n0=$(et list --format ids | wc -l)
req POST /v1/traces -H "$JSON_CT" --data-binary "@$ET_SOURCE_DIR/tests/data/otlp/genai-trace.json"
status_is 200 "OTLP traces: the GenAI trace in OTLP/JSON is stored (200)"
check "and its invoke_agent spans became executions" test "$(et list --format ids | wc -l)" -gt "$n0"
req POST /v1/traces -H 'Content-Type: application/x-protobuf' --data-binary "@$ET_SOURCE_DIR/tests/data/otlp/sdk-traces.pb"
status_is 200 "OTLP traces: the SDK's protobuf request is stored (200)"
req POST /v1/logs -H 'Content-Type: application/x-protobuf' --data-binary "@$ET_SOURCE_DIR/tests/data/otlp/sdk-logs.pb"
status_is 200 "OTLP logs: the SDK's protobuf logs are stored (200)"

openapi_check "every answer above matches docs/openapi.yaml"

serve_stop INT
eq "$?" 0 "SIGINT stops the server cleanly (exit 0)"
check "exectrail verify passes after all of it" et verify
done_testing
