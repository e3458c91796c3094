#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Group commit in exectrail serve (docs/API.md, "Group commit"): concurrent
# writers share durable commits; every write answered 2xx is in the store
# after a kill -9 right after the answers (nothing twice); a group whose
# commit fails answers 503 with Retry-After for each of its writes, none of
# which is stored, and a hook input in such a group goes to the spool.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve_lib.sh"

burst() { # TAG THREADS N KINDS [--kill PID AFTER]: lines in $T_DIR/TAG.out
  tag=$1
  shift
  python3 "$ET_SOURCE_DIR/tests/cli/serve_burst.py" "$(cat "$T_DIR/port")" \
    "$tag" "$@" >"$T_DIR/$tag.out"
}
# tally TAG [KIND]: "sent acked stored dup lost ghost" over the burst's
# writes (of KIND): lost = acknowledged, not stored; ghost = stored, but
# answered 503
tally() {
  sql "$DB" "SELECT type, execution_id, json_extract(body, '\$.body.input'),
    json_extract(body, '\$.body.prompt') FROM ledger WHERE type IN
    ('execution.recorded', 'action.recorded', 'session.hook')" >"$T_DIR/rows"
  python3 - "$T_DIR/rows" "$T_DIR/$1.out" "${2:-}" <<'PY'
import collections, sys
n = collections.Counter()
for row in open(sys.argv[1]):
    t, eid, inp, prompt = row.rstrip("\n").split("|")
    n[{"execution.recorded": ("record", eid), "action.recorded":
       ("action", inp), "session.hook": ("hook", prompt)}[t]] += 1
sent = acked = stored = dup = lost = ghost = 0
for line in open(sys.argv[2]):
    st, kind, key, _ = line.split()
    if sys.argv[3] and kind != sys.argv[3]:
        continue
    st, c = int(st), n[(kind, key)]
    sent += 1
    acked += 200 <= st < 300
    stored += c > 0
    dup += c > 1
    lost += 200 <= st < 300 and c == 0
    ghost += st == 503 and c > 0
print(sent, acked, stored, dup, lost, ghost)
PY
}
metric() { sed -n "s/^$1 //p" "$T_DIR/body"; }

check "init a trail" et init
serve_start || fails "the server starts" "see serve.log"

# ---- many writers at once: they share commits ----
burst p1 8 6 record,action
read -r sent acked stored dup lost ghost <<<"$(tally p1)"
eq "$sent/$acked/$stored/$dup" "48/48/48/0" "8 concurrent writers: 48 writes sent, acknowledged, stored once each"
req GET /metrics
commits=$(metric exectrail_group_commits_total)
writes=$(metric exectrail_group_commit_writes_total)
if [ "$writes" -ge 52 ] && [ "$commits" -lt "$writes" ]; then
  ok "the writes shared commits ($writes writes in $commits group commits)"
else
  not_ok "the writes shared commits" "$writes writes, $commits commits"
fi

# ---- kill -9 right after the acknowledgements ----
burst p2 8 30 record,action --kill "$SERVE_PID" 60
{ wait "$SERVE_PID"; } 2>/dev/null
read -r sent acked stored dup lost ghost <<<"$(tally p2)"
if [ "$acked" -ge 60 ] && [ "$stored" -ge "$acked" ] && [ "$dup" -eq 0 ] &&
   [ "$lost" -eq 0 ]; then
  ok "kill -9 after $acked acknowledgements: sent $sent, acknowledged $acked, stored $stored, none twice, none lost"
else
  not_ok "kill -9 right after the acknowledgements" \
    "sent $sent acked $acked stored $stored dup $dup lost $lost"
fi

# ---- a group commit that fails ----
# The fault VFS fails the new server's first write to the store: the
# commit of its first group. Another process holds the store's write lock
# until 8 writes (4 records, 4 hook inputs) wait for the writer, so they
# all are in that group; no time limit splits it. A record sent again
# first readies the writer's handle: it is refused (409) and its group
# rolls back without writing.
if sqlite_only "the failed commit is made by the SQLite fault VFS (ET_TEST_IO_FAULT)"; then
  ET_TEST_IO_FAULT=1:eio serve_start --group-commit-ms 600000 ||
    fails "the server starts" "see serve.log"
  again=$(awk '$1 == 201 && $2 == "record" {print $3; exit}' "$T_DIR/p1.out")
  req POST /v1/executions -H "$JSON_CT" --data-binary "$(spec_record "$again")"
  status_is 409 "a record sent again is refused (409), and writes nothing"
  hold_lock "$DB" "$T_DIR/locked"
  burst p3 8 4 record,hook &
  BURST=$!
  for _ in $(seq 1 400); do
    req GET /metrics
    [ "$(metric exectrail_write_queue)" = 7 ] && break
    sleep 0.02
  done
  eq "$(metric exectrail_write_queue)" 7 "7 writes queue behind the one waiting for the lock"
  rm -f "$T_DIR/locked"
  wait "$LOCKER" "$BURST"
  req GET /metrics
  eq "$(metric exectrail_group_commit_failures_total)" 1 "/metrics counts one failed group"
  serve_stop TERM
  eq "$(awk '$1 == 503 && $4 == 1' "$T_DIR/p3.out" | wc -l)" 4 "its 4 records are answered 503 with Retry-After"
  eq "$(awk '$1 == 202 && $2 == "hook"' "$T_DIR/p3.out" | wc -l)" 4 "its 4 hook inputs 202: kept in the spool"
  eq "$(awk '$1 != 503 && $1 != 202' "$T_DIR/p3.out" | awk '$1 >= 300' | wc -l)" 0 "the 24 writes after it are acknowledged"
  read -r sent acked stored dup lost ghost <<<"$(tally p3 record)"
  eq "$sent/$acked/$stored/$lost/$ghost/$dup" "16/12/12/0/0/0" "records: every acknowledged one stored, none answered 503"
  check "spool replay (for what no later hook input replayed)" et spool replay
  read -r sent acked stored dup lost ghost <<<"$(tally p3 hook)"
  eq "$sent/$acked/$stored/$dup" "16/16/16/0" "hook inputs: each stored once"
fi
check "exectrail verify passes after the kill -9 and the failed commit" et verify
done_testing
