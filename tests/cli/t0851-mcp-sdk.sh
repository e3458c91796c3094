#!/bin/bash
# SPDX-License-Identifier: MIT
# exectrail mcp driven by the official MCP TypeScript SDK clients (1.x
# @modelcontextprotocol/sdk and 2.x @modelcontextprotocol/client):
# handshake in both protocol eras, tools/list validated against its schemas,
# every tool, the spec's add_memory/search_memory_facts calls verbatim, and
# records read back identical through `exectrail show --json`
# (tests/e2e/mcp/run.mjs). Installs the clients with `npm ci` when
# node_modules is missing; skips only when node or npm cannot be used.
. "$ET_SOURCE_DIR/tests/cli/lib.sh"

. "$ET_SOURCE_DIR/tests/cli/node_lib.sh"

# the 2.x client needs Node.js 20 or newer; Debian 12's own nodejs is 18
if node_setup "$ET_SOURCE_DIR/tests/e2e/mcp" 20 "the 2.x MCP client" \
  @modelcontextprotocol/client @modelcontextprotocol/sdk; then
  node_run "SDK clients" run.mjs
fi
done_testing
