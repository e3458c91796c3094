#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Tamper evidence: edits, deletions, reorderings and well-formed rewrites of
# stored events behind exectrail's back make `verify` fail with status 4 and
# name the sequence number and its execution; signed checkpoints catch
# rewrites and survive appends.
. "$(dirname "$0")/lib.sh"

rec() { # ID -> a spec record file $T_DIR/ID.json
  spec_record "$1" >"$T_DIR/$1.json"
}
R0=10000000-0000-4000-8000-000000000000
R1=10000000-0000-4000-8000-000000000001
R2=10000000-0000-4000-8000-000000000002
R3=10000000-0000-4000-8000-000000000003
for r in $R0 $R1 $R2 $R3; do rec $r; done

# six executions; A and B run in parallel, so their events interleave.
# Fixed ids keep every run the same (A sorts before B).
A=aaaaaaaa-0000-4000-8000-00000000000a
B=bbbbbbbb-0000-4000-8000-00000000000b
C=cccccccc-0000-4000-8000-00000000000c
D=dddddddd-0000-4000-8000-00000000000d
check "record R0" et record "$T_DIR/$R0.json"                    # seq 0
check "start A" et start --agent A --id "$A"                    # 1
check "start B" et start --agent B --id "$B"                    # 2
check "delegate A" et delegate "$A" --prompt "prompt for A"      # 3
check "delegate B" et delegate "$B" --prompt "prompt for B"      # 4
check "action A" et action "$A" --tool ToolA --input "a-in"      # 5
check "action B" et action "$B" --tool ToolB --input "b-in"      # 6
check "record R1" et record "$T_DIR/$R1.json"                    # 7
check "respond A" et respond "$A" --response "A done"            # 8
check "complete A" et complete "$A" --status MATCH --no-analysis # 9
check "respond B" et respond "$B" --response "B done"            # 10
check "complete B" et complete "$B" --status MISMATCH --no-analysis # 11
check "start C" et start --agent C --id "$C"                    # 12
check "delegate C" et delegate "$C" --prompt "prompt for C"      # 13
check "action C" et action "$C" --tool ToolC --failed --error x  # 14
check "complete C" et complete "$C" --no-analysis                # 15
check "record R2" et record "$T_DIR/$R2.json"                    # 16
N1=17

# the owner of every seq, straight from the ledger table
sql "$DB" "SELECT seq, execution_id FROM ledger ORDER BY seq" >"$T_DIR/owners"
eq "$(wc -l <"$T_DIR/owners" | tr -d ' ')" "$N1" "$N1 events stored"
owner() { sed -n "$(($1 + 1))p" "$T_DIR/owners" | cut -d'|' -f2; }
eq "$(owner 4)|$(owner 5)|$(owner 14)" "$B|$A|$C" "the events interleave as planned"

expect_exit 0 "checkpoint --out cp1" et checkpoint --out "$T_DIR/cp1"
eq "$(sed -n 2p "$T_DIR/cp1")" "$N1" "cp1 covers $N1 events"
expect_exit 0 "verify passes on the untouched trail" et verify
contains "$T_DIR/out" "OK: $N1 events verified, 1 signed checkpoint(s) match" "verify counts events and the stored checkpoint"
expect_exit 0 "verify --checkpoint cp1" et verify --checkpoint "$T_DIR/cp1"
contains "$T_DIR/out" "extends the given checkpoint" "verify says the trail extends cp1"

# appends after the checkpoint keep it valid
check "record R3 after the checkpoint" et record "$T_DIR/$R3.json"   # 17
check "start D" et start --agent D --id "$D"                        # 18
check "delegate D" et delegate "$D" --prompt "prompt for D"          # 19
N=20
sql "$DB" "SELECT seq, execution_id FROM ledger ORDER BY seq" >"$T_DIR/owners"
expect_exit 0 "an earlier checkpoint still verifies after appends" et verify --checkpoint "$T_DIR/cp1"
contains "$T_DIR/out" "OK: $N events verified" "all $N events verified"
contains "$T_DIR/out" "extends the given checkpoint" "and the trail extends cp1"

# ---- tampering, each on its own copy of the whole data directory --------------
ORIG_HOME=$EXECTRAIL_HOME
if sqlite_only "each tampering edits its own copy of the SQLite file (cp -a, python sqlite3); tampering on PostgreSQL: t0801-postgres"; then
n_copy=0
copy_trail() {
  n_copy=$((n_copy + 1))
  export EXECTRAIL_HOME="$T_DIR/copy$n_copy"
  cp -a "$ORIG_HOME" "$EXECTRAIL_HOME"
  CDB="$EXECTRAIL_HOME/trail.db"
}
# verify_names CASE SEQ EXEC: verify exits 4 and names SEQ and its execution
verify_names() {
  expect_exit 4 "$1: verify exits 4" et verify
  contains "$T_DIR/out" "first bad sequence number: $2" "$1: names sequence number $2"
  contains "$T_DIR/out" "execution: $3" "$1: names execution $3 (the owner of seq $2)"
  expect_exit 4 "$1: verify --json exits 4" et verify --json
  eq "$(jget "$T_DIR/out" '[d["ok"], d["bad_seq"], d.get("bad_execution")]')" "[false,$2,\"$3\"]" \
    "$1: verify --json gives bad_seq and bad_execution"
}

# (a) one byte of one event's body changed, leaf left alone
copy_trail
sql "$CDB" "UPDATE ledger SET body = replace(body, 'ToolB', 'ToolX') WHERE seq = 6"
eq "$(sql "$CDB" "SELECT count(*) FROM ledger WHERE body LIKE '%ToolX%'")" "1" "(a) the byte was changed"
verify_names "(a) altered body" 6 "$(owner 6)"
contains "$T_DIR/out" "do not match its leaf hash" "(a) the problem is an altered event"

# (b) one event in the middle deleted
copy_trail
sql "$CDB" "DELETE FROM ledger WHERE seq = 10"
verify_names "(b) deleted middle event" 10 "$(owner 10)"
contains "$T_DIR/out" "event 10 is missing" "(b) the problem is a missing event"

# (b2) the deleted event belongs to B but lies inside A's range of events
copy_trail
sql "$CDB" "DELETE FROM ledger WHERE seq = 4"
verify_names "(b2) deleted interleaved event" 4 "$(owner 4)"

# (c) the last event deleted
copy_trail
sql "$CDB" "DELETE FROM ledger WHERE seq = $((N - 1))"
verify_names "(c) deleted last event" $((N - 1)) "$(owner $((N - 1)))"
contains "$T_DIR/out" "the tree head records $N events" "(c) the tree head shows the cut"

# (d) two rows swap body and leaf (a reordering)
copy_trail
python3 - "$CDB" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
r5 = db.execute("SELECT body, leaf FROM ledger WHERE seq = 5").fetchone()
r6 = db.execute("SELECT body, leaf FROM ledger WHERE seq = 6").fetchone()
db.execute("UPDATE ledger SET body = ?, leaf = ? WHERE seq = 5", r6)
db.execute("UPDATE ledger SET body = ?, leaf = ? WHERE seq = 6", r5)
db.commit()
PY
eq "$(sql "$CDB" "SELECT seq, body LIKE '%ToolB%' FROM ledger WHERE seq IN (5, 6) ORDER BY seq" | tr '\n' ' ')" \
  "5|1 6|0 " "(d) rows 5 and 6 are swapped"
verify_names "(d) reordered events" 5 "$(owner 5)"
contains "$T_DIR/out" "the event says it is number 6" "(d) the problem is a reordering"

# (e) a body rewritten and its leaf hash recomputed correctly: only the tree
# head and the signed checkpoint can tell
rewrite() { # DB SEQ FROM TO: replace text in an event and fix its leaf hash
  python3 - "$@" <<'PY'
import hashlib, sqlite3, sys
db = sqlite3.connect(sys.argv[1]); seq = int(sys.argv[2])
body = db.execute("SELECT body FROM ledger WHERE seq = ?", (seq,)).fetchone()[0]
new = body.replace(sys.argv[3], sys.argv[4])
assert new != body, "nothing replaced"
leaf = hashlib.sha256(b"\x00" + new.encode()).digest()
db.execute("UPDATE ledger SET body = ?, leaf = ? WHERE seq = ?", (new, leaf, seq))
db.commit()
PY
}
# (e1) an event covered by the stored checkpoint (seq 3, of A)
copy_trail
rewrite "$CDB" 3 '"prompt for A"' '"prompt for Z"'
eq "$(sql "$CDB" "SELECT count(*) FROM ledger WHERE seq = 3 AND leaf = (SELECT leaf FROM ledger WHERE seq = 3) AND body LIKE '%prompt for Z%'")" \
  "1" "(e1) the rewrite is in place"
expect_exit 4 "(e1) rewritten event with a correct leaf: verify exits 4" et verify
contains "$T_DIR/out" "the tree head does not match the events: an event in 0..15 was rewritten" \
  "(e1) the tree head names the subtree range 0..15 holding seq 3"
contains "$T_DIR/out" "(nor does the stored signed checkpoint)" "(e1) and says the signed checkpoint disagrees too"
contains "$T_DIR/out" "first bad sequence number: 0" "(e1) the first bad seq is the start of the range"
contains "$T_DIR/out" "execution: $(owner 0)" "(e1) the execution named owns that seq ($(owner 0))"
expect_exit 4 "(e1) verify --checkpoint cp1 fails too" et verify --checkpoint "$T_DIR/cp1"
contains "$T_DIR/out" "0..15 was rewritten" "(e1) with cp1 the same range is named"

# (e3) as (e1), and the attacker also rewrites the stored tree head to match:
# only the signed checkpoint can tell, and it names its range 0..N1-1
fix_head() { # DB: recompute tree_head from the stored leaf hashes
  python3 - "$1" <<'PY'
import hashlib, sqlite3, struct, sys
db = sqlite3.connect(sys.argv[1])
leaves = [r[0] for r in db.execute("SELECT leaf FROM ledger ORDER BY seq")]
def mth(ls):
    if len(ls) == 1: return ls[0]
    k = 1
    while k * 2 < len(ls): k *= 2
    return hashlib.sha256(b"\x01" + mth(ls[:k]) + mth(ls[k:])).digest()
n, off, peaks = len(leaves), 0, b""
for bit in range(63, -1, -1):
    if n >> bit & 1:
        peaks += mth(leaves[off:off + (1 << bit)]); off += 1 << bit
db.execute("UPDATE tree_head SET size = ?, state = ? WHERE id = 1",
           (n, struct.pack(">Q", n) + peaks))
db.commit()
PY
}
copy_trail
rewrite "$CDB" 3 '"prompt for A"' '"prompt for Z"'
fix_head "$CDB"
expect_exit 4 "(e3) rewritten event, leaf and tree head: verify exits 4" et verify
contains "$T_DIR/out" "does not match the stored signed checkpoint: an event in 0..$((N1 - 1)) was rewritten" \
  "(e3) the stored signed checkpoint catches it and names 0..$((N1 - 1))"
contains "$T_DIR/out" "execution: $(owner 0)" "(e3) the execution named owns seq 0 ($(owner 0))"

# (e2) an event after the last checkpoint (seq 17, R3): the tree head's
# subtree covering it no longer matches
copy_trail
rewrite "$CDB" 17 "original user request" "original user requesT"
expect_exit 4 "(e2) rewritten event after the checkpoint: verify exits 4" et verify
contains "$T_DIR/out" "the tree head does not match the events: an event in 16..19" \
  "(e2) names the subtree range 16..19 holding seq 17"
contains "$T_DIR/out" "first bad sequence number: 16" "(e2) names the start of that range"
contains "$T_DIR/out" "execution: $(owner 16)" "(e2) and the execution owning it ($(owner 16))"

# ---- the same key, a new store: the old checkpoint no longer holds ---------------
# (the attacker keeps exectrail.key, deletes trail.db and records other events)
copy_trail
rm -f "$CDB" "$CDB-wal" "$CDB-shm"
for i in $(seq 1 $N); do et start --agent "forger-$i" >/dev/null 2>&1 || fails "forger start $i"; done
expect_exit 0 "the re-recorded trail verifies on its own" et verify
expect_exit 4 "verify --checkpoint cp1 on the re-recorded trail exits 4" et verify --checkpoint "$T_DIR/cp1"
contains "$T_DIR/out" "does not match the given checkpoint" "the given checkpoint catches the rewrite"

copy_trail
rm -f "$CDB" "$CDB-wal" "$CDB-shm"
for i in 1 2 3; do et start --agent "short-$i" >/dev/null 2>&1 || fails "short start $i"; done
expect_exit 4 "a shorter re-recorded trail fails verify --checkpoint cp1" et verify --checkpoint "$T_DIR/cp1"
contains "$T_DIR/out" "the trail has 3 events but the given checkpoint covers $N1: events were removed" \
  "the message says events were removed"

fi

# ---- a checkpoint file with one altered byte --------------------------------------
export EXECTRAIL_HOME=$ORIG_HOME
flip() { # IN OUT OFFSET: change the byte at OFFSET to a different base64 character
  python3 - "$@" <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read()); i = int(sys.argv[3])
d[i] = ord("A") if d[i] != ord("A") else ord("B")
open(sys.argv[2], "wb").write(d)
PY
}
# a byte of the root hash (line 3)
off=$(python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); l=d.split(b"\n"); print(len(l[0])+len(l[1])+2+5)' "$T_DIR/cp1")
flip "$T_DIR/cp1" "$T_DIR/cp-root" "$off"
expect_exit 4 "a checkpoint with one altered root byte: exit 4" et verify --checkpoint "$T_DIR/cp-root"
contains "$T_DIR/out" "given checkpoint: checkpoint: signature by key" "it names the given checkpoint and its signature"
contains "$T_DIR/out" "does not verify" "it says the signature does not verify"
# a byte of the signature (last line)
off=$(python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); print(len(d)-10)' "$T_DIR/cp1")
flip "$T_DIR/cp1" "$T_DIR/cp-sig" "$off"
expect_exit 4 "a checkpoint with one altered signature byte: exit 4" et verify --checkpoint "$T_DIR/cp-sig"
contains "$T_DIR/out" "does not verify" "the signature does not verify"
# the size line made to claim fewer events
python3 -c 'import sys; l=open(sys.argv[1]).read().split("\n"); l[1]=str(int(l[1])-1); open(sys.argv[2],"w").write("\n".join(l))' \
  "$T_DIR/cp1" "$T_DIR/cp-size"
expect_exit 4 "a checkpoint with an altered size: exit 4" et verify --checkpoint "$T_DIR/cp-size"
contains "$T_DIR/out" "does not verify" "the altered size breaks the signature"
# not a checkpoint at all: invalid input
echo "not a checkpoint" >"$T_DIR/cp-garbage"
expect_exit 3 "a file that is not a checkpoint: exit 3" et verify --checkpoint "$T_DIR/cp-garbage"
contains "$T_DIR/err" "given checkpoint: checkpoint:" "the message names the given checkpoint"
expect_exit 3 "a missing checkpoint file: exit 3" et verify --checkpoint "$T_DIR/no-such-file"
contains "$T_DIR/err" "cannot read $T_DIR/no-such-file" "the message names the file"

# the original is still fine after all that
expect_exit 0 "the untouched trail still verifies with cp1" et verify --checkpoint "$T_DIR/cp1"

done_testing
