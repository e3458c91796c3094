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

E2E="$ET_SOURCE_DIR/tests/e2e/mcp"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "# SKIP node/npm not installed (tools/setup.sh installs them)"
  exit 0
fi
# the 2.x client needs Node.js 20 or newer; Debian 12's own nodejs is 18
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 20 ]; then
  echo "# SKIP node $(node --version) is older than 20, which the 2.x MCP client needs"
  exit 0
fi
if [ ! -d "$E2E/node_modules/@modelcontextprotocol/client" ] ||
  [ ! -d "$E2E/node_modules/@modelcontextprotocol/sdk" ]; then
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
  ok "SDK clients: $(tail -1 "$T_DIR/node.out")"
else
  fails "SDK clients" "$(grep -A12 '^not ok' "$T_DIR/node.out" | head -60)" \
    "stderr: $(tail -c 600 "$T_DIR/node.err")"
fi
sed 's/^/# /' "$T_DIR/node.out"
done_testing
