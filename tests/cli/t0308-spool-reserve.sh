#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The spool reserve (docs/RELIABILITY.md): on a full disk (a small tmpfs
# mounted here, as root) hook inputs are spooled beside the store, in space
# `init` reserved up front, counting sent / acknowledged / spooled where /
# stored. First with the store locked too (so every input must be spooled),
# then without (the store may take some), then with inputs larger than what
# is left of the reserve (the fallback spool takes over). A malformed input
# reaches the quarantine file the same way. `spool status` says where inputs
# wait; `spool replay` drains every location and makes the reserve whole.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || { echo "1..0 # SKIP needs root (mounts a small tmpfs)"; exit 0; }
case "${EXECTRAIL_DB:-}" in postgresql:* | postgres:*)
  echo "1..0 # SKIP the store must be on the full file system"; exit 0 ;;
esac
MNT="$T_DIR/mnt"
mkdir -p "$MNT"
mount -t tmpfs -o size=8m,mode=0700 tmpfs "$MNT" 2>/dev/null ||
  { echo "1..0 # SKIP cannot mount a tmpfs here"; exit 0; }
trap 'umount -l "$MNT" 2>/dev/null; t_cleanup' EXIT

export EXECTRAIL_HOME="$MNT/h" EXECTRAIL_SPOOL_RESERVE=1M
export EXECTRAIL_SPOOL_FALLBACK="$T_DIR/fb" XDG_RUNTIME_DIR="$T_DIR/xdg"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 0700 "$XDG_RUNTIME_DIR"
FDB="$MNT/h/trail.db"

tool_json() { # tool_json N [STDOUT_BYTES]: a PostToolUse with tool_use_id tu_N
  printf '{"session_id":"s-res","transcript_path":"/t/s.jsonl","cwd":"/w","hook_event_name":"PostToolUse","tool_name":"Bash","tool_input":{"command":"echo %s"},"tool_response":{"stdout":"%s","stderr":"","interrupted":false},"tool_use_id":"tu_%s","duration_ms":1}' \
    "$1" "$(head -c "${2:-1000}" /dev/zero | tr '\0' x)" "$1"
}
stored() { sql "$FDB" "SELECT count(DISTINCT json_extract(body,'$.body.tool_use_id')) || '/' || count(*) FROM ledger WHERE type = 'session.tool'"; }
st() { et spool status --json >"$T_DIR/st" && jget "$T_DIR/st" "$1"; }
where() { # the inputs waiting in the data directory and in the fallback
  st '"%d %d" % (sum(l["spooled"] for l in d["locations"] if l["dir"] == "'"$MNT/h"'"), sum(l["spooled"] for l in d["locations"] if l["dir"] != "'"$MNT/h"'"))'
}
accounted() { # distinct tu_N in the store or in a spool file
  sql "$FDB" "SELECT json_extract(body, '\$.body.tool_use_id') FROM ledger" >"$T_DIR/ids"
  python3 - "$T_DIR/ids" "$MNT/h" "$T_DIR/fb" <<'PY'
import glob, json, os, sys
ids = {line.rstrip("\n") for line in open(sys.argv[1])}
for f in glob.glob(os.path.join(sys.argv[2], "hook-spool.*")) + \
         glob.glob(os.path.join(sys.argv[3], "spool-*", "hook-spool.*")):
    if f.endswith(".reserve") or f.endswith(".lock"):
        continue
    for line in open(f, "rb"):
        try:
            ids.add(json.loads(line)["tool_use_id"])
        except (ValueError, KeyError):
            pass
print(len([i for i in ids if i and i.startswith("tu_")]))
PY
}
SENT=0 ACK=0
send() { # send N [BYTES]: one hook call, counted
  SENT=$((SENT + 1))
  tool_json "$@" | "$EXECTRAIL" hook 2>>"$T_DIR/hook.err" && ACK=$((ACK + 1))
}

check "init on an 8 MiB tmpfs" et init
eq "$(st '[d["reserve"]["bytes"], d["reserve"]["target"]]')" "[1048576,1048576]" \
  "init reserves 1 MiB for the spool (EXECTRAIL_SPOOL_RESERVE=1M)"
send 0
eq "$(stored)" "1/1" "a hook call records while there is space"

# hold the store's write lock (a short busy timeout keeps the calls quick)
export EXECTRAIL_BUSY_TIMEOUT_MS=20
hold_lock "$FDB" "$T_DIR/locked" EXCLUSIVE
check "the store is locked" test -e "$T_DIR/locked"
dd if=/dev/zero of="$MNT/filler" bs=64k 2>/dev/null
eq "$(df --output=avail -B1 "$MNT" | tail -1 | tr -d ' ')" 0 "the file system is full"

# ---- full and locked: every input goes to the reserve ----
for i in $(seq 1 20); do send "$i" 2000; done
eq "$SENT $ACK" "21 21" "20 sent while full and locked, all acknowledged (exit 0)"
eq "$(where)" "20 0" "all 20 spooled beside the store, none in the fallback"
R=$(st 'd["reserve"]["bytes"]')
if [ "$R" -lt 1048576 ] && [ "$R" -gt 0 ]; then ok "the reserve gave back space ($R bytes left)"
else fails "the reserve gave back space" "$R bytes left"; fi
printf 'not json' | "$EXECTRAIL" hook 2>>"$T_DIR/hook.err"
eq "$(st 'd["quarantined"]')" 1 "a malformed input still reaches the quarantine file"
et spool status >"$T_DIR/status.txt"
contains "$T_DIR/status.txt" "20 in $MNT/h" "spool status says where the inputs wait"

# ---- larger than what is left: the fallback takes over ----
for i in 21 22 23; do send "$i" 400000; done
eq "$SENT $ACK" "24 24" "3 inputs of 400 kB sent, all acknowledged"
W=$(where)
eq "$(( ${W% *} + ${W#* } ))" 23 "23 spooled in all ($W: data directory, fallback)"
if [ "${W#* }" -gt 0 ]; then ok "the fallback took what the reserve could not"
else fails "the fallback took what the reserve could not" "$W"; fi
et spool status >"$T_DIR/status.txt"
contains "$T_DIR/status.txt" "$T_DIR/fb/spool-" "spool status names the fallback"
contains "$T_DIR/status.txt" "(fallback)" "and marks it"

# ---- full, not locked: each input is stored or spooled ----
rm -f "$T_DIR/locked"
wait "$LOCKER"
T_PIDS=""
for i in $(seq 24 33); do send "$i" 2000; done
eq "$SENT $ACK" "34 34" "10 more sent while full, all acknowledged"
# a replay the full disk cut short keeps its lines (some already stored)
# aside until the next one: count distinct inputs
eq "$(accounted)" "$ACK" "each of the $ACK is stored or spooled ($(stored | cut -d/ -f1) stored)"
not_contains "$T_DIR/hook.err" "cannot spool" "no hook call lost its input"

# ---- space again: replay drains every location, the reserve is whole ----
rm -f "$MNT/filler"
check "spool replay" et spool replay
eq "$(stored)" "34/34" "every acknowledged input stored once (34 sent, 34 stored)"
eq "$(st '[d["spooled"], d["quarantined"]]')" "[0,1]" "nothing waits (the malformed input stays quarantined)"
eq "$(st 'd["reserve"]["bytes"]')" 1048576 "the reserve is whole again"
check "spool replay again" et spool replay
eq "$(stored)" "34/34" "a second replay stores nothing twice"
check "verify passes" et verify
EXECTRAIL_SPOOL_RESERVE=0 et spool replay >/dev/null 2>&1
[ ! -e "$MNT/h/hook-spool.reserve" ] && ok "EXECTRAIL_SPOOL_RESERVE=0 removes the reserve" ||
  fails "EXECTRAIL_SPOOL_RESERVE=0 removes the reserve" "$(ls -l "$MNT/h")"
done_testing
