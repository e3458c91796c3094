#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Retention end to end with a fixed clock: every class on both sides of its
# boundary, holds, archive + erase, verify after erasure, the bundle alone
# with only the public key, one flipped byte named, byte-identical restore
# (twice), rebuild, tampering that looks like erasure, policy errors.
. "$(dirname "$0")/lib.sh"

NOW=2026-01-01T00:00:00Z
export EXECTRAIL_NOW=$NOW
check "init" et init

# The expected action of each execution is computed here, from the policy's
# durations, independently of exectrail.
python3 - "$T_DIR/in.jsonl" "$T_DIR/expect" <<'PY'
import json, sys, uuid, datetime as dt
now = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
D = dt.timedelta(days=1)
S = dt.timedelta(seconds=1)
keep = {"successful": 90 * D, "failed": 180 * D, "high_quality": 365 * D}
cases = [
  # name, verification, (completeness, accuracy, efficiency), age, expected
  ("succ_in",  "MATCH", None, keep["successful"] - S, "KEEP"),
  ("succ_at",  "MATCH", None, keep["successful"], "EXPIRE"),
  ("succ_out", "MATCH", None, keep["successful"] + S, "EXPIRE"),
  ("fail_in",  "ERROR", None, keep["failed"] - S, "KEEP"),
  ("fail_out", "ERROR", None, keep["failed"] + S, "EXPIRE"),
  ("mism_out", "MISMATCH", None, keep["failed"] + S, "EXPIRE"),
  ("part_in",  "PARTIAL", None, keep["failed"] - S, "KEEP"),
  ("unver_out", None, None, keep["failed"] + S, "EXPIRE"),
  # high quality keeps a success (90 days) and a failure (180) for 365
  ("hq_in",    "MATCH", ("HIGH", "HIGH", "HIGH"), keep["high_quality"] - S, "KEEP"),
  ("hq_out",   "MATCH", ("HIGH", "HIGH", "MEDIUM"), keep["high_quality"] + S, "EXPIRE"),
  ("hq_fail",  "ERROR", ("HIGH", "HIGH", "MEDIUM"), 200 * D, "KEEP"),
  ("hq_slow",  "MATCH", ("HIGH", "HIGH", "LOW"), 100 * D, "EXPIRE"),
  ("hq_noeff", "MATCH", ("HIGH", "HIGH", None), 100 * D, "KEEP"),
  ("med",      "MATCH", ("HIGH", "MEDIUM", "HIGH"), 100 * D, "EXPIRE"),
  ("held",     "MATCH", None, 400 * D, "HOLD"),
]
with open(sys.argv[1], "w") as f, open(sys.argv[2], "w") as e:
    for i, (name, ver, q, age, want) in enumerate(cases):
        eid = str(uuid.UUID(int=0x5000 + i, version=4))
        end = now - age
        rec = {"execution_id": eid, "session_id": "ret-session",
               "timestamp_start": (end - 30 * S).strftime("%Y-%m-%dT%H:%M:%SZ"),
               "timestamp_end": end.strftime("%Y-%m-%dT%H:%M:%SZ"),
               "agent_metadata": {"name": "agent-" + name},
               "delegation": {"prompt_sent": "word%s please" % name.replace("_", "")},
               "execution": {"actions_taken": [
                   {"sequence": 1, "tool": "Bash", "input": "make test", "success": True}]},
               "output": {"raw_response": "done", "files_modified": ["src/%s.c" % name]}}
        if ver:
            rec["verification"] = {"status": ver}
        if q:
            rec["quality_metrics"] = {k: v for k, v in zip(
                ("completeness", "accuracy", "efficiency"), q) if v}
        f.write(json.dumps(rec) + "\n")
        e.write("%s %s %s\n" % (name, eid, want))
PY
check "import the corpus" et import "$T_DIR/in.jsonl"
id_of() { awk -v n="$1" '$1 == n {print $2}' "$T_DIR/expect"; }
HELD=$(id_of held)
check "hold one expired execution" et hold "$HELD" --reason "litigation 42"
expect_exit 2 "hold without --reason is a usage error" et hold "$HELD"
expect_exit 6 "hold of an unknown execution: not found" et hold ffffffff-0000-4000-8000-000000000000 --reason x
expect_exit 7 "unhold of an execution not on hold: conflict" et unhold "$(id_of succ_in)"

# ---- the plan
expect_exit 0 "retention plan --all --format jsonl" et retention plan --all --format jsonl
python3 - "$T_DIR/out" "$T_DIR/expect" >"$T_DIR/plan.diff" <<'PY'
import json, sys
got = {}
for l in open(sys.argv[1]):
    o = json.loads(l)
    got[o["execution_id"]] = o["action"]
bad = []
for l in open(sys.argv[2]):
    name, eid, want = l.split()
    if got.get(eid) != want:
        bad.append("%s: got %s want %s" % (name, got.get(eid), want))
print("\n".join(bad) if bad else "same")
PY
eq "$(cat "$T_DIR/plan.diff")" "same" "every execution goes where the policy says (both sides of each boundary)"
expect_exit 0 "plan (table)" et retention plan
contains "$T_DIR/out" "legal hold: litigation 42" "the plan names the hold and its reason"
contains "$T_DIR/out" "successful_executions (90_days) expired at" "the plan says which rule expired"
expect_exit 0 "plan --at a date before everything expires" et retention plan --at 2025-01-01 --format jsonl
eq "$(grep -c EXPIRE "$T_DIR/out")" "0" "nothing expires at the earlier --at"
expect_exit 2 "plan --at garbage is a usage error" et retention plan --at yesterday

# ---- keep the originals for the byte-identical check
awk '$3 == "EXPIRE" {print $2}' "$T_DIR/expect" | sort >"$T_DIR/expire.ids"
NEXP=$(wc -l <"$T_DIR/expire.ids" | tr -d ' ')
mkdir -p "$T_DIR/orig"
while read -r id; do et show "$id" --json >"$T_DIR/orig/$id.json"; done <"$T_DIR/expire.ids"
sql "$DB" "SELECT seq, body FROM ledger WHERE type = 'execution.recorded' ORDER BY seq" >"$T_DIR/ledger.before"

# ---- dry run, then the run
expect_exit 0 "retention run --dry-run" et retention run --dry-run
contains "$T_DIR/out" "$NEXP executions would be archived and erased" "the dry run counts them"
eq "$(et list --limit 0 --format ids | wc -l | tr -d ' ')" "15" "a dry run erases nothing"
expect_exit 0 "retention run" et retention run
contains "$T_DIR/out" "archived $NEXP executions" "the run archived the $NEXP expired executions"
BUNDLE=$(ls "$EXECTRAIL_HOME"/archive/*.etar.zst)
eq "$(ls "$EXECTRAIL_HOME"/archive | wc -l | tr -d ' ')" "1" "one bundle, no partial file left"
et list --limit 0 --format ids | sort >"$T_DIR/left.ids"
awk '$3 != "EXPIRE" {print $2}' "$T_DIR/expect" | sort >"$T_DIR/keep.ids"
if cmp -s "$T_DIR/left.ids" "$T_DIR/keep.ids"; then ok "the store lists exactly the kept and held executions"
else fails "the store lists exactly the kept and held executions" "$(diff "$T_DIR/left.ids" "$T_DIR/keep.ids")"; fi
expect_exit 6 "an erased execution is gone from show" et show "$(id_of succ_out)"
expect_exit 0 "search for an erased execution's words" et search wordsuccout
not_contains "$T_DIR/out" "$(id_of succ_out)" "an erased execution is gone from search"
expect_exit 0 "search for a kept execution's words" et search wordsuccin
contains "$T_DIR/out" "$(id_of succ_in)" "(the same search finds a kept execution)"
expect_exit 0 "query over erased fields" et query 'agent_metadata.name = "agent-succ_out"'
eq "$(wc -l <"$T_DIR/out" | tr -d ' ')" "0" "an erased execution is gone from queries"
expect_exit 0 "stats after erasure" et stats --format json
not_contains "$T_DIR/out" "agent-succ_out" "an erased execution is gone from stats"

# ---- verify after erasure
expect_exit 0 "verify passes after archive + erase" et verify --json
eq "$(jget "$T_DIR/out" 'd["erased"]')" "$NEXP" "verify counts the $NEXP erased leaves"
contains "$T_DIR/out" "erased by policy" "verify reports erased leaves as erased by policy"
sql "$DB" "SELECT count(*) FROM ledger WHERE body IS NULL" >"$T_DIR/n"
eq "$(cat "$T_DIR/n")" "$NEXP" "the ledger rows stay, payloads are NULL"
eq "$(sql "$DB" "SELECT count(*) FROM ledger WHERE type = 'retention.erased'")" "$NEXP" "one retention.erased event per execution"
eq "$(sql "$DB" "SELECT count(*) FROM ledger WHERE body IS NULL AND length(leaf) = 32")" "$NEXP" "the leaf hashes stay"

# ---- the bundle alone, with only the public key, elsewhere
mkdir -p "$T_DIR/other"
cp "$BUNDLE" "$T_DIR/other/b.etar.zst"
cp "$EXECTRAIL_HOME/exectrail.pub" "$T_DIR/other/key.pub"
expect_exit 0 "archive verify on another machine with only the public key" \
  env EXECTRAIL_HOME="$T_DIR/nowhere" "$EXECTRAIL" archive verify --key "$T_DIR/other/key.pub" "$T_DIR/other/b.etar.zst"
contains "$T_DIR/out" "OK: $NEXP executions" "every archived execution verifies"
expect_exit 0 "archive verify with the store's key" et archive verify "$BUNDLE"
env EXECTRAIL_HOME="$T_DIR/k2" "$EXECTRAIL" init >/dev/null 2>&1
expect_exit 4 "archive verify with another trail's key fails" \
  et archive verify --key "$T_DIR/k2/exectrail.pub" "$BUNDLE"
expect_exit 0 "archive list --format jsonl" et archive list --format jsonl "$BUNDLE"
python3 -c 'import json,sys; print("\n".join(sorted(json.loads(l)["execution_id"] for l in open(sys.argv[1]))))' "$T_DIR/out" >"$T_DIR/archived.ids"
if cmp -s "$T_DIR/archived.ids" "$T_DIR/expire.ids"; then ok "the bundle holds exactly the expired executions"
else fails "the bundle holds exactly the expired executions" "$(diff "$T_DIR/archived.ids" "$T_DIR/expire.ids")"; fi
expect_exit 0 "archive search with a query" et archive search --format jsonl "$BUNDLE" 'verification status ERROR MISMATCH'
eq "$(python3 -c 'import json,sys; print(" ".join(sorted(json.loads(l)["agent_metadata"]["name"] for l in open(sys.argv[1]))))' "$T_DIR/out")" \
  "agent-fail_out agent-mism_out" "archive search answers the spec query over the bundle"
zstd -dc "$BUNDLE" >"$T_DIR/bundle.jsonl" 2>/dev/null
eq "$(wc -l <"$T_DIR/bundle.jsonl" | tr -d ' ')" "$((NEXP + 1))" "zstd -dc prints the JSONL: one line per execution and the manifest"

# ---- flip one byte: the record is named
tail -1 "$T_DIR/bundle.jsonl" >"$T_DIR/manifest.json"
# where each record's frame is: walk the record headers (zstd skippable
# frames: magic, size, "ETREC1", frame length u64 LE, execution id)
python3 - "$BUNDLE" >"$T_DIR/frames" <<'PY'
import struct, sys
b = open(sys.argv[1], "rb").read()
pos = 0
while b[pos:pos + 4] == struct.pack("<I", 0x184D2A51):
    n = struct.unpack("<Q", b[pos + 14:pos + 22])[0]
    print(b[pos + 22:pos + 58].decode(), pos + 58, n)
    pos += 58 + n
print("manifest", pos, 0)
PY
eq "$(grep -vc manifest "$T_DIR/frames")" "$NEXP" "the bundle has one framed record per execution"
for k in 0 3 $((NEXP - 1)); do
  read -r rid off len < <(sed -n "$((k + 1))p" "$T_DIR/frames")
  cp "$BUNDLE" "$T_DIR/flip.etar.zst"
  python3 - "$T_DIR/flip.etar.zst" $((off + len / 2)) <<'PY'
import sys
p, at = sys.argv[1], int(sys.argv[2])
b = bytearray(open(p, "rb").read()); b[at] ^= 0x01; open(p, "wb").write(b)
PY
  expect_exit 4 "one flipped byte in record $k fails archive verify" et archive verify "$T_DIR/flip.etar.zst"
  contains "$T_DIR/out" "record: $rid" "archive verify names the damaged record ($k)"
done
MOFF=$(awk '$1 == "manifest" {print $2}' "$T_DIR/frames")
cp "$BUNDLE" "$T_DIR/flip.etar.zst"
python3 -c 'import sys; p=sys.argv[1]; b=bytearray(open(p,"rb").read()); b[int(sys.argv[2])+20]^=1; open(p,"wb").write(b)' "$T_DIR/flip.etar.zst" "$MOFF"
expect_exit 4 "a flipped byte in the manifest fails archive verify" et archive verify "$T_DIR/flip.etar.zst"
contains "$T_DIR/out" "manifest damaged" "archive verify says the manifest is damaged"
# a whole record cut out (header and frame): the manifest's count and ids
# no longer match
read -r rid off len < <(sed -n 2p "$T_DIR/frames")
python3 -c 'import sys; p,a,n=sys.argv[1],int(sys.argv[2]),int(sys.argv[3]); b=open(p,"rb").read(); import struct; m=struct.unpack("<Q",b[-8:])[0]; c=b[:a-58]+b[a+n:]; c=c[:-8]+struct.pack("<Q",m-58-n); open(sys.argv[4],"wb").write(c)' "$BUNDLE" "$off" "$len" "$T_DIR/cut.etar.zst"
expect_exit 4 "a record removed from the bundle fails archive verify" et archive verify "$T_DIR/cut.etar.zst"
contains "$T_DIR/out" "the bundle holds $((NEXP - 1)) records, the manifest $NEXP" "archive verify says a record is missing"
printf 'not a bundle' >"$T_DIR/junk"
expect_exit 3 "a file that is not a bundle: invalid input" et archive verify "$T_DIR/junk"
expect_exit 4 "restore of a damaged bundle restores nothing (exit 4)" et archive restore "$T_DIR/flip.etar.zst"
et list --limit 0 --format ids | sort >"$T_DIR/left2.ids"
if cmp -s "$T_DIR/left2.ids" "$T_DIR/keep.ids"; then ok "nothing came back from the damaged bundle"
else fails "nothing came back from the damaged bundle" "$(diff "$T_DIR/left2.ids" "$T_DIR/keep.ids")"; fi

# ---- rebuild skips erased payloads
trail_state "$T_DIR/state.erased"
check "rebuild after erasure" et rebuild
et list --limit 0 --format ids | sort >"$T_DIR/left3.ids"
if cmp -s "$T_DIR/left3.ids" "$T_DIR/keep.ids"; then ok "rebuild recomputes the same executions"
else fails "rebuild recomputes the same executions" "$(diff "$T_DIR/left3.ids" "$T_DIR/keep.ids")"; fi

# ---- tampering that imitates erasure is caught
KEPT=$(id_of fail_in)
if is_pg; then # no file to copy: the trail itself, its bytes put back after
  TAMPERED=$DB
  SAVED_SEQ=$(sql "$DB" "SELECT seq FROM ledger WHERE execution_id = ? AND type = 'execution.recorded'" "$KEPT")
  SAVED_BODY=$(sql "$DB" "SELECT body FROM ledger WHERE seq = ?" "$SAVED_SEQ")
else
  TAMPERED="$T_DIR/tamper.db"
  cp "$DB" "$TAMPERED"
fi
sql "$TAMPERED" "UPDATE ledger SET body = NULL WHERE execution_id = ? AND type = 'execution.recorded'" "$KEPT"
expect_exit 4 "a payload removed without retention.erased is tampering" et --db "$TAMPERED" verify
contains "$T_DIR/out" "no retention.erased event names it" "verify says the payload was not erased by policy"
contains "$T_DIR/out" "execution: $KEPT" "verify names the execution"
if is_pg; then
  sql "$DB" "UPDATE ledger SET body = convert_to(?, 'UTF8') WHERE seq = ?" "$SAVED_BODY" "$SAVED_SEQ"
  check "the payload put back, the trail verifies" et verify
fi

# ---- restore, byte for byte, twice
expect_exit 0 "archive restore" et archive restore "$BUNDLE"
contains "$T_DIR/out" "restored $NEXP executions" "all $NEXP come back"
same=0
while read -r id; do
  et show "$id" --json >"$T_DIR/now.json"
  cmp -s "$T_DIR/now.json" "$T_DIR/orig/$id.json" && same=$((same + 1))
done <"$T_DIR/expire.ids"
eq "$same" "$NEXP" "every restored record is byte-identical to the original"
sql "$DB" "SELECT seq, body FROM ledger WHERE type = 'execution.recorded' ORDER BY seq" >"$T_DIR/ledger.after"
if cmp -s "$T_DIR/ledger.before" "$T_DIR/ledger.after"; then ok "the ledger's event bytes are back, byte for byte"
else fails "the ledger's event bytes are back, byte for byte" "differ"; fi
trail_state "$T_DIR/state.restored"
expect_exit 0 "archive restore again" et archive restore "$BUNDLE"
contains "$T_DIR/out" "restored 0 executions (0 events); $NEXP already present" "restoring twice changes nothing"
same_state "$T_DIR/state.restored" "the trail is exactly as after the first restore"
expect_exit 0 "verify after restore" et verify --json
eq "$(jget "$T_DIR/out" '[d["ok"], d["erased"]]')" "[true,0]" "verify passes with no erased payload left"
expect_exit 0 "search finds a restored execution" et search wordsuccout
contains "$T_DIR/out" "$(id_of succ_out)" "restored executions are searchable again"
check "rebuild after restore" et rebuild
eq "$(et list --limit 0 --format ids | wc -l | tr -d ' ')" "15" "rebuild keeps the restored executions"

# ---- unhold, and a custom policy file
check "unhold" et unhold "$HELD" --reason "case closed"
expect_exit 0 "plan after unhold" et retention plan --format jsonl
contains "$T_DIR/out" "\"execution_id\":\"$HELD\",\"action\":\"EXPIRE\"" "after unhold the policy applies again"
cat >"$EXECTRAIL_HOME/retention.yaml" <<'EOF'
RETENTION_POLICY:
  execution_tracking:
    successful_executions: 1_years
    failed_executions: 180_days
EOF
expect_exit 0 "plan with a policy file" et retention plan --all --format jsonl
contains "$T_DIR/out" "\"execution_id\":\"$(id_of succ_out)\",\"action\":\"KEEP\"" "the file's duration applies (1 year)"
cat >"$EXECTRAIL_HOME/retention.yaml" <<'EOF'
RETENTION_POLICY:
  execution_tracking:
    successful_executions: 90_days
    failed_executions: 180_dayz
EOF
expect_exit 3 "a bad duration: exit 3" et retention plan
contains "$T_DIR/err" "retention.yaml:4:24: RETENTION_POLICY.execution_tracking.failed_executions" "the error names line:column and the key"
printf 'RETENTION_POLICY:\n  execution_tracking:\n    successful: 90_days\n' >"$EXECTRAIL_HOME/retention.yaml"
expect_exit 3 "an unknown class: exit 3" et retention plan
contains "$T_DIR/err" "retention.yaml:3:17: RETENTION_POLICY.execution_tracking.successful: unknown class" "an unknown class is named with line:column"
printf 'RETENTION_POLICY:\n  cleanup_schedule:\n    weekly: archive_everything\n' >"$EXECTRAIL_HOME/retention.yaml"
expect_exit 3 "an unknown task: exit 3" et retention plan
contains "$T_DIR/err" "retention.yaml:3:13:" "an unknown task is named with line:column"
rm "$EXECTRAIL_HOME/retention.yaml"

done_testing
