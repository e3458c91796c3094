#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# JSONL import: bad lines named by line number, --on-error abort|skip, the
# summary line, standard input, a missing file.
. "$(dirname "$0")/lib.sh"

# line: content (5 good records with 2+1+0+3+1 = 7 actions, 1 blank, 4 bad)
python3 - "$ET_SOURCE_DIR/tests/data/spec-record.json" "$T_DIR" <<'PY'
import copy, json, os, sys
base = json.load(open(sys.argv[1])); d = sys.argv[2]
def rec(n, nact):
    r = copy.deepcopy(base)
    r["execution_id"] = "40000000-0000-4000-8000-00000000000%d" % n
    a = r["execution"]["actions_taken"][0]
    r["execution"]["actions_taken"] = [dict(a, sequence=i + 1, tool="t%d" % i) for i in range(nact)]
    return json.dumps(r)
good = {1: rec(1, 2), 2: rec(2, 1), 5: rec(3, 0), 7: rec(4, 3), 9: rec(5, 1)}
trunc = rec(6, 1)[:100]
bad_type = json.loads(rec(7, 1)); bad_type["delegation"]["prompt_length"] = "1234"
lines = {1: good[1], 2: good[2], 3: "   ", 4: trunc, 5: good[5],
         6: json.dumps(bad_type), 7: good[7],
         8: good[1],                       # the first record again
         9: good[9], 10: "[" + good[9] + "]"}
with open(os.path.join(d, "mixed.jsonl"), "w") as f:
    for i in range(1, 11):
        f.write(lines[i] + "\n")
with open(os.path.join(d, "good.jsonl"), "w") as f:
    for i in sorted(good):
        f.write(good[i] + "\n")
open(os.path.join(d, "trunc-len"), "w").write(str(len(trunc)))
PY
TL=$(cat "$T_DIR/trunc-len")
id() { echo "40000000-0000-4000-8000-00000000000$1"; }
ids() { for i in "$@"; do id "$i"; done | sort | tr '\n' ' '; }
listed() { et list --limit 0 --format ids | sort | tr '\n' ' '; }

# ---- abort (the default) ---------------------------------------------------------
export EXECTRAIL_HOME="$T_DIR/abort"
expect_exit 3 "import stops at the first bad line with exit 3" et import "$T_DIR/mixed.jsonl"
cp "$T_DIR/err" "$T_DIR/abort.err"
contains "$T_DIR/abort.err" "line 4: byte $TL: unexpected end of data" "stderr names line 4 and the reason"
not_contains "$T_DIR/abort.err" "line 6:" "nothing after line 4 is looked at"
contains "$T_DIR/abort.err" "imported 2 records (3 actions) from 3 lines" "summary: 2 records, 3 actions, 3 non-blank lines read"
contains "$T_DIR/abort.err" "1 rejected; stopped at the first bad line (--on-error abort)" "summary: 1 rejected, stopped"
eq "$(listed)" "$(ids 1 2)" "the records before line 4 are stored, none after"
expect_exit 0 "verify after the aborted import" et verify
contains "$T_DIR/out" "OK: 2 events verified" "2 events"

export EXECTRAIL_HOME="$T_DIR/abort1"
expect_exit 3 "abort with --batch 1" et import --batch 1 --on-error abort "$T_DIR/mixed.jsonl"
contains "$T_DIR/err" "line 4: " "--batch 1: line 4 named"
eq "$(listed)" "$(ids 1 2)" "--batch 1: the same two records stored"

# ---- skip ------------------------------------------------------------------------
export EXECTRAIL_HOME="$T_DIR/skip"
expect_exit 3 "--on-error skip exits 3 when lines were skipped" et import --on-error skip "$T_DIR/mixed.jsonl"
cp "$T_DIR/err" "$T_DIR/skip.err"
contains "$T_DIR/skip.err" "line 4: byte $TL: unexpected end of data" "skip: line 4 named with its reason"
contains "$T_DIR/skip.err" "line 6: delegation.prompt_length: expected integer, got string" "skip: line 6 named with its JSON path"
contains "$T_DIR/skip.err" "line 8: execution_id: $(id 1) is already recorded" "skip: line 8, a duplicate within the same import, named"
contains "$T_DIR/skip.err" "line 10: " "skip: line 10 named"
contains "$T_DIR/skip.err" "expected object, got array" "skip: line 10's reason"
eq "$(grep -c '^line ' "$T_DIR/skip.err")" "4" "exactly the 4 bad lines are reported"
not_contains "$T_DIR/skip.err" "line 3:" "the blank line is not an error"
contains "$T_DIR/skip.err" "imported 5 records (7 actions) from 9 lines" "summary: 5 records, 7 actions, 9 non-blank lines"
contains "$T_DIR/skip.err" "; 4 rejected" "summary: 4 rejected"
not_contains "$T_DIR/skip.err" "stopped at the first bad line" "skip does not stop"
eq "$(listed)" "$(ids 1 2 3 4 5)" "all five good records are stored"
expect_exit 0 "show a record with 3 actions" et show --json "$(id 4)"
eq "$(jget "$T_DIR/out" '[a["sequence"] for a in d["execution"]["actions_taken"]]')" "[1,2,3]" "its actions are all there"
expect_exit 0 "verify after the skipping import" et verify --json
eq "$(jget "$T_DIR/out" '[d["ok"], d["events"]]')" "[true,5]" "verify OK with 5 events"

# ---- standard input ----------------------------------------------------------------
export EXECTRAIL_HOME="$T_DIR/stdin"
expect_exit 0 "import - reads standard input" et import - <"$T_DIR/good.jsonl"
contains "$T_DIR/err" "imported 5 records (7 actions) from 5 lines" "stdin: the summary counts 5 records and 7 actions"
contains "$T_DIR/err" "; 0 rejected" "stdin: nothing rejected"
eq "$(listed)" "$(ids 1 2 3 4 5)" "stdin: all five stored"
expect_exit 0 "the records round-trip" et show --json "$(id 1)"
sed -n 1p "$T_DIR/good.jsonl" >"$T_DIR/one.json"
json_same "$T_DIR/out" "$T_DIR/one.json" "an imported record shows exactly as given"
expect_exit 3 "importing the same data again: the first line is a duplicate" et import - <"$T_DIR/good.jsonl"
eq "$(grep -c 'is already recorded' "$T_DIR/err")" "1" "abort reports the first duplicate only"
contains "$T_DIR/err" "line 1: execution_id: $(id 1) is already recorded" "and names its line"
contains "$T_DIR/err" "imported 0 records (0 actions) from 1 lines" "abort stops at the first duplicate"
expect_exit 0 "an empty input imports nothing, successfully" et import - </dev/null
contains "$T_DIR/err" "imported 0 records (0 actions) from 0 lines" "the summary says so"

# ---- the projection delta: a record's writes reach the store in one apply -------------
# (docs/internals/STORE.md): the front door counts the operations made and
# the calls that reached the backend
export EXECTRAIL_HOME="$T_DIR/delta"
ET_STORE_STATS=1 "$EXECTRAIL" import "$T_DIR/good.jsonl" >/dev/null 2>"$T_DIR/stats"
line=$(grep -E 'store (sqlite|postgresql):' "$T_DIR/stats" | tail -n 1)
ops=$(echo "$line" | sed -E 's/.*: ([0-9]+) operations.*/\1/')
calls=$(echo "$line" | sed -E 's/.* ([0-9]+) backend calls.*/\1/')
check "5 records made more than 50 store operations ($ops)" test "${ops:-0}" -gt 50
# the trail's opening reads its settings (about 12 calls); then about two
# calls a record, where each store operation was one call before
check "which reached the backend in under a third as many calls ($calls)" \
  test "$((${calls:-999} * 3))" -lt "${ops:-0}"
check "and the trail verifies" et verify

# ---- duplicates: a batch's ids are checked in one store call (read ahead) ----------------
# The lines of a batch are read ahead and their ids checked at once; a
# record imported earlier in the same batch or the same file still makes a
# later line a duplicate, with the same message, and an id the scan of
# the line cannot read (written with escapes) is checked alone.
python3 - "$ET_SOURCE_DIR/tests/data/spec-record.json" "$T_DIR" <<'PY'
import copy, json, os, sys
base = json.load(open(sys.argv[1])); d = sys.argv[2]
def rec(i, **kw):
    r = copy.deepcopy(base)
    r["execution_id"] = "4100abcd-0000-4000-8000-%012d" % i
    r.update(kw)
    return json.dumps(r)
def noid():
    r = json.loads(rec(0)); del r["execution_id"]; return json.dumps(r)
def esc(i): # the id's first digit as a JSON escape
    return rec(i).replace('"4100abcd-', '"\\u0034100abcd-', 1)
bad = json.loads(rec(3)); bad["delegation"]["prompt_length"] = "x"
files = {
  # a duplicate in the same batch, abort
  "dup-same.jsonl": [rec(1), rec(2), rec(1), rec(4)],
  # the first of an id rejected, the second stored; ids missing or null
  # are made; an upper-case id is the lower-case one; an id with escapes
  # (checked alone) makes the plain one a duplicate, and the other way
  "dup-mixed.jsonl": [json.dumps(bad), rec(3), noid(), noid(), rec(6, execution_id=None),
                      rec(2).replace("4100abcd", "4100ABCD"), esc(5), rec(5), rec(7), esc(7)],
}
for name, lines in files.items():
    with open(os.path.join(d, name), "w") as f:
        f.write("\n".join(lines) + "\n")
PY
did() { echo "4100abcd-0000-4000-8000-00000000000$1"; }
export EXECTRAIL_HOME="$T_DIR/dups"
expect_exit 3 "a duplicate in the same batch stops an abort import" et import "$T_DIR/dup-same.jsonl"
contains "$T_DIR/err" "line 3: execution_id: $(did 1) is already recorded" "named with its line"
contains "$T_DIR/err" "imported 2 records" "the two before it are stored"
eq "$(et list --limit 0 --format ids | sort | tr '\n' ' ')" "$(did 1) $(did 2) " "and nothing after it"
export EXECTRAIL_HOME="$T_DIR/dups2"
expect_exit 3 "--batch 2: the same duplicate, its first in the batch before" \
  et import --batch 2 "$T_DIR/dup-same.jsonl"
contains "$T_DIR/err" "line 3: execution_id: $(did 1) is already recorded" "--batch 2: named with its line"
expect_exit 3 "a mixed file, skipping" et import --on-error skip "$T_DIR/dup-mixed.jsonl"
cp "$T_DIR/err" "$T_DIR/mixed-dups.err"
contains "$T_DIR/mixed-dups.err" "line 1: delegation.prompt_length" "the invalid first of an id is rejected"
not_contains "$T_DIR/mixed-dups.err" "line 2:" "and its second is stored"
contains "$T_DIR/mixed-dups.err" "line 6: execution_id: $(did 2) is already recorded" \
  "an upper-case id is a duplicate of the lower-case one"
contains "$T_DIR/mixed-dups.err" "line 8: execution_id: $(did 5) is already recorded" \
  "an id written with escapes makes the plain one a duplicate"
contains "$T_DIR/mixed-dups.err" "line 10: execution_id: $(did 7) is already recorded" \
  "and the plain one the escaped one"
eq "$(grep -c '^line ' "$T_DIR/mixed-dups.err")" "4" "exactly those four lines are rejected"
contains "$T_DIR/mixed-dups.err" "imported 6 records" "six records: 3, two without an id, one with a null id, 5, 7"
check "and the trail verifies" et verify
# the check itself failing: the line it was made for is named, and
# nothing of its batch stays (ET_TEST_FAIL_STORE, docs/internals/STORE.md)
export EXECTRAIL_HOME="$T_DIR/dups3"
ET_TEST_FAIL_STORE=exists:2 expect_exit 1 "the ids' check failing stops the import" \
  et import --batch 2 "$T_DIR/good.jsonl"
contains "$T_DIR/err" "line 3: injected failure in store exists" "naming the first line of the batch it checks"
eq "$(listed)" "$(ids 1 2)" "the batch before it stays, nothing of its own"

# ---- errors before anything is read ----------------------------------------------------
trail_state "$T_DIR/before-missing"
expect_exit 3 "a missing file exits 3" et import "$T_DIR/no-such.jsonl"
contains "$T_DIR/err" "cannot read $T_DIR/no-such.jsonl" "the message names the file"
same_state "$T_DIR/before-missing" "nothing changed"
expect_exit 2 "--on-error with a bad value is a usage error" et import --on-error maybe "$T_DIR/good.jsonl"
expect_exit 2 "--batch 0 is a usage error" et import --batch 0 "$T_DIR/good.jsonl"
expect_exit 2 "no file at all is a usage error" et import

done_testing
