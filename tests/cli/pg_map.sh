# SPDX-License-Identifier: MIT
# (sourced by lib.sh and pg_exec.sh, POSIX sh) The PostgreSQL schema of the
# trail a CLI test names by the file path PATH, under EXECTRAIL_CLI_PG:
# ET_CLI_PG_PREFIX (one per test process), then the path below the test's
# directory (ET_CLI_T_DIR) with every byte but a-z and 0-9 made "_" (a
# checksum of the whole path when that is long). No process is started:
# pg_exec.sh runs before every exectrail command of a test.
# et_pg_schema PATH: sets ET_PG_SCHEMA
et_pg_schema() {
  _s=$1
  case $_s in "$ET_CLI_T_DIR"/*) _s=${_s#"$ET_CLI_T_DIR"/} ;; esac
  _o=""
  while [ -n "$_s" ]; do
    _r=${_s#?}
    _c=${_s%"$_r"}
    _s=$_r
    case $_c in
      [abcdefghijklmnopqrstuvwxyz0123456789]) _o=$_o$_c ;;
      *) _o=${_o}_ ;;
    esac
  done
  [ ${#_o} -le 40 ] || _o=h$(printf '%s' "$1" | cksum | cut -d' ' -f1)
  ET_PG_SCHEMA="${ET_CLI_PG_PREFIX}_t_$_o"
}
