#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The json-c rule of tools/checksrc.sh (docs/internals/CODEC.md): the tree
# passes; a scratch copy with a raw json-c constructor, object insert or
# array insert planted in src/ fails, naming the file and the line; the
# exempt files are honoured, and an exemption that is no longer needed
# fails, so the list cannot go stale.
. "$(dirname "$0")/lib.sh"

CHECK="$ET_SOURCE_DIR/tools/checksrc.sh"
check "the source tree has no raw json-c construction" sh "$CHECK" "$ET_SOURCE_DIR"
contains "$T_DIR/out" "0 problems" "and says so"

# the scratch trees hold the two exempt files and the file planted into
# (the rule is per file; the whole tree is checked once above, which takes
# seconds on a loaded machine)
fresh() {
  rm -rf "$T_DIR/tree"
  for f in src/codec/json_alloc.c src/config/yaml.c "$@"; do
    mkdir -p "$T_DIR/tree/$(dirname "$f")"
    cp "$ET_SOURCE_DIR/$f" "$T_DIR/tree/$f"
  done
}

# plant FILE LINE: append LINE to FILE in a fresh copy; prints its number
plant() {
  fresh "$1"
  echo "$2" >>"$T_DIR/tree/$1"
  wc -l <"$T_DIR/tree/$1" | tr -d ' '
}

n=$(plant src/mcp/mcp_tools.c '    struct json_object *x = json_object_new_object();')
expect_exit 1 "a raw json_object_new_object in src/mcp fails" sh "$CHECK" "$T_DIR/tree"
contains "$T_DIR/out" "src/mcp/mcp_tools.c:$n: raw json-c construction" "naming the file and the line"
contains "$T_DIR/out" "1 problems" "and counting it"

n=$(plant src/http/api.c '    json_object_object_add(o, "k", v);')
expect_exit 1 "a raw json_object_object_add in src/http fails" sh "$CHECK" "$T_DIR/tree"
contains "$T_DIR/out" "src/http/api.c:$n: raw json-c construction" "named"

n=$(plant src/trail/read.c '    (void)json_object_array_add (a, v);')
expect_exit 1 "a raw json_object_array_add (space before the parenthesis) fails" sh "$CHECK" "$T_DIR/tree"
contains "$T_DIR/out" "src/trail/read.c:$n: raw json-c construction" "named"

n=$(plant src/report/figures.c '    v = json_object_new_double_s(1.5, "1.5");')
expect_exit 1 "any json_object_new_* variant fails (new_double_s)" sh "$CHECK" "$T_DIR/tree"
contains "$T_DIR/out" "src/report/figures.c:$n:" "named"

# the wrappers and a name that merely contains the pattern are fine
plant src/http/api.c '    v = et__jnew_object(); my_json_object_new_thing(); /* json_object_new_x */' >/dev/null
check "the wrappers and look-alike names pass" sh "$CHECK" "$T_DIR/tree"

# the exempt files: the wrappers themselves and config/yaml.c (a peer of
# codec that may not include codec/json.h)
plant src/config/yaml.c '    n = json_object_new_object();' >/dev/null
check "a raw call in an exempt file passes" sh "$CHECK" "$T_DIR/tree"

fresh
check "a copy of the exempt files alone passes" sh "$CHECK" "$T_DIR/tree"
sed -i 's/json_object_\(new_\|object_add\|array_add\)/et_yaml_\1/g' "$T_DIR/tree/src/config/yaml.c"
check "the copy of yaml.c has no raw call left" sh -c "! grep -qE 'json_object_(new_|object_add|array_add)' '$T_DIR/tree/src/config/yaml.c'"
expect_exit 1 "an exemption no longer needed fails" sh "$CHECK" "$T_DIR/tree"
contains "$T_DIR/out" "src/config/yaml.c: exempt from the json-c rule but makes no raw json-c call" "and names the file"
# the per-file rules too: an empty file has no SPDX line
fresh
: >"$T_DIR/tree/src/codec/empty.c"
expect_exit 1 "an empty C file fails" sh "$CHECK" "$T_DIR/tree"
contains "$T_DIR/out" "src/codec/empty.c: first line must be an SPDX-License-Identifier comment" "named"

done_testing
