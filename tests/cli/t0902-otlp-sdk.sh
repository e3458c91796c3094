#!/bin/bash
# SPDX-License-Identifier: MIT
# OTLP ingest driven by the official OpenTelemetry JS SDK: GenAI spans
# (nested agents, a failing tool, a tool under a chat span, an unknown span)
# and Claude Code style log events, serialized by @opentelemetry's own OTLP
# serializers in protobuf and JSON (gzip too), imported with `exectrail
# import otlp` and read back field by field (tests/e2e/otlp/run.mjs). The
# responses are decoded by the SDK's own deserializers. Installs the
# packages with `npm ci` when node_modules is missing; skips only when node
# or npm cannot be used or the registry cannot be reached.
. "$ET_SOURCE_DIR/tests/cli/lib.sh"

E2E="$ET_SOURCE_DIR/tests/e2e/otlp"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "# SKIP node/npm not installed (tools/setup.sh test installs them)"
  exit 0
fi
# @opentelemetry 2.x (sdk-trace 2.12) supports Node.js 18.19 and newer
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 18 ]; then
  echo "# SKIP node $(node --version) is older than 18, which the OpenTelemetry JS SDK needs"
  exit 0
fi
if [ ! -d "$E2E/node_modules/@opentelemetry/otlp-transformer" ] ||
  [ ! -d "$E2E/node_modules/@opentelemetry/sdk-trace" ]; then
  if ! (cd "$E2E" && npm ci --no-audit --no-fund >"$T_DIR/npm.log" 2>&1); then
    if grep -qiE 'ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|network' "$T_DIR/npm.log"; then
      echo "# SKIP npm cannot reach the registry: $(grep -m1 -iE 'ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|network' "$T_DIR/npm.log")"
      exit 0
    fi
    fails "npm ci" "$(tail -c 600 "$T_DIR/npm.log")"
    done_testing
  fi
fi
export T_DIR EXECTRAIL
if (cd "$E2E" && node run.mjs) >"$T_DIR/node.out" 2>"$T_DIR/node.err"; then
  ok "OpenTelemetry SDK: $(tail -1 "$T_DIR/node.out")"
else
  fails "OpenTelemetry SDK" "$(grep -A3 '^not ok' "$T_DIR/node.out" | head -60)" \
    "stderr: $(tail -c 600 "$T_DIR/node.err")"
fi
sed 's/^/# /' "$T_DIR/node.out"
done_testing
