#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Generated Claude Code hook streams (hook_streams.py): one session whose
# subagents use every tool family (Write, Edit, MultiEdit, NotebookEdit,
# Bash with curl/gh/aws/kubectl/gcloud, WebFetch, WebSearch,
# mcp__server__tool, Read/Grep/Glob, TodoWrite), with failed calls, a
# background (run_in_background) agent, a subagent delegating to another,
# a delegation that fails and two parallel same-type agents started in the
# opposite order. Each execution's actions, failures, derived
# lists, response, parent and state are compared with the values the
# generator wrote beside each call. The stream is fed once in order, and
# once more with every input delivered twice (retries add nothing).
. "$(dirname "$0")/lib.sh"

GEN="$ET_SOURCE_DIR/tests/cli/hook_streams.py"
python3 "$GEN" gen "$T_DIR" || fails "generate the stream" ""

feed() {
  bad=0
  while IFS= read -r line; do
    for _ in $(seq "$1"); do
      printf '%s' "$line" | et hook >/dev/null 2>>"$T_DIR/herr" || bad=$((bad + 1))
    done
  done <"$T_DIR/stream.jsonl"
  echo "$bad"
}

eq "$(feed 1)" 0 "every hook call exits 0"
if python3 "$GEN" check "$T_DIR/expected.json" "$EXECTRAIL" >"$T_DIR/cmp" 2>&1; then
  ok "$(tail -n 1 "$T_DIR/cmp")"
else
  not_ok "the records match the stream" "$(head -c 3000 "$T_DIR/cmp")"
fi
sed 's/^/# /' "$T_DIR/cmp"
eq "$(wc -l <"$T_DIR/herr" | tr -d ' ')" 0 "the hook printed nothing on stderr"
check "verify" et verify

# the same stream, every input delivered twice, into a new trail
export EXECTRAIL_HOME="$T_DIR/twice"
eq "$(feed 2)" 0 "every hook call exits 0 (each input twice)"
if python3 "$GEN" check "$T_DIR/expected.json" "$EXECTRAIL" >"$T_DIR/cmp" 2>&1; then
  ok "duplicates: $(tail -n 1 "$T_DIR/cmp")"
else
  not_ok "duplicate deliveries leave the records as one delivery" "$(head -c 3000 "$T_DIR/cmp")"
fi

# the security classification sees the derived lists of hook captures
eq "$(et query --format ids 'api_calls_made stripe' | wc -l | tr -d ' ')" 1 \
   "api_calls_made stripe finds the run that curled api.stripe.com"
eq "$(et query --format ids 'files_modified:*API.md' | wc -l | tr -d ' ')" 1 \
   "files_modified:*API.md finds the nested Plan run"
done_testing
