#compdef exectrail
# SPDX-License-Identifier: MIT
# Zsh completion for exectrail (installed as _exectrail in
# share/zsh/vendor-completions). Like the bash one, it reads the verbs,
# each verb's options and its --format values from the program's own
# --help at completion time, so it never drifts from it.
_exectrail() {
  local exe=${words[1]} verb="" prev=${words[CURRENT-1]} i f
  local -a verbs opts fmts
  for ((i = 2; i < CURRENT; i++)); do
    case ${words[i]} in
      --db | --format) ((i++)) ;;
      -*) ;;
      *) verb=${words[i]}; break ;;
    esac
  done
  case $prev in
    --format)
      if [[ -n $verb ]]; then
        f=$("$exe" "$verb" --help 2>/dev/null | grep -o -- '--format [a-z|]*' | head -n 1)
        f=${f#--format }
      fi
      fmts=(${(s:|:)f})
      ((${#fmts})) || fmts=(table text json jsonl csv ids md html)
      compadd -a fmts
      return ;;
    --db | --out | --output | --checkpoint | --json | --settings | --file | --key | --dir)
      _files
      return ;;
  esac
  if [[ -z $verb ]]; then
    if [[ $PREFIX == -* ]]; then
      opts=(--db --format -q --quiet --version --help)
      compadd -a opts
    else
      verbs=(${(f)"$("$exe" --help 2>/dev/null | sed -n '/^commands:/,/^$/p' |
        awk 'NF > 1 { n = $1; $1 = ""; sub(/^ +/, ""); gsub(/:/, "\\:"); print n ":" $0 }')"})
      verbs+=('help:describe a command' 'version:print the version')
      _describe -t commands 'exectrail command' verbs
    fi
    return
  fi
  if [[ $PREFIX == -* ]]; then
    opts=(${(f)"$("$exe" "$verb" --help 2>/dev/null | grep -oE -- '--[a-z][a-z-]*' | sort -u)"})
    compadd -a opts
    return
  fi
  _files
}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
  _exectrail "$@"
else
  compdef _exectrail exectrail
fi
