#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# record -> show --json round trip of the spec record: every field, ids,
# prefixes, duplicates, unknown fields, timestamp normalisation.
. "$(dirname "$0")/lib.sh"

SPEC="$ET_SOURCE_DIR/tests/data/spec-record.json"
SPEC_ID=3f2b8c1e-7d4a-4e9b-a6c5-1d2e3f4a5b6c

# ---- the spec example ------------------------------------------------------
expect_exit 0 "record the spec example" et record "$SPEC"
eq "$(cat "$T_DIR/out")" "$SPEC_ID" "record prints the record's execution_id"
contains "$T_DIR/err" "created a new trail" "first write says it created the trail"

expect_exit 0 "show --json" et show --json "$SPEC_ID"
cp "$T_DIR/out" "$T_DIR/shown.json"
json_same "$T_DIR/shown.json" "$SPEC" "show --json deep-equals the recorded input"

# the spec's order, at every level (json_same ignores order)
check "show --json keeps the spec's key order at every level" python3 - "$SPEC" "$T_DIR/shown.json" <<'PY'
import json, sys
def keys(p):
    out = []
    def walk(v, path):
        if isinstance(v, dict):
            out.append((path, list(v)))
            for k, x in v.items():
                walk(x, path + "." + k)
        elif isinstance(v, list):
            for i, x in enumerate(v):
                walk(x, "%s[%d]" % (path, i))
    walk(json.load(open(p), object_pairs_hook=dict), "$")
    return out
a, b = keys(sys.argv[1]), keys(sys.argv[2])
if a != b:
    for x, y in zip(a, b):
        if x != y:
            sys.exit("order differs at %s: %s vs %s" % (x[0], x[1], y[1]))
    sys.exit("different number of objects")
PY

# the numbers exactly as given, compared as numbers (not via json_same only)
eq "$(jget "$T_DIR/shown.json" 'd["duration_ms"] == 135234 and d["delegation"]["prompt_length"] == 1234 and d["verification"]["confidence_score"] == 0.95 and d["execution"]["actions_taken"][0]["sequence"] == 1')" \
  "true" "numbers come back with their values (duration, prompt_length, confidence, sequence)"
eq "$(jget "$T_DIR/shown.json" '[type(d["verification"]["manual_verification_required"]).__name__, type(d["execution"]["actions_taken"][0]["success"]).__name__, d["execution"]["actions_taken"][0]["error"]]')" \
  '["bool","bool",null]' "booleans stay booleans and null stays null"

expect_exit 0 "show --json --compact" et show --json --compact "$SPEC_ID"
eq "$(wc -l <"$T_DIR/out" | tr -d ' ')" "1" "--compact prints one line"
json_same "$T_DIR/out" "$SPEC" "--compact is the same record"

# ---- duplicates --------------------------------------------------------------
trail_state "$T_DIR/before-dup"
expect_exit 7 "recording the same file again exits 7" et record "$SPEC"
contains "$T_DIR/err" "$SPEC_ID is already recorded" "the conflict names the execution"
eq "$(cat "$T_DIR/out")" "" "nothing printed on stdout for a rejected record"
expect_exit 7 "the same record on stdin exits 7 too" et record - <"$SPEC"
same_state "$T_DIR/before-dup" "the DB is unchanged by the duplicates"

# ---- a fresh UUID v4 when the record has none --------------------------------
spec_record none >"$T_DIR/noid.json"
expect_exit 0 "record without execution_id" et record "$T_DIR/noid.json"
ID1=$(cat "$T_DIR/out")
if [[ $ID1 =~ ^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$ ]]; then
  ok "a generated id is a lower-case UUID v4 ($ID1)"
else fails "a generated id is a lower-case UUID v4" "got '$ID1'"; fi
expect_exit 0 "the same id-less record again is a new execution" et record - <"$T_DIR/noid.json"
ID2=$(cat "$T_DIR/out")
if [ -n "$ID2" ] && [ "$ID1" != "$ID2" ]; then ok "two id-less records get different ids"; else
  fails "two id-less records get different ids" "'$ID1' and '$ID2'"; fi
expect_exit 0 "show the generated id" et show --json "$ID1"
eq "$(jget "$T_DIR/out" 'd["execution_id"]')" "$ID1" "show --json carries the generated id"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["execution_id"]=sys.argv[2]; json.dump(d,open(sys.argv[3],"w"))' \
  "$T_DIR/noid.json" "$ID1" "$T_DIR/noid-expected.json"
json_same "$T_DIR/out" "$T_DIR/noid-expected.json" "the id-less record round-trips with its new id"

# ---- ids: prefixes, case, unknown --------------------------------------------
expect_exit 0 "show accepts an 8-character prefix" et show "${SPEC_ID:0:8}"
contains "$T_DIR/out" "execution $SPEC_ID" "the prefix resolves to the full id"
contains "$T_DIR/out" "agent          agent-name" "the text view shows the agent"
expect_exit 0 "show --json accepts the prefix too" et show --json "${SPEC_ID:0:8}"
eq "$(jget "$T_DIR/out" 'd["execution_id"]')" "$SPEC_ID" "show --json via prefix is the right record"

spec_record 3f2b8c1e-0000-4000-8000-000000000000 >"$T_DIR/same-prefix.json"
expect_exit 0 "record a second id with the same 8-character prefix" et record "$T_DIR/same-prefix.json"
expect_exit 3 "an ambiguous prefix is refused" et show "${SPEC_ID:0:8}"
contains "$T_DIR/err" "ambiguous" "the message says the prefix is ambiguous"
expect_exit 0 "a longer prefix disambiguates" et show --json "${SPEC_ID:0:13}"
eq "$(jget "$T_DIR/out" 'd["execution_id"]')" "$SPEC_ID" "the longer prefix picks the right one"

# ids are lower-cased on input (docs/RECORD.md); the id as the caller gave it
# must find the execution again
spec_record ABCDEF12-0000-4000-8000-00000000000A >"$T_DIR/upper.json"
expect_exit 0 "record an upper-case execution_id" et record "$T_DIR/upper.json"
eq "$(cat "$T_DIR/out")" "abcdef12-0000-4000-8000-00000000000a" "the id is stored lower-case"
expect_exit 0 "show finds it by the upper-case id it was recorded with" \
  et show --json ABCDEF12-0000-4000-8000-00000000000A

expect_exit 6 "unknown id exits 6" et show 00000000-0000-4000-8000-000000000000
contains "$T_DIR/err" "no execution '00000000-0000-4000-8000-000000000000'" "the message names the id"
expect_exit 6 "unknown prefix exits 6" et show --json ffffffff
expect_exit 3 "a 3-character prefix is refused as input" et show 3f2
contains "$T_DIR/err" "at least 4 characters" "the message says why"

# ---- unknown fields are preserved, root and nested ---------------------------
python3 - "$SPEC" "$T_DIR/extra.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
r["execution_id"] = "5a5a5a5a-1111-4222-8333-444444444444"
r["x_root"] = {"nested": [1, 2.5, {"deep": None, "t": True}], "big": 1.5e300, "s": "é\u2603"}
r["x_list"] = ["a", 0, False]
r["agent_metadata"]["x_agent"] = "kept"
r["delegation"]["x_deleg"] = {"k": [None]}
r["execution"]["actions_taken"][0]["x_action"] = [True, -7]
r["verification"]["x_verif"] = 3
r["issues"][0]["x_issue"] = "also kept"
r["learning"]["x_learn"] = {}
json.dump(r, open(sys.argv[2], "w"), ensure_ascii=False)
PY
expect_exit 0 "record a record with unknown fields at every level" et record "$T_DIR/extra.json"
expect_exit 0 "show it" et show --json 5a5a5a5a-1111-4222-8333-444444444444
json_same "$T_DIR/out" "$T_DIR/extra.json" "unknown fields (root and nested) come back unchanged"
# docs/RECORD.md says "in their original order"; the stored event is
# canonical (sorted keys), so only "after the spec keys" is checked here
eq "$(jget "$T_DIR/out" '[sorted(k for k in list(d)[-2:]), list(d["agent_metadata"])[-1], list(d["execution"]["actions_taken"][0])[-1]]')" \
  '[["x_list","x_root"],"x_agent","x_action"]' "unknown keys follow each level's spec keys"

# ---- timestamps with offsets, duration derived -------------------------------
python3 - "$SPEC" "$T_DIR/tz.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
r["execution_id"] = "7e7e7e7e-2222-4333-8444-555555555555"
r["timestamp_start"] = "2025-01-16T12:30:00+02:00"
r["timestamp_end"] = "2025-01-16T05:02:15.2349-05:30"   # 10:32:15.2349Z
del r["duration_ms"]
r["execution"]["actions_taken"][0]["timestamp"] = "2025-01-16T12:30:05.12+02:00"
json.dump(r, open(sys.argv[2], "w"))
PY
expect_exit 0 "record with +02:00 / -05:30 offsets and no duration_ms" et record "$T_DIR/tz.json"
expect_exit 0 "show it" et show --json 7e7e7e7e
cp "$T_DIR/out" "$T_DIR/tz-shown.json"
eq "$(jget "$T_DIR/tz-shown.json" 'd["timestamp_start"]')" "2025-01-16T10:30:00.000Z" "+02:00 start comes back in Z with ms"
eq "$(jget "$T_DIR/tz-shown.json" 'd["timestamp_end"]')" "2025-01-16T10:32:15.234Z" "-05:30 end comes back in Z, sub-ms digits cut"
eq "$(jget "$T_DIR/tz-shown.json" 'd["execution"]["actions_taken"][0]["timestamp"]')" "2025-01-16T10:30:05.120Z" \
  "an action timestamp is normalised too"
eq "$(jget "$T_DIR/tz-shown.json" 'd["duration_ms"]')" "135234" "duration_ms is derived from the two timestamps"
# everything else is as given
python3 - "$T_DIR/tz.json" "$T_DIR/tz-expected.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
r["timestamp_start"] = "2025-01-16T10:30:00.000Z"
r["timestamp_end"] = "2025-01-16T10:32:15.234Z"
r["duration_ms"] = 135234
r["execution"]["actions_taken"][0]["timestamp"] = "2025-01-16T10:30:05.120Z"
json.dump(r, open(sys.argv[2], "w"))
PY
json_same "$T_DIR/tz-shown.json" "$T_DIR/tz-expected.json" "the rest of the offset record is unchanged"

# ---- the trail is consistent afterwards ---------------------------------------
expect_exit 0 "verify passes" et verify
contains "$T_DIR/out" "OK: 7 events verified" "one event per recorded execution (7)"
expect_exit 0 "list --format ids" et list --limit 0 --format ids
eq "$(sort "$T_DIR/out" | tr '\n' ' ')" \
  "$(printf '%s\n' "$SPEC_ID" "$ID1" "$ID2" 3f2b8c1e-0000-4000-8000-000000000000 \
    abcdef12-0000-4000-8000-00000000000a 5a5a5a5a-1111-4222-8333-444444444444 \
    7e7e7e7e-2222-4333-8444-555555555555 | sort | tr '\n' ' ')" "list shows exactly the recorded ids"

done_testing
