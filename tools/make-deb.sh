#!/bin/sh
# SPDX-License-Identifier: MIT
# Build a Debian package of exectrail from a configured and built CMake
# build directory: the binary, the manual pages, bash/zsh/fish completion,
# the systemd user units and the documentation (the library and headers are
# for `make install`). Uses only dpkg-deb (and dpkg-shlibdeps for Depends
# when dpkg-dev is installed); no debhelper, no root needed.
# usage: tools/make-deb.sh BUILD_DIR OUT_DIR     (prints the .deb's path)
# `make deb` runs it on build/release.
set -eu

[ $# -eq 2 ] || { echo "usage: make-deb.sh BUILD_DIR OUT_DIR" >&2; exit 2; }
build=$(cd "$1" && pwd)
mkdir -p "$2"
out=$(cd "$2" && pwd)
src=$(cd "$(dirname "$0")/.." && pwd)
for t in dpkg-deb gzip cmake; do
    command -v $t >/dev/null 2>&1 || { echo "make-deb.sh: $t is missing (apt-get install dpkg gzip cmake)" >&2; exit 1; }
done
[ -x "$build/exectrail" ] || { echo "make-deb.sh: no exectrail in $build (build it first)" >&2; exit 1; }
[ -d "$build/man/man1" ] || { echo "make-deb.sh: no manual pages in $build (configure with -DET_BUILD_MAN=ON)" >&2; exit 1; }

version=${ET_DEB_VERSION:-$("$build/exectrail" --version | awk '{print $2; exit}')}
arch=$(dpkg --print-architecture)
maint="exectrail maintainers <maintainers@users.noreply.b-seed-0f4c2bec.example>"
# reproducible: every date and mtime is the last commit's (or now)
: "${SOURCE_DATE_EPOCH:=$(git -C "$src" log -1 --format=%ct 2>/dev/null || date +%s)}"
export SOURCE_DATE_EPOCH

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
root="$tmp/root"
umask 022

# everything `make install` installs under /usr, then keep what the
# package ships
DESTDIR="$root" cmake --install "$build" --prefix /usr >/dev/null
rm -rf "$root/usr/include" "$root/usr/lib/cmake"
find "$root/usr/lib" \( -name 'libexectrail.*' -o -name exectrail.pc -o -name cmake -o -name pkgconfig \) \
    -prune -exec rm -rf {} +
find "$root/usr/lib" -depth -type d -empty -delete
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$root/usr/bin/exectrail" 2>/dev/null || true

# manual pages compressed, as Debian policy asks
gzip -9n "$root"/usr/share/man/man1/*.1

# documentation
doc="$root/usr/share/doc/exectrail"
mkdir -p "$doc/docs"
cp "$src/README.md" "$doc/"
cp "$src"/docs/*.md "$doc/docs/"
find "$doc" -name '*.md' -size +4k -exec gzip -9n {} +
{
    echo "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"
    echo "Upstream-Name: exectrail"
    echo
    echo "Files: *"
    echo "Copyright: $(sed -n 's/^Copyright (c) //p' "$src/LICENSE" | head -n 1)"
    echo "License: Expat"
    sed -n '/^Permission/,$p' "$src/LICENSE" | sed 's/^$/./; s/^/ /'
} >"$doc/copyright"
describe=$(git -C "$src" describe --always --dirty --tags 2>/dev/null || echo "a source tarball")
{
    echo "exectrail ($version) unstable; urgency=medium"
    echo
    echo "  * Built from $describe."
    echo
    echo " -- $maint  $(date -u -R -d "@$SOURCE_DATE_EPOCH")"
} | gzip -9n >"$doc/changelog.gz"

# Depends: dpkg-shlibdeps when dpkg-dev is there, else the packages that
# hold the libraries the binary needs. libpq is loaded only for a
# PostgreSQL store (src/store/pg/pq_dl.h) and libcurl only to push a
# checkpoint to a witness (src/witness/curl_dl.h), libcrypto only to hash
# bulk work faster (src/ledger/sha_accel.c): Recommends, below
if command -v dpkg-shlibdeps >/dev/null 2>&1; then
    mkdir -p "$tmp/src/debian"
    printf 'Source: exectrail\n\nPackage: exectrail\nArchitecture: any\n' >"$tmp/src/debian/control"
    depends=$(cd "$tmp/src" && dpkg-shlibdeps -O "$root/usr/bin/exectrail" 2>/dev/null |
        sed -n 's/^shlibs:Depends=//p')
else
    depends=$(objdump -p "$root/usr/bin/exectrail" | awk '$1 == "NEEDED" {print $2}' | while read -r l; do
        p=$(ldconfig -p | awk -v l="$l" '$1 == l {print $NF; exit}')
        [ -n "$p" ] && dpkg -S "$(readlink -f "$p")" 2>/dev/null | cut -d: -f1 | head -n 1
    done | sort -u | paste -sd, | sed 's/,/, /g')
fi

mkdir -p "$root/DEBIAN"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat >"$root/DEBIAN/control" <<EOF
Package: exectrail
Version: $version
Architecture: $arch
Maintainer: $maint
Installed-Size: $size
Depends: $depends
Recommends: man-db, libpq5 (>= 14), libcurl4, libssl3
Suggests: zsh, fish, systemd
Section: utils
Priority: optional
Description: tamper-evident execution tracker and audit trail for AI agents
 exectrail records what AI agents delegate to subagents (intent, the exact
 prompt, every tool action, the response, files, commands) in a local SQLite
 trail, and proves with a Merkle log and signed checkpoints that nothing was
 altered, reordered or dropped afterwards. It includes Claude Code hooks, an
 MCP server on stdio, reports, a query language and a retention policy with
 systemd user timers.
EOF
(cd "$root" && find usr -type f -exec md5sum {} + | sort -k 2) >"$root/DEBIAN/md5sums"
find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
deb="$out/exectrail_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb"
