# SPDX-License-Identifier: MIT
"""Tampering that needs hashes (used by t0303-tamper-suite.sh).

tamper_forge.py DB erase    null a live event's body, append an unsigned
                            retention.erased event naming it, extend the tree
rewrite                     rewrite a live event and its leaf, recompute the
                            tree head (what someone without the key can do)
"""
import hashlib, json, sqlite3, sys, datetime as dt

db = sqlite3.connect(sys.argv[1])
op = sys.argv[2]


def leaf(b):
    return hashlib.sha256(b"\x00" + b).digest()


def node(l, r):
    return hashlib.sha256(b"\x01" + l + r).digest()


def mth(leaves):
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node(mth(leaves[:k]), mth(leaves[k:]))


def save_head():
    leaves = [bytes(r[0]) for r in db.execute("SELECT leaf FROM ledger ORDER BY seq")]
    n, off, peaks = len(leaves), 0, b""
    while off < n:
        span = 1 << ((n - off).bit_length() - 1)
        peaks += mth(leaves[off:off + span])
        off += span
    db.execute("UPDATE tree_head SET size = ?, state = ?", (n, n.to_bytes(8, "big") + peaks))


seq, eid = db.execute("SELECT min(seq), execution_id FROM ledger WHERE type = 'execution.recorded'").fetchone()
if op == "erase":
    db.execute("UPDATE ledger SET body = NULL WHERE seq = ?", (seq,))
    n, ts_ns = db.execute("SELECT max(seq) + 1, max(ts_ns) + 1000000 FROM ledger").fetchone()
    ts = dt.datetime.fromtimestamp(ts_ns // 10**9, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S") + ".%03dZ" % (ts_ns // 10**6 % 1000)
    ev = {"body": {"rule": "successful_executions", "keep": "90d", "policy": "defaults",
                   "archive": None, "run": "forged", "seqs": [seq]},
          "execution_id": eid, "seq": n, "ts": ts, "type": "retention.erased", "v": 1}
    b = json.dumps(ev, sort_keys=True, separators=(",", ":")).encode()
    db.execute("INSERT INTO ledger(seq, type, execution_id, ts_ns, leaf, body) VALUES (?,?,?,?,?,?)",
               (n, "retention.erased", eid, ts_ns, leaf(b), b.decode()))
    db.execute("INSERT INTO event_index(seq, execution_id) VALUES (?, ?)", (n, eid))
elif op == "rewrite":
    b = db.execute("SELECT body FROM ledger WHERE seq = ?", (seq,)).fetchone()[0]
    b = b.replace("agent-name", "agent-namX").encode()
    db.execute("UPDATE ledger SET body = ?, leaf = ? WHERE seq = ?", (b.decode(), leaf(b), seq))
    db.execute("UPDATE executions SET agent_name = 'agent-namX' WHERE execution_id = ?", (eid,))
else:
    sys.exit("unknown op " + op)
save_head()
db.commit()
