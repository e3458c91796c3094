#!/bin/bash
# SPDX-License-Identifier: MIT
# Witnessing (C2SP tlog-witness, docs/SECURITY.md "Witnesses"): a witness
# (exectrail serve --witness, its own home) cosigns a trail's checkpoints
# only when they extend what it cosigned before; the trail pushes with
# checkpoint --push URL and verify --witness-key checks the cosignature.
# A rolled-back or forked trail is refused, the cosignature format is
# checked independently (node's Ed25519), and malformed requests get the
# protocol's statuses.
. "$ET_SOURCE_DIR/tests/cli/lib.sh"
. "$ET_SOURCE_DIR/tests/cli/serve_lib.sh"

LOG_HOME=$EXECTRAIL_HOME
W_HOME="$T_DIR/witness-home"
as_witness() { EXECTRAIL_HOME=$W_HOME "$EXECTRAIL" "$@"; }
add_event() {
  spec_record "$(cat /proc/sys/kernel/random/uuid)" | et record - >/dev/null
}

# ---- set-up: a witness key, a trail it trusts ----
expect_exit 0 "witness init prints the witness's verifier key" \
  as_witness witness init --name witness.test/w1
VK=$(cat "$T_DIR/out")
case "$VK" in
  witness.test/w1+????????+*) ok "the key is name+id+base64" ;;
  *) not_ok "the key is name+id+base64" "got '$VK'" ;;
esac
expect_exit 7 "witness init --name again refuses to rename the key" \
  as_witness witness init --name other
expect_exit 0 "witness init again keeps the key" as_witness witness init
eq "$(cat "$T_DIR/out")" "$VK" "the same verifier key"
key_mode=$(stat -c %a "$W_HOME/witness/key")
eq "$key_mode" 600 "the witness's secret key is mode 0600"

add_event
add_event
expect_exit 0 "checkpoint --identity" et checkpoint --identity
read -r ORIGIN LOGKEY <"$T_DIR/out"
case "$ORIGIN" in exectrail/*) ok "origin names the trail" ;;
  *) not_ok "origin names the trail" "got '$ORIGIN'" ;; esac

expect_exit 3 "trust refuses a bad log key" \
  as_witness witness trust "$ORIGIN" "not-a-key"
contains "$T_DIR/err" "log key" "...naming the key"
expect_exit 3 "trust refuses a witness key as a log key" \
  as_witness witness trust "$ORIGIN" "$VK"
expect_exit 3 "trust refuses an origin with a space" \
  as_witness witness trust "a b" "$LOGKEY"
expect_exit 0 "trust the trail" as_witness witness trust "$ORIGIN" "$LOGKEY"
expect_exit 7 "trusting it twice is refused" \
  as_witness witness trust "$ORIGIN" "$LOGKEY"
expect_exit 0 "witness list" as_witness witness list
contains "$T_DIR/out" "nothing cosigned yet" "list: nothing cosigned yet"

EXECTRAIL_HOME=$W_HOME serve_start --witness || { done_testing; }
W="$URL/witness"

# ---- first push: old 0, no proof ----
expect_exit 2 "--push URL without --witness-key is a usage error" \
  et checkpoint --push "$W"
expect_exit 2 "--witness-key with a log's key is a usage error" \
  et checkpoint --push "$W" --witness-key "$LOGKEY"
expect_exit 0 "first push is cosigned" \
  et checkpoint --push "$W" --witness-key "$VK" --out "$T_DIR/c1.note"
contains "$T_DIR/err" "cosigned tree size 2 (it held 0 before)" \
  "...tree size 2, from 0"
contains "$T_DIR/c1.note" "— witness.test/w1 " "the note carries the cosignature"
expect_exit 0 "verify --checkpoint --witness-key" \
  et verify --checkpoint "$T_DIR/c1.note" --witness-key "$VK"
contains "$T_DIR/out" "cosigned by witness witness.test/w1 at" \
  "verify names the witness and the time"

# the cosignature checked without exectrail: key id over 0x04, blob of
# key id || time || Ed25519("cosignature/v1\ntime T\n" || body)
if command -v node >/dev/null; then
  node - "$T_DIR/c1.note" "$VK" >"$T_DIR/node.out" 2>&1 <<'JS'
const fs = require('fs'), crypto = require('crypto');
const note = fs.readFileSync(process.argv[2], 'utf8');
const [name, idHex, b64] = process.argv[3].split('+').length > 3
  ? (() => { const p = process.argv[3].split('+'); return [p[0], p[1], p.slice(2).join('+')]; })()
  : process.argv[3].split('+');
const blob = Buffer.from(b64, 'base64');
if (blob[0] !== 4) throw new Error('key type ' + blob[0]);
const pk = blob.subarray(1);
const id = crypto.createHash('sha256')
  .update(Buffer.concat([Buffer.from(name + '\n'), Buffer.from([4]), pk]))
  .digest().subarray(0, 4).toString('hex');
if (id !== idHex) throw new Error('key id ' + id + ' != ' + idHex);
const cut = note.indexOf('\n\n');
const body = note.slice(0, cut + 1);
const line = note.slice(cut + 2).split('\n').find(l => l.startsWith('\u2014 ' + name + ' '));
const sig = Buffer.from(line.split(' ')[2], 'base64');
if (sig.length !== 76 || sig.subarray(0, 4).toString('hex') !== id) throw new Error('blob');
const t = sig.readBigUInt64BE(4);
const msg = Buffer.from('cosignature/v1\ntime ' + t + '\n' + body);
const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), pk]);
const key = crypto.createPublicKey({ key: spki, format: 'der', type: 'spki' });
console.log(crypto.verify(null, msg, key, sig.subarray(12)) ? 'valid' : 'INVALID');
JS
  eq "$(tail -1 "$T_DIR/node.out")" valid \
    "node's Ed25519 verifies the cosignature/v1 over the checkpoint body"
else
  skip_note "node is not installed: the independent cosignature check"
fi

# libcurl is loaded on the first push, not linked (process start-up)
if ldd "$EXECTRAIL" 2>/dev/null | grep -q libcurl; then
  not_ok "the binary does not link libcurl" "$(ldd "$EXECTRAIL" | grep libcurl)"
else
  ok "the binary does not link libcurl"
fi
expect_exit 5 "without a loadable libcurl a push is exit 5" \
  env EXECTRAIL_LIBCURL="$T_DIR/no-such-libcurl.so" "$EXECTRAIL" checkpoint \
  --push "$W" --witness-key "$VK"
contains "$T_DIR/err" "apt-get install libcurl4" "...saying what to install"

# ---- later pushes prove consistency from the witness's size ----
add_event
add_event
add_event
expect_exit 0 "second push is cosigned with a consistency proof" \
  et checkpoint --push "$W" --witness-key "$VK" --out "$T_DIR/c2.note"
contains "$T_DIR/err" "cosigned tree size 5 (it held 2 before)" \
  "...tree size 5, from 2"
expect_exit 0 "witness list shows the size" as_witness witness list
contains "$T_DIR/out" "cosigned up to 5" "list: cosigned up to 5"
expect_exit 0 "a push with nothing new is cosigned again (same size)" \
  et checkpoint --push "$W" --witness-key "$VK" --out "$T_DIR/c3.note"

# ---- two witnesses cosign one checkpoint ----
W2_HOME="$T_DIR/witness2-home"
VK2=$(EXECTRAIL_HOME=$W2_HOME "$EXECTRAIL" witness init --name witness.test/w2 2>/dev/null)
EXECTRAIL_HOME=$W2_HOME "$EXECTRAIL" witness trust "$ORIGIN" "$LOGKEY" 2>/dev/null
EXECTRAIL_HOME=$W2_HOME "$EXECTRAIL" serve --listen 127.0.0.1:0 \
  --port-file "$T_DIR/port2" --witness 2>>"$T_DIR/serve2.log" &
W2_PID=$!
T_PIDS="$T_PIDS $W2_PID"
for _ in $(seq 1 300); do [ -s "$T_DIR/port2" ] && \
  curl -fsS -o /dev/null "http://127.0.0.1:$(cat "$T_DIR/port2")/healthz" 2>/dev/null && break; sleep 0.1; done
W2="http://127.0.0.1:$(cat "$T_DIR/port2")/witness"
add_event
expect_exit 2 "two URLs and one key is a usage error" \
  et checkpoint --push "$W" --push "$W2" --witness-key "$VK"
expect_exit 0 "push to two witnesses at once" \
  et checkpoint --push "$W" --witness-key "$VK" --push "$W2" \
  --witness-key "$VK2" --out "$T_DIR/c2w.note"
contains "$T_DIR/err" "witness.test/w1 cosigned tree size 6 (it held 5 before)" \
  "...the first witness went from 5 to 6"
contains "$T_DIR/err" "witness.test/w2 cosigned tree size 6 (it held 0 before)" \
  "...the second from 0 to 6"
eq "$(grep -c '^— witness.test/' "$T_DIR/c2w.note")" 2 \
  "one checkpoint carries both cosignatures"
expect_exit 0 "verify with both witness keys" \
  et verify --checkpoint "$T_DIR/c2w.note" --witness-key "$VK" \
  --witness-key "$VK2" --json
contains "$T_DIR/out" '"cosigned_by"' "verify --json lists the witnesses"
contains "$T_DIR/out" '"witness.test/w2"' "...the second one too"
kill -TERM "$W2_PID"
wait "$W2_PID"
eq "$?" 0 "the second witness stops cleanly on SIGTERM"

# ---- a wrong witness key: the cosignature is not kept ----
OTHER=$(EXECTRAIL_HOME="$T_DIR/other-w" "$EXECTRAIL" witness init --name witness.test/w1 2>/dev/null)
expect_exit 4 "a push checked against another witness key fails" \
  et checkpoint --push "$W" --witness-key "$OTHER"
contains "$T_DIR/err" "cosign" "...saying the cosignature is missing"
expect_exit 4 "verify --witness-key with another key fails" \
  et verify --checkpoint "$T_DIR/c2.note" --witness-key "$OTHER"
# a cosignature altered in the note
sed 's/^\(— witness.test\/w1 .\{20\}\)./\1A/' "$T_DIR/c2.note" >"$T_DIR/bad.note"
if cmp -s "$T_DIR/bad.note" "$T_DIR/c2.note"; then
  sed 's/^\(— witness.test\/w1 .\{20\}\)./\1B/' "$T_DIR/c2.note" >"$T_DIR/bad.note"
fi
expect_exit 4 "verify refuses an altered cosignature" \
  et verify --checkpoint "$T_DIR/bad.note" --witness-key "$VK"
expect_exit 2 "--witness-key without --checkpoint is a usage error" \
  et verify --witness-key "$VK"

# ---- a trail rolled back: the witness holds a larger tree ----
sqlite_only "the roll-back copies the SQLite file" && {
  cp "$DB" "$T_DIR/trail-at-6.db"
  add_event
  expect_exit 0 "push at size 7" et checkpoint --push "$W" --witness-key "$VK"
  # restore the older file: the trail (and its key) at size 6 again
  et verify --no-projections >/dev/null 2>&1
  rm -f "$DB-wal" "$DB-shm"
  cp "$T_DIR/trail-at-6.db" "$DB"
  expect_exit 4 "a rolled-back trail's push fails (integrity)" \
    et checkpoint --push "$W" --witness-key "$VK"
  contains "$T_DIR/err" "rolled back or forked" "...saying it was rolled back"
  # and forked: a different seventh event, so size 7 with another root
  add_event
  expect_exit 4 "a forked trail's push fails (integrity)" \
    et checkpoint --push "$W" --witness-key "$VK"
  contains "$T_DIR/err" "forked or altered" "...saying it was forked"
  ev=$(ls "$W_HOME"/witness/state/*.conflict-* 2>/dev/null | head -1)
  if [ -n "$ev" ] && grep -qF "$ORIGIN" "$ev"; then
    ok "the witness keeps the conflicting checkpoint as evidence"
  else
    not_ok "the witness keeps the conflicting checkpoint as evidence" \
      "$(ls "$W_HOME/witness/state")"
  fi
}

# ---- an unknown trail ----
OTHER_LOG="$T_DIR/other-log"
EXECTRAIL_HOME=$OTHER_LOG "$EXECTRAIL" record "$ET_SOURCE_DIR/tests/data/spec-record.json" >/dev/null 2>&1
expect_exit 6 "a trail the witness does not trust gets not-found" \
  env EXECTRAIL_HOME="$OTHER_LOG" EXECTRAIL_DB= "$EXECTRAIL" checkpoint --push "$W" --witness-key "$VK"
contains "$T_DIR/err" "witness trust" "...saying how to trust it"

# ---- the protocol's answers to bad requests (curl) ----
note=$(cat "$T_DIR/c2.note")
post() { printf '%s\n' "$1" >"$T_DIR/req"; req POST /witness/add-checkpoint --data-binary @"$T_DIR/req"; }
post "nonsense"
status_is 400 "a body without 'old N' is 400"
contains "$T_DIR/body" "byte 0" "...naming the byte offset"
post "old 01
$note"
status_is 400 "a size with a leading zero is 400"
post "old 3
not-base64!

$note"
status_is 400 "a bad proof line is 400"
post "old 0

$(printf 'unknown.example/log\n3\n%s\n\n— someone AAAA\n' "$(head -c 32 /dev/zero | base64)")"
status_is 404 "an unknown origin is 404"
# signed by another key that has the log key's name
forged=$(printf '%s' "$note" | sed 's/^\(— exectrail-[0-9a-f]* .\{20\}\)./\1A/')
[ "$forged" = "$note" ] && forged=$(printf '%s' "$note" | sed 's/^\(— exectrail-[0-9a-f]* .\{20\}\)./\1B/')
post "old 0

$forged"
status_is 403 "a bad log signature is 403"
post "old 99

$note"
status_is 400 "old larger than the checkpoint is 400"
post "old 1

$note"
status_is 409 "a stale old size is 409"
ct=$(tr -d '\r' <"$T_DIR/headers" | sed -n 's/^[Cc]ontent-[Tt]ype: *//p')
eq "$ct" "text/x.tlog.size" "...with Content-Type text/x.tlog.size"
[ -n "$(cat "$T_DIR/body")" ] && ok "...and the witness's size in the body" \
  || not_ok "...and the witness's size in the body"

# ---- a damaged state file: refused with a message, never cosigned over ----
ST="$W_HOME/witness/state/$(printf '%s' "$ORIGIN" | sha256sum | cut -c1-64)"
if [ -f "$ST" ]; then
  cp "$ST" "$T_DIR/state.saved"
  printf 'not a state\n' >"$ST"
  expect_exit 1 "a push to a witness whose state is damaged fails" \
    et checkpoint --push "$W" --witness-key "$VK"
  contains "$T_DIR/err" "is damaged" "...the witness says its state is damaged (500)"
  expect_exit 4 "witness list names the damaged state (exit 4)" as_witness witness list
  cp "$T_DIR/state.saved" "$ST"
else
  not_ok "the witness keeps its state in state/<sha256 of the origin>" "$(ls "$W_HOME/witness/state")"
fi

# ---- the state survives a restart ----
serve_stop
EXECTRAIL_HOME=$W_HOME serve_start --witness || { done_testing; }
post "old 0

$note"
status_is 409 "after a restart the witness still holds its size (409 for old 0)"
serve_stop

# a server without --witness has no witness
serve_start
post "old 0

$note"
status_is 404 "a server without --witness answers 404"
serve_stop
openapi_check "every witness answer matches docs/openapi.yaml"

done_testing
