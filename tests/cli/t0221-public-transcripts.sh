#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Real Claude Code sessions from a public repository
# (tests/data/transcripts-public/, README there): each imports with
# `exectrail import claude-code`, and every subagent delegation's stored
# record agrees field by field with what the raw transcript says (agent
# type, prompt, description, response, each tool call as an action with
# its input, success, error and time, the derived lists, session id,
# model). transcript_check.py computes the expected values from the JSON
# lines itself and prints, per transcript, the fields checked and
# mismatched; mismatches that are known adapter bugs are listed there and
# counted, not failed. Then the same sessions imported in pieces must give
# the same records (the subagent file before its main transcript; a
# transcript cut mid-delegation, as a periodic import sees it).
. "$(dirname "$0")/lib.sh"

SRC="$ET_SOURCE_DIR/tests/data/transcripts-public/marot-spotter"
CHECK="$ET_SOURCE_DIR/tests/cli/transcript_check.py"
SESSIONS="258c7280-ae70-4798-800f-63464d01a85d 4d5611e5-241a-462a-8d15-5122611a9569
fa812bfe-b295-4cca-9c2f-fdf01028cb46 ae4a77f8-aedd-4bc1-888f-c94edc91af04 subagent"

# unpack S DIR: the session's files as Claude Code wrote them
unpack() {
  mkdir -p "$2"
  gzip -dc "$SRC/$1.jsonl.gz" >"$2/$1.jsonl"
  if [ -d "$SRC/$1" ]; then
    mkdir -p "$2/$1/subagents"
    for f in "$SRC/$1"/subagents/*.jsonl.gz; do
      b=$(basename "$f" .gz)
      gzip -dc "$f" >"$2/$1/subagents/$b"
    done
  fi
}

# compare NAME DIR [WHAT]: run the checker against the current trail
compare() {
  if python3 "$CHECK" "$EXECTRAIL" "$2" "$1" >"$T_DIR/cmp" 2>&1; then
    ok "${3:+$3: }$(tail -n 1 "$T_DIR/cmp")"
  else
    not_ok "$1${3:+ ($3)}: stored record differs from the transcript" \
      "$(grep -v '^KNOWN' "$T_DIR/cmp" | head -c 2000)"
  fi
  sed 's/^/# /' "$T_DIR/cmp" | cut -c1-400
}

for s in $SESSIONS; do
  export EXECTRAIL_HOME="$T_DIR/$s/home"
  unpack "$s" "$T_DIR/$s/tr"
  check "$s: imports" et import claude-code "$T_DIR/$s/tr"
  contains "$T_DIR/err" " 0 skipped" "$s: no line skipped"
  compare "$s" "$T_DIR/$s/tr"
  check "$s: verify" et verify
done

# ---- the same sessions imported in pieces ----
# (a) the subagent's own file first (its main transcript not yet there),
# then the whole session
s=4d5611e5-241a-462a-8d15-5122611a9569
export EXECTRAIL_HOME="$T_DIR/piece-a/home"
check "$s: the subagent file alone" \
  et import claude-code "$T_DIR/$s/tr/$s/subagents/agent-a2898e3.jsonl"
contains "$T_DIR/err" "could not be attached" "says its calls are unattached"
check "$s: then the whole session" et import claude-code "$T_DIR/$s/tr"
compare "$s" "$T_DIR/$s/tr" piecewise

# (b) a periodic import: the main transcript cut in the middle of the
# second delegation, then the whole session
s=fa812bfe-b295-4cca-9c2f-fdf01028cb46
export EXECTRAIL_HOME="$T_DIR/piece-b/home"
mkdir -p "$T_DIR/cut/$s/subagents"
head -n 720 "$T_DIR/$s/tr/$s.jsonl" >"$T_DIR/cut/$s.jsonl"
check "$s: the first 720 lines" et import claude-code "$T_DIR/cut"
check "$s: then the whole session" et import claude-code "$T_DIR/$s/tr"
compare "$s" "$T_DIR/$s/tr" piecewise
done_testing
