#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# exectrail serve, failure paths: bad JSON and bad fields (400 naming the
# byte offset or field, nothing stored), bodies over the limit (413, with
# and without Content-Length), refused media types, malformed targets,
# oversized headers, idle connections cut off, the refusal to listen beyond
# loopback without tokens, and bearer tokens (401, 403, revocation, expiry,
# hashed storage).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve_lib.sh"

check "init a trail" et init
spec_record 50000000-0000-4000-8000-000000000001 >"$T_DIR/good.json"
check "a first record, from the CLI" et record "$T_DIR/good.json"

# ---- refusals to start ----
expect_exit 2 "a non-loopback address without tokens: refused" \
  et serve --listen 0.0.0.0:0 --port-file "$T_DIR/p0"
contains "$T_DIR/err" "without API tokens" "saying why"
[ -e "$T_DIR/p0" ] && fails "nothing was started" || ok "nothing was started"
expect_exit 2 "--require-token without tokens: refused" \
  et serve --listen 127.0.0.1:0 --require-token
expect_exit 2 "a malformed --listen" et serve --listen nonsense
expect_exit 0 "serve --help" et serve --help
contains "$T_DIR/out" "--max-body" "the help names the limits"

if serve_start --max-body 4096 --timeout 2; then ok "a server with a 4 KiB body limit"; else
  fails "the server starts"; done_testing; fi
trail_state "$T_DIR/before"

# ---- bad bodies: the error names the place, nothing is stored ----
printf '{"session_id": "s", "x": [1, 2,' >"$T_DIR/trunc.json"
req POST /v1/executions -H "$JSON_CT" --data-binary @"$T_DIR/trunc.json"
status_is 400 "truncated JSON: 400"
eq "$(jget "$T_DIR/body" 'd["error"]["offset"]')" "$(stat -c %s "$T_DIR/trunc.json")" "the error names the byte offset (the end)"
python3 - "$T_DIR/good.json" "$T_DIR/badfield.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); r["execution_id"] = "50000000-0000-4000-8000-000000000002"
r["execution"]["actions_taken"][0]["success"] = "yes"
json.dump(r, open(sys.argv[2], "w"))
PY
req POST /v1/executions -H "$JSON_CT" --data-binary @"$T_DIR/badfield.json"
status_is 400 "a field of the wrong type: 400"
eq "$(jget "$T_DIR/body" 'd["error"]["field"]')" "execution.actions_taken[0].success" "the error names the field path"
eq "$(jget "$T_DIR/body" 'd["error"]["code"]')" invalid_input "code invalid_input"
printf '{"a":"\xff"}' >"$T_DIR/utf8.json"
req POST /v1/executions -H "$JSON_CT" --data-binary @"$T_DIR/utf8.json"
status_is 400 "invalid UTF-8: 400"
eq "$(jget "$T_DIR/body" 'd["error"]["offset"]')" 6 "at byte 6"
req POST /v1/executions -H "$JSON_CT"
status_is 400 "no body: 400"
eq "$(jget "$T_DIR/body" 'd["error"]["field"]')" body "naming the body"
req POST /v1/executions/start -H "$JSON_CT" -d '{"session_id": 5}'
status_is 400 "start with a bad fragment: 400"
req POST /v1/executions/start -H "$JSON_CT" -d '{"session_id":"s-open","agent_metadata":{"name":"a"}}'
OPEN=$(jget "$T_DIR/body" 'd["execution_id"]')
trail_state "$T_DIR/before"
req POST /v1/executions/$OPEN/actions -H "$JSON_CT" -d '[{"tool":"Bash"},{"tool":7}]'
status_is 400 "a batch with one bad action: 400"
eq "$(jget "$T_DIR/body" 'd["error"]["field"]')" "[1].tool" "naming the field in the body"
req POST /v1/executions/$OPEN/actions -H "$JSON_CT" -d '{"tool":"Bash","success":"yes"}'
eq "$(jget "$T_DIR/body" 'd["error"]["field"]')" "success" "one bad action: naming its field"

# ---- size limits ----
head -c 10000 /dev/zero | tr '\0' 'a' | sed 's/^/"/; s/$/"/' >"$T_DIR/big.json"
req POST /v1/executions -H "$JSON_CT" --data-binary @"$T_DIR/big.json"
status_is 413 "a body over --max-body: 413"
eq "$(jget "$T_DIR/body" 'd["error"]["code"]')" too_large "code too_large"
req POST /v1/executions -H "$JSON_CT" -H 'Transfer-Encoding: chunked' --data-binary @"$T_DIR/big.json"
status_is 413 "the same, chunked (no Content-Length): 413"
# (not through req: this answer is the HTTP layer's, not the API's)
STATUS=$(curl -sS -o /dev/null -w '%{http_code}' -H "X-Big: $(head -c 70000 /dev/zero | tr '\0' 'b')" "$URL/healthz")
case "$STATUS" in 413|431) ok "a 70 KB header is refused ($STATUS)" ;;
  *) fails "a 70 KB header is refused" "status $STATUS" ;; esac
long=$(head -c 3000 /dev/zero | tr '\0' 'q')
req GET "/v1/executions?q=$long"
status_is 414 "a request target over 2048 bytes: 414"

# ---- media types, methods, targets ----
req POST /v1/executions -H 'Content-Type: text/plain' --data-binary @"$T_DIR/good.json"
status_is 415 "text/plain (what a cross-site form can send): 415"
req POST /v1/executions -H "$JSON_CT" -H 'Content-Encoding: gzip' --data-binary @"$T_DIR/good.json"
status_is 415 "Content-Encoding gzip on REST: 415"
req DELETE /v1/executions
status_is 405 "DELETE: 405"
contains "$T_DIR/headers" "Allow:" "with an Allow header"
req GET /nope
status_is 404 "an unknown path: 404"
req GET "/v1/%2e%2e/etc/passwd"
status_is 400 "an encoded traversal: 400"
req GET "/v1/executions/..%2f..%2fetc"
status_is 400 "an encoded separator: 400"

same_state "$T_DIR/before" "none of the refused requests stored anything"
req GET /metrics
contains "$T_DIR/body" "exectrail_requests_rejected_total 13" "the 13 rejections (400, 413, 415) are counted"

# ---- an idle client is cut off (--timeout 2) ----
check "a client that stops sending mid-headers is disconnected" python3 - "$(cat "$T_DIR/port")" <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
s.settimeout(30)
t0 = time.time()
data = s.recv(100)
assert data == b"" or data.startswith(b"HTTP/1.1 4"), data
assert time.time() - t0 < 20
PY
serve_stop
eq "$?" 0 "SIGTERM stops the server (exit 0)"

# ---- tokens ----
check "create an ingest token" et token create --scope ingest --name ci
ING=$(cat "$T_DIR/out")
check "create a read token" et token create --scope read --name dash
RD=$(cat "$T_DIR/out")
check "create an admin token" et token create --scope admin
ADM=$(cat "$T_DIR/out")
expect_exit 3 "a bad scope: exit 3" et token create --scope root
eq "$(stat -c %a "$EXECTRAIL_HOME/api-tokens")" 600 "the token file is mode 0600"
if grep -qF -e "${ING#etk_*_}" -e "${RD#etk_*_}" -e "${ADM#etk_*_}" "$EXECTRAIL_HOME/api-tokens"; then
  fails "the token file holds no token secret"; else ok "the token file holds no token secret"; fi
check "token list" et token list --format json
eq "$(jget "$T_DIR/out" 'sorted(t["scope"] for t in d)')" '["admin","ingest","read"]' "lists the three tokens"
ING_ID=$(jget "$T_DIR/out" '[t["id"] for t in d if t["scope"] == "ingest"][0]')
RD_ID=$(jget "$T_DIR/out" '[t["id"] for t in d if t["scope"] == "read"][0]')

if serve_start --require-token; then ok "a server that requires tokens"; else
  fails "the token server starts"; done_testing; fi
spec_record 50000000-0000-4000-8000-000000000003 >"$T_DIR/r3.json"
req GET /healthz
status_is 200 "healthz needs no token"
req GET /v1/executions
status_is 401 "no token: 401"
contains "$T_DIR/headers" "WWW-Authenticate: Bearer" "with WWW-Authenticate"
req GET /v1/executions -H "Authorization: Bearer etk_0000000000000000_000000000000000000000000000000000000000000000000"
status_is 401 "a wrong token: 401"
req GET /v1/executions -H "Authorization: Basic dXNlcjpwYXNz"
status_is 401 "not a bearer token: 401"
req GET /v1/executions -H "Authorization: Bearer $RD"
status_is 200 "a read token reads"
req POST /v1/executions -H "Authorization: Bearer $RD" -H "$JSON_CT" --data-binary @"$T_DIR/r3.json"
status_is 403 "a read token may not write: 403"
req GET /metrics -H "Authorization: Bearer $ING"
status_is 403 "an ingest token may not read: 403"
req POST /v1/executions -H "Authorization: Bearer $ING" -H "$JSON_CT" --data-binary @"$T_DIR/r3.json"
status_is 201 "an ingest token writes"
req GET /v1/executions/50000000-0000-4000-8000-000000000003 -H "Authorization: Bearer $ADM"
status_is 200 "an admin token reads"
check "revoke the ingest token" et token revoke "$ING_ID"
req POST /v1/executions/start -H "Authorization: Bearer $ING" -H "$JSON_CT" -d '{"session_id":"s"}'
status_is 401 "a revoked token is refused at once, without a restart"
expect_exit 6 "revoking it again: exit 6" et token revoke "$ING_ID"
# expire the read token by rewriting its expiry in the file
python3 - "$EXECTRAIL_HOME/api-tokens" "$RD_ID" <<'PY'
import sys
p, tid = sys.argv[1], sys.argv[2]
lines = open(p).read().split("\n")
out = []
for l in lines:
    f = l.split(" ")
    if f[0] == tid:
        f[3] = "1000"
    out.append(" ".join(f))
open(p, "w").write("\n".join(out))
PY
req GET /v1/executions -H "Authorization: Bearer $RD"
status_is 401 "an expired token: 401"
serve_stop

# loopback without --require-token: a token is optional, but checked when sent
if serve_start; then ok "a loopback server without --require-token"; else
  fails "the loopback server starts"; done_testing; fi
req GET /v1/executions
status_is 200 "no token on loopback: allowed"
req GET /v1/executions -H "Authorization: Bearer nonsense"
status_is 401 "a wrong token on loopback: still 401"
req GET /v1/executions -H "Authorization: Bearer $ADM"
status_is 200 "a good token on loopback: 200"
openapi_check "every error answer matches docs/openapi.yaml"
serve_stop
check "exectrail verify passes" et verify
done_testing
