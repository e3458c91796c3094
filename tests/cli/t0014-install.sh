#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `make install` (cmake --install with a prefix and DESTDIR): the binary,
# shared and static library, headers, pkg-config file and CMake package
# are installed; a C program builds against them with pkg-config and with
# find_package(exectrail), from the staged prefix and after moving it.
. "$(dirname "$0")/lib.sh"

BUILD=$(cd "$(dirname "${ET_CLI_REAL:-$EXECTRAIL}")" && pwd)
STAGE="$T_DIR/stage"
check "cmake --install --prefix /usr with DESTDIR" env DESTDIR="$STAGE" cmake --install "$BUILD" --prefix /usr
P="$STAGE/usr"
LIBDIR=$(dirname "$(find "$P" -name exectrail.pc | head -n 1)")/..
for f in bin/exectrail include/exectrail/exectrail.h include/exectrail/query.h \
  share/bash-completion/completions/exectrail share/zsh/vendor-completions/_exectrail \
  share/fish/vendor_completions.d/exectrail.fish lib/systemd/user/exectrail-retention.service \
  lib/systemd/user/exectrail-retention.timer lib/systemd/user/exectrail-report.service \
  lib/systemd/user/exectrail-report.timer; do
  [ -e "$P/$f" ] && ok "installs $f" || fails "installs $f"
done
grep -q '^ExecStart=/usr/bin/exectrail ' "$P/lib/systemd/user/exectrail-retention.service" &&
  ok "the installed unit runs the installed binary" || fails "the installed unit runs the installed binary"
if [ -d "$BUILD/man/man1" ]; then
  for v in exectrail exectrail-record exectrail-complete exectrail-doctor; do
    [ -e "$P/share/man/man1/$v.1" ] && ok "installs share/man/man1/$v.1" || fails "installs share/man/man1/$v.1"
  done
  eq "$(ls "$P/share/man/man1" | wc -l)" "$(ls "$BUILD/man/man1" | wc -l)" "installs every manual page"
else
  ok "# SKIP manual pages (configured with -DET_BUILD_MAN=OFF)"
fi
for f in libexectrail.so libexectrail.a pkgconfig/exectrail.pc cmake/exectrail/exectrailConfig.cmake \
  cmake/exectrail/exectrailConfigVersion.cmake; do
  [ -e "$LIBDIR/$f" ] && ok "installs <libdir>/$f" || fails "installs <libdir>/$f"
done
grep -q "$T_DIR" "$LIBDIR/pkgconfig/exectrail.pc" && fails "the .pc names no staging path" || ok "the .pc names no staging path"
"$P/bin/exectrail" --version >"$T_DIR/v" 2>&1 && grep -q '^exectrail [0-9]' "$T_DIR/v" &&
  ok "the installed binary runs" || fails "the installed binary runs" "$(cat "$T_DIR/v")"

# the flags of this build (a sanitizer build's library needs its runtime)
SAN=""
nm -D "$LIBDIR/libexectrail.so" 2>/dev/null | grep -q __asan_ && SAN="-fsanitize=address,undefined"

cat >"$T_DIR/use.c" <<'C'
#include <stdio.h>
#include <exectrail/exectrail.h>
int main(void) { printf("uses %s\n", et_version()); return 0; }
C
build_pc() { # prefix-dir out
  PKG_CONFIG_PATH="$(dirname "$(find "$1" -name exectrail.pc | head -n 1)")" \
    sh -c 'cc $0 "$1" -o "$2" $(pkg-config --cflags --libs exectrail) -Wl,-rpath,"$(pkg-config --variable=libdir exectrail)"' \
    "$SAN" "$T_DIR/use.c" "$2"
}
if command -v pkg-config >/dev/null && command -v cc >/dev/null; then
  check "a program builds with pkg-config exectrail" build_pc "$P" "$T_DIR/use-pc"
  "$T_DIR/use-pc" 2>&1 | grep -q '^uses [0-9]' && ok "and runs against the installed library" ||
    fails "and runs against the installed library"
  mv "$STAGE" "$T_DIR/moved"
  check "after moving the prefix, pkg-config still finds it" build_pc "$T_DIR/moved/usr" "$T_DIR/use-moved"
  "$T_DIR/use-moved" 2>&1 | grep -q '^uses [0-9]' && ok "the moved build runs" || fails "the moved build runs"
  mv "$T_DIR/moved" "$STAGE"
else
  ok "# SKIP no pkg-config or cc"
fi

mkdir -p "$T_DIR/proj"
cp "$T_DIR/use.c" "$T_DIR/proj/use.c"
cat >"$T_DIR/proj/CMakeLists.txt" <<CM
cmake_minimum_required(VERSION 3.25)
project(use C)
find_package(exectrail 0.1 REQUIRED)
add_executable(use use.c)
target_compile_options(use PRIVATE $SAN)
target_link_options(use PRIVATE $SAN)
target_link_libraries(use PRIVATE exectrail::exectrail)
CM
check "find_package(exectrail) configures" cmake -S "$T_DIR/proj" -B "$T_DIR/proj/b" -G Ninja -DCMAKE_PREFIX_PATH="$P"
check "and builds" cmake --build "$T_DIR/proj/b"
"$T_DIR/proj/b/use" 2>&1 | grep -q '^uses [0-9]' && ok "the CMake-built program runs" || fails "the CMake-built program runs"
# a wrong prefix is refused, not half-found
expect_exit 1 "find_package without the prefix fails" cmake -S "$T_DIR/proj" -B "$T_DIR/proj/c" -G Ninja -DCMAKE_PREFIX_PATH="$T_DIR/none" -DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF -Dexectrail_DIR="$T_DIR/none"
done_testing
