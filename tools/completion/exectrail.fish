# SPDX-License-Identifier: MIT
# Fish completion for exectrail (installed in
# share/fish/vendor_completions.d). Like the bash one, it reads the verbs,
# each verb's options and its --format values from the program's own
# --help at completion time, so it never drifts from it.

# The verb on the command line so far (global options and their values skipped).
function __exectrail_verb
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l skip 0
    for t in $tokens
        if test $skip = 1
            set skip 0
            continue
        end
        switch $t
            case --db --format
                set skip 1
            case '-*'
            case '*'
                echo $t
                return 0
        end
    end
    return 1
end

function __exectrail_prev
    set -l tokens (commandline -opc)
    test (count $tokens) -gt 1; and echo $tokens[-1]
end

# Does the word being completed want a file name?
function __exectrail_wants_files
    switch (__exectrail_prev)
        case --db --out --output --checkpoint --json --settings --file --key --dir
            return 0
        case --format
            return 1
    end
    __exectrail_verb >/dev/null; or return 1
    not string match -q -- '-*' (commandline -ct)
end

# Every candidate for the word being completed, except file names.
function __exectrail_candidates
    set -l exe (commandline -opc)[1]
    set -l verb (__exectrail_verb)
    switch (__exectrail_prev)
        case --format
            set -l f
            if test -n "$verb"
                set f ($exe $verb --help 2>/dev/null | string match -r -- '--format [a-z|]+' | head -n 1)
            end
            set f (string replace -- '--format ' '' $f | string split '|')
            test (count $f) -gt 0; or set f table text json jsonl csv ids md html
            printf '%s\n' $f
            return
        case --db --out --output --checkpoint --json --settings --file --key --dir
            return
    end
    if test -z "$verb"
        if string match -q -- '-*' (commandline -ct)
            printf '%s\n' --db --format -q --quiet --version --help
        else
            $exe --help 2>/dev/null | sed -n '/^commands:/,/^$/p' |
                awk 'NF > 1 { n = $1; $1 = ""; sub(/^ +/, ""); print n "\t" $0 }'
            printf '%s\t%s\n' help 'describe a command' version 'print the version'
        end
        return
    end
    if string match -q -- '-*' (commandline -ct)
        $exe $verb --help 2>/dev/null | string match -ar -- '--[a-z][a-z-]*' | sort -u
    end
end

complete -c exectrail -f -a '(__exectrail_candidates)'
complete -c exectrail -n __exectrail_wants_files -F
