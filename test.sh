#!/bin/sh
# SPDX-License-Identifier: MIT
# Every test on a bare Debian 12 (no make, no compiler needed): the same
# set-up as run.sh, an ASan+UBSan build, then the whole suite through
# CTest. The last line is "N passed, N failed"; the exit status is non-zero
# on any failure. usage: sh test.sh [ctest args...]
set -eu
cd "$(dirname "$0")"
sh tools/setup.sh test
cmake --preset asan >/dev/null
cmake --build --preset asan
jobs=$(nproc 2>/dev/null || echo 2)
exec sh tools/run-tests.sh asan -j"$jobs" "$@"
