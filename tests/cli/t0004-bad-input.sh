#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Bad input to `record`: exit 3, a message naming the byte offset or the
# JSON path, and nothing stored (the trail is exactly as before).
. "$(dirname "$0")/lib.sh"

# a trail with something in it
spec_record 20000000-0000-4000-8000-000000000001 >"$T_DIR/good1.json"
spec_record 20000000-0000-4000-8000-000000000002 >"$T_DIR/good2.json"
check "record a first execution" et record "$T_DIR/good1.json"
check "record a second execution" et record "$T_DIR/good2.json"
check "a checkpoint" et checkpoint --out "$T_DIR/cp"
trail_state "$T_DIR/before"
eq "$(head -1 "$T_DIR/before")" "ok True events 2 root $(sed -n 3p "$T_DIR/cp" | python3 -c 'import base64,sys; print(base64.b64decode(sys.stdin.read().strip()).hex())') checkpoints 1" \
  "the trail holds 2 events and verify's root is the checkpoint's"

# Each case: a file and the text its message must contain. Byte offsets are
# computed here, from the bytes written, not copied from the program's output.
mkdir -p "$T_DIR/bad"
python3 - "$ET_SOURCE_DIR/tests/data/spec-record.json" "$T_DIR/bad" <<'PY'
import copy, json, os, sys
base = json.load(open(sys.argv[1])); out = sys.argv[2]
base["execution_id"] = "30000000-0000-4000-8000-000000000000"
cases = []
def add(name, data, msg):
    if isinstance(data, str):
        data = data.encode()
    open(os.path.join(out, name + ".json"), "wb").write(data)
    cases.append((name, msg))
def rec(edit=None):
    r = copy.deepcopy(base)
    if edit:
        edit(r)
    return json.dumps(r)
good = rec().encode()

add("truncated", good[:len(good) // 2], "byte %d: unexpected end of data" % (len(good) // 2))
d = good.replace(b"original user request", b"original \xff\xfe request")
add("invalid-utf8", d, "byte %d: invalid UTF-8" % d.index(b"\xff"))
d = good.replace(b"original user request", b"caf\xc3")            # cut sequence
add("cut-utf8", d, "byte %d: invalid UTF-8" % d.index(b"\xc3"))
d = good.replace(b"original user request", b"over\xc0\xaflong")    # overlong '/'
add("overlong-utf8", d, "byte %d: invalid UTF-8" % d.index(b"\xc0"))
add("prompt-length-string", rec(lambda r: r["delegation"].update(prompt_length="1234")),
    "delegation.prompt_length: expected integer, got string")
add("prompt-length-float", rec(lambda r: r["delegation"].update(prompt_length=12.5)),
    "delegation.prompt_length: expected integer, got number")
add("success-string", rec(lambda r: r["execution"]["actions_taken"][0].update(success="true")),
    "execution.actions_taken[0].success: expected boolean, got string")
add("status-ok", rec(lambda r: r["verification"].update(status="OK")),
    'verification.status: expected one of MATCH, PARTIAL, MISMATCH, ERROR, got "OK"')
add("status-placeholder", rec(lambda r: r["verification"].update(status="MATCH|PARTIAL|MISMATCH|ERROR")),
    "verification.status: expected one of MATCH, PARTIAL, MISMATCH, ERROR")
add("no-session", rec(lambda r: r.pop("session_id")), "session_id: missing mandatory field")
add("no-agent-name", rec(lambda r: r["agent_metadata"].pop("name")),
    "agent_metadata.name: missing mandatory field")
add("no-agent-metadata", rec(lambda r: r.pop("agent_metadata")),
    "agent_metadata.name: missing mandatory field")
add("placeholder-uuid", rec(lambda r: r.update(execution_id="uuid-v4")),
    'execution_id: expected a UUID (8-4-4-4-12 hex digits), got "uuid-v4"')
add("placeholder-timestamp", rec(lambda r: r.update(timestamp_start="timestamp")),
    'timestamp_start: expected an RFC 3339 date-time, got "timestamp"')
add("placeholder-action-timestamp",
    rec(lambda r: r["execution"]["actions_taken"][0].update(timestamp="timestamp")),
    'execution.actions_taken[0].timestamp: expected an RFC 3339 date-time, got "timestamp"')
add("deep-array", b"[" * 100000 + b"]" * 100000, "byte 64: nesting deeper than 64")
pre = good[:-1] + b', "x_deep": '
add("deep-inside-record", pre + b"[" * 100000 + b"]" * 100000 + b"}",
    "byte %d: nesting deeper than 64" % (len(pre) + 64 - 1))
big = rec(lambda r: r["output"].update(raw_response="a" * (50 << 20)))
add("string-50MB", big, "input is larger than the 16777216-byte limit")
nine = rec(lambda r: r["output"].update(raw_response="b" * (9 << 20)))
add("string-9MB", nine, "byte %d: string longer than 8388608 bytes" % nine.index('"bbbb'))
d = good.replace(b"original user request", b"original \x00 request")
add("raw-nul", d, "byte %d: NUL byte" % d.index(b"\x00"))
d = good.replace(b"original user request", b"original \\u0000 request")
add("escaped-nul", d, "byte %d: \\u0000 escape in the string at $.main_agent_context.user_request"
    % d.index(b"\\u0000"))
d = good[:-1] + b', "session_id": "again"}'
add("duplicate-key", d, 'byte %d: duplicate key "session_id" in $' % d.rindex(b'"session_id"'))
d = good.replace(b'"prompt_length": 1234', b'"prompt_length": 1234, "prompt_length": 1')
add("duplicate-nested-key", d, 'byte %d: duplicate key "prompt_length" in $.delegation'
    % d.rindex(b'"prompt_length"'))
add("array", b"[" + good + b"]", "expected object, got array")
add("empty", b"", "byte 0: unexpected end of data")
add("whitespace", b"  \n\t", "byte 4: unexpected end of data")
add("trailing-garbage", good + b" {}", "byte %d: unexpected character" % (len(good) + 1))
add("bom", b"\xef\xbb\xbf" + good, "byte 0: byte order mark not allowed")
add("duration-inconsistent", rec(lambda r: r.update(duration_ms=1000)),
    "duration_ms: 1000 disagrees with timestamp_end - timestamp_start = 135234")
add("end-before-start", rec(lambda r: r.update(timestamp_end="2025-01-16T10:29:59.999Z", duration_ms=None)),
    "timestamp_end: 2025-01-16T10:29:59.999Z is before timestamp_start 2025-01-16T10:30:00.000Z")
add("confidence-range", rec(lambda r: r["verification"].update(confidence_score=1.5)),
    "verification.confidence_score: expected number in [0, 1], got 1.5")
add("files-not-strings", rec(lambda r: r["output"].update(files_modified=["a", 1])),
    "output.files_modified[1]: expected string, got integer")
add("output-array", rec(lambda r: r.update(output=[])), "output: expected object, got array")
with open(os.path.join(out, "cases.tsv"), "w") as f:
    for name, msg in cases:
        f.write("%s\t%s\n" % (name, msg))
PY
eq "$(wc -l <"$T_DIR/bad/cases.tsv" | tr -d ' ')" "33" "33 bad inputs generated"

while IFS=$'\t' read -r name msg; do
  expect_exit 3 "$name: record exits 3" et record "$T_DIR/bad/$name.json"
  contains "$T_DIR/err" "$msg" "$name: the message says '$msg'"
  eq "$(head -c 18 "$T_DIR/err")" "exectrail record: " "$name: one message, from record"
  eq "$(cat "$T_DIR/out")" "" "$name: nothing on stdout"
done <"$T_DIR/bad/cases.tsv"
same_state "$T_DIR/before" "after all the file inputs the trail is exactly as before"

# the same through standard input, one state check each
for name in truncated invalid-utf8 no-session deep-array string-50MB duplicate-key; do
  msg=$(grep "^$name	" "$T_DIR/bad/cases.tsv" | cut -f2)
  expect_exit 3 "$name on stdin: exit 3" et record - <"$T_DIR/bad/$name.json"
  contains "$T_DIR/err" "$msg" "$name on stdin: same message"
  same_state "$T_DIR/before" "$name on stdin: nothing stored"
done

expect_exit 0 "the trail still verifies, with its checkpoint" et verify --checkpoint "$T_DIR/cp"
contains "$T_DIR/out" "OK: 2 events verified, 1 signed checkpoint(s) match" "2 events, 1 checkpoint"

# and a good record still goes in afterwards
spec_record 30000000-0000-4000-8000-000000000000 >"$T_DIR/fixed.json"
expect_exit 0 "the corrected record is accepted" et record "$T_DIR/fixed.json"
eq "$(cat "$T_DIR/out")" "30000000-0000-4000-8000-000000000000" "it prints its id"
expect_exit 0 "verify after the good record" et verify
contains "$T_DIR/out" "OK: 3 events verified" "3 events now"

done_testing
