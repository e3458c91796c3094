#!/bin/sh
# SPDX-License-Identifier: MIT
# The guided demo behind `make run`: a fresh trail in ./demo-trail, a few
# subagent executions recorded through the lifecycle verbs, one shown, a
# checkpoint signed and verified, and a tamper attempt caught.
set -eu
ET=${1:-build/release/exectrail}
DIR=${DEMO_DIR:-demo-trail}
rm -rf "$DIR"
export EXECTRAIL_HOME="$DIR"
export EXECTRAIL_SESSION_ID=6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f
# bold headings only on a terminal, and never with NO_COLOR set
if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
  step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
else
  step() { printf '\n== %s\n' "$*"; }
fi
run() { printf '$ %s\n' "$*"; "$@"; }

step "1. A fresh trail (store + Ed25519 signing key)"
run "$ET" init

step "2. Pre-delegation: intent, expectations and success criteria"
id=$("$ET" start --agent code-reviewer --agent-version v2.0 \
  --tools Read,Grep,Bash \
  --request "Review the auth module for security issues" \
  --reasoning "code-reviewer specialises in security review" \
  --expected "A list of findings with file and line; tests still pass" \
  --risks "May miss issues in generated code" \
  --expect 'output.raw_response ~ "SQL injection"' \
  --expect 'action(tool = "Bash" AND input ~ "make test" AND success)')
echo "execution_id: $id"

step "3. Delegation: the exact prompt sent to the subagent"
run "$ET" delegate "$id" \
  --prompt "Review src/auth/*.py for injection, secrets and session bugs. Report findings as a list." \
  --context "Python 3.11 web service" --instructions "Do not modify files"

step "4. Execution: each action, as it happens"
run "$ET" action "$id" --tool Grep --action "search for SQL built by string formatting" \
  --input 'execute\(f"' --output "src/auth/login.py:42"
run "$ET" action "$id" --tool Read --action "read the login handler" \
  --input src/auth/login.py --output "(212 lines)"
run "$ET" action "$id" --tool Bash --action "run the tests" --input "make test" \
  --output "1 failed" --error "test_login_rate_limit failed"
# a tool output that carries a credential: it is redacted before it is stored
run "$ET" action "$id" --tool Read --action "read the deploy config" \
  --input config/deploy.env \
  --output "GITHUB_TOKEN=ghp_$(printf 'x7Kq2mN9pR4tV6wY8zB1cD3fG5hJ0kL2%s' nM4p)"

step "5. Response: the complete subagent output"
run "$ET" respond "$id" --response "Found 2 issues: SQL injection at login.py:42; no rate limit on login." \
  --command "make test"

step "6. Completion: the criteria are checked against what happened"
run "$ET" complete "$id"

step "7. A whole execution at once: the spec's JSON record"
cat >"$DIR/record.json" <<'JSON'
{"session_id": "6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f",
 "timestamp_start": "2025-01-16T10:30:00.000Z", "timestamp_end": "2025-01-16T10:32:15.234Z",
 "main_agent_context": {"user_request": "Add tests for the parser", "expected_outcome": "new tests pass"},
 "agent_metadata": {"name": "test-runner", "version": "v1.3", "tools_available": ["Bash", "Write"]},
 "delegation": {"prompt_sent": "Write unit tests for src/parse.c and run them"},
 "execution": {"actions_taken": [
   {"tool": "Write", "action": "create tests/test_parse.c", "input": "tests/test_parse.c", "output": "written", "timestamp": "2025-01-16T10:31:00.000Z", "success": true, "error": null},
   {"tool": "Bash", "action": "run the tests", "input": "make test", "output": "12 passed", "timestamp": "2025-01-16T10:32:00.000Z", "success": true, "error": null}]},
 "output": {"raw_response": "Added 12 tests; all pass.", "files_modified": ["tests/test_parse.c"], "commands_executed": ["make test"]},
 "verification": {"status": "MATCH", "confidence_score": 0.95}}
JSON
printf '$ %s record %s\n' "$ET" "$DIR/record.json"
rid=$("$ET" record "$DIR/record.json")
echo "$rid"
echo "(duration_ms was derived from the timestamps: $("$ET" show --json --compact "$rid" \
  | sed 's/.*"duration_ms":\([0-9]*\).*/\1/') ms)"

step "8. The trail"
run "$ET" list

step "9. One execution in full (verdict, evidence, the redacted token)"
run "$ET" show "$id"
echo "(as the spec's JSON record: exectrail show --json $id)"
echo "the token in action 4's output, as stored: $("$ET" show --json --compact "$id" \
  | grep -o 'GITHUB_TOKEN=\[REDACTED:[^]]*\]')"

step "9b. Ask the trail: the spec's audit queries, credentials, a report"
run "$ET" query 'verification status ERROR MISMATCH PARTIAL'
run "$ET" query 'credential.kind = "github_token"' --format ids
run "$ET" report daily --date 2025-01-16

step "10. A signed checkpoint of the ledger"
run "$ET" checkpoint --out "$DIR/checkpoint.txt"
cat "$DIR/checkpoint.txt"

step "11. Verify: every event hash, the Merkle tree, the signed checkpoint"
run "$ET" verify --checkpoint "$DIR/checkpoint.txt"

step "12. Tamper with one stored byte, behind exectrail's back"
if command -v sqlite3 >/dev/null 2>&1; then
  sqlite3 "$DIR/trail.db" "UPDATE ledger SET body = replace(body, 'make test', 'make tesT') WHERE seq = (SELECT min(seq) FROM ledger WHERE body LIKE '%make test%')"
  printf '$ %s verify\n' "$ET"
  status=0
  "$ET" verify || status=$?
  if [ "$status" -ne 4 ]; then echo "(unexpected: exit status $status)"; exit 1; fi
  echo "(exit status 4: integrity failure, with the event and its execution named)"
else
  echo "(install sqlite3 to see this step)"
fi
step "13. The dashboard (exectrail serve)"
# in a terminal: serve the demo trail until Ctrl-C; otherwise say how
if [ -t 0 ] && [ -t 1 ] && [ -z "${DEMO_NO_SERVE:-}" ]; then
  "$ET" --db "$DIR/trail.db" serve --listen 127.0.0.1:0 --port-file "$DIR/port" &
  spid=$!
  trap 'kill "$spid" 2>/dev/null; wait "$spid" 2>/dev/null; exit 0' INT TERM
  for _ in 1 2 3 4 5 6 7 8 9 10; do [ -s "$DIR/port" ] && break; sleep 0.3; done
  if [ -s "$DIR/port" ]; then
    echo "The dashboard of the demo trail: http://127.0.0.1:$(cat "$DIR/port")/"
    echo "(its ledger page shows the byte tampered with in step 12; Ctrl-C stops the server)"
    wait "$spid" || true
  else
    echo "(the server did not start; try: $ET --db $DIR/trail.db serve)"
    kill "$spid" 2>/dev/null || true
  fi
else
  echo "To look at it in a browser: $ET --db $DIR/trail.db serve"
  echo "then open http://127.0.0.1:7411/ (docs/DASHBOARD.md)"
fi
printf '\nThe demo trail is in %s/. Next: README.md and docs/.\n' "$DIR"
