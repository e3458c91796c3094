#!/bin/sh
# SPDX-License-Identifier: MIT
# EXECTRAIL_CLI_PG (lib.sh): the exectrail the CLI tests run. It puts
# each trail a test names by a file path in a PostgreSQL schema of its own
# (pg_map.sh) and runs the real binary (ET_CLI_REAL) with its connection
# string.
#
# The path is the one the program would use (--db PATH, else
# $EXECTRAIL_HOME/trail.db, else the XDG or HOME default), so a test that
# switches trails with EXECTRAIL_HOME or --db gets a separate trail on
# PostgreSQL too. EXECTRAIL_HOME is set to the path's directory: keys,
# config and spool live there, as beside a SQLite file. A connection string
# given with --db, or any EXECTRAIL_DB, is left alone. POSIX sh without
# subprocesses: it runs before every exectrail command of a test.
set -u
[ -z "${EXECTRAIL_DB:-}" ] || exec "$ET_CLI_REAL" "$@"

path=""
prev=""
for a in "$@"; do
  if [ "$prev" = --db ]; then
    path=$a
    break
  fi
  case $a in --db=*) path=${a#--db=} && break ;; esac
  prev=$a
done
case $path in postgresql://* | postgres://*) exec "$ET_CLI_REAL" "$@" ;; esac
given=$path
if [ -z "$path" ]; then
  if [ -n "${EXECTRAIL_HOME:-}" ]; then
    path="$EXECTRAIL_HOME/trail.db"
  elif [ -n "${XDG_DATA_HOME:-}" ]; then
    path="$XDG_DATA_HOME/exectrail/trail.db"
  elif [ -n "${HOME:-}" ]; then
    path="$HOME/.local/share/exectrail/trail.db"
  else
    exec "$ET_CLI_REAL" "$@"
  fi
fi

. "$ET_CLI_PG_MAP"
et_pg_schema "$path"
case $ET_CLI_PG_BASE in
  *\?*) dsn="$ET_CLI_PG_BASE&options=-csearch_path%3D$ET_PG_SCHEMA" ;;
  *) dsn="$ET_CLI_PG_BASE?options=-csearch_path%3D$ET_PG_SCHEMA" ;;
esac
case $path in
  */*) home=${path%/*} ;;
  *) home=. ;;
esac
[ -n "$home" ] || home=/
EXECTRAIL_HOME=$home
export EXECTRAIL_HOME
if [ -z "$given" ]; then
  EXECTRAIL_DB=$dsn
  export EXECTRAIL_DB
  exec "$ET_CLI_REAL" "$@"
fi
# the first --db's value becomes the connection string
n=$#
prev=""
done=0
while [ "$n" -gt 0 ]; do
  a=$1
  shift
  n=$((n - 1))
  if [ "$done" = 0 ] && [ "$prev" = --db ]; then
    a=$dsn
    done=1
  elif [ "$done" = 0 ]; then
    case $a in --db=*) a="--db=$dsn" && done=1 ;; esac
  fi
  set -- "$@" "$a"
  prev=$a
done
exec "$ET_CLI_REAL" "$@"
