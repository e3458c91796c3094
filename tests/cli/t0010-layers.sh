#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The layering check (tools/check-layers.sh, docs/internals/LAYERS.md): the
# tree passes; a scratch copy with a deliberately wrong include in src/, a
# private include in cmd/, an unranked layer or a stale exception fails,
# naming the file, the line and the layers; the list of known exceptions
# is honoured and cannot go stale.
. "$(dirname "$0")/lib.sh"

CHECK="$ET_SOURCE_DIR/tools/check-layers.sh"
check "the source tree's includes all point down" sh "$CHECK" "$ET_SOURCE_DIR"

fresh() {
  rm -rf "$T_DIR/tree"
  mkdir -p "$T_DIR/tree"
  cp -R "$ET_SOURCE_DIR/src" "$ET_SOURCE_DIR/cmd" "$T_DIR/tree/"
}

fresh
# the projection reaching up into the reports (what it did before this check)
sed -i '0,/#include "trail\/rollup.h"/s//#include "trail\/rollup.h"\n#include "report\/report_int.h"/' \
  "$T_DIR/tree/src/trail/project.c"
line=$(grep -n '#include "report/report_int.h"' "$T_DIR/tree/src/trail/project.c" | cut -d: -f1)
expect_exit 1 "a trail file including a report header fails" sh "$CHECK" "$T_DIR/tree"
contains "$T_DIR/out" "src/trail/project.c:$line: includes report/report_int.h: layer trail (rank 4) may not depend on report (rank 7)" \
  "the message names the file, the line and both layers"
contains "$T_DIR/out" "1 wrong-way include(s)" "and counts them"

fresh
echo '#include "analysis/analysis_int.h"' >>"$T_DIR/tree/src/store/store.c"
expect_exit 1 "the store including the analysis fails" sh "$CHECK" "$T_DIR/tree"
contains "$T_DIR/out" "layer store (rank 3) may not depend on analysis (rank 6)" "named"

fresh
echo '#include "query/ast.h"' >>"$T_DIR/tree/src/ingest/spool.c"
expect_exit 1 "peers of one rank may not include each other (ingest -> query)" sh "$CHECK" "$T_DIR/tree"

fresh
sed -i '0,/#include "cli.h"/s//#include "cli.h"\n#include "trail\/trail_int.h"/' "$T_DIR/tree/cmd/exectrail/cmd_show.c"
expect_exit 1 "cmd/ including a private header fails" sh "$CHECK" "$T_DIR/tree"
contains "$T_DIR/out" "cmd/exectrail/cmd_show.c" "the cmd file is named"
contains "$T_DIR/out" "cmd/ may include only exectrail/*.h" "with the rule"

fresh
mkdir -p "$T_DIR/tree/src/gadget"
printf '#include "base/setup.h"\n' >"$T_DIR/tree/src/gadget/g.c"
expect_exit 1 "a new layer without a rank fails" sh "$CHECK" "$T_DIR/tree"
contains "$T_DIR/out" "layer 'gadget' has no rank" "and says so"

# the list of known exceptions (empty in the tree): a copy of the check
# with one entry honours it while the include is there and fails once it
# is gone, so the list cannot go stale
sed "s|^allowed=''|allowed='src/store/store.c:query/ast.h'|" "$CHECK" >"$T_DIR/check-allowed.sh"
check "the copy of the check lists one exception" \
  grep -q "^allowed='src/store/store.c:query/ast.h'" "$T_DIR/check-allowed.sh"
fresh
echo '#include "query/ast.h"' >>"$T_DIR/tree/src/store/store.c"
check "a listed exception is allowed" sh "$T_DIR/check-allowed.sh" "$T_DIR/tree"
fresh
expect_exit 1 "a known exception that no longer occurs must be removed from the list" sh "$T_DIR/check-allowed.sh" "$T_DIR/tree"
contains "$T_DIR/out" "allowed exception src/store/store.c:query/ast.h no longer occurs" "the stale exception is named"
done_testing
