#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# POST /v1/hooks/claude-code while another process holds the store's write
# lock: the input is spooled (202, counted in /metrics), nothing is lost,
# and the next hook input, once the store is free, records both in order.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve_lib.sh"

et init >/dev/null 2>&1 || fails "init" "exit $?"
# a short busy timeout so the held lock is seen quickly
EXECTRAIL_BUSY_TIMEOUT_MS=300 serve_start || fails "serve starts" "see serve.log"

hookin() { # session prompt
  printf '{"hook_event_name":"UserPromptSubmit","session_id":"%s","prompt":"%s"}' "$1" "$2"
}
hook_events() {
  sql "$DB" "SELECT group_concat(p, ',') FROM (SELECT json_extract(body, '\$.body.prompt') AS p FROM ledger WHERE type = 'session.hook' ORDER BY seq) AS sub"
}

# hold the write lock from another process
hold_lock "$DB" "$T_DIR/locked"
check "another process holds the write lock" test -e "$T_DIR/locked"

req POST /v1/hooks/claude-code -H "$JSON_CT" -d "$(hookin s-spool first)"
status_is 202 "a hook input the store cannot take now is accepted into the spool (202)"
eq "$(cat "$T_DIR/body")" "{}" "with an empty hook output"
et spool status --json >"$T_DIR/st" 2>&1
eq "$(jget "$T_DIR/st" 'd["spooled"]')" 1 "one input waits in the spool"
req GET /metrics
contains "$T_DIR/body" "exectrail_hooks_spooled_total 1" "/metrics counts it"

rm -f "$T_DIR/locked"
wait "$LOCKER" 2>/dev/null
req POST /v1/hooks/claude-code -H "$JSON_CT" -d "$(hookin s-spool second)"
status_is 200 "with the store free again, the next input is recorded (200)"
eq "$(hook_events)" "first,second" "the spooled input was recorded first, then the new one"
et spool status --json >"$T_DIR/st" 2>&1
eq "$(jget "$T_DIR/st" 'd["spooled"]')" 0 "the spool is empty"

req POST /v1/hooks/claude-code -H "$JSON_CT" -d '{"hook_event_name":'
status_is 400 "malformed JSON is refused (400), never spooled"
et spool status --json >"$T_DIR/st" 2>&1
eq "$(jget "$T_DIR/st" 'd["spooled"]')" 0 "and the spool stays empty"

openapi_check "every answer above matches docs/openapi.yaml"
serve_stop INT
check "verify passes" et verify
done_testing
