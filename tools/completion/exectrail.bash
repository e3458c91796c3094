# SPDX-License-Identifier: MIT
# Bash completion for exectrail. The verbs and options come from the
# program's own --help at completion time, so they never drift from it.
_exectrail() {
  local cur prev verb i
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=${COMP_WORDS[COMP_CWORD - 1]}
  verb=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    case ${COMP_WORDS[i]} in
      --db | --format) ((i++)) ;;
      -*) ;;
      *) verb=${COMP_WORDS[i]}; break ;;
    esac
  done
  case $prev in
    --format)
      local fmts
      if [ -n "$verb" ]; then
        fmts=$("${COMP_WORDS[0]}" "$verb" --help 2>/dev/null | grep -o -- '--format [a-z|]*' | head -n 1)
        fmts=${fmts#--format }
      fi
      COMPREPLY=($(compgen -W "${fmts//|/ }" -- "$cur"))
      [ ${#COMPREPLY[@]} -gt 0 ] || COMPREPLY=($(compgen -W "table text json jsonl csv ids md html" -- "$cur"))
      return ;;
    --db | --out | --output | --checkpoint | --json | --settings | --file | --key | --dir)
      COMPREPLY=($(compgen -f -- "$cur"))
      return ;;
    --author | --tag | --group | --name | --source | --reason | --scorer)
      # free text (note, score): nothing to offer, least of all file names
      COMPREPLY=()
      return ;;
  esac
  if [ -z "$verb" ]; then
    if [[ $cur == -* ]]; then
      COMPREPLY=($(compgen -W "--db --format -q --quiet --version --help" -- "$cur"))
    else
      COMPREPLY=($(compgen -W "$("${COMP_WORDS[0]}" --help 2>/dev/null |
        sed -n '/^commands:/,/^$/p' | awk 'NF > 1 {print $1}') help version" -- "$cur"))
    fi
    return
  fi
  if [[ $cur == -* ]]; then
    COMPREPLY=($("${COMP_WORDS[0]}" "$verb" --help 2>/dev/null | grep -oE -- '--[a-z][a-z-]*' | sort -u |
      grep -- "^$cur"))
    return
  fi
  COMPREPLY=($(compgen -f -- "$cur"))
}
complete -F _exectrail exectrail
