#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The cleanup schedule with a fixed clock: what is due when, --run-due runs
# it and records it, the daily task drains the spool and removes old
# temporary files, monthly and quarterly write their report files. And the
# security-relevant class (classified by the redaction rules, docs/SECURITY.md).
. "$(dirname "$0")/lib.sh"

check "init" et init
python3 - "$T_DIR/in.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i, (end, ver) in enumerate([("2025-01-01T00:00:00Z", "MATCH"),
                                    ("2025-12-20T00:00:00Z", "MATCH")]):
        f.write(json.dumps({"execution_id": "00000000-0000-4000-8000-%012d" % (i + 1),
                            "session_id": "s", "timestamp_start": end,
                            "timestamp_end": end, "agent_metadata": {"name": "a"},
                            "verification": {"status": ver},
                            "delegation": {"prompt_sent": "p"}}) + "\n")
PY
check "import" et import "$T_DIR/in.jsonl"

export EXECTRAIL_NOW=2026-01-15T12:00:00Z
expect_exit 0 "schedule: nothing has run yet" et retention schedule
eq "$(grep -c '  due$' "$T_DIR/out")" "4" "every period is due the first time"
# a spooled input and a quarantine log older than the default age (7 days)
printf '%s\n' '{"hook_event_name":"SessionStart","session_id":"spooled-1","cwd":"/w"}' >"$EXECTRAIL_HOME/hook-spool.jsonl"
printf 'old quarantined input\n' >"$EXECTRAIL_HOME/hook-quarantine.log"
touch -d 2026-01-01T00:00:00Z "$EXECTRAIL_HOME/hook-quarantine.log"
expect_exit 0 "schedule --run-due runs the four tasks" et retention schedule --run-due
eq "$(grep -c ' ran: ' "$T_DIR/out")" "4" "all four ran"
contains "$T_DIR/out" "spool: 1 replayed" "daily: the spool was drained into the store, not deleted"
[ ! -e "$EXECTRAIL_HOME/hook-quarantine.log" ] && ok "daily: the old quarantine log is removed" || fails "daily: the old quarantine log is removed" ""
contains "$T_DIR/out" "1 archived and erased" "weekly: the expired execution was archived and erased"
[ -s "$EXECTRAIL_HOME/reports/summary-2026-01.md" ] && ok "monthly: summary-2026-01.md written" || fails "monthly: summary written" "$(ls "$EXECTRAIL_HOME/reports" 2>&1)"
contains "$EXECTRAIL_HOME/reports/summary-2026-01.md" "- executions: 1" "the summary counts the executions left"
[ -s "$EXECTRAIL_HOME/reports/audit-2026-Q1.md" ] && ok "quarterly: audit-2026-Q1.md written" || fails "quarterly: audit written" ""
contains "$EXECTRAIL_HOME/reports/audit-2026-Q1.md" "- verify: OK" "the audit ran a full verify"
contains "$EXECTRAIL_HOME/reports/audit-2026-Q1.md" ": OK, 1 executions" "the audit verified the archive bundle"
eq "$(sql "$DB" "SELECT count(*) FROM ledger WHERE type = 'retention.task'")" "4" "each run is recorded as a retention.task event"

expect_exit 0 "schedule again at the same time" et retention schedule --run-due
eq "$(grep -c 'not due' "$T_DIR/out")" "4" "nothing is due again the same day"
check "rebuild" et rebuild
expect_exit 0 "schedule after rebuild" et retention schedule
eq "$(grep -c 'not due' "$T_DIR/out")" "4" "the schedule's record is rebuilt from the ledger"

# the boundaries of each period
due_at() { EXECTRAIL_NOW=$1 et retention schedule --at "$1" | awk '$NF == "due" && $(NF - 1) != "not" {print $1}' | tr '\n' ' '; }
eq "$(due_at 2026-01-15T23:59:59Z)" "" "same day: nothing due"
eq "$(due_at 2026-01-16T00:00:00Z)" "daily " "next day: daily due"
eq "$(due_at 2026-01-22T11:59:59Z)" "daily " "just under 7 days: weekly not due"
eq "$(due_at 2026-01-22T12:00:00Z)" "daily weekly " "7 days: weekly due"
eq "$(due_at 2026-02-01T00:00:00Z)" "daily weekly monthly " "next month: monthly due"
eq "$(due_at 2026-03-31T23:59:59Z)" "daily weekly monthly " "end of the quarter: quarterly not due"
eq "$(due_at 2026-04-01T00:00:00Z)" "daily weekly monthly quarterly " "next quarter: quarterly due"

printf 'RETENTION_POLICY:\n  cleanup_schedule:\n    daily: none\n' >"$EXECTRAIL_HOME/retention.yaml"
eq "$(due_at 2026-04-01T00:00:00Z)" "weekly monthly quarterly " "a period set to none is never due"
rm "$EXECTRAIL_HOME/retention.yaml"

# ---- security-relevant class (2 years): .env, credentials and a GitHub API
# call make both executions security-relevant (docs/SECURITY.md)
python3 - "$T_DIR/sec.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i, end in enumerate(["2024-02-01T00:00:00Z", "2023-12-01T00:00:00Z"]):
        f.write(json.dumps({"execution_id": "00000000-0000-4000-9000-%012d" % (i + 1),
                            "session_id": "s", "timestamp_start": end, "timestamp_end": end,
                            "agent_metadata": {"name": "sec"},
                            "verification": {"status": "MATCH"},
                            "delegation": {"prompt_sent": "p"},
                            "output": {"files_modified": [".env", "config/credentials.yml"],
                                       "api_calls_made": ["github"]}}) + "\n")
PY
check "import two security-relevant executions" et import "$T_DIR/sec.jsonl"
eq "$(sql "$DB" "SELECT count(*) FROM security_relevant WHERE execution_id LIKE '00000000-0000-4000-9000-%'")" 2 \
   "both are classified security-relevant"
expect_exit 0 "plan at 2026-01-15" et retention plan --all --format jsonl --at 2026-01-15
# 2024-02-01 + 730 days = 2026-01-31 (kept); 2023-12-01 + 730 = 2025-11-30 (expired)
contains "$T_DIR/out" '"execution_id":"00000000-0000-4000-9000-000000000001","action":"KEEP","rule":"security_relevant"' "security-relevant keeps a success for 2 years (inside)"
contains "$T_DIR/out" '"execution_id":"00000000-0000-4000-9000-000000000002","action":"EXPIRE","rule":"security_relevant"' "and expires it after 2 years (outside)"
done_testing
