#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Secret redaction end to end (docs/SECURITY.md): a generated corpus of
# agent outputs with planted secrets goes in through import, the lifecycle
# verbs, the hook, the spool and the quarantine; no planted secret is left
# in the database file, its WAL, the exports, the spool files or stderr.
# Fingerprints are checked against Python's own HMAC-SHA-256; creds find and
# the spec's security queries return exactly the planted executions;
# rebuild recomputes the projections; switching a kind off is recorded.
. "$(dirname "$0")/lib.sh"

GEN="$T_DIR/gen"
mkdir -p "$GEN"
check "init" et init
python3 - "$GEN" <<'PY'
import base64, json, os, random, sys
out = sys.argv[1]
rnd = random.Random(6)
AL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
UP = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
def r(n, al=AL): return "".join(rnd.choice(al) for _ in range(n))
def b64u(b): return base64.urlsafe_b64encode(b).rstrip(b"=").decode()
def jwt():
    h = b64u(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    p = b64u(json.dumps({"sub": r(8), "iat": 1700000000}).encode())
    return h + "." + p + "." + r(43, AL + "-_")
# (kind, secret, text around it)
def planted(i):
    k = i % 9
    if k == 0:
        s = "AKIA" + r(16, UP); return "aws_access_key_id", s, f"export AWS_ACCESS_KEY_ID={s}\nrunning terraform plan"
    if k == 1:
        s = "ghp_" + r(36); return "github_token", s, f"remote: https://x-access-token:{s}@github.com/o/r.git"
    if k == 2:
        s = "xoxb-" + r(12, "0123456789") + "-" + r(24); return "slack_token", s, f"SLACK_BOT={s} posted to #ops"
    if k == 3:
        s = "sk_live_" + r(24); return "stripe_key", s, f"stripe.api_key = \"{s}\""
    if k == 4:
        body = r(64, AL + "+/")
        s = f"-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----"
        return "private_key", body, f"cat ~/.ssh/id_rsa\n{s}\n"
    if k == 5:
        s = jwt(); return "jwt", s, f"curl -H 'Cookie: session={s}' https://app.example.com"
    if k == 6:
        s = r(14); return "url_password", s, f"DATABASE_URL=postgres://app:{s}@db.internal:5432/app"
    if k == 7:
        s = r(18); return "env_secret", s, f"$ cat .env\nPORT=8080\nDB_PASSWORD={s}\n"
    s = r(28); return "json_secret", s, json.dumps({"client_id": "abc", "client_secret": s})
SHARED = "AKIA" + r(16, UP)          # one key used by exactly 3 executions
secrets, recs, expect = [], [], {}
for i in range(27):
    eid = "00000000-0000-4000-8000-%012d" % i
    kind, sec, text = planted(i)
    secrets.append(sec)
    noise = "\n".join(rnd.choice([
        "src/main.c:42: warning: unused variable 'tmp'",
        "commit %s" % r(40, "0123456789abcdef"),
        "sha256 %s  dist/app.tgz" % r(64, "0123456789abcdef"),
        "id 3f2b8c1e-7d4a-4e9b-a6c5-%s" % r(12, "0123456789abcdef"),
        "PASS tests/unit (12 assertions)"]) for _ in range(30))
    out_text = noise + "\n" + text + "\n" + noise
    if i in (3, 11, 20):
        out_text += f"\naws configure set aws_access_key_id {SHARED}"
    sens = i % 5 == 0
    files = ["src/util.c", "docs/readme.md"] + ([["config/secrets.yaml", "src/auth/session.py", "deploy/credentials.json", "app/config.py", ".env.local", "home/.ssh/id_ed25519"][(i // 5) % 6]] if sens else [])
    api = i % 4 == 0
    apis = ["GET https://api.example.org/items"] + ([["POST https://api.github.com/repos/o/r/pulls", "aws s3 cp out.tgz s3://bucket/", "gcp storage objects list"][(i // 4) % 3]] if api else [])
    rec = {"execution_id": eid, "session_id": "s-red",
           "timestamp_start": "2025-01-16T10:%02d:00.000Z" % i,
           "timestamp_end": "2025-01-16T10:%02d:30.000Z" % i,
           "agent_metadata": {"name": "worker"},
           "delegation": {"prompt_sent": "run the task %d" % i},
           "execution": {"actions_taken": [
               {"sequence": 1, "tool": "Bash", "input": "make %d" % i,
                "output": out_text, "success": True, "error": None}]},
           "output": {"raw_response": "done %d" % i, "files_modified": files,
                      "api_calls_made": apis}}
    recs.append(rec)
    expect[eid] = {"kind": kind, "secret": sec, "sens": sens, "api": api}
with open(os.path.join(out, "corpus.jsonl"), "w") as f:
    for rec in recs: f.write(json.dumps(rec) + "\n")
with open(os.path.join(out, "secrets.txt"), "w") as f:
    for s in secrets + [SHARED]: f.write(s.split("\n")[0] + "\n")
with open(os.path.join(out, "shared.txt"), "w") as f: f.write(SHARED + "\n")
with open(os.path.join(out, "expect.json"), "w") as f: json.dump(expect, f)
with open(os.path.join(out, "shared_ids.txt"), "w") as f:
    f.write("\n".join(sorted(recs[i]["execution_id"] for i in (3, 11, 20))) + "\n")
with open(os.path.join(out, "sens_ids.txt"), "w") as f:
    f.write("\n".join(sorted(e for e, x in expect.items() if x["sens"])) + "\n")
words = ("secrets", "auth", "credentials", "config")
with open(os.path.join(out, "word_ids.txt"), "w") as f:
    f.write("\n".join(sorted(r["execution_id"] for r in recs if any(w in p for p in r["output"]["files_modified"] for w in words))) + "\n")
with open(os.path.join(out, "api_ids.txt"), "w") as f:
    f.write("\n".join(sorted(e for e, x in expect.items() if x["api"])) + "\n")
PY
check "import the corpus" et import "$GEN/corpus.jsonl"
cp "$T_DIR/err" "$GEN/stderr.1"

# ---- the lifecycle verbs and the hook, each with a planted secret ----
LS_TOKEN="glpat-$(head -c 30 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 20)"
LS_KEY="AIza$(head -c 60 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 35)"
HOOK_KEY="sk-ant-api03-$(head -c 90 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 60)"
printf '%s\n%s\n%s\n' "$LS_TOKEN" "$LS_KEY" "$HOOK_KEY" >>"$GEN/secrets.txt"
id=$(et start --agent lifecycle --session s-red --request "deploy with $LS_TOKEN" 2>>"$GEN/stderr.2")
[ -n "$id" ] && ok "start with a secret in the request" || fails "start" "no id"
printf '{"tool":"Bash","input":"curl maps?key=%s","output":"ok","success":true}' "$LS_KEY" |
  et action "$id" --json - 2>>"$GEN/stderr.2" >/dev/null
printf '{"tool":"Write","input":"{\\"file_path\\":\\"deploy/.env.prod\\"}","success":true}' |
  et action "$id" --json - 2>>"$GEN/stderr.2" >/dev/null
et respond "$id" --response "used $LS_TOKEN" 2>>"$GEN/stderr.2" >/dev/null
et complete "$id" 2>>"$GEN/stderr.2" >/dev/null
printf '{"session_id":"s-hook","hook_event_name":"PostToolUse","tool_name":"Bash","tool_input":{"command":"env"},"tool_response":{"stdout":"ANTHROPIC_API_KEY=%s\\n","stderr":"","interrupted":false},"tool_use_id":"tu_1"}' "$HOOK_KEY" |
  et hook 2>>"$GEN/stderr.2"

# ---- error messages that quote the input ----
BAD_KEY="AKIA$(head -c 60 /dev/urandom | base64 | tr -dc 'A-Z0-9' | head -c 16)"
echo "$BAD_KEY" >>"$GEN/secrets.txt"
printf '{"session_id":"s","timestamp_start":"%s","agent_metadata":{"name":"x"}}' "$BAD_KEY" >"$GEN/bad.json"
expect_exit 3 "a bad record is refused (exit 3)" et record "$GEN/bad.json"
cat "$T_DIR/err" >>"$GEN/stderr.3"
contains "$T_DIR/err" "[REDACTED:aws_access_key_id:" "the error message quotes the value redacted"

# ---- the quarantine (malformed hook input) ----
Q_KEY="ghp_$(head -c 60 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 36)"
echo "$Q_KEY" >>"$GEN/secrets.txt"
printf '{"hook_event_name":"PostToolUse","tool_response":"token %s"' "$Q_KEY" | et hook
contains "$EXECTRAIL_HOME/hook-quarantine.log" "[REDACTED:github_token:" "the quarantine keeps the input, redacted"

# ---- the spool (store locked) ----
S_KEY="sk_test_$(head -c 60 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24)"
echo "$S_KEY" >>"$GEN/secrets.txt"
lock_store "$DB" "$T_DIR/locked" "$T_DIR/release" &
LOCKER=$!
T_PIDS="$LOCKER"
for _ in $(seq 200); do [ -e "$T_DIR/locked" ] && break; sleep 0.05; done
printf '{"session_id":"s-spool","hook_event_name":"PostToolUse","tool_name":"Bash","tool_input":{"command":"pay"},"tool_response":{"stdout":"key %s","stderr":"","interrupted":false},"tool_use_id":"tu_spool"}' "$S_KEY" |
  EXECTRAIL_BUSY_TIMEOUT_MS=50 et hook 2>>"$GEN/stderr.4"
contains "$EXECTRAIL_HOME/hook-spool.jsonl" "[REDACTED:stripe_key:" "the spooled input is redacted"
cp "$EXECTRAIL_HOME/hook-spool.jsonl" "$GEN/spool.copy"
touch "$T_DIR/release"
wait "$LOCKER"
T_PIDS=""
check "spool replay" et spool replay
n=$(sql "$DB" "SELECT count(*) FROM ledger WHERE body LIKE '%[REDACTED:stripe_key:%'")
[ "$n" -ge 1 ] && ok "the replayed input is stored with its marker" || fails "replayed input" "no marker in the ledger"

# ---- exports ----
et query --format json '' >"$GEN/export.json" 2>>"$GEN/stderr.5"
et list --format ids 2>>"$GEN/stderr.5" | while read -r x; do et show --json "$x"; done >"$GEN/show.json" 2>>"$GEN/stderr.5"
contains "$GEN/show.json" "[REDACTED:" "show --json carries markers"
[ -s "$GEN/export.json" ] && ok "query --format json exported" || fails "export" "empty"

# ---- no planted secret anywhere (the WAL too, while a reader holds it) ----
leaks=""
files="$DB $GEN/export.json $GEN/show.json $EXECTRAIL_HOME/hook-quarantine.log $GEN/spool.copy $GEN/stderr.*"
[ -e "$DB-wal" ] && files="$files $DB-wal"
while read -r s; do
  [ -n "$s" ] || continue
  for f in $files; do
    if grep -qaF -- "$s" "$f"; then leaks="$leaks $(basename "$f"):${s:0:8}..."; fi
  done
done <"$GEN/secrets.txt"
eq "$leaks" "" "no planted secret in the database, WAL, exports, spool, quarantine or stderr"
# the same search does find them in the input (so it could fail)
n_in=0
while read -r s; do grep -qaF -- "$s" "$GEN/corpus.jsonl" && n_in=$((n_in + 1)); done <"$GEN/secrets.txt"
eq "$n_in" "28" "the search finds the 27 corpus secrets and the shared key in the input"

# ---- fingerprints match an independent HMAC-SHA-256 ----
python3 - "$EXECTRAIL_HOME/redact.key" "$GEN/expect.json" "$GEN/show.json" >"$T_DIR/fp" <<'PY'
import hashlib, hmac, json, sys
key = bytes.fromhex(open(sys.argv[1]).read().strip())
expect = json.load(open(sys.argv[2]))
show = open(sys.argv[3]).read()
bad = 0
for eid, x in expect.items():
    if x["kind"] in ("private_key",):
        continue  # the fingerprint covers the whole block, not the body
    fp = hmac.new(key, x["secret"].encode(), hashlib.sha256).hexdigest()[:16]
    if "[REDACTED:%s:%s]" % (x["kind"], fp) not in show:
        bad += 1
        print("missing", eid, x["kind"])
print("bad", bad)
PY
contains "$T_DIR/fp" "bad 0" "every marker carries HMAC-SHA-256(key, secret)[:16 hex]"
eq "$(stat -c %a "$EXECTRAIL_HOME/redact.key")" "600" "the key file is mode 0600"

# ---- creds find: exactly the executions that used the key ----
et creds find --format ids <"$GEN/shared.txt" 2>"$T_DIR/err" | sort >"$T_DIR/found"
eq "$(cat "$T_DIR/found")" "$(cat "$GEN/shared_ids.txt")" "creds find lists exactly the 3 executions of the shared key"
et creds find --format ids --file "$GEN/shared.txt" | sort >"$T_DIR/found2"
eq "$(cat "$T_DIR/found2")" "$(cat "$GEN/shared_ids.txt")" "creds find --file gives the same answer"
expect_exit 2 "creds find refuses a secret on the command line" et creds find "$(cat "$GEN/shared.txt")"
echo "AKIAZZZZZZZZZZZZZZZZ" | et creds find --format ids >"$T_DIR/none"
eq "$(cat "$T_DIR/none")" "" "an unused key finds nothing"
eq "$(et query --format ids "credential.kind = jwt" | wc -l)" "3" "credential.kind = jwt finds the 3 JWT executions"

# ---- the spec's security queries ----
et query --format ids 'files_modified secrets auth credentials config' | sort >"$T_DIR/q1"
eq "$(cat "$T_DIR/q1")" "$(cat "$GEN/word_ids.txt")" "files_modified secrets auth credentials config: exactly the planted executions"
et query --format ids 'api_calls_made github aws gcp' | sort >"$T_DIR/q2"
eq "$(cat "$T_DIR/q2")" "$(cat "$GEN/api_ids.txt")" "api_calls_made github aws gcp: exactly the planted executions"
et query --format ids 'security.reason ~ "path:"' | sort >"$T_DIR/q3"
eq "$(cat "$T_DIR/q3")" "$( (cat "$GEN/sens_ids.txt"; echo "$id") | sort)" "security.reason ~ path: is the sensitive-path set (globs: .env*, .ssh/, and the Write action's path)"
[ "$(wc -l <"$GEN/sens_ids.txt")" -gt "$(wc -l <"$GEN/word_ids.txt")" ] && ok "the glob set is larger than the word set" || fails "glob set" "no .env/.ssh case planted"
n_rel=$(et query --format ids 'security.relevant = true' | wc -l)
n_all=$(et list --format ids | wc -l)
eq "$n_rel" "$((n_all - 0))" "every execution with a credential is security-relevant"

eq "$(et query --format ids 'security.reason = "path:deploy/.env.prod"')" "$id" "a Write action's file_path is classified too"
eq "$(et query --format ids 'credential.kind = gcp_api_key')" "$id" "the lifecycle action's key is stored as a credential"

# ---- rebuild recomputes the projections ----
before=$(sql "$DB" "SELECT group_concat(x, ';') FROM (SELECT execution_id || kind || fingerprint || seq AS x FROM exec_credentials ORDER BY 1) AS sub UNION ALL SELECT group_concat(y, ';') FROM (SELECT execution_id || reasons AS y FROM security_relevant ORDER BY 1) AS sub")
check "rebuild" et rebuild
after=$(sql "$DB" "SELECT group_concat(x, ';') FROM (SELECT execution_id || kind || fingerprint || seq AS x FROM exec_credentials ORDER BY 1) AS sub UNION ALL SELECT group_concat(y, ';') FROM (SELECT execution_id || reasons AS y FROM security_relevant ORDER BY 1) AS sub")
eq "$after" "$before" "rebuild gives the same credentials and reasons"
check "verify" et verify

# ---- switching a kind off is a recorded config change ----
mkdir -p "$T_DIR/h2"
export EXECTRAIL_HOME="$T_DIR/h2"
DB="$EXECTRAIL_HOME/trail.db"
check "init a second trail" et init
eq "$(sql "$DB" "SELECT count(*) FROM ledger WHERE type = 'config.changed'")" "0" "defaults are no change"
printf 'security:\n  redaction:\n    disabled_kinds: [no_such_kind]\n' >"$EXECTRAIL_HOME/config.yaml"
check "an unknown kind degrades to the defaults (the event is kept)" et start --agent a
grep -qE 'warning: .*config\.yaml:[0-9]+:[0-9]+: security\.redaction\.disabled_kinds: unknown kind .no_such_kind.' "$T_DIR/err" &&
  ok "the warning names file, line, column and the kind" || fails "config error" "$(cat "$T_DIR/err")"
eq "$(sql "$DB" "SELECT count(*) FROM ledger WHERE type = 'config.warning'")" "1" "and is recorded as config.warning"
printf 'security:\n  redaction:\n    disabled_kinds: [slack_token]\n' >"$EXECTRAIL_HOME/config.yaml"
check "record with slack_token off" et start --agent a --request "xoxb-123456789012-abcdefghijklmnopqrstuvwx ghp_AkJiG8XnBE3NnYJoQ9WmXeHH2fdeeTFJGvVv"
eq "$(sql "$DB" "SELECT json_extract(body, '\$.body.disabled_kinds') FROM ledger WHERE type = 'config.changed'")" '["slack_token"]' "the first write after the change appends config.changed"
eq "$(sql "$DB" "SELECT count(*) FROM ledger WHERE body LIKE '%xoxb-123456789012%' AND body NOT LIKE '%ghp_AkJiG8%'")" "1" "only the disabled kind is kept"
check "another write" et start --agent b
eq "$(sql "$DB" "SELECT count(*) FROM ledger WHERE type = 'config.changed'")" "1" "no second event while the settings stay"
rm "$EXECTRAIL_HOME/config.yaml"
check "back to the defaults" et start --agent c
eq "$(sql "$DB" "SELECT json_extract(body, '\$.body.disabled_kinds') FROM ledger WHERE type = 'config.changed' ORDER BY seq DESC LIMIT 1")" '[]' "turning redaction back on is recorded too"

# ---- a store made before redaction: the key comes with the first write ----
rm "$EXECTRAIL_HOME/redact.key"
expect_exit 6 "creds find without the key is exit 6" et creds find <"$GEN/shared.txt"
contains "$T_DIR/err" "redact.key" "the message names the missing key file"
check "a write to a store without a key" et start --agent d
[ -s "$EXECTRAIL_HOME/redact.key" ] && ok "the first write made the key" || fails "key" "no redact.key after a write"
eq "$(stat -c %a "$EXECTRAIL_HOME/redact.key")" "600" "made with mode 0600"
expect_exit 3 "an empty secret is exit 3" et creds find </dev/null

done_testing
