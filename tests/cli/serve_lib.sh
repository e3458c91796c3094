# SPDX-License-Identifier: MIT
# Helpers for the `exectrail serve` tests (sourced after lib.sh): start a
# server on a free loopback port (port 0, written to a file), wait for
# /healthz, and stop it on exit whatever happens (lib.sh's trap kills
# every pid in T_PIDS).

command -v curl >/dev/null || { echo "1..0 # SKIP curl is not installed"; exit 0; }

SERVE_PID=""
URL=""
JSON_CT='Content-Type: application/json'

# serve_start [serve options...]: start and wait until /healthz answers
serve_start() {
  rm -f "$T_DIR/port"
  "$EXECTRAIL" serve --listen 127.0.0.1:0 --port-file "$T_DIR/port" "$@" \
    2>>"$T_DIR/serve.log" &
  SERVE_PID=$!
  T_PIDS="$T_PIDS $SERVE_PID"
  for _ in $(seq 1 300); do
    if [ -s "$T_DIR/port" ]; then
      URL="http://127.0.0.1:$(cat "$T_DIR/port")"
      if curl -fsS -o /dev/null --max-time 5 "$URL/healthz" 2>/dev/null; then
        return 0
      fi
    fi
    kill -0 "$SERVE_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "# the server did not start:"; sed 's/^/#   /' "$T_DIR/serve.log"
  return 1
}

# serve_stop [SIGNAL]: stop it (SIGTERM by default); its exit status in $?
serve_stop() {
  kill -"${1:-TERM}" "$SERVE_PID" 2>/dev/null
  wait "$SERVE_PID"
}

# req METHOD PATH [curl args...]: the status in $T_DIR/status, the body in
# $T_DIR/body, the headers in $T_DIR/headers
req() {
  m=$1
  p=$2
  shift 2
  curl -sS -X "$m" -o "$T_DIR/body" -D "$T_DIR/headers" -w '%{http_code}' \
    --max-time 60 "$@" "$URL$p" >"$T_DIR/status" 2>"$T_DIR/curl.err"
  STATUS=$(cat "$T_DIR/status")
  # every answer is kept for the OpenAPI check (openapi_check.py)
  N_CAP=$((${N_CAP:-0} + 1))
  mkdir -p "$T_DIR/cap"
  ct=$(tr -d '\r' <"$T_DIR/headers" | sed -n 's/^[Cc]ontent-[Tt]ype: *//p' | tail -1)
  printf '%s\t%s\t%s\t%s\n' "$m" "${p%%\?*}" "$STATUS" "$ct" >"$T_DIR/cap/$N_CAP.meta"
  cp "$T_DIR/body" "$T_DIR/cap/$N_CAP.body"
}

# openapi_check DESCRIPTION: every answer so far matches docs/openapi.yaml
openapi_check() {
  if python3 "$ET_SOURCE_DIR/tests/cli/openapi_check.py" \
      "$ET_SOURCE_DIR/docs/openapi.yaml" "$T_DIR/cap" \
      "$ET_SOURCE_DIR/src/http/route.c" >"$T_DIR/oa.out" 2>&1; then
    ok "$1 ($(tail -1 "$T_DIR/oa.out"))"
  else
    not_ok "$1" "$(head -c 1500 "$T_DIR/oa.out")"
  fi
}

# status_is WANT DESCRIPTION
status_is() {
  if [ "$STATUS" = "$1" ]; then ok "$2"; else
    not_ok "$2" "status $STATUS, want $1" "body: $(head -c 400 "$T_DIR/body")"
  fi
}
