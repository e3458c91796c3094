#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The MCP server at /mcp of `exectrail serve` (Streamable HTTP), on a free
# loopback port with tokens required: the official TypeScript SDK clients
# (1.x StreamableHTTPClientTransport, 2.x pinned to 2026-07-28) list and
# call the tools, record an execution read back by `exectrail show --json`,
# make the spec's add_memory/search_memory_facts calls and meet 401 and 403
# (tests/e2e/mcp/http.mjs); curl checks the wire: 202 for notifications,
# -32700 for malformed JSON, 403 for a foreign Origin or Host, the
# MCP-Protocol-Version and 2026-07-28 header rules, 405, 406, SSE, and every
# answer against docs/openapi.yaml. The server is stopped on exit (lib.sh's
# trap), whatever happens.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve_lib.sh"
. "$(dirname "$0")/node_lib.sh"

check "init a trail" et init
TOKEN_ADMIN=$(et token create --scope admin --name mcp-admin 2>/dev/null)
TOKEN_READ=$(et token create --scope read --name mcp-read 2>/dev/null)
TOKEN_INGEST=$(et token create --scope ingest --name mcp-ingest 2>/dev/null)
case "$TOKEN_ADMIN$TOKEN_READ$TOKEN_INGEST" in
  etk_*etk_*etk_*) ok "three tokens (admin, read, ingest)" ;;
  *) fails "create tokens"; done_testing ;;
esac
if serve_start --require-token; then ok "the server starts with --require-token"; else
  fails "the server starts"; done_testing; fi
export MCP_URL="$URL/mcp" TOKEN_ADMIN TOKEN_READ TOKEN_INGEST
AUTH="Authorization: Bearer $TOKEN_ADMIN"
ACCEPT='Accept: application/json, text/event-stream'
V='MCP-Protocol-Version: 2025-11-25'

# rpc BODY [curl args...]: POST one message to /mcp with the admin token
rpc() {
  b=$1
  shift
  req POST /mcp -H "$AUTH" -H "$JSON_CT" -H "$ACCEPT" "$@" --data-binary "$b"
}

# ---- the official SDK clients ----
if node_setup "$ET_SOURCE_DIR/tests/e2e/mcp" 20 "the 2.x MCP client" \
  @modelcontextprotocol/client @modelcontextprotocol/sdk; then
  node_run "SDK clients over HTTP" http.mjs
  ID=$(cat "$T_DIR/http-exec-id" 2>/dev/null || true)
  if [ -n "$ID" ]; then
    rpc '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"get_execution","arguments":{"execution_id":"'"$ID"'"}}}' -H "$V"
    status_is 200 "curl: tools/call get_execution of the SDK's execution"
    jget "$T_DIR/body" 'd["result"]["structuredContent"]' >"$T_DIR/rec.json"
    et show --json "$ID" >"$T_DIR/show.json"
    json_same "$T_DIR/rec.json" "$T_DIR/show.json" \
      "the record made over HTTP reads back identical through exectrail show --json"
    eq "$(jget "$T_DIR/show.json" 'd["agent_metadata"]["name"]')" http-agent "it is the SDK client's execution"
  else
    fails "the SDK client left no execution id"
  fi
fi

# ---- the handshake with curl (2025-11-25, stateless) ----
rpc '{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}'
status_is 200 "initialize: 200"
contains "$T_DIR/headers" "Content-Type: application/json" "a single JSON response"
eq "$(jget "$T_DIR/body" 'd["result"]["protocolVersion"]')" 2025-11-25 "the version asked for"
not_contains "$T_DIR/headers" "Mcp-Session-Id" "no session id: the server is stateless"
rpc '{"jsonrpc":"2.0","method":"notifications/initialized"}' -H "$V"
status_is 202 "a notification: 202 Accepted"
eq "$(wc -c <"$T_DIR/body" | tr -d ' ')" 0 "with no body"
rpc '{"jsonrpc":"2.0","id":3,"result":{}}' -H "$V"
status_is 202 "a response from the client: 202 Accepted"
rpc '{"jsonrpc":"2.0","id":1,"method":"tools/list"}' -H "$V" -H 'Mcp-Session-Id: made-up'
status_is 200 "tools/list with a session id the server never issued: the id is ignored"
eq "$(jget "$T_DIR/body" 'len(d["result"]["tools"])')" 10 "the first page of 10 tools"
printf '%s\n' '{"jsonrpc":"2.0","id":1,"method":"tools/list"}' |
  et mcp -q | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["result"], sort_keys=True))' >"$T_DIR/stdio.list"
jget "$T_DIR/body" 'd["result"]' | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin), sort_keys=True))' >"$T_DIR/http.list"
if cmp -s "$T_DIR/stdio.list" "$T_DIR/http.list"; then ok "the same tools/list as exectrail mcp on stdio"; else
  fails "the same tools/list as on stdio" "$(head -c 300 "$T_DIR/http.list")"; fi
rpc '{"jsonrpc":"2.0","id":2,"method":"no/such"}' -H "$V"
status_is 200 "an unknown method (2025-11-25): a JSON-RPC error in a 200"
eq "$(jget "$T_DIR/body" 'd["error"]["code"]')" -32601 "-32601"

# ---- bad messages ----
rpc '{"jsonrpc":"2.0","id":1,"method":"ping"' -H "$V"
status_is 400 "malformed JSON: 400"
eq "$(jget "$T_DIR/body" 'd["error"]["code"]')" -32700 "a JSON-RPC parse error (-32700)"
eq "$(jget "$T_DIR/body" 'd["id"]')" null "with id null"
rpc '[{"jsonrpc":"2.0","id":1,"method":"ping"}]' -H "$V"
status_is 400 "a batch: 400"
eq "$(jget "$T_DIR/body" 'd["error"]["code"]')" -32600 "-32600"
req POST /mcp -H "$AUTH" -H 'Content-Type: text/plain' -H "$ACCEPT" -d '{"jsonrpc":"2.0","id":1,"method":"ping"}'
status_is 415 "a body that is not application/json: 415"

# ---- MCP-Protocol-Version ----
for v in 1999-01-01 2099-01-01 not-a-version; do
  rpc '{"jsonrpc":"2.0","id":1,"method":"tools/list"}' -H "MCP-Protocol-Version: $v"
  status_is 400 "MCP-Protocol-Version $v: 400"
done
eq "$(jget "$T_DIR/body" 'd["error"]["code"]')" -32022 "Unsupported protocol version (-32022)"
contains "$T_DIR/body" '"supported":["2026-07-28","2025-11-25"' "listing the versions spoken"
rpc '{"jsonrpc":"2.0","method":"notifications/initialized"}' -H 'MCP-Protocol-Version: 1999-01-01'
status_is 400 "a notification with an unsupported version: 400"

# ---- 2026-07-28: per-request _meta and the mirrored headers ----
META='"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"curl","version":"1"},"io.modelcontextprotocol/clientCapabilities":{}}'
M='MCP-Protocol-Version: 2026-07-28'
rpc '{"jsonrpc":"2.0","id":"d","method":"server/discover","params":{'"$META"'}}' -H "$M" -H 'Mcp-Method: server/discover'
status_is 200 "2026-07-28 server/discover with its headers"
eq "$(jget "$T_DIR/body" 'd["result"]["resultType"]')" complete "resultType complete"
CALL='{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"verify_ledger","arguments":{},'"$META"'}}'
rpc "$CALL" -H "$M" -H 'Mcp-Method: tools/call' -H 'Mcp-Name: verify_ledger'
status_is 200 "2026-07-28 tools/call with Mcp-Method and Mcp-Name"
eq "$(jget "$T_DIR/body" 'd["result"]["structuredContent"]["ok"]')" true "the ledger verifies"
rpc "$CALL" -H "$M" -H 'Mcp-Method: tools/call' -H 'Mcp-Name: =?base64?dmVyaWZ5X2xlZGdlcg==?='
status_is 200 "an Mcp-Name in the base64 form is decoded"
rpc "$CALL" -H "$M" -H 'Mcp-Method: tools/call' -H 'Mcp-Name: get_status'
status_is 400 "an Mcp-Name that is not the body's: 400"
eq "$(jget "$T_DIR/body" 'd["error"]["code"]')" -32020 "HeaderMismatch (-32020)"
rpc "$CALL" -H "$M" -H 'Mcp-Name: verify_ledger'
status_is 400 "no Mcp-Method: 400"
rpc "$CALL" -H 'Mcp-Method: tools/call' -H 'Mcp-Name: verify_ledger'
status_is 400 "a 2026-07-28 body without MCP-Protocol-Version: 400"
rpc "$CALL" -H "$V"
status_is 400 "MCP-Protocol-Version other than the body's _meta: 400"
rpc '{"jsonrpc":"2.0","id":6,"method":"no/such","params":{'"$META"'}}' -H "$M" -H 'Mcp-Method: no/such'
status_is 404 "an unknown method under 2026-07-28: 404"
eq "$(jget "$T_DIR/body" 'd["error"]["code"]')" -32601 "with -32601"

# ---- SSE and Accept ----
req POST /mcp -H "$AUTH" -H "$JSON_CT" -H 'Accept: text/event-stream' -H "$V" \
  -d '{"jsonrpc":"2.0","id":9,"method":"ping"}'
status_is 200 "a client that takes only text/event-stream"
contains "$T_DIR/headers" "Content-Type: text/event-stream" "gets an SSE stream"
contains "$T_DIR/body" 'data: {"jsonrpc":"2.0","id":9,"result":{}}' "with the response as an event"
req POST /mcp -H "$AUTH" -H "$JSON_CT" -H 'Accept: text/html' -H "$V" \
  -d '{"jsonrpc":"2.0","id":9,"method":"ping"}'
status_is 406 "Accept without JSON or SSE: 406"

# ---- Origin, Host, methods ----
rpc '{"jsonrpc":"2.0","id":1,"method":"ping"}' -H "$V" -H 'Origin: https://evil.example.com'
status_is 403 "a foreign Origin: 403"
rpc '{"jsonrpc":"2.0","id":1,"method":"ping"}' -H "$V" -H 'Origin: null'
status_is 403 "Origin null: 403"
rpc '{"jsonrpc":"2.0","id":1,"method":"ping"}' -H "$V" -H 'Origin: http://localhost:6274'
status_is 200 "a loopback Origin (a local inspector): accepted"
rpc '{"jsonrpc":"2.0","id":1,"method":"ping"}' -H "$V" -H 'Host: evil.example.com'
status_is 403 "a Host that is not loopback (DNS rebinding): 403"
rpc '{"jsonrpc":"2.0","id":1,"method":"ping"}' -H "$V" -H 'Host: localhost'
status_is 200 "Host localhost: accepted"
req GET /mcp -H "$AUTH" -H 'Accept: text/event-stream'
status_is 405 "GET /mcp: 405 (no SSE stream offered)"
contains "$T_DIR/headers" "Allow: POST" "Allow: POST"
req DELETE /mcp -H "$AUTH" -H 'Mcp-Session-Id: x'
status_is 405 "DELETE /mcp: 405 (no sessions to end)"

# ---- tokens on the wire ----
req POST /mcp -H "$JSON_CT" -H "$ACCEPT" -d '{"jsonrpc":"2.0","id":1,"method":"ping"}'
status_is 401 "no token: 401"
contains "$T_DIR/headers" "WWW-Authenticate: Bearer" "with WWW-Authenticate"
req POST /mcp -H "Authorization: Bearer etk_nope" -H "$JSON_CT" -H "$ACCEPT" -d '{"jsonrpc":"2.0","id":1,"method":"ping"}'
status_is 401 "a wrong token: 401"
req POST /mcp -H "Authorization: Bearer $TOKEN_READ" -H "$JSON_CT" -H "$ACCEPT" -H "$V" \
  -d '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"execution_start","arguments":{"session_id":"s","agent_metadata":{"name":"a"}}}}'
status_is 403 "a read token calling a writing tool: 403"
eq "$(jget "$T_DIR/body" 'd["id"]')" 1 "a JSON-RPC error answering the call"

# ---- metrics and the document ----
req GET /metrics -H "$AUTH"
contains "$T_DIR/body" 'exectrail_http_requests_total{route="mcp",code="2xx"}' "/metrics counts the MCP requests"
openapi_check "every answer matches docs/openapi.yaml"

if serve_stop; then ok "the server stops cleanly (exit 0)"; else fails "the server stops cleanly"; fi
done_testing
