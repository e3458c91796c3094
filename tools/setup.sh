#!/bin/sh
# SPDX-License-Identifier: MIT
# Install the Debian 12 packages exectrail needs, only those missing.
# usage: tools/setup.sh [build|run|test|bench|fuzz|deb]...   (default: build)
set -eu

want=""
# secret redaction: PCRE2 and Hyperscan (amd64) or its port Vectorscan
redact_pkgs="libpcre2-dev libhyperscan-dev"
if [ "$(dpkg --print-architecture 2>/dev/null)" != amd64 ]; then
  redact_pkgs="libpcre2-dev libvectorscan-dev"
fi
for what in "${@:-build}"; do
  case "$what" in
    build) want="$want gcc make cmake ninja-build pkg-config libsqlite3-dev libjson-c-dev libsodium-dev libyaml-dev libzstd-dev libprotobuf-c-dev protobuf-c-compiler zlib1g-dev libmicrohttpd-dev libpq-dev libcurl4-openssl-dev $redact_pkgs" ;;
    run)   want="$want gcc make cmake ninja-build pkg-config libsqlite3-dev libjson-c-dev libsodium-dev libyaml-dev libzstd-dev libprotobuf-c-dev protobuf-c-compiler zlib1g-dev libmicrohttpd-dev libpq-dev libcurl4-openssl-dev $redact_pkgs sqlite3" ;;
    test)  want="$want gcc make cmake ninja-build pkg-config libsqlite3-dev libjson-c-dev libsodium-dev libyaml-dev libzstd-dev libprotobuf-c-dev protobuf-c-compiler zlib1g-dev libmicrohttpd-dev libpq-dev libcurl4-openssl-dev $redact_pkgs sqlite3 python3 chromium zstd nodejs man-db zsh fish curl python3-yaml python3-jsonschema postgresql"
           # npm for the MCP SDK tests (tests/e2e/mcp); NodeSource's nodejs
           # ships its own npm, which Debian's npm package would conflict with
           command -v npm >/dev/null 2>&1 || want="$want npm" ;;
    bench) want="$want gcc make cmake ninja-build pkg-config libsqlite3-dev libjson-c-dev libsodium-dev libyaml-dev libzstd-dev libprotobuf-c-dev protobuf-c-compiler zlib1g-dev libmicrohttpd-dev libpq-dev libcurl4-openssl-dev $redact_pkgs python3 curl wrk postgresql" ;;
    fuzz)  want="$want clang libclang-rt-14-dev" ;;
    deb)   want="$want dpkg-dev" ;;
    *) echo "setup.sh: unknown package set '$what'" >&2; exit 2 ;;
  esac
done

missing=""
for p in $want; do
  case " $missing " in *" $p "*) continue ;; esac
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done
[ -z "$missing" ] && exit 0

echo "setup: installing$missing" >&2
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
    echo "setup: these Debian packages are missing:$missing" >&2
    echo "setup: run as root: apt-get install -y$missing" >&2
    exit 1
  fi
else
  SUDO=""
fi
export DEBIAN_FRONTEND=noninteractive
# a fresh image has no package lists yet
if ! $SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null 2>&1; then
  $SUDO apt-get update -q >/dev/null
  $SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null
fi
