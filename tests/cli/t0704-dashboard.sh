#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The dashboard of exectrail serve (docs/DASHBOARD.md): plain HTTP checks
# with curl (escaping, security headers, 404, path traversal, the Host
# check, the SSE feed, tokens and the sign-in cookie), then the pages in
# headless Chromium driven by playwright-core (tests/e2e/dash/run.mjs):
# the query box, a bad query's error, the detail page's timeline and
# evidence, a new execution appearing live, the ledger's verify, a stored
# <script> shown and never run. Screenshots go to $T_DIR/shots (kept with
# T_KEEP=1, or copied to $DASH_SHOTS_DIR when set). The browser part skips
# when chromium, node or npm (or the npm registry) is missing, or node is
# older than 20 (playwright-core 1.65 needs it; Debian 12's own is 18).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve_lib.sh"
. "$(dirname "$0")/node_lib.sh"

XSS='<script>window.__xss=1;alert(1)</script>'
check "init a trail" et init
spec_record 70000000-0000-4000-8000-000000000001 >"$T_DIR/r1.json"
check "record a spec record" et record "$T_DIR/r1.json"
X=$(et start --agent xss-agent --request "$XSS" \
  --expect 'output.raw_response ~ "done"' --expect 'action(tool = Edit)')
check "delegate" et delegate "$X" --prompt "fix the build, then say done"
check "a Read with a secret in its output" et action "$X" --tool Read \
  --input config/deploy.env \
  --output "GITHUB_TOKEN=ghp_$(printf 'x7Kq2mN9pR4tV6wY8zB1cD3fG5hJ0kL2%s' nM4p)"
check "a failed Bash" et action "$X" --tool Bash --input "make test" --error "exit status 2"
check "a Bash that passes" et action "$X" --tool Bash --input "make test" --output "12 passed"
check "respond" et respond "$X" --response "done: the build passes"
check "complete (runs the analysis)" et complete "$X"
IDLE=$(et start --agent idle-agent --request "waiting for work")
[ -n "$IDLE" ] && ok "an execution left started" || fails "start idle"

if serve_start; then ok "the server starts"; else
  fails "the server starts"; done_testing; fi

# ---- plain HTTP ----
req GET /
status_is 200 "GET / is the executions list"
contains "$T_DIR/headers" "Content-Type: text/html; charset=utf-8" "as HTML"
contains "$T_DIR/headers" "Content-Security-Policy: default-src 'none'; script-src 'self'; style-src 'self'" "with a strict CSP (no inline script or style)"
contains "$T_DIR/headers" "X-Frame-Options: DENY" "not framed"
contains "$T_DIR/headers" "Referrer-Policy: no-referrer" "no referrer"
contains "$T_DIR/body" "x-$X" "the list holds the execution"
if grep -q '<script>' "$T_DIR/body" || grep -q ' style=' "$T_DIR/body" ||
   grep -q ' on[a-z]*=' "$T_DIR/body"; then
  fails "no inline script, style attribute or event handler"
else ok "no inline script, style attribute or event handler"; fi
req GET /ui
status_is 200 "GET /ui is the list too"
req GET "/ui/executions/$X"
status_is 200 "GET /ui/executions/{id}"
contains "$T_DIR/body" '&lt;script&gt;window.__xss=1;alert(1)&lt;/script&gt;' "a stored <script> is escaped"
not_contains "$T_DIR/body" "$XSS" "and never written as markup"
contains "$T_DIR/body" '<mark class="redacted"' "a redaction marker is shown as such"
contains "$T_DIR/body" 'id="evidence"' "with the evidence table"
contains "$T_DIR/body" 'class="wf-bar fail"' "and a failed action marked in the waterfall"
req GET "/ui/executions/${X:0:8}"
status_is 200 "a unique id prefix works, as in the API"
req GET /ui/executions/7fffffff-0000-4000-8000-000000000000
status_is 404 "an unknown execution: 404"
contains "$T_DIR/headers" "text/html" "as an HTML page"
req GET "/ui/executions/$X/proof"
status_is 200 "the inclusion proof download"
contains "$T_DIR/headers" "Content-Disposition: attachment; filename=\"proof-$X.json\"" "as an attachment"
req GET "/?q=duration_ms%20%3E%205%20)"
status_is 400 "a bad query: 400"
contains "$T_DIR/body" "unexpected &#39;)&#39; at column 17" "naming the column"
req GET "/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E"
not_contains "$T_DIR/body" "<script>alert(1)" "a query echoed back is escaped"
req GET /ui/agents
status_is 200 "GET /ui/agents"
req GET /ui/reports/daily
status_is 200 "GET /ui/reports/daily"
contains "$T_DIR/body" '<svg class="chart"' "with its charts"
req GET "/ui/ledger?verify=1"
status_is 200 "GET /ui/ledger?verify=1"
contains "$T_DIR/body" 'id="verify-result" role="status" class="ok"' "verifies the ledger"
req GET "/ui/events?from=0"
status_is 200 "GET /ui/events (SSE)"
contains "$T_DIR/headers" "Content-Type: text/event-stream" "as an event stream"
contains "$T_DIR/body" "retry: " "telling the client when to come back"
contains "$T_DIR/body" "\"execution_id\":\"$X\"" "announcing the executions"
SIZE=$(et verify --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["events"])')
contains "$T_DIR/body" "id: $SIZE" "and the event to continue from"
req GET /ui/events -H "Last-Event-ID: $SIZE"
not_contains "$T_DIR/body" "event: execution" "nothing new since Last-Event-ID"
req GET /ui/dash.js
status_is 200 "the script is served from the binary"
req GET /ui/dash.css
status_is 200 "and the style sheet"
openapi_check "the answers match docs/openapi.yaml"

for p in "/ui/../v1/executions" "/ui/%2e%2e/v1/executions" "/ui/executions/..%2f..%2fetc%2fpasswd" "/ui/dash.js/../../etc/passwd" "/ui//dash.js"; do
  code=$(curl -sS --path-as-is -o /dev/null -w '%{http_code}' "$URL$p")
  eq "$code" 400 "path traversal refused: $p"
done
code=$(curl -sS -o /dev/null -w '%{http_code}' -H 'Host: attacker.example' "$URL/")
eq "$code" 421 "a loopback server refuses a page for another Host (DNS rebinding)"
code=$(curl -sS -o /dev/null -w '%{http_code}' -H "Host: localhost:$(cat "$T_DIR/port")" "$URL/")
eq "$code" 200 "and answers Host: localhost"

# ---- the browser ----
browser_tests() {
  CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
  if [ -z "$CHROMIUM" ]; then
    echo "# SKIP the browser tests: chromium is not installed (tools/setup.sh test installs it)"
    return 0
  fi
  # playwright-core 1.65 needs Node.js 20 or newer; Debian 12's own is 18
  E2E="$ET_SOURCE_DIR/tests/e2e/dash"
  node_setup "$E2E" 20 "playwright-core (the browser tests)" playwright-core || return 0
  mkdir -p "$T_DIR/shots"
  if (cd "$E2E" && URL=$URL CHROMIUM=$CHROMIUM SHOTS=$T_DIR/shots EXEC_ID=$X \
      INGEST_CMD="'$EXECTRAIL' start --agent live-agent --request 'a live one'" \
      nice node run.mjs) >"$T_DIR/node.out" 2>"$T_DIR/node.err"; then
    ok "browser: $(grep -c '^ok' "$T_DIR/node.out") checks in headless Chromium"
  else
    fails "browser" "$(grep -A12 '^not ok' "$T_DIR/node.out" | head -60)" \
      "stderr: $(tail -c 800 "$T_DIR/node.err")"
  fi
  sed 's/^/# /' "$T_DIR/node.out"
  if [ -n "${DASH_SHOTS_DIR:-}" ]; then
    mkdir -p "$DASH_SHOTS_DIR" && cp "$T_DIR"/shots/*.png "$DASH_SHOTS_DIR"/
  fi
  echo "# screenshots: $(ls "$T_DIR/shots" | tr '\n' ' ')"
}
browser_tests

serve_stop
eq "$?" 0 "SIGTERM stops the server (the SSE client held nothing open)"

# ---- tokens: the pages need the read scope ----
check "create a read token" et token create --scope read --name dash
RD=$(cat "$T_DIR/out")
check "create an ingest token" et token create --scope ingest
ING=$(cat "$T_DIR/out")
if serve_start --require-token; then ok "a server that requires tokens"; else
  fails "the token server starts"; done_testing; fi
req GET /
status_is 401 "no token: 401"
contains "$T_DIR/headers" "text/html" "an HTML page that says how to sign in"
contains "$T_DIR/body" "?token=" "naming ?token="
req GET /ui/events
status_is 401 "the SSE feed needs the token too"
req GET /ui/dash.css
status_is 200 "the style sheet does not"
req GET "/?token=$RD&q=agent%20%3D%20xss-agent"
status_is 303 "?token= with a read token: 303"
contains "$T_DIR/headers" "Location: /?q=agent%20%3D%20xss-agent" "to the same address without the token"
contains "$T_DIR/headers" "Set-Cookie: exectrail_token=$RD; Path=/; HttpOnly; SameSite=Strict" "setting an HttpOnly SameSite=Strict cookie"
req GET / -H "Cookie: other=1; exectrail_token=$RD"
status_is 200 "the cookie opens the pages"
req GET "/ui/executions/$X" -H "Authorization: Bearer $RD"
status_is 200 "so does Authorization: Bearer"
req GET /v1/executions -H "Cookie: exectrail_token=$RD"
status_is 401 "the cookie is never accepted by the JSON API"
req GET / -H "Cookie: exectrail_token=$ING"
status_is 403 "an ingest token may not read: 403"
req GET "/?token=etk_0000000000000000_000000000000000000000000000000000000000000000000"
status_is 401 "a wrong ?token=: 401"
req GET / -H "Cookie: exectrail_token=etk_0000000000000000_000000000000000000000000000000000000000000000000"
status_is 401 "a stale cookie: 401"
contains "$T_DIR/headers" "Max-Age=0" "and it is cleared"
openapi_check "the token answers match docs/openapi.yaml too"
serve_stop
eq "$?" 0 "the token server stops"
done_testing
