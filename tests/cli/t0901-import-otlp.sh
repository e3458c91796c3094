#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# exectrail import otlp on the checked-in samples (tests/data/otlp: protobuf
# bytes from the OpenTelemetry JS SDK, OTLP/JSON, gzip, a trace split over
# three requests): what is stored, sniffing, stdin, retries, partialSuccess,
# and bad bodies (exit 3, a message naming the field or offset, nothing
# stored).
. "$(dirname "$0")/lib.sh"

D="$ET_SOURCE_DIR/tests/data/otlp"
events() { sql "$DB" "SELECT count(*) FROM ledger"; }

check "import otlp --help" et import otlp --help
contains "$T_DIR/out" "usage: exectrail import otlp" "help shows the usage"
contains "$T_DIR/out" "exit status:" "help documents the exit statuses"
expect_exit 2 "no file is a usage error" et import otlp
expect_exit 2 "a bad --type is a usage error" et import otlp --type metrics "$D/sdk-traces.pb"
expect_exit 3 "a missing file: exit 3" et import otlp "$D/nope.pb"

# protobuf from the SDK, sniffed
check "import the SDK's protobuf" et import otlp --json "$D/sdk-traces.pb"
eq "$(jget "$T_DIR/out" 'd["accepted"]'),$(jget "$T_DIR/out" 'd["executions"]'),$(jget "$T_DIR/out" 'd["actions"]'),$(jget "$T_DIR/out" 'd["raw"]')" \
  "6,2,2,2" "6 spans: 2 executions, 2 actions, 2 raw"
eq "$(sql "$DB" "SELECT count(*) FROM executions WHERE json_extract(doc,'$.source')='otlp'")" 2 "two executions from OTLP"
eq "$(sql "$DB" "SELECT count(*) FROM ledger WHERE type='otlp.span'")" 2 "the chat and HTTP spans kept as raw events"
child=$(sql "$DB" "SELECT execution_id FROM executions WHERE agent_name='reviewer'")
parent=$(sql "$DB" "SELECT execution_id FROM executions WHERE agent_name='planner'")
et show --json "$child" >"$T_DIR/child.json"
eq "$(jget "$T_DIR/child.json" 'd["parent_execution_id"]')" "$parent" "nested agent: parent_execution_id is the planner"
eq "$(jget "$T_DIR/child.json" 'd["execution"]["actions_taken"][1]["success"]')" "false" "the failed tool is a failed action"
eq "$(jget "$T_DIR/child.json" 'd["execution"]["actions_taken"][1]["error"]')" "3 tests failed" "with the span's status message"
n=$(events)
check "the same file again" et import otlp --json "$D/sdk-traces.pb"
eq "$(jget "$T_DIR/out" 'd["duplicates"]')" 6 "a retry is all duplicates"
eq "$(events)" "$n" "and appends nothing"

# JSON, gzip, stdin, partialSuccess
expect_exit 3 "a JSON request with a bad span: exit 3" et import otlp "$D/genai-trace.json"
contains "$T_DIR/err" "1 rejected: resourceSpans[0].scopeSpans[0].spans[6]: endTimeUnixNano: before startTimeUnixNano" \
  "the rejection names the span and the field"
eq "$(sql "$DB" "SELECT count(*) FROM executions")" 4 "the good spans of it are stored"
expect_exit 3 "the gzip of it from stdin" et import otlp --json --content-type application/json --response "$T_DIR/resp.json" - <"$D/genai-trace.json.gz"
eq "$(jget "$T_DIR/out" 'd["duplicates"]')" 6 "gzip sniffed: the same spans"
expect_exit 3 "a .json.gz file is taken as gzip JSON" et import otlp --json "$D/genai-trace.json.gz"
eq "$(jget "$T_DIR/out" 'd["duplicates"]')" 6 "with the same spans"
eq "$(jget "$T_DIR/resp.json" 'd["partialSuccess"]["rejectedSpans"]')" 1 "the JSON response carries partialSuccess"

# logs
check "Claude Code log records (protobuf)" et import otlp --type logs --json "$D/sdk-logs.pb"
eq "$(jget "$T_DIR/out" 'd["raw"]')" 3 "three otlp.log events"
eq "$(sql "$DB" "SELECT group_concat(e, ' ') FROM (SELECT json_extract(body,'$.body.event') AS e FROM ledger WHERE type='otlp.log' ORDER BY seq) AS sub")" \
  "claude_code.user_prompt claude_code.tool_result claude_code.api_request" "with their event names"
check "the same records in JSON (type sniffed)" et import otlp --json "$D/sdk-logs.json"
eq "$(jget "$T_DIR/out" 'd["duplicates"]')" 3 "are duplicates"

# spans before their agent, over three requests
check "tools, then the chat span, then the agents" et --db "$T_DIR/split.db" import otlp \
  "$D/split-1-tools.json" "$D/split-2-chat.json" "$D/split-3-agents.json"
id=$(sql "$T_DIR/split.db" "SELECT execution_id FROM executions WHERE agent_name='general-purpose'")
et --db "$T_DIR/split.db" show --json "$id" >"$T_DIR/split.json"
eq "$(jget "$T_DIR/split.json" 'd["execution"]["actions_taken"][0]["tool"]'),$(jget "$T_DIR/split.json" 'd["execution"]["actions_taken"][1]["tool"]')" \
  "Read,Bash" "the waiting tools became the subagent's actions"

# the subagent before the planner that delegated to it
check "the subagent's request, then the planner's" et --db "$T_DIR/nested.db" import otlp \
  "$D/nested-1-subagent.json" "$D/nested-2-planner.json"
eq "$(sql "$T_DIR/nested.db" "SELECT json_extract(doc,'$.parent_execution_id') FROM executions WHERE agent_name='general-purpose'")" \
  "$(sql "$T_DIR/nested.db" "SELECT execution_id FROM executions WHERE agent_name='planner'")" \
  "linked to its parent when the parent arrived"
eq "$(sql "$T_DIR/nested.db" "SELECT count(*) FROM ledger WHERE type='execution.linked'")" 1 "by one execution.linked event"
check "the projections rebuild to the same" et --db "$T_DIR/nested.db" verify

# bad bodies: exit 3, named, nothing stored
n=$(events)
head -c 1500 "$D/sdk-traces.pb" >"$T_DIR/cut.pb"
expect_exit 3 "truncated protobuf" et import otlp "$T_DIR/cut.pb"
contains "$T_DIR/err" "protobuf: 1500 bytes are not an ExportTraceServiceRequest" "names the message and length"
sed 's/4BF92F3577B34DA6/4BF92F3577B34DZ6/' "$D/genai-trace.json" >"$T_DIR/badhex.json"
expect_exit 3 "a trace id that is not hex" et import otlp "$T_DIR/badhex.json"
contains "$T_DIR/err" "resourceSpans[0].scopeSpans[0].spans[0].traceId: not hex: character 14 is 'Z'" "names the field and the character"
expect_exit 3 "an unsupported content type" et import otlp --content-type text/plain "$D/genai-trace.json"
contains "$T_DIR/err" 'Content-Type: unsupported "text/plain"' "names it"
expect_exit 3 "protobuf declared as JSON" et import otlp --content-type application/json "$D/sdk-traces.pb"
contains "$T_DIR/err" "OTLP/JSON: byte 1: unexpected byte 0x94" "names the byte"
printf '\037\213garbage' >"$T_DIR/bad.gz"
expect_exit 3 "broken gzip" et import otlp "$T_DIR/bad.gz"
contains "$T_DIR/err" "gzip: " "says gzip"
eq "$(events)" "$n" "nothing stored by any of them"
check "verify" et verify
done_testing
