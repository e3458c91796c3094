# SPDX-License-Identifier: MIT
# Helpers for the tests that need a PostgreSQL server themselves (sourced
# after lib.sh): skip, saying why, without EXECTRAIL_TEST_PG or psql; each
# trail in a schema et_cli_<pid>_<name> of its own, every such schema
# dropped at the end (found by name: a schema made in a subshell, as
# PG=$(pg_trail x) makes it, is dropped too).

if [ -z "${EXECTRAIL_TEST_PG:-}" ]; then
  echo "# SKIP EXECTRAIL_TEST_PG is not set (tools/pg-test-cluster.sh start gives one)"
  echo "1..0 # SKIP no PostgreSQL"
  echo "0 passed, 0 failed"
  exit 0
fi
if ! command -v psql >/dev/null 2>&1; then
  echo "1..0 # SKIP psql not installed (apt-get install postgresql-client)"
  echo "0 passed, 0 failed"
  exit 0
fi

# pg_url SCHEMA: the connection string of the trail in SCHEMA
pg_url() {
  case "$EXECTRAIL_TEST_PG" in
    *\?*) echo "$EXECTRAIL_TEST_PG&options=-csearch_path%3D$1" ;;
    *) echo "$EXECTRAIL_TEST_PG?options=-csearch_path%3D$1" ;;
  esac
}
# pg_schema NAME: this test's schema for the trail NAME
pg_schema() { echo "et_cli_$$_$1"; }
# pg_trail NAME: the connection string of the trail NAME
pg_trail() { pg_url "$(pg_schema "$1")"; }
# psql_q SCHEMA SQL: the values, one row a line
psql_q() {
  PGOPTIONS="-c search_path=$1 -c client_min_messages=warning" \
    psql "$EXECTRAIL_TEST_PG" -X -q -A -t -v ON_ERROR_STOP=1 -c "$2"
}
pg_cleanup() {
  for s in $(psql "$EXECTRAIL_TEST_PG" -X -q -A -t -c \
      "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'et\\_cli\\_$$\\_%'" 2>/dev/null); do
    PGOPTIONS="-c client_min_messages=warning" \
      psql "$EXECTRAIL_TEST_PG" -X -q -c "DROP SCHEMA IF EXISTS $s CASCADE" >/dev/null 2>&1
  done
  t_cleanup
}
trap pg_cleanup EXIT
