#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# rebuild recreates the projections from the ledger exactly; proof output is
# checked by an independent verifier written here (RFC 9162 inclusion
# proofs, the Merkle tree hash, the C2SP note and its Ed25519 signature).
. "$(dirname "$0")/lib.sh"

R1=50000000-0000-4000-8000-000000000001
R2=52000000-0000-4000-8000-000000000002
X=5a000000-0000-4000-8000-00000000000a
Y=5b000000-0000-4000-8000-00000000000b
spec_record $R1 >"$T_DIR/r1.json"
spec_record $R2 >"$T_DIR/r2.json"
check "record R1" et record "$T_DIR/r1.json"
check "start X" et start --agent X --id $X --request "do x" --session sess-1
check "delegate X" et delegate $X --prompt "prompt for X"
check "actions of X" et action $X --json - <<<'[{"tool":"Read","input":"a","success":true},{"tool":"Bash","input":"make","success":false,"error":"exit 2"}]'
check "start Y (left open)" et start --agent Y --id $Y --session sess-1
check "record R2" et record "$T_DIR/r2.json"
check "respond X" et respond $X --response "done" --file src/x.c
check "complete X" et complete $X --status PARTIAL --confidence 0.5 --no-analysis
check "delegate Y" et delegate $Y --prompt "prompt for Y"
NEV=$(sql "$DB" "SELECT count(*) FROM ledger")
eq "$NEV" "10" "10 events stored"

snapshot() { # DIR: show --json of every execution + list jsonl
  mkdir -p "$1"
  for i in $R1 $R2 $X $Y; do et show --json "$i" >"$1/$i.json" 2>&1; done
  et list --limit 0 --format jsonl >"$1/list.jsonl" 2>&1
}
same_snapshot() { # DIR DESCRIPTION
  snapshot "$T_DIR/snap.now"
  if diff -r "$1" "$T_DIR/snap.now" >"$T_DIR/snap.diff"; then ok "$2"; else
    not_ok "$2" "$(head -c 600 "$T_DIR/snap.diff")"; fi
}
snapshot "$T_DIR/snap0"
eq "$(wc -l <"$T_DIR/snap0/list.jsonl" | tr -d ' ')" "4" "4 executions listed before the rebuild"
eq "$(jget "$T_DIR/snap0/$X.json" '[len(d["execution"]["actions_taken"]), d["verification"]["status"]]')" '[2,"PARTIAL"]' \
  "the snapshot holds real content"

expect_exit 0 "rebuild" et rebuild
eq "$(cat "$T_DIR/out")" "rebuilt projections from $NEV events" "rebuild prints the event count"
same_snapshot "$T_DIR/snap0" "show --json of every execution and the list are identical after rebuild"

# projections lost: rebuild brings them back
sql "$DB" "DELETE FROM executions"
sql "$DB" "DELETE FROM actions"
eq "$(sql "$DB" "SELECT count(*) FROM executions")" "0" "the executions table is empty"
expect_exit 6 "show fails once the projection is gone" et show $X
expect_exit 0 "list shows nothing" et list --format ids
eq "$(cat "$T_DIR/out")" "" "no ids listed"
expect_exit 0 "verify --no-projections does not depend on projections" et verify --no-projections
expect_exit 4 "verify recomputes the projections and finds the deleted rows" et verify
contains "$T_DIR/out" "projections: table executions" "it names the table"
expect_exit 0 "rebuild after the delete" et rebuild
eq "$(cat "$T_DIR/out")" "rebuilt projections from $NEV events" "rebuild prints the event count again"
same_snapshot "$T_DIR/snap0" "rebuild restores every execution exactly"
# on a terminal, progress on stderr (stdout keeps only the summary line,
# checked above), and not with -q
script -qec "$EXECTRAIL rebuild 2>&1" /dev/null | tr -d '\r' >"$T_DIR/tty"
contains "$T_DIR/tty" "rebuilding: $NEV of $NEV events (100 %)" "a terminal shows the rebuild's progress"
script -qec "$EXECTRAIL -q rebuild 2>&1" /dev/null | tr -d '\r' >"$T_DIR/tty"
not_contains "$T_DIR/tty" "rebuilding:" "-q hides it"

# a projection edited behind exectrail's back is put right too
sql "$DB" "UPDATE executions SET agent_name = 'mallory', state = 'completed' WHERE execution_id = '$Y'"
expect_exit 0 "list shows the edited projection" et list --format jsonl
contains "$T_DIR/out" '"agent":"mallory"' "the edit is visible before the rebuild"
check "rebuild" et rebuild
same_snapshot "$T_DIR/snap0" "rebuild undoes the edit"

# ---- proof, checked independently --------------------------------------------------------
cat >"$T_DIR/check_proof.py" <<'PY'
# usage: check_proof.py PROOF.json LEDGER EXECUTION_ID
# (LEDGER: the store's ledger rows as "seq|execution_id|body" lines, read
# with lib.sh's sql, which reads SQLite or PostgreSQL)
# Exits non-zero, naming the first failed step, unless the proof checks out.
import base64, hashlib, json, sys

def H(b): return hashlib.sha256(b).digest()

def verify_inclusion(index, size, leaf, path, root):
    """RFC 9162 section 2.1.3.2"""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = H(b"\x01" + p + r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = H(b"\x01" + r + p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root

def mth(leaves):
    """RFC 9162 section 2.1.1, from the leaf hashes"""
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return H(b"\x01" + mth(leaves[:k]) + mth(leaves[k:]))

# Ed25519 verification, RFC 8032 section 6 (reference code, test use only)
P_ = 2**255 - 19
Q_ = 2**252 + 27742317777372353535851937790883648493
def inv(x): return pow(x, P_ - 2, P_)
D_ = -121665 * inv(121666) % P_
I_ = pow(2, (P_ - 1) // 4, P_)
def add(P, Q):
    A, B = (P[1] - P[0]) * (Q[1] - Q[0]) % P_, (P[1] + P[0]) * (Q[1] + Q[0]) % P_
    C, D = 2 * P[3] * Q[3] * D_ % P_, 2 * P[2] * Q[2] % P_
    E, F, G, Hh = B - A, D - C, D + C, B + A
    return (E * F, G * Hh, F * G, E * Hh)
def mul(s, P):
    Q = (0, 1, 1, 0)
    while s > 0:
        if s & 1:
            Q = add(Q, P)
        P = add(P, P)
        s >>= 1
    return Q
def same(P, Q):
    return (P[0] * Q[2] - Q[0] * P[2]) % P_ == 0 and (P[1] * Q[2] - Q[1] * P[2]) % P_ == 0
def recover_x(y, sign):
    if y >= P_:
        return None
    x2 = (y * y - 1) * inv(D_ * y * y + 1)
    if x2 == 0:
        return None if sign else 0
    x = pow(x2, (P_ + 3) // 8, P_)
    if (x * x - x2) % P_:
        x = x * I_ % P_
    if (x * x - x2) % P_:
        return None
    return P_ - x if (x & 1) != sign else x
GY = 4 * inv(5) % P_
G = (recover_x(GY, 0), GY, 1, recover_x(GY, 0) * GY % P_)
def decompress(s):
    y = int.from_bytes(s, "little")
    x = recover_x(y & ((1 << 255) - 1), y >> 255)
    return None if x is None else (x, y & ((1 << 255) - 1), 1, x * (y & ((1 << 255) - 1)) % P_)
def ed25519_verify(pub, msg, sig):
    A, R = decompress(pub), decompress(sig[:32])
    s = int.from_bytes(sig[32:], "little")
    if A is None or R is None or s >= Q_:
        return False
    h = int.from_bytes(hashlib.sha512(sig[:32] + pub + msg).digest(), "little") % Q_
    return same(mul(s, G), add(R, mul(h, A)))

def fail(msg):
    sys.exit("proof rejected: " + msg)

pr = json.load(open(sys.argv[1])); want_id = sys.argv[3]
rows = [l.rstrip("\n").split("|", 2) for l in open(sys.argv[2], encoding="utf-8")]
if pr["execution_id"] != want_id:
    fail("execution_id %s" % pr["execution_id"])
size = pr["tree_size"]; root = bytes.fromhex(pr["root_hash"])

# the tree: recomputed from every stored event's bytes, not from stored leaves
bodies = [r[2] for r in rows if int(r[0]) < size]
if len(bodies) != size:
    fail("the store has %d events below tree_size %d" % (len(bodies), size))
if mth([H(b"\x00" + b.encode()) for b in bodies]) != root:
    fail("root_hash is not the Merkle tree hash of the stored events")

# the events: all of this execution's, each hashed, placed and proven
seqs = [int(r[0]) for r in rows if r[1] == want_id and int(r[0]) < size]
if [e["seq"] for e in pr["events"]] != seqs:
    fail("events %s, the ledger has %s" % ([e["seq"] for e in pr["events"]], seqs))
for e in pr["events"]:
    raw = e["event"].encode()
    leaf = bytes.fromhex(e["leaf_hash"])
    if H(b"\x00" + raw) != leaf:
        fail("seq %d: leaf_hash is not SHA-256(0x00 || event)" % e["seq"])
    if raw.decode() != bodies[e["seq"]]:
        fail("seq %d: event bytes differ from the stored body" % e["seq"])
    ev = json.loads(raw)
    if ev["execution_id"] != want_id or ev["seq"] != e["seq"]:
        fail("seq %d: the event says execution %s seq %s" % (e["seq"], ev["execution_id"], ev["seq"]))
    if json.dumps(ev, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode() != raw:
        fail("seq %d: the event bytes are not compact sorted JSON" % e["seq"])
    path = [bytes.fromhex(p) for p in e["inclusion_proof"]]
    if not verify_inclusion(e["seq"], size, leaf, path, root):
        fail("seq %d: the inclusion proof does not lead to root_hash" % e["seq"])

# the checkpoint note: origin, size, base64 root, then a signature line
note = pr["checkpoint"]
text, sep, sigs = note.partition("\n\n")
lines = text.split("\n")
if lines[1] != str(size):
    fail("note size %r != tree_size %d" % (lines[1], size))
if base64.b64decode(lines[2]) != root:
    fail("note root %s != root_hash" % lines[2])
name, khash, kb64 = pr["verifier_key"].split("+", 2)
kraw = base64.b64decode(kb64)
if kraw[0] != 1 or len(kraw) != 33:
    fail("verifier key is not an Ed25519 key")
if H(name.encode() + b"\n" + kraw)[:4].hex() != khash:
    fail("verifier key hash does not match the key")
ok_sig = False
for line in sigs.strip("\n").split("\n"):
    dash, sname, sb64 = line.split(" ")
    blob = base64.b64decode(sb64)
    if dash == "\u2014" and sname == name and blob[:4].hex() == khash:
        ok_sig = ed25519_verify(kraw[1:], (text + "\n").encode(), blob[4:])
if not ok_sig:
    fail("no valid Ed25519 signature by %s on the note" % name)
print("proof OK: %d events of %s in a tree of %d" % (len(pr["events"]), want_id, size))
PY

sql "$DB" "SELECT seq, execution_id, body FROM ledger ORDER BY seq" >"$T_DIR/ledger.rows"
expect_exit 0 "proof X" et proof $X
cp "$T_DIR/out" "$T_DIR/proof-x.json"
eq "$(jget "$T_DIR/proof-x.json" '[d["execution_id"], d["tree_size"], [e["seq"] for e in d["events"]]]')" \
  "[\"$X\",$NEV,[1,2,3,4,7,8]]" "proof X: its six events in a tree of $NEV"
check "proof X verifies independently (leaves, placement, inclusion, root, note, signature)" \
  python3 "$T_DIR/check_proof.py" "$T_DIR/proof-x.json" "$T_DIR/ledger.rows" $X
check "proof by an 8-character prefix works too" et proof "${R2:0:8}"
cp "$T_DIR/out" "$T_DIR/proof-r2.json"
check "proof R2 (one event) verifies independently" python3 "$T_DIR/check_proof.py" "$T_DIR/proof-r2.json" "$T_DIR/ledger.rows" $R2

# the checker can fail: each alteration must be rejected
mutate() { # NAME PYTHON-STATEMENT-over-d: write $T_DIR/bad-NAME.json from proof-x
  python3 - "$T_DIR/proof-x.json" "$T_DIR/bad-$1.json" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
exec(sys.argv[3])
json.dump(d, open(sys.argv[2], "w"))
PY
}
rejects() { # NAME DESCRIPTION EXPECTED-REASON
  expect_exit 1 "$2" python3 "$T_DIR/check_proof.py" "$T_DIR/bad-$1.json" "$T_DIR/ledger.rows" $X
  contains "$T_DIR/err" "$3" "$2: for the right reason"
}
mutate hexdigit 'p = d["events"][2]["inclusion_proof"]; h = p[1]; p[1] = h[:7] + ("0" if h[7] != "0" else "1") + h[8:]'
rejects hexdigit "one hex digit of one proof element flipped: rejected" "seq 3: the inclusion proof does not lead to root_hash"
mutate shortpath 'd["events"][0]["inclusion_proof"].pop()'
rejects shortpath "a proof missing its last element: rejected" "seq 1: the inclusion proof does not lead to root_hash"
mutate event 'd["events"][1]["event"] = d["events"][1]["event"].replace("prompt for X", "prompt for Z")'
rejects event "an altered event: rejected" "seq 2: leaf_hash is not SHA-256(0x00 || event)"
mutate root 'd["root_hash"] = d["root_hash"][:-1] + ("0" if d["root_hash"][-1] != "0" else "1")'
rejects root "an altered root_hash: rejected" "root_hash is not the Merkle tree hash"
mutate note 'd["checkpoint"] = d["checkpoint"].replace("\n%d\n" % d["tree_size"], "\n%d\n" % (d["tree_size"] - 1), 1)'
rejects note "an altered checkpoint size: rejected" "note size"
mutate sig 'import re; d["checkpoint"] = d["checkpoint"].replace("time ", "time  ", 1)'
rejects sig "a note edited after signing: rejected" "no valid Ed25519 signature"
mutate drop 'd["events"].pop(2)'
rejects drop "a proof leaving out one of the execution's events: rejected" "events [1, 2, 4, 7, 8], the ledger has [1, 2, 3, 4, 7, 8]"

expect_exit 6 "proof of an unknown id exits 6" et proof 00000000-0000-4000-8000-000000000000
contains "$T_DIR/err" "no execution" "the message says so"
expect_exit 0 "verify at the end (proof stored signed checkpoints)" et verify
contains "$T_DIR/out" "OK: $NEV events verified, 2 signed checkpoint(s) match" "both proofs' checkpoints are stored and match"

done_testing
