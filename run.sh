#!/bin/sh
# SPDX-License-Identifier: MIT
# The main job on a bare Debian 12 (no make, no compiler needed): install
# what is missing, build the release binary, run the guided demo on the
# embedded SQLite default. usage: sh run.sh
set -eu
cd "$(dirname "$0")"
sh tools/setup.sh run
cmake --preset release >/dev/null
cmake --build --preset release
exec sh tools/demo.sh build/release/exectrail
