#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# exectrail query over a generated corpus: every spec query and a score of
# others return exactly the execution ids computed independently here (in
# python, from the generated records); output formats; errors with columns
# and exit status 3; injection attempts change nothing.
. "$(dirname "$0")/lib.sh"

# ---- the corpus and, for each query, the expected ids ------------------------
# cases.tsv: name TAB query TAB expected ids (space-separated; sorted unless
# the name starts with "ordered:")
python3 - "$T_DIR/corpus.jsonl" "$T_DIR/cases.tsv" <<'PY'
import calendar, json, random, re, sys, time, uuid

rnd = random.Random(20250116)
NOW = time.time()
DAY = 86400.0

def iso(t):
    ms = int(round(t * 1000))
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + ".%03dZ" % (ms % 1000)

AGENTS = ["code-reviewer", "test-runner", "test-writer", "doc-writer", "refactorer", "security-auditor"]
FILES = ["src/main.c", "src/auth/login.py", "config/settings.yaml", "secrets/.env",
         "docs/CREDENTIALS.md", "README.md", "lib/Config.java", "src/util/strings.c",
         "tests/test_api.py", "Makefile", "docs/guide.md", "src/authz.go"]
APIS = ["GET https://api.github.com/repos/x/y", "aws s3 cp build.tar s3://bucket",
        "gcloud run deploy (GCP)", "POST https://example.com/hook", "GET https://pypi.org/simple",
        "AWS STS assume-role", "https://hooks.slack.com/services"]
TOOLS = ["Bash", "Read", "Edit", "Grep", "Write"]
WORDS = ["parse", "render", "cache", "index", "schema", "socket", "retry", "build",
         "pipeline", "deploy", "token", "session", "handler"]
LEVELS = ["LOW", "MEDIUM", "HIGH"]
STATUSES = ["MATCH", "PARTIAL", "MISMATCH", "ERROR"]

def words(n):
    return " ".join(rnd.choice(WORDS) for _ in range(n))

recs = []
for i in range(300):
    r = {"execution_id": str(uuid.UUID(int=rnd.getrandbits(128), version=4)),
         "session_id": "s-%d" % (i % 12)}
    if i % 5 == 0:   # recent: 0.5 .. 6 days ago (away from the 7d edge)
        start = NOW - rnd.uniform(0.5, 6.0) * DAY
    else:            # 2025-01-01 .. 2025-01-21
        start = 1735689600 + rnd.uniform(0, 20) * DAY
    r["timestamp_start"] = iso(start)
    dur = None
    if i % 17 != 3:
        dur = rnd.choice([rnd.randint(500, 60000), rnd.randint(60001, 300000),
                          rnd.randint(300001, 900000)])
        if i % 3:
            r["timestamp_end"] = iso(start + dur / 1000.0)
            # the store derives duration_ms from the timestamps
            dur = int(round(start * 1000 + dur)) - int(round(start * 1000))
        r["duration_ms"] = dur
    agent = AGENTS[rnd.randrange(len(AGENTS))]
    r["agent_metadata"] = {"name": agent, "version": "v%d" % rnd.randint(1, 3),
                           "tools_available": rnd.sample(TOOLS, 3)}
    prompt = words(4)
    if i % 7 == 0:
        prompt += " then deploy pipeline checks " + words(2)
    elif i % 7 == 1:
        prompt += " pipeline deploy " + words(2)   # the words, not the phrase
    r["delegation"] = {"prompt_sent": prompt, "instructions": words(3)}
    acts = []
    for k in range(rnd.randint(0, 4)):
        ok = rnd.random() < 0.75
        acts.append({"tool": rnd.choice(TOOLS), "action": words(2),
                     "input": words(3), "output": words(5), "success": ok,
                     "error": None if ok else "exit status %d" % rnd.randint(1, 9)})
    r["execution"] = {"actions_taken": acts}
    out = {"raw_response": words(6)}
    if i % 11 == 0:
        out["raw_response"] += " All Tests Passed"
    out["files_modified"] = rnd.sample(FILES, rnd.randint(0, 3))
    out["api_calls_made"] = rnd.sample(APIS, rnd.randint(0, 2))
    out["commands_executed"] = ["make test"] if rnd.random() < 0.5 else []
    r["output"] = out
    if i % 9 != 4:
        r["verification"] = {"status": rnd.choice(STATUSES),
                             "confidence_score": round(rnd.random(), 2)}
    if i % 8 != 2:
        r["quality_metrics"] = {"completeness": rnd.choice(LEVELS),
                                "accuracy": rnd.choice(LEVELS),
                                "efficiency": rnd.choice(LEVELS)}
    if i % 4 == 0:
        r["issues"] = [{"type": rnd.choice(["ERROR", "WARNING", "INFO"]),
                        "description": words(3)}]
    if i % 3 == 0:
        r["usage"] = {"input_tokens": rnd.randint(100, 9000), "cost": round(rnd.uniform(0, 3), 3)}
    recs.append(r)

with open(sys.argv[1], "w") as f:
    for r in recs:
        f.write(json.dumps(r) + "\n")

def g(r, *path):
    for p in path:
        if not isinstance(r, dict) or p not in r:
            return None
        r = r[p]
    return r

def start_s(r):
    t = r["timestamp_start"]
    return calendar.timegm(time.strptime(t[:19], "%Y-%m-%dT%H:%M:%S")) + int(t[20:23]) / 1000.0

def day(s):  # midnight UTC of YYYY-MM-DD
    return calendar.timegm(time.strptime(s, "%Y-%m-%d"))

def any_contains(items, ws):
    return any(w.lower() in (it or "").lower() for it in items or [] for w in ws)

def glob(items, pat):
    rx = re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pat), re.I | re.S)
    return any(rx.fullmatch(it) for it in items or [])

def files(r): return g(r, "output", "files_modified") or []
def acts(r): return g(r, "execution", "actions_taken") or []
def status(r): return g(r, "verification", "status")
def qm(r, k): return g(r, "quality_metrics", k)
def dur(r): return r.get("duration_ms")
def text(r):
    # what the full-text index holds for a recorded execution, in its order
    # (docs/QUERY.md): actions, then the prompt, then the output
    parts = []
    for a in acts(r):
        parts += [a.get("tool"), a.get("action"), a.get("input"), a.get("output"), a.get("error")]
    parts += [g(r, "delegation", "prompt_sent"), g(r, "delegation", "instructions"),
              g(r, "output", "raw_response")]
    for k in ("files_modified", "commands_executed", "api_calls_made"):
        parts.append(json.dumps(g(r, "output", k) or []))
    return "\n".join(p for p in parts if p)

cases = [
    # the spec's queries, verbatim
    ("spec-slow", "duration_ms > 300000", lambda r: (dur(r) or 0) > 300000),
    ("spec-failures", "verification status ERROR MISMATCH", lambda r: status(r) in ("ERROR", "MISMATCH")),
    ("spec-quality-low", "quality_metrics completeness LOW accuracy LOW",
     lambda r: qm(r, "completeness") == "LOW" and qm(r, "accuracy") == "LOW"),
    ("spec-quality-high", "quality_metrics completeness HIGH accuracy HIGH efficiency HIGH",
     lambda r: all(qm(r, k) == "HIGH" for k in ("completeness", "accuracy", "efficiency"))),
    ("spec-security", "files_modified secrets auth credentials config",
     lambda r: any_contains(files(r), ["secrets", "auth", "credentials", "config"])),
    ("spec-api", "api_calls_made github aws gcp",
     lambda r: any_contains(g(r, "output", "api_calls_made"), ["github", "aws", "gcp"])),
    # more of the language
    ("agent-eq", 'agent_metadata.name = "code-reviewer"', lambda r: r["agent_metadata"]["name"] == "code-reviewer"),
    ("agent-glob-and", "agent:test-* AND duration_ms <= 60000",
     lambda r: r["agent_metadata"]["name"].startswith("test-") and dur(r) is not None and dur(r) <= 60000),
    ("status-ne", "verification.status != MATCH", lambda r: status(r) != "MATCH"),
    ("not-status-list", "NOT verification status MATCH PARTIAL", lambda r: status(r) not in ("MATCH", "PARTIAL")),
    ("failed-bash", 'action(tool = "Bash" AND NOT success)',
     lambda r: any(a["tool"] == "Bash" and a["success"] is not True for a in acts(r))),
    ("edit-or-md", "action(tool:Edit) OR files_modified:*.md",
     lambda r: any(a["tool"] == "Edit" for a in acts(r)) or glob(files(r), "*.md")),
    ("phrase", '"deploy pipeline"',
     lambda r: re.search(r"\bdeploy\W+pipeline\b", text(r), re.I) is not None),
    ("two-phrases", '"exit status 7" "make"',
     lambda r: re.search(r"\bexit\W+status\W+7\b", text(r), re.I) is not None and
               re.search(r"\bmake\b", text(r), re.I) is not None),
    ("since", "since:7d", lambda r: start_s(r) >= NOW - 7 * DAY),
    ("until", "until:2025-01-10", lambda r: start_s(r) < day("2025-01-11")),
    ("ts-ge", "timestamp_start >= 2025-01-16T10:00:00Z",
     lambda r: start_s(r) >= day("2025-01-16") + 36000),
    ("ts-day", "timestamp_start = 2025-01-05",
     lambda r: day("2025-01-05") <= start_s(r) < day("2025-01-06")),
    ("slow-failing", "duration_ms > 5m n_failed_actions > 0",
     lambda r: (dur(r) or 0) > 300000 and any(a["success"] is not True for a in acts(r))),
    ("completeness-ge", "completeness >= MEDIUM", lambda r: qm(r, "completeness") in ("MEDIUM", "HIGH")),
    ("confidence", "verification.confidence_score >= 0.8",
     lambda r: (g(r, "verification", "confidence_score") or -1) >= 0.8),
    ("usage-cost", "usage.cost > 1.5", lambda r: (g(r, "usage", "cost") or 0) > 1.5),
    ("issue-error", "issues type ERROR", lambda r: any(x["type"] == "ERROR" for x in r.get("issues", []))),
    ("response-contains", 'output.raw_response ~ "ALL TESTS PASSED"',
     lambda r: "all tests passed" in g(r, "output", "raw_response").lower()),
    ("no-md", "NOT files_modified:*.md", lambda r: not glob(files(r), "*.md")),
    ("src-glob", "files_modified:src/*", lambda r: glob(files(r), "src/*")),
    ("file-eq", "output.files_modified = README.md", lambda r: "README.md" in files(r)),
    ("or-not", "(agent:doc-writer OR agent:refactorer) AND NOT verification.status = ERROR",
     lambda r: r["agent_metadata"]["name"] in ("doc-writer", "refactorer") and status(r) != "ERROR"),
    ("tools", "agent_metadata.tools_available:Grep", lambda r: "Grep" in r["agent_metadata"]["tools_available"]),
    ("sessions", "session_id s-3 s-7", lambda r: r["session_id"] in ("s-3", "s-7")),
    ("commands", 'commands_executed "make test"', lambda r: "make test" in (g(r, "output", "commands_executed") or [])),
    ("injection", "agent_metadata.name = \"x'; DROP TABLE ledger; --\"", lambda r: False),
    ("fts-injection", '"deploy\\" OR pipeline OR \\"x"', lambda r: False),
]
with open(sys.argv[2], "w") as f:
    for name, q, pred in cases:
        ids = sorted(r["execution_id"] for r in recs if pred(r))
        f.write("%s\t%s\t%s\n" % (name, q, " ".join(ids)))
    # ordered: the five slowest (unknown durations last), ties by id
    top = sorted((r for r in recs if dur(r) is not None), key=lambda r: (-dur(r), r["execution_id"]))[:5]
    f.write("ordered:slowest\tORDER BY duration_ms DESC LIMIT 5\t%s\n" % " ".join(r["execution_id"] for r in top))
    top = sorted((r for r in recs if r["agent_metadata"]["name"] == "doc-writer"),
                 key=lambda r: (start_s(r), r["execution_id"]), reverse=True)
    f.write("ordered:newest\tagent:doc-writer\t%s\n" % " ".join(r["execution_id"] for r in top))
    # whole answers are sorted in memory (the list ones from the list index
    # alone): the full order, newest first, ties by id descending
    for name, q, pred in cases:
        if name in ("spec-security", "spec-api", "spec-failures", "failed-bash", "src-glob"):
            top = sorted((r for r in recs if pred(r)), key=lambda r: (start_s(r), r["execution_id"]), reverse=True)
            f.write("ordered:%s\t%s\t%s\n" % (name, q, " ".join(r["execution_id"] for r in top)))
    # pages (--limit 7, newest first) take another plan: check them too
    newest = sorted(recs, key=lambda r: (start_s(r), r["execution_id"]), reverse=True)
    for name, q, pred in cases:
        if name in ("spec-failures", "spec-quality-low", "spec-security", "spec-api",
                    "failed-bash", "no-md", "slow-failing", "not-status-list"):
            page = [r["execution_id"] for r in newest if pred(r)][:7]
            f.write("page:%s\t%s\t%s\n" % (name, q, " ".join(page)))
PY
[ -s "$T_DIR/cases.tsv" ] || { fails "the corpus generator ran"; done_testing; }

expect_exit 0 "import the 300-record corpus" et import "$T_DIR/corpus.jsonl"
eq "$(et list --limit 0 --format ids | wc -l | tr -d ' ')" "300" "all 300 records are stored"
trail_state "$T_DIR/state.before"

# ---- each query returns exactly the expected ids -----------------------------
nonempty=0
while IFS=$'\t' read -r name query want; do
  limit=0
  case $name in page:*) limit=7 ;; esac
  if ! et query --format ids --limit "$limit" "$query" >"$T_DIR/got" 2>"$T_DIR/err"; then
    fails "$name: $query" "exit $?: $(head -c 300 "$T_DIR/err")"
    continue
  fi
  case $name in
    ordered:* | page:*) got=$(tr '\n' ' ' <"$T_DIR/got" | sed 's/ $//') ;;
    *) got=$(sort "$T_DIR/got" | tr '\n' ' ' | sed 's/ $//') ;;
  esac
  n=$(echo "$want" | wc -w | tr -d ' ')
  [ "$n" -gt 0 ] && nonempty=$((nonempty + 1))
  if [ "$got" = "$want" ]; then ok "$name ($n ids): $query"; else
    fails "$name: $query" "got  $(echo "$got" | wc -w) ids: $(echo "$got" | head -c 200)" \
      "want $n ids: $(echo "$want" | head -c 200)"
  fi
done <"$T_DIR/cases.tsv"
# the corpus must make the checks meaningful: most queries match something
total=$(wc -l <"$T_DIR/cases.tsv" | tr -d ' ')
if [ "$nonempty" -ge $((total - 3)) ]; then ok "$nonempty of $total queries have a non-empty answer"; else
  fails "most queries have a non-empty answer" "only $nonempty of $total"; fi

# the unquoted spec form also works as separate arguments
et query --format ids verification status ERROR MISMATCH | sort >"$T_DIR/got"
eq "$(tr '\n' ' ' <"$T_DIR/got" | sed 's/ $//')" "$(awk -F'\t' '$1 == "spec-failures" { print $3 }' "$T_DIR/cases.tsv")" \
  "several arguments are joined into one query"

# ---- formats -------------------------------------------------------------------
want_ids=$(awk -F'\t' '$1 == "spec-quality-low" { print $3 }' "$T_DIR/cases.tsv")
want_n=$(echo "$want_ids" | wc -w | tr -d ' ')
expect_exit 0 "--format json" et query --format json 'quality_metrics completeness LOW accuracy LOW'
cp "$T_DIR/out" "$T_DIR/q.json"
eq "$(jget "$T_DIR/q.json" 'len(d)')" "$want_n" \
  "json is an array with one record per match"
eq "$(python3 -c 'import json,sys; print(" ".join(sorted(x["execution_id"] for x in json.load(open(sys.argv[1])))))' "$T_DIR/q.json")" \
  "$want_ids" "json holds exactly the matching records"
first=$(echo "$want_ids" | cut -d' ' -f1)
et show --json "$first" >"$T_DIR/show.json"
python3 -c 'import json,sys; d=[x for x in json.load(open(sys.argv[1])) if x["execution_id"]==sys.argv[2]][0]; json.dump(d,open(sys.argv[3],"w"))' \
  "$T_DIR/q.json" "$first" "$T_DIR/one.json"
json_same "$T_DIR/one.json" "$T_DIR/show.json" "a json record is the spec record show --json prints"
expect_exit 0 "--format jsonl" et query --format jsonl 'quality_metrics completeness LOW accuracy LOW'
eq "$(wc -l <"$T_DIR/out" | tr -d ' ')" "$want_n" "jsonl prints one line per record"
cp "$T_DIR/out" "$T_DIR/q.jsonl"
check "every jsonl line is a matching spec record" python3 -c '
import json, sys
ids = sorted(json.loads(l)["execution_id"] for l in open(sys.argv[1]) if "actions_taken" in json.loads(l)["execution"])
assert " ".join(ids) == sys.argv[2], ids' "$T_DIR/q.jsonl" "$want_ids"
expect_exit 0 "--format csv" et query --format csv 'quality_metrics completeness LOW accuracy LOW'
eq "$(head -1 "$T_DIR/out")" "execution_id,session_id,agent,state,verification,timestamp_start,duration_ms,actions,failed_actions" "csv has a header"
eq "$(tail -n +2 "$T_DIR/out" | cut -d, -f1 | sort | tr '\n' ' ' | sed 's/ $//')" "$want_ids" "csv has one row per match"
expect_exit 0 "--format table (default)" et query 'quality_metrics completeness LOW accuracy LOW'
contains "$T_DIR/out" "EXECUTION" "the table has a header"
eq "$(($(wc -l <"$T_DIR/out") - 1))" "$want_n" "the table has one row per match"
expect_exit 0 "--limit 3" et query --format ids --limit 3 'duration_ms > 0'
eq "$(wc -l <"$T_DIR/out" | tr -d ' ')" "3" "--limit caps the rows"
# a table on a terminal shows the newest 50 and says how many match in all
if command -v script >/dev/null 2>&1; then
  want_all=$(awk -F'\t' '$1 == "ordered:spec-failures" { print $3 }' "$T_DIR/cases.tsv")
  n_all=$(echo "$want_all" | wc -w | tr -d ' ')
  script -qec "$EXECTRAIL query 'verification status ERROR MISMATCH' 2>&1" /dev/null | tr -d '\r' >"$T_DIR/tty"
  eq "$(grep -c '^[0-9a-f]\{8\}-' "$T_DIR/tty")" "50" "a table on a terminal has the newest 50 rows"
  eq "$(grep '^[0-9a-f]\{8\}-' "$T_DIR/tty" | cut -c1-36 | tr '\n' ' ' | sed 's/ $//')" \
    "$(echo "$want_all" | cut -d' ' -f1-50)" "and they are the newest 50, in order"
  contains "$T_DIR/tty" "the newest 50 of $n_all matching executions; --limit 0 for all" \
    "and a line says how many match in all ($n_all)"
  script -qec "$EXECTRAIL query --limit 0 'verification status ERROR MISMATCH'" /dev/null | tr -d '\r' >"$T_DIR/tty"
  eq "$(grep -c '^[0-9a-f]\{8\}-' "$T_DIR/tty")" "$n_all" "--limit 0 on a terminal prints every row"
  not_contains "$T_DIR/tty" "matching executions" "and no page note"
else
  fails "script(1) is installed (util-linux) for the terminal checks"
fi
# --count: how many match, computed independently per query
for name in spec-failures spec-security spec-api failed-bash; do
  n_want=$(awk -F'\t' -v n="$name" '$1 == n { print $3 }' "$T_DIR/cases.tsv" | wc -w | tr -d ' ')
  q=$(awk -F'\t' -v n="$name" '$1 == n { print $2 }' "$T_DIR/cases.tsv")
  expect_exit 0 "--count $name" et query --count "$q"   # (sets $want)
  eq "$(cat "$T_DIR/out")" "$n_want" "--count prints $n_want for $q"
done
expect_exit 0 "--count of nothing" et query --count 'agent:nobody'
eq "$(cat "$T_DIR/out")" "0" "--count prints 0 when nothing matches"
expect_exit 2 "--count with --explain is a usage error" et query --count --explain 'agent:x'
expect_exit 0 "no match is not an error" et query 'agent:nobody'
contains "$T_DIR/err" "no executions match" "the table says nothing matched"

# ---- out of memory at every allocation of a whole answer: a clean failure -------
want_sec=$(awk -F'\t' '$1 == "ordered:spec-security" { print $3 }' "$T_DIR/cases.tsv" | tr ' ' '\n')
bad=""; failed_points=0; n=1
while [ "$n" -le 60 ]; do
  ET_TEST_FAIL_ALLOC=$n et query --format ids 'files_modified secrets auth credentials config' \
    >"$T_DIR/oom.out" 2>"$T_DIR/oom.err"
  rc=$?
  if [ "$rc" -eq 1 ]; then
    failed_points=$((failed_points + 1))
    grep -q "out of memory" "$T_DIR/oom.err" && [ ! -s "$T_DIR/oom.out" ] || bad="$bad $n(rc 1: $(head -c 80 "$T_DIR/oom.err"))"
  elif [ "$rc" -eq 0 ]; then
    [ "$(cat "$T_DIR/oom.out")" = "$want_sec" ] || bad="$bad $n(rc 0, wrong answer)"
    break   # past the last allocation: every later point succeeds too
  else
    bad="$bad $n(rc $rc)"
  fi
  n=$((n + 1))
done
if [ -z "$bad" ] && [ "$failed_points" -ge 5 ]; then
  ok "each of the $failed_points allocations of a whole answer fails cleanly (exit 1, 'out of memory', no partial output)"
else
  fails "allocation failures in a whole answer fail cleanly" "failed points: $failed_points; bad:$bad"
fi

# ---- explain: the SQL carries no user text ---------------------------------------
expect_exit 0 "--explain" et query --explain 'agent_metadata.name = "zq-secret-name" files_modified zqpath "zq words"'
grep '^sql' "$T_DIR/out" >"$T_DIR/sql"
contains "$T_DIR/sql" "sql (read-only): SELECT" "explain prints the SQL"
not_contains "$T_DIR/sql" "zq" "no user value appears in the SQL"
contains "$T_DIR/out" "= 'zq-secret-name'" "the values are parameters"
contains "$T_DIR/out" "plan:" "explain prints the plan"

# ---- errors: column, exit status 3 -------------------------------------------------
expect_exit 3 "a stray parenthesis exits 3" et query 'duration_ms > 5 )'
contains "$T_DIR/err" "unexpected ')' at column 17" "the error names the column"
expect_exit 3 "an unknown field exits 3" et query '    fooo = 1'
contains "$T_DIR/err" "unknown field 'fooo' at column 5" "the unknown field is named with its column"
expect_exit 3 "a misspelt field gets a suggestion" et query 'duraton_ms > 5'
contains "$T_DIR/err" "did you mean 'duration_ms'?" "did you mean"
expect_exit 3 "a bad value type exits 3" et query 'duration_ms > abc'
contains "$T_DIR/err" "bad value 'abc' for duration_ms at column 15" "the bad value is named"
expect_exit 3 "a bad enum value exits 3" et query 'verification status FINE'
contains "$T_DIR/err" "expected MATCH, PARTIAL, MISMATCH or ERROR" "the allowed values are listed"
expect_exit 3 "an unterminated string exits 3" et query '"abc'
expect_exit 2 "no query is a usage error" et query
expect_exit 2 "a bad --format is a usage error" et query --format xml ''

# ---- a query can never modify data ---------------------------------------------------
for q in "agent_metadata.name = \"x'; DROP TABLE ledger; --\"" \
         "\"x'); DELETE FROM executions; --\"" \
         "\"deploy\\\" OR pipeline\"" \
         "output.raw_response ~ \"%' OR 1=1 --\"" \
         "usage.cost = \"1; UPDATE executions SET state = 'x'\""; do
  expect_exit 0 "injection attempt runs as a plain value: $q" et query --format ids "$q"
  eq "$(cat "$T_DIR/out")" "" "and matches nothing"
done
same_state "$T_DIR/state.before" "the trail is exactly as before the queries"
expect_exit 0 "verify passes after all the queries" et verify

done_testing
