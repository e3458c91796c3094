#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# exectrail serve under concurrent writers: several curl processes posting
# records and lifecycles at once, with CLI processes writing the same trail
# beside the server; every acknowledged write is there, the counts add up,
# and `exectrail verify` passes. Then a SIGTERM in the middle of a burst:
# every request that was acknowledged is stored.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve_lib.sh"

check "init a trail" et init
if serve_start --threads 4; then ok "the server starts"; else
  fails "the server starts"; done_testing; fi

PIDS=""  # the writers started below, waited for by wait_writers
W=4   # curl writers
N=15  # records each
mkdir -p "$T_DIR/w"
for w in $(seq 1 $W); do
  (
    for i in $(seq 1 $N); do
      id=$(printf '60000000-0000-4000-8000-%04d%08d' "$w" "$i")
      spec_record "$id" >"$T_DIR/w/$w.$i.json"
      code=$(curl -sS -o "$T_DIR/w/$w.$i.out" -w '%{http_code}' --max-time 120 -H "$JSON_CT" \
        --data-binary @"$T_DIR/w/$w.$i.json" "$URL/v1/executions")
      echo "$code $id"
    done >"$T_DIR/w/$w.codes"
  ) &
  PIDS="$PIDS $!"
done
# two lifecycle writers with batched actions
for l in 1 2; do
  (
    id=$(curl -sS -H "$JSON_CT" -d "{\"session_id\":\"conc-$l\",\"agent_metadata\":{\"name\":\"conc\"}}" \
      "$URL/v1/executions/start" | python3 -c 'import json,sys; print(json.load(sys.stdin)["execution_id"])')
    curl -sS -o /dev/null -H "$JSON_CT" -d '{"prompt_sent":"p"}' "$URL/v1/executions/$id/delegate"
    for b in 1 2 3 4 5; do
      curl -sS -o /dev/null -H "$JSON_CT" \
        -d '[{"tool":"Bash","success":true},{"tool":"Read","success":true},{"tool":"Edit","success":true}]' \
        "$URL/v1/executions/$id/actions"
    done
    curl -sS -o /dev/null -H "$JSON_CT" -d '{"raw_response":"done"}' "$URL/v1/executions/$id/respond"
    curl -sS -o /dev/null -H "$JSON_CT" -d '{}' "$URL/v1/executions/$id/complete"
    echo "$id" >"$T_DIR/w/life.$l"
  ) &
  PIDS="$PIDS $!"
done
# CLI processes writing the same trail at the same time
for c in 1 2 3 4 5; do
  spec_record "$(printf '70000000-0000-4000-8000-%012d' "$c")" >"$T_DIR/w/cli.$c.json"
  et record "$T_DIR/w/cli.$c.json" >/dev/null 2>&1 &
  PIDS="$PIDS $!"
done
wait_writers() {
  for p in $PIDS; do wait "$p"; done
  PIDS=""
}
wait_writers

eq "$(cat "$T_DIR"/w/*.codes | grep -c '^201 ')" $((W * N)) "all $((W * N)) concurrent POSTs were acknowledged with 201"
req GET "/v1/executions?limit=1000"
eq "$(jget "$T_DIR/body" 'len(d["items"])')" $((W * N + 2 + 5)) "the trail holds them, the 2 lifecycles and the 5 CLI records"
for l in 1 2; do
  et show --json "$(cat "$T_DIR/w/life.$l")" >"$T_DIR/l.json"
  eq "$(jget "$T_DIR/l.json" 'len(d["execution"]["actions_taken"]), d["output"]["raw_response"]')" '[15,"done"]' "lifecycle $l: 15 actions in 5 batches, and its response"
done
req GET /metrics
eq "$(sed -n 's/^exectrail_events_ingested_total //p' "$T_DIR/body")" $((W * N + 2 * (1 + 1 + 15 + 1 + 1))) "events ingested by the server: $((W * N)) records + 2 x 19 lifecycle events"
check "exectrail verify (ledger and projections) passes after the concurrent writes" et verify

# ---- SIGTERM during a burst: what was acknowledged is stored ----
for i in $(seq 1 20); do
  id=$(printf '80000000-0000-4000-8000-%012d' "$i")
  spec_record "$id" >"$T_DIR/w/b.$i.json"
  ( code=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 60 -H "$JSON_CT" \
      --data-binary @"$T_DIR/w/b.$i.json" "$URL/v1/executions" 2>/dev/null)
    echo "$code $id" >"$T_DIR/w/b.$i.code" ) &
  PIDS="$PIDS $!"
done
sleep 0.3
serve_stop TERM
eq "$?" 0 "SIGTERM during the burst: a clean exit"
wait_writers
acked=$(cat "$T_DIR"/w/b.*.code | awk '$1 == 201 {print $2}')
missing=0
for id in $acked; do
  et show --json "$id" >/dev/null 2>&1 || missing=$((missing + 1))
done
eq "$missing" 0 "every acknowledged record of the burst ($(echo $acked | wc -w) of 20) is stored"
check "exectrail verify passes after the shutdown" et verify
done_testing
