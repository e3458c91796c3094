# SPDX-License-Identifier: MIT
# Helpers for the tests that drive exectrail with real clients from npm
# (sourced after lib.sh): check node and npm, install a folder's locked
# packages with `npm ci` when they are missing, and run one of its scripts.

NODE_DIR=""

# node_setup DIR MIN_MAJOR WHO PKG...: 0 when node and npm can run DIR's
# scripts. Returns 1 after a skip_note (a "# SKIP" line) when node or npm is missing,
# node is older than MIN_MAJOR (WHO: what needs it), or npm cannot reach the
# registry; installs DIR's packages with `npm ci` when any PKG is missing
# from DIR/node_modules, and returns 1 after a failed check when that fails.
node_setup() {
  NODE_DIR=$1
  min=$2
  who=$3
  shift 3
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    skip_note "node/npm not installed (tools/setup.sh test installs them)"
    return 1
  fi
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  if [ "$major" -lt "$min" ]; then
    skip_note "node $(node --version) is older than $min, which $who needs"
    return 1
  fi
  for p in "$@"; do
    [ -d "$NODE_DIR/node_modules/$p" ] && continue
    if (cd "$NODE_DIR" && npm ci --no-audit --no-fund >"$T_DIR/npm.log" 2>&1); then
      return 0
    fi
    net='ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|network'
    if grep -qiE "$net" "$T_DIR/npm.log"; then
      skip_note "npm cannot reach the registry: $(grep -m1 -iE "$net" "$T_DIR/npm.log")"
    else
      fails "npm ci" "$(tail -c 600 "$T_DIR/npm.log")"
    fi
    return 1
  done
  return 0
}

# node_run DESCRIPTION SCRIPT [LINES]: run SCRIPT (TAP) in NODE_DIR with
# T_DIR and EXECTRAIL exported; one check that passes when it exits 0 (on
# failure LINES lines after each "not ok", 12 by default); its own output
# follows as comments.
node_run() {
  export T_DIR EXECTRAIL
  if (cd "$NODE_DIR" && node "$2") >"$T_DIR/node.out" 2>"$T_DIR/node.err"; then
    ok "$1: $(tail -1 "$T_DIR/node.out")"
  else
    fails "$1" "$(grep -A"${3:-12}" '^not ok' "$T_DIR/node.out" | head -60)" \
      "stderr: $(tail -c 600 "$T_DIR/node.err")"
  fi
  sed 's/^/# /' "$T_DIR/node.out"
}
