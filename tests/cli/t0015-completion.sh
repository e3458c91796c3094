#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Bash completion (tools/completion/exectrail.bash): verbs, a verb's options
# and its --format values all come from the program's own --help.
. "$(dirname "$0")/lib.sh"

# shellcheck source=../../tools/completion/exectrail.bash
. "$ET_SOURCE_DIR/tools/completion/exectrail.bash"
comp() { # words... (the last one is being completed)
  COMP_WORDS=("$EXECTRAIL" "$@")
  COMP_CWORD=$#
  COMPREPLY=()
  _exectrail
  [ ${#COMPREPLY[@]} -eq 0 ] || printf '%s\n' "${COMPREPLY[@]}"
}
comp do >"$T_DIR/c"
grep -qx doctor "$T_DIR/c" && ok "verbs: 'do' completes to doctor" || fails "verbs: 'do' completes to doctor" "$(cat "$T_DIR/c")"
comp "" >"$T_DIR/c"
[ "$(wc -l <"$T_DIR/c")" -ge 30 ] && ok "every verb is offered" || fails "every verb is offered" "$(wc -l <"$T_DIR/c")"
comp list --a >"$T_DIR/c"
grep -qx -- --agent "$T_DIR/c" && ok "list --a completes to --agent" || fails "list --a completes to --agent" "$(cat "$T_DIR/c")"
comp list --format "" >"$T_DIR/c"
eq "$(tr '\n' ' ' <"$T_DIR/c")" "table json jsonl csv ids " "list --format offers list's formats"
comp search --format "" >"$T_DIR/c"
eq "$(tr '\n' ' ' <"$T_DIR/c")" "text jsonl " "search --format offers search's formats"
comp --db x.db verify --f >"$T_DIR/c"
grep -qx -- --format "$T_DIR/c" && ok "global options before the verb are skipped" || fails "global options before the verb are skipped"
comp --v >"$T_DIR/c"
grep -qx -- --version "$T_DIR/c" && ok "global options" || fails "global options"
comp sc >"$T_DIR/c"
grep -qx score "$T_DIR/c" && ok "verbs: 'sc' completes to score" || fails "verbs: 'sc' completes to score" "$(cat "$T_DIR/c")"
comp note --t >"$T_DIR/c"
grep -qx -- --tag "$T_DIR/c" && ok "note --t completes to --tag" || fails "note --t completes to --tag" "$(cat "$T_DIR/c")"
comp score ID 0.5 --r >"$T_DIR/c"
grep -qx -- --reason "$T_DIR/c" && ok "score --r completes to --reason" || fails "score --r completes to --reason"
comp note --format "" >"$T_DIR/c"
eq "$(tr '\n' ' ' <"$T_DIR/c")" "text json " "note --format offers note's formats"
touch "$T_DIR/file-not-a-tag"
(cd "$T_DIR" && comp note --tag "file") >"$T_DIR/c"
eq "$(wc -l <"$T_DIR/c")" 0 "a tag (free text) is not completed as a file name"
comp nosuchverb --x >"$T_DIR/c"
eq "$(wc -l <"$T_DIR/c")" 0 "an unknown verb offers nothing"
done_testing
