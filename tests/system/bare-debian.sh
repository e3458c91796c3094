#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs the README's two set-up commands in a bare Debian 12 root made with
# `debootstrap --variant=minbase bookworm` (no make, no compiler, no git),
# from a copy of the committed tree. Needs root and a reachable Debian
# mirror; skips with a message otherwise. Not part of the default test run
# (it takes 25-30 minutes on a shared 2-core machine). usage: sh tests/system/bare-debian.sh [run|test|deb|both|all]
# (both = run and test; all, the default = run, test and deb). deb: `make
# deb` in the root, `apt-get install ./exectrail_*.deb`, then init, hooks
# install, a hook session replayed through the installed hook command,
# report daily, and `apt-get purge` leaving none of the package's paths.
# Environment: ET_BARE_ROOT (where the root is made; default a temp dir),
# ET_BARE_MIRROR (default http://deb.debian.org/debian).
set -eu
what=${1:-all}
top=$(cd "$(dirname "$0")/../.." && pwd)
mirror=${ET_BARE_MIRROR:-http://deb.debian.org/debian}

if [ "$(id -u)" -ne 0 ]; then
  echo "SKIP: needs root (debootstrap and chroot)"; exit 0
fi
if ! command -v debootstrap >/dev/null 2>&1; then
  apt-get install -y -q debootstrap >/dev/null 2>&1 ||
    { apt-get update -q >/dev/null && apt-get install -y -q debootstrap >/dev/null; } ||
    { echo "SKIP: debootstrap cannot be installed"; exit 0; }
fi
root=${ET_BARE_ROOT:-$(mktemp -d /var/tmp/et-bare.XXXXXX)}
# mktemp -d makes the directory 0700, which inside the chroot is `/`: no
# user but root could reach any file (runuser initdb: Permission denied)
mkdir -p "$root"
chmod 0755 "$root"
# processes this run left running inside the root (a server a test did not
# stop): named, then ended, so that the mounts can go
leftovers() {
  real=$(cd "$root" && pwd -P)
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/root" 2>/dev/null)" = "$real" ] || continue
    echo "note: left running in the root: ${p#/proc/} $(tr '\0' ' ' <"$p/cmdline" 2>/dev/null | cut -c1-80)"
    kill "${p#/proc/}" 2>/dev/null || true
  done
}
cleanup() {
  leftovers
  for m in dev/pts dev proc sys; do
    umount "$root/$m" 2>/dev/null || true
  done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ ! -x "$root/bin/sh" ]; then
  echo "== debootstrap --variant=minbase bookworm $root"
  start=$(date +%s)
  if ! debootstrap --variant=minbase bookworm "$root" "$mirror" \
       >"$root.debootstrap.log" 2>&1; then
    echo "SKIP: debootstrap failed (mirror unreachable?); see $root.debootstrap.log"
    exit 0
  fi
  echo "debootstrap: $(( $(date +%s) - start )) s"
fi
for c in make gcc cc git cmake; do
  if chroot "$root" sh -c "command -v $c" >/dev/null 2>&1; then
    echo "note: $c is already in the root (not a bare image)"
  fi
done
# the committed tree, as a user would unpack a release
rm -rf "$root/src/exectrail"
mkdir -p "$root/src/exectrail"
(cd "$top" && git archive --format=tar HEAD) | tar -x -C "$root/src/exectrail"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
# the same network as this machine: where HTTPS goes through a proxy whose
# CA this machine added locally, the root trusts it too (ca-certificates,
# which npm pulls in, adds it to the system store that Debian's node uses)
if ls /usr/local/share/ca-certificates/*.crt >/dev/null 2>&1; then
  mkdir -p "$root/usr/local/share/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
  # a root reused with ET_BARE_ROOT may have ca-certificates already
  if [ -x "$root/usr/sbin/update-ca-certificates" ]; then
    chroot "$root" /usr/sbin/update-ca-certificates >/dev/null 2>&1 || true
  fi
fi
# a chroot is not a booted machine: packages must not start their services
# (postgresql's main cluster) there, or they would outlive the run
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 0755 "$root/usr/sbin/policy-rc.d"
mount -t proc proc "$root/proc"
mount -t sysfs sys "$root/sys"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"

status=0
if [ "$what" = run ] || [ "$what" = both ] || [ "$what" = all ]; then
  echo "== sh run.sh (in the root)"
  start=$(date +%s)
  chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin \
    sh -c 'cd /src/exectrail && sh run.sh' >"$root.run.log" 2>&1 || status=1
  echo "run.sh: exit $status, $(( $(date +%s) - start )) s (log $root.run.log)"
  tail -n 5 "$root.run.log"
fi
if [ "$what" = test ] || [ "$what" = both ] || [ "$what" = all ]; then
  echo "== sh test.sh (in the root)"
  start=$(date +%s)
  t=0
  chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin \
    sh -c 'cd /src/exectrail && sh test.sh' >"$root.test.log" 2>&1 || t=1
  echo "test.sh: exit $t, $(( $(date +%s) - start )) s (log $root.test.log)"
  tail -n 3 "$root.test.log"
  [ "$t" -eq 0 ] || status=1
fi
if [ "$what" = deb ] || [ "$what" = all ]; then
  echo "== make deb, install, use, purge (in the root)"
  start=$(date +%s)
  d=0
  chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin sh -c '
    set -eu
    cd /src/exectrail
    command -v make >/dev/null || sh tools/setup.sh build
    make deb
    deb=$(ls build/deb/exectrail_*.deb)
    # what the package installs: every file and link, and its own
    # directories (those named exectrail), none of which may outlive a purge
    dpkg-deb -c "$deb" | awk '\''{ p = $6; sub(/^\./, "", p); sub(/\/$/, "", p)
      if ($1 !~ /^d/ || p ~ /exectrail/) print p }'\'' >/tmp/et-deb-paths
    echo "$(wc -l </tmp/et-deb-paths) paths in $deb"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q "./$deb"
    test -x /usr/bin/exectrail
    man -w exectrail-record 2>/dev/null || true
    u=/tmp/et-deb-user; rm -rf "$u"; mkdir -p "$u"
    export HOME="$u" EXECTRAIL_HOME="$u/trail"
    exectrail --version
    exectrail init
    exectrail hooks install --settings "$u/settings.json"
    cmd=$(sed -n "s/.*\"command\": *\"\\(.*hook\\)\".*/\\1/p" "$u/settings.json" | head -n 1)
    echo "hook command: $cmd"
    n=0
    while IFS= read -r line; do printf "%s" "$line" | sh -c "$cmd"; n=$((n + 1)); done \
      <tests/data/claude/hook-session.jsonl
    echo "replayed $n hook inputs"
    test "$(exectrail list --limit 0 --format ids | wc -l)" -eq 1
    exectrail report daily --format md >"$u/daily.md"
    grep "^| Executions | 1 |" "$u/daily.md"
    exectrail verify
    apt-get purge -y -q exectrail
    # (a command after `!` never stops a set -e script: tested with if)
    if dpkg -L exectrail >/dev/null 2>&1; then echo "dpkg still lists exectrail"; exit 1; fi
    left=""
    while IFS= read -r f; do
      if [ -e "$f" ] || [ -L "$f" ]; then left="$left $f"; fi
    done </tmp/et-deb-paths
    if [ -n "$left" ]; then echo "left after purge:$left"; exit 1; fi
    echo "purged: none of the $(wc -l </tmp/et-deb-paths) paths is left"
  ' >"$root.deb.log" 2>&1 || d=1
  echo "deb: exit $d, $(( $(date +%s) - start )) s (log $root.deb.log)"
  tail -n 5 "$root.deb.log"
  [ "$d" -eq 0 ] || status=1
fi
exit "$status"
