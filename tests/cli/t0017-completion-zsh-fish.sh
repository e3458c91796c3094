#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Zsh and fish completion (tools/completion/exectrail.zsh, exectrail.fish):
# like the bash one they read verbs, options and --format values from the
# program's --help; loaded in a real zsh (through compinit, as installed)
# and a real fish, they complete a few command lines. The few lists kept in
# the scripts themselves (global options, options taking a file) are the
# same in all three shells and agree with `exectrail --help`.
. "$(dirname "$0")/lib.sh"

C="$ET_SOURCE_DIR/tools/completion"
mkdir -p "$T_DIR/bin" "$T_DIR/zfunc"
ln -s "$EXECTRAIL" "$T_DIR/bin/exectrail"
export PATH="$T_DIR/bin:$PATH"

# ---- the lists kept in the scripts ----
files_opts() { grep -oE -- '--db( \|)? --out( \|)? --output[^)]*' "$1" | head -n 1 | tr -d '|' | tr -s ' '; }
b=$(files_opts "$C/exectrail.bash") z=$(files_opts "$C/exectrail.zsh")
f=$(grep -oE -- 'case --db --out --output[^$]*' "$C/exectrail.fish" | head -n 1 | sed 's/^case //' | tr -s ' ')
[ -n "$b" ] && eq "$z" "$b" "zsh offers files after the same options as bash" || fails "bash's file options parse"
eq "$f" "$b" "fish offers files after the same options as bash"
et --help | sed -n '/^global options:/,/^$/p' | grep -oE -- '(^| )-{1,2}[a-z]+' | tr -d ' ' | sort >"$T_DIR/g"
for sh in bash zsh fish; do
  missing=""
  while read -r o; do grep -qE -- "(^|[ '\"(])$o([ )'\"]|\$)" "$C/exectrail.$sh" || missing="$missing $o"; done <"$T_DIR/g"
  eq "$missing" "" "$sh completes every global option of --help"
done

# ---- zsh ----
if command -v zsh >/dev/null 2>&1; then
  cp "$C/exectrail.zsh" "$T_DIR/zfunc/_exectrail"
  # compsys's own compadd/_describe/_files only work inside a completion
  # widget: stand-ins print what the function offers, and `comp` filters
  # by the prefix as compsys would.
  zc() {
    zsh -f -c '
      fpath=("$1" $fpath); autoload -Uz compinit; compinit -u -d "$1/.zcompdump"
      [[ $_comps[exectrail] == _exectrail ]] || { print "not registered"; exit 1; }
      compadd() { [[ $1 == -a ]] && print -l -- ${(P)2}; }
      _describe() { local -a a; a=(${(P)4}); print -l -- ${a%%:*}; }
      _files() { print -- "<files>"; }
      shift; words=("$@"); CURRENT=$#; PREFIX=${words[-1]}
      _exectrail | while read -r c; do [[ $c == "<files>" || $c == ${PREFIX}* ]] && print -r -- $c; done
    ' zc "$T_DIR/zfunc" exectrail "$@"
  }
  eq "$(zc do)" doctor "zsh: 'do' completes to doctor"
  [ "$(zc "" | wc -l)" -ge 30 ] && ok "zsh: every verb is offered" || fails "zsh: every verb is offered" "$(zc "" | head -n 3)"
  zc list --a >"$T_DIR/c"
  grep -qx -- --agent "$T_DIR/c" && ok "zsh: list --a offers --agent" || fails "zsh: list --a offers --agent" "$(cat "$T_DIR/c")"
  eq "$(zc list --format "" | tr '\n' ' ')" "table json jsonl csv ids " "zsh: list --format offers list's formats"
  eq "$(zc --db x.db search --format "" | tr '\n' ' ')" "text jsonl " "zsh: global options before the verb are skipped"
  eq "$(zc verify --checkpoint "")" "<files>" "zsh: a file after --checkpoint"
  eq "$(zc --v)" --version "zsh: global options"
  eq "$(zc nosuchverb --x | wc -l)" 0 "zsh: an unknown verb offers nothing"
else
  ok "# SKIP zsh is not installed (apt-get install zsh)"
fi

# ---- fish ----
if command -v fish >/dev/null 2>&1; then
  fc() { fish --no-config -c "source '$C/exectrail.fish'; complete -C '$1'" | cut -f 1; }
  eq "$(fc 'exectrail do')" doctor "fish: 'do' completes to doctor"
  [ "$(fc 'exectrail ' | wc -l)" -ge 30 ] && ok "fish: every verb is offered" || fails "fish: every verb is offered"
  fc 'exectrail list --a' >"$T_DIR/c"
  grep -qx -- --agent "$T_DIR/c" && ok "fish: list --a offers --agent" || fails "fish: list --a offers --agent" "$(cat "$T_DIR/c")"
  eq "$(fc 'exectrail list --format ' | sort | tr '\n' ' ')" "csv ids json jsonl table " "fish: list --format offers list's formats"
  eq "$(fc 'exectrail --db x.db search --format ' | sort | tr '\n' ' ')" "jsonl text " "fish: global options before the verb are skipped"
  mkdir -p "$T_DIR/ck"
  : >"$T_DIR/ck/head.sig"
  eq "$(cd "$T_DIR" && fc 'exectrail verify --checkpoint ck/he')" ck/head.sig "fish: a file after --checkpoint"
  eq "$(fc 'exectrail --v')" --version "fish: global options"
  eq "$(fc 'exectrail nosuchverb --x' | wc -l)" 0 "fish: an unknown verb offers nothing"
else
  ok "# SKIP fish is not installed (apt-get install fish)"
fi
done_testing
