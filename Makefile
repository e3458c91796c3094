# SPDX-License-Identifier: MIT
# Thin wrapper over CMake presets. `make run` and `make test` call run.sh and
# test.sh, which work without make: they install what is missing (Debian
# packages), configure, build, then run.

.PHONY: all build run test bench fuzz install deb clean format-check setup

all: build

build:
	@tools/setup.sh build
	@cmake --preset release >/dev/null
	@cmake --build --preset release

run:
	@sh ./run.sh

test:
	@sh ./test.sh

bench:
	@tools/setup.sh bench
	@cmake --preset release >/dev/null
	@cmake --build --preset release
	@bench/run.sh build/release

fuzz:
	@tools/setup.sh build fuzz
	@cmake --preset fuzz >/dev/null
	@cmake --build --preset fuzz
	@tools/fuzz.sh build/fuzz

# make install [PREFIX=/usr/local] [DESTDIR=/tmp/stage]
PREFIX ?= /usr/local
install: build
	@DESTDIR="$(DESTDIR)" cmake --install build/release --prefix "$(PREFIX)"

# make deb: build/deb/exectrail_VERSION_ARCH.deb (tools/make-deb.sh)
# (only what the package installs is built: not the tests)
deb:
	@tools/setup.sh build deb
	@cmake --preset release >/dev/null
	@cmake --build --preset release --target exectrail et_lib et_shared man
	@sh tools/make-deb.sh build/release build/deb

format-check:
	@clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build
