#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# CTest's cli-pg/ variant of a CLI test (CMakeLists.txt): the test with its
# trails in PostgreSQL (EXECTRAIL_CLI_PG, lib.sh) on the server of
# EXECTRAIL_TEST_PG (test.sh starts a throwaway cluster); skips, saying
# why, without one. usage: run-pg.sh TEST.sh
if [ -z "${EXECTRAIL_TEST_PG:-}" ]; then
  echo "1..0 # SKIP EXECTRAIL_TEST_PG is not set (tools/pg-test-cluster.sh start gives one)"
  exit 0
fi
if ! command -v psql >/dev/null 2>&1; then
  echo "1..0 # SKIP psql not installed (apt-get install postgresql-client)"
  exit 0
fi
EXECTRAIL_CLI_PG=$EXECTRAIL_TEST_PG exec bash "$1"
