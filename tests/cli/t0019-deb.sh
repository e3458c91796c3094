#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The Debian package (tools/make-deb.sh, `make deb`), built from this build
# directory: its control fields and contents (binary, a man page per verb,
# bash/zsh/fish completion, systemd user units, docs, copyright,
# changelog); every Depends is a package installed here; lintian finds no
# error or warning (when installed); `dpkg --root` installs it in a
# throwaway root, where the binary records and reports, and removes and
# purges it leaving no file behind.
. "$(dirname "$0")/lib.sh"

for t in dpkg-deb dpkg; do
  command -v $t >/dev/null 2>&1 || { ok "# SKIP $t is not installed"; done_testing; }
done
[ -d "$ET_BUILD_DIR/man/man1" ] || { ok "# SKIP no manual pages in this build (ET_BUILD_MAN=OFF)"; done_testing; }
MK="$ET_SOURCE_DIR/tools/make-deb.sh"
sh "$MK" "$ET_BUILD_DIR" "$T_DIR/debs" >"$T_DIR/deb" 2>"$T_DIR/err"
DEB=$(cat "$T_DIR/deb")
[ -f "$DEB" ] && ok "make-deb.sh builds $(basename "$DEB")" || { fails "make-deb.sh builds a .deb" "$(cat "$T_DIR/err")"; done_testing; }

dpkg-deb -f "$DEB" Package Version Architecture >"$T_DIR/f"
contains "$T_DIR/f" "Package: exectrail" "control: Package"
contains "$T_DIR/f" "Version: $(et --version | awk '{print $2}')" "control: the program's version"
contains "$T_DIR/f" "Architecture: $(dpkg --print-architecture)" "control: this architecture"
dpkg-deb -c "$DEB" | awk '{print $6}' | sed 's|^\./|/|' >"$T_DIR/list"
VERBS=$(et --help | sed -n '/^commands:/,/^$/p' | awk 'NF > 1 {print $1}')
missing=""
for f in /usr/bin/exectrail /usr/share/man/man1/exectrail.1.gz \
  $(for v in $VERBS; do echo "/usr/share/man/man1/exectrail-$v.1.gz"; done) \
  /usr/share/bash-completion/completions/exectrail /usr/share/zsh/vendor-completions/_exectrail \
  /usr/share/fish/vendor_completions.d/exectrail.fish \
  /usr/lib/systemd/user/exectrail-retention.service /usr/lib/systemd/user/exectrail-retention.timer \
  /usr/lib/systemd/user/exectrail-report.service /usr/lib/systemd/user/exectrail-report.timer \
  /usr/share/doc/exectrail/copyright /usr/share/doc/exectrail/changelog.gz \
  /usr/share/doc/exectrail/README.md.gz /usr/share/doc/exectrail/docs/CLI.md.gz; do
  grep -qx -- "$f" "$T_DIR/list" || missing="$missing $f"
done
eq "$missing" "" "it holds the binary, $(echo "$VERBS" | wc -w) + 1 man pages, completions, units and docs"
grep -qE '^/usr/(include|lib/.*\.(so|a|pc)$)' "$T_DIR/list" && fails "no library or headers (make install's)" ||
  ok "no library or headers (make install's)"
deps=$(dpkg-deb -f "$DEB" Depends)
[ -n "$deps" ] && ok "Depends: $deps" || fails "Depends is filled in"
bad=""
for p in $(echo "$deps" | tr ',' '\n' | sed 's/(.*//; s/|.*//; s/ //g'); do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || bad="$bad $p"
done
eq "$bad" "" "every Depends names a package installed on this machine"

if command -v lintian >/dev/null 2>&1; then
  lintian --tag-display-limit 0 "$DEB" >"$T_DIR/lint" 2>"$T_DIR/lint-err"
  if grep -qE '^[EW]: ' "$T_DIR/lint"; then fails "lintian: no error or warning" "$(grep -E '^[EW]: ' "$T_DIR/lint" | head -n 8)"
  else ok "lintian: no error or warning"; fi
else
  ok "# SKIP lintian is not installed (apt-get install lintian)"
fi

# install, use, remove and purge in a throwaway root
R="$T_DIR/root"
mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates" "$R/var/lib/dpkg/triggers" "$R/var/log"
: >"$R/var/lib/dpkg/status"
: >"$R/var/lib/dpkg/available"
d() { dpkg --root="$R" --log="$R/var/log/dpkg.log" --force-not-root --force-script-chrootless "$@"; }
# the throwaway root has no libc package: its libraries are this machine's
check "dpkg --root -i installs it" d --force-depends -i "$DEB"
d -s exectrail >"$T_DIR/s" 2>&1
contains "$T_DIR/s" "Status: install ok installed" "dpkg says it is installed"
X="$R/usr/bin/exectrail"
H="$T_DIR/h"
check "the installed binary creates a trail" env EXECTRAIL_HOME="$H" "$X" -q init
check "records" env EXECTRAIL_HOME="$H" "$X" -q import "$ET_SOURCE_DIR/examples/runs.jsonl"
check "reports" env EXECTRAIL_HOME="$H" "$X" report daily --date 2026-11-22 --format md
check "verifies" env EXECTRAIL_HOME="$H" "$X" verify
if command -v man >/dev/null 2>&1; then
  MANWIDTH=100 man -l "$R/usr/share/man/man1/exectrail-report.1.gz" >"$T_DIR/man" 2>&1
  contains "$T_DIR/man" "exectrail-report - " "the installed man page reads"
fi
bash -n "$R/usr/share/bash-completion/completions/exectrail" && ok "the installed bash completion parses" ||
  fails "the installed bash completion parses"
n=$(find "$R" -type f ! -path "$R/var/*" | wc -l)
eq "$n" "$(grep -c '[^/]$' "$T_DIR/list")" "every file of the package is in the root"
check "dpkg --root -r removes it" d -r exectrail
eq "$(find "$R" -type f ! -path "$R/var/*" | wc -l)" 0 "no file of it is left"
check "dpkg --root -P purges it" d -P exectrail
expect_exit 1 "dpkg no longer knows it" d -s exectrail

# failures are loud
expect_exit 2 "make-deb.sh without arguments is a usage error" sh "$MK"
mkdir -p "$T_DIR/empty"
expect_exit 1 "a build directory without a binary is refused" sh "$MK" "$T_DIR/empty" "$T_DIR/o2"
contains "$T_DIR/err" "no exectrail" "and says why"
done_testing
