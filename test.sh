#!/bin/sh
# SPDX-License-Identifier: MIT
# Every test on a bare Debian 12 (no make, no compiler needed): the same
# set-up as run.sh, an ASan+UBSan build, a throwaway PostgreSQL cluster on
# a loopback port (tools/pg-test-cluster.sh; its tests skip, saying why,
# when it cannot start), then the whole suite through CTest. The last line
# is "N passed, N failed, N skipped" (each skipped test is named above it
# with its reason); the exit status is non-zero on any failure.
# usage: sh test.sh [ctest args...]
set -eu
cd "$(dirname "$0")"
sh tools/setup.sh test
cmake --preset asan >/dev/null
cmake --build --preset asan
jobs=$(nproc 2>/dev/null || echo 2)
pg_dir=""
stop_pg() {
  [ -n "$pg_dir" ] && sh tools/pg-test-cluster.sh stop "$pg_dir" || true
}
trap stop_pg EXIT
trap 'exit 130' INT TERM
if [ -n "${EXECTRAIL_TEST_PG:-}" ]; then
  echo "test: PostgreSQL tests use EXECTRAIL_TEST_PG from the environment" >&2
elif pg_out=$(sh tools/pg-test-cluster.sh start 2>"${TMPDIR:-/tmp}/et-pg-start.$$"); then
  pg_dir=$(echo "$pg_out" | sed -n 's/^DIR=//p')
  EXECTRAIL_TEST_PG=$(echo "$pg_out" | sed -n 's/^DSN=//p')
  export EXECTRAIL_TEST_PG
  echo "test: PostgreSQL test cluster at $EXECTRAIL_TEST_PG" >&2
else
  echo "test: SKIPPING the PostgreSQL tests: $(cat "${TMPDIR:-/tmp}/et-pg-start.$$")" >&2
fi
rm -f "${TMPDIR:-/tmp}/et-pg-start.$$"
# CTest starts the longest tests first when it knows their times from an
# earlier run of this build; a fresh clone has none, and its two longest
# tests ran last, one core idle (674.6 s of CTest against ~630 s):
# tools/ctest-costs.txt is such a record, from a whole run, used until the
# build has its own
cost=build/asan/Testing/Temporary/CTestCostData.txt
if [ ! -f "$cost" ]; then
  mkdir -p "$(dirname "$cost")"
  cp tools/ctest-costs.txt "$cost"
fi
status=0
sh tools/run-tests.sh asan -j"$jobs" "$@" || status=$?
exit $status
