# SPDX-License-Identifier: MIT
# Shared by bench/pg_triggers.sh and bench/pg_partitions.sh (sourced): the
# PostgreSQL server they time against - EXECTRAIL_TEST_PG, else a
# throwaway cluster on loopback (tools/pg-test-cluster.sh: fsync off) -
# and the clean-up on exit: the schemas listed in SCHEMAS dropped, the
# cluster stopped, the work directory W removed.
# Sets DSN, PGDIR (empty when the server was given) and WHERE (a phrase
# for the report). Needs SRC (the source tree) and W.
PGDIR=""
SCHEMAS=""
pg_bench_cleanup() {
  for s in $SCHEMAS; do
    PGOPTIONS="-c client_min_messages=warning" psql "$DSN" -X -q \
      -c "DROP SCHEMA IF EXISTS $s CASCADE" >/dev/null 2>&1 || true
  done
  [ -n "$PGDIR" ] && sh "$SRC/tools/pg-test-cluster.sh" stop "$PGDIR" >/dev/null 2>&1
  rm -rf "$W"
}
trap pg_bench_cleanup EXIT
if [ -n "${EXECTRAIL_TEST_PG:-}" ]; then
  DSN=$EXECTRAIL_TEST_PG
  WHERE="the server of EXECTRAIL_TEST_PG"
else
  out=$(sh "$SRC/tools/pg-test-cluster.sh" start)
  PGDIR=$(echo "$out" | sed -n 's/^DIR=//p')
  DSN=$(echo "$out" | sed -n 's/^DSN=//p')
  WHERE="a throwaway cluster on loopback (tools/pg-test-cluster.sh: fsync off)"
fi
