#!/bin/sh
# SPDX-License-Identifier: MIT
# A throwaway PostgreSQL cluster for the tests: initdb into a temporary
# directory as an unprivileged user, listening on 127.0.0.1 only (a free
# port) with its unix socket inside that directory.
#
# usage: tools/pg-test-cluster.sh start   prints two lines:
#                                          DIR=<cluster directory>
#                                          DSN=<connection string>
#        tools/pg-test-cluster.sh stop DIR  stops it and removes DIR
#
# Exit status 0 when started; 1 (with the reason on stderr) when it cannot
# start (no PostgreSQL server installed, no unprivileged user ...), so that
# callers can skip the PostgreSQL tests visibly.
set -eu

pgbin() {
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
  return 1
}

free_port() {
  python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' 2>/dev/null ||
    echo $((20000 + $$ % 20000))
}

# run a command as the cluster's owner (root may not run a server)
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u "$owner" -- "$@"
  else
    "$@"
  fi
}

start() {
  bin=$(pgbin) || { echo "pg-test-cluster: no PostgreSQL server (apt-get install postgresql)" >&2; exit 1; }
  owner=$(id -un)
  if [ "$(id -u)" -eq 0 ]; then
    owner=exectrail-test
    if ! id "$owner" >/dev/null 2>&1; then
      useradd --system --no-create-home --shell /usr/sbin/nologin "$owner" 2>/dev/null ||
        { echo "pg-test-cluster: cannot create the user $owner" >&2; exit 1; }
    fi
  fi
  dir=$(mktemp -d "${TMPDIR:-/tmp}/et-pg-XXXXXX")
  chmod 0755 "$dir"
  [ "$(id -u)" -eq 0 ] && chown "$owner" "$dir"
  port=$(free_port)
  if ! as_owner "$bin/initdb" -D "$dir/data" -U exectrail -A trust -E UTF8 \
      --locale=C.UTF-8 >"$dir/initdb.log" 2>&1; then
    echo "pg-test-cluster: initdb failed: $(tail -n 3 "$dir/initdb.log")" >&2
    rm -rf "$dir"; exit 1
  fi
  # loopback and a socket in the cluster's own directory only; small and
  # fast (a test cluster: durability traded for speed)
  cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 60
shared_buffers = 32MB
CONF
  if ! as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
      start >/dev/null 2>&1; then
    echo "pg-test-cluster: server did not start: $(tail -n 3 "$dir/server.log" 2>/dev/null)" >&2
    rm -rf "$dir"; exit 1
  fi
  if ! as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U exectrail exectrail_test >/dev/null 2>&1; then
    echo "pg-test-cluster: createdb failed" >&2
    as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"; exit 1
  fi
  echo "DIR=$dir"
  echo "DSN=postgresql://exectrail@127.0.0.1:$port/exectrail_test"
}

stop() {
  dir=${1:?usage: pg-test-cluster.sh stop DIR}
  case "$dir" in */et-pg-*) ;; *) echo "pg-test-cluster: not a test cluster: $dir" >&2; exit 2 ;; esac
  [ -d "$dir" ] || exit 0
  bin=$(pgbin) || true
  owner=$(stat -c %U "$dir")
  if [ -n "$bin" ] && [ -f "$dir/data/postmaster.pid" ]; then
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 20 stop >/dev/null 2>&1 ||
      as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) shift; stop "$@" ;;
  *) echo "usage: pg-test-cluster.sh start | stop DIR" >&2; exit 2 ;;
esac
