#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The failure model of docs/RELIABILITY.md, one section per failure:
# a bad config.yaml degrades to the defaults with a recorded warning (and
# `spool replay` recovers what an older version quarantined for it); a full
# or read-only data directory (a small tmpfs mounted here, as root) sends
# hook events to the fallback spool, counting sent / acknowledged / stored;
# -wal/-shm left read-only by a read-only trail.db are repaired and `spool
# replay` reports the real backlog; `retention run --dir FILE` does not
# block later runs; `import --on-error skip` skips an oversize line.
. "$(dirname "$0")/lib.sh"

tool_json() { # tool_json N [SESSION]: a PostToolUse with tool_use_id tu_N
  printf '{"session_id":"%s","transcript_path":"/t/s.jsonl","cwd":"/w","hook_event_name":"PostToolUse","tool_name":"Bash","tool_input":{"command":"echo %s"},"tool_response":{"stdout":"%s\\n","stderr":"","interrupted":false},"tool_use_id":"tu_%s","duration_ms":%s}' "${2:-s-rel}" "$1" "$1" "$1" "$1"
}
count_tools() { sql "$1" "SELECT count(DISTINCT json_extract(body,'$.body.tool_use_id')) FROM ledger WHERE type = 'session.tool'"; }
spooled() { et spool status --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["spooled"], d["quarantined"])'; }

# ---- bad config: defaults, a recorded warning, nothing quarantined ----
check "init" et init
printf 'security: {apiz: 1}\n' >"$EXECTRAIL_HOME/config.yaml"
for i in 1 2 3; do tool_json "$i" | et hook 2>>"$T_DIR/hook.err"; done
eq "$(count_tools "$DB")" "3" "3 hook events with a config typo are recorded"
eq "$(spooled)" "0 0" "nothing spooled or quarantined for a config problem"
eq "$(sql "$DB" "SELECT count(*) FROM ledger WHERE type = 'config.warning'")" "1" "one config.warning event, not one per call"
contains "$T_DIR/hook.err" "unknown setting 'apiz'" "the hook's stderr names the bad setting"
eq "$(sql "$DB" "SELECT count(*) FROM ledger WHERE type = 'config.warning' AND json_extract(body,'$.body.message') LIKE '%config.yaml:1:%apiz%'")" "1" \
  "the warning names file, line and setting"
check "record with a bad config" et start --agent cfg --request "key ghp_AkJiG8XnBE3NnYJoQ9WmXeHH2fdeeTFJGvVv"
eq "$(sql "$DB" "SELECT count(*) FROM ledger WHERE body LIKE '%ghp_AkJiG8%'")" "0" "the defaults redact (every rule on)"
check "verify after the warning" et verify
# what an older version quarantined for a config error is recovered
Q="$EXECTRAIL_HOME/hook-quarantine.log"
J4=$(tool_json 4)
printf '#quarantine 2026-01-01T00:00:00Z %d config.yaml:1:11: security: unknown setting\n%s\n' "${#J4}" "$J4" >>"$Q"
printf '#quarantine 2026-01-01T00:00:01Z 8 not JSON\nnot json\n' >>"$Q"
J5=$(tool_json 5)
printf '#quarantine 2026-01-01T00:00:02Z %d config.yaml:1:11: security: unknown setting\n%s\n' "${#J5}" "$J5" >>"$Q"
eq "$(spooled)" "0 3" "three quarantined entries"
check "spool replay" et spool replay
contains "$T_DIR/err" "2 recovered from quarantine, 1 still quarantined" "replay reports what it recovered"
eq "$(count_tools "$DB")" "5" "the config-quarantined events are recorded"
eq "$(spooled)" "0 1" "the malformed entry stays quarantined"
contains "$Q" "not json" "with its bytes"
check "spool replay again" et spool replay
eq "$(count_tools "$DB")" "5" "replaying again records nothing twice"
rm -f "$EXECTRAIL_HOME/config.yaml"

# ---- -wal/-shm left read-only; the real backlog ----
if ! sqlite_only "a read-only trail.db and its -wal/-shm files"; then
  :
elif [ "$(id -u)" = 0 ] && command -v runuser >/dev/null; then
  U="$T_DIR/u"
  mkdir -p "$U" && chmod 0755 "$T_DIR"
  # a copy nobody can run: the build tree may sit under a directory only
  # root can enter (a fresh clone in a mktemp -d directory, mode 0700)
  cp "$EXECTRAIL" "$T_DIR/exectrail-nobody" && chmod 0755 "$T_DIR/exectrail-nobody"
  as_nobody() { runuser -u nobody -- env EXECTRAIL_HOME="$U/h" "$T_DIR/exectrail-nobody" "$@"; }
  chown nobody "$U"
  as_nobody init >/dev/null 2>&1
  chmod 0444 "$U/h/trail.db"
  for i in 1 2 3; do tool_json "$i" s-ro | as_nobody hook; done
  chmod 0644 "$U/h/trail.db"
  as_nobody spool status --json >"$T_DIR/out" 2>&1
  contains "$T_DIR/out" '"spooled":3' "3 events spooled while trail.db was read-only"
  ls -l "$U/h" >"$T_DIR/ls"
  if as_nobody spool replay 2>"$T_DIR/err"; then ok "replay as the owner after chmod succeeds"; else
    fails "replay as the owner after chmod succeeds" "$(cat "$T_DIR/err")" "$(cat "$T_DIR/ls")"
  fi
  eq "$(count_tools "$U/h/trail.db")" "3" "every spooled event is recorded"
  tool_json 4 s-ro | as_nobody hook
  eq "$(count_tools "$U/h/trail.db")" "4" "the next hook call records at once"
  # the backlog is reported when the store refuses writes
  chmod 0444 "$U/h/trail.db"
  for i in 5 6; do tool_json "$i" s-ro | as_nobody hook; done
  as_nobody spool replay 2>"$T_DIR/err"
  contains "$T_DIR/err" "2 still spooled" "a failed replay reports the real backlog"
else
  echo "# skipped the read-only trail.db section: needs root and runuser"
fi

# ---- disk full and read-only data directory: a small tmpfs ----
if ! sqlite_only "the trail file on a full or read-only filesystem"; then
  :
elif [ "$(id -u)" = 0 ] && mkdir -p "$T_DIR/mnt" &&
  mount -t tmpfs -o size=3m,mode=0700 tmpfs "$T_DIR/mnt" 2>/dev/null; then
  MNT="$T_DIR/mnt"
  trap 'umount -l "$MNT" 2>/dev/null; t_cleanup' EXIT
  # no spool reserve here (t0308 tests it): the fallback is what is tested
  export EXECTRAIL_HOME="$MNT/h" XDG_RUNTIME_DIR="$T_DIR/xdg" EXECTRAIL_SPOOL_RESERVE=0
  FDB="$MNT/h/trail.db"
  mkdir -p "$XDG_RUNTIME_DIR" && chmod 0700 "$XDG_RUNTIME_DIR"
  check "init on the tmpfs" et init
  tool_json 0 s-full | et hook
  eq "$(count_tools "$FDB")" "1" "a hook call on the tmpfs records"
  dd if=/dev/zero of="$MNT/filler" bs=64k 2>/dev/null
  SENT=0 ACK=0
  for i in $(seq 1 10); do
    SENT=$((SENT + 1))
    tool_json "$i" s-full | et hook 2>>"$T_DIR/full.err" && ACK=$((ACK + 1))
  done
  eq "$SENT $ACK $(spooled)" "10 10 10 0" "disk full: 10 sent, 10 acknowledged (exit 0), 10 spooled (fallback)"
  ls "$XDG_RUNTIME_DIR"/exectrail/spool-*/hook-spool.jsonl >/dev/null 2>&1 &&
    ok "the fallback spool is under \$XDG_RUNTIME_DIR/exectrail" || fails "fallback location" "$(ls -R "$XDG_RUNTIME_DIR")"
  rm -f "$MNT/filler"
  check "spool replay after space is freed" et spool replay
  eq "$(count_tools "$FDB") $(spooled)" "11 0 0" "disk full: all 10 stored, nothing left"
  # read-only data directory (the filesystem remounted read-only)
  mount -o remount,ro "$MNT"
  for i in $(seq 11 20); do tool_json "$i" s-full | et hook 2>>"$T_DIR/ro.err"; done
  eq "$(spooled)" "10 0" "read-only directory: 10 sent, 10 spooled (fallback)"
  mount -o remount,rw "$MNT"
  tool_json 21 s-full | et hook
  eq "$(count_tools "$FDB") $(spooled)" "22 0 0" "the next hook call replays the 10 first, then records its own"
  check "verify the tmpfs trail" et verify
  umount -l "$MNT"
  export EXECTRAIL_HOME="$T_DIR/home" XDG_RUNTIME_DIR="" EXECTRAIL_SPOOL_RESERVE=""
else
  echo "# skipped the disk-full / read-only tmpfs section: needs root and mount"
fi

# ---- retention run --dir <a regular file> never blocks later runs ----
export EXECTRAIL_HOME="$T_DIR/ret"
check "init a retention trail" et init
RID=$(EXECTRAIL_NOW=2025-01-01 et start --agent old)
EXECTRAIL_NOW=2025-01-01 et complete "$RID" >/dev/null
: >"$T_DIR/plainfile"
expect_exit 2 "retention run --dir FILE is refused (exit 2)" et retention run --at 2026-06-01 --dir "$T_DIR/plainfile"
contains "$T_DIR/err" "not a directory" "the message says why"
eq "$(sql "$EXECTRAIL_HOME/trail.db" "SELECT count(*) FROM ledger WHERE type = 'retention.run'")" "0" "no run was noted as started"
check "the next run completes" et retention run --at 2026-06-01
contains "$T_DIR/out" "erased 1" "and erases the expired execution"
check "verify after retention" et verify
RBUNDLE=$(ls "$EXECTRAIL_HOME"/archive/retention-*.etar.zst | head -n1)
export EXECTRAIL_HOME="$T_DIR/home"
expect_exit 7 "archive restore of another trail's bundle exits 7 (docs/CLI.md)" et archive restore "$RBUNDLE"
contains "$T_DIR/err" "comes from another trail" "and says so"

# ---- import --on-error skip with a line over the 16 MiB limit ----
export EXECTRAIL_HOME="$T_DIR/imp"
check "init an import trail" et init
python3 - "$ET_SOURCE_DIR/tests/data/spec-record.json" "$T_DIR/big.jsonl" <<'PY'
import json, sys, uuid
r = json.load(open(sys.argv[1]))
def line(i):
    r["execution_id"] = str(uuid.UUID(int=i + 1, version=4))
    return json.dumps(r) + "\n"
with open(sys.argv[2], "w") as f:
    f.write(line(0))
    f.write('{"pad":"' + "x" * (17 << 20) + '"}\n')   # line 2, over 16 MiB
    for i in range(1, 4):
        f.write(line(i))
PY
OFF=$(head -n1 "$T_DIR/big.jsonl" | wc -c)
expect_exit 3 "import --on-error skip with an oversize line exits 3 (a line was rejected)" \
  et import --on-error skip "$T_DIR/big.jsonl"
contains "$T_DIR/err" "line 2: byte $OFF: line is longer than" "the message names the line number and byte offset"
contains "$T_DIR/err" "imported 4 records" "every good line, before and after it, is stored"
eq "$(sql "$EXECTRAIL_HOME/trail.db" "SELECT count(*) FROM executions")" "4" "4 executions stored"
expect_exit 2 "import --batch -1 is refused" et import --batch -1 "$T_DIR/big.jsonl"
expect_exit 3 "import of a directory exits 3" et import "$T_DIR"
contains "$T_DIR/err" "Is a directory" "and says it is a directory"
export EXECTRAIL_HOME="$T_DIR/home"

# ---- checkpoint --out never follows a symlink; --push DIR keeps copies ----
export EXECTRAIL_HOME="$T_DIR/ck"
check "init a checkpoint trail" et init
echo "keep me" >"$T_DIR/victim"
ln -s "$T_DIR/victim" "$T_DIR/link"
check "checkpoint --out onto a symlink" et checkpoint --out "$T_DIR/link"
eq "$(cat "$T_DIR/victim")" "keep me" "the symlink's target is untouched"
[ -f "$T_DIR/link" ] && [ ! -L "$T_DIR/link" ] && ok "the symlink was replaced by the checkpoint" || fails "symlink replaced" "$(ls -l "$T_DIR/link")"
mkdir -p "$T_DIR/witness"
check "checkpoint --push DIR" et checkpoint --push "$T_DIR/witness"
check "checkpoint --push DIR again" et checkpoint --push "$T_DIR/witness"
eq "$(ls "$T_DIR/witness" | grep -c '^checkpoint-.*\.note$')" "2" "two files, none overwritten"
check "verify --checkpoint a pushed file" et verify --checkpoint "$(ls "$T_DIR"/witness/checkpoint-*.note | head -n1)"
expect_exit 2 "checkpoint --push a missing directory exits 2" et checkpoint --push "$T_DIR/nope"
if command -v git >/dev/null; then
  git -C "$T_DIR/witness" init -q && git -C "$T_DIR/witness" config user.email t@example.com && git -C "$T_DIR/witness" config user.name t
  check "checkpoint --push a git work tree" et checkpoint --push "$T_DIR/witness"
  contains "$T_DIR/out" "committed" "it says it committed"
  eq "$(git -C "$T_DIR/witness" log --oneline | wc -l | tr -d ' ')" "1" "one commit holding the new checkpoint"
  # a clone of a repository elsewhere: each --push commits and pushes
  git init -q --bare "$T_DIR/remote.git"
  git clone -q "$T_DIR/remote.git" "$T_DIR/clone" 2>/dev/null
  git -C "$T_DIR/clone" config user.email t@example.com && git -C "$T_DIR/clone" config user.name t
  echo "checkpoints of one trail" >"$T_DIR/clone/README"
  git -C "$T_DIR/clone" add README && git -C "$T_DIR/clone" commit -q -m start &&
    git -C "$T_DIR/clone" push -q -u origin HEAD 2>/dev/null
  check "checkpoint --push a clone with an upstream" et checkpoint --push "$T_DIR/clone"
  contains "$T_DIR/out" "pushed the commit to the upstream" "it says it pushed"
  eq "$(git -C "$T_DIR/remote.git" log --oneline 2>/dev/null | wc -l | tr -d ' ')" "2" "the remote holds the commit"
  git -C "$T_DIR/remote.git" show "HEAD:$(git -C "$T_DIR/clone" ls-files 'checkpoint-*' | head -n1)" >"$T_DIR/remote.note" 2>/dev/null
  check "verify --checkpoint the remote's copy" et verify --checkpoint "$T_DIR/remote.note"
  mv "$T_DIR/remote.git" "$T_DIR/remote.gone"
  expect_exit 1 "a push that fails exits 1 (after the commit)" et checkpoint --push "$T_DIR/clone"
  contains "$T_DIR/err" "git push" "the message names the failed push"
  eq "$(git -C "$T_DIR/clone" log --oneline | wc -l | tr -d ' ')" "3" "the second checkpoint is committed locally"
  mv "$T_DIR/remote.gone" "$T_DIR/remote.git"
  check "the next --push sends both" et checkpoint --push "$T_DIR/clone"
  eq "$(git -C "$T_DIR/remote.git" log --oneline | wc -l | tr -d ' ')" "4" "the remote holds all three"
  # --push GIT_REMOTE: a clone kept in the data directory does the rest
  export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.com
  git init -q --bare "$T_DIR/empty.git"
  check "checkpoint --push an empty remote (file://)" et checkpoint --push "file://$T_DIR/empty.git"
  contains "$T_DIR/out" "pushed the commit to file://" "it says it pushed to the remote"
  check "checkpoint --push the remote again" et checkpoint --push "file://$T_DIR/empty.git"
  eq "$(git -C "$T_DIR/empty.git" log --oneline | wc -l | tr -d ' ')" "2" "the remote holds both commits"
  git -C "$T_DIR/empty.git" show "HEAD:$(git -C "$T_DIR/empty.git" ls-tree --name-only HEAD | grep '^checkpoint-' | tail -n1)" >"$T_DIR/remote2.note" 2>/dev/null
  check "verify --checkpoint the remote's newest copy" et verify --checkpoint "$T_DIR/remote2.note"
  check "checkpoint --push a remote that others push to (.git URL)" et checkpoint --push "$T_DIR/remote.git"
  eq "$(git -C "$T_DIR/remote.git" log --oneline | wc -l | tr -d ' ')" "5" "it pulled first and pushed on top"
  expect_exit 1 "a remote that cannot be cloned exits 1" et checkpoint --push "file://$T_DIR/none.git"
  contains "$T_DIR/err" "git clone failed" "...saying the clone failed"
  unset GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL
else
  skip_note "git is not installed: --push into a git work tree"
fi
export EXECTRAIL_HOME="$T_DIR/home"

done_testing
