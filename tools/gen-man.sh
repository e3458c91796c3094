#!/bin/sh
# SPDX-License-Identifier: MIT
# Generate the manual pages, exectrail(1) and one exectrail-VERB(1) per
# command, from the two texts that already describe the commands: the
# program's own --help (name, synopsis, options) and docs/CLI.md (the
# command's section, and the global sections for exectrail(1)). Nothing is
# written by hand, so the pages cannot drift from either; tests/cli/t0016
# checks that every verb has a page and every option of --help is in it.
# usage: tools/gen-man.sh EXECTRAIL CLI.md OUTDIR
# Needs only a POSIX shell and awk (mawk is enough).
set -eu

[ $# -eq 3 ] || { echo "usage: gen-man.sh EXECTRAIL CLI.md OUTDIR" >&2; exit 2; }
exe=$1 doc=$2 out=$3
mkdir -p "$out"
rm -f "$out"/exectrail*.1 # a verb that went must not leave its page behind
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

version=$("$exe" --version | awk '{print $2; exit}')
"$exe" --help >"$tmp/help"
verbs=$(sed -n '/^commands:/,/^$/p' "$tmp/help" | awk 'NF > 1 {print $1}')
[ -n "$verbs" ] || { echo "gen-man.sh: no commands in '$exe --help'" >&2; exit 1; }

# Shared awk functions: roff escapes and the two converters.
cat >"$tmp/lib.awk" <<'EOF'
function esc(s) {
    gsub(/\\/, "\\e", s)
    gsub(/-/, "\\-", s)
    return s
}
function lead(s) {  # a text line may not start with a control character
    if (s ~ /^[.']/) s = "\\&" s
    return s
}
# markdown inline: `code`, **bold**, [text](link), on an escaped line
function inline(s,    r, i) {
    r = ""
    while ((i = index(s, "`")) > 0) {
        r = r substr(s, 1, i - 1)
        s = substr(s, i + 1)
        i = index(s, "`")
        if (i == 0) { r = r "`"; break }
        r = r "\\fB" substr(s, 1, i - 1) "\\fR"
        s = substr(s, i + 1)
    }
    s = r s
    while (match(s, /\*\*[^*]+\*\*/))
        s = substr(s, 1, RSTART - 1) "\\fB" substr(s, RSTART + 2, RLENGTH - 4) "\\fR" substr(s, RSTART + RLENGTH)
    while (match(s, /\[[^]]*\]\([^)]*\)/)) {
        t = substr(s, RSTART + 1, RLENGTH - 2)
        sub(/\]\(.*/, "", t)
        s = substr(s, 1, RSTART - 1) t substr(s, RSTART + RLENGTH)
    }
    return s
}
# --help text: paragraphs are filled; "TERM  description" lines (options,
# sub-commands) become tagged paragraphs, their deeper-indented
# continuation lines join the description; other indented lines are kept
# as they are.
function term_line(s) {
    return s ~ /^ *-[^ ]([^ ]| [^ ])*  +[^ ]/ || s ~ /^ *[a-z][a-z-]*  +[^ ]/ ||
           s ~ /^ *-[^ ]([^ ]| [^ ])* *$/
}
function help_line(s,    ind, t) {
    if (s ~ /^[ \t]*$/) { help_end(); pending_pp = 1; return }
    match(s, /^ */); ind = RLENGTH
    if (in_tp && ind > tp_ind) {
        sub(/^ +/, "", s); print lead(esc(s)); return
    }
    if (term_line(s)) {
        help_end_nf()
        t = s; sub(/^ +/, "", t)
        d = t
        if (match(t, /  +/)) { d = substr(t, RSTART + RLENGTH); t = substr(t, 1, RSTART - 1) } else d = ""
        print ".TP"; print "\\fB" esc(t) "\\fR"
        if (d != "") print lead(esc(d))
        in_tp = 1; tp_ind = ind; pending_pp = 0
        return
    }
    if (ind > 0) {
        if (!in_nf) { help_end(); print ".RS 2"; print ".nf"; in_nf = 1 }
        print lead(esc(s)); return
    }
    help_end()
    if (pending_pp) { print ".PP"; pending_pp = 0 }
    print lead(esc(s))
}
function help_end_nf() { if (in_nf) { print ".fi"; print ".RE"; in_nf = 0 } }
function help_end() { help_end_nf(); if (in_tp) { print ".PP"; in_tp = 0 } }

# markdown (the subset docs/CLI.md uses): ``` blocks, tables, lists,
# #### headings, paragraphs.
function md_line(s,    n, i, c, cells, first, rest) {
    if (s ~ /^@@SH /) {  # a section heading (of the verb's own sections)
        if (md_code) { print ".fi"; print ".RE"; md_code = 0 }
        md_flush(); md_para = 0; md_table = 0
        print ".SH \"" esc(toupper(substr(s, 6))) "\""
        return
    }
    if (s ~ /^```/) {
        if (md_code) { print ".fi"; print ".RE"; md_code = 0 }
        else { md_flush(); print ".PP"; print ".RS 4"; print ".nf"; md_code = 1 }
        return
    }
    if (md_code) { print lead(esc(s)); return }
    if (s ~ /^\|/) {
        if (s ~ /^\| *:?-+/) { md_head = ""; return }  # the separator row
        if (md_head == "" && !md_table) { md_head = s; md_table = 1; return }
        gsub(/\\\|/, "\001", s)
        n = split(s, cells, "|")
        first = cells[2]; rest = ""
        for (i = 3; i < n; i++) {
            c = cells[i]; gsub(/^ +| +$/, "", c)
            if (c == "") continue
            rest = rest (rest == "" ? "" : " \\(em ") c
        }
        gsub(/^ +| +$/, "", first)
        first = inline(esc(first)); rest = inline(esc(rest))
        gsub(/\001/, "|", first); gsub(/\001/, "|", rest)
        print ".TP"; print lead(first); print lead(rest)
        return
    }
    md_table = 0; md_head = ""
    if (s ~ /^[ \t]*$/) { md_flush(); md_para = 0; return }
    if (s ~ /^#+ /) {
        md_flush(); sub(/^#+ /, "", s); print ".SS " inline(esc(s)); return
    }
    if (s ~ /^- /) { md_flush(); sub(/^- /, "", s); print ".IP \\(bu 2"; md_list = 1; print lead(inline(esc(s))); return }
    if (s ~ /^[0-9]+\. /) {
        md_flush(); n = s; sub(/\. .*/, ".", n); sub(/^[0-9]+\. /, "", s)
        print ".IP " n " 4"; md_list = 1; print lead(inline(esc(s))); return
    }
    if (md_list && s ~ /^  /) { sub(/^ +/, "", s); print lead(inline(esc(s))); return }
    if (md_list) { print ".PP"; md_list = 0 }
    if (!md_para) { print ".PP"; md_para = 1 }
    print lead(inline(esc(s)))
}
function md_flush() { if (md_list) { md_list = 0 } }
EOF

# The text of docs/CLI.md from heading line $2 (exact) to the next heading
# of the same or a higher level.
md_section() {
    awk -v h="$1" '
        $0 == h { on = 1; lvl = index(h, " "); next }
        on && /^#+ / && index($0, " ") <= lvl { exit }
        on { print }' "$doc"
}

th() { # NAME
    printf '.TH %s 1 "" "exectrail %s" "exectrail manual"\n' "$1" "$version"
    printf '.\\" Generated by tools/gen-man.sh from --help and docs/CLI.md; do not edit.\n'
    printf '.nh\n'
}

# mawk has no -e: each program is a file
cat >"$tmp/help.awk" <<'EOF'
{ help_line($0) }
END { help_end() }
EOF
cat >"$tmp/md.awk" <<'EOF'
{ md_line($0) }
END { if (md_code) { print ".fi"; print ".RE" } }
EOF
cat >"$tmp/cmds.awk" <<'EOF'
NF > 1 { v = $1; $1 = ""; sub(/^ +/, ""); print ".TP"; print "\\fB" esc(v) "\\fR"; print lead(esc($0)) }
EOF
cat >"$tmp/esc.awk" <<'EOF'
{ print lead(esc($0)) }
EOF

# ---- exectrail(1) -----------------------------------------------------------
{
    th EXECTRAIL
    echo ".SH NAME"
    printf '%s\n' "exectrail \\- $(sed -n 3p "$tmp/help" | sed 's/\.$//; s/^A /a /')"
    echo ".SH SYNOPSIS"
    echo ".nf"
    sed -n '1s/^usage: //p' "$tmp/help" | awk -f "$tmp/lib.awk" -f "$tmp/esc.awk"
    echo ".fi"
    echo ".SH DESCRIPTION"
    sed -n 3p "$tmp/help" | awk -f "$tmp/lib.awk" -f "$tmp/esc.awk"
    echo ".SH COMMANDS"
    printf '%s\n' "Each command has its own page, \\fBexectrail\\-\\fR\\fIcommand\\fR(1)."
    sed -n '/^commands:/,/^$/p' "$tmp/help" | awk -f "$tmp/lib.awk" -f "$tmp/cmds.awk"
    sed '1,/^commands:/d' "$tmp/help" | sed '1,/^$/d' | awk -f "$tmp/lib.awk" -f "$tmp/help.awk"
    for s in "Global options" "Where the trail lives" "Environment variables" \
        "Output formats" "Exit statuses" "Execution ids" "Bad input"; do
        echo ".SH $(echo "$s" | tr '[:lower:]' '[:upper:]')"
        md_section "## $s" | awk -f "$tmp/lib.awk" -f "$tmp/md.awk"
    done
    echo ".SH SEE ALSO"
    echo "$verbs" | awk '{ printf "%s\\fBexectrail\\-%s\\fR(1)", (NR > 1 ? ",\n" : ""), $1 } END { print "" }'
} >"$out/exectrail.1"

# ---- exectrail-VERB(1) ------------------------------------------------------
for v in $verbs; do
    "$exe" "$v" --help >"$tmp/vhelp"
    summary=$(awk -v v="$v" '$1 == v { $1 = ""; sub(/^ +/, ""); print; exit }' "$tmp/help")
    # the usage lines: "usage: exectrail ..." and what follows up to a blank
    awk 'NR == 1 { sub(/^usage: /, "") } /^$/ { exit }
         /^  +exectrail / { sub(/^ +/, "") } /^   / { sub(/^ +/, "    ") } { print }' \
        "$tmp/vhelp" >"$tmp/usage"
    awk 'body { print } /^$/ { body = 1 }' "$tmp/vhelp" >"$tmp/body"
    {
        th "EXECTRAIL-$(echo "$v" | tr '[:lower:]' '[:upper:]')"
        echo ".SH NAME"
        printf '%s\n' "exectrail\\-$v \\- $(printf '%s' "$summary" | sed 's/\\/\\e/g; s/-/\\-/g')"
        echo ".SH SYNOPSIS"
        echo ".nf"
        awk -f "$tmp/lib.awk" -f "$tmp/esc.awk" "$tmp/usage"
        echo ".fi"
        echo ".SH DESCRIPTION"
        awk -f "$tmp/lib.awk" -f "$tmp/help.awk" "$tmp/body"
        # docs/CLI.md's sections whose heading names this verb
        awk -v v="$v" '
            /^## / { on = 0 }
            /^### / {
                t = substr($0, 5); w = t; gsub(/[,:]/, " ", w)
                n = split(w, a, " "); on = 0
                for (i = 1; i <= n; i++) if (a[i] == v) on = 1
                if (on) print "@@SH " t
                next
            }
            on { print }' "$doc" | awk -f "$tmp/lib.awk" -f "$tmp/md.awk"
        echo ".SH SEE ALSO"
        printf '%s\n' "\\fBexectrail\\fR(1)"
    } >"$out/exectrail-$v.1"
done
