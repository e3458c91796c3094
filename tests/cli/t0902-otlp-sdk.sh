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

. "$ET_SOURCE_DIR/tests/cli/node_lib.sh"

# @opentelemetry 2.x (sdk-trace 2.12) supports Node.js 18.19 and newer
if node_setup "$ET_SOURCE_DIR/tests/e2e/otlp" 18 "the OpenTelemetry JS SDK" \
  @opentelemetry/otlp-transformer @opentelemetry/sdk-trace; then
  node_run "OpenTelemetry SDK" run.mjs 3
fi
done_testing
